"""Numeric primitives: arithmetic, comparison, rounding, predicates and conversions.

Exact operands give exact results, and any float operand makes the result a float. Float
arithmetic follows IEEE 754: overflow gives an infinity and division of a float by a float
zero gives an infinity or NaN, never an exception. Complex numbers are not supported, so a
result that would be complex raises EvaluationError.
"""

from __future__ import annotations

import math
import operator
import random
import time
from fractions import Fraction
from typing import Any, Callable

from ...errors import EvaluationError, ReadError
from ...numbers import format_number, to_float
from ...reader import read
from ...types import is_exact, is_number
from ..procedures import PrimitiveRegistry
from .arguments import describe, is_integer_value, type_error

registry = PrimitiveRegistry()

Number = Any  # int | Fraction | float


# --- Conversions and checks ----------------------------------------------------------------


def exact_value(value: int | Fraction) -> int | Fraction:
    """Return an int for an exact rational whose denominator is 1."""
    if type(value) is Fraction and value.denominator == 1:
        return value.numerator
    return value


def check_numbers(name: str, values: tuple) -> None:
    for value in values:
        if not is_number(value):
            raise type_error(name, "a number", value)


def check_number(name: str, value: Any) -> Number:
    if not is_number(value):
        raise type_error(name, "a number", value)
    return value


def check_integer(name: str, value: Any) -> int | float:
    if not is_integer_value(value):
        raise type_error(name, "an integer", value)
    return value


# --- Arithmetic ----------------------------------------------------------------------------


def add_numbers(a: Number, b: Number) -> Number:
    if type(a) is float or type(b) is float:
        return to_float(a) + to_float(b)
    return exact_value(a + b)


def subtract_numbers(a: Number, b: Number) -> Number:
    if type(a) is float or type(b) is float:
        return to_float(a) - to_float(b)
    return exact_value(a - b)


def multiply_numbers(a: Number, b: Number) -> Number:
    if type(a) is float or type(b) is float:
        return to_float(a) * to_float(b)
    return exact_value(a * b)


def divide_floats(a: float, b: float) -> float:
    """Divide as IEEE 754 does, where Python raises ZeroDivisionError for a zero divisor."""
    try:
        return a / b
    except ZeroDivisionError:
        if a != a or a == 0.0:
            return math.nan
        return math.copysign(math.inf, a) * math.copysign(1.0, b)


def divide_numbers(name: str, a: Number, b: Number) -> Number:
    """Divide `a` by `b`. An exact zero divisor raises EvaluationError even when `a` is a float."""
    if is_exact(b):
        if b == 0:
            raise EvaluationError(f"{name}: division by zero")
        if is_exact(a):
            return exact_value(Fraction(a, b))
    return divide_floats(to_float(a), to_float(b))


@registry.define("+", 0)
def add(*numbers: Number) -> Number:
    # Fast path: two exact integers, the most common call in loops and recursion.
    if len(numbers) == 2 and type(numbers[0]) is int and type(numbers[1]) is int:
        return numbers[0] + numbers[1]
    check_numbers("+", numbers)
    if not numbers:
        return 0
    total = numbers[0]
    for number in numbers[1:]:
        total = add_numbers(total, number)
    return total


@registry.define("*", 0)
def multiply(*numbers: Number) -> Number:
    if len(numbers) == 2 and type(numbers[0]) is int and type(numbers[1]) is int:
        return numbers[0] * numbers[1]
    check_numbers("*", numbers)
    if not numbers:
        return 1
    product = numbers[0]
    for number in numbers[1:]:
        product = multiply_numbers(product, number)
    return product


@registry.define("-", 1)
def subtract(first: Number, *rest: Number) -> Number:
    if len(rest) == 1 and type(first) is int and type(rest[0]) is int:
        return first - rest[0]
    check_numbers("-", (first,) + rest)
    if not rest:
        return -first
    difference = first
    for number in rest:
        difference = subtract_numbers(difference, number)
    return difference


