//! A small, defensive codec for NumPy's `.npy` and `.npz` formats.
//!
//! `.npy` is a magic string, a version, a header that is a Python dict
//! literal (`{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), }`)
//! and the raw array data.
//! `.npz` is a zip archive (stored or deflated) of `.npy` files, one per
//! array; the archive member `W0.npy` holds the array named `W0`.
//! The format is described at
//! <https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html>.
//!
//! Readers accept format versions 1.0, 2.0 and 3.0, the dtypes listed at
//! [`NpyData`] in either byte order, and Fortran-ordered arrays (which are
//! transposed to C order on reading).
//! They never panic and never allocate more than the input holds: the data
//! length implied by the header (shape × item size, with checked arithmetic)
//! must equal the number of bytes present, and zip members are read through a
//! hard cap of their declared size and of [`MAX_NPZ_BYTES`].
//!
//! Writers produce version 1.0 files (2.0 if the header needs it) in C order,
//! little-endian, which NumPy reads with `numpy.load`.

use std::io::{self, Read, Seek, Write};

use crate::error::{Error, ErrorKind};

/// The magic string that starts every `.npy` file.
const MAGIC: &[u8; 6] = b"\x93NUMPY";

/// The largest `.npy` header accepted, in bytes.
const MAX_HEADER_LEN: usize = 1 << 20;

/// The deepest nesting of brackets accepted in a header.
const MAX_HEADER_DEPTH: usize = 8;

/// The largest total uncompressed size of an `.npz` archive accepted by
/// [`read_npz`], in bytes (4 GiB).
pub const MAX_NPZ_BYTES: u64 = 4 << 30;

/// The elements of an array, in C (row-major) order.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum NpyData {
    /// `f4`, 32-bit floating point.
    F32(Vec<f32>),
    /// `f8`, 64-bit floating point.
    F64(Vec<f64>),
    /// `i1`, signed byte.
    I8(Vec<i8>),
    /// `u1`, unsigned byte.
    U8(Vec<u8>),
    /// `i2`, 16-bit signed integer.
    I16(Vec<i16>),
    /// `u2`, 16-bit unsigned integer.
    U16(Vec<u16>),
    /// `i4`, 32-bit signed integer.
    I32(Vec<i32>),
    /// `u4`, 32-bit unsigned integer.
    U32(Vec<u32>),
    /// `i8`, 64-bit signed integer.
    I64(Vec<i64>),
    /// `u8`, 64-bit unsigned integer.
    U64(Vec<u64>),
    /// `b1`, boolean (any non-zero byte is `true`).
    Bool(Vec<bool>),
}

impl NpyData {
    /// The number of elements.
    pub fn len(&self) -> usize {
        match self {
            NpyData::F32(v) => v.len(),
            NpyData::F64(v) => v.len(),
            NpyData::I8(v) => v.len(),
            NpyData::U8(v) => v.len(),
            NpyData::I16(v) => v.len(),
            NpyData::U16(v) => v.len(),
            NpyData::I32(v) => v.len(),
            NpyData::U32(v) => v.len(),
            NpyData::I64(v) => v.len(),
            NpyData::U64(v) => v.len(),
            NpyData::Bool(v) => v.len(),
        }
    }

    /// Whether there are no elements.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The NumPy type code without byte order: `"f4"`, `"i8"`, `"b1"`, ...
    pub fn type_code(&self) -> &'static str {
        match self {
            NpyData::F32(_) => "f4",
            NpyData::F64(_) => "f8",
            NpyData::I8(_) => "i1",
            NpyData::U8(_) => "u1",
            NpyData::I16(_) => "i2",
            NpyData::U16(_) => "u2",
            NpyData::I32(_) => "i4",
            NpyData::U32(_) => "u4",
            NpyData::I64(_) => "i8",
            NpyData::U64(_) => "u8",
            NpyData::Bool(_) => "b1",
        }
    }
}

/// An n-dimensional array read from an `.npy` file.
#[derive(Clone, Debug, PartialEq)]
pub struct NpyArray {
    /// The shape; empty for a 0-d (scalar) array.
    pub shape: Vec<usize>,
    /// Whether the file stored the data in Fortran (column-major) order.
    /// [`data`](Self::data) is in C order either way.
    pub fortran_order: bool,
    /// The elements, in C (row-major) order.
    pub data: NpyData,
}

/// Largest integer magnitude that `f64` represents exactly (2^53).
const F64_EXACT: u64 = 1 << 53;
/// Largest integer magnitude that `f32` represents exactly (2^24).
const F32_EXACT: u64 = 1 << 24;

impl NpyArray {
    /// The number of elements.
    pub fn len(&self) -> usize {
        self.data.len()
    }

