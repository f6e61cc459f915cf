"""The printer: Scheme values to their `write` and `display` text.

Printing is iterative, so a list nested 100,000 deep prints without recursion, and a circular
structure prints with datum labels (`#0=(1 . #0#)`) instead of looping forever.
"""

from __future__ import annotations

import re
from typing import Any

from .errors import EvaluationError
from .numbers import format_number
from .types import NIL, UNSPECIFIED, Char, Pair, Symbol

CHARACTER_WRITE_NAMES = {
    " ": "space",
    "\n": "newline",
    "\t": "tab",
    "\0": "null",
    "\r": "return",
    "\a": "alarm",
    "\b": "backspace",
    "\x7f": "delete",
    "\x1b": "escape",
}

STRING_WRITE_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\t": "\\t", "\r": "\\r", "\a": "\\a", "\b": "\\b"}


def write_string(value: Any) -> str:
    """Return the text `write` prints for `value`: strings quoted, characters as #\\x."""
    return _render(value, write=True)


def display_string(value: Any) -> str:
    """Return the text `display` prints for `value`: strings and characters as they are."""
    return _render(value, write=False)


def _write_atom(value: Any, write: bool) -> str:
    kind = type(value)
    if kind is Symbol:
        return _write_symbol(value.name) if write else value.name
    if kind is bool:
        return "#t" if value else "#f"
    if kind is int or kind is float or kind.__name__ == "Fraction":
        return format_number(value)
    if kind is str:
        if not write:
            return value
        return '"' + "".join(STRING_WRITE_ESCAPES.get(c, _escape_control(c)) for c in value) + '"'
    if kind is Char:
        if not write:
            return value.value
        name = CHARACTER_WRITE_NAMES.get(value.value)
        if name is not None:
            return "#\\" + name
        if ord(value.value) < 32:
            return f"#\\x{ord(value.value):x}"
        return "#\\" + value.value
    if value is NIL:
        return "()"
    if value is UNSPECIFIED:
        # The value of define, set! or a one-armed if. The top level prints nothing for it,
        # but inside a list or an error message it needs a name.
        return "#<unspecified>"
    scheme_repr = getattr(value, "scheme_repr", None)
    if scheme_repr is not None:
        return scheme_repr()
    return f"#<python {kind.__name__}>"


SYMBOL_WRITE_ESCAPES = {"|": "\\|", "\\": "\\\\", "\n": "\\n", "\t": "\\t", "\r": "\\r"}

# A name reads back as the same symbol unless it is empty, has a delimiter or `|` in it,
# starts with `#`, is a lone `.`, or would read as a number.
_DELIMITERS = frozenset(" \t\n\r\f()[]\";'`,|")
_NUMBER = re.compile(r"([+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?|[+-]?\d+/\d+|[+-](inf|nan)\.0)\Z")


def _write_symbol(name: str) -> str:
    plain = (
        name
        and name != "."
        and not name.startswith("#")
        and not any(char in _DELIMITERS or char.isspace() for char in name)
        and _NUMBER.match(name) is None
    )
    if plain:
        return name
    return "|" + "".join(SYMBOL_WRITE_ESCAPES.get(char) or _escape_control(char) for char in name) + "|"


def _escape_control(char: str) -> str:
    if ord(char) < 32 or ord(char) == 0x7F:
        return f"\\x{ord(char):x};"
    return char


# Values whose printed tree would have more nodes than this are not printed: a result that
# shares subexpressions can stand for a tree of 2^40 nodes in a few hundred pairs.
MAX_PRINTED_NODES = 5_000_000


class ValueTooLargeError(EvaluationError):
    """A value whose written form would be too large to build. `size` is its node count."""

    def __init__(self, size: int) -> None:
        super().__init__(
            f"value too large to print: its written form has about {size:.3g} nodes because it "
            "shares substructure; count them with (node-count value) or print a part of it"
        )
        self.size = size


