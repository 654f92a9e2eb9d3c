//! Shared plumbing of the kernels: errors, panic capture, row access, Arrow-ready outputs.

use std::panic::{catch_unwind, AssertUnwindSafe};

use numpy::ndarray::{ArrayView2, ArrayViewMut2};
use numpy::{IntoPyArray, PyArray1};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyTuple;

pyo3::create_exception!(
    _native,
    KernelPanic,
    pyo3::exceptions::PyRuntimeError,
    "A native kernel panicked: an internal error of legacyio, never a property of the data."
);

/// What a kernel can report besides its result: a caller mistake (bad shapes or
/// parameters), raised as ValueError. Bad *data* is never an error: it becomes a null.
#[derive(Debug)]
pub enum KernelError {
    Value(String),
}

pub type KResult<T> = Result<T, KernelError>;

pub fn value_err<T>(msg: impl Into<String>) -> KResult<T> {
    Err(KernelError::Value(msg.into()))
}

/// Run a kernel body without the GIL, catching any panic: a panic becomes `KernelPanic`
/// naming the kernel, so nothing unwinds across the FFI boundary into Python.
pub fn run<T, F>(py: Python<'_>, kernel: &'static str, f: F) -> PyResult<T>
where
    F: FnOnce() -> KResult<T> + Send,
    T: Send,
{
    let res = py.detach(move || catch_unwind(AssertUnwindSafe(f)));
    match res {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(KernelError::Value(msg))) => Err(PyValueError::new_err(format!("{kernel}: {msg}"))),
        Err(payload) => {
            let msg = if let Some(s) = payload.downcast_ref::<&str>() {
                (*s).to_string()
            } else if let Some(s) = payload.downcast_ref::<String>() {
                s.clone()
            } else {
                "unknown panic payload".to_string()
            };
            Err(KernelPanic::new_err(format!(
                "internal error in native kernel '{kernel}': {msg}"
            )))
        }
    }
}

/// Check that the rows of a matrix are contiguous (column stride 1), so each row is a slice.
pub fn check_rows(m: &ArrayView2<'_, u8>, kernel_width: Option<usize>) -> KResult<()> {
    if m.nrows() > 0 && m.ncols() > 1 && m.strides()[1] != 1 {
        return value_err("the rows of the matrix must be contiguous (column stride 1)");
    }
    if let Some(w) = kernel_width {
        if m.ncols() != w {
            return value_err(format!("matrix has {} columns, the field {w}", m.ncols()));
        }
    }
    Ok(())
}

pub fn check_rows_mut(m: &ArrayViewMut2<'_, u8>, width: usize, n: usize) -> KResult<()> {
    if m.nrows() > 0 && m.ncols() > 1 && m.strides()[1] != 1 {
        return value_err("the rows of the output matrix must be contiguous (column stride 1)");
    }
    if m.ncols() != width || m.nrows() != n {
        return value_err(format!(
            "output matrix is {}x{}, expected {n}x{width}",
            m.nrows(),
            m.ncols()
        ));
    }
    Ok(())
}

/// Call `f(i, row)` for every row of a matrix whose rows are contiguous (see `check_rows`).
#[inline]
pub fn for_rows<'a>(m: &ArrayView2<'a, u8>, mut f: impl FnMut(usize, &[u8])) -> KResult<()> {
    for (i, row) in m.rows().into_iter().enumerate() {
        match row.to_slice() {
            Some(s) => f(i, s),
            None => return value_err("a row of the matrix is not contiguous"),
        }
    }
    Ok(())
}

/// `f(i, row)` with each row of an output matrix as a mutable slice.
#[inline]
pub fn for_rows_mut(
    m: &mut ArrayViewMut2<'_, u8>,
    mut f: impl FnMut(usize, &mut [u8]),
) -> KResult<()> {
    for (i, mut row) in m.rows_mut().into_iter().enumerate() {
        match row.as_slice_mut() {
            Some(s) => f(i, s),
            None => return value_err("a row of the output matrix is not contiguous"),
        }
    }
    Ok(())
}

