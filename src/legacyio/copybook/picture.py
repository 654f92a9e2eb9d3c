"""PICTURE string analysis: category, stored length, digits, scale (P rules) and sign, exactly
as IBM Enterprise COBOL defines them, plus the Cobrix extensions the conformance corpus uses
(``S9(3).99``: a sign on a numeric-edited picture with an explicit point)."""

from __future__ import annotations

import re

from legacyio.copybook.types import Category, Picture
from legacyio.errors import CopybookError

_SYMBOLS = frozenset("ABEGNPSVXZ9*+-.,/0$")
_NUMERIC = frozenset("9SVP")
_EDIT = frozenset(
    ["9", "Z", "*", "+", "-", "CR", "DB", ".", ",", "B", "0", "/", "$", "V", "P", "S"]
)
_ALNUM = frozenset("XA9")
_ALNUM_EDIT = frozenset("XA9B0/")


def _fail(
    msg: str, pic: str, index: int, file: str | None, line: int | None, column: int | None
) -> CopybookError:
    col = None if column is None else column + index
    return CopybookError(
        f"invalid PICTURE {pic!r} at position {index + 1}: {msg}", file=file, line=line, column=col
    )


MAX_REPEAT = 134_217_727
"""Largest repeat count in a PICTURE (and largest item): IBM Enterprise COBOL 6's maximum
size of an alphanumeric item, 2**27 - 1 bytes."""

MAX_DIGITS = 76
"""Most digit positions (stored 9s plus P scaling positions) of a numeric or numeric-edited
item: the precision of Arrow's widest decimal (decimal256). IBM allows 31 (ARITH(EXTEND))."""

MAX_EXPANDED = 65_535
"""Longest picture whose symbols are written out one by one (``Picture.symbols``): numeric-edited
and alphanumeric-edited pictures, whose codecs need every position, may not be longer; longer
plain X/A/N/G pictures keep their repeat counts in ``symbols``."""

_REPEAT = re.compile(r"\((\d+)\)")


def _runs(
    pic: str, file: str | None, line: int | None, column: int | None
) -> list[tuple[str, int, int]]:
    """``S9(3)V9`` -> ``[('S',1,0), ('9',1,1), ('9',2,2), ('V',1,5), ('9',1,6)]``: each symbol
    with its repeat count and its index in the picture string, without writing repeats out."""
    runs: list[tuple[str, int, int]] = []
    up = pic.upper()
    i, n = 0, len(up)
    while i < n:
        ch = up[i]
        if ch == "(":
            m = _REPEAT.match(up, i)
            if not m:
                if ")" not in up[i:]:
                    raise _fail("'(' without a matching ')'", pic, i, file, line, column)
                raise _fail(
                    "a repeat count must be a number in parentheses", pic, i, file, line, column
                )
            if not runs:
                raise _fail("a repeat count must follow a symbol", pic, i, file, line, column)
            digits = m.group(1).lstrip("0")
            if len(digits) > len(str(MAX_REPEAT)) or (digits and int(digits) > MAX_REPEAT):
                raise _fail(
                    f"repeat count {m.group(1)[:12]}{'...' if len(m.group(1)) > 12 else ''} "
                    f"is larger than {MAX_REPEAT:,} (the largest COBOL item)",
                    pic,
                    i,
                    file,
                    line,
                    column,
                )
            count = int(digits or "0")
            if count < 1:
                raise _fail("a repeat count must be at least 1", pic, i, file, line, column)
            sym, _, _ = runs[-1]
            if sym in ("CR", "DB", "S", "V"):
                raise _fail(f"{sym} cannot be repeated", pic, i, file, line, column)
            runs.append((sym, count - 1, i))
            i = m.end()
            continue
        if ch == ")":
            raise _fail("')' without a matching '('", pic, i, file, line, column)
        if up.startswith(("CR", "DB"), i):
            runs.append((up[i : i + 2], 1, i))
            i += 2
            continue
        if ch not in _SYMBOLS:
            raise _fail(f"{pic[i]!r} is not a PICTURE symbol", pic, i, file, line, column)
        runs.append((ch, 1, i))
        i += 1
    if not runs:
        raise _fail("empty picture", pic, 0, file, line, column)
    return [r for r in runs if r[1]]


