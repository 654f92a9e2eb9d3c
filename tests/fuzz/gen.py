"""Random copybooks for fuzzing: a small grammar of data entries (every usage, OCCURS, ODO,
REDEFINES, SIGN, SYNC, 88 levels) rendered as fixed-format text, plus mutations of that text
(characters dropped, duplicated or replaced, tokens swapped in from a hostile vocabulary)."""

from __future__ import annotations

from hypothesis import strategies as st

PICS_TEXT = ["X", "X(3)", "X(8)", "A(2)", "XX9X", "XXBXX", "N(2)", "G(2)"]
PICS_NUM = ["9", "9(3)", "S9(4)", "S9(5)V99", "9(18)", "S9(19)", "S9(37)", "9(3)PP", "SVP99"]
PICS_EDIT = ["ZZ9.99", "+9(4)", "$$,$$9.99CR", "S9(3).99", "ZZZ9-", "***9.99"]
USAGES = ["", "DISPLAY", "COMP", "COMP-3", "COMP-5", "BINARY", "PACKED-DECIMAL", "COMP-6"]
HOSTILE = [
    "OCCURS 999999999",
    "OCCURS 99999999999999999999",
    "PIC 9(99999)",
    "PIC X(999999999)",
    "PIC S9(77)",
    "PIC X(134217727)",
    "OCCURS 0 DEPENDING ON N",
    "OCCURS 1 TO 5 DEPENDING ON N",
    "REDEFINES A",
    "COPY NOSUCH.",
    "VALUE X'G1'",
    "VALUE 'unterminated",
    "\udcff",
    "\x00",
    "(",
    ")",
    "..",
    "66 R RENAMES A THRU B.",
    "88 C VALUE 1 THRU 9.",
    "SYNC",
    "SIGN LEADING SEPARATE",
    "01 R.",
    "77 S PIC 9.",
    "COMP-1",
    "COMP-2",
    "JUSTIFIED RIGHT",
    "BLANK WHEN ZERO",
    "INDEXED BY I",
    ">>SOURCE FORMAT FREE",
    "*> comment",
    "-",
    "99",
    "49",
    "50",
]


@st.composite
def elementary(draw, name: str, level: int) -> str:
    kind = draw(st.sampled_from(["text", "num", "edit", "float"]))
    if kind == "float":
        return f"{level:02d} {name} {draw(st.sampled_from(['COMP-1', 'COMP-2']))}"
    if kind == "text":
        return f"{level:02d} {name} PIC {draw(st.sampled_from(PICS_TEXT))}"
    if kind == "edit":
        return f"{level:02d} {name} PIC {draw(st.sampled_from(PICS_EDIT))}"
    pic = draw(st.sampled_from(PICS_NUM))
    usage = draw(st.sampled_from(USAGES))
    if usage == "COMP-6" and pic.startswith("S"):
        usage = "COMP-3"
    extra = ""
    if not usage and draw(st.booleans()):
        extra = draw(st.sampled_from([" SIGN LEADING", " SIGN TRAILING SEPARATE"]))
    if usage in ("COMP", "BINARY", "COMP-5") and draw(st.booleans()):
        extra = " SYNC"
    return f"{level:02d} {name} PIC {pic}{(' ' + usage) if usage else ''}{extra}"


