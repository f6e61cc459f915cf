"""Intermediate orders of a higher derivative, computed on polynomials instead of expressions.

`derivative` puts every intermediate derivative in the `full` canonical form before
differentiating it again. Often that form is a polynomial with integer coefficients in a few
generators: the variable, other symbols, and calls such as (sin x) or (sigmoid x). If the
derivative of each generator is again such a polynomial, so is every later intermediate
derivative. The orders in between are then computed on dictionaries that map exponent
vectors to coefficients, which costs a few microseconds per order. The loop costs a pass of
the rules and a pass of the simplifier over the whole expression.

The result is the expression the order-by-order loop builds. Integer coefficients and
exponents of 0 or more render with +, -, * and ** alone. So the loop differentiates the
rendered `full` form of such a polynomial with the sum, difference, product and power rules
only, and every term of its result is a monomial times the derivative of one generator. The
canonical pass distributes such a product over a sum of at most MAX_DISTRIBUTED_TERMS terms (a
number over a sum of any length) and collects like terms, so its result is the collected
polynomial that the dictionaries hold. The conditions
below keep every product inside that limit, and tests/test_ring.py compares both ways on
random polynomials.
"""

from __future__ import annotations

import logging
from fractions import Fraction
from operator import itemgetter
from typing import Any, Callable

from ..errors import ExpressionTooLargeError, SchemeError
from ..numbers import to_float
from ..types import NIL, Symbol
from .constructors import MINUS, PLUS, POWER, TIMES
from . import expr as expr_module
from .expr import Cell, compound
from .fast import DIFFERENCE, POWER_RULE, PRODUCT, SUM
from .rules import RuleTable, differentiate
from .simplify import MAX_DISTRIBUTED_TERMS, Simplifier, is_plain_call

log = logging.getLogger(__name__)

# A derivative whose closure needs more generators than this is left to the loop. The
# dictionaries would still be right, but such cases are rare and gain little.
MAX_GENERATORS = 32

# The rules that the argument above relies on. A user rule for any of these operators turns
# the polynomial path off.
_REQUIRED_KINDS = {PLUS: SUM, MINUS: DIFFERENCE, TIMES: PRODUCT, POWER: POWER_RULE}
_STRUCTURAL = (PLUS, TIMES, POWER)
_WRITTEN = (PLUS, MINUS, TIMES, POWER)

# Sums and products nested deeper than this in an expression are left to the loop.
MAX_WRITTEN_DEPTH = 100

# While generators are collected, a monomial is a tuple of (generator index, exponent) pairs
# sorted by index, with exponents of 1 or more.
Monomial = tuple[tuple[int, int], ...]
Polynomial = dict[Monomial, int]


class _NotPolynomial(Exception):
    """The expression is not a polynomial of the supported kind."""


