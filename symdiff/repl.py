"""The interactive read-eval-print loop.

Prompts, the banner and error messages go to standard error, and values go to standard output.
On a terminal the loop reads input through prompt_toolkit, with history and syntax highlighting.
With TERM=dumb, when standard input is not a terminal, or when prompt_toolkit cannot start, it
reads plain lines instead.
"""

from __future__ import annotations

import logging
import os
import platform
import sys
import traceback
from pathlib import Path
from typing import Any, BinaryIO, Callable, TextIO

import platformdirs
from prompt_toolkit import PromptSession
from prompt_toolkit.history import FileHistory, History, InMemoryHistory
from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent
from prompt_toolkit.lexers import DynamicLexer, PygmentsLexer
from prompt_toolkit.output import create_output
from pygments.lexers.lisp import SchemeLexer

from .cli import decode_source, exit_status, format_error, is_broken_pipe, report_internal_error
from .errors import SchemeError, SchemeExit, SchemeInterrupt
from .printer import write_string
from .reader import is_incomplete

PROMPT = "symdiff> "
CONTINUATION_PROMPT = "    ...> "
REPL_SOURCE = "<repl>"

logger = logging.getLogger("symdiff")

# Called with a prompt, returns one line or one whole input without its final newline.
# Raises EOFError at the end of input (Ctrl-D) and KeyboardInterrupt for Ctrl-C at the prompt.
ReadLine = Callable[[str], str]


class LineTrackingStream:
    """A text stream wrapper that records whether the text written so far ends a line.

    The REPL uses it to start a value, an error or a prompt on a fresh line after a program
    has displayed text without a final newline.
    """

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.at_line_start = True

    def write(self, text: str) -> int:
        if text:
            self.at_line_start = text.endswith("\n")
        return self.stream.write(text)

    def flush(self) -> None:
        self.stream.flush()

    def start_line(self) -> None:
        """End the current line if text has been written on it."""
        if not self.at_line_start:
            self.write("\n")

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stream, name)


class Repl:
    """The read-eval-print loop over an injected line reader, so tests can drive it."""

    def __init__(
        self,
        interpreter: Any,
        read_line: ReadLine,
        *,
        output: TextIO,
        error_output: TextIO,
        debug: bool = False,
    ) -> None:
        self.interpreter = interpreter
        self.read_line = read_line
        self.output = output if isinstance(output, LineTrackingStream) else LineTrackingStream(output)
        self.error_output = error_output
        self.debug = debug

    def run(self) -> int:
        """Read and evaluate inputs until the end of input or `(exit)`; return the exit status."""
        pending: list[str] = []
        while True:
            self._start_line()
            prompt = CONTINUATION_PROMPT if pending else PROMPT
            try:
                line = self.read_line(prompt)
            except KeyboardInterrupt:
                pending.clear()
                continue
            except EOFError:
                if pending:
                    # Report the unfinished input, such as an unclosed bracket, before leaving.
                    self._evaluate("\n".join(pending))
                return 0
            except SchemeError as error:
                pending.clear()
                self._report(format_error(error, REPL_SOURCE))
                continue

            pending.append(line)
            text = "\n".join(pending)
            if needs_more_input(text):
                continue
            pending.clear()
            if not text.strip():
                continue

            try:
                status = self._evaluate(text)
            except KeyboardInterrupt:
                # Ctrl-C after the interpreter returned, while the output was being flushed.
                self._report("interrupted")
                continue
            if status is not None:
                return status

    def _evaluate(self, text: str) -> int | None:
        """Evaluate one input and print its values; return an exit status if `(exit)` ran."""
        try:
            self.interpreter.run(text, REPL_SOURCE, self._show_value)
        except SchemeInterrupt:
            self._report("interrupted")
        except KeyboardInterrupt:
            self._report("interrupted")
        except SchemeError as error:
            if is_broken_pipe(error):
                raise
            if self.debug:
                self._start_line()
                traceback.print_exception(error, file=self.error_output)
            self._report(format_error(error, REPL_SOURCE))
        except SchemeExit as request:
            self._flush_output()
            return exit_status(request.status)
        except SystemExit as request:
            self._flush_output()
            return exit_status(request.code)
        except Exception as exc:
            if is_broken_pipe(exc):
                raise
            self._start_line()
            report_internal_error(exc, self.error_output)
        self._flush_output()
        return None

    def _show_value(self, value: Any) -> None:
        self.output.start_line()
        self.output.write(write_string(value))
        self.output.write("\n")

    def _start_line(self) -> None:
        self.output.start_line()
        self._flush_output()

    def _flush_output(self) -> None:
        self.output.flush()

    def _report(self, message: str) -> None:
        self._start_line()
        self.error_output.write(message + "\n")
        self.error_output.flush()


def needs_more_input(text: str) -> bool:
    """Return True if `text` ends inside an unclosed bracket, string or block comment."""
    try:
        return is_incomplete(text)
    except Exception:
        # A reader bug must not kill the prompt; evaluating the text reports it instead.
        logger.exception("is_incomplete failed on the REPL input")
        return False


