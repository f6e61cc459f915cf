"""Elementary functions: powers, roots, exponentials, logarithms and trigonometric functions.

Exact arguments give exact results where the value is exactly representable, as in (sqrt 16)
or (exp 0). Complex numbers are not supported, so an argument whose result would be complex
raises EvaluationError, except that a NaN argument gives NaN.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Callable

from ...errors import EvaluationError
from ...types import is_exact
from ..procedures import PrimitiveRegistry
from .arguments import describe
from .numbers import Number, check_number, divide_floats, exact_value, to_float

registry = PrimitiveRegistry()

# expt raises instead of building an exact result larger than this many bits (about 3 million
# decimal digits), because such a result is megabytes long when printed.
MAX_EXACT_POWER_BITS = 10_000_000


def no_complex_result(name: str, detail: str) -> EvaluationError:
    return EvaluationError(f"{name}: {detail}; complex numbers are not supported")


def exact_log(value: int | Fraction) -> float:
    """Return the natural logarithm of a positive exact number, even one beyond float range."""
    as_float = to_float(value)
    if 0.0 < as_float < math.inf:
        return math.log(as_float)
    # math.log accepts ints of any size, so a rational outside float range goes by parts.
    if type(value) is int:
        return math.log(value)
    return math.log(value.numerator) - math.log(value.denominator)


def safe_exp(value: float) -> float:
    try:
        return math.exp(value)
    except OverflowError:
        return math.inf


def check_exact_power_size(base: int | Fraction, exponent: int) -> None:
    """Raise EvaluationError if base ** exponent, computed exactly, would be too large.

    The estimate uses logarithms of the operands, so nothing large is computed first.
    """
    if base in (0, 1, -1) or exponent == 0:
        return
    if type(base) is int:
        bits_per_power = math.log2(abs(base))
    else:
        bits_per_power = max(math.log2(abs(base.numerator)), math.log2(base.denominator))
    bits = bits_per_power * to_float(abs(exponent))
    if bits <= MAX_EXACT_POWER_BITS:
        return
    digits = bits * math.log10(2)
    size = f"about {int(digits)} digits" if digits < math.inf else "more than 1e308 digits"
    raise EvaluationError(f"expt: result too large: {size}")


def exact_integer_power(base: int | Fraction, exponent: int) -> int | Fraction:
    if base == 0 and exponent < 0:
        raise EvaluationError("expt: division by zero")
    if base == 1:
        return 1
    if base == -1:
        return 1 if exponent % 2 == 0 else -1
    check_exact_power_size(base, exponent)
    if exponent >= 0:
        return exact_value(base**exponent)
    return exact_value(Fraction(base) ** exponent)


def integer_root(n: int, degree: int) -> int | None:
    """Return the exact `degree`-th root of the nonnegative int `n`, or None if it is irrational."""
    if n < 2:
        return n
    # A root of n >= 2 with 2 ** degree > n lies strictly between 1 and 2.
    if degree >= n.bit_length():
        return None
    if degree == 2:
        root = math.isqrt(n)
    else:
        # Newton's method on integers, starting above the root, decreases to the floor of it.
        root = 1 << -(-n.bit_length() // degree)
        while True:
            better = ((degree - 1) * root + n // root ** (degree - 1)) // degree
            if better >= root:
                break
            root = better
    return root if root**degree == n else None


def exact_root(value: int | Fraction, degree: int) -> int | Fraction | None:
    """Return the exact `degree`-th root of a nonnegative rational, or None if it is irrational."""
    numerator_root = integer_root(value.numerator, degree)
    if numerator_root is None:
        return None
    denominator_root = integer_root(value.denominator, degree)
    if denominator_root is None:
        return None
    return exact_value(Fraction(numerator_root, denominator_root))


def float_power(base: float, exponent: float) -> float:
    """Raise a float to a float power as IEEE 754 pow does, rejecting complex results."""
    if base != base or exponent != exponent:
        return math.pow(base, exponent)
    exponent_is_integer = exponent.is_integer()
    exponent_is_odd = exponent_is_integer and math.fmod(exponent, 2.0) != 0.0
    if base == 0.0 and exponent < 0:
        return math.copysign(math.inf, base) if exponent_is_odd else math.inf
    if base < 0 and math.isfinite(exponent) and not exponent_is_integer:
        raise no_complex_result("expt", f"{describe(base)} raised to {describe(exponent)} is not a real number")
    try:
        return math.pow(base, exponent)
    except OverflowError:
        return -math.inf if base < 0 and exponent_is_odd else math.inf


def inexact_power(base: Number, exponent: Number) -> float:
    """Compute base ** exponent as a float, for exponents that are not exact integers."""
    if is_exact(base) and base > 0:
        as_float = to_float(base)
        if not 0.0 < as_float < math.inf:
            # The base is outside float range, so go through its logarithm.
            return safe_exp(exact_log(base) * to_float(exponent))
    return float_power(to_float(base), to_float(exponent))


def float_integer_power(base: float, exponent: int) -> float:
    if exponent == 0:
        return 1.0
    if base == 0.0 and exponent < 0:
        return math.copysign(math.inf, base) if exponent % 2 else math.inf
    try:
        return base**exponent
    except OverflowError:
        # The result or the exponent is out of float range, so the magnitude is 0 or infinite.
        if base != base:
            return math.nan
        magnitude = abs(base)
        if magnitude == 1.0:
            result = 1.0
        elif (magnitude > 1.0) == (exponent > 0):
            result = math.inf
        else:
            result = 0.0
        return -result if base < 0 and exponent % 2 else result


@registry.define("expt", 2, 2)
def expt(base: Number, exponent: Number) -> Number:
    check_number("expt", base)
    check_number("expt", exponent)
    if type(exponent) is int:
        if is_exact(base):
            return exact_integer_power(base, exponent)
        return float_integer_power(base, exponent)
    if type(exponent) is Fraction and is_exact(base):
        if base < 0:
            raise no_complex_result("expt", f"{describe(base)} raised to {describe(exponent)} is not a real number")
        if base == 0:
            if exponent < 0:
                raise EvaluationError("expt: division by zero")
            return 0
        root = exact_root(base, exponent.denominator)
        if root is not None:
            return exact_integer_power(root, exponent.numerator)
    return inexact_power(base, exponent)


@registry.define("exp", 1, 1)
def exp(x: Number) -> Number:
    check_number("exp", x)
    if is_exact(x) and x == 0:
        return 1
    return safe_exp(to_float(x))


def natural_log(x: Number) -> Number:
    if is_exact(x):
        if x == 1:
            return 0
        if x == 0:
            raise EvaluationError("log: the logarithm of exact 0 is undefined")
        if x < 0:
            raise no_complex_result("log", f"no real logarithm of {describe(x)}")
        return exact_log(x)
    if x != x:
        return x
    if x == 0.0:
        return -math.inf
    if x < 0:
        raise no_complex_result("log", f"no real logarithm of {describe(x)}")
    return math.log(x)


@registry.define("log", 1, 2)
def log(x: Number, base: Number | None = None) -> Number:
    check_number("log", x)
    if base is None:
        return natural_log(x)
    check_number("log", base)
    if is_exact(base) and base == 1:
        raise EvaluationError("log: invalid base 1: the base must be positive and not 1")
    log_x = natural_log(x)
    log_base = natural_log(base)
    if is_exact(log_x) and log_base != 0:
        # x is exact 1, whose logarithm is 0 in every valid base.
        return 0
    return divide_floats(to_float(log_x), log_base)


@registry.define("sqrt", 1, 1)
def sqrt(x: Number) -> Number:
    check_number("sqrt", x)
    if type(x) is float:
        if x != x:
            return x
        if x < 0:
            raise no_complex_result("sqrt", f"no real square root of {describe(x)}")
        return math.sqrt(x)
    if x < 0:
        raise no_complex_result("sqrt", f"no real square root of {describe(x)}")
    root = exact_root(x, 2)
    if root is not None:
        return root
    as_float = to_float(x)
    if 0.0 < as_float < math.inf:
        return math.sqrt(as_float)
    return safe_exp(exact_log(x) / 2)


def define_trigonometric(name: str, function: Callable[[float], float], exact_zero_result: int) -> None:
    """Register a sine-like function: exact 0 maps to an exact result, infinities to NaN."""

    def trigonometric(x: Number) -> Number:
        check_number(name, x)
        if is_exact(x) and x == 0:
            return exact_zero_result
        as_float = to_float(x)
        if is_exact(x) and math.isinf(as_float):
            # NaN would be a wrong result here: the exact argument has a sine, but no float near it.
            raise EvaluationError(f"{name}: the exact argument is beyond the float range (about 1.8e308), where {name} has no float value")
        try:
            return function(as_float)
        except ValueError:
            # math.sin, math.cos and math.tan raise for an infinite argument, where IEEE 754 gives NaN.
            return math.nan

    registry.define(name, 1, 1)(trigonometric)


define_trigonometric("sin", math.sin, 0)
define_trigonometric("cos", math.cos, 1)
define_trigonometric("tan", math.tan, 0)


def define_inverse_sine(name: str, function: Callable[[float], float], exact_argument: int) -> None:
    """Register asin or acos, which take arguments in [-1, 1] and map `exact_argument` to exact 0.

    The range check compares the exact argument, so a rational just above 1 raises even though
    it rounds to 1.0.
    """

    def inverse(x: Number) -> Number:
        check_number(name, x)
        if is_exact(x) and x == exact_argument:
            return 0
        if x != x:
            return x
        if x > 1 or x < -1:
            raise no_complex_result(name, f"{describe(x)} is outside the domain [-1, 1]")
        return function(to_float(x))

    registry.define(name, 1, 1)(inverse)


define_inverse_sine("asin", math.asin, 0)
define_inverse_sine("acos", math.acos, 1)


@registry.define("atan", 1, 2)
def atan(y: Number, x: Number | None = None) -> Number:
    check_number("atan", y)
    if x is None:
        if is_exact(y) and y == 0:
            return 0
        return math.atan(to_float(y))
    check_number("atan", x)
    if is_exact(y) and is_exact(x):
        if y == 0 and x == 0:
            raise EvaluationError("atan: the angle of exact (0, 0) is undefined")
        if y == 0 and x > 0:
            return 0
    return math.atan2(to_float(y), to_float(x))
