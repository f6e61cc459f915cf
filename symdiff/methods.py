"""The Python API of the three methods: back propagation, finite differences, and both
compared with the symbolic derivative; also the step-by-step listing of deriv.

>>> import symdiff
>>> symdiff.grad("(* x x y)", {"x": 3, "y": 2})
{'x': 12, 'y': 9}
>>> round(symdiff.nderiv(lambda x: x ** 3, 2.0), 9)
12.0
"""

from __future__ import annotations

from typing import Any, Callable, Mapping

from .api import ExpressionLike, _as_engine_value, _as_symbol, _default_rules
from .calculus import finite_difference, reverse
from .calculus.numeric import evaluate
from .calculus.operations import derivative
from .errors import EvaluationError
from .steps import derivation_steps, format_steps


def _point(values: Mapping[str, Any]) -> dict:
    return {_as_symbol(name): value for name, value in values.items()}


def grad(expr: ExpressionLike, point: Mapping[str, Any], variables: list[str] | None = None) -> dict[str, Any]:
    """Differentiate `expr` by back propagation at `point`; return {variable: partial}.

    `variables` defaults to every name in `point`. Exact inputs give exact partials where the
    functions allow.
    """
    names = list(point) if variables is None else list(variables)
    output, inputs = _record(expr, point, names)
    reverse.backward(output)
    return {name: (value.grad if type(output) is reverse.Value else 0) for name, value in zip(names, inputs)}


def backprop_trace(expr: ExpressionLike, point: Mapping[str, Any]) -> str:
    """Return the forward and backward passes of back propagation at `point`, as a table."""
    output, inputs = _record(expr, point, list(point))
    if type(output) is not reverse.Value:
        raise EvaluationError("backprop-trace: the expression does not depend on any bound variable")
    reverse.backward(output)
    return reverse.trace_table(output, inputs)


def _record(expr: ExpressionLike, point: Mapping[str, Any], names: list[str]) -> tuple[Any, list]:
    table = _point(point)
    tape = reverse.Tape()
    missing = [name for name in names if _as_symbol(name) not in table]
    if missing:
        raise EvaluationError(f"grad: no value for {missing[0]}; add it to the point")
    inputs = [tape.variable(table[_as_symbol(name)], name) for name in names]
    bindings: dict = dict(table)
    bindings.update({_as_symbol(name): value for name, value in zip(names, inputs)})
    return reverse.trace_expression(_as_engine_value(expr), bindings), inputs


def nderiv(
    target: ExpressionLike | Callable[[float], float],
    at: float | Mapping[str, Any],
    var: str | None = None,
    order: int = 1,
) -> float:
    """Differentiate numerically by central differences with Richardson extrapolation.

    Either nderiv(f, x) for a Python function f, or nderiv(expr, point, var) for an expression
    at a point {name: value} with respect to `var`. Raises NumericDerivativeError when the error
    estimate is large (f may not be differentiable there); nderiv_with_error returns both.
    """
    from .evaluator.autodiff_primitives import settled

    value, error = nderiv_with_error(target, at, var, order)
    return settled(value, error, "nderiv")


def nderiv_with_error(
    target: ExpressionLike | Callable[[float], float],
    at: float | Mapping[str, Any],
    var: str | None = None,
    order: int = 1,
) -> tuple[float, float]:
    """Like nderiv, and also return the error estimate: (value, error)."""
    if callable(target) and not isinstance(target, Mapping):
        return finite_difference.derivative_with_error(target, float(at), order)  # type: ignore[arg-type]
    if var is None or not isinstance(at, Mapping):
        raise TypeError("nderiv(expr, point, var): give the point as {name: value} and the variable")
    expr = _as_engine_value(target)
    table = _point(at)
    symbol = _as_symbol(var)
    if symbol not in table:
        raise EvaluationError(f"nderiv: no value for {var}; add it to the point")

    def along(value: float) -> float:
        shifted = dict(table)
        shifted[symbol] = value
        return float(evaluate(expr, shifted))

    return finite_difference.derivative_with_error(along, float(table[symbol]), order)


def compare_derivatives(expr: ExpressionLike, var: str, point: Mapping[str, Any]) -> dict[str, Any]:
    """Return the symbolic, back-propagated and finite-difference derivatives at `point`."""
    table = _point(point)
    symbol = _as_symbol(var)
    value = _as_engine_value(expr)
    symbolic = evaluate(derivative(value, symbol, _default_rules, "sicp"), table)
    return {
        "symbolic": symbolic,
        "back propagation": grad(expr, point, [var])[var],
        "finite differences": nderiv(expr, point, var),
    }


def deriv_steps(expr: ExpressionLike, var: str, simplify: str = "sicp", notation: str = "prefix") -> str:
    """Return the rules deriv applies to `expr`, one per line, ending with the result."""
    symbol = _as_symbol(var)
    result, steps = derivation_steps(_as_engine_value(expr, notation), symbol, _default_rules, simplify)
    return format_steps(steps, symbol.name, notation)
