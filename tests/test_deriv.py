"""Tests of the built-in deriv: SICP's rules and constructors, options, put/get and errors."""

from __future__ import annotations

import io
import time

import pytest

from symdiff import DerivError, Interpreter, SchemeError, SourcePosition, UserError
from symdiff.printer import write_string


def evaluate_printed(source: str, interpreter: Interpreter | None = None) -> str:
    """Evaluate `source` (in a fresh interpreter unless one is given) and return the write form."""
    interpreter = interpreter or Interpreter(output=io.StringIO())
    return write_string(interpreter.eval(source))


def raised_error(source: str) -> SchemeError:
    """Evaluate `source` in a fresh interpreter and return the SchemeError it raises."""
    with pytest.raises(SchemeError) as caught:
        Interpreter(output=io.StringIO()).eval(source, "prog.scm")
    return caught.value


# --- the rules at the default level, SICP's simplifying constructors --------------------------


@pytest.mark.parametrize(
    ("expression", "variable", "expected"),
    [
        # SICP section 2.3.2
        ("(+ x 3)", "x", "1"),
        ("(* x y)", "x", "y"),
        ("(* x y)", "y", "x"),
        ("(* (* x y) (+ x 3))", "x", "(+ (* x y) (* y (+ x 3)))"),
        # atoms
        ("x", "x", "1"),
        ("y", "x", "0"),
        ("5", "x", "0"),
        ("1/2", "x", "0"),
        ("2.5", "x", "0"),
        # exercise 2.57: any number of operands
        ("(* x y (+ x 3))", "x", "(+ (* x y) (* y (+ x 3)))"),
        ("(+ x x x)", "x", "3"),
        ("(+ x y z)", "x", "1"),
        ("(* x x x)", "x", "(+ (* x (+ x x)) (* x x))"),
        ("(* 2 3 x)", "x", "6"),
        ("(* a b c)", "x", "0"),
        ("(+ (* a x) (* b y) (* x y))", "x", "(+ a y)"),
        ("(+ (* a x) (* b y) (* x y))", "y", "(+ b x)"),
        ("(+ x)", "x", "1"),
        ("(* x)", "x", "1"),
        ("(+)", "x", "0"),
        ("(*)", "x", "0"),
        # exercise 2.56: powers
        ("(** x n)", "x", "(* n (** x (+ n -1)))"),
        ("(** x 3)", "x", "(* 3 (** x 2))"),
        ("(** x 2)", "x", "(* 2 x)"),
        ("(** x 1)", "x", "1"),
        ("(** x 0)", "x", "0"),
        ("(** x -1)", "x", "(* -1 (** x -2))"),
        ("(** x 1/2)", "x", "(* 1/2 (** x -1/2))"),
        ("(** x 2.0)", "x", "(* 2.0 x)"),
        ("(** (+ x 1) 3)", "x", "(* 3 (** (+ x 1) 2))"),
        ("(** (* 2 x) 3)", "x", "(* (* 3 (** (* 2 x) 2)) 2)"),
        ("(** y 3)", "x", "0"),
        ("(** 2 3)", "x", "0"),
        # a power of the number 0 is 0 wherever its exponent is positive
        ("(** 0 x)", "x", "0"),
        ("(expt 0.0 (sin x))", "x", "0"),
        ("(* x (** 0 x))", "x", "(** 0 x)"),
        # differences and negation
        ("(- x)", "x", "-1"),
        ("(- x y)", "x", "1"),
        ("(- y x)", "x", "-1"),
        ("(- x y z)", "y", "-1"),
        ("(- (* a x))", "x", "(- a)"),
        ("(- (** x 3) (* 2 x))", "x", "(- (* 3 (** x 2)) 2)"),
        # numbers keep their exactness
        ("(* 1/2 x)", "x", "1/2"),
        ("(+ 1.5 (* 2.0 x))", "x", "2.0"),
        # constructors look only at their own arguments
        ("(* x x)", "x", "(+ x x)"),
        ("(* (+ x 1) (+ x -1))", "x", "(+ (+ x 1) (+ x -1))"),
        # symbols are case-sensitive
        ("(* X x)", "x", "X"),
        ("(* X x)", "X", "x"),
    ],
)
def test_deriv(expression: str, variable: str, expected: str) -> None:
    assert evaluate_printed(f"(deriv '{expression} '{variable})") == expected


