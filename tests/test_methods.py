"""Tests of back propagation, finite differences, their comparison and deriv-steps."""

from __future__ import annotations

import io
import math
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, assume, given, settings

import symdiff
from symdiff.printer import write_string
from tests.strategies import expressions, float_coordinates


def scheme(source: str, interpreter: symdiff.Interpreter | None = None) -> str:
    return write_string((interpreter or symdiff.Interpreter(output=io.StringIO())).eval(source))


# --- grad --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("(grad (lambda (x a) (+ (* x x a) a)) '(3 2))", "(12 10)"),
        ("(grad (lambda (x) (* x x x)) '(-2))", "(12)"),
        ("(grad (lambda (x) (expt x 3)) '(-2))", "(12)"),
        ("(grad '(** x 3) '(x) '((x . -2)))", "(12)"),
        ("(grad (lambda (x y) (/ x y)) '(1 3))", "(1/3 -1/9)"),
        ("(grad (lambda (x) (sigmoid x)) '(-1000))", "(0.0)"),
        ("(grad (lambda (x) (sigmoid x)) '(1000))", "(0.0)"),
        ("(grad (lambda (x) (if (> x 0) x (- x))) '(-3))", "(-1)"),
        ("(grad (lambda (x) (let ((y (* x x))) (+ y y))) '(5))", "(20)"),
        ("(grad (lambda (x) 7) '(1))", "(0)"),
        ("(grad (lambda (x) (max x (* 2 x))) '(3))", "(2)"),
        ("(grad '(sigmoid (+ (* w x) b)) '(w b) '((w . 1/2) (x . 2) (b . -1)))", "(0.5 0.25)"),
    ],
)
def test_grad_values(source: str, expected: str) -> None:
    assert scheme(source) == expected


def test_grad_through_recursion_and_helpers() -> None:
    interpreter = symdiff.Interpreter(output=io.StringIO())
    interpreter.eval("(define (power x n) (if (= n 0) 1 (* x (power x (- n 1)))))")
    interpreter.eval("(define (loop x i acc) (if (= i 0) acc (loop x (- i 1) (+ acc (power x 2)))))")
    assert scheme("(grad (lambda (x) (power x 5)) '(2))", interpreter) == "(80)"
    assert scheme("(grad (lambda (x) (loop x 3 0)) '(3))", interpreter) == "(18)"


def test_grad_second_call_starts_from_zero() -> None:
    interpreter = symdiff.Interpreter(output=io.StringIO())
    interpreter.eval("(define (f x) (* x x))")
    first = scheme("(grad f '(3))", interpreter)
    second = scheme("(grad f '(3))", interpreter)
    assert first == "(6)"
    assert second == "(6)"


def test_grad_restores_arithmetic_after_error() -> None:
    interpreter = symdiff.Interpreter(output=io.StringIO())
    with pytest.raises(symdiff.SchemeError):
        interpreter.eval("(grad (lambda (x) (car x)) '(1))")
    assert scheme("(+ 1 2)", interpreter) == "3"
    assert "procedure +" in scheme("+", interpreter)


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("(grad (lambda (x) 'a) '(1))", "grad: the function must return a number, got a"),
        ("(grad (lambda (x) x) '(a))", "expected a list of numbers"),
        ("(grad '(+ x y) '(x) '((x . 1)))", "grad: no value for y"),
        ("(grad '(+ x 1) '(x) '((x . a)))", "the value of x must be a number"),
        ("(grad '(log x) '(x) '((x . -1)))", "log: -1 has no real logarithm"),
        ("(grad 5 '(1))", "expected a procedure and argument values"),
    ],
)
def test_grad_errors(source: str, message: str) -> None:
    with pytest.raises(symdiff.SchemeError) as caught:
        symdiff.Interpreter(output=io.StringIO()).eval(source)
    assert message in caught.value.message


@settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.filter_too_much])
@given(expressions, float_coordinates, float_coordinates)
def test_grad_agrees_with_deriv(text: str, x: float, y: float) -> None:
    point = {"x": x, "y": y}
    try:
        symbolic = float(symdiff.deriv(text, "x").evaluate(point))
        reverse = float(symdiff.grad(text, point, ["x"])["x"])
    except (symdiff.SchemeError, ArithmeticError, ValueError, TypeError):
        assume(False)
        return
    assume(math.isfinite(symbolic) and math.isfinite(reverse))
    assert math.isclose(reverse, symbolic, rel_tol=1e-9, abs_tol=1e-9), f"{text} at {point}: {reverse} != {symbolic}"


