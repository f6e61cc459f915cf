"""The `full` simplification level: a canonical algebraic form.

Simplification runs in two passes over the expression DAG, each iterative and memoized per cell:

1. `canonical` rewrites into an internal form that uses only +, *, ** and function calls:
   sums and products are flattened, numbers folded exactly, like terms collected
   (2x + 3x -> 5x), powers of one base combined (x x -> x^2, x^a x^b -> x^(a+b)), a product of
   a monomial and one sum distributed over the sum, differences turned into sums with a -1
   coefficient and quotients into negative powers, and exact function values folded
   ((sin 0) -> 0, (log 1) -> 0, (exp 0) -> 1).
2. `render` turns that form into readable output: (- x 1) rather than (+ x -1), (/ 1 x) rather
   than (** x -1), (sqrt x) rather than (** x 1/2).

Term order: in a sum, terms of higher degree in their symbols come first and the constant
last. In a product, the numeric coefficient comes first, then factors with numeric bases, then
symbols in alphabetical order, then other expressions by operator name. Ties break on a
structural digest, so the order is the same in every run.

Soundness: wherever the input evaluates to a finite real number, the output evaluates to the
same number. Hence a power of a power combines only for an integer outer exponent, a power of
a product distributes only over an integer exponent, and (sqrt (** x 2)), (exp (log x)) stay.
"""

from __future__ import annotations

import hashlib
import math
from fractions import Fraction
from typing import Any

from ..errors import EvaluationError, SimplifyError
from ..numbers import to_float
from ..printer import write_string
from ..types import NIL, Symbol
from .constructors import DIVIDE, MINUS, PLUS, POWER, TIMES, exact_power, is_exact, is_number
from .convert import to_datum
from .elementary import ABS, EXP, EXPT, LOG, SIGN, SQRT
from .expr import Cell, atom_key, cell, compound, engine_operation
from .numeric import EXACT_VALUES, apply_operator

HALF = Fraction(1, 2)

# A product of a monomial that has factors and a sum is distributed only when the sum has at
# most this many terms, so that nested products cannot multiply out exponentially.
MAX_DISTRIBUTED_TERMS = 64


def _number(value: Any) -> Any:
    if type(value) is Fraction and value.denominator == 1:
        return value.numerator
    return value


def _is_integer(value: Any) -> bool:
    return type(value) is int


def _is_whole(value: Any) -> bool:
    """Return whether the number `value` is an integer, without converting exact ones to float."""
    if type(value) is float:
        return value.is_integer()
    return type(value) is int or value.denominator == 1


def _describe(expr: Any) -> str:
    if expr is None:
        return "a product"
    text = write_string(to_datum(expr))
    return text if len(text) <= 80 else text[:77] + "..."


# --- decomposition of canonical expressions ----------------------------------------------


def _is_compound(expr: Any, operator: Symbol) -> bool:
    return type(expr) is Cell and expr.head is operator


def _operands(expr: Cell) -> list[Any]:
    # A plain loop: list(expr.tail) goes through Cell.__iter__, a generator, at twice the cost.
    items = []
    item = expr.tail
    while type(item) is Cell:
        items.append(item.head)
        item = item.tail
    return items


def _terms(expr: Any) -> list[Any]:
    return _operands(expr) if _is_compound(expr, PLUS) else [expr]


def _coefficient_and_factors(term: Any) -> tuple[Any, list[Any]]:
    """Split a canonical term into its numeric coefficient and its other factors."""
    kind = type(term)
    if kind is int or kind is Fraction or kind is float:
        return term, []
    if kind is Cell and term.head is TIMES:
        operands = _operands(term)
        first = type(operands[0])
        if first is int or first is Fraction or first is float:
            return operands[0], operands[1:]
        return 1, operands
    return 1, [term]


def _base_and_exponent(factor: Any) -> tuple[Any, Any]:
    if type(factor) is Cell and factor.head is POWER:
        operands = factor.tail
        if type(operands) is Cell and type(operands.tail) is Cell and operands.tail.tail is NIL:
            return operands.head, operands.tail.head
        base, exponent = _operands(factor)  # raises ValueError, as for any other arity
        return base, exponent
    return factor, 1


