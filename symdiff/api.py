"""The Python API: parse and differentiate expressions without writing Scheme."""

from __future__ import annotations

from typing import Any, Mapping, Union

from .calculus.convert import from_datum, node_count, to_datum
from .calculus.expr import Cell, atom_key, clear_interned
from .calculus.numeric import evaluate
from .calculus.operations import derivative
from .calculus.operations import gradient as _gradient
from .calculus.rules import RuleTable
from .calculus.simplify import simplify as full_simplify
from .errors import DerivError, SchemeError
from .infix_reader import parse_infix
from .math_printer import to_infix, to_latex
from .printer import MAX_PRINTED_NODES, write_string
from .reader import read
from .types import Pair, Symbol


class Expression:
    """An immutable algebraic expression; `str()` gives its Scheme form.

    Equal expressions compare equal and hash alike, because the engine interns them.
    """

    __slots__ = ("value", "_hash")

    def __init__(self, value: Any) -> None:
        self.value = value
        self._hash: int | None = None

    def __str__(self) -> str:
        count = node_count(self.value)
        if count > MAX_PRINTED_NODES:
            return f"<expression of {count:.3g} nodes, too large to print>"
        return write_string(to_datum(self.value))

    def __repr__(self) -> str:
        return f"Expression({str(self)!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Expression):
            return NotImplemented
        # Interned cells make equal expressions identical, except across clear_cache().
        return self.value is other.value or _same_structure(self.value, other.value)

    def __hash__(self) -> int:
        if self._hash is None:
            self._hash = _structural_hash(self.value)
        return self._hash

    def node_count(self) -> int:
        """Count the nodes of the expanded expression tree, computed on the shared DAG."""
        return node_count(self.value)

    size = node_count

    def to_datum(self) -> Any:
        """Return the expression as Scheme data (Pair, Symbol and numbers)."""
        return to_datum(self.value)

    def to_infix(self) -> str:
        """Return infix text with minimal parentheses, e.g. "x^2 + 3*x"."""
        return to_infix(to_datum(self.value))

    def to_latex(self) -> str:
        r"""Return LaTeX, e.g. "\frac{1}{x}"."""
        return to_latex(to_datum(self.value))

    def evaluate(self, bindings: Mapping[str, Any] | None = None, **values: Any) -> Any:
        """Return the value at a point: exact for exact inputs where the functions allow.

        >>> parse("(+ (* x y) 1/2)").evaluate(x=1, y=3)
        Fraction(7, 2)
        """
        point = {**(bindings or {}), **values}
        return evaluate(self.value, {_as_symbol(name): value for name, value in point.items()})


def _same_structure(a: Any, b: Any) -> bool:
    """Compare two engine values structurally, without recursion."""
    pending = [(a, b)]
    seen: set[tuple[int, int]] = set()
    while pending:
        left, right = pending.pop()
        if left is right:
            continue
        if type(left) is not type(right):
            return False
        if type(left) is not Cell:
            if atom_key(left) != atom_key(right) or type(left) is Symbol:
                return False
            continue
        key = (id(left), id(right))
        if key in seen:
            continue
        seen.add(key)
        pending.append((left.head, right.head))
        pending.append((left.tail, right.tail))
    return True


def _structural_hash(value: Any) -> int:
    """Hash an engine value by structure, consistently with _same_structure."""

    def atom_hash(atom: Any) -> int:
        return hash(("symbol", atom.name)) if type(atom) is Symbol else hash(atom_key(atom))

    if type(value) is not Cell:
        return atom_hash(value)
    hashes: dict[int, int] = {}
    stack = [value]
    while stack:
        item = stack[-1]
        if id(item) in hashes:
            stack.pop()
            continue
        pending = [part for part in (item.head, item.tail) if type(part) is Cell and id(part) not in hashes]
        if pending:
            stack.extend(pending)
            continue
        stack.pop()
        parts = [hashes[id(part)] if type(part) is Cell else atom_hash(part) for part in (item.head, item.tail)]
        hashes[id(item)] = hash(tuple(parts))
    return hashes[id(value)]


ExpressionLike = Union[Expression, str, int, float, Symbol, Pair]


def parse(text: str, notation: str = "prefix") -> Expression:
    """Read an algebraic expression: an s-expression, or infix math with notation="infix".

    >>> str(parse("(+ x 3)"))
    '(+ x 3)'
    >>> str(parse("x^2 + sin(x)*y", notation="infix"))
    '(+ (** x 2) (* (sin x) y))'
    """
    if notation == "prefix":
        return Expression(from_datum(read(text, "<expression>")))
    if notation == "infix":
        return Expression(from_datum(parse_infix(text)))
    raise ValueError(f"unknown notation {notation!r}; expected 'prefix' or 'infix'")


def _as_engine_value(expr: ExpressionLike, notation: str = "prefix") -> Any:
    if isinstance(expr, Expression):
        return expr.value
    if isinstance(expr, str):
        return parse(expr, notation).value
    return from_datum(expr)


def _as_symbol(var: str | Symbol) -> Symbol:
    """Accept a Symbol, or a string that reads as exactly one symbol (so "1" is rejected)."""
    if type(var) is Symbol:
        return var
    if isinstance(var, str):
        try:
            value = read(var, "<variable>")
        except SchemeError:
            value = None
        if type(value) is Symbol and value.name == var.strip():
            return value
    raise DerivError(f"deriv: the variable must be a symbol name such as 'x', got {var!r}")


_default_rules = RuleTable()


def deriv(
    expr: ExpressionLike, var: str | Symbol, simplify: str = "sicp", order: int = 1, notation: str = "prefix"
) -> Expression:
    """Differentiate `expr` with respect to `var` using the built-in rules.

    `expr` may be text (an s-expression, or infix math with notation="infix"), an Expression,
    a Symbol, a number or Scheme data. `simplify` is "sicp" (SICP's constructors, the default),
    "none" (the book's unsimplified form) or "full" (the canonical form); `order` repeats.

    >>> str(deriv("(** x n)", "x"))
    '(* n (** x (+ n -1)))'
    >>> str(deriv("(* x y)", "x", simplify="none"))
    '(+ (* x 0) (* 1 y))'
    >>> deriv("x^3", "x", simplify="full", notation="infix").to_infix()
    '3*x^2'
    """
    value = _as_engine_value(expr, notation)
    return Expression(derivative(value, _as_symbol(var), _default_rules, simplify, order))


def simplify(expr: ExpressionLike, notation: str = "prefix") -> Expression:
    """Return `expr` in the full canonical form.

    >>> str(simplify("(+ (* 2 x) (* 3 x))"))
    '(* 5 x)'
    """
    return Expression(full_simplify(_as_engine_value(expr, notation)))


def gradient(expr: ExpressionLike, variables: list[str], simplify: str = "sicp", notation: str = "prefix") -> list[Expression]:
    """Return the partial derivatives of `expr`, one per variable."""
    value = _as_engine_value(expr, notation)
    return [Expression(result) for result in _gradient(value, [_as_symbol(v) for v in variables], _default_rules, simplify)]


def clear_cache() -> None:
    """Drop the engine's intern table, so the next run starts cold (for benchmarks)."""
    clear_interned()
