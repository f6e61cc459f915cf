"""Reverse-mode automatic differentiation (back propagation) on recorded numbers.

A `Value` is a number computed while a tape records: it keeps its `data`, the values it was
computed from, and the local partial derivative with respect to each of them, computed during
the forward pass. `backward` walks the tape once in reverse creation order, which is a
topological order, and adds each node's gradient times each local partial into that input's
gradient, so a value used several times accumulates the gradient of every use.

In Caffe's terms, a node's `grad` when its turn comes is its top diff (the gradient arriving
from above), and `grad * local` is the bottom diff it passes to one input.

Exact inputs give exact results where the functions allow: sums, products, quotients and
integer powers keep exact data and exact local partials.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any, Callable, Sequence

from ..errors import EvaluationError
from .numeric import DomainError, power, sigmoid


class Tape:
    """The values recorded during one forward pass, in creation order."""

    def __init__(self) -> None:
        self.nodes: list["Value"] = []

    def variable(self, data: Any, label: str) -> "Value":
        """Record an input of the computation."""
        return Value(self, data, (), (), label, "input")


class Value:
    """A recorded number: `data`, `grad`, and the inputs and local partials it came from."""

    __slots__ = ("tape", "data", "grad", "inputs", "partials", "label", "operator", "index")

    def __init__(
        self,
        tape: Tape,
        data: Any,
        inputs: tuple["Value", ...],
        partials: tuple[Any, ...],
        label: str,
        operator: str,
    ) -> None:
        self.tape = tape
        self.data = data
        self.grad: Any = 0
        self.inputs = inputs
        self.partials = partials
        self.label = label
        self.operator = operator
        self.index = len(tape.nodes)
        tape.nodes.append(self)

    def scheme_repr(self) -> str:
        from ..printer import write_string

        return write_string(self.data)

    def __repr__(self) -> str:
        return f"Value({self.data!r}, grad={self.grad!r})"


def data_of(value: Any) -> Any:
    """Return the plain number inside a Value, or the value itself."""
    return value.data if type(value) is Value else value


def _exact(value: Any) -> Any:
    return value.numerator if type(value) is Fraction and value.denominator == 1 else value


def _tape_of(arguments: Sequence[Any]) -> Tape | None:
    for argument in arguments:
        if type(argument) is Value:
            return argument.tape
    return None


def _record(arguments: Sequence[Any], data: Any, partials: Sequence[Any], operator: str) -> Any:
    """Make the result Value, keeping only the inputs that are themselves recorded."""
    tape = _tape_of(arguments)
    if tape is None:
        return data
    inputs: list[Value] = []
    kept: list[Any] = []
    for argument, partial in zip(arguments, partials):
        if type(argument) is Value:
            inputs.append(argument)
            kept.append(partial)
    label = f"({operator} " + " ".join(_label(a) for a in arguments) + ")"
    return Value(tape, data, tuple(inputs), tuple(kept), label, operator)


def _label(value: Any) -> str:
    if type(value) is Value:
        return value.label if len(value.label) <= 30 else f"v{value.index}"
    return str(value)


# --- operations --------------------------------------------------------------------------
# Each computes the forward value, then the local partial derivative for every argument.


def add(*arguments: Any) -> Any:
    data = _exact(sum((data_of(a) for a in arguments), 0))
    return _record(arguments, data, [1] * len(arguments), "+")


def subtract(*arguments: Any) -> Any:
    if len(arguments) == 1:
        return _record(arguments, _exact(-data_of(arguments[0])), [-1], "-")
    data = data_of(arguments[0])
    for argument in arguments[1:]:
        data = data - data_of(argument)
    return _record(arguments, _exact(data), [1] + [-1] * (len(arguments) - 1), "-")


def multiply(*arguments: Any) -> Any:
    values = [data_of(a) for a in arguments]
    data: Any = 1
    for value in values:
        data = data * value
    # d(x1 ... xn)/dxi is the product of the other factors (computed without dividing by xi).
    partials = []
    for index in range(len(values)):
        others: Any = 1
        for other_index, value in enumerate(values):
            if other_index != index:
                others = others * value
        partials.append(_exact(others))
    return _record(arguments, _exact(data), partials, "*")


def _divide_numbers(a: Any, b: Any) -> Any:
    if b == 0:
        if type(a) is not float and type(b) is not float:
            raise EvaluationError("/: division by zero")
        if a == 0 or a != a:
            return math.nan
        return math.copysign(math.inf, a) * math.copysign(1.0, b)
    if type(a) is not float and type(b) is not float:
        return _exact(Fraction(a) / Fraction(b))
    return a / b


def divide(*arguments: Any) -> Any:
    if len(arguments) == 1:
        b = data_of(arguments[0])
        data = _divide_numbers(1, b)
        return _record(arguments, data, [_exact(-data * data)], "/")
    numerator = data_of(arguments[0])
    denominator: Any = 1
    for argument in arguments[1:]:
        denominator = denominator * data_of(argument)
    data = _divide_numbers(numerator, denominator)
    # d(a/(b c ...))/da = 1/(b c ...); d/db = -(a/(b c ...))/b, and so on for each divisor.
    partials = [_divide_numbers(1, denominator)]
    for argument in arguments[1:]:
        partials.append(_exact(-_divide_numbers(data, data_of(argument))))
    return _record(arguments, data, partials, "/")


def expt(base: Any, exponent: Any) -> Any:
    """base^exponent; d/dbase = n base^(n-1), exact for exact data, so (-2)^3 gives 12, not nan."""
    b, n = data_of(base), data_of(exponent)
    data = power(b, n)
    if b == 0 and n < 1:
        d_base = 0 if n == 0 else math.inf  # the slope of x^n at 0 for n < 1 is infinite
    else:
        d_base = _exact(n * power(b, n - 1))
    if type(exponent) is Value:
        if b > 0:
            d_exponent = data * (math.log(b) if type(b) is float or b != 1 else 0)
        elif b == 0 and n > 0:
            d_exponent = 0
        else:
            d_exponent = math.nan  # b^n is not differentiable in n for b <= 0 (not real nearby)
    else:
        d_exponent = 0
    return _record((base, exponent), data, [d_base, d_exponent], "expt")


def _unary(name: str, function: Callable[[Any], Any], derivative: Callable[[Any, Any], Any]) -> Callable[[Any], Any]:
    """Build a one-argument operation from f and f'(x) given (x, f(x))."""

    def operation(argument: Any) -> Any:
        x = data_of(argument)
        data = function(x)
        return _record((argument,), data, [derivative(x, data)], name)

    operation.__name__ = name
    return operation


