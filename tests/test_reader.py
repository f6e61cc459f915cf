"""Tests of the reader: source text to Scheme data, positions and syntax errors."""

from __future__ import annotations

import math
import os
import tempfile
import time
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from symdiff import NIL, Pair, ReadError, SchemeError, SourcePosition, Symbol
from symdiff.printer import write_string
from symdiff.reader import is_incomplete, parser_cache_file, read, read_all
from symdiff.types import Char


def read_printed(text: str) -> str:
    """Read one datum from `text` and return its write form."""
    return write_string(read(text))


# --- atoms ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0", 0),
        ("42", 42),
        ("-5", -5),
        ("+5", 5),
        ("1/2", Fraction(1, 2)),
        ("-3/4", Fraction(-3, 4)),
        ("6/4", Fraction(3, 2)),
        ("2.5", 2.5),
        (".5", 0.5),
        ("+.5", 0.5),
        ("-.5e2", -50.0),
        ("1.", 1.0),
        ("1e3", 1000.0),
        ("1E3", 1000.0),
        ("1e-3", 0.001),
        ("+inf.0", math.inf),
        ("-inf.0", -math.inf),
    ],
)
def test_number_value(text: str, expected: object) -> None:
    assert read(text) == expected


@pytest.mark.parametrize(
    ("text", "expected_type"),
    [
        ("42", int),
        ("-5", int),
        ("1/2", Fraction),
        ("4/2", int),
        ("2.5", float),
        ("1e3", float),
        ("1.", float),
        ("+inf.0", float),
        ("+nan.0", float),
    ],
)
def test_number_type(text: str, expected_type: type) -> None:
    assert type(read(text)) is expected_type


def test_number_nan() -> None:
    assert math.isnan(read("+nan.0"))


def test_number_negative_zero() -> None:
    assert math.copysign(1.0, read("-0.0")) == -1.0


def test_number_exact_integer_10000_digits() -> None:
    # 777...7 with 10,000 digits; Python's int() itself rejects strings over 4300 digits.
    assert read("7" * 10_000) == (10**10_000 - 1) // 9 * 7


def test_number_exact_rational_long() -> None:
    numerator = "1" + "0" * 1000
    value = read(f"{numerator}/3")
    assert value == Fraction(10**1000, 3)


def test_long_rational_reads_as_fast_as_integer() -> None:
    digits = "1" * 8_000
    start = time.perf_counter()
    read(digits)
    integer_seconds = time.perf_counter() - start

    start = time.perf_counter()
    read(digits + "/3")
    rational_seconds = time.perf_counter() - start

    # A reader that is linear in the digits needs only a small multiple of the integer's time
    # for the rational. The 0.1 s slack absorbs timer noise on a loaded machine.
    assert rational_seconds < 20 * integer_seconds + 0.1


@pytest.mark.parametrize(
    "text",
    ["+", "-", "...", "->x", "**", "<=?", "1+", "-1+", "-x", "a.b", "a/b", "x1", "set-car!", "λ", "Hello"],
)
def test_symbol(text: str) -> None:
    assert read(text) is Symbol(text)


def test_symbol_case_sensitive() -> None:
    assert read("Abc") is not read("abc")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('""', ""),
        ('"abc"', "abc"),
        ('"a\\nb"', "a\nb"),
        ('"a\\tb"', "a\tb"),
        ('"\\r"', "\r"),
        ('"\\a\\b"', "\a\b"),
        ('"say \\"hi\\""', 'say "hi"'),
        ('"back\\\\slash"', "back\\slash"),
        ('"\\x41;"', "A"),
        ('"\\x3bb;"', "λ"),
        ('"\\x0;"', "\0"),
        ('"a\\|b"', "a|b"),
        ('"ab\\\n    cd"', "abcd"),
        ('"λ and ü"', "λ and ü"),
        ('"a;b"', "a;b"),
        ('"#|x|#"', "#|x|#"),
        ('"line1\nline2"', "line1\nline2"),
    ],
)
def test_string(text: str, expected: str) -> None:
    assert read(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("#t", True), ("#f", False), ("#true", True), ("#false", False)],
)
def test_boolean(text: str, expected: bool) -> None:
    assert read(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("#\\a", "a"),
        ("#\\A", "A"),
        ("#\\x", "x"),
        ("#\\space", " "),
        ("#\\newline", "\n"),
        ("#\\tab", "\t"),
        ("#\\nul", "\0"),
        ("#\\x41", "A"),
        ("#\\x3bb", "λ"),
        ("#\\λ", "λ"),
        ("#\\(", "("),
        ("#\\)", ")"),
        ("#\\;", ";"),
        ("#\\#", "#"),
    ],
)
def test_character(text: str, expected: str) -> None:
    assert read(text) == Char(expected)


