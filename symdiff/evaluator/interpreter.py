"""The interpreter: a global environment with the builtins, and the entry points that run code."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any, Callable, TextIO

from ..calculus.constructors import LEVELS
from ..errors import EvaluationError, FileLoadError, SchemeExit, SchemeTypeError, SourcePosition, UserError
from ..printer import display_string, write_string
from ..reader import read_all, read_source_file
from ..types import NIL, UNSPECIFIED, Char, Pair, Symbol
from .builtins import all_primitives
from .autodiff_primitives import AutodiffPrimitives
from .calculus_primitives import CalculusPrimitives
from .core import Promise, TailCall, analyze, apply_procedure
from .environment import Environment
from .procedures import PrimitiveRegistry
from .stack import recursion_error, run_deep


class Interpreter:
    """A Scheme interpreter with its own global environment, kept across calls.

    >>> Interpreter().eval("(define (square x) (* x x)) (square 12)")
    144
    """

    def __init__(self, *, output: TextIO | None = None, simplify: str = "sicp", show_steps: bool = False) -> None:
        if simplify not in LEVELS:
            raise ValueError(f"unknown simplification level {simplify!r}; expected one of {', '.join(LEVELS)}")
        self.output = output
        self.simplify = simplify
        # When set, every top-level deriv call writes the rules it applies before its result.
        self.show_steps = show_steps
        self.global_environment = Environment({}, None)
        self._loading: list[Path] = []
        self.calculus = CalculusPrimitives(self)
        self.autodiff = AutodiffPrimitives(self)
        for name, primitive in all_primitives().items():
            self.global_environment.define(Symbol(name), primitive)
        for registry in (self._runtime_registry(), self.calculus.registry(), self.autodiff.registry()):
            for name, primitive in registry.primitives.items():
                self.global_environment.define(Symbol(name), primitive)
        for name in ("user-initial-environment", "system-global-environment"):
            self.global_environment.define(Symbol(name), self.global_environment)
        self.global_environment.define(Symbol("the-empty-stream"), NIL)

    # --- entry points --------------------------------------------------------------------

    def eval(self, source: str, source_name: str = "<input>") -> Any:
        """Evaluate every top-level form in `source` and return the value of the last one."""
        values: list[Any] = [UNSPECIFIED]
        self._run(source, source_name, values.append, keep_unspecified=True)
        return values[-1]

    def run(self, source: str, source_name: str, on_value: Callable[[Any], None]) -> None:
        """Evaluate the top-level forms in order, calling `on_value` with each value worth showing.

        Definitions and expressions whose value is unspecified are not passed to `on_value`.
        The whole text is read first, so a syntax error anywhere runs nothing.
        """
        self._run(source, source_name, on_value, keep_unspecified=False)

    def load(self, path: str | os.PathLike) -> Any:
        """Evaluate the file at `path` and return the value of its last form."""
        return run_deep(lambda: self._load(Path(path), None))

    # --- implementation ------------------------------------------------------------------

    def _run(self, source: str, source_name: str, on_value: Callable[[Any], None], keep_unspecified: bool) -> None:
        if not isinstance(source, str) or not isinstance(source_name, str):
            raise TypeError("source and source_name must be str; use Interpreter.load for a file")
        data = read_all(source, source_name)

        def run_all() -> None:
            for datum, position in data:
                try:
                    value = self._evaluate(datum, position)
                except RecursionError:
                    error = recursion_error()
                    error.position = position
                    raise error from None
                if keep_unspecified or value is not UNSPECIFIED:
                    on_value(value)

        run_deep(run_all)

    def _evaluate(self, datum: Any, position: SourcePosition | None) -> Any:
        result = analyze(datum, position)(self.global_environment)
        if type(result) is TailCall:
            result = apply_procedure(result.procedure, result.arguments, result.position)
        return result

    def _load(self, path: Path, position: SourcePosition | None) -> Any:
        if not path.is_absolute() and self._loading:
            path = self._loading[-1].parent / path
        try:
            text = read_source_file(path, "load").decode("utf-8")
        except ValueError as exc:
            if isinstance(exc, UnicodeDecodeError):
                raise FileLoadError(f"load: '{path}' is not valid UTF-8 (byte {exc.start})", position) from None
            raise FileLoadError(str(exc), position) from None
        except FileNotFoundError:
            raise FileLoadError(f"load: cannot open '{path}': no such file", position) from None
        except IsADirectoryError:
            raise FileLoadError(f"load: cannot open '{path}': it is a directory", position) from None
        except UnicodeDecodeError as exc:
            raise FileLoadError(f"load: '{path}' is not valid UTF-8 (byte {exc.start})", position) from None
        except OSError as exc:
            raise FileLoadError(f"load: cannot open '{path}': {exc.strerror}", position) from None
        data = read_all(text, str(path))
        self._loading.append(path)
        try:
            value: Any = UNSPECIFIED
            for datum, datum_position in data:
                value = self._evaluate(datum, datum_position)
            return value
        finally:
            self._loading.pop()

    def _write(self, text: str) -> None:
        stream = self.output if self.output is not None else sys.stdout
        stream.write(text)

    # --- primitives that need the interpreter ------------------------------------------------

    def _runtime_registry(self) -> PrimitiveRegistry:
        registry = PrimitiveRegistry()
        define = registry.define

        @define("display", 1, 2)
        def display(value: Any, port: Any = None) -> Any:
            self._write(display_string(value))
            return UNSPECIFIED

        @define("write", 1, 2)
        def write(value: Any, port: Any = None) -> Any:
            self._write(write_string(value))
            return UNSPECIFIED

        @define("write-string", 1, 2)
        def write_string_(value: Any, port: Any = None) -> Any:
            if type(value) is not str:
                raise SchemeTypeError(f"write-string: expected a string, got {write_string(value)}")
            self._write(value)
            return UNSPECIFIED

        @define("write-char", 1, 2)
        def write_char(value: Any, port: Any = None) -> Any:
            if type(value) is not Char:
                raise SchemeTypeError(f"write-char: expected a character, got {write_string(value)}")
            self._write(value.value)
            return UNSPECIFIED

        @define("write-line", 1, 2)
        def write_line(value: Any, port: Any = None) -> Any:
            self._write(write_string(value) + "\n")
            return UNSPECIFIED

        @define("newline", 0, 1)
        def newline(port: Any = None) -> Any:
            self._write("\n")
            return UNSPECIFIED

        @define("error", 0, None)
        def error(*arguments: Any) -> Any:
            if not arguments:
                raise UserError("error")
            message, irritants = arguments[0], arguments[1:]
            text = message if type(message) is str else write_string(message)
            if irritants:
                text += " " + " ".join(write_string(irritant) for irritant in irritants)
            raise UserError(text, irritants)

        @define("exit", 0, 1)
        def exit_(status: Any = 0) -> Any:
            """Stop the program by raising SchemeExit with an exit status from 0 to 255.

            No argument and #t mean 0 (success) and #f means 1 (failure), as in R7RS. An exact
            integer is the status itself. Integers outside 0..255, such as -1 or 256, raise
            EvaluationError, because the operating system keeps only the low 8 bits and 256
            would report success. Other values, such as 2.5, raise SchemeTypeError.
            """
            if status is True:
                status = 0
            elif status is False:
                status = 1
            elif type(status) is not int:
                raise SchemeTypeError(f"exit: expected an exit status, an integer from 0 to 255 or a boolean, got {write_string(status)}")
            elif not 0 <= status <= 255:
                raise EvaluationError(
                    f"exit: status {write_string(status)} is out of range: give an integer from 0 to 255, or #t for success and #f for failure"
                )
            raise SchemeExit(status)

        @define("load", 1, 2)
        def load(path: Any, environment: Any = None) -> Any:
            if type(path) is not str:
                raise SchemeTypeError(f"load: expected a file name string, got {write_string(path)}")
            self._load(Path(path), None)
            return UNSPECIFIED

        @define("eval", 1, 2)
        def eval_(expr: Any, environment: Any = None) -> Any:
            target = environment if type(environment) is Environment else self.global_environment
            result = analyze(expr, None)(target)
            if type(result) is TailCall:
                result = apply_procedure(result.procedure, result.arguments, result.position)
            return result

        @define("interaction-environment", 0, 0)
        def interaction_environment() -> Any:
            return self.global_environment

        @define("force", 1, 1)
        def force(value: Any) -> Any:
            return value.force() if type(value) is Promise else value

        @define("stream-car", 1, 1)
        def stream_car(stream: Any) -> Any:
            if type(stream) is not Pair:
                raise SchemeTypeError(f"stream-car: expected a stream, got {write_string(stream)}")
            return stream.car

        @define("stream-cdr", 1, 1)
        def stream_cdr(stream: Any) -> Any:
            if type(stream) is not Pair:
                raise SchemeTypeError(f"stream-cdr: expected a stream, got {write_string(stream)}")
            return force(stream.cdr)

        @define("stream-pair?", 1, 1)
        def stream_pair(value: Any) -> Any:
            return type(value) is Pair and type(value.cdr) is Promise

        @define("stream-null?", 1, 1)
        def stream_null(value: Any) -> Any:
            return value is NIL

        registry.primitives["empty-stream?"] = registry.primitives["stream-null?"]

        @define("make-promise", 1, 1)
        def make_promise(value: Any) -> Any:
            if type(value) is Promise:
                return value
            promise = Promise(None, None)  # type: ignore[arg-type]
            promise.value = value
            promise.done = True
            return promise

        @define("promise?", 1, 1)
        def is_promise(value: Any) -> Any:
            return type(value) is Promise

        @define("void", 0, None)
        def void(*arguments: Any) -> Any:
            return UNSPECIFIED

        return registry


def evaluate(source: str, source_name: str = "<input>") -> Any:
    """Evaluate `source` in a fresh interpreter and return the value of its last form.

    >>> evaluate("(deriv '(* x y) 'x)")
    Symbol('y')
    """
    return Interpreter().eval(source, source_name)


