"""Tests of the printer: write and display forms, read/write round trips, cycles and size."""

from __future__ import annotations

import io
import math
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import symdiff
from symdiff import NIL, Pair, Symbol
from symdiff.printer import display_string, write_string
from symdiff.reader import read
from symdiff.types import UNSPECIFIED, Char, make_list


def scheme_equal(left: Any, right: Any) -> bool:
    """Return True if two Scheme data are equal? (NaN equals NaN), comparing iteratively."""
    stack = [(left, right)]
    while stack:
        a, b = stack.pop()
        if type(a) is not type(b):
            return False
        if type(a) is Pair:
            stack.append((a.car, b.car))
            stack.append((a.cdr, b.cdr))
        elif type(a) is list:
            if len(a) != len(b):
                return False
            stack.extend(zip(a, b))
        elif type(a) is float and math.isnan(a):
            if not math.isnan(b):
                return False
        elif type(a) is float:
            if a != b or math.copysign(1.0, a) != math.copysign(1.0, b):
                return False
        elif a is not b and a != b:
            return False
    return True


def evaluate_printed(source: str) -> str:
    """Evaluate `source` in a fresh interpreter and return the write form of its value."""
    return write_string(symdiff.Interpreter(output=io.StringIO()).eval(source))


# --- write and display ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, "0"),
        (-17, "-17"),
        (Fraction(1, 3), "1/3"),
        (Fraction(-3, 4), "-3/4"),
        (2.0, "2.0"),
        (0.1, "0.1"),
        (-0.0, "-0.0"),
        (math.inf, "+inf.0"),
        (-math.inf, "-inf.0"),
        (math.nan, "+nan.0"),
        (True, "#t"),
        (False, "#f"),
        (NIL, "()"),
        (Symbol("abc"), "abc"),
        (Symbol("Hello"), "Hello"),
        ("abc", '"abc"'),
        ("", '""'),
        ('say "hi"', '"say \\"hi\\""'),
        ("back\\slash", '"back\\\\slash"'),
        ("a\nb\tc\rd", '"a\\nb\\tc\\rd"'),
        ("\x01", '"\\x1;"'),
        ("λ", '"λ"'),
        (Char("a"), "#\\a"),
        (Char(" "), "#\\space"),
        (Char("\n"), "#\\newline"),
        (Char("\t"), "#\\tab"),
        (Char("\0"), "#\\null"),
        (Char("\x7f"), "#\\delete"),
        (Char("\x01"), "#\\x1"),
        (Char("λ"), "#\\λ"),
        (make_list([1, 2, 3]), "(1 2 3)"),
        (Pair(1, 2), "(1 . 2)"),
        (make_list([1, 2], 3), "(1 2 . 3)"),
        (make_list([make_list([1]), NIL, "s"]), '((1) () "s")'),
        ([1, Symbol("a"), "s"], '#(1 a "s")'),
        ([], "#()"),
        (make_list([[1, [2]], make_list([3])]), "(#(1 #(2)) (3))"),
        (make_list([Symbol("quote"), Symbol("x")]), "(quote x)"),
        (UNSPECIFIED, "#<unspecified>"),
    ],
)
def test_write(value: Any, expected: str) -> None:
    assert write_string(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("a\nb", "a\nb"),
        ('say "hi"', 'say "hi"'),
        (Char("a"), "a"),
        (Char(" "), " "),
        (make_list(["s", Char("c"), Symbol("x"), 1]), "(s c x 1)"),
        (["s", Char("c")], "#(s c)"),
        (Fraction(1, 3), "1/3"),
        (True, "#t"),
    ],
)
def test_display(value: Any, expected: str) -> None:
    assert display_string(value) == expected


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("car", "#<procedure car>"),
        ("(define (square x) (* x x)) square", "#<procedure square>"),
        ("(lambda (x) x)", "#<procedure>"),
        ("(delay 1)", "#<promise>"),
        ("(/ 1 3)", "1/3"),
        ("(exp 1000)", "+inf.0"),
        ("(- (exp 1000))", "-inf.0"),
        ("(- (exp 1000) (exp 1000))", "+nan.0"),
        ("(vector 1 (list 2 3))", "#(1 (2 3))"),
    ],
)
def test_write_evaluated(source: str, expected: str) -> None:
    assert evaluate_printed(source) == expected


