"""Need-to-know policies: a TOML file saying, field by field, what an extract may release.

``load_policy(path, copybook)`` reads the policy and checks it against the record layout
before any data is read: unknown names, options an action does not take, FPE and token
domains that are too small, and — protection follows bytes, not names — every item whose
bytes overlap a protected field (a REDEFINES alias, a field of another 01 record or segment
alternative, a FILLER, a 66-level RENAMES) must withhold those bytes too. An overlapping
item that only the policy's default would keep is withheld automatically (and the report
says why); one that a rule explicitly releases makes the policy refused, with the reason.

A rule on a group applies to every elementary item under it that no more specific rule
names; the Arrow struct of a group holds its members' protected values, never raw bytes.

Example::

    version = 1
    name = "taxpayer-research"
    purpose = "statistics on balances"
    default = "drop"

    [key]
    file = "research.key"
    id = "research-2026"

    [tags]
    names = ["TP-LAST-NAME", "TP-FIRST-NAME", "TP-DEPENDENT.TP-DEP-NAME"]

    [[rule]]
    field = "TP-TIN"
    action = "fpe"
    domain = "tin"

    [[rule]]
    tag = "names"
    action = "mask"
    keep_first = 1

    [rows]
    field = "TP-TIN"
    allow_file = "accounts.txt"
"""

from __future__ import annotations

import hashlib
import os
import re
import tomllib
from collections.abc import Iterable, Iterator, Mapping
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import attrs
import pyarrow as pa

from legacyio.codecs.types import value_type
from legacyio.errors import OptionsError
from legacyio.layout.model import Category, Item, Layout, Usage

__all__ = [
    "ACTIONS",
    "WITHHOLD",
    "AllowList",
    "FieldAction",
    "Policy",
    "PolicyError",
    "Rule",
    "check_table",
    "format_check_table",
    "load_policy",
]

ACTIONS = (
    "keep",
    "drop",
    "null",
    "blank",
    "mask",
    "fpe",
    "token",
    "hash",
    "generalize",
    "date_shift",
)
WITHHOLD = frozenset({"drop", "null", "blank"})
"""Actions that release nothing of a field's bytes."""
STRICTNESS = {
    "keep": 0,
    "generalize": 1,
    "date_shift": 1,
    "mask": 1,
    "fpe": 2,
    "token": 3,
    "hash": 3,
    "blank": 4,
    "null": 4,
    "drop": 5,
}
FPE_MIN_DOMAIN = 10**6
TOKEN_MIN_DOMAIN = 2**40
HASH_MIN_CHARS = 16

_OPTIONS: dict[str, dict[str, type | tuple[type, ...]]] = {
    "keep": {},
    "drop": {},
    "null": {},
    "blank": {},
    "mask": {"keep_first": int, "keep_last": int, "char": str, "digit_char": str},
    "fpe": {"domain": str, "alphabet": str},
    "token": {"domain": str, "alphabet": str},
    "hash": {"domain": str},
    "generalize": {"year": bool, "month": bool, "bucket": int, "prefix": int, "format": str},
    "date_shift": {"max_days": int, "context": str, "domain": str, "format": str},
}
ALPHABETS = {
    "digits": "0123456789",
    "upper": "ABCDEFGHIJKLMNOPQRSTUVWXYZ ",
    "alnum": "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ ",
    "alnum_mixed": "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz ",
}
"""Named alphabets of text FPE/tokens (the letter ones include the space: text fields are
padded with spaces to their length)."""
DEFAULT_TEXT_ALPHABET = "alnum_mixed"
DATE_FORMATS = {8: "yyyymmdd", 7: "yyyyddd", 6: "yyyymm"}
_TEXT_DATE_FORMATS = ("yyyy-mm-dd", "yyyymmdd")
_TOP_KEYS = {"version", "name", "purpose", "default", "key", "tags", "rule", "rows"}


class PolicyError(OptionsError):
    """A policy is malformed or unsafe for its copybook; names the policy file, line and rule
    when known. A usage error (CLI exit status 2); never contains field values."""

    def __init__(self, message: str, *, file: str | None = None, line: int | None = None) -> None:
        self.message = message
        self.file = file
        self.line = line
        where = file or "<policy>"
        if line is not None:
            where += f":{line}"
        super().__init__(f"{where}: {message}")


@attrs.frozen
class Rule:
    """One ``[[rule]]`` entry as written."""

    index: int  # 1-based
    action: str
    fields: tuple[str, ...] = ()
    tag: str | None = None
    options: tuple[tuple[str, Any], ...] = ()
    line: int | None = None

    @property
    def opts(self) -> dict[str, Any]:
        return dict(self.options)

    @property
    def label(self) -> str:
        return f"rule {self.index}" + (f" (line {self.line})" if self.line else "")


