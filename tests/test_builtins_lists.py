"""Tests of the pair, list, equality and vector primitives."""

from __future__ import annotations

from fractions import Fraction

import pytest

from symdiff.evaluator.core import apply_procedure

from symdiff.errors import ArityError, EvaluationError, SchemeTypeError
from symdiff.evaluator.builtins import all_primitives
from symdiff.evaluator.procedures import Primitive
from symdiff.printer import write_string
from symdiff.types import NIL, UNSPECIFIED, Char, Pair, Symbol, list_to_python, make_list

PRIMITIVES = all_primitives()
BIG_LENGTH = 1_000_000


def call(name, *args):
    # Through the evaluator's apply_procedure, which checks arity and finishes tail calls.
    return apply_procedure(PRIMITIVES[name], list(args))


def scheme_list(*items):
    return make_list(items)


def circular(*items):
    """Build a list whose last pair points back to its first, using set-cdr!."""
    head = make_list(items)
    call("set-cdr!", call("last-pair", head), head)
    return head


def written(value):
    return write_string(value)


def error_message(name, *args):
    """Call a primitive that must raise EvaluationError and return the error's message."""
    with pytest.raises(EvaluationError) as excinfo:
        call(name, *args)
    return excinfo.value.message


@pytest.fixture(scope="module")
def big_list():
    return call("iota", BIG_LENGTH)


@pytest.fixture(scope="module")
def big_copy(big_list):
    """A copy of big_list that tests may change, if they restore it."""
    return call("list-copy", big_list)


A, B, C = Symbol("a"), Symbol("b"), Symbol("c")


# --- Pairs and accessors -------------------------------------------------------------------


def test_cons_car():
    assert call("car", call("cons", 1, 2)) == 1


def test_cons_cdr():
    assert call("cdr", call("cons", 1, 2)) == 2


def test_set_car_changes_pair():
    pair = call("cons", 1, 2)
    call("set-car!", pair, 9)
    assert pair.car == 9


def test_set_cdr_returns_unspecified():
    assert call("set-cdr!", call("cons", 1, 2), 3) is UNSPECIFIED


def test_accessor_count():
    names = [name for name in PRIMITIVES if len(name) > 3 and name[0] == "c" and name[-1] == "r" and set(name[1:-1]) <= {"a", "d"}]
    assert len(names) == 28


ACCESSORS = [
    ("cadr", scheme_list(1, 2, 3), "2"),
    ("cddr", scheme_list(1, 2, 3), "(3)"),
    ("caddr", scheme_list(1, 2, 3), "3"),
    ("cdddr", scheme_list(1, 2, 3), "()"),
    ("cadddr", scheme_list(1, 2, 3, 4), "4"),
    ("caar", scheme_list(scheme_list(1, 2)), "1"),
    ("cdar", scheme_list(scheme_list(1, 2)), "(2)"),
    ("cadar", scheme_list(scheme_list(1, 2)), "2"),
    ("caadr", scheme_list(1, scheme_list(2)), "2"),
    ("cddddr", scheme_list(1, 2, 3, 4, 5), "(5)"),
    ("caaaar", scheme_list(scheme_list(scheme_list(scheme_list(7)))), "7"),
]


@pytest.mark.parametrize("name, argument, expected", ACCESSORS)
def test_accessor(name, argument, expected):
    assert written(call(name, argument)) == expected


ACCESSOR_ERRORS = [
    ("car", NIL, "car: expected a pair, got ()"),
    ("cdr", 5, "cdr: expected a pair, got 5"),
    ("cadr", scheme_list(1), "cadr: expected a list of at least 2 elements, got (1)"),
    ("cddr", scheme_list(1), "cddr: expected a list of at least 2 elements, got (1)"),
    ("cadddr", scheme_list(1, 2, 3), "cadddr: expected a list of at least 4 elements, got (1 2 3)"),
    ("caar", scheme_list(1), "caar: expected a pair whose car is a pair, got (1)"),
    ("cdar", NIL, "cdar: expected a pair whose car is a pair, got ()"),
    ("cadar", scheme_list(scheme_list(1)), "cadar: expected a pair whose car is a pair whose cdr is a pair, got ((1))"),
    ("set-car!", NIL, "set-car!: expected a pair, got ()"),
    ("set-cdr!", "x", 'set-cdr!: expected a pair, got "x"'),
]