# --- compound data -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("()", "()"),
        ("(1 2 3)", "(1 2 3)"),
        ("[1 2]", "(1 2)"),
        ("(a [b c] d)", "(a (b c) d)"),
        ("(a . b)", "(a . b)"),
        ("(a b . c)", "(a b . c)"),
        ("(a . (b c))", "(a b c)"),
        ("(a . ())", "(a)"),
        ("((1 2) (3 (4)))", "((1 2) (3 (4)))"),
        ("'x", "(quote x)"),
        ("'()", "(quote ())"),
        ("`x", "(quasiquote x)"),
        (",x", "(unquote x)"),
        (",@x", "(unquote-splicing x)"),
        ("`(a ,b ,@c)", "(quasiquote (a (unquote b) (unquote-splicing c)))"),
        ("''x", "(quote (quote x))"),
        ("#()", "#()"),
        ("#(1 2 3)", "#(1 2 3)"),
        ('#(a (b) "s" #(1))', '#(a (b) "s" #(1))'),
        ("(1+ -5)", "(1+ -5)"),
        ("(- 5)", "(- 5)"),
        ("(a\tb\fc)", "(a b c)"),
    ],
)
def test_compound(text: str, expected: str) -> None:
    assert read_printed(text) == expected


def test_empty_list_is_nil() -> None:
    assert read("()") is NIL


def test_list_is_pairs() -> None:
    value = read("(a b)")
    assert type(value) is Pair
    assert value.car is Symbol("a")
    assert value.cdr.car is Symbol("b")
    assert value.cdr.cdr is NIL


def test_vector_is_python_list() -> None:
    assert read("#(1 2)") == [1, 2]


# --- comments and layout -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("; a comment\n(1 2)", "(1 2)"),
        ("(1 ; a comment\n 2)", "(1 2)"),
        ("(1 2) ; a comment at the end", "(1 2)"),
        ("#| block |# (1 2)", "(1 2)"),
        ("(1 #| block |# 2)", "(1 2)"),
        ("(1 #| outer #| inner |# still outer |# 2)", "(1 2)"),
        ("(a #| ) |# b)", "(a b)"),
        ("#| ; |# (1 2)", "(1 2)"),
        ("#|\nline\n|# (1 2)", "(1 2)"),
        ("(1 #;2 3)", "(1 3)"),
        ("(1 #; 2 3)", "(1 3)"),
        ("#;(a b) (1 2)", "(1 2)"),
        ("(1 #;(a (b)) 2)", "(1 2)"),
        ("\ufeff(1 2)", "(1 2)"),
        ("(1\r\n2)", "(1 2)"),
        ("(define (f x)\r\n  x)\r\n", "(define (f x) x)"),
    ],
)
def test_comments_and_layout(text: str, expected: str) -> None:
    assert read_printed(text) == expected


def test_datum_comment_nested() -> None:
    assert read_printed("(1 #;#;2 3 4)") == "(1 4)"


def test_read_all_positions() -> None:
    data = read_all("a\n  (b c)\n'd", "file.scm")
    positions = [position for _, position in data]
    assert positions == [
        SourcePosition("file.scm", 1, 1),
        SourcePosition("file.scm", 2, 3),
        SourcePosition("file.scm", 3, 1),
    ]


def test_read_all_values() -> None:
    data = read_all("a (b c) 'd")
    assert [write_string(datum) for datum, _ in data] == ["a", "(b c)", "(quote d)"]


def test_read_all_empty() -> None:
    assert read_all("  ; only a comment\n") == []


def test_read_all_positions_after_block_comment() -> None:
    data = read_all("#| one\ntwo |# x\ny")
    assert [position for _, position in data] == [SourcePosition("<input>", 2, 8), SourcePosition("<input>", 3, 1)]


def test_read_all_positions_after_bom() -> None:
    data = read_all("\ufeffx y")
    assert [position.column for _, position in data] == [1, 3]


def test_pair_records_element_position() -> None:
    value = read("(a\n b)")
    assert value.position == SourcePosition("<input>", 1, 2)
    assert value.cdr.position == SourcePosition("<input>", 2, 2)


