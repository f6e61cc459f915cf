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
from .constructors import MINUS, PLUS, POWER, TIMES, SicpConstructors, constructors_for
from .convert import is_atom, to_datum
from .expr import Cell, cell

RuleGenerator = Generator[Any, Any, Any]
BuiltinRule = Callable[[Any, Symbol, "Context"], RuleGenerator]
UserRule = Callable[[Any, Symbol], Any]


class Context:
    """State for one differentiation: constructors, rule table and memo tables."""

    def __init__(self, rules: "RuleTable", constructors: SicpConstructors) -> None:
        self.rules = rules
        self.constructors = constructors
        self.memo: dict[Cell, Any] = {}
        self.free_memo: dict[tuple[Cell, Symbol], bool] = {}

    def depends_on(self, expr: Any, var: Symbol) -> bool:
        """Return True if the symbol `var` occurs in `expr` (other than as an operator)."""
        return depends_on(expr, var, self.free_memo)


def depends_on(expr: Any, var: Symbol, memo: dict | None = None) -> bool:
    """Return True if `var` occurs in `expr` as an operand; iterative and memoized per cell."""
    if type(expr) is not Cell:
        return expr is var
    memo = {} if memo is None else memo
    stack = [expr]
    while stack:
        item = stack[-1]
        if (item, var) in memo:
            stack.pop()
            continue
        waiting = False
        found = False
        for operand in _operand_cells(item):
            if type(operand) is Cell:
                known = memo.get((operand, var))
                if known is None:
                    stack.append(operand)
                    waiting = True
                elif known:
                    found = True
            elif operand is var:
                found = True
        if found:
            memo[(item, var)] = True
            stack.pop()
            continue
        if waiting:
            continue
        memo[(item, var)] = False
        stack.pop()
    return memo[(expr, var)]


def _operand_cells(expr: Cell) -> Any:
    """Yield the operands of a compound expression (everything after the operator)."""
    item: Any = expr.tail
    while type(item) is Cell:
        yield item.head
        item = item.tail


def operand_list(operands: Any) -> list[Any]:
    return list(operands) if type(operands) is Cell else []


def rest_as_expression(operator: Symbol, operands: Cell) -> Any:
    """The book's augend or multiplicand: the operands after the first, as one expression."""
    rest = operands.tail
    if type(rest) is Cell and rest.tail is NIL:
        return rest.head
    return cell(operator, rest)


def _require_operands(operator: Symbol, operands: Any, count: int, usage: str) -> list[Any]:
    items = operand_list(operands)
    if len(items) != count:
        expression = write_string(to_datum(cell(operator, operands)))
        raise DerivError(f"deriv: {operator.name} expects {usage}, got {expression}")
    return items


# --- built-in rules ----------------------------------------------------------------------


def sum_rule(operands: Any, var: Symbol, context: Context) -> RuleGenerator:
    """d(u + v) = du + dv, with (+ a b c ...) split into a and (+ b c ...)."""
    if operands is NIL:
        return 0
    if operands.tail is NIL:
        return (yield operands.head)
    d_addend = yield operands.head
    d_augend = yield rest_as_expression(PLUS, operands)
    return context.constructors.make_sum(d_addend, d_augend)


def product_rule(operands: Any, var: Symbol, context: Context) -> RuleGenerator:
    """d(u v) = u dv + du v, with (* a b c ...) split into a and (* b c ...)."""
    if operands is NIL:
        return 0
    if operands.tail is NIL:
        return (yield operands.head)
    make = context.constructors
    multiplier = operands.head
    multiplicand = rest_as_expression(TIMES, operands)
    d_multiplicand = yield multiplicand
    d_multiplier = yield multiplier
    return make.make_sum(make.make_product(multiplier, d_multiplicand), make.make_product(d_multiplier, multiplicand))


def power_rule(operator: Symbol) -> BuiltinRule:
    """Return the rule for (operator u n): d(u^n) = n u^(n-1) du when n does not contain var."""

    def rule(operands: Any, var: Symbol, context: Context) -> RuleGenerator:
        base, exponent = _require_operands(operator, operands, 2, "a base and an exponent")
        if context.depends_on(exponent, var):
            expression = write_string(to_datum(cell(operator, operands)))
            raise DerivError(
                f"deriv: the exponent of {expression} contains the variable {var.name}; "
                "the power rule needs an exponent free of it"
            )
        make = context.constructors
        d_base = yield base
        return make.make_product(
            make.make_product(exponent, make.make_power(base, make.make_sum(exponent, -1), operator)), d_base
        )

    return rule


def difference_rule(operands: Any, var: Symbol, context: Context) -> RuleGenerator:
    """d(-u) = -du; d(u - v - w ...) = du - d(+ v w ...)."""
    items = operand_list(operands)
    if not items:
        raise DerivError("deriv: - expects at least one operand, got (-)")
    make = context.constructors
    if len(items) == 1:
        return make.make_negation((yield items[0]))
    d_minuend = yield items[0]
    d_subtrahend = yield rest_as_expression(PLUS, operands)
    return make.make_difference(d_minuend, d_subtrahend)


BUILTIN_RULES: dict[Symbol, BuiltinRule] = {
    PLUS: sum_rule,
    TIMES: product_rule,
    POWER: power_rule(POWER),
    MINUS: difference_rule,
}


class RuleTable:
    """The operator -> rule table that `deriv` dispatches on; `put` replaces entries."""

    def __init__(self) -> None:
        self.rules: dict[Symbol, BuiltinRule | UserRule] = dict(BUILTIN_RULES)
        self.builtin: set[Symbol] = set(BUILTIN_RULES)

    def get(self, operator: Symbol) -> BuiltinRule | UserRule | None:
        return self.rules.get(operator)

    def put(self, operator: Symbol, rule: UserRule) -> None:
        """Install a user rule: a callable (operands, var) -> derivative."""
        self.rules[operator] = rule
        self.builtin.discard(operator)

    def is_builtin(self, operator: Symbol) -> bool:
        return operator in self.builtin

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
    if context.rules.is_builtin(operator):
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


def apply_builtin_rule(
    operator: Symbol, operands: Any, var: Symbol, rules: RuleTable, level: str = "sicp"
) -> Any:
    """Run the built-in rule for `operator` on `operands`, whatever the table holds now.

    `(get 'deriv '+)` returns a procedure that calls this, so a user rule that wraps the
    built-in one does not dispatch back to itself.
    """
    context = Context(rules, constructors_for(level))
    return run_rule(BUILTIN_RULES[operator](operands, var, context), var, context)
