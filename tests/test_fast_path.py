"""The fast path of `differentiate` must return the very cells the generic driver returns.

Passing a `steps` list makes `differentiate` use the generic generator driver, so each test
differentiates the same expression both ways and compares the results by identity, which
interning makes the same as structural equality.
"""

from __future__ import annotations

import gc

import pytest
from hypothesis import given, settings

from symdiff.calculus.convert import from_datum, to_datum
from symdiff.calculus.expr import Cell, atom_key, clear_interned
from symdiff.calculus.fast import MAX_DEPTH
from symdiff.calculus.rules import RuleTable, differentiate
from symdiff.errors import DerivError
from symdiff.printer import write_string
from symdiff.reader import read
from symdiff.types import Symbol

from strategies import expressions, rewrite_targets

X = Symbol("x")
Y = Symbol("y")


def engine(text: str):
    return from_datum(read(text))


def both_ways(expr, var=X, rules=None):
    """Differentiate with the fast path and with the generic driver; an error counts as its message."""
    rules = rules or RuleTable()
    return tuple(_outcome(lambda: differentiate(expr, var, rules, steps=steps)) for steps in (None, []))


def _outcome(compute):
    try:
        return compute()
    except DerivError as error:
        return str(error)


def same(a, b) -> bool:
    """Identity for cells; for numbers, the same type and value (large ints are not shared)."""
    if type(a) is str or type(b) is str:
        return a == b  # the same error message
    if type(a) is Cell or type(b) is Cell:
        return a is b
    return type(a) is type(b) and atom_key(a) == atom_key(b)


def nested(operator: str, depth: int, leaf: str = "x") -> str:
    return f"({operator} x " * depth + leaf + ")" * depth


@settings(max_examples=300, deadline=None)
@given(expressions)
def test_fast_matches_generic_random(text):
    fast, generic = both_ways(engine(text))
    assert same(fast, generic)


@settings(max_examples=200, deadline=None)
@given(rewrite_targets)
def test_fast_matches_generic_rewrite_shapes(text):
    for var in (X, Y):
        fast, generic = both_ways(engine(text), var)
        assert same(fast, generic)


@pytest.mark.parametrize(
    "text",
    [
        "(+)",
        "(*)",
        "(+ x)",
        "(* (sin x))",
        "(+ x y 3 (* 2 x) (** x 4))",
        "(* (+ x 1) (+ x 2) (+ x 3) (+ x 4))",
        "(* 2 3 x y (sin x))",
        "(* x 0 (exp x))",
        "(* 2.0 x 1/2 x)",
        "(- x)",
        "(- (sin x))",
        "(- x y (* x x) 3)",
        "(- 0 x)",
        "(** x 0)",
        "(** x 1)",
        "(** x 2)",
        "(** x 1/2)",
        "(** x 0.5)",
        "(** (sin x) y)",
        "(** x x)",
        "(** 2 x)",
        "(expt (+ x 1) 3)",
        "(** y 3)",
        "(sin (cos (exp (sigmoid (tanh x)))))",
        "(sin (cos (sin y)))",
        "(sign (abs x))",
        "(sqrt (asin (acos (atan (tan (sec (csc (cot x))))))))",
        "(sin (/ x 2))",
        "(* (log x) (log x 2) (atan x y))",
        "(sin (** x 3))",
        "(exp (f y))",
    ],
)
def test_fast_matches_generic_forms(text):
    fast, generic = both_ways(engine(text))
    assert same(fast, generic)


@pytest.mark.parametrize("operator", ["+", "*", "-", "sin"])
def test_fast_matches_generic_past_max_depth(operator):
    depth = 3 * MAX_DEPTH
    text = "(sin " * depth + "x" + ")" * depth if operator == "sin" else nested(operator, depth)
    fast, generic = both_ways(engine(text))
    assert same(fast, generic)


