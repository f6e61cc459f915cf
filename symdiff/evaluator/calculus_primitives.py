"""The primitives through which Scheme programs reach the calculus engine: deriv, put, get.

`put` and `get` are SICP's operation table. Entries under the operation `deriv` go to the
engine's rule table, so `(put 'deriv 'sin rule)` teaches `deriv` a new operator; every other
entry is kept in a general table, as section 2.4.3 uses it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..calculus.constructors import LEVELS
from ..calculus.convert import from_datum, to_datum
from ..calculus.rules import RuleTable, apply_builtin_rule, differentiate
from ..errors import DerivError, SchemeTypeError
from ..printer import write_string
from ..types import Symbol
from .procedures import Primitive, PrimitiveRegistry, apply_procedure

if TYPE_CHECKING:
    from .interpreter import Interpreter

DERIV = Symbol("deriv")


class CalculusPrimitives:
    """deriv, put and get for one interpreter, with that interpreter's rule table."""

    def __init__(self, interpreter: "Interpreter") -> None:
        self.interpreter = interpreter
        self.rules = RuleTable()
        self.user_rules: dict[Symbol, Any] = {}
        self.table: dict[tuple[str, str], Any] = {}

    def registry(self) -> PrimitiveRegistry:
        registry = PrimitiveRegistry()
        registry.define("deriv", 2, 4)(self.deriv)
        registry.define("put", 3, 3)(self.put)
        registry.define("get", 2, 2)(self.get)
        return registry

    def deriv(self, expr: Any, var: Any, *options: Any) -> Any:
        """(deriv expr var [order] [level]): the derivative, as a Scheme list."""
        order, level = self._options(options)
        if type(var) is not Symbol:
            raise DerivError(f"deriv: the variable must be a symbol, got {write_string(var)}")
        result = from_datum(expr)
        for _ in range(order):
            result = differentiate(result, var, self.rules, level)
        return to_datum(result)

    def _options(self, options: tuple) -> tuple[int, str]:
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
        if level == "full":
            raise DerivError("deriv: the 'full simplification level is not available yet; use 'sicp or 'none")
        return order, level

    def put(self, operation: Any, key: Any, item: Any) -> Any:
        """(put operation type item): install `item` in the operation table."""
        if operation is DERIV:
            if type(key) is not Symbol:
                raise SchemeTypeError(f"put: a deriv rule's operator must be a symbol, got {write_string(key)}")
            if not _is_procedure(item):
                raise SchemeTypeError(
                    f"put: a deriv rule must be a procedure of (operands var), got {write_string(item)}"
                )
            self.rules.put(key, _user_rule(item))
            self.user_rules[key] = item
        else:
            self.table[(write_string(operation), write_string(key))] = item
        from ..types import UNSPECIFIED

        return UNSPECIFIED

    def get(self, operation: Any, key: Any) -> Any:
        """(get operation type): the installed item, or #f when there is none."""
        if operation is DERIV and type(key) is Symbol:
            if key in self.user_rules and not self.rules.is_builtin(key):
                return self.user_rules[key]
            if self.rules.is_builtin(key):
                return self._builtin_rule_procedure(key)
            return False
        return self.table.get((write_string(operation), write_string(key)), False)

    def _builtin_rule_procedure(self, operator: Symbol) -> Primitive:
        def rule(operands: Any, var: Any) -> Any:
            if type(var) is not Symbol:
                raise DerivError(f"deriv: the variable must be a symbol, got {write_string(var)}")
            level = self.interpreter.simplify
            return to_datum(apply_builtin_rule(operator, from_datum(operands), var, self.rules, level))

        return Primitive(f"deriv-rule:{operator.name}", rule, 2, 2)


def _is_procedure(value: Any) -> bool:
    return type(value) is Primitive or getattr(value, "is_procedure", False)


def _user_rule(procedure: Any) -> Any:
    """Wrap a Scheme procedure of (operands var) as an engine rule on expressions."""

    def rule(operands: Any, var: Symbol) -> Any:
        return from_datum(apply_procedure(procedure, [to_datum(operands), var]))

    return rule
