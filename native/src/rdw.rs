//! The RDW record finder of `legacyio.framing.rdw.RdwFramer._run`: frame consecutive
//! records (a 4-byte record descriptor word before each) from `pos` up to `end`.

/// Why a run stopped: more input is needed, an invalid RDW, or the record limit.
pub const NEED: u8 = 0;
pub const BAD: u8 = 1;
pub const LIMIT: u8 = 2;

pub struct Run {
    pub starts: Vec<i64>,
    pub lengths: Vec<i64>,
    pub pos: usize,
    pub status: u8,
}

/// Frame up to `limit` records of `buf[pos..end]`. Big-endian RDWs are `LL LL 00 00`;
/// little-endian ones `00 00 ll LL` or `ll LL 00 00` (both halves nonzero is invalid). The
/// stored length plus `adjust` is the frame length, which must be at least `min_frame`.
/// Every header read is bounds-checked against `end` (itself clamped to the buffer).
pub fn run(
    buf: &[u8],
    mut pos: usize,
    end: usize,
    limit: usize,
    big: bool,
    adjust: i64,
    min_frame: i64,
) -> Run {
    let end = end.min(buf.len());
    let mut starts = Vec::new();
    let mut lengths = Vec::new();
    let mut status = LIMIT;
    while starts.len() < limit {
        if pos + 4 > end {
            status = NEED;
            break;
        }
        let (b0, b1, b2, b3) = (buf[pos], buf[pos + 1], buf[pos + 2], buf[pos + 3]);
        let f = if big {
            if b2 != 0 || b3 != 0 {
                status = BAD;
                break;
            }
            (u16::from_be_bytes([b0, b1]) as i64) + adjust
        } else {
            let lo = u16::from_le_bytes([b0, b1]);
            let hi = u16::from_le_bytes([b2, b3]);
            if lo != 0 && hi != 0 {
                status = BAD;
                break;
            }
            (if lo != 0 { lo } else { hi }) as i64 + adjust
        };
        if f < min_frame {
            status = BAD;
            break;
        }
        // f >= min_frame >= 4 > 0 here, so the cast is exact
        let f = f as usize;
        if pos + f > end {
            status = NEED;
            break;
        }
        starts.push(pos as i64);
        lengths.push(f as i64);
        pos += f;
    }
    Run {
        starts,
        lengths,
        pos,
        status,
    }
}
