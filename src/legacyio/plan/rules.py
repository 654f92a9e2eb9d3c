"""Record-type rules over a batch: the fields the rules name are decoded first, straight from
the record matrix (independently of the alternatives they select), and every rule is evaluated
for the whole batch at once with pyarrow.compute and NumPy; nothing loops over records.

Logic is three-valued, as in SQL: a test on a key field that could not be decoded (bad bytes)
is unknown, ``not`` of unknown is unknown, ``unknown and false`` is false, ``unknown or true``
is true; a record matches a rule only when the rule is true. Rules are tried in order and the
first one a record matches gives its alternative.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from legacyio.codecs import make_codec
from legacyio.errors import OptionsError
from legacyio.layout.model import Item, Layout
from legacyio.options import FileFormat
from legacyio.plan.nodes import inside_occurs
from legacyio.rules import (
    And,
    Between,
    Compare,
    Expr,
    InList,
    Not,
    Or,
    RuleError,
    Test,
    parse_rule,
    rule_tests,
    values_of,
)

_Truth = tuple[np.ndarray, np.ndarray]
"""(is true, is false) per record; neither: unknown."""

_CMP = {
    "=": pc.equal,
    "!=": pc.not_equal,
    "<": pc.less,
    "<=": pc.less_equal,
    ">": pc.greater,
    ">=": pc.greater_equal,
}


class KeyField:
    """One field a rule names: where it is and the codec that decodes it."""

    def __init__(self, item: Item, fmt: FileFormat) -> None:
        self.item = item
        self.codec = make_codec(item, fmt, trim="both")
        self.offset = item.offset
        self.width = self.codec.width
        t = getattr(self.codec, "arrow_type", None)
        if t is not None and pa.types.is_string(t):
            self.kind = "text"
        elif t is not None and (
            pa.types.is_integer(t) or pa.types.is_decimal(t) or pa.types.is_floating(t)
        ):
            self.kind = "number"
        else:
            self.kind = "other"

    def values(self, mat: np.ndarray) -> tuple[pa.Array, np.ndarray]:
        """The field's values and, per record, whether it decoded (valid)."""
        vals, invalid = self.codec.decode(mat[:, self.offset : self.offset + self.width])
        if isinstance(vals, pa.ChunkedArray):
            vals = vals.combine_chunks()
        valid = np.asarray(vals.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
        if invalid is not None:
            valid &= ~np.asarray(invalid, dtype=bool)
        if self.kind == "text":
            vals = pc.utf8_trim(vals, characters=" \x00")
        return vals, valid


def _find(layout: Layout, rule: str, name: str, column: int, text: str) -> Item:
    for candidate in dict.fromkeys((name, name.replace("_", "-"))):
        try:
            return layout.find(candidate)
        except KeyError:
            continue
        except ValueError as e:
            raise RuleError(rule, column, f"field {name} is ambiguous ({e})", text) from None
    raise RuleError(rule, column, f"unknown field {name} (not in the copybook)", text)


class RuleSet:
    """The ``record_types`` of a file, resolved against its copybook."""

    def __init__(self, layout: Layout, fmt: FileFormat) -> None:
        self.names = [name for name, _ in fmt.record_types]
        self.exprs: list[Expr] = []
        self.fields: dict[str, KeyField] = {}
        for name, text in fmt.record_types:
            expr = parse_rule(name, text)
            for test in rule_tests(expr):
                f = test.field
                item = _find(layout, name, f.name, f.column, text)
                if item.is_group or item.occurs is not None or _in_table(layout, item):
                    raise RuleError(
                        name,
                        f.column,
                        f"field {f.name} must be an elementary item outside any OCCURS table",
                        text,
                    )
                key = f.name.upper()
                if key not in self.fields:
                    try:
                        self.fields[key] = KeyField(item, fmt)
                    except ValueError as e:
                        raise RuleError(name, f.column, str(e), text) from None
                kf = self.fields[key]
                for v in values_of(test):
                    want_text = kf.kind == "text"
                    if kf.kind == "other":
                        raise RuleError(
                            name, f.column, f"field {f.name} holds neither text nor numbers", text
                        )
                    if want_text != isinstance(v.value, str):
                        holds = "text" if want_text else "numbers"
                        kind = "a quoted text" if want_text else "a number"
                        raise RuleError(
                            name,
                            v.column,
                            f"field {f.name} holds {holds}: compare it with {kind}",
                            text,
                        )
            self.exprs.append(expr)
        self.spans = sorted({(k.offset, k.offset + k.width) for k in self.fields.values()})
        """Byte ranges of the key fields in the record."""

    def choose(self, mat: np.ndarray) -> np.ndarray:
        """Per record the index of the first rule it matches, -1 for none."""
        n = mat.shape[0]
        cache: dict[str, tuple[pa.Array, np.ndarray]] = {}
        choice = np.full(n, -1, dtype=np.int64)
        todo = np.ones(n, dtype=bool)
        for i, expr in enumerate(self.exprs):
            if not todo.any():
                break
            true, _ = self._eval(expr, mat, cache)
            hit = true & todo
            choice[hit] = i
            todo &= ~hit
        return choice

    def _values(
        self, name: str, mat: np.ndarray, cache: dict[str, tuple[pa.Array, np.ndarray]]
    ) -> tuple[pa.Array, np.ndarray]:
        key = name.upper()
        got = cache.get(key)
        if got is None:
            got = cache[key] = self.fields[key].values(mat)
        return got

    def _eval(
        self, expr: Expr, mat: np.ndarray, cache: dict[str, tuple[pa.Array, np.ndarray]]
    ) -> _Truth:
        if isinstance(expr, And):
            lt, lf = self._eval(expr.left, mat, cache)
            rt, rf = self._eval(expr.right, mat, cache)
            return lt & rt, lf | rf
        if isinstance(expr, Or):
            lt, lf = self._eval(expr.left, mat, cache)
            rt, rf = self._eval(expr.right, mat, cache)
            return lt | rt, lf & rf
        if isinstance(expr, Not):
            t, f = self._eval(expr.operand, mat, cache)
            return f, t
        return self._test(expr, mat, cache)

    def _test(
        self, test: Test, mat: np.ndarray, cache: dict[str, tuple[pa.Array, np.ndarray]]
    ) -> _Truth:
        vals, valid = self._values(test.field.name, mat, cache)
        if isinstance(test, Compare):
            hit = _bools(_CMP[test.op](vals, _scalar(test.value.value)))
        elif isinstance(test, InList):
            hit = np.zeros(len(vals), dtype=bool)
            for v in test.values:
                hit |= _bools(pc.equal(vals, _scalar(v.value)))
            if test.negated:
                hit = ~hit
        else:
            assert isinstance(test, Between)
            hit = _bools(pc.greater_equal(vals, _scalar(test.low.value))) & _bools(
                pc.less_equal(vals, _scalar(test.high.value))
            )
            if test.negated:
                hit = ~hit
        return hit & valid, ~hit & valid


def _scalar(value: Any) -> pa.Scalar:
    if isinstance(value, str):
        return pa.scalar(value.strip(" \x00"), pa.string())
    assert isinstance(value, Decimal)
    if value == value.to_integral_value() and abs(value) < 2**63:
        return pa.scalar(int(value), pa.int64())
    return pa.scalar(value)


def _bools(arr: Any) -> np.ndarray:
    return np.asarray(pc.fill_null(arr, False).to_numpy(zero_copy_only=False), dtype=bool)


def _in_table(layout: Layout, item: Item) -> bool:
    return any(inside_occurs(root, item) for root in layout.records)


def check_groups(rules: RuleSet, known: set[str]) -> None:
    """OptionsError naming the record types that are no group or record of the copybook."""
    missing = [n for n in rules.names if n.upper().replace("_", "-") not in known]
    if missing:
        raise OptionsError(
            "record_types names no group or 01 record of the copybook: " + ", ".join(missing)
        )