@attrs.frozen(eq=False)
class FieldAction:
    """The resolved action of one item of the layout."""

    item: Item
    action: str
    options: tuple[tuple[str, Any], ...] = ()
    source: str = "default"
    """Why: ``rule N (line L)``, ``default``, ``FILLER``, or the overlap that forced it."""
    explicit: bool = False
    occurs_depth: int = 0

    @property
    def opts(self) -> dict[str, Any]:
        return dict(self.options)

    @property
    def released(self) -> bool:
        return self.action not in WITHHOLD

    @property
    def domain(self) -> str:
        return str(self.opts.get("domain") or self.item.name)


@attrs.frozen
class AllowList:
    """The ``[rows]`` allow-list: typed values, its SHA-256 and count (never its content in
    any report)."""

    item: Item
    path: Path
    sha256: str
    values: pa.Array
    count: int


@attrs.frozen(eq=False)
class Policy:
    """A loaded, checked policy bound to one layout."""

    path: Path | None
    sha256: str
    version: int
    name: str
    purpose: str
    default: str
    key_file: Path | None
    key_env: str | None
    key_id: str | None
    tags: Mapping[str, tuple[str, ...]]
    rules: tuple[Rule, ...]
    layout: Layout
    actions: Mapping[str, FieldAction]
    """Elementary items (and FILLERs) by dotted path."""
    groups: Mapping[str, str]
    """Group dotted path -> summary action (``keep`` when some member is released)."""
    allow: AllowList | None = None
    notes: tuple[str, ...] = ()

    def action_for(self, dotted: str) -> FieldAction | None:
        return self.actions.get(dotted)

    def protected(self) -> list[FieldAction]:
        """Released items whose values are transformed (not ``keep``)."""
        return [fa for fa in self.actions.values() if fa.released and fa.action != "keep"]

    def summary(self) -> dict[str, str]:
        """dotted path -> action of every elementary item (for metadata and manifests)."""
        return {p: fa.action for p, fa in self.actions.items()}


# ---- loading --------------------------------------------------------------------------------
def load_policy(
    path: str | os.PathLike[str],
    copybook: str | os.PathLike[str] | Layout,
    *,
    search_path: Iterable[str | os.PathLike[str]] = (),
) -> Policy:
    """Read a policy file and check it against a copybook (path, text or ``Layout``)."""
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as e:
        raise PolicyError(f"cannot read the policy: {e.strerror}", file=str(p)) from None
    return parse_policy(raw, copybook, file=str(p), search_path=search_path)


def parse_policy(
    raw: bytes | str,
    copybook: str | os.PathLike[str] | Layout,
    *,
    file: str | None = None,
    search_path: Iterable[str | os.PathLike[str]] = (),
) -> Policy:
    """``load_policy`` on the text of a policy (``file`` names it in messages and anchors
    relative paths)."""
    from legacyio import load_copybook

    data = raw.encode("utf-8") if isinstance(raw, str) else raw
    text = data.decode("utf-8", errors="replace")
    fname = file or "<policy>"
    base = Path(file).parent if file else Path.cwd()
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        m = re.search(r"line (\d+)", str(e))
        raise PolicyError(
            f"not valid TOML: {e}", file=fname, line=int(m.group(1)) if m else None
        ) from None
    layout = load_copybook(copybook, search_path=tuple(search_path))
    return _Checker(doc, text, fname, base, layout, hashlib.sha256(data).hexdigest()).run()


