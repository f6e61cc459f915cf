"""Tests of the numeric primitives in symdiff.evaluator.builtins.numbers."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest

from symdiff.evaluator.core import apply_procedure
from hypothesis import given
from hypothesis import strategies as st

from symdiff.errors import ArityError, EvaluationError, SchemeTypeError
from symdiff.evaluator.builtins import all_primitives
from symdiff.numbers import int_to_decimal

PRIMITIVES = all_primitives()

INF = math.inf
NAN = math.nan
HALF = Fraction(1, 2)
THIRD = Fraction(1, 3)
BIG = 10**10000 + 7  # 10,001 digits
BIG_SQUARE = BIG * BIG


def case_id(value):
    """Name a test case parameter; pytest's default str() fails on ints over 4300 digits."""
    if type(value) is int and value.bit_length() > 64:
        return f"int{value.bit_length()}bits"
    return None


def call(name, *args):
    # Through the evaluator's apply_procedure, which checks arity and finishes tail calls.
    return apply_procedure(PRIMITIVES[name], list(args))


def same_value(result, expected) -> bool:
    """Compare numbers, counting NaN equal to NaN and -0.0 different from 0.0."""
    if type(expected) is float:
        if math.isnan(expected):
            return math.isnan(result)
        if expected == 0.0:
            return result == 0.0 and math.copysign(1.0, result) == math.copysign(1.0, expected)
    return result == expected


def check_result(name, args, expected):
    if isinstance(expected, type) and issubclass(expected, Exception):
        with pytest.raises(expected):
            call(name, *args)
        return
    result = call(name, *args)
    assert type(result) is type(expected)
    assert same_value(result, expected)


ARITHMETIC = [
    ("+", (), 0),
    ("+", (1, 2, 3), 6),
    ("+", (HALF, HALF), 1),
    ("+", (THIRD, THIRD), Fraction(2, 3)),
    ("+", (1, 0.5), 1.5),
    ("+", (HALF, 0.25), 0.75),
    ("+", (-0.0,), -0.0),
    ("+", (BIG, 1), BIG + 1),
    ("+", (10**400, 1.0), INF),
    ("+", (10**400, -(10**400), 1.0), 1.0),
    ("+", (INF, -INF), NAN),
    ("+", (1e308, 1e308), INF),
    ("+", (True, 1), SchemeTypeError),
    ("+", (1, "a"), SchemeTypeError),
    ("-", (5,), -5),
    ("-", (HALF,), -HALF),
    ("-", (0.0,), -0.0),
    ("-", (10, 1, 2), 7),
    ("-", (1, HALF), HALF),
    ("-", (1, 0.5), 0.5),
    ("-", (BIG, BIG), 0),
    ("-", (), ArityError),
    ("-", (False,), SchemeTypeError),
    ("*", (), 1),
    ("*", (2, 3, 4), 24),
    ("*", (Fraction(2, 3), Fraction(3, 2)), 1),
    ("*", (2, 0.5), 1.0),
    ("*", (1e200, 1e200), INF),
    ("*", (-1e200, 1e200), -INF),
    ("*", (INF, 0.0), NAN),
    ("*", (BIG, BIG), BIG_SQUARE),
    ("*", (10**400, 1.5), INF),
    ("*", (None,), SchemeTypeError),
    ("/", (1, 3), THIRD),
    ("/", (6, 3), 2),
    ("/", (3, 4, 5), Fraction(3, 20)),
    ("/", (2,), HALF),
    ("/", (HALF,), 2),
    ("/", (0.5,), 2.0),
    ("/", (1, 2.0), 0.5),
    ("/", (1.0, 0.0), INF),
    ("/", (-1, 0.0), -INF),
    ("/", (1, -0.0), -INF),
    ("/", (0.0, 0.0), NAN),
    ("/", (NAN, 0.0), NAN),
    ("/", (1e308, 1e-308), INF),
    ("/", (1, 0), EvaluationError),
    ("/", (0,), EvaluationError),
    ("/", (1.5, 0), EvaluationError),
    ("/", (BIG_SQUARE, BIG), BIG),
    ("/", (1.5, 10**400), 0.0),
    ("/", (), ArityError),
]


