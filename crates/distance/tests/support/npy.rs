//! A minimal, test-only reader for little-endian float64 `.npy` and `.npz` files.

use std::collections::HashMap;
use std::io::Read;
use std::path::Path;

/// A float64 array: its shape and its values in C order.
#[derive(Debug)]
pub(crate) struct Array {
    pub(crate) shape: Vec<usize>,
    pub(crate) data: Vec<f64>,
}

/// Parses the bytes of a version 1/2/3 `.npy` file holding `<f8` in C order.
pub(crate) fn parse_npy(bytes: &[u8]) -> Array {
    assert_eq!(&bytes[..6], b"\x93NUMPY", "not an npy file");
    let major = bytes[6];
    let (header_len, start) = if major == 1 {
        (u16::from_le_bytes([bytes[8], bytes[9]]) as usize, 10)
    } else {
        (u32::from_le_bytes(bytes[8..12].try_into().unwrap()) as usize, 12)
    };
    let header = std::str::from_utf8(&bytes[start..start + header_len]).unwrap();
    assert!(header.contains("'descr': '<f8'"), "only <f8 is supported: {header}");
    assert!(header.contains("'fortran_order': False"), "only C order is supported");
    let shape_str = header.split("'shape': (").nth(1).unwrap().split(')').next().unwrap();
    let shape: Vec<usize> = shape_str
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().unwrap())
        .collect();
    let count: usize = shape.iter().product();
    let body = &bytes[start + header_len..];
    assert_eq!(body.len(), count * 8, "data length");
    let data = body.chunks_exact(8).map(|c| f64::from_le_bytes(c.try_into().unwrap())).collect();
    Array { shape, data }
}

/// Reads a `.npy` file.
pub(crate) fn read_npy(path: &Path) -> Array {
    parse_npy(&std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
}

/// Reads every array of a `.npz` file (stored or deflated).
pub(crate) fn read_npz(path: &Path) -> HashMap<String, Array> {
    let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut zip = zip::ZipArchive::new(file).unwrap();
    let mut out = HashMap::new();
    for k in 0..zip.len() {
        let mut entry = zip.by_index(k).unwrap();
        let name = entry.name().unwrap().trim_end_matches(".npy").to_string();
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).unwrap();
        out.insert(name, parse_npy(&bytes));
    }
    out
}