class _Lines:
    """Line numbers of the TOML constructs (tomllib does not keep them)."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        self.rules = [
            i + 1 for i, s in enumerate(self.lines) if re.match(r"\s*\[\[\s*rule\s*\]\]", s)
        ]

    def table(self, name: str) -> int | None:
        for i, s in enumerate(self.lines):
            if re.match(rf"\s*\[\s*{re.escape(name)}\s*\]", s):
                return i + 1
        return None

    def key(self, key: str, start: int | None = None) -> int | None:
        """The first line at or after ``start`` that assigns ``key`` (before the next table)."""
        first = (start or 1) - 1
        for i in range(first, len(self.lines)):
            s = self.lines[i]
            if i > first and re.match(r"\s*\[", s):
                break
            if re.match(rf"\s*{re.escape(key)}\s*=", s):
                return i + 1
        return None

    def text_in(self, needle: str, start: int | None) -> int | None:
        first = (start or 1) - 1
        for i in range(first, len(self.lines)):
            s = self.lines[i]
            if i > first and re.match(r"\s*\[", s):
                break
            if needle in s:
                return i + 1
        return None


def _walk(item: Item, ancestors: tuple[Item, ...] = ()) -> Iterator[tuple[Item, tuple[Item, ...]]]:
    yield item, ancestors
    for c in item.children:
        yield from _walk(c, (*ancestors, item))


def _footprint(item: Item, ancestors: tuple[Item, ...], cap: int = 4096) -> list[tuple[int, int]]:
    """Byte ranges (start, end) of every occurrence of ``item`` (maximum layout)."""
    starts = [item.offset]
    for anc in (*ancestors, item):
        if anc.occurs is None or anc.occurs.max <= 1:
            continue
        if len(starts) * anc.occurs.max > cap:  # too many: the hull of the table
            lo = min(starts)
            return [(lo, max(s for s in starts) + anc.size * anc.occurs.max + item.size)]
        starts = [s + k * anc.size for s in starts for k in range(anc.occurs.max)]
    return [(s, s + item.size) for s in starts]


def _value_type(item: Item) -> pa.DataType | None:
    """Arrow type of one occurrence of an elementary item (None for a group)."""
    if item.is_group:
        return None
    try:
        return value_type(item.usage, item.picture)
    except ValueError:
        return None


def _is_text(item: Item) -> bool:
    t = _value_type(item)
    return t is not None and pa.types.is_string(t)


def _is_number(item: Item) -> bool:
    t = _value_type(item)
    return t is not None and (pa.types.is_integer(t) or pa.types.is_decimal(t))


def _chars(item: Item) -> int:
    """Characters of a text item (national: two bytes a character)."""
    if item.picture is not None and item.picture.length:
        return item.picture.length
    return item.size // (2 if item.usage in (Usage.NATIONAL, Usage.DBCS) else 1)


class _Checker:
    def __init__(
        self,
        doc: dict[str, Any],
        text: str,
        fname: str,
        base: Path,
        layout: Layout,
        sha: str,
    ) -> None:
        self.doc = doc
        self.lines = _Lines(text)
        self.fname = fname
        self.base = base
        self.layout = layout
        self.sha = sha
        self.notes: list[str] = []
        self.items: list[tuple[Item, tuple[Item, ...]]] = []
        for rec in layout.records:
            self.items.extend(_walk(rec))
        for s in layout.standalone:
            self.items.extend(_walk(s))
        self.ancestors = {id(it): anc for it, anc in self.items}
        self.odo_objects = {
            it.occurs.depending_path
            for it, _ in self.items
            if it.occurs is not None and it.occurs.depending_path
        }

    def err(self, msg: str, line: int | None = None) -> PolicyError:
        return PolicyError(msg, file=self.fname, line=line)

    # ---- top level -------------------------------------------------------------------
    def run(self) -> Policy:
        d = self.doc
        for k in d:
            if k not in _TOP_KEYS:
                raise self.err(
                    f"unknown key {k!r} (allowed: {', '.join(sorted(_TOP_KEYS))})",
                    self.lines.key(k) or self.lines.table(k),
                )
        version = d.get("version")
        if version != 1:
            raise self.err("version = 1 is required (the policy format version)")
        default = d.get("default", "drop")
        if default not in ("drop", "keep"):
            raise self.err('default must be "drop" or "keep"', self.lines.key("default"))
        for k in ("name", "purpose"):
            if k in d and not isinstance(d[k], str):
                raise self.err(f"{k} must be a string", self.lines.key(k))
        key_file, key_env, key_id = self.key_table(d.get("key", {}))
        tags = self.tag_table(d.get("tags", {}))
        rules = self.rule_list(d.get("rule", []))
        actions = self.resolve(rules, tags, default)
        self.check_overlaps(actions)
        allow = self.rows_table(d.get("rows"))
        groups = self.group_summary(actions)
        return Policy(
            path=Path(self.fname) if self.fname != "<policy>" else None,
            sha256=self.sha,
            version=1,
            name=str(d.get("name", "")),
            purpose=str(d.get("purpose", "")),
            default=default,
            key_file=key_file,
            key_env=key_env,
            key_id=key_id,
            tags=tags,
            rules=rules,
            layout=self.layout,
            actions=actions,
            groups=groups,
            allow=allow,
            notes=tuple(self.notes),
        )

    def key_table(self, t: Any) -> tuple[Path | None, str | None, str | None]:
        line = self.lines.table("key")
        if not isinstance(t, dict):
            raise self.err("[key] must be a table", line)
        for k in t:
            if k not in ("file", "env", "id"):
                raise self.err(
                    f"[key]: unknown key {k!r} (file, env, id); a key value itself is never "
                    "written in a policy",
                    self.lines.key(k, line),
                )
        if "file" in t and "env" in t:
            raise self.err("[key]: give file or env, not both", line)
        for k in t:
            if not isinstance(t[k], str) or not t[k]:
                raise self.err(f"[key]: {k} must be a non-empty string", self.lines.key(k, line))
        kf = t.get("file")
        path = None
        if kf is not None:
            path = Path(os.path.expanduser(kf))
            if not path.is_absolute():
                path = self.base / path
        return path, t.get("env"), t.get("id")

    def tag_table(self, t: Any) -> dict[str, tuple[str, ...]]:
        line = self.lines.table("tags")
        if not isinstance(t, dict):
            raise self.err("[tags] must be a table of name = [field, ...]", line)
        out: dict[str, tuple[str, ...]] = {}
        for name, val in t.items():
            names = [val] if isinstance(val, str) else val
            if not isinstance(names, list) or not all(isinstance(x, str) for x in names):
                raise self.err(
                    f"tag {name!r} must be a list of field names", self.lines.key(name, line)
                )
            for n in names:  # resolve now: unknown names are errors even if unused
                self.targets(n, f"tag {name!r}", self.lines.key(name, line))
            out[name] = tuple(names)
        return out

    def rule_list(self, rules: Any) -> tuple[Rule, ...]:
        if not isinstance(rules, list):
            raise self.err("rule must be an array of tables: [[rule]]")
        out = []
        for i, r in enumerate(rules, 1):
            line = self.lines.rules[i - 1] if i - 1 < len(self.lines.rules) else None
            label = f"rule {i}"
            if not isinstance(r, dict):
                raise self.err(f"{label} must be a table", line)
            action = r.get("action")
            if action not in ACTIONS:
                raise self.err(
                    f"{label}: action must be one of {', '.join(ACTIONS)}",
                    self.lines.key("action", line) or line,
                )
            has_field, has_tag = "field" in r, "tag" in r
            if has_field == has_tag:
                raise self.err(f"{label}: give exactly one of field = or tag =", line)
            fields: tuple[str, ...] = ()
            tag = None
            if has_field:
                f = r["field"]
                fl = [f] if isinstance(f, str) else f
                if not isinstance(fl, list) or not fl or not all(isinstance(x, str) for x in fl):
                    raise self.err(f"{label}: field must be a name or a list of names", line)
                fields = tuple(fl)
            else:
                tag = r["tag"]
                if not isinstance(tag, str):
                    raise self.err(f"{label}: tag must be a tag name", line)
            allowed = _OPTIONS[action]
            opts: dict[str, Any] = {}
            for k, v in r.items():
                if k in ("field", "tag", "action"):
                    continue
                if k not in allowed:
                    names = ", ".join(allowed) or "none"
                    raise self.err(
                        f"{label}: action {action!r} takes no option {k!r} (options: {names})",
                        self.lines.key(k, line),
                    )
                typ = allowed[k]
                if not isinstance(v, typ) or (typ is int and isinstance(v, bool)):
                    raise self.err(
                        f"{label}: option {k} must be {getattr(typ, '__name__', typ)}",
                        self.lines.key(k, line),
                    )
                opts[k] = v
            self.check_options(action, opts, label, line)
            out.append(
                Rule(i, action, fields, tag, tuple(sorted(opts.items())), line)  # type: ignore[arg-type]
            )
        return tuple(out)

    def check_options(self, action: str, o: dict[str, Any], label: str, line: int | None) -> None:
        def bad(msg: str, key: str | None = None) -> PolicyError:
            return self.err(f"{label}: {msg}", (self.lines.key(key, line) if key else None) or line)

        if action == "mask":
            for k in ("keep_first", "keep_last"):
                if o.get(k, 0) < 0:
                    raise bad(f"{k} must be >= 0", k)
            for k in ("char", "digit_char"):
                if k in o and (len(o[k]) != 1 or not o[k].isprintable() or ord(o[k]) > 127):
                    raise bad(f"{k} must be one printable ASCII character", k)
            if "digit_char" in o and not o["digit_char"].isdigit():
                raise bad("digit_char must be a digit (a masked digit stays a digit)", "digit_char")
            if "char" in o and not o["char"].isalpha():
                raise bad("char must be a letter (a masked letter stays a letter)", "char")
        elif action == "generalize":
            kinds = [k for k in ("year", "month", "bucket", "prefix") if k in o]
            if len(kinds) != 1:
                raise bad("generalize takes exactly one of year, month, bucket = N, prefix = N")
            if kinds[0] in ("year", "month") and o[kinds[0]] is not True:
                raise bad(f"{kinds[0]} must be true", kinds[0])
            if kinds[0] in ("bucket", "prefix") and o[kinds[0]] < 1:
                raise bad(f"{kinds[0]} must be >= 1", kinds[0])
        elif action == "date_shift":
            if o.get("max_days", 0) < 1:
                raise bad("date_shift needs max_days = N (N >= 1)", "max_days")
            if "context" not in o:
                raise bad(
                    "date_shift needs context = FIELD (the entity whose dates shift together)"
                )
        if "alphabet" in o:
            a = o["alphabet"]
            chars = ALPHABETS.get(a, a)
            if len(chars) < 2 or len(set(chars)) != len(chars):
                raise bad(
                    f"alphabet must be one of {', '.join(ALPHABETS)} or a string of at least "
                    "two distinct characters",
                    "alphabet",
                )
        if "format" in o and o["format"] not in (*DATE_FORMATS.values(), *_TEXT_DATE_FORMATS):
            fmts = ", ".join((*DATE_FORMATS.values(), *_TEXT_DATE_FORMATS))
            raise bad(f"format must be one of {fmts}", "format")

    # ---- names ---------------------------------------------------------------------------
    def targets(self, name: str, label: str, line: int | None) -> list[Item]:
        """The items a name stands for: an item (a group stands for its members), ``GROUP.*``,
        or a 66-level RENAMES name (the elementary items inside its byte span)."""
        q = name.strip()
        star = q.endswith(".*")
        if star:
            q = q[:-2]
        for rn in self.layout.renames:
            if rn.name.upper() == q.upper().replace("_", "-"):
                span = [
                    it
                    for it, _ in self.items
                    if not it.children and it.offset >= rn.offset and it.end <= rn.offset + rn.size
                ]
                return span
        try:
            item = self.layout.find(q)
        except KeyError:
            raise self.err(
                f"{label}: no field named {name!r} in the copybook", self._line_of(name, line)
            ) from None
        except ValueError as e:
            raise self.err(f"{label}: {e}; use a dotted path", self._line_of(name, line)) from None
        if star and not item.children:
            raise self.err(f"{label}: {q}.* names the members of a group; {q} is not one", line)
        return [item]

    def _line_of(self, name: str, start: int | None) -> int | None:
        return self.lines.text_in(f'"{name}"', start) or start

    def elementary(self, item: Item) -> list[Item]:
        return [it for it in item.walk() if not it.children]

    # ---- resolution ----------------------------------------------------------------------
    def resolve(
        self, rules: tuple[Rule, ...], tags: Mapping[str, tuple[str, ...]], default: str
    ) -> dict[str, FieldAction]:
        # (specificity, rule) per elementary item
        chosen: dict[int, tuple[int, Rule]] = {}
        for rule in rules:
            if rule.tag is not None:
                if rule.tag not in tags:
                    raise self.err(
                        f"{rule.label}: no tag named {rule.tag!r} in [tags]",
                        self.lines.key("tag", rule.line) or rule.line,
                    )
                names = tags[rule.tag]
            else:
                names = rule.fields
            for name in names:
                for target in self.targets(name, rule.label, rule.line):
                    spec = len(target.path)
                    for it in self.elementary(target):
                        prev = chosen.get(id(it))
                        if prev is None or spec > prev[0]:
                            chosen[id(it)] = (spec, rule)
                        elif spec == prev[0] and (prev[1].action, prev[1].options) != (
                            rule.action,
                            rule.options,
                        ):
                            raise self.err(
                                f"{it.dotted} (offset {it.offset}) is named by {prev[1].label} "
                                f"and {rule.label} with different actions; name it once",
                                rule.line,
                            )
        out: dict[str, FieldAction] = {}
        for it, anc in self.items:
            if it.children:
                continue
            depth = sum(1 for a in (*anc, it) if a.occurs is not None)
            if it.is_filler:
                out[it.dotted] = FieldAction(it, "drop", (), "FILLER: never released", False, depth)
                continue
            got = chosen.get(id(it))
            if got is None:
                out[it.dotted] = FieldAction(it, default, (), "default", False, depth)
                continue
            rule = got[1]
            self.check_fit(it, rule)
            out[it.dotted] = FieldAction(it, rule.action, rule.options, rule.label, True, depth)
        return out

    def check_fit(self, it: Item, rule: Rule) -> None:
        """Refuse an action the item's type cannot take, or a domain that is too small."""
        a, o = rule.action, rule.opts
        where = f"{rule.label}: {it.dotted} (offset {it.offset}, length {it.size})"
        line = rule.line
        if it.path in self.odo_objects and a not in ("keep", "drop", "null", "blank"):
            raise self.err(
                f"{where} is the DEPENDING ON object of a table: its value is the table's "
                f"length, which the output shows anyway; keep or withhold it, not {a!r}",
                line,
            )
        if a in ("keep", "drop", "null", "blank"):
            return
        text, number = _is_text(it), _is_number(it)
        if it.usage == Usage.COMP5 and a in ("fpe", "token"):
            raise self.err(
                f"{where}: {a} works over the picture's digits; a COMP-5 item may hold any "
                "value of its bytes",
                line,
            )
        if a == "mask":
            if not (text or number):
                raise self.err(f"{where}: mask needs a text or decimal number field", line)
            return
        if a in ("fpe", "token"):
            if number:
                size, what = 10**it.digits, f"10^{it.digits}"
            elif text:
                chars = ALPHABETS.get(o.get("alphabet", ""), o.get("alphabet", ""))
                if not chars:
                    chars = ALPHABETS[
                        "digits" if a == "fpe" and _digits_only(it) else "alnum_mixed"
                    ]
                size, what = len(chars) ** _chars(it), f"{len(chars)}^{_chars(it)}"
            else:
                raise self.err(f"{where}: {a} needs a text or decimal number field", line)
            need = FPE_MIN_DOMAIN if a == "fpe" else TOKEN_MIN_DOMAIN
            if size < need:
                why = (
                    "FF1 needs a domain of at least 10^6 values"
                    if a == "fpe"
                    else "a truncated keyed hash over fewer than 2^40 values collides"
                )
                raise self.err(f"{where}: domain {what} is too small for {a}: {why}", line)
            return
        if a == "hash":
            if not text or _chars(it) < HASH_MIN_CHARS:
                raise self.err(
                    f"{where}: hash needs a text field of at least {HASH_MIN_CHARS} characters "
                    "(its keyed hex digest, truncated to the field, must keep 64 bits)",
                    line,
                )
            return
        if a == "generalize" and ("bucket" in o or "prefix" in o):
            if "bucket" in o and not number:
                raise self.err(f"{where}: generalize bucket needs a number field", line)
            if "prefix" in o:
                if not (text or number):
                    raise self.err(f"{where}: generalize prefix needs a text or number", line)
                if number and it.scale != 0:
                    raise self.err(f"{where}: generalize prefix needs an integer field", line)
            return
        # dates: generalize year/month, date_shift
        date_format(it, o.get("format"), where, self.err, line)
        if a == "date_shift":
            ctx = o["context"]
            target = self.targets(ctx, rule.label, line)[0]
            if target.children or any(
                x.occurs is not None for x in (*self.ancestors.get(id(target), ()), target)
            ):
                raise self.err(
                    f"{rule.label}: context {ctx!r} must be an elementary field outside any table",
                    line,
                )

    # ---- bytes, not names ---------------------------------------------------------------
    def check_overlaps(self, actions: dict[str, FieldAction]) -> None:
        spans: list[tuple[int, int, str]] = []
        for it, anc in self.items:
            if it.children or it.dotted not in actions:
                continue
            for s, e in _footprint(it, anc):
                spans.append((s, e, it.dotted))
        spans.sort()
        active: list[tuple[int, str]] = []  # (end, dotted)
        pairs: set[tuple[str, str]] = set()
        for s, e, name in spans:
            active = [(ae, an) for ae, an in active if ae > s]
            for _, an in active:
                if an != name:
                    pairs.add((an, name) if an < name else (name, an))
            active.append((e, name))
        changed = True
        while changed:  # withholding one item can never create a new conflict; loop once more
            changed = False
            for a_name, b_name in sorted(pairs):
                fa, fb = actions[a_name], actions[b_name]
                if _compatible(fa, fb):
                    continue
                for weak, strong in ((fa, fb), (fb, fa)):
                    if weak.action == "keep" and not weak.explicit:
                        actions[weak.item.dotted] = attrs.evolve(
                            weak,
                            action="drop",
                            source=(
                                f"withheld: its bytes overlap {strong.item.dotted} "
                                f"(offset {strong.item.offset}, {strong.action})"
                            ),
                        )
                        changed = True
                        break
                else:
                    lo, hi = (
                        (fa, fb) if STRICTNESS[fa.action] <= STRICTNESS[fb.action] else (fb, fa)
                    )
                    raise self.err(
                        f"{lo.source} releases {lo.item.dotted} (offset {lo.item.offset}, "
                        f"length {lo.item.size}) with {lo.action!r}, but its bytes overlap "
                        f"{hi.item.dotted} (offset {hi.item.offset}, length {hi.item.size}) "
                        f"which {hi.source} protects with {hi.action!r}. Protection follows "
                        f"bytes, not names: give {lo.item.dotted} a withholding action "
                        "(drop, null, blank) or the same action",
                        _rule_line(lo.source),
                    )
        for rn in self.layout.renames:
            inside = [
                fa
                for fa in actions.values()
                if fa.item.offset < rn.offset + rn.size and fa.item.end > rn.offset
            ]
            prot = [fa.item.dotted for fa in inside if fa.action != "keep"]
            if prot:
                self.notes.append(
                    f"RENAMES {rn.name} (offset {rn.offset}, length {rn.size}) is not an output "
                    f"column; its bytes hold protected fields: {', '.join(prot)}"
                )

    # ---- rows ----------------------------------------------------------------------------
    def rows_table(self, t: Any) -> AllowList | None:
        if t is None:
            return None
        line = self.lines.table("rows")
        if not isinstance(t, dict):
            raise self.err("[rows] must be a table", line)
        for k in t:
            if k not in ("field", "allow_file"):
                raise self.err(
                    f"[rows]: unknown key {k!r} (field, allow_file)", self.lines.key(k, line)
                )
        if not isinstance(t.get("field"), str) or not isinstance(t.get("allow_file"), str):
            raise self.err("[rows] needs field = NAME and allow_file = PATH", line)
        item = self.targets(t["field"], "[rows]", line)[0]
        anc = self.ancestors.get(id(item), ())
        if item.children or any(x.occurs is not None for x in (*anc, item)):
            raise self.err(
                f"[rows]: {item.dotted} must be an elementary field outside any table", line
            )
        if not (_is_text(item) or _is_number(item)):
            raise self.err(f"[rows]: {item.dotted} must be a text or number field", line)
        p = Path(os.path.expanduser(t["allow_file"]))
        if not p.is_absolute():
            p = self.base / p
        try:
            data = p.read_bytes()
        except OSError as e:
            raise self.err(
                f"[rows]: cannot read the allow-list {p}: {e.strerror}",
                self.lines.key("allow_file", line),
            ) from None
        values = _parse_allow(data, item, str(p))
        return AllowList(item, p, hashlib.sha256(data).hexdigest(), values, len(values))

    def group_summary(self, actions: Mapping[str, FieldAction]) -> dict[str, str]:
        out: dict[str, str] = {}
        for it, _ in self.items:
            if not it.children:
                continue
            members = [actions[x.dotted] for x in it.walk() if x.dotted in actions]
            acts = {m.action for m in members if m.released}
            if not acts:
                out[it.dotted] = "drop"
            elif acts == {"keep"} and all(m.released for m in members):
                out[it.dotted] = "keep"
            else:
                some = "" if all(m.released for m in members) else " (some withheld)"
                out[it.dotted] = "members: " + ", ".join(sorted(acts)) + some
        return out


