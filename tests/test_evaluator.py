"""Tests of the evaluator: special forms, tail calls, recursion depth, errors and builtins."""

from __future__ import annotations

import io
import sys
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

import symdiff
from symdiff import (
    ArityError,
    FileLoadError,
    Interpreter,
    SchemeError,
    SchemeTypeError,
    SourcePosition,
    Symbol,
    UnboundVariableError,
    UserError,
)
from symdiff.errors import EvaluationError, SchemeExit
from symdiff.evaluator import core
from symdiff.evaluator.compiler import TAIL_DEPTH_LIMIT
from symdiff.evaluator.procedures import Primitive
from symdiff.printer import write_string
from symdiff.types import UNSPECIFIED


def evaluate_printed(source: str) -> str:
    """Evaluate `source` in a fresh interpreter and return the write form of its last value."""
    return write_string(Interpreter(output=io.StringIO()).eval(source))


def raised_error(source: str, source_name: str = "prog.scm") -> SchemeError:
    """Evaluate `source` in a fresh interpreter and return the SchemeError it raises."""
    with pytest.raises(SchemeError) as caught:
        Interpreter(output=io.StringIO()).eval(source, source_name)
    return caught.value


# --- special forms ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        # quote
        ("'x", "x"),
        ("(quote (a b . c))", "(a b . c)"),
        ("''x", "(quote x)"),
        ("'#(1 2)", "#(1 2)"),
        ("#(1 2)", "#(1 2)"),
        ('"self-evaluating"', '"self-evaluating"'),
        ("#\\a", "#\\a"),
        ("1/2", "1/2"),
        # define
        ("(define x 5) x", "5"),
        ("(define x 5)", "#<unspecified>"),
        ("(define (square x) (* x x)) (square 12)", "144"),
        ("(define (f . args) args) (f 1 2 3)", "(1 2 3)"),
        ("(define (f . args) args) (f)", "()"),
        ("(define (f a b . rest) (list a b rest)) (f 1 2 3 4)", "(1 2 (3 4))"),
        ("(define (f a b . rest) (list a b rest)) (f 1 2)", "(1 2 ())"),
        ("(define ((adder a) b) (+ a b)) ((adder 2) 3)", "5"),
        ("(define (((curry3 a) b) c) (list a b c)) (((curry3 1) 2) 3)", "(1 2 3)"),
        ("(define x 1) (define x 2) x", "2"),
        ("(define (f) (define a 1) (define (g) (* a 10)) (g)) (f)", "10"),
        ("(define (f) (define (ev? n) (if (= n 0) #t (od? (- n 1)))) (define (od? n) (if (= n 0) #f (ev? (- n 1)))) (ev? 10)) (f)", "#t"),
        # lambda
        ("((lambda (x y) (+ x y)) 1 2)", "3"),
        ("((lambda args args) 1 2)", "(1 2)"),
        ("((lambda (x . rest) rest) 1 2 3)", "(2 3)"),
        ("((lambda () 1 2 3))", "3"),
        ("(((lambda (x) (lambda (y) (list x y))) 1) 2)", "(1 2)"),
        ("(define (make-counter) (let ((n 0)) (lambda () (set! n (+ n 1)) n))) (define c (make-counter)) (c) (c) (c)", "3"),
        ("(define (make-counter) (let ((n 0)) (lambda () (set! n (+ n 1)) n))) (define a (make-counter)) (define b (make-counter)) (a) (a) (b)", "1"),
        # named-lambda
        ("(define f (named-lambda (twice x) (* 2 x))) (f 4)", "8"),
        ("(named-lambda (twice x) (* 2 x))", "#<procedure twice>"),
        ("(define f (named-lambda (fact n) (if (= n 0) 1 (* n (f (- n 1)))))) (f 5)", "120"),
        # if
        ("(if #t 'yes 'no)", "yes"),
        ("(if #f 'yes 'no)", "no"),
        ("(if '() 'yes 'no)", "yes"),
        ("(if 0 'yes 'no)", "yes"),
        ("(if #f #f)", "#<unspecified>"),
        # cond
        ("(cond ((> 1 2) 'a) ((< 1 2) 'b) (else 'c))", "b"),
        ("(cond ((> 1 2) 'a) (else 'c))", "c"),
        ("(cond ((assv 2 '((1 . a) (2 . b))) => cdr) (else 'none))", "b"),
        ("(cond ((member 2 '(1 2 3))) (else 'none))", "(2 3)"),
        ("(cond ((> 1 2) 'a))", "#<unspecified>"),
        ("(cond (#t 1 2 3))", "3"),
        # case
        ("(case 3 ((1 2) 'low) ((3 4) 'mid) (else 'high))", "mid"),
        ("(case 9 ((1 2) 'low) (else 'high))", "high"),
        ("(case 'b ((a) 1) ((b c) 2))", "2"),
        ("(case #\\x ((#\\x) 'ex) (else 'other))", "ex"),
        ("(case 2.0 ((2) 'exact) (else 'inexact))", "inexact"),
        ("(case 9 ((1) 'a) (else => (lambda (x) (* x 2))))", "18"),
        ("(case 5 ((1) 'a))", "#<unspecified>"),
        # and, or
        ("(and)", "#t"),
        ("(and 1 2 3)", "3"),
        ("(and 1 #f 3)", "#f"),
        ("(or)", "#f"),
        ("(or #f 2 3)", "2"),
        ("(or #f #f)", "#f"),
        ("(define n 0) (or #t (set! n 1)) (and #f (set! n 2)) n", "0"),
        # when, unless
        ("(when (> 2 1) 'a 'b)", "b"),
        ("(when (< 2 1) 'a)", "#<unspecified>"),
        ("(unless (< 2 1) 'a 'b)", "b"),
        ("(unless (> 2 1) 'a)", "#<unspecified>"),
        # let, let*, letrec, letrec*, named let
        ("(let ((x 1) (y 2)) (+ x y))", "3"),
        ("(define x 10) (let ((x 1) (y x)) y)", "10"),
        ("(let () 5)", "5"),
        ("(let* ((x 1) (y (+ x 1))) (list x y))", "(1 2)"),
        ("(let* () 5)", "5"),
        ("(letrec ((ev? (lambda (n) (if (= n 0) #t (od? (- n 1))))) (od? (lambda (n) (if (= n 0) #f (ev? (- n 1)))))) (ev? 101))", "#f"),
        ("(letrec* ((a 1) (b (+ a 1))) (list a b))", "(1 2)"),
        ("(let loop ((i 0) (acc '())) (if (= i 3) (reverse acc) (loop (+ i 1) (cons i acc))))", "(0 1 2)"),
        ("(let fact ((n 5)) (if (= n 0) 1 (* n (fact (- n 1)))))", "120"),
        # do
        ("(do ((i 0 (+ i 1)) (s 0 (+ s i))) ((= i 5) s))", "10"),
        ("(do ((vec (make-vector 3)) (i 0 (+ i 1))) ((= i 3) vec) (vector-set! vec i (* i i)))", "#(0 1 4)"),
        ("(define n 0) (do ((i 0 (+ i 1))) ((= i 4)) (set! n (+ n i))) n", "6"),
        ("(do ((i 0 (+ i 1)) (fs '() (cons (lambda () i) fs))) ((= i 3) (map (lambda (f) (f)) fs)))", "(2 1 0)"),
        # begin
        ("(begin 1 2 3)", "3"),
        ("(begin (define b 4)) b", "4"),
        ("(begin)", "#<unspecified>"),
        # set!
        ("(define x 1) (set! x 2) x", "2"),
        ("(define x 1) (define (f) (set! x (+ x 1))) (f) (f) x", "3"),
        ("(define x 1) (set! x 2)", "#<unspecified>"),
        # quasiquote
        ("`(1 ,(+ 1 1) ,@(list 3 4))", "(1 2 3 4)"),
        ("`(1 ,@'() 2)", "(1 2)"),
        ("`(a . ,(+ 1 2))", "(a . 3)"),
        ("`#(1 ,(+ 1 1))", "#(1 2)"),
        ("`(1 `(2 ,(3 ,(+ 1 3))))", "(1 (quasiquote (2 (unquote (3 4)))))"),
        ("(define op '*) `(,op x ,(list 'y 'z))", "(* x (y z))"),
        ("`x", "x"),
        # delay, force, cons-stream
        ("(force (delay (+ 1 2)))", "3"),
        ("(define n 0) (define p (delay (begin (set! n (+ n 1)) n))) (force p) (force p) n", "1"),
        ("(force 5)", "5"),
        ("(define s (cons-stream 1 (/ 1 0))) (stream-car s)", "1"),
        ("(define (ints n) (cons-stream n (ints (+ n 1)))) (stream-car (stream-cdr (stream-cdr (ints 1))))", "3"),
        ("(stream-pair? (cons-stream 1 2))", "#t"),
        ("(stream-null? the-empty-stream)", "#t"),
        # assert
        ("(assert (= 1 1))", "#<unspecified>"),
    ],
)
def test_special_form(source: str, expected: str) -> None:
    assert evaluate_printed(source) == expected


