//! One call per batch for a whole fixed layout: every covered field of the record matrix
//! (record-level fields, and fields repeated by a fixed OCCURS, `count` values `stride`
//! bytes apart) decoded by the column decoders of the field kernels, either column by column
//! (one field over all records, then the next) or fused (one walk over each record filling
//! every column). Saves the per-field Python calls, slicing and OCCURS element copies.

use std::sync::Arc;

use numpy::{IntoPyArray, PyReadonlyArray2};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyList, PyTuple};

use crate::common::{run, value_err, Column, KResult, Kind, Output};
use crate::{binary, floats, lut256, opt_pos, packed, sbcs_tables, strings_to_py, text, zoned};

/// Bytes of records decoded column by column before moving on (well inside L2).
const TILE_BYTES: usize = 64 * 1024;
/// Rows of a tile at least: a wide record (thousands of fields) would otherwise give tiles of
/// a few rows, each field then costs one call and the cache misses of its state per few values.
const MIN_TILE_ROWS: usize = 64;

/// Cache line bytes (x86-64).
const LINE: usize = 64;
/// Records ahead whose bytes the fused order prefetches.
const PREFETCH_ROWS: usize = 8;

/// Ask the CPU to bring the cache lines of `s` into the cache (a hint: no effect on results).
#[inline(always)]
fn prefetch(s: &[u8]) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        let mut k = 0;
        while k < s.len() {
            let p = s[k..].as_ptr() as *const i8;
            // SAFETY: a prefetch never reads memory architecturally and never faults; the
            // pointer comes from a slice index (`k < s.len()`), so it is inside `s` anyway
            // (SSE, which this intrinsic needs, is part of the x86-64 baseline)
            #[allow(unused_unsafe)]
            unsafe {
                _mm_prefetch::<_MM_HINT_T0>(p)
            };
            k += LINE;
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = s;
}

/// Where a field's values lie in each record.
struct Place {
    off: usize,
    count: usize,
    stride: usize,
}

fn zoned_params(t: &Bound<'_, PyTuple>) -> PyResult<(usize, zoned::DecodeParams, u8)> {
    if t.len() != 13 {
        return Err(PyValueError::new_err(
            "decode_batch: zoned parameters are 13 values",
        ));
    }
    let (width, body, sign, zone, dig_start, digits): (usize, Vec<u8>, Vec<u8>, u8, usize, usize) =
        t.get_slice(0, 6).extract()?;
    let (emb, sep, plus, minus, mult, vouch, kind): (i64, i64, u8, u8, u32, u8, u8) =
        t.get_slice(6, 13).extract()?;
    let p = zoned::DecodeParams {
        body_lut: lut256(&body, "decode_batch")?,
        sign_lut: lut256(&sign, "decode_batch")?,
        zone,
        dig_start,
        digits,
        emb: opt_pos(emb),
        sep: opt_pos(sep),
        plus,
        minus,
        mult,
        vouch: zoned::Vouch::from_code(vouch),
    };
    Ok((width, p, kind))
}

