"""Immutable, hash-consed expressions: the calculus engine's representation.

An expression is an atom (a Symbol or a Scheme number) or a Cell. Cells are immutable cons
cells, interned so that structurally equal cells are one object: `(* x y)` is
Cell(*, Cell(x, Cell(y, NIL))). Equality is identity, memo tables can key on the cell itself,
and the rest of an operand list is a cell that already exists, so splitting `(* a b c ...)`
into its first factor and the rest costs O(1), as `cdr` does.

Cells that nothing outside the intern table references are dropped from it from time to time,
so the table does not keep unrelated expressions alive forever.
"""

from __future__ import annotations

import functools
import gc
import os
import sys
from fractions import Fraction
from typing import Any, Callable, Iterator, Union

from ..errors import ExpressionTooLargeError
from ..types import NIL, EmptyList, Symbol

Atom = Union[Symbol, int, Fraction, float]
Expr = Union["Cell", Atom]


class Cell:
    """An interned immutable pair; build cells only with `cell()` or `compound()`.

    Cell defines no `__init__` or `__new__`, so the interning functions below create an empty
    cell with `Cell()`, which is faster than `object.__new__(Cell)`, and then set its slots.
    """

    __slots__ = ("head", "tail")

    head: Any
    tail: "Cell | EmptyList"

    def __iter__(self) -> Iterator[Any]:
        """Iterate over the elements of this list of cells."""
        item: Any = self
        while type(item) is Cell:
            yield item.head
            item = item.tail

    def __str__(self) -> str:
        from ..printer import write_string
        from .convert import to_datum

        return write_string(to_datum(self))

    def __repr__(self) -> str:
        return f"<expression {self}>"

    def __reduce__(self):
        raise TypeError("expressions are interned and cannot be pickled; pickle str(expr) instead")


# The intern table maps (head key, tail) to the cell, except that the last cell of a list,
# (head . ()), is keyed by its head key alone, which saves building and hashing a tuple. The
# head key is the head itself for a cell, a symbol or an int, whose equality is identity or
# exact, and `_head_key(head)` for other atoms, so 1, 1.0 and #t get different keys. A bare key
# never equals a pair key, because only a pair key has a cell as its second item. Tuples of the
# objects hash faster than tuples of their ids, and each key refers only to objects its cell
# refers to anyway. A weak-value dictionary would free cells by itself but made interning about
# three times slower, so the table holds its cells strongly and `_sweep` drops the ones nothing
# else references.
#
# Sweeps run between engine operations (see `engine_operation`): the next operation starts
# with a sweep once the table has doubled since the last one. During an operation nearly every
# cell is reachable from its memo tables, so a sweep there would scan the whole table and free
# little. The constructors sweep only when one operation alone grows the table past
# `_sweep_threshold`: four times its size when the operation started, and at least
# IN_OPERATION_MINIMUM cells (about 200 MB where they are all garbage).
#
# The table may hold at most CELL_LIMIT cells during an operation. Past that, a sweep runs, and
# if the table is still too large the operation fails with ExpressionTooLargeError instead of
# running until the machine is out of memory.
_interned: dict[tuple, "Cell"] = {}
BETWEEN_MINIMUM = 100_000
IN_OPERATION_MINIMUM = 1_000_000
_next_sweep = BETWEEN_MINIMUM  # the size that makes the next operation start with a sweep
_sweep_threshold = BETWEEN_MINIMUM  # the size that makes a constructor sweep
_in_operation = False

# About what one cell costs with its key, its table entry and its share of the memo tables,
# measured on CPython 3.11 at 170 to 200 bytes.
BYTES_PER_CELL = 200


def default_cell_limit() -> int:
    """Return how many cells fit in half of the memory: physical, or the address-space limit if lower."""
    budget = 0
    try:
        budget = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):
        pass  # no sysconf (Windows) or no such value: only the address-space limit applies
    try:
        import resource

        soft, _ = resource.getrlimit(resource.RLIMIT_AS)
        if soft != resource.RLIM_INFINITY and soft > 0:
            budget = min(budget, soft) if budget > 0 else soft
    except (ImportError, ValueError, OSError):
        pass
    if budget <= 0:
        return sys.maxsize
    return max(IN_OPERATION_MINIMUM, budget // 2 // BYTES_PER_CELL)


CELL_LIMIT = default_cell_limit()


def resident_bytes() -> int | None:
    """Return the memory the process occupies now (Linux), or None where it is not known."""
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError, AttributeError):
        return None


def atom_key(value: Any) -> Any:
    """Return a dictionary key that distinguishes atoms exactly: 1, 1.0 and #t get different keys."""
    kind = type(value)
    if kind is Cell or kind is Symbol:
        return id(value)
    if kind is float:
        return (float, value.hex())
    if kind is int or kind is Fraction:
        return (kind, value)
    return id(value)


