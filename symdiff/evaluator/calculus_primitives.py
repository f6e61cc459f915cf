"""The primitives through which Scheme programs reach the calculus engine.

`put` and `get` are SICP's operation table. Entries under the operation `deriv` go to the
engine's rule table, so `(put 'deriv 'sin rule)` teaches `deriv` a new operator. Every other
entry is kept in a general table, as SICP section 2.4.3 uses it.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Callable

from ..calculus.convert import from_datum, node_count, to_datum
from ..calculus.elementary import template_rule
from ..calculus.expr import compound
from ..calculus.numeric import apply_operator, evaluate
from ..calculus.operations import LEVELS, derivative, gradient, hessian, jacobian, substitute
from ..calculus.rules import RuleTable, run_generator_rule
from ..calculus.simplify import simplify
from ..notation import infix_to_prefix, prefix_to_infix
from ..errors import DerivError, EvaluationError, SchemeError, SchemeTypeError
from ..printer import write_string
from ..types import NIL, UNSPECIFIED, Pair, Symbol, is_number, list_to_python, make_list
from .procedures import Primitive, PrimitiveRegistry, apply_procedure

# The steps printer, the infix reader and printer, finite differences and `random` are imported
# in the procedures that use them, so that interpreter start-up does not load them for programs
# that never call those procedures.

if TYPE_CHECKING:
    from .interpreter import Interpreter

DERIV = Symbol("deriv")

# Operators that check-derivative tests with two arguments: the power operators have no
# one-argument form, and the arithmetic ones are checked in their most common form.
BINARY_OPERATORS = frozenset(("**", "expt", "+", "-", "*", "/"))


class CalculusPrimitives:
    """The calculus procedures of one interpreter, sharing that interpreter's rule table."""

    def __init__(self, interpreter: "Interpreter") -> None:
        self.interpreter = interpreter
        self.rules = RuleTable()
        self.user_rules: dict[Symbol, Any] = {}
        self.table: dict[tuple[str, str], Any] = {}
        # Memo tables of the deriv calls in progress, by (variable, level). A user rule that
        # calls deriv again reuses its caller's table, so a subexpression shared in the DAG is
        # differentiated once even when user rules sit in between.
        self._active_memos: dict[tuple[Symbol, str], dict] = {}

    def registry(self) -> PrimitiveRegistry:
        registry = PrimitiveRegistry()
        define = registry.define
        define("deriv", 2, 4)(self.deriv)
        define("simplify", 1, 2)(self.simplify)
        define("gradient", 2, 3)(self.gradient)
        define("jacobian", 2, 3)(self.jacobian)
        define("hessian", 2, 3)(self.hessian)
        define("substitute", 2, 3)(self.substitute)
        define("evaluate", 2, 2)(self.evaluate)
        define("node-count", 1, 1)(lambda expr: node_count(from_datum(expr)))
        define("put", 3, 3)(self.put)
        define("get", 2, 2)(self.get)
        define("%define-derivative", 3, 3)(self.define_derivative)
        define("check-derivative", 1, 2)(self.check_derivative)
        define("deriv-infix", 2, 4)(self.deriv_infix)
        define("deriv-steps", 2, 4)(self.deriv_steps)
        define("infix->prefix", 1, 1)(infix_to_prefix)
        define("prefix->infix", 1, 1)(prefix_to_infix)
        define("parse-infix", 1, 1)(_parse_infix)
        define("expr->infix", 1, 1)(_expr_to_infix)
        define("expr->latex", 1, 1)(_expr_to_latex)
        define("sigmoid", 1, 1)(_numeric_function("sigmoid"))
        define("sign", 1, 1)(_numeric_function("sign"))
        define("sec", 1, 1)(_numeric_function("sec"))
        define("csc", 1, 1)(_numeric_function("csc"))
        define("cot", 1, 1)(_numeric_function("cot"))
        define("sinh", 1, 1)(_numeric_function("sinh"))
        define("cosh", 1, 1)(_numeric_function("cosh"))
        define("tanh", 1, 1)(_numeric_function("tanh"))
        return registry

    # --- differentiation -------------------------------------------------------------------

    def deriv(self, expr: Any, var: Any, *options: Any) -> Any:
        """(deriv expr var [order] [level]): the derivative, as a Scheme list."""
        order, level = self._deriv_options(options)
        variable = _variable(var, "deriv")
        key = (variable, "none" if level == "none" else "sicp")
        memo = self._active_memos.get(key)
        owner = memo is None
        if owner:
            memo = self._active_memos[key] = {}
        try:
            if self.interpreter.show_steps and owner:
                result = self._deriv_with_steps(from_datum(expr), variable, level, order)
            else:
                result = derivative(from_datum(expr), variable, self.rules, level, order, memo)
        finally:
            if owner:
                del self._active_memos[key]
        return to_datum(result)

    def _deriv_with_steps(self, expr: Any, variable: Symbol, level: str, order: int) -> Any:
        """Differentiate as deriv does, writing each rule applied (symdiff --steps)."""
        from ..steps import derivation_steps_by_order, format_steps

        result, listings = derivation_steps_by_order(expr, variable, self.rules, level, order)
        for steps in listings:
            self.interpreter._write(format_steps(steps, variable.name) + "\n")
        return result

    def deriv_infix(self, expr: Any, var: Any, *options: Any) -> Any:
        """(deriv-infix expr var [order] [level]): deriv on an infix list, giving an infix list."""
        return prefix_to_infix(self.deriv(infix_to_prefix(expr), var, *options))

    def deriv_steps(self, expr: Any, var: Any, *options: Any) -> Any:
        """(deriv-steps expr var ['infix] [level]): print each rule applied, return the result."""
        from ..steps import derivation_steps, format_steps

        notation = "prefix"
        level = self.interpreter.simplify
        for option in options:
            if option is Symbol("infix") or option is Symbol("prefix"):
                notation = option.name
            elif type(option) is Symbol and option.name in LEVELS:
                level = option.name
            else:
                raise DerivError(f"deriv-steps: invalid option {write_string(option)}; expected 'infix, 'prefix or a level")
        variable = _variable(var, "deriv-steps")
        result, steps = derivation_steps(from_datum(expr), variable, self.rules, level)
        self.interpreter._write(format_steps(steps, variable.name, notation) + "\n")
        return to_datum(result)

    def _deriv_options(self, options: tuple) -> tuple[int, str]:
        order = 1
        level = self.interpreter.simplify
        for option in options:
            if type(option) is int and option >= 0:
                order = option
            elif type(option) is Symbol and option.name in LEVELS:
                level = option.name
            else:
                raise DerivError(
                    f"deriv: invalid option {write_string(option)}; expected an order "
                    "(a non-negative integer) or a simplification level ('none, 'sicp or 'full)"
                )
        return order, level

    def _level(self, name: str, option: Any, default: str | None = None) -> str:
        if option is None:
            return default or self.interpreter.simplify
        if type(option) is Symbol and option.name in LEVELS:
            return option.name
        raise DerivError(f"{name}: invalid simplification level {write_string(option)}; expected 'none, 'sicp or 'full")

    def simplify(self, expr: Any, level: Any = None) -> Any:
        """(simplify expr [level]): the `full` canonical form by default."""
        chosen = self._level("simplify", level, "full")
        value = from_datum(expr)
        if chosen == "full":
            return to_datum(simplify(value))
        return to_datum(substitute(value, {}, chosen))

    def gradient(self, expr: Any, variables: Any, level: Any = None) -> Any:
        names = _variables(variables, "gradient")
        results = gradient(from_datum(expr), names, self.rules, self._level("gradient", level))
        return make_list(to_datum(result) for result in results)

    def jacobian(self, exprs: Any, variables: Any, level: Any = None) -> Any:
        items = list_to_python(exprs)
        if items is None:
            raise SchemeTypeError(f"jacobian: expected a list of expressions, got {write_string(exprs)}")
        if items and type(items[0]) is Symbol and self.rules.get(items[0]) is not None:
            raise SchemeTypeError(
                f"jacobian: expected a list of expressions, got the single expression {write_string(exprs)}; "
                f"write '({write_string(exprs)}) for a one-row Jacobian"
            )
        names = _variables(variables, "jacobian")
        rows = jacobian([from_datum(item) for item in items], names, self.rules, self._level("jacobian", level))
        return make_list(make_list(to_datum(entry) for entry in row) for row in rows)

    def hessian(self, expr: Any, variables: Any, level: Any = None) -> Any:
        names = _variables(variables, "hessian")
        rows = hessian(from_datum(expr), names, self.rules, self._level("hessian", level))
        return make_list(make_list(to_datum(entry) for entry in row) for row in rows)

    # --- substitution and evaluation ---------------------------------------------------------

    def substitute(self, expr: Any, bindings: Any, level: Any = None) -> Any:
        """(substitute expr '((x . value) ...)): replace symbols, then fold numbers."""
        table = _bindings(bindings, "substitute", numbers_only=False)
        return to_datum(substitute(from_datum(expr), table, self._level("substitute", level)))

    def evaluate(self, expr: Any, bindings: Any) -> Any:
        """(evaluate expr '((x . 1/2) ...)): the number `expr` stands for at that point."""
        table = _bindings(bindings, "evaluate", numbers_only=True)
        return evaluate(from_datum(expr), table, self._resolve_function)

    def _resolve_function(self, name: Symbol) -> Callable[..., Any] | None:
        """Find a Scheme procedure named `name` for a function the engine does not know."""
        bindings = self.interpreter.global_environment.bindings
        procedure = bindings.get(name)
        if procedure is None or not _is_procedure(procedure):
            return None
        return lambda *arguments: apply_procedure(procedure, list(arguments))

    # --- the rule table ----------------------------------------------------------------------

    def put(self, operation: Any, key: Any, item: Any) -> Any:
        """(put operation type item): install `item` in the operation table."""
        if operation is DERIV:
            if type(key) is not Symbol:
                raise SchemeTypeError(f"put: a deriv rule's operator must be a symbol, got {write_string(key)}")
            if not _is_procedure(item):
                raise SchemeTypeError(f"put: a deriv rule must be a procedure of (operands var), got {write_string(item)}")
            self.rules.put(key, _user_rule(item))
            self.user_rules[key] = item
        else:
            self.table[(write_string(operation), write_string(key))] = item
        return UNSPECIFIED

    def get(self, operation: Any, key: Any) -> Any:
        """(get operation type): the installed item, or #f when there is none."""
        if operation is DERIV and type(key) is Symbol:
            rule = self.rules.get(key)
            if rule is None:
                return False
            if self.rules.is_generator(key):
                return self._generator_rule_procedure(key, rule)
            return self.user_rules[key]
        return self.table.get((write_string(operation), write_string(key)), False)

    def _generator_rule_procedure(self, operator: Symbol, rule: Any) -> Primitive:
        def call(operands: Any, var: Any) -> Any:
            level = "none" if self.interpreter.simplify == "none" else "sicp"
            result = run_generator_rule(rule, from_datum(operands), _variable(var, "deriv"), self.rules, level)
            return to_datum(result)

        return Primitive(f"deriv-rule:{operator.name}", call, 2, 2)

    def define_derivative(self, name: Any, parameters: Any, partials: Any) -> Any:
        """Install the rule that `(define-derivative (name parameter ...) partial ...)` describes."""
        names = _variables(parameters, "define-derivative")
        templates = list_to_python(partials) or []
        if type(name) is not Symbol:
            raise SchemeTypeError(f"define-derivative: the function name must be a symbol, got {write_string(name)}")
        if len(set(names)) != len(names):
            raise DerivError(f"define-derivative: a parameter of {write_string(name)} appears twice")
        if len(templates) != len(names):
            raise DerivError(
                f"define-derivative: {name.name} has {len(names)} parameter(s) but {len(templates)} "
                "derivative expression(s); give one partial derivative per parameter"
            )
        self.rules.put_generator(name, template_rule(name, names, [from_datum(t) for t in templates]))
        self.user_rules.pop(name, None)
        return UNSPECIFIED

    def check_derivative(self, name: Any, points: Any = 20) -> Any:
        """(check-derivative 'f [points]): the largest error of f's rule against finite differences.

        The rule's derivative of (f x1 ... xn) in each argument is evaluated at random points in
        [-2, 2] (fixed seed) and compared with a central difference of f's numeric definition,
        a builtin or a Scheme procedure named f. Points where f is undefined are skipped. The
        result is the largest relative error, measured as |a - b| / max(1, |b|).
        """
        if type(name) is not Symbol:
            raise SchemeTypeError(f"check-derivative: expected an operator symbol, got {write_string(name)}")
        if type(points) is not int or points < 1:
            raise SchemeTypeError(f"check-derivative: the number of points must be a positive integer, got {write_string(points)}")
        import random

        arity = self._rule_arity(name)
        symbols = [Symbol(f"x{index}") for index in range(arity)]
        expr = compound(name, *symbols)
        partials = [derivative(expr, symbol, self.rules, "sicp") for symbol in symbols]
        generator = random.Random(20240917)
        worst = 0.0
        checked = 0
        for _ in range(points * 10):
            if checked >= points:
                break
            point = [generator.uniform(-2.0, 2.0) for _ in symbols]
            try:
                errors = [self._partial_error(expr, partial, symbols, point, index) for index, partial in enumerate(partials)]
            except (SchemeError, ArithmeticError, ValueError):
                continue
            if any(math.isnan(error) for error in errors):
                continue
            worst = max(worst, *errors)
            checked += 1
        if checked == 0:
            raise EvaluationError(f"check-derivative: {name.name} could not be evaluated at any sample point in [-2, 2]")
        return worst

    def _rule_arity(self, name: Symbol) -> int:
        if self.rules.get(name) is None:
            raise DerivError(f"check-derivative: no deriv rule for {name.name}; add one with define-derivative or put")
        if name.name in BINARY_OPERATORS:
            return 2
        procedure = self.interpreter.global_environment.bindings.get(name)
        parameters = getattr(procedure, "parameters", None)
        if parameters is not None:
            return len(parameters)
        minimum = getattr(procedure, "min_args", 1)
        return max(1, minimum)

    def _partial_error(self, expr: Any, partial: Any, symbols: list[Symbol], point: list[float], index: int) -> float:
        from ..calculus import finite_difference

        bindings = dict(zip(symbols, point))
        symbolic = float(evaluate(partial, bindings, self._resolve_function))

        def along(value: float) -> float:
            shifted = dict(bindings)
            shifted[symbols[index]] = value
            return float(evaluate(expr, shifted, self._resolve_function))

        numeric, _ = finite_difference.derivative_with_error(along, point[index])
        if not (math.isfinite(symbolic) and math.isfinite(numeric)):
            return math.nan
        return abs(symbolic - numeric) / max(1.0, abs(numeric))