@pytest.mark.parametrize(
    ("expression", "variable", "expected"),
    [
        ("(+ x 3)", "x", "(+ 1 0)"),
        ("(* x y)", "x", "(+ (* x 0) (* 1 y))"),
        ("(* (* x y) (+ x 3))", "x", "(+ (* (* x y) (+ 1 0)) (* (+ (* x 0) (* 1 y)) (+ x 3)))"),
        ("(+ x y z)", "x", "(+ 1 (+ 0 0))"),
        ("(* x y z)", "x", "(+ (* x (+ (* y 0) (* 0 z))) (* 1 (* y z)))"),
        ("(** x 3)", "x", "(* (* 3 (** x (+ 3 -1))) 1)"),
        ("(** x n)", "x", "(* (* n (** x (+ n -1))) 1)"),
        ("(- x y)", "x", "(- 1 0)"),
        ("(- x)", "x", "(- 1)"),
        ("(* 0 x)", "x", "(+ (* 0 1) (* 0 x))"),
        ("(** 0 (* 2 x))", "x", "0"),
        ("x", "x", "1"),
        ("5", "x", "0"),
    ],
)
def test_deriv_level_none(expression: str, variable: str, expected: str) -> None:
    assert evaluate_printed(f"(deriv '{expression} '{variable} 'none)") == expected


def test_deriv_level_sicp_explicit() -> None:
    assert evaluate_printed("(deriv '(* x y) 'x 'sicp)") == "y"


def test_interpreter_default_level_none() -> None:
    interpreter = Interpreter(output=io.StringIO(), simplify="none")
    assert evaluate_printed("(deriv '(* x y) 'x)", interpreter) == "(+ (* x 0) (* 1 y))"


def test_interpreter_default_level_overridden() -> None:
    interpreter = Interpreter(output=io.StringIO(), simplify="none")
    assert evaluate_printed("(deriv '(* x y) 'x 'sicp)", interpreter) == "y"


def test_interpreter_invalid_level() -> None:
    with pytest.raises(ValueError, match="bogus"):
        Interpreter(simplify="bogus")


# --- higher orders ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        ("(deriv '(** x 3) 'x 2)", "(* 3 (* 2 x))"),
        ("(deriv '(** x 3) 'x 3)", "6"),
        ("(deriv '(** x 3) 'x 4)", "0"),
        ("(deriv '(** x 3) 'x 1)", "(* 3 (** x 2))"),
        ("(deriv '(** x 3) 'x 0)", "(** x 3)"),
        ("(deriv '(* x y) 'x 2)", "0"),
        ("(deriv '(* x x x) 'x 3)", "6"),
        (
            "(deriv '(** x 3) 'x 2 'none)",
            "(+ (* (* 3 (** x (+ 3 -1))) 0) (* (+ (* 3 (* (* (+ 3 -1) (** x (+ (+ 3 -1) -1))) 1))"
            " (* 0 (** x (+ 3 -1)))) 1))",
        ),
        ("(equal? (deriv '(** x 3) 'x 'none 2) (deriv '(** x 3) 'x 2 'none))", "#t"),
        ("(equal? (deriv '(** x 3) 'x 2) (deriv (deriv '(** x 3) 'x) 'x))", "#t"),
        ("(deriv '(** x 5) 'x 5)", "120"),
        # make-negation folds a double negation: the 4th order was (- (- (sin x))).
        ("(deriv '(sin x) 'x 4)", "(sin x)"),
        ("(deriv '(- (cos x)) 'x)", "(sin x)"),
        ("(deriv '(- (cos x)) 'x 'none)", "(- (* (- (sin x)) 1))"),
    ],
)
def test_deriv_higher_order(call: str, expected: str) -> None:
    assert evaluate_printed(call) == expected


