"""The expression families, built as neutral prefix trees that every peer converts.

A tree is an int, a variable name (str) or a tuple (operator, operand, ...). The DAG family
reuses one tuple object in two places, and every converter below keeps that sharing by
memoizing on object identity. All walks are iterative, because the chain family nests 100,000
levels deep.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any, Callable

Tree = Any

RANDOM_SEED = 20240611


@dataclass(frozen=True)
class Family:
    """One expression family: how to build its member of size `size` and what to differentiate."""

    name: str
    title: str
    size_label: str
    build: Callable[[int], Tree]
    # Differentiate `order` times; the k-th derivative families use the size as the order.
    order_of: Callable[[int], int]
    # Whether the input can be written out as text, so that parsing can be timed.
    has_text: bool
    # Whether sizes double (time(2N)/time(N)) or step by one (time(k+1)/time(k)).
    doubling: bool
    description: str


def polynomial(n: int) -> Tree:
    """Return the sum of (i + 1) * x^i for i = 1 .. n."""
    return ("+",) + tuple(("*", i + 1, ("**", "x", i)) for i in range(1, n + 1))


def product(n: int) -> Tree:
    """Return the product (x + 1)(x + 2) ... (x + n) of n distinct factors."""
    return ("*",) + tuple(("+", "x", i) for i in range(1, n + 1))


def chain(n: int) -> Tree:
    """Return sin(cos(sin(... x))) with n function applications, alternating sin and cos from outside."""
    tree: Tree = "x"
    for depth in reversed(range(n)):
        tree = ("sin" if depth % 2 == 0 else "cos", tree)
    return tree


def dag(k: int) -> Tree:
    """Return e(k), where e(0) = x and e(k+1) = e(k) * sin(e(k)) shares e(k) between both operands."""
    tree: Tree = "x"
    for _ in range(k):
        tree = ("*", tree, ("sin", tree))
    return tree


def random_tree(n: int) -> Tree:
    """Return a random expression of n nodes (operators and leaves) in x and y, from a fixed seed.

    Operators are +, -, * (binary), sin, cos, exp (unary) and ** with exponent 2 or 3. Each
    binary node splits its remaining nodes uniformly at random between its two operands.
    """
    rng = random.Random(RANDOM_SEED + n)
    # Explicit stack of (size, slot): slot is the list that receives the finished subtree.
    root: list[Tree] = []
    pending: list[tuple[str, Any, list[Tree], list[Tree]]] = []
    work: list[tuple[int, list[Tree]]] = [(n, root)]
    while work or pending:
        if work:
            size, slot = work.pop()
            if size == 1:
                slot.append(_random_leaf(rng))
                _finish(pending)
                continue
            choice = rng.random()
            if size == 2 or choice < 0.3:
                operator = rng.choice(("sin", "cos", "exp"))
                operands: list[Tree] = []
                pending.append((operator, None, operands, slot))
                work.append((size - 1, operands))
            elif choice < 0.4 and size >= 3:
                operands = []
                pending.append(("**", rng.choice((2, 3)), operands, slot))
                work.append((size - 2, operands))
            else:
                left = rng.randint(1, size - 2)
                operands = []
                pending.append((rng.choice(("+", "-", "*")), None, operands, slot))
                work.append((size - 1 - left, operands))
                work.append((left, operands))
        else:
            _finish(pending)
    return root[0]


def _random_leaf(rng: random.Random) -> Tree:
    choice = rng.random()
    if choice < 0.5:
        return "x"
    if choice < 0.75:
        return "y"
    return rng.randint(1, 9)


def _finish(pending: list[tuple[str, Any, list[Tree], list[Tree]]]) -> None:
    """Close every pending node whose operands are all built, innermost first."""
    while pending:
        operator, exponent, operands, slot = pending[-1]
        arity = 2 if operator in ("+", "-", "*") else 1
        if len(operands) < arity:
            return
        pending.pop()
        if operator == "**":
            slot.append(("**", operands[0], exponent))
        else:
            slot.append((operator, *operands))


SIN_EXP = ("*", ("sin", "x"), ("exp", "x"))
SIGMOID = ("sigmoid", "x")

FAMILIES: dict[str, Family] = {
    family.name: family
    for family in (
        Family("polynomial", "Polynomial", "N terms", polynomial, lambda n: 1, True, True,
               "(+ (* 2 (** x 1)) (* 3 (** x 2)) ... (* (+ N 1) (** x N))): one n-ary sum of N terms."),
        Family("product", "Product", "N factors", product, lambda n: 1, True, True,
               "(* (+ x 1) (+ x 2) ... (+ x N)): one n-ary product of N distinct factors, each "
               "depending on x, so the derivative has N terms of N - 1 factors each."),
        Family("chain", "Chain", "depth N", chain, lambda n: 1, True, True,
               "(sin (cos (sin ... x))): N nested function applications."),
        Family("random", "Random tree", "N nodes", random_tree, lambda n: 1, True, True,
               f"A random tree of N nodes over +, -, *, sin, cos, exp and ** 2 or 3 with leaves "
               f"x, y and 1..9; the seed is {RANDOM_SEED} + N."),
        Family("dag", "DAG", "k", dag, lambda k: 1, False, False,
               "e(0) = x, e(k+1) = (* e(k) (sin e(k))): the tree doubles with each step while "
               "the shared DAG grows by two nodes. Inputs are built in memory, not parsed."),
        Family("kth_sin_exp", "k-th derivative of (* (sin x) (exp x))", "order k", lambda k: SIN_EXP,
               lambda k: k, True, False,
               "The k-th derivative of (* (sin x) (exp x)); each peer repeats its own differentiation."),
        Family("kth_sigmoid", "k-th derivative of (sigmoid x)", "order k", lambda k: SIGMOID,
               lambda k: k, True, False,
               "The k-th derivative of (sigmoid x), with sigmoid(u) = 1 / (1 + exp(-u)) for SymPy "
               "and SymEngine."),
    )
}


def to_sexpr(tree: Tree) -> str:
    """Write a tree as prefix s-expression text, iteratively."""
    parts: list[str] = []
    stack: list[Any] = [tree]
    while stack:
        item = stack.pop()
        if type(item) is tuple:
            stack.append(_CLOSE)
            stack.extend(reversed(item))
            parts.append("(")
        elif item is _CLOSE:
            parts.append(")")
        else:
            parts.append(str(item))
    # Join with spaces, then drop the spaces just inside parentheses.
    return " ".join(parts).replace("( ", "(").replace(" )", ")")


_CLOSE = object()

_INFIX_BINARY = {"+": " + ", "-": " - ", "*": "*", "**": "**"}


def to_infix(tree: Tree) -> str:
    """Write a tree as SymPy/SymEngine infix text, parenthesizing every compound operand.

    The stack contains subtrees still to write and _Text items already written out.
    """
    parts: list[str] = []
    stack: list[Any] = [tree]
    while stack:
        item = stack.pop()
        if type(item) is _Text:
            parts.append(item.text)
        elif type(item) is not tuple:
            parts.append(str(item))
        else:
            stack.extend(reversed(_infix_pieces(item)))
    return "".join(parts)


class _Text:
    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text


def _infix_pieces(item: tuple) -> list[Any]:
    operator, operands = item[0], item[1:]
    if operator == "sigmoid":
        return [_Text("1/(1 + exp(-("), operands[0], _Text(")))")]
    if operator == "-" and len(operands) == 1:
        return [_Text("-"), *_grouped(operands[0])]
    if operator in _INFIX_BINARY:
        pieces: list[Any] = []
        for index, operand in enumerate(operands):
            if index:
                pieces.append(_Text(_INFIX_BINARY[operator]))
            pieces.extend(_grouped(operand))
        return pieces
    return [_Text(operator + "("), operands[0], _Text(")")]


def _grouped(operand: Tree) -> list[Any]:
    return [_Text("("), operand, _Text(")")] if type(operand) is tuple else [operand]


def convert(tree: Tree, leaf: Callable[[Any], Any], node: Callable[[str, list[Any]], Any]) -> Any:
    """Convert a tree bottom-up with `leaf(atom)` and `node(operator, operands)`, keeping sharing."""
    if type(tree) is not tuple:
        return leaf(tree)
    done: dict[int, Any] = {}
    stack: list[tuple] = [tree]
    while stack:
        item = stack[-1]
        if id(item) in done:
            stack.pop()
            continue
        waiting = [operand for operand in item[1:] if type(operand) is tuple and id(operand) not in done]
        if waiting:
            stack.extend(waiting)
            continue
        stack.pop()
        operands = [done[id(operand)] if type(operand) is tuple else leaf(operand) for operand in item[1:]]
        done[id(item)] = node(item[0], operands)
    return done[id(tree)]


def tree_nodes(tree: Tree) -> int:
    """Count the nodes (operators and leaves) of the tree a possibly shared tree stands for."""
    return convert(tree, lambda atom: 1, lambda operator, counts: 1 + sum(counts))