def _numeric_function(name: str) -> Callable[[Any], Any]:
    symbol = Symbol(name)

    def function(value: Any) -> Any:
        if not is_number(value):
            raise SchemeTypeError(f"{name}: expected a number, got {write_string(value)}")
        return apply_operator(symbol, [value])

    function.__name__ = name
    return function


def _parse_infix(text: Any) -> Any:
    if type(text) is not str:
        raise SchemeTypeError(f"parse-infix: expected a string of infix math, got {write_string(text)}")
    from ..infix_reader import parse_infix

    return parse_infix(text)


def _expr_to_infix(expr: Any) -> str:
    from_datum(expr)  # rejects anything that is not an algebraic expression
    from ..math_printer import to_infix

    return to_infix(expr)


def _expr_to_latex(expr: Any) -> str:
    from_datum(expr)
    from ..math_printer import to_latex

    return to_latex(expr)


def _variable(value: Any, name: str) -> Symbol:
    if type(value) is not Symbol:
        raise DerivError(f"{name}: the variable must be a symbol, got {write_string(value)}")
    return value


def _variables(value: Any, name: str) -> list[Symbol]:
    items = list_to_python(value)
    if items is None or any(type(item) is not Symbol for item in items):
        raise DerivError(f"{name}: expected a list of variable symbols, got {write_string(value)}")
    return items