# --- results are ordinary lists -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("(car (deriv '(* (* x y) (+ x 3)) 'x))", "+"),
        ("(cadr (deriv '(* (* x y) (+ x 3)) 'x))", "(* x y)"),
        ("(caddr (deriv '(* (* x y) (+ x 3)) 'x))", "(* y (+ x 3))"),
        ("(cdr (deriv '(** x n) 'x))", "(n (** x (+ n -1)))"),
        ("(length (deriv '(* x y) 'x 'none))", "3"),
        ("(list? (deriv '(* (* x y) (+ x 3)) 'x))", "#t"),
        ("(eq? (deriv '(* x y) 'x) 'y)", "#t"),
        ("(symbol? (deriv '(* x y) 'x))", "#t"),
        ("(exact? (deriv '(* 3 x) 'x))", "#t"),
        ("(equal? (deriv '(* x y (+ x 3)) 'x) (deriv '(* (* x y) (+ x 3)) 'x))", "#t"),
        ("(equal? (deriv '(* x y (+ x 3)) 'x) '(+ (* x y) (* y (+ x 3))))", "#t"),
        ("(deriv (deriv '(** x 3) 'x) 'x)", "(* 3 (* 2 x))"),
        ("(map (lambda (v) (deriv '(* x y z) v)) '(x y z))", "((* y z) (* x z) (* x y))"),
        ("(define d (deriv '(* x y) 'x 'none)) (set-car! d '-) d", "(- (* x 0) (* 1 y))"),
        ("(define d (deriv '(* x y) 'x 'none)) (set-car! d '-) (deriv '(* x y) 'x 'none)", "(+ (* x 0) (* 1 y))"),
        ("(define e (list '* 'x 'y)) (deriv e 'x) e", "(* x y)"),
        ("(deriv (list '* 'x (list '+ 'x 3)) 'x)", "(+ x (+ x 3))"),
        ("(define (f n) (list '** 'x n)) (deriv (f 4) 'x)", "(* 4 (** x 3))"),
        ("(deriv `(* ,(+ 1 2) x) 'x)", "3"),
    ],
)
def test_deriv_result_is_data(source: str, expected: str) -> None:
    assert evaluate_printed(source) == expected


# --- put and get ------------------------------------------------------------------------------


SIN_RULE = (
    "(put 'deriv 'sin (lambda (operands var)"
    " (list '* (list 'cos (car operands)) (deriv (car operands) var))))"
)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("(get 'deriv 'frob)", "#f"),
        ("(procedure? (get 'deriv '+))", "#t"),
        ("(procedure? (get 'deriv '*))", "#t"),
        ("(procedure? (get 'deriv '**))", "#t"),
        ("(procedure? (get 'deriv '-))", "#t"),
        ("((get 'deriv '+) '(x 3) 'x)", "1"),
        ("((get 'deriv '*) '(x y) 'x)", "y"),
        ("((get 'deriv '*) '(x y (+ x 3)) 'x)", "(+ (* x y) (* y (+ x 3)))"),
        ("((get 'deriv '**) '(x 3) 'x)", "(* 3 (** x 2))"),
        ("((get 'deriv '-) '(x) 'x)", "-1"),
        (f"{SIN_RULE} (deriv '(sin x) 'x)", "(* (cos x) 1)"),
        (f"{SIN_RULE} (deriv '(sin (* 2 x)) 'x)", "(* (cos (* 2 x)) 2)"),
        (f"{SIN_RULE} (deriv '(* x (sin x)) 'x)", "(+ (* x (* (cos x) 1)) (sin x))"),
        (f"{SIN_RULE} (deriv '(** (sin x) 2) 'x)", "(* (* 2 (sin x)) (* (cos x) 1))"),
        (
            "(define (frob-rule operands var) (cons 'got (cons var operands)))"
            " (put 'deriv 'frob frob-rule) (eq? (get 'deriv 'frob) frob-rule)",
            "#t",
        ),
        ("(put 'deriv 'frob (lambda (operands var) (cons 'got (cons var operands)))) (deriv '(frob a b) 'x)", "(got x a b)"),
        ("(put 'deriv 'frob (lambda (operands var) 7)) (deriv '(+ x (frob y)) 'x)", "8"),
        ("(put 'deriv 'frob (lambda (operands var) 7)) (deriv '(frob y) 'x 'none)", "7"),
        ("(put 'deriv '+ (lambda (operands var) 'custom)) (deriv '(* 2 (+ x 1)) 'x)", "(* 2 custom)"),
        ("(put 'deriv '+ (lambda (operands var) 'custom)) ((get 'deriv '+) '(x 1) 'x)", "custom"),
        (
            "(define builtin-sum (get 'deriv '+))"
            " (put 'deriv '+ (lambda (operands var) (list 'd (builtin-sum operands var))))"
            " (deriv '(+ x 3) 'x)",
            "(d 1)",
        ),
        ("(put 'deriv 'quote (lambda (operands var) 0)) (deriv ''x 'x)", "0"),
        ("(put 'area 'square (lambda (side) (* side side))) ((get 'area 'square) 3)", "9"),
        ("(put 'area 'square 1) (get 'area 'circle)", "#f"),
        ("(put 'area 'square 1) (put 'area 'square 2) (get 'area 'square)", "2"),
    ],
)
def test_put_get(source: str, expected: str) -> None:
    assert evaluate_printed(source) == expected


