//! Zoned decimal (USAGE DISPLAY numeric), both directions, the same rules as
//! `legacyio.codecs.zoned.ZonedCodec`: digits in the low nibble under the file's digit zone,
//! an embedded sign looked up in the codec's sign table (the zone of the last or first digit)
//! or a separate sign byte, spaces before the first digit read as zeros, anything else makes
//! the row invalid. Canonical-form vouching as in `ZonedCodec._vouch`.

use numpy::ndarray::{ArrayView2, ArrayViewMut2};

use crate::common::{
    check_rows, check_rows_mut, for_rows, for_rows_mut, pow10_i64, pow10_u128, value_err, Dec128,
    Decoded, Invalid, KResult, Kind, Store,
};

const SPACE: u8 = 10;
const SBAD: u8 = 255;
const NEG: u8 = 16;
pub const MAX_DIGITS: usize = 38;

/// How the batch may be vouched for (None for ASCII files and unsigned separate signs).
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Vouch {
    None,
    SeparateSigned,
    EmbeddedUnsigned,
    EmbeddedSigned,
}

pub struct DecodeParams {
    pub body_lut: [u8; 256],
    pub sign_lut: [u8; 256],
    pub zone: u8,
    pub dig_start: usize,
    pub digits: usize,
    pub emb: Option<usize>,
    pub sep: Option<usize>,
    pub plus: u8,
    pub minus: u8,
    pub mult: u32,
    pub vouch: Vouch,
}

impl DecodeParams {
    fn check(&self, width: usize) -> KResult<()> {
        if self.digits == 0
            || self.digits > MAX_DIGITS
            || self.digits + self.mult as usize > MAX_DIGITS
        {
            return value_err(format!(
                "zoned: {} digits (scale factor {}) not supported",
                self.digits, self.mult
            ));
        }
        if self.dig_start + self.digits > width {
            return value_err("zoned: digits run past the field");
        }
        if matches!(self.emb, Some(e) if e >= self.digits)
            || matches!(self.sep, Some(s) if s >= width)
        {
            return value_err("zoned: sign position outside the field");
        }
        Ok(())
    }
}

pub fn decode(
    m: &ArrayView2<'_, u8>,
    width: usize,
    p: &DecodeParams,
    kind: Kind,
) -> KResult<Decoded> {
    check_rows(m, Some(width))?;
    p.check(width)?;
    match kind {
        Kind::Int32 => decode_into::<Vec<i32>>(m, p),
        Kind::Int64 => decode_into::<Vec<i64>>(m, p),
        Kind::Decimal128 => decode_into::<Dec128>(m, p),
        Kind::UInt64 => value_err("zoned: no uint64 output"),
    }
}