def expand(
    pic: str, *, file: str | None = None, line: int | None = None, column: int | None = None
) -> tuple[list[str], list[int]]:
    """Expand repeat counts: ``S9(3)V9`` -> ``['S','9','9','9','V','9']`` plus, for each
    symbol, its index in the picture string (for error positions). Pictures longer than
    ``MAX_EXPANDED`` positions are refused before anything is written out."""
    runs = _runs(pic, file, line, column)
    total = sum(c for _, c, _ in runs)
    if total > MAX_EXPANDED:
        raise _fail(
            f"{total:,} positions: edited pictures may have at most {MAX_EXPANDED:,}",
            pic,
            0,
            file,
            line,
            column,
        )
    syms: list[str] = []
    where: list[int] = []
    for sym, count, at in runs:
        syms.extend([sym] * count)
        where.extend([at] * count)
    return syms, where


def _compact(runs: list[tuple[str, int, int]]) -> str:
    """Symbols with repeat counts kept (``X(1000000)``), merged per symbol."""
    out: list[tuple[str, int]] = []
    for sym, count, _ in runs:
        if out and out[-1][0] == sym:
            out[-1] = (sym, out[-1][1] + count)
        else:
            out.append((sym, count))
    return "".join(sym if c == 1 else f"{sym}({c})" for sym, c in out)


def _plain_text(
    pic: str,
    runs: list[tuple[str, int, int]],
    file: str | None,
    line: int | None,
    column: int | None,
) -> Picture | None:
    """X/A/N/G pictures without editing symbols, however long, without writing them out."""
    kinds = {s for s, _, _ in runs}
    total = sum(c for _, c, _ in runs)
    if total <= MAX_EXPANDED:
        return None  # the general path handles (and checks) it
    if total > MAX_REPEAT:
        raise _fail(
            f"{total:,} positions: an item may have at most {MAX_REPEAT:,}",
            pic,
            0,
            file,
            line,
            column,
        )
    symbols = _compact(runs)
    if kinds == {"N"}:
        return Picture(pic, Category.NATIONAL, total, symbols=symbols)
    if kinds == {"G"}:
        return Picture(pic, Category.DBCS, total, symbols=symbols)
    if kinds & {"X", "A"} and kinds <= _ALNUM:
        cat = Category.ALPHABETIC if kinds == {"A"} else Category.ALPHANUMERIC
        return Picture(pic, cat, total, symbols=symbols)
    if not kinds & {"X", "A", "N", "G", "E"}:
        digit_like = sum(c for s, c, _ in runs if s in ("9", "P", "Z", "*", "+", "-", "$"))
        if digit_like > MAX_DIGITS:
            raise _fail(
                f"{digit_like:,} digit positions: legacyio supports at most {MAX_DIGITS} "
                "(the precision of the widest Arrow decimal)",
                pic,
                0,
                file,
                line,
                column,
            )
    return None