@registry.define("/", 1)
def divide(first: Number, *rest: Number) -> Number:
    check_numbers("/", (first,) + rest)
    if not rest:
        return divide_numbers("/", 1, first)
    quotient = first
    for number in rest:
        quotient = divide_numbers("/", quotient, number)
    return quotient


def integer_operands(name: str, a: Any, b: Any) -> tuple[int, int, bool]:
    """Return the two integer operands as ints, and whether either was a float."""
    check_integer(name, a)
    check_integer(name, b)
    inexact = type(a) is float or type(b) is float
    dividend, divisor = int(a), int(b)
    if divisor == 0:
        raise EvaluationError(f"{name}: division by zero")
    return dividend, divisor, inexact


@registry.define("quotient", 2, 2)
def quotient(a: Any, b: Any) -> Number:
    dividend, divisor, inexact = integer_operands("quotient", a, b)
    result = abs(dividend) // abs(divisor)
    if (dividend < 0) != (divisor < 0):
        result = -result
    return to_float(result) if inexact else result


@registry.define("remainder", 2, 2)
def remainder(a: Any, b: Any) -> Number:
    dividend, divisor, inexact = integer_operands("remainder", a, b)
    result = abs(dividend) % abs(divisor)
    if dividend < 0:
        result = -result
    return to_float(result) if inexact else result


@registry.define("modulo", 2, 2)
def modulo(a: Any, b: Any) -> Number:
    dividend, divisor, inexact = integer_operands("modulo", a, b)
    # Python's % takes the sign of the divisor, as modulo must.
    result = dividend % divisor
    return to_float(result) if inexact else result


@registry.define("abs", 1, 1)
def absolute(x: Number) -> Number:
    check_number("abs", x)
    return abs(x)


def make_extremum(name: str, pick: Callable[..., Number]) -> Callable[..., Number]:
    def extremum(*numbers: Number) -> Number:
        check_numbers(name, numbers)
        inexact = any(type(number) is float for number in numbers)
        if not inexact:
            return pick(numbers)
        if any(number != number for number in numbers):
            return math.nan
        return to_float(pick(numbers))

    return extremum


registry.define("min", 1)(make_extremum("min", min))
registry.define("max", 1)(make_extremum("max", max))


def integer_arguments(name: str, values: tuple) -> tuple[list[int], bool]:
    for value in values:
        check_integer(name, value)
    return [int(value) for value in values], any(type(value) is float for value in values)


@registry.define("gcd", 0)
def gcd(*integers: Any) -> Number:
    values, inexact = integer_arguments("gcd", integers)
    result = math.gcd(*values)
    return to_float(result) if inexact else result


@registry.define("lcm", 0)
def lcm(*integers: Any) -> Number:
    values, inexact = integer_arguments("lcm", integers)
    result = math.lcm(*values)
    return to_float(result) if inexact else result


@registry.define("square", 1, 1)
def square(x: Number) -> Number:
    check_number("square", x)
    return multiply_numbers(x, x)


@registry.define("cube", 1, 1)
def cube(x: Number) -> Number:
    check_number("cube", x)
    return multiply_numbers(multiply_numbers(x, x), x)


@registry.define("1+", 1, 1)
def increment(x: Number) -> Number:
    check_number("1+", x)
    return add_numbers(x, 1)


@registry.define("-1+", 1, 1)
def decrement(x: Number) -> Number:
    check_number("-1+", x)
    return subtract_numbers(x, 1)


# --- Exactness and rounding ----------------------------------------------------------------


def define_to_inexact(name: str) -> None:
    def to_inexact(x: Number) -> float:
        check_number(name, x)
        return to_float(x)

    registry.define(name, 1, 1)(to_inexact)


