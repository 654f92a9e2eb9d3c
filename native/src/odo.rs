//! The nested OCCURS DEPENDING ON walk of `legacyio.plan.nested.NestedWalker` (layouts
//! without REDEFINES, one 01 record), interpreted from a small program the Python side
//! compiles once per layout. Two uses: `chain` finds the lengths of records stored back to
//! back (ODO framing), `expand` moves each stored record into the maximum layout.
//!
//! The program is a flat `i64` sequence of operations, run with a cursor `c` (the byte of
//! the stored record) and a `shift` (added to the maximum-layout offsets of a table element):
//!
//! * `RUN x ln`: the next `ln` stored bytes go to maximum-layout bytes `x + shift ..`;
//! * `OBJ k`: the DEPENDING ON object `k` starts at `c` (its value is read when a table
//!   needs it);
//! * `TAB k max lut lw es bl <bl words>`: a table of `max` elements (`k` < 0) or of as many
//!   as object `k` says (`luts[lut + value of its lw bytes]`, already clamped to 0..max and
//!   0 where invalid; 0 when the object was not seen or does not fit in the row); element
//!   `j` runs the `bl` words that follow with `shift + j * es`.

pub const RUN: i64 = 0;
pub const OBJ: i64 = 1;
pub const TAB: i64 = 2;

pub struct Prog<'a> {
    pub ops: &'a [i64],
    pub luts: &'a [i64],
    pub nobj: usize,
}

fn bad(msg: &str) -> String {
    format!("malformed ODO program: {msg}")
}

impl Prog<'_> {
    /// Check every operation's operands once, so the walk itself cannot index out of range
    /// (it still uses checked indexing: a mistake panics, never reads stray memory).
    pub fn validate(&self) -> Result<(), String> {
        self.check(self.ops)
    }

    fn check(&self, ops: &[i64]) -> Result<(), String> {
        let mut i = 0;
        while i < ops.len() {
            match ops[i] {
                RUN => {
                    if i + 3 > ops.len() || ops[i + 2] < 0 {
                        return Err(bad("RUN"));
                    }
                    i += 3;
                }
                OBJ => {
                    if i + 2 > ops.len() || ops[i + 1] < 0 || ops[i + 1] as usize >= self.nobj {
                        return Err(bad("OBJ"));
                    }
                    i += 2;
                }
                TAB => {
                    if i + 7 > ops.len() {
                        return Err(bad("TAB"));
                    }
                    let (k, max, lut, lw, es, bl) = (
                        ops[i + 1],
                        ops[i + 2],
                        ops[i + 3],
                        ops[i + 4],
                        ops[i + 5],
                        ops[i + 6],
                    );
                    if max < 0 || es < 0 || bl < 0 || i + 7 + bl as usize > ops.len() {
                        return Err(bad("TAB bounds"));
                    }
                    if k >= 0 {
                        if k as usize >= self.nobj || !(lw == 1 || lw == 2) || lut < 0 {
                            return Err(bad("TAB count"));
                        }
                        if lut as usize + (1usize << (8 * lw)) > self.luts.len() {
                            return Err(bad("TAB table"));
                        }
                    }
                    self.check(&ops[i + 7..i + 7 + bl as usize])?;
                    i += 7 + bl as usize;
                }
                _ => return Err(bad("unknown operation")),
            }
        }
        Ok(())
    }

    /// Walk one record: `row` holds its bytes (counts are read only inside it), `emit(c, x,
    /// ln)` receives each run. Returns the stored length (the cursor at the end).
    pub fn walk<F: FnMut(i64, i64, i64)>(&self, row: &[u8], seen: &mut [i64], emit: &mut F) -> i64 {
        seen.iter_mut().for_each(|s| *s = -1);
        let mut c = 0i64;
        self.seq(self.ops, row, seen, &mut c, 0, emit);
        c
    }

    fn seq<F: FnMut(i64, i64, i64)>(
        &self,
        ops: &[i64],
        row: &[u8],
        seen: &mut [i64],
        c: &mut i64,
        shift: i64,
        emit: &mut F,
    ) {
        let mut i = 0;
        while i < ops.len() {
            match ops[i] {
                RUN => {
                    let ln = ops[i + 2];
                    emit(*c, ops[i + 1] + shift, ln);
                    *c += ln;
                    i += 3;
                }
                OBJ => {
                    seen[ops[i + 1] as usize] = *c;
                    i += 2;
                }
                _ => {
                    let (k, max, es, bl) = (ops[i + 1], ops[i + 2], ops[i + 5], ops[i + 6]);
                    let n = if k < 0 {
                        max
                    } else {
                        let s = seen[k as usize];
                        let lw = ops[i + 4];
                        if s >= 0 && s + lw <= row.len() as i64 {
                            let s = s as usize;
                            let key = if lw == 1 {
                                row[s] as usize
                            } else {
                                ((row[s] as usize) << 8) | row[s + 1] as usize
                            };
                            self.luts[ops[i + 3] as usize + key]
                        } else {
                            0
                        }
                    };
                    let body = &ops[i + 7..i + 7 + bl as usize];
                    for j in 0..n {
                        self.seq(body, row, seen, c, shift + j * es, emit);
                    }
                    i += 7 + bl as usize;
                }
            }
        }
    }
}