def test_put_rule_stays_in_its_interpreter() -> None:
    first = Interpreter(output=io.StringIO())
    first.eval("(put 'deriv 'frob (lambda (operands var) 0))")
    with pytest.raises(DerivError):
        Interpreter(output=io.StringIO()).eval("(deriv '(frob x) 'x)")


def test_put_rule_error_propagates() -> None:
    error = raised_error("(put 'deriv 'frob (lambda (operands var) (error \"no rule body:\" operands)))\n(deriv '(+ 1 (frob x)) 'x)")
    assert isinstance(error, UserError)
    assert error.message == "no rule body: (x)"


def test_put_rule_returning_non_expression() -> None:
    error = raised_error("(put 'deriv 'frob (lambda (operands var) #t))\n(deriv '(frob x) 'x)")
    assert isinstance(error, DerivError)
    assert "#t" in error.message


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("(put 'deriv 'frob 5)", "must be a procedure"),
        ("(put 'deriv \"frob\" car)", "operator must be a symbol"),
    ],
)
def test_put_invalid_rule(source: str, message: str) -> None:
    assert message in raised_error(source).message


# --- errors -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "message"),
    [
        ("(deriv '(frob x) 'x)", "no rule for operator frob"),
        ("(deriv '(frob x) 'x)", "(put 'deriv 'frob (lambda (operands var) ...))"),
        ("(deriv '(* x (frob x)) 'x)", "no rule for operator frob"),
        ("(deriv '(* y (frob x)) 'x 'none)", "no rule for operator frob"),
        ("(deriv '(+ x 3) 3)", "variable must be a symbol"),
        ("(deriv '(+ x 3) \"x\")", "variable must be a symbol"),
        ("(deriv '(+ x 3) '(x))", "variable must be a symbol"),
        ("(deriv '(** x) 'x)", "** expects a base and an exponent"),
        ("(deriv '(** x 2 3) 'x)", "** expects a base and an exponent"),
        ("(deriv '(-) 'x)", "- expects at least one operand"),
        ("(deriv '(+ x #t) 'x)", "not an algebraic expression: #t"),
        ("(deriv \"x\" 'x)", "not an algebraic expression"),
        ("(deriv '(+ x . y) 'x)", "improper list"),
        ("(deriv '((a) b) 'x)", "operator must be a symbol"),
        ("(deriv '(+ x #(1)) 'x)", "not an algebraic expression"),
        ("(define c (list '+ 'x 1)) (set-cdr! (cddr c) c) (deriv c 'x)", "circular"),
        ("(define c (list '+ 'x 1)) (set-car! (cdr c) c) (deriv c 'x)", "circular"),
        ("(define c (list '* 'x (list 'sin 'x))) (set-car! (cdr (caddr c)) c) (deriv c 'x)", "circular"),
        ("(deriv 'x 'x -1)", "invalid option -1"),
        ("(deriv 'x 'x 'bogus)", "invalid option bogus"),
        ("(deriv 'x 'x 1.5)", "invalid option 1.5"),
    ],
)
def test_deriv_error(call: str, message: str) -> None:
    error = raised_error(call)
    assert isinstance(error, DerivError)
    assert message in error.message


