"""Reference-format reader: turns copybook text into one character stream with a position for
every character, so the lexer never has to know about columns, comments or continuation lines.

Fixed format (IBM): columns 1-6 sequence area (ignored), column 7 indicator (``*`` ``/``
comments, ``-`` continuation, ``D``/``d`` debugging lines), columns 8-72 code, 73-80 ignored.
Free format: the whole line is code, ``*>`` starts a comment. Tabs are expanded to 8-column
stops first; a DOS end-of-file character (0x1A) is dropped.
"""

from __future__ import annotations

import re
from typing import Literal

import attrs

from legacyio.errors import CopybookError

SourceFormat = Literal["fixed", "free"]

_INDICATORS = frozenset(" *-/dD$")
_DIRECTIVE = re.compile(r"^\s*>>\s*SOURCE\s+(?:FORMAT\s+)?(?:IS\s+)?(FREE|FIXED)\b", re.I)


@attrs.frozen
class SourceText:
    """The code of a copybook as one string, with ``(line, column)`` (1-based, in the original
    text) for each character of ``text``. Line ends are kept as ``\\n``."""

    text: str
    lines: tuple[int, ...]
    columns: tuple[int, ...]
    file: str | None
    format: SourceFormat

    def pos(self, index: int) -> tuple[int, int]:
        """Line and column of ``text[index]`` (the end of the text maps to the last place)."""
        if not self.text:
            return (1, 1)
        index = min(max(index, 0), len(self.text) - 1)
        return self.lines[index], self.columns[index]


def _physical_lines(text: str) -> list[str]:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x1a", "")
    return [line.expandtabs(8) for line in text.split("\n")]


_LEVEL_START = re.compile(r"^\s*\d{1,2}\s+\S")


def _misplaced_comment(line: str) -> int | None:
    """Column of a ``*`` comment indicator that is not in column 7 (column 7 blank, the first
    character of the code area a ``*`` but not a ``*>`` comment), or None."""
    if len(line) < 8 or line[6] != " ":
        return None
    code = line[7:72]
    body = code.lstrip()
    if body.startswith("*") and not body.startswith("*>"):
        return 8 + len(code) - len(body)
    return None


def _code_in_sequence_area(line: str) -> bool:
    """Code (a level number and a word) in columns 1-6, where fixed format has the sequence
    number: a free-format line starting in column 1."""
    head = line[:6]
    return bool(head.strip()) and not head.strip().isdigit() and bool(_LEVEL_START.match(line))


def _sequence_number(line: str) -> bool:
    """Columns 1-6 hold a sequence number and column 7 an indicator: a fixed-format line."""
    return len(line) > 6 and line[:6].isdigit() and line[6] in _INDICATORS


def detect_format(text: str) -> SourceFormat:
    """Guess the reference format: ``free`` when a ``>>SOURCE FORMAT FREE`` directive is present,
    some line has code where fixed format allows only an indicator (column 7) or a sequence
    number (columns 1-6), or (in a copybook without sequence numbers) a ``*`` comment sits
    after column 7, where only free format reads it as a comment."""
    misplaced = numbered = False
    for line in _physical_lines(text):
        m = _DIRECTIVE.match(line)
        if m:
            return "free" if m.group(1).upper() == "FREE" else "fixed"
        stripped = line.strip()
        if not stripped or stripped.startswith(("*>", ">>")):
            continue
        if len(line) > 6 and line[6] not in _INDICATORS:
            return "free"
        if len(line) <= 6 and not line[:6].strip().isdigit():
            # a short line with code in the sequence area: only free format does that
            return "free"
        if _code_in_sequence_area(line):
            return "free"
        numbered = numbered or bool(line[:6].strip())
        misplaced = misplaced or _misplaced_comment(line) is not None
    return "free" if misplaced and not numbered else "fixed"


def format_hint(text: str, used: SourceFormat, line: int | None = None) -> str | None:
    """When a copybook read as ``used`` format fails: which format to try (or what to fix),
    from line ``line`` (the failing one) or else the first line that says so; None when
    nothing in the text points at the other format."""
    lines = _physical_lines(text)
    order = list(range(len(lines)))
    if line is not None and 0 < line <= len(lines):
        order.remove(line - 1)
        order.insert(0, line - 1)
    numbered = any(_sequence_number(x) for x in lines)
    for i in order:
        raw = lines[i]
        if _DIRECTIVE.match(raw) or not raw.strip():
            continue
        n = i + 1
        if used == "free":
            if _sequence_number(raw):
                return (
                    f"line {n} has a sequence number in columns 1-6: a fixed-format copybook? "
                    "try --copybook-format fixed (format='fixed')"
                )
            continue
        col = _misplaced_comment(raw)
        if col is not None:
            where = f"line {n} has a '*' comment indicator in column {col}"
            if numbered:
                return f"{where}: in fixed format it belongs in column 7"
            return (
                f"{where}: in fixed format it belongs in column 7; a free-format copybook? "
                "try --copybook-format free (format='free')"
            )
        if _code_in_sequence_area(raw) or (
            len(raw) > 6 and raw[6] not in _INDICATORS and not raw[:6].strip().isdigit()
        ):
            return (
                f"line {n} has code before column 8: a free-format copybook? "
                "try --copybook-format free (format='free')"
            )
    return None