def define_to_exact(name: str) -> None:
    def to_exact(x: Number) -> int | Fraction:
        check_number(name, x)
        if type(x) is not float:
            return x
        if not math.isfinite(x):
            raise EvaluationError(f"{name}: {describe(x)} has no exact value")
        return exact_value(Fraction(x))

    registry.define(name, 1, 1)(to_exact)


define_to_inexact("exact->inexact")
define_to_inexact("inexact")
define_to_exact("inexact->exact")
define_to_exact("exact")


def define_rounding(name: str, function: Callable[[Any], int]) -> None:
    """Register a rounding primitive that keeps exactness and the sign of a float zero."""

    def rounding(x: Number) -> Number:
        check_number(name, x)
        kind = type(x)
        if kind is int:
            return x
        if kind is Fraction:
            return function(x)
        if not math.isfinite(x):
            return x
        return math.copysign(float(function(x)), x)

    registry.define(name, 1, 1)(rounding)


define_rounding("floor", math.floor)
define_rounding("ceiling", math.ceil)
define_rounding("truncate", math.trunc)
# Python's round rounds halves to even for int, Fraction and float alike, as Scheme requires.
define_rounding("round", round)


def define_fraction_part(name: str, part: Callable[[Fraction], int]) -> None:
    def fraction_part(x: Number) -> Number:
        check_number(name, x)
        if type(x) is not float:
            return part(Fraction(x))
        if not math.isfinite(x):
            raise type_error(name, "a rational number", x)
        return float(part(Fraction(x)))

    registry.define(name, 1, 1)(fraction_part)


define_fraction_part("numerator", operator.attrgetter("numerator"))
define_fraction_part("denominator", operator.attrgetter("denominator"))


# --- Predicates ----------------------------------------------------------------------------


@registry.define("number?", 1, 1)
def is_number_predicate(x: Any) -> bool:
    return is_number(x)


registry.define("complex?", 1, 1)(is_number_predicate)
registry.define("real?", 1, 1)(is_number_predicate)


@registry.define("rational?", 1, 1)
def is_rational(x: Any) -> bool:
    kind = type(x)
    return kind is int or kind is Fraction or (kind is float and math.isfinite(x))


@registry.define("integer?", 1, 1)
def is_integer(x: Any) -> bool:
    return is_integer_value(x)


@registry.define("exact?", 1, 1)
def is_exact_predicate(x: Any) -> bool:
    check_number("exact?", x)
    return is_exact(x)


@registry.define("inexact?", 1, 1)
def is_inexact(x: Any) -> bool:
    check_number("inexact?", x)
    return type(x) is float


@registry.define("exact-integer?", 1, 1)
def is_exact_integer(x: Any) -> bool:
    return type(x) is int


@registry.define("exact-rational?", 1, 1)
def is_exact_rational(x: Any) -> bool:
    return is_exact(x)


@registry.define("exact-nonnegative-integer?", 1, 1)
def is_exact_nonnegative_integer(x: Any) -> bool:
    return type(x) is int and x >= 0


@registry.define("nan?", 1, 1)
def is_nan(x: Any) -> bool:
    check_number("nan?", x)
    return x != x


@registry.define("zero?", 1, 1)
def is_zero(x: Any) -> bool:
    check_number("zero?", x)
    return x == 0


@registry.define("positive?", 1, 1)
def is_positive(x: Any) -> bool:
    check_number("positive?", x)
    return x > 0


@registry.define("negative?", 1, 1)
def is_negative(x: Any) -> bool:
    check_number("negative?", x)
    return x < 0


@registry.define("odd?", 1, 1)
def is_odd(x: Any) -> bool:
    check_integer("odd?", x)
    return int(x) % 2 == 1


@registry.define("even?", 1, 1)
def is_even(x: Any) -> bool:
    check_integer("even?", x)
    return int(x) % 2 == 0


