"""Readable listings of the rules deriv applied, for deriv-steps and `symdiff --steps`."""

from __future__ import annotations

from typing import Any

from .calculus.convert import node_count, to_datum
from .calculus.operations import LEVELS
from .calculus.rules import RuleTable, Step, differentiate
from .calculus.simplify import simplify
from .math_printer import to_infix
from .printer import write_string


def derivation_steps(expr: Any, var: Any, rules: RuleTable, level: str = "sicp") -> tuple[Any, list[Step]]:
    """Differentiate `expr` once, recording every rule applied; return (result, steps)."""
    if level not in LEVELS:
        raise ValueError(f"unknown simplification level {level!r}")
    steps: list[Step] = []
    result = differentiate(expr, var, rules, "none" if level == "none" else "sicp", steps)
    if level == "full":
        result = simplify(result)
        steps.append(Step(0, "full simplification", None, result))
    return result, steps


def derivation_steps_by_order(
    expr: Any, var: Any, rules: RuleTable, level: str, order: int
) -> tuple[Any, list[list[Step]]]:
    """Differentiate `order` times as deriv does, recording the steps of each order.

    Intermediate derivatives are put in the `full` form and the last one built at `level`,
    as calculus.operations.derivative does.
    """
    result = expr
    listings: list[list[Step]] = []
    for step in range(order):
        result, steps = derivation_steps(result, var, rules, level if step == order - 1 else "full")
        listings.append(steps)
    return result, listings


# An expression in a step listing is written out only up to this many nodes. A line of a
# million nodes is unreadable, and a result that shares subexpressions can stand for more
# nodes than fit in memory.
MAX_STEP_NODES = 100_000


def format_steps(steps: list[Step], var: Any, notation: str = "prefix") -> str:
    """Return one line per step, indented by depth: rule, d/dvar of the subexpression, result.

    An expression of more than MAX_STEP_NODES nodes is shown as its size.
    """

    def show(expr: Any) -> str:
        count = node_count(expr)
        if count > MAX_STEP_NODES:
            return f"<expression of {count:.3g} nodes>"
        datum = to_datum(expr)
        return to_infix(datum) if notation == "infix" else write_string(datum)

    lines = []
    for number, step in enumerate(steps, start=1):
        indent = "  " * step.depth
        if step.expr is None:
            lines.append(f"{number:>3}. {indent}{step.rule}: {show(step.result)}")
        else:
            lines.append(f"{number:>3}. {indent}{step.rule}: d/d{var} {show(step.expr)} = {show(step.result)}")
    return "\n".join(lines)