@pytest.mark.parametrize("name, argument, message", ACCESSOR_ERRORS)
def test_accessor_error(name, argument, message):
    args = (argument, 0) if name.startswith("set-") else (argument,)
    assert error_message(name, *args) == message


# --- Building, measuring and copying lists -------------------------------------------------


LIST_RESULTS = [
    ("list", (), "()"),
    ("list", (1, 2, 3), "(1 2 3)"),
    ("cons*", (1, 2, scheme_list(3)), "(1 2 3)"),
    ("cons*", (1,), "1"),
    ("make-list", (3, 0), "(0 0 0)"),
    ("make-list", (0,), "()"),
    ("make-list", (2,), "(#f #f)"),
    ("append", (), "()"),
    ("append", (scheme_list(1),), "(1)"),
    ("append", (scheme_list(1, 2), scheme_list(3), NIL, scheme_list(4, 5)), "(1 2 3 4 5)"),
    ("append", (scheme_list(1), 2), "(1 . 2)"),
    ("append", (NIL, 7), "7"),
    ("reverse", (scheme_list(1, 2, 3),), "(3 2 1)"),
    ("reverse", (NIL,), "()"),
    ("list-tail", (scheme_list(1, 2, 3), 2), "(3)"),
    ("list-tail", (scheme_list(1, 2, 3), 3), "()"),
    ("list-ref", (scheme_list(A, B, C), 2), "c"),
    ("list-copy", (scheme_list(1, 2),), "(1 2)"),
    ("list-copy", (make_list([1, 2], 3),), "(1 2 . 3)"),
    ("list-copy", (5,), "5"),
    ("last-pair", (scheme_list(1, 2, 3),), "(3)"),
    ("last-pair", (make_list([1, 2], 3),), "(2 . 3)"),
    ("iota", (5,), "(0 1 2 3 4)"),
    ("iota", (5, 1), "(1 2 3 4 5)"),
    ("iota", (4, 0, -2), "(0 -2 -4 -6)"),
    ("iota", (3, Fraction(1, 2)), "(1/2 3/2 5/2)"),
    ("iota", (3, 0, 0.1), "(0.0 0.1 0.2)"),
    ("iota", (0,), "()"),
]


@pytest.mark.parametrize("name, args, expected", LIST_RESULTS)
def test_list_result(name, args, expected):
    assert written(call(name, *args)) == expected


def test_append_copies_all_but_last():
    first = scheme_list(1, 2)
    last = scheme_list(3)
    result = call("append", first, last)
    assert result is not first


def test_append_shares_last():
    last = scheme_list(3)
    result = call("append", scheme_list(1, 2), last)
    assert call("cddr", result) is last


def test_list_copy_new_pairs():
    original = scheme_list(1, 2)
    assert call("list-copy", original) is not original


def test_append_destructive_links_lists():
    first = scheme_list(1, 2)
    second = scheme_list(3)
    call("append!", first, NIL, second, 4)
    assert written(first) == "(1 2 3 . 4)"


def test_append_destructive_skips_empty():
    second = scheme_list(3)
    assert call("append!", NIL, second) is second


LENGTHS = [
    (NIL, 0),
    (scheme_list(1, 2, 3), 3),
    (scheme_list(NIL, NIL), 2),
]


@pytest.mark.parametrize("argument, expected", LENGTHS)
def test_length(argument, expected):
    assert call("length", argument) == expected


LIST_ERRORS = [
    ("length", (make_list([1], 2),), SchemeTypeError),
    ("length", (5,), SchemeTypeError),
    ("reverse", (make_list([1], 2),), SchemeTypeError),
    ("append", (make_list([1], 2), NIL), SchemeTypeError),
    ("append", (5, NIL), SchemeTypeError),
    ("list-ref", (scheme_list(1, 2), 2), EvaluationError),
    ("list-ref", (scheme_list(1, 2), -1), SchemeTypeError),
    ("list-ref", (scheme_list(1, 2), 1.0), SchemeTypeError),
    ("list-ref", (make_list([1], 2), 1), SchemeTypeError),
    ("list-tail", (scheme_list(1), 2), EvaluationError),
    ("last-pair", (NIL,), SchemeTypeError),
    ("make-list", (-1,), SchemeTypeError),
    ("iota", (-1,), SchemeTypeError),
    ("iota", (3, "a"), SchemeTypeError),
    ("iota", (2.0,), SchemeTypeError),
]


