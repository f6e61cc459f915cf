"""Higher derivatives through ring.py must equal the order-by-order loop, cell for cell.

Each test computes a derivative twice with `derivative`: once as it runs, and once with the
polynomial path switched off, so that every order goes through the rules and the simplifier.
"""

from __future__ import annotations

import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from symdiff.calculus import operations, ring
from symdiff.calculus.constructors import TIMES
from symdiff.calculus.convert import from_datum, to_datum
from symdiff.calculus.operations import derivative
from symdiff.calculus.rules import RuleTable
from symdiff.calculus.simplify import Simplifier
from symdiff.errors import DerivError
from symdiff.printer import write_string
from symdiff.reader import read
from symdiff.types import Symbol

X = Symbol("x")


def engine(text: str):
    return from_datum(read(text))


def loop_only(expr, order, level="sicp", rules=None, monkeypatch=None):
    monkeypatch.setattr(operations, "later_orders", lambda *args: None)
    monkeypatch.setattr(operations, "orders_from_input", lambda *args: None)
    try:
        return derivative(expr, X, rules or RuleTable(), level, order)
    finally:
        monkeypatch.undo()


@pytest.fixture
def order_steps(monkeypatch):
    """Record each polynomial order that ring.py computes."""
    calls = []
    original = ring._differentiate

    def counting(*arguments):
        calls.append(1)
        return original(*arguments)

    monkeypatch.setattr(ring, "_differentiate", counting)
    return calls


def text(value) -> str:
    return write_string(to_datum(value))


def took_ring(expr, rules=None) -> bool:
    """Whether the polynomial path accepts the first `full` derivative of expr."""
    rules = rules or RuleTable()
    memo: dict = {}
    simplifier = Simplifier()
    first = simplifier.simplify(derivative(expr, X, rules, "sicp", 1, memo))
    return ring.later_orders(first, X, rules, memo, simplifier, 2) is not None


@pytest.mark.parametrize(
    "source",
    [
        "(* (sin x) (exp x))",
        "(sigmoid x)",
        "(tanh x)",
        "(** (sin x) 5)",
        "(* x (cos x) (exp (* 2 x)))",
        "(sin (sin (sin x)))",
        "(+ (* 3 (** x 7)) (* y (** x 2)) 5)",
        "(exp (sin x))",
    ],
)
@pytest.mark.parametrize("level", ["sicp", "full"])
def test_ring_matches_loop(source, level, monkeypatch):
    expr = engine(source)
    assert took_ring(expr)
    for order in (3, 4, 7):
        assert text(derivative(expr, X, RuleTable(), level, order)) == text(loop_only(expr, order, level, monkeypatch=monkeypatch))


@pytest.mark.parametrize(
    "source",
    [
        "(/ 1 x)",  # negative exponents render as quotients
        "(* 1/2 (sin x))",  # fractions render as quotients
        "(* 0.5 (sin x))",  # floats fold in another order
        "(* (+ (sin x) 1) (+ (cos x) 2) (+ x 3))",  # products of two sums stay unexpanded
        "(log x)",
        "(sqrt x)",
        "(** x n)",
        "(sin (- x))",  # the rendered generator (sin (- x)) differs from (sin (* -1 x))
    ],
)
def test_ring_declines_other_forms(source, monkeypatch):
    expr = engine(source)
    assert not took_ring(expr)
    for order in (3, 5):
        assert text(derivative(expr, X, RuleTable(), "sicp", order)) == text(loop_only(expr, order, monkeypatch=monkeypatch))


def test_ring_off_with_user_times_rule(monkeypatch):
    rules = RuleTable()
    rules.put(TIMES, lambda operands, var: 0)
    expr = engine("(* (sin x) (exp x))")
    assert not took_ring(expr, rules)
    assert text(derivative(expr, X, rules, "sicp", 4)) == text(loop_only(expr, 4, rules=rules, monkeypatch=monkeypatch))


def test_ring_uses_user_function_rules(monkeypatch):
    # d(f x) = (g x), d(g x) = -(f x): the rules of sin and cos under other names.
    rules = RuleTable()
    rules.put(Symbol("f"), lambda operands, var: from_datum(read("(g x)")))
    rules.put(Symbol("g"), lambda operands, var: from_datum(read("(- (f x))")))
    expr = engine("(* (f x) (exp x))")
    assert took_ring(expr, rules)
    result = derivative(expr, X, rules, "full", 6)
    assert text(result) == text(loop_only(expr, 6, "full", rules=rules, monkeypatch=monkeypatch))
    assert text(result) == "(* -8 (exp x) (g x))"


