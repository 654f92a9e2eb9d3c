"""``COPY name [OF|IN library] [SUPPRESS] [REPLACING ...]``: library members are found on the
search path, expanded recursively (a cycle is an error) and spliced into the token stream.

REPLACING operands are pseudo-text (``==a b==``), words or literals, optionally with LEADING
or TRAILING (partial word replacement). A pseudo-text that is a colon tag (``==:PFX:==``) also
replaces that tag inside words and PICTURE strings, as IBM compilers do.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path

import attrs

from legacyio.copybook.lexer import NUM, PERIOD, PIC, PSEUDO, STR, WORD, Token, tokenize
from legacyio.copybook.source import read_source
from legacyio.errors import CopybookError

MAX_COPY_DEPTH = 100
"""COPY members nested deeper than this are refused (a chain that deep is a generated or hostile
library, and each level is expanded recursively)."""

SUFFIXES = ("", ".cpy", ".cob", ".cbl", ".CPY", ".COB", ".CBL", ".copy")


@attrs.frozen
class _Replacement:
    pattern: tuple[Token, ...]
    by: tuple[Token, ...]
    mode: str = ""  # "", "LEADING" or "TRAILING"


def _err(msg: str, tok: Token) -> CopybookError:
    return CopybookError(msg, file=tok.file, line=tok.line, column=tok.column)


def find_member(name: str, library: str | None, dirs: Sequence[Path]) -> Path | None:
    """The first file for member ``name`` in ``dirs`` (also under a ``library`` folder), trying
    ``NAME``, ``NAME.cpy``, ``NAME.cob``, ``NAME.cbl``, ``NAME.CPY`` and lower case forms."""
    names = []
    for base in (name, name.lower(), name.upper()):
        for suffix in SUFFIXES:
            cand = base + suffix
            if cand not in names:
                names.append(cand)
    for d in dirs:
        roots = [d]
        if library:
            roots = [d / library, d / library.lower(), d]
        for root in roots:
            for cand in names:
                p = root / cand
                if p.is_file():
                    return p
    return None


def _operand(tokens: list[Token], i: int, copy_tok: Token) -> tuple[tuple[Token, ...], int]:
    if i >= len(tokens):
        raise _err("REPLACING operand expected before the end of the copybook", copy_tok)
    t = tokens[i]
    if t.kind == PSEUDO:
        return t.pseudo, i + 1
    if t.kind in (WORD, STR, NUM, PIC):
        return (t,), i + 1
    raise _err("expected pseudo-text (==...==), a word or a literal in REPLACING", t)


def _same(a: Token, b: Token) -> bool:
    if a.kind in (WORD, PIC) and b.kind in (WORD, PIC):
        return a.value.upper() == b.value.upper()
    return a.kind == b.kind and a.value == b.value and a.prefix == b.prefix


def _retag(tok: Token, text: str) -> Token:
    if tok.kind == PIC:
        return attrs.evolve(tok, value=text, text=text)
    return attrs.evolve(tok, value=text.upper(), text=text)


def apply_replacing(tokens: list[Token], reps: Sequence[_Replacement]) -> list[Token]:
    """Apply REPLACING pairs to a member's tokens (first matching pair wins, left to right)."""
    if not reps:
        return tokens
    out: list[Token] = []
    i = 0
    n = len(tokens)
    while i < n:
        t = tokens[i]
        done = False
        for r in reps:
            k = len(r.pattern)
            if r.mode:
                p = r.pattern[0]
                if t.kind != WORD:
                    continue
                word, pat = t.text, p.text
                if r.mode == "LEADING" and word.upper().startswith(pat.upper()):
                    new = (r.by[0].text if r.by else "") + word[len(pat) :]
                elif r.mode == "TRAILING" and word.upper().endswith(pat.upper()):
                    new = word[: len(word) - len(pat)] + (r.by[0].text if r.by else "")
                else:
                    continue
                out.append(_retag(t, new))
                i += 1
                done = True
                break
            if k and i + k <= n and all(_same(r.pattern[j], tokens[i + j]) for j in range(k)):
                for b in r.by:
                    out.append(attrs.evolve(b, file=t.file, line=t.line, column=t.column))
                i += k
                done = True
                break
            # a word between parentheses in a PICTURE string is a text-word of its own
            if (
                k == 1
                and t.kind == PIC
                and r.pattern[0].kind in (WORD, NUM)
                and f"({r.pattern[0].text.upper()})" in t.text.upper()
            ):
                rx = re.compile(r"\(" + re.escape(r.pattern[0].text) + r"\)", re.I)
                repl = "(" + "".join(b.text for b in r.by).replace("\\", "\\\\") + ")"
                out.append(_retag(t, rx.sub(repl, t.text)))
                i += 1
                done = True
                break
            # colon tags replace inside words and pictures
            if (
                k == 1
                and r.pattern[0].kind == WORD
                and r.pattern[0].text.startswith(":")
                and r.pattern[0].text.endswith(":")
                and len(r.pattern[0].text) > 2
                and t.kind in (WORD, PIC)
                and r.pattern[0].text.upper() in t.text.upper()
            ):
                tag = r.pattern[0].text
                by = "".join(b.text for b in r.by)
                src = t.text
                pos = src.upper().find(tag.upper())
                while pos >= 0:
                    src = src[:pos] + by + src[pos + len(tag) :]
                    pos = src.upper().find(tag.upper(), pos + len(by))
                out.append(_retag(t, src))
                i += 1
                done = True
                break
        if not done:
            out.append(t)
            i += 1
    return out