# --- tail calls and recursion depth ---------------------------------------------------------


def python_stack_depth() -> int:
    """Count the Python frames on the current thread."""
    frame = sys._getframe()
    depth = 0
    while frame is not None:
        depth += 1
        frame = frame.f_back
    return depth


def depth_interpreter() -> Interpreter:
    """Return an interpreter with `(stack-depth)`, which returns the Python stack depth."""
    interpreter = Interpreter(output=io.StringIO())
    primitive = Primitive("stack-depth", python_stack_depth, 0, 0)
    interpreter.global_environment.define(Symbol("stack-depth"), primitive)
    return interpreter


# Each loop ends in (stack-depth); in a tail position the depth stays bounded however many
# iterations run. Interpreted, it is the same after 10 and after 200; compiled code may make
# up to TAIL_DEPTH_LIMIT tail calls directly before it uses the trampoline.
TAIL_LOOPS = {
    "if": "(define (loop n) (if (= n 0) (stack-depth) (loop (- n 1))))",
    "cond": "(define (loop n) (cond ((= n 0) (stack-depth)) (else (loop (- n 1)))))",
    "cond-arrow": "(define (loop n) (cond ((= n 0) (stack-depth)) ((- n 1) => loop)))",
    "case": "(define (loop n) (case (= n 0) ((#t) (stack-depth)) (else (loop (- n 1)))))",
    "and": "(define (loop n) (if (= n 0) (stack-depth) (and #t (loop (- n 1)))))",
    "or": "(define (loop n) (if (= n 0) (stack-depth) (or #f (loop (- n 1)))))",
    "when": "(define (loop n) (if (= n 0) (stack-depth) (when #t (loop (- n 1)))))",
    "unless": "(define (loop n) (if (= n 0) (stack-depth) (unless #f (loop (- n 1)))))",
    "let": "(define (loop n) (if (= n 0) (stack-depth) (let ((m (- n 1))) (loop m))))",
    "let*": "(define (loop n) (if (= n 0) (stack-depth) (let* ((m (- n 1))) (loop m))))",
    "letrec": "(define (loop n) (if (= n 0) (stack-depth) (letrec ((m (- n 1))) (loop m))))",
    "begin": "(define (loop n) (if (= n 0) (stack-depth) (begin 1 (loop (- n 1)))))",
    "lambda-body": "(define (loop n) (if (= n 0) (stack-depth) ((lambda () 1 (loop (- n 1))))))",
    "named-let": "(define (loop n) (let walk ((i n)) (if (= i 0) (stack-depth) (walk (- i 1)))))",
    "mutual": "(define (loop n) (if (= n 0) (stack-depth) (other (- n 1)))) (define (other n) (loop n))",
    "do-result": "(define (loop n) (do ((i 0 (+ i 1))) ((= i 1) (if (= n 0) (stack-depth) (loop (- n 1))))))",
    "apply": "(define (loop n) (if (= n 0) (stack-depth) (apply loop (list (- n 1)))))",
}


