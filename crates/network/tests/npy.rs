//! The `.npy` / `.npz` codec.

use std::io::Cursor;

use nnph_network::ErrorKind;
use nnph_network::npy::{NpyData, read_npy, read_npz, write_npy_f32, write_npy_f64, write_npy_i64};

use crate::common::{npy_f32, zip_bytes};

/// An `.npy` file with a hand-written header (version 1, 2 or 3).
fn raw_npy(version: u8, dict: &str, data: &[u8]) -> Vec<u8> {
    let mut out = b"\x93NUMPY".to_vec();
    out.extend_from_slice(&[version, 0]);
    if version == 1 {
        out.extend_from_slice(&(dict.len() as u16).to_le_bytes());
    } else {
        out.extend_from_slice(&(dict.len() as u32).to_le_bytes());
    }
    out.extend_from_slice(dict.as_bytes());
    out.extend_from_slice(data);
    out
}

#[test]
fn write_read_round_trip() {
    let mut bytes = Vec::new();
    write_npy_f64(&mut bytes, &[2, 3], &[1.0, -2.5, 3.0, f64::INFINITY, 0.1, -0.0]).unwrap();
    assert_eq!(&bytes[..8], b"\x93NUMPY\x01\x00");
    let header_len = u16::from_le_bytes([bytes[8], bytes[9]]) as usize;
    assert_eq!((10 + header_len) % 64, 0);
    assert_eq!(bytes[10 + header_len - 1], b'\n');
    assert_eq!(bytes.len(), 10 + header_len + 6 * 8);
    let a = read_npy(&bytes).unwrap();
    assert_eq!(a.shape, vec![2, 3]);
    assert!(!a.fortran_order);
    let NpyData::F64(v) = &a.data else { panic!() };
    assert_eq!(v[1], -2.5);
    assert!(v[3].is_infinite());
    assert!(v[5].is_sign_negative());

    for shape in [vec![], vec![0], vec![4], vec![2, 0, 3]] {
        let n: usize = shape.iter().product();
        let mut bytes = Vec::new();
        write_npy_i64(&mut bytes, &shape, &vec![7; n]).unwrap();
        let a = read_npy(&bytes).unwrap();
        assert_eq!(a.shape, shape);
        assert_eq!(a.data, NpyData::I64(vec![7; n]));
    }
    let err = write_npy_f32(&mut Vec::new(), &[2, 2], &[1.0]).unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
}

#[test]
fn header_as_numpy_writes_it() {
    // Exactly what numpy 1.26 writes for np.save(f, np.zeros((3, 2), '<f4')).
    let bytes = npy_f32(&[3, 2], &[0.0; 6]);
    let expected_dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), }";
    assert_eq!(&bytes[10..10 + expected_dict.len()], expected_dict.as_bytes());
    assert_eq!(bytes.len(), 128 + 24);
    let one_d = npy_f32(&[5], &[0.0; 5]);
    assert!(String::from_utf8_lossy(&one_d).contains("'shape': (5,), }"));
}

#[test]
fn fortran_order_is_transposed_to_c() {
    // The 2x3 matrix [[1, 2, 3], [4, 5, 6]] stored column by column.
    let data: Vec<u8> =
        [1.0f32, 4.0, 2.0, 5.0, 3.0, 6.0].iter().flat_map(|x| x.to_le_bytes()).collect();
    let a =
        read_npy(&raw_npy(1, "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }", &data))
            .unwrap();
    assert!(a.fortran_order);
    assert_eq!(a.data, NpyData::F32(vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]));
    // 3-D: element (i, j, k) at i + 2j + 4k in Fortran order.
    let shape = [2usize, 2, 3];
    let mut f = [0i32; 12];
    for i in 0..2 {
        for j in 0..2 {
            for k in 0..3 {
                f[i + 2 * j + 4 * k] = (100 * i + 10 * j + k) as i32;
            }
        }
    }
    let data: Vec<u8> = f.iter().flat_map(|x| x.to_le_bytes()).collect();
    let a = read_npy(&raw_npy(
        1,
        "{'descr': '<i4', 'fortran_order': True, 'shape': (2, 2, 3), }",
        &data,
    ))
    .unwrap();
    let mut c = Vec::new();
    for i in 0..shape[0] {
        for j in 0..shape[1] {
            for k in 0..shape[2] {
                c.push((100 * i + 10 * j + k) as i32);
            }
        }
    }
    assert_eq!(a.data, NpyData::I32(c));
}