/// Lengths of records back to back from `buf[0]`, each walked over its first `pl` bytes:
/// at most `limit`, up to the first length below 1 (included) or the last record whose
/// `pl`-byte prefix fits in `buf` (start <= `last`).
pub fn chain(prog: &Prog<'_>, buf: &[u8], pl: usize, last: i64, limit: usize) -> Vec<i64> {
    let mut out = Vec::new();
    let mut seen = vec![-1i64; prog.nobj];
    let mut p = 0i64;
    while out.len() < limit && p <= last {
        let start = p as usize;
        let row = &buf[start..(start + pl).min(buf.len())];
        let length = prog.walk(row, &mut seen, &mut |_, _, _| {});
        out.push(length);
        if length < 1 {
            break;
        }
        p += length;
    }
    out
}

/// One stored record (`row`, `length` bytes of it real) into its maximum-layout row `dst`
/// (already padded); returns how many bytes of the layout it really has.
fn expand_row(
    prog: &Prog<'_>,
    row: &[u8],
    length: i64,
    dst: &mut [u8],
    seen: &mut [i64],
) -> Result<i64, String> {
    let wi = dst.len() as i64;
    let size = length.min(row.len() as i64);
    let mut av = wi;
    let mut err = None;
    let end = prog.walk(row, seen, &mut |c, x, ln| {
        let take = (size - c).clamp(0, ln);
        if take < ln && av == wi {
            av = x + take;
        }
        if take > 0 {
            if x < 0 || x + take > wi {
                err = Some(format!("a run ends past the layout ({} > {wi})", x + take));
                return;
            }
            let (c, x, t) = (c as usize, x as usize, take as usize);
            dst[x..x + t].copy_from_slice(&row[c..c + t]);
        }
    });
    if let Some(e) = err {
        return Err(e);
    }
    if length > end && av == wi {
        av = wi + 1;
    }
    Ok(av)
}

/// Stored records (`n` rows of `w` bytes, `lengths[r]` of them real) -> the maximum layout
/// (`width` bytes a row, `pad` where nothing is stored) and, per record, how many bytes of
/// the layout it really has (`width` complete, `width + 1` bytes left past its counts).
pub fn expand(
    prog: &Prog<'_>,
    mat: &[u8],
    n: usize,
    w: usize,
    lengths: &[i64],
    width: usize,
    pad: u8,
) -> Result<(Vec<u8>, Vec<i64>), String> {
    let mut out = vec![pad; n * width];
    let mut avail = vec![width as i64; n];
    let mut seen = vec![-1i64; prog.nobj];
    for r in 0..n {
        let dst = &mut out[r * width..(r + 1) * width];
        avail[r] = expand_row(prog, &mat[r * w..(r + 1) * w], lengths[r], dst, &mut seen)?;
    }
    Ok((out, avail))
}

/// `expand` of the records straight from the buffer they were framed in (record `r` is
/// `buf[starts[r]..]`, `lengths[r]` bytes): each row is first made what the framer's padded
/// record matrix holds (its bytes up to `width` and the buffer's end, then `pad`), so counts
/// read past a record's end see the same bytes.
pub fn expand_frames(
    prog: &Prog<'_>,
    buf: &[u8],
    starts: &[i64],
    lengths: &[i64],
    width: usize,
    pad: u8,
) -> Result<(Vec<u8>, Vec<i64>), String> {
    let n = starts.len();
    let mut out = vec![pad; n * width];
    let mut avail = vec![width as i64; n];
    let mut seen = vec![-1i64; prog.nobj];
    let mut row = vec![pad; width];
    let mut dirty = 0usize;
    for r in 0..n {
        let start = starts[r].max(0) as usize;
        let room = buf.len().saturating_sub(start);
        let take = (lengths[r].max(0) as usize).min(width).min(room);
        row[..take].copy_from_slice(&buf[start..start + take]);
        if dirty > take {
            row[take..dirty].fill(pad);
        }
        dirty = take;
        let dst = &mut out[r * width..(r + 1) * width];
        avail[r] = expand_row(prog, &row, lengths[r], dst, &mut seen)?;
    }
    Ok((out, avail))
}