def expand_copies(
    tokens: list[Token],
    *,
    search_path: Sequence[str | os.PathLike[str]] = (),
    base_dir: str | os.PathLike[str] | None = None,
    stack: tuple[Path, ...] = (),
) -> tuple[list[Token], bool]:
    """Replace every COPY statement in ``tokens`` by its member's tokens. Returns the tokens
    and whether any COPY was expanded."""
    dirs = [Path(p) for p in search_path]
    if base_dir is not None:
        dirs.append(Path(base_dir))
    out: list[Token] = []
    expanded = False
    i, n = 0, len(tokens)
    while i < n:
        t = tokens[i]
        if not t.is_word("COPY"):
            out.append(t)
            i += 1
            continue
        copy_tok = t
        i += 1
        if i >= n or tokens[i].kind not in (WORD, STR, NUM):
            raise _err("expected a member name after COPY", tokens[i] if i < n else t)
        name_tok = tokens[i]
        name = name_tok.value if name_tok.kind == STR else name_tok.text
        i += 1
        library = None
        if i < n and tokens[i].is_word("OF", "IN"):
            i += 1
            if i >= n or tokens[i].kind not in (WORD, STR):
                raise _err("expected a library name after OF/IN", tokens[min(i, n - 1)])
            library = tokens[i].value if tokens[i].kind == STR else tokens[i].text
            i += 1
        if i < n and tokens[i].is_word("SUPPRESS"):
            i += 1
        reps: list[_Replacement] = []
        if i < n and tokens[i].is_word("REPLACING"):
            i += 1
            while i < n and tokens[i].kind != PERIOD:
                mode = ""
                if tokens[i].is_word("LEADING", "TRAILING"):
                    mode = tokens[i].value
                    i += 1
                pattern, i = _operand(tokens, i, copy_tok)
                if i >= n or not tokens[i].is_word("BY"):
                    raise _err("expected BY in REPLACING", tokens[min(i, n - 1)])
                i += 1
                by, i = _operand(tokens, i, copy_tok)
                if not pattern:
                    raise _err("REPLACING pseudo-text must not be empty", copy_tok)
                if mode and (len(pattern) != 1 or pattern[0].kind != WORD):
                    raise _err(f"{mode} needs a single word to replace", copy_tok)
                reps.append(_Replacement(tuple(pattern), tuple(by), mode))
        if i >= n or tokens[i].kind != PERIOD:
            raise _err("COPY statement must end with a period", tokens[min(i, n - 1)])
        i += 1
        path = find_member(name, library, dirs)
        if path is None:
            where = ", ".join(str(d) for d in dirs) or "(empty search path)"
            raise _err(f"COPY member {name!r} not found in {where}", name_tok)
        resolved = path.resolve()
        if resolved in stack:
            chain = " -> ".join(p.name for p in (*stack, resolved))
            raise _err(f"COPY cycle: {chain}", copy_tok)
        if len(stack) >= MAX_COPY_DEPTH:
            names = [p.name for p in (*stack, resolved)]
            chain = " -> ".join([*names[:3], "...", *names[-2:]])
            raise _err(
                f"COPY members nested more than {MAX_COPY_DEPTH} deep ({chain}): legacyio "
                f"expands at most {MAX_COPY_DEPTH} levels",
                copy_tok,
            )
        text = path.read_text(encoding="utf-8", errors="replace")
        member = list(tokenize(read_source(text, file=str(path))))
        member, _ = expand_copies(
            member, search_path=search_path, base_dir=path.parent, stack=(*stack, resolved)
        )
        out.extend(apply_replacing(member, reps))
        expanded = True
    return out, expanded


def render_tokens(tokens: Sequence[Token]) -> str:
    """Render tokens as free-format copybook text, one data entry a line (used for the text of
    a copybook after COPY expansion: it re-parses to the same entries without the library)."""
    lines = [">>SOURCE FORMAT FREE"]
    cur: list[str] = []
    for t in tokens:
        if t.kind == PERIOD:
            if cur:
                cur[-1] += "."
            else:
                cur.append(".")
            lines.append(" ".join(cur))
            cur = []
            continue
        cur.append(t.value if t.kind == PIC else t.text)
    if cur:
        lines.append(" ".join(cur))
    return "\n".join(lines) + "\n"
