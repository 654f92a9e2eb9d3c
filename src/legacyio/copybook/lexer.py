"""Tokenizer for data-division entries: words, numbers, literals, PICTURE strings,
pseudo-text (``==...==``) and separator periods, each with its file, line and column."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import attrs

from legacyio.copybook.source import SourceText
from legacyio.errors import CopybookError

WORD = "WORD"
NUM = "NUM"
STR = "STR"
PIC = "PIC"
PERIOD = "PERIOD"
PSEUDO = "PSEUDO"
PUNCT = "PUNCT"

_WORD_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_:#@$")
_LITERAL_PREFIXES = frozenset(["X", "N", "G", "NX", "Z", "U", "B", "BX"])


@attrs.frozen
class Token:
    """One token. ``value`` is the upper-cased word, the number text, the literal's content
    (quotes removed, doubled quotes undone) or the picture string; ``text`` is the source text
    of the token (used to render expanded copybooks back to text); ``prefix`` is a literal's
    prefix (``X``, ``N``, ``G``, ...)."""

    kind: str
    value: str
    text: str
    line: int
    column: int
    file: str | None = None
    prefix: str = ""
    pseudo: tuple[Token, ...] = ()

    @property
    def upper(self) -> str:
        return self.value.upper() if self.kind == WORD else self.value

    def is_word(self, *words: str) -> bool:
        return self.kind == WORD and self.value in words

    def where(self) -> dict:
        return {"file": self.file, "line": self.line, "column": self.column}


def _is_number(s: str) -> bool:
    body = s[1:] if s[:1] in "+-" else s
    if not body:
        return False
    if body.count(".") > 1:
        return False
    digits = body.replace(".", "")
    return digits.isdigit() and not body.endswith(".")


def tokenize(src: SourceText) -> Iterator[Token]:
    """Yield the tokens of ``src`` (comments and separators already removed by the source
    reader; ``*>`` inline comments, commas and semicolons are dropped here)."""
    text = src.text
    n = len(text)
    i = 0
    after_pic = 0  # 1: saw PIC/PICTURE, 2: saw PIC IS

    def tok(kind: str, value: str, start: int, end: int, **kw: Any) -> Token:
        line, col = src.pos(start)
        return Token(kind, value, text[start:end], line, col, src.file, **kw)

    def fail(msg: str, at: int) -> CopybookError:
        line, col = src.pos(at)
        return CopybookError(msg, file=src.file, line=line, column=col)

    while i < n:
        ch = text[i]
        if ch in " \n\t\f":
            i += 1
            continue
        if ch == "*" and i + 1 < n and text[i + 1] == ">":
            while i < n and text[i] != "\n":
                i += 1
            continue
        if after_pic:
            # a PICTURE string: everything up to a space; a final '.' or ',' followed by a
            # space (or the end) is a separator, not part of the picture
            j = i
            while j < n and text[j] not in " \n":
                j += 1
            end = j
            while end > i + 1 and text[end - 1] in ".,;" and (end == n or text[end] in " \n"):
                end -= 1
                if text[end] == ".":
                    break
            word = text[i:end]
            if after_pic == 1 and word.upper() == "IS":
                yield tok(WORD, "IS", i, end)
                after_pic = 2
                i = end
                continue
            yield tok(PIC, word, i, end)
            after_pic = 0
            i = end
            continue
        if ch == "." and (i + 1 == n or text[i + 1] in " \n"):
            yield tok(PERIOD, ".", i, i + 1)
            i += 1
            continue
        if ch in ",;" and (i + 1 == n or text[i + 1] in " \n"):
            i += 1
            continue
        if ch == "=" and text.startswith("==", i):
            j = text.find("==", i + 2)
            if j < 0:
                raise fail("pseudo-text not closed with '=='", i)
            inner = SourceText(
                text[i + 2 : j], src.lines[i + 2 : j], src.columns[i + 2 : j], src.file, src.format
            )
            inner_tokens = tuple(tokenize(inner))
            yield tok(PSEUDO, text[i + 2 : j], i, j + 2, pseudo=inner_tokens)
            i = j + 2
            continue
        if ch in "'\"":
            yield from _literal(text, i, "", tok, fail)
            i = _literal_end(text, i, fail)
            continue
        if ch in "()":
            yield tok(PUNCT, ch, i, i + 1)
            i += 1
            continue
        if ch in _WORD_CHARS or (ch in "+-." and i + 1 < n and text[i + 1].isdigit()):
            j = i + 1
            while j < n and (
                text[j] in _WORD_CHARS
                or (
                    text[j] == "."
                    and j + 1 < n
                    and text[j + 1].isdigit()
                    and _is_number(text[i:j] + ".0")
                )
            ):
                j += 1
            word = text[i:j]
            if j < n and text[j] in "'\"" and word.upper() in _LITERAL_PREFIXES:
                yield from _literal(text, j, word.upper(), tok, fail, start=i)
                i = _literal_end(text, j, fail)
                continue
            if _is_number(word):
                yield tok(NUM, word, i, j)
            else:
                up = word.upper()
                yield tok(WORD, up, i, j)
                if up in ("PIC", "PICTURE"):
                    after_pic = 1
            i = j
            continue
        raise fail(f"unexpected character {ch!r}", i)


def _literal_end(text: str, i: int, fail) -> int:
    q = text[i]
    j = i + 1
    while True:
        k = text.find(q, j)
        nl = text.find("\n", j)
        if k < 0 or (0 <= nl < k):
            raise fail("literal not closed", i)
        if k + 1 < len(text) and text[k + 1] == q:
            j = k + 2
            continue
        return k + 1


def _literal(text: str, i: int, prefix: str, tok, fail, start: int | None = None):
    end = _literal_end(text, i, fail)
    q = text[i]
    value = text[i + 1 : end - 1].replace(q + q, q)
    if prefix in ("X", "NX", "BX"):
        hexd = value.replace(" ", "")
        if len(hexd) % 2 or any(c not in "0123456789abcdefABCDEF" for c in hexd):
            raise fail("a hexadecimal literal needs an even number of hex digits", i)
    yield tok(STR, value, i if start is None else start, end, prefix=prefix)
