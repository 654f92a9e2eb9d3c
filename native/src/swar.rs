//! Eight bytes at a time ("SIMD within a register"): loads of up to 8 bytes as a u64, checks
//! that every byte is a decimal digit (0-9) and conversions of eight digit lanes (or eight
//! packed bytes = sixteen digits) to their value with three multiplies. Lane 0 is the first
//! byte in memory (little-endian loads), which holds the most significant digit.

pub const LO: u64 = 0x0F0F_0F0F_0F0F_0F0F;
pub const HI: u64 = 0xF0F0_F0F0_F0F0_F0F0;
pub const SIX: u64 = 0x0606_0606_0606_0606;
pub const ONES: u64 = 0x0101_0101_0101_0101;
pub const SPACES: u64 = 0x2020_2020_2020_2020;

/// 10**k for k <= 19.
pub const POW10: [u64; 20] = {
    let mut t = [1u64; 20];
    let mut i = 1;
    while i < 20 {
        t[i] = t[i - 1] * 10;
        i += 1;
    }
    t
};

/// The bytes of `s` (at most 8) in lanes 0..len, zero above: overlapping fixed-size loads
/// instead of a byte loop (every slice index is checked).
#[inline(always)]
pub fn load_le(s: &[u8]) -> u64 {
    let n = s.len();
    debug_assert!(n <= 8);
    if n == 8 {
        u64::from_le_bytes([s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7]])
    } else if n >= 4 {
        let lo = u32::from_le_bytes([s[0], s[1], s[2], s[3]]) as u64;
        let hi = u32::from_le_bytes([s[n - 4], s[n - 3], s[n - 2], s[n - 1]]) as u64;
        lo | (hi << (8 * (n - 4)))
    } else if n >= 2 {
        let lo = u16::from_le_bytes([s[0], s[1]]) as u64;
        let hi = u16::from_le_bytes([s[n - 2], s[n - 1]]) as u64;
        lo | (hi << (8 * (n - 2)))
    } else if n == 1 {
        s[0] as u64
    } else {
        0
    }
}

/// Lanes 0..len set (len 0..=8).
#[inline(always)]
pub fn lane_mask(len: usize) -> u64 {
    if len >= 8 {
        u64::MAX
    } else {
        (1u64 << (8 * len)) - 1
    }
}

/// Nonzero when some lane of `y` is not 0..=9.
#[inline(always)]
pub fn not_digits(y: u64) -> u64 {
    (y & HI) | (y.wrapping_add(SIX) & HI)
}

/// The value of eight digit lanes (each 0..=9), lane 0 the most significant.
#[inline(always)]
pub fn eight_digits(y: u64) -> u64 {
    // lane k := 10 * d_k + d_(k+1); keep even lanes: four 2-digit numbers in 16-bit lanes
    let y = (y.wrapping_mul(10 * 256 + 1) >> 8) & 0x00FF_00FF_00FF_00FF;
    // 16-bit lane k := 100 * a_k + a_(k+1); keep even: two 4-digit numbers in 32-bit lanes
    let y = (y.wrapping_mul(100 * 65536 + 1) >> 16) & 0x0000_FFFF_0000_FFFF;
    // 10,000 * b_0 + b_1
    y.wrapping_mul(10_000 * (1u64 << 32) + 1) >> 32
}

/// The value of eight byte lanes each holding 0..=165 (a packed byte's 10 * hi + lo), lane 0
/// the most significant, as base-100 digits (wrapping like a byte-by-byte Horner in u64).
#[inline(always)]
pub fn eight_centi(v: u64) -> u64 {
    let even = v & 0x00FF_00FF_00FF_00FF;
    let odd = (v >> 8) & 0x00FF_00FF_00FF_00FF;
    let v16 = even * 100 + odd; // each 16-bit lane <= 16,665: no carry between lanes
    let even = v16 & 0x0000_FFFF_0000_FFFF;
    let odd = (v16 >> 16) & 0x0000_FFFF_0000_FFFF;
    let v32 = even * 10_000 + odd; // each 32-bit lane < 2**32
    (v32 & 0xFFFF_FFFF)
        .wrapping_mul(100_000_000)
        .wrapping_add(v32 >> 32)
}

