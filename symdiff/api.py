"""The Python API: parse and differentiate expressions without writing Scheme."""

from __future__ import annotations

import numbers
import re
from fractions import Fraction
from typing import Any, Iterator, Mapping, Union

from .calculus.convert import from_datum, node_count, to_datum
from .calculus.expr import Cell, atom_key, clear_interned
from .calculus.numeric import evaluate
from .calculus.operations import derivative
from .calculus.operations import gradient as _gradient
from .calculus.elementary import BUILTIN_RULES
from .calculus.rules import RuleTable
from .calculus.simplify import simplify as full_simplify
from .errors import DerivError, EvaluationError, ReadError, SchemeError, SourcePosition
from .infix_reader import parse_infix
from .math_printer import to_infix, to_latex
from .printer import MAX_PRINTED_NODES, ValueTooLargeError, write_string
from .reader import read, read_all
from .types import NIL, Pair, Symbol, is_number


_set = object.__setattr__


class Expression:
    """An immutable algebraic expression; `str()` gives its Scheme form.

    Equal expressions compare equal and hash alike, because the engine interns them.
    """

    __slots__ = ("value", "_hash")

    value: Any
    _hash: int | None

    def __init__(self, value: Any) -> None:
        _set(self, "value", value)
        _set(self, "_hash", None)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"Expression is immutable; cannot set {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"Expression is immutable; cannot delete {name!r}")

    def __copy__(self) -> "Expression":
        return self

    def __deepcopy__(self, memo: dict) -> "Expression":
        return self

    def __str__(self) -> str:
        count = node_count(self.value)
        if count <= MAX_PRINTED_NODES:
            try:
                return write_string(to_datum(self.value))
            except ValueTooLargeError as error:
                count = error.size  # the printer counts the same nodes; this is a safety net
            except EvaluationError as error:
                return f"<expression that cannot be printed: {error.message}>"  # such as a huge integer
        return f"<expression of {count:.3g} nodes, too large to print>"

    def __repr__(self) -> str:
        return f"Expression({str(self)!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Expression):
            return NotImplemented
        # Interned cells make equal expressions identical, except across clear_cache().
        return self.value is other.value or _same_structure(self.value, other.value)

    def __hash__(self) -> int:
        if self._hash is None:
            _set(self, "_hash", _structural_hash(self.value))
        return self._hash

    def node_count(self) -> int:
        """Count the nodes of the expanded expression tree, computed on the shared DAG."""
        return node_count(self.value)

    size = node_count

    def to_datum(self) -> Any:
        """Return the expression as Scheme data (Pair, Symbol and numbers)."""
        return to_datum(self.value)

    def to_infix(self) -> str:
        """Return infix text with minimal parentheses, e.g. "x^2 + 3*x"."""
        return to_infix(to_datum(self.value))

    def to_latex(self) -> str:
        r"""Return LaTeX, e.g. "\frac{1}{x}"."""
        return to_latex(to_datum(self.value))

    def evaluate(self, bindings: Mapping[str, Any] | None = None, **values: Any) -> Any:
        """Return the value at a point: exact for exact inputs where the functions allow.

        >>> parse("(+ (* x y) 1/2)").evaluate(x=1, y=3)
        Fraction(7, 2)
        """
        point = {**(bindings or {}), **values}
        values_by_symbol: dict[Symbol, Any] = {}
        for name, value in point.items():
            if not isinstance(name, (str, Symbol)):
                raise TypeError(f"evaluate: a variable name must be a string such as 'x', got {name!r}")
            kind = type(value)
            if kind is not bool and kind not in (int, float, Fraction):
                # Other number types, such as NumPy's, become the plain type of the same value;
                # bool stays an error.
                if isinstance(value, numbers.Integral):
                    value = int(value)
                elif isinstance(value, numbers.Rational):
                    value = Fraction(value.numerator, value.denominator)
                elif isinstance(value, numbers.Real):
                    value = float(value)
            if type(value) not in (int, float, Fraction):
                raise TypeError(f"the value of {name} must be an int, float or Fraction, got {value!r}")
            values_by_symbol[_as_symbol(name)] = value
        try:
            return evaluate(self.value, values_by_symbol)
        except OverflowError as error:
            raise EvaluationError(f"evaluate: a number is too large for this operation ({error})") from None


