"""Tests of what start-up loads: modules a small program does not need stay unimported.

Each check runs a fresh interpreter in a subprocess and inspects `sys.modules`, so it does not
depend on what other tests have imported. No test here measures time.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import symdiff

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
    """Run `script` in a fresh interpreter and return the JSON object it prints last."""
    env = dict(os.environ)
    env["PYTHONPATH"] = pythonpath
    completed = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=cwd, env=env, timeout=120
    )
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout.splitlines()[-1])


def test_small_program_imports_only_what_it_uses(tmp_path):
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