# --- backprop-trace ----------------------------------------------------------------------------


def test_backprop_trace_table() -> None:
    output = io.StringIO()
    symdiff.Interpreter(output=output).eval("(backprop-trace '(* x y) '((x . 2) (y . 3)))")
    lines = output.getvalue().splitlines()
    assert lines[0] == "forward pass"
    assert "  v2     (* x y)                                  6" in lines
    assert "  v2     1              v0 += 3, v1 += 2" in lines
    assert lines[-2:] == ["  d/dx = 3", "  d/dy = 2"]


def test_backprop_trace_python() -> None:
    table = symdiff.backprop_trace("(sigmoid (+ (* w x) b))", {"w": Fraction(1, 2), "x": 2, "b": -1})
    assert "top diff" in table
    assert "d/dw = 0.5" in table


# --- nderiv ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "expected", "relative"),
    [
        ("(nderiv log 1e-5)", 100000.0, 1e-6),
        ("(nderiv sin 1)", math.cos(1), 1e-10),
        ("(nderiv sin 1e-8)", 1.0, 1e-8),
        ("(nderiv exp 1)", math.e, 1e-10),
        ("(nderiv log 1e8)", 1e-8, 1e-8),
        ("(nderiv (lambda (x) (* x x)) 1e8)", 2e8, 1e-8),
        ("(nderiv exp 1 2)", math.e, 1e-6),
        ("(nderiv '(* x x y) 'x '((x . 3) (y . 2)))", 12.0, 1e-10),
        ("(nderiv '(* x x x) 'x '((x . 2)) 2)", 12.0, 1e-6),
    ],
)
def test_nderiv_values(source: str, expected: float, relative: float) -> None:
    value = symdiff.Interpreter(output=io.StringIO()).eval(source)
    assert math.isclose(value, expected, rel_tol=relative), f"{source} gave {value}"


def test_nderiv_log_never_probes_nonpositive() -> None:
    interpreter = symdiff.Interpreter(output=io.StringIO())
    interpreter.eval("(define probes '()) (define (f x) (set! probes (cons x probes)) (log x))")
    interpreter.eval("(nderiv f 1e-5)")
    assert interpreter.eval("(apply min probes)") > 0


def test_nderiv_with_error_pair() -> None:
    result = symdiff.Interpreter(output=io.StringIO()).eval("(nderiv-with-error sin 1)")
    value, error = result.car, result.cdr.car
    assert abs(value - math.cos(1)) <= max(error, 1e-15)
    assert error < 1e-8


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("(nderiv log 0)", "at x itself"),
        ("(nderiv log -1)", "failed"),
        ("(nderiv sin 'a)", "the point must be a number"),
        ("(nderiv sin 1 3)", "the order must be 1 or 2"),
        ("(nderiv (lambda (x) 'a) 1)", "the procedure must return a number"),
        ("(nderiv '(+ x y) 'x '((x . 1)))", "no value for y"),
        ("(nderiv '(+ x 1) 'z '((x . 1)))", "no value for z"),
    ],
)
def test_nderiv_errors(source: str, message: str) -> None:
    with pytest.raises(symdiff.SchemeError) as caught:
        symdiff.Interpreter(output=io.StringIO()).eval(source)
    assert message in caught.value.message


def test_nderiv_python() -> None:
    assert math.isclose(symdiff.nderiv(math.log, 1e-5), 1e5, rel_tol=1e-6)
    assert math.isclose(symdiff.nderiv("(sin x)", {"x": 0.5}, "x"), math.cos(0.5), rel_tol=1e-10)


# --- compare-derivatives -----------------------------------------------------------------------


def test_compare_derivatives_values_and_table() -> None:
    output = io.StringIO()
    result = symdiff.Interpreter(output=output).eval("(compare-derivatives '(* x x x) 'x '((x . 1)))")
    assert write_string(result) == "(3 3 3.0)"
    table = output.getvalue()
    assert "symbolic" in table
    assert "back propagation     3                        0" in table
    assert "finite differences   3.0" in table


def test_compare_derivatives_python() -> None:
    values = symdiff.compare_derivatives("(sigmoid (+ (* w x) b))", "w", {"w": 0.5, "x": 2, "b": -1})
    assert values["symbolic"] == 0.5
    assert values["back propagation"] == 0.5
    assert math.isclose(values["finite differences"], 0.5, rel_tol=1e-10)