def _rule_line(source: str) -> int | None:
    m = re.search(r"\(line (\d+)\)", source)
    return int(m.group(1)) if m else None


def _compatible(a: FieldAction, b: FieldAction) -> bool:
    """Two overlapping items may be released together."""
    if a.action in WITHHOLD or b.action in WITHHOLD:
        return True
    if a.action == "keep" and b.action == "keep":
        return True
    # the same transformation of the very same bytes gives the same output
    same_bytes = (a.item.offset, a.item.total_size) == (b.item.offset, b.item.total_size)
    return (
        same_bytes
        and a.action == b.action
        and a.options == b.options
        and _value_type(a.item) == _value_type(b.item)
        and a.domain == b.domain
    )


def _digits_only(item: Item) -> bool:
    pic = item.picture
    return bool(pic and pic.symbols and set(pic.symbols) <= {"9"})


def date_format(
    item: Item, fmt: str | None, where: str, err: Any = None, line: int | None = None
) -> str:
    """The date format of a date-like field: yyyymmdd / yyyyddd / yyyymm numbers (from the
    number of digits unless ``format`` says), yyyy-mm-dd / yyyymmdd text."""

    def fail(msg: str) -> Exception:
        return err(msg, line) if err else PolicyError(msg)

    if _is_number(item):
        if item.scale != 0:
            raise fail(f"{where}: a date needs an integer field")
        f = fmt or DATE_FORMATS.get(item.digits)
        if f is None or f not in DATE_FORMATS.values() or len(f) != item.digits:
            raise fail(
                f"{where}: a date field is a 9(8) yyyymmdd, 9(7) yyyyddd or 9(6) yyyymm "
                "number (or give format =)"
            )
        return f
    if _is_text(item):
        f = fmt or {10: "yyyy-mm-dd", 8: "yyyymmdd"}.get(_chars(item), "")
        if f not in _TEXT_DATE_FORMATS or _chars(item) < len(f):
            raise fail(f"{where}: a text date is yyyy-mm-dd or yyyymmdd (give format =)")
        return f
    raise fail(f"{where}: a date needs a number or text field")


