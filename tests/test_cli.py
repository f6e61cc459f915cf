"""End-to-end tests of the command line: `python -m symdiff` run as a subprocess."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import symdiff
import symdiff.cli as cli
from symdiff.errors import EvaluationError
from symdiff.evaluator import interpreter as interpreter_module

REPO = Path(__file__).resolve().parent.parent
ERROR_LINE = re.compile(r"^(?P<file>[^\n]+?):(?P<line>\d+):(?P<column>\d+): error: (?P<message>.+)$")


def symdiff_env(home: Path) -> dict[str, str]:
    """Return an environment that imports this checkout and keeps REPL history under `home`."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    env["HOME"] = str(home)
    env["XDG_DATA_HOME"] = str(home / "data")
    env.pop("SYMDIFF_CMD", None)
    return env


def run_symdiff(
    tmp_path: Path, *args: str, stdin: bytes | str = b"", timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """Run `python -m symdiff ARGS` in `tmp_path` with `stdin` as its standard input."""
    data = stdin.encode("utf-8") if isinstance(stdin, str) else stdin
    completed = subprocess.run(
        [sys.executable, "-m", "symdiff", *args],
        input=data,
        capture_output=True,
        cwd=tmp_path,
        env=symdiff_env(tmp_path),
        timeout=timeout,
    )
    return subprocess.CompletedProcess(
        completed.args,
        completed.returncode,
        completed.stdout.decode("utf-8", errors="replace"),
        completed.stderr.decode("utf-8", errors="replace"),
    )


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --- values, definitions and output order ----------------------------------------------------


def test_file_prints_expression_values(tmp_path):
    write(tmp_path, "prog.scm", "(+ 1 2)\n'(a b)\n\"text\"\n#\\a\n#t\n")

    result = run_symdiff(tmp_path, "prog.scm")

    assert result.returncode == 0, result.stderr
    assert result.stdout == '3\n(a b)\n"text"\n#\\a\n#t\n'
    assert result.stderr == ""


def test_file_definitions_not_printed(tmp_path):
    write(tmp_path, "prog.scm", "(define x 5)\n(define (square n) (* n n))\n(square x)\n")

    result = run_symdiff(tmp_path, "prog.scm")

    assert result.returncode == 0, result.stderr
    assert result.stdout == "25\n"


def test_file_display_output_in_order(tmp_path):
    source = '(display "a")\n(newline)\n1\n(write "b")\n(newline)\n2\n'
    write(tmp_path, "prog.scm", source)

    result = run_symdiff(tmp_path, "prog.scm")

    assert result.returncode == 0, result.stderr
    assert result.stdout == 'a\n1\n"b"\n2\n'


def test_files_share_one_interpreter(tmp_path):
    write(tmp_path, "lib.scm", "(define (cube n) (* n n n))\n")
    write(tmp_path, "main.scm", "(cube 3)\n")

    result = run_symdiff(tmp_path, "lib.scm", "main.scm")

    assert result.returncode == 0, result.stderr
    assert result.stdout == "27\n"


def test_deriv_power_rule(tmp_path):
    result = run_symdiff(tmp_path, "-e", "(deriv '(** x n) 'x)")

    assert result.returncode == 0, result.stderr
    assert result.stdout == "(* n (** x (+ n -1)))\n"


@pytest.mark.parametrize(
    ("level", "expected"),
    [
        ("none", "(+ (* x 0) (* 1 y))"),
        ("sicp", "y"),
    ],
)
def test_simplify_option_sets_deriv_level(tmp_path, level, expected):
    result = run_symdiff(tmp_path, "--simplify", level, "-e", "(deriv '(* x y) 'x)")

    assert result.returncode == 0, result.stderr
    assert result.stdout == expected + "\n"


def test_simplify_option_rejects_unknown_level(tmp_path):
    result = run_symdiff(tmp_path, "--simplify", "most", "-e", "1")

    assert result.returncode == 2
    assert "invalid choice: 'most'" in result.stderr


# --- -e and standard input -------------------------------------------------------------------


def test_expressions_run_in_order(tmp_path):
    result = run_symdiff(tmp_path, "-e", "(define y 4)", "-e", "(+ y 1)", "-e", "(* y 2) 'done")

    assert result.returncode == 0, result.stderr
    assert result.stdout == "5\n8\ndone\n"


def test_expressions_run_after_files(tmp_path):
    write(tmp_path, "lib.scm", "(define base 10)\n")

    result = run_symdiff(tmp_path, "-e", "(+ base 1)", "lib.scm")

    assert result.returncode == 0, result.stderr
    assert result.stdout == "11\n"


def test_stdin_program_runs_without_arguments(tmp_path):
    result = run_symdiff(tmp_path, stdin="(define z 6)\n(* z 7)\n")

    assert result.returncode == 0, result.stderr
    assert result.stdout == "42\n"


def test_stdin_dash_reads_standard_input(tmp_path):
    write(tmp_path, "lib.scm", "(define base 10)\n")

    result = run_symdiff(tmp_path, "lib.scm", "-", stdin="(- base 3)")

    assert result.returncode == 0, result.stderr
    assert result.stdout == "7\n"


def test_stdin_empty_program_succeeds(tmp_path):
    result = run_symdiff(tmp_path, stdin="")

    assert result.returncode == 0
    assert result.stdout == ""
    assert result.stderr == ""


def test_expressions_ignore_stdin(tmp_path):
    result = run_symdiff(tmp_path, "-e", "1", stdin="2")

    assert result.returncode == 0, result.stderr
    assert result.stdout == "1\n"


def test_interactive_reads_piped_stdin(tmp_path):
    write(tmp_path, "lib.scm", "(define base 1)\n")

    result = run_symdiff(tmp_path, "-i", "lib.scm", stdin="(+ base 1)\n(car '())\n'after\n")

    assert result.returncode == 0
    assert result.stdout == "2\nafter\n"
    assert re.match(r"<repl>:1:\d+: error: car:", result.stderr), result.stderr
    assert result.stderr.count("\n") == 1


# --- errors and exit status ------------------------------------------------------------------


def test_evaluation_error_format_and_status(tmp_path):
    write(tmp_path, "prog.scm", "1\n  undefined-variable\n2\n")

    result = run_symdiff(tmp_path, "prog.scm")

    assert result.returncode == 1
    assert result.stdout == "1\n"
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    match = ERROR_LINE.match(lines[0])
    assert match is not None, lines[0]
    assert match["file"] == "prog.scm"
    assert (match["line"], match["column"]) == ("2", "3")
    assert "undefined-variable" in match["message"]
    assert "Traceback" not in result.stderr


def test_read_error_format_and_status(tmp_path):
    write(tmp_path, "prog.scm", "(define x 1)\n(display (+ x 2)\n")

    result = run_symdiff(tmp_path, "prog.scm")

    assert result.returncode == 1
    assert re.match(r"^prog\.scm:2:1: error: .*unclosed", result.stderr), result.stderr
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr


def test_expression_error_names_expr_source(tmp_path):
    result = run_symdiff(tmp_path, "-e", "(car '())")

    assert result.returncode == 1
    assert result.stderr.startswith("<expr>:1:"), result.stderr
    assert ": error: " in result.stderr
    assert "Traceback" not in result.stderr


def test_stdin_error_names_stdin_source(tmp_path):
    result = run_symdiff(tmp_path, stdin="\n(no-such-procedure 1)\n")

    assert result.returncode == 1
    assert re.match(r"<stdin>:2:\d+: error: ", result.stderr), result.stderr


def test_first_error_stops_later_files(tmp_path):
    write(tmp_path, "bad.scm", "(car 5)\n")
    write(tmp_path, "later.scm", "'later\n")

    result = run_symdiff(tmp_path, "bad.scm", "later.scm", "-e", "'expr")

    assert result.returncode == 1
    assert result.stdout == ""
    assert re.match(r"bad\.scm:1:\d+: error: ", result.stderr), result.stderr


def test_user_error_reported_on_one_line(tmp_path):
    write(tmp_path, "prog.scm", '(error "something failed:" 42)\n')

    result = run_symdiff(tmp_path, "prog.scm")

    assert result.returncode == 1
    assert re.match(r"prog\.scm:1:\d+: error: something failed:", result.stderr), result.stderr
    assert "42" in result.stderr
    assert "Traceback" not in result.stderr


def test_debug_shows_traceback(tmp_path):
    result = run_symdiff(tmp_path, "--debug", "-e", "(car 5)")

    assert result.returncode == 1
    assert "Traceback (most recent call last)" in result.stderr
    assert re.match(r"<expr>:1:\d+: error: ", result.stderr.splitlines()[-1])


def test_missing_file_is_usage_error(tmp_path):
    result = run_symdiff(tmp_path, "nope.scm")

    assert result.returncode == 2
    assert result.stderr == "symdiff: error: cannot open 'nope.scm': No such file or directory\n"


def test_missing_file_stops_before_running(tmp_path):
    write(tmp_path, "first.scm", '(display "ran")\n')

    result = run_symdiff(tmp_path, "first.scm", "nope.scm")

    assert result.returncode == 2
    assert result.stdout == ""


def test_directory_is_usage_error(tmp_path):
    (tmp_path / "folder").mkdir()

    result = run_symdiff(tmp_path, "folder")

    assert result.returncode == 2
    assert result.stderr == "symdiff: error: cannot open 'folder': it is a directory, not a file\n"


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root can read files without permission")
def test_unreadable_file_is_usage_error(tmp_path):
    path = write(tmp_path, "secret.scm", "1\n")
    path.chmod(0)

    result = run_symdiff(tmp_path, "secret.scm")

    assert result.returncode == 2
    assert result.stderr == "symdiff: error: cannot open 'secret.scm': Permission denied\n"


def test_invalid_utf8_file_reports_byte(tmp_path):
    (tmp_path / "bad.scm").write_bytes(b'(display "ok")\n(list \xff 1)\n')

    result = run_symdiff(tmp_path, "bad.scm")

    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.startswith("bad.scm:2:7: error: invalid UTF-8 at byte 21 (0xff)"), result.stderr
    assert result.stderr.count("\n") == 1


def test_invalid_utf8_stdin_reports_byte(tmp_path):
    result = run_symdiff(tmp_path, stdin=b"(+ 1 \xc3\x28)")

    assert result.returncode == 1
    assert result.stderr.startswith("<stdin>:1:6: error: invalid UTF-8 at byte 5 (0xc3)"), result.stderr


def test_binary_file_reports_error(tmp_path):
    (tmp_path / "image.png").write_bytes(bytes(range(256)) * 4)

    result = run_symdiff(tmp_path, "image.png")

    assert result.returncode == 1
    assert result.stderr.startswith("image.png:"), result.stderr
    assert "error: " in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_option_is_usage_error(tmp_path):
    result = run_symdiff(tmp_path, "--no-such-option")

    assert result.returncode == 2
    assert result.stderr == (
        "symdiff: error: unrecognized arguments: --no-such-option; see 'symdiff --help'\n"
    )


def test_version_prints_package_version(tmp_path):
    result = run_symdiff(tmp_path, "--version")

    assert result.returncode == 0
    assert result.stdout == f"symdiff {symdiff.__version__}\n"


def test_help_lists_options(tmp_path):
    result = run_symdiff(tmp_path, "--help")

    assert result.returncode == 0
    assert result.stdout.startswith("usage: symdiff")
    for option in ("-e EXPR", "--simplify", "--debug", "--interactive", "--version", "exit status"):
        assert option in result.stdout


def test_exit_procedure_sets_status(tmp_path):
    write(tmp_path, "prog.scm", "'before\n(exit 3)\n'after\n")

    result = run_symdiff(tmp_path, "prog.scm")

    assert result.returncode == 3
    assert result.stdout == "before\n"


def test_exit_status_beyond_255_is_an_error(tmp_path):
    write(tmp_path, "prog.scm", "'before\n(exit 256)\n'after\n")

    result = run_symdiff(tmp_path, "prog.scm")

    assert result.returncode == 1
    assert result.stdout == "before\n"
    assert result.stderr == (
        "prog.scm:2:1: error: exit: status 256 is out of range: "
        "give an integer from 0 to 255, or #t for success and #f for failure\n"
    )


# --- hostile input ---------------------------------------------------------------------------


def test_long_line_evaluates(tmp_path):
    symbols = " ".join(["x"] * 500_000)
    write(tmp_path, "long.scm", f"(length '({symbols}))\n")

    result = run_symdiff(tmp_path, "long.scm", timeout=120)

    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout == "500000\n"


def test_long_comment_line_is_skipped(tmp_path):
    write(tmp_path, "comment.scm", ";" + "c" * 1_000_000 + "\n(+ 1 1)\n")

    result = run_symdiff(tmp_path, "comment.scm")

    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout == "2\n"


def test_large_file_of_comments_runs(tmp_path):
    line = ";" + "x" * 99 + "\n"
    (tmp_path / "large.scm").write_text(line * 500_000 + "'end\n", encoding="utf-8")

    result = run_symdiff(tmp_path, "large.scm", timeout=120)

    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout == "end\n"


@pytest.mark.slow
def test_large_file_of_expressions_runs(tmp_path):
    line = "(+ 1 2) (define v (* 3 4)) (list v 'a \"s\") ; comment\n"
    count = 50_000_000 // len(line)
    (tmp_path / "large.scm").write_text(line * count, encoding="utf-8")

    result = run_symdiff(tmp_path, "large.scm", timeout=1800)

    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.count("\n") == 2 * count


def test_deep_nesting_reports_or_evaluates(tmp_path):
    depth = 100_000
    write(tmp_path, "deep.scm", "'" + "(" * depth + ")" * depth + "\n")

    result = run_symdiff(tmp_path, "deep.scm", timeout=120)

    assert result.returncode in (0, 1)
    assert "Traceback" not in result.stderr


def test_broken_pipe_exits_quietly(tmp_path):
    write(tmp_path, "many.scm", "(define (count n) (if (< n 200000) (begin (display n) (newline) (count (+ n 1))))) (count 0)\n")

    process = subprocess.Popen(
        [sys.executable, "-m", "symdiff", "many.scm"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=tmp_path,
        env=symdiff_env(tmp_path),
    )
    assert process.stdout is not None and process.stderr is not None
    first_line = process.stdout.readline()
    process.stdout.close()
    stderr = process.stderr.read().decode("utf-8", errors="replace")
    returncode = process.wait(timeout=60)

    assert first_line == b"0\n"
    assert returncode == cli.EXIT_BROKEN_PIPE
    assert stderr == ""


@pytest.mark.skipif(os.name != "posix", reason="sends SIGINT")
def test_interrupt_exits_130(tmp_path):
    write(tmp_path, "loop.scm", '(display "started")\n(newline)\n(define (loop) (loop))\n(loop)\n')
    env = symdiff_env(tmp_path)
    env["PYTHONUNBUFFERED"] = "1"

    # A shell starts background jobs with SIGINT ignored, and the child would inherit that.
    process = subprocess.Popen(
        [sys.executable, "-m", "symdiff", "loop.scm"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=tmp_path,
        env=env,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        assert process.stdout is not None and process.stderr is not None
        assert process.stdout.readline() == b"started\n"
        time.sleep(0.3)
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()  # the loop never ends by itself
            process.communicate()

    assert process.returncode == cli.EXIT_INTERRUPTED
    assert stderr.decode() == "symdiff: interrupted\n"


# --- in-process checks of main() -------------------------------------------------------------


def test_internal_error_exits_70(monkeypatch, capsys):
    def broken_run(self, source, source_name, on_value):
        raise RuntimeError("simulated evaluator bug")

    monkeypatch.setattr(interpreter_module.Interpreter, "run", broken_run)

    status = cli.main(["-e", "1"])

    captured = capsys.readouterr()
    assert status == cli.EXIT_INTERNAL
    assert captured.err.startswith("symdiff: internal error: RuntimeError: simulated evaluator bug\n")
    assert "Traceback (most recent call last)" in captured.err


def test_main_returns_status_in_process(capsys):
    status = cli.main(["-e", "(* 6 7)"])

    assert status == 0
    assert capsys.readouterr().out == "42\n"


@pytest.mark.parametrize(
    ("code", "status"),
    [(None, 0), (True, 0), (False, 1), (0, 0), (7, 7), (256 + 4, 4), ("text", 1)],
)
def test_exit_status_from_exit_code(code, status):
    assert cli.exit_status(code) == status


def test_format_error_without_position():
    error = EvaluationError("something went wrong")

    assert cli.format_error(error, "prog.scm") == "prog.scm: error: something went wrong"


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_full_output_device_is_one_line_error(tmp_path):
    with open("/dev/full", "w", encoding="utf-8") as full:
        result = subprocess.run(
            [sys.executable, "-m", "symdiff", "-e", "(display 1)"],
            stdout=full, stderr=subprocess.PIPE, text=True, cwd=tmp_path,
            env={**os.environ, "PYTHONPATH": str(REPO)}, timeout=60,
        )
    assert result.returncode == 1
    assert result.stderr == "symdiff: error: cannot write the output: No space left on device\n"