def _same_structure(a: Any, b: Any) -> bool:
    """Compare two engine values structurally, without recursion."""
    pending = [(a, b)]
    seen: set[tuple[int, int]] = set()
    while pending:
        left, right = pending.pop()
        if left is right:
            continue
        if type(left) is not type(right):
            return False
        if type(left) is not Cell:
            if atom_key(left) != atom_key(right) or type(left) is Symbol:
                return False
            continue
        key = (id(left), id(right))
        if key in seen:
            continue
        seen.add(key)
        pending.append((left.head, right.head))
        pending.append((left.tail, right.tail))
    return True


def _structural_hash(value: Any) -> int:
    """Hash an engine value by structure, consistently with _same_structure."""

    def atom_hash(atom: Any) -> int:
        return hash(("symbol", atom.name)) if type(atom) is Symbol else hash(atom_key(atom))

    if type(value) is not Cell:
        return atom_hash(value)
    hashes: dict[int, int] = {}
    stack = [value]
    while stack:
        item = stack[-1]
        if id(item) in hashes:
            stack.pop()
            continue
        pending = [part for part in (item.head, item.tail) if type(part) is Cell and id(part) not in hashes]
        if pending:
            stack.extend(pending)
            continue
        stack.pop()
        parts = [hashes[id(part)] if type(part) is Cell else atom_hash(part) for part in (item.head, item.tail)]
        hashes[id(item)] = hash(tuple(parts))
    return hashes[id(value)]


ExpressionLike = Union[Expression, str, int, float, Symbol, Pair]


_INFIX_OPERATORS = frozenset(("+", "-", "*", "/", "^", "**"))


def read_expression_text(text: str, notation: str = "auto", source: str = "<expression>") -> Any:
    """Read expression text as Scheme data: "prefix" (an s-expression), "infix" math, or "auto".

    "auto" reads text in parentheses that is one s-expression led by an operator or function,
    such as "(* x y)" or "(- x -1)", as prefix, and everything else, such as "x^2 + 1" or
    "(x + 1)^2", as infix math. Guessing the other way would misread "(- x -1)" (x + 1) as the
    infix -x - 1, and "2x" as a symbol whose derivative is 0.
    """
    return read_expression_and_notation(text, notation, source)[0]


def read_expression_and_notation(text: str, notation: str = "auto", source: str = "<expression>") -> tuple[Any, str]:
    """Read expression text as read_expression_text does; return (datum, "prefix" or "infix").

    Raises DerivError for a quoted datum or a special form such as (lambda (x) x), because
    neither is a math expression and the built-in rule table has no rule for them.
    """
    datum, notation_used = _read_in_notation(text, notation, source)
    _reject_special_forms(datum, notation_used)
    return datum, notation_used


def _read_in_notation(text: str, notation: str, source: str) -> tuple[Any, str]:
    if not isinstance(text, str):
        raise TypeError(f"expression text must be a str, got {type(text).__name__}")
    if notation == "prefix":
        return _only_datum(read_all(text, source), source), "prefix"
    if notation == "infix":
        return parse_infix(text, source), "infix"
    if notation != "auto":
        raise ValueError(f"unknown notation {notation!r}; expected 'auto', 'prefix' or 'infix'")
    try:
        data = read_all(text, source)
    except SchemeError:
        data = []
    datum = data[0][0] if len(data) == 1 else None
    if is_number(datum):
        return datum, "infix"
    if text.lstrip().startswith("(") and _looks_prefix(datum):
        return datum, "prefix"
    try:
        return parse_infix(text, source), "infix"
    except SchemeError:
        # Several data with an s-expression among them, as in "(+ x 1) (+ y 2)", are prefix
        # text with too many expressions. Without one, as in "2 x", the infix error fits.
        if len(data) > 1 and any(_looks_prefix(item) for item, _ in data):
            raise _several_expressions_error(data) from None
        # Other single data that infix cannot read, such as "\"text\"" or "((f) x)", go to
        # deriv as they are, so that its error names the problem. A bare symbol such as 2x
        # does not, because its derivative would silently be 0.
        if datum is None or type(datum) is Symbol:
            raise
        return datum, "prefix"


