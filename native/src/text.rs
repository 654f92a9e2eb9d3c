//! Alphanumeric text, both directions, the rules of `legacyio.codecs.text.TextCodec`:
//! single-byte code pages through the page's 256-entry table (each byte to the UTF-8 bytes of
//! its code point), spaces (the bytes that decode to U+0020) trimmed per policy; a `utf-8`
//! file encoding keeps the bytes, a row that is not well-formed UTF-8 is null. Encoding maps
//! each character through the page's 65,536-entry inverse table, pads with the page's space
//! and reports rows that are too long (unless truncating) or hold an unmappable character.

use numpy::ndarray::ArrayView2;

use crate::common::{check_rows, for_rows, value_err, Invalid, KResult};

#[derive(Clone, Copy)]
pub struct Trim {
    pub left: bool,
    pub right: bool,
}

impl Trim {
    pub fn from_code(code: u8) -> KResult<Trim> {
        match code {
            0 => Ok(Trim {
                left: false,
                right: true,
            }),
            1 => Ok(Trim {
                left: true,
                right: false,
            }),
            2 => Ok(Trim {
                left: true,
                right: true,
            }),
            3 => Ok(Trim {
                left: false,
                right: false,
            }),
            _ => value_err(format!("unknown trim code {code}")),
        }
    }
}

pub struct Strings {
    pub offsets: Vec<i32>,
    pub data: Vec<u8>,
    pub invalid: Invalid,
}

/// [start, end) of a row after trimming the bytes for which `is_space` holds.
#[inline(always)]
fn bounds(r: &[u8], trim: Trim, is_space: impl Fn(u8) -> bool) -> (usize, usize) {
    let mut s = 0;
    let mut e = r.len();
    if trim.right {
        while e > 0 && is_space(r[e - 1]) {
            e -= 1;
        }
    }
    if trim.left {
        while s < e && is_space(r[s]) {
            s += 1;
        }
    }
    (s, e)
}

fn push_offset(offsets: &mut Vec<i32>, len: usize) -> KResult<()> {
    if len > i32::MAX as usize {
        return value_err("text column exceeds 2 GiB in one batch; use smaller batches");
    }
    offsets.push(len as i32);
    Ok(())
}

/// Single-byte code page: `utf8[b]` holds the UTF-8 bytes of byte b's code point (`lens[b]`
/// of them), `space[b]` whether it decodes to U+0020.
pub fn decode_sbcs(
    m: &ArrayView2<'_, u8>,
    utf8: &[[u8; 4]; 256],
    lens: &[u8; 256],
    space: &[bool; 256],
    trim: Trim,
) -> KResult<Strings> {
    check_rows(m, None)?;
    let n = m.nrows();
    let mut offsets = Vec::with_capacity(n + 1);
    offsets.push(0i32);
    let mut data: Vec<u8> = Vec::with_capacity(n * m.ncols());
    // ASCII characters as themselves, any other as a 0x80 marker: a row is translated in one
    // table pass and only rows whose OR of bytes shows a marker take the UTF-8 path
    let lut1: [u8; 256] = std::array::from_fn(|b| if lens[b] == 1 { utf8[b][0] } else { 0x80 });
    let mut err = Ok(());
    for_rows(m, |_, r| {
        let (s, e) = bounds(r, trim, |b| space[b as usize]);
        let row = &r[s..e];
        let start = data.len();
        data.extend(row.iter().map(|&b| lut1[b as usize]));
        if data[start..].iter().fold(0u8, |a, &x| a | x) >= 0x80 {
            data.truncate(start);
            for &b in row {
                let l = lens[b as usize] as usize;
                data.extend_from_slice(&utf8[b as usize][..l]);
            }
        }
        if err.is_ok() {
            err = push_offset(&mut offsets, data.len());
        }
    })?;
    err?;
    Ok(Strings {
        offsets,
        data,
        invalid: Invalid::new(0),
    })
}

/// `utf-8` file encoding: the bytes as they are, spaces (X'20') trimmed, rows that are not
/// well-formed UTF-8 null.
pub fn decode_utf8(m: &ArrayView2<'_, u8>, trim: Trim) -> KResult<Strings> {
    check_rows(m, None)?;
    let n = m.nrows();
    let mut offsets = Vec::with_capacity(n + 1);
    offsets.push(0i32);
    let mut data: Vec<u8> = Vec::with_capacity(n * m.ncols());
    let mut inv = Invalid::new(n);
    let mut err = Ok(());
    for_rows(m, |i, r| {
        let ok = r.is_ascii() || std::str::from_utf8(r).is_ok();
        inv.mark(i, !ok);
        if ok {
            let (s, e) = bounds(r, trim, |b| b == 0x20);
            data.extend_from_slice(&r[s..e]);
        }
        if err.is_ok() {
            err = push_offset(&mut offsets, data.len());
        }
    })?;
    err?;
    Ok(Strings {
        offsets,
        data,
        invalid: inv,
    })
}

