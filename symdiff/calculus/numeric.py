"""Numeric evaluation of expressions at a point.

The value is exact when every input is exact and each function gives an exact value there
((sqrt 9/4) is 3/2, (sin 0) is 0), and a float otherwise. Floats follow IEEE 754, so (exp 1000)
is inf, but a result that is not a real number, such as (log -1), is an error: complex
numbers are not supported.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any, Callable

from ..errors import EvaluationError, UnknownFunctionError
from ..numbers import to_float
from ..printer import write_string
from ..types import Symbol
from .constructors import DIVIDE, MINUS, PLUS, POWER, TIMES, exact_power, is_exact, is_number
from .convert import to_datum
from .elementary import (
    ABS,
    ACOS,
    ASIN,
    ATAN,
    COS,
    COSH,
    COT,
    CSC,
    EXP,
    EXPT,
    LOG,
    SEC,
    SIGMOID,
    SIGN,
    SIN,
    SINH,
    SQRT,
    TAN,
    TANH,
)
from .expr import Cell, fold_bottom_up

# Exact values at exact arguments: (function, argument) -> value.
EXACT_VALUES: dict[tuple[Symbol, int], int | Fraction] = {
    (SIN, 0): 0,
    (COS, 0): 1,
    (TAN, 0): 0,
    (SEC, 0): 1,
    (ASIN, 0): 0,
    (ACOS, 1): 0,
    (ATAN, 0): 0,
    (SINH, 0): 0,
    (COSH, 0): 1,
    (TANH, 0): 0,
    (EXP, 0): 1,
    (LOG, 1): 0,
    (SIGMOID, 0): Fraction(1, 2),
}

FunctionResolver = Callable[[Symbol], "Callable[..., Any] | None"]


class DomainError(EvaluationError):
    """A function evaluated outside the real numbers, or an exact division by zero."""


def _exact(value: Any) -> Any:
    return value.numerator if type(value) is Fraction and value.denominator == 1 else value


def sigmoid(u: float) -> float:
    """1 / (1 + e^-u), computed without overflow for large |u|."""
    if u >= 0:
        return 1.0 / (1.0 + math.exp(-u))
    z = math.exp(u)
    return z / (1.0 + z)


def _real(name: str, function: Callable[[float], float]) -> Callable[[Any], Any]:
    def apply(u: Any) -> Any:
        # An exact number beyond the float range becomes an infinity: functions with a limit
        # there, such as tanh and exp, still have a float value, and periodic ones do not.
        x = to_float(u)
        try:
            return function(x)
        except ValueError:
            if math.isinf(x) and is_exact(u):
                raise DomainError(
                    f"{name}: the exact argument is beyond the float range (about 1.8e308), where {name} has no float value"
                ) from None
            raise DomainError(f"{name}: {write_string(u)} is outside its real domain") from None
        except OverflowError:
            # exp, sinh and cosh of a large argument: the result is beyond the float range.
            return math.copysign(math.inf, x) if name == "sinh" else math.inf

    return apply


def _checked_log(u: Any) -> Any:
    if u == 0:
        if is_exact(u):
            raise DomainError("log: the logarithm of exact 0 is undefined")
        return -math.inf
    if u < 0:
        raise DomainError(f"log: {write_string(u)} has no real logarithm")
    return math.log(u) if type(u) is not int else math.log(u)


def _sqrt(u: Any) -> Any:
    if is_exact(u):
        folded = exact_power(u, Fraction(1, 2))
        if folded is not None:
            return folded
    if u < 0:
        raise DomainError(f"sqrt: {write_string(u)} has no real square root")
    return math.sqrt(u)


def _sign(u: Any) -> Any:
    if is_exact(u):
        return (u > 0) - (u < 0)
    if u != u:
        return u  # the sign of nan is nan, not copysign's 1.0
    return math.copysign(1.0, u) if u else 0.0


def _sigmoid(u: Any) -> Any:
    return sigmoid(to_float(u))  # 0 or 1 beyond the float range, to float precision


def _reciprocal(name: str, function: Callable[[float], float]) -> Callable[[Any], Any]:
    """1 / function(u), following IEEE 754 at a zero denominator except for exact input."""

    def apply(u: Any) -> Any:
        denominator = _real(name, function)(u)
        if denominator == 0 and is_exact(u):
            raise DomainError(f"{name}: undefined at {write_string(u)} (division by zero)")
        return _divide(1.0, denominator)

    return apply


def _cot(u: Any) -> Any:
    sine = _real("cot", math.sin)(u)
    if sine == 0 and is_exact(u):
        raise DomainError(f"cot: undefined at {write_string(u)} (division by zero)")
    return _divide(math.cos(float(u)), sine)


UNARY: dict[Symbol, Callable[[Any], Any]] = {
    SQRT: _sqrt,
    EXP: _real("exp", math.exp),
    SIN: _real("sin", math.sin),
    COS: _real("cos", math.cos),
    TAN: _real("tan", math.tan),
    SEC: _reciprocal("sec", math.cos),
    CSC: _reciprocal("csc", math.sin),
    COT: _cot,
    ASIN: _real("asin", math.asin),
    ACOS: _real("acos", math.acos),
    SINH: _real("sinh", math.sinh),
    COSH: _real("cosh", math.cosh),
    TANH: _real("tanh", math.tanh),
    ABS: abs,
    SIGN: _sign,
    SIGMOID: _sigmoid,
}


def _divide(a: Any, b: Any) -> Any:
    if b == 0:
        if is_exact(a) and is_exact(b):
            raise DomainError(f"/: division by zero in (/ {write_string(a)} {write_string(b)})")
        if a == 0 or a != a:
            return math.nan
        return math.copysign(math.inf, a) * math.copysign(1.0, b)
    if is_exact(a) and is_exact(b):
        return _exact(Fraction(a) / Fraction(b))
    return a / b


def power(base: Any, exponent: Any) -> Any:
    """base^exponent: exact when possible, else a float; an error for a non-real result."""
    folded = exact_power(base, exponent)
    if folded is not None:
        return folded
    if base == 0 and exponent < 0:
        if is_exact(base) and is_exact(exponent):
            raise DomainError(f"**: division by zero in (** {write_string(base)} {write_string(exponent)})")
        return math.inf
    if base < 0 and not float(exponent).is_integer():
        raise DomainError(
            f"**: {write_string(base)} to the power {write_string(exponent)} is not a real number"
        )
    try:
        return math.pow(float(base), float(exponent))
    except OverflowError:
        if is_exact(base) and is_exact(exponent):
            # inf here would turn exact arithmetic into inf or nan without a word.
            raise DomainError(
                f"**: (** {write_string(base)} {write_string(exponent)}) is too large to compute "
                "exactly and overflows a float; evaluate at a smaller point"
            ) from None
        return math.inf if base > 0 or float(exponent) % 2 == 0 else -math.inf


def apply_operator(operator: Symbol, arguments: list[Any], resolve: FunctionResolver | None = None) -> Any:
    """Evaluate one operator on numeric arguments."""
    count = len(arguments)
    if operator is PLUS:
        total: Any = 0
        for argument in arguments:
            total = total + argument
        return _exact(total)
    if operator is TIMES:
        product: Any = 1
        for argument in arguments:
            product = product * argument
        return _exact(product)
    if operator is MINUS and count >= 1:
        if count == 1:
            return _exact(-arguments[0])
        result = arguments[0]
        for argument in arguments[1:]:
            result = result - argument
        return _exact(result)
    if operator is DIVIDE and count >= 1:
        if count == 1:
            return _divide(1, arguments[0])
        result = arguments[0]
        for argument in arguments[1:]:
            result = _divide(result, argument)
        return result
    if (operator is POWER or operator is EXPT) and count == 2:
        return power(arguments[0], arguments[1])
    if operator is LOG and count in (1, 2):
        if count == 1 and is_exact(arguments[0]) and arguments[0] == 1:
            return 0
        value = _checked_log(arguments[0])
        if count == 2:
            return _divide(value, _checked_log(arguments[1]))
        return value
    if operator is ATAN and count in (1, 2):
        if count == 1:
            return 0 if is_exact(arguments[0]) and arguments[0] == 0 else math.atan(arguments[0])
        return math.atan2(arguments[0], arguments[1])
    function = UNARY.get(operator)
    if function is not None and count == 1:
        argument = arguments[0]
        if is_exact(argument):
            exact_value = EXACT_VALUES.get((operator, argument))  # type: ignore[call-overload]
            if exact_value is not None:
                return exact_value
        return function(argument)
    user_function = resolve(operator) if resolve is not None else None
    if user_function is not None:
        return user_function(*arguments)
    known = sorted(["+", "-", "*", "/", "**", "expt", "log", "atan"] + [name.name for name in UNARY])
    raise UnknownFunctionError(
        f"evaluate: unknown function {operator.name} with {count} argument(s); known functions: {' '.join(known)}",
        operator.name,
        count,
    )


def evaluate(expr: Any, bindings: dict[Symbol, Any], resolve: FunctionResolver | None = None) -> Any:
    """Return the value of `expr` with each symbol replaced by its number in `bindings`."""

    def node(item: Cell, arguments: list[Any]) -> Any:
        operator = item.head
        if type(operator) is not Symbol:
            raise EvaluationError(f"evaluate: the operator must be a symbol in {write_string(to_datum(item))}")
        return apply_operator(operator, arguments, resolve)

    return fold_bottom_up(expr, lambda atom: _evaluate_atom(atom, bindings), node)


def _evaluate_atom(atom: Any, bindings: dict[Symbol, Any]) -> Any:
    if is_number(atom):
        return atom
    if type(atom) is Symbol:
        if atom in bindings:
            return bindings[atom]
        raise EvaluationError(f"evaluate: no value for {atom.name}; add ({atom.name} . value) to the bindings")
    raise EvaluationError(f"evaluate: not an algebraic expression: {write_string(atom)}")

