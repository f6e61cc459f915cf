"""The `symdiff` command: run Scheme files, expressions or standard input, or start the REPL.

Exit status:
    0    success
    1    a read or evaluation error (the run stops at the first one)
    2    bad command-line usage, or a FILE that cannot be opened (missing, a directory, no permission)
    70   an internal error in symdiff itself (EX_SOFTWARE in BSD sysexits.h); the traceback is printed
    130  interrupted by Ctrl-C (128 + SIGINT)
    141  standard output closed early, as in `symdiff big.scm | head -1` (128 + SIGPIPE)
`(exit CODE)` in a program ends the run, and the REPL, with that status instead: CODE is an
integer from 0 to 255, #t for 0 or #f for 1, and any other CODE is an evaluation error (status 1).
"""

from __future__ import annotations

import argparse
import errno
import logging
import os
import sys
import traceback
from dataclasses import dataclass
from typing import Any, NoReturn, Sequence, TextIO

from .errors import ReadError, SchemeError, SchemeExit, SchemeInterrupt, SourcePosition
from .printer import write_string
from .reader import MAX_SOURCE_BYTES, read_source_file

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 70
EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141

EXPR_SOURCE = "<expr>"
STDIN_SOURCE = "<stdin>"

logger = logging.getLogger("symdiff")


@dataclass(frozen=True)
class Source:
    """A program text to evaluate and the name that error messages give it."""

    name: str
    text: str


class CannotOpenError(Exception):
    """A FILE argument that cannot be opened or read, which is a usage error (exit status 2)."""


def format_error(error: SchemeError, source_name: str) -> str:
    """Return the one-line message for `error`: `FILE:LINE:COL: error: MESSAGE`.

    An error without a position is reported against `source_name`, as `FILE: error: MESSAGE`.
    """
    if error.position is None:
        return f"{source_name}: error: {error.message}"
    return str(error)


def report_internal_error(exc: BaseException, stream: TextIO) -> None:
    """Write the report of a bug in symdiff: a summary line, then the Python traceback."""
    stream.write(f"symdiff: internal error: {type(exc).__name__}: {exc}\n")
    traceback.print_exception(exc, file=stream)
    stream.flush()


def exit_status(code: object) -> int:
    """Return the process exit status for the code given to Scheme's `exit`.

    Following R7RS, `#t` or no argument means success and `#f` means failure.
    """
    if code is None or code is True:
        return EXIT_OK
    if code is False:
        return EXIT_ERROR
    if isinstance(code, int):
        return code & 0xFF
    return EXIT_ERROR


def is_broken_pipe(exc: BaseException) -> bool:
    """Return True if `exc` is, or was caused by, a write to a closed pipe."""
    return _cause(exc, lambda item: isinstance(item, BrokenPipeError)) is not None


def _cause(exc: BaseException, matches: Any) -> BaseException | None:
    """Return the first of `exc` and the exceptions that caused it for which `matches` is true."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if matches(current):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


# Errors of a write to a full or failing device, as when standard output is /dev/full. FILE
# arguments are read, and their errors reported, before anything runs, so at this point these
# errors come from writing the output.
_OUTPUT_ERRNOS = frozenset(
    code for code in (getattr(errno, name, None) for name in ("ENOSPC", "EIO", "EDQUOT", "EFBIG")) if code is not None
)


def _output_error(exc: BaseException) -> OSError | None:
    """Return the OSError of a failed write that `exc` is or was caused by, or None."""
    found = _cause(exc, lambda item: isinstance(item, OSError) and item.errno in _OUTPUT_ERRNOS)
    return found if isinstance(found, OSError) else None


def decode_source(data: bytes, name: str) -> str:
    """Decode UTF-8 program text, raising ReadError at the first invalid byte."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        valid_prefix = data[: exc.start].decode("utf-8")
        line = valid_prefix.count("\n") + 1
        column = len(valid_prefix) - (valid_prefix.rfind("\n") + 1) + 1
        position = SourcePosition(name, line, column)
        byte = data[exc.start]
        raise ReadError(
            f"invalid UTF-8 at byte {exc.start} (0x{byte:02x}): save the file as UTF-8", position
        ) from None