    /// Whether the array has no elements.
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// The elements as `f64`, in C order.
    ///
    /// Floating-point values and integers up to 2^53 in magnitude convert
    /// exactly; booleans become 0 and 1.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::OutOfRange`] for an integer beyond 2^53 in magnitude,
    /// which `f64` cannot represent exactly.
    pub fn to_f64_vec(&self) -> Result<Vec<f64>, Error> {
        fn ints<T: Copy>(v: &[T], mag: impl Fn(T) -> (u64, f64)) -> Result<Vec<f64>, Error> {
            v.iter()
                .enumerate()
                .map(|(index, &x)| {
                    let (m, value) = mag(x);
                    if m > F64_EXACT { Err(out_of_range(index, value)) } else { Ok(value) }
                })
                .collect()
        }
        Ok(match &self.data {
            NpyData::F32(v) => v.iter().map(|&x| f64::from(x)).collect(),
            NpyData::F64(v) => v.clone(),
            NpyData::I8(v) => v.iter().map(|&x| f64::from(x)).collect(),
            NpyData::U8(v) => v.iter().map(|&x| f64::from(x)).collect(),
            NpyData::I16(v) => v.iter().map(|&x| f64::from(x)).collect(),
            NpyData::U16(v) => v.iter().map(|&x| f64::from(x)).collect(),
            NpyData::I32(v) => v.iter().map(|&x| f64::from(x)).collect(),
            NpyData::U32(v) => v.iter().map(|&x| f64::from(x)).collect(),
            NpyData::I64(v) => ints(v, |x| (x.unsigned_abs(), x as f64))?,
            NpyData::U64(v) => ints(v, |x| (x, x as f64))?,
            NpyData::Bool(v) => v.iter().map(|&x| f64::from(u8::from(x))).collect(),
        })
    }

    /// The elements as `f32`, in C order.
    ///
    /// `f32` values are copied; `f64` values are rounded to the nearest `f32`
    /// (NaN and ±inf stay NaN and ±inf); integers up to 2^24 in magnitude
    /// convert exactly; booleans become 0 and 1.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::OutOfRange`] for a finite `f64` beyond the `f32` range
    /// (it would become infinite) and for an integer beyond 2^24 in magnitude.
    pub fn to_f32_vec(&self) -> Result<Vec<f32>, Error> {
        fn ints<T: Copy>(v: &[T], mag: impl Fn(T) -> (u64, f64)) -> Result<Vec<f32>, Error> {
            v.iter()
                .enumerate()
                .map(|(index, &x)| {
                    let (m, value) = mag(x);
                    if m > F32_EXACT { Err(out_of_range(index, value)) } else { Ok(value as f32) }
                })
                .collect()
        }
        Ok(match &self.data {
            NpyData::F32(v) => v.clone(),
            NpyData::F64(v) => f64_to_f32(v)?,
            NpyData::I8(v) => v.iter().map(|&x| f32::from(x)).collect(),
            NpyData::U8(v) => v.iter().map(|&x| f32::from(x)).collect(),
            NpyData::I16(v) => v.iter().map(|&x| f32::from(x)).collect(),
            NpyData::U16(v) => v.iter().map(|&x| f32::from(x)).collect(),
            NpyData::I32(v) => ints(v, |x| (u64::from(x.unsigned_abs()), f64::from(x)))?,
            NpyData::U32(v) => ints(v, |x| (u64::from(x), f64::from(x)))?,
            NpyData::I64(v) => ints(v, |x| (x.unsigned_abs(), x as f64))?,
            NpyData::U64(v) => ints(v, |x| (x, x as f64))?,
            NpyData::Bool(v) => v.iter().map(|&x| f32::from(u8::from(x))).collect(),
        })
    }
}

/// Rounds `f64` values to `f32`, refusing finite values that would overflow.
pub(crate) fn f64_to_f32(v: &[f64]) -> Result<Vec<f32>, Error> {
    v.iter()
        .enumerate()
        .map(|(index, &x)| {
            let y = x as f32;
            if y.is_infinite() && x.is_finite() { Err(out_of_range(index, x)) } else { Ok(y) }
        })
        .collect()
}

fn out_of_range(index: usize, value: f64) -> Error {
    Error::new(ErrorKind::OutOfRange { tensor: String::new(), index, value })
}

// ---------------------------------------------------------------------------
// Reading
// ---------------------------------------------------------------------------

/// Element type and byte order parsed from a `descr` string.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    F32,
    F64,
    I8,
    U8,
    I16,
    U16,
    I32,
    U32,
    I64,
    U64,
    Bool,
}

impl Kind {
    fn item_size(self) -> usize {
        match self {
            Kind::I8 | Kind::U8 | Kind::Bool => 1,
            Kind::I16 | Kind::U16 => 2,
            Kind::F32 | Kind::I32 | Kind::U32 => 4,
            Kind::F64 | Kind::I64 | Kind::U64 => 8,
        }
    }
}

