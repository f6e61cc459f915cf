"""Tests of the symbol, string and character primitives."""

from __future__ import annotations

import pytest

from symdiff.evaluator.core import apply_procedure

from symdiff.errors import ArityError, EvaluationError, SchemeTypeError
from symdiff.evaluator.builtins import all_primitives
from symdiff.printer import write_string
from symdiff.types import NIL, Char, Symbol, make_list

PRIMITIVES = all_primitives()


def call(name, *args):
    # Through the evaluator's apply_procedure, which checks arity and finishes tail calls.
    return apply_procedure(PRIMITIVES[name], list(args))


def error_message(name, *args):
    """Call a primitive that must raise EvaluationError and return the error's message."""
    with pytest.raises(EvaluationError) as excinfo:
        call(name, *args)
    return excinfo.value.message


def chars(text):
    return make_list(Char(char) for char in text)


UPCASE = PRIMITIVES["char-upcase"]
IS_DIGIT = PRIMITIVES["char-numeric?"]

TEXT_CASES = [
    ("symbol?", (Symbol("a"),), True),
    ("symbol?", ("a",), False),
    ("symbol?", (NIL,), False),
    ("string?", ("a",), True),
    ("string?", (Char("a"),), False),
    ("string?", (Symbol("a"),), False),
    ("char?", (Char("a"),), True),
    ("char?", ("a",), False),
    ("symbol->string", (Symbol("abc"),), "abc"),
    ("symbol->string", ("abc",), SchemeTypeError),
    ("string->symbol", ("hello world",), Symbol("hello world")),
    ("string->symbol", (Symbol("a"),), SchemeTypeError),
    ("symbol-append", (Symbol("foo"), Symbol("bar")), Symbol("foobar")),
    ("symbol-append", (Symbol("foo"), "bar"), SchemeTypeError),
    ("string-append", (), ""),
    ("string-append", ("ab", "", "cd"), "abcd"),
    ("string-append", ("ab", Char("c")), SchemeTypeError),
    ("string-length", ("",), 0),
    ("string-length", ("h\u00e9llo",), 5),
    ("string-length", (Symbol("abc"),), SchemeTypeError),
    ("substring", ("hello", 1, 3), "el"),
    ("substring", ("hello", 2), "llo"),
    ("substring", ("hello", 5), ""),
    ("substring", ("hello", 0, 5), "hello"),
    ("substring", ("hello", 3, 2), EvaluationError),
    ("substring", ("hello", 0, 6), EvaluationError),
    ("substring", ("hello", 6), EvaluationError),
    ("substring", ("hello", -1, 2), SchemeTypeError),
    ("substring", ("hello", 1.0, 2), SchemeTypeError),
    ("substring", ("hello", True, 2), SchemeTypeError),
    ("string-ref", ("abc", 1), Char("b")),
    ("string-ref", ("abc", 3), EvaluationError),
    ("string-ref", ("", 0), EvaluationError),
    ("string-ref", ("abc", -1), SchemeTypeError),
    ("string=?", ("a",), True),
    ("string=?", ("abc", "abc", "abc"), True),
    ("string=?", ("abc", "abd"), False),
    ("string=?", ("abc", Symbol("abc")), SchemeTypeError),
    ("string<?", ("abc", "abd", "b"), True),
    ("string<?", ("abc", "abc"), False),
    ("string<?", ("Z", "a"), True),
    ("string>?", ("b", "a"), True),
    ("string<=?", ("a", "a", "b"), True),
    ("string>=?", ("a", "b"), False),
    ("string-ci=?", ("HeLLo", "hello"), True),
    ("string-ci=?", ("Stra\u00dfe", "STRASSE"), True),
    ("string-ci<?", ("a", "B"), True),
    ("string-upcase", ("hello World",), "HELLO WORLD"),
    ("string-downcase", ("Hello",), "hello"),
    ("string-upcase", (Char("a"),), SchemeTypeError),
    ("string-copy", ("hello",), "hello"),
    ("string-copy", ("hello", 1, 4), "ell"),
    ("string-copy", ("hello", 4, 9), EvaluationError),
    ("string-null?", ("",), True),
    ("string-null?", ("a",), False),
    ("string-null?", (NIL,), SchemeTypeError),
    ("string", (), ""),
    ("string", (Char("a"), Char("b")), "ab"),
    ("string", ("a",), SchemeTypeError),
    ("make-string", (3, Char("x")), "xxx"),
    ("make-string", (2,), "  "),
    ("make-string", (0, Char("x")), ""),
    ("make-string", (-1, Char("x")), SchemeTypeError),
    ("make-string", (2, "x"), SchemeTypeError),
    ("list->string", (chars("abc"),), "abc"),
    ("list->string", (NIL,), ""),
    ("list->string", (make_list(["a"]),), SchemeTypeError),
    ("list->string", (make_list([Char("a")], Char("b")),), SchemeTypeError),
    ("string-index", ("hello", Char("l")), 2),
    ("string-index", ("hello", Char("z")), False),
    ("string-index", ("ab1c", IS_DIGIT), 2),
    ("string-index", ("abc", IS_DIGIT), False),
    ("string-index", ("abc", "b"), SchemeTypeError),
    ("string-search-forward", ("lo", "hello hello", 0), 3),
    ("string-search-forward", ("lo", "hello hello", 4), 9),
    ("string-search-forward", ("xyz", "hello", 0), False),
    ("string-search-forward", ("", "hello", 5), 5),
    ("string-search-forward", ("lo", "hello", 6), EvaluationError),
    ("string-join", (make_list(["a", "b", "c"]),), "a b c"),
    ("string-join", (make_list(["a", "b"]), ", "), "a, b"),
    ("string-join", (NIL, ", "), ""),
    ("string-join", (make_list(["a", 1]),), SchemeTypeError),
    ("char->integer", (Char("A"),), 65),
    ("char->integer", (Char("\u03bb"),), 955),
    ("char->integer", ("A",), SchemeTypeError),
    ("integer->char", (97,), Char("a")),
    ("integer->char", (0x10FFFF,), Char("\U0010ffff")),
    ("integer->char", (0x110000,), EvaluationError),
    ("integer->char", (0xD800,), EvaluationError),
    ("integer->char", (-1,), EvaluationError),
    ("integer->char", (97.0,), SchemeTypeError),
    ("integer->char", (True,), SchemeTypeError),
    ("char=?", (Char("a"), Char("a"), Char("a")), True),
    ("char=?", (Char("a"), Char("b")), False),
    ("char=?", (Char("a"), "a"), SchemeTypeError),
    ("char<?", (Char("a"), Char("b"), Char("c")), True),
    ("char<?", (Char("b"), Char("a")), False),
    ("char>?", (Char("b"), Char("a")), True),
    ("char<=?", (Char("a"), Char("a")), True),
    ("char>=?", (Char("a"), Char("b")), False),
    ("char-ci=?", (Char("a"), Char("A")), True),
    ("char-upcase", (Char("a"),), Char("A")),
    ("char-upcase", (Char("1"),), Char("1")),
    ("char-upcase", (Char("\u00df"),), Char("\u00df")),
    ("char-downcase", (Char("A"),), Char("a")),
    ("char-upcase", ("a",), SchemeTypeError),
    ("char-alphabetic?", (Char("a"),), True),
    ("char-alphabetic?", (Char("\u03bb"),), True),
    ("char-alphabetic?", (Char("1"),), False),
    ("char-numeric?", (Char("7"),), True),
    ("char-numeric?", (Char("\u0663"),), True),
    ("char-numeric?", (Char("\u00bd"),), False),
    ("char-numeric?", (Char("x"),), False),
    ("char-whitespace?", (Char(" "),), True),
    ("char-whitespace?", (Char("\n"),), True),
    ("char-whitespace?", (Char("x"),), False),
    ("char-upper-case?", (Char("A"),), True),
    ("char-lower-case?", (Char("A"),), False),
    ("char-alphabetic?", ("a",), SchemeTypeError),
    ("string->symbol", (), ArityError),
]


