"""Expression constructors for each simplification level.

At the `sicp` level each constructor folds numbers and applies the 0 and 1 identities looking
only at its own arguments, as SICP section 2.3.2 and exercise 2.56 do:

- make_sum a b: both numbers -> a + b; a = 0 -> b; b = 0 -> a; otherwise (+ a b).
- make_product a b: either is 0 -> 0; a = 1 -> b; b = 1 -> a; both numbers -> a * b;
  otherwise (* a b).
- make_power b e: e = 0 -> 1; e = 1 -> b; both numbers with an exact real result -> b^e;
  otherwise (** b e).
- make_negation a: a number -> -a; a = (- u) -> u; otherwise (- a). The book has no
  negation; its derivatives of cos need one, and (- (- u)) would otherwise appear.

At the `none` level they build the expression as it is, giving the book's unsimplified form.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

from ..types import NIL, Symbol, normalize_rational
from .expr import Cell, compound, compound1, compound2

PLUS = Symbol("+")
TIMES = Symbol("*")
MINUS = Symbol("-")
DIVIDE = Symbol("/")
POWER = Symbol("**")

# Exact powers whose result would need more bits than this are left unevaluated.
MAX_FOLDED_BITS = 100_000


NUMBER_TYPES = frozenset((int, Fraction, float))


def is_number(value: Any) -> bool:
    kind = type(value)
    return kind is int or kind is Fraction or kind is float


def is_exact(value: Any) -> bool:
    kind = type(value)
    return kind is int or kind is Fraction


def equals_number(value: Any, number: int) -> bool:
    """SICP's =number?: `value` is a number equal to `number` (0 and 0.0 both equal 0)."""
    return is_number(value) and value == number


def _exact(value: Any) -> Any:
    return normalize_rational(value) if type(value) is Fraction else value


def exact_power(base: Any, exponent: Any) -> Any:
    """Return base**exponent when both are exact and the result is an exact rational, else None."""
    if not (is_exact(base) and is_exact(exponent)):
        return None
    if type(exponent) is int:
        if base == 0 and exponent < 0:
            return None
        magnitude = abs(exponent) * max(abs(Fraction(base)).numerator.bit_length(), abs(Fraction(base)).denominator.bit_length())
        if magnitude > MAX_FOLDED_BITS:
            return None
        if exponent >= 0:
            return _exact(Fraction(base) ** exponent)
        return _exact(Fraction(1) / Fraction(base) ** -exponent)
    # A rational exponent p/q folds only when base is the q-th power of a non-negative rational.
    if base < 0:
        return None
    root = _exact_root(Fraction(base), exponent.denominator)
    if root is None:
        return None
    return exact_power(root, exponent.numerator)


def _exact_root(value: Fraction, degree: int) -> Fraction | None:
    numerator = _integer_root(value.numerator, degree)
    denominator = _integer_root(value.denominator, degree)
    if numerator is None or denominator is None:
        return None
    return Fraction(numerator, denominator)


def _integer_root(value: int, degree: int) -> int | None:
    if value.bit_length() > MAX_FOLDED_BITS:
        return None
    if degree == 2:
        root = math.isqrt(value)
    else:
        root = round(value ** (1.0 / degree)) if value.bit_length() < 1000 else None
        if root is None:
            return None
        # Correct a floating-point estimate by checking its neighbours.
        for candidate in (root - 1, root, root + 1):
            if candidate >= 0 and candidate**degree == value:
                return candidate
        return None
    return root if root * root == value else None


# sicp_sum and sicp_product test types inline and test the second operand only when the first
# is not already decisive, because they run once per rule application. Each returns what the
# rules in the module docstring give, checked in the order listed there.
def sicp_sum(a: Any, b: Any) -> Any:
    """SICP's make-sum: the `sicp` level's constructor of (+ a b)."""
    if type(a) in NUMBER_TYPES:
        if a == 0:
            return b
        if type(b) in NUMBER_TYPES:
            if b == 0:
                return a
            return _exact(a + b)
    elif type(b) in NUMBER_TYPES and b == 0:
        return a
    return compound2(PLUS, a, b)


