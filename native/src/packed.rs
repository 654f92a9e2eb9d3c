//! Packed decimal (COMP-3, and packed without a sign nibble), both directions, the rules of
//! `legacyio.codecs.packed.PackedCodec`: two digits a byte, the last nibble the sign (C/A/E/F
//! positive, D/B negative; unsigned fields: D/B invalid), an even digit count's pad nibble 0.

use numpy::ndarray::{ArrayView2, ArrayViewMut2};

use crate::common::{
    check_rows_mut, for_rows_mut, num, pow10_i64, pow10_u128, run_column, value_err, Column,
    Dec128, Decoded, Invalid, KResult, Kind, Output, Store,
};
use crate::swar;

pub const MAX_DIGITS: usize = 38;

pub struct Params {
    pub digits: usize,
    pub pad: usize,
    pub has_sign: bool,
    pub signed: bool,
    pub mult: u32,
}

impl Params {
    fn check(&self, width: usize) -> KResult<()> {
        let nib = 2 * width - usize::from(self.has_sign);
        if width == 0 || self.pad > 1 || nib != self.digits + self.pad {
            return value_err(format!(
                "packed: {} digits do not fill {width} bytes",
                self.digits
            ));
        }
        if self.digits + self.mult as usize > MAX_DIGITS {
            return value_err("packed: more than 38 digits");
        }
        Ok(())
    }
    #[inline(always)]
    fn sign_ok(&self, sg: u8) -> bool {
        matches!(sg, 0xA | 0xC | 0xE | 0xF) || (self.signed && matches!(sg, 0xB | 0xD))
    }
}

pub fn decode(m: &ArrayView2<'_, u8>, width: usize, p: Params, kind: Kind) -> KResult<Decoded> {
    num(run_column(m, column(p, width, kind, m.nrows())?)?)
}

/// The decoder of one packed field for `n` values.
pub fn column(p: Params, width: usize, kind: Kind, n: usize) -> KResult<Box<dyn Column>> {
    p.check(width)?;
    Ok(match kind {
        Kind::Int32 => Box::new(PackedCol::<Vec<i32>>::new(p, width, n)),
        Kind::Int64 => Box::new(PackedCol::<Vec<i64>>::new(p, width, n)),
        Kind::Decimal128 => Box::new(PackedCol::<Dec128>::new(p, width, n)),
        Kind::UInt64 => return value_err("packed: no uint64 output"),
    })
}

struct PackedCol<S: Store> {
    p: Params,
    width: usize,
    /// the bytes that hold two digits (the last one holds a digit and the sign)
    full: usize,
    out: S,
    inv: Invalid,
    vouch_ok: bool,
    wide: bool,
    scale_i64: i64,
    scale_u128: u128,
}

impl<S: Store> PackedCol<S> {
    fn new(p: Params, width: usize, n: usize) -> Self {
        PackedCol {
            full: if p.has_sign { width - 1 } else { width },
            out: S::with_len(n),
            inv: Invalid::new(n),
            vouch_ok: true,
            wide: p.digits + p.mult as usize > 18,
            scale_i64: pow10_i64(p.mult),
            scale_u128: pow10_u128(p.mult),
            width,
            p,
        }
    }
}

impl<S: Store> Column for PackedCol<S> {
    fn width(&self) -> usize {
        self.width
    }

    fn finish(self: Box<Self>) -> KResult<Output> {
        Ok(Output::Num(Decoded {
            values: self.out.into_values(),
            invalid: self.inv,
            vouched: self.vouch_ok,
        }))
    }