@pytest.mark.parametrize("name, args, expected", ARITHMETIC, ids=case_id)
def test_arithmetic(name, args, expected):
    check_result(name, args, expected)


INTEGER_DIVISION = [
    ("quotient", (17, 5), 3),
    ("quotient", (-17, 5), -3),
    ("quotient", (17, -5), -3),
    ("quotient", (-17, -5), 3),
    ("quotient", (17.0, 5), 3.0),
    ("quotient", (BIG_SQUARE, BIG), BIG),
    ("quotient", (10**400, 2.0), INF),
    ("quotient", (1, 0), EvaluationError),
    ("quotient", (1.0, 0.0), EvaluationError),
    ("quotient", (1.5, 1), SchemeTypeError),
    ("quotient", (HALF, 1), SchemeTypeError),
    ("quotient", (INF, 1), SchemeTypeError),
    ("quotient", (True, 1), SchemeTypeError),
    ("remainder", (17, 5), 2),
    ("remainder", (-17, 5), -2),
    ("remainder", (17, -5), 2),
    ("remainder", (-17, -5), -2),
    ("remainder", (-17.0, 5), -2.0),
    ("remainder", (BIG, 10), 7),
    ("remainder", (5, 0), EvaluationError),
    ("modulo", (17, 5), 2),
    ("modulo", (-17, 5), 3),
    ("modulo", (17, -5), -3),
    ("modulo", (-17, -5), -2),
    ("modulo", (-17, 5.0), 3.0),
    ("modulo", (-BIG, 10), 3),
    ("modulo", (-1.0, 10**400), INF),
    ("modulo", (5, 0), EvaluationError),
    ("gcd", (), 0),
    ("gcd", (12, 18), 6),
    ("gcd", (-12, 18), 6),
    ("gcd", (12.0, 18), 6.0),
    ("gcd", (BIG, 3 * BIG), BIG),
    ("gcd", (HALF,), SchemeTypeError),
    ("lcm", (), 1),
    ("lcm", (4, 6), 12),
    ("lcm", (-4, 6), 12),
    ("lcm", (0, 6), 0),
    ("lcm", (4.0, 6), 12.0),
    ("lcm", (1.5, 6), SchemeTypeError),
]


@pytest.mark.parametrize("name, args, expected", INTEGER_DIVISION, ids=case_id)
def test_integer_division(name, args, expected):
    check_result(name, args, expected)


SIMPLE_FUNCTIONS = [
    ("abs", (-5,), 5),
    ("abs", (-HALF,), HALF),
    ("abs", (-2.5,), 2.5),
    ("abs", (-BIG,), BIG),
    ("abs", ("x",), SchemeTypeError),
    ("min", (3, 1, 2), 1),
    ("min", (HALF, THIRD), THIRD),
    ("min", (1, 2.0), 1.0),
    ("min", (3, NAN), NAN),
    ("min", (BIG, 10**400), 10**400),
    ("min", (), ArityError),
    ("max", (3, 1, 2), 3),
    ("max", (1, 2.0), 2.0),
    ("max", (3, 2.0), 3.0),
    ("max", (BIG, 0.0), INF),
    ("max", (1, True), SchemeTypeError),
    ("square", (5,), 25),
    ("square", (HALF,), Fraction(1, 4)),
    ("square", (1.5,), 2.25),
    ("square", (1e200,), INF),
    ("square", (BIG,), BIG_SQUARE),
    ("cube", (3,), 27),
    ("cube", (-HALF,), Fraction(-1, 8)),
    ("cube", (2.0,), 8.0),
    ("1+", (1,), 2),
    ("1+", (HALF,), Fraction(3, 2)),
    ("1+", (0.5,), 1.5),
    ("-1+", (1,), 0),
    ("-1+", (BIG,), BIG - 1),
    ("1+", ("1",), SchemeTypeError),
    ("numerator", (Fraction(6, 4),), 3),
    ("numerator", (5,), 5),
    ("numerator", (0.5,), 1.0),
    ("denominator", (Fraction(6, 4),), 2),
    ("denominator", (5,), 1),
    ("denominator", (0.75,), 4.0),
    ("denominator", (INF,), SchemeTypeError),
]