class _Generators:
    """The generators met so far, with the polynomial form of each one's derivative."""

    def __init__(self, var: Symbol, rules: RuleTable, memo: dict, simplifier: Simplifier) -> None:
        self.var = var
        self.rules = rules
        self.memo = memo
        self.simplifier = simplifier
        self.cells: list[Any] = []
        self.index: dict[Any, int] = {}
        self.derivatives: list[Polynomial] = []

    def position(self, generator: Any) -> int:
        found = self.index.get(generator)
        if found is not None:
            return found
        if type(generator) is Cell and not is_plain_call(generator) and self.simplifier.renderer.run(generator) is not generator:
            # The loop would differentiate the rendered cell, which is another expression.
            raise _NotPolynomial
        if len(self.cells) >= MAX_GENERATORS:
            raise _NotPolynomial
        self.index[generator] = len(self.cells)
        self.cells.append(generator)
        return self.index[generator]

    def close(self) -> None:
        """Differentiate every generator, including those that the derivatives bring in."""
        done = 0
        while done < len(self.cells):
            generator = self.cells[done]
            derivative = differentiate(generator, self.var, self.rules, "sicp", memo=self.memo)
            polynomial = self.written_or_canonical(derivative)
            if len(polynomial) > MAX_DISTRIBUTED_TERMS:
                raise _NotPolynomial
            self.derivatives.append(polynomial)
            done += 1

    def written_or_canonical(self, expr: Any) -> Polynomial:
        """Return the polynomial that `expr` equals, read as written where that works.

        A derivative such as (cos x) or (- (sin x)) is usually written as a polynomial already,
        and reading it is cheaper than its canonical form. Both give the same collected
        polynomial. Generators met on a failed reading are forgotten, as the canonical form
        may not contain them.
        """
        known = len(self.cells)
        try:
            return self.written(expr)[0]
        except _NotPolynomial:
            for generator in self.cells[known:]:
                del self.index[generator]
            del self.cells[known:]
        return self.polynomial(self.simplifier.canonicalizer.run(expr))

    # --- from an expression written as a polynomial to a dictionary ------------------------

    def written(self, expr: Any, depth: int = 0) -> tuple[Polynomial, list[list[int]]]:
        """Return the polynomial that `expr` is written as, and each term's generator factors.

        `expr` must be built from integers and generators with +, -, and * of monomials,
        where a monomial is a product of integers, generators and generators raised to an
        integer power of 1 or more.
        """
        if depth > MAX_WRITTEN_DEPTH:
            raise _NotPolynomial
        if type(expr) is Cell and (expr.head is PLUS or expr.head is MINUS):
            operands = list(expr.tail)
            if not operands:
                raise _NotPolynomial
            result: Polynomial = {}
            factors: list[list[int]] = []
            for index, operand in enumerate(operands):
                part, part_factors = self.written(operand, depth + 1)
                negated = expr.head is MINUS and (index > 0 or len(operands) == 1)
                for monomial, coefficient in part.items():
                    result[monomial] = result.get(monomial, 0) + (-coefficient if negated else coefficient)
                factors.extend(part_factors)
            return {monomial: c for monomial, c in result.items() if c != 0}, factors
        coefficient, exponents, generators = self.monomial(expr, depth)
        if coefficient == 0:
            return {}, []
        return {tuple(sorted(exponents.items())): coefficient}, [generators]

    def monomial(self, expr: Any, depth: int) -> tuple[int, dict[int, int], list[int]]:
        """Return the coefficient, the exponent of each generator, and the generator factors."""
        if depth > MAX_WRITTEN_DEPTH:
            raise _NotPolynomial
        kind = type(expr)
        if kind is int:
            return expr, {}, []
        if kind is Cell and expr.head is TIMES:
            if type(expr.tail) is not Cell:
                raise _NotPolynomial
            coefficient = 1
            exponents: dict[int, int] = {}
            generators: list[int] = []
            for factor in expr.tail:
                factor_coefficient, factor_exponents, factor_generators = self.monomial(factor, depth + 1)
                coefficient *= factor_coefficient
                for position, exponent in factor_exponents.items():
                    exponents[position] = exponents.get(position, 0) + exponent
                generators.extend(factor_generators)
            return coefficient, exponents, generators
        exponent = 1
        if kind is Cell and expr.head is POWER:
            operands = expr.tail
            if type(operands) is not Cell or type(operands.tail) is not Cell or operands.tail.tail is not NIL:
                raise _NotPolynomial
            expr, exponent = operands.head, operands.tail.head
            if type(exponent) is not int or exponent < 1:
                raise _NotPolynomial
            kind = type(expr)
        if kind is Symbol or (kind is Cell and type(expr.head) is Symbol and expr.head not in _WRITTEN):
            if kind is Cell and not is_plain_call(expr) and self.simplifier.canonicalizer.run(expr) is not expr:
                raise _NotPolynomial  # the generator itself is not in `full` form
            position = self.position(expr)
            return 1, {position: exponent}, [position]
        raise _NotPolynomial

    # --- from the canonical internal form (only +, *, ** and calls) to a dictionary ----------

    def polynomial(self, expr: Any) -> Polynomial:
        if type(expr) is Cell and expr.head is PLUS:
            result: Polynomial = {}
            for term in expr.tail:
                for monomial, coefficient in self.term(term).items():
                    result[monomial] = result.get(monomial, 0) + coefficient
            return {monomial: c for monomial, c in result.items() if c != 0}
        return self.term(expr)

    def term(self, expr: Any) -> Polynomial:
        if type(expr) is int:
            return {(): expr} if expr != 0 else {}
        if type(expr) is Cell and expr.head is TIMES:
            coefficient = 1
            exponents: dict[int, int] = {}
            for factor in expr.tail:
                if type(factor) is int:
                    coefficient *= factor
                    continue
                position, exponent = self.factor(factor)
                exponents[position] = exponents.get(position, 0) + exponent
            return {tuple(sorted(exponents.items())): coefficient} if coefficient != 0 else {}
        position, exponent = self.factor(expr)
        return {((position, exponent),): 1}

    def factor(self, expr: Any) -> tuple[int, int]:
        exponent = 1
        if type(expr) is Cell and expr.head is POWER:
            expr, exponent = expr.tail.head, expr.tail.tail.head
            if type(exponent) is not int or exponent < 1:
                raise _NotPolynomial
        kind = type(expr)
        if kind is Symbol or (kind is Cell and type(expr.head) is Symbol and expr.head not in _STRUCTURAL):
            return self.position(expr), exponent
        raise _NotPolynomial  # a number in a power, a float, a sum as a factor, ...