const SUPPORTED_DTYPES: &str = "f4, f8, i1, u1, i2, u2, i4, u4, i8, u8, b1, little- or big-endian";

/// Parses `'<f4'` and friends into a kind and a big-endian flag.
fn parse_descr(descr: &str) -> Result<(Kind, bool), Error> {
    let unsupported = || {
        Error::new(ErrorKind::UnsupportedDtype {
            tensor: String::new(),
            dtype: descr.to_owned(),
            supported: SUPPORTED_DTYPES,
        })
    };
    let mut chars = descr.chars();
    let order = chars.next().ok_or_else(unsupported)?;
    let code = chars.as_str();
    let kind = match code {
        "f4" => Kind::F32,
        "f8" => Kind::F64,
        "i1" => Kind::I8,
        "u1" => Kind::U8,
        "i2" => Kind::I16,
        "u2" => Kind::U16,
        "i4" => Kind::I32,
        "u4" => Kind::U32,
        "i8" => Kind::I64,
        "u8" => Kind::U64,
        "b1" => Kind::Bool,
        _ => return Err(unsupported()),
    };
    let big_endian = match order {
        '<' => false,
        '>' => true,
        // NumPy writes '|' ("not applicable") for one-byte types only.
        '|' if kind.item_size() == 1 => false,
        _ => return Err(unsupported()),
    };
    Ok((kind, big_endian))
}

/// Reads one `.npy` file from memory.
///
/// # Errors
///
/// [`ErrorKind::Npy`] for a bad magic string, version or header, or a data
/// length that differs from shape × item size;
/// [`ErrorKind::UnsupportedDtype`] for a dtype not listed at [`NpyData`]
/// (structured and object arrays included).
///
/// # Examples
///
/// ```
/// use nnph_network::npy::{read_npy, write_npy_f32, NpyData};
///
/// let mut bytes = Vec::new();
/// write_npy_f32(&mut bytes, &[2, 2], &[1.0, 2.0, 3.0, 4.0])?;
/// let array = read_npy(&bytes)?;
/// assert_eq!(array.shape, vec![2, 2]);
/// assert_eq!(array.data, NpyData::F32(vec![1.0, 2.0, 3.0, 4.0]));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn read_npy(bytes: &[u8]) -> Result<NpyArray, Error> {
    let header = read_npy_header(&mut &bytes[..], bytes.len() as u64)?;
    // The header reader consumed at most `bytes.len()` bytes.
    let data = bytes.get(header.data_offset as usize..).unwrap_or_default();
    header.check_data_len(data.len() as u64)?;
    let mut values = decode(header.kind, header.big_endian, data);
    if header.fortran_order && header.shape.len() > 1 {
        values = values.fortran_to_c(&header.shape);
    }
    Ok(NpyArray { shape: header.shape, fortran_order: header.fortran_order, data: values })
}

/// The header of an `.npy` file: what [`read_npy_header`] learns before the
/// data, for readers that stream the data instead of holding it.
#[derive(Clone, Debug, PartialEq)]
pub struct NpyHeader {
    /// The shape; empty for a 0-d (scalar) array.
    pub shape: Vec<usize>,
    /// Whether the data are stored in Fortran (column-major) order.
    pub fortran_order: bool,
    /// The dtype as the file spells it (`"<f8"`, `"|u1"`, ...).
    pub descr: String,
    /// Where the data start: the length of the magic string, version and header.
    pub data_offset: u64,
    kind: Kind,
    big_endian: bool,
}

impl NpyHeader {
    /// The size of one element in bytes.
    pub fn item_size(&self) -> usize {
        self.kind.item_size()
    }

    /// The number of elements (the product of the shape).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Npy`] if the product overflows.
    pub fn element_count(&self) -> Result<usize, Error> {
        self.shape
            .iter()
            .try_fold(1usize, |acc, &d| acc.checked_mul(d))
            .ok_or_else(|| Error::npy(format!("shape {:?} overflows", self.shape)))
    }

    /// The number of data bytes the shape and dtype need.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Npy`] if it overflows.
    pub fn data_len(&self) -> Result<u64, Error> {
        self.element_count()?
            .checked_mul(self.item_size())
            .map(|n| n as u64)
            .ok_or_else(|| Error::npy(format!("shape {:?} overflows", self.shape)))
    }

    /// Checks that `present` data bytes are exactly what the shape and dtype need.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Npy`] if the size overflows or differs, with the same
    /// message as [`read_npy`].
    pub fn check_data_len(&self, present: u64) -> Result<(), Error> {
        let needed = self.data_len()?;
        if needed != present {
            return Err(Error::npy(format!(
                "shape {:?} of dtype {:?} needs {needed} data bytes but {present} are present",
                self.shape, self.descr
            )));
        }
        Ok(())
    }

