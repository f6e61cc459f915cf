"""Conversions between Scheme number syntax and Python numbers, safe for very long integers.

CPython 3.11 limits int <-> str conversion to 4300 digits by default; changing that limit is a
process-wide setting that a library must not touch, so long integers are split in halves here.
"""

from __future__ import annotations

import math
from fractions import Fraction

from .errors import EvaluationError
from .types import normalize_rational

_CHUNK_DIGITS = 2000


def decimal_to_int(digits: str) -> int:
    """Convert a string of decimal digits (with an optional sign) to an int of any length."""
    sign = 1
    if digits[:1] in "+-":
        sign = -1 if digits[0] == "-" else 1
        digits = digits[1:]
    return sign * _unsigned_decimal_to_int(digits)


def _unsigned_decimal_to_int(digits: str) -> int:
    if len(digits) <= _CHUNK_DIGITS:
        return int(digits)
    split = len(digits) // 2
    high = _unsigned_decimal_to_int(digits[:-split])
    low = _unsigned_decimal_to_int(digits[-split:])
    return high * 10**split + low


# Writing an integer in decimal takes time that grows faster than its length, in calls that
# Ctrl-C cannot interrupt: about 0.6 s for 300,000 digits, 5 s for 900,000 and a minute for
# 3 million on CPython 3.11. Longer integers are not written.
MAX_WRITTEN_DIGITS = 500_000


def int_to_decimal(value: int) -> str:
    """Convert an int of any size up to MAX_WRITTEN_DIGITS digits to its decimal digits."""
    digits = value.bit_length() * math.log10(2)
    if digits > MAX_WRITTEN_DIGITS:
        raise EvaluationError(
            f"integer too large to write: it has about {digits:.3g} digits, over the limit of "
            f"{MAX_WRITTEN_DIGITS:,}; write a part of it, such as (modulo n (expt 10 50))"
        )
    return _int_to_decimal(value)


def _int_to_decimal(value: int) -> str:
    if value < 0:
        return "-" + _int_to_decimal(-value)
    if value.bit_length() <= _CHUNK_DIGITS * 3:
        return str(value)
    # Split at a power of ten near the middle; the low half keeps its leading zeros.
    digits_estimate = int(value.bit_length() * math.log10(2)) + 1
    split = digits_estimate // 2
    high, low = divmod(value, 10**split)
    return _int_to_decimal(high) + _int_to_decimal(low).rjust(split, "0")


def parse_number(text: str) -> int | Fraction | float:
    """Convert a token the grammar matched as NUMBER to a Python number.

    Raises ZeroDivisionError for an exact rational with denominator 0.
    """
    if text in ("+inf.0", "-inf.0", "+nan.0", "-nan.0"):
        return float(text[:-2])
    if "/" in text:
        numerator, denominator = text.split("/")
        return normalize_rational(
            Fraction(decimal_to_int(numerator), decimal_to_int(denominator))
        )
    if "." in text or "e" in text or "E" in text:
        return float(text)
    return decimal_to_int(text)


def format_number(value: int | Fraction | float) -> str:
    """Return the Scheme external representation of a number."""
    kind = type(value)
    if kind is int:
        return int_to_decimal(value)  # type: ignore[arg-type]
    if kind is Fraction:
        return f"{int_to_decimal(value.numerator)}/{int_to_decimal(value.denominator)}"  # type: ignore[union-attr]
    if value != value:
        return "+nan.0"
    if value == math.inf:
        return "+inf.0"
    if value == -math.inf:
        return "-inf.0"
    return repr(value)


def to_float(value: int | Fraction | float) -> float:
    """Convert a number to float, giving an infinity where it is too large for a float."""
    try:
        return float(value)
    except OverflowError:
        return math.inf if value > 0 else -math.inf