# --- round trips -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "0",
        "-17",
        "1/3",
        "-3/4",
        "2.5",
        "0.1",
        "-0.0",
        "1e+21",
        "1e-07",
        "123456789.123",
        "+inf.0",
        "-inf.0",
        "#t",
        "#f",
        "()",
        "abc",
        "->x",
        "1+",
        "...",
        '""',
        '"a\\nb\\t\\"q\\" \\\\ \\x1; \\x7f; λ"',
        "#\\a",
        "#\\space",
        "#\\newline",
        "#\\null",
        "#\\delete",
        "#\\escape",
        "#\\x1",
        "#\\(",
        "#\\λ",
        "(1 2 3)",
        "(a . b)",
        "(a b . c)",
        "((a) (b (c)) ())",
        "#(1 #(2) (3))",
        "#()",
        "(quote x)",
        "(quasiquote (a (unquote b) (unquote-splicing c)))",
        '(define (f x) (display "x = ") (display x) (newline))',
    ],
)
def test_round_trip_text(text: str) -> None:
    assert write_string(read(text)) == text


@pytest.mark.parametrize(
    "value",
    [
        pytest.param(Symbol("1"), id="numeric-symbol"),
        pytest.param(Symbol("hello world"), id="symbol-with-space"),
    ],
)
def test_round_trip_unusual_symbol(value: Symbol) -> None:
    assert read(write_string(value)) is value


SYMBOL_INITIAL = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ!$%&*/:<=>?^_~"
SYMBOL_SUBSEQUENT = SYMBOL_INITIAL + "0123456789+-.@"
PECULIAR_SYMBOLS = ["+", "-", "...", "->", "->x", "1+", "-1+", "**", "<=?"]

symbols = st.one_of(
    st.builds(
        lambda first, rest: Symbol(first + rest),
        st.sampled_from(SYMBOL_INITIAL),
        st.text(alphabet=SYMBOL_SUBSEQUENT, max_size=8),
    ),
    st.sampled_from(PECULIAR_SYMBOLS).map(Symbol),
)
numbers = st.one_of(
    st.integers(),
    st.integers(min_value=-(10**60), max_value=10**60),
    st.fractions().map(lambda value: value.numerator if value.denominator == 1 else value),
    st.floats(allow_nan=True, allow_infinity=True),
)
text_characters = st.characters(blacklist_categories=("Cs",))
atoms = st.one_of(
    numbers,
    symbols,
    st.booleans(),
    st.just(NIL),
    st.text(alphabet=text_characters, max_size=12),
    text_characters.map(Char),
)


def compound_data(children: st.SearchStrategy) -> st.SearchStrategy:
    return st.one_of(
        st.lists(children, max_size=5).map(make_list),
        st.builds(lambda items, tail: make_list(items, tail), st.lists(children, min_size=1, max_size=4), atoms),
        st.lists(children, max_size=4),
    )


scheme_data = st.recursive(atoms, compound_data, max_leaves=25)


@settings(max_examples=300, deadline=None)
@given(scheme_data)
def test_round_trip_generated(value: Any) -> None:
    assert scheme_equal(read(write_string(value)), value)


def test_scheme_equal_detects_difference() -> None:
    assert not scheme_equal(make_list([1, 2]), make_list([1, 2.0]))


# --- sharing and cycles ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("(define c (list 1 2 3)) (set-cdr! (cddr c) c) c", "#0=(1 2 3 . #0#)"),
        ("(define c (list 1)) (set-cdr! c c) c", "#0=(1 . #0#)"),
        ("(define c (list 1 2)) (set-car! c c) c", "#0=(#0# 2)"),
        ("(define c (list 1 2 3)) (set-cdr! (cddr c) (cdr c)) c", "(1 . #0=(2 3 . #0#))"),
        ("(define c (list 1 2)) (set-cdr! (cdr c) c) (list 'a c 'b)", "(a #0=(1 2 . #0#) b)"),
        (
            "(define c (list 1)) (set-cdr! c c) (define d (list 2)) (set-cdr! d d) (list c d)",
            "(#0=(1 . #0#) #1=(2 . #1#))",
        ),
        ("(define v (vector 1 2)) (vector-set! v 0 v) v", "#0=#(#0# 2)"),
        ("(define v (vector 1)) (define c (list v)) (vector-set! v 0 c) c", "#0=(#(#0#))"),
        ("(define x (list 1 2)) (list x x)", "((1 2) (1 2))"),
        ("(define x (list 1 2)) (cons x x)", "((1 2) 1 2)"),
    ],
)
def test_write_shared_structure(source: str, expected: str) -> None:
    assert evaluate_printed(source) == expected


