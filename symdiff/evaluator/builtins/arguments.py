"""Argument checks shared by the builtin modules.

Each check raises SchemeTypeError with a message of the form `name: expected ..., got ...`,
showing the offending value in `write` form.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from ...errors import EvaluationError, SchemeTypeError
from ...printer import write_string
from ...types import NIL, Char, Pair
from ..procedures import Primitive

# Error messages show at most this many characters of a value's written form.
MAX_SHOWN_CHARS = 200

PROPER = "proper"
DOTTED = "dotted"
CIRCULAR = "circular"


def describe(value: Any) -> str:
    """Return the `write` form of `value`, cut short for error messages."""
    text = write_string(value)
    if len(text) > MAX_SHOWN_CHARS:
        return text[: MAX_SHOWN_CHARS - 3] + "..."
    return text


def type_error(name: str, expected: str, value: Any) -> SchemeTypeError:
    """Build the SchemeTypeError for a primitive given `value` where it needs `expected`."""
    return SchemeTypeError(f"{name}: expected {expected}, got {describe(value)}")


def is_procedure(value: Any) -> bool:
    return isinstance(value, Primitive) or getattr(value, "is_procedure", False) is True


def require_procedure(name: str, value: Any) -> Any:
    if not is_procedure(value):
        raise type_error(name, "a procedure", value)
    return value


def require_pair(name: str, value: Any) -> Pair:
    if type(value) is not Pair:
        raise type_error(name, "a pair", value)
    return value


def require_string(name: str, value: Any) -> str:
    if type(value) is not str:
        raise type_error(name, "a string", value)
    return value


def require_char(name: str, value: Any) -> Char:
    if type(value) is not Char:
        raise type_error(name, "a character", value)
    return value


def require_vector(name: str, value: Any) -> list:
    if type(value) is not list:
        raise type_error(name, "a vector", value)
    return value


def require_index(name: str, value: Any) -> int:
    """Check that `value` is an exact nonnegative integer, as indexes and counts must be."""
    if type(value) is not int or value < 0:
        raise type_error(name, "an exact nonnegative integer", value)
    return value


# Lists, vectors and strings longer than this are refused before they are built: at several
# dozen bytes an element, a larger one would not fit in memory and would only end in a crash.
MAX_CREATED_LENGTH = 100_000_000


def require_length(name: str, value: Any) -> int:
    """Check a length for a new list, vector or string: an index within MAX_CREATED_LENGTH."""
    require_index(name, value)
    if value > MAX_CREATED_LENGTH:
        raise EvaluationError(f"{name}: length {value} is too large; the limit is {MAX_CREATED_LENGTH:,}")
    return value


def is_integer_value(value: Any) -> bool:
    """Return True for an exact integer or a float with an integral value."""
    kind = type(value)
    return kind is int or (kind is float and value.is_integer())


def is_exact_number(value: Any) -> bool:
    kind = type(value)
    return kind is int or kind is Fraction


def list_kind(value: Any) -> str:
    """Classify `value` as a PROPER list, a DOTTED (improper) list or a CIRCULAR list.

    Uses Floyd's cycle detection, so it takes linear time and constant memory. Any value that
    is neither a pair nor the empty list counts as DOTTED.
    """
    slow = value
    fast = value
    while True:
        if fast is NIL:
            return PROPER
        if type(fast) is not Pair:
            return DOTTED
        fast = fast.cdr
        if fast is NIL:
            return PROPER
        if type(fast) is not Pair:
            return DOTTED
        fast = fast.cdr
        slow = slow.cdr
        if fast is slow:
            return CIRCULAR


def require_list(name: str, value: Any) -> list:
    """Return the elements of the proper list `value` as a Python list."""
    if list_kind(value) != PROPER:
        raise type_error(name, "a proper list", value)
    items = []
    cell = value
    while cell is not NIL:
        items.append(cell.car)
        cell = cell.cdr
    return items
