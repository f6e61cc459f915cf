"""The intern table frees unreferenced cells between engine operations, not during them."""

from __future__ import annotations

import gc
import io

import pytest

import symdiff
from symdiff.calculus import expr as expr_module
from symdiff.calculus.convert import node_count
from symdiff.calculus.elementary import COS, SIN
from symdiff.calculus.expr import clear_interned, compound1, interned_count
from symdiff.calculus.operations import derivative
from symdiff.calculus.rules import RuleTable, differentiate
from symdiff.errors import ExpressionTooLargeError
from symdiff.printer import write_string
from symdiff.types import Symbol

X = Symbol("x")


@pytest.fixture
def sweeps(monkeypatch):
    """Count the sweeps of the intern table, starting from an empty table."""
    calls = []
    original = expr_module._sweep

    def counting() -> None:
        calls.append(interned_count())
        original()

    monkeypatch.setattr(expr_module, "_sweep", counting)
    clear_interned()
    yield calls
    clear_interned()


def chain(depth: int):
    e = X
    for level in range(depth):
        e = compound1(SIN if level % 2 else COS, e)
    return e


def test_table_drops_unrelated_expressions(sweeps):
    # Each derivative interns about 2,000 cells that nothing keeps: 300 of them are 600,000.
    for index in range(300):
        text = "(* x y%d)" % index
        for _ in range(150):
            text = "(sin %s)" % text
        symdiff.deriv(text, "x")
    assert sweeps
    assert interned_count() <= expr_module.BETWEEN_MINIMUM + 10_000


def test_referenced_expression_stays_interned(sweeps):
    referenced = symdiff.parse("(sin (* x kept))")
    for index in range(300):
        symdiff.deriv("(+ " + " ".join("(* %d (** x %d))" % (index, power) for power in range(1, 80)) + ")", "x")
    assert sweeps
    again = symdiff.parse("(sin (* x kept))")
    assert again.value is referenced.value


def test_operation_below_minimum_does_not_sweep(sweeps):
    e = chain(20_000)
    del sweeps[:]
    result = differentiate(e, X, RuleTable())
    assert interned_count() > expr_module.BETWEEN_MINIMUM
    assert sweeps == []
    assert node_count(result) > 20_000


def test_large_operation_sweeps_and_agrees(sweeps, monkeypatch):
    # The second derivative of a 3,000-deep chain at level none interns about 50,000 cells.
    e = chain(3_000)
    expected = symdiff.Expression(derivative(e, X, RuleTable(), "none", 2))
    assert sweeps == []
    monkeypatch.setattr(expr_module, "IN_OPERATION_MINIMUM", 20_000)
    clear_interned()
    e = chain(3_000)
    result = symdiff.Expression(derivative(e, X, RuleTable(), "none", 2))
    assert sweeps
    assert result == expected


def test_large_operation_promotes_its_cells(sweeps):
    e = chain(20_000)
    result = differentiate(e, X, RuleTable())
    oldest = {id(item) for item in gc.get_objects(generation=2)}
    assert id(result) in oldest
    assert id(result.tail) in oldest


def test_promotion_leaves_frozen_objects_frozen(sweeps):
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        differentiate(chain(20_000), X, RuleTable())
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()


def test_atoms_equal_as_numbers_get_their_own_cells(sweeps):
    from fractions import Fraction

    from symdiff.calculus.expr import cell
    from symdiff.types import NIL

    heads = [1, 1.0, True, Fraction(1, 2), 0.5, "1"]
    cells = [cell(head, NIL) for head in heads]
    assert len({id(item) for item in cells}) == len(heads)
    assert [type(item.head) for item in cells] == [type(head) for head in heads]
    assert all(cell(head, NIL) is item for head, item in zip(heads, cells))


def test_one_sweep_drops_a_whole_unreferenced_chain(sweeps):
    # A key refers to its cell's tail, so a sweep that kept the keys of dropped parents alive
    # would free only the top of the chain.
    chain(5_000)
    expr_module._sweep()
    assert interned_count() == 0


def test_last_cells_and_longer_lists_stay_apart(sweeps):
    # The last cell of a list is keyed by its head alone and the others by (head, tail).
    from fractions import Fraction

    from symdiff.calculus.expr import cell
    from symdiff.types import NIL

    inner = compound1(SIN, X)
    for head in [X, 1, 1.0, Fraction(1, 3), "s", inner]:
        last = cell(head, NIL)
        longer = cell(head, last)
        assert last is not longer
        assert (last.head, last.tail) == (head, NIL)
        assert (longer.head, longer.tail) == (head, last)
        assert cell(head, NIL) is last
        assert cell(head, last) is longer
        assert cell(last, NIL) is not last


@pytest.fixture
def small_limit(monkeypatch):
    """Let the table hold only 20,000 cells during an operation, starting from an empty table."""
    monkeypatch.setattr(expr_module, "CELL_LIMIT", 20_000)
    clear_interned()
    yield 20_000
    clear_interned()


def test_cell_limit_stops_growing_operation(small_limit):
    # At the none level (** x 3) grows with every order: order 60 needs over 200,000 cells.
    with pytest.raises(ExpressionTooLargeError, match="over the limit of 20,000") as caught:
        symdiff.deriv("(** x 3)", "x", simplify="none", order=60)
    assert isinstance(caught.value, MemoryError)
    assert caught.value.cells > small_limit


def test_cell_limit_leaves_engine_usable(small_limit):
    with pytest.raises(ExpressionTooLargeError):
        symdiff.deriv("(** x 3)", "x", simplify="none", order=60)
    assert str(symdiff.deriv("(** x 3)", "x", order=2)) == "(* 3 (* 2 x))"
    assert interned_count() < small_limit


def test_cell_limit_allows_work_below_it(small_limit):
    assert str(symdiff.deriv("(** x 3)", "x", simplify="none", order=4)).startswith("(+")


def test_cell_limit_error_in_command(small_limit, capsys):
    from symdiff import commands

    assert commands.run_command(["deriv", "x^3", "x", "--order", "60", "--simplify", "none"]) == 1
    assert "out of memory" in capsys.readouterr().err


@pytest.mark.parametrize("collector", [True, False])
def test_cell_limit_error_in_program(small_limit, collector, monkeypatch):
    # Without the collector, the failed operation's cells must be freed by reference counting.
    from symdiff import Interpreter
    from symdiff.errors import EvaluationError

    if not collector:
        monkeypatch.setattr(gc, "collect", lambda *args: 0)

    interpreter = Interpreter(output=io.StringIO())
    interpreter.eval("(define kept '(sin x))")
    with pytest.raises(EvaluationError, match="out of memory"):
        interpreter.eval("(deriv '(** x 3) 'x 60 'none)")
    assert write_string(interpreter.eval("(deriv kept 'x)")) == "(cos x)"


def test_default_cell_limit_floor():
    assert expr_module.default_cell_limit() >= expr_module.IN_OPERATION_MINIMUM
