"""Pair and list primitives, including the higher-order ones (map, fold, sort, ...).

Every procedure here loops instead of recursing, so it handles lists of any length. Those
that walk a whole list reject improper and circular lists with SchemeTypeError instead of
looping forever.
"""

from __future__ import annotations

from itertools import product
from typing import Any, Callable, Iterator

from ...errors import EvaluationError
from ...types import NIL, UNSPECIFIED, Pair, is_number, is_true
from ..procedures import PrimitiveRegistry, TailCall, apply_procedure
from .arguments import (
    CIRCULAR,
    PROPER,
    list_kind,
    require_index,
    require_length,
    require_list,
    require_pair,
    require_procedure,
    type_error,
)
from .equality import is_equal, is_eqv
from .numbers import add_numbers, multiply_numbers

registry = PrimitiveRegistry()


# --- Pairs ---------------------------------------------------------------------------------


@registry.define("cons", 2, 2)
def cons(car: Any, cdr: Any) -> Pair:
    return Pair(car, cdr)


@registry.define("car", 1, 1)
def car(pair: Any) -> Any:
    return require_pair("car", pair).car


@registry.define("cdr", 1, 1)
def cdr(pair: Any) -> Any:
    return require_pair("cdr", pair).cdr


@registry.define("set-car!", 2, 2)
def set_car(pair: Any, value: Any) -> Any:
    require_pair("set-car!", pair).car = value
    return UNSPECIFIED


@registry.define("set-cdr!", 2, 2)
def set_cdr(pair: Any, value: Any) -> Any:
    require_pair("set-cdr!", pair).cdr = value
    return UNSPECIFIED


def describe_accessor_input(path: str) -> str:
    """Describe the structure that a c[ad]+r accessor needs, for its error message.

    `path` is the letters between c and r, which the accessor applies from right to left.
    """
    if "a" not in path[1:]:
        return f"a list of at least {len(path)} elements"
    steps = {"a": "car", "d": "cdr"}
    clauses = ["a pair"]
    for letter in reversed(path[1:]):
        clauses.append(f"whose {steps[letter]} is a pair")
    return " ".join(clauses)


def define_accessor(path: str) -> None:
    name = f"c{path}r"
    expected = describe_accessor_input(path)
    letters = path[::-1]

    def accessor(value: Any) -> Any:
        current = value
        for letter in letters:
            if type(current) is not Pair:
                raise type_error(name, expected, value)
            current = current.car if letter == "a" else current.cdr
        return current

    registry.define(name, 1, 1)(accessor)


for _length in (2, 3, 4):
    for _letters in product("ad", repeat=_length):
        define_accessor("".join(_letters))


# --- Building and measuring lists ----------------------------------------------------------


def iterate_pairs(name: str, value: Any) -> Iterator[Pair]:
    """Yield the pairs of the proper list `value`, raising SchemeTypeError at a dotted tail or a
    cycle.

    The check is lazy, so a search that stops early never walks the rest of the list. Cycles
    are found by a second pointer that moves at half speed.
    """
    cell = value
    slow = value
    count = 0
    while type(cell) is Pair:
        yield cell
        cell = cell.cdr
        count += 1
        if count % 2 == 0:
            slow = slow.cdr
            if slow is cell:
                raise type_error(name, "a proper list", value)
    if cell is not NIL:
        raise type_error(name, "a proper list", value)


def python_list_to_scheme(items: list, tail: Any = NIL) -> Any:
    result = tail
    for item in reversed(items):
        result = Pair(item, result)
    return result


@registry.define("list", 0)
def list_(*items: Any) -> Any:
    return python_list_to_scheme(list(items))


@registry.define("cons*", 1)
def cons_star(*items: Any) -> Any:
    return python_list_to_scheme(list(items[:-1]), items[-1])


@registry.define("make-list", 1, 2)
def make_list_primitive(count: Any, fill: Any = False) -> Any:
    require_length("make-list", count)
    result: Any = NIL
    for _ in range(count):
        result = Pair(fill, result)
    return result


