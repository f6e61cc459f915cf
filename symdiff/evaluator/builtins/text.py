"""Symbol, string and character primitives.

Strings are immutable Python str values, so there is no string-set! or string-fill!.
Characters are Char values holding one code point.
"""

from __future__ import annotations

import operator
import unicodedata
from typing import Any, Callable

from ...errors import EvaluationError
from ...types import NIL, Char, Pair, Symbol, is_true
from ..procedures import PrimitiveRegistry, apply_procedure
from .arguments import (
    is_procedure,
    require_char,
    require_index,
    require_length,
    require_list,
    require_string,
    type_error,
)

registry = PrimitiveRegistry()

MAX_CODE_POINT = 0x10FFFF
SURROGATES = range(0xD800, 0xE000)


# --- Predicates and symbols ----------------------------------------------------------------


@registry.define("symbol?", 1, 1)
def is_symbol(value: Any) -> bool:
    return type(value) is Symbol


@registry.define("string?", 1, 1)
def is_string(value: Any) -> bool:
    return type(value) is str


@registry.define("char?", 1, 1)
def is_char(value: Any) -> bool:
    return type(value) is Char


@registry.define("symbol->string", 1, 1)
def symbol_to_string(symbol: Any) -> str:
    if type(symbol) is not Symbol:
        raise type_error("symbol->string", "a symbol", symbol)
    return symbol.name


@registry.define("string->symbol", 1, 1)
def string_to_symbol(text: Any) -> Symbol:
    return Symbol(require_string("string->symbol", text))


@registry.define("symbol-append", 0)
def symbol_append(*symbols: Any) -> Symbol:
    for symbol in symbols:
        if type(symbol) is not Symbol:
            raise type_error("symbol-append", "a symbol", symbol)
    return Symbol("".join(symbol.name for symbol in symbols))


# --- Building and measuring strings --------------------------------------------------------


@registry.define("string", 0)
def string(*chars: Any) -> str:
    return "".join(require_char("string", char).value for char in chars)


@registry.define("make-string", 1, 2)
def make_string(count: Any, fill: Any = Char(" ")) -> str:
    require_length("make-string", count)
    return require_char("make-string", fill).value * count


@registry.define("string-length", 1, 1)
def string_length(text: Any) -> int:
    return len(require_string("string-length", text))


@registry.define("string-null?", 1, 1)
def is_string_null(text: Any) -> bool:
    return require_string("string-null?", text) == ""


@registry.define("string-append", 0)
def string_append(*texts: Any) -> str:
    return "".join(require_string("string-append", text) for text in texts)


def check_range(name: str, text: str, start: Any, end: Any) -> tuple[int, int]:
    """Check optional start and end indexes into `text` and return them with defaults filled in."""
    if start is None:
        start = 0
    require_index(name, start)
    if end is None:
        end = len(text)
    require_index(name, end)
    if end > len(text):
        raise EvaluationError(f"{name}: end index {end} is out of range for a string of length {len(text)}")
    if start > end:
        raise EvaluationError(f"{name}: start index {start} is greater than end index {end}")
    return start, end


@registry.define("substring", 2, 3)
def substring(text: Any, start: Any, end: Any = None) -> str:
    require_string("substring", text)
    start, end = check_range("substring", text, start, end)
    return text[start:end]


@registry.define("string-copy", 1, 3)
def string_copy(text: Any, start: Any = None, end: Any = None) -> str:
    require_string("string-copy", text)
    start, end = check_range("string-copy", text, start, end)
    return text[start:end]


@registry.define("string-ref", 2, 2)
def string_ref(text: Any, index: Any) -> Char:
    require_string("string-ref", text)
    require_index("string-ref", index)
    if index >= len(text):
        raise EvaluationError(f"string-ref: index {index} is out of range for a string of length {len(text)}")
    return Char(text[index])


@registry.define("string->list", 1, 3)
def string_to_list(text: Any, start: Any = None, end: Any = None) -> Any:
    require_string("string->list", text)
    start, end = check_range("string->list", text, start, end)
    result: Any = NIL
    for char in reversed(text[start:end]):
        result = Pair(Char(char), result)
    return result


@registry.define("list->string", 1, 1)
def list_to_string(chars: Any) -> str:
    return "".join(require_char("list->string", char).value for char in require_list("list->string", chars))


