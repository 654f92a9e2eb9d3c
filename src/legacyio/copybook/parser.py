"""Parser for data description entries (IBM Enterprise COBOL record descriptions): tokens in,
a flat list of ``DataEntry`` out. Every error names file, line and column and what was
expected; clauses that cannot change sizes but are unknown are skipped with a warning."""

from __future__ import annotations

import os
import warnings
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

import attrs

from legacyio.copybook.ast import Copybook, DataEntry, OccursClause
from legacyio.copybook.copy import expand_copies, render_tokens
from legacyio.copybook.lexer import NUM, PERIOD, PIC, PSEUDO, PUNCT, STR, WORD, Token, tokenize
from legacyio.copybook.source import SourceFormat, detect_format, format_hint, read_source
from legacyio.copybook.types import ConditionValue, SourcePos, Usage
from legacyio.errors import CopybookError, LegacyioWarning


class CopybookWarning(LegacyioWarning):
    """A clause legacyio does not know but that cannot change sizes was skipped."""


USAGES: dict[str, Usage] = {
    "DISPLAY": Usage.DISPLAY,
    "COMP": Usage.BINARY,
    "COMPUTATIONAL": Usage.BINARY,
    "COMP-0": Usage.BINARY,
    "COMPUTATIONAL-0": Usage.BINARY,
    "COMP-4": Usage.BINARY,
    "COMPUTATIONAL-4": Usage.BINARY,
    "BINARY": Usage.BINARY,
    "COMP-5": Usage.COMP5,
    "COMPUTATIONAL-5": Usage.COMP5,
    "COMP-3": Usage.PACKED,
    "COMPUTATIONAL-3": Usage.PACKED,
    "PACKED-DECIMAL": Usage.PACKED,
    "COMP-6": Usage.PACKED_NOSIGN,
    "COMPUTATIONAL-6": Usage.PACKED_NOSIGN,
    "COMP-3U": Usage.PACKED_NOSIGN,
    "COMPUTATIONAL-3U": Usage.PACKED_NOSIGN,
    "COMP-1": Usage.FLOAT4,
    "COMPUTATIONAL-1": Usage.FLOAT4,
    "COMP-2": Usage.FLOAT8,
    "COMPUTATIONAL-2": Usage.FLOAT8,
    "NATIONAL": Usage.NATIONAL,
    "DISPLAY-1": Usage.DBCS,
    "POINTER": Usage.POINTER,
    "INDEX": Usage.INDEX,
}

FIGURATIVES = {
    "ZERO": "ZEROS",
    "ZEROS": "ZEROS",
    "ZEROES": "ZEROS",
    "SPACE": "SPACES",
    "SPACES": "SPACES",
    "HIGH-VALUE": "HIGH-VALUES",
    "HIGH-VALUES": "HIGH-VALUES",
    "LOW-VALUE": "LOW-VALUES",
    "LOW-VALUES": "LOW-VALUES",
    "QUOTE": "QUOTES",
    "QUOTES": "QUOTES",
    "NULL": "NULLS",
    "NULLS": "NULLS",
}

_CLAUSE_WORDS = frozenset(
    [
        "PIC",
        "PICTURE",
        "USAGE",
        "SIGN",
        "LEADING",
        "TRAILING",
        "SYNC",
        "SYNCHRONIZED",
        "JUST",
        "JUSTIFIED",
        "BLANK",
        "VALUE",
        "VALUES",
        "OCCURS",
        "REDEFINES",
        "RENAMES",
        "EXTERNAL",
        "GLOBAL",
        "DATE",
        "GROUP-USAGE",
        "IS",
        "INDEXED",
        "ASCENDING",
        "DESCENDING",
        "SEPARATE",
    ]
) | frozenset(USAGES)