@registry.define("length", 1, 1)
def length(value: Any) -> int:
    count = 0
    for _ in iterate_pairs("length", value):
        count += 1
    return count


@registry.define("null?", 1, 1)
def is_null(value: Any) -> bool:
    return value is NIL


@registry.define("pair?", 1, 1)
def is_pair(value: Any) -> bool:
    return type(value) is Pair


@registry.define("list?", 1, 1)
def is_list(value: Any) -> bool:
    return list_kind(value) == PROPER


@registry.define("append", 0)
def append(*lists: Any) -> Any:
    if not lists:
        return NIL
    # The last argument becomes the tail unchanged and need not be a list.
    result = lists[-1]
    for value in reversed(lists[:-1]):
        result = python_list_to_scheme(require_list("append", value), result)
    return result


@registry.define("append!", 0)
def append_destructive(*lists: Any) -> Any:
    result: Any = NIL
    previous_tail: Pair | None = None
    for index, value in enumerate(lists):
        if index == len(lists) - 1:
            if previous_tail is None:
                return value
            previous_tail.cdr = value
            return result
        if value is NIL:
            continue
        pair = None
        for pair in iterate_pairs("append!", value):
            pass
        if previous_tail is None:
            result = value
        else:
            previous_tail.cdr = value
        previous_tail = pair
    return result


@registry.define("reverse", 1, 1)
def reverse(value: Any) -> Any:
    result: Any = NIL
    for pair in iterate_pairs("reverse", value):
        result = Pair(pair.car, result)
    return result


def walk_tail(name: str, value: Any, index: Any) -> Any:
    """Return the result of taking cdr `index` times, raising if the list is too short."""
    require_index(name, index)
    cell = value
    for list_length in range(index):
        if type(cell) is not Pair:
            if cell is NIL:
                raise EvaluationError(f"{name}: index {index} is out of range for a list of length {list_length}")
            raise type_error(name, "a list", value)
        cell = cell.cdr
    return cell


@registry.define("list-tail", 2, 2)
def list_tail(value: Any, index: Any) -> Any:
    return walk_tail("list-tail", value, index)


@registry.define("list-ref", 2, 2)
def list_ref(value: Any, index: Any) -> Any:
    cell = walk_tail("list-ref", value, index)
    if type(cell) is not Pair:
        if cell is NIL:
            raise EvaluationError(f"list-ref: index {index} is out of range for a list of length {index}")
        raise type_error("list-ref", "a list", value)
    return cell.car


@registry.define("list-copy", 1, 1)
def list_copy(value: Any) -> Any:
    if list_kind(value) == CIRCULAR:
        raise type_error("list-copy", "a list that is not circular", value)
    items = []
    cell = value
    while type(cell) is Pair:
        items.append(cell.car)
        cell = cell.cdr
    # A dotted tail is kept, as in R7RS.
    return python_list_to_scheme(items, cell)


@registry.define("last-pair", 1, 1)
def last_pair(value: Any) -> Pair:
    require_pair("last-pair", value)
    if list_kind(value) == CIRCULAR:
        raise type_error("last-pair", "a list that is not circular", value)
    cell = value
    while type(cell.cdr) is Pair:
        cell = cell.cdr
    return cell


@registry.define("iota", 1, 3)
def iota(count: Any, start: Any = 0, step: Any = 1) -> Any:
    require_length("iota", count)
    for value in (start, step):
        if not is_number(value):
            raise type_error("iota", "a number", value)
    if type(start) is int and type(step) is int:
        items: list = [start + index * step for index in range(count)]
    else:
        # Each element is start + i * step, so float steps do not accumulate rounding error.
        items = [add_numbers(start, multiply_numbers(index, step)) for index in range(count)]
    return python_list_to_scheme(items)


# --- Mapping and folding -------------------------------------------------------------------


