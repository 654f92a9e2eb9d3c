"""Record-type rules: which REDEFINES alternative (or 01 record) a record holds, told by a
condition over fields decoded before the alternatives (``FileFormat.record_types``).

A small declarative language, parsed here by hand (never ``eval``)::

    rule       := or_expr
    or_expr    := and_expr ("or" and_expr)*
    and_expr   := not_expr ("and" not_expr)*
    not_expr   := "not" not_expr | "(" or_expr ")" | test
    test       := FIELD op literal
                | FIELD ["not"] "in" "(" literal ("," literal)* ")"
                | FIELD ["not"] "between" literal "and" literal
    op         := "=" | "==" | "!=" | "<>" | "<" | "<=" | ">" | ">="
    literal    := 'text' | "text" | number (-12, 3.5)

Keywords are case-insensitive; FIELD is a COBOL data name (``REC-TYPE``, ``REC.REC-TYPE`` or
``REC_TYPE``). This module only parses: it knows no copybook, no Arrow (the plan resolves the
fields and evaluates rules over a batch, ``legacyio.plan.rules``).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

import attrs

from legacyio.errors import OptionsError

Literal_ = str | Decimal

COMPARISONS = ("=", "!=", "<", "<=", ">", ">=")
_OPS = {"=": "=", "==": "=", "!=": "!=", "<>": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}
_KEYWORDS = frozenset({"and", "or", "not", "in", "between"})


class RuleError(OptionsError):
    """A record-type rule that cannot be parsed or does not fit the copybook: names the rule,
    the column (1-based) in the rule text and what is wrong."""

    def __init__(self, rule: str, column: int, message: str, text: str | None = None) -> None:
        self.rule = rule
        self.column = column
        self.reason = message
        shown = f" in {text!r}" if text is not None else ""
        super().__init__(f"record type rule {rule!r}, column {column}: {message}{shown}")


@attrs.frozen
class Field:
    name: str
    column: int
    """1-based column of the name in the rule text."""


@attrs.frozen
class Value:
    value: Literal_
    column: int


@attrs.frozen
class Compare:
    field: Field
    op: str
    value: Value


@attrs.frozen
class InList:
    field: Field
    values: tuple[Value, ...]
    negated: bool


@attrs.frozen
class Between:
    field: Field
    low: Value
    high: Value
    negated: bool


@attrs.frozen
class And:
    left: Expr
    right: Expr


@attrs.frozen
class Or:
    left: Expr
    right: Expr


@attrs.frozen
class Not:
    operand: Expr


Expr = Compare | InList | Between | And | Or | Not
Test = Compare | InList | Between


@attrs.frozen
class _Token:
    kind: str  # "name", "kw", "str", "num", "op", "(", ")", ",", "end"
    text: str
    column: int
    value: Literal_ | None = None


def _is_name_char(c: str) -> bool:
    return c.isalnum() or c in "-_."


def tokenize(rule: str, text: str) -> list[_Token]:
    """The tokens of a rule; RuleError at the first character that starts none."""
    out: list[_Token] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        col = i + 1
        if c.isspace():
            i += 1
            continue
        if c in "(),":
            out.append(_Token(c, c, col))
            i += 1
            continue
        if c in "'\"":
            j = i + 1
            chars = []
            while True:
                if j >= n:
                    raise RuleError(rule, col, "a quoted value is not closed", text)
                if text[j] == c:
                    if j + 1 < n and text[j + 1] == c:  # a doubled quote stands for itself
                        chars.append(c)
                        j += 2
                        continue
                    break
                chars.append(text[j])
                j += 1
            out.append(_Token("str", text[i : j + 1], col, "".join(chars)))
            i = j + 1
            continue
        if c.isdigit() or (c in "+-." and i + 1 < n and (text[i + 1].isdigit())):
            j = i + 1
            while j < n and (text[j].isdigit() or text[j] == "."):
                j += 1
            if j < n and _is_name_char(text[j]) and text[j] != "." and c.isdigit():
                # a data name may start with a digit (1ST-TYPE)
                while j < n and _is_name_char(text[j]):
                    j += 1
                out.append(_Token("name", text[i:j], col))
                i = j
                continue
            raw = text[i:j]
            try:
                num = Decimal(raw)
            except InvalidOperation:
                raise RuleError(rule, col, f"{raw!r} is not a number", text) from None
            out.append(_Token("num", raw, col, num))
            i = j
            continue
        if c in "=!<>":
            two = text[i : i + 2]
            if two in _OPS:
                out.append(_Token("op", _OPS[two], col))
                i += 2
                continue
            if c in _OPS:
                out.append(_Token("op", _OPS[c], col))
                i += 1
                continue
            raise RuleError(
                rule, col, f"unknown operator {c!r} (use =, !=, <>, <, <=, >, >=)", text
            )
        if c.isalpha() or c == "_":
            j = i + 1
            while j < n and _is_name_char(text[j]):
                j += 1
            word = text[i:j]
            if word.lower() in _KEYWORDS:
                out.append(_Token("kw", word.lower(), col))
            else:
                out.append(_Token("name", word, col))
            i = j
            continue
        raise RuleError(rule, col, f"unexpected character {c!r}", text)
    out.append(_Token("end", "", n + 1))
    return out


class _Parser:
    def __init__(self, rule: str, text: str) -> None:
        self.rule = rule
        self.text = text
        self.toks = tokenize(rule, text)
        self.i = 0

    def peek(self) -> _Token:
        return self.toks[self.i]

    def take(self) -> _Token:
        t = self.toks[self.i]
        self.i += 1
        return t

    def fail(self, tok: _Token, message: str) -> RuleError:
        return RuleError(self.rule, tok.column, message, self.text)

    def at_kw(self, word: str) -> bool:
        t = self.peek()
        return t.kind == "kw" and t.text == word

    def parse(self) -> Expr:
        if self.peek().kind == "end":
            raise self.fail(self.peek(), "the rule is empty")
        e = self.or_expr()
        t = self.peek()
        if t.kind != "end":
            raise self.fail(t, f"expected 'and', 'or' or the end of the rule, found {_show(t)}")
        return e

    def or_expr(self) -> Expr:
        e = self.and_expr()
        while self.at_kw("or"):
            self.take()
            e = Or(e, self.and_expr())
        return e

    def and_expr(self) -> Expr:
        e = self.not_expr()
        while self.at_kw("and"):
            self.take()
            e = And(e, self.not_expr())
        return e

    def not_expr(self) -> Expr:
        t = self.peek()
        if t.kind == "kw" and t.text == "not":
            self.take()
            return Not(self.not_expr())
        if t.kind == "(":
            self.take()
            e = self.or_expr()
            close = self.peek()
            if close.kind != ")":
                raise self.fail(close, f"expected ')', found {_show(close)}")
            self.take()
            return e
        return self.test()

    def test(self) -> Test:
        t = self.take()
        if t.kind != "name":
            raise self.fail(t, f"expected a field name, found {_show(t)}")
        field = Field(t.text, t.column)
        op = self.take()
        if op.kind == "op":
            return Compare(field, op.text, self.literal(f"after '{op.text}'"))
        negated = False
        if op.kind == "kw" and op.text == "not":
            negated = True
            op = self.take()
            if not (op.kind == "kw" and op.text in ("in", "between")):
                raise self.fail(op, f"expected 'in' or 'between' after 'not', found {_show(op)}")
        if op.kind == "kw" and op.text == "in":
            opening = self.take()
            if opening.kind != "(":
                raise self.fail(opening, f"expected '(' after 'in', found {_show(opening)}")
            values = [self.literal("in the 'in' list")]
            while self.peek().kind == ",":
                self.take()
                values.append(self.literal("after ','"))
            close = self.take()
            if close.kind != ")":
                raise self.fail(
                    close, f"expected ',' or ')' in the 'in' list, found {_show(close)}"
                )
            return InList(field, tuple(values), negated)
        if op.kind == "kw" and op.text == "between":
            low = self.literal("after 'between'")
            sep = self.take()
            if not (sep.kind == "kw" and sep.text == "and"):
                raise self.fail(sep, f"expected 'and' in 'between ... and ...', found {_show(sep)}")
            high = self.literal("after 'between ... and'")
            if type(low.value) is not type(high.value):
                raise self.fail(sep, "the bounds of 'between' must both be text or both numbers")
            return Between(field, low, high, negated)
        raise self.fail(
            op,
            f"expected a comparison (=, !=, <, <=, >, >=, in, between) after {field.name}, "
            f"found {_show(op)}",
        )

    def literal(self, where: str) -> Value:
        t = self.take()
        if t.kind in ("str", "num"):
            assert t.value is not None
            return Value(t.value, t.column)
        raise self.fail(t, f"expected a quoted text or a number {where}, found {_show(t)}")


def _show(t: _Token) -> str:
    if t.kind == "end":
        return "the end of the rule"
    return repr(t.text)


def parse_rule(rule: str, text: str) -> Expr:
    """The expression tree of one rule; RuleError naming ``rule`` and the column."""
    if not isinstance(text, str):
        raise OptionsError(f"record type rule {rule!r} must be text, not {type(text).__name__}")
    return _Parser(rule, text).parse()


def rule_tests(expr: Expr) -> list[Test]:
    """The field tests of an expression, left to right."""
    if isinstance(expr, (And, Or)):
        return rule_tests(expr.left) + rule_tests(expr.right)
    if isinstance(expr, Not):
        return rule_tests(expr.operand)
    return [expr]


def values_of(test: Test) -> tuple[Value, ...]:
    if isinstance(test, Compare):
        return (test.value,)
    if isinstance(test, InList):
        return test.values
    return (test.low, test.high)
