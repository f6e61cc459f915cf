"""Tests of what start-up loads: modules a small program does not need stay unimported.

Checks of imported modules run a fresh interpreter in a subprocess and inspect its `sys.modules`,
so they do not depend on what other tests have imported. No test here measures time.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import zipfile
from pathlib import Path

import lark
import pytest

import symdiff
from symdiff import reader
from symdiff.errors import ReadError

REPO = Path(__file__).resolve().parent.parent

# Modules that `symdiff -e` with a small deriv program must not import: the REPL and its
# highlighting, the layers' NumPy, SymPy, and the parts of symdiff that only some programs use.
NOT_NEEDED_FOR_SMALL_PROGRAM = [
    "prompt_toolkit",
    "pygments",
    "numpy",
    "sympy",
    "platformdirs",
    "symdiff.repl",
    "symdiff.layers",
    "symdiff.api",
    "symdiff.methods",
    "symdiff.commands",
    "symdiff.infix_reader",
    "symdiff.math_printer",
    "symdiff.steps",
    "symdiff.calculus.finite_difference",
    "benchmarks",
]


def loaded_modules(script: str, cwd: Path, pythonpath: str = str(REPO)) -> dict:
    """Run `script` in a fresh interpreter and return the JSON value on its last output line."""
    env = dict(os.environ)
    env["PYTHONPATH"] = pythonpath
    completed = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=cwd, env=env, timeout=120
    )
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout.splitlines()[-1])


def test_small_program_skips_unneeded_modules(tmp_path):
    script = (
        "import json, sys, runpy\n"
        "sys.argv = ['symdiff', '-e', \"(deriv '(* x y) 'x)\"]\n"
        "try:\n"
        "    runpy.run_module('symdiff', run_name='__main__')\n"
        "except SystemExit as exit:\n"
        "    status = exit.code\n"
        "sys.stdout.flush()\n"
        "print(json.dumps({'status': status, 'modules': sorted(sys.modules)}))\n"
    )

    result = loaded_modules(script, tmp_path)

    assert result["status"] == 0
    for name in NOT_NEEDED_FOR_SMALL_PROGRAM:
        assert name not in result["modules"], f"{name} was imported"


def test_import_symdiff_loads_no_evaluator(tmp_path):
    script = "import json, sys, symdiff\nprint(json.dumps(sorted(sys.modules)))\n"

    modules = loaded_modules(script, tmp_path)

    assert "symdiff.errors" in modules
    assert "symdiff.evaluator" not in modules
    assert "symdiff.api" not in modules
    assert "lark" not in modules


def test_lazy_names_resolve(tmp_path):
    script = (
        "import json, symdiff\n"
        "names = {name: type(getattr(symdiff, name)).__name__ for name in symdiff.__all__}\n"
        "print(json.dumps(names))\n"
    )

    names = loaded_modules(script, tmp_path)

    assert set(names) == set(symdiff.__all__)
    assert names["Interpreter"] == "type"
    assert names["Expression"] == "type"
    assert names["deriv"] == "function"
    assert names["nderiv"] == "function"


def test_lazy_names_match_their_modules():
    from symdiff import api, methods
    from symdiff.evaluator import interpreter

    assert symdiff.deriv is api.deriv
    assert symdiff.Expression is api.Expression
    assert symdiff.Interpreter is interpreter.Interpreter
    assert symdiff.evaluate is interpreter.evaluate
    assert symdiff.grad is methods.grad


def test_star_import_and_dir_list_lazy_names():
    namespace: dict = {}
    exec("from symdiff import *", namespace)

    assert namespace["simplify"] is symdiff.simplify
    assert "compare_derivatives" in namespace
    assert "Interpreter" in dir(symdiff)


def test_unknown_attribute_raises_attribute_error():
    with pytest.raises(AttributeError, match="no_such_name"):
        symdiff.no_such_name  # noqa: B018


def test_lazily_imported_procedures_run(tmp_path):
    program = (
        '(parse-infix "x^2 + 1")\n'
        "(expr->infix '(* 2 x))\n"
        "(expr->latex '(/ 1 x))\n"
        "(deriv-steps '(* x x) 'x)\n"
        "(nderiv (lambda (x) (* x x)) 3)\n"
        "(check-derivative 'sin)\n"
    )
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO)

    completed = subprocess.run(
        [sys.executable, "-m", "symdiff", "-e", program],
        capture_output=True, text=True, cwd=tmp_path, env=env, timeout=120,
    )

    assert completed.returncode == 0, completed.stderr
    lines = completed.stdout.splitlines()
    assert lines[0] == "(+ (** x 2) 1)"
    assert lines[1] == '"2*x"'
    assert lines[2] == '"\\\\frac{1}{x}"'
    assert "product rule" in completed.stdout
    assert abs(float(lines[-2]) - 6.0) < 1e-6
    assert float(lines[-1]) < 1e-6


def test_grammar_read_from_zip_archive(tmp_path):
    archive = tmp_path / "symdiff.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        for path in (REPO / "symdiff").rglob("*.py"):
            bundle.write(path, path.relative_to(REPO).as_posix())
        for path in (REPO / "grammar").glob("*.lark"):
            bundle.write(path, f"symdiff/grammar/{path.name}")
    script = (
        "import json, symdiff\n"
        "from symdiff.infix_reader import parse_infix\n"
        "from symdiff.printer import write_string\n"
        "from symdiff.reader import read_all\n"
        "data = [write_string(datum) for datum, _ in read_all('(a . b) #(1)')]\n"
        "data.append(write_string(parse_infix('x^2')))\n"
        "print(json.dumps({'file': symdiff.__file__, 'data': data}))\n"
    )

    result = loaded_modules(script, tmp_path, pythonpath=str(archive))

    assert result["file"].startswith(str(archive))
    assert result["data"] == ["(a . b)", "#(1)", "(** x 2)"]


# Pieces of valid and invalid Scheme text. Random concatenations of them put terminals both
# where the grammar accepts them and where it does not.
READER_PIECES = [
    "(", ")", "[", "]", ".", " . ", "'", "`", ",", ",@", "#;", "#(", "#t", "#f", "#true",
    "#\\a", "#\\space", "#\\x41", '"s"', '"a\\nb"', "|a b|", "1", "-2", "1/2", "1.5e3", "+inf.0",
    ".5", "x", "...", "1+", "-", "a.b", "..", ";c\n", " ", "\n", "#|c|#", "#", "|", '"', "#\\",
    "#x", "@", "\\",
]


def read_outcome(text: str) -> tuple:
    try:
        return ("data", repr(reader.read_all(text, "<test>")))
    except ReadError as error:
        return ("error", str(error), error.incomplete)


def test_basic_lexer_reads_like_contextual_lexer(monkeypatch):
    builder = reader._DatumBuilder()
    contextual = lark.Lark(
        reader.grammar_text("scheme.lark"),
        parser="lalr",
        lexer="contextual",
        transformer=builder,
        maybe_placeholders=False,
    )
    generator = random.Random(20250101)
    texts = ["".join(generator.choice(READER_PIECES) for _ in range(generator.randint(1, 12))) for _ in range(3000)]

    expected = []
    with monkeypatch.context() as patch:
        patch.setattr(reader, "_parser", lambda: (contextual, builder))
        for text in texts:
            expected.append(read_outcome(text))
    outcomes = [read_outcome(text) for text in texts]

    assert reader._parser()[0].options.lexer == "basic"
    assert any(outcome[0] == "data" for outcome in outcomes)
    assert any(outcome[0] == "error" for outcome in outcomes)
    for text, outcome, contextual_outcome in zip(texts, outcomes, expected):
        assert outcome == contextual_outcome, f"lexers differ on {text!r}"
