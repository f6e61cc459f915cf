"""Tests of the builtin primitives called from Scheme code, with compound procedures."""

from __future__ import annotations

import pytest

from symdiff.errors import EvaluationError, SchemeTypeError
from symdiff.evaluator.interpreter import Interpreter
from symdiff.printer import write_string


def run(source):
    return write_string(Interpreter().eval(source))


PROGRAMS = [
    ("(map (lambda (x) (* x x)) '(1 2 3))", "(1 4 9)"),
    ("(map (lambda (x y) (cons x y)) '(1 2 3) '(a b))", "((1 . a) (2 . b))"),
    ("(let ((total 0)) (for-each (lambda (x) (set! total (+ total x))) '(1 2 3)) total)", "6"),
    ("(sort '(3 1 2) (lambda (a b) (> a b)))", "(3 2 1)"),
    ("(sort (vector 5 3 9) <)", "#(3 5 9)"),
    ("(filter (lambda (x) (> x 2)) '(1 2 3 4))", "(3 4)"),
    ("(reduce max 0 '(3 9 2))", "9"),
    ("(fold-right (lambda (x acc) (cons (* 2 x) acc)) '() '(1 2 3))", "(2 4 6)"),
    ("(fold-left (lambda (acc x) (- acc x)) 10 '(1 2 3))", "4"),
    ("(fold + 0 '(1 2 3))", "6"),
    ("(apply (lambda args (length args)) 1 2 '(3 4))", "4"),
    ("(assoc 2.0 '((1 . a) (2 . b)) =)", "(2 . b)"),
    ("(member 2.0 '(1 2 3) (lambda (a b) (= a b)))", "(2 3)"),
    ("(vector-map (lambda (x) (* 10 x)) (vector 1 2))", "#(10 20)"),
    ("(any (lambda (x) (and (even? x) x)) '(1 3 4 5))", "4"),
    ("(every (lambda (x) (< x 10)) '(1 2 3))", "#t"),
    ("(list-index (lambda (x) (eq? x 'c)) '(a b c))", "2"),
    ("(string-index \"a1b\" (lambda (c) (char-numeric? c)))", "1"),
    ("(define l (list 1 2 3)) (set-cdr! (cddr l) l) (list? l)", "#f"),
    ("(equal? (list 1 (vector 2 \"x\")) (list 1 (vector 2 \"x\")))", "#t"),
    ("(eqv? 2 2.0)", "#f"),
    ("(procedure? (lambda (x) x))", "#t"),
    ("(procedure? car)", "#t"),
    ("(exact->inexact 1/3)", "0.3333333333333333"),
    ("(/ 6 4)", "3/2"),
    ("(expt 2 100)", "1267650600228229401496703205376"),
    ("(number->string (string->number \"ff\" 16) 2)", "\"11111111\""),
    ("(length (map 1+ (iota 100000)))", "100000"),
]


@pytest.mark.parametrize("source, expected", PROGRAMS)
def test_program(source, expected):
    assert run(source) == expected


def test_error_inside_mapped_lambda():
    with pytest.raises(SchemeTypeError, match="car: expected a pair, got 1"):
        Interpreter().eval("(map (lambda (x) (car x)) '(1))")


def test_map_rejects_non_procedure():
    with pytest.raises(SchemeTypeError, match="map: expected a procedure, got 5"):
        Interpreter().eval("(map 5 '(1))")


def test_division_by_zero_from_scheme():
    with pytest.raises(EvaluationError, match="/: division by zero"):
        Interpreter().eval("(/ 1 0)")
