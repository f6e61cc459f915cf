"""Tests of the REPL: the loop driven by an injected reader, and the real program in a pty."""

from __future__ import annotations

import io
import logging
import os
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from symdiff import repl
from symdiff.errors import SchemeInterrupt
from symdiff.evaluator.interpreter import Interpreter

REPO = Path(__file__).resolve().parent.parent


class ScriptedReader:
    """A line reader that returns scripted lines, raises scripted exceptions, then EOFError."""

    def __init__(self, *items: str | type[BaseException]) -> None:
        self.items = list(items)
        self.prompts: list[str] = []

    def __call__(self, prompt: str) -> str:
        self.prompts.append(prompt)
        if not self.items:
            raise EOFError
        item = self.items.pop(0)
        if isinstance(item, str):
            return item
        raise item()


def run_loop(*items: str | type[BaseException], interpreter: Any = None) -> tuple[int, str, str, ScriptedReader]:
    """Run the REPL loop over `items`; return the exit status, output, error output and reader."""
    reader = ScriptedReader(*items)
    buffer = io.StringIO()
    output = repl.LineTrackingStream(buffer)
    errors = io.StringIO()
    loop = repl.Repl(interpreter or Interpreter(output=output), reader, output=output, error_output=errors)
    status = loop.run()
    return status, buffer.getvalue(), errors.getvalue(), reader


# --- the loop with an injected reader --------------------------------------------------------


def test_loop_define_then_use():
    status, output, errors, _ = run_loop("(define x 4)", "(* x x)")

    assert status == 0
    assert output == "16\n"
    assert errors == ""


def test_loop_prints_values_in_write_form():
    status, output, _, _ = run_loop("\"text\" #\\a '(a \"b\")")

    assert status == 0
    assert output == '"text"\n#\\a\n(a "b")\n'


def test_loop_error_keeps_definitions():
    status, output, errors, _ = run_loop("(define x 4)", "(car '())", "x")

    assert status == 0
    assert output == "4\n"
    assert errors.startswith("<repl>:1:"), errors
    assert ": error: car:" in errors
    assert "Traceback" not in errors


def test_loop_failed_define_binds_nothing():
    status, output, errors, _ = run_loop("(define y (car '()))", "(define z 1)", "z")

    assert status == 0
    assert output == "1\n"
    assert errors.count("error:") == 1


def test_loop_multi_line_input():
    status, output, errors, reader = run_loop("(define (square n)", "  (* n n))", "(square 5)")

    assert status == 0
    assert output == "25\n"
    assert errors == ""
    assert reader.prompts == [repl.PROMPT, repl.CONTINUATION_PROMPT, repl.PROMPT, repl.PROMPT]


def test_loop_multi_line_string():
    status, output, _, _ = run_loop('(string-length "ab', 'cd")')

    assert status == 0
    assert output == "5\n"


def test_loop_ctrl_c_cancels_pending_input():
    status, output, errors, reader = run_loop("(define y", KeyboardInterrupt, "(+ 1 2)", "'after")

    assert status == 0
    assert output == "3\nafter\n"
    assert errors == ""
    assert reader.prompts[:3] == [repl.PROMPT, repl.CONTINUATION_PROMPT, repl.PROMPT]


def test_loop_blank_lines_ignored():
    status, output, errors, reader = run_loop("", "   ", "; comment only", "7")

    assert status == 0
    assert output == "7\n"
    assert errors == ""
    assert set(reader.prompts) == {repl.PROMPT}


def test_loop_unfinished_input_at_eof_reported():
    status, output, errors, _ = run_loop("(define x 1)", "(+ x")

    assert status == 0
    assert output == ""
    assert errors.startswith("<repl>:1:1: error: unclosed '('"), errors


def test_loop_exit_returns_status():
    status, output, _, reader = run_loop("'before", "(exit 3)", "'after")

    assert status == 3
    assert output == "before\n"
    assert len(reader.prompts) == 2


def test_loop_exit_without_argument_succeeds():
    status, _, _, _ = run_loop("(exit)")

    assert status == 0


def test_loop_display_then_value_on_fresh_line():
    status, output, _, _ = run_loop('(display "hi")', "1")

    assert status == 0
    assert output == "hi\n1\n"


def test_loop_read_error_reported():
    status, output, errors, _ = run_loop("(+ 1 2))", "'next")

    assert status == 0
    assert output == "next\n"
    assert "error:" in errors


class InterruptedInterpreter:
    """An interpreter whose every run is interrupted, as Ctrl-C during evaluation does."""

    def run(self, source: str, source_name: str, on_value: Any) -> None:
        raise SchemeInterrupt("interrupted")