def make_term(coefficient: Any, factors: list[Any]) -> Any:
    if coefficient == 0:
        return 0
    if not factors:
        return coefficient
    if coefficient == 1 and type(coefficient) is int:
        return factors[0] if len(factors) == 1 else compound(TIMES, *factors)
    return compound(TIMES, coefficient, *factors)


def _make_factor(base: Any, exponent: Any) -> Any:
    if exponent == 1 and type(exponent) is int:
        return base
    return compound(POWER, base, exponent)


# --- ordering ------------------------------------------------------------------------------


def _atom_digest(atom: Any) -> bytes:
    return hashlib.blake2b(write_string(atom).encode() + bytes([type(atom) is float]), digest_size=8).digest()


# Digests of symbols and numbers, shared by every simplification. Symbols live as long as the
# process, and atom_key keys numbers by value, so a key never comes to mean another atom.
_shared_atom_digests: dict[Any, bytes] = {}
_SHARED_ATOM_LIMIT = 50_000


class _LazyDigest:
    """A cell's digest as a sort key, computed the first time a comparison needs it.

    Sort keys put the digest last, after the kind, the degree and the operator's name, and
    tuples compare their items in order. So the digest decides only between factors or terms
    that agree on everything else, and most keys are sorted without it.
    """

    __slots__ = ("order", "expr", "value")

    def __init__(self, order: "_Order", expr: Cell) -> None:
        self.order = order
        self.expr = expr
        self.value: bytes | None = None

    def get(self) -> bytes:
        if self.value is None:
            self.value = self.order.digest(self.expr)
        return self.value

    def __eq__(self, other: object) -> bool:
        return self.get() == _digest_of(other)

    def __lt__(self, other: object) -> bool:
        return self.get() < _digest_of(other)

    def __gt__(self, other: object) -> bool:
        return self.get() > _digest_of(other)

    def __le__(self, other: object) -> bool:
        return self.get() <= _digest_of(other)

    def __ge__(self, other: object) -> bool:
        return self.get() >= _digest_of(other)

    __hash__ = None  # type: ignore[assignment]


def _digest_of(key: Any) -> bytes:
    return key.get() if type(key) is _LazyDigest else key


class _Order:
    """Sort keys for canonical expressions, with a structural digest memoized per cell."""

    def __init__(self) -> None:
        self.digests: dict[Cell, bytes] = {}
        self.atom_digests: dict[Any, bytes] = {}

    def digest(self, expr: Any) -> bytes:
        if type(expr) is not Cell:
            return self.atom(expr)
        known = self.digests.get(expr)
        if known is not None:
            return known
        digests = self.digests
        stack = [expr]
        while stack:
            item = stack[-1]
            if item in digests:
                stack.pop()
                continue
            parts = []
            pending = []
            part = item
            while type(part) is Cell:
                head = part.head
                parts.append(head)
                if type(head) is Cell and head not in digests:
                    pending.append(head)
                part = part.tail
            if pending:
                stack.extend(pending)
                continue
            stack.pop()
            hasher = hashlib.blake2b(digest_size=8)
            for head in parts:
                hasher.update(digests[head] if type(head) is Cell else self.atom(head))
            digests[item] = hasher.digest()
        return digests[expr]

    def atom(self, atom: Any) -> bytes:
        kind = type(atom)
        if kind is Symbol or kind is int or kind is Fraction or kind is float:
            key = atom_key(atom)
            known = _shared_atom_digests.get(key)
            if known is None:
                known = _atom_digest(atom)
                if len(_shared_atom_digests) >= _SHARED_ATOM_LIMIT:
                    _shared_atom_digests.clear()
                _shared_atom_digests[key] = known
            return known
        key = atom_key(atom)
        known = self.atom_digests.get(key)
        if known is None:
            known = self.atom_digests[key] = _atom_digest(atom)
        return known

    def sort_digest(self, expr: Any) -> Any:
        """Return the digest of `expr`, or for a cell whose digest is not known yet a _LazyDigest."""
        if type(expr) is not Cell:
            return self.atom(expr)
        known = self.digests.get(expr)
        return known if known is not None else _LazyDigest(self, expr)

    def factor_key(self, factor: Any) -> tuple:
        base, _ = _base_and_exponent(factor)
        if is_number(base):
            return (0, to_float(base), "", self.sort_digest(factor))
        if type(base) is Symbol:
            return (1, 0.0, base.name, self.sort_digest(factor))
        operator = base.head.name if type(base) is Cell and type(base.head) is Symbol else ""
        return (2, 0.0, operator, self.sort_digest(factor))

    def term_key(self, term: Any) -> tuple:
        coefficient, factors = _coefficient_and_factors(term)
        if not factors:
            return (1, 0.0, (), b"")
        degree = 0.0
        for factor in factors:
            base, exponent = _base_and_exponent(factor)
            if type(base) is Symbol and is_number(exponent):
                degree += to_float(exponent)
        return (0, -degree, tuple(self.factor_key(factor) for factor in factors), self.sort_digest(term))