@pytest.mark.parametrize("name, args, error", LIST_ERRORS)
def test_list_error(name, args, error):
    with pytest.raises(error):
        call(name, *args)


LIST_ERROR_MESSAGES = [
    ("length", (make_list([1], 2),), "length: expected a proper list, got (1 . 2)"),
    ("list-ref", (scheme_list(1, 2), 5), "list-ref: index 5 is out of range for a list of length 2"),
    ("list-ref", (scheme_list(1, 2), 2), "list-ref: index 2 is out of range for a list of length 2"),
    ("list-tail", (scheme_list(1), 3), "list-tail: index 3 is out of range for a list of length 1"),
    ("list-ref", (NIL, -1), "list-ref: expected an exact nonnegative integer, got -1"),
    ("append", (5, NIL), "append: expected a proper list, got 5"),
]


@pytest.mark.parametrize("name, args, message", LIST_ERROR_MESSAGES)
def test_list_error_message(name, args, message):
    assert error_message(name, *args) == message


LIST_PREDICATES = [
    ("null?", NIL, True),
    ("null?", scheme_list(1), False),
    ("null?", False, False),
    ("pair?", call("cons", 1, 2), True),
    ("pair?", NIL, False),
    ("pair?", [1, 2], False),
    ("list?", NIL, True),
    ("list?", scheme_list(1, 2), True),
    ("list?", make_list([1, 2], 3), False),
    ("list?", 5, False),
]


@pytest.mark.parametrize("name, argument, expected", LIST_PREDICATES)
def test_list_predicate(name, argument, expected):
    assert call(name, argument) is expected


# --- Circular lists ------------------------------------------------------------------------


def test_circular_list_predicate():
    assert call("list?", circular(1, 2, 3)) is False


def test_circular_one_pair_predicate():
    assert call("list?", circular(1)) is False


CIRCULAR_REJECTED = ["length", "reverse", "list-copy", "last-pair", "list->vector"]


@pytest.mark.parametrize("name", CIRCULAR_REJECTED)
def test_circular_rejected(name):
    with pytest.raises(SchemeTypeError):
        call(name, circular(1, 2, 3))


def test_circular_length_message():
    assert error_message("length", circular(1, 2)) == "length: expected a proper list, got #0=(1 2 . #0#)"


def test_circular_append_rejected():
    with pytest.raises(SchemeTypeError):
        call("append", circular(1, 2), NIL)


def test_circular_memq_miss_rejected():
    with pytest.raises(SchemeTypeError):
        call("memq", 9, circular(1, 2, 3))


def test_circular_memq_hit():
    assert call("memq", 2, circular(1, 2, 3)).car == 2


def test_circular_assq_miss_rejected():
    with pytest.raises(SchemeTypeError):
        call("assq", A, circular(call("cons", B, 1)))


def test_circular_map_rejected():
    with pytest.raises(SchemeTypeError):
        call("map", PRIMITIVES["-"], circular(1, 2))


def test_circular_map_with_proper_list():
    result = call("map", PRIMITIVES["+"], circular(10, 20), scheme_list(1, 2, 3))
    assert written(result) == "(11 22 13)"


def test_circular_list_tail_walks():
    assert call("list-ref", circular(1, 2), 5) == 2


def test_circular_equal_same_cycle():
    assert call("equal?", circular(1, 2, 3), circular(1, 2, 3)) is True


def test_circular_equal_unrolled_cycle():
    assert call("equal?", circular(1, 2), circular(1, 2, 1, 2)) is True


def test_circular_equal_different_cycle():
    assert call("equal?", circular(1, 2, 3), circular(1, 2)) is False


def test_circular_equal_through_car():
    first = scheme_list(1)
    first.car = first
    second = scheme_list(1)
    second.car = second
    assert call("equal?", first, second) is True


def test_circular_vector_equal():
    first = [1, None]
    first[1] = first
    second = [1, None]
    second[1] = second
    assert call("equal?", first, second) is True


