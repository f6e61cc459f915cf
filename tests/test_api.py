"""Tests of the Python API: symdiff.deriv, parse, Expression, evaluate and Interpreter."""

from __future__ import annotations

import time
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given, settings

import symdiff
from symdiff import NIL, DerivError, Expression, Pair, ReadError, SchemeError, Symbol
from symdiff.printer import write_string
from symdiff.types import make_list

from strategies import expressions


# --- deriv ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expression", "variable", "expected"),
    [
        ("(** x n)", "x", "(* n (** x (+ n -1)))"),
        ("(+ x 3)", "x", "1"),
        ("(* x y)", "x", "y"),
        ("(* (* x y) (+ x 3))", "x", "(+ (* x y) (* y (+ x 3)))"),
        ("(* x y (+ x 3))", "x", "(+ (* x y) (* y (+ x 3)))"),
        ("(** x 3)", "x", "(* 3 (** x 2))"),
        ("(- x y)", "y", "-1"),
        ("  (* x\n   y)  ", "y", "x"),
        ("(* x y) ; a comment", "x", "y"),
        ("x", "x", "1"),
        ("y", "x", "0"),
        ("42", "x", "0"),
        ("(* λ x)", "λ", "x"),
        ("(* Y y)", "Y", "y"),
    ],
)
def test_deriv_text(expression: str, variable: str, expected: str) -> None:
    assert str(symdiff.deriv(expression, variable)) == expected


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("(* x y)", "(+ (* x 0) (* 1 y))"),
        ("(+ x 3)", "(+ 1 0)"),
        ("(** x n)", "(* (* n (** x (+ n -1))) 1)"),
    ],
)
def test_deriv_simplify_none(expression: str, expected: str) -> None:
    assert str(symdiff.deriv(expression, "x", simplify="none")) == expected


def test_deriv_simplify_sicp_explicit() -> None:
    assert str(symdiff.deriv("(* x y)", "x", simplify="sicp")) == "y"


def test_deriv_returns_expression() -> None:
    assert isinstance(symdiff.deriv("(** x n)", "x"), Expression)


def test_deriv_repr() -> None:
    assert repr(symdiff.deriv("(** x 3)", "x")) == "Expression('(* 3 (** x 2))')"


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        (symdiff.parse("(* x y)"), "y"),
        (Symbol("x"), "1"),
        (Symbol("y"), "0"),
        (7, "0"),
        (Fraction(1, 2), "0"),
        (2.5, "0"),
        (make_list([Symbol("*"), Symbol("x"), Symbol("y")]), "y"),
        (make_list([Symbol("+"), make_list([Symbol("*"), 3, Symbol("x")]), 1]), "3"),
    ],
    ids=["expression", "symbol-x", "symbol-y", "int", "fraction", "float", "pairs", "nested-pairs"],
)
def test_deriv_accepts(expression: Any, expected: str) -> None:
    assert str(symdiff.deriv(expression, "x")) == expected


def test_deriv_symbol_variable() -> None:
    assert str(symdiff.deriv("(* x y)", Symbol("y"))) == "x"


def test_deriv_of_result() -> None:
    first = symdiff.deriv("(** x 3)", "x")
    assert str(symdiff.deriv(first, "x")) == "(* 3 (* 2 x))"


def test_deriv_of_evaluated_data() -> None:
    data = symdiff.evaluate("(list '* 'x (list '+ 'x 3))")
    assert str(symdiff.deriv(data, "x")) == "(+ x (+ x 3))"


def test_deriv_leaves_input_unchanged() -> None:
    data = make_list([Symbol("*"), Symbol("x"), Symbol("y")])
    symdiff.deriv(data, "x")
    assert write_string(data) == "(* x y)"


@pytest.mark.parametrize("variable", ["", "a b", "(x)", "'x", 3, None])
def test_deriv_invalid_variable(variable: Any) -> None:
    with pytest.raises(DerivError):
        symdiff.deriv("(* x y)", variable)


@pytest.mark.parametrize(
    ("expression", "error_type"),
    [
        ("(+ x", ReadError),
        ("(+ x 1) (+ x 2)", ReadError),
        ("", ReadError),
        ("(frob x)", DerivError),
        ("(+ x #t)", DerivError),
        ('"text"', DerivError),
        ("(+ x . y)", DerivError),
        (True, DerivError),
        (make_list([Symbol("+"), Symbol("x")], Symbol("y")), DerivError),
    ],
)
def test_deriv_invalid_expression(expression: Any, error_type: type) -> None:
    with pytest.raises(error_type):
        symdiff.deriv(expression, "x")