def test_read_two_data_rejected() -> None:
    with pytest.raises(ReadError, match="expected one datum, found 2"):
        read("1 2")


def test_read_nothing_rejected() -> None:
    with pytest.raises(ReadError, match="found 0"):
        read("")


# --- errors ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "column", "message"),
    [
        ("(1 2", 1, 1, "unclosed '('"),
        ("(define (f x)\n  (+ x 1)", 1, 1, "unclosed '('"),
        ("(a\n  (b", 2, 3, "unclosed '('"),
        ("[1 2", 1, 1, "unclosed '['"),
        ("(ok)\n\n   (1 2", 3, 4, "unclosed '('"),
        ('(display ")"', 1, 1, "unclosed '('"),
        ("(a #\\( b", 1, 1, "unclosed '('"),
        ("(a ; )\n", 1, 1, "unclosed '('"),
        ("#| ( |# (", 1, 9, "unclosed '('"),
        ("(a . b . c)", 1, 8, "dot"),
        ("#(1 . 2)", 1, 5, "dot"),
        ("#\\x110000", 1, 1, "code point too large"),
        (")", 1, 1, "unexpected ')'"),
        ("(1 2))", 1, 6, "unexpected ')'"),
        ("(1 2)\n  ]", 2, 3, "unexpected ']'"),
        ("[1 2)", 1, 5, "mismatched ')'"),
        ("(. 1)", 1, 2, "dot"),
        ("(1 . )", 1, 6, "dot"),
        ("(1 . 2 3)", 1, 8, "only one datum may follow the dot"),
        ('"abc', 1, 1, "unterminated string"),
        ('(display "abc)', 1, 10, "unterminated string"),
        ("#| never closed", 1, 1, "unterminated block comment"),
        ("x #| a #| b |# c", 1, 3, "unterminated block comment"),
        ("'", 1, 1, "end of input"),
        ("(a ')", 1, 5, "must be followed by a datum"),
        ("#q", 1, 1, "invalid syntax"),
        ("1/0", 1, 1, "denominator is zero"),
        ("#\\bogus", 1, 1, "unknown character name"),
        ('"\\q"', 1, 1, "invalid string escape"),
        ('"\\xZZ;"', 1, 1, "invalid string escape"),
        ("|x", 1, 1, "unterminated |symbol|"),
        ("a |# b", 1, 3, "closes a block comment"),
        ("a\x00b", 1, 2, "invalid character '\\x00' (U+0000): control characters"),
        ("(f \x1b[31m)", 1, 4, "(U+001B)"),
        ("\x7f", 1, 1, "(U+007F)"),
        ('"a\\xD800;"', 1, 1, "UTF-16 surrogates"),
        ("(f #\\xDFFF)", 1, 4, "UTF-16 surrogates"),
        ("|\\xDC00;|", 1, 1, "UTF-16 surrogates"),
    ],
)
def test_read_error(text: str, line: int, column: int, message: str) -> None:
    with pytest.raises(ReadError) as caught:
        read_all(text, "prog.scm")
    assert caught.value.position == SourcePosition("prog.scm", line, column)
    assert message in caught.value.message


def test_read_error_is_scheme_error() -> None:
    with pytest.raises(SchemeError):
        read("(1 2")


def test_read_error_string_form() -> None:
    with pytest.raises(ReadError) as caught:
        read_all("\n  )", "prog.scm")
    assert str(caught.value).startswith("prog.scm:2:3: error: unexpected ')'")


@pytest.mark.parametrize(
    ("text", "incomplete"),
    [
        ("(1 2", True),
        ("(define (f x)\n  (+ x 1)", True),
        ("[1", True),
        ("#(1", True),
        ('"ab', True),
        ('"a\\', True),
        ('(display ")"', True),
        ("#| a", True),
        ("#| a #| b |#", True),
        ("'", True),
        ("(a ; comment", True),
        ("(1 #;", True),
        ("(1 2)", False),
        ("", False),
        ("   ", False),
        (")", False),
        ("(a]", False),
        ("#q", False),
    ],
)
def test_is_incomplete(text: str, incomplete: bool) -> None:
    assert is_incomplete(text) is incomplete


def test_incomplete_flag_on_error() -> None:
    with pytest.raises(ReadError) as caught:
        read("(1 2")
    assert caught.value.incomplete is True


# --- size ----------------------------------------------------------------------------------


def test_deep_quote_nesting() -> None:
    value = read("'" * 100_000 + "x")
    depth = 0
    while type(value) is Pair:
        value = value.cdr.car
        depth += 1
    assert depth == 100_000


