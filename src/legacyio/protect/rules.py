"""The vocabulary of a need-to-know policy: actions and how strict each is, the domain
minimums, alphabets and date formats, and the checked policy itself (rules, field actions,
allow-list) as frozen classes.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs
import pyarrow as pa

from legacyio.errors import OptionsError
from legacyio.layout.model import Item, Layout

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