def _float_function(name: str, function: Callable[[float], float]) -> Callable[[Any], Any]:
    def apply(x: Any) -> Any:
        try:
            return function(float(x))
        except ValueError:
            raise DomainError(f"{name}: {x} is outside its real domain") from None
        except OverflowError:
            return math.inf

    return apply


def _log(x: Any) -> Any:
    if x <= 0:
        raise DomainError(f"log: {x} has no real logarithm")
    return 0 if x == 1 and type(x) is not float else math.log(x)


def _sqrt(x: Any) -> Any:
    return power(x, Fraction(1, 2))


def _sigmoid_local(x: Any, y: Any) -> Any:
    # sigma' = sigma (1 - sigma); at x = -1000 this is 0.0, with no overflow.
    return y * (1.0 - y)


UNARY_OPERATIONS: dict[str, Callable[[Any], Any]] = {
    "exp": _unary("exp", _float_function("exp", math.exp), lambda x, y: y),
    "log": _unary("log", _log, lambda x, y: _divide_numbers(1, x)),
    "sin": _unary("sin", _float_function("sin", math.sin), lambda x, y: math.cos(x)),
    "cos": _unary("cos", _float_function("cos", math.cos), lambda x, y: -math.sin(x)),
    "tan": _unary("tan", _float_function("tan", math.tan), lambda x, y: 1.0 + y * y),
    # At |x| = 1 these slopes are infinite; _divide_numbers gives IEEE infinities there.
    "asin": _unary("asin", _float_function("asin", math.asin), lambda x, y: _divide_numbers(1.0, math.sqrt(1.0 - x * x))),
    "acos": _unary("acos", _float_function("acos", math.acos), lambda x, y: _divide_numbers(-1.0, math.sqrt(1.0 - x * x))),
    "atan": _unary("atan", _float_function("atan", math.atan), lambda x, y: 1.0 / (1.0 + x * x)),
    "sinh": _unary("sinh", _float_function("sinh", math.sinh), lambda x, y: math.cosh(x)),
    "cosh": _unary("cosh", _float_function("cosh", math.cosh), lambda x, y: math.sinh(x)),
    "tanh": _unary("tanh", _float_function("tanh", math.tanh), lambda x, y: 1.0 - y * y),
    "sqrt": _unary("sqrt", _sqrt, lambda x, y: _divide_numbers(1, 2 * y) if y != 0 else math.inf),
    "sigmoid": _unary("sigmoid", lambda x: sigmoid(float(x)), _sigmoid_local),
    "abs": _unary("abs", abs, lambda x, y: (x > 0) - (x < 0)),
    "square": _unary("square", lambda x: x * x, lambda x, y: 2 * x),
    "cube": _unary("cube", lambda x: x * x * x, lambda x, y: 3 * x * x),
    "exact->inexact": _unary("exact->inexact", float, lambda x, y: 1),
    "inexact": _unary("inexact", float, lambda x, y: 1),
}


def backward(output: Any) -> None:
    """Set every recorded value's gradient to d(output)/d(value), starting from output.grad = 1."""
    if type(output) is not Value:
        return
    for node in output.tape.nodes:
        node.grad = 0
    output.grad = 1
    for node in reversed(output.tape.nodes[: output.index + 1]):
        top = node.grad
        if top == 0 and type(top) is int:
            continue
        for parent, partial in zip(node.inputs, node.partials):
            parent.grad = _exact(parent.grad + top * partial)