def test_display_circular_list() -> None:
    value = symdiff.Interpreter().eval('(define c (list "a" "b")) (set-cdr! (cdr c) c) c')
    assert display_string(value) == "#0=(a b . #0#)"


def test_write_long_circular_list() -> None:
    items = make_list(range(100_000))
    last = items
    while last.cdr is not NIL:
        last = last.cdr
    last.cdr = items
    text = write_string(items)
    assert text.startswith("#0=(0 1 2 ")
    assert text.endswith(" 99999 . #0#)")


# --- size ------------------------------------------------------------------------------------


def test_deep_nesting_read_and_write() -> None:
    text = "(" * 100_000 + ")" * 100_000
    assert write_string(read(text)) == text


def test_deep_car_nesting_write() -> None:
    value: Any = Symbol("x")
    for _ in range(100_000):
        value = Pair(value, NIL)
    assert write_string(value) == "(" * 100_000 + "x" + ")" * 100_000


def test_deep_vector_nesting_write() -> None:
    value: Any = []
    for _ in range(100_000):
        value = [value]
    assert write_string(value) == "#(" * 100_001 + ")" * 100_001


def test_deep_nesting_scheme_equal_round_trip() -> None:
    text = "(a " * 20_000 + "b" + ")" * 20_000
    value = read(text)
    assert scheme_equal(read(write_string(value)), value)


def test_long_list_write() -> None:
    value = make_list(range(100_000))
    assert write_string(value) == "(" + " ".join(map(str, range(100_000))) + ")"


def test_integer_10000_digits() -> None:
    value = 10**9_999 + 1
    text = write_string(value)
    assert text == "1" + "0" * 9_998 + "1"


def test_integer_10000_digits_negative() -> None:
    text = "-" + "9" * 10_000
    assert write_string(read(text)) == text


def test_integer_10000_digits_evaluated() -> None:
    assert evaluate_printed("(expt 10 10000)") == "1" + "0" * 10_000


def test_rational_10000_digits() -> None:
    value = Fraction(10**10_000 + 1, 3)
    assert write_string(value) == "1" + "0" * 9_999 + "1/3"


def _dag(depth: int):
    from symdiff.calculus.expr import compound

    expr = Symbol("x")
    for _ in range(depth):
        expr = compound(Symbol("*"), expr, compound(Symbol("sin"), expr))
    return expr


@pytest.mark.parametrize("text", ["x", "(* x y)", "(+ (* 2 x) (sin (cos x)) 3)", "(f (g) (h 1 2) ())"])
def test_printed_size_is_node_count(text):
    from symdiff.calculus.convert import from_datum, node_count, to_datum
    from symdiff.printer import _find_cycles

    expr = from_datum(read(text))
    assert _find_cycles(to_datum(expr))[1] == node_count(expr)


def test_printed_size_of_shared_dag_is_node_count():
    from symdiff.calculus.convert import node_count, to_datum
    from symdiff.printer import _find_cycles

    expr = _dag(12)
    assert _find_cycles(to_datum(expr))[1] == node_count(expr) == 5 * 2**12 - 4


def test_expression_under_the_limit_prints(monkeypatch):
    import symdiff.api
    import symdiff.printer
    from symdiff.api import Expression

    expr = Expression(_dag(6))
    count = expr.node_count()
    for module in (symdiff.api, symdiff.printer):
        monkeypatch.setattr(module, "MAX_PRINTED_NODES", count)
    assert str(expr).startswith("(* (* (* ")
    for module in (symdiff.api, symdiff.printer):
        monkeypatch.setattr(module, "MAX_PRINTED_NODES", count - 1)
    assert str(expr) == f"<expression of {count:.3g} nodes, too large to print>"
    assert repr(expr) == f"Expression('<expression of {count:.3g} nodes, too large to print>')"


def test_integer_over_digit_limit_is_an_error(monkeypatch):
    import symdiff.numbers
    from symdiff.errors import EvaluationError

    monkeypatch.setattr(symdiff.numbers, "MAX_WRITTEN_DIGITS", 100)
    assert write_string(10**99) == "1" + "0" * 99
    with pytest.raises(EvaluationError, match="integer too large to write: it has about 100 digits"):
        write_string(10**100)
    expression = symdiff.Expression(symdiff.parse("x").value)
    assert str(symdiff.parse(f"(+ x {10**100})")).startswith("<expression that cannot be printed: integer too large")
    assert str(expression) == "x"
