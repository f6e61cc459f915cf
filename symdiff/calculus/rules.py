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

from typing import Any, Callable

from ..errors import DerivError, NoRuleError
from ..printer import write_string
from ..types import NIL, Symbol
from .constructors import SicpConstructors, constructors_for
from .convert import is_atom, to_datum
from .elementary import BUILTIN_RULES
from .expr import Cell, engine_operation
from .fast import FAST_KINDS, call_on_variable, fast_differentiate
from .rulekit import BuiltinRule, Context, RuleGenerator, depends_on

UserRule = Callable[[Any, Symbol], Any]


class RuleTable:
    """The operator -> rule table that `deriv` dispatches on; `put` replaces entries.

    A rule is either a generator rule (the built-in ones and those made by
    define-derivative) or a user rule: a callable (operands, var) -> derivative.
    """

    def __init__(self) -> None:
        self.rules: dict[Symbol, BuiltinRule | UserRule] = dict(BUILTIN_RULES)
        self.generators: set[Symbol] = set(BUILTIN_RULES)
        self._fast_kinds: dict[Symbol, int] | None = None

    def get(self, operator: Symbol) -> BuiltinRule | UserRule | None:
        return self.rules.get(operator)

    def put(self, operator: Symbol, rule: UserRule) -> None:
        """Install a user rule: a callable (operands, var) -> derivative."""
        self.rules[operator] = rule
        self.generators.discard(operator)
        self._fast_kinds = None

    def put_generator(self, operator: Symbol, rule: BuiltinRule) -> None:
        """Install a generator rule, written like the built-in ones."""
        self.rules[operator] = rule
        self.generators.add(operator)
        self._fast_kinds = None

    def is_generator(self, operator: Symbol) -> bool:
        return operator in self.generators

    def fast_kinds(self) -> dict[Symbol, int]:
        """Map each operator whose rule is still the built-in one to its kind in fast.py."""
        if self._fast_kinds is None:
            self._fast_kinds = {
                operator: kind
                for operator, kind in FAST_KINDS.items()
                if self.rules.get(operator) is BUILTIN_RULES[operator] and operator in self.generators
            }
        return self._fast_kinds

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
    if operator is var and rule is None:
        raise DerivError(
            f"deriv: {var.name} is the variable, but {_short(expr)} calls it as a function; "
            f"write a product with *, as in (* {var.name} y)"
        )
    if rule is None and not context.depends_on(expr, var):
        # A function with no rule is still constant when its operands do not contain var.
        return _constant_rule()
    if rule is None:
        raise NoRuleError(
            f"deriv: no rule for operator {operator.name} in {_short(expr)}; add one with "
            f"(put 'deriv '{operator.name} (lambda (operands var) ...)). Known operators: "
            + " ".join(context.rules.operators()),
            operator.name,
            _short(expr),
        )
    if context.rules.is_generator(operator):
        return rule(expr.tail, var, context)  # type: ignore[call-arg]
    return _user_rule_generator(rule, expr.tail, var)  # type: ignore[arg-type]


def _constant_rule() -> RuleGenerator:
    return 0
    yield  # unreachable: makes this function a generator for the driver


def _short(expr: Any, limit: int = 60) -> str:
    text = write_string(to_datum(expr))
    return text if len(text) <= limit else text[: limit - 3] + "..."


_PENDING = object()


def _atom_derivative(expr: Any, var: Symbol) -> Any:
    if type(expr) is Symbol:
        return 1 if expr is var else 0
    return 0


class Step:
    """One rule application recorded for deriv-steps: which rule, on what, with what result."""

    __slots__ = ("depth", "rule", "expr", "result")

    def __init__(self, depth: int, rule: str, expr: Any, result: Any = None) -> None:
        self.depth = depth
        self.rule = rule
        self.expr = expr
        self.result = result


def rule_name(expr: Any, var: Symbol, rules: RuleTable) -> str:
    """Describe the rule that differentiates `expr`, for step listings."""
    if type(expr) is not Cell:
        if type(expr) is Symbol:
            return "variable rule" if expr is var else "constant rule (another symbol)"
        return "constant rule"
    operator = expr.head
    rule = rules.get(operator) if type(operator) is Symbol else None
    if rule is None:
        return f"constant rule (free of {var.name})" if not depends_on(expr, var) else "no rule"
    if not rules.is_generator(operator):
        return f"user rule for {operator.name}"
    return getattr(rule, "rule_name", f"rule for {operator.name}")


_GENERATOR, _CHAIN = 0, 1


