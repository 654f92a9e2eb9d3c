//! Alphanumeric text, both directions, the rules of `legacyio.codecs.text.TextCodec`:
//! single-byte code pages through the page's 256-entry table (each byte to the UTF-8 bytes of
//! its code point), spaces (the bytes that decode to U+0020) trimmed per policy; a `utf-8`
//! file encoding keeps the bytes, a row that is not well-formed UTF-8 is null. Encoding maps
//! each character through the page's 65,536-entry inverse table, pads with the page's space
//! and reports rows that are too long (unless truncating) or hold an unmappable character.

use std::sync::Arc;

use numpy::ndarray::ArrayView2;

use crate::common::{run_column, value_err, Column, Invalid, KResult, Output};
use crate::swar;

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

/// The tables of a single-byte code page: `utf8[b]` holds the UTF-8 bytes of byte b's code
/// point (`lens[b]` of them), `space[b]` whether it decodes to U+0020.
pub struct Sbcs {
    pub utf8: [[u8; 4]; 256],
    pub lens: [u8; 256],
    pub space: [bool; 256],
}

/// Single-byte code page: every row translated, trimmed, non-ASCII characters expanded.
pub fn decode_sbcs(m: &ArrayView2<'_, u8>, page: Sbcs, trim: Trim) -> KResult<Strings> {
    strs(run_column(m, sbcs_column(page, trim, m.ncols(), m.nrows())))
}

/// `utf-8` file encoding: the bytes as they are, spaces (X'20') trimmed, rows that are not
/// well-formed UTF-8 null.
pub fn decode_utf8(m: &ArrayView2<'_, u8>, trim: Trim) -> KResult<Strings> {
    strs(run_column(m, utf8_column(trim, m.ncols(), m.nrows())))
}

fn strs(o: KResult<Output>) -> KResult<Strings> {
    match o? {
        Output::Str(s) => Ok(s),
        Output::Num(_) | Output::Raw(_) => value_err("internal: a text kernel returned numbers"),
    }
}

/// A page's tables with what the decoder derives from them, built once per page and shared
/// by every text column of a batch (a wide layout has hundreds: one copy each, 1.8 KB apiece,
/// pushed the columns' state out of the caches).
pub struct SbcsPage {
    page: Sbcs,
    /// ASCII characters as themselves, any other as a 0x80 marker: a row is translated in one
    /// table pass and only rows with a marker take the UTF-8 path
    lut1: [u8; 256],
    /// spaces are found in the translated row (X'20') when exactly the page's spaces become
    /// X'20' (always, for tables made from the page's decode table)
    spaces_ok: bool,
}

impl SbcsPage {
    pub fn new(page: Sbcs) -> Arc<SbcsPage> {
        let lut1: [u8; 256] = std::array::from_fn(|b| {
            if page.lens[b] == 1 {
                page.utf8[b][0]
            } else {
                0x80
            }
        });
        let spaces_ok = (0..256).all(|b| page.space[b] == (lut1[b] == 0x20));
        Arc::new(SbcsPage {
            page,
            lut1,
            spaces_ok,
        })
    }
}

pub fn sbcs_column(page: Sbcs, trim: Trim, width: usize, n: usize) -> Box<dyn Column> {
    sbcs_column_shared(SbcsPage::new(page), trim, width, n)
}

pub fn sbcs_column_shared(
    page: Arc<SbcsPage>,
    trim: Trim,
    width: usize,
    n: usize,
) -> Box<dyn Column> {
    let mut offsets = Vec::with_capacity(n + 1);
    offsets.push(0i32);
    Box::new(SbcsCol {
        page,
        trim,
        width,
        offsets,
        data: vec![0u8; n * width + 8],
        pos: 0,
        err: false,
    })
}

struct SbcsCol {
    page: Arc<SbcsPage>,
    trim: Trim,
    width: usize,
    offsets: Vec<i32>,
    /// the string bytes, written in place up to `pos` (grown when UTF-8 expands a row)
    data: Vec<u8>,
    pos: usize,
    err: bool,
}

impl Column for SbcsCol {
    fn width(&self) -> usize {
        self.width
    }

    fn finish(self: Box<Self>) -> KResult<Output> {
        if self.err {
            return value_err("text column exceeds 2 GiB in one batch; use smaller batches");
        }
        let mut data = self.data;
        data.truncate(self.pos);
        Ok(Output::Str(Strings {
            offsets: self.offsets,
            data,
            invalid: Invalid::new(0),
        }))
    }

    #[inline(always)]
    fn row(&mut self, _i: usize, r: &[u8]) {
        let w = r.len();
        let pos = self.pos;
        if self.data.len() < pos + 4 * w {
            let grow = (pos + 4 * w).max(2 * self.data.len());
            self.data.resize(grow, 0);
        }
        let pg = &*self.page;
        let dst = &mut self.data[pos..pos + w];
        // the OR of the translated row says whether it has a non-ASCII marker (trimmed
        // spaces are X'20', below the marker): no second pass over the kept bytes
        let mut any = 0u8;
        for (d, &b) in dst.iter_mut().zip(r) {
            let t = pg.lut1[b as usize];
            *d = t;
            any |= t;
        }
        let (s, e) = if pg.spaces_ok {
            let e = if self.trim.right {
                swar::rtrim_spaces(dst)
            } else {
                w
            };
            let s = if self.trim.left {
                swar::ltrim_spaces(&dst[..e])
            } else {
                0
            };
            (s, e)
        } else {
            let space = &pg.page.space;
            bounds(r, self.trim, |b| space[b as usize])
        };
        let end = if any < 0x80 || swar::or_bytes(&dst[s..e]) < 0x80 {
            if s > 0 {
                self.data.copy_within(pos + s..pos + e, pos);
            }
            pos + e - s
        } else {
            let mut k = pos;
            for &b in &r[s..e] {
                let l = pg.page.lens[b as usize] as usize;
                self.data[k..k + l].copy_from_slice(&pg.page.utf8[b as usize][..l]);
                k += l;
            }
            k
        };
        self.pos = end;
        if end > i32::MAX as usize {
            self.err = true;
        }
        self.offsets.push(end as i32);
    }
}

pub fn utf8_column(trim: Trim, width: usize, n: usize) -> Box<dyn Column> {
    let mut offsets = Vec::with_capacity(n + 1);
    offsets.push(0i32);
    Box::new(Utf8Col {
        trim,
        width,
        offsets,
        data: Vec::with_capacity(n * width),
        inv: Invalid::new(n),
        err: false,
    })
}

struct Utf8Col {
    trim: Trim,
    width: usize,
    offsets: Vec<i32>,
    data: Vec<u8>,
    inv: Invalid,
    err: bool,
}

impl Column for Utf8Col {
    fn width(&self) -> usize {
        self.width
    }

    fn finish(self: Box<Self>) -> KResult<Output> {
        if self.err {
            return value_err("text column exceeds 2 GiB in one batch; use smaller batches");
        }
        Ok(Output::Str(Strings {
            offsets: self.offsets,
            data: self.data,
            invalid: self.inv,
        }))
    }

    fn row(&mut self, i: usize, r: &[u8]) {
        let ok = r.is_ascii() || std::str::from_utf8(r).is_ok();
        self.inv.mark(i, !ok);
        if ok {
            let (s, e) = bounds(r, self.trim, |b| b == 0x20);
            self.data.extend_from_slice(&r[s..e]);
        }
        if self.data.len() > i32::MAX as usize {
            self.err = true;
        }
        self.offsets.push(self.data.len() as i32);
    }
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
