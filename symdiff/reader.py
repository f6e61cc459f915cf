"""The reader: source text to Scheme data, through the Lark grammar in grammar/scheme.lark.

The LALR parser runs the transformer callbacks below as it reduces, so no parse tree is built
and nesting depth is limited only by memory. Each datum comes back with its position, and every
pair built here records the position of the datum in its car.
"""

from __future__ import annotations

import functools
import os
import tempfile
import threading
from typing import Any, Iterator

import lark
from lark import Lark, Token, Transformer

from .errors import ReadError, SourcePosition
from .numbers import parse_number
from .types import NIL, Char, Pair, Symbol

QUOTE = Symbol("quote")
QUASIQUOTE = Symbol("quasiquote")
UNQUOTE = Symbol("unquote")
UNQUOTE_SPLICING = Symbol("unquote-splicing")

CHARACTER_NAMES = {
    "space": " ",
    "newline": "\n",
    "tab": "\t",
    "nul": "\0",
    "null": "\0",
    "return": "\r",
    "linefeed": "\n",
    "alarm": "\a",
    "backspace": "\b",
    "delete": "\x7f",
    "escape": "\x1b",
}

STRING_ESCAPES = {"a": "\a", "b": "\b", "t": "\t", "n": "\n", "r": "\r", '"': '"', "\\": "\\", "|": "|"}

# Source files larger than this are rejected before reading. The reader takes about 10 us and
# 60 bytes of memory per character on CPython 3.11, so 64 MiB already means minutes and
# gigabytes, and reading a device such as /dev/zero would never end.
MAX_SOURCE_BYTES = 64 * 1024 * 1024

# Returned by the datum-comment callback; list callbacks drop it.
_SKIPPED = object()


def grammar_text(file_name: str) -> str:
    """Return a grammar file's text, from the installed package or, in a source checkout, grammar/.

    Importing importlib.resources, with the zipfile module it needs, adds a few milliseconds to
    start-up, so plain file paths are tried first. It is used only when symdiff is imported from
    a zip archive, where neither path is a file.
    """
    package_directory = os.path.dirname(os.path.realpath(__file__))
    for directory in (package_directory, os.path.dirname(package_directory)):
        path = os.path.join(directory, "grammar", file_name)
        if os.path.isfile(path):
            with open(path, encoding="utf-8") as file:
                return file.read()
    from importlib import resources

    return resources.files("symdiff").joinpath("grammar", file_name).read_text(encoding="utf-8")