# --- Long lists ----------------------------------------------------------------------------


def test_big_length(big_list):
    assert call("length", big_list) == BIG_LENGTH


def test_big_list_predicate(big_list):
    assert call("list?", big_list) is True


def test_big_equal_copy(big_list, big_copy):
    assert call("equal?", big_list, big_copy) is True


def test_big_equal_last_differs(big_list, big_copy):
    last = call("last-pair", big_copy)
    call("set-car!", last, "other")
    try:
        assert call("equal?", big_list, big_copy) is False
    finally:
        call("set-car!", last, BIG_LENGTH - 1)


def test_big_improper_detected(big_copy):
    last = call("last-pair", big_copy)
    call("set-cdr!", last, 0)
    try:
        assert call("list?", big_copy) is False
    finally:
        call("set-cdr!", last, NIL)


def test_big_circular_detected(big_copy):
    last = call("last-pair", big_copy)
    call("set-cdr!", last, big_copy)
    try:
        assert call("list?", big_copy) is False
    finally:
        call("set-cdr!", last, NIL)


def test_big_append(big_list):
    result = call("append", big_list, scheme_list("end"))
    assert call("list-ref", result, BIG_LENGTH) == "end"


def test_big_map(big_list):
    result = call("map", PRIMITIVES["1+"], big_list)
    assert call("list-ref", result, BIG_LENGTH - 1) == BIG_LENGTH


def test_big_apply(big_list):
    assert call("apply", PRIMITIVES["max"], big_list) == BIG_LENGTH - 1


def test_big_memv_miss(big_list):
    assert call("memv", -1, big_list) is False


def test_big_vector_round_trip(big_list):
    vector = call("list->vector", big_list)
    assert call("vector-length", vector) == BIG_LENGTH


def test_deep_nesting_equal():
    first, second = NIL, NIL
    for _ in range(100_000):
        first = scheme_list(first)
        second = scheme_list(second)
    assert call("equal?", first, second) is True


# --- Higher-order procedures ---------------------------------------------------------------

PLUS = PRIMITIVES["+"]
MINUS = PRIMITIVES["-"]
CONS = PRIMITIVES["cons"]
LIST = PRIMITIVES["list"]
LESS = PRIMITIVES["<"]
EVEN = PRIMITIVES["even?"]
ODD = PRIMITIVES["odd?"]
NUMBER = PRIMITIVES["number?"]
CAR = PRIMITIVES["car"]