@pytest.mark.parametrize("name, args, expected", SIMPLE_FUNCTIONS, ids=case_id)
def test_simple_function(name, args, expected):
    check_result(name, args, expected)


POWERS = [
    ("expt", (2, 10), 1024),
    ("expt", (2, 0), 1),
    ("expt", (0, 0), 1),
    ("expt", (0, 5), 0),
    ("expt", (2, -2), Fraction(1, 4)),
    ("expt", (-2, -3), Fraction(-1, 8)),
    ("expt", (Fraction(2, 3), 2), Fraction(4, 9)),
    ("expt", (Fraction(2, 3), -2), Fraction(9, 4)),
    ("expt", (HALF, -1), 2),
    ("expt", (-1, 10**30 + 1), -1),
    ("expt", (1, 10**30), 1),
    ("expt", (10, 10000), 10**10000),
    ("expt", (0, -1), EvaluationError),
    ("expt", (10, 10**7), EvaluationError),
    ("expt", (2, 10**30), EvaluationError),
    ("expt", (HALF, -(10**30)), EvaluationError),
    ("expt", (4, HALF), 2),
    ("expt", (Fraction(8, 27), Fraction(2, 3)), Fraction(4, 9)),
    ("expt", (8, Fraction(-1, 3)), HALF),
    ("expt", (BIG_SQUARE, HALF), BIG),
    ("expt", (2, HALF), math.sqrt(2)),
    ("expt", (0, HALF), 0),
    ("expt", (0, -HALF), EvaluationError),
    ("expt", (-8, Fraction(1, 3)), EvaluationError),
    ("expt", (2.0, 3), 8.0),
    ("expt", (-2.0, 3), -8.0),
    ("expt", (2.0, -1), 0.5),
    ("expt", (10.0, 400), INF),
    ("expt", (-10.0, 401), -INF),
    ("expt", (0.5, 10**400), 0.0),
    ("expt", (-2.0, 10**400 + 1), -INF),
    ("expt", (0.0, -1), INF),
    ("expt", (-0.0, -1), -INF),
    ("expt", (2, 0.5), math.sqrt(2)),
    ("expt", (4.0, 0.5), 2.0),
    ("expt", (-8.0, 1.0 / 3), EvaluationError),
    ("expt", (-8.0, 2.0), 64.0),
    ("expt", (NAN, 0.5), NAN),
    ("expt", (-8.0, NAN), NAN),
    ("expt", (10**400, 0.5), 1e200),
    ("expt", (1e300, 1e300), INF),
    ("expt", (2, True), SchemeTypeError),
    ("exp", (0,), 1),
    ("exp", (1,), math.e),
    ("exp", (0.0,), 1.0),
    ("exp", (1000,), INF),
    ("exp", (-1000,), 0.0),
    ("exp", (10**400,), INF),
    ("exp", (-INF,), 0.0),
    ("exp", (NAN,), NAN),
    ("log", (1,), 0),
    ("log", (math.e,), 1.0),
    ("log", (0.0,), -INF),
    ("log", (INF,), INF),
    ("log", (NAN,), NAN),
    ("log", (0,), EvaluationError),
    ("log", (-1,), EvaluationError),
    ("log", (-1.0,), EvaluationError),
    ("log", (10**400,), 400 * math.log(10)),
    ("log", (Fraction(1, 10**400),), -400 * math.log(10)),
    ("log", (100, 10), 2.0),
    ("log", (1, 10), 0),
    ("log", (8, 1), EvaluationError),
    ("log", (8, 1.0), INF),
    ("log", (8, -2), EvaluationError),
    ("log", ("e",), SchemeTypeError),
    ("sqrt", (16,), 4),
    ("sqrt", (0,), 0),
    ("sqrt", (Fraction(1, 4),), HALF),
    ("sqrt", (Fraction(1, 2),), math.sqrt(0.5)),
    ("sqrt", (15,), math.sqrt(15)),
    ("sqrt", (16.0,), 4.0),
    ("sqrt", (-0.0,), -0.0),
    ("sqrt", (INF,), INF),
    ("sqrt", (NAN,), NAN),
    ("sqrt", (BIG_SQUARE,), BIG),
    ("sqrt", (10**401,), math.sqrt(10) * 1e200),
    ("sqrt", (-4,), EvaluationError),
    ("sqrt", (-4.0,), EvaluationError),
    ("sqrt", (-INF,), EvaluationError),
]