def _parse_allow(data: bytes, item: Item, where: str) -> pa.Array:
    """Typed allow-list values; a bad line is named by number, never shown."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise PolicyError("the allow-list is not UTF-8 text", file=where) from None
    vals: list[Any] = []
    t = _value_type(item)
    assert t is not None
    for n, line in enumerate(text.splitlines(), 1):
        s = line.strip()
        if not s or s.startswith("#"):
            continue
        if pa.types.is_string(t):
            vals.append(s)
            continue
        try:
            if pa.types.is_integer(t):
                vals.append(int(s))
            else:
                vals.append(Decimal(s))
        except (ValueError, InvalidOperation):
            raise PolicyError(
                f"line {n} is not a number (the field {item.dotted} is numeric)", file=where
            ) from None
    try:
        arr = pa.array(sorted(set(vals)), type=t)
    except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):
        raise PolicyError(
            f"a value does not fit the type {t} of {item.dotted}", file=where
        ) from None
    return arr


# ---- report ---------------------------------------------------------------------------------
def check_table(policy: Policy) -> list[dict[str, Any]]:
    """One row a layout item (record order): path, level, offset, length, picture, Arrow type,
    action, options and why — the ``legacyio policy check`` table. No data is read."""
    rows: list[dict[str, Any]] = []
    items: list[Item] = []
    for r in policy.layout.records:
        items.extend(r.walk())
    for it in items:
        fa = policy.actions.get(it.dotted)
        if it.children:
            action = policy.groups.get(it.dotted, "")
            opts, why = "", "group: its members' actions"
        elif fa is not None:
            action = fa.action
            opts = ", ".join(f"{k}={v}" for k, v in fa.options)
            why = fa.source
        else:
            continue
        rows.append(
            {
                "path": it.dotted,
                "level": it.level,
                "offset": it.offset,
                "length": it.total_size,
                "picture": it.picture.source if it.picture else "",
                "usage": str(it.usage),
                "category": str(it.category) if it.category != Category.GROUP else "group",
                "arrow": _short_type(it),
                "action": action,
                "options": opts,
                "why": why,
            }
        )
    for rn in policy.layout.renames:
        rows.append(
            {
                "path": rn.name,
                "level": 66,
                "offset": rn.offset,
                "length": rn.size,
                "picture": "",
                "usage": "",
                "category": "renames",
                "arrow": "",
                "action": "not output",
                "options": "",
                "why": "66-level alias: its bytes follow the fields it spans",
            }
        )
    return rows


def _short_type(it: Item) -> str:
    t = _value_type(it)
    if t is not None and it.occurs:
        t = pa.list_(t)
    if t is None and not it.children:
        return ""
    if it.children:
        return "list<struct>" if it.occurs else "struct"
    return str(t)


def format_check_table(policy: Policy) -> str:
    """The check table as aligned text, with the policy's notes after it."""
    rows = check_table(policy)
    cols = ["path", "offset", "length", "picture", "arrow", "action", "options", "why"]
    head = {c: c.upper() for c in cols}
    width = {c: max(len(str(r[c])) for r in [head, *rows]) for c in cols}
    lines = ["  ".join(str(r[c]).ljust(width[c]) for c in cols).rstrip() for r in [head, *rows]]
    lines.insert(1, "  ".join("-" * width[c] for c in cols))
    if policy.allow is not None:
        lines.append(
            f"rows: only records whose {policy.allow.item.dotted} is in the allow-list "
            f"({policy.allow.count} values, sha256 {policy.allow.sha256[:16]}...)"
        )
    lines.extend(f"note: {n}" for n in policy.notes)
    return "\n".join(lines)