class _DatumBuilder(Transformer):
    """Turn tokens into (value, position) pairs as the parser reduces each rule."""

    def __init__(self) -> None:
        super().__init__()
        self.source = "<input>"

    def _position(self, token: Token) -> SourcePosition:
        return SourcePosition(self.source, token.line or 0, token.column or 0)

    def start(self, items: list) -> list:
        return items[0]

    def empty_sequence(self, items: list) -> list:
        return []

    def extend_sequence(self, items: list) -> list:
        sequence, item = items
        if item is not _SKIPPED:
            sequence.append(item)
        return sequence

    def datum_comment(self, items: list) -> object:
        return _SKIPPED

    def number(self, items: list) -> tuple:
        token = items[0]
        try:
            value = parse_number(str(token))
        except ZeroDivisionError:
            raise ReadError(
                f"invalid number {token}: the denominator is zero", self._position(token)
            ) from None
        return value, self._position(token)

    def string(self, items: list) -> tuple:
        token = items[0]
        return _decode_string(str(token)[1:-1], self._position(token)), self._position(token)

    def boolean(self, items: list) -> tuple:
        token = items[0]
        return str(token) in ("#t", "#true"), self._position(token)

    def character(self, items: list) -> tuple:
        token = items[0]
        name = str(token)[2:]
        if len(name) == 1:
            value = name
        elif name in CHARACTER_NAMES:
            value = CHARACTER_NAMES[name]
        elif name[0] == "x" and all(c in "0123456789abcdefABCDEF" for c in name[1:]):
            code = int(name[1:], 16)
            if code > 0x10FFFF:
                raise ReadError(f"invalid character #\\{name}: code point too large", self._position(token))
            if 0xD800 <= code <= 0xDFFF:
                raise ReadError(_surrogate_message(f"#\\{name}"), self._position(token))
            value = chr(code)
        else:
            raise ReadError(
                f"unknown character name #\\{name}; use one character or a name such as #\\space",
                self._position(token),
            )
        return Char(value), self._position(token)

    def symbol(self, items: list) -> tuple:
        token = items[0]
        return Symbol(str(token)), self._position(token)

    def bar_symbol(self, items: list) -> tuple:
        token = items[0]
        position = self._position(token)
        return Symbol(_decode_string(str(token)[1:-1], position)), position

    def list(self, items: list) -> tuple:
        return _build_list(items[1], NIL), self._position(items[0])

    def dotted_list(self, items: list) -> tuple:
        # LPAR sequence item DOT item RPAR, where either item may be a skipped datum comment.
        elements = list(items[1])
        if items[2] is not _SKIPPED:
            elements.append(items[2])
        if items[4] is _SKIPPED or not elements:
            raise ReadError("invalid dotted list: a datum must come before and after the dot", self._position(items[0]))
        return _build_list(elements, items[4][0]), self._position(items[0])

    def vector(self, items: list) -> tuple:
        return [value for value, _ in items[1]], self._position(items[0])

    def _abbreviation(self, symbol: Symbol, items: list) -> tuple:
        token, datum = items
        position = self._position(token)
        if datum is _SKIPPED:
            raise ReadError(f"{token} must be followed by a datum", position)
        value, datum_position = datum
        return Pair(symbol, Pair(value, NIL, datum_position), position), position

    def quote(self, items: list) -> tuple:
        return self._abbreviation(QUOTE, items)

    def quasiquote(self, items: list) -> tuple:
        return self._abbreviation(QUASIQUOTE, items)

    def unquote(self, items: list) -> tuple:
        return self._abbreviation(UNQUOTE, items)

    def unquote_splicing(self, items: list) -> tuple:
        return self._abbreviation(UNQUOTE_SPLICING, items)


def _surrogate_message(written: str) -> str:
    return f"invalid character {written}: U+D800 to U+DFFF are UTF-16 surrogates, not characters"


def _build_list(elements: list, tail: Any) -> Any:
    result = tail
    for value, position in reversed(elements):
        result = Pair(value, result, position)
    return result


def _decode_string(body: str, position: SourcePosition) -> str:
    """Apply R7RS string escapes, including `\\xHH;` and the backslash line continuation."""
    if "\\" not in body:
        return body
    out: list[str] = []
    i = 0
    length = len(body)
    while i < length:
        char = body[i]
        if char != "\\":
            out.append(char)
            i += 1
            continue
        escape = body[i + 1]
        if escape in STRING_ESCAPES:
            out.append(STRING_ESCAPES[escape])
            i += 2
        elif escape == "x":
            end = body.find(";", i)
            digits = body[i + 2 : end] if end != -1 else ""
            code = int(digits, 16) if digits and all(c in "0123456789abcdefABCDEF" for c in digits) else -1
            if not 0 <= code <= 0x10FFFF:
                raise ReadError(r"invalid string escape: \x must be followed by hex digits and ';'", position)
            if 0xD800 <= code <= 0xDFFF:
                raise ReadError(_surrogate_message(f"\\x{digits};"), position)
            out.append(chr(code))
            i = end + 1
        elif escape in " \t\n\r":
            # \ <spaces> newline <spaces> joins two lines.
            j = i + 1
            while j < length and body[j] in " \t":
                j += 1
            if j < length and body[j] == "\r":
                j += 1
            if j >= length or body[j] != "\n":
                raise ReadError("invalid string escape: backslash followed by a space", position)
            j += 1
            while j < length and body[j] in " \t":
                j += 1
            i = j
        else:
            raise ReadError(f"invalid string escape \\{escape}", position)
    return "".join(out)


def parser_cache_file(grammar_name: str) -> str | bool:
    """Return the file where Lark keeps a grammar's parser tables, or False for no cache.

    Lark's own `cache=True` file sits in the shared temporary directory under a predictable
    name, and Lark unpickles it, so another local user could plant code there. This file goes
    in a directory that only this user can write. When that directory belongs to someone else
    or others may write to it, nothing is cached.
    """
    user = os.getuid() if hasattr(os, "getuid") else 0
    directory = os.path.join(tempfile.gettempdir(), f"symdiff-{user}")
    try:
        os.makedirs(directory, mode=0o700, exist_ok=True)
        status = os.stat(directory)
    except OSError:
        return False
    if hasattr(os, "getuid") and (status.st_uid != os.getuid() or status.st_mode & 0o022):
        return False
    # Lark also checks a hash of the grammar and options stored in the file.
    return os.path.join(directory, f"{grammar_name}.lark-cache")


