//! Binary integers (COMP / COMP-4 / BINARY, COMP-5, POINTER, INDEX) of 2, 4 or 8 bytes in
//! either byte order, the rules of `legacyio.codecs.binary.BinaryCodec` for scale >= 0: a
//! BINARY value whose magnitude reaches 10**digits is invalid (TRUNC(STD)); COMP-5 keeps the
//! full range of its bytes.

use numpy::ndarray::{ArrayView2, ArrayViewMut2};

use crate::common::{
    check_rows, check_rows_mut, for_rows, for_rows_mut, value_err, Dec128, Decoded, Invalid,
    KResult, Kind, Store,
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

    /// The stored integer of one row (sign-extended when signed).
    #[inline(always)]
    pub fn read(&self, r: &[u8]) -> i128 {
        let mut buf = [0u8; 8];
        let w = self.width;
        if self.little {
            buf[..w].copy_from_slice(&r[..w]);
        } else {
            for k in 0..w {
                buf[k] = r[w - 1 - k];
            }
        }
        let u = u64::from_le_bytes(buf);
        if self.signed {
            let shift = 64 - 8 * w as u32;
            (((u << shift) as i64) >> shift) as i128
        } else {
            u as i128
        }
    }
}

pub fn decode(m: &ArrayView2<'_, u8>, p: &Params, kind: Kind) -> KResult<Decoded> {
    p.check()?;
    check_rows(m, Some(p.width))?;
    match kind {
        Kind::Int32 => decode_into::<Vec<i32>>(m, p),
        Kind::Int64 => decode_into::<Vec<i64>>(m, p),
        Kind::UInt64 => decode_into::<Vec<u64>>(m, p),
        Kind::Decimal128 => decode_into::<Dec128>(m, p),
    }
}

fn decode_into<S: Store>(m: &ArrayView2<'_, u8>, p: &Params) -> KResult<Decoded> {
    let n = m.nrows();
    let mut out = S::with_len(n);
    let mut inv = Invalid::new(n);
    let lim = p.limit.map(|l| l as i128);
    for_rows(m, |i, r| {
        let v = p.read(r);
        out.set(i, v);
        let bad = match lim {
            Some(l) => v >= l || (p.signed && v <= -l),
            None => false,
        };
        inv.mark(i, bad);
    })?;
    let vouched = inv.count == 0;
    Ok(Decoded {
        values: out.into_values(),
        invalid: inv,
        vouched,
    })
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
