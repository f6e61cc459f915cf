"""Equivalence predicates and boolean primitives: eq?, eqv?, equal?, not and friends."""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

from ...types import Char, Pair
from ..procedures import PrimitiveRegistry
from .arguments import is_procedure, type_error

registry = PrimitiveRegistry()


def is_eqv(a: Any, b: Any) -> bool:
    """Apply Scheme's eqv?: numbers of the same exactness and value, characters by value,
    and identity for everything else.

    Booleans are never eqv to numbers, because the comparison starts with the Python types,
    which differ for True and 1. A float zero is not eqv to a float zero of the other sign, and
    two NaNs are eqv.
    """
    if a is b:
        return True
    kind = type(a)
    if kind is not type(b):
        return False
    if kind is int or kind is Fraction:
        return a == b
    if kind is float:
        if a != a:
            return b != b
        return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)
    if kind is Char:
        return a.value == b.value
    return False


def is_equal(a: Any, b: Any) -> bool:
    """Apply Scheme's equal?: structural comparison of pairs, vectors and strings.

    The walk uses an explicit stack, so deep nesting and long lists need no recursion. It ends
    on circular structures too: it records the pair of nodes it visits at each power-of-two
    step and treats a recorded pair met again as equal. A comparison already under way can
    safely be assumed equal, so the result is still exact. Because every recording adds a new
    pair of nodes and two finite structures have finitely many, the walk must end.
    """
    stack = [(a, b)]
    recorded: set[tuple[int, int]] = set()
    steps = 0
    while stack:
        left, right = stack.pop()
        if left is right:
            continue
        kind = type(left)
        if kind is not type(right):
            return False
        if kind is Pair or kind is list:
            key = (id(left), id(right))
            if key in recorded:
                continue
            steps += 1
            if steps & (steps - 1) == 0:
                recorded.add(key)
            if kind is Pair:
                stack.append((left.cdr, right.cdr))
                stack.append((left.car, right.car))
            else:
                if len(left) != len(right):
                    return False
                stack.extend(zip(reversed(left), reversed(right)))
        elif kind is str:
            if left != right:
                return False
        elif not is_eqv(left, right):
            return False
    return True


@registry.define("eqv?", 2, 2)
def eqv(a: Any, b: Any) -> bool:
    return is_eqv(a, b)


# eq? compares numbers and characters by value, as implementations with fixnums and immediate
# characters do for small ones, so it can share eqv?'s definition.
registry.define("eq?", 2, 2)(eqv)


@registry.define("equal?", 2, 2)
def equal(a: Any, b: Any) -> bool:
    return is_equal(a, b)


@registry.define("not", 1, 1)
def logical_not(x: Any) -> bool:
    return x is False


@registry.define("boolean?", 1, 1)
def is_boolean(x: Any) -> bool:
    return type(x) is bool


@registry.define("boolean=?", 2)
def booleans_equal(*values: Any) -> bool:
    for value in values:
        if type(value) is not bool:
            raise type_error("boolean=?", "a boolean", value)
    return all(value is values[0] for value in values)


@registry.define("procedure?", 1, 1)
def is_procedure_predicate(x: Any) -> bool:
    return is_procedure(x)