def test_compare_derivatives_missing_point() -> None:
    with pytest.raises(symdiff.SchemeError) as caught:
        symdiff.Interpreter(output=io.StringIO()).eval("(compare-derivatives '(* x y) 'x '((y . 1)))")
    assert "no value for x" in caught.value.message


# --- deriv-steps -------------------------------------------------------------------------------


def test_deriv_steps_lists_rules_in_order() -> None:
    output = io.StringIO()
    result = symdiff.Interpreter(output=output).eval("(deriv-steps '(* (sin (* 2 x)) (+ x 3)) 'x)")
    lines = output.getvalue().splitlines()
    assert write_string(result) == "(+ (sin (* 2 x)) (* (* (cos (* 2 x)) 2) (+ x 3)))"
    assert lines[0].startswith("  1. product rule: d/dx (* (sin (* 2 x)) (+ x 3))")
    assert "chain rule, outer function sin" in lines[1]
    assert any("sum rule: d/dx (+ x 3) = 1" in line for line in lines)


def test_deriv_steps_shows_user_rules() -> None:
    output = io.StringIO()
    interpreter = symdiff.Interpreter(output=output)
    interpreter.eval("(define-derivative (sinc u) (/ (- (* u (cos u)) (sin u)) (** u 2)))")
    interpreter.eval("(put 'deriv 'twice (lambda (operands var) (list '* 2 (deriv (car operands) var))))")
    interpreter.eval("(deriv-steps '(+ (sinc x) (twice x)) 'x 'infix)")
    text = output.getvalue()
    assert "define-derivative rule for sinc: d/dx sinc(x) =" in text
    assert "user rule for twice: d/dx twice(x) = 2" in text


def test_deriv_steps_python() -> None:
    listing = symdiff.deriv_steps("x^2*sin(x)", "x", notation="infix")
    assert listing.splitlines()[0] == "  1. product rule: d/dx x^2*sin(x) = x^2*cos(x) + 2*x*sin(x)"


def test_deriv_steps_shows_large_shared_values_by_size() -> None:
    output = io.StringIO()
    interpreter = symdiff.Interpreter(output=output)
    interpreter.eval(
        "(define (dag k) (let loop ((e 'x) (i 0)) (if (= i k) e (loop (list '* e (list 'sin e)) (+ i 1)))))"
    )
    count = interpreter.eval("(node-count (deriv-steps (dag 40) 'x))")
    lines = output.getvalue().splitlines()
    assert count == 327654465077248
    assert lines[0].startswith("  1. product rule: d/dx <expression of 5.5e+12 nodes> = <expression of 3.28e+14 nodes>")
    assert any(line.endswith("d/dx (* x (sin x)) = (+ (* x (cos x)) (sin x))") for line in lines)


def test_grad_uses_user_derivative_rules() -> None:
    interpreter = symdiff.Interpreter(output=io.StringIO())
    interpreter.eval("(define (sinc u) (if (= u 0) 1 (/ (sin u) u)))")
    interpreter.eval("(define-derivative (sinc u) (/ (- (* u (cos u)) (sin u)) (** u 2)))")
    (value,) = interpreter.eval("(grad '(* x (sinc x)) '(x) '((x . 1)))")
    assert math.isclose(value, math.cos(1), rel_tol=1e-12)
    symbolic, reverse, numeric = interpreter.eval("(compare-derivatives '(sinc (* 2 x)) 'x '((x . 1)))")
    assert math.isclose(reverse, symbolic, rel_tol=1e-12)
    assert math.isclose(numeric, symbolic, rel_tol=1e-9)


def test_grad_unknown_operator_says_how() -> None:
    with pytest.raises(symdiff.SchemeError) as caught:
        symdiff.Interpreter(output=io.StringIO()).eval("(grad '(frob x) '(x) '((x . 1)))")
    assert "define-derivative" in caught.value.message


def test_nderiv_refuses_unsettled_estimates() -> None:
    interpreter = symdiff.Interpreter(output=io.StringIO())
    for source in ("(nderiv (lambda (x) (if (< x 0) 0 1)) 0)", "(nderiv sin 1e8)"):
        with pytest.raises(symdiff.SchemeError):
            interpreter.eval(source)


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("(define-derivative (f u u) (cos u) (sin u))", "a parameter of f appears twice"),
        ("(define-derivative (g u v) (cos u))", "g has 2 parameter(s) but 1 derivative expression(s)"),
    ],
)
def test_define_derivative_checks_its_form(source: str, message: str) -> None:
    with pytest.raises(symdiff.SchemeError) as caught:
        symdiff.Interpreter(output=io.StringIO()).eval(source)
    assert message in caught.value.message