@pytest.mark.parametrize("definition", list(TAIL_LOOPS.values()), ids=list(TAIL_LOOPS))
def test_tail_position(definition: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(core, "compiling", False)
    interpreter = depth_interpreter()
    interpreter.eval(definition)
    assert interpreter.eval("(loop 10)") == interpreter.eval("(loop 200)")


@pytest.mark.parametrize("definition", list(TAIL_LOOPS.values()), ids=list(TAIL_LOOPS))
def test_tail_position_compiled(definition: str) -> None:
    interpreter = depth_interpreter()
    interpreter.eval(definition)
    depths = [interpreter.eval(f"(loop {n})") for n in (10, 1000, 5000)]
    assert max(depths) - min(depths) <= 2 * TAIL_DEPTH_LIMIT


def test_non_tail_position_grows_stack() -> None:
    interpreter = depth_interpreter()
    interpreter.eval("(define (loop n) (if (= n 0) (stack-depth) (+ 0 (loop (- n 1)))))")
    assert interpreter.eval("(loop 200)") > interpreter.eval("(loop 10)")


def test_tail_call_million_iterations() -> None:
    source = "(define (loop n) (if (= n 0) 'done (loop (- n 1)))) (loop 1000000)"
    assert evaluate_printed(source) == "done"


def test_deep_recursion_builds_list() -> None:
    source = "(define (build n) (if (= n 0) '() (cons n (build (- n 1))))) (length (build 100000))"
    assert evaluate_printed(source) == "100000"


def test_deep_recursion_sum() -> None:
    source = "(define (sum n) (if (= n 0) 0 (+ n (sum (- n 1))))) (sum 100000)"
    assert evaluate_printed(source) == "5000050000"


def test_deep_recursion_map() -> None:
    source = "(define (my-map f xs) (if (null? xs) '() (cons (f (car xs)) (my-map f (cdr xs))))) (apply + (my-map (lambda (x) 1) (iota 100000)))"
    assert evaluate_printed(source) == "100000"


def test_runaway_recursion() -> None:
    interpreter = Interpreter(output=io.StringIO())
    with pytest.raises(SchemeError) as caught:
        interpreter.eval("(define (runaway n) (+ 1 (runaway n)))\n(runaway 1)", "prog.scm")
    assert "recursion too deep" in caught.value.message
    assert caught.value.position is not None
    assert interpreter.eval("(+ 1 2)") == 3


# --- errors ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "error_type", "line", "column", "message"),
    [
        ("(+ 1\n   foo)", UnboundVariableError, 2, 4, "unbound variable: foo"),
        ("undefined-name", UnboundVariableError, 1, 1, "unbound variable: undefined-name"),
        ("(define (f x) x)\n(f 1\n   2)", ArityError, 2, 1, "f: expected 1 argument, got 2"),
        ("((lambda (x) x) 1 2)", ArityError, 1, 1, "expected 1 argument, got 2"),
        ("(define (f x y) x)\n  (f 1)", ArityError, 2, 3, "f: expected 2 arguments, got 1"),
        ("(define (f x . r) x) (f)", ArityError, 1, 22, "f: expected at least 1 argument, got 0"),
        ("(car 1 2)", ArityError, 1, 1, "car: expected 1 argument, got 2"),
        ("(car 1)", SchemeTypeError, 1, 1, "car: expected a pair, got 1"),
        ("(define (g)\n  (car (cdr '(1))))\n(g)", SchemeTypeError, 2, 3, "car: expected a pair, got ()"),
        ("(+ 'a 1)", SchemeTypeError, 1, 1, "+: expected a number, got a"),
        ("(1 2)", SchemeError, 1, 1, "not a procedure: 1"),
        ('(error "Value is bad:" 42 (list 1 "two" #\\3))', UserError, 1, 1, 'Value is bad: 42 (1 "two" #\\3)'),
        ("(error \"plain\")", UserError, 1, 1, "plain"),
        ("(set! never-defined 1)", UnboundVariableError, 1, 1, "never-defined"),
        ("(/ 1 0)", SchemeError, 1, 1, "division by zero"),
        ("(vector-ref (vector 1 2) 5)", SchemeError, 1, 1, "index 5 is out of range"),
        ("(assert (= 1 2))", SchemeError, 1, 1, "assertion failed: (= 1 2)"),
        ("(if)", SchemeError, 1, 1, "if: bad syntax"),
        ("()", SchemeError, 1, 1, "() is not a valid expression"),
        ("(lambda (1) x)", SchemeError, 1, 10, "parameter must be a symbol"),
        ("(letrec ((a b) (b 1)) a)", SchemeError, 1, 13, "b: variable used before its definition"),
    ],
)
def test_error(source: str, error_type: type, line: int, column: int, message: str) -> None:
    error = raised_error(source)
    assert isinstance(error, error_type)
    assert error.position == SourcePosition("prog.scm", line, column)
    assert message in error.message


