"""The built-in derivative rules, written with the constructors in SICP's style.

Every chain rule builds make_product(outer derivative, inner derivative): the outer derivative
first, the inner one last, as the power rule of SICP exercise 2.56 does.
"""

from __future__ import annotations

from typing import Any, Callable

from ..errors import DerivError
from ..printer import write_string
from ..types import NIL, Symbol
from .constructors import DIVIDE, MINUS, PLUS, POWER, TIMES, SicpConstructors, is_number
from .convert import to_datum
from .expr import cell, replace_symbols
from .rulekit import BuiltinRule, Context, RuleGenerator, operand_list, require_operands, rest_as_expression

EXPT = Symbol("expt")
SQRT = Symbol("sqrt")
EXP = Symbol("exp")
LOG = Symbol("log")
SIN = Symbol("sin")
COS = Symbol("cos")
TAN = Symbol("tan")
SEC = Symbol("sec")
CSC = Symbol("csc")
COT = Symbol("cot")
ASIN = Symbol("asin")
ACOS = Symbol("acos")
ATAN = Symbol("atan")
SINH = Symbol("sinh")
COSH = Symbol("cosh")
TANH = Symbol("tanh")
ABS = Symbol("abs")
SIGN = Symbol("sign")
SIGMOID = Symbol("sigmoid")


def sum_rule(operands: Any, var: Symbol, context: Context) -> RuleGenerator:
    """d(u + v) = du + dv, with (+ a b c ...) split into a and (+ b c ...)."""
    if operands is NIL:
        return 0
    if operands.tail is NIL:
        return (yield operands.head)
    d_addend = yield operands.head
    d_augend = yield rest_as_expression(PLUS, operands)
    return context.constructors.make_sum(d_addend, d_augend)


def product_rule(operands: Any, var: Symbol, context: Context) -> RuleGenerator:
    """d(u v) = u dv + du v, with (* a b c ...) split into a and (* b c ...)."""
    if operands is NIL:
        return 0
    if operands.tail is NIL:
        return (yield operands.head)
    make = context.constructors
    multiplier = operands.head
    multiplicand = rest_as_expression(TIMES, operands)
    d_multiplier = yield multiplier
    d_multiplicand = yield multiplicand
    return make.make_sum(make.make_product(multiplier, d_multiplicand), make.make_product(d_multiplier, multiplicand))


def difference_rule(operands: Any, var: Symbol, context: Context) -> RuleGenerator:
    """d(-u) = -du; d(u - v - w ...) = du - d(+ v w ...)."""
    items = operand_list(operands)
    if not items:
        raise DerivError("deriv: - expects at least one operand, got (-)")
    make = context.constructors
    if len(items) == 1:
        return make.make_negation((yield items[0]))
    d_minuend = yield items[0]
    d_subtrahend = yield rest_as_expression(PLUS, operands)
    return make.make_difference(d_minuend, d_subtrahend)


def quotient_rule(operands: Any, var: Symbol, context: Context) -> RuleGenerator:
    """d(1/v) = -1/v^2 dv; d(u/v) = (du v - u dv) / v^2, with (/ a b c ...) as a / (* b c ...)."""
    items = operand_list(operands)
    if not items:
        raise DerivError("deriv: / expects at least one operand, got (/)")
    for divisor in items[1:] if len(items) > 1 else items:
        if is_number(divisor) and divisor == 0:
            # Every form of the derivative would divide by zero, and the constructors would
            # fold it to a number or a quotient such as (/ 0 0).
            raise DerivError(f"deriv: division by zero in {_text(DIVIDE, operands)}; the quotient is undefined at every point")
    make = context.constructors
    if len(items) == 1:
        v = items[0]
        outer = make.make_negation(make.make_quotient(1, make.make_power(v, 2)))
        return make.make_product(outer, (yield v))
    u = items[0]
    v = rest_as_expression(TIMES, operands)
    du = yield u
    dv = yield v
    if dv == 0 and type(dv) is int and make.level != "none":
        return make.make_quotient(du, v)
    numerator = make.make_difference(make.make_product(du, v), make.make_product(u, dv))
    return make.make_quotient(numerator, make.make_power(v, 2))