def element_rows(name: str, lists: tuple) -> list[list]:
    """Return the argument lists for each call of a mapping procedure: the i-th row contains
    the i-th element of every list, up to the length of the shortest list.

    A circular list counts as infinitely long, so it is allowed when another argument is a
    proper list, as in SRFI 1.
    """
    if len(lists) == 1:
        return [[item] for item in require_list(name, lists[0])]
    finite = []
    for value in lists:
        kind = list_kind(value)
        if kind == PROPER:
            finite.append(value)
        elif kind != CIRCULAR:
            raise type_error(name, "a proper list", value)
    if not finite:
        raise type_error(name, "at least one list that is not circular", lists[0])
    shortest = min(length(value) for value in finite)
    columns = []
    for value in lists:
        items = []
        cell = value
        for _ in range(shortest):
            items.append(cell.car)
            cell = cell.cdr
        columns.append(items)
    return [list(row) for row in zip(*columns)]


@registry.define("map", 2)
def map_(procedure: Any, *lists: Any) -> Any:
    require_procedure("map", procedure)
    results = [apply_procedure(procedure, row) for row in element_rows("map", lists)]
    return python_list_to_scheme(results)


@registry.define("for-each", 2)
def for_each(procedure: Any, *lists: Any) -> Any:
    require_procedure("for-each", procedure)
    for row in element_rows("for-each", lists):
        apply_procedure(procedure, row)
    return UNSPECIFIED


@registry.define("append-map", 2)
def append_map(procedure: Any, *lists: Any) -> Any:
    require_procedure("append-map", procedure)
    results = [apply_procedure(procedure, row) for row in element_rows("append-map", lists)]
    return append(*results, NIL) if results else NIL


def define_filter(name: str, keep_when: bool) -> None:
    def filter_list(predicate: Any, value: Any) -> Any:
        require_procedure(name, predicate)
        selected = [
            item for item in require_list(name, value) if is_true(apply_procedure(predicate, [item])) is keep_when
        ]
        return python_list_to_scheme(selected)

    registry.define(name, 2, 2)(filter_list)


define_filter("filter", True)
define_filter("remove", False)


@registry.define("partition", 2, 2)
def partition(predicate: Any, value: Any) -> Any:
    """Return a pair of lists: the elements that satisfy `predicate` and those that do not.

    NOTE: SRFI 1 returns the two lists as multiple values, which this evaluator lacks, so
    the result is the pair (in . out).
    """
    require_procedure("partition", predicate)
    inside, outside = [], []
    for item in require_list("partition", value):
        (inside if is_true(apply_procedure(predicate, [item])) else outside).append(item)
    return Pair(python_list_to_scheme(inside), python_list_to_scheme(outside))


@registry.define("delete", 2, 3)
def delete(item: Any, value: Any, same: Any = None) -> Any:
    """Return `value` without the elements equal to `item`, comparing with `same` or equal?."""
    if same is None:
        remaining = [element for element in require_list("delete", value) if not is_equal(item, element)]
    else:
        require_procedure("delete", same)
        remaining = [
            element
            for element in require_list("delete", value)
            if not is_true(apply_procedure(same, [item, element]))
        ]
    return python_list_to_scheme(remaining)


@registry.define("reduce", 3, 3)
def reduce(procedure: Any, initial: Any, value: Any) -> Any:
    """Combine the elements with (procedure element accumulator), left to right, as SRFI 1
    defines it. An empty list gives `initial`."""
    require_procedure("reduce", procedure)
    items = require_list("reduce", value)
    if not items:
        return initial
    accumulator = items[0]
    for item in items[1:]:
        accumulator = apply_procedure(procedure, [item, accumulator])
    return accumulator


@registry.define("fold-left", 3)
def fold_left(procedure: Any, initial: Any, *lists: Any) -> Any:
    """Compute (procedure (procedure initial e1) e2) ... with the accumulator first."""
    require_procedure("fold-left", procedure)
    accumulator = initial
    for row in element_rows("fold-left", lists):
        accumulator = apply_procedure(procedure, [accumulator, *row])
    return accumulator


@registry.define("fold-right", 3)
def fold_right(procedure: Any, initial: Any, *lists: Any) -> Any:
    """Compute (procedure e1 (procedure e2 ... initial)), from the last element backward."""
    require_procedure("fold-right", procedure)
    accumulator = initial
    for row in reversed(element_rows("fold-right", lists)):
        accumulator = apply_procedure(procedure, [*row, accumulator])
    return accumulator