def test_error_string_form() -> None:
    error = raised_error("(define (f x) x)\n(f 1 2)")
    assert str(error) == "prog.scm:2:1: error: f: expected 1 argument, got 2"


def test_error_irritants() -> None:
    error = raised_error('(error "bad values:" 1 \'sym "text")')
    assert isinstance(error, UserError)
    assert error.irritants[:2] == (1, Symbol("sym"))
    assert error.irritants[2] == "text"


def test_error_in_loaded_file_names_file(tmp_path: Path) -> None:
    library = tmp_path / "library.scm"
    library.write_text("(define x 1)\n(car x)\n", encoding="utf-8")
    with pytest.raises(SchemeError) as caught:
        Interpreter(output=io.StringIO()).load(library)
    assert caught.value.position == SourcePosition(str(library), 2, 1)


# --- state across errors ----------------------------------------------------------------------


def test_failed_define_binds_nothing() -> None:
    interpreter = Interpreter(output=io.StringIO())
    with pytest.raises(SchemeError):
        interpreter.eval("(define x (car '()))")
    with pytest.raises(UnboundVariableError):
        interpreter.eval("x")


def test_failed_redefine_keeps_old_value() -> None:
    interpreter = Interpreter(output=io.StringIO())
    interpreter.eval("(define x 1)")
    with pytest.raises(SchemeError):
        interpreter.eval("(define x (car '()))")
    assert interpreter.eval("x") == 1