def sicp_product(a: Any, b: Any) -> Any:
    """SICP's make-product: the `sicp` level's constructor of (* a b)."""
    if type(a) in NUMBER_TYPES:
        if a == 0:
            return 0
        if type(b) in NUMBER_TYPES:
            if b == 0:
                return 0
            if a == 1:
                return b
            if b == 1:
                return a
            return _exact(a * b)
        if a == 1:
            return b
    elif type(b) in NUMBER_TYPES:
        if b == 0:
            return 0
        if b == 1:
            return a
    return compound2(TIMES, a, b)


class SicpConstructors:
    """The simplifying constructors of SICP section 2.3.2 (the `sicp` level)."""

    level = "sicp"

    make_sum = staticmethod(sicp_sum)
    make_product = staticmethod(sicp_product)

    def make_power(self, base: Any, exponent: Any, operator: Symbol = POWER) -> Any:
        if type(exponent) in NUMBER_TYPES:
            if exponent == 0:
                return 1
            if exponent == 1:
                return base
            if type(base) in NUMBER_TYPES:
                folded = exact_power(base, exponent)
                if folded is not None:
                    return folded
        return compound2(operator, base, exponent)

    def make_negation(self, a: Any) -> Any:
        if type(a) in NUMBER_TYPES:
            return _exact(-a)
        if type(a) is Cell and a.head is MINUS and type(a.tail) is Cell and a.tail.tail is NIL:
            return a.tail.head  # (- (- u)) is u
        return compound1(MINUS, a)

    def make_difference(self, a: Any, b: Any) -> Any:
        """a - b: b = 0 -> a; a = 0 -> the negation of b; both numbers -> a - b; otherwise (- a b)."""
        if type(b) in NUMBER_TYPES:
            if b == 0:
                return a
            if type(a) in NUMBER_TYPES:
                if a == 0:
                    return self.make_negation(b)
                return _exact(a - b)
        elif type(a) in NUMBER_TYPES and a == 0:
            return self.make_negation(b)
        return compound2(MINUS, a, b)

    def make_quotient(self, a: Any, b: Any) -> Any:
        """a / b: b = 1 -> a; a = 0 -> 0; two numbers with b not 0 -> a / b; otherwise (/ a b)."""
        if equals_number(b, 1):
            return a
        if equals_number(a, 0) and not equals_number(b, 0):
            return 0
        if is_number(a) and is_number(b) and b != 0:
            return _exact(Fraction(a) / Fraction(b)) if is_exact(a) and is_exact(b) else a / b
        return compound(DIVIDE, a, b)

    def make_call(self, function: Symbol, *arguments: Any) -> Any:
        """(function argument ...), for elementary functions; never folded at this level."""
        if len(arguments) == 1:
            return compound1(function, arguments[0])
        return compound(function, *arguments)


class PlainConstructors(SicpConstructors):
    """Constructors that build every expression as written (the `none` level)."""

    level = "none"

    def make_sum(self, a: Any, b: Any) -> Any:
        return compound(PLUS, a, b)

    def make_product(self, a: Any, b: Any) -> Any:
        return compound(TIMES, a, b)

    def make_power(self, base: Any, exponent: Any, operator: Symbol = POWER) -> Any:
        return compound(operator, base, exponent)

    def make_negation(self, a: Any) -> Any:
        return compound(MINUS, a)

    def make_difference(self, a: Any, b: Any) -> Any:
        return compound(MINUS, a, b)

    def make_quotient(self, a: Any, b: Any) -> Any:
        return compound(DIVIDE, a, b)


LEVELS = ("none", "sicp", "full")


def constructors_for(level: str) -> SicpConstructors:
    """Return the constructors of simplification `level` (`none` or `sicp`)."""
    if level == "sicp":
        return SicpConstructors()
    if level == "none":
        return PlainConstructors()
    raise ValueError(f"unknown simplification level {level!r}; expected one of {', '.join(LEVELS)}")