# --- the canonical pass --------------------------------------------------------------------


# Operators that the canonical pass rewrites whatever their operands, and that the renderer
# writes differently (+ * **). A call of any other operator on symbols is its own canonical and
# rendered form: the passes change a call only through its operands, or for a number operand
# or (log (exp u)).
_REWRITTEN = frozenset((PLUS, TIMES, MINUS, DIVIDE, POWER, EXPT, SQRT))


def is_plain_call(expr: Any) -> bool:
    """Return True for a call such as (sin x) that both passes leave unchanged, without running them."""
    if type(expr) is not Cell or type(expr.head) is not Symbol or expr.head in _REWRITTEN:
        return False
    item = expr.tail
    while type(item) is Cell:
        if type(item.head) is not Symbol:
            return False
        item = item.tail
    return item is NIL


class _Canonicalizer:
    # NOTE: every nested product or sum gets its own flattened canonical form, so a chain of
    # n binary products nested n deep costs O(n^2) cells: the second derivative of a
    # 4,000-deep (sin (cos ... x)) takes about 17 s and 900 MB.
    def __init__(self) -> None:
        self.order = _Order()
        self.memo: dict[Cell, Any] = {}

    def run(self, expr: Any) -> Any:
        if type(expr) is not Cell:
            return self.atom(expr)
        memo = self.memo
        stack = [expr]
        while stack:
            item = stack[-1]
            if item in memo:
                stack.pop()
                continue
            parts = _operands(item)
            pending = [part for part in parts if type(part) is Cell and part not in memo]
            if pending:
                stack.extend(pending)
                continue
            stack.pop()
            operands = [memo[part] if type(part) is Cell else self.atom(part) for part in parts]
            memo[item] = self.combine(item, operands)
        return memo[expr]

    def atom(self, value: Any) -> Any:
        return _number(value) if is_number(value) else value

    def combine(self, original: Cell, operands: list[Any]) -> Any:
        operator = original.head
        if operator is PLUS:
            return self.add(operands)
        if operator is TIMES:
            return self.multiply(operands)
        if operator is MINUS:
            if not operands:
                raise SimplifyError(f"simplify: - needs at least one operand in {_describe(original)}")
            if len(operands) == 1:
                return self.multiply([-1, operands[0]])
            return self.add([operands[0]] + [self.multiply([-1, operand]) for operand in operands[1:]])
        if operator is DIVIDE:
            if not operands:
                raise SimplifyError(f"simplify: / needs at least one operand in {_describe(original)}")
            if len(operands) == 1:
                return self.power(operands[0], -1, original)
            inverses = [self.power(operand, -1, original) for operand in operands[1:]]
            return self.multiply([operands[0]] + inverses)
        if operator is POWER or operator is EXPT:
            if len(operands) != 2:
                raise SimplifyError(f"simplify: {operator.name} needs a base and an exponent in {_describe(original)}")
            return self.power(operands[0], operands[1], original)
        if operator is SQRT and len(operands) == 1:
            return self.power(operands[0], HALF, original)
        if type(operator) is Symbol:
            return self.function(operator, operands, original)
        return cell(operator, _rebuild_tail(operands))

    # Sums ----------------------------------------------------------------------------------

    def add(self, operands: list[Any]) -> Any:
        constant: Any = 0
        collected: dict[tuple, list[Any]] = {}
        order: list[tuple] = []
        for operand in operands:
            for term in _terms(operand):
                coefficient, factors = _coefficient_and_factors(term)
                if not factors:
                    constant = _number(constant + coefficient)
                    continue
                key = tuple(atom_key(factor) for factor in factors)
                entry = collected.get(key)
                if entry is None:
                    collected[key] = [coefficient, factors]
                    order.append(key)
                else:
                    entry[0] = _number(entry[0] + coefficient)
        terms = [make_term(collected[key][0], collected[key][1]) for key in order]
        terms = [term for term in terms if not (is_number(term) and term == 0)]
        terms.sort(key=self.order.term_key)
        if constant != 0 or (not terms and type(constant) is float):
            terms.append(constant)
        if not terms:
            return 0
        if len(terms) == 1:
            return terms[0]
        return compound(PLUS, *terms)

    # Products ------------------------------------------------------------------------------

    def multiply(self, operands: list[Any]) -> Any:
        coefficient: Any = 1
        exponents: dict[Any, list[Any]] = {}
        order: list[Any] = []
        sums: list[Any] = []
        for operand in operands:
            operand_coefficient, factors = _coefficient_and_factors(operand)
            coefficient = _number(coefficient * operand_coefficient)
            for factor in factors:
                base, exponent = _base_and_exponent(factor)
                key = atom_key(base)
                entry = exponents.get(key)
                if entry is None:
                    exponents[key] = [base, exponent]
                    order.append(key)
                else:
                    entry[1] = self.add([entry[1], exponent])
        if coefficient == 0:
            return 0

        factors: list[Any] = []
        renormalize = False
        for key in order:
            base, exponent = exponents[key]
            if is_number(exponent) and exponent == 0:
                continue
            if _is_compound(base, PLUS) and exponent == 1 and type(exponent) is int:
                sums.append(base)
                continue
            # A combined exponent may let the power fold or simplify: 2^(1/2) 2^(1/2) is 2, and
            # (b^(3/2))^2 is b^3. Such a result is multiplied in again below.
            value = self.power(base, exponent, None)
            if is_number(value):
                coefficient = _number(coefficient * value)
            elif _base_and_exponent(value)[0] is not base:
                factors.append(value)
                renormalize = True
            else:
                factors.append(value)

        if renormalize:
            return self.multiply([coefficient, *factors, *sums])
        if len(sums) == 1 and (not factors or len(_terms(sums[0])) <= MAX_DISTRIBUTED_TERMS):
            # Distribute the monomial over the one sum: c f (a + b) -> c f a + c f b. A number
            # alone is distributed over a sum of any length, because that adds no terms, so
            # (- p p) is 0 however long p is.
            monomial = factors
            return self.add([self.multiply([coefficient, *monomial, term]) for term in _terms(sums[0])])
        factors.extend(sums)
        factors.sort(key=self.order.factor_key)
        return make_term(coefficient, factors)

    # Powers --------------------------------------------------------------------------------

    def power(self, base: Any, exponent: Any, original: Cell | None) -> Any:
        if is_number(exponent) and exponent == 0:
            return 1
        if exponent == 1 and type(exponent) is int:
            return base
        if is_number(base):
            if base == 0 and is_number(exponent) and exponent < 0:
                raise SimplifyError(f"simplify: division by zero in {_describe(original)}")
            if base == 1 and is_exact(base):
                return 1
            if is_number(exponent):
                return self.numeric_power(base, exponent, original)
        if _is_compound(base, POWER) and not _is_integer(exponent) and is_number(exponent):
            inner_base, inner_exponent = _operands(base)
            if is_number(inner_exponent) and not _is_whole(inner_exponent):
                # (b^k)^n = b^(k n) wherever b^k is real: a non-integer k already excludes b < 0.
                return self.power(inner_base, self.multiply([inner_exponent, exponent]), original)
        if _is_integer(exponent):
            coefficient, factors = _coefficient_and_factors(base)
            if factors and (coefficient != 1 or len(factors) > 1 or _is_compound(factors[0], POWER)):
                # (c f g)^n -> c^n f^n g^n and (b^k)^n -> b^(k n), for an integer n only.
                parts = [self.numeric_power(coefficient, exponent, original)] if coefficient != 1 else []
                for factor in factors:
                    inner_base, inner_exponent = _base_and_exponent(factor)
                    parts.append(self.power(inner_base, self.multiply([inner_exponent, exponent]), original))
                return self.multiply(parts)
        return compound(POWER, base, exponent)

    def numeric_power(self, base: Any, exponent: Any, original: Cell | None) -> Any:
        folded = exact_power(base, exponent)
        if folded is not None:
            return folded
        if base == 0 and exponent < 0:
            raise SimplifyError(f"simplify: division by zero in {_describe(original)}")
        if type(base) is float or type(exponent) is float:
            if base >= 0 or _is_whole(exponent):
                try:
                    return float(base) ** float(exponent)
                except (OverflowError, ZeroDivisionError):
                    return compound(POWER, base, exponent)
        return compound(POWER, base, exponent)

    # Functions -----------------------------------------------------------------------------

    def function(self, operator: Symbol, operands: list[Any], original: Cell) -> Any:
        if len(operands) == 1:
            argument = operands[0]
            if operator is LOG and _is_compound(argument, EXP):
                return _operands(argument)[0]  # log(exp(u)) = u for every real u.
            if is_number(argument):
                folded = _fold_function(operator, argument)
                if folded is not None:
                    return folded
        if operator is LOG and len(operands) == 2 and all(is_number(o) for o in operands):
            if operands[0] == 1 and is_exact(operands[0]):
                return 0
        if all(new is old for new, old in zip(operands, original.tail)):
            return original  # the same cell that interning the same list would return
        return compound(operator, *operands)