def test_state_survives_error() -> None:
    interpreter = Interpreter(output=io.StringIO())
    interpreter.eval("(define y 5) (define (double n) (* 2 n))")
    with pytest.raises(SchemeError):
        interpreter.eval("(car 1)")
    assert interpreter.eval("(double y)") == 10


def test_forms_before_error_take_effect() -> None:
    interpreter = Interpreter(output=io.StringIO())
    with pytest.raises(SchemeError):
        interpreter.eval("(define a 1) (car 1) (define b 2)")
    assert interpreter.eval("a") == 1
    with pytest.raises(UnboundVariableError):
        interpreter.eval("b")


def test_syntax_error_runs_nothing() -> None:
    interpreter = Interpreter(output=io.StringIO())
    with pytest.raises(symdiff.ReadError):
        interpreter.eval("(define a 1) (define b")
    with pytest.raises(UnboundVariableError):
        interpreter.eval("a")


# --- load -------------------------------------------------------------------------------------


def test_load_relative_to_loading_file(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "main.scm").write_text('(load "sub/middle.scm")\n(define from-main 1)\n', encoding="utf-8")
    (tmp_path / "sub" / "middle.scm").write_text('(define from-middle 2)\n(load "leaf.scm")\n', encoding="utf-8")
    (tmp_path / "sub" / "leaf.scm").write_text("(define from-leaf 3)\n", encoding="utf-8")
    interpreter = Interpreter(output=io.StringIO())
    interpreter.load(tmp_path / "main.scm")
    assert write_string(interpreter.eval("(list from-main from-middle from-leaf)")) == "(1 2 3)"


def test_load_returns_last_value(tmp_path: Path) -> None:
    path = tmp_path / "values.scm"
    path.write_text("(define x 20)\n(+ x 1)\n", encoding="utf-8")
    assert Interpreter(output=io.StringIO()).load(path) == 21