# words that start clauses we do not implement and that change an item's size or meaning
_SIZE_WORDS = frozenset(
    [
        "TYPE",
        "ANY",
        "DYNAMIC",
        "UNBOUNDED",
        "BIT",
        "OBJECT",
        "UTF-8",
        "LENGTH",
        "POINTER-32",
        "POINTER-64",
        "PROCEDURE-POINTER",
        "FUNCTION-POINTER",
        "NATIVE",
    ]
)
_SIZE_KEYWORDS = frozenset(
    ["PIC", "PICTURE", "USAGE", "OCCURS", "REDEFINES", "SIGN", "SEPARATE", "SYNC", "SYNCHRONIZED"]
) | frozenset(USAGES)


def _is_size_word(w: str) -> bool:
    return w in _SIZE_WORDS or w.startswith(("COMP", "FLOAT", "BINARY-")) or "POINTER" in w


def _pos(t: Token) -> SourcePos:
    return SourcePos(t.file, t.line, t.column)


def _err(msg: str, t: Token) -> CopybookError:
    return CopybookError(msg, file=t.file, line=t.line, column=t.column)


def _describe(t: Token | None) -> str:
    if t is None:
        return "the end of the copybook"
    if t.kind == PERIOD:
        return "'.'"
    if t.kind == STR:
        return "a literal"
    return repr(t.text)


def literal_value(t: Token) -> ConditionValue:
    """A NUM/STR token or figurative word as a ``ConditionValue`` (see ``ast`` for the forms)."""
    if t.kind == NUM:
        s = t.value
        if "." in s:
            return ConditionValue(Decimal(s))
        return ConditionValue(int(s))
    if t.kind == STR:
        if t.prefix in ("X", "BX", "NX"):
            return ConditionValue(bytes.fromhex(t.value.replace(" ", "")).decode("latin-1"))
        return ConditionValue(t.value)
    if t.kind == WORD and t.value in FIGURATIVES:
        return ConditionValue(FIGURATIVES[t.value], figurative=True)
    raise _err(f"expected a literal or figurative constant, found {_describe(t)}", t)