def test_loop_interrupt_reported_and_continues():
    status, output, errors, reader = run_loop("(loop)", "(loop)", interpreter=InterruptedInterpreter())

    assert status == 0
    assert errors == "interrupted\ninterrupted\n"
    assert len(reader.prompts) == 3


class BrokenInterpreter:
    """An interpreter with a bug: every run raises a Python exception that is not a SchemeError."""

    def run(self, source: str, source_name: str, on_value: Any) -> None:
        raise ZeroDivisionError("simulated evaluator bug")


def test_loop_internal_error_reported_and_continues():
    status, _, errors, reader = run_loop("1", "2", interpreter=BrokenInterpreter())

    assert status == 0
    assert errors.count("symdiff: internal error: ZeroDivisionError: simulated evaluator bug") == 2
    assert "Traceback (most recent call last)" in errors
    assert len(reader.prompts) == 3


# --- the plain reader and history ------------------------------------------------------------


def test_plain_reader_strips_newlines_and_ends():
    prompts = io.StringIO()
    read_line = repl.make_plain_reader(io.BytesIO(b"(+ 1\r\n2)\n"), prompts, show_prompts=True)

    assert read_line("a> ") == "(+ 1"
    assert read_line("b> ") == "2)"
    with pytest.raises(EOFError):
        read_line("c> ")
    assert prompts.getvalue() == "a> b> c> \n"


def test_plain_reader_hides_prompts_for_pipes():
    prompts = io.StringIO()
    read_line = repl.make_plain_reader(io.BytesIO(b"1\n"), prompts, show_prompts=False)

    assert read_line(repl.PROMPT) == "1"
    assert prompts.getvalue() == ""


def test_plain_reader_invalid_utf8_reported_by_loop():
    read_line = repl.make_plain_reader(io.BytesIO(b"(list \xff)\n'ok\n"), io.StringIO(), show_prompts=False)
    output = io.StringIO()
    errors = io.StringIO()

    status = repl.Repl(Interpreter(output=output), read_line, output=output, error_output=errors).run()

    assert status == 0
    assert output.getvalue() == "ok\n"
    assert errors.getvalue().startswith("<repl>:1:7: error: invalid UTF-8 at byte 6"), errors.getvalue()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="XDG_DATA_HOME sets the data directory on Linux")
def test_history_file_in_data_home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))

    history = repl.make_history()

    assert isinstance(history, repl.PersistentHistory)
    assert Path(history.filename) == tmp_path / "data" / "symdiff" / "history"
    assert (tmp_path / "data" / "symdiff").is_dir()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="XDG_DATA_HOME sets the data directory on Linux")
def test_history_in_memory_when_directory_fails(tmp_path, monkeypatch, caplog):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("XDG_DATA_HOME", str(blocker))

    with caplog.at_level(logging.WARNING, logger="symdiff"):
        history = repl.make_history()

    assert isinstance(history, repl.InMemoryHistory)
    assert "REPL history will not be saved" in caplog.text


def test_history_write_failure_logged(tmp_path, caplog):
    history = repl.PersistentHistory(str(tmp_path / "missing-directory" / "history"))

    with caplog.at_level(logging.WARNING, logger="symdiff"):
        history.store_string("(+ 1 2)")
        loaded = list(history.load_history_strings())

    assert loaded == []
    assert "cannot save REPL history" in caplog.text


def test_history_round_trip(tmp_path):
    path = tmp_path / "history"
    repl.PersistentHistory(str(path)).store_string("(define (f x)\n  x)")

    loaded = list(repl.PersistentHistory(str(path)).load_history_strings())

    assert loaded == ["(define (f x)\n  x)"]


def test_needs_more_input_cases():
    assert repl.needs_more_input("(define x")
    assert repl.needs_more_input('"open string')
    assert repl.needs_more_input("#| open comment")
    assert not repl.needs_more_input("(define x 1)")
    assert not repl.needs_more_input("")
    assert not repl.needs_more_input("(+ 1 2))")


# --- the real program in a pseudo-terminal ---------------------------------------------------

try:
    import pexpect
except ImportError:  # pexpect is in the test extra; without it only the pty tests are skipped
    pexpect = None

pty_only = pytest.mark.skipif(pexpect is None or os.name != "posix", reason="needs pexpect and a POSIX pty")

# prompt_toolkit moves the cursor instead of printing the space after a prompt, so the patterns
# below match the prompt without its trailing space.
PROMPT_PATTERN = "symdiff>"
CONTINUATION_PATTERN = r"\.\.\.>"