def define_comparison(name: str, compare: Callable[[Any, Any], bool]) -> None:
    """Register an n-ary comparison. Python compares int, Fraction and float values exactly."""

    def comparison(*numbers: Number) -> bool:
        if len(numbers) == 2:
            left, right = numbers
            kind_left, kind_right = type(left), type(right)
            if (kind_left is int or kind_left is float) and (kind_right is int or kind_right is float):
                return compare(left, right)
        check_numbers(name, numbers)
        for left, right in zip(numbers, numbers[1:]):
            if not compare(left, right):
                return False
        return True

    registry.define(name, 1)(comparison)


define_comparison("=", operator.eq)
define_comparison("<", operator.lt)
define_comparison(">", operator.gt)
define_comparison("<=", operator.le)
define_comparison(">=", operator.ge)


# --- Number syntax -------------------------------------------------------------------------

RADIX_DIGITS = {2: "01", 8: "01234567", 16: "0123456789abcdefABCDEF"}
RADIX_FORMATS = {2: "b", 8: "o", 16: "x"}

# Every character that can occur in a decimal number the reader accepts, including +inf.0 and
# +nan.0. Checking them first keeps comments, spaces and other syntax from reaching the reader.
DECIMAL_NUMBER_CHARS = frozenset("0123456789+-./eEinfa")


def check_radix(name: str, radix: Any) -> int:
    if type(radix) is not int:
        raise type_error(name, "a radix of 2, 8, 10 or 16", radix)
    if radix not in (2, 8, 10, 16):
        raise EvaluationError(f"{name}: invalid radix {radix}; use 2, 8, 10 or 16")
    return radix


@registry.define("number->string", 1, 2)
def number_to_string(z: Number, radix: Any = 10) -> str:
    check_number("number->string", z)
    check_radix("number->string", radix)
    if radix == 10:
        return format_number(z)
    if type(z) is float:
        raise EvaluationError(f"number->string: radix {radix} is supported only for exact numbers, got {describe(z)}")
    # Python's int-to-string digit limit applies only to bases that are not powers of two.
    spec = RADIX_FORMATS[radix]
    if type(z) is int:
        return format(z, spec)
    return f"{format(z.numerator, spec)}/{format(z.denominator, spec)}"


def parse_in_radix(text: str, radix: int) -> Number | bool:
    """Parse an exact integer or rational in radix 2, 8 or 16, or return False if `text` is not one."""
    digits = RADIX_DIGITS[radix]
    negative = text[:1] == "-"
    body = text[1:] if text[:1] in ("+", "-") else text
    parts = body.split("/")
    if len(parts) > 2:
        return False
    for part in parts:
        if not part or any(char not in digits for char in part):
            return False
    numerator = int(parts[0], radix)
    if negative:
        numerator = -numerator
    if len(parts) == 1:
        return numerator
    denominator = int(parts[1], radix)
    if denominator == 0:
        return False
    return exact_value(Fraction(numerator, denominator))


@registry.define("string->number", 1, 2)
def string_to_number(text: Any, radix: Any = 10) -> Number | bool:
    if type(text) is not str:
        raise type_error("string->number", "a string", text)
    check_radix("string->number", radix)
    if radix != 10:
        return parse_in_radix(text, radix)
    if not text or any(char not in DECIMAL_NUMBER_CHARS for char in text):
        return False
    try:
        value = read(text)
    except ReadError:
        return False
    return value if is_number(value) else False


# --- Random numbers and time ---------------------------------------------------------------

_generator = random.Random()


@registry.define("random", 1, 1)
def random_number(limit: Any) -> Number:
    expected = "a positive exact integer or a positive finite float"
    kind = type(limit)
    if kind is not int and kind is not float:
        raise type_error("random", expected, limit)
    if not 0 < limit < math.inf:
        raise EvaluationError(f"random: expected {expected}, got {describe(limit)}")
    if kind is int:
        return _generator.randrange(limit)
    return _generator.random() * limit


@registry.define("runtime", 0, 0)
def runtime() -> int:
    """Return a monotonic clock reading in microseconds, for timing code."""
    return time.monotonic_ns() // 1000