    /// Converts raw data bytes (whole elements, in file order) to `f64`,
    /// appending to `out`, exactly as [`NpyArray::to_f64_vec`] converts them;
    /// `first_index` is the index of the first element in the whole array,
    /// for error messages. A trailing partial element is ignored.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::OutOfRange`] for an integer beyond 2^53 in magnitude.
    pub fn decode_f64(
        &self,
        bytes: &[u8],
        first_index: usize,
        out: &mut Vec<f64>,
    ) -> Result<(), Error> {
        macro_rules! convert {
            ($t:ty, $n:literal, $f:expr) => {{
                let f = $f;
                for (k, c) in bytes.chunks_exact($n).enumerate() {
                    let mut b = [0u8; $n];
                    b.copy_from_slice(c);
                    let x = if self.big_endian {
                        <$t>::from_be_bytes(b)
                    } else {
                        <$t>::from_le_bytes(b)
                    };
                    out.push(f(first_index.saturating_add(k), x)?);
                }
            }};
        }
        let exact = |index: usize, m: u64, value: f64| {
            if m > F64_EXACT { Err(out_of_range(index, value)) } else { Ok(value) }
        };
        out.reserve(bytes.len() / self.item_size());
        match self.kind {
            Kind::F64 if !self.big_endian => out.extend(
                bytes.chunks_exact(8).map(|c| f64::from_le_bytes(c.try_into().unwrap_or([0; 8]))),
            ),
            Kind::F64 => convert!(f64, 8, |_, x| Ok::<f64, Error>(x)),
            Kind::F32 => convert!(f32, 4, |_, x| Ok::<f64, Error>(f64::from(x))),
            Kind::I8 => convert!(i8, 1, |_, x| Ok::<f64, Error>(f64::from(x))),
            Kind::U8 => convert!(u8, 1, |_, x| Ok::<f64, Error>(f64::from(x))),
            Kind::I16 => convert!(i16, 2, |_, x| Ok::<f64, Error>(f64::from(x))),
            Kind::U16 => convert!(u16, 2, |_, x| Ok::<f64, Error>(f64::from(x))),
            Kind::I32 => convert!(i32, 4, |_, x| Ok::<f64, Error>(f64::from(x))),
            Kind::U32 => convert!(u32, 4, |_, x| Ok::<f64, Error>(f64::from(x))),
            Kind::I64 => convert!(i64, 8, |i, x: i64| exact(i, x.unsigned_abs(), x as f64)),
            Kind::U64 => convert!(u64, 8, |i, x: u64| exact(i, x, x as f64)),
            Kind::Bool => out.extend(bytes.iter().map(|&b| f64::from(u8::from(b != 0)))),
        }
        Ok(())
    }
}

/// Reads the magic string, version and header of an `.npy` file of
/// `total_len` bytes from `reader` (positioned at its start), leaving the
/// reader at the first data byte ([`NpyHeader::data_offset`]).
///
/// Reads (and allocates) at most the header's declared length, after checking
/// it against the 1 MiB accepted and against `total_len`; the data length is
/// not checked here ([`NpyHeader::check_data_len`]).
///
/// # Errors
///
/// As [`read_npy`], with the same messages, except the data length; a failed
/// read gives [`ErrorKind::Io`].
pub fn read_npy_header<R: Read>(reader: &mut R, total_len: u64) -> Result<NpyHeader, Error> {
    // Reads exactly `buf.len()` bytes if the file has them, else `what`.
    let mut pos = 0u64;
    let mut take = |buf: &mut [u8], what: &str| -> Result<(), Error> {
        if total_len.saturating_sub(pos) < buf.len() as u64 {
            return Err(Error::npy(what));
        }
        reader.read_exact(buf).map_err(|e| Error::new(ErrorKind::Io(e)))?;
        pos += buf.len() as u64;
        Ok(())
    };
    let mut magic = [0u8; 6];
    take(&mut magic, "does not start with the .npy magic string \\x93NUMPY")?;
    if &magic != MAGIC {
        return Err(Error::npy("does not start with the .npy magic string \\x93NUMPY"));
    }
    let mut version = [0u8; 1];
    take(&mut version, "truncated version")?;
    let major = version[0];
    take(&mut version, "truncated version")?;
    let header_len = match major {
        1 => {
            let mut len = [0u8; 2];
            take(&mut len, "truncated header")?;
            usize::from(u16::from_le_bytes(len))
        }
        2 | 3 => {
            let mut len = [0u8; 4];
            take(&mut len, "truncated header")?;
            usize::try_from(u32::from_le_bytes(len)).unwrap_or(usize::MAX)
        }
        _ => return Err(Error::npy(format!("unsupported format version {major}"))),
    };
    if header_len > MAX_HEADER_LEN {
        return Err(Error::npy(format!(
            "header of {header_len} bytes is longer than the {MAX_HEADER_LEN} accepted"
        )));
    }
    let prefix = if major == 1 { 10 } else { 12 };
    let follow = total_len.saturating_sub(prefix);
    if header_len as u64 > follow {
        return Err(Error::npy(format!(
            "header claims {header_len} bytes but only {follow} follow"
        )));
    }
    let mut text = vec![0u8; header_len];
    reader.read_exact(&mut text).map_err(|e| Error::new(ErrorKind::Io(e)))?;
    let header = parse_header(&text)?;
    let (kind, big_endian) = parse_descr(&header.descr)?;
    Ok(NpyHeader {
        shape: header.shape,
        fortran_order: header.fortran_order,
        descr: header.descr,
        data_offset: prefix + header_len as u64,
        kind,
        big_endian,
    })
}