@pytest.mark.parametrize("call", ["(deriv 'x)", "(deriv 'x 'x 1 'none 3)"])
def test_deriv_arity_error(call: str) -> None:
    assert "deriv: expected 2 to 4 arguments" in raised_error(call).message


def test_deriv_error_position() -> None:
    error = raised_error("(define e '(frob x))\n  (deriv e 'x)")
    assert error.position == SourcePosition("prog.scm", 2, 3)


def test_deriv_error_leaves_interpreter_usable() -> None:
    interpreter = Interpreter(output=io.StringIO())
    with pytest.raises(DerivError):
        interpreter.eval("(deriv '(frob x) 'x)")
    assert evaluate_printed("(deriv '(* x y) 'x)", interpreter) == "y"


# --- shadowing by user programs ---------------------------------------------------------------


BOOK_DERIV = """
(define (variable? x) (symbol? x))
(define (same-variable? v1 v2) (and (variable? v1) (variable? v2) (eq? v1 v2)))
(define (make-sum a1 a2) (list '+ a1 a2))
(define (make-product m1 m2) (list '* m1 m2))
(define (sum? x) (and (pair? x) (eq? (car x) '+)))
(define (addend s) (cadr s))
(define (augend s) (caddr s))
(define (product? x) (and (pair? x) (eq? (car x) '*)))
(define (multiplier p) (cadr p))
(define (multiplicand p) (caddr p))
(define (deriv exp var)
  (cond ((number? exp) 0)
        ((variable? exp) (if (same-variable? exp var) 1 0))
        ((sum? exp) (make-sum (deriv (addend exp) var) (deriv (augend exp) var)))
        ((product? exp)
         (make-sum (make-product (multiplier exp) (deriv (multiplicand exp) var))
                   (make-product (deriv (multiplier exp) var) (multiplicand exp))))
        (else (error "unknown expression type -- DERIV" exp))))
"""


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("(define (deriv e v) 'mine) (deriv '(+ x 1) 'x)", "mine"),
        ("(let ((deriv (lambda (e v) 'local))) (deriv '(+ x 1) 'x))", "local"),
        ("(define (f deriv) (deriv '(+ x 1) 'x)) (f (lambda (e v) 'argument))", "argument"),
        ("(define (make-sum a b) 'mine) (deriv '(+ x y) 'x)", "1"),
        ("(define (make-product a b) 'mine) (deriv '(* x y) 'x)", "y"),
        (f"{BOOK_DERIV} (deriv '(+ x 3) 'x)", "(+ 1 0)"),
        (f"{BOOK_DERIV} (deriv '(* (* x y) (+ x 3)) 'x)", "(+ (* (* x y) (+ 1 0)) (* (+ (* x 0) (* 1 y)) (+ x 3)))"),
        (f"(define builtin-deriv deriv) {BOOK_DERIV} (builtin-deriv '(+ x 3) 'x)", "1"),
        (
            f"(define builtin-deriv deriv) {BOOK_DERIV}"
            " (equal? (deriv '(* (* x y) (+ x 3)) 'x) (builtin-deriv '(* (* x y) (+ x 3)) 'x 'none))",
            "#t",
        ),
        (
            "(define table '())"
            " (define (put op type item) (set! table (cons (list op type item) table)))"
            " (define (get op type) (let ((entry (assoc (list op type) (map (lambda (e) (cons (list (car e) (cadr e)) (caddr e))) table))))"
            " (if entry (cdr entry) #f)))"
            " (put 'deriv 'frob 'my-rule) (get 'deriv 'frob)",
            "my-rule",
        ),
    ],
    ids=[
        "define-deriv",
        "let-deriv",
        "parameter-deriv",
        "define-make-sum",
        "define-make-product",
        "book-deriv-sum",
        "book-deriv-product",
        "saved-builtin",
        "book-equals-builtin-none",
        "user-put-get",
    ],
)
def test_shadowing(source: str, expected: str) -> None:
    assert evaluate_printed(source) == expected


