//! `legacyio._native`: batch kernels under legacyio's codecs.
//!
//! Every kernel works on a whole batch: the `(n, width)` uint8 column slice of the record
//! matrix (rows contiguous, any row stride) or an Arrow array's buffers, and returns
//! Arrow-ready buffers (values, validity bitmap, string offsets and data) as NumPy arrays the
//! Python glue (`legacyio.native`) wraps with `pyarrow.Array.from_buffers` without copying.
//! Kernels run without the GIL, check every length they are given, and turn a panic into
//! `KernelPanic` naming the kernel. The semantics are those of the NumPy codecs, which stay
//! the reference: `tests/native` runs both on the same random bytes and values.

use numpy::{IntoPyArray, PyArray1, PyReadonlyArray1, PyReadonlyArray2, PyReadwriteArray2};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyTuple;

mod batch;
mod binary;
mod common;
mod floats;
mod odo;
mod packed;
mod rdw;
mod swar;
mod text;
mod zoned;

use common::{run, value_err, KResult, Kind};

pub(crate) fn lut256(b: &[u8], what: &str) -> PyResult<[u8; 256]> {
    b.try_into()
        .map_err(|_| PyValueError::new_err(format!("{what}: a table of 256 bytes is needed")))
}

pub(crate) fn opt_pos(x: i64) -> Option<usize> {
    usize::try_from(x).ok()
}

fn bool_mask<'py>(py: Python<'py>, flags: Vec<bool>) -> Bound<'py, PyAny> {
    if flags.iter().any(|&f| f) {
        PyArray1::from_vec(py, flags).into_any()
    } else {
        py.None().into_bound(py)
    }
}

// ------------------------------------------------------------------------------------ zoned
#[pyfunction]
#[allow(clippy::too_many_arguments)]
fn zoned_decode<'py>(
    py: Python<'py>,
    mat: PyReadonlyArray2<'py, u8>,
    width: usize,
    body_lut: &[u8],
    sign_lut: &[u8],
    zone: u8,
    dig_start: usize,
    digits: usize,
    emb: i64,
    sep: i64,
    plus: u8,
    minus: u8,
    mult: u32,
    vouch: u8,
    kind: u8,
) -> PyResult<Bound<'py, PyTuple>> {
    let p = zoned::DecodeParams {
        body_lut: lut256(body_lut, "zoned_decode")?,
        sign_lut: lut256(sign_lut, "zoned_decode")?,
        zone,
        dig_start,
        digits,
        emb: opt_pos(emb),
        sep: opt_pos(sep),
        plus,
        minus,
        mult,
        vouch: match vouch {
            1 => zoned::Vouch::SeparateSigned,
            2 => zoned::Vouch::EmbeddedUnsigned,
            3 => zoned::Vouch::EmbeddedSigned,
            _ => zoned::Vouch::None,
        },
    };
    let view = mat.as_array();
    let res = run(py, "zoned_decode", || {
        zoned::decode(&view, width, p, Kind::from_code(kind)?)
    })?;
    res.into_py(py)
}

/// Unscaled values handed to an encoder: int64, or decimal128 as pairs of u64 words.
enum Unscaled<'a> {
    I64(&'a [i64]),
    Words(&'a [u64]),
}

impl Unscaled<'_> {
    fn len(&self) -> usize {
        match self {
            Unscaled::I64(v) => v.len(),
            Unscaled::Words(w) => w.len() / 2,
        }
    }
    #[inline(always)]
    fn get(&self, i: usize) -> i128 {
        match self {
            Unscaled::I64(v) => v[i] as i128,
            Unscaled::Words(w) => ((w[2 * i + 1] as u128) << 64 | w[2 * i] as u128) as i128,
        }
    }
}

/// Borrow the values array (1-D int64, or 1-D uint64 holding 2 words a value) and run `f`.
fn with_unscaled<'py, T>(
    values: &Bound<'py, PyAny>,
    f: impl FnOnce(Unscaled<'_>) -> PyResult<T>,
) -> PyResult<T> {
    if let Ok(a) = values.extract::<PyReadonlyArray1<'py, i64>>() {
        let s = a
            .as_slice()
            .map_err(|e| PyValueError::new_err(e.to_string()))?;
        return f(Unscaled::I64(s));
    }
    let a = values.extract::<PyReadonlyArray1<'py, u64>>()?;
    let s = a
        .as_slice()
        .map_err(|e| PyValueError::new_err(e.to_string()))?;
    if s.len() % 2 != 0 {
        return Err(PyValueError::new_err("decimal128 words must come in pairs"));
    }
    f(Unscaled::Words(s))
}

