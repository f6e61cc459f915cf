"""Tests of symdiff.calculus.finite_difference: accuracy, error estimates and domain failures."""

from __future__ import annotations

import ast
import math
from pathlib import Path

import pytest

from symdiff.calculus import finite_difference
from symdiff.calculus.finite_difference import (
    NumericDerivativeError,
    derivative,
    derivative_with_error,
    gradient,
)
from symdiff.errors import EvaluationError


def positive_only(function):
    """Wrap `function` so that a probe at x <= 0 raises AssertionError, which no retry catches."""

    def guarded(x: float) -> float:
        assert x > 0, f"probed at {x!r}"
        return function(x)

    return guarded


def cube(x: float) -> float:
    return x**3


FIRST_DERIVATIVES = [
    ("sin at 1", math.sin, 1.0, math.cos(1.0), 1e-10),
    ("sin at 1e-8", math.sin, 1e-8, 1.0, 1e-12),
    ("sin at 0", math.sin, 0.0, 1.0, 1e-12),
    ("exp at 3", math.exp, 3.0, math.exp(3.0), 1e-10),
    ("square at 1e8", lambda x: x * x, 1e8, 2e8, 1e-8),
    ("log at 1e8", math.log, 1e8, 1e-8, 1e-8),
    ("log at 1e-5", positive_only(math.log), 1e-5, 1e5, 1e-6),
    ("sqrt at 1e-10", positive_only(math.sqrt), 1e-10, 0.5e5, 1e-8),
    ("reciprocal at -1e-3", lambda x: 1 / x, -1e-3, -1e6, 1e-10),
    ("atan at 1e3", math.atan, 1e3, 1 / (1 + 1e6), 1e-8),
]

SECOND_DERIVATIVES = [
    ("exp at 1", math.exp, 1.0, math.e),
    ("exp at 0", math.exp, 0.0, 1.0),
    ("sin at 1", math.sin, 1.0, -math.sin(1.0)),
    ("sin at -2", math.sin, -2.0, -math.sin(-2.0)),
    ("cube at 2", cube, 2.0, 12.0),
    ("cube at -0.5", cube, -0.5, -3.0),
    ("log at 1e-5", positive_only(math.log), 1e-5, -1e10),
]


def case_name(case: tuple) -> str:
    return case[0]


@pytest.mark.parametrize("case", FIRST_DERIVATIVES, ids=case_name)
def test_first_derivative(case) -> None:
    _name, function, x, expected, rtol = case
    assert derivative(function, x) == pytest.approx(expected, rel=rtol, abs=0)


@pytest.mark.parametrize("case", SECOND_DERIVATIVES, ids=case_name)
def test_second_derivative(case) -> None:
    _name, function, x, expected = case
    assert derivative(function, x, order=2) == pytest.approx(expected, rel=1e-6, abs=0)


def test_log_near_zero_six_digits() -> None:
    assert f"{derivative(positive_only(math.log), 1e-5):.6g}" == "100000"


@pytest.mark.parametrize("case", FIRST_DERIVATIVES, ids=case_name)
def test_error_estimate_covers_error(case) -> None:
    _name, function, x, expected, _rtol = case
    estimate, error = derivative_with_error(function, x)
    assert abs(estimate - expected) <= error


@pytest.mark.parametrize("case", SECOND_DERIVATIVES, ids=case_name)
def test_second_error_estimate_covers_error(case) -> None:
    _name, function, x, expected = case
    estimate, error = derivative_with_error(function, x, order=2)
    assert abs(estimate - expected) <= error


def test_error_estimate_is_small() -> None:
    _estimate, error = derivative_with_error(math.sin, 1.0)
    assert error < 1e-10


def test_error_estimate_near_zero_is_honest() -> None:
    # cos'(1e-8) = -sin(1e-8) is tiny next to the rounding error of cos near 1 at steps below 1e-8.
    estimate, error = derivative_with_error(math.cos, 1e-8)
    assert abs(estimate + math.sin(1e-8)) <= error


def test_negative_point_stays_negative() -> None:
    probes: list[float] = []

    def log_of_negation(x: float) -> float:
        probes.append(x)
        return math.log(-x)

    derivative(log_of_negation, -1e-5)
    assert max(probes) < 0