@pytest.mark.parametrize("name, args, expected", POWERS, ids=case_id)
def test_power(name, args, expected):
    if isinstance(expected, float) and math.isfinite(expected) and expected != 0.0:
        result = call(name, *args)
        assert type(result) is float
        assert result == pytest.approx(expected, rel=1e-12)
        return
    check_result(name, args, expected)


TRIGONOMETRY = [
    ("sin", (0,), 0),
    ("sin", (0.0,), 0.0),
    ("sin", (1,), math.sin(1)),
    ("sin", (INF,), NAN),
    ("sin", (10**400,), EvaluationError),  # an exact argument has a sine, but no float near it
    ("cos", (0,), 1),
    ("cos", (0.0,), 1.0),
    ("cos", (HALF,), math.cos(0.5)),
    ("tan", (0,), 0),
    ("tan", (1,), math.tan(1)),
    ("tan", (-INF,), NAN),
    ("asin", (0,), 0),
    ("asin", (1,), math.pi / 2),
    ("asin", (NAN,), NAN),
    ("asin", (2,), EvaluationError),
    ("asin", (-1.5,), EvaluationError),
    ("asin", (1 + Fraction(1, 10**30),), EvaluationError),
    ("acos", (1,), 0),
    ("acos", (0,), math.pi / 2),
    ("acos", (-1.0,), math.pi),
    ("acos", (1.0001,), EvaluationError),
    ("atan", (0,), 0),
    ("atan", (1,), math.pi / 4),
    ("atan", (INF,), math.pi / 2),
    ("atan", (1, 1), math.pi / 4),
    ("atan", (0, 1), 0),
    ("atan", (0, -1), math.pi),
    ("atan", (-1.0, 0), -math.pi / 2),
    ("atan", (0, 0), EvaluationError),
    ("atan", (0.0, 0.0), 0.0),
    ("sin", ("x",), SchemeTypeError),
    ("atan", (1, "x"), SchemeTypeError),
]


@pytest.mark.parametrize("name, args, expected", TRIGONOMETRY, ids=case_id)
def test_trigonometry(name, args, expected):
    check_result(name, args, expected)


EXACTNESS = [
    ("exact->inexact", (HALF,), 0.5),
    ("exact->inexact", (3,), 3.0),
    ("exact->inexact", (BIG,), INF),
    ("exact->inexact", (-BIG,), -INF),
    ("exact->inexact", (Fraction(BIG, 3),), INF),
    ("exact->inexact", (Fraction(1, BIG),), 0.0),
    ("exact->inexact", (2.5,), 2.5),
    ("inexact", (THIRD,), 1 / 3),
    ("inexact->exact", (0.5,), HALF),
    ("inexact->exact", (2.0,), 2),
    ("inexact->exact", (0.1,), Fraction(3602879701896397, 36028797018963968)),
    ("inexact->exact", (1e300,), int(1e300)),
    ("inexact->exact", (7,), 7),
    ("inexact->exact", (INF,), EvaluationError),
    ("inexact->exact", (NAN,), EvaluationError),
    ("exact", (-0.25,), Fraction(-1, 4)),
    ("exact", ("1",), SchemeTypeError),
    ("floor", (2.5,), 2.0),
    ("floor", (-2.5,), -3.0),
    ("floor", (Fraction(-7, 2),), -4),
    ("floor", (5,), 5),
    ("floor", (INF,), INF),
    ("ceiling", (2.1,), 3.0),
    ("ceiling", (-0.5,), -0.0),
    ("ceiling", (Fraction(7, 2),), 4),
    ("truncate", (-2.7,), -2.0),
    ("truncate", (Fraction(-7, 2),), -3),
    ("truncate", (NAN,), NAN),
    ("round", (2.5,), 2.0),
    ("round", (3.5,), 4.0),
    ("round", (-2.5,), -2.0),
    ("round", (-0.4,), -0.0),
    ("round", (Fraction(5, 2),), 2),
    ("round", (Fraction(7, 2),), 4),
    ("round", (Fraction(7, 3),), 2),
    ("round", (BIG,), BIG),
    ("round", (1e300,), 1e300),
    ("round", (True,), SchemeTypeError),
]