fn check_len(vals: &Unscaled<'_>, n: usize) -> KResult<()> {
    if vals.len() != n {
        return value_err(format!("{} values for {n} rows", vals.len()));
    }
    Ok(())
}

#[pyfunction]
#[allow(clippy::too_many_arguments)]
fn zoned_encode<'py>(
    py: Python<'py>,
    values: &Bound<'py, PyAny>,
    valid: Option<PyReadonlyArray1<'py, bool>>,
    mut out: PyReadwriteArray2<'py, u8>,
    width: usize,
    zone: u8,
    dig_start: usize,
    digits: usize,
    emb: i64,
    sep: i64,
    pos_out: &[u8],
    neg_out: &[u8],
    plus: u8,
    minus: u8,
    signed: bool,
    truncate: bool,
    fill: u8,
) -> PyResult<Bound<'py, PyAny>> {
    let table10 = |b: &[u8]| -> PyResult<[u8; 10]> {
        b.try_into()
            .map_err(|_| PyValueError::new_err("zoned_encode: sign tables have 10 bytes"))
    };
    let p = zoned::EncodeParams {
        zone,
        dig_start,
        digits,
        emb: opt_pos(emb),
        sep: opt_pos(sep),
        pos_out: table10(pos_out)?,
        neg_out: table10(neg_out)?,
        plus,
        minus,
        signed,
        truncate,
        fill,
    };
    let valid_s = match &valid {
        Some(v) => Some(
            v.as_slice()
                .map_err(|e| PyValueError::new_err(e.to_string()))?,
        ),
        None => None,
    };
    let mut view = out.as_array_mut();
    let failed = with_unscaled(values, |vals| {
        run(py, "zoned_encode", || {
            check_len(&vals, view.nrows())?;
            zoned::encode(&|i| vals.get(i), valid_s, &mut view, width, &p)
        })
    })?;
    Ok(bool_mask(py, failed))
}

// ----------------------------------------------------------------------------------- packed
#[pyfunction]
#[allow(clippy::too_many_arguments)]
fn packed_decode<'py>(
    py: Python<'py>,
    mat: PyReadonlyArray2<'py, u8>,
    width: usize,
    digits: usize,
    pad: usize,
    has_sign: bool,
    signed: bool,
    mult: u32,
    kind: u8,
) -> PyResult<Bound<'py, PyTuple>> {
    let p = packed::Params {
        digits,
        pad,
        has_sign,
        signed,
        mult,
    };
    let view = mat.as_array();
    let res = run(py, "packed_decode", || {
        packed::decode(&view, width, p, Kind::from_code(kind)?)
    })?;
    res.into_py(py)
}

#[pyfunction]
#[allow(clippy::too_many_arguments)]
fn packed_encode<'py>(
    py: Python<'py>,
    values: &Bound<'py, PyAny>,
    valid: Option<PyReadonlyArray1<'py, bool>>,
    mut out: PyReadwriteArray2<'py, u8>,
    width: usize,
    digits: usize,
    pad: usize,
    has_sign: bool,
    signed: bool,
    pos_nibble: u8,
    truncate: bool,
    fill: u8,
) -> PyResult<Bound<'py, PyAny>> {
    let p = packed::EncodeParams {
        digits,
        pad,
        has_sign,
        signed,
        pos_nibble,
        truncate,
        fill,
    };
    let valid_s = match &valid {
        Some(v) => Some(
            v.as_slice()
                .map_err(|e| PyValueError::new_err(e.to_string()))?,
        ),
        None => None,
    };
    let mut view = out.as_array_mut();
    let failed = with_unscaled(values, |vals| {
        run(py, "packed_encode", || {
            check_len(&vals, view.nrows())?;
            packed::encode(&|i| vals.get(i), valid_s, &mut view, width, &p)
        })
    })?;
    Ok(bool_mask(py, failed))
}

// ----------------------------------------------------------------------------------- binary
#[pyfunction]
fn binary_decode<'py>(
    py: Python<'py>,
    mat: PyReadonlyArray2<'py, u8>,
    width: usize,
    little: bool,
    signed: bool,
    limit: Option<u64>,
    kind: u8,
) -> PyResult<Bound<'py, PyTuple>> {
    let p = binary::Params {
        width,
        little,
        signed,
        limit,
    };
    let view = mat.as_array();
    let res = run(py, "binary_decode", || {
        binary::decode(&view, p, Kind::from_code(kind)?)
    })?;
    res.into_py(py)
}