def read_file_source(path: str) -> bytes:
    """Return the bytes of `path` (`-` is standard input), raising CannotOpenError if unreadable."""
    if path == "-":
        data = sys.stdin.buffer.read(MAX_SOURCE_BYTES + 1)
        if len(data) > MAX_SOURCE_BYTES:
            raise CannotOpenError(f"standard input is larger than {MAX_SOURCE_BYTES // (1024 * 1024)} MiB, the limit for a program")
        return data
    try:
        return read_source_file(path, "symdiff")
    except IsADirectoryError:
        raise CannotOpenError(f"cannot open '{path}': it is a directory, not a file") from None
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise CannotOpenError(f"cannot open '{path}': {reason}") from None
    except ValueError as exc:
        raise CannotOpenError(str(exc).removeprefix("symdiff: ")) from None


class UsageParser(argparse.ArgumentParser):
    """An ArgumentParser whose usage errors are one line that points to --help, with status 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message}; see '{self.prog} --help'\n")


def build_parser() -> argparse.ArgumentParser:
    parser = UsageParser(
        prog="symdiff",
        description=(
            "Run Scheme programs with symbolic differentiation. Files are evaluated in order in one "
            "interpreter, then the -e expressions; the value of each top-level expression that is "
            "not a definition is printed in `write` form, one per line. With no FILE and no -e, "
            "symdiff starts the REPL if standard input is a terminal and otherwise runs the "
            "program read from standard input."
        ),
        epilog=(
            "calculus commands: 'symdiff deriv EXPR VAR' and 'symdiff compare EXPR VAR --at x=1'; "
            "see 'symdiff deriv --help'. "
            "exit status: 0 success, 1 read or evaluation error, 2 usage error or FILE cannot be "
            "opened, 70 internal error, 130 interrupted, 141 output pipe closed, N after (exit N)"
        ),
    )
    parser.add_argument(
        "files", nargs="*", metavar="FILE", help="Scheme source file in UTF-8; '-' reads standard input"
    )
    parser.add_argument(
        "-e",
        "--eval",
        dest="expressions",
        action="append",
        default=[],
        metavar="EXPR",
        help="evaluate the forms in EXPR after the files and print their values; may be repeated",
    )
    parser.add_argument(
        "-i",
        "--interactive",
        action="store_true",
        help="start the REPL after the files and expressions have run, keeping their definitions",
    )
    parser.add_argument(
        "--simplify",
        choices=("none", "sicp", "full"),
        default="sicp",
        help=(
            "default simplification of deriv results: 'none' keeps the unsimplified rule output, "
            "'sicp' folds numbers and drops 0 and 1 as SICP 2.3.2 does, 'full' gives a canonical "
            "form with like terms collected (default: %(default)s)"
        ),
    )
    parser.add_argument(
        "--steps",
        action="store_true",
        help="before each deriv result, print the rules applied, one per line (as deriv-steps does)",
    )
    parser.add_argument(
        "--debug", action="store_true", help="print the Python traceback with each error message"
    )
    parser.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=0,
        help="log diagnostics to standard error: -v for INFO, -vv for DEBUG",
    )
    parser.add_argument("--version", action="version", version=f"symdiff {_version()}")
    return parser


def _version() -> str:
    from . import __version__

    return __version__


def configure_logging(verbosity: int) -> None:
    """Send the `symdiff` logger's records to standard error when -v is given, else discard them."""
    if verbosity <= 0:
        return  # the package's NullHandler keeps the logger silent
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("symdiff: %(levelname)s: %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.INFO if verbosity == 1 else logging.DEBUG)


def collect_sources(args: argparse.Namespace) -> list[Source]:
    """Read every FILE, then add the -e expressions; raises CannotOpenError or ReadError.

    All files are read before anything runs, so a missing file is reported without side effects.
    """
    sources: list[Source] = []
    for path in args.files:
        name = STDIN_SOURCE if path == "-" else path
        sources.append(Source(name, decode_source(read_file_source(path), name)))
    for expression in args.expressions:
        sources.append(Source(EXPR_SOURCE, expression))
    return sources


def write_value(value: Any, stream: TextIO) -> None:
    """Print a top-level value in `write` form on its own line."""
    stream.write(write_string(value))
    stream.write("\n")


def run_sources(interpreter: Any, sources: Sequence[Source], debug: bool) -> int:
    """Evaluate `sources` in order and return the exit status; stops at the first error."""
    for source in sources:
        try:
            interpreter.run(source.text, source.name, lambda value: write_value(value, sys.stdout))
        except SchemeInterrupt:
            _flush_stdout()
            sys.stderr.write("symdiff: interrupted\n")
            return EXIT_INTERRUPTED
        except SchemeError as error:
            if is_broken_pipe(error):
                raise BrokenPipeError from error
            _flush_stdout()
            if debug:
                traceback.print_exception(error, file=sys.stderr)
            sys.stderr.write(format_error(error, source.name) + "\n")
            return EXIT_ERROR
    return EXIT_OK


def _flush_stdout() -> None:
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        pass


def _silence_stdout() -> None:
    """Point standard output at the null device, so that flushing it at exit does not raise again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line `argv` (default: sys.argv[1:]) and return the exit status.

    A first argument `deriv` or `compare` selects a calculus command (symdiff/commands.py);
    to run a file of that name, write it as ./deriv.
    """
    arguments = list(sys.argv[1:] if argv is None else argv)
    # Options such as -e cannot name a command, so those runs skip importing the commands module.
    if arguments and not arguments[0].startswith("-"):
        from .commands import COMMANDS, run_command

        if arguments[0] in COMMANDS:
            return _guarded(lambda: run_command(arguments))
    parser = build_parser()
    args = parser.parse_args(arguments)
    configure_logging(args.verbose)
    return _guarded(lambda: _run(args))


def _guarded(run: Any) -> int:
    """Call `run` and turn exits, interrupts and internal errors into exit statuses."""
    try:
        return run()
    except SchemeExit as request:
        _flush_stdout()
        return exit_status(request.status)
    except SystemExit as request:
        _flush_stdout()
        return exit_status(request.code)
    except KeyboardInterrupt:
        _flush_stdout()
        sys.stderr.write("symdiff: interrupted\n")
        return EXIT_INTERRUPTED
    except Exception as exc:
        if is_broken_pipe(exc):
            _silence_stdout()
            return EXIT_BROKEN_PIPE
        failed_write = _output_error(exc)
        if failed_write is not None:
            _silence_stdout()
            sys.stderr.write(f"symdiff: error: cannot write the output: {failed_write.strerror}\n")
            return EXIT_ERROR
        _flush_stdout()
        report_internal_error(exc, sys.stderr)
        return EXIT_INTERNAL


def _run(args: argparse.Namespace) -> int:
    try:
        sources = collect_sources(args)
    except CannotOpenError as exc:
        sys.stderr.write(f"symdiff: error: {exc}\n")
        return EXIT_USAGE
    except ReadError as error:
        sys.stderr.write(format_error(error, "symdiff") + "\n")
        return EXIT_ERROR

    start_repl = args.interactive
    if not sources and not args.interactive:
        if sys.stdin.isatty():
            start_repl = True
        else:
            try:
                sources = [Source(STDIN_SOURCE, decode_source(read_file_source("-"), STDIN_SOURCE))]
            except ReadError as error:
                sys.stderr.write(format_error(error, STDIN_SOURCE) + "\n")
                return EXIT_ERROR
            except CannotOpenError as exc:
                sys.stderr.write(f"symdiff: error: {exc}\n")
                return EXIT_USAGE

    from .evaluator.interpreter import Interpreter

    interpreter = Interpreter(simplify=args.simplify, show_steps=args.steps)
    status = run_sources(interpreter, sources, args.debug)
    _flush_stdout()
    if start_repl:
        from .repl import run_repl

        return run_repl(interpreter, debug=args.debug)
    sys.stdout.flush()
    return status