@functools.lru_cache(maxsize=1)
def _parser() -> tuple[Lark, _DatumBuilder]:
    builder = _DatumBuilder()
    # The basic lexer compiles one scanner. The contextual lexer compiles one per parser state
    # on first use, which took about 1.5 ms more per process with Lark 1.3.1 on CPython 3.11.
    # For this grammar both give the same data and errors, as tests/test_startup.py checks.
    parser = Lark(
        grammar_text("scheme.lark"),
        parser="lalr",
        lexer="basic",
        transformer=builder,
        maybe_placeholders=False,
        cache=parser_cache_file("scheme"),
    )
    return parser, builder


_parse_lock = threading.Lock()


# --- a faster route for plain text ----------------------------------------------------------
#
# Lark's LALR loop costs about 6 us per token on CPython 3.11, so a file with a 100,000-deep
# expression took two seconds to read. Most source text is only lists, quotes and atoms, whose
# structure needs no parse table. `_read_plain` reads such text with a stack. Its tokens come
# from a scanner built from the grammar's own terminals, in the order Lark's basic lexer tries
# them. At anything else it returns None: vectors, dots, quasiquote, datum comments, an
# unknown character, unbalanced brackets or an atom the builder rejects. The Lark parser then
# reads the whole text, so every error message and every other form comes from the grammar.
# Tests compare both routes on generated text.

# Tokens that stand for themselves; the builder's callbacks turn them into data.
_ATOM_CALLBACKS = {"STRING": "string", "BOOLEAN": "boolean", "CHARACTER": "character", "BAR_SYMBOL": "bar_symbol"}
_OPENERS = {"LPAR": "RPAR", "LBRACKET": "RBRACKET"}


@functools.lru_cache(maxsize=1)
def _plain_scanner() -> tuple[Any, frozenset] | None:
    """Return the scanner regex and the ignored token names, or None where Lark's lexer differs.

    The regex is the alternation that Lark's basic lexer compiles, one named group per
    terminal, in the lexer's order.
    """
    import re

    try:
        lexer = _parser()[0].parser.lexer
        pattern = "|".join(f"(?P<{terminal.name}>{terminal.pattern.to_regexp()})" for terminal in lexer.terminals)
        return re.compile(pattern, lexer.g_regex_flags), frozenset(lexer.ignore_types)
    except (AttributeError, TypeError, ValueError, re.error):
        return None  # another Lark version: read everything with the parser


def _read_plain(text: str, builder: _DatumBuilder) -> list | None:
    """Return the (datum, position) pairs of `text`, or None if it needs the Lark parser."""
    scanner = _plain_scanner()
    if scanner is None:
        return None
    regex, ignored = scanner
    # Tokens that may contain a newline: whitespace, strings, |symbols| and #\ followed by a
    # newline character.
    multiline = ignored | _ATOM_CALLBACKS.keys()
    match = regex.match
    source = builder.source
    top: list = []
    elements = top
    # Open lists as (closing token, position, enclosing elements); quotes as (None, position).
    stack: list[tuple] = []
    position_of = SourcePosition
    pos, line, line_start, size = 0, 1, 0, len(text)

    while pos < size:
        found = match(text, pos)
        if found is None:
            return None
        kind = found.lastgroup
        start, pos = pos, found.end()
        token_line, column = line, start - line_start + 1
        if kind in multiline:
            newlines = text.count("\n", start, pos)
            if newlines:
                line += newlines
                line_start = text.rindex("\n", start, pos) + 1
            if kind in ignored:
                continue
        if kind == "RPAR" or kind == "RBRACKET":
            if not stack or stack[-1][0] != kind:
                return None
            _, position, enclosing = stack.pop()
            value: Any = _build_list(elements, NIL)
            elements = enclosing
        elif kind == "SYMBOL":
            value = Symbol(found.group())
            position = position_of(source, token_line, column)
        elif kind == "NUMBER":
            try:
                value = parse_number(found.group())
            except (ZeroDivisionError, ValueError):
                return None
            position = position_of(source, token_line, column)
        elif kind in _OPENERS:
            stack.append((_OPENERS[kind], position_of(source, token_line, column), elements))
            elements = []
            continue
        elif kind == "QUOTE":
            stack.append((None, position_of(source, token_line, column)))
            continue
        elif kind in _ATOM_CALLBACKS:
            token = Token(kind, found.group(), start, token_line, column)
            try:
                value, position = getattr(builder, _ATOM_CALLBACKS[kind])([token])
            except ReadError:
                return None
        else:
            return None

        # The datum completes every quote waiting for it.
        while stack and stack[-1][0] is None:
            quote_position = stack.pop()[1]
            value = Pair(QUOTE, Pair(value, NIL, position), quote_position)
            position = quote_position
        elements.append((value, position))
    return None if stack else top


