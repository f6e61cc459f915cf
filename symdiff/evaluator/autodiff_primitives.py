"""Scheme procedures for reverse-mode differentiation: grad and backprop-trace.

`(grad f args)` runs the procedure f once on recorded numbers (calculus.reverse.Value). While it
runs, the global arithmetic procedures are replaced by versions that record on the tape when an
argument is recorded and behave exactly as before otherwise. The originals come back afterwards,
even after an error. Because the program that actually ran is differentiated, control flow,
recursion, let and helper procedures all work.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Callable, Iterator

from ..calculus import reverse
from ..calculus.convert import from_datum
from ..calculus.numeric import DomainError
from ..calculus.numeric import evaluate as numeric_evaluate
from ..calculus.expr import compound
from ..calculus.operations import derivative
from ..errors import EvaluationError, SchemeTypeError
from ..printer import write_string
from ..types import UNSPECIFIED, Symbol, is_number, list_to_python, make_list
from .calculus_primitives import number_bindings
from .procedures import Primitive, PrimitiveRegistry, apply_procedure

# calculus.finite_difference is imported in the procedures that use it, so that interpreter
# start-up does not load it for programs that never call nderiv or compare-derivatives.

if TYPE_CHECKING:
    from .interpreter import Interpreter

Value = reverse.Value


def _comparison(original: Primitive) -> Callable[..., Any]:
    """Compare recorded numbers by their data."""
    return lambda *arguments: original.function(*[reverse.data_of(a) for a in arguments])


def _choose(original: Primitive) -> Callable[..., Any]:
    """min and max: return the chosen argument itself, so the gradient flows to it alone."""

    def choose(*arguments: Any) -> Any:
        target = original.function(*[reverse.data_of(a) for a in arguments])
        for argument in arguments:
            if reverse.data_of(argument) == target:
                return argument
        return target

    return choose


# Procedures that record when given a recorded number, by global name.
RECORDING: dict[str, Callable[..., Any]] = {
    "+": reverse.add,
    "-": reverse.subtract,
    "*": reverse.multiply,
    "/": reverse.divide,
    "expt": reverse.expt,
    "1+": lambda x: reverse.add(x, 1),
    "-1+": lambda x: reverse.subtract(x, 1),
    **{name: operation for name, operation in reverse.UNARY_OPERATIONS.items() if name not in ("log", "atan")},
    **{name: reverse.EXPRESSION_OPERATIONS[name] for name in ("sec", "csc", "cot", "sign")},
    "log": reverse.log,
    "atan": lambda *arguments: reverse.atan2(*arguments) if len(arguments) == 2 else reverse.UNARY_OPERATIONS["atan"](*arguments),
}

COMPARISONS = ("=", "<", ">", "<=", ">=", "zero?", "positive?", "negative?", "odd?", "even?",
               "integer?", "rational?", "exact?", "inexact?", "nan?", "number->string", "exact->inexact")
PREDICATES_TRUE_FOR_VALUES = ("number?", "real?")


class AutodiffPrimitives:
    """grad and backprop-trace for one interpreter."""

    def __init__(self, interpreter: "Interpreter") -> None:
        self.interpreter = interpreter

    def registry(self) -> PrimitiveRegistry:
        registry = PrimitiveRegistry()
        registry.define("grad", 2, 3)(self.grad)
        registry.define("backprop-trace", 2, 2)(self.backprop_trace)
        registry.define("compare-derivatives", 3, 3)(self.compare_derivatives)
        registry.define("nderiv", 2, 4)(self.nderiv)
        registry.define("nderiv-with-error", 2, 4)(self.nderiv_with_error)
        return registry

    def nderiv(self, target: Any, *arguments: Any) -> Any:
        """(nderiv f x [order]) or (nderiv expr var bindings [order]): a finite-difference derivative.

        Raises an error when the error estimate is large, as at a jump or a kink, instead of
        returning a number that only looks like a derivative. nderiv-with-error returns both.
        """
        value, error = self._numeric_derivative("nderiv", target, arguments)
        return settled(value, error, "nderiv")

    def nderiv_with_error(self, target: Any, *arguments: Any) -> Any:
        """Like nderiv, but return the list (value error-estimate)."""
        value, error = self._numeric_derivative("nderiv-with-error", target, arguments)
        return make_list([value, error])

    def _numeric_derivative(self, name: str, target: Any, arguments: tuple) -> tuple[float, float]:
        if _is_procedure(target):
            if len(arguments) not in (1, 2):
                raise SchemeTypeError(f"{name}: expected ({name} f x [order]) for a procedure f")
            point, order = arguments[0], (arguments[1] if len(arguments) == 2 else 1)
            function = _scheme_function(target, name)
        else:
            if len(arguments) not in (2, 3):
                raise SchemeTypeError(f"{name}: expected ({name} expr var bindings [order]) for an expression")
            var, bindings, order = arguments[0], arguments[1], (arguments[2] if len(arguments) == 3 else 1)
            if type(var) is not Symbol:
                raise SchemeTypeError(f"{name}: the variable must be a symbol, got {write_string(var)}")
            table = number_bindings(bindings, name)
            if var not in table:
                raise EvaluationError(f"{name}: no value for {var.name}; add ({var.name} . value) to the bindings")
            point = table[var]
            function = self._expression_function(from_datum(target), var, table)
        if not is_number(point):
            raise SchemeTypeError(f"{name}: the point must be a number, got {write_string(point)}")
        if order not in (1, 2) or type(order) is not int:
            raise SchemeTypeError(f"{name}: the order must be 1 or 2, got {write_string(order)}")
        from ..calculus import finite_difference

        return finite_difference.derivative_with_error(function, float(point), order, domain_errors=_DOMAIN_ERRORS)

    def _expression_function(self, expr: Any, var: Symbol, table: dict[Symbol, Any]) -> Callable[[float], float]:
        resolve = self.interpreter.calculus._resolve_function

        def function(value: float) -> float:
            point = dict(table)
            point[var] = value
            return float(numeric_evaluate(expr, point, resolve))

        return function

    def compare_derivatives(self, expr: Any, var: Any, bindings: Any) -> Any:
        """(compare-derivatives expr var bindings): symbolic, back-propagated and numeric values.

        Prints a table with each value and its difference from the symbolic one, and returns
        the list (symbolic back-propagated numeric).
        """
        return self.compare_written(expr, var, bindings, write_string(expr))

    def compare_written(self, expr: Any, var: Any, bindings: Any, written: str) -> Any:
        """Run compare-derivatives, with `written` as the expression in the table's heading."""
        if type(var) is not Symbol:
            raise SchemeTypeError(f"compare-derivatives: the variable must be a symbol, got {write_string(var)}")
        table = number_bindings(bindings, "compare-derivatives")
        if var not in table:
            raise EvaluationError(f"compare-derivatives: no value for {var.name}; add ({var.name} . value) to the bindings")
        calculus = self.interpreter.calculus
        engine_expr = from_datum(expr)
        symbolic = numeric_evaluate(derivative(engine_expr, var, calculus.rules, "sicp"), table, calculus._resolve_function)
        back_propagated = self.grad(expr, make_list([var]), bindings).car

        def along(value: float) -> float:
            point = dict(table)
            point[var] = value
            return float(numeric_evaluate(engine_expr, point, calculus._resolve_function))

        from ..calculus import finite_difference

        try:
            point = float(table[var])
        except OverflowError:
            raise EvaluationError(
                f"compare-derivatives: the value of {var.name} is beyond the float range that finite "
                "differences need; choose a value below about 1e308"
            ) from None
        numeric, error = finite_difference.derivative_with_error(along, point, domain_errors=_DOMAIN_ERRORS)
        rows = [("symbolic", symbolic), ("back propagation", back_propagated), ("finite differences", numeric)]
        lines = [f"d/d{var.name} {written} at " + ", ".join(f"{k.name} = {write_string(v)}" for k, v in table.items())]
        lines.append(f"  {'method':<20} {'value':<24} difference from symbolic")
        for name, value in rows:
            difference = "" if name == "symbolic" else write_string(_difference(value, symbolic))
            lines.append(f"  {name:<20} {write_string(value):<24} {difference}".rstrip())
        lines.append(f"  (finite-difference error estimate: {error:.2g})")
        self.interpreter._write("\n".join(lines) + "\n")
        return make_list(value for _, value in rows)

    def grad(self, target: Any, arguments: Any, bindings: Any = None) -> Any:
        """(grad f '(1 2)) or (grad expr '(x y) '((x . 1) (y . 2))): the list of partials."""
        output, inputs = self._forward(target, arguments, bindings, "grad")
        if type(output) is not Value:
            if not is_number(output):
                raise SchemeTypeError(f"grad: the function must return a number, got {write_string(output)}")
            return make_list(0 for _ in inputs)
        reverse.backward(output)
        return make_list(value.grad for value in inputs)

    def backprop_trace(self, expr: Any, bindings: Any) -> Any:
        """(backprop-trace expr '((x . 1) ...)): print the forward and backward passes as a table."""
        table = number_bindings(bindings, "backprop-trace")
        names = list(table)
        output, inputs = self._forward(expr, make_list(names), bindings, "backprop-trace")
        if type(output) is not Value:
            raise EvaluationError("backprop-trace: the expression does not depend on any bound variable")
        reverse.backward(output)
        self.interpreter._write(reverse.trace_table(output, inputs) + "\n")
        return UNSPECIFIED

    def _forward(self, target: Any, arguments: Any, bindings: Any, name: str) -> tuple[Any, list[Value]]:
        tape = reverse.Tape()
        if _is_procedure(target):
            if bindings is not None:
                raise SchemeTypeError(f"{name}: a procedure takes a list of argument values only: ({name} f '(1 2))")
            values = list_to_python(arguments)
            if values is None or not all(is_number(v) for v in values):
                raise SchemeTypeError(f"{name}: expected a list of numbers for the arguments, got {write_string(arguments)}")
            inputs = [tape.variable(value, f"x{index}") for index, value in enumerate(values)]
            if type(target) is Primitive and target.name in RECORDING:
                # (grad + '(1 2)) passes the builtin itself, which the swap below cannot reach.
                target = _recording_primitive(target.name, target)
            with self._recording():
                output = apply_procedure(target, list(inputs))
            return output, inputs
        if bindings is None:
            raise SchemeTypeError(
                f"{name}: expected a procedure and argument values, or an expression, variables and bindings; "
                f"got {write_string(target)}"
            )
        variables = list_to_python(arguments)
        if variables is None or not all(type(v) is Symbol for v in variables):
            raise SchemeTypeError(f"{name}: expected a list of variable symbols, got {write_string(arguments)}")
        table = number_bindings(bindings, name)
        for variable in variables:
            if variable not in table:
                raise EvaluationError(f"{name}: no value for {variable.name}; add ({variable.name} . value) to the bindings")
        inputs = [tape.variable(table[variable], variable.name) for variable in variables]
        point: dict[Any, Any] = dict(table)
        point.update(zip(variables, inputs))
        return reverse.trace_expression(from_datum(target), point, self._user_function), inputs

    def _user_function(self, operator: Symbol, operands: list[Any]) -> Any:
        """Record a call of a function with a deriv rule and a numeric definition in Scheme.

        The value comes from the Scheme procedure of that name, and each local partial from
        the symbolic derivative that the rule gives, evaluated at the arguments.
        """
        calculus = self.interpreter.calculus
        procedure = calculus._resolve_function(operator)
        if procedure is None or calculus.rules.get(operator) is None:
            raise EvaluationError(
                f"grad: no reverse-mode rule for operator {operator.name}; define it as a procedure "
                "and give it a derivative with define-derivative or put"
            )
        values = [reverse.data_of(operand) for operand in operands]
        parameters = [Symbol(f"%u{index}") for index in range(len(operands))]
        point = dict(zip(parameters, values))
        call = compound(operator, *parameters)
        partials = [
            numeric_evaluate(derivative(call, parameter, calculus.rules, "sicp"), point, calculus._resolve_function)
            for parameter in parameters
        ]
        return reverse.record_call(operator.name, operands, procedure(*values), partials)

    @contextmanager
    def _recording(self) -> Iterator[None]:
        """Swap the global arithmetic procedures for recording ones while the body runs."""
        bindings = self.interpreter.global_environment.bindings
        saved: dict[Symbol, Any] = {}
        for name in list(RECORDING) + list(COMPARISONS) + list(PREDICATES_TRUE_FOR_VALUES) + ["min", "max"]:
            symbol = Symbol(name)
            original = bindings.get(symbol)
            if type(original) is not Primitive or original.name != name:
                continue  # the program redefined it; leave the program's version alone
            saved[symbol] = original
            bindings[symbol] = _recording_primitive(name, original)
        try:
            yield
        finally:
            bindings.update(saved)


