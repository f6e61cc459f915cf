"""Operations built on `differentiate`: higher orders, several variables, substitution."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from ..errors import DerivError
from ..printer import write_string
from ..types import NIL, Symbol
from .constructors import DIVIDE, MINUS, PLUS, POWER, TIMES, constructors_for
from .expr import Cell, cell, engine_operation, fold_bottom_up
from .ring import later_orders, orders_from_input
from .rules import RuleTable, differentiate
from .simplify import Simplifier, simplify

LEVELS = ("none", "sicp", "full")
_NUMBER_TYPES = (int, Fraction, float)


@engine_operation
def derivative(
    expr: Any, var: Symbol, rules: RuleTable, level: str = "sicp", order: int = 1, memo: dict | None = None
) -> Any:
    """Return the `order`-th derivative of `expr` with respect to `var` at simplification `level`.

    Between orders the intermediate result is put in the `full` canonical form unless the level
    is `none`, so repeated differentiation does not let the expression grow needlessly. `memo`
    is passed on to `differentiate`.
    """
    if level not in LEVELS:
        raise DerivError(f"deriv: unknown simplification level {level}; expected none, sicp or full")
    if type(order) is not int or order < 0:
        raise DerivError(f"deriv: the order must be a non-negative integer, got {write_string(order)}")
    rule_level = "none" if level == "none" else "sicp"
    if order == 1 and level != "full":
        return differentiate(expr, var, rules, rule_level, memo=memo)
    if memo is None and order > 1:
        # Later orders meet subexpressions of earlier ones, such as (sin x), again. A derivative
        # memoized at one order is valid at the next, because variable, rules and level are the same.
        memo = {}
    simplifier = Simplifier()
    result = expr
    step = 0
    if order >= 2 and level != "none":
        # Orders 1 .. order - 1 are intermediate `full` forms. ring.py computes them at once
        # when `expr` is written as a polynomial in a closed set of generators.
        written = orders_from_input(expr, var, rules, memo, simplifier, order - 1)
        if written is not None:
            result = written
            step = order - 1
    while step < order:
        result = differentiate(result, var, rules, rule_level, memo=memo)
        if level == "full" or (level == "sicp" and step < order - 1):
            result = simplifier.simplify(result)
        step += 1
        if step < order and type(result) in _NUMBER_TYPES:
            return 0  # every later derivative of a constant is 0, at every level
        if step == 1 and order >= 3 and level != "none":
            # Orders 2 .. order - 1 are intermediate `full` forms. ring.py computes them at
            # once when they are polynomials in a closed set of generators.
            later = later_orders(result, var, rules, memo, simplifier, order - 2)
            if later is not None:
                result = later
                step = order - 1
    if level == "full" and order == 0:
        result = simplifier.simplify(result)
    return result


def gradient(expr: Any, variables: list[Symbol], rules: RuleTable, level: str = "sicp") -> list[Any]:
    """Return the list of partial derivatives of `expr`, one per variable."""
    return [derivative(expr, var, rules, level) for var in variables]


def jacobian(exprs: list[Any], variables: list[Symbol], rules: RuleTable, level: str = "sicp") -> list[list[Any]]:
    """Return the matrix of partial derivatives: one row per expression, one column per variable."""
    return [gradient(expr, variables, rules, level) for expr in exprs]


def hessian(expr: Any, variables: list[Symbol], rules: RuleTable, level: str = "sicp") -> list[list[Any]]:
    """Return the matrix of second partial derivatives of `expr`."""
    first = [derivative(expr, var, rules, "full" if level != "none" else "none") for var in variables]
    return [[derivative(partial, var, rules, level) for var in variables] for partial in first]


def substitute(expr: Any, bindings: dict[Symbol, Any], level: str = "sicp") -> Any:
    """Replace each symbol bound in `bindings` by its value, then simplify at `level`.

    At the `sicp` level, sums, differences, products, quotients and powers are rebuilt with the
    SICP constructors, so numbers that meet fold: (+ x 1) with x = 2 becomes 3.
    """
    if type(expr) is not Cell:
        result = bindings.get(expr, expr) if type(expr) is Symbol else expr
        return simplify(result) if level == "full" else result
    make = constructors_for("none" if level == "none" else "sicp")

    def leaf(atom: Any) -> Any:
        return bindings.get(atom, atom) if type(atom) is Symbol else atom

    result = fold_bottom_up(expr, leaf, lambda item, operands: _rebuild(item.head, operands, make))
    return simplify(result) if level == "full" else result


def _rebuild(operator: Any, operands: list[Any], make: Any) -> Any:
    if len(operands) == 2:
        a, b = operands
        if operator is PLUS:
            return make.make_sum(a, b)
        if operator is TIMES:
            return make.make_product(a, b)
        if operator is MINUS:
            return make.make_difference(a, b)
        if operator is DIVIDE:
            return make.make_quotient(a, b)
        if operator is POWER:
            return make.make_power(a, b)
    tail: Any = NIL
    for operand in reversed(operands):
        tail = cell(operand, tail)
    return cell(operator, tail)
