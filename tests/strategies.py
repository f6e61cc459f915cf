"""Hypothesis strategies for random symdiff expressions, shared by the property tests.

An expression is drawn as prefix text such as "(* (sin x) (+ y 1/2))", built from every
operator that has a built-in derivative rule, the variables x and y, and small exact and
float constants. Trees stay small (at most MAX_LEAVES leaves), so that SymPy can
differentiate them quickly and numeric checks stay well conditioned.
"""

from __future__ import annotations

from fractions import Fraction

from hypothesis import strategies as st

from symdiff.numbers import format_number

VARIABLES = ("x", "y")

# Operators of one operand, each with a built-in derivative rule. log and atan also take
# two operands.
UNARY_FUNCTIONS = (
    "sqrt", "exp", "log", "sin", "cos", "tan", "sec", "csc", "cot", "asin", "acos", "atan",
    "sinh", "cosh", "tanh", "abs", "sign", "sigmoid",
)

# Every operator the generated expressions use; test_rules.py checks that this is the full
# list of built-in rules.
OPERATORS = ("+", "-", "*", "/", "**", "expt") + UNARY_FUNCTIONS

MAX_LEAVES = 7

EXACT_CONSTANTS = [Fraction(1, 2), Fraction(-1, 3), Fraction(3, 2), Fraction(2, 5)]
FLOAT_CONSTANTS = [0.5, -1.5, 2.25, 0.1]
# Exponents of a power, most of them constant so that powers of negative bases stay real.
EXACT_EXPONENTS = [Fraction(1, 2), Fraction(1, 3), Fraction(3, 2), Fraction(-1, 2)]
FLOAT_EXPONENTS = [2.0, 0.5]


def format_atom(atom: object) -> str:
    """Return the Scheme text of a variable name or a number."""
    return atom if isinstance(atom, str) else format_number(atom)


def compound(operator: str, *operands: str) -> str:
    return "(" + " ".join((operator,) + operands) + ")"


def _constants(exact_only: bool) -> st.SearchStrategy[str]:
    numbers = st.one_of(st.integers(min_value=-3, max_value=3), st.sampled_from(EXACT_CONSTANTS))
    if not exact_only:
        numbers = st.one_of(numbers, st.sampled_from(FLOAT_CONSTANTS))
    return numbers.map(format_atom)


def _exponents(exact_only: bool) -> st.SearchStrategy[str]:
    numbers = st.one_of(st.integers(min_value=-3, max_value=4), st.sampled_from(EXACT_EXPONENTS))
    if not exact_only:
        numbers = st.one_of(numbers, st.sampled_from(FLOAT_EXPONENTS))
    return numbers.map(format_atom)


def _leaves(exact_only: bool) -> st.SearchStrategy[str]:
    # Variables are drawn twice as often as constants.
    return st.one_of(st.sampled_from(VARIABLES), st.sampled_from(VARIABLES), _constants(exact_only))


def _node(children: st.SearchStrategy[str], exact_only: bool) -> st.SearchStrategy[str]:
    """Build one operator node over `children`, with every arity the rules accept."""
    exponent = st.one_of(_exponents(exact_only), children)
    return st.one_of(
        st.builds(compound, st.sampled_from(UNARY_FUNCTIONS), children),
        st.builds(compound, st.sampled_from(["+", "*"]), children, children),
        st.builds(compound, st.sampled_from(["+", "*", "-", "/"]), children, children, children),
        st.builds(compound, st.sampled_from(["-", "/"]), children, children),
        st.builds(compound, st.sampled_from(["-", "/"]), children),
        st.builds(compound, st.sampled_from(["**", "expt"]), children, exponent),
        st.builds(compound, st.just("log"), children, children),
        st.builds(compound, st.just("atan"), children, children),
    )


def expression_trees(max_leaves: int = MAX_LEAVES, exact_only: bool = False) -> st.SearchStrategy[str]:
    """Draw expression text; with exact_only, every constant is an integer or a ratio."""
    return st.recursive(_leaves(exact_only), lambda children: _node(children, exact_only), max_leaves=max_leaves)


expressions = expression_trees()
exact_expressions = expression_trees(exact_only=True)
# Operands inside a one-operator expression, kept smaller than `expressions`.
operands = expression_trees(max_leaves=3)


def applications(operator: str) -> st.SearchStrategy[str]:
    """Draw expressions with `operator` at the root, in every arity its rule accepts."""
    if operator in ("log", "atan"):
        arities = [1, 2]
    elif operator in UNARY_FUNCTIONS:
        arities = [1]
    elif operator in ("**", "expt"):
        arities = [2]
    elif operator in ("-", "/"):
        arities = [1, 2, 3]
    else:
        arities = [2, 3]
    return st.sampled_from(arities).flatmap(
        lambda arity: st.lists(operands, min_size=arity, max_size=arity).map(lambda parts: compound(operator, *parts))
    )


# Exponents whose combination is sound only for some signs of the base.
sensitive_exponents = st.sampled_from(["2", "3", "-2", "1/2", "1/3", "3/2", "-1/2", "2/3", "2.0", "0.5"])


def _rewrite_target(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """Shapes that tempt a simplifier into unsound rewrites, such as (sqrt (** u 2)) -> u."""
    a, b = sensitive_exponents, sensitive_exponents
    return st.one_of(
        st.builds(lambda u, p, q: compound("**", compound("**", u, p), q), children, a, b),
        st.builds(lambda u, v, p: compound("**", compound("*", u, v), p), children, children, a),
        st.builds(lambda u, p, q: compound("*", compound("**", u, p), compound("**", u, q)), children, a, b),
        st.builds(lambda u, p, q: compound("/", compound("**", u, p), compound("**", u, q)), children, a, b),
        st.builds(lambda u, p: compound("sqrt", compound("**", u, p)), children, a),
        st.builds(lambda u, p: compound("**", compound("sqrt", u), p), children, a),
        st.builds(lambda u: compound("exp", compound("log", u)), children),
        st.builds(lambda u: compound("log", compound("exp", u)), children),
        st.builds(lambda u, v: compound("/", u, v), children, children),
        st.builds(lambda u, v: compound("-", u, v), children, children),
        st.builds(lambda u, f: compound(f, compound(f, u)), children, st.sampled_from(UNARY_FUNCTIONS)),
    )


# Expressions built mostly from the shapes above, over operands that are mostly variables.
rewrite_targets = st.recursive(
    st.one_of(st.sampled_from(VARIABLES), _leaves(exact_only=False)),
    lambda children: st.one_of(_rewrite_target(children), _rewrite_target(children), _node(children, False)),
    max_leaves=5,
)

# Points at which to evaluate: floats for numeric calculus, exact rationals for folding.
# Coordinates below 1e-3 in magnitude (other than 0) are left out: at y = 1e-70, (sin (/ y))
# takes the sine of 1e70, which no double evaluation gets right.
float_coordinates = st.floats(min_value=-3.0, max_value=3.0, allow_nan=False, allow_infinity=False).filter(
    lambda value: value == 0 or abs(value) >= 1e-3
)
exact_coordinates = st.fractions(min_value=-3, max_value=3, max_denominator=8)
coordinates = st.one_of(float_coordinates, exact_coordinates)


def points(coordinate: st.SearchStrategy = float_coordinates, count: int = 4) -> st.SearchStrategy[list[dict]]:
    """Draw `count` points, each a dict {"x": value, "y": value}."""
    point = st.fixed_dictionaries({name: coordinate for name in VARIABLES})
    return st.lists(point, min_size=count, max_size=count)
