"""Conversion between Scheme data (mutable pairs) and engine expressions (interned cells).

Both directions are iterative and memoized on object identity, so deep nesting costs no Python
recursion and shared substructure is converted once and stays shared.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from ..errors import DerivError
from ..printer import write_string
from ..types import NIL, Pair, Symbol
from .expr import Cell, cell, engine_operation


def is_atom(value: Any) -> bool:
    """Return True for a symbol or a Scheme number (booleans are not numbers)."""
    kind = type(value)
    return kind is Symbol or kind is int or kind is Fraction or kind is float


@engine_operation
def from_datum(datum: Any) -> Any:
    """Convert a Scheme datum to an engine expression.

    Raises DerivError for anything that is not built from symbols, numbers and lists.
    """
    if type(datum) is not Pair:
        return _check_atom(datum)
    converted: dict[int, Cell] = {}
    in_progress: set[int] = set()
    # Post-order over pairs: a pair is converted once both its car and cdr are.
    stack: list[Pair] = [datum]
    while stack:
        pair = stack[-1]
        key = id(pair)
        if key in converted:
            stack.pop()
            continue
        car, cdr = pair.car, pair.cdr
        waiting = False
        for part in (cdr, car):
            if type(part) is Pair and id(part) not in converted:
                if id(part) in in_progress:
                    raise DerivError("not an algebraic expression: the list is circular")
                stack.append(part)
                waiting = True
        if waiting:
            in_progress.add(key)
            continue
        in_progress.discard(key)
        stack.pop()
        head = converted[id(car)] if type(car) is Pair else _check_atom(car)
        if type(cdr) is Pair:
            tail = converted[id(cdr)]
        elif cdr is NIL:
            tail = NIL
        else:
            raise DerivError(f"not an algebraic expression (improper list): {write_string(pair)}")
        converted[key] = cell(head, tail)
    return converted[id(datum)]


def _check_atom(value: Any) -> Any:
    if is_atom(value) or value is NIL:
        return value
    raise DerivError(
        f"not an algebraic expression: {write_string(value)}; "
        "expressions are built from numbers, symbols and lists"
    )


@engine_operation
def to_datum(expr: Any) -> Any:
    """Convert an engine expression to a Scheme datum made of fresh pairs.

    A cell that occurs several times in the expression becomes one shared pair.
    """
    if type(expr) is not Cell:
        return expr
    converted: dict[int, Pair] = {}
    stack: list[Cell] = [expr]
    while stack:
        item = stack[-1]
        if id(item) in converted:
            stack.pop()
            continue
        head, tail = item.head, item.tail
        waiting = False
        for part in (tail, head):
            if type(part) is Cell and id(part) not in converted:
                stack.append(part)
                waiting = True
        if waiting:
            continue
        stack.pop()
        car = converted[id(head)] if type(head) is Cell else head
        cdr = converted[id(tail)] if type(tail) is Cell else tail
        converted[id(item)] = Pair(car, cdr)
    return converted[id(expr)]


def node_count(expr: Any) -> int:
    """Count the nodes of the expression tree that `expr` stands for, without expanding it.

    Each atom, operators included, and each list counts one, so `(* x y)` has 4 nodes. A
    subexpression shared in the DAG counts once per occurrence, so the count may be far
    larger than memory could hold.
    """
    if type(expr) is not Cell:
        return 1
    # suffix[c] counts the nodes of the elements from cell c to the end of its list, so the
    # tails that n-ary expressions share are counted once: linear in the size of the DAG.
    # A list's own count is 1 + suffix[its first cell].
    suffix: dict[int, int] = {}
    stack: list[Cell] = [expr]
    while stack:
        item = stack[-1]
        if id(item) in suffix:
            stack.pop()
            continue
        head, tail = item.head, item.tail
        pending = [part for part in (head, tail) if type(part) is Cell and id(part) not in suffix]
        if pending:
            stack.extend(pending)
            continue
        stack.pop()
        head_count = 1 + suffix[id(head)] if type(head) is Cell else 1
        tail_count = suffix[id(tail)] if type(tail) is Cell else 0
        suffix[id(item)] = head_count + tail_count
    return 1 + suffix[id(expr)]