def make_plain_reader(stream: BinaryIO, prompt_stream: TextIO, show_prompts: bool) -> ReadLine:
    """Return a line reader over a byte stream, writing prompts to `prompt_stream`.

    Lines are decoded as UTF-8; an invalid line raises ReadError, which the loop reports.
    """

    def read_line(prompt: str) -> str:
        if show_prompts:
            prompt_stream.write(prompt)
            prompt_stream.flush()
        try:
            data = stream.readline()
        except KeyboardInterrupt:
            if show_prompts:
                prompt_stream.write("\n")
            raise
        if not data:
            if show_prompts:
                prompt_stream.write("\n")
            raise EOFError
        return decode_source(data, REPL_SOURCE).removesuffix("\n").removesuffix("\r")

    return read_line


class PersistentHistory(FileHistory):
    """A FileHistory that logs a file it cannot read or write instead of stopping the prompt."""

    def load_history_strings(self):  # type: ignore[no-untyped-def]
        try:
            return list(super().load_history_strings())
        except OSError as exc:
            logger.warning("cannot read REPL history %s: %s", self.filename, exc)
            return []

    def store_string(self, string: str) -> None:
        try:
            super().store_string(string)
        except OSError as exc:
            logger.warning("cannot save REPL history to %s: %s", self.filename, exc)


def history_path() -> Path:
    """Return the REPL history file: `history` in the user data directory for symdiff.

    On Linux this is $XDG_DATA_HOME/symdiff/history, by default ~/.local/share/symdiff/history.
    """
    return Path(platformdirs.user_data_dir("symdiff", appauthor=False)) / "history"


def make_history() -> History:
    """Return the file history, or an in-memory one if its directory cannot be created."""
    path = history_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        logger.warning("REPL history will not be saved: cannot create %s: %s", path.parent, exc)
        return InMemoryHistory()
    return PersistentHistory(str(path))


MAX_HIGHLIGHTED_CHARACTERS = 10_000


def make_prompt_toolkit_reader(prompt_stream: TextIO) -> ReadLine:
    """Return a reader that edits a whole input, across lines, in a prompt_toolkit session.

    Enter submits the input when it is complete and inserts a newline while a bracket, string
    or block comment is still open.
    """
    bindings = KeyBindings()

    @bindings.add("enter")
    def _submit_or_continue(event: KeyPressEvent) -> None:
        buffer = event.current_buffer
        if needs_more_input(buffer.text):
            buffer.newline(copy_margin=True)
        else:
            buffer.validate_and_handle()

    highlighter = PygmentsLexer(SchemeLexer)

    def choose_lexer() -> PygmentsLexer | None:
        # Highlighting re-lexes the whole input on every key, which made pasting a 100 KB
        # line take about a minute; long inputs are shown plain.
        return highlighter if len(session.default_buffer.text) <= MAX_HIGHLIGHTED_CHARACTERS else None

    session: PromptSession[str] = PromptSession(
        history=make_history(),
        lexer=DynamicLexer(choose_lexer),
        multiline=True,
        key_bindings=bindings,
        prompt_continuation=lambda width, line_number, wrap_count: CONTINUATION_PROMPT,
        output=create_output(stdout=prompt_stream),
    )
    return session.prompt


class TerminalReader:
    """A prompt_toolkit reader that switches to the plain reader if prompt_toolkit fails."""

    def __init__(self, fancy: ReadLine, plain: ReadLine) -> None:
        self.fancy: ReadLine | None = fancy
        self.plain = plain

    def __call__(self, prompt: str) -> str:
        if self.fancy is not None:
            try:
                return self.fancy(prompt)
            except (EOFError, KeyboardInterrupt):
                raise
            except Exception as exc:
                logger.warning("prompt_toolkit failed (%s: %s); reading plain lines", type(exc).__name__, exc)
                self.fancy = None
        return self.plain(prompt)


def banner() -> str:
    from . import __version__

    return (
        f"symdiff {__version__} (Python {platform.python_version()})\n"
        "Enter Scheme expressions; Ctrl-C interrupts, Ctrl-D or (exit) leaves.\n"
    )


def run_repl(
    interpreter: Any,
    *,
    debug: bool = False,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    """Run the REPL on the standard streams (by default) and return the exit status.

    While it runs, sys.stdout is replaced by a LineTrackingStream around `stdout`, so that the
    interpreter's display output and the printed values share one stream.
    """
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    interactive = stdin.isatty()

    plain = make_plain_reader(stdin.buffer, stderr, show_prompts=interactive)
    read_line: ReadLine = plain
    if interactive and stderr.isatty() and os.environ.get("TERM") != "dumb":
        try:
            read_line = TerminalReader(make_prompt_toolkit_reader(stderr), plain)
        except Exception as exc:
            logger.warning("prompt_toolkit cannot start (%s: %s); reading plain lines", type(exc).__name__, exc)

    if interactive:
        stderr.write(banner())
        stderr.flush()

    output = LineTrackingStream(stdout)
    saved_stdout = sys.stdout
    sys.stdout = output  # type: ignore[assignment]
    try:
        return Repl(interpreter, read_line, output=output, error_output=stderr, debug=debug).run()
    finally:
        sys.stdout = saved_stdout