class _Parser:
    def __init__(self, tokens: list[Token], file: str | None) -> None:
        self.toks = tokens
        self.i = 0
        self.file = file

    # ---- token helpers -----------------------------------------------------------------
    def peek(self, k: int = 0) -> Token | None:
        j = self.i + k
        return self.toks[j] if j < len(self.toks) else None

    def take(self) -> Token:
        t = self.toks[self.i]
        self.i += 1
        return t

    def at_end_of_entry(self) -> bool:
        t = self.peek()
        return t is None or t.kind == PERIOD

    def fail_expected(self, what: str) -> CopybookError:
        t = self.peek()
        if t is None:
            last = self.toks[-1] if self.toks else None
            return CopybookError(
                f"expected {what}, found the end of the copybook",
                file=last.file if last else self.file,
                line=last.line if last else None,
                column=last.column if last else None,
            )
        return _err(f"expected {what}, found {_describe(t)}", t)

    def optional(self, *words: str) -> Token | None:
        t = self.peek()
        if t is not None and t.is_word(*words):
            self.i += 1
            return t
        return None

    def word(self, what: str) -> Token:
        t = self.peek()
        if t is None or t.kind != WORD or t.value in _CLAUSE_WORDS:
            raise self.fail_expected(what)
        self.i += 1
        return t

    def integer(self, what: str) -> int:
        t = self.peek()
        if t is None or t.kind != NUM or not t.value.isdigit():
            raise self.fail_expected(what)
        self.i += 1
        return int(t.value)

    def qualified(self, what: str) -> tuple[str, ...]:
        names = [self.word(what).text]
        while self.optional("OF", "IN"):
            names.append(self.word("a qualifying data name after OF/IN").text)
        return tuple(names)

    # ---- entries -----------------------------------------------------------------------
    def entries(self) -> list[DataEntry]:
        out: list[DataEntry] = []
        while self.peek() is not None:
            t = self.peek()
            assert t is not None
            if t.kind == PERIOD:
                self.i += 1
                continue
            entry = self.entry()
            if entry is not None:
                out.append(entry)
        return out

    def entry(self) -> DataEntry | None:
        t = self.peek()
        assert t is not None
        if t.kind != NUM or not t.value.isdigit():
            raise _err(f"expected a level number (01-49, 66, 77 or 88), found {_describe(t)}", t)
        level = int(t.value)
        if level == 78:
            warnings.warn(
                f"{t.file or '<copybook>'}:{t.line}:{t.column}: level 78 constant "
                "skipped (it takes no storage)",
                CopybookWarning,
                stacklevel=4,
            )
            self.skip_to_period()
            return None
        if not (1 <= level <= 49 or level in (66, 77, 88)):
            raise _err(f"level number {t.value} is not 01-49, 66, 77 or 88", t)
        self.i += 1
        fields: dict = {"level": level, "pos": _pos(t)}
        nt = self.peek()
        if nt is not None and nt.kind == WORD and nt.value not in _CLAUSE_WORDS:
            self.i += 1
            if nt.value == "FILLER":
                fields["is_filler"] = True
                fields["name"] = None
            else:
                fields["name"] = nt.text
        else:
            fields["is_filler"] = True
            fields["name"] = None
        if level in (66, 88) and fields["name"] is None:
            raise self.fail_expected(f"a name for the level-{level} entry")
        while not self.at_end_of_entry():
            self.clause(fields)
        if self.peek() is not None:
            self.i += 1  # the period
        if level == 66 and "renames" not in fields:
            raise _err("a level-66 entry needs a RENAMES clause", t)
        if level == 88 and not fields.get("values"):
            raise _err("a level-88 entry needs a VALUE clause", t)
        return DataEntry(**fields)

    def skip_to_period(self) -> None:
        while not self.at_end_of_entry():
            self.i += 1
        if self.peek() is not None:
            self.i += 1

    def set_once(self, fields: dict, key: str, value: object, t: Token) -> None:
        if key in fields and fields[key] not in (None, False, ()):
            raise _err(f"{t.text} clause given twice", t)
        fields[key] = value

    # ---- clauses -----------------------------------------------------------------------
    def clause(self, f: dict) -> None:
        t = self.peek()
        assert t is not None
        if t.kind != WORD:
            raise _err(f"expected a clause or '.', found {_describe(t)}", t)
        w = t.value
        self.i += 1
        if w in ("PIC", "PICTURE"):
            self.optional("IS")
            p = self.peek()
            if p is None or p.kind != PIC:
                raise self.fail_expected("a PICTURE string")
            self.i += 1
            self.set_once(f, "picture", p.value, t)
            f["picture_pos"] = _pos(p)
        elif w == "USAGE":
            self.optional("IS")
            u = self.peek()
            if u is None or u.kind != WORD or u.value not in USAGES:
                if u is not None and u.kind == WORD and _is_size_word(u.value):
                    raise _err(f"USAGE {u.text} is not supported", u)
                raise self.fail_expected("a usage (DISPLAY, COMP, COMP-3, BINARY, ...)")
            self.i += 1
            self.set_once(f, "usage", USAGES[u.value], t)
            f["usage_pos"] = _pos(u)
        elif w in USAGES:
            self.set_once(f, "usage", USAGES[w], t)
            f["usage_pos"] = _pos(t)
        elif w in ("SIGN", "LEADING", "TRAILING"):
            if w == "SIGN":
                self.optional("IS")
                lt = self.optional("LEADING", "TRAILING")
                if lt is None:
                    raise self.fail_expected("LEADING or TRAILING after SIGN")
                w = lt.value
            self.set_once(f, "sign", w.lower(), t)
            if self.optional("SEPARATE"):
                f["sign_separate"] = True
                self.optional("CHARACTER")
        elif w in ("SYNC", "SYNCHRONIZED"):
            f["sync"] = True
            self.optional("LEFT", "RIGHT")
        elif w in ("JUST", "JUSTIFIED"):
            f["justified"] = True
            self.optional("RIGHT")
        elif w == "BLANK":
            self.optional("WHEN")
            if not self.optional("ZERO", "ZEROS", "ZEROES"):
                raise self.fail_expected("ZERO after BLANK WHEN")
            f["blank_when_zero"] = True
        elif w in ("VALUE", "VALUES"):
            self.optional("IS", "ARE")
            self.values(f, t)
        elif w == "OCCURS":
            if "occurs" in f:
                raise _err("OCCURS clause given twice", t)
            f["occurs"] = self.occurs(t)
        elif w == "REDEFINES":
            self.set_once(f, "redefines", self.word("the name of the redefined item").text, t)
        elif w == "RENAMES":
            if f["level"] != 66:
                raise _err("RENAMES is only allowed on level 66", t)
            f["renames"] = self.qualified("the name of the first renamed item")
            if self.optional("THRU", "THROUGH"):
                f["renames_thru"] = self.qualified("the name of the last renamed item")
        elif w == "EXTERNAL":
            f["external"] = True
        elif w == "GLOBAL":
            f["global_"] = True
        elif w == "DATE":
            if not self.optional("FORMAT"):
                raise self.fail_expected("FORMAT after DATE")
            self.optional("IS")
            p = self.peek()
            if p is None or p.kind not in (WORD, PIC, NUM):
                raise self.fail_expected("a date pattern")
            self.i += 1
            f["date_format"] = p.text
        elif w == "GROUP-USAGE":
            self.optional("IS")
            if not self.optional("NATIONAL"):
                raise self.fail_expected("NATIONAL after GROUP-USAGE")
            f["group_usage_national"] = True
        elif w == "IS":
            return
        elif w in ("INDEXED", "ASCENDING", "DESCENDING"):
            raise _err(f"{w} is only allowed inside an OCCURS clause", t)
        else:
            self.unknown(t)

    def unknown(self, t: Token) -> None:
        if _is_size_word(t.value):
            raise _err(f"unsupported clause or usage {t.text}: it can change the item's size", t)
        start = self.i
        self.skip_to_period()
        skipped = self.toks[start : self.i]
        for s in skipped:
            if s.kind == WORD and (s.value in _SIZE_KEYWORDS or _is_size_word(s.value)):
                raise _err(f"unknown clause {t.text} before {s.text}: cannot skip it safely", t)
            if s.kind in (PUNCT, PSEUDO):
                break
        warnings.warn(
            f"{t.file or '<copybook>'}:{t.line}:{t.column}: unknown clause {t.text} skipped to "
            "the end of the entry",
            CopybookWarning,
            stacklevel=5,
        )
        self.i -= 1 if self.i and self.toks[self.i - 1].kind == PERIOD else 0

    def one_value(self) -> ConditionValue:
        t = self.peek()
        if t is None:
            raise self.fail_expected("a literal")
        if t.is_word("ALL"):
            self.i += 1
            lit = self.peek()
            if lit is None or (
                lit.kind != STR and not (lit.kind == WORD and lit.value in FIGURATIVES)
            ):
                raise self.fail_expected("a literal after ALL")
            self.i += 1
            v = literal_value(lit)
            return ConditionValue("ALL " + str(v.value), figurative=True)
        if t.kind in (NUM, STR) or (t.kind == WORD and t.value in FIGURATIVES):
            self.i += 1
            return literal_value(t)
        raise self.fail_expected("a literal or figurative constant")

    def values(self, f: dict, t: Token) -> None:
        if f["level"] != 88:
            if "value" in f:
                raise _err("VALUE clause given twice", t)
            f["value"] = self.one_value()
            return
        vals: list[ConditionValue] = list(f.get("values", ()))
        vals.append(self._range())
        while True:
            p = self.peek()
            if p is None or p.kind == PERIOD:
                break
            if p.kind in (NUM, STR) or p.is_word("ALL", *FIGURATIVES):
                vals.append(self._range())
                continue
            break
        f["values"] = tuple(vals)

    def _range(self) -> ConditionValue:
        v = self.one_value()
        if self.optional("THRU", "THROUGH"):
            hi = self.one_value()
            return attrs.evolve(v, thru=hi.value)
        return v

    def occurs(self, t: Token) -> OccursClause:
        p = self.peek()
        if p is not None and p.is_word("UNBOUNDED"):
            raise _err("OCCURS UNBOUNDED is not supported (the record has no maximum size)", p)
        first = self.integer("the number of occurrences after OCCURS")
        lo, hi, min_given, saw_to = first, first, True, False
        if self.optional("TO"):
            saw_to = True
            p = self.peek()
            if p is not None and p.is_word("UNBOUNDED"):
                raise _err("OCCURS UNBOUNDED is not supported", p)
            hi = self.integer("the maximum number of occurrences after TO")
            if hi < lo:
                raise _err(f"OCCURS {lo} TO {hi}: the maximum is less than the minimum", t)
        self.optional("TIMES")
        depending = None
        if self.optional("DEPENDING"):
            self.optional("ON")
            depending = self.qualified("the name of the DEPENDING ON object")
            if not saw_to:
                lo, min_given = min(1, hi), False  # IBM: integer-1 omitted -> 1
        elif saw_to:
            raise _err("OCCURS m TO n needs DEPENDING ON", t)
        if hi < 1:
            # a table that can never hold an occurrence (IBM: integer-2 must be positive)
            raise _err("OCCURS needs a maximum of at least 1 occurrence", t)
        self.optional("TIMES")
        keys: list[tuple[str, str]] = []
        indexed: list[str] = []
        while True:
            d = self.optional("ASCENDING", "DESCENDING")
            if d is not None:
                self.optional("KEY")
                self.optional("IS")
                keys.append((d.value, self.word("a key name").text))
                while self._more_names():
                    keys.append((d.value, self.take().text))
                continue
            if self.optional("INDEXED"):
                self.optional("BY")
                indexed.append(self.word("an index name").text)
                while self._more_names():
                    indexed.append(self.take().text)
                continue
            break
        return OccursClause(lo, hi, depending, tuple(keys), tuple(indexed), min_given)

    def _more_names(self) -> bool:
        p = self.peek()
        return (
            p is not None
            and p.kind == WORD
            and p.value not in _CLAUSE_WORDS
            and p.value not in ("ASCENDING", "DESCENDING", "INDEXED", "KEY")
        )