/// A field's decoder for `n` values, from its family code and kernel parameters (the same
/// tuples the column kernels take, see `legacyio.codecs.native`).
fn build(
    family: u8,
    params: &Bound<'_, PyTuple>,
    n: usize,
    pages: &mut Vec<(Vec<u8>, Arc<text::SbcsPage>)>,
) -> PyResult<(usize, FieldKind)> {
    Ok(match family {
        0 => {
            let (w, p, k) = zoned_params(params)?;
            (w, FieldKind::Zoned(w, p, k))
        }
        1 => {
            let (width, digits, pad, has_sign, signed, mult, kind): (
                usize,
                usize,
                usize,
                bool,
                bool,
                u32,
                u8,
            ) = params.extract()?;
            let p = packed::Params {
                digits,
                pad,
                has_sign,
                signed,
                mult,
            };
            (width, FieldKind::Packed(width, p, kind))
        }
        2 => {
            let (width, little, signed, limit, kind): (usize, bool, bool, Option<u64>, u8) =
                params.extract()?;
            let p = binary::Params {
                width,
                little,
                signed,
                limit,
            };
            (width, FieldKind::Binary(p, kind))
        }
        3 => {
            let (width, utf8, lens, space, trim): (usize, Vec<u8>, Vec<u8>, Vec<u8>, u8) =
                params.extract()?;
            // one shared copy of each page's tables (a batch has one or two pages)
            let key = [&utf8[..], &lens[..], &space[..]].concat();
            let page = match pages.iter().find(|(k, _)| *k == key) {
                Some((_, pg)) => pg.clone(),
                None => {
                    let pg = text::SbcsPage::new(sbcs_tables(&utf8, &lens, &space)?);
                    pages.push((key, pg.clone()));
                    pg
                }
            };
            (width, FieldKind::Text(page, trim, width))
        }
        4 => {
            let (width, trim): (usize, u8) = params.extract()?;
            (width, FieldKind::TextUtf8(trim, width))
        }
        5 => {
            let (width, ibm, little): (usize, bool, bool) = params.extract()?;
            (width, FieldKind::Float(width, ibm, little))
        }
        6 => {
            let (width,): (usize,) = params.extract()?;
            (width, FieldKind::Raw(width))
        }
        _ => {
            let _ = n;
            return Err(PyValueError::new_err(format!(
                "decode_batch: unknown field family {family}"
            )));
        }
    })
}

/// A field's parameters, turned into its decoder inside the kernel (without the GIL).
enum FieldKind {
    Zoned(usize, zoned::DecodeParams, u8),
    Packed(usize, packed::Params, u8),
    Binary(binary::Params, u8),
    Text(Arc<text::SbcsPage>, u8, usize),
    TextUtf8(u8, usize),
    Float(usize, bool, bool),
    Raw(usize),
}

impl FieldKind {
    fn column(self, n: usize) -> KResult<Box<dyn Column>> {
        match self {
            FieldKind::Zoned(w, p, k) => zoned::column(p, w, Kind::from_code(k)?, n),
            FieldKind::Packed(w, p, k) => packed::column(p, w, Kind::from_code(k)?, n),
            FieldKind::Binary(p, k) => binary::column(p, Kind::from_code(k)?, n),
            FieldKind::Text(page, trim, w) => Ok(text::sbcs_column_shared(
                page,
                text::Trim::from_code(trim)?,
                w,
                n,
            )),
            FieldKind::TextUtf8(trim, w) => {
                Ok(text::utf8_column(text::Trim::from_code(trim)?, w, n))
            }
            FieldKind::Float(w, ibm, little) => floats::column(w, ibm, little, n),
            FieldKind::Raw(w) => Ok(Box::new(RawCol {
                width: w,
                data: vec![0u8; n * w],
            })),
        }
    }
}

/// A field kept as its bytes (a FILLER, or a field read as raw bytes): the Arrow
/// fixed-size binary buffer, a copy of each value (strided in the record matrix).
struct RawCol {
    width: usize,
    data: Vec<u8>,
}

impl Column for RawCol {
    fn width(&self) -> usize {
        self.width
    }

    #[inline(always)]
    fn row(&mut self, idx: usize, r: &[u8]) {
        let w = self.width;
        self.data[idx * w..(idx + 1) * w].copy_from_slice(r);
    }

    fn finish(self: Box<Self>) -> KResult<Output> {
        Ok(Output::Raw(self.data))
    }
}