@st.composite
def copybooks(draw, odo: bool | None = None) -> str:
    """A plausible copybook: one or two 01 records of up to 12 items, nested groups, OCCURS,
    ODO tables (also nested), REDEFINES and 88 levels."""
    lines: list[str] = []
    counter = [0]

    def new_name(prefix: str = "F") -> str:
        counter[0] += 1
        return f"{prefix}{counter[0]}"

    want_odo = draw(st.booleans()) if odo is None else odo
    records = draw(st.integers(1, 2))
    for r in range(records):
        lines.append(f"01 REC{r}.")
        counts: list[str] = []
        if want_odo:
            cnt = new_name("CNT")
            lines.append(f"   05 {cnt} PIC 9.")
            counts.append(cnt)

        def group(level: int, depth: int, counts: list[str] = counts) -> None:
            n = draw(st.integers(1, 4))
            prev = None
            for _ in range(n):
                name = new_name()
                occurs = ""
                if draw(st.integers(0, 4)) == 0:
                    occurs = f" OCCURS {draw(st.integers(1, 3))}"
                elif counts and draw(st.integers(0, 3)) == 0:
                    occurs = f" OCCURS 0 TO {draw(st.integers(1, 3))} DEPENDING ON {counts[-1]}"
                redef = ""
                if prev and not occurs and draw(st.integers(0, 5)) == 0:
                    redef = f" REDEFINES {prev}"
                if depth < 3 and draw(st.integers(0, 3)) == 0:
                    lines.append(f"{' ' * depth}{level:02d} {name}{redef}{occurs}.")
                    if want_odo and draw(st.booleans()):
                        cnt = new_name("CNT")
                        lines.append(f"{' ' * depth} {level + 5:02d} {cnt} PIC 9.")
                        counts.append(cnt)
                        group(level + 5, depth + 1)
                        counts.pop()
                    else:
                        group(level + 5, depth + 1)
                else:
                    lines.append(f"{' ' * depth}{draw(elementary(name, level))}{redef}{occurs}.")
                    if draw(st.integers(0, 6)) == 0:
                        lines.append(f"{' ' * depth}   88 {new_name('C')} VALUE 1.")
                prev = None if redef or occurs else name

        group(5, 1)
    return "".join(f"       {ln}\n" for ln in lines)


@st.composite
def mutated(draw, text: str) -> str:
    """``text`` with a few random edits."""
    s = text
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["drop", "dup", "replace", "insert", "truncate", "swapline"]))
        if not s:
            break
        i = draw(st.integers(0, len(s) - 1))
        j = min(len(s), i + draw(st.integers(1, 12)))
        if op == "drop":
            s = s[:i] + s[j:]
        elif op == "dup":
            s = s[:j] + s[i:j] + s[j:]
        elif op == "replace":
            s = s[:i] + draw(st.characters(codec="utf-8")) + s[i + 1 :]
        elif op == "insert":
            s = s[:i] + " " + draw(st.sampled_from(HOSTILE)) + " " + s[i:]
        elif op == "truncate":
            s = s[:i]
        else:
            lines = s.split("\n")
            a = draw(st.integers(0, len(lines) - 1))
            b = draw(st.integers(0, len(lines) - 1))
            lines[a], lines[b] = lines[b], lines[a]
            s = "\n".join(lines)
    return s


def marked(data: bytes, codepage: str = "cp037") -> bytes:
    """``data`` with the marker planted every 97 bytes (it must never be printed)."""
    from .harness import MARKER

    mark = MARKER.encode(codepage)
    out = bytearray(data)
    for at in range(0, max(0, len(out) - len(mark)), 97):
        out[at : at + len(mark)] = mark
    return bytes(out)


# ---- segmented layouts, short records, RDW conventions (issues 12 and 17) ---------------------
SEG_IDS = ("A", "B", "C")


@st.composite
def segmented_copybooks(draw) -> tuple[str, dict, int]:
    """A copybook whose 01 record holds a segment-id field and 2-3 REDEFINES alternatives of
    one area (segments), each with fields, groups and fixed OCCURS (elementary and of
    groups), optionally fields before and after the area; plus the FileFormat keywords
    that select the segments by the id, and the id's byte offset."""
    counter = [0]

    def name(prefix: str = "F") -> str:
        counter[0] += 1
        return f"{prefix}{counter[0]}"

    lines = ["01 REC."]
    seg_offset = 0
    if draw(st.booleans()):
        lines.append(f"   05 {name()} PIC 9(2).")
        seg_offset = 2
    lines.append("   05 SEG-ID PIC X.")
    alts = draw(st.integers(2, 3))
    segs = []
    base = None
    for a in range(alts):
        seg = f"SEG-{SEG_IDS[a]}"
        segs.append((SEG_IDS[a], seg))
        lines.append(f"   05 {seg}{'' if base is None else ' REDEFINES ' + base}.")
        base = base or seg
        for _ in range(draw(st.integers(1, 3))):
            kind = draw(st.sampled_from(["field", "occurs", "group-occurs", "group"]))
            if kind == "field":
                lines.append(draw(elementary(name(), 10)) + ".")
            elif kind == "occurs":
                lines.append(draw(elementary(name(), 10)) + f" OCCURS {draw(st.integers(1, 3))}.")
            else:
                occ = f" OCCURS {draw(st.integers(1, 2))}" if kind == "group-occurs" else ""
                lines.append(f"      10 {name('G')}{occ}.")
                for _ in range(draw(st.integers(1, 2))):
                    lines.append("   " + draw(elementary(name(), 15)) + ".")
    if draw(st.booleans()):
        lines.append(f"   05 {name()} PIC X(2).")
    text = "".join(f"       {ln}\n" for ln in lines)
    return text, {"segment_field": "SEG-ID", "segments": tuple(segs)}, seg_offset