def test_domain_edge_shrinks_step() -> None:
    # Defined only for x > 0.9, so the first probes at 1 - 0.25 fail and the step must shrink.
    def log_above(x: float) -> float:
        if x <= 0.9:
            raise ValueError(f"math domain error at {x}")
        return math.log(x)

    assert derivative(log_above, 1.0) == pytest.approx(1.0, rel=1e-10)


def test_nan_near_point_shrinks_step() -> None:
    def nan_below(x: float) -> float:
        return math.nan if x < 1.9 else x * x

    assert derivative(nan_below, 2.0) == pytest.approx(4.0, rel=1e-10)


def test_nan_everywhere_raises() -> None:
    def nan_off_point(x: float) -> float:
        return 1.0 if x == 2.0 else math.nan

    with pytest.raises(NumericDerivativeError, match=r"x = 2\.0"):
        derivative(nan_off_point, 2.0)


def test_failure_at_point_raises() -> None:
    with pytest.raises(NumericDerivativeError, match=r"at x itself"):
        derivative(math.log, 0.0)


def test_zero_division_raises() -> None:
    with pytest.raises(NumericDerivativeError, match=r"ZeroDivisionError"):
        derivative(lambda x: 1 / x, 0.0)


def test_overflow_everywhere_raises() -> None:
    def overflow_off_point(x: float) -> float:
        if x != 1.0:
            raise OverflowError("math range error")
        return 1.0

    with pytest.raises(NumericDerivativeError, match=r"OverflowError"):
        derivative(overflow_off_point, 1.0)


def test_error_is_evaluation_error() -> None:
    assert issubclass(NumericDerivativeError, EvaluationError)


def test_other_exceptions_propagate() -> None:
    def broken(x: float) -> float:
        raise KeyError("not a domain error")

    with pytest.raises(KeyError):
        derivative(broken, 1.0)


def test_custom_domain_errors() -> None:
    class OutsideDomain(Exception):
        pass

    def log_above(x: float) -> float:
        if x <= 0.9:
            raise OutsideDomain(x)
        return math.log(x)

    estimate, _error = derivative_with_error(log_above, 1.0, domain_errors=(OutsideDomain,))
    assert estimate == pytest.approx(1.0, rel=1e-10)


def test_non_number_result_raises() -> None:
    with pytest.raises(NumericDerivativeError, match=r"not a real number"):
        derivative(lambda x: "one", 1.0)


@pytest.mark.parametrize("point", [math.inf, -math.inf, math.nan])
def test_non_finite_point_raises(point: float) -> None:
    with pytest.raises(NumericDerivativeError, match=r"finite number"):
        derivative(math.sin, point)


def test_subnormal_point_raises() -> None:
    with pytest.raises(NumericDerivativeError, match=r"float spacing"):
        derivative(math.sqrt, 5e-324)


@pytest.mark.parametrize("order", [0, 3])
def test_bad_order_raises(order: int) -> None:
    with pytest.raises(ValueError, match=r"order must be 1 or 2"):
        derivative(math.sin, 1.0, order=order)


def test_gradient_values() -> None:
    partials = gradient(lambda x, y: x * x * y + math.sin(y), [1.5, 2.0])
    assert partials == pytest.approx([6.0, 1.5**2 + math.cos(2.0)], rel=1e-10)


def test_gradient_length() -> None:
    assert len(gradient(lambda x, y, z: x + y + z, [1.0, 2.0, 3.0])) == 3


def test_gradient_failure_names_argument() -> None:
    def log_of_second(x: float, y: float) -> float:
        return x * math.log(y) if y > 1.0 else math.nan

    with pytest.raises(NumericDerivativeError, match=r"argument 2"):
        gradient(log_of_second, [3.0, 1.0 + 1e-12])


def test_gradient_failure_at_point() -> None:
    with pytest.raises(NumericDerivativeError, match=r"numeric gradient at \[1\.0, 0\.0\]"):
        gradient(lambda x, y: math.log(y), [1.0, 0.0])


def test_no_evaluator_import() -> None:
    tree = ast.parse(Path(finite_difference.__file__).read_text(encoding="utf-8"))
    imported = [node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]
    imported += [alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names]
    assert not [name for name in imported if "evaluator" in name]