@pytest.mark.parametrize("name, args, expected", TEXT_CASES)
def test_text(name, args, expected):
    if isinstance(expected, type) and issubclass(expected, Exception):
        with pytest.raises(expected):
            call(name, *args)
        return
    result = call(name, *args)
    assert type(result) is type(expected)
    assert result == expected


def test_symbol_round_trip_interned():
    assert call("string->symbol", call("symbol->string", Symbol("x"))) is Symbol("x")


def test_string_to_list():
    assert write_string(call("string->list", "abc")) == "(#\\a #\\b #\\c)"


def test_string_to_list_range():
    assert write_string(call("string->list", "abcd", 1, 3)) == "(#\\b #\\c)"


def test_string_to_list_empty():
    assert call("string->list", "") is NIL


def test_string_list_round_trip_long():
    text = "xy" * 50_000
    assert call("list->string", call("string->list", text)) == text


def test_string_index_calls_predicate():
    assert call("string-index", "abc", UPCASE) == 0


TEXT_ERROR_MESSAGES = [
    ("substring", ("hello", 0, 6), "substring: end index 6 is out of range for a string of length 5"),
    ("substring", ("hello", 3, 2), "substring: start index 3 is greater than end index 2"),
    ("string-ref", ("abc", 3), "string-ref: index 3 is out of range for a string of length 3"),
    ("string-length", (5,), "string-length: expected a string, got 5"),
    ("string-append", ("a", Symbol("b")), "string-append: expected a string, got b"),
    ("char->integer", ("A",), 'char->integer: expected a character, got "A"'),
    (
        "integer->char",
        (0xD800,),
        "integer->char: 55296 is not a Unicode scalar value (0 to #x10FFFF, excluding surrogates)",
    ),
    ("symbol->string", ("abc",), 'symbol->string: expected a symbol, got "abc"'),
    ("list->string", (make_list([Char("a"), 1]),), "list->string: expected a character, got 1"),
]


@pytest.mark.parametrize("name, args, message", TEXT_ERROR_MESSAGES)
def test_text_error_message(name, args, message):
    assert error_message(name, *args) == message