#[pyfunction]
#[allow(clippy::too_many_arguments)]
fn binary_encode<'py>(
    py: Python<'py>,
    values: PyReadonlyArray1<'py, i64>,
    valid: Option<PyReadonlyArray1<'py, bool>>,
    mut out: PyReadwriteArray2<'py, u8>,
    width: usize,
    little: bool,
    max_pos: i128,
    max_neg: i128,
    fill: u8,
) -> PyResult<Bound<'py, PyAny>> {
    let p = binary::EncodeParams {
        width,
        little,
        max_pos,
        max_neg,
        fill,
    };
    let vals = values
        .as_slice()
        .map_err(|e| PyValueError::new_err(e.to_string()))?;
    let valid_s = match &valid {
        Some(v) => Some(
            v.as_slice()
                .map_err(|e| PyValueError::new_err(e.to_string()))?,
        ),
        None => None,
    };
    let mut view = out.as_array_mut();
    let failed = run(py, "binary_encode", || {
        binary::encode(vals, valid_s, &mut view, &p)
    })?;
    Ok(bool_mask(py, failed))
}

// ------------------------------------------------------------------------------------- text
pub(crate) fn strings_to_py(py: Python<'_>, s: text::Strings) -> PyResult<Bound<'_, PyTuple>> {
    let nulls = s.invalid.count;
    let (bitmap, mask) = if nulls > 0 {
        (
            common::validity_bitmap(&s.invalid.flags)
                .into_pyarray(py)
                .into_any(),
            PyArray1::from_vec(py, s.invalid.flags).into_any(),
        )
    } else {
        (py.None().into_bound(py), py.None().into_bound(py))
    };
    PyTuple::new(
        py,
        [
            s.offsets.into_pyarray(py).into_any(),
            s.data.into_pyarray(py).into_any(),
            bitmap,
            nulls.into_pyobject(py)?.into_any(),
            mask,
        ],
    )
}

/// The tables of a single-byte page from their Python form (see `text_decode`).
pub(crate) fn sbcs_tables(utf8: &[u8], lens: &[u8], space: &[u8]) -> PyResult<text::Sbcs> {
    if utf8.len() != 1024 {
        return Err(PyValueError::new_err(
            "text_decode: the UTF-8 table has 1024 bytes",
        ));
    }
    let table: [[u8; 4]; 256] = std::array::from_fn(|b| {
        let mut e = [0u8; 4];
        e.copy_from_slice(&utf8[4 * b..4 * b + 4]);
        e
    });
    let lens = lut256(lens, "text_decode")?;
    if lens.iter().any(|&l| l == 0 || l > 4) {
        return Err(PyValueError::new_err(
            "text_decode: UTF-8 lengths are 1 to 4",
        ));
    }
    let sp = lut256(space, "text_decode")?;
    Ok(text::Sbcs {
        utf8: table,
        lens,
        space: std::array::from_fn(|b| sp[b] != 0),
    })
}

/// Decode text of a single-byte code page: `utf8` is the (256, 4) UTF-8 bytes of each byte's
/// code point (row-major, 1,024 bytes), `lens` their counts, `space` 1 for the bytes that
/// decode to U+0020; trim 0 right, 1 left, 2 both, 3 none.
#[pyfunction]
fn text_decode<'py>(
    py: Python<'py>,
    mat: PyReadonlyArray2<'py, u8>,
    utf8: &[u8],
    lens: &[u8],
    space: &[u8],
    trim: u8,
) -> PyResult<Bound<'py, PyTuple>> {
    let page = sbcs_tables(utf8, lens, space)?;
    let view = mat.as_array();
    let res = run(py, "text_decode", || {
        text::decode_sbcs(&view, page, text::Trim::from_code(trim)?)
    })?;
    strings_to_py(py, res)
}

#[pyfunction]
fn text_decode_utf8<'py>(
    py: Python<'py>,
    mat: PyReadonlyArray2<'py, u8>,
    trim: u8,
) -> PyResult<Bound<'py, PyTuple>> {
    let view = mat.as_array();
    let res = run(py, "text_decode_utf8", || {
        text::decode_utf8(&view, text::Trim::from_code(trim)?)
    })?;
    strings_to_py(py, res)
}