def power_rule(operator: Symbol) -> BuiltinRule:
    """Return the rule for (operator u v), the power u^v.

    With v free of the variable: d(u^v) = v u^(v-1) du (SICP exercise 2.56).
    With u free of it: d(u^v) = u^v log(u) dv, and 0 for the number u = 0.
    Otherwise: d(u^v) = u^v (dv log(u) + v du / u).
    """

    def rule(operands: Any, var: Symbol, context: Context) -> RuleGenerator:
        base, exponent = require_operands(operator, operands, 2, "a base and an exponent")
        make = context.constructors
        if not context.depends_on(exponent, var):
            d_base = yield base
            return make.make_product(
                make.make_product(exponent, make.make_power(base, make.make_sum(exponent, -1), operator)), d_base
            )
        power = cell(operator, operands)
        if not context.depends_on(base, var):
            d_exponent = yield exponent
            if is_number(base) and base == 0:
                # 0^v is 0 where v > 0 and has no value where v < 0, so its derivative is 0
                # wherever one exists, as back propagation gives for v > 0. The general form
                # 0^v log(0) dv would have no value at any point.
                return 0
            return make.make_product(make.make_product(power, make.make_call(LOG, base)), d_exponent)
        d_exponent = yield exponent
        d_base = yield base
        inner = make.make_sum(
            make.make_product(d_exponent, make.make_call(LOG, base)),
            make.make_quotient(make.make_product(exponent, d_base), base),
        )
        return make.make_product(power, inner)

    rule.rule_name = f"power rule ({operator.name})"  # type: ignore[attr-defined]
    return rule


def log_rule(operands: Any, var: Symbol, context: Context) -> RuleGenerator:
    """d(log u) = (1/u) du; d(log u b) = d(log(u) / log(b)) for the logarithm of u to base b."""
    items = operand_list(operands)
    make = context.constructors
    if len(items) == 1:
        u = items[0]
        return make.make_product(make.make_quotient(1, u), (yield u))
    if len(items) != 2:
        raise DerivError(f"deriv: log expects an argument and an optional base, got {_text(LOG, operands)}")
    u, b = items
    if not context.depends_on(b, var):
        outer = make.make_quotient(1, make.make_product(u, make.make_call(LOG, b)))
        return make.make_product(outer, (yield u))
    du = yield u
    db = yield b
    log_u, log_b = make.make_call(LOG, u), make.make_call(LOG, b)
    numerator = make.make_difference(
        make.make_product(make.make_quotient(du, u), log_b), make.make_product(log_u, make.make_quotient(db, b))
    )
    return make.make_quotient(numerator, make.make_power(log_b, 2))


def atan_rule(operands: Any, var: Symbol, context: Context) -> RuleGenerator:
    """d(atan u) = 1/(1 + u^2) du; d(atan y x) = (x dy - y dx) / (x^2 + y^2)."""
    items = operand_list(operands)
    make = context.constructors
    if len(items) == 1:
        u = items[0]
        outer = make.make_quotient(1, make.make_sum(1, make.make_power(u, 2)))
        return make.make_product(outer, (yield u))
    if len(items) != 2:
        raise DerivError(f"deriv: atan expects one or two operands, got {_text(ATAN, operands)}")
    y, x = items
    dy = yield y
    dx = yield x
    numerator = make.make_difference(make.make_product(x, dy), make.make_product(y, dx))
    return make.make_quotient(numerator, make.make_sum(make.make_power(x, 2), make.make_power(y, 2)))


# The derivative f'(u) of each one-argument function, built from u with the constructors.
OuterDerivative = Callable[[Any, SicpConstructors], Any]


def _sqrt(u: Any, make: SicpConstructors) -> Any:
    return make.make_quotient(1, make.make_product(2, make.make_call(SQRT, u)))


def _arcsine(u: Any, make: SicpConstructors) -> Any:
    return make.make_quotient(1, make.make_call(SQRT, make.make_difference(1, make.make_power(u, 2))))


def _sigmoid(u: Any, make: SicpConstructors) -> Any:
    # sigma'(u) = sigma(u) (1 - sigma(u)), the form a Caffe sigmoid layer's backward pass uses.
    sigma = make.make_call(SIGMOID, u)
    return make.make_product(sigma, make.make_difference(1, sigma))