# Between orders a monomial is one integer that contains the exponent of generator i in bits
# EXPONENT_BITS * i and up. The derivative of generator g is kept as shifts: for each term c m
# of its derivative, the pair (m - g, c). A monomial u g^e then contributes e c (u g^e + m - g)
# for each shift, with one integer addition. A shift lowers the exponent of g by 1. The sum is
# exact while every exponent of the result lies in [0, 2 ** EXPONENT_BITS), because the
# exponent of g is 1 or more where the shift applies. The limits below keep exponents far under
# the top for any number of orders that could ever run (2 ** 100 at one order per nanosecond).
EXPONENT_BITS = 128
MAX_START_EXPONENT = 1 << 64
MAX_SHIFT_EXPONENT = 1 << 24
Packed = int
Shifts = list[list[tuple[Packed, int]]]


def _packed(monomial: Monomial, limit: int = MAX_START_EXPONENT) -> Packed:
    """Return the packed form of a monomial whose exponents are all below `limit`."""
    packed = 0
    for position, exponent in monomial:
        if exponent >= limit:
            raise _NotPolynomial
        packed += exponent << (EXPONENT_BITS * position)
    return packed


def _exponents(packed: Packed, size: int) -> list[int]:
    """Return the exponent of each of the `size` generators in a packed monomial."""
    mask = (1 << EXPONENT_BITS) - 1
    exponents = []
    for _ in range(size):
        exponents.append(packed & mask)
        packed >>= EXPONENT_BITS
    return exponents


def _shifts(derivatives: list[Polynomial]) -> Shifts:
    result: Shifts = []
    for position, derivative in enumerate(derivatives):
        shifts = []
        for monomial, coefficient in derivative.items():
            shifts.append((_packed(monomial, MAX_SHIFT_EXPONENT) - (1 << (EXPONENT_BITS * position)), coefficient))
        result.append(shifts)
    return result


# For each packed monomial, the (exponent, shifts) pairs of its generators with exponent 1 or
# more: the work the product rule does on it. Later orders meet the same monomials again.
Parts = dict[Packed, list[tuple[int, list[tuple[Packed, int]]]]]