def _head_key(value: Any) -> tuple:
    """Return the intern key of an atom that is not a symbol or an int; it equals no such atom."""
    kind = type(value)
    if kind is float:
        return (float, value.hex())
    if kind is Fraction:
        return (Fraction, value)
    return (kind, id(value))


def cell(head: Any, tail: "Cell | EmptyList") -> Cell:
    """Return the unique cell with this head and tail."""
    kind = type(head)
    key = head if kind is Cell or kind is Symbol or kind is int else _head_key(head)
    if tail is not NIL:
        key = (key, tail)
    existing = _interned.get(key)
    if existing is not None:
        return existing
    new = Cell()
    new.head = head
    new.tail = tail
    _interned[key] = new
    if len(_interned) > _sweep_threshold:
        _sweep()
    return new


def _sweep() -> None:
    """Remove cells referenced only by the table, newest first, so parents free their children."""
    global _next_sweep, _sweep_threshold
    table = _interned
    _drop_unreferenced(table)
    if _in_operation and len(table) > CELL_LIMIT:
        # Data in reference cycles, such as a caught exception's frames, may still hold cells
        # that nothing else needs. The collector is slow on a heap this large, but it runs only
        # on the way to failing.
        gc.collect()
        _drop_unreferenced(table)
    _next_sweep = max(BETWEEN_MINIMUM, 2 * len(table))
    _sweep_threshold = _operation_threshold(2) if _in_operation else _next_sweep
    if _in_operation and len(table) > CELL_LIMIT:
        # The next check comes after some growth, so that a program holding this many cells
        # pays one sweep per failed operation rather than one per new cell.
        _sweep_threshold = len(table) + CELL_LIMIT // 8
        raise ExpressionTooLargeError(
            f"the expression engine has {len(table):,} cells, over the limit of {CELL_LIMIT:,} set "
            "from this machine's memory; simplify between steps (the sicp or full level) or work on "
            "smaller parts",
            len(table),
            CELL_LIMIT,
        )


def _drop_unreferenced(table: dict) -> None:
    getrefcount = sys.getrefcount
    # A cell referenced only by the table has three references here: the table, the local
    # `item`, and getrefcount's own argument. A parent's key refers to its head and tail too,
    # so the list gives up each key as it is visited. Rebinding `key` and `item` then frees a
    # dropped parent and its key before its children (older entries) are looked at.
    keys = list(table)
    pop = keys.pop
    while keys:
        key = pop()
        item = table[key]
        if getrefcount(item) <= 3:
            del table[key]
    key = item = None


def _operation_threshold(growth: int) -> int:
    return min(CELL_LIMIT, max(IN_OPERATION_MINIMUM, growth * len(_interned)))


# The compound constructors intern a list from its last cell up. A cell whose tail was created
# a moment ago cannot be in the table yet, because every key in the table contains the id of
# a tail that its cell keeps alive; so after the first lookup that misses, the cells above it
# are inserted without a lookup.


def compound(operator: Symbol, *operands: Any) -> Cell:
    """Return the expression (operator operand ...)."""
    return _intern_list((operator, *operands), NIL)


def _intern_list(items: Any, tail: "Cell | EmptyList") -> "Cell | EmptyList":
    """Return the interned list of `items` followed by the list `tail`."""
    table = _interned
    missed = False
    for head in reversed(items):
        kind = type(head)
        key = head if kind is Cell or kind is Symbol or kind is int else _head_key(head)
        if tail is not NIL:
            key = (key, tail)
        if not missed:
            found = table.get(key)
            if found is not None:
                tail = found
                continue
            missed = True
        new = Cell()
        new.head = head
        new.tail = tail
        table[key] = new
        tail = new
    if missed and len(table) > _sweep_threshold:
        _sweep()
    return tail


# compound1 and compound2 are compound unrolled, with atom_key inlined for Cell, Symbol and int
# heads, because the SICP constructors call them once per rule application.


def compound1(operator: Symbol, operand: Any) -> Cell:
    """Return (operator operand); the same as compound."""
    table = _interned
    kind = type(operand)
    key = operand if kind is Cell or kind is Symbol or kind is int else _head_key(operand)
    last = table.get(key)
    if last is None:
        last = Cell()
        last.head = operand
        last.tail = NIL
        table[key] = last
        key = (operator, last)
    else:
        key = (operator, last)
        top = table.get(key)
        if top is not None:
            return top
    top = Cell()
    top.head = operator
    top.tail = last
    table[key] = top
    if len(table) > _sweep_threshold:
        _sweep()
    return top