HIGHER_ORDER = [
    ("map", (MINUS, scheme_list(1, 2, 3)), "(-1 -2 -3)"),
    ("map", (PLUS, scheme_list(1, 2, 3), scheme_list(10, 20)), "(11 22)"),
    ("map", (PLUS, NIL), "()"),
    ("map", (LIST, scheme_list(1, 2), scheme_list(A, B), scheme_list("x", "y")), '((1 a "x") (2 b "y"))'),
    ("append-map", (LIST, scheme_list(1, 2), scheme_list(3, 4)), "(1 3 2 4)"),
    ("filter", (EVEN, scheme_list(1, 2, 3, 4)), "(2 4)"),
    ("remove", (EVEN, scheme_list(1, 2, 3, 4)), "(1 3)"),
    ("partition", (EVEN, scheme_list(1, 2, 3, 4)), "((2 4) 1 3)"),
    ("delete", (scheme_list(1), scheme_list(scheme_list(1), 2, scheme_list(1))), "(2)"),
    ("delete", (3, scheme_list(1, 5, 2), LESS), "(1 2)"),
    ("reduce", (PLUS, 0, scheme_list(1, 2, 3)), "6"),
    ("reduce", (PLUS, 0, NIL), "0"),
    ("reduce", (LIST, 0, scheme_list(1, 2, 3)), "(3 (2 1))"),
    ("reduce", (MINUS, 0, scheme_list(1, 2, 3, 4)), "2"),
    ("fold-left", (LIST, NIL, scheme_list(1, 2, 3)), "(((() 1) 2) 3)"),
    ("fold-left", (LIST, 0, scheme_list(1, 2), scheme_list(3, 4)), "((0 1 3) 2 4)"),
    ("fold-right", (LIST, NIL, scheme_list(1, 2, 3)), "(1 (2 (3 ())))"),
    ("fold-right", (CONS, NIL, scheme_list(1, 2, 3)), "(1 2 3)"),
    ("fold-right", (LIST, 0, scheme_list(1, 2), scheme_list(3, 4)), "(1 3 (2 4 0))"),
    ("fold", (CONS, NIL, scheme_list(1, 2, 3)), "(3 2 1)"),
    ("fold", (LIST, 0, scheme_list(1, 2), scheme_list(3, 4)), "(2 4 (1 3 0))"),
    ("apply", (PLUS, scheme_list(1, 2, 3)), "6"),
    ("apply", (LIST, 1, 2, scheme_list(3, 4)), "(1 2 3 4)"),
    ("apply", (PLUS, NIL), "0"),
    ("sort", (scheme_list(3, 1, 2), LESS), "(1 2 3)"),
    ("sort", (NIL, LESS), "()"),
    ("sort", ([3, 1, 2], LESS), "#(1 2 3)"),
    ("list-index", (EVEN, scheme_list(1, 3, 4)), "2"),
    ("list-index", (EVEN, scheme_list(1, 3)), "#f"),
    ("any", (EVEN, scheme_list(1, 2, 3)), "#t"),
    ("any", (EVEN, NIL), "#f"),
    ("any", (LESS, scheme_list(3, 1), scheme_list(2, 2)), "#t"),
    ("any", (PRIMITIVES["memv"], scheme_list(2), scheme_list(scheme_list(1, 2, 3))), "(2 3)"),
    ("every", (NUMBER, scheme_list(1, 2)), "#t"),
    ("every", (NUMBER, NIL), "#t"),
    ("every", (EVEN, scheme_list(2, 3)), "#f"),
    ("every", (PLUS, scheme_list(1, 2)), "2"),
]


@pytest.mark.parametrize("name, args, expected", HIGHER_ORDER)
def test_higher_order(name, args, expected):
    assert written(call(name, *args)) == expected


def test_for_each_returns_unspecified():
    assert call("for-each", CAR, scheme_list(scheme_list(1))) is UNSPECIFIED


def test_for_each_applies_in_order():
    target = scheme_list(0)
    call("for-each", PRIMITIVES["set-car!"], scheme_list(target, target), scheme_list(5, 6))
    assert target.car == 6


def test_sort_stable():
    pairs = scheme_list(call("cons", 1, A), call("cons", 0, B), call("cons", 1, C))

    def compare_cars(left, right):
        return left.car < right.car

    compare = Primitive("compare-cars", compare_cars, 2, 2)
    assert written(call("sort", pairs, compare)) == "((0 . b) (1 . a) (1 . c))"


def test_sort_leaves_input():
    original = scheme_list(3, 1, 2)
    call("sort", original, LESS)
    assert written(original) == "(3 1 2)"


def test_sort_propagates_errors():
    with pytest.raises(SchemeTypeError):
        call("sort", scheme_list(1, "a"), LESS)


HIGHER_ORDER_ERRORS = [
    ("map", (5, scheme_list(1)), "map: expected a procedure, got 5"),
    ("map", (CAR, make_list([1], 2)), "map: expected a proper list, got (1 . 2)"),
    ("filter", (EVEN, 5), "filter: expected a proper list, got 5"),
    ("apply", (PLUS, 1, 2), "apply: expected a proper list, got 2"),
    ("apply", ("f", NIL), 'apply: expected a procedure, got "f"'),
    ("sort", (5, LESS), "sort: expected a proper list or a vector, got 5"),
    ("reduce", (PLUS, 0, make_list([1], 2)), "reduce: expected a proper list, got (1 . 2)"),
    ("assq", (A, scheme_list(1)), "assq: expected a list of pairs, got (1)"),
    ("map", (CAR,), "map: expected at least 2 arguments, got 1"),
]


@pytest.mark.parametrize("name, args, message", HIGHER_ORDER_ERRORS)
def test_higher_order_error(name, args, message):
    assert error_message(name, *args) == message


# --- Searching -----------------------------------------------------------------------------

ALIST = scheme_list(call("cons", A, 1), call("cons", 2, B), call("cons", scheme_list(1), C), call("cons", 1.5, 9))