def test_shadowing_stays_in_its_interpreter() -> None:
    Interpreter(output=io.StringIO()).eval("(define (deriv e v) 'mine)")
    assert evaluate_printed("(deriv '(* x y) 'x)") == "y"


def test_user_put_does_not_install_rule() -> None:
    source = (
        "(define table '())"
        " (define (put op type item) (set! table (cons (list op type item) table)))"
        " (put 'deriv 'frob (lambda (operands var) 0))"
        " (deriv '(frob x) 'x)"
    )
    assert isinstance(raised_error(source), DerivError)


# --- size and shared structure ----------------------------------------------------------------


# (build wrap k) returns e(k), where e(0) = x and e(k+1) = (* e(k) (wrap e(k))). Both
# operands share the pairs of e(k), so the tree has about 2^k leaves but only a few pairs
# per level.
BUILD_SHARED = """
(define (build wrap k)
  (let loop ((i 0) (e 'x))
    (if (= i k)
        e
        (loop (+ i 1) (list '* e (wrap e))))))
(define (square-of e) (list '** e 2))
(define (sine-of e) (list 'sin e))
"""


def test_shared_power_chain_is_fast() -> None:
    interpreter = Interpreter(output=io.StringIO())
    interpreter.eval(BUILD_SHARED)
    start = time.perf_counter()
    result = evaluate_printed("(car (deriv (build square-of 300) 'x))", interpreter)
    elapsed = time.perf_counter() - start
    assert result == "+"
    assert elapsed < 10.0


def test_shared_power_chain_small() -> None:
    interpreter = Interpreter(output=io.StringIO())
    interpreter.eval(BUILD_SHARED)
    expected = "(+ (* x (* 2 x)) (** x 2))"
    assert evaluate_printed("(deriv (build square-of 1) 'x)", interpreter) == expected


def test_shared_structure_same_result_as_copy() -> None:
    interpreter = Interpreter(output=io.StringIO())
    interpreter.eval(BUILD_SHARED)
    interpreter.eval("(define (copy e) (if (pair? e) (cons (copy (car e)) (copy (cdr e))) e))")
    source = "(equal? (deriv (build square-of 6) 'x) (deriv (copy (build square-of 6)) 'x))"
    assert evaluate_printed(source, interpreter) == "#t"


def test_shared_user_rule_chain_is_fast() -> None:
    interpreter = Interpreter(output=io.StringIO())
    interpreter.eval(BUILD_SHARED)
    interpreter.eval(
        "(put 'deriv 'sin (lambda (operands var)"
        " (list '* (list 'cos (car operands)) (deriv (car operands) var))))"
    )
    # Each level runs alone under a time limit, so a slow implementation fails within seconds.
    for levels in range(1, 41):
        start = time.perf_counter()
        result = evaluate_printed(f"(car (deriv (build sine-of {levels}) 'x))", interpreter)
        elapsed = time.perf_counter() - start
        assert result == "+"
        assert elapsed < 1.0, f"{levels} levels took {elapsed:.1f} s"


def test_deep_power_chain() -> None:
    source = """
(define (chain n)
  (do ((i 0 (+ i 1))
       (e 'x (list '** e 2)))
      ((= i n) e)))
(define d (deriv (chain 100000) 'x))
(list (car d) (length d) (car (caddr d)))
"""
    assert evaluate_printed(source) == "(* 3 *)"


def test_deep_sum_chain() -> None:
    source = """
(define (chain n)
  (do ((i 0 (+ i 1))
       (e 'x (list '+ e 'x)))
      ((= i n) e)))
(deriv (chain 10000) 'x)
"""
    assert evaluate_printed(source) == "10001"


def test_deriv_unknown_function_free_of_variable() -> None:
    interpreter = Interpreter()
    assert write_string(interpreter.eval("(deriv '(* (g y) x) 'x)")) == "(g y)"
    assert write_string(interpreter.eval("(deriv '(+ (f 2) x) 'x)")) == "1"
    with pytest.raises(DerivError):
        interpreter.eval("(deriv '(f x) 'x)")