def parse(
    text: str,
    *,
    name: str | None = None,
    search_path: Sequence[str | os.PathLike[str]] = (),
    format: SourceFormat | None = None,
    base_dir: str | os.PathLike[str] | None = None,
) -> Copybook:
    """Parse copybook ``text`` into a ``Copybook`` of data entries. COPY members are looked up
    on ``search_path`` and in ``base_dir`` (the copybook's own folder when it came from a
    file). ``format`` is ``"fixed"``, ``"free"`` or None to detect it."""
    used: SourceFormat = format or detect_format(text)
    try:
        src = read_source(text, file=name, format=format)
        used = src.format
        tokens = list(tokenize(src))
        tokens, expanded = expand_copies(
            tokens,
            search_path=search_path,
            base_dir=base_dir,
            stack=(Path(name).resolve(),) if name and base_dir else (),
        )
        entries = _Parser(tokens, name).entries()
    except CopybookError as e:
        # the wrong reference format shows as a confusing error: say which one to try
        # (not for an error inside a COPY member: that text is another file's)
        hint = format_hint(text, used, e.line) if e.file in (None, name) else None
        if hint is None:
            raise
        raise CopybookError(
            f"{e.message} ({hint})", file=e.file, line=e.line, column=e.column
        ) from None
    return Copybook(tuple(entries), name, render_tokens(tokens) if expanded else text)
