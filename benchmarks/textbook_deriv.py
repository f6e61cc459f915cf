"""SICP's deriv (section 2.3.2, exercises 2.56 and 2.57) ported to plain recursive Python.

Expressions are nested tuples in prefix form, ("*", "x", ("sin", "x")), with variables as
strings and numbers as ints or floats. The port follows the book: one recursive call per
operand, the simplifying constructors, and addend/augend selectors. Python tuples have no O(1)
cdr, so the augend of an n-ary sum (and the multiplicand of an n-ary product) is a slice copy,
which makes a sum or product of N terms cost O(N^2). The rules match textbook_deriv.scm.
"""

from __future__ import annotations

import re
from typing import Any

Expr = Any


def deriv(exp: Expr, var: str) -> Expr:
    """Differentiate `exp` with respect to the variable `var`."""
    if is_number(exp):
        return 0
    if is_variable(exp):
        return 1 if exp == var else 0
    operator = exp[0]
    if operator == "+":
        return make_sum(deriv(addend(exp), var), deriv(augend(exp), var))
    if operator == "-":
        if len(exp) == 2:
            return make_negation(deriv(exp[1], var))
        return make_difference(deriv(exp[1], var), deriv(exp[2], var))
    if operator == "*":
        return make_sum(
            make_product(multiplier(exp), deriv(multiplicand(exp), var)),
            make_product(deriv(multiplier(exp), var), multiplicand(exp)),
        )
    if operator == "**" and is_number(exp[2]):
        base, exponent = exp[1], exp[2]
        return make_product(make_product(exponent, make_exponentiation(base, exponent - 1)), deriv(base, var))
    if len(exp) == 2:
        argument = exp[1]
        if operator == "sin":
            return make_product(("cos", argument), deriv(argument, var))
        if operator == "cos":
            return make_product(make_negation(("sin", argument)), deriv(argument, var))
        if operator == "exp":
            return make_product(("exp", argument), deriv(argument, var))
        if operator == "sigmoid":
            return make_product(make_product(exp, make_difference(1, exp)), deriv(argument, var))
    raise ValueError(f"unknown expression type: {to_text(exp)}")


def nth_deriv(exp: Expr, var: str, order: int) -> Expr:
    """Apply deriv `order` times, with no simplification in between."""
    for _ in range(order):
        exp = deriv(exp, var)
    return exp


def is_number(x: Expr) -> bool:
    return type(x) is int or type(x) is float


def is_variable(x: Expr) -> bool:
    return type(x) is str


def addend(s: tuple) -> Expr:
    return s[1]


def augend(s: tuple) -> Expr:
    return s[2] if len(s) == 3 else ("+",) + s[2:]


def multiplier(p: tuple) -> Expr:
    return p[1]


def multiplicand(p: tuple) -> Expr:
    return p[2] if len(p) == 3 else ("*",) + p[2:]


def equals_number(x: Expr, number: int) -> bool:
    return is_number(x) and x == number


def make_sum(a1: Expr, a2: Expr) -> Expr:
    if equals_number(a1, 0):
        return a2
    if equals_number(a2, 0):
        return a1
    if is_number(a1) and is_number(a2):
        return a1 + a2
    return ("+", a1, a2)


def make_product(m1: Expr, m2: Expr) -> Expr:
    if equals_number(m1, 0) or equals_number(m2, 0):
        return 0
    if equals_number(m1, 1):
        return m2
    if equals_number(m2, 1):
        return m1
    if is_number(m1) and is_number(m2):
        return m1 * m2
    return ("*", m1, m2)


def make_negation(a: Expr) -> Expr:
    return -a if is_number(a) else ("-", a)


def make_difference(a1: Expr, a2: Expr) -> Expr:
    if equals_number(a2, 0):
        return a1
    if equals_number(a1, 0):
        return make_negation(a2)
    if is_number(a1) and is_number(a2):
        return a1 - a2
    return ("-", a1, a2)


def make_exponentiation(b: Expr, e: Expr) -> Expr:
    if equals_number(e, 0):
        return 1
    if equals_number(e, 1):
        return b
    if is_number(b) and is_number(e):
        return b**e
    return ("**", b, e)


_TOKEN = re.compile(r"[()]|[^\s()]+")


def parse(text: str) -> Expr:
    """Read one prefix s-expression into nested tuples, iteratively."""
    stack: list[list] = [[]]
    for token in _TOKEN.findall(text):
        if token == "(":
            stack.append([])
        elif token == ")":
            items = stack.pop()
            stack[-1].append(tuple(items))
        else:
            stack[-1].append(_atom(token))
    (result,) = stack[0]
    return result


def _atom(token: str) -> Expr:
    try:
        return int(token)
    except ValueError:
        pass
    try:
        return float(token)
    except ValueError:
        return token


def to_text(exp: Expr) -> str:
    """Return `exp` written as an s-expression, built recursively."""
    if type(exp) is tuple:
        return "(" + " ".join(to_text(item) for item in exp) + ")"
    return str(exp)
