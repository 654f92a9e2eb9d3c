//! COMP-1 / COMP-2 decoding, the rules of `legacyio.codecs.floating.FloatCodec.decode`: IBM
//! hexadecimal floats (always big-endian) rounded once to the target precision (COMP-1 values
//! beyond float32's range are invalid), IEEE floats copied in their byte order.

use numpy::ndarray::ArrayView2;

use crate::common::{
    num, run_column, value_err, Column, Decoded, Invalid, KResult, Output, Values,
};

/// 2**k as f64, exactly (k within the normal exponent range).
#[inline(always)]
fn pow2(k: i32) -> f64 {
    debug_assert!((-1022..=1023).contains(&k));
    f64::from_bits(((k + 1023) as u64) << 52)
}

pub fn decode(m: &ArrayView2<'_, u8>, width: usize, ibm: bool, little: bool) -> KResult<Decoded> {
    num(run_column(m, column(width, ibm, little, m.nrows())?)?)
}

/// The decoder of one COMP-1 / COMP-2 field for `n` values.
pub fn column(width: usize, ibm: bool, little: bool, n: usize) -> KResult<Box<dyn Column>> {
    Ok(match width {
        8 => Box::new(F64Col {
            ibm,
            little,
            out: vec![0f64; n],
        }),
        4 => Box::new(F32Col {
            ibm,
            little,
            out: vec![0f32; n],
            inv: Invalid::new(n),
        }),
        _ => return value_err("floats are 4 or 8 bytes"),
    })
}

struct F64Col {
    ibm: bool,
    little: bool,
    out: Vec<f64>,
}

impl Column for F64Col {
    fn width(&self) -> usize {
        8
    }

    fn finish(self: Box<Self>) -> KResult<Output> {
        let n = self.out.len();
        Ok(Output::Num(Decoded {
            values: Values::F64(self.out),
            invalid: Invalid::new(n),
            vouched: false,
        }))
    }

    #[inline(always)]
    fn row(&mut self, i: usize, r: &[u8]) {
        let mut b = [0u8; 8];
        b.copy_from_slice(&r[..8]);
        self.out[i] = if !self.ibm {
            if self.little {
                f64::from_le_bytes(b)
            } else {
                f64::from_be_bytes(b)
            }
        } else {
            let u = u64::from_be_bytes(b);
            let exp = ((u >> 56) & 0x7F) as i32;
            let frac = u & ((1u64 << 56) - 1);
            // two exact halves; their sum is the single rounding to 53 bits
            let f = ((frac >> 32) as f64) * 4294967296.0 + ((frac & 0xFFFF_FFFF) as f64);
            let v = f * pow2(4 * (exp - 64) - 56);
            if u >> 63 != 0 {
                -v
            } else {
                v
            }
        };
    }
}

struct F32Col {
    ibm: bool,
    little: bool,
    out: Vec<f32>,
    inv: Invalid,
}

impl Column for F32Col {
    fn width(&self) -> usize {
        4
    }

    fn finish(self: Box<Self>) -> KResult<Output> {
        Ok(Output::Num(Decoded {
            values: Values::F32(self.out),
            invalid: self.inv,
            vouched: false,
        }))
    }

    #[inline(always)]
    fn row(&mut self, i: usize, r: &[u8]) {
        let mut b = [0u8; 4];
        b.copy_from_slice(&r[..4]);
        self.out[i] = if !self.ibm {
            if self.little {
                f32::from_le_bytes(b)
            } else {
                f32::from_be_bytes(b)
            }
        } else {
            let u = u32::from_be_bytes(b);
            let exp = ((u >> 24) & 0x7F) as i32;
            // exact in float64, then one rounding to float32
            let v = ((u & 0xFF_FFFF) as f64 * pow2(4 * (exp - 64) - 24)) as f32;
            let v = if v.is_infinite() {
                self.inv.mark(i, true);
                0.0
            } else {
                v
            };
            if u >> 31 != 0 {
                -v
            } else {
                v
            }
        };
    }
}