def check_printable(value: Any) -> set[int]:
    """Raise ValueTooLargeError if `value` written out has over MAX_PRINTED_NODES nodes.

    Returns the ids of the pairs and vectors that `value` reaches again from inside themselves.
    """
    if not _has_compound(value):
        return set()
    cyclic, size = _find_cycles(value)
    if size > MAX_PRINTED_NODES:
        raise ValueTooLargeError(size)
    return cyclic


def _find_cycles(value: Any) -> tuple[set[int], int]:
    """Return the ids of pairs and vectors reached again from inside themselves, and the
    number of nodes the printed tree will have (a cyclic reference counts one).

    Nodes are counted as node-count counts them: each list, vector and atom is one node, so
    (* x y) has 4. For a pair, `sizes` holds the nodes of the elements from that pair to the
    end of its list, which counts a tail shared by several lists once per list.
    """
    cyclic: set[int] = set()
    on_path: set[int] = set()
    sizes: dict[int, int] = {}

    def element(item: Any) -> int:
        kind = type(item)
        if kind is Pair:
            return 1 + sizes.get(id(item), 0)
        if kind is list:
            return sizes.get(id(item), 1)
        return 1

    def rest(item: Any) -> int:
        if item is NIL:
            return 0
        if type(item) is Pair:
            return sizes.get(id(item), 1)
        return element(item)  # the atom or vector after the dot of an improper list
    # The stack contains objects to enter, and (marker, object) pairs to leave them.
    stack: list[Any] = [value]
    leave = object()
    while stack:
        item = stack.pop()
        if item is leave:
            node = stack.pop()
            key = id(node)
            on_path.discard(key)
            if type(node) is Pair:
                sizes[key] = element(node.car) + rest(node.cdr)
            else:
                sizes[key] = 1 + sum(element(child) for child in node)
            continue
        kind = type(item)
        if kind is not Pair and kind is not list:
            continue
        key = id(item)
        if key in on_path:
            cyclic.add(key)
            continue
        if key in sizes:
            continue
        on_path.add(key)
        stack.append(item)
        stack.append(leave)
        if kind is Pair:
            stack.append(item.cdr)
            stack.append(item.car)
        else:
            stack.extend(reversed(item))
    return cyclic, element(value)


def _has_compound(value: Any) -> bool:
    return type(value) is Pair or type(value) is list


def _render(value: Any, write: bool) -> str:
    if not _has_compound(value):
        return _write_atom(value, write)
    cyclic = check_printable(value)
    labels: dict[int, int] = {}
    out: list[str] = []
    # The stack contains values to print and literal strings (wrapped in a 1-tuple) to emit.
    stack: list[Any] = [value]
    while stack:
        item = stack.pop()
        if type(item) is tuple:
            out.append(item[0])
            continue
        kind = type(item)
        if kind is Pair or kind is list:
            key = id(item)
            if key in labels:
                out.append(f"#{labels[key]}#")
                continue
            if key in cyclic:
                labels[key] = len(labels)
                out.append(f"#{labels[key]}=")
        if kind is list:
            out.append("#(")
            stack.append((")",))
            for index in range(len(item) - 1, -1, -1):
                stack.append(item[index])
                if index:
                    stack.append((" ",))
            continue
        if kind is not Pair:
            out.append(_write_atom(item, write))
            continue
        out.append("(")
        # Walk the cdr chain, stopping at a labelled (shared cyclic) pair, which prints as a tail.
        elements: list[Any] = [item.car]
        cell = item.cdr
        while type(cell) is Pair and id(cell) not in cyclic:
            elements.append(cell.car)
            cell = cell.cdr
        stack.append((")",))
        if cell is not NIL:
            stack.append(cell)
            stack.append((" . ",))
        for index in range(len(elements) - 1, -1, -1):
            stack.append(elements[index])
            if index:
                stack.append((" ",))
    return "".join(out)
