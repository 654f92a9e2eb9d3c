//! Binary integers (COMP / COMP-4 / BINARY, COMP-5, POINTER, INDEX) of 2, 4 or 8 bytes in
//! either byte order, the rules of `legacyio.codecs.binary.BinaryCodec` for scale >= 0: a
//! BINARY value whose magnitude reaches 10**digits is invalid (TRUNC(STD)); COMP-5 keeps the
//! full range of its bytes.

use numpy::ndarray::{ArrayView2, ArrayViewMut2};

use crate::common::{
    check_rows_mut, for_rows_mut, num, run_column, value_err, Column, Dec128, Decoded, Invalid,
    KResult, Kind, Output, Store,
};

pub struct Params {
    pub width: usize,
    pub little: bool,
    pub signed: bool,
    /// 10**digits for BINARY, None for COMP-5 / POINTER / INDEX
    pub limit: Option<u64>,
}

impl Params {
    fn check(&self) -> KResult<()> {
        if !matches!(self.width, 2 | 4 | 8) {
            return value_err(format!("binary: {} bytes (2, 4 or 8 expected)", self.width));
        }
        Ok(())
    }

    /// The stored integer of one row (sign-extended when signed). Whole 2/4/8-byte loads
    /// (`check` allows no other width): assembling the value byte by byte in a stack buffer
    /// and reading it back as a u64 stalled on store forwarding, half this kernel's time.
    #[inline(always)]
    pub fn read(&self, r: &[u8]) -> i128 {
        let w = self.width;
        let u: u64 = match (w, self.little) {
            (2, false) => u16::from_be_bytes([r[0], r[1]]) as u64,
            (2, true) => u16::from_le_bytes([r[0], r[1]]) as u64,
            (4, false) => u32::from_be_bytes([r[0], r[1], r[2], r[3]]) as u64,
            (4, true) => u32::from_le_bytes([r[0], r[1], r[2], r[3]]) as u64,
            (_, false) => u64::from_be_bytes([r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7]]),
            (_, true) => u64::from_le_bytes([r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7]]),
        };
        if self.signed {
            let shift = 64 - 8 * w as u32;
            (((u << shift) as i64) >> shift) as i128
        } else {
            u as i128
        }
    }
}

pub fn decode(m: &ArrayView2<'_, u8>, p: Params, kind: Kind) -> KResult<Decoded> {
    num(run_column(m, column(p, kind, m.nrows())?)?)
}

/// The decoder of one binary field for `n` values.
pub fn column(p: Params, kind: Kind, n: usize) -> KResult<Box<dyn Column>> {
    p.check()?;
    Ok(match kind {
        Kind::Int32 => Box::new(BinaryCol::<Vec<i32>>::new(p, n)),
        Kind::Int64 => Box::new(BinaryCol::<Vec<i64>>::new(p, n)),
        Kind::UInt64 => Box::new(BinaryCol::<Vec<u64>>::new(p, n)),
        Kind::Decimal128 => Box::new(BinaryCol::<Dec128>::new(p, n)),
    })
}

struct BinaryCol<S: Store> {
    p: Params,
    lim: Option<i128>,
    out: S,
    inv: Invalid,
}

impl<S: Store> BinaryCol<S> {
    fn new(p: Params, n: usize) -> Self {
        BinaryCol {
            lim: p.limit.map(|l| l as i128),
            out: S::with_len(n),
            inv: Invalid::new(n),
            p,
        }
    }
}

impl<S: Store> Column for BinaryCol<S> {
    fn width(&self) -> usize {
        self.p.width
    }

    fn finish(self: Box<Self>) -> KResult<Output> {
        let vouched = self.inv.count == 0;
        Ok(Output::Num(Decoded {
            values: self.out.into_values(),
            invalid: self.inv,
            vouched,
        }))
    }

    #[inline(always)]
    fn row(&mut self, i: usize, r: &[u8]) {
        let v = self.p.read(r);
        self.out.set(i, v);
        let bad = match self.lim {
            Some(l) => v >= l || (self.p.signed && v <= -l),
            None => false,
        };
        self.inv.mark(i, bad);
    }
}

pub struct EncodeParams {
    pub width: usize,
    pub little: bool,
    pub max_pos: i128,
    pub max_neg: i128,
    pub fill: u8,
}

/// Two's complement bytes of int64 values (the codec's fast path: scale 0 integers or
/// decimal128 of the field's scale, no truncation); out-of-range rows are failed.
pub fn encode(
    vals: &[i64],
    valid: Option<&[bool]>,
    out: &mut ArrayViewMut2<'_, u8>,
    p: &EncodeParams,
) -> KResult<Vec<bool>> {
    let n = vals.len();
    if !matches!(p.width, 2 | 4 | 8) {
        return value_err("binary encode: 2, 4 or 8 bytes");
    }
    check_rows_mut(out, p.width, n)?;
    if matches!(valid, Some(v) if v.len() != n) {
        return value_err("binary encode: validity length differs from the values");
    }
    let mut failed = vec![false; n];
    let w = p.width;
    for_rows_mut(out, |i, row| {
        let v = vals[i];
        let fail = (v as i128) > p.max_pos || (v as i128) < -p.max_neg;
        let ok = valid.is_none_or(|x| x[i]);
        if !ok || fail {
            failed[i] = fail && ok;
            row.fill(p.fill);
            return;
        }
        let b = v.to_le_bytes();
        if p.little {
            row[..w].copy_from_slice(&b[..w]);
        } else {
            for k in 0..w {
                row[k] = b[w - 1 - k];
            }
        }
    })?;
    Ok(failed)
}
