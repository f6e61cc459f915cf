"""The infix reader: math text such as `x^2 + sin(x)*y` to prefix Scheme data.

The grammar is grammar/infix.lark. As with the s-expression reader, the LALR parser builds the
result in its callbacks, so deeply nested parentheses need no Python recursion. Unary minus
reads as (- operand) and a/b as (/ a b), except in an exponent that is a number: x^-2 is
(** x -2) and x^(1/2) is (** x 1/2).
"""

from __future__ import annotations

import functools
import math
import threading
from fractions import Fraction
from typing import Any

import lark
from lark import Lark, Token, Transformer

from .errors import ReadError, SourcePosition
from .numbers import decimal_to_int, int_to_decimal, parse_number
from .reader import grammar_text, parser_cache_file
from .types import NIL, Pair, Symbol, list_to_python

OPERATORS = {"+": Symbol("+"), "-": Symbol("-"), "*": Symbol("*"), "/": Symbol("/")}
POWER = Symbol("**")
_NUMBER_TYPES = (int, Fraction, float)


def _literal_exponent(exponent: Any) -> Any:
    """Return the number that an exponent such as (- 2), (/ 1 2) or (- (/ 1 2)) writes, else it."""
    operands = list_to_python(exponent.cdr) if type(exponent) is Pair else None
    if operands is None:
        return exponent
    if exponent.car is OPERATORS["-"] and len(operands) == 1:
        value = _literal_exponent(operands[0])
        return -value if type(value) in _NUMBER_TYPES else exponent
    if exponent.car is OPERATORS["/"] and len(operands) == 2:
        numerator, denominator = (_literal_exponent(operand) for operand in operands)
        if type(numerator) is int and type(denominator) is int and denominator != 0:
            ratio = Fraction(numerator, denominator)
            return ratio.numerator if ratio.denominator == 1 else ratio
    return exponent


def _float_range_problem(text: str, value: float) -> str | None:
    """Return why the decimal literal `text`, read as `value`, has no float value, else None.

    A literal beyond the float range would read as an infinity, which infix text cannot write
    back, and a nonzero one that rounds to 0.0 would lose its value. The message gives the
    number exactly, with a power of ten.
    """
    mantissa, _, exponent_text = text.lower().partition("e")
    whole, _, fraction = mantissa.partition(".")
    digits = (whole + fraction).lstrip("0")
    significant = digits.rstrip("0")
    if math.isinf(value):
        reason = "is beyond the float range (about 1.8e308)"
    elif value == 0 and significant:
        reason = "is too small for a float and would read as 0.0"
    else:
        return None
    exponent = decimal_to_int(exponent_text or "0") - len(fraction) + len(digits) - len(significant)
    power = f"10^{int_to_decimal(exponent)}"
    exact = power if significant == "1" else f"{significant}*{power}"
    return f"the number {text} {reason}: write it exactly, as {exact}"


def _list(*items: Any) -> Any:
    result: Any = NIL
    for item in reversed(items):
        result = Pair(item, result)
    return result


class _PrefixBuilder(Transformer):
    """Build prefix lists as the parser reduces each rule."""

    def __init__(self) -> None:
        super().__init__()
        self.source = "<infix>"

    def number(self, items: list) -> Any:
        token = items[0]
        value = parse_number(str(token))
        if type(value) is float:
            problem = _float_range_problem(str(token), value)
            if problem is not None:
                raise ReadError(problem, SourcePosition(self.source, token.line, token.column))
        return value

    def name(self, items: list) -> Any:
        return Symbol(str(items[0]))

    def binary(self, items: list) -> Any:
        left, operator, right = items
        return _list(OPERATORS[str(operator)], left, right)

    def negate(self, items: list) -> Any:
        return _list(OPERATORS["-"], items[1])

    def identity(self, items: list) -> Any:
        return items[1]

    def power(self, items: list) -> Any:
        base, _, exponent = items
        # x^-2 and x^(1/2) mean the numbers -2 and 1/2 as exponents. Read as (- 2) or (/ 1 2),
        # the power rule would build exponents such as (+ (- 2) -1), which SICP's make-sum
        # cannot fold.
        return _list(POWER, base, _literal_exponent(exponent))

    def call(self, items: list) -> Any:
        name, _, arguments, _ = items
        return _list(Symbol(str(name)), *arguments)

    def group(self, items: list) -> Any:
        return items[1]

    def arguments(self, items: list) -> list:
        return [item for item in items if not isinstance(item, Token)]