pub struct EncodeParams<'a> {
    pub width: usize,
    pub justified: bool,
    pub truncate: bool,
    pub space: u8,
    /// byte of each BMP code point, -1 where the page has none (single-byte pages); None for
    /// the `utf-8` file encoding
    pub table: Option<&'a [i16]>,
}

/// Encode a string array given as Arrow offsets (n + 1, into `data`), data and validity to
/// an `(n, width)` matrix (row-major `Vec`) and the failed rows.
pub fn encode(
    offsets: &[i32],
    data: &[u8],
    valid: Option<&[bool]>,
    p: &EncodeParams<'_>,
) -> KResult<(Vec<u8>, Vec<bool>)> {
    if offsets.is_empty() {
        return value_err("text encode: offsets must have n + 1 entries");
    }
    let n = offsets.len() - 1;
    if matches!(valid, Some(v) if v.len() != n) {
        return value_err("text encode: validity length differs from the values");
    }
    if matches!(p.table, Some(t) if t.len() != 0x10000) {
        return value_err("text encode: the code page table must have 65536 entries");
    }
    let w = p.width;
    let mut out = vec![p.space; n * w];
    let mut failed = vec![false; n];
    if w == 0 {
        return Ok((out, failed));
    }
    for (i, (row, fail)) in out.chunks_exact_mut(w).zip(failed.iter_mut()).enumerate() {
        if !valid.is_none_or(|v| v[i]) {
            continue;
        }
        let (a, b) = (offsets[i], offsets[i + 1]);
        if a < 0 || b < a || b as usize > data.len() {
            return value_err(format!("text encode: row {i} has offsets outside the data"));
        }
        let s = &data[a as usize..b as usize];
        *fail = match p.table {
            Some(table) => encode_sbcs_row(row, s, table, p)?,
            None => encode_utf8_row(row, s, p),
        };
    }
    Ok((out, failed))
}

fn encode_sbcs_row(row: &mut [u8], s: &[u8], table: &[i16], p: &EncodeParams<'_>) -> KResult<bool> {
    let w = row.len();
    let mut unmappable = false;
    let mut put = |k: usize, code: i16| {
        if code < 0 {
            unmappable = true; // the row keeps a space there
        } else {
            row[k] = code as u8;
        }
    };
    let over;
    if s.is_ascii() {
        let len = s.len();
        over = len > w;
        let count = len.min(w);
        let src = if p.justified {
            &s[len - count..]
        } else {
            &s[..count]
        };
        let dst = if p.justified { w - count } else { 0 };
        for (k, &c) in src.iter().enumerate() {
            put(dst + k, table[c as usize]);
        }
    } else {
        let text = match std::str::from_utf8(s) {
            Ok(t) => t,
            Err(_) => return value_err("text encode: a value is not valid UTF-8"),
        };
        let nchars = text.chars().count();
        over = nchars > w;
        let count = nchars.min(w);
        let skip = if p.justified { nchars - count } else { 0 };
        let dst = if p.justified { w - count } else { 0 };
        for (k, ch) in text.chars().skip(skip).take(count).enumerate() {
            let cp = ch as u32;
            put(dst + k, if cp < 0x10000 { table[cp as usize] } else { -1 });
        }
    }
    Ok((over && !p.truncate) || unmappable)
}

fn encode_utf8_row(row: &mut [u8], s: &[u8], p: &EncodeParams<'_>) -> bool {
    let w = row.len();
    let len = s.len();
    let over = len > w;
    let cont = |b: u8| b & 0xC0 == 0x80;
    if p.justified {
        // the last bytes, starting on a character boundary
        let mut b = len.saturating_sub(w);
        while over && b < len && cont(s[b]) {
            b += 1;
        }
        let src = &s[b..];
        row[w - src.len()..].copy_from_slice(src);
    } else {
        let mut k = len.min(w);
        while over && k > 0 && cont(s[k]) {
            k -= 1;
        }
        row[..k].copy_from_slice(&s[..k]);
    }
    over && !p.truncate
}