def _recording_primitive(name: str, original: Primitive) -> Primitive:
    if name in RECORDING:
        operation = RECORDING[name]
    elif name in COMPARISONS:
        operation = _comparison(original)
    elif name in PREDICATES_TRUE_FOR_VALUES:
        operation = lambda value: True if type(value) is Value else original.function(value)  # noqa: E731
    else:  # min and max
        operation = _choose(original)

    def call(*arguments: Any) -> Any:
        for argument in arguments:
            if type(argument) is Value:
                return operation(*arguments)
        return original.function(*arguments)

    return Primitive(name, call, original.min_args, original.max_args)


# Errors that mean "outside the function's domain" when a probe point is evaluated: the
# numeric derivative then shrinks its step instead of failing.
_DOMAIN_ERRORS = (DomainError, ValueError, ArithmeticError)


class _OutsideDomain(ValueError):
    """A Scheme procedure failed with a plain evaluation error at a probe point."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _scheme_function(procedure: Any, name: str) -> Callable[[float], float]:
    def function(value: float) -> float:
        try:
            result = apply_procedure(procedure, [value])
        except EvaluationError as error:
            if type(error) is EvaluationError:  # domain errors such as (log -1); not arity or type errors
                raise _OutsideDomain(error.message) from error
            raise
        if not is_number(result):
            raise SchemeTypeError(f"{name}: the procedure must return a number, got {write_string(result)}")
        return float(result)

    return function


# nderiv returns its estimate only when the error estimate is below this fraction of
# max(1, |estimate|); smooth functions settle far below it (about 1e-10 on the test cases).
SETTLED_RELATIVE_ERROR = 1e-6


def settled(value: float, error: float, name: str) -> float:
    """Return `value`, or raise NumericDerivativeError when its error estimate is too large."""
    if error <= SETTLED_RELATIVE_ERROR * max(1.0, abs(value)):
        return value
    from ..calculus import finite_difference

    raise finite_difference.NumericDerivativeError(
        f"{name}: the finite differences did not settle (estimate {value:.6g}, error estimate "
        f"{error:.2g}); the function may not be differentiable there. Use nderiv-with-error "
        "to see the estimate anyway"
    )


def _difference(value: Any, reference: Any) -> Any:
    try:
        return value - reference
    except TypeError:
        return float("nan")


def _is_procedure(value: Any) -> bool:
    return type(value) is Primitive or getattr(value, "is_procedure", False)