def test_fast_matches_generic_long_sum_and_product():
    terms = " ".join(f"(* {i} (** x {i}))" for i in range(1, 2000))
    factors = " ".join(f"(+ x {i})" for i in range(1, 2000))
    for text in (f"(+ {terms})", f"(* {factors})"):
        fast, generic = both_ways(engine(text))
        assert same(fast, generic)


def test_same_compares_numbers_by_value():
    assert same(601, int("601"))
    assert not same(1, 1.0)


def test_fast_path_uses_replaced_rule():
    rules = RuleTable()
    rules.put(Symbol("+"), lambda operands, var: 42)
    fast, generic = both_ways(engine("(* x (- x y z) (+ x 1))"), X, rules)
    assert same(fast, generic)
    assert write_string(to_datum(fast)) == "(+ (* x (+ (* (- x y z) 42) (* -41 (+ x 1)))) (* (- x y z) (+ x 1)))"


def test_fast_path_replaced_sine_rule():
    rules = RuleTable()
    rules.put(Symbol("sin"), lambda operands, var: Symbol("k"))
    fast, generic = both_ways(engine("(cos (sin (cos x)))"), X, rules)
    assert same(fast, generic)
    assert write_string(to_datum(fast)) == "(* (- (sin (sin (cos x)))) k)"


@pytest.mark.parametrize(
    "text",
    ["(sin)", "(sin x y)", "(** x)", "(-)", "(+ x (1 2))", "(* x (sin x y))", "(+ x (g x))"],
)
def test_fast_path_same_errors(text):
    expr = engine(text)
    messages = []
    for steps in (None, []):
        with pytest.raises(DerivError) as caught:
            differentiate(expr, X, RuleTable(), steps=steps)
        messages.append(str(caught.value))
    assert messages[0] == messages[1]


def test_fast_path_after_clear_interned():
    expr = engine("(* (sin (exp x)) (+ x 1) (** x 3))")
    before = write_string(to_datum(differentiate(expr, X, RuleTable())))
    clear_interned()
    after = differentiate(expr, X, RuleTable())
    assert write_string(to_datum(after)) == before


def test_fast_path_leaves_no_cyclic_garbage():
    # The fast path's closures refer to each other. Reference counting must free them, because
    # differentiate pauses the cyclic garbage collector.
    expr = engine("(* (sin x) (+ x 1) (- x 2))")
    rules = RuleTable()
    gc.collect()
    gc.disable()
    try:
        differentiate(expr, X, rules)
        unreachable = gc.collect()
    finally:
        gc.enable()
    assert unreachable == 0


def _one_argument_functions():
    from symdiff.calculus.elementary import OUTER_DERIVATIVES

    return sorted(function.name for function in OUTER_DERIVATIVES)


@pytest.mark.parametrize("function", _one_argument_functions())
@pytest.mark.parametrize("var", [X, Y])
def test_call_on_variable_matches_generic(function, var):
    # (f x) differentiated by x takes the shortcut; by y it is a constant, the recursion's case.
    fast, generic = both_ways(engine(f"({function} x)"), var)
    assert same(fast, generic)


def test_call_on_variable_shortcut_is_taken_and_memoized():
    from symdiff.calculus.fast import call_on_variable

    rules = RuleTable()
    expr = engine("(sin x)")
    assert call_on_variable(expr, X, rules.fast_kinds()) is engine("(cos x)")
    for text in ("(sin y)", "(sin x x)", "(sin (* 2 x))", "(g x)", "(+ x)"):
        assert call_on_variable(engine(text), X, rules.fast_kinds()) is None
    memo: dict = {}
    result = differentiate(expr, X, rules, memo=memo)
    assert memo == {expr: result}


def test_call_on_variable_respects_replaced_rule():
    rules = RuleTable()
    rules.put(Symbol("sin"), lambda operands, var: Symbol("k"))
    fast, generic = both_ways(engine("(sin x)"), X, rules)
    assert same(fast, generic)
    assert fast is Symbol("k")