def spawn_repl(tmp_path: Path, term: str, *args: str) -> Any:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    env["TERM"] = term
    env["HOME"] = str(tmp_path)
    env["XDG_DATA_HOME"] = str(tmp_path / "data")
    # pexpect is no terminal emulator and never answers prompt_toolkit's cursor position request.
    env["PROMPT_TOOLKIT_NO_CPR"] = "1"
    child = pexpect.spawn(
        sys.executable,
        ["-m", "symdiff", *args],
        env=env,
        cwd=str(tmp_path),
        encoding="utf-8",
        timeout=20,
        dimensions=(24, 200),
    )
    child.expect(PROMPT_PATTERN)
    return child


def finish(child: Any) -> int:
    # prompt_toolkit prints the prompt before it puts the terminal in raw mode, and a Ctrl-D
    # that arrives in between can be discarded. A person cannot type that fast; pexpect can,
    # so Ctrl-D is sent again until the REPL exits.
    for _ in range(10):
        child.sendeof()
        if child.expect([pexpect.EOF, pexpect.TIMEOUT], timeout=2) == 0:
            break
    else:
        raise AssertionError(f"the REPL did not exit on Ctrl-D; it printed {child.before!r}")
    child.close()
    return child.exitstatus


@pty_only
@pytest.mark.parametrize("term", ["dumb", "xterm-256color"])
def test_pty_define_error_and_use(tmp_path, term):
    child = spawn_repl(tmp_path, term)
    child.sendline("(define x 42)")
    child.expect(PROMPT_PATTERN)
    child.sendline("(car x)")
    child.expect(r"<repl>:1:\d+: error: car:")
    child.expect(PROMPT_PATTERN)
    child.sendline("(+ x 1)")
    child.expect("43\r\n")
    child.expect(PROMPT_PATTERN)

    assert finish(child) == 0


@pty_only
@pytest.mark.parametrize("term", ["dumb", "xterm-256color"])
def test_pty_multi_line_input(tmp_path, term):
    child = spawn_repl(tmp_path, term)
    child.sendline("(define (cube n)")
    child.expect(CONTINUATION_PATTERN)
    child.sendline("(* n n n))")
    child.expect(PROMPT_PATTERN)
    child.sendline("(cube 3)")
    child.expect("27\r\n")
    child.expect(PROMPT_PATTERN)

    assert finish(child) == 0


@pty_only
@pytest.mark.parametrize("term", ["dumb", "xterm-256color"])
def test_pty_ctrl_c_at_prompt_cancels_input(tmp_path, term):
    child = spawn_repl(tmp_path, term)
    child.send("(define lost")
    time.sleep(0.3)
    child.sendintr()
    child.expect(PROMPT_PATTERN)
    child.sendline("(* 6 7)")
    child.expect("42\r\n")
    child.expect(PROMPT_PATTERN)

    assert finish(child) == 0


@pty_only
@pytest.mark.parametrize("term", ["dumb", "xterm-256color"])
def test_pty_ctrl_c_interrupts_evaluation(tmp_path, term):
    child = spawn_repl(tmp_path, term)
    child.sendline("(define kept 5)")
    child.expect(PROMPT_PATTERN)
    child.sendline("(define (loop) (loop)) (loop)")
    time.sleep(1.0)
    child.sendintr()
    child.expect("interrupted")
    child.expect(PROMPT_PATTERN)
    child.sendline("(* kept 2)")
    child.expect("10\r\n")
    child.expect(PROMPT_PATTERN)

    assert finish(child) == 0


@pty_only
def test_pty_exit_procedure_sets_status(tmp_path):
    child = spawn_repl(tmp_path, "dumb")
    child.sendline("(exit 4)")
    child.expect(pexpect.EOF)
    child.close()

    assert child.exitstatus == 4


@pty_only
def test_pty_banner_shows_version(tmp_path):
    from symdiff import __version__

    child = spawn_repl(tmp_path, "dumb")

    assert f"symdiff {__version__}" in child.before
    assert "Ctrl-D" in child.before
    assert finish(child) == 0


@pty_only
def test_pty_history_saved_under_data_home(tmp_path):
    child = spawn_repl(tmp_path, "xterm-256color")
    child.sendline("(define remembered 1)")
    child.expect(PROMPT_PATTERN)

    assert finish(child) == 0
    history = (tmp_path / "data" / "symdiff" / "history").read_text(encoding="utf-8")
    assert "+(define remembered 1)" in history


@pty_only
def test_pty_interactive_after_file(tmp_path):
    (tmp_path / "lib.scm").write_text("(define base 40)\n'loaded\n", encoding="utf-8")
    child = spawn_repl(tmp_path, "dumb", "-i", "lib.scm")
    assert "loaded" in child.before
    child.sendline("(+ base 2)")
    child.expect("42\r\n")
    child.expect(PROMPT_PATTERN)

    assert finish(child) == 0
