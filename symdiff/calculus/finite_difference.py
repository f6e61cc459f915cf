"""Numeric derivatives of Python functions: central differences with Richardson extrapolation.

For f smooth near x, the central difference and the central second difference

    D1(h) = (f(x + h) - f(x - h)) / 2h
    D2(h) = (f(x + h) - 2 f(x) + f(x - h)) / h^2

both expand as f^(n)(x) + c1 h^2 + c2 h^4 + ..., so their values at the steps h, h/2, h/4, ...
can be combined to cancel the h^2, h^4, ... terms one after another (Richardson extrapolation).
Smaller steps shrink this truncation error, but the rounding error in the evaluations of f
grows like eps |f| / h for D1 and eps |f| / h^2 for D2. The extrapolation table shows where
the two balance, and the estimate with the smallest error estimate in the table is returned.

The module is pure Python and raises NumericDerivativeError, a SchemeError, so the
interpreter can report a failure like any other runtime error.
"""

from __future__ import annotations

import math
import sys
from typing import Callable, Sequence

from ..errors import EvaluationError

# Errors from f that mean "x is outside f's domain", as raised by the math module:
# math.log(0) raises ValueError, 1 / 0.0 raises ZeroDivisionError, math.exp(1000) raises OverflowError.
DOMAIN_ERRORS: tuple[type[Exception], ...] = (ValueError, ArithmeticError)

# The first step is RELATIVE_STEP * |x| for x != 0. Because it is below |x|, x - h and x + h
# keep the sign of x, so a function defined only for x > 0 (log, sqrt, 1/x) is never probed at
# or beyond 0. At x = 0 the step is ABSOLUTE_STEP. Both are powers of two, so halving is exact.
# NOTE: near 0 the steps are tiny, so an f whose values do not shrink with x loses accuracy:
# cos'(1e-8) comes out with an absolute error near eps / 1e-8, which the error estimate reports.
RELATIVE_STEP = 0.25
ABSOLUTE_STEP = 0.25

# Each level halves the step, so twenty levels reach h0 / 2^19, about 2e-6 h0. On the functions in
# tests/test_finite_difference.py the rounding error stops the table after 2 to 7 levels.
MAX_LEVELS = 20

# When f fails or is not finite before the table has an error estimate, the table restarts
# from the failing step divided by RETRY_SHRINK. After MAX_RETRIES restarts, the first step is
# about 1e-8 of the original and the derivative fails.
MAX_RETRIES = 8
RETRY_SHRINK = 10.0

# Rounding error of one evaluation of f, as a multiple of eps |f|. Library functions such as
# math.sin are accurate to about 1 ulp, and the factor leaves room for a few operations inside f.
# NOTE: for an f with larger evaluation noise (a sum that cancels, an iterative solver) the
# table can agree by chance at small steps, so the error estimate may be too small.
ROUNDING_ULPS = 4.0


class NumericDerivativeError(EvaluationError):
    """A numeric derivative that cannot be computed, because f fails or is not finite near the point."""


class _ProbeFailure(Exception):
    """f raised a domain error, or returned NaN or an infinity, at `point` while probing with `step`."""

    def __init__(self, point: float, step: float, reason: str) -> None:
        super().__init__(reason)
        self.point = point
        self.step = step
        self.reason = reason


def derivative(f: Callable[[float], float], x: float, order: int = 1) -> float:
    """Estimate the first or second derivative of `f` at `x`, as derivative_with_error does."""
    return derivative_with_error(f, x, order)[0]