/// Encode Arrow strings (offsets of n + 1 entries into data) to `(n, width)` page bytes;
/// `table` None for the utf-8 file encoding. Returns (matrix bytes, failed mask or None).
#[pyfunction]
#[allow(clippy::too_many_arguments)]
fn text_encode<'py>(
    py: Python<'py>,
    offsets: PyReadonlyArray1<'py, i32>,
    data: PyReadonlyArray1<'py, u8>,
    valid: Option<PyReadonlyArray1<'py, bool>>,
    table: Option<PyReadonlyArray1<'py, i16>>,
    width: usize,
    justified: bool,
    truncate: bool,
    space: u8,
) -> PyResult<Bound<'py, PyTuple>> {
    let err = |e: numpy::AsSliceError| PyValueError::new_err(e.to_string());
    let offs = offsets.as_slice().map_err(err)?;
    let data_s = data.as_slice().map_err(err)?;
    let valid_s = match &valid {
        Some(v) => Some(v.as_slice().map_err(err)?),
        None => None,
    };
    let table_s = match &table {
        Some(t) => Some(t.as_slice().map_err(err)?),
        None => None,
    };
    let p = text::EncodeParams {
        width,
        justified,
        truncate,
        space,
        table: table_s,
    };
    let (mat, failed) = run(py, "text_encode", || {
        text::encode(offs, data_s, valid_s, &p)
    })?;
    PyTuple::new(py, [mat.into_pyarray(py).into_any(), bool_mask(py, failed)])
}

// ----------------------------------------------------------------------------------- floats
/// Decode COMP-1/COMP-2 (IBM hexadecimal, or IEEE in either byte order) to float32 or
/// float64: the same tuple as the numeric decoders (never vouched).
#[pyfunction]
fn float_decode<'py>(
    py: Python<'py>,
    mat: PyReadonlyArray2<'py, u8>,
    width: usize,
    ibm: bool,
    little: bool,
) -> PyResult<Bound<'py, PyTuple>> {
    let view = mat.as_array();
    let res = run(py, "float_decode", || {
        floats::decode(&view, width, ibm, little)
    })?;
    res.into_py(py)
}

// -------------------------------------------------------------------------------------- rdw
/// Frame RDW records of `buf[pos..end]` (see `rdw::run`): (starts, frame lengths, new
/// position, status 0 need more input / 1 invalid RDW / 2 limit reached).
#[pyfunction]
#[allow(clippy::too_many_arguments)]
fn rdw_run<'py>(
    py: Python<'py>,
    buf: PyReadonlyArray1<'py, u8>,
    pos: usize,
    end: usize,
    limit: usize,
    big: bool,
    adjust: i64,
    min_frame: i64,
) -> PyResult<Bound<'py, PyTuple>> {
    let s = buf
        .as_slice()
        .map_err(|e| PyValueError::new_err(e.to_string()))?;
    let r = run(py, "rdw_run", || {
        Ok(rdw::run(s, pos, end, limit, big, adjust, min_frame))
    })?;
    PyTuple::new(
        py,
        [
            r.starts.into_pyarray(py).into_any(),
            r.lengths.into_pyarray(py).into_any(),
            r.pos.into_pyobject(py)?.into_any(),
            r.status.into_pyobject(py)?.into_any(),
        ],
    )
}

// -------------------------------------------------------------------------------------- odo
fn contiguous<E: std::fmt::Display>(e: E) -> PyErr {
    PyValueError::new_err(format!("ODO walk: {e}"))
}

fn odo_prog<'a>(ops: &'a [i64], luts: &'a [i64], nobj: usize) -> PyResult<odo::Prog<'a>> {
    let prog = odo::Prog { ops, luts, nobj };
    prog.validate().map_err(PyValueError::new_err)?;
    Ok(prog)
}

/// Lengths of nested-ODO records back to back from `buf[0]` (see `odo::chain`).
#[pyfunction]
#[allow(clippy::too_many_arguments)]
fn odo_chain<'py>(
    py: Python<'py>,
    ops: PyReadonlyArray1<'py, i64>,
    luts: PyReadonlyArray1<'py, i64>,
    nobj: usize,
    buf: PyReadonlyArray1<'py, u8>,
    pl: usize,
    last: i64,
    limit: usize,
) -> PyResult<Bound<'py, PyArray1<i64>>> {
    let (o, l, b) = (
        ops.as_slice().map_err(contiguous)?,
        luts.as_slice().map_err(contiguous)?,
        buf.as_slice().map_err(contiguous)?,
    );
    let prog = odo_prog(o, l, nobj)?;
    let out = run(py, "odo_chain", || {
        Ok(odo::chain(&prog, b, pl, last, limit))
    })?;
    Ok(out.into_pyarray(py))
}