SEARCHES = [
    ("memq", (B, scheme_list(A, B, C)), "(b c)"),
    ("memq", (Symbol("z"), scheme_list(A, B)), "#f"),
    ("memq", (2, scheme_list(1, 2, 3)), "(2 3)"),
    ("memv", (1.5, scheme_list(1, 1.5)), "(1.5)"),
    ("memv", (1, scheme_list(1.0, 2)), "#f"),
    ("memv", (True, scheme_list(1, True)), "(#t)"),
    ("memv", (1, scheme_list(True, 1)), "(1)"),
    ("member", (scheme_list(1), scheme_list(0, scheme_list(1), 2)), "((1) 2)"),
    ("member", ("b", scheme_list("a", "b")), '("b")'),
    ("member", (2, scheme_list(1, 2, 3), LESS), "(3)"),
    ("assq", (A, ALIST), "(a . 1)"),
    ("assq", (C, ALIST), "#f"),
    ("assv", (2, ALIST), "(2 . b)"),
    ("assv", (1.5, ALIST), "(1.5 . 9)"),
    ("assoc", (scheme_list(1), ALIST), "((1) . c)"),
    ("assoc", (2, scheme_list(call("cons", 1, A), call("cons", 5, B)), LESS), "(5 . b)"),
    ("assq", (A, NIL), "#f"),
]


@pytest.mark.parametrize("name, args, expected", SEARCHES)
def test_search(name, args, expected):
    assert written(call(name, *args)) == expected


def test_member_returns_tail():
    items = scheme_list(1, 2, 3)
    assert call("member", 2, items) is items.cdr


# --- Equality ------------------------------------------------------------------------------

SHARED_PAIR = call("cons", 1, 2)
SHARED_STRING = "text"

EQUIVALENCE = [
    ("eqv?", (1, 1), True),
    ("eqv?", (10**30, 10**30), True),
    ("eqv?", (Fraction(1, 2), Fraction(1, 2)), True),
    ("eqv?", (1.5, 1.5), True),
    ("eqv?", (1, 1.0), False),
    ("eqv?", (1, True), False),
    ("eqv?", (0, False), False),
    ("eqv?", (0.0, -0.0), False),
    ("eqv?", (float("nan"), float("nan")), True),
    ("eqv?", (A, Symbol("a")), True),
    ("eqv?", (A, B), False),
    ("eqv?", (Char("x"), Char("x")), True),
    ("eqv?", (Char("x"), "x"), False),
    ("eqv?", (NIL, NIL), True),
    ("eqv?", (SHARED_PAIR, SHARED_PAIR), True),
    ("eqv?", (call("cons", 1, 2), call("cons", 1, 2)), False),
    ("eqv?", (SHARED_STRING, SHARED_STRING), True),
    ("eqv?", ([1], [1]), False),
    ("eqv?", (True, True), True),
    ("eqv?", (True, False), False),
    ("eq?", (5, 5), True),
    ("eq?", (10**30, 10**30), True),
    ("eq?", (Char("a"), Char("a")), True),
    ("eq?", (1, 1.0), False),
    ("eq?", (scheme_list(1), scheme_list(1)), False),
    ("equal?", (scheme_list(1, 2, scheme_list(3)), scheme_list(1, 2, scheme_list(3))), True),
    ("equal?", (scheme_list(1, 2), scheme_list(1, 2, 3)), False),
    ("equal?", (make_list([1], 2), make_list([1], 2)), True),
    ("equal?", (make_list([1], 2), make_list([1], 3)), False),
    ("equal?", ("abc", "abc"), True),
    ("equal?", ("abc", "abd"), False),
    ("equal?", ([1, [2, "x"]], [1, [2, "x"]]), True),
    ("equal?", ([1, 2], [1, 2, 3]), False),
    ("equal?", ([1], scheme_list(1)), False),
    ("equal?", (scheme_list(1.0), scheme_list(1)), False),
    ("equal?", (scheme_list(True), scheme_list(1)), False),
    ("equal?", (Char("a"), Char("a")), True),
    ("equal?", (NIL, NIL), True),
    ("equal?", (NIL, []), False),
    ("not", (False,), True),
    ("not", (NIL,), False),
    ("not", (0,), False),
    ("boolean?", (False,), True),
    ("boolean?", (0,), False),
    ("boolean?", (NIL,), False),
    ("boolean=?", (True, True, True), True),
    ("boolean=?", (False, True), False),
    ("procedure?", (CAR,), True),
    ("procedure?", (A,), False),
    ("procedure?", (scheme_list(Symbol("lambda")),), False),
]