/// The length of the magic string, version and header of an `.npy` file that
/// starts with `head`, if `head` holds at least its first 12 bytes and they
/// are well formed.
fn npy_header_end(head: &[u8]) -> Option<u64> {
    let rest = head.strip_prefix(MAGIC.as_slice())?;
    match rest.first()? {
        1 => Some(10 + u64::from(u16::from_le_bytes([*rest.get(2)?, *rest.get(3)?]))),
        2 | 3 => {
            let len =
                u32::from_le_bytes([*rest.get(2)?, *rest.get(3)?, *rest.get(4)?, *rest.get(5)?]);
            (len as usize <= MAX_HEADER_LEN).then_some(12 + u64::from(len))
        }
        _ => None,
    }
}

/// The total length (header and data) of a well-formed `.npy` file whose
/// header is complete in `head`, or `None` if the header is malformed (the
/// full reader then reports why).
fn npy_total_len(head: &[u8]) -> Option<u64> {
    let end = usize::try_from(npy_header_end(head)?).ok()?;
    let start = if head.get(6) == Some(&1) { 10 } else { 12 };
    let header = parse_header(head.get(start..end)?).ok()?;
    let (kind, _) = parse_descr(&header.descr).ok()?;
    let count = header.shape.iter().try_fold(1u64, |acc, &d| acc.checked_mul(d as u64))?;
    count.checked_mul(kind.item_size() as u64)?.checked_add(end as u64)
}

/// Decodes raw bytes whose length is a multiple of the item size.
fn decode(kind: Kind, big_endian: bool, data: &[u8]) -> NpyData {
    macro_rules! numbers {
        ($variant:ident, $t:ty, $n:literal) => {
            NpyData::$variant(
                data.chunks_exact($n)
                    .map(|c| {
                        let mut b = [0u8; $n];
                        b.copy_from_slice(c);
                        if big_endian { <$t>::from_be_bytes(b) } else { <$t>::from_le_bytes(b) }
                    })
                    .collect(),
            )
        };
    }
    match kind {
        Kind::F32 => numbers!(F32, f32, 4),
        Kind::F64 => numbers!(F64, f64, 8),
        Kind::I8 => numbers!(I8, i8, 1),
        Kind::U8 => NpyData::U8(data.to_vec()),
        Kind::I16 => numbers!(I16, i16, 2),
        Kind::U16 => numbers!(U16, u16, 2),
        Kind::I32 => numbers!(I32, i32, 4),
        Kind::U32 => numbers!(U32, u32, 4),
        Kind::I64 => numbers!(I64, i64, 8),
        Kind::U64 => numbers!(U64, u64, 8),
        Kind::Bool => NpyData::Bool(data.iter().map(|&b| b != 0).collect()),
    }
}

