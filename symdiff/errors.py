"""The error hierarchy: every user mistake is a SchemeError with a message and a position."""

from __future__ import annotations

from typing import NamedTuple


class SourcePosition(NamedTuple):
    """A place in a source text: the source's name and a 1-based line and column.

    A named tuple rather than a frozen dataclass: the reader makes one per datum, and a frozen
    dataclass took about 400 ns to build on CPython 3.11, a named tuple about 200 ns.
    """

    source: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.source}:{self.line}:{self.column}"


class SchemeError(Exception):
    """Base class of the errors a user's program or input can cause.

    `position` is None until some enclosing expression with a known position attaches its own.
    """

    def __init__(self, message: str, position: SourcePosition | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.position = position

    def __str__(self) -> str:
        # With a position this is the command line's one-line format. Without one it is the
        # message alone, which a Python traceback prints after the exception's class name.
        if self.position is None:
            return self.message
        return f"{self.position}: error: {self.message}"


class ReadError(SchemeError):
    """Invalid source text: a syntax error found while reading.

    `incomplete` is True when the text is a valid prefix that ended too soon (an unclosed
    bracket, string or block comment), so a REPL can ask for another line instead.
    """

    def __init__(self, message: str, position: SourcePosition | None = None, incomplete: bool = False):
        super().__init__(message, position)
        self.incomplete = incomplete


class SchemeSyntaxError(SchemeError):
    """A special form written wrongly, such as `(if)` or `(lambda (1) x)`."""


class EvaluationError(SchemeError):
    """A runtime error: unbound variable, wrong type, wrong argument count and the like."""


class ArityError(EvaluationError):
    """A procedure called with the wrong number of arguments."""


class SchemeTypeError(EvaluationError):
    """A procedure given an argument of the wrong type."""


class UnboundVariableError(EvaluationError):
    """A reference to a variable that has no binding."""


class UnknownFunctionError(EvaluationError):
    """A call that numeric evaluation cannot compute. `name` is the function and `arity` its argument count."""

    def __init__(self, message: str, name: str, arity: int) -> None:
        super().__init__(message)
        self.name = name
        self.arity = arity


class UserError(EvaluationError):
    """An error raised by the program itself with `(error message irritant ...)`."""

    def __init__(self, message: str, irritants: tuple = (), position: SourcePosition | None = None):
        super().__init__(message, position)
        self.irritants = irritants


class RecursionDepthError(EvaluationError):
    """Recursion deeper than the evaluator's stack allows."""


class SchemeInterrupt(EvaluationError):
    """An evaluation stopped by the user (Ctrl-C)."""


class DerivError(SchemeError):
    """An expression `deriv` cannot differentiate, or an invalid variable."""


class NoRuleError(DerivError):
    """An operator with no derivative rule. `operator` is its name and `expression` the call."""

    def __init__(self, message: str, operator: str, expression: str) -> None:
        super().__init__(message)
        self.operator = operator
        self.expression = expression


class SimplifyError(SchemeError):
    """An expression that cannot be simplified, such as one that divides by an exact zero."""


class FileLoadError(SchemeError):
    """A source file that cannot be found or read."""


class SchemeExit(Exception):
    """Raised by `(exit)`: the program asked to stop with the given exit status."""

    def __init__(self, status: int = 0) -> None:
        super().__init__(status)
        self.status = status


class ExpressionTooLargeError(MemoryError):
    """The expression engine would outgrow its share of the machine's memory.

    A MemoryError, so code that handles running out of memory handles this too. It is raised
    while memory is still free, because on Linux the kernel usually stops a process that
    exhausts memory before Python can raise a MemoryError of its own.
    """

    def __init__(self, message: str, cells: int = 0, limit: int = 0) -> None:
        super().__init__(message)
        self.cells = cells
        self.limit = limit