def test_deriv_no_rule_message() -> None:
    with pytest.raises(DerivError) as caught:
        symdiff.deriv("(frob x)", "x")
    assert "(put 'deriv 'frob" in caught.value.message


def test_parse_rejects_quoted_text() -> None:
    with pytest.raises(DerivError) as caught:
        symdiff.parse("'(* x y)")
    assert caught.value.message == (
        "'(* x y) is quoted data, not an expression to differentiate: write it without the leading ', as (* x y)"
    )


@pytest.mark.parametrize("text", ["(lambda (x) (* x x))", "(define y x)", "(+ x (if x 1 2))", "cond(x)"])
def test_deriv_rejects_special_forms(text: str) -> None:
    with pytest.raises(DerivError) as caught:
        symdiff.deriv(text, "x")
    assert "is a Scheme special form, and special forms are not expressions to differentiate" in caught.value.message


def test_special_form_names_are_variables_as_operands() -> None:
    assert str(symdiff.deriv("lambda*x", "x")) == "lambda"
    assert str(symdiff.deriv("(+ define x)", "x")) == "1"


def test_deriv_invalid_simplify() -> None:
    with pytest.raises((ValueError, SchemeError)):
        symdiff.deriv("(* x y)", "x", simplify="bogus")


def test_deriv_ignores_interpreter_rules() -> None:
    symdiff.Interpreter().eval("(put 'deriv 'frob (lambda (operands var) 0))")
    with pytest.raises(DerivError):
        symdiff.deriv("(frob x)", "x")


def test_errors_are_scheme_errors() -> None:
    with pytest.raises(SchemeError):
        symdiff.deriv("(frob x)", "x")


# --- parse and Expression ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("(+ x 3)", "(+ x 3)"),
        ("  (*   x\n y) ", "(* x y)"),
        ("x", "x"),
        ("-5", "-5"),
        ("1/2", "1/2"),
        ("(** x 1/2)", "(** x 1/2)"),
        ("(+ a (* b c))", "(+ a (* b c))"),
    ],
)
def test_parse(text: str, expected: str) -> None:
    assert str(symdiff.parse(text)) == expected


@pytest.mark.parametrize("text", ["(+ x", "", "x y", ")"])
def test_parse_invalid_syntax(text: str) -> None:
    with pytest.raises(ReadError):
        symdiff.parse(text)


@pytest.mark.parametrize(
    ("text", "notation", "position"),
    [
        ("(+ x 1) (+ y 2)", "auto", "<expression>:1:9"),
        ("(+ x 1)\n  y", "auto", "<expression>:2:3"),
        ("x (+ y 1)", "auto", "<expression>:1:3"),
        ("x y", "prefix", "<expression>:1:3"),
    ],
)
def test_parse_several_expressions(text: str, notation: str, position: str) -> None:
    with pytest.raises(ReadError) as caught:
        symdiff.parse(text, notation)
    assert str(caught.value.position) == position
    assert caught.value.message.startswith("expected one expression, but the text has 2 and the second starts here")


@pytest.mark.parametrize(("text", "message"), [("2 x", "write 2*x"), ("sin(x) (y)", "write sin(x)*(...)")])
def test_parse_infix_juxtaposition_message(text: str, message: str) -> None:
    with pytest.raises(ReadError) as caught:
        symdiff.parse(text)
    assert caught.value.message == f"implicit multiplication is not supported: {message}"


@pytest.mark.parametrize("text", ["#t", '"s"', "(a . b)", "#(1 2)"])
def test_parse_not_algebraic(text: str) -> None:
    with pytest.raises(SchemeError):
        symdiff.parse(text)


def test_expression_equal() -> None:
    assert symdiff.parse("(* x y)") == symdiff.parse("(*  x\n y)")


def test_expression_hash_equal() -> None:
    assert hash(symdiff.parse("(* x y)")) == hash(symdiff.parse("(*  x\n y)"))


@pytest.mark.parametrize(
    ("left", "right"),
    [("(* x y)", "(* y x)"), ("1", "1.0"), ("x", "X"), ("(+ x 1)", "(+ x 1 0)")],
)
def test_expression_not_equal(left: str, right: str) -> None:
    assert symdiff.parse(left) != symdiff.parse(right)


def test_expression_not_equal_to_text() -> None:
    assert symdiff.parse("(* x y)") != "(* x y)"


def test_expression_as_dict_key() -> None:
    table = {symdiff.parse("(* x y)"): "product"}
    assert table[symdiff.deriv("(* (* x y) z)", "z")] == "product"


def test_expression_set() -> None:
    derivatives = {symdiff.deriv(text, "x") for text in ["(* x y)", "(* y x)", "(+ y (* x y))"]}
    assert derivatives == {symdiff.parse("y")}


