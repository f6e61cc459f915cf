"""A recursive fast path for `differentiate` with the built-in rules at the `sicp` level.

It returns exactly the cells that the generator rules in elementary.py build with
SicpConstructors, for sums, products, differences, powers with an exponent free of the
variable, and the one-argument functions. It saves work in four ways. Plain recursion replaces
the generator frames, and the constructors are inlined. No `(+ b c ...)` cell is built for the
rest of an n-ary sum (the book's augend). Where an inner derivative is 0, the outer factor that
the product would discard is not built.

Everything else goes to the generic driver through `slow`, which also raises every error:
user rules, quotients, logarithms, malformed expressions, and nesting deeper than MAX_DEPTH.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any, Callable

from ..errors import DerivError
from ..printer import write_string
from ..types import NIL, Symbol
from .constructors import MINUS, PLUS, POWER, TIMES, SicpConstructors, sicp_product, sicp_sum
from .elementary import COS, EXP, EXPT, OUTER_DERIVATIVES, SIN
from .expr import Cell, cell, compound1, compound2

# Python frames of recursion the fast path may use below its entry; deeper subexpressions go
# to the iterative generic driver. Nested one-argument functions cost no recursion here.
MAX_DEPTH = 200

# Rule kinds of the operators the fast path covers.
SUM, PRODUCT, DIFFERENCE, POWER_RULE, FUNCTION = range(5)

FAST_KINDS: dict[Symbol, int] = {PLUS: SUM, TIMES: PRODUCT, MINUS: DIFFERENCE, POWER: POWER_RULE, EXPT: POWER_RULE}
FAST_KINDS.update((function, FUNCTION) for function in OUTER_DERIVATIVES)

_PENDING = object()
_NUMBER_TYPES = frozenset((int, Fraction, float))
# Atoms whose derivative is 0 unless the atom is the variable itself.
_CONSTANT_TYPES = frozenset((Symbol, int, Fraction, float))
_make = SicpConstructors()


# The SICP constructors themselves, so the fast path builds what SicpConstructors builds.
_sum = sicp_sum
_product = sicp_product
_negation = _make.make_negation
_difference = _make.make_difference
_power = _make.make_power


def _atom_derivative(value: Any, var: Symbol) -> Any:
    if value is var:
        return 1
    kind = type(value)
    if kind is Symbol or kind is int or kind is Fraction or kind is float:
        return 0
    raise DerivError(f"deriv: not an algebraic expression: {write_string(value)}")


def _outer_derivative(node: Cell) -> Any:
    """Return f'(u) for the one-argument call node (f u), as the chain rule builds it."""
    function = node.head
    if function is SIN:
        return cell(COS, node.tail)
    if function is COS:
        return compound1(MINUS, cell(SIN, node.tail))
    if function is EXP:
        return node  # (exp u) is its own derivative
    return OUTER_DERIVATIVES[function](node.tail.head, _make)


def call_on_variable(expr: Cell, var: Symbol, kinds: dict[Symbol, int]) -> Any:
    """Return the derivative of (f var) for a built-in one-argument f, or None for other expressions.

    It is what fast_differentiate returns for such a call, without setting up the recursion:
    k-th derivatives differentiate generators such as (sin x) one by one.
    """
    operands = expr.tail
    if (
        type(operands) is Cell
        and operands.head is var
        and operands.tail is NIL
        and type(expr.head) is Symbol
        and kinds.get(expr.head) is FUNCTION
    ):
        return _product(_outer_derivative(expr), 1)
    return None


# --- the differentiator ---------------------------------------------------------------------