/// Arrow output kinds of the numeric kernels (the Python glue picks one from the Arrow type).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Int32,
    Int64,
    UInt64,
    Decimal128,
}

impl Kind {
    pub fn from_code(code: u8) -> KResult<Kind> {
        match code {
            0 => Ok(Kind::Int32),
            1 => Ok(Kind::Int64),
            2 => Ok(Kind::UInt64),
            3 => Ok(Kind::Decimal128),
            _ => value_err(format!("unknown output kind {code}")),
        }
    }
}

/// An Arrow fixed-width values buffer under construction. `set` takes the unscaled value as
/// i128 and stores it the way NumPy's casts do (int32: low 32 bits; uint64: the 64 bits;
/// decimal128: 16 bytes little-endian two's complement).
pub trait Store: Send + Sized {
    fn with_len(n: usize) -> Self;
    fn set(&mut self, i: usize, v: i128);
    fn into_values(self) -> Values;
}

impl Store for Vec<i32> {
    fn with_len(n: usize) -> Self {
        vec![0; n]
    }
    #[inline(always)]
    fn set(&mut self, i: usize, v: i128) {
        self[i] = v as i32;
    }
    fn into_values(self) -> Values {
        Values::I32(self)
    }
}

impl Store for Vec<i64> {
    fn with_len(n: usize) -> Self {
        vec![0; n]
    }
    #[inline(always)]
    fn set(&mut self, i: usize, v: i128) {
        self[i] = v as i64;
    }
    fn into_values(self) -> Values {
        Values::I64(self)
    }
}

impl Store for Vec<u64> {
    fn with_len(n: usize) -> Self {
        vec![0; n]
    }
    #[inline(always)]
    fn set(&mut self, i: usize, v: i128) {
        self[i] = v as u64;
    }
    fn into_values(self) -> Values {
        Values::U64(self)
    }
}

/// decimal128 values as pairs of little-endian 64-bit words (low word first).
pub struct Dec128(pub Vec<u64>);

impl Store for Dec128 {
    fn with_len(n: usize) -> Self {
        Dec128(vec![0; 2 * n])
    }
    #[inline(always)]
    fn set(&mut self, i: usize, v: i128) {
        self.0[2 * i] = v as u64;
        self.0[2 * i + 1] = (v >> 64) as u64;
    }
    fn into_values(self) -> Values {
        Values::D128(self.0)
    }
}

pub enum Values {
    I32(Vec<i32>),
    I64(Vec<i64>),
    U64(Vec<u64>),
    D128(Vec<u64>),
    F32(Vec<f32>),
    F64(Vec<f64>),
}