def test_long_list() -> None:
    text = "(" + " ".join(str(number) for number in range(100_000)) + ")"
    value = read(text)
    assert sum(value) == sum(range(100_000))


def test_many_top_level_data() -> None:
    data = read_all("x\n" * 20_000)
    assert len(data) == 20_000
    assert data[-1][1].line == 20_000


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX permissions")
def test_parser_cache_in_private_directory(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(tempfile, "gettempdir", lambda: str(tmp_path))
    path = parser_cache_file("scheme")
    directory = tmp_path / f"symdiff-{os.getuid()}"
    assert path == str(directory / "scheme.lark-cache")
    assert directory.stat().st_mode & 0o777 == 0o700


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX permissions")
def test_parser_cache_skips_shared_directory(tmp_path, monkeypatch) -> None:
    # A directory others can write to could hold a planted pickle: no cache then.
    monkeypatch.setattr(tempfile, "gettempdir", lambda: str(tmp_path))
    directory = tmp_path / f"symdiff-{os.getuid()}"
    directory.mkdir()
    directory.chmod(0o777)
    assert parser_cache_file("scheme") is False


def test_control_characters_allowed_in_strings_and_comments() -> None:
    assert [datum for datum, _ in read_all('"a\x07b" ; \x00 here\n', "prog.scm")] == ["a\x07b"]


# --- the plain route against the Lark parser ------------------------------------------------

_PLAIN_ATOMS = [
    "x", "sin", "1+", "-x", "...", "a.b", "->x", "λ", "1", "-2", "+3", "1/2", "-3/4", "1/0", "3.5e2", ".5",
    "1.", "+inf.0", "-nan.0", '"s"', '"a\\nb"', '"two\nlines"', '"\\x41;"', '"\\q"', "#t", "#false",
    "#\\a", "#\\space", "#\\x41", "#\\bogus", "|a b|", "|x\ny|", "#(1 2)", ".", "`x", ",x", ",@x", "#;",
    "#;x", "{", "1e", "#|c|#", "#\\\n",
]
_PLAIN_SPACES = [" ", "  ", "\n", "\t", " ; note\n", "\n\n  ", "\r\n"]


@st.composite
def _plain_texts(draw, depth: int = 0) -> str:
    parts = []
    for _ in range(draw(st.integers(0, 4))):
        choice = draw(st.integers(0, 9))
        if choice < 2 and depth < 4:
            opener, closer = draw(st.sampled_from([("(", ")"), ("[", "]"), ("(", "]"), ("(", "")]))
            parts.append(opener + draw(_plain_texts(depth + 1)) + closer)
        elif choice == 2:
            parts.append("'" + draw(st.sampled_from(_PLAIN_ATOMS + ["(a b)", "'x", ""])))
        else:
            parts.append(draw(st.sampled_from(_PLAIN_ATOMS)))
        parts.append(draw(st.sampled_from(_PLAIN_SPACES)))
    return "".join(parts)


def _shape(value):
    """Nested tuples that tell data apart by type, value, sharing aside, and pair positions."""
    if type(value) is Pair:
        return ("pair", _shape(value.car), _shape(value.cdr), value.position)
    if type(value) is list:
        return ("vector", [_shape(item) for item in value])
    return (type(value).__name__, repr(value))


@settings(max_examples=500, deadline=None)
@given(_plain_texts())
def test_plain_route_reads_as_the_parser(text) -> None:
    from symdiff.reader import _blank_block_comments, _parser, _read_plain

    parser, builder = _parser()
    builder.source = "t.scm"
    text = text.replace("\r\n", "\n")
    try:
        expected = [(_shape(value), position) for value, position in parser.parse(_blank_block_comments(text, "t.scm"))]
    except Exception:  # noqa: BLE001 - any parser error means the plain route must decline
        expected = None
    plain = _read_plain(_blank_block_comments(text, "t.scm"), builder)
    if plain is not None:
        assert [(_shape(value), position) for value, position in plain] == expected


def test_plain_route_takes_plain_text() -> None:
    from symdiff.reader import _parser, _read_plain

    _, builder = _parser()
    builder.source = "t.scm"
    assert _read_plain("(define (f x)\n  '(* x \"s\" #t))\n", builder) is not None
    for text in ("#(1 2)", "(a . b)", "`(a ,b)", "(a #;b c)", "(a", "a)", "(a]", "1/0", "'"):
        assert _read_plain(text, builder) is None, text
