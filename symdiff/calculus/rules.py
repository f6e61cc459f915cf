"""The derivative rule table and the iterative differentiator that dispatches through it.

A built-in rule is a generator function `rule(operands, var, context)`: `operands` is the cell
list of the expression's operands. To get the derivative of a subexpression the rule yields
the subexpression and receives its derivative; it returns the derivative of the whole. The
driver in `differentiate` runs these generators on an explicit stack, so nesting depth costs no
Python recursion, and it memoizes derivatives per cell, so a subexpression shared in the DAG is
differentiated once.

A rule installed from Scheme is a Python callable `(operands, var) -> derivative` that the
evaluator wraps around a procedure; it may call deriv itself.
"""

from __future__ import annotations

from typing import Any, Callable, Generator

from ..errors import DerivError
from ..printer import write_string
from ..types import NIL, Symbol
from .constructors import constructors_for
from .convert import is_atom, to_datum
from .elementary import BUILTIN_RULES
from .expr import Cell
from .rulekit import BuiltinRule, Context, RuleGenerator

UserRule = Callable[[Any, Symbol], Any]


class RuleTable:
    """The operator -> rule table that `deriv` dispatches on; `put` replaces entries.

    A rule is either a generator rule (the built-in ones and those made by
    define-derivative) or a user rule: a callable (operands, var) -> derivative.
    """

    def __init__(self) -> None:
        self.rules: dict[Symbol, BuiltinRule | UserRule] = dict(BUILTIN_RULES)
        self.generators: set[Symbol] = set(BUILTIN_RULES)

    def get(self, operator: Symbol) -> BuiltinRule | UserRule | None:
        return self.rules.get(operator)

    def put(self, operator: Symbol, rule: UserRule) -> None:
        """Install a user rule: a callable (operands, var) -> derivative."""
        self.rules[operator] = rule
        self.generators.discard(operator)

    def put_generator(self, operator: Symbol, rule: BuiltinRule) -> None:
        """Install a generator rule, written like the built-in ones."""
        self.rules[operator] = rule
        self.generators.add(operator)

    def is_generator(self, operator: Symbol) -> bool:
        return operator in self.generators

    def operators(self) -> list[str]:
        return sorted(operator.name for operator in self.rules)


def _user_rule_generator(rule: UserRule, operands: Any, var: Symbol) -> RuleGenerator:
    return rule(operands, var)
    yield  # unreachable: makes this function a generator for the driver


def _start_rule(expr: Cell, var: Symbol, context: Context) -> RuleGenerator:
    operator = expr.head
    if type(operator) is not Symbol:
        raise DerivError(
            f"deriv: the operator must be a symbol, got {write_string(to_datum(operator))} "
            f"in {_short(expr)}"
        )
    rule = context.rules.get(operator)
    if rule is None:
        raise DerivError(
            f"deriv: no rule for operator {operator.name} in {_short(expr)}; add one with "
            f"(put 'deriv '{operator.name} (lambda (operands var) ...)). Known operators: "
            + " ".join(context.rules.operators())
        )
    if context.rules.is_generator(operator):
        return rule(expr.tail, var, context)  # type: ignore[call-arg]
    return _user_rule_generator(rule, expr.tail, var)  # type: ignore[arg-type]


def _short(expr: Any, limit: int = 60) -> str:
    text = write_string(to_datum(expr))
    return text if len(text) <= limit else text[: limit - 3] + "..."


_PENDING = object()


def _atom_derivative(expr: Any, var: Symbol) -> Any:
    if type(expr) is Symbol:
        return 1 if expr is var else 0
    return 0


def run_rule(generator: RuleGenerator, var: Symbol, context: Context) -> Any:
    """Drive one rule generator, and every rule it needs, to the derivative it returns."""
    memo = context.memo
    stack: list[tuple[Any, RuleGenerator]] = [(None, generator)]
    sent: Any = None
    while stack:
        expr, rule = stack[-1]
        try:
            needed = rule.send(sent)
        except StopIteration as stop:
            stack.pop()
            sent = stop.value
            if expr is not None:
                memo[expr] = sent
            continue
        if type(needed) is not Cell:
            if not is_atom(needed):
                raise DerivError(f"deriv: not an algebraic expression: {write_string(needed)}")
            sent = _atom_derivative(needed, var)
            continue
        known = memo.get(needed, _PENDING)
        if known is not _PENDING:
            sent = known
            continue
        stack.append((needed, _start_rule(needed, var, context)))
        sent = None
    return sent


def differentiate(expr: Any, var: Symbol, rules: RuleTable | None = None, level: str = "sicp") -> Any:
    """Return the derivative of the engine expression `expr` with respect to `var`."""
    if type(var) is not Symbol:
        raise DerivError(f"deriv: the variable must be a symbol, got {write_string(var)}")
    if type(expr) is not Cell:
        if not is_atom(expr):
            raise DerivError(f"deriv: not an algebraic expression: {write_string(expr)}")
        return _atom_derivative(expr, var)
    context = Context(rules if rules is not None else RuleTable(), constructors_for(level))
    generator = _start_rule(expr, var, context)
    result = run_rule(generator, var, context)
    return result


def run_generator_rule(rule: BuiltinRule, operands: Any, var: Symbol, rules: RuleTable, level: str = "sicp") -> Any:
    """Run one generator rule on `operands`, whatever the table holds for its operator now.

    `(get 'deriv '+)` returns a procedure that calls this with the rule it found, so a user
    rule that wraps the built-in one does not dispatch back to itself.
    """
    context = Context(rules, constructors_for(level))
    return run_rule(rule(operands, var, context), var, context)