    #[inline(always)]
    fn row(&mut self, i: usize, r: &[u8]) {
        let p = &self.p;
        let width = self.width;
        let mut bad = false;
        let mut neg = false;
        let mut sg = 0u8;
        if p.has_sign {
            sg = r[width - 1] & 0x0F;
            bad |= !p.sign_ok(sg);
            neg = p.signed && matches!(sg, 0xB | 0xD);
        }
        if p.pad == 1 {
            bad |= r[0] >> 4 != 0;
        }
        let nonzero;
        if !self.wide {
            // two digits a byte, eight bytes at a time
            let (mut acc, ok) = swar::packed_pairs(&r[..self.full]);
            let mut digit_bad = !ok;
            if p.has_sign {
                let hi = r[width - 1] >> 4;
                digit_bad |= hi > 9;
                acc = acc.wrapping_mul(10).wrapping_add(hi as u64);
            }
            let acc = acc as i64;
            bad |= digit_bad;
            nonzero = acc != 0;
            let v = acc.wrapping_mul(self.scale_i64);
            self.out
                .set(i, if neg && !bad { v.wrapping_neg() } else { v } as i128);
        } else {
            // digit nibbles pad .. pad + digits; a bad nibble counts as 0
            let mut acc: u128 = 0;
            for k in p.pad..p.pad + p.digits {
                let b = r[k / 2];
                let x = if k % 2 == 0 { b >> 4 } else { b & 0x0F };
                let x = if x > 9 {
                    bad = true;
                    0
                } else {
                    x
                };
                acc = acc * 10 + x as u128;
            }
            nonzero = acc != 0;
            let v = (acc * self.scale_u128) as i128;
            self.out
                .set(i, if neg && !bad { v.wrapping_neg() } else { v });
        }
        self.inv.mark(i, bad);
        if self.vouch_ok {
            self.vouch_ok = !bad
                && (!p.has_sign
                    || if p.signed {
                        sg == 0x0C || (sg == 0x0D && nonzero)
                    } else {
                        sg == 0x0F
                    });
        }
    }
}

pub struct EncodeParams {
    pub digits: usize,
    pub pad: usize,
    pub has_sign: bool,
    pub signed: bool,
    pub pos_nibble: u8,
    pub truncate: bool,
    pub fill: u8,
}

/// Canonical packed bytes (sign C/D, unsigned F) of unscaled values into `out`.
pub fn encode(
    vals: &impl Fn(usize) -> i128,
    valid: Option<&[bool]>,
    out: &mut ArrayViewMut2<'_, u8>,
    width: usize,
    p: &EncodeParams,
) -> KResult<Vec<bool>> {
    let n = out.nrows();
    check_rows_mut(out, width, n)?;
    let nib = 2 * width - usize::from(p.has_sign);
    if width == 0 || p.pad > 1 || nib != p.digits + p.pad || p.digits > MAX_DIGITS {
        return value_err("packed encode: bad digit layout");
    }
    if matches!(valid, Some(v) if v.len() != n) {
        return value_err("packed encode: validity length differs from the values");
    }
    let lim = pow10_u128(p.digits as u32);
    let mut failed = vec![false; n];
    for_rows_mut(out, |i, row| {
        if !valid.is_none_or(|v| v[i]) {
            row.fill(p.fill);
            return;
        }
        let v = vals(i);
        let mag = v.unsigned_abs();
        let over = mag >= lim;
        let m = if over { mag % lim } else { mag };
        let neg = v < 0 && m != 0;
        let fail = (over && !p.truncate) || (neg && !p.signed);
        failed[i] = fail;
        if fail {
            row.fill(p.fill);
            return;
        }
        // nibbles from the right: the sign (if any), then the digits, then zeros
        let mut pos = 2 * width; // nibble index one past the last
        row.fill(0);
        let put = |row: &mut [u8], k: usize, x: u8| {
            if k.is_multiple_of(2) {
                row[k / 2] |= x << 4;
            } else {
                row[k / 2] |= x;
            }
        };
        if p.has_sign {
            pos -= 1;
            put(row, pos, if neg { 0x0D } else { p.pos_nibble });
        }
        if m <= u64::MAX as u128 {
            let mut x = m as u64;
            // one digit to reach a byte boundary, then two digits a byte (a digit below 10
            // leaves a pad nibble 0, as the zero fill did)
            if pos % 2 == 1 && x != 0 {
                pos -= 1;
                put(row, pos, (x % 10) as u8);
                x /= 10;
            }
            while x != 0 && pos >= 2 {
                let q = x / 100;
                let r = (x - q * 100) as u8;
                pos -= 2;
                row[pos / 2] = ((r / 10) << 4) | (r % 10);
                x = q;
            }
        } else {
            let mut x = m;
            while x != 0 && pos > 0 {
                pos -= 1;
                put(row, pos, (x % 10) as u8);
                x /= 10;
            }
        }
    })?;
    Ok(failed)
}