def read_source_file(path: Any, who: str) -> bytes:
    """Return the bytes of a source file, raising OSError, or ValueError when it is too large."""
    with open(path, "rb") as file:
        data = file.read(MAX_SOURCE_BYTES + 1)
    if len(data) > MAX_SOURCE_BYTES:
        raise ValueError(f"{who}: '{path}' is larger than {MAX_SOURCE_BYTES // (1024 * 1024)} MiB, the limit for a source file")
    return data


def read_all(text: str, source: str = "<input>") -> list[tuple[Any, SourcePosition]]:
    """Read every datum in `text` and return (datum, position) pairs.

    Raises ReadError, with the position of the problem, for invalid syntax.
    """
    if text.startswith("\ufeff"):
        text = text[1:]
    text = text.replace("\r\n", "\n")
    blanked = _blank_block_comments(text, source)
    parser, builder = _parser()
    with _parse_lock:
        builder.source = source
        plain = _read_plain(blanked, builder)
        if plain is not None:
            return plain
        try:
            return parser.parse(blanked)
        except lark.exceptions.VisitError as exc:
            if isinstance(exc.orig_exc, ReadError):
                raise exc.orig_exc from None
            raise
        except ReadError:
            raise
        except lark.exceptions.UnexpectedInput as exc:
            raise _describe_syntax_error(exc, blanked, source) from None


def read(text: str, source: str = "<input>") -> Any:
    """Read exactly one datum from `text`."""
    data = read_all(text, source)
    if len(data) != 1:
        raise ReadError(f"expected one datum, found {len(data)}", SourcePosition(source, 1, 1))
    return data[0][0]


def is_incomplete(text: str) -> bool:
    """Return True if `text` ends inside a datum, so a REPL should read another line."""
    try:
        read_all(text, "<input>")
    except ReadError as exc:
        return exc.incomplete
    return False


def iter_data(text: str, source: str = "<input>") -> Iterator[Any]:
    """Yield the data in `text`, without their positions."""
    for datum, _ in read_all(text, source):
        yield datum


def _blank_block_comments(text: str, source: str) -> str:
    """Replace each nested `#| ... |#` comment with spaces, keeping newlines and so positions.

    Strings, line comments and character literals are skipped so that `#|` inside them is text.
    """
    if "#|" not in text:
        return text
    chars = list(text)
    length = len(text)
    i = 0
    line, column = 1, 1

    def advance(count: int) -> None:
        nonlocal i, line, column
        for _ in range(count):
            if i < length and text[i] == "\n":
                line += 1
                column = 1
            else:
                column += 1
            i += 1

    while i < length:
        char = text[i]
        if char == '"' or char == "|":
            advance(1)
            while i < length and text[i] != char:
                advance(2 if text[i] == "\\" else 1)
            advance(1)
        elif char == ";":
            while i < length and text[i] != "\n":
                advance(1)
        elif text.startswith("#\\", i):
            advance(3)
        elif text.startswith("#|", i):
            start = SourcePosition(source, line, column)
            depth = 0
            while True:
                if i >= length:
                    raise ReadError("unterminated block comment: add '|#' to close it", start, incomplete=True)
                if text.startswith("#|", i):
                    depth += 1
                    chars[i] = chars[i + 1] = " "
                    advance(2)
                elif text.startswith("|#", i):
                    depth -= 1
                    chars[i] = chars[i + 1] = " "
                    advance(2)
                    if depth == 0:
                        break
                else:
                    if text[i] != "\n":
                        chars[i] = " "
                    advance(1)
        else:
            advance(1)
    return "".join(chars)