def fast_differentiate(
    root: Cell, var: Symbol, memo: dict, kinds: dict[Symbol, int], depends_on: Callable[[Any, Symbol], bool],
    slow: Callable[[Cell], Any],
) -> Any:
    """Return the derivative of `root` with respect to `var`, memoizing per cell in `memo`.

    `kinds` maps each operator whose rule in the table is still the built-in one to its rule
    kind. `slow(cell)` differentiates one cell with the generic driver and the same memo.
    """
    memo_get = memo.get
    kind_of = kinds.get
    sum_is_fast = kinds.get(PLUS) == SUM

    def sum_of(operands: Any, depth: int) -> Any:
        """Differentiate the sum of the operand list `operands`, one operand or more."""
        terms = []
        item = operands
        while type(item) is Cell:
            term = item.head
            if type(term) is Cell:
                terms.append(d(term, depth))
            elif term is var:
                terms.append(1)
            elif type(term) in _CONSTANT_TYPES:
                terms.append(0)
            else:
                terms.append(_atom_derivative(term, var))
            item = item.tail
        result = terms.pop()
        while terms:
            result = _sum(terms.pop(), result)
        return result

    # d writes out each operand's derivative inline: d() for a cell, 1 for var, 0 for another
    # constant atom, and _atom_derivative(), which raises, for anything else. Leaves are often
    # half the nodes of an expression, and a call per leaf costs more than these tests.

    def d(e: Cell, depth: int) -> Any:
        found = memo_get(e, _PENDING)
        if found is not _PENDING:
            return found
        operator = e.head
        kind = kind_of(operator) if type(operator) is Symbol else None
        if kind is None or depth > MAX_DEPTH:
            return slow(e)
        operands = e.tail
        depth += 1

        if kind is FUNCTION:
            if type(operands) is not Cell or operands.tail is not NIL:
                return slow(e)
            # Walk down nested one-argument functions without recursion, then apply the chain
            # rule on the way back up.
            u = operands.head
            if (
                type(u) is Cell
                and kind_of(u.head) is FUNCTION
                and type(u.tail) is Cell
                and u.tail.tail is NIL
                and memo_get(u, _PENDING) is _PENDING
            ):
                path = [e]
                while (
                    type(u) is Cell
                    and kind_of(u.head) is FUNCTION
                    and type(u.tail) is Cell
                    and u.tail.tail is NIL
                    and memo_get(u, _PENDING) is _PENDING
                ):
                    path.append(u)
                    u = u.tail.head
                path.reverse()
            else:
                path = (e,)
            du = (
                d(u, depth) if type(u) is Cell
                else 1 if u is var
                else 0 if type(u) in _CONSTANT_TYPES
                else _atom_derivative(u, var)
            )
            for node in path:
                if type(du) in _NUMBER_TYPES and du == 0:
                    du = 0  # (* f'(u) 0) is 0, so f'(u) is not built
                else:
                    outer = _outer_derivative(node)
                    # make_product of two compound expressions only builds the product.
                    du = compound2(TIMES, outer, du) if type(du) is Cell and type(outer) is Cell else _product(outer, du)
                memo[node] = du
            return du

        if kind is POWER_RULE:
            if type(operands) is not Cell or type(operands.tail) is not Cell or operands.tail.tail is not NIL:
                return slow(e)
            base = operands.head
            exponent = operands.tail.head
            if exponent is var or (type(exponent) is Cell and depends_on(exponent, var)):
                return slow(e)
            d_base = (
                d(base, depth) if type(base) is Cell
                else 1 if base is var
                else 0 if type(base) in _CONSTANT_TYPES
                else _atom_derivative(base, var)
            )
            if type(d_base) in _NUMBER_TYPES and d_base == 0:
                result = 0  # the product with d_base would discard the power built first
            elif type(exponent) is int:
                # make_sum(n, -1) is n - 1, and base is not a number because d_base is not 0,
                # so make_power(base, n - 1) folds only the exponents 0 and 1.
                new_exponent = exponent - 1
                if new_exponent == 0:
                    power = 1
                elif new_exponent == 1:
                    power = base
                else:
                    power = compound2(operator, base, new_exponent)
                result = _product(_product(exponent, power), d_base)
            else:
                power = _power(base, _sum(exponent, -1), operator)
                result = _product(_product(exponent, power), d_base)
            memo[e] = result
            return result

        # The sum, product and difference rules share the code below. It differentiates the
        # operands in the order that the generator rules take them.
        if type(operands) is not Cell:
            if kind is DIFFERENCE:
                return slow(e)
            memo[e] = 0  # (+) and (*) are the constants 0 and 1
            return 0
        a = operands.head
        rest = operands.tail
        if kind is PRODUCT and rest is NIL:
            # (* a) is a, so no product is built.
            result = (
                d(a, depth) if type(a) is Cell
                else 1 if a is var
                else 0 if type(a) in _CONSTANT_TYPES
                else _atom_derivative(a, var)
            )
            memo[e] = result
            return result
        if type(rest) is Cell and rest.tail is not NIL:
            if kind is SUM:
                result = sum_of(operands, depth)
            elif kind is PRODUCT:
                result = _product_derivative(operands, depth)
            else:
                da = (
                    d(a, depth) if type(a) is Cell
                    else 1 if a is var
                    else 0 if type(a) in _CONSTANT_TYPES
                    else _atom_derivative(a, var)
                )
                if not sum_is_fast:
                    return slow(e)
                result = _difference(da, sum_of(rest, depth))
            memo[e] = result
            return result

        da = (
            d(a, depth) if type(a) is Cell
            else 1 if a is var
            else 0 if type(a) in _CONSTANT_TYPES
            else _atom_derivative(a, var)
        )
        if rest is NIL:
            # (+ a) is a, and (- a) is the negation of a.
            result = da if kind is SUM else _negation(da)
            memo[e] = result
            return result
        b = rest.head
        db = (
            d(b, depth) if type(b) is Cell
            else 1 if b is var
            else 0 if type(b) in _CONSTANT_TYPES
            else _atom_derivative(b, var)
        )
        if kind is SUM:
            result = _sum(da, db)
        elif kind is PRODUCT:
            # make_product(a, 0) is the integer 0, and make_sum(0, right) is right.
            if type(db) in _NUMBER_TYPES and db == 0:
                result = _product(da, b)
            else:
                left = _product(a, db)
                if type(da) in _NUMBER_TYPES and da == 0:
                    # make_product(0, b) is 0 and make_sum(left, 0) is left, except that a
                    # numeric left equal to 0, such as 0.0, becomes the integer 0.
                    result = 0 if type(left) in _NUMBER_TYPES and left == 0 else left
                else:
                    result = _sum(left, _product(da, b))
        else:
            result = _difference(da, db)
        memo[e] = result
        return result

    def _product_derivative(operands: Cell, depth: int) -> Any:
        # d(a1 a2 ... an) = a1 d(a2 ... an) + d(a1) (a2 ... an), folded from the right as the
        # product rule's recursion on the book's multiplicand does. The multiplicand (* ak ...)
        # is built only where d(a(k-1)) is not 0.
        cells = []
        derivatives = []
        item = operands
        while type(item) is Cell:
            factor = item.head
            cells.append(item)
            derivatives.append(d(factor, depth) if type(factor) is Cell else _atom_derivative(factor, var))
            item = item.tail
        last = len(cells) - 1
        result = derivatives[last]
        for index in range(last - 1, -1, -1):
            left = _product(cells[index].head, result)
            d_factor = derivatives[index]
            if type(d_factor) in _NUMBER_TYPES and d_factor == 0:
                right = 0
            else:
                following = cells[index + 1]
                multiplicand = following.head if index + 1 == last else cell(TIMES, following)
                right = _product(d_factor, multiplicand)
            result = _sum(left, right)
        return result

    try:
        return d(root, 0)
    except RecursionError:
        # NOTE: reached only when the caller is already near the recursion limit. Every
        # derivative in the memo is complete, so the generic driver can finish the work.
        return slow(root)
    finally:
        # d refers to itself through its closure, and differentiate pauses the cyclic garbage
        # collector. Breaking the cycle lets reference counting free the closures now.
        d = None  # noqa: F841