def compound2(operator: Symbol, first: Any, second: Any) -> Cell:
    """Return (operator first second); the same as compound."""
    table = _interned
    kind = type(second)
    key = second if kind is Cell or kind is Symbol or kind is int else _head_key(second)
    last = table.get(key)
    kind = type(first)
    first_key = first if kind is Cell or kind is Symbol or kind is int else _head_key(first)
    if last is None:
        last = Cell()
        last.head = second
        last.tail = NIL
        table[key] = last
    else:
        key = (first_key, last)
        middle = table.get(key)
        if middle is not None:
            key = (operator, middle)
            top = table.get(key)
            if top is not None:
                return top
            top = Cell()
            top.head = operator
            top.tail = middle
            table[key] = top
            if len(table) > _sweep_threshold:
                _sweep()
            return top
    # The middle cell's tail is new or the lookup above missed, so neither it nor the top
    # cell can be in the table yet.
    middle = Cell()
    middle.head = first
    middle.tail = last
    table[(first_key, last)] = middle
    top = Cell()
    top.head = operator
    top.tail = middle
    table[(operator, middle)] = top
    if len(table) > _sweep_threshold:
        _sweep()
    return top


def clear_interned() -> None:
    """Forget every interned cell; cells still referenced stay valid but are no longer shared."""
    global _next_sweep, _sweep_threshold
    _interned.clear()
    _next_sweep = BETWEEN_MINIMUM
    _sweep_threshold = _operation_threshold(4) if _in_operation else _next_sweep


def interned_count() -> int:
    return len(_interned)


def operands_of(expr: Cell) -> list[Any]:
    """Return the operands of a compound expression: every element after the operator."""
    tail = expr.tail
    return list(tail) if type(tail) is Cell else []


def fold_bottom_up(expr: Any, leaf: Any, node: Any) -> Any:
    """Compute a value for `expr` from its operands' values, visiting each shared cell once.

    `leaf(atom)` gives the value of an atomic operand and `node(cell, operand_values)` the value
    of a compound expression. Iterative, so nesting depth costs no Python recursion.
    """
    if type(expr) is not Cell:
        return leaf(expr)
    values: dict[Cell, Any] = {}
    stack = [expr]
    while stack:
        item = stack[-1]
        if item in values:
            stack.pop()
            continue
        operands = operands_of(item)
        pending = [operand for operand in operands if type(operand) is Cell and operand not in values]
        if pending:
            stack.extend(pending)
            continue
        stack.pop()
        values[item] = node(item, [values[o] if type(o) is Cell else leaf(o) for o in operands])
    return values[expr]


def replace_symbols(expr: Any, mapping: dict[Any, Any]) -> Any:
    """Replace every operand symbol found in `mapping`, all at once, with no simplification."""

    def leaf(atom: Any) -> Any:
        return mapping.get(atom, atom) if type(atom) is Symbol else atom

    def node(item: Cell, operands: list[Any]) -> Any:
        return cell(item.head, _list_of(operands))

    return fold_bottom_up(expr, leaf, node)


def _list_of(items: list[Any]) -> "Cell | EmptyList":
    return _intern_list(items, NIL)


def engine_operation(function: Callable[..., Any]) -> Callable[..., Any]:
    """Run `function` as one engine operation; calls nested in it are part of the same one.

    The operation first sweeps the intern table if the table has doubled since the last
    sweep. It then runs with Python's cyclic garbage collector paused: the engine allocates
    millions of cells and never makes a cycle (a cell only points at older cells), so
    reference counting frees them, while the collector would scan the growing heap again and
    again, which made large derivatives superlinear in time.
    """

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        global _in_operation, _sweep_threshold
        if _in_operation:
            return function(*args, **kwargs)
        if len(_interned) > _next_sweep:
            _sweep()
        _in_operation = True
        _sweep_threshold = _operation_threshold(4)
        start_size = len(_interned)
        paused = gc.isenabled()
        if paused:
            gc.disable()
        try:
            return function(*args, **kwargs)
        finally:
            _in_operation = False
            _sweep_threshold = _next_sweep
            if len(_interned) - start_size > PROMOTE_AFTER and gc.get_freeze_count() == 0:
                _promote_to_oldest_generation()
            if paused:
                gc.enable()

    return wrapper


# After an operation that interned more cells than this, every object in the collector's
# younger generations, mostly the new cells, moves straight to the oldest generation.
# Otherwise the next collections would trace each new cell twice, in generations 0 and 1,
# though cells never form cycles: 10 to 20 percent of the time of a derivative with 100,000
# nodes on the benchmark machine. Cyclic garbage that was young then waits for the next full
# collection.
PROMOTE_AFTER = 50_000


def _promote_to_oldest_generation() -> None:
    # freeze() moves every tracked object to the permanent generation and unfreeze() moves
    # them all to the oldest one, without tracing any. Callers skip this while a program has
    # frozen objects of its own, which unfreeze() would release.
    gc.freeze()
    gc.unfreeze()