def _parts(monomial: Packed, shifts: Shifts) -> list[tuple[int, list[tuple[Packed, int]]]]:
    parts = []
    width = 0
    for position, exponent in enumerate(_exponents(monomial, len(shifts))):
        if exponent:
            parts.append((exponent, shifts[position]))
            width += len(shifts[position])
    if width > MAX_DISTRIBUTED_TERMS:
        # The product rule's partial sums for this monomial would not be distributed.
        raise _NotPolynomial
    return parts


def _differentiate(polynomial: dict[Packed, int], shifts: Shifts, known: Parts) -> dict[Packed, int]:
    """Apply the product and power rules monomial by monomial."""
    result: dict[Packed, int] = {}
    get = result.get
    for monomial, coefficient in polynomial.items():
        parts = known.get(monomial)
        if parts is None:
            parts = known[monomial] = _parts(monomial, shifts)
        for exponent, position_shifts in parts:
            scale = coefficient * exponent
            for shift, shift_coefficient in position_shifts:
                product = monomial + shift
                result[product] = get(product, 0) + scale * shift_coefficient
    if 0 in result.values():
        return {monomial: c for monomial, c in result.items() if c != 0}
    return result


def _full_form(polynomial: dict[Packed, int], cells: list[Any], simplifier: Simplifier) -> Any:
    """Return the `full` form of the polynomial: what `simplifier.simplify` makes of it.

    The canonical pass would collect nothing, because the dictionary has each monomial once
    with a coefficient other than 0. It would sort each term's factors and then the terms, with
    the constant last, and the renderer would write the sorted terms. So the terms are sorted
    here with the simplifier's own sort keys and handed to the renderer as (coefficient,
    factors) pairs, without building the canonical sum. That needs every generator to be in
    canonical form already; where one is not, the simplifier runs on the whole polynomial.
    """
    canonicalizer = simplifier.canonicalizer
    for generator in cells:
        if type(generator) is not Cell:
            continue
        if is_plain_call(generator):
            simplifier.renderer.memo[generator] = generator  # saves the renderer a pass over it
        elif canonicalizer.run(generator) is not generator:
            return simplifier.simplify(_expression(polynomial, cells))
    factor_key = canonicalizer.order.factor_key
    factors_of: dict[tuple[int, int], tuple[Any, tuple]] = {}
    symbols = [type(generator) is Symbol for generator in cells]
    keyed = []
    constant = 0
    for monomial, coefficient in polynomial.items():
        factors = []
        degree = 0.0
        for position, exponent in enumerate(_exponents(monomial, len(cells))):
            if not exponent:
                continue
            known = factors_of.get((position, exponent))
            if known is None:
                factor = cells[position] if exponent == 1 else compound(POWER, cells[position], exponent)
                known = factors_of[(position, exponent)] = (factor, factor_key(factor))
            factors.append(known)
            if symbols[position]:
                degree += to_float(exponent)
        if not factors:
            constant = coefficient
            continue
        factors.sort(key=itemgetter(1))
        # This is the canonical pass's term key without its last item, a digest of the whole
        # term. The digest decides only between terms with the same factors, and a collected
        # polynomial has no two such terms.
        keyed.append(((-degree, tuple(key for _, key in factors)), coefficient, [factor for factor, _ in factors]))
    keyed.sort(key=itemgetter(0))
    parts = [(coefficient, factors) for _, coefficient, factors in keyed]
    if constant:
        parts.append((constant, []))
    if not parts:
        return 0
    if len(parts) == 1:
        return simplifier.renderer.term(*parts[0])
    return simplifier.renderer.sum_of_parts(parts)


def _expression(polynomial: dict[Packed, int], cells: list[Any]) -> Any:
    """Return the polynomial as an expression, for the simplifier to put in canonical form."""
    terms = []
    for monomial, coefficient in polynomial.items():
        factors = [
            cells[position] if exponent == 1 else compound(POWER, cells[position], exponent)
            for position, exponent in enumerate(_exponents(monomial, len(cells)))
            if exponent
        ]
        terms.append(compound(TIMES, coefficient, *factors) if factors else coefficient)
    if not terms:
        return 0
    return terms[0] if len(terms) == 1 else compound(PLUS, *terms)


