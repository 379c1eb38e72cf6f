//! The IDX format of the MNIST distribution, plain or gzip-compressed.
//!
//! An IDX file is a 4-byte magic number (two zero bytes, a type code, the
//! number of dimensions), one big-endian `u32` per dimension, and the data in
//! C order. Only the unsigned-byte type (code `0x08`) is supported: it is what
//! MNIST and Fashion-MNIST use for images (`[count, 28, 28]`) and labels
//! (`[count]`).
//!
//! The reader is safe on hostile input: the size the header claims is
//! checked against [`MAX_IDX_BYTES`] before anything is read, nothing is
//! allocated up front beyond a small buffer, and the data must end exactly
//! where the header says (a gzip stream that inflates further is refused
//! after one extra byte).

use std::io::{Read, Write};
use std::path::Path;

use crate::error::{Error, ErrorKind};

/// The largest data size (in bytes, after decompression) [`read_idx`] accepts:
/// 1 GiB, fourteen times all of Fashion-MNIST.
pub const MAX_IDX_BYTES: usize = 1 << 30;

/// The type code of unsigned bytes, the only one supported.
const TYPE_U8: u8 = 0x08;

/// The gzip magic number.
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// An IDX array of unsigned bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdxArray {
    /// The dimensions, as the header gives them.
    pub shape: Vec<usize>,
    /// The data in C order; `data.len()` is the product of `shape`.
    pub data: Vec<u8>,
}

/// Reads an uncompressed IDX array of unsigned bytes from `reader`, accepting
/// at most `limit` data bytes.
///
/// # Errors
///
/// [`ErrorKind::Idx`] for a bad magic number, an unsupported type or
/// dimension count, a claimed size above `limit` or beyond `usize`, data
/// shorter or longer than claimed; [`ErrorKind::Io`] for read errors other
/// than an early end.
pub fn read_idx<R: Read>(mut reader: R, limit: usize) -> Result<IdxArray, Error> {
    let mut magic = [0u8; 4];
    read_header(&mut reader, &mut magic, "the 4-byte magic number")?;
    if magic[0] != 0 || magic[1] != 0 {
        return Err(Error::idx(format!(
            "bad magic number {:02x}{:02x}{:02x}{:02x} (expected 0000 followed by type and rank)",
            magic[0], magic[1], magic[2], magic[3]
        )));
    }
    if magic[2] != TYPE_U8 {
        return Err(Error::idx(format!(
            "element type 0x{:02x} is not supported (only unsigned bytes, 0x08)",
            magic[2]
        )));
    }
    let rank = usize::from(magic[3]);
    if !(1..=4).contains(&rank) {
        return Err(Error::idx(format!("{rank} dimensions (1 to 4 supported)")));
    }
    let mut shape = Vec::with_capacity(rank);
    for i in 0..rank {
        let mut d = [0u8; 4];
        read_header(&mut reader, &mut d, "the dimensions")?;
        let d = usize::try_from(u32::from_be_bytes(d))
            .map_err(|_| Error::idx(format!("dimension {i} does not fit in usize")))?;
        shape.push(d);
    }
    let total = shape
        .iter()
        .try_fold(1usize, |acc, &d| acc.checked_mul(d))
        .filter(|&t| t <= limit)
        .ok_or_else(|| {
            Error::idx(format!("the header claims {shape:?} bytes, above the limit of {limit}"))
        })?;
    // Read at most one byte past the claimed size, growing the buffer as data
    // arrive: a header claiming far more than the stream holds costs nothing.
    let mut data = Vec::with_capacity(total.min(1 << 20));
    reader.take(total as u64 + 1).read_to_end(&mut data)?;
    if data.len() < total {
        return Err(Error::idx(format!(
            "the header claims {} bytes of data ({shape:?}) but only {} follow",
            total,
            data.len()
        )));
    }
    if data.len() > total {
        return Err(Error::idx(format!("more data than the header's {total} bytes ({shape:?})")));
    }
    Ok(IdxArray { shape, data })
}

fn read_header<R: Read>(reader: &mut R, buf: &mut [u8], what: &str) -> Result<(), Error> {
    reader.read_exact(buf).map_err(|e| {
        if e.kind() == std::io::ErrorKind::UnexpectedEof {
            Error::idx(format!("the file ends inside {what}"))
        } else {
            Error::new(ErrorKind::Io(e))
        }
    })
}