impl NpyData {
    /// Reorders elements stored in Fortran order (for `shape`) into C order.
    /// The caller guarantees that the product of `shape` is `self.len()`.
    fn fortran_to_c(self, shape: &[usize]) -> NpyData {
        fn permute<T: Copy>(v: Vec<T>, shape: &[usize]) -> Vec<T> {
            let n = v.len();
            if n == 0 {
                return v;
            }
            // Fortran strides: stride[k] = shape[0] * ... * shape[k - 1].
            let mut strides = Vec::with_capacity(shape.len());
            let mut s = 1usize;
            for &d in shape {
                strides.push(s);
                s = s.saturating_mul(d);
            }
            let mut index = vec![0usize; shape.len()];
            let mut out = Vec::with_capacity(n);
            let mut offset = 0usize;
            for _ in 0..n {
                // The offset is always < n, so `get` never fails here.
                if let Some(&x) = v.get(offset) {
                    out.push(x);
                }
                // Advance the C-order multi-index (last axis fastest).
                for axis in (0..shape.len()).rev() {
                    index[axis] += 1;
                    offset += strides[axis];
                    if index[axis] < shape[axis] {
                        break;
                    }
                    offset -= strides[axis] * index[axis];
                    index[axis] = 0;
                }
            }
            out
        }
        match self {
            NpyData::F32(v) => NpyData::F32(permute(v, shape)),
            NpyData::F64(v) => NpyData::F64(permute(v, shape)),
            NpyData::I8(v) => NpyData::I8(permute(v, shape)),
            NpyData::U8(v) => NpyData::U8(permute(v, shape)),
            NpyData::I16(v) => NpyData::I16(permute(v, shape)),
            NpyData::U16(v) => NpyData::U16(permute(v, shape)),
            NpyData::I32(v) => NpyData::I32(permute(v, shape)),
            NpyData::U32(v) => NpyData::U32(permute(v, shape)),
            NpyData::I64(v) => NpyData::I64(permute(v, shape)),
            NpyData::U64(v) => NpyData::U64(permute(v, shape)),
            NpyData::Bool(v) => NpyData::Bool(permute(v, shape)),
        }
    }
}

/// The three entries of an `.npy` header.
struct Header {
    descr: String,
    fortran_order: bool,
    shape: Vec<usize>,
}

/// A value of the Python literal subset that `.npy` headers use.
#[derive(Debug)]
enum PyValue {
    Str(String),
    Int(u64),
    Bool(bool),
    None,
    Tuple(Vec<PyValue>),
    Dict(Vec<(String, PyValue)>),
}

fn parse_header(text: &[u8]) -> Result<Header, Error> {
    let mut p = Parser { text, pos: 0 };
    let value = p.value(0)?;
    p.skip_ws();
    if p.pos != text.len() {
        return Err(Error::npy(format!("unexpected text after the header dict at byte {}", p.pos)));
    }
    let PyValue::Dict(entries) = value else {
        return Err(Error::npy("header is not a dict"));
    };
    let (mut descr, mut fortran_order, mut shape) = (None, None, None);
    for (key, value) in entries {
        let slot_taken = match key.as_str() {
            "descr" => match value {
                PyValue::Str(s) => descr.replace(s).is_some(),
                other => {
                    return Err(Error::new(ErrorKind::UnsupportedDtype {
                        tensor: String::new(),
                        dtype: format!("{other:?}"),
                        supported: SUPPORTED_DTYPES,
                    }));
                }
            },
            "fortran_order" => match value {
                PyValue::Bool(b) => fortran_order.replace(b).is_some(),
                _ => return Err(Error::npy("'fortran_order' is not True or False")),
            },
            "shape" => match value {
                PyValue::Tuple(dims) => {
                    let dims = dims
                        .into_iter()
                        .map(|d| match d {
                            PyValue::Int(n) => usize::try_from(n)
                                .map_err(|_| Error::npy(format!("dimension {n} is too large"))),
                            _ => Err(Error::npy("'shape' holds a non-integer")),
                        })
                        .collect::<Result<Vec<usize>, Error>>()?;
                    shape.replace(dims).is_some()
                }
                _ => return Err(Error::npy("'shape' is not a tuple")),
            },
            other => return Err(Error::npy(format!("unexpected header key {other:?}"))),
        };
        if slot_taken {
            return Err(Error::npy(format!("header key {key:?} appears twice")));
        }
    }
    match (descr, fortran_order, shape) {
        (Some(descr), Some(fortran_order), Some(shape)) => {
            Ok(Header { descr, fortran_order, shape })
        }
        _ => Err(Error::npy("header lacks one of 'descr', 'fortran_order', 'shape'")),
    }
}