@pytest.mark.parametrize("name, args, expected", EQUIVALENCE)
def test_equivalence(name, args, expected):
    assert call(name, *args) is expected


def test_boolean_equal_rejects_number():
    assert error_message("boolean=?", True, 1) == "boolean=?: expected a boolean, got 1"


def test_procedure_attribute_counts():
    class Compound:
        is_procedure = True

    assert call("procedure?", Compound()) is True


# --- Vectors -------------------------------------------------------------------------------

VECTORS = [
    ("vector", (1, 2), "#(1 2)"),
    ("vector", (), "#()"),
    ("make-vector", (2, A), "#(a a)"),
    ("make-vector", (2,), "#(#f #f)"),
    ("vector-ref", ([1, 2, 3], 1), "2"),
    ("vector-length", ([1, 2, 3],), "3"),
    ("vector->list", ([1, 2, 3],), "(1 2 3)"),
    ("vector->list", ([1, 2, 3], 1), "(2 3)"),
    ("vector->list", ([1, 2, 3], 1, 2), "(2)"),
    ("list->vector", (scheme_list(1, 2),), "#(1 2)"),
    ("vector-copy", ([1, 2, 3], 1), "#(2 3)"),
    ("vector-map", (PLUS, [1, 2, 3], [10, 20]), "#(11 22)"),
    ("vector?", ([1],), "#t"),
    ("vector?", (scheme_list(1),), "#f"),
    ("vector?", ("abc",), "#f"),
]


@pytest.mark.parametrize("name, args, expected", VECTORS)
def test_vector(name, args, expected):
    assert written(call(name, *args)) == expected


def test_vector_set():
    vector = [1, 2]
    call("vector-set!", vector, 0, A)
    assert written(vector) == "#(a 2)"


def test_vector_fill():
    vector = [1, 2]
    call("vector-fill!", vector, 0)
    assert written(vector) == "#(0 0)"


def test_vector_for_each_unspecified():
    assert call("vector-for-each", CAR, []) is UNSPECIFIED


def test_vector_copy_is_new():
    vector = [1, 2]
    assert call("vector-copy", vector) is not vector


VECTOR_ERRORS = [
    ("vector-ref", ([1, 2], 2), "vector-ref: index 2 is out of range for a vector of length 2"),
    ("vector-ref", ([1, 2], -1), "vector-ref: expected an exact nonnegative integer, got -1"),
    ("vector-ref", ([1, 2], 1.0), "vector-ref: expected an exact nonnegative integer, got 1.0"),
    ("vector-ref", (scheme_list(1), 0), "vector-ref: expected a vector, got (1)"),
    ("vector-set!", ([], 0, 1), "vector-set!: index 0 is out of range for a vector of length 0"),
    ("vector->list", ([1], 0, 2), "vector->list: end index 2 is out of range for a vector of length 1"),
    ("vector->list", ([1, 2], 2, 1), "vector->list: start index 2 is greater than end index 1"),
    ("make-vector", (-1,), "make-vector: expected an exact nonnegative integer, got -1"),
    ("list->vector", (make_list([1], 2),), "list->vector: expected a proper list, got (1 . 2)"),
    ("vector-map", (CAR, scheme_list(1)), "vector-map: expected a vector, got (1)"),
]


@pytest.mark.parametrize("name, args, message", VECTOR_ERRORS)
def test_vector_error(name, args, message):
    assert error_message(name, *args) == message


def test_error_message_truncated():
    message = error_message("car", list(range(1000)))
    assert len(message) < 300


def test_arity_checked():
    with pytest.raises(ArityError):
        call("cons", 1)


def test_list_to_python_round_trip():
    assert list_to_python(call("list", 1, 2)) == [1, 2]


def test_pair_type():
    assert type(call("cons", 1, NIL)) is Pair
