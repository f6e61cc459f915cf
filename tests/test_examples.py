"""Run every program in examples/ and compare what it prints with its `;=>` comments.

An expectation is a line whose first non-blank text is `;=>`. The rest of the line, after one
space and without trailing blanks, is one line the program must print. `symdiff FILE` prints
the `write` form of each top-level value that is not a definition or unspecified, one per
line, and the output of display, write and newline in program order. The printed lines and
the expectations must match one to one, in order.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import symdiff
from symdiff.printer import write_string

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"
EXAMPLE_FILES = sorted(EXAMPLES.glob("*.scm"))
EXPECTATION = re.compile(r"^\s*;=> ?(?P<expected>.*?)\s*$")
REQUIRED_EXAMPLES = [
    "deriv-2.3.2.scm",
    "exercise-2.56-2.57.scm",
    "exercise-2.73.scm",
    "builtin-deriv.scm",
]


def read_expectations(path: Path) -> list[str]:
    """Return the expected output lines written as `;=>` comments in `path`."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [match["expected"] for match in map(EXPECTATION.match, lines) if match]


def run_in_process(path: Path) -> list[str]:
    """Run `path` in a fresh Interpreter and return the lines `symdiff FILE` would print."""
    output = io.StringIO()
    interpreter = symdiff.Interpreter(output=output)
    text = path.read_text(encoding="utf-8")
    interpreter.run(text, str(path), lambda value: output.write(write_string(value) + "\n"))
    return [line.rstrip() for line in output.getvalue().splitlines()]


def example_id(path: Path) -> str:
    return path.name


def test_required_examples_exist() -> None:
    names = {path.name for path in EXAMPLE_FILES}
    missing = [name for name in REQUIRED_EXAMPLES if name not in names]
    assert missing == []


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=example_id)
def test_example_has_expectations(path: Path) -> None:
    assert read_expectations(path), f"{path.name} has no ';=>' expectation lines"


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=example_id)
def test_example_in_process(path: Path) -> None:
    assert run_in_process(path) == read_expectations(path)


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=example_id)
def test_example_command_line(path: Path, tmp_path: Path) -> None:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    env["HOME"] = str(tmp_path)
    completed = subprocess.run(
        [sys.executable, "-m", "symdiff", str(path)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=tmp_path,
        env=env,
        timeout=60,
    )

    assert completed.stderr == ""
    assert completed.returncode == 0
    assert [line.rstrip() for line in completed.stdout.splitlines()] == read_expectations(path)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("(+ 1 2)\n;=> 3\n", ["3"]),
        ("(list 1 2)\n  ;=>  (1 2)  \n", [" (1 2)"]),
        ('(display "  indented")\n;=>   indented\n', ["  indented"]),
        (";;; A header that mentions `;=>` in passing.\n(+ 1 2)\n", []),
        ("(+ 1 2) ; a comment, not an expectation\n", []),
        ('"a"\n;=> "a"\n\'x\n;=> x\n', ['"a"', "x"]),
    ],
)
def test_expectation_parsing(tmp_path: Path, text: str, expected: list[str]) -> None:
    path = tmp_path / "program.scm"
    path.write_text(text, encoding="utf-8")
    assert read_expectations(path) == expected