def trace_table(output: Value, inputs: Sequence[Value]) -> str:
    """Return the forward and backward passes as a plain-text table.

    Forward: each node in creation order with its value. Backward: each node in reverse order
    with the gradient arriving from above (top diff) and what it passes to each input
    (bottom diff = top diff * local partial).
    """
    from ..printer import write_string

    def show(value: Any) -> str:
        if type(value) is not float or not math.isfinite(value):
            return write_string(value)
        text = f"{value:.6g}"
        return text if any(mark in text for mark in ".e") else text + ".0"

    nodes = output.tape.nodes[: output.index + 1]
    lines = ["forward pass", f"  {'node':<6} {'operation':<40} value"]
    for node in nodes:
        lines.append(f"  v{node.index:<5} {node.label[:40]:<40} {show(node.data)}")
    lines.append("backward pass")
    lines.append(f"  {'node':<6} {'top diff':<14} bottom diffs")
    for node in reversed(nodes):
        bottoms = ", ".join(f"v{parent.index} += {show(node.grad * partial)}" for parent, partial in zip(node.inputs, node.partials))
        lines.append(f"  v{node.index:<5} {show(node.grad):<14} {bottoms or '(input)'}")
    lines.append("gradient")
    for value in inputs:
        lines.append(f"  d/d{value.label} = {show(value.grad)}")
    return "\n".join(lines)


def atan2(y: Any, x: Any) -> Any:
    """atan(y, x): d/dy = x / (x^2 + y^2), d/dx = -y / (x^2 + y^2)."""
    a, b = float(data_of(y)), float(data_of(x))
    radius = a * a + b * b
    partials = [b / radius, -a / radius] if radius else [math.nan, math.nan]
    return _record((y, x), math.atan2(a, b), partials, "atan")


def log(argument: Any, base: Any = None) -> Any:
    if base is None:
        return UNARY_OPERATIONS["log"](argument)
    return divide(UNARY_OPERATIONS["log"](argument), UNARY_OPERATIONS["log"](base))


def _reciprocal_of(name: str) -> Callable[[Any], Any]:
    return lambda argument: divide(1, UNARY_OPERATIONS[name](argument))


def _sign(argument: Any) -> Any:
    x = data_of(argument)
    data = (x > 0) - (x < 0) if type(x) is not float else (math.copysign(1.0, x) if x else 0.0)
    return _record((argument,), data, [0], "sign")


def _cot(argument: Any) -> Any:
    return divide(UNARY_OPERATIONS["cos"](argument), UNARY_OPERATIONS["sin"](argument))


# Operations by the operator symbol's name, for expressions; n-ary where the operator is.
EXPRESSION_OPERATIONS: dict[str, Callable[..., Any]] = {
    "+": add,
    "-": subtract,
    "*": multiply,
    "/": divide,
    "**": expt,
    "expt": expt,
    "log": log,
    "sec": _reciprocal_of("cos"),
    "csc": _reciprocal_of("sin"),
    "cot": _cot,
    "sign": _sign,
    **{name: operation for name, operation in UNARY_OPERATIONS.items() if name not in ("square", "cube", "log")},
}


def record_call(name: str, operands: Sequence[Any], value: Any, partials: Sequence[Any]) -> Any:
    """Record a call whose value and local partials the caller computed (user functions)."""
    return _record(operands, value, partials, name)


def trace_expression(expr: Any, bindings: dict[Any, Any], fallback: Callable[..., Any] | None = None) -> Any:
    """Evaluate an engine expression with Values (or numbers) bound to its symbols.

    `fallback(operator, operands)` records an operator that has no built-in operation, such as
    a function given by define-derivative; without one, such an operator is an error.
    """
    from ..types import Symbol
    from .expr import fold_bottom_up

    def leaf(atom: Any) -> Any:
        if type(atom) is Symbol:
            if atom not in bindings:
                raise EvaluationError(f"grad: no value for {atom.name}; add ({atom.name} . value) to the bindings")
            return bindings[atom]
        return atom

    def node(item: Any, operands: list[Any]) -> Any:
        name = item.head.name if type(item.head) is Symbol else ""
        if name == "atan" and len(operands) == 2:
            return atan2(*operands)
        operation = EXPRESSION_OPERATIONS.get(name)
        if operation is None:
            if fallback is not None and type(item.head) is Symbol:
                return fallback(item.head, operands)
            raise EvaluationError(f"grad: no reverse-mode rule for operator {name or item.head}")
        try:
            result = operation(*operands)
        except TypeError:
            raise EvaluationError(f"grad: wrong number of operands for {name}: {len(operands)}") from None
        if type(result) is Value and result.operator != name and result.operator in ("expt", "/"):
            # Keep the operator as written, e.g. ** rather than expt, in trace tables.
            result.label = f"({name} " + " ".join(_label(operand) for operand in operands) + ")"
        return result

    return fold_bottom_up(expr, leaf, node)