def number_bindings(value: Any, name: str) -> dict[Symbol, Any]:
    """Convert an association list of symbols and numbers into a dictionary."""
    return _bindings(value, name, numbers_only=True)


def _bindings(value: Any, name: str, numbers_only: bool) -> dict[Symbol, Any]:
    """Convert an association list ((x . 2) (y . 3)) into a dictionary."""
    items = list_to_python(value)
    if items is None:
        raise SchemeTypeError(f"{name}: expected bindings like ((x . 2) (y . 3)), got {write_string(value)}")
    table: dict[Symbol, Any] = {}
    for item in items:
        if type(item) is not Pair or type(item.car) is not Symbol:
            raise SchemeTypeError(f"{name}: expected a binding (symbol . value), got {write_string(item)}")
        bound = item.cdr
        # Accept (x 2) as well as (x . 2).
        if type(bound) is Pair and bound.cdr is NIL:
            bound = bound.car
        if numbers_only and not is_number(bound):
            raise SchemeTypeError(f"{name}: the value of {item.car.name} must be a number, got {write_string(bound)}")
        table[item.car] = bound if numbers_only else from_datum(bound)
    return table


def _is_procedure(value: Any) -> bool:
    return type(value) is Primitive or getattr(value, "is_procedure", False)


def _user_rule(procedure: Any) -> Any:
    """Wrap a Scheme procedure of (operands var) as an engine rule on expressions."""

    def rule(operands: Any, var: Symbol) -> Any:
        return from_datum(apply_procedure(procedure, [to_datum(operands), var]))

    return rule

