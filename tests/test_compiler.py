"""The compiler from lambda expressions to Python functions agrees with the interpreter.

Every program here runs twice, compiled and interpreted (core.compiling off), and the two
runs must print the same text and return the same value, or raise the same error at the
same position.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from symdiff import Interpreter
from symdiff.errors import SchemeError
from symdiff.evaluator import compiler, core
from symdiff.printer import write_string
from symdiff.types import Symbol

@pytest.fixture(autouse=True)
def compile_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    # Compile each lambda when its first procedure is made, so short programs run compiled.
    monkeypatch.setattr(compiler, "COMPILE_AFTER_CALLS", 0)


EXAMPLES = sorted((Path(__file__).resolve().parent.parent / "examples").glob("*.scm"))


def run(source: str, compiled: bool) -> tuple[str, str]:
    """Run `source` in a fresh interpreter; return (printed output, value or error)."""
    saved = core.compiling
    core.compiling = compiled
    try:
        output = io.StringIO()
        interpreter = Interpreter(output=output)
        try:
            outcome = "value " + write_string(interpreter.eval(source, "<test>"))
        except SchemeError as exc:
            outcome = f"error {type(exc).__name__} {exc.position} {exc}"
        return output.getvalue(), outcome
    finally:
        core.compiling = saved


def assert_same(source: str) -> tuple[str, str]:
    compiled = run(source, True)
    assert compiled == run(source, False)
    return compiled


def compiled_procedure(interpreter: Interpreter, name: str) -> Any:
    procedure = interpreter.global_environment.bindings[Symbol(name)]
    assert procedure.code is not None, f"{name} was not compiled"
    return procedure


# --- each form, compiled and interpreted -----------------------------------------------------

PROGRAMS = {
    "fib": "(define (fib n) (if (< n 2) n (+ (fib (- n 1)) (fib (- n 2))))) (fib 15)",
    "cond": "(define (sign x) (cond ((< x 0) 'neg) ((= x 0) 'zero) (else 'pos))) (list (sign -2) (sign 0) (sign 3))",
    "cond-test-only": "(define (f x) (cond ((memv x '(1 2))) (else 'no))) (list (f 1) (f 5))",
    "cond-arrow": "(define (f x) (cond ((assv x '((1 . one))) => cdr) (else 'none))) (list (f 1) (f 2))",
    "cond-no-else": "(define (f x) (cond ((= x 1) 'one))) (list (f 1) (f 2))",
    "case": "(define (f x) (case x ((1 2) 'small) ((a) 'sym) (else => (lambda (v) v)))) (list (f 1) (f 'a) (f 9))",
    "case-no-match": "(define (f x) (case x ((1) 'one))) (list (f 1) (f 2))",
    "and-or": "(define (f a b) (list (and) (or) (and a b) (or a b) (and #f (car '())) (or 7 (car '())))) (f 1 #f)",
    "when-unless": "(define (f x) (list (when (> x 0) 'pos) (unless (> x 0) 'nonpos))) (list (f 1) (f -1))",
    "let-forms": "(define (f x) (let ((a x) (b 2)) (let* ((c (+ a b)) (d (* c 2))) (letrec ((e (lambda (n) (if (= n 0) d (e (- n 1)))))) (e 3))))) (f 1)",
    "let-shadow": "(define (f x) (let ((x (+ x 1)) (y x)) (list x y))) (f 1)",
    "named-let": "(define (f n) (let loop ((i 0) (acc '())) (if (= i n) (reverse acc) (loop (+ i 1) (cons (* i i) acc))))) (f 6)",
    "do": "(define (f n) (do ((i 0 (+ i 1)) (acc 1 (* acc 2))) ((= i n) acc))) (f 10)",
    "do-swap": "(define (f) (do ((a 0 b) (b 1 (+ a b)) (i 0 (+ i 1))) ((= i 10) (list a b)))) (f)",
    "do-body": "(define (f) (define v (make-vector 3 0)) (do ((i 0 (+ i 1))) ((= i 3) v) (vector-set! v i (* i i)))) (f)",
    "internal-define": "(define (f x) (define y (* x 2)) (define (g z) (+ y z)) (g 1)) (f 5)",
    "body-begin-define": "(define (f) (begin (define a 1) (define b 2)) (+ a b)) (f)",
    "closures": "(define (make-counter) (let ((n 0)) (lambda () (set! n (+ n 1)) n))) (define c (make-counter)) (c) (c) (list (c) ((make-counter)))",
    "closure-per-call": "(define (adders) (map (lambda (k) (lambda (x) (+ x k))) '(1 2 3))) (map (lambda (f) (f 10)) (adders))",
    "closure-in-loop": "(define (f n acc) (if (= n 0) (map (lambda (g) (g)) acc) (f (- n 1) (cons (lambda () n) acc)))) (f 3 '())",
    "set-param": "(define (f x) (set! x (* x 10)) x) (f 4)",
    "set-captured": "(define (f) (define x 1) (define (bump) (set! x (+ x 1))) (bump) (bump) x) (f)",
    "set-global": "(define g 1) (define (f) (set! g (+ g 1)) g) (f) (f)",
    "rest-args": "(define (f a . rest) (list a rest)) (list (f 1) (f 1 2 3))",
    "rest-only": "(define (f . xs) (apply + xs)) (f 1 2 3 4)",
    "lambda-rest": "(define f (lambda args (length args))) (f 1 2 3)",
    "named-lambda": "(define f (named-lambda (foo x) (* x x))) (list (f 3) f)",
    "apply-tail": "(define (f n) (if (= n 0) 'done (apply f (list (- n 1))))) (f 1000)",
    "mutual-tail": "(define (ev? n) (if (= n 0) #t (od? (- n 1)))) (define (od? n) (if (= n 0) #f (ev? (- n 1)))) (ev? 100001)",
    "deep-recursion": "(define (count n) (if (= n 0) 0 (+ 1 (count (- n 1))))) (count 100000)",
    "self-loop": "(define (loop i acc) (if (= i 0) acc (loop (- i 1) (+ acc i)))) (loop 300000 0)",
    "quote": "(define (f) (list 'a '(1 2) '#(1) \"s\" #\\c 2.5 -3 1/2 (expt 10 30))) (f)",
    "float-math": "(define (f x) (list (+ x 1) (- x) (* x x) (/ x 2) (< x 1) (abs (- x)) (square x) (zero? x))) (f 2.5)",
    "mixed-math": "(define (f a b) (list (+ a b) (- a b) (* a b) (/ a b) (/ b a) (< a b) (= a b))) (list (f 1 2.5) (f 2.5 1) (f 3 0.0) (f (expt 10 400) 2.5) (f 1/2 0.5))",
    "exact-math": "(define (f a b) (list (/ a b) (/ b a) (remainder a b) (remainder (- a) b) (even? a) (odd? b))) (f 7 2)",
    "mixed-compare": "(define (f) (list (= 1 1.0) (< 1/2 0.6) (>= 3 3) (<= 2 1))) (f)",
    "pairs": "(define (f p) (list (car p) (cdr p) (pair? p) (null? p) (null? '()) (not #f) (not 0))) (f (cons 1 2))",
    "string-ops": "(define (greet n) (string-append \"hi \" n)) (greet \"bob\")",
    "display": "(define (show x) (display x) (newline) 'shown) (show '(1 \"a\"))",
    "redefine-plus": "(define (f a b) (+ a b)) (define old+ +) (define (+ a b) (* a b)) (define r (f 3 4)) (set! + old+) (list r (f 3 4))",
    "local-plus": "(define (f + a) (+ a a)) (f * 5)",
    "redefine-square": "(define (square x) (+ x 1)) (define (f y) (square y)) (f 4)",
    "restore-builtin": "(define old square) (define (square x) 0) (define (f y) (square y)) (define r (f 3)) (set! square old) (list r (f 3))",
    "redefine-later": "(define (f x) (g x)) (define (g x) (* x 3)) (f 2)",
    "higher-order": "(define (compose f g) (lambda (x) (f (g x)))) ((compose car cdr) '(1 2 3))",
    "nested-define-function": "(define (outer) (define (even? n) (if (= n 0) #t (odd? (- n 1)))) (define (odd? n) (if (= n 0) #f (even? (- n 1)))) (even? 1000)) (outer)",
    "if-no-else": "(define (f x) (if (> x 0) 'pos)) (list (f 1) (f -1))",
    "unspecified": "(define (f) (if #f #f)) (list (f))",
    "deriv": "(define (d e) (deriv e 'x)) (d '(* x (sin x)))",
    "deriv-rule": "(define (my-rule operands var) (list '* 2 (car operands))) (put 'deriv 'twice my-rule) (deriv '(twice x) 'x)",
    "grad": "(define (f x y) (+ (* x x) (* x y))) (grad f '(3 2))",
    "inside-let": "(define g (let ((k 10)) (lambda (x) (+ x k)))) (g 5)",
    "define-in-let": "(let ((k 2)) (define (h x) (* x k)) (h 21))",
    "operator-before-operands": "(define (f) (list (+ (begin (set! + -) 10) 1) (car (begin (set! car cdr) '(1 2))))) (f)",
    "apply-rebound-in-operand": "(define (f) (apply (begin (set! apply list) +) '(1 2))) (f)",
    "arrow-test-value": "(define (f x) (list (cond (x => (begin (set! x 99) (lambda (v) v)))) x)) (f 1)",
    "set-before-define": "(define x 1) (define (f) (set! x 5) (define x 2) x) (list (f) x)",
    "define-shadows-parameter": "(define (f x) (display x) (define x 2) x) (f 1)",
    "let-star-body-define": "(define (f) (let* ((a 1) (b 2)) (display a) (define a 2) (define c (+ a b)) c)) (f)",
    "let-star-empty-define": "(define z 5) (define (f) (let* () (display z) (define z 1) z)) (f)",
    "named-let-body-define": "(define (f) (let loop ((i 0)) (define j (+ i 1)) (if (< i 3) (loop j) i))) (f)",
    "let-star-empty-scope": "(define (f) (let* () (define y 1) y)) (list (f) (let* () (define zz 5) zz))",
    "case-eqv-floats": "(define (f x) (case x ((0.0) 'zero) ((+nan.0) 'nan) (else 'other))) (list (f -0.0) (f 0.0) (f +nan.0))",
    "string-symbols": "(define (f) (list 'a.b '|weird sym| (string->symbol \"x\"))) (f)",
    "float-overflow-mix": "(define (f x) (list (* x 1.5) (+ 0.5 x) (/ 1.5 x) (* 2 x))) (f (expt 10 400))",
    "large-literal": "(define (f) (+ 123456789012345678901234567890 1)) (f)",
    "vector-loop": "(define (sum v) (let loop ((i 0) (s 0)) (if (= i (vector-length v)) s (loop (+ i 1) (+ s (vector-ref v i)))))) (sum #(1 2 3 4))",
    "assoc-map": "(define (keys al) (map car al)) (keys '((a . 1) (b . 2)))",
    "quasiquote-fallback": "(define (f x) `(a ,x ,@(list 1 2))) (f 5)",
    "delay-fallback": "(define (f) (force (delay (+ 1 2)))) (f)",
    "streams": "(define (ints n) (cons-stream n (ints (+ n 1)))) (stream-head (ints 1) 5)",
}

ERRORS = {
    "unbound": "(define (f x) (+ x undefined-thing)) (f 1)",
    "car-of-number": "(define (f x) (car x)) (f 5)",
    "arity-compiled": "(define (f x) x) (f 1 2)",
    "arity-inner": "(define (f) (define (g a b) a) (g 1)) (f)",
    "arity-builtin": "(define (f) (car 1 2)) (f)",
    "not-procedure": "(define (f) (5 1)) (f)",
    "type-plus": "(define (f x) (+ x \"a\")) (f 1)",
    "type-plus-bool": "(define (f x) (+ x 1)) (f #t)",
    "type-compare": "(define (f x) (< x 'a)) (f 1)",
    "division-by-zero": "(define (f x) (/ x 0)) (f 1)",
    "float-over-exact-zero": "(define (f a b) (/ a b)) (f 0.5 0)",
    "remainder-zero": "(define (f x) (remainder x 0)) (f 5)",
    "letrec-before": "(define (f) (letrec ((a (lambda () b)) (c (a)) (b 1)) c)) (f)",
    "set-unbound": "(define (f) (set! nowhere 1)) (f)",
    "read-before-define": "(define x 10) (define (f) (display x) (define x 20) x) (f)",
    "read-before-define-let": "(define y 0) (define (f x) (let () (display y) (define y 5) y)) (f 1)",
    "read-before-define-outer": "(define b 5) (define (f) (define a b) (define b 1) a) (f)",
    "letrec-read-position": "(define (f) (letrec ((a (+ 1\n b)) (b 1)) a)) (f)",
    "letrec-closure-read": "(define (f) (letrec ((g (lambda () (list 1\n b))) (a (g)) (b 1)) a)) (f)",
    "arrow-arity": "(define (f x) (list (cond (x => cons)))) (f 1)",
    "case-arrow-arity": "(define (f x) (case x ((1) => cons))) (f 1)",
    "do-step-position": "(define (f) (do ((i 0 (+ i 1)) (x 1 (car i))) ((= i 2) x))) (f)",
    "do-init-position": "(define (f) (do ((z (vector-ref (vector) 0))) (#t z))) (f)",
    "apply-position": "(define (g) (apply car '(1 2))) (g)",
    "apply-position-nested": "(define (g) (list (apply car '(1 2)))) (g)",
    "letrec-in-self-loop": "(define (f n) (letrec ((a (if (= n 0) b 1)) (b 2)) (if (= n 0) a (f (- n 1))))) (f 1)",
    "letrec-in-do": "(define (f) (do ((i 0 (+ i 1))) ((= i 2) 'ok) (letrec ((a (if (= i 1) b 0)) (b 5)) (display a)))) (f)",
    "letrec-star-in-loop": "(define (f n acc) (letrec* ((a (if (= n 0) b 0)) (b (+ n 10))) (if (= n 0) (cons a acc) (f (- n 1) (cons a acc))))) (f 2 '())",
    "apply-through-variable": "(define (p a b) a) (define (f g) (g p (list 1 2 3))) (f apply)",
    "apply-in-nested-lambda": "(define g (let () (lambda (x) (apply car (list x))))) (g 5)",
    "apply-in-wrapper": "(define + (let ((plus +)) (lambda args (apply plus args)))) (define (f) (list (+ 'a 1))) (f)",
    "let-star-empty-no-leak": "(define (f) (let* () (define y 1)) y) (f)",
    "user-error": "(define (f x) (error \"bad thing:\" x)) (f 42)",
    "error-in-callee": "(define (g x) (vector-ref x 10)) (define (f) (g (vector 1 2))) (f)",
    "overflow": "(define (f) (exact->inexact (expt 10 (expt 10 400)))) (f)",
    "assert": "(define (f x) (assert (> x 0)) x) (f -1)",
    "apply-non-list": "(define (f) (apply + 1)) (f)",
}


@pytest.mark.parametrize("source", list(PROGRAMS.values()), ids=list(PROGRAMS))
def test_program_agrees_with_interpreter(source: str) -> None:
    assert_same(source)


@pytest.mark.parametrize("source", list(ERRORS.values()), ids=list(ERRORS))
def test_error_agrees_with_interpreter(source: str) -> None:
    _, outcome = assert_same(source)
    assert outcome.startswith("error ")
    assert "None" not in outcome.split(" ")[2], "the error has no position"


@pytest.mark.parametrize("path", EXAMPLES, ids=[path.name for path in EXAMPLES])
def test_examples_agree_with_interpreter(path: Path) -> None:
    assert_same(path.read_text(encoding="utf-8"))


def test_internal_define_read_early() -> None:
    # Internal definitions bind from the start of the body, as letrec* does, in both modes.
    outcome = assert_same("(define (f) (define a b) (define b 1) a) (f)")[1]
    assert outcome == "error EvaluationError <test>:1:23 <test>:1:23: error: b: variable used before its definition"


def test_tail_depth_recovers_after_errors() -> None:
    source = "(define (bad x) (car x)) (define (c) (bad 1))"
    for _ in range(3 * compiler.TAIL_DEPTH_LIMIT):
        assert run(source + " (c)", True)[1].startswith("error SchemeTypeError")
    assert compiler.tail_depth == [0]


def test_results_are_the_expected_ones() -> None:
    # Agreement alone would pass if both modes were wrong the same way.
    assert assert_same(PROGRAMS["fib"])[1] == "value 610"
    assert assert_same(PROGRAMS["redefine-plus"])[1] == "value (12 7)"
    assert assert_same(PROGRAMS["do-swap"])[1] == "value (55 89)"
    assert assert_same(PROGRAMS["closure-in-loop"])[1] == "value (1 2 3)"
    assert assert_same(PROGRAMS["exact-math"])[1] == "value (7/2 2/7 1 -1 #f #f)"
    assert assert_same(PROGRAMS["mutual-tail"])[1] == "value #f"
    assert assert_same(PROGRAMS["deep-recursion"])[1] == "value 100000"


def test_compiler_covers_common_forms() -> None:
    interpreter = Interpreter(output=io.StringIO())
    interpreter.eval(PROGRAMS["let-forms"] + PROGRAMS["do"] + PROGRAMS["case"] + PROGRAMS["internal-define"])
    for name in ("f",):
        compiled_procedure(interpreter, name)
    interpreter.eval("(define (g x) `(,x))")
    assert interpreter.global_environment.bindings[Symbol("g")].code is None


def test_self_tail_call_is_a_loop() -> None:
    interpreter = Interpreter(output=io.StringIO())
    interpreter.eval("(define (loop i acc) (if (= i 0) acc (loop (- i 1) (+ acc i))))")
    procedure = compiled_procedure(interpreter, "loop")
    assert procedure.code(1000, 0) == 500500  # a direct call: no trampoline involved


def test_grad_sees_compiled_arithmetic() -> None:
    # grad swaps recording arithmetic into the global environment while it runs f; the
    # inlined operators must notice and call the recording versions.
    source = "(define (f x y) (+ (* x x) (* 3 y))) (grad f '(2 5))"
    assert assert_same(source)[1] == "value (4 3)"


def test_bool_is_not_a_number_in_inlined_arithmetic() -> None:
    _, outcome = assert_same("(define (f x) (- x)) (f #f)")
    assert "error" in outcome


def test_builtins_that_return_tail_calls_are_listed() -> None:
    # Generated code finishes a TailCall only after builtins named in _TAIL_CALLING.
    interpreter = Interpreter(output=io.StringIO())
    interpreter.eval("(define (f) (+ 1 (apply + '(1 2))))")
    assert interpreter.eval("(f)") == 4
    assert compiler._TAIL_CALLING == {"apply"}


def test_procedure_compiled_after_enough_calls(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(compiler, "COMPILE_AFTER_CALLS", 5)
    interpreter = Interpreter(output=io.StringIO())
    interpreter.eval("(define (double x) (* 2 x)) (define same double)")
    procedure = interpreter.global_environment.bindings[Symbol("double")]
    assert write_string(interpreter.eval("(list (double 1) (double 2) (double 3))")) == "(2 4 6)"
    assert procedure.code is None
    assert write_string(interpreter.eval("(list (double 4) (double 5) (double 6))")) == "(8 10 12)"
    assert procedure.code is not None
    assert interpreter.global_environment.bindings[Symbol("same")] is procedure
    assert interpreter.eval("(eq? same double)") is True


def test_recursion_upgrades_mid_run(monkeypatch: pytest.MonkeyPatch) -> None:
    # The outer calls run interpreted and the inner ones compiled; the result is the same.
    monkeypatch.setattr(compiler, "COMPILE_AFTER_CALLS", 50)
    interpreter = Interpreter(output=io.StringIO())
    interpreter.eval("(define (fib n) (if (< n 2) n (+ (fib (- n 1)) (fib (- n 2)))))")
    assert interpreter.eval("(fib 20)") == 6765
    assert interpreter.global_environment.bindings[Symbol("fib")].code is not None


def test_uncompilable_lambda_stops_trying(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(compiler, "COMPILE_AFTER_CALLS", 2)
    interpreter = Interpreter(output=io.StringIO())
    interpreter.eval("(define (wrap x) `(,x))")
    assert write_string(interpreter.eval("(map wrap '(1 2 3 4))")) == "((1) (2) (3) (4))"
    procedure = interpreter.global_environment.bindings[Symbol("wrap")]
    assert procedure.code is None
    assert procedure.source is None


def test_operand_copies_are_linear() -> None:
    # Many operands that are local variables once took quadratic time to compile.
    arguments = " ".join(["x"] * 5000)
    assert assert_same(f"(define (f x) (length (list {arguments}))) (f 1)")[1] == "value 5000"


def test_large_body_falls_back_to_the_interpreter() -> None:
    body = "(+ 1 " * 300 + "0" + ")" * 300
    assert_same(f"(define (f) {body}) (f)")
    interpreter = Interpreter(output=io.StringIO())
    interpreter.eval(f"(define (f) {body})")
    assert interpreter.global_environment.bindings[Symbol("f")].code is None


def test_many_clauses_fall_back_or_compile_correctly() -> None:
    clauses = " ".join(f"((= x {i}) {i * i})" for i in range(150))
    source = f"(define (f x) (cond {clauses} (else 'none))) (list (f 3) (f 149) (f 500))"
    assert assert_same(source)[1] == "value (9 22201 none)"


# --- random programs -------------------------------------------------------------------------

VARIABLES = ["a", "b"]


def expressions(depth: int) -> st.SearchStrategy[str]:
    leaves = st.one_of(
        st.integers(-5, 5).map(str),
        st.sampled_from(["0.5", "-2.0", "1/3", "#t", "#f", "'()", "'s", "(expt 10 30)"]),
        st.sampled_from(VARIABLES),
    )
    if depth == 0:
        return leaves
    inner = expressions(depth - 1)
    unary = st.sampled_from(["-", "abs", "square", "car", "cdr", "null?", "pair?", "not", "zero?", "even?", "odd?"])
    binary = st.sampled_from(["+", "-", "*", "/", "=", "<", ">=", "cons", "remainder", "eq?", "list", "max"])
    return st.one_of(
        leaves,
        st.tuples(unary, inner).map(lambda t: f"({t[0]} {t[1]})"),
        st.tuples(binary, inner, inner).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
        st.tuples(inner, inner, inner).map(lambda t: f"(if {t[0]} {t[1]} {t[2]})"),
        st.tuples(inner, inner).map(lambda t: f"(let ((a {t[0]})) {t[1]})"),
        st.tuples(inner, inner).map(lambda t: f"(let* ((b {t[0]}) (a b)) {t[1]})"),
        st.tuples(inner, inner).map(lambda t: f"(and {t[0]} {t[1]})"),
        st.tuples(inner, inner).map(lambda t: f"(or {t[0]} {t[1]})"),
        st.tuples(inner, inner).map(lambda t: f"(begin (set! a {t[0]}) {t[1]})"),
        st.tuples(inner, inner).map(lambda t: f"((lambda (b) {t[1]}) {t[0]})"),
        st.tuples(inner, inner, inner).map(lambda t: f"(cond ({t[0]} {t[1]}) (else {t[2]}))"),
        st.tuples(inner, inner).map(lambda t: f"(case {t[0]} ((0 1 s) {t[1]}) (else 'other))"),
        st.tuples(inner).map(lambda t: f"(do ((i 0 (+ i 1)) (acc '() (cons {t[0]} acc))) ((= i 2) acc))"),
    )


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(expressions(3), st.sampled_from(["1 2", "0 -3", "2.5 4", "'(1) 3", "#t '()"]))
def test_random_programs_agree(body: str, arguments: str) -> None:
    source = f"(define (f a b) {body}) (define (g) (f {arguments})) (list (f {arguments}) (g))"
    assert run(source, True) == run(source, False)


def test_nan_results_print_alike() -> None:
    assert assert_same("(define (f x) (- x x)) (f (/ 1. 0.))")[1] == "value +nan.0"
