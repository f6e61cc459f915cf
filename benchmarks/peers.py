"""Adapters that give every in-process peer the same interface for the worker to time.

A peer builds its own expression from a neutral tree (families.py), parses text in its own
notation, differentiates `order` times, and prints. Guile runs outside Python and is driven
by guile_driver.scm instead.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from . import families

HERE = Path(__file__).resolve().parent
VARIABLE = "x"


class Peer:
    """One differentiator under test; subclasses import their library in `setup`."""

    name = ""
    label = ""
    # "sexpr" for prefix s-expressions, "infix" for SymPy/SymEngine text.
    notation = "sexpr"
    # Whether tracemalloc can trace its allocations (false for C++ libraries).
    traced = True

    def setup(self) -> None:
        pass

    def version(self) -> str:
        return ""

    def clear(self) -> None:
        """Drop caches so that the next repetition starts cold."""

    def build(self, tree: Any) -> Any:
        raise NotImplementedError

    def parse(self, text: str) -> Any:
        raise NotImplementedError

    def differentiate(self, expr: Any, order: int) -> Any:
        raise NotImplementedError

    def print(self, result: Any) -> str:
        raise NotImplementedError

    def node_count(self, result: Any, limit: int) -> int | None:
        """Return the result's tree size, or None where the peer cannot count it.

        May raise TooLarge instead when the size is over `limit`.
        """
        return None


class Symdiff(Peer):
    name = "symdiff"
    label = "symdiff"

    def setup(self) -> None:
        import symdiff
        from symdiff.types import NIL, Pair, Symbol

        self.symdiff = symdiff
        self.nil, self.pair, self.symbol = NIL, Pair, Symbol

    def version(self) -> str:
        return self.symdiff.__version__

    def clear(self) -> None:
        self.symdiff.clear_cache()

    def build(self, tree: Any) -> Any:
        datum = to_scheme_data(tree, self.pair, self.symbol, self.nil)
        # Order 0 converts Scheme data to an Expression, keeping the DAG's sharing.
        return self.symdiff.deriv(datum, VARIABLE, order=0)

    def parse(self, text: str) -> Any:
        return self.symdiff.parse(text)

    def differentiate(self, expr: Any, order: int) -> Any:
        return self.symdiff.deriv(expr, VARIABLE, order=order)

    def print(self, result: Any) -> str:
        return str(result)

    def node_count(self, result: Any, limit: int) -> int | None:
        # symdiff's own count is exact and not bounded: its cost is part of what is measured.
        return result.node_count()


class SymPy(Peer):
    name = "sympy"
    label = "SymPy"
    notation = "infix"

    def setup(self) -> None:
        import sympy
        from sympy.core.cache import clear_cache

        self.sympy = sympy
        self.clear_cache = clear_cache
        self.x = sympy.Symbol(VARIABLE)

    def version(self) -> str:
        return self.sympy.__version__

    def clear(self) -> None:
        self.clear_cache()

    def build(self, tree: Any) -> Any:
        return build_algebra(tree, self.sympy)

    def parse(self, text: str) -> Any:
        return self.sympy.parse_expr(text)

    def differentiate(self, expr: Any, order: int) -> Any:
        return self.sympy.diff(expr, self.x, order)

    def print(self, result: Any) -> str:
        return str(result)


class SymEngine(Peer):
    name = "symengine"
    label = "SymEngine"
    notation = "infix"
    traced = False

    def setup(self) -> None:
        import symengine

        self.symengine = symengine
        self.x = symengine.Symbol(VARIABLE)

    def version(self) -> str:
        return self.symengine.__version__

    def build(self, tree: Any) -> Any:
        return build_algebra(tree, self.symengine)

    def parse(self, text: str) -> Any:
        return self.symengine.sympify(text)

    def differentiate(self, expr: Any, order: int) -> Any:
        return expr.diff(self.x, order)

    def print(self, result: Any) -> str:
        return str(result)


class TextbookPython(Peer):
    name = "python"
    label = "Python port"

    def setup(self) -> None:
        from . import textbook_deriv

        self.port = textbook_deriv

    def build(self, tree: Any) -> Any:
        return families.convert(tree, lambda atom: atom, lambda operator, operands: (operator, *operands))

    def parse(self, text: str) -> Any:
        return self.port.parse(text)

    def differentiate(self, expr: Any, order: int) -> Any:
        return self.port.nth_deriv(expr, VARIABLE, order)

    def print(self, result: Any) -> str:
        return self.port.to_text(result)

    def node_count(self, result: Any, limit: int) -> int | None:
        return count_nodes(result, tuple, lambda item: item, limit)


class TextbookScheme(Peer):
    """textbook_deriv.scm run by symdiff's own evaluator."""

    name = "scheme"
    label = "Scheme on symdiff"

    def setup(self) -> None:
        import symdiff
        from symdiff.printer import write_string
        from symdiff.reader import read
        from symdiff.types import NIL, Pair, Symbol

        self.symdiff = symdiff
        self.read, self.write_string = read, write_string
        self.nil, self.pair, self.symbol = NIL, Pair, Symbol
        self.interpreter = symdiff.Interpreter()
        self.interpreter.eval((HERE / "textbook_deriv.scm").read_text(encoding="utf-8"))

    def version(self) -> str:
        return self.symdiff.__version__

    def clear(self) -> None:
        self.symdiff.clear_cache()

    def build(self, tree: Any) -> Any:
        return to_scheme_data(tree, self.pair, self.symbol, self.nil)

    def parse(self, text: str) -> Any:
        return self.read(text)

    def differentiate(self, expr: Any, order: int) -> Any:
        # Bind the input as a global so that the timed call reads no expression text.
        self.interpreter.global_environment.define(self.symbol("benchmark-input"), expr)
        return self.interpreter.eval(f"(nth-textbook-deriv benchmark-input '{VARIABLE} {order})")

    def print(self, result: Any) -> str:
        return self.write_string(result)

    def node_count(self, result: Any, limit: int) -> int | None:
        return count_list_nodes(result, self.pair, limit)


