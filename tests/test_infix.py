"""Tests of infix notation: the infix text reader, infix lists and the infix and LaTeX printers."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings

import symdiff
from symdiff import DerivError, EvaluationError, ReadError
from symdiff.printer import write_string
from symdiff.reader import read
from symdiff.types import Pair, Symbol, make_list

from strategies import expressions

MINUS, DIVIDE, POWER, EXPT = Symbol("-"), Symbol("/"), Symbol("**"), Symbol("expt")
N_ARY = {Symbol("+"), Symbol("*"), MINUS, DIVIDE}


def run(source: str) -> str:
    return write_string(symdiff.Interpreter().eval(source))


def infix(text: str) -> str:
    return str(symdiff.parse(text, notation="infix"))


# --- infix text -------------------------------------------------------------------------------

# (infix text, prefix form)
INFIX_TEXT = [
    # Precedence and associativity.
    ("x + 2*y", "(+ x (* 2 y))"),
    ("2*x + y", "(+ (* 2 x) y)"),
    ("x - y - z", "(- (- x y) z)"),
    ("x/y/z", "(/ (/ x y) z)"),
    ("x - y*z/w", "(- x (/ (* y z) w))"),
    ("(x + 1)*(x - 1)", "(* (+ x 1) (- x 1))"),
    ("2*x^2", "(* 2 (** x 2))"),
    ("x^2*y", "(* (** x 2) y)"),
    # The power operator groups to the right, in both spellings.
    ("2^3^2", "(** 2 (** 3 2))"),
    ("2**3**2", "(** 2 (** 3 2))"),
    ("x**2", "(** x 2)"),
    ("x ^ y", "(** x y)"),
    ("(x^2)^3", "(** (** x 2) 3)"),
    # Unary minus binds looser than ^ and tighter than * and /.
    ("-x^2", "(- (** x 2))"),
    ("-x*y", "(* (- x) y)"),
    ("x*-y", "(* x (- y))"),
    ("x^-2", "(** x -2)"),
    ("x^(-1.5)", "(** x -1.5)"),
    ("x^-y", "(** x (- y))"),
    ("x^--2", "(** x 2)"),
    ("x^(1/2)", "(** x 1/2)"),
    ("x^(-1/2)", "(** x -1/2)"),
    ("x^(4/2)", "(** x 2)"),
    ("x^(1/0)", "(** x (/ 1 0))"),
    ("x^(1.5/2)", "(** x (/ 1.5 2))"),
    ("2^-x", "(** 2 (- x))"),
    ("-2^2", "(- (** 2 2))"),
    ("--x", "(- (- x))"),
    ("x - -y", "(- x (- y))"),
    ("+x", "x"),
    # Function calls with one or several arguments.
    ("sin(x)", "(sin x)"),
    ("sin(cos(x))", "(sin (cos x))"),
    ("x^2 + sin(x)*y", "(+ (** x 2) (* (sin x) y))"),
    ("atan(y, x)", "(atan y x)"),
    ("log(x, 2)", "(log x 2)"),
    ("f(x, y + 1, 2*z)", "(f x (+ y 1) (* 2 z))"),
    # Numbers.
    ("1.5e3*x", "(* 1500.0 x)"),
    (".5", "0.5"),
    ("1/2*x", "(* (/ 1 2) x)"),
    ("  x\n  + 1 ", "(+ x 1)"),
]

# (infix text, line, column, text the message contains)
INFIX_ERRORS = [
    ("2x", 1, 2, "implicit multiplication is not supported: write 2*x"),
    ("x y", 1, 3, "implicit multiplication is not supported: write x*y"),
    ("  2x", 1, 4, "write 2*x"),
    ("x\n + 2y", 2, 5, "write 2*y"),
    ("(x + 1) (x - 1)", 1, 9, "implicit multiplication is not supported: write (x + 1)*(...)"),
    ("sin(x + 1) y", 1, 12, "implicit multiplication is not supported: write sin(x + 1)*y"),
    ("x + (y\n + 1) z", 2, 7, "implicit multiplication is not supported: write (y + 1)*z"),
    ("exp(a + b + c + d + e + f + g + h + i + j + k) x", 1, 48, "implicit multiplication is not supported: write exp(...)*x"),
    ("x^(2) y", 1, 7, "implicit multiplication is not supported: write x^(2)*y"),
    ("x+1)", 1, 4, "unexpected ')'"),
    ("(x))", 1, 4, "unexpected ')'"),
    ("x + )", 1, 5, "unexpected ')'"),
    ("x $ y", 1, 3, "invalid character '$'"),
    ("x^^2", 1, 3, "unexpected '^'"),
    ("x +", 1, 3, "ends too early"),
    ("", 1, 1, "the expression is empty"),
    ("  \n ", 1, 1, "the expression is empty"),
    ("x^1e400", 1, 3, "the number 1e400 is beyond the float range (about 1.8e308): write it exactly, as 10^400"),
    ("x +\n 2.5e400", 2, 2, "write it exactly, as 25*10^399"),
    ("123.456E400", 1, 1, "write it exactly, as 123456*10^397"),
    ("1.50e-400*x", 1, 1, "the number 1.50e-400 is too small for a float and would read as 0.0: write it exactly, as 15*10^-401"),
]

# (infix text, column of the unmatched "(", column just past the end of the text)
UNCLOSED = [
    ("(x+1", 1, 5),
    ("sin(x", 4, 6),
    ("x * (y + (z", 10, 12),
]


@pytest.mark.parametrize(("text", "expected"), INFIX_TEXT)
def test_infix_text(text, expected):
    result = infix(text)
    assert result == expected, f"{text!r}: got {result}, expected {expected}"


@pytest.mark.parametrize(("text", "expected"), INFIX_TEXT)
def test_scheme_parse_infix(text, expected):
    source = f"(parse-infix {write_string(text)})"
    result = run(source)
    assert result == expected, f"{source}: got {result}, expected {expected}"


@pytest.mark.parametrize(("text", "line", "column", "message"), INFIX_ERRORS)
def test_infix_error(text, line, column, message):
    with pytest.raises(ReadError) as caught:
        symdiff.parse(text, notation="infix")
    error = caught.value
    assert message in error.message, f"{text!r}: message {error.message!r}"
    assert error.position.line == line, f"{text!r}: line {error.position.line}, expected {line}"
    assert error.position.column == column, f"{text!r}: column {error.position.column}, expected {column}"


@pytest.mark.parametrize(("text", "opening", "end"), UNCLOSED)
def test_infix_unclosed_message(text, opening, end):
    with pytest.raises(ReadError) as caught:
        symdiff.parse(text, notation="infix")
    assert "unclosed '('" in caught.value.message, f"{text!r}: message {caught.value.message!r}"


@pytest.mark.parametrize(("text", "opening", "end"), UNCLOSED)
def test_infix_unclosed_column(text, opening, end):
    with pytest.raises(ReadError) as caught:
        symdiff.parse(text, notation="infix")
    column = caught.value.position.column
    assert column in (opening, end), f"{text!r}: column {column}, expected {opening} (the '(') or {end} (the end)"


def test_scheme_parse_infix_error():
    with pytest.raises(ReadError) as caught:
        symdiff.Interpreter().eval('(parse-infix "2x")')
    assert "write 2*x" in str(caught.value)


def test_deriv_infix_text():
    result = symdiff.deriv("x^3", "x", simplify="full", notation="infix").to_infix()
    assert result == "3*x^2"


def test_parse_unknown_notation():
    with pytest.raises(ValueError, match="unknown notation"):
        symdiff.parse("x", notation="postfix")


# --- infix lists (SICP exercise 2.58) ---------------------------------------------------------

# (infix list, prefix list)
INFIX_LISTS = [
    # Part a: fully parenthesized, two operands per operator.
    ("(x + (3 * (x + (y + 2))))", "(+ x (* 3 (+ x (+ y 2))))"),
    ("((x * y) * (x + 3))", "(* (* x y) (+ x 3))"),
    # Part b: standard precedence, unnecessary parentheses dropped.
    ("(x + 3 * (x + y + 2))", "(+ x (* 3 (+ (+ x y) 2)))"),
    ("(x * y * (x + 3))", "(* (* x y) (+ x 3))"),
    ("(x - y - z)", "(- (- x y) z)"),
    ("(x / y / z)", "(/ (/ x y) z)"),
    ("(x * y ** 2)", "(* x (** y 2))"),
    ("(x ** y ** z)", "(** x (** y z))"),
    ("(x ^ 3)", "(** x 3)"),
    ("(- x ** 2)", "(- (** x 2))"),
    ("((- x) ** 2)", "(** (- x) 2)"),
    ("(- - x)", "(- (- x))"),
    ("(x - - y)", "(- x (- y))"),
    ("(x * - y)", "(* x (- y))"),
    # Function calls: a symbol followed by operands with no operator among them.
    ("(sin (x + 1))", "(sin (+ x 1))"),
    ("(2 * (sin x))", "(* 2 (sin x))"),
    ("(atan y x)", "(atan y x)"),
]

# (infix list, text the DerivError message contains)
INFIX_LIST_ERRORS = [
    ("(x +)", "the expression ends with an operator"),
    ("(+ x)", "operator + is missing its left operand"),
    ("(2 * sin x)", "expected an operator between operands, got x"),
]

# (prefix list, infix list with minimal parentheses)
PREFIX_LISTS = [
    ("(+ x (* 3 (+ x y 2)))", "(x + 3 * (x + y + 2))"),
    ("(- x (- y z))", "(x - (y - z))"),
    ("(- (- x y) z)", "(x - y - z)"),
    ("(/ x (* y z))", "(x / (y * z))"),
    ("(* (+ x 1) (- x 1))", "((x + 1) * (x - 1))"),
    ("(** (** x 2) 3)", "((x ** 2) ** 3)"),
    ("(** x (** 2 3))", "(x ** 2 ** 3)"),
    ("(expt x 2)", "(x ** 2)"),
    ("(- (+ x y))", "(- (x + y))"),
    ("(- (* x y))", "(- (x * y))"),
    ("(* (- x) y)", "(- x * y)"),
    ("(- (** x 2))", "(- x ** 2)"),
    ("(** (- x) 2)", "((- x) ** 2)"),
    ("(sin (+ x 1))", "(sin (x + 1))"),
    ("(* 2 (sin x))", "(2 * (sin x))"),
]

# (infix list, variable, derivative as an infix list)
DERIV_INFIX = [
    ("(x + (3 * (x + (y + 2))))", "x", "4"),
    ("(x + 3 * (x + y + 2))", "x", "4"),
    ("(x * y * (x + 3))", "x", "(x * y + y * (x + 3))"),
    ("((x * y) * (x + 3))", "x", "(x * y + y * (x + 3))"),
    ("(x ** 3)", "x", "(3 * x ** 2)"),
    ("(x ^ 3)", "x", "(3 * x ** 2)"),
]


@pytest.mark.parametrize(("infix_list", "expected"), INFIX_LISTS)
def test_infix_to_prefix(infix_list, expected):
    result = run(f"(infix->prefix '{infix_list})")
    assert result == expected, f"{infix_list}: got {result}, expected {expected}"


@pytest.mark.parametrize(("infix_list", "message"), INFIX_LIST_ERRORS)
def test_infix_to_prefix_error(infix_list, message):
    with pytest.raises(DerivError) as caught:
        symdiff.Interpreter().eval(f"(infix->prefix '{infix_list})")
    assert message in str(caught.value), f"{infix_list}: message {caught.value}"


@pytest.mark.parametrize("infix_list", ["()", "(x + ())", "(x + (()))"])
def test_infix_to_prefix_empty(infix_list):
    with pytest.raises(DerivError):
        symdiff.Interpreter().eval(f"(infix->prefix '{infix_list})")


@pytest.mark.parametrize(("prefix_list", "expected"), PREFIX_LISTS)
def test_prefix_to_infix(prefix_list, expected):
    result = run(f"(prefix->infix '{prefix_list})")
    assert result == expected, f"{prefix_list}: got {result}, expected {expected}"


@pytest.mark.parametrize(("infix_list", "var", "expected"), DERIV_INFIX)
def test_deriv_infix(infix_list, var, expected):
    result = run(f"(deriv-infix '{infix_list} '{var})")
    assert result == expected, f"(deriv-infix '{infix_list} '{var}): got {result}, expected {expected}"


def test_deriv_infix_options():
    assert run("(deriv-infix '(x * x) 'x 'full)") == "(2 * x)"
    assert run("(deriv-infix '(x ^ 3) 'x 2)") == "(3 * (2 * x))"


# --- printers ---------------------------------------------------------------------------------

# (prefix, infix text)
INFIX_PRINTS = [
    ("(+ (** x 2) (* 3 x))", "x^2 + 3*x"),
    ("(+ x y z)", "x + y + z"),
    ("(- x y z)", "x - y - z"),
    ("(- x (- y z))", "x - (y - z)"),
    ("(- x (+ y z))", "x - (y + z)"),
    ("(/ x (* y z))", "x/(y*z)"),
    ("(/ (* x y) z)", "x*y/z"),
    ("(* x (/ y z))", "x*(y/z)"),
    ("(* (+ x 1) (- x 1))", "(x + 1)*(x - 1)"),
    ("(** (** x 2) 3)", "(x^2)^3"),
    ("(** x (** 2 3))", "x^2^3"),
    ("(- (** x 2))", "-x^2"),
    ("(** (- x) 2)", "(-x)^2"),
    ("(- (+ x y))", "-(x + y)"),
    ("(* -2 x)", "-2*x"),
    ("(+ x -2)", "x + (-2)"),
    ("(** x -2)", "x^(-2)"),
    ("(** -2 x)", "(-2)^x"),
    ("(* 1/2 x)", "1/2*x"),
    ("(** x 1/2)", "x^(1/2)"),
    ("(sin (+ x 1))", "sin(x + 1)"),
    ("(atan y x)", "atan(y, x)"),
    ("(/ 1 (sqrt x))", "1/sqrt(x)"),
    ("(exp (* 2 x))", "exp(2*x)"),
    ("(expt x 2)", "x^2"),
    ("x", "x"),
    ("1.5", "1.5"),
]

# (prefix, LaTeX)
LATEX_PRINTS = [
    ("(/ 1 (** x 2))", r"\frac{1}{x^{2}}"),
    ("(/ (+ x 1) (- x 1))", r"\frac{x + 1}{x - 1}"),
    ("(/ (sin x) 2)", r"\frac{\sin x}{2}"),
    ("(* 1/2 x)", r"\frac{1}{2} x"),
    ("(- 1/2)", r"-\frac{1}{2}"),
    ("(sin x)", r"\sin x"),
    ("(sin (+ x 1))", r"\sin\left(x + 1\right)"),
    ("(asin x)", r"\arcsin x"),
    ("(atan y x)", r"\arctan\left(y, x\right)"),
    ("(log x)", r"\ln x"),
    ("(log x 2)", r"\log_{2} x"),
    ("(exp x)", "e^{x}"),
    ("(abs (- x 1))", r"\left|x - 1\right|"),
    ("(sign x)", r"\operatorname{sgn} x"),
    ("(sigmoid x)", r"\sigma x"),
    ("(foo x y)", r"\operatorname{foo}\left(x, y\right)"),
    ("(** x 2)", "x^{2}"),
    ("(** x (+ y 1))", "x^{y + 1}"),
    ("(** (+ x 1) 2)", r"\left(x + 1\right)^{2}"),
    ("(** x (** 2 3))", "x^{2^{3}}"),
    ("(** (** x 2) 3)", r"\left(x^{2}\right)^{3}"),
    ("(** -2 x)", r"\left(-2\right)^{x}"),
    ("(** (sin x) 2)", r"\left(\sin x\right)^{2}"),
    ("(sqrt x)", r"\sqrt{x}"),
    ("(sqrt (+ x 1))", r"\sqrt{x + 1}"),
    ("(/ 1 (sqrt x))", r"\frac{1}{\sqrt{x}}"),
    # Minimal parentheses.
    ("(+ (** x 2) (* 3 x))", "x^{2} + 3 x"),
    ("(* 2 x)", "2 x"),
    ("(* x 2)", r"x \cdot 2"),
    ("(* 2 3)", r"2 \cdot 3"),
    ("(- (- x y) z)", "x - y - z"),
    ("(- x (- y z))", r"x - \left(y - z\right)"),
    ("(+ x (- y))", r"x + \left(-y\right)"),
    ("(* (+ x 1) (- x 1))", r"\left(x + 1\right) \left(x - 1\right)"),
    ("(- (+ x y))", r"-\left(x + y\right)"),
    ("(- (* x y))", "-x y"),
    ("(* (- x) y)", "-x y"),
    ("(* alpha x_1)", r"\alpha x_{1}"),
    ("(* x +inf.0)", r"x \infty"),
    ("(+ x +nan.0)", r"x + \mathrm{NaN}"),
]

# LaTeX that is wrong or not minimal: (prefix, expected LaTeX)
LATEX_BUGS = [
    pytest.param("(** (/ 1 x) 2)", r"\left(\frac{1}{x}\right)^{2}", id="power-of-quotient"),
    pytest.param("(** 1/2 x)", r"\left(\frac{1}{2}\right)^{x}", id="power-of-ratio"),
    pytest.param("(- (- x))", r"-\left(-x\right)", id="double-negation"),
    pytest.param("(- x -1)", r"x - \left(-1\right)", id="minus-negative-number"),
    pytest.param("(- x (- y))", r"x - \left(-y\right)", id="minus-negation"),
    pytest.param("(* 2 (sin x))", r"2 \sin x", id="number-times-function"),
    pytest.param("(/ x)", r"\frac{1}{x}", id="unary-quotient"),
]

# A function applied to a bare argument and followed by another factor, as \sin x y, reads
# as sin(x y). (prefix, accepted renderings)
AMBIGUOUS_PRODUCTS = [
    pytest.param("(* (sin x) y)", [r"\sin\left(x\right) y", r"y \sin x", r"\left(\sin x\right) y"], id="sin-times-symbol"),
    pytest.param("(* (log x) x)", [r"\ln\left(x\right) x", r"x \ln x", r"\left(\ln x\right) x"], id="log-times-symbol"),
    pytest.param(
        "(* (cos x) (sin x))",
        [r"\cos\left(x\right) \sin x", r"\cos x \sin x", r"\left(\cos x\right) \sin x"],
        id="cos-times-sin",
    ),
]


@pytest.mark.parametrize(("prefix", "expected"), INFIX_PRINTS)
def test_to_infix(prefix, expected):
    result = symdiff.parse(prefix).to_infix()
    assert result == expected, f"{prefix}: got {result!r}, expected {expected!r}"


@pytest.mark.parametrize(("prefix", "expected"), INFIX_PRINTS)
def test_scheme_expr_to_infix(prefix, expected):
    result = symdiff.Interpreter().eval(f"(expr->infix '{prefix})")
    assert result == expected, f"{prefix}: got {result!r}, expected {expected!r}"


@pytest.mark.parametrize(("prefix", "expected"), LATEX_PRINTS)
def test_to_latex(prefix, expected):
    result = symdiff.parse(prefix).to_latex()
    assert result == expected, f"{prefix}: got {result!r}, expected {expected!r}"


@pytest.mark.parametrize(("prefix", "expected"), LATEX_PRINTS)
def test_scheme_expr_to_latex(prefix, expected):
    result = symdiff.Interpreter().eval(f"(expr->latex '{prefix})")
    assert result == expected, f"{prefix}: got {result!r}, expected {expected!r}"


@pytest.mark.parametrize(("prefix", "expected"), LATEX_BUGS)
def test_to_latex_bug(prefix, expected):
    result = symdiff.parse(prefix).to_latex()
    assert result == expected, f"{prefix}: got {result!r}, expected {expected!r}"


@pytest.mark.parametrize(("prefix", "accepted"), AMBIGUOUS_PRODUCTS)
def test_to_latex_ambiguous_product(prefix, accepted):
    result = symdiff.parse(prefix).to_latex()
    assert result in accepted, f"{prefix}: got {result!r}, expected one of {accepted}"


def test_to_latex_quotient_of_three():
    result = symdiff.parse("(/ x y z)").to_latex()
    assert r"\operatorname{/}" not in result, f"(/ x y z): got {result!r}"


@pytest.mark.parametrize(
    "datum",
    [
        make_list([Symbol("*"), Symbol("x"), float("inf")]),
        make_list([POWER, Symbol("x"), float("-inf")]),
        make_list([Symbol("+"), Symbol("x"), float("nan")]),
        float("inf"),
    ],
)
def test_to_infix_rejects_non_finite_float(datum):
    expression = symdiff.deriv(make_list([Symbol("*"), Symbol("x"), datum]), "x")
    with pytest.raises(EvaluationError) as caught:
        expression.to_infix()
    assert "has no infix form, so this expression cannot be written as infix text" in caught.value.message


@pytest.mark.parametrize("text", ["1e308", "1e-320", "0e999", "0.0e-400"])
def test_infix_float_within_range(text):
    assert float(infix(text)) == float(text)


def test_scheme_expr_to_infix_rejects_string():
    with pytest.raises(DerivError):
        symdiff.Interpreter().eval('(expr->infix "s")')


# --- round trips ------------------------------------------------------------------------------


def operand_list(datum: Pair) -> list:
    operands = []
    item = datum.cdr
    while type(item) is Pair:
        operands.append(item.car)
        item = item.cdr
    return operands


def binarize(datum):
    """Rewrite n-ary + - * / as left-nested binary forms, (/ u) as (/ 1 u) and expt as **.

    Infix text has only binary operators, so this is the form a round trip can return.
    """
    if type(datum) is not Pair:
        return datum
    operator = datum.car
    operands = [binarize(operand) for operand in operand_list(datum)]
    if operator is EXPT:
        operator = POWER
    if operator is DIVIDE and len(operands) == 1:
        operands = [1] + operands
    if operator in N_ARY and len(operands) > 2:
        result = make_list([operator, operands[0], operands[1]])
        for operand in operands[2:]:
            result = make_list([operator, result, operand])
        return result
    return make_list([operator] + operands)


def fold_literals(datum):
    """Fold (- number) to a negative number and (/ integer integer) to a ratio.

    The infix reader has no negative or ratio literals, so -2 and 1/2 read back as (- 2)
    and (/ 1 2).
    """
    if type(datum) is not Pair:
        return datum
    operands = [fold_literals(operand) for operand in operand_list(datum)]
    operator = datum.car
    numbers = all(type(operand) in (int, Fraction, float) for operand in operands)
    if operator is MINUS and len(operands) == 1 and numbers:
        return -operands[0]
    if operator is DIVIDE and len(operands) == 2 and all(type(o) is int for o in operands) and operands[1] != 0:
        ratio = Fraction(operands[0], operands[1])
        return ratio.numerator if ratio.denominator == 1 else ratio
    return make_list([operator] + operands)


PLUS = Symbol("+")


def signed_terms(datum) -> list:
    """Return the terms of a chain of + and binary -, each as (sign, term)."""
    if type(datum) is Pair and datum.car is PLUS:
        return [pair for operand in operand_list(datum) for pair in signed_terms(operand)]
    if type(datum) is Pair and datum.car is MINUS and len(operand_list(datum)) == 2:
        minuend, subtrahend = operand_list(datum)
        return signed_terms(minuend) + [(-sign, term) for sign, term in signed_terms(subtrahend)]
    return [(1, datum)]


def flatten_sums(datum):
    """Rewrite each chain of + and binary - as one n-ary sum of terms and negated terms.

    The infix printer relies on + being associative: it prints (+ x (+ y z)) as x + y + z,
    which reads back as (+ (+ x y) z). test_infix_sum_grouping pins that separately.
    """
    if type(datum) is not Pair:
        return datum
    if datum.car is PLUS or (datum.car is MINUS and len(operand_list(datum)) == 2):
        parts = [flatten_sums(term) if sign > 0 else make_list([MINUS, flatten_sums(term)]) for sign, term in signed_terms(datum)]
        return make_list([PLUS] + parts)
    return make_list([datum.car] + [flatten_sums(operand) for operand in operand_list(datum)])


round_trips = settings(max_examples=200, deadline=None, derandomize=True)


@round_trips
@given(expressions)
def test_infix_text_round_trip(text):
    expected = binarize(read(text, "<test>"))
    printed = symdiff.parse(write_string(expected)).to_infix()
    result = symdiff.parse(printed, notation="infix").to_datum()
    assert write_string(flatten_sums(fold_literals(result))) == write_string(flatten_sums(fold_literals(expected))), (
        f"{write_string(expected)} printed as {printed!r} reads back as {write_string(result)}"
    )


@pytest.mark.parametrize("prefix", ["(+ x (+ y z))", "(+ x (- y z))"])
def test_infix_sum_grouping(prefix):
    printed = symdiff.parse(prefix).to_infix()
    result = infix(printed)
    assert result == prefix, f"{prefix} printed as {printed!r} reads back as {result}"


@round_trips
@given(expressions)
def test_infix_list_round_trip(text):
    expected = binarize(read(text, "<test>"))
    interpreter = symdiff.Interpreter()
    source = write_string(expected)
    printed = write_string(interpreter.eval(f"(prefix->infix '{source})"))
    result = write_string(interpreter.eval(f"(infix->prefix '{printed})"))
    assert result == source, f"{source} printed as {printed} reads back as {result}"


def test_infix_text_unary_quotient():
    printed = symdiff.parse("(/ x)").to_infix()
    value = symdiff.parse(printed, notation="infix").evaluate(x=4)
    assert value == Fraction(1, 4), f"(/ x) printed as {printed!r} gives {value!r} at x = 4"


def test_infix_text_quotient_of_three():
    printed = symdiff.parse("(/ x y z)").to_infix()
    value = symdiff.parse(printed, notation="infix").evaluate(x=12, y=2, z=3)
    assert value == 2, f"(/ x y z) printed as {printed!r} gives {value!r} at x = 12, y = 2, z = 3"


def test_infix_list_unary_quotient():
    printed = run("(prefix->infix '(/ x))")
    result = run(f"(infix->prefix '{printed})")
    assert result in ("(/ x)", "(/ 1 x)"), f"(/ x) printed as {printed} reads back as {result}"


@pytest.mark.parametrize("function", ["expr->infix", "expr->latex"])
def test_rendering_refuses_huge_shared_tree(function) -> None:
    interpreter = symdiff.Interpreter()
    interpreter.eval("(define (grow e k) (if (= k 0) e (grow (list '* e e) (- k 1))))")
    with pytest.raises(symdiff.SchemeError, match="value too large to print"):
        interpreter.eval(f"({function} (grow 'x 40))")
    assert interpreter.eval("(expr->infix (grow 'x 1))") == "x*x"


@pytest.mark.parametrize(("text", "advice"), [("sin x", "write its argument in parentheses, as sin(x)"),
                                              ("2 + log 3", "as log(3)")])
def test_function_without_parentheses_is_explained(text, advice):
    with pytest.raises(ReadError) as caught:
        symdiff.parse(text, notation="infix")
    assert caught.value.message.endswith(advice)