def analyze_picture(
    pic: str,
    *,
    file: str | None = None,
    line: int | None = None,
    column: int | None = None,
    sign_clause: bool = False,
    sign_separate: bool = False,
) -> Picture:
    """Analyse a PICTURE string. ``column`` is where the picture starts (for error positions).

    A SIGN ... SEPARATE clause on a numeric picture without S makes it signed (Cobrix reads
    ``99V99 SIGN TRAILING SEPARATE`` as signed; the separate sign byte is there either way).
    """
    runs = _runs(pic, file, line, column)
    plain = _plain_text(pic, runs, file, line, column)
    if plain is not None:
        return plain
    syms, where = expand(pic, file=file, line=line, column=column)
    kinds = set(syms)
    symbols = "".join(syms)

    def fail(msg: str, k: int) -> CopybookError:
        return _fail(msg, pic, where[k], file, line, column)

    def first(pred) -> int:
        return next(k for k, s in enumerate(syms) if pred(s))

    if "E" in kinds:
        raise fail("external floating-point pictures are not supported", first(lambda s: s == "E"))
    if "N" in kinds or "G" in kinds:
        main = "N" if "N" in kinds else "G"
        allowed = {"N", "B", "0", "/"} if main == "N" else {"G", "B"}
        if not kinds <= allowed:
            raise fail(
                f"{main} pictures may only contain {'/'.join(sorted(allowed))}",
                first(lambda s: s not in allowed),
            )
        if main == "G":
            return Picture(pic, Category.DBCS, len(syms), symbols=symbols)
        cat = Category.NATIONAL if kinds == {"N"} else Category.NATIONAL_EDITED
        return Picture(pic, cat, len(syms), symbols=symbols)
    if kinds & {"X", "A"}:
        if not kinds <= _ALNUM_EDIT:
            raise fail(
                f"{syms[first(lambda s: s not in _ALNUM_EDIT)]} is not allowed in an "
                "alphanumeric picture",
                first(lambda s: s not in _ALNUM_EDIT),
            )
        if kinds == {"A"}:
            cat = Category.ALPHABETIC
        elif kinds <= _ALNUM:
            cat = Category.ALPHANUMERIC
        else:
            cat = Category.ALPHANUMERIC_EDITED
        return Picture(pic, cat, len(syms), symbols=symbols)

    # ---- numeric and numeric-edited ---------------------------------------------------
    s_at = [k for k, s in enumerate(syms) if s == "S"]
    if len(s_at) > 1:
        raise fail("S may appear only once", s_at[1])
    if s_at and s_at[0] != 0:
        raise fail("S must be the first symbol", s_at[0])
    v_at = [k for k, s in enumerate(syms) if s == "V"]
    if len(v_at) > 1:
        raise fail("V may appear only once", v_at[1])
    signed = bool(s_at)

    if kinds <= _NUMERIC:
        body = [s for s in syms if s != "S"]
        digits_only = "".join(s for s in body if s != "V")
        m = re.fullmatch(r"(P*)(9+)(P*)", digits_only)
        if not m:
            if "9" not in digits_only:
                raise fail("a numeric picture needs at least one 9", len(syms) - 1)
            raise fail(
                "P may appear only at the left or right end of the digits",
                first(lambda s: s == "P"),
            )
        left_p, nines, right_p = (len(g) for g in m.groups())
        if left_p and right_p:
            raise fail("P may appear at one end only", first(lambda s: s == "P"))
        v_index = body.index("V") if "V" in body else None
        if left_p:
            if v_index not in (None, 0):
                raise fail("V must precede leading P scaling positions", v_at[0])
            scale = nines + left_p
        elif right_p:
            if v_index not in (None, len(body) - 1):
                raise fail(
                    "V must follow trailing P scaling positions", v_at[0] if v_at else len(syms) - 1
                )
            scale = -right_p
        else:
            scale = 0 if v_index is None else sum(1 for s in body[v_index + 1 :] if s == "9")
        if nines + left_p + right_p > MAX_DIGITS:
            raise _fail(
                f"{nines + left_p + right_p} digit positions: legacyio supports at most "
                f"{MAX_DIGITS} (the precision of the widest Arrow decimal)",
                pic,
                0,
                file,
                line,
                column,
            )
        if sign_separate and not signed:
            # Cobrix (and IBM's separate sign position) treat a SIGN ... SEPARATE picture
            # without S as signed: the sign byte is always present.
            signed = True
        return Picture(
            pic,
            Category.NUMERIC,
            nines,
            digits=nines,
            scale=scale,
            signed=signed,
            p_count=left_p + right_p,
            symbols=symbols,
        )

    bad = [k for k, s in enumerate(syms) if s not in _EDIT]
    if bad:
        raise fail(f"{syms[bad[0]]} is not allowed in a numeric-edited picture", bad[0])
    points = [k for k, s in enumerate(syms) if s == "."]
    if len(points) > 1:
        raise fail("only one decimal point is allowed", points[1])
    if points and v_at:
        raise fail("V and '.' cannot both appear", v_at[0])
    for k, s in enumerate(syms):
        if s in ("CR", "DB") and k != len(syms) - 1:
            raise fail(f"{s} must be the last symbol", k)
    point = points[0] if points else (v_at[0] if v_at else len(syms))
    # digit positions: 9 Z *, and every symbol of a floating insertion string but its first
    floating = {c for c in "+-$" if syms.count(c) >= 2}
    seen_float: set[str] = set()
    digits = 0
    scale = 0
    for k, s in enumerate(syms):
        is_digit = s in ("9", "Z", "*")
        if s in floating:
            if s in seen_float:
                is_digit = True
            seen_float.add(s)
        if is_digit:
            digits += 1
            if k > point:
                scale += 1
    if digits == 0:
        raise fail(
            "a numeric-edited picture needs a digit position (9, Z, * or a floating "
            "insertion string)",
            0,
        )
    if digits + syms.count("P") > MAX_DIGITS:
        raise fail(
            f"{digits + syms.count('P')} digit positions: legacyio supports at most "
            f"{MAX_DIGITS} (the precision of the widest Arrow decimal)",
            0,
        )
    signed = signed or bool(kinds & {"+", "-", "CR", "DB"})
    length = sum(2 if s in ("CR", "DB") else 1 for s in syms if s not in ("V", "S", "P"))
    p_count = syms.count("P")
    return Picture(
        pic,
        Category.NUMERIC_EDITED,
        length,
        digits=digits,
        scale=scale,
        signed=signed,
        p_count=p_count,
        symbols=symbols,
        explicit_point=bool(points),
    )