@registry.define("string-upcase", 1, 1)
def string_upcase(text: Any) -> str:
    return require_string("string-upcase", text).upper()


@registry.define("string-downcase", 1, 1)
def string_downcase(text: Any) -> str:
    return require_string("string-downcase", text).lower()


@registry.define("string-join", 1, 2)
def string_join(texts: Any, delimiter: Any = " ") -> str:
    """Join a list of strings, putting `delimiter` (a space by default, as in SRFI 13) between them."""
    require_string("string-join", delimiter)
    items = require_list("string-join", texts)
    return delimiter.join(require_string("string-join", item) for item in items)


# --- Searching -----------------------------------------------------------------------------


@registry.define("string-index", 2, 2)
def string_index(text: Any, target: Any) -> Any:
    """Return the index of the first character that is `target` or satisfies it, or #f."""
    require_string("string-index", text)
    if type(target) is Char:
        index = text.find(target.value)
        return index if index >= 0 else False
    if not is_procedure(target):
        raise type_error("string-index", "a character or a predicate", target)
    for index, char in enumerate(text):
        if is_true(apply_procedure(target, [Char(char)])):
            return index
    return False


@registry.define("string-search-forward", 3, 3)
def string_search_forward(pattern: Any, text: Any, start: Any) -> Any:
    """Return the index in `text` where `pattern` first occurs at or after `start`, or #f."""
    require_string("string-search-forward", pattern)
    require_string("string-search-forward", text)
    start, _ = check_range("string-search-forward", text, start, None)
    index = text.find(pattern, start)
    return index if index >= 0 else False


# --- Comparisons ---------------------------------------------------------------------------


def define_comparisons(
    prefix: str,
    require: Callable[[str, Any], Any],
    key: Callable[[Any], str],
) -> None:
    """Register the five n-ary comparisons `prefix`=? ... `prefix`>=? on values mapped by `key`."""
    operators = {"=": operator.eq, "<": operator.lt, ">": operator.gt, "<=": operator.le, ">=": operator.ge}
    for symbol, compare in operators.items():
        name = f"{prefix}{symbol}?"

        def comparison(*values: Any, name: str = name, compare: Callable = compare) -> bool:
            keys = [key(require(name, value)) for value in values]
            return all(compare(left, right) for left, right in zip(keys, keys[1:]))

        registry.define(name, 1)(comparison)


def char_fold(char: Char) -> str:
    """Fold a character's case for comparison, keeping the original if it folds to several characters."""
    folded = char.value.casefold()
    return folded if len(folded) == 1 else char.value


define_comparisons("string", require_string, lambda text: text)
define_comparisons("string-ci", require_string, str.casefold)
define_comparisons("char", require_char, lambda char: char.value)
define_comparisons("char-ci", require_char, char_fold)


# --- Characters ----------------------------------------------------------------------------


@registry.define("char->integer", 1, 1)
def char_to_integer(char: Any) -> int:
    return ord(require_char("char->integer", char).value)


@registry.define("integer->char", 1, 1)
def integer_to_char(code: Any) -> Char:
    if type(code) is not int:
        raise type_error("integer->char", "an exact integer", code)
    if not 0 <= code <= MAX_CODE_POINT or code in SURROGATES:
        raise EvaluationError(
            f"integer->char: {code} is not a Unicode scalar value (0 to #x10FFFF, excluding surrogates)"
        )
    return Char(chr(code))


def define_case_change(name: str, change: Callable[[str], str]) -> None:
    """Register a character case mapping that leaves a character unchanged if it maps to several."""

    def case_change(char: Any) -> Char:
        changed = change(require_char(name, char).value)
        return Char(changed) if len(changed) == 1 else char

    registry.define(name, 1, 1)(case_change)


define_case_change("char-upcase", str.upper)
define_case_change("char-downcase", str.lower)


def define_char_class(name: str, predicate: Callable[[str], bool]) -> None:
    def char_class(char: Any) -> bool:
        return predicate(require_char(name, char).value)

    registry.define(name, 1, 1)(char_class)


define_char_class("char-alphabetic?", str.isalpha)
# R7RS counts only Unicode decimal digits (category Nd) as numeric.
define_char_class("char-numeric?", lambda value: unicodedata.category(value) == "Nd")
define_char_class("char-whitespace?", str.isspace)
define_char_class("char-upper-case?", str.isupper)
define_char_class("char-lower-case?", str.islower)