/// A recursive-descent parser over the header bytes, depth-limited.
struct Parser<'a> {
    text: &'a [u8],
    pos: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.text.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    fn error(&self, what: &str) -> Error {
        Error::npy(format!("header: {what} at byte {}", self.pos))
    }

    fn value(&mut self, depth: usize) -> Result<PyValue, Error> {
        if depth > MAX_HEADER_DEPTH {
            return Err(self.error("nesting too deep"));
        }
        self.skip_ws();
        match self.peek() {
            Some(b'{') => {
                self.pos += 1;
                let mut entries = Vec::new();
                loop {
                    self.skip_ws();
                    if self.peek() == Some(b'}') {
                        self.pos += 1;
                        return Ok(PyValue::Dict(entries));
                    }
                    let PyValue::Str(key) = self.value(depth + 1)? else {
                        return Err(self.error("dict key is not a string"));
                    };
                    self.skip_ws();
                    if self.peek() != Some(b':') {
                        return Err(self.error("expected ':'"));
                    }
                    self.pos += 1;
                    let value = self.value(depth + 1)?;
                    entries.push((key, value));
                    if !self.separator(b'}')? {
                        self.pos += 1;
                        return Ok(PyValue::Dict(entries));
                    }
                }
            }
            Some(open @ (b'(' | b'[')) => {
                let close = if open == b'(' { b')' } else { b']' };
                self.pos += 1;
                let mut items = Vec::new();
                loop {
                    self.skip_ws();
                    if self.peek() == Some(close) {
                        self.pos += 1;
                        return Ok(PyValue::Tuple(items));
                    }
                    items.push(self.value(depth + 1)?);
                    if !self.separator(close)? {
                        self.pos += 1;
                        return Ok(PyValue::Tuple(items));
                    }
                }
            }
            Some(quote @ (b'\'' | b'"')) => {
                self.pos += 1;
                let start = self.pos;
                loop {
                    match self.peek() {
                        None => return Err(self.error("unterminated string")),
                        Some(b'\\') => return Err(self.error("escape sequences are not supported")),
                        Some(c) if c == quote => break,
                        Some(_) => self.pos += 1,
                    }
                }
                let s = self.text.get(start..self.pos).unwrap_or_default();
                self.pos += 1;
                Ok(PyValue::Str(String::from_utf8_lossy(s).into_owned()))
            }
            Some(b'0'..=b'9') => {
                let mut n: u64 = 0;
                while let Some(c @ b'0'..=b'9') = self.peek() {
                    n = n
                        .checked_mul(10)
                        .and_then(|n| n.checked_add(u64::from(c - b'0')))
                        .ok_or_else(|| self.error("integer too large"))?;
                    self.pos += 1;
                }
                // Python 2 wrote long integers with an `L` suffix.
                if self.peek() == Some(b'L') {
                    self.pos += 1;
                }
                Ok(PyValue::Int(n))
            }
            Some(b'A'..=b'Z' | b'a'..=b'z') => {
                let start = self.pos;
                while matches!(self.peek(), Some(b'A'..=b'Z' | b'a'..=b'z' | b'_')) {
                    self.pos += 1;
                }
                match self.text.get(start..self.pos).unwrap_or_default() {
                    b"True" => Ok(PyValue::Bool(true)),
                    b"False" => Ok(PyValue::Bool(false)),
                    b"None" => Ok(PyValue::None),
                    _ => Err(self.error("unknown name")),
                }
            }
            Some(_) => Err(self.error("unexpected character")),
            None => Err(self.error("unexpected end")),
        }
    }

    /// After an item: consumes a ',' and returns `true` (more items may
    /// follow), or sees `close` without consuming it and returns `false`.
    fn separator(&mut self, close: u8) -> Result<bool, Error> {
        self.skip_ws();
        match self.peek() {
            Some(b',') => {
                self.pos += 1;
                Ok(true)
            }
            Some(c) if c == close => Ok(false),
            _ => Err(self.error("expected ',' or a closing bracket")),
        }
    }
}

/// Reads every array of an `.npz` archive, in archive order.
///
/// Member names lose a trailing `.npy`, so `W0.npy` becomes `W0`.
/// Members may be stored or deflated.
///
/// # Errors
///
/// [`ErrorKind::Container`] for a malformed, encrypted or inconsistent zip
/// archive (including a member whose data is longer or shorter than its
/// declared size); [`ErrorKind::TooLarge`] when the declared sizes add up to
/// more than [`MAX_NPZ_BYTES`]; the errors of [`read_npy`] for each member,
/// with the member's name filled in.
pub fn read_npz<R: Read + Seek>(reader: R) -> Result<Vec<(String, NpyArray)>, Error> {
    let zip_err = |e: zip::result::ZipError| Error::container("npz", e.to_string());
    let mut archive = zip::ZipArchive::new(reader).map_err(zip_err)?;
    let mut out = Vec::new();
    let mut budget = MAX_NPZ_BYTES;
    for index in 0..archive.len() {
        let mut file = archive.by_index(index).map_err(zip_err)?;
        let raw_name = file.name().map_err(zip_err)?.into_owned();
        let name = raw_name.strip_suffix(".npy").unwrap_or(&raw_name).to_owned();
        if file.is_dir() {
            return Err(Error::container("npz", format!("member {raw_name:?} is a directory")));
        }
        let declared = file.size();
        if declared > budget {
            return Err(Error::too_large(format!(
                "npz member {raw_name:?} declares {declared} bytes; at most {MAX_NPZ_BYTES} \
                 bytes in total are read"
            )));
        }
        budget -= declared;
        // Read the .npy header first and then at most one byte more than the
        // header's shape needs and than the member declares, so that neither a
        // lying zip size nor a member that inflates far beyond its header is read
        // (or allocated for) in full.
        let io_err = |e: io::Error| Error::container("npz", format!("member {raw_name:?}: {e}"));
        let mut bytes = Vec::new();
        let mut limit = declared.saturating_add(1);
        (&mut file).take(limit.min(12)).read_to_end(&mut bytes).map_err(io_err)?;
        if let Some(header_end) = npy_header_end(&bytes) {
            let want = header_end.min(limit);
            (&mut file)
                .take(want.saturating_sub(bytes.len() as u64))
                .read_to_end(&mut bytes)
                .map_err(io_err)?;
            if let Some(total) = npy_total_len(&bytes) {
                limit = limit.min(total.saturating_add(1));
            }
        }
        let have = bytes.len() as u64;
        (&mut file).take(limit.saturating_sub(have)).read_to_end(&mut bytes).map_err(io_err)?;
        let got = bytes.len() as u64;
        if got > declared.min(limit.saturating_sub(1)) && got <= declared {
            return Err(Error::npy(format!(
                "the data is longer than its header's shape needs ({} bytes)",
                limit - 1
            ))
            .in_tensor(&name));
        }
        if got > declared {
            return Err(Error::container(
                "npz",
                format!("member {raw_name:?} holds more than its declared {declared} bytes"),
            ));
        }
        if got < declared {
            return Err(Error::container(
                "npz",
                format!("member {raw_name:?} declares {declared} bytes but holds only {got}"),
            ));
        }
        let array = read_npy(&bytes).map_err(|e| e.in_tensor(&name))?;
        out.push((name, array));
    }
    Ok(out)
}

