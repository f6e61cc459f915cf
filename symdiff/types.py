"""Scheme data: symbols, pairs, the empty list, characters and the unspecified value.

Numbers are Python numbers: `int` for exact integers, `fractions.Fraction` for exact
non-integer rationals (never with denominator 1), and `float` for inexact reals.
Booleans are Python's True and False, so every number check must exclude `bool`,
which Python treats as a subclass of `int`.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any, Iterable, Iterator

from .errors import SourcePosition


class Symbol:
    """An interned symbol: two symbols with the same name are the same object."""

    __slots__ = ("name", "__weakref__")
    _table: dict[str, "Symbol"] = {}

    def __new__(cls, name: str) -> "Symbol":
        symbol = cls._table.get(name)
        if symbol is None:
            symbol = object.__new__(cls)
            symbol.name = name
            cls._table[name] = symbol
        return symbol

    def __repr__(self) -> str:
        return f"Symbol({self.name!r})"

    def __str__(self) -> str:
        return self.name

    def __reduce__(self):
        return (Symbol, (self.name,))


class EmptyList:
    """The empty list `()`; NIL is its only instance."""

    __slots__ = ()
    _instance: "EmptyList | None" = None

    def __new__(cls) -> "EmptyList":
        if cls._instance is None:
            cls._instance = object.__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "NIL"

    def __iter__(self) -> Iterator[Any]:
        return iter(())

    def __bool__(self) -> bool:
        # Scheme treats () as true; a Python caller testing `if lst:` means "non-empty".
        return False


NIL = EmptyList()


class Pair:
    """A mutable cons cell.

    `position` is where the reader found the datum in `car`; it is None for pairs built at run
    time. The evaluator uses it to point errors at the operand that caused them.
    """

    __slots__ = ("car", "cdr", "position")

    def __init__(self, car: Any, cdr: Any, position: SourcePosition | None = None) -> None:
        self.car = car
        self.cdr = cdr
        self.position = position

    def __iter__(self) -> Iterator[Any]:
        """Iterate over the elements of a proper list; stops at a dotted tail."""
        cell: Any = self
        while type(cell) is Pair:
            yield cell.car
            cell = cell.cdr

    def __repr__(self) -> str:
        from .printer import write_string

        return f"<Pair {write_string(self)}>"


class Char:
    """A character; distinct from a one-character string."""

    __slots__ = ("value",)

    def __init__(self, value: str) -> None:
        self.value = value

    def __eq__(self, other: object) -> bool:
        return type(other) is Char and other.value == self.value

    def __hash__(self) -> int:
        return hash(("char", self.value))

    def __repr__(self) -> str:
        return f"Char({self.value!r})"


class Unspecified:
    """The value of expressions whose value Scheme leaves unspecified (define, set!, display)."""

    __slots__ = ()
    _instance: "Unspecified | None" = None

    def __new__(cls) -> "Unspecified":
        if cls._instance is None:
            cls._instance = object.__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNSPECIFIED"


UNSPECIFIED = Unspecified()


def is_number(value: Any) -> bool:
    """Return True for a Scheme number (never for a boolean)."""
    kind = type(value)
    return kind is int or kind is float or kind is Fraction


def is_exact(value: Any) -> bool:
    kind = type(value)
    return kind is int or kind is Fraction


def is_true(value: Any) -> bool:
    """Scheme truth: everything except #f is true."""
    return value is not False


def make_list(items: Iterable[Any], tail: Any = NIL) -> Any:
    """Build a Scheme list from a Python iterable, ending in `tail`."""
    result = tail
    for item in reversed(list(items)):
        result = Pair(item, result)
    return result


def list_to_python(value: Any) -> list[Any] | None:
    """Return the elements of a proper list, or None if `value` is not one (dotted or circular)."""
    items: list[Any] = []
    slow = value
    cell = value
    while type(cell) is Pair:
        items.append(cell.car)
        cell = cell.cdr
        if len(items) % 2 == 0:
            slow = slow.cdr
            if slow is cell and type(cell) is Pair:
                return None
    if cell is not NIL:
        return None
    return items


def normalize_rational(value: Fraction) -> int | Fraction:
    """Return an int for a rational whose denominator is 1, so exact integers are always int."""
    if value.denominator == 1:
        return value.numerator
    return value