/// Reads an IDX array from bytes that are either a gzip stream (recognised
/// by its magic number) or a plain IDX file, accepting at most
/// [`MAX_IDX_BYTES`] data bytes.
///
/// # Errors
///
/// As [`read_idx`]; a corrupt gzip stream is [`ErrorKind::Idx`].
pub fn read_idx_bytes(bytes: &[u8]) -> Result<IdxArray, Error> {
    if bytes.starts_with(&GZIP_MAGIC) {
        let decoder = flate2::read::GzDecoder::new(bytes);
        read_idx(decoder, MAX_IDX_BYTES).map_err(|e| match e.kind() {
            // flate2 reports corrupt streams as InvalidInput / InvalidData.
            ErrorKind::Io(io) => Error::idx(format!("gzip: {io}")),
            _ => e,
        })
    } else {
        read_idx(bytes, MAX_IDX_BYTES)
    }
}

/// Reads an IDX file, gzip-compressed or not (see [`read_idx_bytes`]).
///
/// # Errors
///
/// As [`read_idx_bytes`]; every error carries `path`.
pub fn read_idx_path(path: &Path) -> Result<IdxArray, Error> {
    let bytes = std::fs::read(path).map_err(|e| Error::from(e).with_path(path))?;
    read_idx_bytes(&bytes).map_err(|e| e.with_path(path))
}

/// Writes an uncompressed IDX array of unsigned bytes.
///
/// # Errors
///
/// [`ErrorKind::InvalidOption`] when `shape` has no or more than 4
/// dimensions, a dimension above `u32::MAX`, or a product other than
/// `data.len()`; any error of the writer.
pub fn write_idx<W: Write>(mut writer: W, shape: &[usize], data: &[u8]) -> Result<(), Error> {
    if !(1..=4).contains(&shape.len()) {
        return Err(Error::option(
            "shape",
            format!("{} dimensions (1 to 4 supported)", shape.len()),
        ));
    }
    if shape.iter().try_fold(1usize, |acc, &d| acc.checked_mul(d)) != Some(data.len()) {
        return Err(Error::option(
            "shape",
            format!("{shape:?} does not hold {} bytes", data.len()),
        ));
    }
    writer.write_all(&[0, 0, TYPE_U8, shape.len() as u8])?;
    for &d in shape {
        let d = u32::try_from(d)
            .map_err(|_| Error::option("shape", format!("dimension {d} exceeds u32")))?;
        writer.write_all(&d.to_be_bytes())?;
    }
    writer.write_all(data)?;
    Ok(())
}

/// Writes a gzip-compressed IDX array (best compression).
///
/// # Errors
///
/// As [`write_idx`].
pub fn write_idx_gz<W: Write>(writer: W, shape: &[usize], data: &[u8]) -> Result<(), Error> {
    let mut encoder = flate2::write::GzEncoder::new(writer, flate2::Compression::best());
    write_idx(&mut encoder, shape, data)?;
    encoder.finish()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_plain_and_gzip() {
        let data: Vec<u8> = (0..24).collect();
        let mut plain = Vec::new();
        write_idx(&mut plain, &[2, 3, 4], &data).unwrap();
        assert_eq!(&plain[..4], &[0, 0, 8, 3]);
        let mut gz = Vec::new();
        write_idx_gz(&mut gz, &[2, 3, 4], &data).unwrap();
        for bytes in [&plain, &gz] {
            let a = read_idx_bytes(bytes).unwrap();
            assert_eq!(a.shape, vec![2, 3, 4]);
            assert_eq!(a.data, data);
        }
    }

    #[test]
    fn hostile_headers_are_errors() {
        // Claims 2^32-1 × 2^32-1 bytes with none present.
        let bytes = [0, 0, 8, 2, 255, 255, 255, 255, 255, 255, 255, 255];
        assert!(matches!(read_idx_bytes(&bytes).unwrap_err().kind(), ErrorKind::Idx { .. }));
        // Claims 10 bytes, has 3.
        let bytes = [0, 0, 8, 1, 0, 0, 0, 10, 1, 2, 3];
        let e = read_idx_bytes(&bytes).unwrap_err();
        assert!(e.to_string().contains("only 3 follow"), "{e}");
        // One byte too many.
        let bytes = [0, 0, 8, 1, 0, 0, 0, 1, 1, 2];
        assert!(read_idx_bytes(&bytes).is_err());
        // Bad magic, other type, rank 0, truncated header, corrupt gzip.
        for bytes in [
            &[1u8, 0, 8, 1, 0, 0, 0, 0][..],
            &[0, 0, 0x0d, 1, 0, 0, 0, 0],
            &[0, 0, 8, 0],
            &[0, 0, 8, 3, 0, 0],
            &[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3],
            &[],
        ] {
            assert!(matches!(read_idx_bytes(bytes).unwrap_err().kind(), ErrorKind::Idx { .. }));
        }
    }

    #[test]
    fn limit_is_enforced_before_reading() {
        let bytes = [0, 0, 8, 1, 0, 0, 1, 0];
        let e = read_idx(&bytes[..], 255).unwrap_err();
        assert!(e.to_string().contains("above the limit"), "{e}");
    }
}