def _only_datum(data: list[tuple[Any, SourcePosition]], source: str) -> Any:
    """Return the one datum of `data`, or raise ReadError if there are none or several."""
    if len(data) > 1:
        raise _several_expressions_error(data)
    if not data:
        raise ReadError("expected an expression, found none: the text is empty or only comments", SourcePosition(source, 1, 1))
    return data[0][0]


def _several_expressions_error(data: list[tuple[Any, SourcePosition]]) -> ReadError:
    return ReadError(
        f"expected one expression, but the text has {len(data)} and the second starts here: "
        "give one expression at a time, or join them into one with an operator",
        data[1][1],
    )


# Reader abbreviations such as `'x` for (quote x): each symbol mapped to the prefix the user typed.
_QUOTATION_PREFIXES = {"quote": "'", "quasiquote": "`", "unquote": ",", "unquote-splicing": ",@"}


def lists_in(datum: Any) -> Iterator[Pair]:
    """Yield `datum` if it is a list, then every list among its elements, at any depth.

    The walk keeps its own stack, so nesting deeper than Python's recursion limit is fine.
    """
    stack = [datum]
    while stack:
        item = stack.pop()
        if type(item) is not Pair:
            continue
        yield item
        element: Any = item
        while type(element) is Pair:
            stack.append(element.car)
            element = element.cdr


def _reject_special_forms(datum: Any, notation: str) -> None:
    """Raise DerivError if a list in `datum` has a quotation or a special form as its operator."""
    for item in lists_in(datum):
        operator = item.car
        if type(operator) is Symbol and operator not in BUILTIN_RULES and _is_special_form(operator):
            raise DerivError(_special_form_message(item, notation))


def _is_special_form(operator: Symbol) -> bool:
    if operator.name in _QUOTATION_PREFIXES:
        return True
    # Imported only for an operator without a built-in rule, because loading the evaluator
    # takes time that most expressions need not spend. Its table is the one list of special forms.
    from .evaluator.core import SPECIAL_FORMS

    return operator in SPECIAL_FORMS


def _special_form_message(form: Pair, notation: str) -> str:
    name = form.car.name
    prefix = _QUOTATION_PREFIXES.get(name)
    if prefix is not None and notation == "prefix" and type(form.cdr) is Pair and form.cdr.cdr is NIL:
        quoted = write_string(form.cdr.car)
        return f"{prefix}{quoted} is quoted data, not an expression to differentiate: write it without the leading {prefix}, as {quoted}"
    return (
        f"{name} is a Scheme special form, and special forms are not expressions to differentiate: "
        f"write a math expression such as x^2 or (* x y) in place of {write_string(form)}"
    )


# Characters of infix operators that Scheme names rarely contain. A head such as x* or 1/sin
# comes from infix written without spaces, as in (x*(x+1)), which the reader splits into the
# symbol x* and the list (x+1).
_GLUED_OPERATOR_CHARACTERS = frozenset("*/^")


def _looks_prefix(datum: Any) -> bool:
    """Return True for a list like (op a ...) rather than an infix group like (x + 1) or (x)."""
    if type(datum) is not Pair or type(datum.car) is not Symbol:
        return False
    name = datum.car.name
    if name not in BUILTIN_RULES and name not in _INFIX_OPERATORS and _GLUED_OPERATOR_CHARACTERS.intersection(name):
        return False
    if any(item.cdr is NIL and type(item.car) is Symbol and item.car not in BUILTIN_RULES for item in lists_in(datum)):
        return False  # a call without operands such as (x), as in (sin(x)): infix parentheses
    if datum.cdr is NIL:
        return datum.car in BUILTIN_RULES  # (+) or (sin): malformed, and deriv reports why
    if type(datum.cdr) is not Pair:
        return False
    second = datum.cdr.car
    if type(second) is Symbol and second.name in _INFIX_OPERATORS and datum.car.name not in _INFIX_OPERATORS:
        return False
    return True