def test_load_from_scheme(tmp_path: Path) -> None:
    path = tmp_path / "lib.scm"
    path.write_text("(define (triple n) (* 3 n))\n", encoding="utf-8")
    interpreter = Interpreter(output=io.StringIO())
    interpreter.eval(f'(load "{path}")')
    assert interpreter.eval("(triple 4)") == 12


def test_load_missing_file_from_scheme() -> None:
    error = raised_error('(define x 1)\n(load "no-such-file.scm")')
    assert isinstance(error, FileLoadError)
    assert "no-such-file.scm" in error.message
    assert error.position == SourcePosition("prog.scm", 2, 1)


def test_load_missing_file_from_python(tmp_path: Path) -> None:
    with pytest.raises(FileLoadError, match="no such file"):
        Interpreter(output=io.StringIO()).load(tmp_path / "absent.scm")


def test_load_missing_relative_file(tmp_path: Path) -> None:
    path = tmp_path / "main.scm"
    path.write_text('(load "absent.scm")\n', encoding="utf-8")
    with pytest.raises(FileLoadError) as caught:
        Interpreter(output=io.StringIO()).load(path)
    assert str(tmp_path / "absent.scm") in caught.value.message
    assert caught.value.position == SourcePosition(str(path), 1, 1)


# --- numbers ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("(eqv? #t 1)", "#f"),
        ("(eqv? #f 0)", "#f"),
        ("(number? #t)", "#f"),
        ("(integer? #t)", "#f"),
        ("(eqv? 1 1.0)", "#f"),
        ("(eqv? 1/2 1/2)", "#t"),
        ("(eqv? 100000000000000000000 100000000000000000000)", "#t"),
        ("(= 1 1.0)", "#t"),
        ("(/ 1 3)", "1/3"),
        ("(/ 6 3)", "2"),
        ("(/ 6 4)", "3/2"),
        ("(+ 1/3 2/3)", "1"),
        ("(* 1/3 3)", "1"),
        ("(exact? (/ 1 3))", "#t"),
        ("(exact? 0.5)", "#f"),
        ("(+ 1/2 0.5)", "1.0"),
        ("(exact->inexact 1/4)", "0.25"),
        ("(/ 1. 0.)", "+inf.0"),
        ("(/ -1. 0.)", "-inf.0"),
        ("(/ 0. 0.)", "+nan.0"),
        ("(exp 1000)", "+inf.0"),
        ("(- (exp 1000))", "-inf.0"),
        ("(sqrt 16)", "4"),
        ("(sqrt 1/4)", "1/2"),
        ("(sqrt 2)", "1.4142135623730951"),
        ("(expt 2 100)", "1267650600228229401496703205376"),
        ("(expt 1/2 2)", "1/4"),
        ("(expt 2.0 3)", "8.0"),
        ("(* 99999999999999999999 99999999999999999999)", "9999999999999999999800000000000000000001"),
        ("(quotient -7 2)", "-3"),
        ("(remainder -7 2)", "-1"),
        ("(modulo -7 2)", "1"),
        ("(round 2.5)", "2.0"),
        ("(max 1 2.0)", "2.0"),
        ("(min 1 2)", "1"),
        ("(abs -1/2)", "1/2"),
        ("(+ 0.1 0.2)", "0.30000000000000004"),
        ("(number->string 255 16)", '"ff"'),
        ("(string->number \"1/3\")", "1/3"),
        ("(- 5)", "-5"),
        ("(+)", "0"),
        ("(*)", "1"),
        ("(1+ 5)", "6"),
        ("(square 5)", "25"),
        ("(even? 10)", "#t"),
        ("(gcd 12 18)", "6"),
    ],
)
def test_number(source: str, expected: str) -> None:
    assert evaluate_printed(source) == expected


@pytest.mark.parametrize(
    "source",
    ["(/ 1 0)", "(/ 0 0)", "(quotient 1 0)", "(modulo 1 0)", "(remainder 1 0)", "(/ 1/2 0)"],
)
def test_exact_division_by_zero(source: str) -> None:
    assert "division by zero" in raised_error(source).message


def test_integer_10000_digits_arithmetic() -> None:
    value = Interpreter().eval("(define big (expt 10 9999)) (+ big big)")
    assert value == 2 * 10**9999