@pytest.mark.parametrize("name, args, expected", EXACTNESS, ids=case_id)
def test_exactness_and_rounding(name, args, expected):
    check_result(name, args, expected)


PREDICATES = [
    ("number?", (1,), True),
    ("number?", (HALF,), True),
    ("number?", (NAN,), True),
    ("number?", (True,), False),
    ("number?", ("1",), False),
    ("real?", (1.5,), True),
    ("real?", (False,), False),
    ("complex?", (1,), True),
    ("rational?", (HALF,), True),
    ("rational?", (1.5,), True),
    ("rational?", (INF,), False),
    ("rational?", (NAN,), False),
    ("rational?", (True,), False),
    ("integer?", (5,), True),
    ("integer?", (5.0,), True),
    ("integer?", (5.5,), False),
    ("integer?", (HALF,), False),
    ("integer?", (INF,), False),
    ("integer?", (True,), False),
    ("integer?", ("5",), False),
    ("exact?", (HALF,), True),
    ("exact?", (0.5,), False),
    ("exact?", ("x",), SchemeTypeError),
    ("inexact?", (0.5,), True),
    ("inexact?", (BIG,), False),
    ("inexact?", (True,), SchemeTypeError),
    ("exact-integer?", (5,), True),
    ("exact-integer?", (5.0,), False),
    ("exact-integer?", (True,), False),
    ("exact-rational?", (HALF,), True),
    ("exact-rational?", (0.5,), False),
    ("exact-nonnegative-integer?", (0,), True),
    ("exact-nonnegative-integer?", (-1,), False),
    ("exact-nonnegative-integer?", (True,), False),
    ("nan?", (NAN,), True),
    ("nan?", (INF,), False),
    ("nan?", (1,), False),
    ("nan?", ("x",), SchemeTypeError),
    ("zero?", (0,), True),
    ("zero?", (-0.0,), True),
    ("zero?", (HALF,), False),
    ("zero?", (False,), SchemeTypeError),
    ("positive?", (HALF,), True),
    ("positive?", (0,), False),
    ("positive?", (NAN,), False),
    ("negative?", (-INF,), True),
    ("negative?", (-0.0,), False),
    ("odd?", (3,), True),
    ("odd?", (-3,), True),
    ("odd?", (4.0,), False),
    ("odd?", (BIG,), True),
    ("odd?", (1.5,), SchemeTypeError),
    ("even?", (0,), True),
    ("even?", (-2,), True),
    ("even?", (BIG,), False),
    ("even?", (True,), SchemeTypeError),
]


@pytest.mark.parametrize("name, args, expected", PREDICATES, ids=case_id)
def test_predicate(name, args, expected):
    check_result(name, args, expected)


COMPARISONS = [
    ("=", (1,), True),
    ("=", (1, 1.0), True),
    ("=", (HALF, 0.5), True),
    ("=", (THIRD, 1 / 3), False),
    ("=", (1, 1, 2), False),
    ("=", (NAN, NAN), False),
    ("=", (2**53 + 1, float(2**53)), False),
    ("=", (BIG, BIG), True),
    ("=", (1, True), SchemeTypeError),
    ("=", (), ArityError),
    ("<", (1, 2, 3), True),
    ("<", (1, 3, 2), False),
    ("<", (1, 1), False),
    ("<", (THIRD, 0.3333333333333333), False),
    ("<", (0.3333333333333333, THIRD), True),
    ("<", (BIG, INF), True),
    ("<", (-INF, -BIG), True),
    ("<", (1, NAN), False),
    ("<", (2, 1, "x"), SchemeTypeError),
    (">", (3, 2, 1), True),
    (">", (3, 3), False),
    ("<=", (1, 1, 2), True),
    ("<=", (2, 1), False),
    (">=", (2, 2.0, HALF), True),
    (">=", (1, 2), False),
]