def test_deriv_equals_parsed() -> None:
    assert symdiff.deriv("(* (* x y) (+ x 3))", "x") == symdiff.parse("(+ (* x y) (* y (+ x 3)))")


def test_expression_equal_after_clear_cache() -> None:
    before = symdiff.parse("(* x y)")
    symdiff.clear_cache()
    assert before == symdiff.parse("(* x y)")


def test_deriv_after_clear_cache() -> None:
    symdiff.clear_cache()
    assert str(symdiff.deriv("(* (* x y) (+ x 3))", "x")) == "(+ (* x y) (* y (+ x 3)))"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("x", 1), ("5", 1), ("(* x y)", 4), ("(* (* x y) (+ x 3))", 10), ("(f)", 2)],
)
def test_node_count(text: str, expected: int) -> None:
    assert symdiff.parse(text, notation="prefix").node_count() == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("x^2", "(** x 2)"),
        ("(x + 1)^2", "(** (+ x 1) 2)"),
        ("(x)", "x"),
        ("(* x y)", "(* x y)"),
        ("(- x -1)", "(- x -1)"),
        ("(+ x -2)", "(+ x -2)"),
        ("(sin x)", "(sin x)"),
        ("sin(x)", "(sin x)"),
        ("-5", "-5"),
        ("1/2", "1/2"),
    ],
)
def test_parse_auto_notation(text: str, expected: str) -> None:
    assert str(symdiff.parse(text)) == expected


def test_deriv_auto_notation_rejects_juxtaposition() -> None:
    with pytest.raises(symdiff.ReadError):
        symdiff.deriv("2x", "x")


def test_to_datum() -> None:
    datum = symdiff.deriv("(* (* x y) (+ x 3))", "x").to_datum()
    assert type(datum) is Pair
    assert write_string(datum) == "(+ (* x y) (* y (+ x 3)))"


def test_to_datum_atom() -> None:
    assert symdiff.deriv("(* x y)", "x").to_datum() is Symbol("y")


def test_to_datum_fresh_pairs() -> None:
    expression = symdiff.parse("(* x y)")
    first = expression.to_datum()
    first.car = Symbol("+")
    assert str(expression) == "(* x y)"


# --- shared and deep expressions ---------------------------------------------------------------


def shared_chain(levels: int) -> Any:
    """Build e(levels) from Pairs, where e(0) = x and e(k+1) = (* e(k) (** e(k) 2))."""
    expression: Any = Symbol("x")
    for _ in range(levels):
        expression = make_list([Symbol("*"), expression, make_list([Symbol("**"), expression, 2])])
    return expression


def test_shared_chain_is_fast() -> None:
    start = time.perf_counter()
    result = symdiff.deriv(shared_chain(300), "x")
    elapsed = time.perf_counter() - start
    assert result.node_count() > 2**300
    assert elapsed < 10.0


def test_shared_chain_matches_unshared() -> None:
    shared = shared_chain(5)
    unshared = symdiff.parse(write_string(shared))
    assert symdiff.deriv(shared, "x") == symdiff.deriv(unshared, "x")


def test_deep_power_chain() -> None:
    # d/dx of e(n) = (** e(n-1) 2) is (* (* 2 e(n-1)) d(n-1)) with d(1) = (* 2 x); its tree
    # has 3n^2/2 + 9n/2 - 2 nodes.
    levels = 30_000
    expression: Any = Symbol("x")
    for _ in range(levels):
        expression = Pair(Symbol("**"), Pair(expression, Pair(2, NIL)))
    result = symdiff.deriv(expression, "x")
    assert result.node_count() == (3 * levels * levels + 9 * levels) // 2 - 2


def test_deep_power_chain_small() -> None:
    assert str(symdiff.deriv("(** (** x 2) 2)", "x")) == "(* (* 2 (** x 2)) (* 2 x))"


def test_deep_parse() -> None:
    text = "(+ x " * 10_000 + "1" + ")" * 10_000
    node_count = symdiff.parse(text).node_count()
    assert node_count == 3 * 10_000 + 1


# --- evaluate and Interpreter ------------------------------------------------------------------


def test_evaluate_deriv() -> None:
    assert symdiff.evaluate("(deriv '(* x y) 'x)") is Symbol("y")


def test_evaluate_returns_pairs() -> None:
    value = symdiff.evaluate("'(1 . 2)")
    assert type(value) is Pair
    assert (value.car, value.cdr) == (1, 2)


def test_evaluate_returns_fraction() -> None:
    assert symdiff.evaluate("(/ 1 3)") == Fraction(1, 3)


