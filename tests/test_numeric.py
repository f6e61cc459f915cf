"""Tests of numeric evaluation, substitution, gradients and user-defined derivative rules."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest

import symdiff
from symdiff import DerivError, EvaluationError, SchemeError, SchemeTypeError
from symdiff.errors import UnknownFunctionError
from symdiff.printer import write_string

from strategies import OPERATORS


def run(source: str, interpreter: symdiff.Interpreter | None = None) -> str:
    return write_string((interpreter or symdiff.Interpreter()).eval(source))


def evaluate(text: str, **point):
    return symdiff.parse(text).evaluate(point)


# --- evaluate ---------------------------------------------------------------------------------

# (expression, point, value): exact inputs give exact values where the functions allow.
EXACT_VALUES = [
    ("(sqrt x)", {"x": Fraction(9, 4)}, Fraction(3, 2)),
    ("(sqrt x)", {"x": 16}, 4),
    ("(+ (* x y) 1/2)", {"x": 1, "y": 3}, Fraction(7, 2)),
    ("(* x 1/2)", {"x": 2}, 1),
    ("(/ 6 x)", {"x": 4}, Fraction(3, 2)),
    ("(** x y)", {"x": Fraction(4, 9), "y": Fraction(3, 2)}, Fraction(8, 27)),
    ("(** x -2)", {"x": 2}, Fraction(1, 4)),
    ("(expt x 3)", {"x": -2}, -8),
    ("(- x)", {"x": Fraction(1, 3)}, Fraction(-1, 3)),
    ("(abs x)", {"x": Fraction(-1, 2)}, Fraction(1, 2)),
    ("(sign x)", {"x": -3}, -1),
    ("(sin x)", {"x": 0}, 0),
    ("(cos x)", {"x": 0}, 1),
    ("(tan x)", {"x": 0}, 0),
    ("(exp x)", {"x": 0}, 1),
    ("(log x)", {"x": 1}, 0),
    ("(acos x)", {"x": 1}, 0),
    ("(atan x)", {"x": 0}, 0),
    ("(sigmoid x)", {"x": 0}, Fraction(1, 2)),
]

# (expression, point, value): a function with no exact value, or a float input, gives a float.
FLOAT_VALUES = [
    ("(sin x)", {"x": 1}, math.sin(1)),
    ("(sqrt x)", {"x": 2}, math.sqrt(2)),
    ("(** x y)", {"x": 2, "y": Fraction(1, 2)}, math.sqrt(2)),
    ("(log x 2)", {"x": 8}, 3.0),
    ("(sigmoid x)", {"x": 1}, 1 / (1 + math.exp(-1))),
    ("(+ x 1)", {"x": 0.5}, 1.5),
    ("(atan y x)", {"x": -1, "y": 0}, math.pi),
    ("(exp x)", {"x": 1000}, math.inf),
    ("(/ 1 x)", {"x": 0.0}, math.inf),
    ("(log x)", {"x": 0.0}, -math.inf),
]

# (expression, point, text the EvaluationError message contains)
DOMAIN_ERRORS = [
    ("(log x)", {"x": -1}, "log: -1 has no real logarithm"),
    ("(log x)", {"x": 0}, "logarithm of exact 0"),
    ("(/ 1 x)", {"x": 0}, "division by zero in (/ 1 0)"),
    ("(** x -1)", {"x": 0}, "division by zero in (** 0 -1)"),
    ("(sqrt x)", {"x": -1}, "sqrt: -1 has no real square root"),
    ("(** x 1/2)", {"x": -4}, "is not a real number"),
    ("(** x 1/3)", {"x": -8}, "is not a real number"),
    ("(asin x)", {"x": 2}, "asin: 2 is outside its real domain"),
    ("(acos x)", {"x": -1.5}, "outside its real domain"),
    ("(+ x y)", {"x": 1}, "no value for y"),
    ("(foo x)", {"x": 1}, "unknown function foo"),
]


@pytest.mark.parametrize(("text", "point", "expected"), EXACT_VALUES)
def test_evaluate_exact(text, point, expected):
    result = evaluate(text, **point)
    assert result == expected, f"{text} at {point}: got {result!r}, expected {expected!r}"
    assert type(result) is type(expected), f"{text} at {point}: got {result!r}, expected the exact {expected!r}"


@pytest.mark.parametrize(("text", "point", "expected"), FLOAT_VALUES)
def test_evaluate_float(text, point, expected):
    result = evaluate(text, **point)
    assert type(result) is float, f"{text} at {point}: got {result!r}, expected a float"
    assert result == pytest.approx(expected, rel=1e-15), f"{text} at {point}: got {result!r}, expected {expected!r}"


def test_evaluate_unknown_function_names_it():
    with pytest.raises(UnknownFunctionError) as caught:
        evaluate("(+ x (foo x 2))", x=1)
    assert caught.value.name == "foo"
    assert caught.value.arity == 2


@pytest.mark.parametrize(("text", "point", "message"), DOMAIN_ERRORS)
def test_evaluate_domain_error(text, point, message):
    with pytest.raises(EvaluationError) as caught:
        evaluate(text, **point)
    assert message in str(caught.value), f"{text} at {point}: message {caught.value}"


def test_evaluate_mapping_and_keywords():
    expression = symdiff.parse("(- x y)")
    assert expression.evaluate({"x": 5}, y=2) == 3


@pytest.mark.parametrize("function", ["csc", "cot"])
@pytest.mark.parametrize("x", [0, 0.0])
def test_evaluate_reciprocal_at_zero(function, x):
    """csc x and cot x behave as (/ 1 (sin x)) and (/ (cos x) (sin x)) do at a zero of sin x:
    an EvaluationError for exact 0, and IEEE infinity for 0.0."""
    quotient = {"csc": "(/ 1 (sin x))", "cot": "(/ (cos x) (sin x))"}[function]
    text = f"({function} x)"
    if type(x) is int:
        with pytest.raises(EvaluationError):
            evaluate(quotient, x=x)
        with pytest.raises(EvaluationError):
            evaluate(text, x=x)
    else:
        expected = evaluate(quotient, x=x)
        result = evaluate(text, x=x)
        assert result == expected, f"{text} at x = {x!r}: got {result!r}, {quotient} gives {expected!r}"


@pytest.mark.parametrize("source", ["(csc 0)", "(cot 0)", "(evaluate '(csc x) '((x . 0)))"])
def test_scheme_reciprocal_at_zero(source):
    with pytest.raises(SchemeError):
        symdiff.Interpreter().eval(source)


# (Scheme source, printed value)
SCHEME_EVALUATE = [
    ("(evaluate '(+ x y) '((x . 1/2) (y . 3)))", "7/2"),
    ("(evaluate '(+ x y) '((x 1/2) (y 3)))", "7/2"),
    ("(evaluate '(sqrt x) '((x . 9/4)))", "3/2"),
    ("(evaluate '(* x x) '((x . 1.5)))", "2.25"),
    ("(define (hyp a b) (sqrt (+ (* a a) (* b b)))) (evaluate '(hyp x y) '((x . 3) (y . 4)))", "5"),
    ("(sigmoid 0)", "1/2"),
    ("(sec 0)", "1"),
    ("(sign -2)", "-1"),
]


@pytest.mark.parametrize(("source", "expected"), SCHEME_EVALUATE)
def test_scheme_evaluate(source, expected):
    result = run(source)
    assert result == expected, f"{source}: got {result}, expected {expected}"


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("(evaluate '(+ x y) '((x . a)))", "the value of x must be a number, got a"),
        ("(evaluate '(+ x 1) 5)", "expected bindings like ((x . 2) (y . 3)), got 5"),
    ],
)
def test_scheme_evaluate_invalid_bindings(source, message):
    with pytest.raises(SchemeTypeError) as caught:
        symdiff.Interpreter().eval(source)
    assert message in str(caught.value)


# --- substitute -------------------------------------------------------------------------------

# (Scheme source, printed result)
SUBSTITUTIONS = [
    ("(substitute '(+ x 1) '((x . 2)))", "3"),
    ("(substitute '(* x y) '((x . 2)))", "(* 2 y)"),
    ("(substitute '(* x y) '((x . 0)))", "0"),
    ("(substitute '(** x 2) '((x . 3)))", "9"),
    ("(substitute '(/ x 2) '((x . 4)))", "2"),
    ("(substitute '(- x 1) '((x . 1)))", "0"),
    ("(substitute '(+ x y) '((x . 1) (y . 1/2)))", "3/2"),
    ("(substitute '(+ x y) '((y . (* 2 z))))", "(+ x (* 2 z))"),
    ("(substitute '(sin x) '((x . 0)))", "(sin 0)"),
    ("(substitute '(sin x) '((x . 0)) 'full)", "0"),
    ("(substitute '(+ x 1) '((x . 2)) 'none)", "(+ 2 1)"),
    ("(substitute '(+ (* 2 x) (* 3 x)) '((x . y)) 'full)", "(* 5 y)"),
]


@pytest.mark.parametrize(("source", "expected"), SUBSTITUTIONS)
def test_substitute(source, expected):
    result = run(source)
    assert result == expected, f"{source}: got {result}, expected {expected}"


def test_substitute_then_evaluate():
    """Substituting a derivative at a point gives the value that evaluate gives there."""
    interpreter = symdiff.Interpreter()
    interpreter.eval("(define d (deriv '(* (** x 3) (+ x 1)) 'x))")
    substituted = run("(substitute d '((x . 2)))", interpreter)
    evaluated = run("(evaluate d '((x . 2)))", interpreter)
    assert substituted == "44", f"substitute gives {substituted}"
    assert evaluated == "44", f"evaluate gives {evaluated}"


# --- gradient, jacobian, hessian --------------------------------------------------------------

# (Scheme source, printed result)
MATRICES = [
    ("(gradient '(* x y) '(x y))", "(y x)"),
    ("(gradient '(+ (** x 2) (* 3 y)) '(x y z))", "((* 2 x) 3 0)"),
    ("(jacobian '((* x y) (+ x y)) '(x y))", "((y x) (1 1))"),
    ("(hessian '(* x x y) '(x y))", "(((* 2 y) (* 2 x)) ((* 2 x) 0))"),
]


@pytest.mark.parametrize(("source", "expected"), MATRICES)
def test_matrix_form(source, expected):
    result = run(source)
    assert result == expected, f"{source}: got {result}, expected {expected}"


FUNCTION = "(* (sin x) (exp (* x y)))"
POINTS = [{"x": 0.4, "y": -0.7}, {"x": -1.1, "y": 0.3}, {"x": 2.0, "y": 0.5}]


def partial_difference(text: str, point: dict, var: str) -> float:
    """Estimate a partial derivative by a central difference with one Richardson step."""
    expression = symdiff.parse(text)
    h = 1e-3
    quotients = []
    for step in (h, h / 2):
        above = expression.evaluate({**point, var: point[var] + step})
        below = expression.evaluate({**point, var: point[var] - step})
        quotients.append((above - below) / (2 * step))
    return (4 * quotients[1] - quotients[0]) / 3


@pytest.mark.parametrize("point", POINTS)
def test_gradient_values(point):
    variables = ["x", "y"]
    for var, partial in zip(variables, symdiff.gradient(FUNCTION, variables)):
        value = partial.evaluate(point)
        numeric = partial_difference(FUNCTION, point, var)
        assert value == pytest.approx(numeric, rel=1e-7), f"d/d{var} {FUNCTION} = {partial} at {point}: {value}, numeric {numeric}"


@pytest.mark.parametrize("point", POINTS)
def test_jacobian_values(point):
    functions = [FUNCTION, "(atan y x)"]
    interpreter = symdiff.Interpreter()
    rows = interpreter.eval(f"(jacobian '({' '.join(functions)}) '(x y))")
    for function, row in zip(functions, list_items(rows)):
        for var, entry in zip(["x", "y"], list_items(row)):
            value = symdiff.parse(write_string(entry)).evaluate(point)
            numeric = partial_difference(function, point, var)
            assert value == pytest.approx(numeric, rel=1e-7), f"d/d{var} {function} at {point}: {value}, numeric {numeric}"


@pytest.mark.parametrize("point", POINTS)
def test_hessian_values(point):
    variables = ["x", "y"]
    interpreter = symdiff.Interpreter()
    rows = [list_items(row) for row in list_items(interpreter.eval(f"(hessian '{FUNCTION} '(x y))"))]
    for i, first in enumerate(variables):
        partial = str(symdiff.deriv(FUNCTION, first))
        for j, second in enumerate(variables):
            entry = write_string(rows[i][j])
            value = symdiff.parse(entry).evaluate(point)
            numeric = partial_difference(partial, point, second)
            assert value == pytest.approx(numeric, rel=1e-7), (
                f"d2/d{first}d{second} {FUNCTION} = {entry} at {point}: {value}, numeric {numeric}"
            )


@pytest.mark.parametrize("point", POINTS)
def test_hessian_symmetric(point):
    rows = [list_items(row) for row in list_items(symdiff.Interpreter().eval(f"(hessian '{FUNCTION} '(x y))"))]
    mixed = [symdiff.parse(write_string(entry)).evaluate(point) for entry in (rows[0][1], rows[1][0])]
    assert mixed[0] == pytest.approx(mixed[1], rel=1e-12), f"{FUNCTION} at {point}: d2/dxdy {mixed[0]}, d2/dydx {mixed[1]}"


def list_items(datum) -> list:
    items = []
    while datum is not symdiff.NIL:
        items.append(datum.car)
        datum = datum.cdr
    return items


# --- define-derivative and check-derivative ---------------------------------------------------

SINC = """
(define (sinc u) (/ (sin u) u))
(define-derivative (sinc u) (/ (- (* u (cos u)) (sin u)) (** u 2)))
"""

WRONG_SINC = """
(define (sinc u) (/ (sin u) u))
(define-derivative (sinc u) (/ (cos u) u))
"""

HYPOTENUSE = """
(define (hyp a b) (sqrt (+ (* a a) (* b b))))
(define-derivative (hyp a b) (/ a (hyp a b)) (/ b (hyp a b)))
"""


def test_define_derivative_chain_rule():
    interpreter = symdiff.Interpreter()
    interpreter.eval(SINC)
    result = run("(deriv '(sinc (* 2 x)) 'x)", interpreter)
    assert result == "(* (/ (- (* (* 2 x) (cos (* 2 x))) (sin (* 2 x))) (** (* 2 x) 2)) 2)"


def test_define_derivative_two_parameters():
    interpreter = symdiff.Interpreter()
    interpreter.eval(HYPOTENUSE)
    result = run("(deriv '(hyp x (* 2 x)) 'x)", interpreter)
    assert result == "(+ (/ x (hyp x (* 2 x))) (* (/ (* 2 x) (hyp x (* 2 x))) 2))"


def test_check_derivative_correct_rule():
    interpreter = symdiff.Interpreter()
    interpreter.eval(SINC)
    error = interpreter.eval("(check-derivative 'sinc)")
    assert error < 1e-8, f"check-derivative of a correct sinc rule: {error}"


def test_check_derivative_two_parameters():
    interpreter = symdiff.Interpreter()
    interpreter.eval(HYPOTENUSE)
    error = interpreter.eval("(check-derivative 'hyp)")
    assert error < 1e-8, f"check-derivative of a correct hyp rule: {error}"


def test_check_derivative_wrong_rule():
    interpreter = symdiff.Interpreter()
    interpreter.eval(WRONG_SINC)
    error = interpreter.eval("(check-derivative 'sinc)")
    assert error > 0.1, f"check-derivative of a wrong sinc rule: {error}"


def test_check_derivative_point_count():
    interpreter = symdiff.Interpreter()
    interpreter.eval(SINC)
    error = interpreter.eval("(check-derivative 'sinc 5)")
    assert error < 1e-8, f"check-derivative over 5 points: {error}"


# Built-in rule operators that are not Scheme procedures, so check-derivative cannot find
# their arity.
UNBOUND_IN_SCHEME = {"**"}


@pytest.mark.parametrize("operator", sorted(set(OPERATORS) - UNBOUND_IN_SCHEME))
def test_check_derivative_builtin(operator):
    error = symdiff.Interpreter().eval(f"(check-derivative '{operator})")
    assert error < 1e-8, f"check-derivative of the built-in {operator} rule: {error}"


def test_check_derivative_power():
    error = symdiff.Interpreter().eval("(check-derivative '**)")
    assert error < 1e-8, f"check-derivative of the built-in ** rule: {error}"


@pytest.mark.parametrize(
    ("source", "error_type", "message"),
    [
        ("(define-derivative (wrong a b) a)", DerivError, "wrong has 2 parameter(s) but 1 derivative expression(s)"),
        ("(check-derivative 'nothing)", DerivError, "no deriv rule for nothing"),
        ("(check-derivative 'sin 0)", SchemeTypeError, "positive integer"),
        ("(define-derivative (nodef u) (* 2 u)) (check-derivative 'nodef)", EvaluationError, "could not be evaluated"),
    ],
)
def test_check_derivative_invalid(source, error_type, message):
    with pytest.raises(error_type) as caught:
        symdiff.Interpreter().eval(source)
    assert message in str(caught.value), f"{source}: message {caught.value}"


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("(tanh (- (expt 10 309)))", "-1.0"),
        ("(tanh (expt 10 309))", "1.0"),
        ("(atan (expt 10 309))", "1.5707963267948966"),
        ("(exp (- (expt 10 309)))", "0.0"),
        ("(sinh (- (expt 10 309)))", "-inf.0"),
        ("(sinh -1000.0)", "-inf.0"),
        ("(sigmoid (- (expt 10 309)))", "0.0"),
        ("(sigmoid (expt 10 309))", "1.0"),
    ],
)
def test_exact_arguments_beyond_float_range(source, expected):
    assert run(source) == expected


@pytest.mark.parametrize("source", ["(sin (expt 10 309))", "(cos (expt 10 400))", "(tan (- (expt 10 309)))"])
def test_periodic_of_huge_exact_raises(source):
    with pytest.raises(EvaluationError, match="beyond the float range"):
        run(source)


def test_evaluate_periodic_function_at_huge_exact_point():
    with pytest.raises(SchemeError, match="beyond the float range"):
        evaluate("(sin x)", x=10**309)


def test_exact_power_overflow_raises():
    with pytest.raises(EvaluationError, match=r"\(\*\* 10 50000\) is too large to compute exactly"):
        symdiff.parse("10^50000").evaluate()
    assert symdiff.parse("10^20000").evaluate() == 10**20000
    assert symdiff.parse("x^2").evaluate(x=1e200) == math.inf  # float inputs keep float rules


def test_sign_of_nan_is_nan():
    assert math.isnan(symdiff.parse("sign(x)").evaluate(x=math.nan))
    assert symdiff.parse("sign(x)").evaluate(x=-2.5) == -1.0