/// Stored nested-ODO records -> the maximum layout (see `odo::expand`): (flat matrix of
/// `n * width` bytes, available bytes per record).
#[pyfunction]
#[allow(clippy::too_many_arguments)]
fn odo_expand<'py>(
    py: Python<'py>,
    ops: PyReadonlyArray1<'py, i64>,
    luts: PyReadonlyArray1<'py, i64>,
    nobj: usize,
    mat: PyReadonlyArray2<'py, u8>,
    lengths: PyReadonlyArray1<'py, i64>,
    width: usize,
    pad: u8,
) -> PyResult<Bound<'py, PyTuple>> {
    let (n, w) = mat.as_array().dim();
    let (o, l) = (
        ops.as_slice().map_err(contiguous)?,
        luts.as_slice().map_err(contiguous)?,
    );
    let (m, ln) = (
        mat.as_slice().map_err(contiguous)?,
        lengths.as_slice().map_err(contiguous)?,
    );
    if ln.len() != n {
        return Err(PyValueError::new_err(
            "odo_expand: one length a row is needed",
        ));
    }
    let prog = odo_prog(o, l, nobj)?;
    let (out, avail) = run(py, "odo_expand", || {
        odo::expand(&prog, m, n, w, ln, width, pad).map_err(common::KernelError::Value)
    })?;
    PyTuple::new(
        py,
        [
            out.into_pyarray(py).into_any(),
            avail.into_pyarray(py).into_any(),
        ],
    )
}

/// `odo_expand` of records framed in `buf` (see `odo::expand_frames`): no payload matrix.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
fn odo_expand_frames<'py>(
    py: Python<'py>,
    ops: PyReadonlyArray1<'py, i64>,
    luts: PyReadonlyArray1<'py, i64>,
    nobj: usize,
    buf: PyReadonlyArray1<'py, u8>,
    starts: PyReadonlyArray1<'py, i64>,
    lengths: PyReadonlyArray1<'py, i64>,
    width: usize,
    pad: u8,
) -> PyResult<Bound<'py, PyTuple>> {
    let (o, l) = (
        ops.as_slice().map_err(contiguous)?,
        luts.as_slice().map_err(contiguous)?,
    );
    let b = buf.as_slice().map_err(contiguous)?;
    let (s, ln) = (
        starts.as_slice().map_err(contiguous)?,
        lengths.as_slice().map_err(contiguous)?,
    );
    if ln.len() != s.len() {
        return Err(PyValueError::new_err(
            "odo_expand_frames: one length a start is needed",
        ));
    }
    let prog = odo_prog(o, l, nobj)?;
    let (out, avail) = run(py, "odo_expand_frames", || {
        odo::expand_frames(&prog, b, s, ln, width, pad).map_err(common::KernelError::Value)
    })?;
    PyTuple::new(
        py,
        [
            out.into_pyarray(py).into_any(),
            avail.into_pyarray(py).into_any(),
        ],
    )
}

// ------------------------------------------------------------------------------------ tests
/// Test-only entry: panics inside the kernel wrapper, to prove a panic reaches Python as
/// `KernelPanic` naming the kernel instead of crossing the FFI boundary.
#[pyfunction]
fn _panic_for_tests(py: Python<'_>, message: String) -> PyResult<()> {
    run(py, "_panic_for_tests", move || -> KResult<()> {
        panic!("{message}")
    })
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("KernelPanic", m.py().get_type::<common::KernelPanic>())?;
    m.add_function(wrap_pyfunction!(zoned_decode, m)?)?;
    m.add_function(wrap_pyfunction!(zoned_encode, m)?)?;
    m.add_function(wrap_pyfunction!(packed_decode, m)?)?;
    m.add_function(wrap_pyfunction!(packed_encode, m)?)?;
    m.add_function(wrap_pyfunction!(binary_decode, m)?)?;
    m.add_function(wrap_pyfunction!(binary_encode, m)?)?;
    m.add_function(wrap_pyfunction!(text_decode, m)?)?;
    m.add_function(wrap_pyfunction!(text_decode_utf8, m)?)?;
    m.add_function(wrap_pyfunction!(text_encode, m)?)?;
    m.add_function(wrap_pyfunction!(float_decode, m)?)?;
    m.add_function(wrap_pyfunction!(rdw_run, m)?)?;
    m.add_function(wrap_pyfunction!(odo_chain, m)?)?;
    m.add_function(wrap_pyfunction!(odo_expand, m)?)?;
    m.add_function(wrap_pyfunction!(odo_expand_frames, m)?)?;
    m.add_function(wrap_pyfunction!(batch::decode_batch, m)?)?;
    m.add_function(wrap_pyfunction!(_panic_for_tests, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