fn decode_all(
    data: &[u8],
    n: usize,
    rs: usize,
    fields: Vec<(Place, FieldKind)>,
    fused: bool,
) -> KResult<Vec<Output>> {
    if n.checked_mul(rs).is_none_or(|t| t > data.len()) {
        return value_err("the matrix is smaller than its shape");
    }
    let mut cols: Vec<(Place, Box<dyn Column>)> = Vec::with_capacity(fields.len());
    for (pl, fk) in fields {
        let Some(total) = n.checked_mul(pl.count) else {
            return value_err("too many values");
        };
        let c = fk.column(total)?;
        let w = c.width();
        // every value of every record inside the record: checked once here
        let last = pl
            .count
            .checked_sub(1)
            .and_then(|k| k.checked_mul(pl.stride))
            .and_then(|x| x.checked_add(pl.off))
            .and_then(|x| x.checked_add(w));
        if pl.count == 0 || last.is_none_or(|e| e > rs) {
            return value_err(format!(
                "a field at offset {} ({} x {w} bytes, stride {}) runs past the {rs}-byte record",
                pl.off, pl.count, pl.stride
            ));
        }
        cols.push((pl, c));
    }
    if fused {
        for i in 0..n {
            // the record PREFETCH_ROWS ahead is on its way while this one is decoded
            let ahead = i + PREFETCH_ROWS;
            if ahead < n {
                prefetch(&data[ahead * rs..(ahead + 1) * rs]);
            }
            let row = &data[i * rs..(i + 1) * rs];
            for (pl, c) in cols.iter_mut() {
                let w = c.width();
                for j in 0..pl.count {
                    let s = pl.off + j * pl.stride;
                    c.row(i * pl.count + j, &row[s..s + w]);
                }
            }
        }
    } else {
        // column by column inside tiles of records that stay in the L2 cache: the tight
        // loops of the column kernels, but each record is brought from memory once. The
        // next tile is prefetched a slice before each column of this one: without it the
        // first field to touch each cache line waited on memory (half the zoned kernel's
        // cycles in `perf annotate` were one load of the record's first byte)
        let tile = (TILE_BYTES / rs.max(1)).max(MIN_TILE_ROWS);
        let ncols = cols.len().max(1);
        let mut i0 = 0;
        while i0 < n {
            let i1 = (i0 + tile).min(n);
            let next = &data[i1 * rs..(i1 + tile).min(n) * rs];
            let piece = next.len().div_ceil(ncols).next_multiple_of(LINE);
            let mut at = 0;
            for (pl, c) in cols.iter_mut() {
                if at < next.len() {
                    let end = (at + piece).min(next.len());
                    prefetch(&next[at..end]);
                    at = end;
                }
                c.column(data, rs, i0..i1, pl.off, pl.count, pl.stride);
            }
            i0 = i1;
        }
    }
    cols.into_iter().map(|(_, c)| c.finish()).collect()
}

/// Decode the fields of a C-contiguous `(n, width)` record matrix in one call. `fields`:
/// `(family, offset, count, stride, params)` with family 0 zoned, 1 packed, 2 binary,
/// 3 single-byte text, 4 utf-8 text, 5 float, 6 raw bytes, and `params` the tuple of that
/// family's column kernel (`(width,)` for raw bytes). Returns one result per field: the tuple
/// its column kernel returns, or the `n * count * width` bytes of a raw field.
#[pyfunction]
pub fn decode_batch<'py>(
    py: Python<'py>,
    mat: PyReadonlyArray2<'py, u8>,
    fields: Vec<(u8, usize, usize, usize, Bound<'py, PyTuple>)>,
    fused: bool,
) -> PyResult<Bound<'py, PyList>> {
    let (n, rs) = mat.as_array().dim();
    let data = mat.as_slice().map_err(|_| {
        PyValueError::new_err("decode_batch: the record matrix must be C-contiguous")
    })?;
    let mut specs = Vec::with_capacity(fields.len());
    let mut pages = Vec::new();
    for (family, off, count, stride, params) in &fields {
        let (_, fk) = build(*family, params, n, &mut pages)?;
        specs.push((
            Place {
                off: *off,
                count: *count,
                stride: *stride,
            },
            fk,
        ));
    }
    let outs = run(py, "decode_batch", || decode_all(data, n, rs, specs, fused))?;
    let list = PyList::empty(py);
    for o in outs {
        match o {
            Output::Num(d) => list.append(d.into_py(py)?)?,
            Output::Str(s) => list.append(strings_to_py(py, s)?)?,
            Output::Raw(b) => list.append(b.into_pyarray(py))?,
        }
    }
    Ok(list)
}