impl Values {
    pub fn into_py(self, py: Python<'_>) -> Bound<'_, PyAny> {
        match self {
            Values::I32(v) => v.into_pyarray(py).into_any(),
            Values::I64(v) => v.into_pyarray(py).into_any(),
            Values::U64(v) | Values::D128(v) => v.into_pyarray(py).into_any(),
            Values::F32(v) => v.into_pyarray(py).into_any(),
            Values::F64(v) => v.into_pyarray(py).into_any(),
        }
    }
}

/// Per-row invalid flags; turned into the Arrow validity bitmap (LSB first) when any is set.
pub struct Invalid {
    pub flags: Vec<bool>,
    pub count: usize,
}

impl Invalid {
    pub fn new(n: usize) -> Self {
        Invalid {
            flags: vec![false; n],
            count: 0,
        }
    }
    #[inline(always)]
    pub fn mark(&mut self, i: usize, bad: bool) {
        self.flags[i] = bad;
        self.count += bad as usize;
    }
}

/// The validity bitmap of Arrow (bit i set = row i valid, least significant bit first).
pub fn validity_bitmap(invalid: &[bool]) -> Vec<u8> {
    let mut bits = vec![0u8; invalid.len().div_ceil(8)];
    for (chunk, byte) in invalid.chunks(8).zip(bits.iter_mut()) {
        let mut b = 0u8;
        for (k, &bad) in chunk.iter().enumerate() {
            b |= ((!bad) as u8) << k;
        }
        *byte = b;
    }
    bits
}

/// The result of a numeric decode kernel.
pub struct Decoded {
    pub values: Values,
    pub invalid: Invalid,
    pub vouched: bool,
}

impl Decoded {
    /// `(values, validity bitmap or None, null count, invalid mask or None, vouched)`.
    pub fn into_py(self, py: Python<'_>) -> PyResult<Bound<'_, PyTuple>> {
        let values = self.values.into_py(py);
        let nulls = self.invalid.count;
        let (bitmap, mask): (Bound<'_, PyAny>, Bound<'_, PyAny>) = if nulls > 0 {
            let bm = validity_bitmap(&self.invalid.flags);
            (
                bm.into_pyarray(py).into_any(),
                PyArray1::from_vec(py, self.invalid.flags).into_any(),
            )
        } else {
            (py.None().into_bound(py), py.None().into_bound(py))
        };
        PyTuple::new(
            py,
            [
                values,
                bitmap,
                nulls.into_pyobject(py)?.into_any(),
                mask,
                pyo3::types::PyBool::new(py, self.vouched)
                    .to_owned()
                    .into_any(),
            ],
        )
    }
}

/// One field's decoder over a batch, row by row: the column kernels call `row` for each row
/// of a field's matrix; the batch kernel (`batch.rs`) calls it for each field of each record.
/// `idx` runs 0, 1, 2, ... in order (text columns append).
pub trait Column: Send {
    /// Bytes of one value.
    fn width(&self) -> usize;
    fn row(&mut self, idx: usize, r: &[u8]);
    fn finish(self: Box<Self>) -> KResult<Output>;
    /// Every value of this field in rows `rows` of a C-contiguous matrix `data` of rows of
    /// `rs` bytes: `count` values a row at `off`, `off + stride`, ... (monomorphic: one
    /// virtual call per field and tile of rows, not per value). Bounds were checked by the
    /// caller; slicing checks again.
    fn column(
        &mut self,
        data: &[u8],
        rs: usize,
        rows: std::ops::Range<usize>,
        off: usize,
        count: usize,
        stride: usize,
    ) {
        let w = self.width();
        for i in rows {
            let row = &data[i * rs..(i + 1) * rs];
            for j in 0..count {
                let s = off + j * stride;
                self.row(i * count + j, &row[s..s + w]);
            }
        }
    }
}

/// A column's result: numbers or strings.
pub enum Output {
    Num(Decoded),
    Str(crate::text::Strings),
    /// the bytes of a fixed-size binary column (`n * width`, row after row)
    Raw(Vec<u8>),
}

/// Run a column decoder over a field matrix (any row stride, contiguous rows).
pub fn run_column(m: &ArrayView2<'_, u8>, mut c: Box<dyn Column>) -> KResult<Output> {
    check_rows(m, Some(c.width()))?;
    for_rows(m, |i, r| c.row(i, r))?;
    c.finish()
}

pub fn num(o: Output) -> KResult<Decoded> {
    match o {
        Output::Num(d) => Ok(d),
        Output::Str(_) | Output::Raw(_) => value_err("internal: a numeric kernel returned strings"),
    }
}

/// 10**k for k <= 38 as u128.
pub const fn pow10_u128(k: u32) -> u128 {
    let mut p: u128 = 1;
    let mut i = 0;
    while i < k {
        p *= 10;
        i += 1;
    }
    p
}

/// 10**k for k <= 18 as i64 (wrapping like NumPy's int64 beyond that, which never happens:
/// callers check digits + scale <= 18).
pub const fn pow10_i64(k: u32) -> i64 {
    let mut p: i64 = 1;
    let mut i = 0;
    while i < k {
        p = p.wrapping_mul(10);
        i += 1;
    }
    p
}
