"""Tests of the built-in derivative rules, pinned by the tables of docs/rules.md.

Every table row of docs/rules.md with a backquoted expression is a test case. The printed
derivative must match symdiff's output exactly, through the Python API and through Scheme.
It must also agree with a central difference, so the page can pin neither a stale nor a
wrong derivative.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest

import symdiff
from symdiff import DerivError, SchemeError
from symdiff.calculus.rules import RuleTable
from symdiff.printer import write_string
from symdiff.types import Pair, Symbol

from strategies import OPERATORS

RULES_PAGE = Path(__file__).resolve().parent.parent / "docs" / "rules.md"
LEVEL_HEADING = re.compile(r"^## (none|sicp|full) level$")
CODE_CELL = re.compile(r"^`([^`]+)`$")

# Values of the symbols other than x that the rule table uses.
OTHER_SYMBOLS = {"y": 0.7, "z": -1.3, "n": 2.5}
# Values of x at which each row's derivative is compared with a central difference, chosen
# inside the domains of asin (* 2 x) and log x and away from the poles of tan (* 2 x).
X_VALUES = [0.15, 0.35, 1.3, -0.2, -0.4]


def read_rows(path: Path = RULES_PAGE) -> list[tuple[str, str | None, str, str]]:
    """Return (level, operator or None, expression, derivative) for each level-table row."""
    rows = []
    level = None
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.startswith("#"):
            match = LEVEL_HEADING.match(line)
            level = match.group(1) if match else None
            continue
        if not line.startswith("|") or level is None:
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        codes = [CODE_CELL.match(cell) for cell in cells]
        if not all(codes):
            continue  # the header or the separator row
        texts = [code.group(1) for code in codes]
        if len(texts) == 3:
            rows.append((level, texts[0], texts[1], texts[2]))
        elif len(texts) == 2:
            rows.append((level, None, texts[0], texts[1]))
        else:
            raise ValueError(f"{path}:{number}: expected 2 or 3 backquoted cells, got {len(texts)}: {line}")
    return rows


ROWS = read_rows()
ROW_IDS = [f"{level}:{expression}" for level, _, expression, _ in ROWS]
BUILTIN_OPERATORS = set(RuleTable().operators())


def operands_of(expression: str) -> list:
    datum = symdiff.parse(expression).to_datum()
    operands = []
    item = datum.cdr
    while type(item) is Pair:
        operands.append(item.car)
        item = item.cdr
    return operands


def head_of(expression: str) -> str | None:
    datum = symdiff.parse(expression).to_datum()
    return datum.car.name if type(datum) is Pair else None


def value_at(expression: symdiff.Expression, x: float) -> float | None:
    try:
        value = float(expression.evaluate(OTHER_SYMBOLS, x=x))
    except (SchemeError, ZeroDivisionError):
        return None
    return value if math.isfinite(value) else None


def central_difference(expression: symdiff.Expression, x: float) -> float | None:
    """Estimate the derivative at x by central differences with one Richardson step."""
    h = 1e-3
    quotients = []
    for step in (h, h / 2):
        above, below = value_at(expression, x + step), value_at(expression, x - step)
        if above is None or below is None:
            return None
        quotients.append((above - below) / (2 * step))
    return (4 * quotients[1] - quotients[0]) / 3


def test_rules_page_has_rows():
    levels = {level for level, _, _, _ in ROWS}
    assert levels == {"none", "sicp", "full"}, f"{RULES_PAGE} has level tables {sorted(levels)}"


@pytest.mark.parametrize(("level", "operator", "expression", "expected"), ROWS, ids=ROW_IDS)
def test_rules_page_row(level, operator, expression, expected):
    result = str(symdiff.deriv(expression, "x", simplify=level))
    assert result == expected, f"d/dx {expression} at the {level} level: symdiff prints {result}, the page {expected}"


@pytest.mark.parametrize(("level", "operator", "expression", "expected"), ROWS, ids=ROW_IDS)
def test_rules_page_row_scheme(level, operator, expression, expected):
    source = f"(deriv '{expression} 'x '{level})"
    result = write_string(symdiff.Interpreter().eval(source))
    assert result == expected, f"{source} gives {result}, the page {expected}"


@pytest.mark.parametrize(("level", "operator", "expression", "expected"), ROWS, ids=ROW_IDS)
def test_rules_page_row_value(level, operator, expression, expected):
    function = symdiff.parse(expression)
    derivative = symdiff.parse(expected)
    checked = 0
    for x in X_VALUES:
        numeric = central_difference(function, x)
        symbolic = value_at(derivative, x)
        if numeric is None or symbolic is None:
            continue
        checked += 1
        assert abs(symbolic - numeric) <= 1e-6 * max(1.0, abs(numeric)), (
            f"d/dx {expression} = {expected} at x = {x}: {symbolic!r}, central difference {numeric!r}"
        )
    assert checked >= 2, f"d/dx {expression}: defined at only {checked} of x = {X_VALUES}"


@pytest.mark.parametrize(
    ("level", "operator", "expression", "expected"),
    [row for row in ROWS if row[1] is not None],
    ids=[row_id for row, row_id in zip(ROWS, ROW_IDS) if row[1] is not None],
)
def test_rules_page_operator_column(level, operator, expression, expected):
    assert head_of(expression) == operator, f"row {expression} is listed under operator {operator}"


@pytest.mark.parametrize("operator", sorted(BUILTIN_OPERATORS))
def test_rules_page_simple_argument(operator):
    """Each built-in operator has a sicp row with x as its first operand."""
    expressions = [e for level, op, e, _ in ROWS if level == "sicp" and op == operator]
    simple = [e for e in expressions if operands_of(e)[:1] == [Symbol("x")]]
    assert simple, f"{RULES_PAGE.name} has no sicp row ({operator} x ...); rows: {expressions}"


@pytest.mark.parametrize("operator", sorted(BUILTIN_OPERATORS))
def test_rules_page_compound_argument(operator):
    """Each built-in operator has a sicp row with a compound operand, where the chain rule shows."""
    expressions = [e for level, op, e, _ in ROWS if level == "sicp" and op == operator]
    compound = [e for e in expressions if any(type(operand) is Pair for operand in operands_of(e))]
    assert compound, f"{RULES_PAGE.name} has no sicp row of {operator} on a compound operand; rows: {expressions}"


def test_rules_page_no_unknown_operator():
    listed = {op for _, op, _, _ in ROWS if op is not None}
    assert listed <= BUILTIN_OPERATORS, f"operators without a built-in rule: {sorted(listed - BUILTIN_OPERATORS)}"


def test_strategies_cover_rules():
    assert set(OPERATORS) == BUILTIN_OPERATORS, (
        f"tests/strategies.py OPERATORS {sorted(OPERATORS)} differs from the built-in rules {sorted(BUILTIN_OPERATORS)}"
    )


def test_read_rows_rejects_bad_row(tmp_path):
    page = tmp_path / "rules.md"
    page.write_text("## sicp level\n\n| `+` | `(+ x 1)` | `1` | `extra` |\n", encoding="utf-8")
    with pytest.raises(ValueError, match="expected 2 or 3 backquoted cells"):
        read_rows(page)


# --- rules outside the page -------------------------------------------------------------------

# (expression, variable, printed sicp-level derivative)
OTHER_DERIVATIVES = [
    ("x", "x", "1"),
    ("x", "y", "0"),
    ("5", "x", "0"),
    ("2.5", "x", "0"),
    ("1/2", "x", "0"),
    ("(+)", "x", "0"),
    ("(*)", "x", "0"),
    ("(+ x)", "x", "1"),
    ("(* x)", "x", "1"),
    ("(* x y)", "y", "x"),
    ("(** x n)", "n", "(* (** x n) (log x))"),
    ("(sin (* x y))", "y", "(* (cos (* x y)) x)"),
    ("(* (* x y) (+ x 3))", "x", "(+ (* x y) (* y (+ x 3)))"),
    ("(sin (sin x))", "x", "(* (cos (sin x)) (cos x))"),
]


@pytest.mark.parametrize(("expression", "var", "expected"), OTHER_DERIVATIVES)
def test_deriv_form(expression, var, expected):
    result = str(symdiff.deriv(expression, var))
    assert result == expected, f"d/d{var} {expression}: got {result}, expected {expected}"


@pytest.mark.parametrize(("order", "expected"), [(0, "(** x 3)"), (1, "(* 3 (** x 2))"), (2, "(* 3 (* 2 x))"), (3, "6"), (4, "0")])
def test_deriv_order(order, expected):
    result = str(symdiff.deriv("(** x 3)", "x", order=order))
    assert result == expected, f"order {order} of (** x 3): got {result}"


def test_gradient_partials():
    result = [str(partial) for partial in symdiff.gradient("(* x y (sin z))", ["x", "y", "z"])]
    assert result == ["(* y (sin z))", "(* x (sin z))", "(* x (* y (cos z)))"]


# (expression, text the DerivError message contains)
MALFORMED = [
    ("(foo x)", "no rule for operator foo"),
    ("(sin x y)", "sin expects one operand, got (sin x y)"),
    ("(sin)", "sin expects one operand, got (sin)"),
    ("(sqrt x 2)", "sqrt expects one operand"),
    ("(** x)", "** expects a base and an exponent, got (** x)"),
    ("(expt x)", "expt expects a base and an exponent"),
    ("(log x 2 3)", "log expects an argument and an optional base"),
    ("(atan 1 2 3)", "atan expects one or two operands"),
    ("(-)", "- expects at least one operand"),
    ("(/)", "/ expects at least one operand"),
    ("((f) x)", "the operator must be a symbol"),
    ('"text"', "not an algebraic expression"),
    ("(+ x . 1)", "improper list"),
]


@pytest.mark.parametrize(("expression", "message"), MALFORMED)
def test_deriv_malformed(expression, message):
    with pytest.raises(DerivError) as caught:
        symdiff.deriv(expression, "x")
    assert message in str(caught.value), f"d/dx {expression}: message {caught.value}"


def test_deriv_unknown_operator_hint():
    with pytest.raises(DerivError) as caught:
        symdiff.deriv("(foo x)", "x")
    assert "(put 'deriv 'foo" in str(caught.value)


@pytest.mark.parametrize(("keyword", "value", "message"), [("simplify", "bogus", "unknown simplification level"), ("order", -1, "non-negative integer")])
def test_deriv_invalid_option(keyword, value, message):
    with pytest.raises(DerivError) as caught:
        symdiff.deriv("x", "x", **{keyword: value})
    assert message in str(caught.value)


@pytest.mark.parametrize("var", ["x y", "", "(x)"])
def test_deriv_invalid_variable(var):
    with pytest.raises(DerivError):
        symdiff.deriv("(+ x 1)", var)


def test_deriv_numeric_variable():
    with pytest.raises(DerivError):
        symdiff.deriv("(+ x 1)", "1")


def test_scheme_deriv_invalid_option():
    with pytest.raises(DerivError) as caught:
        symdiff.Interpreter().eval("(deriv 'x 'x 'bogus)")
    assert "invalid option bogus" in str(caught.value)


# --- user rules -------------------------------------------------------------------------------


def run(interpreter: symdiff.Interpreter, source: str) -> str:
    return write_string(interpreter.eval(source))


def test_put_new_operator():
    interpreter = symdiff.Interpreter()
    interpreter.eval("(put 'deriv 'double (lambda (operands var) (list '* 2 (deriv (car operands) var))))")
    assert run(interpreter, "(deriv '(double (* x x)) 'x)") == "(* 2 (+ x x))"


def test_put_replaces_builtin():
    interpreter = symdiff.Interpreter()
    interpreter.eval("(put 'deriv 'sin (lambda (operands var) 42))")
    assert run(interpreter, "(deriv '(sin x) 'x)") == "42"


def test_put_does_not_leak():
    """A rule put in one interpreter leaves other interpreters and the Python API alone."""
    symdiff.Interpreter().eval("(put 'deriv 'sin (lambda (operands var) 42))")
    assert run(symdiff.Interpreter(), "(deriv '(sin x) 'x)") == "(cos x)"
    assert str(symdiff.deriv("(sin x)", "x")) == "(cos x)"


def test_get_builtin_rule():
    interpreter = symdiff.Interpreter()
    assert run(interpreter, "((get 'deriv '+) '(x (* x x)) 'x)") == "(+ 1 (+ x x))"


def test_get_missing_rule():
    assert symdiff.Interpreter().eval("(get 'deriv 'nothing)") is False


def test_put_wraps_builtin():
    """A user rule can call the built-in rule it replaces without recursing into itself."""
    interpreter = symdiff.Interpreter()
    interpreter.eval("(define builtin-sum (get 'deriv '+))")
    interpreter.eval("(put 'deriv '+ (lambda (operands var) (list 'sum (builtin-sum operands var))))")
    assert run(interpreter, "(deriv '(+ x (* x x)) 'x)") == "(sum (+ 1 (+ x x)))"