@st.composite
def segmented_data(draw, layout, segment_offset: int) -> bytes:
    """Records of ``layout`` (fixed length): digits, spaces or random bytes, each with a
    segment id (mostly a known one, sometimes an unknown one) at ``segment_offset``."""
    w = layout.record_length
    out = []
    for _ in range(draw(st.integers(1, 5))):
        style = draw(st.sampled_from(["digits", "spaces", "random"]))
        if style == "digits":
            rec = bytearray(draw(st.binary(min_size=w, max_size=w)))
            rec = bytearray((0xF0 + b % 10) if b % 5 else b for b in rec)
        elif style == "spaces":
            rec = bytearray(b"\x40" * w)
        else:
            rec = bytearray(draw(st.binary(min_size=w, max_size=w)))
        sid = draw(st.sampled_from([*SEG_IDS, "A", "B", "Z"]))
        rec[segment_offset] = sid.encode("cp037")[0]
        out.append(bytes(rec))
    return b"".join(out)


def rdw_header(length: int, byteorder: str, adjustment: int, where: int) -> bytes:
    """An RDW or BDW holding ``length`` (frame length with the header) minus ``adjustment``;
    a little-endian length sits in the first two bytes or (``where``) the last two."""
    v = max(0, length - adjustment) & 0xFFFF
    if byteorder == "big":
        return v.to_bytes(2, "big") + b"\0\0"
    le = v.to_bytes(2, "little")
    return le + b"\0\0" if where == 0 else b"\0\0" + le


@st.composite
def rdw_files(draw, payloads) -> tuple[bytes, dict]:
    """V or VB bytes of the records ``payloads`` draws, with random RDW conventions (byte
    order, RDW/BDW adjustment, little-endian length in either half), garbage inserted, a cut
    last record, and sometimes reader options that name another convention than the file's;
    returns the bytes and the reading keywords (lenient framing)."""
    fmt = draw(st.sampled_from(["V", "VB"]))
    byteorder = draw(st.sampled_from(["big", "little"]))
    adjustment = draw(st.sampled_from([0, 4, -4, 2]))
    bdw_adjustment = draw(st.sampled_from([0, 4]))
    records = []
    for _ in range(draw(st.integers(0, 6))):
        body = draw(payloads)
        where = draw(st.integers(0, 1))
        records.append(rdw_header(len(body) + 4, byteorder, adjustment, where) + body)
    if fmt == "VB":
        blocks, i = [], 0
        while i < len(records):
            k = draw(st.integers(1, 3))
            body = b"".join(records[i : i + k])
            where = draw(st.integers(0, 1))
            blocks.append(rdw_header(len(body) + 4, byteorder, bdw_adjustment, where) + body)
            i += k
        data = b"".join(blocks)
    else:
        data = b"".join(records)
    if data and draw(st.booleans()):  # garbage between or after records
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.binary(max_size=12)) + data[at:]
    if data and draw(st.integers(0, 3)) == 0:  # a cut last record
        data = data[: draw(st.integers(0, len(data)))]
    if draw(st.integers(0, 2)) == 0:  # the file says one convention, the reader another
        byteorder = draw(st.sampled_from(["big", "little"]))
        adjustment = draw(st.sampled_from([0, 4, -4, 2]))
    opts: dict = {"record_format": fmt, "rdw_byteorder": byteorder, "rdw_adjustment": adjustment}
    if fmt == "VB":
        opts["bdw_adjustment"] = bdw_adjustment
    if draw(st.booleans()):
        opts["variable_occurs"] = True
    return data, {**opts, "lenient_framing": True}