def test_evaluate_source_name() -> None:
    with pytest.raises(SchemeError) as caught:
        symdiff.evaluate("\n(car 1)", "named.scm")
    assert str(caught.value) == "named.scm:2:1: error: car: expected a pair, got 1"


def test_interpreter_keeps_definitions() -> None:
    interpreter = symdiff.Interpreter()
    interpreter.eval("(define (square x) (* x x))")
    assert interpreter.eval("(square 12)") == 144


def test_interpreter_run_on_value() -> None:
    printed: list[str] = []
    source = "(define e '(* x y)) (deriv e 'x) (deriv e 'y)"
    symdiff.Interpreter().run(source, "prog.scm", lambda value: printed.append(write_string(value)))
    assert printed == ["y", "x"]


def test_version() -> None:
    assert isinstance(symdiff.__version__, str)


def test_gradient_rejects_a_string_of_variables() -> None:
    with pytest.raises(symdiff.DerivError, match="list of names"):
        symdiff.gradient("x*y", "xy")
    assert [str(part) for part in symdiff.gradient("x*y", ["x", "y"])] == ["y", "x"]


def test_evaluate_overflow_is_scheme_error() -> None:
    with pytest.raises(symdiff.SchemeError, match="too large"):
        symdiff.parse("x^2 + y").evaluate(x=10**400, y=0.5)


def test_evaluate_accepts_numpy_numbers() -> None:
    numpy = pytest.importorskip("numpy")
    value = symdiff.parse("x^2 + y").evaluate(x=numpy.float64(1.5), y=numpy.int64(2))
    assert value == 4.25
    assert type(value) is float
    assert symdiff.parse("x*y").evaluate(x=numpy.int64(3), y=2) == 6


def test_evaluate_rejects_bool_and_odd_names() -> None:
    expr = symdiff.parse("x + 1")
    with pytest.raises(TypeError, match="must be an int, float or Fraction"):
        expr.evaluate(x=True)
    with pytest.raises(TypeError, match="variable name must be a string"):
        expr.evaluate({1: 2})


def test_expression_attributes_cannot_change():
    result = symdiff.deriv("x^2", "x")
    with pytest.raises(AttributeError, match="immutable"):
        result.value = 3
    with pytest.raises(AttributeError, match="immutable"):
        del result.value
    with pytest.raises(AttributeError, match="immutable"):
        result.extra = 1
    assert str(result) == "(* 2 x)"


def test_expression_copies_are_itself():
    import copy

    result = symdiff.deriv("x^2", "x")
    assert copy.copy(result) is result
    assert copy.deepcopy([result])[0] is result


def test_error_without_position_is_its_message():
    with pytest.raises(DerivError) as caught:
        symdiff.deriv("x", "x", order=-1)
    assert str(caught.value) == "deriv: the order must be a non-negative integer, got -1"


def _tree_nodes(datum) -> int:
    """Count nodes by walking the written-out tree: each list and each atom is one."""
    if type(datum) is not Pair:
        return 1
    return 1 + sum(_tree_nodes(item) for item in datum)


@settings(max_examples=200, deadline=None)
@given(expressions)
def test_node_count_and_to_datum_agree_with_tree(text) -> None:
    from symdiff.calculus.convert import from_datum, node_count, to_datum

    exprs = [symdiff.parse(text).value]
    try:
        exprs.append(symdiff.deriv(text, "x").value)  # shares subexpressions more
    except DerivError:
        pass  # such as a quotient by 0
    for expr in exprs:
        datum = to_datum(expr)
        assert node_count(expr) == _tree_nodes(datum)
        assert from_datum(datum) is expr


def test_to_datum_shares_pairs_of_shared_cells() -> None:
    from symdiff.calculus.convert import to_datum
    from symdiff.calculus.expr import compound

    inner = compound(Symbol("sin"), Symbol("x"))
    datum = to_datum(compound(Symbol("+"), inner, compound(Symbol("*"), inner, inner)))
    first, product = datum.cdr.car, datum.cdr.cdr.car
    assert product.cdr.car is first
    assert product.cdr.cdr.car is first


def test_from_datum_keeps_shared_sublists_shared() -> None:
    from symdiff.calculus.convert import from_datum

    shared = make_list([Symbol("sin"), Symbol("x")])
    tail = make_list([shared])
    datum = Pair(Symbol("+"), Pair(shared, tail))  # (+ s s), sharing both the list and a tail
    expr = from_datum(datum)
    assert str(Expression(expr)) == "(+ (sin x) (sin x))"
    assert expr.tail.head is expr.tail.tail.head