fn decode_into<S: Store>(m: &ArrayView2<'_, u8>, p: &DecodeParams) -> KResult<Decoded> {
    let n = m.nrows();
    let mut out = S::with_len(n);
    let mut inv = Invalid::new(n);
    let mut any_slow = false;
    let mut vouch_ok = p.vouch != Vouch::None;
    let wide = p.digits + p.mult as usize > 18;
    let scale_i64 = pow10_i64(p.mult);
    let scale_u128 = pow10_u128(p.mult);
    let nd = p.digits;
    let mut d = [0u8; MAX_DIGITS];
    for_rows(m, |i, r| {
        let digs = &r[p.dig_start..p.dig_start + nd];
        let d = &mut d[..nd];
        for (x, &b) in d.iter_mut().zip(digs) {
            *x = b.wrapping_sub(p.zone);
        }
        let mut neg = false;
        let mut bad = false;
        if let Some(e) = p.emb {
            let sc = p.sign_lut[digs[e] as usize];
            bad |= sc == SBAD;
            neg = sc >= NEG;
            d[e] = sc & 0x0F;
        }
        if let Some(s) = p.sep {
            let sb = r[s];
            neg = sb == p.minus;
            bad |= !neg && sb != p.plus;
        }
        let slow = d.iter().any(|&x| x > 9);
        if slow {
            // leading spaces (zeros) or bad bytes: the digit table, spaces only as a prefix
            any_slow = true;
            let mut rbad = false;
            let mut prev_space = false;
            for j in 0..nd {
                let mut s = if p.emb == Some(j) {
                    d[j]
                } else {
                    p.body_lut[digs[j] as usize]
                };
                let space = s == SPACE;
                rbad |= s > 9 && !space;
                rbad |= j >= 1 && space && !prev_space;
                prev_space = space;
                if s > 9 {
                    s = 0;
                }
                d[j] = s;
            }
            rbad |= prev_space;
            bad |= rbad;
        }
        let nonzero;
        if !wide {
            let mut v: i64 = 0;
            for &x in d.iter() {
                v = v * 10 + x as i64;
            }
            nonzero = v != 0;
            v = v.wrapping_mul(scale_i64);
            let v = if neg && !bad { -v } else { v };
            out.set(i, v as i128);
        } else {
            let mut v: u128 = 0;
            for &x in d.iter() {
                v = v * 10 + x as u128;
            }
            nonzero = v != 0;
            let v = (v * scale_u128) as i128;
            out.set(i, if neg && !bad { v.wrapping_neg() } else { v });
        }
        inv.mark(i, bad);
        if vouch_ok {
            vouch_ok = !bad
                && match p.vouch {
                    Vouch::None => false,
                    Vouch::SeparateSigned => !neg || nonzero,
                    Vouch::EmbeddedUnsigned => digs[p.emb.unwrap_or(0)] >> 4 == 0x0F,
                    Vouch::EmbeddedSigned => {
                        let z = digs[p.emb.unwrap_or(0)] >> 4;
                        z == 0x0C || (z == 0x0D && nonzero)
                    }
                };
        }
    })?;
    Ok(Decoded {
        values: out.into_values(),
        invalid: inv,
        vouched: vouch_ok && !any_slow,
    })
}

pub struct EncodeParams {
    pub zone: u8,
    pub dig_start: usize,
    pub digits: usize,
    pub emb: Option<usize>,
    pub sep: Option<usize>,
    pub pos_out: [u8; 10],
    pub neg_out: [u8; 10],
    pub plus: u8,
    pub minus: u8,
    pub signed: bool,
    pub truncate: bool,
    pub fill: u8,
}

/// Canonical zoned bytes of unscaled values into `out` (null and failed rows get `fill`);
/// returns the failed rows: more digits than the field (unless truncating), or a negative
/// value in an unsigned field.
pub fn encode(
    vals: &dyn Fn(usize) -> i128,
    valid: Option<&[bool]>,
    out: &mut ArrayViewMut2<'_, u8>,
    width: usize,
    p: &EncodeParams,
) -> KResult<Vec<bool>> {
    let n = out.nrows();
    check_rows_mut(out, width, n)?;
    if p.digits == 0 || p.digits > MAX_DIGITS || p.dig_start + p.digits > width {
        return value_err("zoned encode: bad digit layout");
    }
    if matches!(p.emb, Some(e) if e >= p.digits) || matches!(p.sep, Some(s) if s >= width) {
        return value_err("zoned encode: sign position outside the field");
    }
    if matches!(valid, Some(v) if v.len() != n) {
        return value_err("zoned encode: validity length differs from the values");
    }
    let lim = pow10_u128(p.digits as u32);
    let mut failed = vec![false; n];
    for_rows_mut(out, |i, row| {
        let ok = valid.is_none_or(|v| v[i]);
        if !ok {
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
        let body = &mut row[p.dig_start..p.dig_start + p.digits];
        put_digits(body, m, p.zone);
        if let Some(e) = p.emb {
            let dig = (body[e] & 0x0F) as usize;
            body[e] = if neg { p.neg_out[dig] } else { p.pos_out[dig] };
        }
        if let Some(s) = p.sep {
            row[s] = if neg { p.minus } else { p.plus };
        }
    })?;
    Ok(failed)
}

/// The decimal digits of `m` (which has at most `out.len()` digits), most significant first,
/// each ORed with `zone`.
#[inline]
pub fn put_digits(out: &mut [u8], m: u128, zone: u8) {
    if m <= u64::MAX as u128 {
        let mut x = m as u64;
        for b in out.iter_mut().rev() {
            *b = zone | (x % 10) as u8;
            x /= 10;
        }
    } else {
        let mut x = m;
        for b in out.iter_mut().rev() {
            *b = zone | (x % 10) as u8;
            x /= 10;
        }
    }
}