def derivative_with_error(
    f: Callable[[float], float],
    x: float,
    order: int = 1,
    *,
    domain_errors: tuple[type[Exception], ...] = DOMAIN_ERRORS,
) -> tuple[float, float]:
    """Estimate the `order`-th derivative (1 or 2) of `f` at `x` and return (estimate, error estimate).

    The error estimate comes from the extrapolation table: the larger of the estimate's
    distances to the two table entries it was built from, and at least the rounding error of
    the differences. It is usually larger than the true error, but it is not a bound: it
    assumes that f is smooth near x and that f is computed to within a few ulps.

    f is evaluated at x, which must succeed, and at x +- h for steps h below |x|, or below
    ABSOLUTE_STEP when x = 0. An exception from `domain_errors`, NaN or an infinity at a probe
    point makes the step shrink; NumericDerivativeError is raised after MAX_RETRIES shrinks,
    or when f fails at x itself. Other exceptions from f propagate unchanged.
    """
    if order not in (1, 2):
        raise ValueError(f"order must be 1 or 2, got {order!r}")
    x = _as_finite_point(x)
    try:
        fx = _evaluate(f, x, 0.0, domain_errors)
    except _ProbeFailure as failure:
        raise NumericDerivativeError(f"numeric derivative at x = {x!r} failed: f {failure.reason} at x itself") from None

    if abs(x) > 1:
        # A step proportional to |x| suits functions whose scale grows with x (log, x^2), but
        # is far too coarse for one that varies on a fixed scale (sin at 1e8), where the table
        # can agree with itself on a meaningless value. Compare with a run from the absolute
        # step, which stays inside the same sign of x, and accept only an estimate both give.
        relative = _from_step(f, x, fx, RELATIVE_STEP * abs(x), order, domain_errors)
        absolute = _from_step(f, x, fx, ABSOLUTE_STEP, order, domain_errors)
        tolerance = 10 * (relative[1] + absolute[1]) + 1e-12 * max(abs(relative[0]), abs(absolute[0]))
        if abs(relative[0] - absolute[0]) > tolerance:
            raise NumericDerivativeError(
                f"numeric derivative at x = {x!r} failed: steps of {RELATIVE_STEP * abs(x):.3g} and "
                f"{ABSOLUTE_STEP} give {relative[0]!r} and {absolute[0]!r}; f varies on a scale the "
                "steps do not resolve"
            )
        return min(relative, absolute, key=lambda estimate: estimate[1])
    step = RELATIVE_STEP * abs(x) if x != 0 else ABSOLUTE_STEP
    return _from_step(f, x, fx, step, order, domain_errors)


def _from_step(
    f: Callable[[float], float],
    x: float,
    fx: float,
    step: float,
    order: int,
    domain_errors: tuple[type[Exception], ...],
) -> tuple[float, float]:
    """Run the extrapolation from `step`, shrinking it after a failed probe; see derivative_with_error."""
    failure: _ProbeFailure | None = None
    for _attempt in range(MAX_RETRIES + 1):
        try:
            return _extrapolate(f, x, fx, step, order, domain_errors)
        except _ProbeFailure as error:
            failure = error
            step = error.step / RETRY_SHRINK
    assert failure is not None
    raise NumericDerivativeError(
        f"numeric derivative at x = {x!r} failed: f {failure.reason} at {failure.point!r}, "
        f"and still failed after {MAX_RETRIES} smaller steps down to h = {failure.step:.3g}; "
        "f must be finite on an interval around x"
    )


def gradient(f: Callable[..., float], point: Sequence[float]) -> list[float]:
    """Estimate the partial derivatives of `f`, called as f(x1, ..., xn), at `point`.

    Each partial derivative varies one coordinate and keeps the others fixed, with the same
    method as derivative().
    """
    coordinates = [_as_finite_point(value) for value in point]
    try:
        _evaluate(lambda _: f(*coordinates), math.nan, 0.0, DOMAIN_ERRORS, shown_point=repr(coordinates))
    except _ProbeFailure as failure:
        raise NumericDerivativeError(f"numeric gradient at {coordinates!r} failed: f {failure.reason} there") from None
    partials: list[float] = []
    for index, value in enumerate(coordinates):

        def along_axis(t: float, index: int = index) -> float:
            moved = list(coordinates)
            moved[index] = t
            return f(*moved)

        try:
            partials.append(derivative(along_axis, value))
        except NumericDerivativeError as error:
            raise NumericDerivativeError(
                f"numeric gradient at {coordinates!r} failed in argument {index + 1}: {error.message}"
            ) from error
    return partials


def _as_finite_point(x: float) -> float:
    value = float(x)
    if not math.isfinite(value):
        raise NumericDerivativeError(f"numeric derivative: the point must be a finite number, got {value!r}")
    return value


