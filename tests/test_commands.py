"""End-to-end tests of the calculus commands: symdiff deriv and symdiff compare."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def run(*arguments: str) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    return subprocess.run(
        [sys.executable, "-m", "symdiff", *arguments],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        (("deriv", "x^2 + sin(x)*y", "x"), "2*x + cos(x)*y"),
        (("deriv", "x**3", "x"), "3*x^2"),
        (("deriv", "(* x y)", "x"), "y"),
        (("deriv", "(** x n)", "x"), "(* n (** x (+ n -1)))"),
        (("deriv", "(* x y)", "x", "--simplify", "none"), "(+ (* x 0) (* 1 y))"),
        (("deriv", "x^3", "x", "--order", "2", "--simplify", "full"), "6*x"),
        (("deriv", "(x + 1)^2", "x"), "2*(x + 1)"),
        (("deriv", "1/x", "x", "--output", "latex", "--simplify", "full"), r"-\frac{1}{x^{2}}"),
        (("deriv", "x^2", "x", "--output", "prefix"), "(* 2 x)"),
        (("deriv", "(* x x)", "x", "--output", "infix"), "x + x"),
        (("deriv", "-x^2", "x"), "-(2*x)"),
        (("deriv", "(- x -1)", "x"), "1"),
        (("deriv", "0^x", "x"), "0"),
    ],
)
def test_deriv_command_output(arguments: tuple[str, ...], expected: str) -> None:
    completed = run(*arguments)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.splitlines()[-1] == expected


def test_deriv_command_steps() -> None:
    completed = run("deriv", "sin(x^2)", "x", "--steps")
    lines = completed.stdout.splitlines()
    assert lines[0] == "steps:"
    assert "chain rule, outer function sin" in lines[1]
    assert "power rule" in lines[2]
    assert lines[-1] == "cos(x^2)*(2*x)"


def test_compare_command_table() -> None:
    completed = run("compare", "sigmoid(w*x + b)", "w", "--at", "w=1/2", "--at", "x=2", "--at", "b=-1")
    assert completed.returncode == 0, completed.stderr
    assert "symbolic" in completed.stdout
    assert "back propagation     0.5" in completed.stdout
    assert "finite differences" in completed.stdout
    assert completed.stdout.startswith("d/dw sigmoid(w*x + b) at ")


def test_compare_heading_keeps_prefix_notation() -> None:
    completed = run("compare", "(* w (sin w))", "w", "--at", "w=0")
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.startswith("d/dw (* w (sin w)) at w = 0")


@pytest.mark.parametrize("command", [("deriv", "frob(x)", "x"), ("compare", "frob(x)", "x", "--at", "x=1")])
def test_unknown_operator_points_to_scheme_file(command) -> None:
    completed = run(*command)
    assert completed.returncode == 1
    assert "no derivative rule for frob in (frob x)" in completed.stderr
    assert "sigmoid" in completed.stderr
    assert "in a .scm file and run symdiff FILE" in completed.stderr
    assert "Traceback" not in completed.stderr


def test_compare_unknown_function_advises_scheme_file() -> None:
    completed = run("compare", "foo(y)*x", "x", "--at", "x=1", "--at", "y=2")
    assert completed.returncode == 1
    assert completed.stderr.startswith("symdiff compare: error: evaluate: unknown function foo with 1 argument(s); known functions: ")
    assert completed.stderr.endswith(
        "The compare command evaluates only these built-in functions. To compare with foo, write (define (foo u) ...), "
        "(define-derivative (foo u) ...) and (compare-derivatives '(* (foo y) x) 'x '((x . 1) (y . 2))) "
        "in a .scm file and run symdiff FILE\n"
    )
    assert completed.stderr.count("\n") == 1


def test_compare_without_rule_advises_definition() -> None:
    completed = run("compare", "frob(x, y)", "x", "--at", "x=1", "--at", "y=2")
    assert completed.returncode == 1
    assert "no derivative rule for frob in (frob x y)" in completed.stderr
    assert "(define (frob u1 u2) ...), (define-derivative (frob u1 u2) ...)" in completed.stderr
    assert "(compare-derivatives '(frob x y) 'x '((x . 1) (y . 2)))" in completed.stderr
    assert "put 'deriv" not in completed.stderr


def test_advised_scheme_file_compares(tmp_path) -> None:
    program = tmp_path / "foo.scm"
    program.write_text(
        "(define (foo u) (* u u u))\n"
        "(define-derivative (foo u) (* 3 u u))\n"
        "(compare-derivatives '(* (foo y) x) 'x '((x . 1) (y . 2)))\n",
        encoding="utf-8",
    )
    completed = run(str(program))
    assert completed.returncode == 0, completed.stderr
    assert "back propagation     8                        0" in completed.stdout


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (("deriv", "2x", "x"), "<EXPR>:1:2: error: implicit multiplication is not supported: write 2*x"),
        (("deriv", "(+ x", "x"), "<EXPR>:1:1: error: unclosed '('"),
        (("deriv", "x^1e400", "x"), "<EXPR>:1:3: error: the number 1e400 is beyond the float range (about 1.8e308): write it exactly, as 10^400"),
        (("deriv", "(+ x 1) (+ y 2)", "x"), "<EXPR>:1:9: error: expected one expression, but the text has 2"),
        (("deriv", "x + 1", "3"), "invalid variable name '3'"),
        (("deriv", "x^2", "x+1"), "invalid variable name 'x+1': in infix math a variable is a name such as x"),
        (("deriv", "frob(x)", "x"), "no derivative rule for frob"),
    ],
)
def test_command_errors(arguments: tuple[str, ...], message: str) -> None:
    completed = run(*arguments)
    assert completed.returncode == 1
    assert message in completed.stderr
    assert "Traceback" not in completed.stderr


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("'x", "'x is quoted data, not an expression to differentiate: write it without the leading ', as x"),
        ("'(* x y)", "write it without the leading ', as (* x y)"),
        ("(+ 1 `x)", "write it without the leading `, as x"),
        ("(lambda (x) x)", "lambda is a Scheme special form, and special forms are not expressions to differentiate"),
        ("(let ((y x)) y)", "let is a Scheme special form"),
        ("(* 2 (if x 1 2))", "in place of (if x 1 2)"),
        ("quote(x)", "quote is a Scheme special form"),
    ],
)
def test_deriv_rejects_quotes_and_special_forms(expression: str, message: str) -> None:
    completed = run("deriv", expression, "x")
    assert completed.returncode == 1
    assert completed.stderr.startswith("symdiff deriv: error: ")
    assert message in completed.stderr
    assert completed.stderr.count("\n") == 1
    assert "put 'deriv" not in completed.stderr
    assert completed.stdout == ""


def test_compare_rejects_quoted_expression() -> None:
    completed = run("compare", "'x", "x", "--at", "x=1")
    assert completed.returncode == 1
    assert "write it without the leading ', as x" in completed.stderr


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (("deriv", "--x", "x"), "symdiff deriv: error: unknown option --x: an expression that starts with -- must come after --, as in: symdiff deriv -- '--x' VAR"),
        (("compare", "--x^2", "x", "--at", "x=1"), "symdiff compare: error: unknown option --x^2: an expression that starts with -- must come after --"),
        (("deriv", "x", "x", "--bogus=1"), "symdiff deriv: error: unknown option --bogus=1:"),
    ],
)
def test_unknown_long_option_suggests_separator(arguments: tuple[str, ...], message: str) -> None:
    completed = run(*arguments)
    assert completed.returncode == 2
    assert completed.stderr.splitlines()[-1].startswith(message)
    assert "required" not in completed.stderr


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        (("deriv", "--", "--x", "x"), "1"),
        (("deriv", "x^2", "x", "--out", "latex"), "2 x"),
        (("deriv", "x^2", "x", "--output=prefix"), "(* 2 x)"),
        (("deriv", "-x^2", "x"), "-(2*x)"),
    ],
)
def test_options_and_dashed_expressions_still_read(arguments: tuple[str, ...], expected: str) -> None:
    completed = run(*arguments)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout == expected + "\n"


def test_command_usage_error_exits_2() -> None:
    completed = run("deriv", "x^2")
    assert completed.returncode == 2
    assert completed.stderr == (
        "symdiff deriv: error: the following arguments are required: VAR; see 'symdiff deriv --help'\n"
    )


@pytest.mark.parametrize("order", ["-1", "1.5", "two"])
def test_deriv_bad_order_exits_2(order) -> None:
    completed = run("deriv", "sin(x)", "x", f"--order={order}")
    assert completed.returncode == 2
    assert "invalid order" in completed.stderr
    assert "Traceback" not in completed.stderr


def test_deriv_bad_order_quotes_it_as_given() -> None:
    completed = run("deriv", "sin(x)", "x", "--order", "-1")
    assert completed.returncode == 2
    assert "invalid order: '-1';" in completed.stderr


def test_deriv_of_division_by_zero_is_an_error() -> None:
    completed = run("deriv", "1/0", "x")
    assert completed.returncode == 1
    assert completed.stdout == ""
    assert "division by zero in (/ 1 0)" in completed.stderr


def test_steps_flag_lists_rules_before_result() -> None:
    completed = run("--steps", "-e", "(deriv '(* (sin x) x) 'x)")
    lines = completed.stdout.splitlines()
    assert completed.returncode == 0, completed.stderr
    assert lines[0] == "  1. product rule: d/dx (* (sin x) x) = (+ (sin x) (* (cos x) x))"
    assert "chain rule, outer function sin" in lines[1]
    assert lines[-1] == "(+ (sin x) (* (cos x) x))"


@pytest.mark.parametrize("output", ["same", "prefix", "latex"])
def test_huge_result_is_refused_not_printed(output) -> None:
    # The derivative of a 2,500-deep chain shares its factors, but written out it has about
    # three million nested calls.
    expression = "sin(" * 2500 + "x" + ")" * 2500
    completed = run("deriv", expression, "x", "--output", output)
    assert completed.returncode == 1
    assert completed.stdout == ""
    assert "the result is too large to print" in completed.stderr
    assert "Traceback" not in completed.stderr


def test_huge_exact_exponent_and_point_are_handled() -> None:
    huge = "9" * 400
    completed = run("deriv", f"x^{huge}", "x", "--order", "2")
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.startswith(huge[:50])
    completed = run("deriv", f"x^{huge}", "x", "--simplify", "full")
    assert completed.returncode == 0, completed.stderr
    completed = run("compare", "x^2", "x", "--at", f"x={huge}")
    assert completed.returncode == 1
    assert "beyond the float range" in completed.stderr
    assert "Traceback" not in completed.stderr


def test_out_of_memory_is_one_line(monkeypatch, capsys) -> None:
    from symdiff import commands
    from symdiff.calculus import operations

    def exhausted(*args, **kwargs):
        raise MemoryError

    monkeypatch.setattr(operations, "derivative", exhausted)
    assert commands.run_command(["deriv", "x^3", "x", "--order", "400", "--simplify", "none"]) == 1
    captured = capsys.readouterr()
    assert captured.err == (
        "symdiff deriv: error: out of memory: the result is too large; use a lower --order or --simplify sicp or full\n"
    )


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (("compare", "x^2", "x"), "give the point with --at x=NUMBER"),
        (("compare", "x^2", "x", "--at", "x"), "--at expects NAME=NUMBER"),
        (
            ("compare", "x*y", "x", "--at", "x=1", "--at", "y=1", "--at", "x=2"),
            "symdiff compare: error: x is given twice, with --at x=1 and --at x=2: give each variable one "
            "value; see 'symdiff compare --help'\n",
        ),
    ],
)
def test_compare_point_errors_are_usage_errors(arguments: tuple[str, ...], message: str) -> None:
    completed = run(*arguments)
    assert completed.returncode == 2
    assert message in completed.stderr
    assert completed.stderr.count("\n") == 1


def test_compare_names_every_variable_without_value() -> None:
    completed = run("compare", "x*y*z", "x", "--at", "x=1")
    assert completed.returncode == 2
    assert "no value for y, z: give every variable a value, with --at y=NUMBER --at z=NUMBER" in completed.stderr
    assert "bindings" not in completed.stderr