PEERS: dict[str, type[Peer]] = {peer.name: peer for peer in (Symdiff, SymPy, SymEngine, TextbookPython, TextbookScheme)}


class TooLarge(Exception):
    """Raised by the bounded node counts once the count is known to exceed their limit."""


def count_nodes(root: Any, compound: type, children: Any, limit: int) -> int:
    """Count the nodes of the tree `root` stands for, as symdiff's node_count() does.

    A compound counts one plus its elements, an atom one. Shared subtrees are visited once.
    Raises TooLarge once the count must exceed `limit`: when a subtree's count does, or when
    more than `limit` distinct compounds were visited, since each occurs in the tree at least
    once. So the work stays O(limit) however large the tree is.
    """
    if type(root) is not compound:
        return 1
    counts: dict[int, int] = {}
    stack = [root]
    while stack:
        item = stack[-1]
        if id(item) in counts:
            stack.pop()
            continue
        waiting = [part for part in children(item) if type(part) is compound and id(part) not in counts]
        if waiting:
            stack.extend(waiting)
            continue
        stack.pop()
        count = 1 + sum(counts[id(part)] if type(part) is compound else 1 for part in children(item))
        if count > limit or len(counts) >= limit:
            raise TooLarge
        counts[id(item)] = count
    return counts[id(root)]


def count_list_nodes(root: Any, pair: type, limit: int) -> int:
    """count_nodes for Scheme lists, memoized per pair so that shared tails are summed once.

    For a pair p, suffix[p] is the node count of the elements from p to the end of its list,
    so a list whose first pair is p has 1 + suffix[p] nodes.
    """
    if type(root) is not pair:
        return 1
    suffix: dict[int, int] = {}
    stack = [root]
    while stack:
        item = stack[-1]
        if id(item) in suffix:
            stack.pop()
            continue
        waiting = [part for part in (item.cdr, item.car) if type(part) is pair and id(part) not in suffix]
        if waiting:
            stack.extend(waiting)
            continue
        stack.pop()
        head = 1 + suffix[id(item.car)] if type(item.car) is pair else 1
        rest = suffix[id(item.cdr)] if type(item.cdr) is pair else 0
        if head + rest > limit or len(suffix) >= limit:
            raise TooLarge
        suffix[id(item)] = head + rest
    return 1 + suffix[id(root)]


def to_scheme_data(tree: Any, pair: Any, symbol: Any, nil: Any) -> Any:
    """Convert a neutral tree to symdiff's Scheme data (Pair, Symbol, int), keeping sharing."""

    def leaf(atom: Any) -> Any:
        return symbol(atom) if type(atom) is str else atom

    def node(operator: str, operands: list[Any]) -> Any:
        result = nil
        for operand in reversed(operands):
            result = pair(operand, result)
        return pair(symbol(operator), result)

    return families.convert(tree, leaf, node)


def build_algebra(tree: Any, library: Any) -> Any:
    """Build a SymPy or SymEngine expression from a neutral tree with the library's constructors."""
    functions = {"sin": library.sin, "cos": library.cos, "exp": library.exp}

    def leaf(atom: Any) -> Any:
        return library.Symbol(atom) if type(atom) is str else library.Integer(atom)

    def node(operator: str, operands: list[Any]) -> Any:
        if operator == "+":
            return library.Add(*operands)
        if operator == "*":
            return library.Mul(*operands)
        if operator == "-":
            return -operands[0] if len(operands) == 1 else operands[0] - operands[1]
        if operator == "**":
            return library.Pow(operands[0], operands[1])
        if operator == "sigmoid":
            return 1 / (1 + library.exp(-operands[0]))
        return functions[operator](operands[0])

    return families.convert(tree, leaf, node)