/// Zoned digits (`digs`, at most 19 bytes of which the value fits u64) under the zone byte
/// repeated in `zrep` (its low nibbles zero): the value, or None when some byte is not
/// zone + digit. Byte `emb` is taken as `emb_byte` (the embedded sign's digit under the zone).
#[inline(always)]
pub fn zoned_value(digs: &[u8], emb: Option<usize>, emb_byte: u8, zrep: u64) -> Option<u64> {
    let nd = digs.len();
    let mut len = nd % 8;
    if len == 0 {
        len = 8;
    }
    let mut pos = 0;
    let mut acc = 0u64;
    let mut bad = 0u64;
    while pos < nd {
        let mut x = load_le(&digs[pos..pos + len]);
        if let Some(e) = emb {
            if e >= pos && e < pos + len {
                x ^= ((digs[e] ^ emb_byte) as u64) << (8 * (e - pos));
            }
        }
        // digits right-aligned: the lanes below are zero, i.e. leading zero digits
        let y = ((x ^ zrep) & lane_mask(len)) << (8 * (8 - len));
        bad |= not_digits(y);
        acc = acc.wrapping_mul(POW10[len]).wrapping_add(eight_digits(y));
        pos += len;
        len = 8;
    }
    if bad == 0 {
        Some(acc)
    } else {
        None
    }
}

/// Packed bytes holding two digits each (`full`, no sign nibble): Horner over base-100
/// "digits" 10 * hi + lo (wrapping in u64), and whether every nibble was 0..=9.
#[inline(always)]
pub fn packed_pairs(full: &[u8]) -> (u64, bool) {
    let nb = full.len();
    let mut len = nb % 8;
    if len == 0 {
        len = 8;
    }
    let mut pos = 0;
    let mut acc = 0u64;
    let mut bad = 0u64;
    while pos < nb {
        let x = load_le(&full[pos..pos + len]) << (8 * (8 - len));
        let hi = (x >> 4) & LO;
        let lo = x & LO;
        bad |= (hi.wrapping_add(SIX) | lo.wrapping_add(SIX)) & HI;
        let v = hi * 10 + lo; // lanes <= 165
        acc = acc
            .wrapping_mul(POW10[2 * len])
            .wrapping_add(eight_centi(v));
        pos += len;
        len = 8;
    }
    (acc, bad == 0)
}

/// OR of all bytes of `s`.
#[inline(always)]
pub fn or_bytes(s: &[u8]) -> u8 {
    let mut chunks = s.chunks_exact(8);
    let mut acc = 0u64;
    for c in &mut chunks {
        acc |= u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
    }
    let mut b = 0u8;
    for &x in chunks.remainder() {
        b |= x;
    }
    b | acc.to_le_bytes().iter().fold(0, |a, &x| a | x)
}

/// Length of `s` without its trailing X'20' bytes, eight at a time.
#[inline(always)]
pub fn rtrim_spaces(s: &[u8]) -> usize {
    let mut e = s.len();
    while e >= 8 {
        let c = &s[e - 8..e];
        let x = u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]) ^ SPACES;
        if x != 0 {
            // the highest nonzero lane is the last byte that is not a space
            return e - (x.leading_zeros() / 8) as usize;
        }
        e -= 8;
    }
    while e > 0 && s[e - 1] == 0x20 {
        e -= 1;
    }
    e
}

/// Count of leading X'20' bytes of `s`, eight at a time.
#[inline(always)]
pub fn ltrim_spaces(s: &[u8]) -> usize {
    let mut b = 0;
    while b + 8 <= s.len() {
        let c = &s[b..b + 8];
        let x = u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]) ^ SPACES;
        if x != 0 {
            return b + (x.trailing_zeros() / 8) as usize;
        }
        b += 8;
    }
    while b < s.len() && s[b] == 0x20 {
        b += 1;
    }
    b
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits() {
        for s in [
            "0",
            "7",
            "12",
            "123",
            "98765",
            "1234567",
            "12345678",
            "000000001",
        ] {
            let digs: Vec<u8> = s.bytes().map(|b| b - b'0' + 0xF0).collect();
            let v = zoned_value(&digs, None, 0, 0xF0 * ONES).unwrap();
            assert_eq!(v, s.parse::<u64>().unwrap());
        }
        let bad = [0xF1u8, 0xC2, 0xF3];
        assert!(zoned_value(&bad, None, 0, 0xF0 * ONES).is_none());
        assert_eq!(zoned_value(&bad, Some(1), 0xF2, 0xF0 * ONES), Some(123));
    }

    #[test]
    fn packed() {
        let (v, ok) = packed_pairs(&[0x12, 0x34, 0x56, 0x78, 0x90, 0x12, 0x34, 0x56, 0x78]);
        assert!(ok);
        assert_eq!(v, 123456789012345678);
        let (_, ok) = packed_pairs(&[0x1A]);
        assert!(!ok);
    }

    #[test]
    fn trims() {
        assert_eq!(rtrim_spaces(b"abc        "), 3);
        assert_eq!(rtrim_spaces(b"abcdefghij k         "), 12);
        assert_eq!(rtrim_spaces(b"          "), 0);
        assert_eq!(ltrim_spaces(b"          x"), 10);
        assert_eq!(ltrim_spaces(b"   "), 3);
    }
}
