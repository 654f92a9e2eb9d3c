"""The record-type rule language (``legacyio.rules``): what parses to which tree, and where
an error points (rule name and 1-based column in the rule text)."""

from __future__ import annotations

from decimal import Decimal

import pytest

import legacyio
from legacyio.rules import (
    And,
    Between,
    Compare,
    InList,
    Not,
    Or,
    RuleError,
    parse_rule,
    rule_tests,
)


def test_comparison_and_in_list() -> None:
    e = parse_rule("SEG-A", "REC-TYPE = 'A' and REGION in ('01', \"02\")")
    assert isinstance(e, And)
    assert isinstance(e.left, Compare) and e.left.op == "=" and e.left.value.value == "A"
    assert e.left.field.name == "REC-TYPE" and e.left.field.column == 1
    assert isinstance(e.right, InList) and not e.right.negated
    assert [v.value for v in e.right.values] == ["01", "02"]
    assert e.right.field.column == 20


def test_and_binds_tighter_than_or_and_parentheses_override() -> None:
    e = parse_rule("R", "A = 1 or B = 2 and C = 3")
    assert isinstance(e, Or) and isinstance(e.right, And)
    e = parse_rule("R", "(A = 1 or B = 2) and C = 3")
    assert isinstance(e, And) and isinstance(e.left, Or)


def test_not_between_numbers_and_keywords_in_any_case() -> None:
    e = parse_rule("R", "NOT (X = 'Z') AND AMOUNT-KIND NOT BETWEEN -10 AND 19.5")
    assert isinstance(e, And) and isinstance(e.left, Not)
    b = e.right
    assert isinstance(b, Between) and b.negated
    assert b.low.value == Decimal("-10") and b.high.value == Decimal("19.5")


@pytest.mark.parametrize(
    ("text", "op"),
    [
        ("A=1", "="),
        ("A == 1", "="),
        ("A != 1", "!="),
        ("A <> 1", "!="),
        ("A<1", "<"),
        ("A <= 1", "<="),
        ("A > 1", ">"),
        ("A>=1", ">="),
    ],
)
def test_operators(text: str, op: str) -> None:
    e = parse_rule("R", text)
    assert isinstance(e, Compare) and e.op == op


def test_quotes_doubled_inside_text_and_names_with_digits_and_qualifiers() -> None:
    e = parse_rule("R", "1ST-CODE = 'O''BRIEN' or REC.KIND_2 not in (1, 2)")
    assert isinstance(e, Or)
    assert e.left.field.name == "1ST-CODE" and e.left.value.value == "O'BRIEN"
    assert e.right.field.name == "REC.KIND_2" and e.right.negated
    assert [t.field.name for t in rule_tests(e)] == ["1ST-CODE", "REC.KIND_2"]


@pytest.mark.parametrize(
    ("text", "column", "words"),
    [
        ("", 1, "empty"),
        ("REC-TYPE = ", 12, "expected a quoted text or a number after '='"),
        ("REC-TYPE = 'A' and", 19, "expected a field name"),
        ("REC-TYPE = 'A", 12, "not closed"),
        ("REC-TYPE ~ 'A'", 10, "unexpected character"),
        ("REC-TYPE 'A'", 10, "expected a comparison"),
        ("X in 'A'", 6, "expected '(' after 'in'"),
        ("X in ('A' 'B')", 11, "expected ',' or ')'"),
        ("X between 1 or 2", 13, "expected 'and'"),
        ("X between 1 and 'Z'", 13, "both be text or both numbers"),
        ("not (X = 1", 11, "expected ')'"),
        ("X = 1 Y = 2", 7, "expected 'and', 'or'"),
        ("X not = 1", 7, "expected 'in' or 'between' after 'not'"),
        ("X = 1.2.3", 5, "not a number"),
        ("X ! 1", 3, "unknown operator"),
        ("and X = 1", 1, "expected a field name"),
    ],
)
def test_errors_name_the_rule_and_the_column(text: str, column: int, words: str) -> None:
    with pytest.raises(RuleError) as info:
        parse_rule("SEG-A", text)
    err = info.value
    assert err.column == column, str(err)
    assert words in err.reason
    assert "'SEG-A'" in str(err) and f"column {column}" in str(err)
    assert isinstance(err, legacyio.OptionsError)


def test_file_format_parses_rules_when_built() -> None:
    fmt = legacyio.FileFormat(record_types={"A": "X = 1", "B": "X = 2 or X = 3"})
    assert fmt.record_types == (("A", "X = 1"), ("B", "X = 2 or X = 3"))
    # "NAME=RULE" strings (as the CLI gives them) are the same
    assert legacyio.FileFormat(record_types=["A=X = 1", "B=X = 2 or X = 3"]) == fmt
    with pytest.raises(RuleError, match="column 5"):
        legacyio.FileFormat(record_types={"A": "X = "})
    with pytest.raises(legacyio.OptionsError, match="twice"):
        legacyio.FileFormat(record_types=[("A", "X = 1"), ("a", "X = 2")])
    with pytest.raises(legacyio.OptionsError, match="must be text"):
        legacyio.FileFormat(record_types={"A": 3})


def test_no_eval_a_python_expression_is_not_a_rule() -> None:
    with pytest.raises(RuleError):
        parse_rule("R", "__import__('os').system('true')")