def test_ring_leaves_rule_errors_to_loop():
    def broken(operands, var):
        raise DerivError("deriv: no rule for h")

    rules = RuleTable()
    rules.put(Symbol("h"), broken)
    rules.put(Symbol("f"), lambda operands, var: from_datum(read("(h x)")))
    expr = engine("(f x)")
    with pytest.raises(DerivError, match="no rule for h"):
        derivative(expr, X, rules, "sicp", 4)


def test_ring_handles_large_negative_part(monkeypatch):
    # 1 - (sum of 70 terms): the loop multiplies the derivative of the subtracted sum by -1,
    # which the simplifier distributes however many terms the sum has.
    terms = " ".join(f"(* -{i} (** (sin x) {i}) (** (cos x) {70 - i}))" for i in range(1, 71))
    expr = engine(f"(+ 1 {terms})")
    assert took_ring(expr)
    assert text(derivative(expr, X, RuleTable(), "sicp", 3)) == text(loop_only(expr, 3, monkeypatch=monkeypatch))


def test_ring_matches_loop_past_distribution_limit(monkeypatch):
    # From order 66 on, the subtracted part of sigmoid's derivatives has over 64 terms.
    expr = engine("(sigmoid x)")
    assert text(derivative(expr, X, RuleTable(), "full", 68)) == text(loop_only(expr, 68, "full", monkeypatch=monkeypatch))


GENERATORS = ["x", "y", "(sin x)", "(cos x)", "(exp x)", "(sigmoid x)", "(tanh x)", "(sin (* 2 x))", "(exp (sin x))"]
OTHERS = ["(/ 1 x)", "(log x)", "(+ x 1)", "1/2", "(sqrt x)"]


@st.composite
def polynomials(draw, allow_others: bool):
    """Sums of integer multiples of products of generator powers, sometimes with other parts."""
    atoms = GENERATORS + (OTHERS if allow_others else [])
    terms = []
    for _ in range(draw(st.integers(1, 4))):
        coefficient = draw(st.integers(-6, 6))
        factors = []
        for _ in range(draw(st.integers(0, 3))):
            atom = draw(st.sampled_from(atoms))
            exponent = draw(st.integers(1, 3))
            factors.append(atom if exponent == 1 else f"(** {atom} {exponent})")
        terms.append(f"(* {coefficient} {' '.join(factors)})" if factors else str(coefficient))
    return terms[0] if len(terms) == 1 else f"(+ {' '.join(terms)})"


@settings(max_examples=120, deadline=None)
@given(polynomials(allow_others=False), st.integers(3, 5), st.sampled_from(["sicp", "full"]))
def test_ring_random_polynomials_match_loop(source, order, level):
    expr = engine(source)
    expected = _loop(expr, order, level)
    assert text(derivative(expr, X, RuleTable(), level, order)) == expected


@settings(max_examples=80, deadline=None)
@given(polynomials(allow_others=True), st.integers(3, 4))
def test_ring_random_mixed_match_loop(source, order):
    expr = engine(source)
    expected = _loop(expr, order, "full")
    assert text(derivative(expr, X, RuleTable(), "full", order)) == expected


def _loop(expr, order, level) -> str:
    originals = operations.later_orders, operations.orders_from_input
    operations.later_orders = operations.orders_from_input = lambda *args: None
    try:
        return text(derivative(expr, X, RuleTable(), level, order))
    finally:
        operations.later_orders, operations.orders_from_input = originals


def test_ring_logs_orders_and_generators(caplog):
    with caplog.at_level("DEBUG", logger="symdiff.calculus.ring"):
        derivative(engine("(sigmoid x)"), X, RuleTable(), "sicp", 5)
        # A fraction is not an integer coefficient: the polynomials start at the second order.
        derivative(engine("(* 1/2 (** (sin x) 2))"), X, RuleTable(), "sicp", 5)
    assert "4 orders computed as polynomials in 1 generators" in caplog.text
    assert "3 orders computed as polynomials in 2 generators" in caplog.text