@functools.lru_cache(maxsize=1)
def _parser() -> tuple[Lark, _PrefixBuilder]:
    builder = _PrefixBuilder()
    parser = Lark(grammar_text("infix.lark"), parser="lalr", lexer="contextual", transformer=builder,
                  cache=parser_cache_file("infix"))
    return parser, builder


_lock = threading.Lock()


def parse_infix(text: str, source: str = "<infix>") -> Any:
    """Read infix math text into a prefix Scheme datum, e.g. "x^2 + 1" -> (+ (** x 2) 1).

    Raises ReadError with the column of the problem and what to write instead.
    """
    if not text.strip():
        raise ReadError("the expression is empty: write one, such as x^2 + 1", SourcePosition(source, 1, 1))
    try:
        with _lock:
            parser, builder = _parser()
            builder.source = source
            return parser.parse(text)
    except lark.exceptions.UnexpectedInput as exc:
        raise _describe(exc, text, source) from None


def _unclosed_parenthesis(text: str) -> int | None:
    """Return the offset of the innermost '(' that is never closed, if any."""
    stack: list[int] = []
    for offset, char in enumerate(text):
        if char == "(":
            stack.append(offset)
        elif char == ")" and stack:
            stack.pop()
    return stack[-1] if stack else None


def _group_before(text: str) -> str:
    """Return the bracketed group that ends `text`, with the function name before it, if any.

    The group is put on one line, and a group longer than 40 characters is shortened to (...).
    """
    depth = 0
    start = 0
    for offset in range(len(text) - 1, -1, -1):
        if text[offset] == ")":
            depth += 1
        elif text[offset] == "(":
            depth -= 1
            if depth == 0:
                start = offset
                break
    name_start = start
    while name_start > 0 and (text[name_start - 1].isalnum() or text[name_start - 1] == "_"):
        name_start -= 1
    group = " ".join(text[start:].split())
    if len(group) > 40:
        group = "(...)"
    return text[name_start:start] + group


def _is_function_name(name: str) -> bool:
    """Return True if `name` is a function with a built-in derivative rule, such as sin."""
    from .calculus.elementary import BUILTIN_RULES  # only on this error path, for start-up time

    return Symbol(name) in BUILTIN_RULES and name.isalpha()


def _describe(exc: lark.exceptions.UnexpectedInput, text: str, source: str) -> ReadError:
    line = getattr(exc, "line", None) or 1
    column = getattr(exc, "column", None) or 1
    position = SourcePosition(source, line, column)
    if isinstance(exc, lark.exceptions.UnexpectedCharacters):
        char = text[exc.pos_in_stream] if exc.pos_in_stream < len(text) else ""
        return ReadError(f"invalid character {char!r} in infix expression", position)
    token = getattr(exc, "token", None)
    token_type = getattr(token, "type", "$END")
    if token_type == "$END":
        opening = _unclosed_parenthesis(text)
        if opening is not None:
            line_number = text.count("\n", 0, opening) + 1
            column = opening - (text.rfind("\n", 0, opening) + 1) + 1
            return ReadError("unclosed '(' in infix expression: add ')'", SourcePosition(source, line_number, column))
        return ReadError("infix expression ends too early: an operand is missing", position)
    before = text[: token.start_pos].rstrip() if token.start_pos is not None else ""
    if token_type in ("NAME", "NUMBER", "LPAR") and before and (before[-1].isalnum() or before[-1] in "._)"):
        previous = before.split()[-1] if before.split() else before
        if previous.count(")") > previous.count("("):
            previous = _group_before(before)
        if token_type in ("NAME", "NUMBER") and _is_function_name(previous):
            return ReadError(
                f"{previous} is a function: write its argument in parentheses, as {previous}({token})", position
            )
        return ReadError(
            f"implicit multiplication is not supported: write {previous}*{token}"
            + ("...)" if token_type == "LPAR" else ""),
            position,
        )
    if token_type == "RPAR":
        return ReadError("unexpected ')' in infix expression: an operand is missing or a '(' is unmatched", position)
    return ReadError(f"unexpected {str(token)!r} in infix expression", position)