#[test]
fn dtypes_and_byte_orders() {
    let cases: Vec<(&str, Vec<u8>, NpyData)> = vec![
        (">f4", 1.5f32.to_be_bytes().to_vec(), NpyData::F32(vec![1.5])),
        (">f8", (-2.25f64).to_be_bytes().to_vec(), NpyData::F64(vec![-2.25])),
        ("<i4", (-7i32).to_le_bytes().to_vec(), NpyData::I32(vec![-7])),
        (">i8", (-7i64).to_be_bytes().to_vec(), NpyData::I64(vec![-7])),
        ("<u4", 7u32.to_le_bytes().to_vec(), NpyData::U32(vec![7])),
        ("<u8", 7u64.to_le_bytes().to_vec(), NpyData::U64(vec![7])),
        ("<i2", (-3i16).to_le_bytes().to_vec(), NpyData::I16(vec![-3])),
        (">u2", 3u16.to_be_bytes().to_vec(), NpyData::U16(vec![3])),
        ("|u1", vec![200], NpyData::U8(vec![200])),
        ("|i1", vec![0xff], NpyData::I8(vec![-1])),
        ("|b1", vec![2], NpyData::Bool(vec![true])),
    ];
    for (descr, data, expected) in cases {
        let dict = format!("{{'descr': '{descr}', 'fortran_order': False, 'shape': (1,), }}");
        let a = read_npy(&raw_npy(1, &dict, &data)).unwrap_or_else(|e| panic!("{descr}: {e}"));
        assert_eq!(a.data, expected, "{descr}");
    }
}

#[test]
fn header_variants() {
    let data = 1.0f32.to_le_bytes();
    for (version, dict) in [
        (2, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }"),
        (3, "{\"descr\": \"<f4\", \"fortran_order\": False, \"shape\": (1,)}   \n"),
        (1, "{'shape': (1L, 1L), 'fortran_order': False, 'descr': '<f4'}"),
        (1, "{'descr':'<f4','fortran_order':False,'shape':[1]}"),
    ] {
        let a = read_npy(&raw_npy(version, dict, &data)).unwrap_or_else(|e| panic!("{dict}: {e}"));
        assert_eq!(a.data, NpyData::F32(vec![1.0]));
    }
    // A 0-d array holds one element.
    let a = read_npy(&raw_npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': ()}", &data))
        .unwrap();
    assert!(a.shape.is_empty());
    assert_eq!(a.len(), 1);
}

#[test]
fn conversions() {
    let a = |data: NpyData| nnph_network::npy::NpyArray {
        shape: vec![data.len()],
        fortran_order: false,
        data,
    };
    assert_eq!(
        a(NpyData::I64(vec![-3, 1 << 53])).to_f64_vec().unwrap(),
        vec![-3.0, 9_007_199_254_740_992.0]
    );
    let err = a(NpyData::I64(vec![0, (1 << 53) + 1])).to_f64_vec().unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::OutOfRange { index: 1, .. }), "{err}");
    assert!(a(NpyData::U64(vec![u64::MAX])).to_f64_vec().is_err());
    assert_eq!(a(NpyData::Bool(vec![true, false])).to_f64_vec().unwrap(), vec![1.0, 0.0]);
    assert_eq!(a(NpyData::F32(vec![0.1])).to_f64_vec().unwrap(), vec![f64::from(0.1f32)]);

    assert_eq!(a(NpyData::F64(vec![0.1, f64::NAN])).to_f32_vec().unwrap()[0], 0.1f32);
    assert!(a(NpyData::F64(vec![f64::NAN])).to_f32_vec().unwrap()[0].is_nan());
    assert!(a(NpyData::F64(vec![-f64::INFINITY])).to_f32_vec().unwrap()[0].is_infinite());
    let err = a(NpyData::F64(vec![1e39])).to_f32_vec().unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::OutOfRange { index: 0, .. }), "{err}");
    assert_eq!(
        a(NpyData::I32(vec![1 << 24, -(1 << 24)])).to_f32_vec().unwrap(),
        vec![16_777_216.0, -16_777_216.0]
    );
    assert!(a(NpyData::I32(vec![(1 << 24) + 1])).to_f32_vec().is_err());
    assert_eq!(a(NpyData::U8(vec![255])).to_f32_vec().unwrap(), vec![255.0]);
}

#[test]
fn npz_preserves_order_and_strips_suffix() {
    let bytes = zip_bytes(
        &[
            ("z.npy", npy_f32(&[1], &[1.0])),
            ("a", npy_f32(&[1], &[2.0])),
            ("m.npy.npy", npy_f32(&[1], &[3.0])),
        ],
        true,
    );
    let arrays = read_npz(Cursor::new(bytes)).unwrap();
    let names: Vec<&str> = arrays.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["z", "a", "m.npy"]);
    assert_eq!(arrays[2].1.data, NpyData::F32(vec![3.0]));
}