def _open_index(code: str) -> int:
    """Index of the quote that opens the literal left open at the end of ``code``."""
    quote, start, i, n = None, 0, 0, len(code)
    while i < n:
        ch = code[i]
        if quote is None and ch in "'\"":
            quote, start = ch, i
        elif quote is not None and ch == quote:
            if i + 1 < n and code[i + 1] == quote:
                i += 1
            else:
                quote = None
        i += 1
    return start


def _open_quote(code: str, quote: str | None) -> str | None:
    """The quote character of a literal still open at the end of ``code`` (None if closed),
    starting in state ``quote``. ``*>`` outside a literal ends the scan."""
    i, n = 0, len(code)
    while i < n:
        ch = code[i]
        if quote is None:
            if ch in "'\"":
                quote = ch
            elif ch == "*" and i + 1 < n and code[i + 1] == ">":
                return None
        elif ch == quote:
            if i + 1 < n and code[i + 1] == quote:
                i += 1
            else:
                quote = None
        i += 1
    return quote


def read_source(
    text: str,
    *,
    file: str | None = None,
    format: SourceFormat | None = None,
    debug_lines: bool = False,
) -> SourceText:
    """Read copybook ``text`` in fixed or free reference format (auto-detected when ``format``
    is None). ``debug_lines`` keeps ``D`` lines as code instead of comments."""
    fmt: SourceFormat = format or detect_format(text)
    if fmt not in ("fixed", "free"):
        raise ValueError(f"format must be 'fixed', 'free' or None, not {format!r}")
    out: list[str] = []
    lines: list[int] = []
    cols: list[int] = []
    quote: str | None = None  # literal left open by the previous code line
    last_code_line = 0
    open_col: int | None = None  # column of the quote of a literal left open

    def emit(s: str, line: int, col0: int) -> None:
        out.extend(s)
        lines.extend([line] * len(s))
        cols.extend(range(col0, col0 + len(s)))

    def drop_last() -> None:
        out.pop()
        lines.pop()
        cols.pop()

    for n, raw in enumerate(_physical_lines(text), start=1):
        m = _DIRECTIVE.match(raw)
        if m:
            fmt = "free" if m.group(1).upper() == "FREE" else "fixed"
            emit("\n", n, 1)
            continue
        if fmt == "fixed":
            indicator = raw[6] if len(raw) > 6 else " "
            code = raw[7:72]
            col0 = 8
            if indicator in "*/$" or (indicator in "dD" and not debug_lines):
                emit("\n", n, 1)
                continue
            if indicator not in " -dD":
                raise CopybookError(
                    "column 7 must hold an indicator (space, '*', '/', '-' or 'D'), "
                    f"not {indicator!r}",
                    file=file,
                    line=n,
                    column=7,
                )
            if indicator == "-":
                if not code.strip():
                    emit("\n", n, 1)
                    continue
                first = len(code) - len(code.lstrip())
                # remove line ends (and blank lines) back to the previous code line
                while out and out[-1] == "\n":
                    drop_last()
                if quote is not None:
                    # continued literal: the previous line's literal ran to column 72 (it was
                    # padded there) and resumes after the quote that opens this line's code
                    if code[first] != quote:
                        raise CopybookError(
                            f"a continued literal must resume with {quote} on the continuation "
                            "line",
                            file=file,
                            line=n,
                            column=col0 + first,
                        )
                    rest = code[first + 1 :]
                    quote = _open_quote(rest, quote)
                    emit(rest if quote else rest.rstrip(), n, col0 + first + 1)
                else:
                    # continued word: joined to the previous one without a separator
                    while out and out[-1] == " ":
                        drop_last()
                    rest = code[first:]
                    quote = _open_quote(rest, None)
                    emit(rest if quote else rest.rstrip(), n, col0 + first)
                if quote is not None:
                    emit(" " * (72 - (cols[-1] if cols else 72)), n, (cols[-1] if cols else 72) + 1)
                emit("\n", n, 73)
                last_code_line = n
                continue
        else:
            code = raw
            col0 = 1
            if code.lstrip().startswith("*"):  # '*>' comment line (or an old-style '*' line)
                emit("\n", n, 1)
                continue
        if quote is not None:
            raise CopybookError(
                "literal not closed: continue it on a line with '-' in column 7",
                file=file,
                line=last_code_line,
                column=open_col,
            )
        quote = _open_quote(code, None)
        if quote is not None:
            open_col = col0 + _open_index(code)
            if fmt == "free":
                raise CopybookError(
                    "literal not closed at the end of the line", file=file, line=n, column=open_col
                )
        if code.strip():
            last_code_line = n
        if quote is not None:
            code = code.ljust(65)  # a literal open at column 72 includes the trailing spaces
        emit(code, n, col0)
        emit("\n", n, col0 + len(code))
    if quote is not None:
        raise CopybookError(
            "literal not closed at the end of the copybook",
            file=file,
            line=last_code_line,
            column=open_col,
        )
    return SourceText("".join(out), tuple(lines), tuple(cols), file, fmt)
