//! COMP-1 / COMP-2 decoding, the rules of `legacyio.codecs.floating.FloatCodec.decode`: IBM
//! hexadecimal floats (always big-endian) rounded once to the target precision (COMP-1 values
//! beyond float32's range are invalid), IEEE floats copied in their byte order.

use numpy::ndarray::ArrayView2;

use crate::common::{check_rows, for_rows, value_err, Decoded, Invalid, KResult, Values};

/// 2**k as f64, exactly (k within the normal exponent range).
#[inline(always)]
fn pow2(k: i32) -> f64 {
    debug_assert!((-1022..=1023).contains(&k));
    f64::from_bits(((k + 1023) as u64) << 52)
}

pub fn decode(m: &ArrayView2<'_, u8>, width: usize, ibm: bool, little: bool) -> KResult<Decoded> {
    if width != 4 && width != 8 {
        return value_err("floats are 4 or 8 bytes");
    }
    check_rows(m, Some(width))?;
    let n = m.nrows();
    let mut inv = Invalid::new(n);
    let values = if width == 8 {
        let mut out = vec![0f64; n];
        for_rows(m, |i, r| {
            let mut b = [0u8; 8];
            b.copy_from_slice(&r[..8]);
            out[i] = if !ibm {
                if little {
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
        })?;
        Values::F64(out)
    } else {
        let mut out = vec![0f32; n];
        for_rows(m, |i, r| {
            let mut b = [0u8; 4];
            b.copy_from_slice(&r[..4]);
            out[i] = if !ibm {
                if little {
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
                    inv.mark(i, true);
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
        })?;
        Values::F32(out)
    };
    Ok(Decoded {
        values,
        invalid: inv,
        vouched: false,
    })
}
