"""The Python API: parse and differentiate expressions without writing Scheme."""

from __future__ import annotations

from typing import Any, Union

from .calculus.convert import from_datum, node_count, to_datum
from .calculus.expr import Cell, clear_interned
from .calculus.rules import RuleTable, differentiate
from .errors import DerivError
from .printer import write_string
from .reader import read
from .types import Pair, Symbol


class Expression:
    """An immutable algebraic expression; `str()` gives its Scheme form.

    Equal expressions compare equal and hash alike, because the engine interns them.
    """

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __str__(self) -> str:
        return write_string(to_datum(self.value))

    def __repr__(self) -> str:
        return f"Expression({str(self)!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Expression):
            return NotImplemented
        mine, theirs = self.value, other.value
        if type(mine) is Cell or type(mine) is Symbol:
            return mine is theirs
        return type(mine) is type(theirs) and mine == theirs

    def __hash__(self) -> int:
        if type(self.value) is Cell or type(self.value) is Symbol:
            return id(self.value)
        return hash((type(self.value), self.value))

    def node_count(self) -> int:
        """Count the nodes of the expanded expression tree, computed on the shared DAG."""
        return node_count(self.value)

    size = node_count

    def to_datum(self) -> Any:
        """Return the expression as Scheme data (Pair, Symbol and numbers)."""
        return to_datum(self.value)


ExpressionLike = Union[Expression, str, int, float, Symbol, Pair]


def parse(text: str) -> Expression:
    """Read one s-expression from `text` as an algebraic expression.

    >>> str(parse("(+ x 3)"))
    '(+ x 3)'
    """
    return Expression(from_datum(read(text, "<expression>")))


def _as_engine_value(expr: ExpressionLike) -> Any:
    if isinstance(expr, Expression):
        return expr.value
    if isinstance(expr, str):
        return parse(expr).value
    return from_datum(expr)


def _as_symbol(var: str | Symbol) -> Symbol:
    if type(var) is Symbol:
        return var
    if isinstance(var, str) and var and not any(c in var for c in " ()'\";`,"):
        return Symbol(var)
    raise DerivError(f"deriv: the variable must be a symbol name, got {var!r}")


_default_rules = RuleTable()


def deriv(expr: ExpressionLike, var: str | Symbol, simplify: str = "sicp") -> Expression:
    """Differentiate `expr` with respect to `var` using the built-in rules.

    `expr` may be s-expression text, an Expression, a Symbol, a number or Scheme data;
    `simplify` is "sicp" (SICP's constructors) or "none" (the book's unsimplified form).

    >>> str(deriv("(** x n)", "x"))
    '(* n (** x (+ n -1)))'
    >>> str(deriv("(* x y)", "x", simplify="none"))
    '(+ (* x 0) (* 1 y))'
    """
    if simplify == "full":
        raise DerivError("deriv: the 'full' simplification level is not available yet; use 'sicp' or 'none'")
    return Expression(differentiate(_as_engine_value(expr), _as_symbol(var), _default_rules, simplify))


def clear_cache() -> None:
    """Drop the engine's intern table, so the next run starts cold (for benchmarks)."""
    clear_interned()