def test_ring_skips_whole_cycles(order_steps):
    calls = order_steps
    assert text(derivative(engine("(sin x)"), X, RuleTable(), "sicp", 10**9 + 1)) == "(cos x)"
    assert len(calls) <= 8


@pytest.mark.parametrize("order", [5, 6, 103, 1002])
def test_ring_cycle_remainder_matches_loop(order, monkeypatch):
    expr = engine("(+ (sin x) (* 2 (cos x)) (* (exp x) 0))")
    assert text(derivative(expr, X, RuleTable(), "full", order)) == text(loop_only(expr, order, "full", monkeypatch=monkeypatch))


def test_constant_ends_higher_orders(monkeypatch):
    calls = []
    original = operations.differentiate

    def counting(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(operations, "differentiate", counting)
    monkeypatch.setattr(operations, "later_orders", lambda *args: None)
    monkeypatch.setattr(operations, "orders_from_input", lambda *args: None)
    assert derivative(engine("(* 1/2 (** x 2))"), X, RuleTable(), "sicp", 10**12) == 0
    assert len(calls) == 2
    assert derivative(engine("7"), X, RuleTable(), "none", 10**12) == 0
    assert len(calls) == 3


@pytest.mark.parametrize(
    ("source", "order"),
    [("(* (sin x) (exp x))", 7), ("(* (sin x) (exp x))", 103), ("(exp (* 2 x))", 50), ("(* x (exp x))", 40),
     ("(* 3 (sin (* 2 x)) (cos x))", 61)],
)
@pytest.mark.parametrize("level", ["sicp", "full"])
def test_ring_scaled_cycles_match_loop(source, order, level, monkeypatch):
    expr = engine(source)
    assert text(derivative(expr, X, RuleTable(), level, order)) == text(loop_only(expr, order, level, monkeypatch=monkeypatch))


def test_ring_skips_scaled_cycles(order_steps):
    calls = order_steps
    result = derivative(engine("(* (sin x) (exp x))"), X, RuleTable(), "full", 10**6)
    assert len(calls) <= 10
    datum = to_datum(result)
    assert datum.car is TIMES
    assert datum.cdr.car == (-4) ** 250_000
    assert write_string(datum.cdr.cdr) == "((exp x) (sin x))"


def test_ring_steps_when_scale_too_large(order_steps, monkeypatch):
    expr = engine("(* (sin x) (exp x))")
    expected = text(derivative(expr, X, RuleTable(), "full", 103))
    monkeypatch.setattr(ring, "MAX_SKIPPED_SCALE_BITS", 4)
    calls = order_steps
    calls.clear()
    assert text(derivative(expr, X, RuleTable(), "full", 103)) == expected
    assert len(calls) == 102


def took_input_route(expr, rules=None) -> bool:
    """Whether the polynomial path accepts expr itself, from the first order on."""
    return ring.orders_from_input(expr, X, rules or RuleTable(), {}, Simplifier(), 1) is not None


@pytest.mark.parametrize(
    "source",
    [
        "(* (sin x) (exp x))",
        "(sigmoid x)",
        "(- (* 2 (sin x) (sin x)) (cos x) 7)",
        "(* x (* (sin x) (exp x)) 3)",
        "(- (** (tanh x) 3))",
        "(+ (* y (** x 2)) (- (exp x) (* 4 x)))",
        "(- (sin x) (sin x))",
        "(* (sin (* 2 x)) (exp (sin x)))",
    ],
)
@pytest.mark.parametrize("level", ["sicp", "full"])
def test_input_route_matches_loop(source, level, monkeypatch):
    expr = engine(source)
    assert took_input_route(expr)
    for order in (2, 3, 6):
        assert text(derivative(expr, X, RuleTable(), level, order)) == text(loop_only(expr, order, level, monkeypatch=monkeypatch))


@pytest.mark.parametrize(
    "source",
    [
        "(* 1/2 (** (sin x) 2))",  # not an integer coefficient
        "(* 2.0 (sin x))",
        "(* (sin x) (+ (cos x) 1))",  # a sum inside a product
        "(sin (- x 1))",  # the generator's canonical form is (sin (+ x -1))
        "(sin (+ 1 x))",  # and this one's is (sin (+ x 1))
        "(** x n)",
        "(** (sin x) 0)",
        "(/ 1 x)",
        "(*)",
    ],
)
def test_input_route_declines_other_forms(source, monkeypatch):
    expr = engine(source)
    assert not took_input_route(expr)
    for order in (2, 3):
        # Interned expressions are equal only when they are the same cell.
        assert derivative(expr, X, RuleTable(), "sicp", order) is loop_only(expr, order, monkeypatch=monkeypatch)


def test_input_route_declines_deep_nesting(monkeypatch):
    source = "x"
    for _ in range(ring.MAX_WRITTEN_DEPTH + 5):
        source = f"(+ 1 {source})"
    expr = engine(source)
    assert not took_input_route(expr)
    assert text(derivative(expr, X, RuleTable(), "sicp", 2)) == "0"


def test_input_route_declines_wide_products(monkeypatch):
    # d(f g h) = f d(g h) + ..., and d(g h) has 80 terms here: too many to distribute f over,
    # so the loop's first `full` form is not the collected polynomial.
    rules = RuleTable()
    long_sum = from_datum(read("(+ " + " ".join(f"(** x {k})" for k in range(1, 41)) + ")"))
    for name in "fgh":
        rules.put(Symbol(name), lambda operands, var: long_sum)
    expr = engine("(* (f x) (g x) (h x))")
    assert not took_input_route(expr, rules)
    assert derivative(expr, X, rules, "sicp", 2) is loop_only(expr, 2, rules=rules, monkeypatch=monkeypatch)


def test_input_route_counts_each_generator_once(monkeypatch):
    # Repeated factors collect: 40 factors of (sigmoid x) have partial sums of two terms.
    expr = engine("(* " + " ".join(["(sigmoid x)"] * 40) + ")")
    assert took_input_route(expr)
    assert derivative(expr, X, RuleTable(), "sicp", 3) is loop_only(expr, 3, monkeypatch=monkeypatch)


@st.composite
def written_polynomials(draw):
    """Polynomials in generators written with nested sums, differences and products."""

    def monomial(depth: int) -> str:
        parts = []
        for _ in range(draw(st.integers(1, 3))):
            choice = draw(st.integers(0, 3 if depth < 2 else 2))
            if choice == 0:
                parts.append(str(draw(st.integers(-5, 5))))
            elif choice == 1:
                parts.append(draw(st.sampled_from(GENERATORS)))
            elif choice == 2:
                parts.append(f"(** {draw(st.sampled_from(GENERATORS))} {draw(st.integers(1, 4))})")
            else:
                parts.append(monomial(depth + 1))
        return parts[0] if len(parts) == 1 else f"(* {' '.join(parts)})"

    def polynomial(depth: int) -> str:
        operator = draw(st.sampled_from(["+", "-", None] if depth < 2 else [None]))
        if operator is None:
            return monomial(0)
        operands = [polynomial(depth + 1) for _ in range(draw(st.integers(1, 3)))]
        return f"({operator} {' '.join(operands)})"

    return polynomial(0)


@settings(max_examples=150, deadline=None)
@given(written_polynomials(), st.integers(2, 4), st.sampled_from(["sicp", "full"]))
def test_input_route_random_polynomials_match_loop(source, order, level):
    expr = engine(source)
    expected = _loop(expr, order, level)
    assert text(derivative(expr, X, RuleTable(), level, order)) == expected


@pytest.mark.parametrize("source", ["(** x 3)", "(+ x 1)", "(* 2 (sin y))"])
@pytest.mark.parametrize("level", ["sicp", "full"])
def test_zero_polynomial_ends_orders(source, level, order_steps):
    assert derivative(engine(source), X, RuleTable(), level, 10**12) == 0
    assert len(order_steps) <= 4


def test_failed_reading_forgets_generators(monkeypatch):
    # d(f x) is written with a sum inside a product, which the written reading declines after
    # it has met (h x). The canonical form is 0, so (h x), which has no rule, must be forgotten.
    rules = RuleTable()
    rules.put(Symbol("f"), lambda operands, var: from_datum(read("(* (h x) 0 (+ 1 y))")))
    expr = engine("(* (f x) (exp x))")
    assert took_input_route(expr, rules)
    assert text(derivative(expr, X, rules, "full", 3)) == text(loop_only(expr, 3, "full", rules=rules, monkeypatch=monkeypatch))


@pytest.mark.parametrize("source", ["(* (sin x) (exp x))", "(+ (tan x) (* 3 (** (tan x) 4)))", "(sigmoid x)"])
def test_written_reading_matches_canonical(source):
    # Each generator's derivative read as written equals the polynomial of its canonical form.
    generators = ring._Generators(X, RuleTable(), {}, Simplifier())
    generators.written_or_canonical(engine(source))
    generators.close()
    for position, generator in enumerate(generators.cells):
        derivative_of = derivative(generator, X, RuleTable(), "sicp", 1, {})
        canonical = generators.polynomial(generators.simplifier.canonicalizer.run(derivative_of))
        assert generators.derivatives[position] == canonical


@pytest.mark.parametrize("exponent", [2**64, 2**70 + 1])
def test_huge_exponents_use_loop(exponent, monkeypatch):
    # Packed monomials start with exponents below 2 ** 64. Larger ones go order by order.
    expr = engine(f"(* (** (sin x) {exponent}) (exp x))")
    assert not took_input_route(expr)
    assert text(derivative(expr, X, RuleTable(), "full", 2)) == text(loop_only(expr, 2, "full", monkeypatch=monkeypatch))


def test_packed_monomials_round_trip():
    monomial = ((0, 3), (2, 2**64 - 1), (5, 1))
    assert ring._exponents(ring._packed(monomial), 6) == [3, 0, 2**64 - 1, 0, 0, 1]


def test_huge_shift_exponents_use_loop(monkeypatch):
    rules = RuleTable()
    rules.put(Symbol("f"), lambda operands, var: from_datum(read(f"(** (f x) {2**30})")))
    expr = engine("(* (f x) (exp x))")
    assert not took_input_route(expr, rules)
    assert text(derivative(expr, X, rules, "full", 2)) == text(loop_only(expr, 2, "full", rules=rules, monkeypatch=monkeypatch))


def test_growing_polynomial_stops_at_memory_budget(monkeypatch):
    # The orders of (tan x) gain a monomial every other order and ever longer coefficients.
    from symdiff.calculus import expr as expr_module
    from symdiff.errors import ExpressionTooLargeError

    monkeypatch.setattr(expr_module, "CELL_LIMIT", 1_000)
    monkeypatch.setattr(expr_module, "resident_bytes", lambda: None)
    with pytest.raises(ExpressionTooLargeError, match="as polynomials need about .* over the 0.1 MB"):
        derivative(engine("(tan x)"), X, RuleTable(), "sicp", 10**6)


def test_process_size_stops_polynomial_orders(monkeypatch):
    from symdiff.calculus import expr as expr_module
    from symdiff.errors import ExpressionTooLargeError

    monkeypatch.setattr(expr_module, "resident_bytes", lambda: 10**15)
    monkeypatch.setattr(ring, "RESIDENT_CHECK_BYTES", 0)
    with pytest.raises(ExpressionTooLargeError, match="have brought the process to 1,000,000,000 MB"):
        derivative(engine("(tan x)"), X, RuleTable(), "sicp", 20)


def test_small_polynomial_skips_process_size(monkeypatch):
    from symdiff.calculus import expr as expr_module

    monkeypatch.setattr(expr_module, "resident_bytes", lambda: 10**15)
    assert text(derivative(engine("(tan x)"), X, RuleTable(), "full", 20)).startswith("(+")


def test_resident_bytes_on_linux():
    from symdiff.calculus import expr as expr_module

    resident = expr_module.resident_bytes()
    if sys.platform.startswith("linux"):
        assert resident is not None and resident > 1_000_000


def test_polynomial_size_check_counts_coefficients(monkeypatch):
    from symdiff.calculus import expr as expr_module
    from symdiff.errors import ExpressionTooLargeError

    monkeypatch.setattr(expr_module, "CELL_LIMIT", 16_000)  # a polynomial budget of 800,000 bytes
    monkeypatch.setattr(expr_module, "resident_bytes", lambda: None)
    ring._check_size({0: 1 << 1000})
    with pytest.raises(ExpressionTooLargeError, match="need about 1.0 MB, over the 0.8 MB"):
        ring._check_size({0: 1 << 8_000_000})