def _rebuild_tail(operands: list[Any]) -> Any:
    tail: Any = NIL
    for operand in reversed(operands):
        tail = cell(operand, tail)
    return tail


def _fold_function(operator: Symbol, argument: Any) -> Any:
    """Return the value of (operator argument) for a number, or None to leave it unevaluated.

    Exact arguments fold only to the exact values in EXACT_VALUES, so folding never turns exact
    input into a float; abs and sign are exact at any exact argument.
    """
    if is_exact(argument) and operator is not ABS and operator is not SIGN:
        return EXACT_VALUES.get((operator, argument))  # type: ignore[call-overload]
    try:
        value = apply_operator(operator, [argument])
    except (EvaluationError, ArithmeticError, ValueError):
        return None  # an unknown function, or a point outside the function's domain
    return value if is_exact(value) or math.isfinite(value) else None


# --- the rendering pass --------------------------------------------------------------------


class _Renderer:
    def __init__(self) -> None:
        self.memo: dict[Cell, Any] = {}

    def run(self, expr: Any) -> Any:
        if type(expr) is not Cell:
            return expr
        memo = self.memo
        stack = [expr]
        while stack:
            item = stack[-1]
            if item in memo:
                stack.pop()
                continue
            parts = _operands(item)
            pending = [part for part in parts if type(part) is Cell and part not in memo]
            for part in parts:
                # Powers inside products are rendered through their base and exponent.
                if type(part) is Cell and part.head is POWER:
                    pending.extend(p for p in _operands(part) if type(p) is Cell and p not in memo)
            if pending:
                stack.extend(pending)
                continue
            stack.pop()
            memo[item] = self.node(item)
        return memo[expr]

    def get(self, expr: Any) -> Any:
        if type(expr) is not Cell:
            return expr
        known = self.memo.get(expr)
        if known is None:
            known = self.node(expr)
            self.memo[expr] = known
        return known

    def node(self, expr: Cell) -> Any:
        operator = expr.head
        if operator is PLUS:
            return self.sum(_operands(expr))
        if operator is TIMES or operator is POWER:
            coefficient, factors = _coefficient_and_factors(expr)
            return self.term(coefficient, factors)
        operands = _operands(expr)
        rendered = [self.get(operand) for operand in operands]
        if all(new is old for new, old in zip(rendered, operands)):
            return expr  # the same cell that interning the same list would return
        return compound(operator, *rendered)

    def sum(self, terms: list[Any]) -> Any:
        return self.sum_of_parts(map(_coefficient_and_factors, terms))

    def sum_of_parts(self, parts: Any) -> Any:
        """Render the sum of canonical terms given as (coefficient, factors) pairs, in order."""
        positive: list[Any] = []
        negative: list[Any] = []
        for coefficient, factors in parts:
            if coefficient < 0:
                negative.append(self.term(_number(-coefficient), factors))
            else:
                positive.append(self.term(coefficient, factors))
        if not negative:
            return compound(PLUS, *positive)
        if not positive:
            inner = negative[0] if len(negative) == 1 else compound(PLUS, *negative)
            return compound(MINUS, inner)
        first = positive[0] if len(positive) == 1 else compound(PLUS, *positive)
        return compound(MINUS, first, *negative)

    def term(self, coefficient: Any, factors: list[Any]) -> Any:
        if not factors:
            return coefficient
        if coefficient == -1 and type(coefficient) is int:
            return compound(MINUS, self.term(1, factors))
        numerator: list[Any] = []
        denominator: list[Any] = []
        # Writing 1/2 as (/ 1 (* 2 (+ x y))) would not be idempotent: simplifying again would
        # distribute the 2 over the sum. A coefficient beside a sum in the denominator therefore
        # stays whole in the numerator: (/ 1/2 (+ x y)).
        if type(coefficient) is Fraction and not any(
            is_number(exponent) and exponent < 0 and _is_compound(base, PLUS)
            for base, exponent in map(_base_and_exponent, factors)
        ):
            if coefficient.numerator != 1:
                numerator.append(coefficient.numerator)
            denominator.append(coefficient.denominator)
        elif coefficient != 1 or type(coefficient) is not int:
            numerator.append(coefficient)
        sums: list[Any] = []  # rendered sums in the denominator that a product would distribute
        for factor in factors:
            base, exponent = _base_and_exponent(factor)
            if is_number(exponent) and exponent < 0:
                rendered = self.factor(base, _number(-exponent))
                denominator.append(rendered)
                if exponent == -1 and _is_compound(base, PLUS) and len(_terms(base)) <= MAX_DISTRIBUTED_TERMS:
                    sums.append(rendered)
            else:
                numerator.append(self.factor(base, exponent))
        top = _product(numerator)
        if not denominator:
            return top
        if len(denominator) > 1 and len(sums) == 1:
            # (/ x (* y (+ x y))) would not be idempotent: simplifying again would distribute
            # y over the sum. Dividing by the sum separately, (/ x y (+ x y)), keeps the form.
            others = [part for part in denominator if part is not sums[0]]
            return compound(DIVIDE, top, _product(others), sums[0])
        return compound(DIVIDE, top, _product(denominator))

    def factor(self, base: Any, exponent: Any) -> Any:
        rendered = self.get(base)
        if exponent == 1 and type(exponent) is int:
            return rendered
        if exponent == HALF:
            return compound(SQRT, rendered)
        return compound(POWER, rendered, self.get(exponent))


def _product(parts: list[Any]) -> Any:
    if not parts:
        return 1
    if len(parts) == 1:
        return parts[0]
    return compound(TIMES, *parts)


@engine_operation
def canonical(expr: Any) -> Any:
    """Return the internal canonical form of `expr` (only +, *, ** and function calls)."""
    return _Canonicalizer().run(expr)


@engine_operation
def simplify(expr: Any) -> Any:
    """Return `expr` in the `full` level's canonical, readable form. Idempotent."""
    return _Renderer().run(_Canonicalizer().run(expr))


class Simplifier:
    """`simplify` for a series of related expressions, such as successive derivatives.

    Both passes are pure functions of a cell, so their memo tables stay valid from one call to
    the next, and a subexpression seen in an earlier expression is not simplified again.
    The tables keep every cell they have seen alive, so use one instance per computation.
    """

    def __init__(self) -> None:
        self.canonicalizer = _Canonicalizer()
        self.renderer = _Renderer()

    @engine_operation
    def simplify(self, expr: Any) -> Any:
        return self.renderer.run(self.canonicalizer.run(expr))
