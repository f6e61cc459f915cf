"""Shared pieces for derivative rules: the per-call context and operand helpers."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Generator

from ..errors import DerivError
from ..printer import write_string
from ..types import NIL, Symbol
from .constructors import SicpConstructors
from .convert import to_datum
from .expr import Cell, cell

if TYPE_CHECKING:
    from .rules import RuleTable

RuleGenerator = Generator[Any, Any, Any]
BuiltinRule = Callable[[Any, Symbol, "Context"], RuleGenerator]


class Context:
    """State for one differentiation: constructors, rule table and memo tables."""

    def __init__(self, rules: "RuleTable", constructors: SicpConstructors) -> None:
        self.rules = rules
        self.constructors = constructors
        self.memo: dict[Cell, Any] = {}
        self.free_memo: dict[tuple[Cell, Symbol], bool] = {}
        self.steps: list | None = None

    def depends_on(self, expr: Any, var: Symbol) -> bool:
        """Return True if the symbol `var` occurs in `expr` (see depends_on)."""
        return depends_on(expr, var, self.free_memo)


def depends_on(expr: Any, var: Symbol, memo: dict | None = None) -> bool:
    """Return True if `var` occurs in `expr`; iterative and memoized per cell.

    An occurrence as an operator counts too: in (f (x)) the variable x is called as a function,
    which is a mistake for deriv to report, not a constant whose derivative is 0.
    """
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
        found = item.head is var
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
    """Return the book's augend or multiplicand: the operands after the first, as one expression."""
    rest = operands.tail
    if type(rest) is Cell and rest.tail is NIL:
        return rest.head
    return cell(operator, rest)


def require_operands(operator: Symbol, operands: Any, count: int, usage: str) -> list[Any]:
    items = operand_list(operands)
    if len(items) != count:
        expression = write_string(to_datum(cell(operator, operands)))
        raise DerivError(f"deriv: {operator.name} expects {usage}, got {expression}")
    return items