def test_integer_10000_digits_literal() -> None:
    digits = "3" * 10_000
    assert evaluate_printed(f"(- {digits} 3)") == "3" * 9_999 + "0"


def test_integer_10000_digits_number_to_string() -> None:
    assert evaluate_printed("(string-length (number->string (expt 7 12000)))") == "10142"


def test_exact_rational_type() -> None:
    assert Interpreter().eval("(/ 1 3)") == Fraction(1, 3)


# --- other builtins ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("(list 1 2 3)", "(1 2 3)"),
        ("(cons 1 2)", "(1 . 2)"),
        ("(car '(1 2))", "1"),
        ("(cdr '(1 2))", "(2)"),
        ("(cadr '(1 2 3))", "2"),
        ("(caddr '(1 2 3))", "3"),
        ("(length '(1 2 3))", "3"),
        ("(append '(1) '(2 3) '() '(4))", "(1 2 3 4)"),
        ("(reverse '(1 2 3))", "(3 2 1)"),
        ("(map + '(1 2) '(10 20))", "(11 22)"),
        ("(let ((n 0)) (for-each (lambda (x) (set! n (+ n x))) '(1 2 3)) n)", "6"),
        ("(filter odd? '(1 2 3 4 5))", "(1 3 5)"),
        ("(fold-left + 0 '(1 2 3))", "6"),
        ("(fold-right cons '() '(1 2 3))", "(1 2 3)"),
        ("(memq 'c '(a b c d))", "(c d)"),
        ("(assq 'b '((a 1) (b 2)))", "(b 2)"),
        ("(list-ref '(a b c) 1)", "b"),
        ("(apply + 1 '(2 3))", "6"),
        ("(null? '())", "#t"),
        ("(pair? '())", "#f"),
        ("(list? '(1 . 2))", "#f"),
        ("(equal? '(1 (2 #(3))) (list 1 (list 2 (vector 3))))", "#t"),
        ("(eq? 'abc 'abc)", "#t"),
        ("(eq? 'abc 'ABC)", "#f"),
        ("(eqv? \"ab\" \"ab\")", "#f"),
        ("(equal? \"ab\" \"ab\")", "#t"),
        ("(symbol? 'a)", "#t"),
        ("(string->symbol \"Hello\")", "Hello"),
        ("(symbol->string 'abc)", '"abc"'),
        ("(string-append \"ab\" \"cd\")", '"abcd"'),
        ("(string-length \"λx\")", "2"),
        ("(substring \"hello\" 1 3)", '"el"'),
        ("(string-ref \"abc\" 1)", "#\\b"),
        ("(char->integer #\\A)", "65"),
        ("(vector-ref (vector 1 2 3) 2)", "3"),
        ("(vector-length (make-vector 4 0))", "4"),
        ("(vector->list #(1 2))", "(1 2)"),
        ("(boolean? '())", "#f"),
        ("(procedure? car)", "#t"),
        ("(procedure? (lambda () 1))", "#t"),
        ("(eval '(* 6 7) (interaction-environment))", "42"),
        ("(eval (list '+ 1 2) user-initial-environment)", "3"),
        ("(define x 5) (eval 'x (interaction-environment))", "5"),
        ("(define (nest n) (if (= n 0) '() (list (nest (- n 1))))) (equal? (nest 30000) (nest 30000))", "#t"),
        ("(define c (list 1 2)) (set-cdr! (cdr c) c) (list? c)", "#f"),
        ("(apply + (iota 100000))", "4999950000"),
        ("(number? (runtime))", "#t"),
        ("(let ((r (random 10))) (and (exact? r) (>= r 0) (< r 10)))", "#t"),
        ("(let ((r (random 1.0))) (and (inexact? r) (>= r 0) (< r 1)))", "#t"),
    ],
)
def test_builtin(source: str, expected: str) -> None:
    assert evaluate_printed(source) == expected


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ('(display "hi")', "hi"),
        ('(write "hi")', '"hi"'),
        ("(display #\\a)", "a"),
        ("(write #\\a)", "#\\a"),
        ("(newline)", "\n"),
        ('(display (list 1 "s" #\\c 1/2))', "(1 s c 1/2)"),
        ('(write (list 1 "s" #\\c 1/2))', '(1 "s" #\\c 1/2)'),
        ("(display 'sym) (newline) (display 2.5)", "sym\n2.5"),
    ],
)
def test_output(source: str, expected: str) -> None:
    output = io.StringIO()
    Interpreter(output=output).eval(source)
    assert output.getvalue() == expected


