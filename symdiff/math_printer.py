"""Infix text and LaTeX renderings of prefix expressions, with minimal parentheses.

Both renderers work bottom-up on an explicit stack and join the text once at the end, so
deep expressions print in linear time without Python recursion.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any, Callable

from .errors import EvaluationError
from .numbers import format_number
from .printer import check_printable, write_string
from .types import NIL, Pair, Symbol, is_number, list_to_python

# Binding strength: higher binds tighter.
SUM, PRODUCT, NEGATION, POWER, ATOM = 1, 2, 3, 4, 5

# A rendering is a nested tuple of strings (joined at the end) and its binding strength.
Rendering = tuple[Any, int]


def _flatten(parts: Any) -> str:
    out: list[str] = []
    stack = [parts]
    while stack:
        item = stack.pop()
        if type(item) is str:
            out.append(item)
        else:
            stack.extend(reversed(item))
    return "".join(out)


def _render(expr: Any, atom: Callable[[Any], Rendering], compound: Callable[[Symbol, list[Rendering], list[Any]], Rendering]) -> str:
    """Render bottom-up: `compound(operator, operand renderings, operands)` for each list."""
    if type(expr) is not Pair:
        return _flatten(atom(expr)[0])
    check_printable(expr)  # a shared DAG can stand for a tree too large to write out
    done: dict[int, Rendering] = {}
    stack = [expr]
    while stack:
        item = stack[-1]
        if id(item) in done:
            stack.pop()
            continue
        operands = list_to_python(item.cdr)
        if operands is None:
            done[id(item)] = (write_string(item), ATOM)
            stack.pop()
            continue
        pending = [operand for operand in operands if type(operand) is Pair and id(operand) not in done]
        if pending:
            stack.extend(pending)
            continue
        stack.pop()
        renderings = [done[id(operand)] if type(operand) is Pair else atom(operand) for operand in operands]
        operator = item.car
        if type(operator) is not Symbol:
            done[id(item)] = (write_string(item), ATOM)
        else:
            done[id(item)] = compound(operator, renderings, operands)
    return _flatten(done[id(expr)][0])


def _wrap(rendering: Rendering, minimum: int, open_: str = "(", close: str = ")") -> Any:
    parts, strength = rendering
    return (open_, parts, close) if strength < minimum else parts


def _join(separator: str, items: list[Any]) -> tuple:
    parts: list[Any] = []
    for index, item in enumerate(items):
        if index:
            parts.append(separator)
        parts.append(item)
    return tuple(parts)


# --- infix text ----------------------------------------------------------------------------


def _infix_atom(value: Any) -> Rendering:
    if type(value) is Symbol:
        return value.name, ATOM
    if type(value) is float and not math.isfinite(value):
        # The infix reader has no syntax for these, so printed text could not be read back.
        raise EvaluationError(
            f"{format_number(value)} has no infix form, so this expression cannot be written as infix text: "
            "write it in prefix notation instead"
        )
    if is_number(value):
        text = format_number(value)
        if type(value) is Fraction:
            return text, PRODUCT  # 1/2 reads as a quotient
        if text.startswith("-"):
            return text, NEGATION
        return text, ATOM
    return write_string(value), ATOM


def _infix_compound(operator: Symbol, operands: list[Rendering], raw: list[Any]) -> Rendering:
    name = operator.name
    count = len(operands)
    # Operands right of an operator are wrapped unless they bind tighter than it, so that the
    # text reads back with the same grouping. Negative operands are always wrapped there.
    if name == "+" and count >= 2:
        rest = [_wrap(o, POWER if o[1] == NEGATION else PRODUCT) for o in operands[1:]]
        return _join(" + ", [_wrap(operands[0], SUM)] + rest), SUM
    if name == "-" and count == 1:
        return ("-", _wrap(operands[0], POWER)), NEGATION
    if name == "-" and count >= 2:
        rest = [_wrap(o, POWER if o[1] == NEGATION else PRODUCT) for o in operands[1:]]
        return _join(" - ", [_wrap(operands[0], SUM)] + rest), SUM
    if name == "*" and count >= 2:
        return _join("*", [_wrap(operands[0], PRODUCT)] + [_wrap(o, POWER) for o in operands[1:]]), PRODUCT
    if name == "/" and count == 1:
        return ("1/", _wrap(operands[0], POWER)), PRODUCT
    if name == "/" and count >= 2:
        return _join("/", [_wrap(operands[0], PRODUCT)] + [_wrap(o, POWER) for o in operands[1:]]), PRODUCT
    if name in ("**", "expt", "^") and count == 2:
        return (_wrap(operands[0], ATOM), "^", _wrap(operands[1], POWER)), POWER
    return (name, "(", _join(", ", [o[0] for o in operands]), ")"), ATOM


def to_infix(expr: Any) -> str:
    """Render a prefix expression as infix text: (+ (** x 2) (* 3 x)) -> "x^2 + 3*x"."""
    return _render(expr, _infix_atom, _infix_compound)


# --- LaTeX -----------------------------------------------------------------------------------

GREEK = {
    "alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa",
    "lambda", "mu", "nu", "xi", "pi", "rho", "sigma", "tau", "upsilon", "phi", "chi", "psi",
    "omega", "Gamma", "Delta", "Theta", "Lambda", "Xi", "Pi", "Sigma", "Phi", "Psi", "Omega",
}

LATEX_FUNCTIONS = {
    "sin": r"\sin", "cos": r"\cos", "tan": r"\tan", "sec": r"\sec", "csc": r"\csc", "cot": r"\cot",
    "asin": r"\arcsin", "acos": r"\arccos", "atan": r"\arctan", "sinh": r"\sinh", "cosh": r"\cosh",
    "tanh": r"\tanh", "log": r"\ln", "sigmoid": r"\sigma", "sign": r"\operatorname{sgn}",
}


def _latex_symbol(name: str) -> str:
    if name in GREEK:
        return "\\" + name
    if len(name) == 1:
        return name
    if "_" in name:
        head, _, tail = name.partition("_")
        return f"{_latex_symbol(head)}_{{{_latex_symbol(tail)}}}"
    return rf"\mathrm{{{name}}}"


def _latex_atom(value: Any) -> Rendering:
    if type(value) is Symbol:
        return _latex_symbol(value.name), ATOM
    if type(value) is Fraction:
        # A fraction binds like a power: it needs brackets only as the base of one.
        sign = "-" if value < 0 else ""
        return f"{sign}\\frac{{{abs(value.numerator)}}}{{{value.denominator}}}", POWER if not sign else NEGATION
    if type(value) is float and math.isnan(value):
        return r"\mathrm{NaN}", ATOM
    if is_number(value):
        text = format_number(value).replace("+inf.0", r"\infty").replace("-inf.0", r"-\infty")
        return text, NEGATION if text.startswith("-") else ATOM
    return write_string(value), ATOM


def _paren(rendering: Rendering, minimum: int) -> Any:
    return _wrap(rendering, minimum, r"\left(", r"\right)")


def _starts_with_digit(parts: Any) -> bool:
    while type(parts) is not str:
        if not parts:
            return False
        parts = parts[0]
    return bool(parts) and (parts[0].isdigit() or parts[0] == "-")


def _latex_compound(operator: Symbol, operands: list[Rendering], raw: list[Any]) -> Rendering:
    name = operator.name
    count = len(operands)
    if name == "+" and count >= 2:
        rest = [_paren(o, POWER if o[1] == NEGATION else PRODUCT) for o in operands[1:]]
        return _join(" + ", [_paren(operands[0], SUM)] + rest), SUM
    if name == "-" and count == 1:
        return ("-", _paren(operands[0], POWER if operands[0][1] == NEGATION else PRODUCT)), NEGATION
    if name == "-" and count >= 2:
        rest = [_paren(o, POWER if o[1] == NEGATION else PRODUCT) for o in operands[1:]]
        return _join(" - ", [_paren(operands[0], SUM)] + rest), SUM
    if name == "*" and count >= 2:
        parts: list[Any] = []
        for index, operand in enumerate(operands):
            factor = _paren(operand, PRODUCT if index == 0 else POWER)
            if index < count - 1 and _bare_function_call(raw[index]):
                # \sin x y would read as sin(x y): bracket the argument of a function that
                # another factor follows.
                factor = _latex_call(raw[index].car.name, [_latex_atom(raw[index].cdr.car)], bracketed=True)[0]
            if index:
                # Juxtapose factors, but keep \cdot before a number so 2 \cdot 3 is not read as 23.
                parts.append(r" \cdot " if _starts_with_digit(factor) else " ")
            parts.append(factor)
        return tuple(parts), PRODUCT
    if name == "/" and count == 1:
        return (r"\frac{1}{", operands[0][0], "}"), POWER
    if name == "/" and count >= 2:
        denominator = operands[1][0] if count == 2 else _join(" ", [_paren(o, POWER) for o in operands[1:]])
        return (r"\frac{", operands[0][0], "}{", denominator, "}"), POWER
    if name in ("**", "expt", "^") and count == 2:
        base = operands[0][0] if operands[0][1] == ATOM else (r"\left(", operands[0][0], r"\right)")
        return (base, "^{", operands[1][0], "}"), POWER
    if name == "sqrt" and count == 1:
        return (r"\sqrt{", operands[0][0], "}"), ATOM
    if name == "exp" and count == 1:
        return ("e^{", operands[0][0], "}"), POWER
    if name == "abs" and count == 1:
        return (r"\left|", operands[0][0], r"\right|"), ATOM
    if name == "log" and count == 2:
        return (r"\log_{", operands[1][0], "}", _function_argument(operands[0], raw[0])), POWER
    return _latex_call(name, operands, bracketed=False, raw=raw)


def _bare_function_call(datum: Any) -> bool:
    """Return True for (f u) rendered as \f u, with u a symbol or number and no brackets."""
    return (
        type(datum) is Pair
        and type(datum.car) is Symbol
        and datum.car.name in LATEX_FUNCTIONS
        and type(datum.cdr) is Pair
        and datum.cdr.cdr is NIL
        and type(datum.cdr.car) is not Pair
    )


def _latex_call(name: str, operands: list[Rendering], bracketed: bool, raw: list[Any] | None = None) -> Rendering:
    command = LATEX_FUNCTIONS.get(name, rf"\operatorname{{{name}}}")
    if len(operands) == 1 and not bracketed and raw is not None:
        return (command, _function_argument(operands[0], raw[0])), POWER
    return (command, r"\left(", _join(", ", [o[0] for o in operands]), r"\right)"), ATOM


def _function_argument(rendering: Rendering, raw: Any) -> Any:
    # A bare symbol or number needs no parentheses: \sin x.
    if type(raw) is not Pair and rendering[1] == ATOM:
        return (" ", rendering[0])
    return (r"\left(", rendering[0], r"\right)")


def to_latex(expr: Any) -> str:
    r"""Render a prefix expression as LaTeX: (/ 1 (** x 2)) -> "\frac{1}{x^{2}}"."""
    return _render(expr, _latex_atom, _latex_compound)