@pytest.mark.parametrize("name, args, expected", COMPARISONS, ids=case_id)
def test_comparison(name, args, expected):
    check_result(name, args, expected)


NUMBER_SYNTAX = [
    ("number->string", (42,), "42"),
    ("number->string", (-HALF,), "-1/2"),
    ("number->string", (1.5,), "1.5"),
    ("number->string", (INF,), "+inf.0"),
    ("number->string", (255, 16), "ff"),
    ("number->string", (-5, 2), "-101"),
    ("number->string", (8, 8), "10"),
    ("number->string", (Fraction(3, 16), 16), "3/10"),
    ("number->string", (42, 10), "42"),
    ("number->string", (1.5, 2), EvaluationError),
    ("number->string", (42, 3), EvaluationError),
    ("number->string", (42, 16.0), SchemeTypeError),
    ("number->string", ("42",), SchemeTypeError),
    ("string->number", ("42",), 42),
    ("string->number", ("-17",), -17),
    ("string->number", ("+5",), 5),
    ("string->number", ("1/2",), HALF),
    ("string->number", ("6/3",), 2),
    ("string->number", ("1.5",), 1.5),
    ("string->number", (".5",), 0.5),
    ("string->number", ("1e3",), 1000.0),
    ("string->number", ("1e400",), INF),
    ("string->number", ("-inf.0",), -INF),
    ("string->number", ("+nan.0",), NAN),
    ("string->number", ("abc",), False),
    ("string->number", ("",), False),
    ("string->number", (" 42",), False),
    ("string->number", ("42 ",), False),
    ("string->number", ("1 2",), False),
    ("string->number", ("1;",), False),
    ("string->number", ("#t",), False),
    ("string->number", ("1/0",), False),
    ("string->number", ("-",), False),
    ("string->number", ("e",), False),
    ("string->number", ("ff", 16), 255),
    ("string->number", ("-FF", 16), -255),
    ("string->number", ("101", 2), 5),
    ("string->number", ("1/10", 2), HALF),
    ("string->number", ("777", 8), 511),
    ("string->number", ("8", 8), False),
    ("string->number", ("0x1f", 16), False),
    ("string->number", ("1_0", 16), False),
    ("string->number", ("1/0", 16), False),
    ("string->number", ("", 2), False),
    ("string->number", ("+", 2), False),
    ("string->number", ("10", 7), EvaluationError),
    ("string->number", (42,), SchemeTypeError),
]


@pytest.mark.parametrize("name, args, expected", NUMBER_SYNTAX, ids=case_id)
def test_number_syntax(name, args, expected):
    check_result(name, args, expected)


def test_number_string_round_trip_huge():
    text = call("number->string", BIG)
    assert call("string->number", text) == BIG


def test_number_to_string_huge_length():
    assert len(call("number->string", BIG)) == 10001


def test_number_to_string_huge_hex():
    assert call("number->string", 2**40000, 16) == "1" + "0" * 10000


def test_string_to_number_huge_binary():
    assert call("string->number", "1" + "0" * 20000, 2) == 2**20000


def test_expt_huge_result_exact():
    assert call("expt", 7, 100000) == 7**100000


def error_message(name, *args):
    """Call a primitive that must raise EvaluationError and return the error's message."""
    with pytest.raises(EvaluationError) as excinfo:
        call(name, *args)
    return excinfo.value.message


def test_expt_limit_message():
    assert error_message("expt", 10, 10**7) == "expt: result too large: about 10000000 digits"


def test_expt_limit_message_overflowing_estimate():
    assert error_message("expt", 3, 10**400) == "expt: result too large: more than 1e308 digits"


def test_sqrt_huge_perfect_square_exact():
    assert type(call("sqrt", BIG_SQUARE)) is int


def test_sqrt_huge_rational_square():
    assert call("sqrt", Fraction(BIG_SQUARE, 4)) == Fraction(BIG, 2)