def test_output_value_unspecified() -> None:
    assert Interpreter(output=io.StringIO()).eval('(display "x")') is UNSPECIFIED


@pytest.mark.parametrize(
    ("source", "status"),
    [("(exit 3)", 3), ("(exit)", 0), ("(exit 0)", 0), ("(exit 255)", 255), ("(exit #t)", 0), ("(exit #f)", 1)],
)
def test_exit_raises_scheme_exit(source: str, status: int) -> None:
    with pytest.raises(SchemeExit) as caught:
        Interpreter(output=io.StringIO()).eval(source)
    assert caught.value.status == status


@pytest.mark.parametrize(("source", "shown"), [("(exit 256)", "256"), ("(exit -1)", "-1"), ("(exit (expt 10 5000))", "1000")])
def test_exit_status_out_of_range(source: str, shown: str) -> None:
    error = raised_error(source)
    assert type(error) is EvaluationError
    assert error.message.startswith(f"exit: status {shown}")
    assert error.message.endswith("is out of range: give an integer from 0 to 255, or #t for success and #f for failure")


@pytest.mark.parametrize("source", ["(exit 2.5)", "(exit 3.0)", "(exit 'failure)"])
def test_exit_status_of_wrong_type(source: str) -> None:
    error = raised_error(source)
    assert type(error) is SchemeTypeError
    assert error.message.startswith("exit: expected an exit status, an integer from 0 to 255 or a boolean, got ")


def test_length_of_circular_list() -> None:
    error = raised_error("(define c (list 1 2))\n(set-cdr! (cdr c) c)\n(length c)")
    assert "expected a proper list" in error.message


# --- the Interpreter entry points -------------------------------------------------------------


def test_eval_returns_last_value() -> None:
    assert Interpreter().eval("1 2 3") == 3


def test_eval_empty_source() -> None:
    assert Interpreter().eval("") is UNSPECIFIED


def test_eval_source_name_in_position() -> None:
    error = raised_error("\n\n  missing", "named.scm")
    assert error.position == SourcePosition("named.scm", 3, 3)


def test_run_reports_values_only() -> None:
    values: list[Any] = []
    source = "(define x 1) x (display \"\") (if #f #f) 'y (set! x 2) x"
    Interpreter(output=io.StringIO()).run(source, "prog.scm", values.append)
    assert [write_string(value) for value in values] == ["1", "y", "2"]


def test_interpreters_are_independent() -> None:
    first = Interpreter()
    second = Interpreter()
    first.eval("(define only-here 1)")
    with pytest.raises(UnboundVariableError):
        second.eval("only-here")


def test_evaluate_function() -> None:
    assert symdiff.evaluate("(* 6 7)") == 42


def test_worker_thread_gone_after_evaluation() -> None:
    # A finished worker is joined, so its large stack is freed before the next one starts.
    import threading

    interpreter = Interpreter(output=io.StringIO())
    for _ in range(3):
        assert interpreter.eval("(+ 1 2)") == 3
        assert not [t for t in threading.enumerate() if t.name == "symdiff-eval"]


def test_worker_thread_start_failure(monkeypatch) -> None:
    import threading

    def fail_to_start(self) -> None:
        raise RuntimeError("can't start new thread")

    limit = sys.getrecursionlimit()
    interpreter = Interpreter(output=io.StringIO())
    interpreter.eval("(define kept 5)")
    with monkeypatch.context() as patch:
        patch.setattr(threading.Thread, "start", fail_to_start)
        with pytest.raises(EvaluationError, match=r"cannot start the evaluation thread .*ulimit -v"):
            interpreter.eval("(+ kept 1)")
    assert sys.getrecursionlimit() == limit
    assert interpreter.eval("(+ kept 1)") == 6