# The first orders are remembered to find a cycle: order i equal to c times an earlier order j,
# such as the period 4 of (sin x) (c = 1) or of (* (sin x) (exp x)) (c = -4). Fewer orders than
# SHORT_RUN are computed one by one, which is cheaper than looking.
REMEMBERED_ORDERS = 64
SHORT_RUN = 16

# A cycle is skipped only while c ** q, for the q cycles skipped, has at most about this many
# bits. Larger results are computed order by order, which Ctrl-C can interrupt, while one huge
# power computed in C cannot be interrupted.
MAX_SKIPPED_SCALE_BITS = 1 << 20


def _after(polynomial: dict[Packed, int], shifts: Shifts, orders: int) -> dict[Packed, int]:
    """Return the derivative `orders` orders after `polynomial`, skipping whole cycles.

    Differentiation is linear. So if order i is c times order j, order i + m is c times order
    j + m, and order i + q (i - j) + r is c ** q times order i + r.
    """
    seen: dict[frozenset, tuple[int, dict[Packed, int]]] = {}
    known: Parts = {}
    scale = Fraction(1)
    looking = orders >= SHORT_RUN
    done = 0
    while done < orders:
        if looking and len(seen) < REMEMBERED_ORDERS:
            support = frozenset(polynomial)
            earlier = seen.get(support)
            ratio = _ratio(polynomial, earlier[1]) if earlier is not None and polynomial else None
            if ratio is not None:
                cycles, _ = divmod(orders - done, done - earlier[0])
                if cycles * _growth_bits(ratio) <= MAX_SKIPPED_SCALE_BITS:
                    scale = ratio**cycles
                    done += cycles * (done - earlier[0])
                    looking = False
                    continue
            seen.setdefault(support, (done, polynomial))
        polynomial = _differentiate(polynomial, shifts, known)
        done += 1
        if not polynomial:
            return polynomial  # every later order of 0 is 0
        if not done % SIZE_CHECK_ORDERS:
            _check_size(polynomial)
    if scale != 1:
        # Every order has integer coefficients, so the scaled ones are integers again.
        polynomial = {monomial: int(c * scale) for monomial, c in polynomial.items()}
    return polynomial


# Orders whose monomials and coefficients keep growing, such as those of (tan x), would fill
# the memory without ever making a cell. So every SIZE_CHECK_ORDERS orders the polynomial is
# measured against a quarter of the engine's memory budget, because the polynomial, its
# derivative and, where a coefficient cancelled, a filtered copy exist at once. The process
# is measured against the whole budget. It can be far larger than its live data, because
# coefficients a little longer at each order cannot reuse the memory of the last order's: the
# tan x orders near 3,600 held 8 MB of polynomial in 1.3 GB. A monomial costs about
# MONOMIAL_BYTES with its dictionary entry and integer objects, plus its coefficient's digits.
SIZE_CHECK_ORDERS = 16
MONOMIAL_BYTES = 150
# The process is measured only once the polynomial has this many bytes.
RESIDENT_CHECK_BYTES = 1_000_000


