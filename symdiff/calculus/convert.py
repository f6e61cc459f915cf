"""Conversion between Scheme data (mutable pairs) and engine expressions (interned cells).

Both directions are iterative and memoized on object identity, so deep nesting costs no Python
recursion and shared substructure is converted once and stays shared.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any, Iterator

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
    # Pairs hash by identity. Unlike cells they can form cycles, which set-car! and set-cdr!
    # make, so the walk keeps the pairs whose parts are still being converted.
    converted: dict[Pair, Cell] = {}
    in_progress: set[Pair] = set()
    # Post-order over pairs: a pair is converted once both its car and cdr are.
    stack: list[Pair] = [datum]
    while stack:
        pair = stack[-1]
        if pair in converted:
            stack.pop()
            continue
        car, cdr = pair.car, pair.cdr
        waiting = False
        if type(cdr) is Pair and cdr not in converted:
            if cdr in in_progress:
                raise DerivError("not an algebraic expression: the list is circular")
            stack.append(cdr)
            waiting = True
        if type(car) is Pair and car not in converted:
            if car in in_progress:
                raise DerivError("not an algebraic expression: the list is circular")
            stack.append(car)
            waiting = True
        if waiting:
            in_progress.add(pair)
            continue
        stack.pop()
        if in_progress:
            in_progress.discard(pair)
        head = converted[car] if type(car) is Pair else _check_atom(car)
        if type(cdr) is Pair:
            tail = converted[cdr]
        elif cdr is NIL:
            tail = NIL
        else:
            raise DerivError(f"not an algebraic expression (improper list): {write_string(pair)}")
        converted[pair] = cell(head, tail)
    return converted[datum]


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
    converted: dict[Cell, Pair] = {}
    for spine, end in _lists_after_sublists(expr, converted):
        rest = converted[end] if type(end) is Cell else end
        for part in reversed(spine):
            head = part.head
            rest = converted[part] = Pair(converted[head] if type(head) is Cell else head, rest)
    return converted[expr]


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
    suffix: dict[Cell, int] = {}
    for spine, end in _lists_after_sublists(expr, suffix):
        total = suffix[end] if type(end) is Cell else 0
        for part in reversed(spine):
            head = part.head
            total += 1 + suffix[head] if type(head) is Cell else 1
            suffix[part] = total
    return 1 + suffix[expr]


def _lists_after_sublists(expr: Cell, done: dict) -> Iterator[tuple[list[Cell], Any]]:
    """Yield the lists of `expr` as (cells not in `done`, what follows them), sublists first.

    The caller puts every yielded cell in `done` before asking for the next list. A list whose
    tail is already in `done`, one that another list shares, yields only the cells before it.
    Cells are immutable and never form a cycle, so the walks along tails need no checks, and
    cells hash by identity.
    """
    stack: list[Cell] = [expr]
    while stack:
        start = stack[-1]
        if start in done:
            stack.pop()
            continue
        # Push the sublists not done yet; this list comes once they all are.
        waiting = False
        item: Any = start
        while type(item) is Cell and item not in done:
            head = item.head
            if type(head) is Cell and head not in done:
                stack.append(head)
                waiting = True
            item = item.tail
        if waiting:
            continue
        stack.pop()
        spine = []
        item = start
        while type(item) is Cell and item not in done:
            spine.append(item)
            item = item.tail
        yield spine, item