def run_rule(generator: RuleGenerator, var: Symbol, context: Context, root: Any = None) -> Any:
    """Drive one rule generator, and every rule it needs, to the derivative it returns.

    The stack has one frame per rule in progress. Rules of one-argument functions use a
    plain frame instead of a generator: (f u)' = f'(u) u' needs nothing else, and chains of
    such functions are common enough for the saving to matter.
    """
    memo = context.memo
    steps = context.steps
    make = context.constructors
    root_step = _new_step(steps, 0, root, var, context) if steps is not None else None
    stack: list[list[Any]] = [[_GENERATOR, root, generator, root_step]]
    sent: Any = None
    while stack:
        frame = stack[-1]
        if frame[0] is _CHAIN:
            _, expr, outer, u, step, started = frame
            if started:
                stack.pop()
                sent = make.make_product(outer(u, make), sent)
                memo[expr] = sent
                if step is not None:
                    step.result = sent
                continue
            frame[5] = True
            needed = u
        else:
            _, expr, rule, step = frame
            try:
                needed = rule.send(sent)
            except StopIteration as stop:
                stack.pop()
                sent = stop.value
                if expr is not None:
                    memo[expr] = sent
                if step is not None:
                    step.result = sent
                continue
        if type(needed) is not Cell:
            if not is_atom(needed):
                raise DerivError(f"deriv: not an algebraic expression: {write_string(needed)}")
            sent = _atom_derivative(needed, var)
            if steps is not None:
                _new_step(steps, len(stack), needed, var, context).result = sent
            continue
        known = memo.get(needed, _PENDING)
        if known is not _PENDING:
            sent = known
            if steps is not None:
                steps.append(Step(len(stack), "reused: differentiated above", needed, known))
            continue
        new_step = _new_step(steps, len(stack), needed, var, context) if steps is not None else None
        stack.append(_frame_for(needed, var, context, new_step))
        sent = None
    return sent


def _frame_for(expr: Cell, var: Symbol, context: Context, step: Step | None) -> list[Any]:
    operator = expr.head
    rule = context.rules.rules.get(operator) if type(operator) is Symbol else None
    outer = getattr(rule, "outer", None)
    operands = expr.tail
    if outer is not None and context.rules.is_generator(operator) and operands is not NIL and operands.tail is NIL:
        return [_CHAIN, expr, outer, operands.head, step, False]
    return [_GENERATOR, expr, _start_rule(expr, var, context), step]


def _new_step(steps: list[Step], depth: int, expr: Any, var: Symbol, context: Context) -> Step:
    step = Step(depth, rule_name(expr, var, context.rules), expr)
    steps.append(step)
    return step


@engine_operation
def differentiate(
    expr: Any,
    var: Symbol,
    rules: RuleTable | None = None,
    level: str = "sicp",
    steps: list[Step] | None = None,
    memo: dict | None = None,
) -> Any:
    """Return the derivative of the engine expression `expr` with respect to `var`.

    When `steps` is a list, each rule applied is appended to it in the order the rules start.
    `memo` maps cells to their derivatives. Calls with the same variable, level and rules may
    pass the same memo to share work, as the nested calls from user rules do.
    """
    if type(var) is not Symbol:
        raise DerivError(f"deriv: the variable must be a symbol, got {write_string(var)}")
    if type(expr) is not Cell:
        if not is_atom(expr):
            raise DerivError(f"deriv: not an algebraic expression: {write_string(expr)}")
        result = _atom_derivative(expr, var)
        if steps is not None:
            steps.append(Step(0, rule_name(expr, var, rules or RuleTable()), expr, result))
        return result
    if rules is None:
        rules = RuleTable()
    if steps is None and level == "sicp":
        result = call_on_variable(expr, var, rules.fast_kinds())
        if result is not None:
            if memo is not None:
                memo[expr] = result
            return result
        return _differentiate_fast(expr, var, rules, {} if memo is None else memo)
    context = Context(rules, constructors_for(level))
    context.steps = steps
    if memo is not None:
        context.memo = memo
    generator = _start_rule(expr, var, context)
    return run_rule(generator, var, context, expr)


_SICP_CONSTRUCTORS = SicpConstructors()


def _differentiate_fast(expr: Cell, var: Symbol, rules: RuleTable, memo: dict) -> Any:
    """Differentiate `expr` with fast.py, which hands what it does not cover to the generic driver.

    The driver's Context is built only when fast.py first needs it, because most expressions
    never do. It shares `memo` and the depends_on memo with the fast path.
    """
    free_memo: dict = {}
    context: Context | None = None

    def depends(item: Any, variable: Symbol) -> bool:
        return depends_on(item, variable, free_memo)

    def slow(item: Cell) -> Any:
        nonlocal context
        if context is None:
            context = Context(rules, _SICP_CONSTRUCTORS)
            context.memo = memo
            context.free_memo = free_memo
        return run_rule(_start_rule(item, var, context), var, context, item)

    return fast_differentiate(expr, var, memo, rules.fast_kinds(), depends, slow)


def run_generator_rule(rule: BuiltinRule, operands: Any, var: Symbol, rules: RuleTable, level: str = "sicp") -> Any:
    """Run one generator rule on `operands`, whatever the table holds for its operator now.

    `(get 'deriv '+)` returns a procedure that calls this with the rule it found, so a user
    rule that wraps the built-in one does not dispatch back to itself.
    """
    context = Context(rules, constructors_for(level))
    return run_rule(rule(operands, var, context), var, context)
