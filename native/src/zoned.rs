//! Zoned decimal (USAGE DISPLAY numeric), both directions, the same rules as
//! `legacyio.codecs.zoned.ZonedCodec`: digits in the low nibble under the file's digit zone,
//! an embedded sign looked up in the codec's sign table (the zone of the last or first digit)
//! or a separate sign byte, spaces before the first digit read as zeros, anything else makes
//! the row invalid. Canonical-form vouching as in `ZonedCodec._vouch`.

use numpy::ndarray::{ArrayView2, ArrayViewMut2};

use crate::common::{
    check_rows_mut, for_rows_mut, num, pow10_i64, pow10_u128, run_column, value_err, Column,
    Dec128, Decoded, Invalid, KResult, Kind, Output, Store,
};
use crate::swar;

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

impl Vouch {
    pub fn from_code(code: u8) -> Vouch {
        match code {
            1 => Vouch::SeparateSigned,
            2 => Vouch::EmbeddedUnsigned,
            3 => Vouch::EmbeddedSigned,
            _ => Vouch::None,
        }
    }
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
    p: DecodeParams,
    kind: Kind,
) -> KResult<Decoded> {
    num(run_column(m, column(p, width, kind, m.nrows())?)?)
}

/// The decoder of one zoned field for `n` values.
pub fn column(p: DecodeParams, width: usize, kind: Kind, n: usize) -> KResult<Box<dyn Column>> {
    p.check(width)?;
    Ok(match kind {
        Kind::Int32 => Box::new(ZonedCol::<Vec<i32>>::new(p, width, n)),
        Kind::Int64 => Box::new(ZonedCol::<Vec<i64>>::new(p, width, n)),
        Kind::Decimal128 => Box::new(ZonedCol::<Dec128>::new(p, width, n)),
        Kind::UInt64 => return value_err("zoned: no uint64 output"),
    })
}

struct ZonedCol<S: Store> {
    p: DecodeParams,
    width: usize,
    out: S,
    inv: Invalid,
    any_slow: bool,
    vouch_ok: bool,
    wide: bool,
    scale_i64: i64,
    scale_u128: u128,
    /// the digit zone has a zero low nibble: digits are checked eight at a time
    swar: bool,
    zrep: u64,
}

impl<S: Store> ZonedCol<S> {
    fn new(p: DecodeParams, width: usize, n: usize) -> Self {
        ZonedCol {
            out: S::with_len(n),
            inv: Invalid::new(n),
            any_slow: false,
            vouch_ok: p.vouch != Vouch::None,
            wide: p.digits + p.mult as usize > 18,
            scale_i64: pow10_i64(p.mult),
            scale_u128: pow10_u128(p.mult),
            swar: p.zone & 0x0F == 0,
            zrep: (p.zone as u64) * swar::ONES,
            width,
            p,
        }
    }

    #[inline(always)]
    fn vouch(&mut self, bad: bool, neg: bool, nonzero: bool, digs: &[u8]) {
        let p = &self.p;
        self.vouch_ok = !bad
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
}

impl<S: Store> Column for ZonedCol<S> {
    fn width(&self) -> usize {
        self.width
    }

    fn finish(self: Box<Self>) -> KResult<Output> {
        Ok(Output::Num(Decoded {
            values: self.out.into_values(),
            invalid: self.inv,
            vouched: self.vouch_ok && !self.any_slow,
        }))
    }

    #[inline(always)]
    fn row(&mut self, i: usize, r: &[u8]) {
        let nd = self.p.digits;
        let ds = self.p.dig_start;
        let digs = &r[ds..ds + nd];
        let mut neg = false;
        let mut bad = false;
        let mut sc = 0u8;
        if let Some(e) = self.p.emb {
            sc = self.p.sign_lut[digs[e] as usize];
            bad |= sc == SBAD;
            neg = sc >= NEG;
        }
        if let Some(s) = self.p.sep {
            let sb = r[s];
            neg = sb == self.p.minus;
            bad |= !neg && sb != self.p.plus;
        }
        if self.swar && !self.wide {
            // the common case: every byte zone + digit (the sign's digit under the zone)
            let emb_byte = if sc != SBAD && sc & 0x0F <= 9 {
                self.p.zone | (sc & 0x0F)
            } else {
                0xFF
            };
            if let Some(v) = swar::zoned_value(digs, self.p.emb, emb_byte, self.zrep) {
                let v = v as i64;
                let nonzero = v != 0;
                let v = v.wrapping_mul(self.scale_i64);
                self.out
                    .set(i, if neg && !bad { v.wrapping_neg() } else { v } as i128);
                self.inv.mark(i, bad);
                if self.vouch_ok {
                    self.vouch(bad, neg, nonzero, digs);
                }
                return;
            }
        }
        let p = &self.p;
        let mut d = [0u8; MAX_DIGITS];
        let d = &mut d[..nd];
        for (x, &b) in d.iter_mut().zip(digs) {
            *x = b.wrapping_sub(p.zone);
        }
        if let Some(e) = p.emb {
            d[e] = sc & 0x0F;
        }
        let slow = d.iter().any(|&x| x > 9);
        if slow {
            // leading spaces (zeros) or bad bytes: the digit table, spaces only as a prefix
            self.any_slow = true;
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
        if !self.wide {
            let mut v: i64 = 0;
            for &x in d.iter() {
                v = v * 10 + x as i64;
            }
            nonzero = v != 0;
            v = v.wrapping_mul(self.scale_i64);
            let v = if neg && !bad { -v } else { v };
            self.out.set(i, v as i128);
        } else {
            let mut v: u128 = 0;
            for &x in d.iter() {
                v = v * 10 + x as u128;
            }
            nonzero = v != 0;
            let v = (v * self.scale_u128) as i128;
            self.out
                .set(i, if neg && !bad { v.wrapping_neg() } else { v });
        }
        self.inv.mark(i, bad);
        if self.vouch_ok {
            self.vouch(bad, neg, nonzero, digs);
        }
    }
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
    vals: &impl Fn(usize) -> i128,
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
        // two digits per division, from the right
        let mut x = m as u64;
        let mut k = out.len();
        while k >= 2 {
            let q = x / 100;
            let r = (x - q * 100) as u8;
            out[k - 1] = zone | (r % 10);
            out[k - 2] = zone | (r / 10);
            x = q;
            k -= 2;
        }
        if k == 1 {
            out[0] = zone | (x % 10) as u8;
        }
    } else {
        let mut x = m;
        for b in out.iter_mut().rev() {
            *b = zone | (x % 10) as u8;
            x /= 10;
        }
    }
}