def parse(text: str, notation: str = "auto") -> Expression:
    """Read an algebraic expression from infix math or an s-expression (see notation).

    >>> str(parse("(+ x 3)"))
    '(+ x 3)'
    >>> str(parse("x^2 + sin(x)*y"))
    '(+ (** x 2) (* (sin x) y))'
    """
    return Expression(from_datum(read_expression_text(text, notation)))


def _as_engine_value(expr: ExpressionLike, notation: str = "auto") -> Any:
    if isinstance(expr, Expression):
        return expr.value
    if isinstance(expr, str):
        return parse(expr, notation).value
    return from_datum(expr)


# Names that the reader reads as exactly that symbol: the grammar's numbers, booleans and
# characters all start with a digit, a sign, a dot or #. Other names go through the reader.
_PLAIN_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")

# Plain names already matched, each mapped to its symbol. Symbols are never freed, so this
# keeps nothing alive that would otherwise go.
_plain_symbols: dict[str, Symbol] = {}


def _as_symbol(var: str | Symbol) -> Symbol:
    """Accept a Symbol, or a string that reads as exactly one symbol (so "1" is rejected)."""
    if type(var) is Symbol:
        return var
    if type(var) is str:
        symbol = _plain_symbols.get(var)
        if symbol is not None:
            return symbol
        if _PLAIN_NAME.fullmatch(var):
            symbol = _plain_symbols[var] = Symbol(var)
            return symbol
    if isinstance(var, str):
        try:
            value = read(var, "<variable>")
        except SchemeError:
            value = None
        if type(value) is Symbol and value.name == var.strip():
            return value
    raise DerivError(f"deriv: the variable must be a symbol name such as 'x', got {var!r}")


_default_rules = RuleTable()


def deriv(
    expr: ExpressionLike, var: str | Symbol, simplify: str = "sicp", order: int = 1, notation: str = "auto"
) -> Expression:
    """Differentiate `expr` with respect to `var` using the built-in rules.

    `expr` may be text (infix math or an s-expression; see parse for `notation`), an
    Expression, a Symbol, a number or Scheme data. `simplify` is "sicp" (SICP's constructors, the default),
    "none" (the book's unsimplified form) or "full" (the canonical form); `order` repeats.

    >>> str(deriv("(** x n)", "x"))
    '(* n (** x (+ n -1)))'
    >>> str(deriv("(* x y)", "x", simplify="none"))
    '(+ (* x 0) (* 1 y))'
    >>> deriv("x^3", "x", simplify="full", notation="infix").to_infix()
    '3*x^2'
    """
    value = _as_engine_value(expr, notation)
    return Expression(derivative(value, _as_symbol(var), _default_rules, simplify, order))


def simplify(expr: ExpressionLike, notation: str = "auto") -> Expression:
    """Return `expr` in the full canonical form.

    >>> str(simplify("(+ (* 2 x) (* 3 x))"))
    '(* 5 x)'
    """
    return Expression(full_simplify(_as_engine_value(expr, notation)))


def gradient(expr: ExpressionLike, variables: list[str], simplify: str = "sicp", notation: str = "auto") -> list[Expression]:
    """Return the partial derivatives of `expr`, one per variable."""
    if isinstance(variables, str):
        # A string is iterable, so "xy" would otherwise mean the variables x and y.
        raise DerivError(f"gradient: give the variables as a list of names, such as [{variables!r}], not a string")
    value = _as_engine_value(expr, notation)
    return [Expression(result) for result in _gradient(value, [_as_symbol(v) for v in variables], _default_rules, simplify)]


def clear_cache() -> None:
    """Drop the engine's intern table, so the next run starts cold (for benchmarks)."""
    clear_interned()