def _evaluate(
    f: Callable[[float], float],
    point: float,
    step: float,
    domain_errors: tuple[type[Exception], ...],
    shown_point: str | None = None,
) -> float:
    """Return f(point) as a float, or raise _ProbeFailure for a domain error, NaN or an infinity.

    A result that is not a real number raises NumericDerivativeError at once, because no step
    can fix it. `shown_point` replaces repr(point) in that message.
    """
    try:
        value = f(point)
    except domain_errors as error:
        # A SchemeError's message already names what failed; a Python one needs its type.
        message = getattr(error, "message", None)
        reason = f"failed ({message})" if message else f"raised {type(error).__name__}: {error}"
    else:
        try:
            value = float(value)
        except (TypeError, ValueError):
            raise NumericDerivativeError(
                f"numeric derivative: f returned {value!r} at {shown_point or repr(point)}, which is not a real number"
            ) from None
        if math.isfinite(value):
            return value
        reason = f"returned {value!r}"
    raise _ProbeFailure(point, step, reason)


def _difference(
    f: Callable[[float], float],
    x: float,
    fx: float,
    step: float,
    order: int,
    domain_errors: tuple[type[Exception], ...],
) -> tuple[float, float]:
    """Return D1 or D2 at `step` and an estimate of its rounding error."""
    # Use the step that x + step actually moves by, so the step is a whole number of ulps of x
    # and the quotient divides by the distance between the points f really saw.
    exact_step = (x + step) - x
    if exact_step == 0.0:
        # Retrying with a smaller step cannot help, so this is not a _ProbeFailure.
        raise NumericDerivativeError(
            f"numeric derivative at x = {x!r} failed: the step h = {step:.3g} is below the float spacing at x"
        )
    right = x + exact_step
    left = x - exact_step
    f_right = _evaluate(f, right, step, domain_errors)
    f_left = _evaluate(f, left, step, domain_errors)
    epsilon = sys.float_info.epsilon * ROUNDING_ULPS
    if order == 1:
        value = (f_right - f_left) / (right - left)
        rounding = epsilon * (abs(f_right) + abs(f_left)) / (right - left)
    else:
        value = (f_right - 2.0 * fx + f_left) / (exact_step * exact_step)
        rounding = epsilon * (abs(f_right) + 2.0 * abs(fx) + abs(f_left)) / (exact_step * exact_step)
    if not (math.isfinite(value) and math.isfinite(rounding)):
        raise _ProbeFailure(right, step, "gives a difference quotient that overflows")
    return value, rounding


def _extrapolate(
    f: Callable[[float], float],
    x: float,
    fx: float,
    first_step: float,
    order: int,
    domain_errors: tuple[type[Exception], ...],
) -> tuple[float, float]:
    """Fill the Richardson table row by row and return its best (estimate, error estimate).

    Row i starts with the difference at first_step / 2^i. Entry k of a row cancels the h^(2k)
    term: T[i][k] = T[i][k-1] + (T[i][k-1] - T[i-1][k-1]) / (4^k - 1).
    """
    previous_row: list[float] = []
    best, best_error = math.nan, math.inf
    step = first_step
    for level in range(MAX_LEVELS):
        try:
            value, rounding = _difference(f, x, fx, step, order, domain_errors)
        except _ProbeFailure:
            if math.isfinite(best_error):
                # NOTE: f failing at a smaller step than one that worked is unusual. The estimate
                # so far is kept, though more levels might have made it more accurate.
                break
            raise
        row = [value]
        for k in range(1, level + 1):
            row.append(row[k - 1] + (row[k - 1] - previous_row[k - 1]) / (4.0**k - 1.0))
        for k in range(1, len(row)):
            error = max(abs(row[k] - row[k - 1]), abs(row[k] - previous_row[k - 1]), rounding)
            if error < best_error:
                best, best_error = row[k], error
        # The rounding error only grows as the step shrinks, so once it exceeds the best error
        # estimate no later entry can improve on it.
        if rounding >= best_error:
            break
        previous_row = row
        step /= 2.0
    if not math.isfinite(best_error):
        raise _ProbeFailure(x + first_step, first_step, "gives no finite error estimate")
    return best, best_error