def test_huge_product_decimal_digits():
    assert len(int_to_decimal(call("*", BIG, BIG))) == 20001


ERROR_MESSAGES = [
    ("+", (1, "a"), '+: expected a number, got "a"'),
    ("*", (True,), "*: expected a number, got #t"),
    ("/", (1, 0), "/: division by zero"),
    ("quotient", (1.5, 2), "quotient: expected an integer, got 1.5"),
    ("modulo", (7, 0), "modulo: division by zero"),
    ("sqrt", (-4,), "sqrt: no real square root of -4; complex numbers are not supported"),
    ("log", (-2.5,), "log: no real logarithm of -2.5; complex numbers are not supported"),
    ("log", (0,), "log: the logarithm of exact 0 is undefined"),
    ("log", (8, 1), "log: invalid base 1: the base must be positive and not 1"),
    ("asin", (2,), "asin: 2 is outside the domain [-1, 1]; complex numbers are not supported"),
    ("expt", (-8, THIRD), "expt: -8 raised to 1/3 is not a real number; complex numbers are not supported"),
    ("expt", (0, -1), "expt: division by zero"),
    ("inexact->exact", (INF,), "inexact->exact: +inf.0 has no exact value"),
    ("exact", (NAN,), "exact: +nan.0 has no exact value"),
    ("<", (1, "2"), '<: expected a number, got "2"'),
    ("random", (0,), "random: expected a positive exact integer or a positive finite float, got 0"),
    ("number->string", (42, 3), "number->string: invalid radix 3; use 2, 8, 10 or 16"),
    ("expt", (2, 3, 4), "expt: expected 2 arguments, got 3"),
]


@pytest.mark.parametrize("name, args, message", ERROR_MESSAGES, ids=case_id)
def test_error_message(name, args, message):
    assert error_message(name, *args) == message


RANDOM_ERRORS = [
    ((0,), EvaluationError),
    ((-3,), EvaluationError),
    ((0.0,), EvaluationError),
    ((INF,), EvaluationError),
    ((NAN,), EvaluationError),
    ((HALF,), SchemeTypeError),
    ((True,), SchemeTypeError),
    (("5",), SchemeTypeError),
]


@pytest.mark.parametrize("args, error", RANDOM_ERRORS, ids=case_id)
def test_random_rejects(args, error):
    with pytest.raises(error):
        call("random", *args)


def test_random_integer_range():
    results = {call("random", 3) for _ in range(200)}
    assert results == {0, 1, 2}


def test_random_integer_exact():
    assert type(call("random", 10)) is int


def test_random_huge_integer():
    assert 0 <= call("random", BIG) < BIG


def test_random_float_range():
    assert all(0.0 <= call("random", 2.5) < 2.5 for _ in range(100))


def test_random_float_inexact():
    assert type(call("random", 1.0)) is float


def test_runtime_exact_integer():
    assert type(call("runtime")) is int


def test_runtime_monotonic():
    first = call("runtime")
    assert call("runtime") >= first


exact_rationals = st.one_of(st.integers(), st.fractions()).map(
    lambda value: value.numerator if value.denominator == 1 else value
)


@given(exact_rationals, exact_rationals)
def test_exact_sum_matches_fractions(a, b):
    assert call("+", a, b) == Fraction(a) + Fraction(b)


@given(exact_rationals, exact_rationals)
def test_exact_product_normalized(a, b):
    result = call("*", a, b)
    assert (type(result) is int) == (Fraction(result).denominator == 1)


@given(exact_rationals, exact_rationals.filter(lambda value: value != 0))
def test_exact_quotient_normalized(a, b):
    expected = Fraction(a) / Fraction(b)
    assert (type(call("/", a, b)) is int) == (expected.denominator == 1)


@given(st.integers(min_value=0))
def test_sqrt_of_square_exact(n):
    assert call("sqrt", n * n) == n


@given(exact_rationals, st.sampled_from([2, 8, 10, 16]))
def test_number_string_round_trip(value, radix):
    assert call("string->number", call("number->string", value, radix), radix) == value