def _find_unclosed(text: str) -> tuple[int, int, str] | None:
    """Return (line, column, bracket) of the innermost open bracket that is never closed."""
    stack: list[tuple[int, int, str]] = []
    line, column = 1, 1
    i = 0
    length = len(text)
    quote = ""  # the open string or |symbol| delimiter, if any
    while i < length:
        char = text[i]
        step = 1
        if quote:
            if char == "\\":
                step = 2
            elif char == quote:
                quote = ""
        elif char == '"' or char == "|":
            quote = char
        elif char == ";":
            end = text.find("\n", i)
            step = (end if end != -1 else length) - i
        elif text.startswith("#\\", i):
            step = 3
        elif char in "([":
            stack.append((line, column, char))
        elif char in ")]" and stack:
            stack.pop()
        for k in range(i, min(i + step, length)):
            if text[k] == "\n":
                line += 1
                column = 1
            else:
                column += 1
        i += step
    return stack[-1] if stack else None


def _describe_syntax_error(exc: lark.exceptions.UnexpectedInput, text: str, source: str) -> ReadError:
    """Translate a Lark exception into a one-line ReadError that names the problem and its fix."""
    line = getattr(exc, "line", None) or 1
    column = getattr(exc, "column", None) or 1
    position = SourcePosition(source, line, column)

    if isinstance(exc, lark.exceptions.UnexpectedCharacters):
        char = text[exc.pos_in_stream] if exc.pos_in_stream < len(text) else ""
        if char == '"':
            return ReadError('unterminated string: add the closing \'"\'', position, incomplete=True)
        if char == "#":
            word = text[exc.pos_in_stream :].split(None, 1)[0][:20]
            return ReadError(
                f"invalid syntax {word!r}: '#' starts only #t, #f, #\\char, #( and comments",
                position,
            )
        if char == "|":
            if text.startswith("|#", exc.pos_in_stream):
                return ReadError("invalid syntax '|#': it closes a block comment, but none is open", position)
            return ReadError("unterminated |symbol|: add the closing '|'", position, incomplete=True)
        if char.isprintable():
            return ReadError(f"invalid character {char!r}", position)
        return ReadError(
            f"invalid character {char!r} (U+{ord(char):04X}): control characters may appear only in "
            "strings and comments; remove it",
            position,
        )

    token = getattr(exc, "token", None)
    token_type = getattr(token, "type", "$END")
    if token_type == "$END" or isinstance(exc, lark.exceptions.UnexpectedEOF):
        unclosed = _find_unclosed(text)
        if unclosed is not None:
            open_line, open_column, bracket = unclosed
            closer = ")" if bracket == "(" else "]"
            return ReadError(
                f"unclosed '{bracket}' opened here: add '{closer}' to close it",
                SourcePosition(source, open_line, open_column),
                incomplete=True,
            )
        return ReadError("unexpected end of input after a quote or '#;': add the datum", position, incomplete=True)
    before = text[: token.start_pos].rstrip() if token is not None and token.start_pos is not None else ""
    if before.endswith(("'", "`", ",", ",@", "#;")):
        return ReadError(f"unexpected {str(token)!r}: a quote or '#;' must be followed by a datum", position)
    if token_type == "DOT" or before.endswith("."):
        return ReadError(
            f"unexpected {str(token)!r}: a dot may appear only before the last datum of a list, as in (a . b)",
            position,
        )
    if token_type in ("RPAR", "RBRACKET"):
        if _find_unclosed(text[: token.start_pos]) is not None:
            return ReadError(f"mismatched '{token}': close the open bracket with the same kind", position)
        return ReadError(f"unexpected '{token}' with no matching open bracket: remove it", position)
    expected = getattr(exc, "expected", None) or set()
    if expected <= {"RPAR", "RBRACKET"}:
        return ReadError(
            f"unexpected {str(token)!r}: only one datum may follow the dot, then the list must close",
            position,
        )
    return ReadError(f"unexpected {str(token)!r}", position)