OUTER_DERIVATIVES: dict[Symbol, OuterDerivative] = {
    SQRT: _sqrt,
    EXP: lambda u, make: make.make_call(EXP, u),
    SIN: lambda u, make: make.make_call(COS, u),
    COS: lambda u, make: make.make_negation(make.make_call(SIN, u)),
    TAN: lambda u, make: make.make_power(make.make_call(SEC, u), 2),
    SEC: lambda u, make: make.make_product(make.make_call(SEC, u), make.make_call(TAN, u)),
    CSC: lambda u, make: make.make_negation(make.make_product(make.make_call(CSC, u), make.make_call(COT, u))),
    COT: lambda u, make: make.make_negation(make.make_power(make.make_call(CSC, u), 2)),
    ASIN: _arcsine,
    ACOS: lambda u, make: make.make_negation(_arcsine(u, make)),
    SINH: lambda u, make: make.make_call(COSH, u),
    COSH: lambda u, make: make.make_call(SINH, u),
    TANH: lambda u, make: make.make_difference(1, make.make_power(make.make_call(TANH, u), 2)),
    ABS: lambda u, make: make.make_call(SIGN, u),
    # sign is constant on each side of 0, where it is not differentiable.
    SIGN: lambda u, make: 0,
    SIGMOID: _sigmoid,
}


def function_rule(function: Symbol, outer: OuterDerivative) -> BuiltinRule:
    """Return the chain rule d(f u) = f'(u) du for a one-argument function."""

    def rule(operands: Any, var: Symbol, context: Context) -> RuleGenerator:
        if operands is not NIL and operands.tail is NIL:
            u = operands.head
        else:
            (u,) = require_operands(function, operands, 1, "one operand")
        make = context.constructors
        outer_derivative = outer(u, make)
        return make.make_product(outer_derivative, (yield u))

    rule.__doc__ = f"The chain rule for {function.name}."
    rule.rule_name = f"chain rule, outer function {function.name}"  # type: ignore[attr-defined]
    rule.outer = outer  # type: ignore[attr-defined]  # lets the driver skip the generator
    return rule


def _text(operator: Symbol, operands: Any) -> str:
    return write_string(to_datum(cell(operator, operands)))


sum_rule.rule_name = "sum rule"  # type: ignore[attr-defined]
product_rule.rule_name = "product rule"  # type: ignore[attr-defined]
difference_rule.rule_name = "difference rule"  # type: ignore[attr-defined]
quotient_rule.rule_name = "quotient rule"  # type: ignore[attr-defined]
log_rule.rule_name = "chain rule, outer function log"  # type: ignore[attr-defined]
atan_rule.rule_name = "chain rule, outer function atan"  # type: ignore[attr-defined]

BUILTIN_RULES: dict[Symbol, BuiltinRule] = {
    PLUS: sum_rule,
    TIMES: product_rule,
    MINUS: difference_rule,
    DIVIDE: quotient_rule,
    POWER: power_rule(POWER),
    EXPT: power_rule(EXPT),
    LOG: log_rule,
    ATAN: atan_rule,
}
for _function, _outer in OUTER_DERIVATIVES.items():
    BUILTIN_RULES[_function] = function_rule(_function, _outer)


def template_rule(function: Symbol, parameters: list[Symbol], partials: list[Any]) -> BuiltinRule:
    """Return the chain rule for a function whose partial derivatives are given as templates.

    d(f u1 ... un) = sum over i of (partial_i with each parameter replaced by its operand) dui,
    which for one argument is f'(u) du. This is what define-derivative installs.
    """

    def rule(operands: Any, var: Symbol, context: Context) -> RuleGenerator:
        count = len(parameters)
        items = require_operands(function, operands, count, f"{count} operand{'s' if count != 1 else ''}")
        mapping = dict(zip(parameters, items))
        make = context.constructors
        result: Any = None
        for item, partial in zip(items, partials):
            outer = replace_symbols(partial, mapping)
            term = make.make_product(outer, (yield item))
            result = term if result is None else make.make_sum(result, term)
        return result

    rule.__doc__ = f"The chain rule for {function.name}, from its define-derivative templates."
    rule.rule_name = f"define-derivative rule for {function.name}"  # type: ignore[attr-defined]
    return rule