// ---------------------------------------------------------------------------
// Writing
// ---------------------------------------------------------------------------

/// Writes a C-order, little-endian `f64` array as an `.npy` file.
///
/// # Errors
///
/// An [`io::ErrorKind::InvalidInput`] error when the product of `shape` is not
/// `data.len()`; any error of the writer.
pub fn write_npy_f64<W: Write>(writer: W, shape: &[usize], data: &[f64]) -> io::Result<()> {
    write_npy(writer, "<f8", shape, data.len(), data.iter().map(|x| x.to_le_bytes()))
}

/// Writes a C-order, little-endian `f32` array as an `.npy` file.
///
/// # Errors
///
/// An [`io::ErrorKind::InvalidInput`] error when the product of `shape` is not
/// `data.len()`; any error of the writer.
pub fn write_npy_f32<W: Write>(writer: W, shape: &[usize], data: &[f32]) -> io::Result<()> {
    write_npy(writer, "<f4", shape, data.len(), data.iter().map(|x| x.to_le_bytes()))
}

/// Writes a C-order, little-endian `i64` array as an `.npy` file.
///
/// # Errors
///
/// An [`io::ErrorKind::InvalidInput`] error when the product of `shape` is not
/// `data.len()`; any error of the writer.
pub fn write_npy_i64<W: Write>(writer: W, shape: &[usize], data: &[i64]) -> io::Result<()> {
    write_npy(writer, "<i8", shape, data.len(), data.iter().map(|x| x.to_le_bytes()))
}

fn write_npy<W: Write, const N: usize>(
    writer: W,
    descr: &str,
    shape: &[usize],
    len: usize,
    items: impl Iterator<Item = [u8; N]>,
) -> io::Result<()> {
    let count = shape.iter().try_fold(1usize, |acc, &d| acc.checked_mul(d));
    if count != Some(len) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("shape {shape:?} does not hold {len} elements"),
        ));
    }
    let dims = match shape {
        [] => "()".to_owned(),
        [d] => format!("({d},)"),
        _ => format!("({})", shape.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")),
    };
    let dict = format!("{{'descr': '{descr}', 'fortran_order': False, 'shape': {dims}, }}");
    // Pad with spaces so that magic + version + length + header is a multiple
    // of 64 bytes, ending in a newline, as NumPy does. Version 1.0 has a
    // 16-bit header length; longer headers need version 2.0.
    let padded = |prefix: usize| (prefix + dict.len() + 1).div_ceil(64) * 64;
    let mut header = Vec::new();
    header.extend_from_slice(MAGIC);
    let total = match u16::try_from(padded(10) - 10) {
        Ok(len) => {
            header.extend_from_slice(&[1, 0]);
            header.extend_from_slice(&len.to_le_bytes());
            padded(10)
        }
        Err(_) => {
            let len = u32::try_from(padded(12) - 12)
                .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "header too long"))?;
            header.extend_from_slice(&[2, 0]);
            header.extend_from_slice(&len.to_le_bytes());
            padded(12)
        }
    };
    header.extend_from_slice(dict.as_bytes());
    header.resize(total - 1, b' ');
    header.push(b'\n');
    let mut w = io::BufWriter::new(writer);
    w.write_all(&header)?;
    for item in items {
        w.write_all(&item)?;
    }
    w.flush()
}