#[test]
fn npz_rejects_garbage() {
    let err = read_npz(Cursor::new(b"not a zip".to_vec())).unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::Container { format: "npz", .. }), "{err}");
    let err =
        read_npz(Cursor::new(zip_bytes(&[("x.npy", b"garbage".to_vec())], false))).unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::Npy { tensor, .. } if tensor == "x"), "{err}");
    assert!(err.to_string().starts_with("tensor \"x\""), "{err}");
}

/// A member whose data runs far past what its header's shape needs (a small
/// zip bomb: 16 MiB of zeros deflate to a few KiB) is refused after reading
/// one byte past the shape, not after inflating all of it.
#[test]
fn npz_member_longer_than_its_shape_is_refused_early() {
    let mut member = npy_f32(&[2], &[1.0, 2.0]);
    member.resize(member.len() + (16 << 20), 0);
    let bytes = zip_bytes(&[("W0.npy", member)], true);
    assert!(bytes.len() < 1 << 20, "the test wants a compressed member");
    let err = read_npz(Cursor::new(bytes)).unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::Npy { tensor, .. } if tensor == "W0"), "{err}");
    assert!(err.to_string().contains("longer than its header's shape needs"), "{err}");
    // Exactly the right length still reads.
    let ok = zip_bytes(&[("W0.npy", npy_f32(&[2], &[1.0, 2.0]))], true);
    assert_eq!(read_npz(Cursor::new(ok)).unwrap()[0].1.data, NpyData::F32(vec![1.0, 2.0]));
}

/// The streaming API: `read_npy_header` reads only the header (from any reader), and
/// `decode_f64` converts raw data as `to_f64_vec` does, naming the same flat index on error.
#[test]
fn header_then_data_equals_read_npy() {
    use nnph_network::npy::read_npy_header;
    let values: Vec<Vec<u8>> = vec![
        [1.5f64, -2.0, 0.25].iter().flat_map(|x| x.to_le_bytes()).collect(),
        [1.5f64, -2.0, 0.25].iter().flat_map(|x| x.to_be_bytes()).collect(),
        [1.5f32, -2.0, 0.25].iter().flat_map(|x| x.to_le_bytes()).collect(),
        [7i64, -9, 1 << 53].iter().flat_map(|x| x.to_le_bytes()).collect(),
        [7u64, 9, (1 << 53) + 1].iter().flat_map(|x| x.to_be_bytes()).collect(),
        vec![0, 1, 7],
    ];
    for (descr, data) in ["<f8", ">f8", "<f4", "<i8", ">u8", "|b1"].iter().zip(values) {
        let dict = format!("{{'descr': '{descr}', 'fortran_order': False, 'shape': (3,), }}");
        let bytes = raw_npy(1, &dict, &data);
        let mut reader = Cursor::new(&bytes);
        let header = read_npy_header(&mut reader, bytes.len() as u64).unwrap();
        assert_eq!(header.shape, vec![3]);
        assert_eq!(header.descr, *descr);
        assert_eq!(header.data_offset, reader.position(), "{descr}: the reader is at the data");
        header.check_data_len(bytes.len() as u64 - header.data_offset).unwrap();
        assert!(header.check_data_len(1).is_err());
        let whole = read_npy(&bytes).unwrap().to_f64_vec();
        // Element by element (each with its flat index), as a streaming reader decodes chunks.
        let mut out = Vec::new();
        let mut streamed = Ok(());
        for (k, item) in data.chunks(header.item_size()).enumerate() {
            streamed = streamed.and_then(|()| header.decode_f64(item, k, &mut out));
        }
        match (whole, streamed) {
            (Ok(w), Ok(())) => assert_eq!(w, out, "{descr}"),
            (Err(w), Err(s)) => assert_eq!(w.to_string(), s.to_string(), "{descr}"),
            (w, s) => panic!("{descr}: whole {w:?}, streamed {s:?}"),
        }
    }
    // The header's length is checked against the stated file length before it is read.
    let bytes = raw_npy(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }", &[0; 8]);
    let err = read_npy_header(&mut Cursor::new(&bytes), 20).unwrap_err();
    assert!(err.to_string().contains("header claims"), "{err}");
    assert_eq!(
        read_npy_header(&mut Cursor::new(&bytes[..5]), 5).unwrap_err().to_string(),
        read_npy(&bytes[..5]).unwrap_err().to_string()
    );
}