@registry.define("fold", 3)
def fold(procedure: Any, initial: Any, *lists: Any) -> Any:
    """Compute (procedure en ... (procedure e1 initial)) with the accumulator last, as SRFI 1
    defines fold."""
    require_procedure("fold", procedure)
    accumulator = initial
    for row in element_rows("fold", lists):
        accumulator = apply_procedure(procedure, [*row, accumulator])
    return accumulator


@registry.define("apply", 2)
def apply(procedure: Any, *arguments: Any) -> Any:
    """(apply f a ... list): the call is handed back to the evaluator, so it is a tail call."""
    require_procedure("apply", procedure)
    spread = require_list("apply", arguments[-1])
    return TailCall(procedure, [*arguments[:-1], *spread], None)


@registry.define("sort", 2, 2)
def sort(sequence: Any, less: Any) -> Any:
    """Return a sorted copy of a list or vector, using a stable sort that calls (less a b)."""
    require_procedure("sort", less)
    if type(sequence) is list:
        items = list(sequence)
    elif list_kind(sequence) == PROPER:
        items = require_list("sort", sequence)
    else:
        raise type_error("sort", "a proper list or a vector", sequence)

    class SortKey:
        __slots__ = ("value",)

        def __init__(self, value: Any) -> None:
            self.value = value

        # list.sort compares with < only.
        def __lt__(self, other: "SortKey") -> bool:
            return is_true(apply_procedure(less, [self.value, other.value]))

    items.sort(key=SortKey)
    if type(sequence) is list:
        return items
    return python_list_to_scheme(items)


# --- Searching -----------------------------------------------------------------------------


def define_member(name: str, same: Callable[[Any, Any], bool], takes_predicate: bool) -> None:
    def member(item: Any, value: Any, predicate: Any = None) -> Any:
        if predicate is None:
            matches = same
        else:
            require_procedure(name, predicate)

            def matches(a: Any, b: Any) -> bool:
                return is_true(apply_procedure(predicate, [a, b]))

        for pair in iterate_pairs(name, value):
            if matches(item, pair.car):
                return pair
        return False

    registry.define(name, 2, 3 if takes_predicate else 2)(member)


define_member("memq", is_eqv, False)
define_member("memv", is_eqv, False)
define_member("member", is_equal, True)


def define_association(name: str, same: Callable[[Any, Any], bool], takes_predicate: bool) -> None:
    def association(key: Any, alist: Any, predicate: Any = None) -> Any:
        if predicate is None:
            matches = same
        else:
            require_procedure(name, predicate)

            def matches(a: Any, b: Any) -> bool:
                return is_true(apply_procedure(predicate, [a, b]))

        for pair in iterate_pairs(name, alist):
            entry = pair.car
            if type(entry) is not Pair:
                raise type_error(name, "a list of pairs", alist)
            if matches(key, entry.car):
                return entry
        return False

    registry.define(name, 2, 3 if takes_predicate else 2)(association)


define_association("assq", is_eqv, False)
define_association("assv", is_eqv, False)
define_association("assoc", is_equal, True)


@registry.define("list-index", 2, 2)
def list_index(predicate: Any, value: Any) -> Any:
    require_procedure("list-index", predicate)
    for index, pair in enumerate(iterate_pairs("list-index", value)):
        if is_true(apply_procedure(predicate, [pair.car])):
            return index
    return False


@registry.define("any", 2)
def any_(predicate: Any, *lists: Any) -> Any:
    """Return the first true result of the predicate on the lists' elements, or #f."""
    require_procedure("any", predicate)
    for row in element_rows("any", lists):
        result = apply_procedure(predicate, row)
        if is_true(result):
            return result
    return False


@registry.define("every", 2)
def every(predicate: Any, *lists: Any) -> Any:
    """Return #f if the predicate fails on some elements, else its last result (#t if none)."""
    require_procedure("every", predicate)
    result: Any = True
    for row in element_rows("every", lists):
        result = apply_procedure(predicate, row)
        if not is_true(result):
            return False
    return result
