"""Infix lists, as in SICP exercise 2.58: conversion to and from prefix lists.

An infix list writes operators between operands: `(x + 3 * (x + y + 2))`. Reading follows the
usual precedence (+ and - loosest, then * and /, then ** or ^, which groups to the right) and
accepts fully parenthesized lists too. A list whose first element is a symbol other than an
operator, with no operator among the rest, is a function call: `(sin (x + 1))`. A leading - is
negation. Writing produces the fewest parentheses that keep the same grouping.
"""

from __future__ import annotations

from typing import Any

from .errors import DerivError
from .printer import write_string
from .types import NIL, Pair, Symbol, list_to_python, make_list

PLUS, MINUS, TIMES, DIVIDE = Symbol("+"), Symbol("-"), Symbol("*"), Symbol("/")
POWER, CARET, EXPT = Symbol("**"), Symbol("^"), Symbol("expt")

PRECEDENCE = {PLUS: 1, MINUS: 1, TIMES: 2, DIVIDE: 2, POWER: 4, CARET: 4}
NEGATION_PRECEDENCE = 3


def _is_operator(value: Any) -> bool:
    return type(value) is Symbol and value in PRECEDENCE


def infix_to_prefix(datum: Any) -> Any:
    """Convert an infix list to a prefix list: (x + 3 * y) -> (+ x (* 3 y))."""
    if datum is NIL:
        raise DerivError("infix: empty list () is not an expression")
    if type(datum) is not Pair:
        return datum
    converted: dict[int, Any] = {}
    stack = [datum]
    while stack:
        item = stack[-1]
        if id(item) in converted:
            stack.pop()
            continue
        elements = list_to_python(item)
        if elements is None:
            raise DerivError(f"infix: not a proper list: {write_string(item)}")
        pending = [element for element in elements if type(element) is Pair and id(element) not in converted]
        if pending:
            stack.extend(pending)
            continue
        stack.pop()
        if any(element is NIL for element in elements):
            raise DerivError(f"infix: empty list () is not an expression, in {write_string(item)}")
        values = [converted[id(e)] if type(e) is Pair else e for e in elements]
        converted[id(item)] = _parse_elements(values, elements, item)
    return converted[id(datum)]


def _parse_elements(values: list[Any], raw: list[Any], whole: Pair) -> Any:
    """Parse one level of an infix list whose sublists are already converted."""
    if not values:
        raise DerivError("infix: empty list () is not an expression")
    if type(raw[0]) is Symbol and not _is_operator(raw[0]) and len(raw) >= 2 and not any(_is_operator(e) for e in raw[1:]):
        return make_list(values)  # a function call such as (sin x)
    operands: list[Any] = []
    operators: list[tuple[Any, int]] = []  # (operator or "neg", precedence)
    expect_operand = True
    for value, element in zip(values, raw):
        if expect_operand:
            if element is MINUS:
                operators.append(("neg", NEGATION_PRECEDENCE))
                continue
            if _is_operator(element):
                raise DerivError(f"infix: operator {element.name} is missing its left operand in {write_string(whole)}")
            operands.append(value)
            expect_operand = False
            continue
        if not _is_operator(element):
            raise DerivError(
                f"infix: expected an operator between operands, got {write_string(element)} in {write_string(whole)}"
            )
        precedence = PRECEDENCE[element]
        right_associative = precedence == PRECEDENCE[POWER]
        while operators and (
            operators[-1][1] > precedence or (operators[-1][1] == precedence and not right_associative)
        ):
            _reduce(operands, operators)
        operators.append((element, precedence))
        expect_operand = True
    if expect_operand:
        raise DerivError(f"infix: the expression ends with an operator: {write_string(whole)}")
    while operators:
        _reduce(operands, operators)
    return operands[0]


def _reduce(operands: list[Any], operators: list[tuple[Any, int]]) -> None:
    operator, _ = operators.pop()
    if operator == "neg":
        operands.append(make_list([MINUS, operands.pop()]))
        return
    right = operands.pop()
    left = operands.pop()
    symbol = POWER if operator is CARET else operator
    operands.append(make_list([symbol, left, right]))


def prefix_to_infix(datum: Any) -> Any:
    """Convert a prefix list to an infix list with minimal parentheses: (+ x (* 3 y)) -> (x + 3 * y)."""
    if type(datum) is not Pair:
        return datum
    done: dict[int, tuple[Any, int]] = {}
    stack = [datum]
    while stack:
        item = stack[-1]
        if id(item) in done:
            stack.pop()
            continue
        elements = list_to_python(item)
        if elements is None or not elements:
            raise DerivError(f"infix: not an expression: {write_string(item)}")
        operands = elements[1:]
        pending = [o for o in operands if type(o) is Pair and id(o) not in done]
        if pending:
            stack.extend(pending)
            continue
        stack.pop()
        converted = [done[id(o)] if type(o) is Pair else (o, 5) for o in operands]
        done[id(item)] = _infix_node(elements[0], converted)
    result, _ = done[id(datum)]
    return result


def _as_group(rendering: tuple[Any, int], minimum: int) -> list[Any]:
    """Return the elements to splice for an operand: its own list if it binds loosely enough."""
    value, strength = rendering
    if strength >= minimum and type(value) is Pair and strength < 5:
        return list_to_python(value) or [value]
    return [value]


def _infix_node(operator: Any, operands: list[tuple[Any, int]]) -> tuple[Any, int]:
    count = len(operands)
    if operator in (PLUS, TIMES) and count >= 2:
        precedence = PRECEDENCE[operator]
        elements: list[Any] = list(_as_group(operands[0], precedence))
        for operand in operands[1:]:
            elements.append(operator)
            elements.extend(_as_group(operand, precedence + 1))
        return make_list(elements), precedence
    if operator in (MINUS, DIVIDE) and count >= 2:
        precedence = PRECEDENCE[operator]
        elements = list(_as_group(operands[0], precedence))
        for operand in operands[1:]:
            elements.append(operator)
            elements.extend(_as_group(operand, precedence + 1))
        return make_list(elements), precedence
    if operator is MINUS and count == 1:
        return make_list([MINUS, *_as_group(operands[0], PRECEDENCE[POWER])]), NEGATION_PRECEDENCE
    if operator is DIVIDE and count == 1:
        return make_list([1, DIVIDE, *_as_group(operands[0], PRECEDENCE[DIVIDE] + 1)]), PRECEDENCE[DIVIDE]
    if operator in (POWER, CARET, EXPT) and count == 2:
        elements = [*_as_group(operands[0], 5), POWER, *_as_group(operands[1], PRECEDENCE[POWER])]
        return make_list(elements), PRECEDENCE[POWER]
    return make_list([operator, *[value for value, _ in operands]]), 5