def _check_size(polynomial: dict[Packed, int]) -> None:
    budget = expr_module.CELL_LIMIT * expr_module.BYTES_PER_CELL
    size = len(polynomial) * MONOMIAL_BYTES + sum(c.bit_length() for c in polynomial.values()) // 8
    if size > budget // 4:
        raise _too_large(f"the orders computed as polynomials need about {_megabytes(size)} MB", budget // 4)
    if size < RESIDENT_CHECK_BYTES:
        return  # reading the process's size costs about 13 us, more than a small order
    resident = expr_module.resident_bytes()
    if resident is not None and resident > budget:
        raise _too_large(f"the orders so far have brought the process to {_megabytes(resident)} MB", budget)


def _too_large(problem: str, budget: int) -> ExpressionTooLargeError:
    return ExpressionTooLargeError(
        f"{problem}, over the {_megabytes(budget)} MB set from this machine's memory; ask for a lower order"
    )


def _megabytes(size: int) -> str:
    return f"{size / 1e6:,.0f}" if size >= 10**7 else f"{size / 1e6:.1f}"


def _ratio(later: dict[Packed, int], earlier: dict[Packed, int]) -> Fraction | None:
    """Return c where later = c * earlier (both with the same monomials), or None."""
    monomial = next(iter(later))
    ratio = Fraction(later[monomial], earlier[monomial])
    if all(c == ratio * earlier[m] for m, c in later.items()):
        return ratio
    return None


def _growth_bits(ratio: Fraction) -> int:
    """Return about how many bits each power of `ratio` adds: 0 for 1 and -1, 2 for -4."""
    return max(abs(ratio.numerator).bit_length(), ratio.denominator.bit_length()) - 1


def orders_from_input(
    expr: Any, var: Symbol, rules: RuleTable, memo: dict, simplifier: Simplifier, orders: int
) -> Any | None:
    """Return the `full` form of the `orders`-th derivative of `expr`, or None.

    This applies when `expr` is written as a polynomial in generators that are in `full`
    form: sums and differences of monomials, and monomials made of integers and generators
    raised to integer powers. Then the loop's first derivative is built with the sum,
    difference, product and power rules from the generators' derivatives, as for the later
    orders above. Once collected, each partial sum of the product rule on one monomial has at
    most as many terms as the derivatives of the monomial's distinct generators together. While
    that is within MAX_DISTRIBUTED_TERMS, the simplifier distributes each factor over the
    partial sum and collects the result into the polynomial, so the first `full` form need not
    be built. None means the caller goes on order by order.
    """
    if type(expr) is not Cell or orders < 1:
        return None

    def start(generators: _Generators) -> Polynomial:
        sparse, factors = generators.written(expr)
        generators.close()
        derivatives = generators.derivatives
        if any(sum(len(derivatives[position]) for position in set(term)) > MAX_DISTRIBUTED_TERMS for term in factors):
            raise _NotPolynomial
        return sparse

    return _orders_after(start, var, rules, memo, simplifier, orders)


def later_orders(
    first: Any, var: Symbol, rules: RuleTable, memo: dict, simplifier: Simplifier, orders: int
) -> Any | None:
    """Return the `full` form of the derivative `orders` orders after `first`, or None.

    `first` is a derivative in `full` form, `memo` and `simplifier` the ones the caller's loop
    uses. None means the polynomial path does not apply and the caller goes on order by order.
    """

    def start(generators: _Generators) -> Polynomial:
        sparse = generators.polynomial(simplifier.canonicalizer.run(first))
        generators.close()
        return sparse

    return _orders_after(start, var, rules, memo, simplifier, orders)


def _orders_after(
    start: Callable[[_Generators], Polynomial], var: Symbol, rules: RuleTable, memo: dict, simplifier: Simplifier,
    orders: int,
) -> Any | None:
    """Differentiate the polynomial that `start` returns `orders` times; None where it raises."""
    kinds = rules.fast_kinds()
    if any(kinds.get(operator) != kind for operator, kind in _REQUIRED_KINDS.items()):
        return None
    generators = _Generators(var, rules, memo, simplifier)
    try:
        sparse = start(generators)
        polynomial = {_packed(monomial): c for monomial, c in sparse.items()}
        polynomial = _after(polynomial, _shifts(generators.derivatives), orders)
    except _NotPolynomial:
        return None
    except SchemeError as error:
        # A rule failed on a generator. The loop reports the error if it meets that generator.
        log.debug("polynomial path off: %s", error)
        return None
    log.debug("%d orders computed as polynomials in %d generators", orders, len(generators.cells))
    return _full_form(polynomial, generators.cells, simplifier)
