"""The calculus commands of the command line: `symdiff deriv` and `symdiff compare`.

    symdiff deriv 'x^2 + sin(x)' x            -> 2*x + cos(x)
    symdiff deriv '(* x y)' x --output latex  -> y
    symdiff deriv 'sin(x^2)' x --steps        -> each rule applied, then the result
    symdiff compare 'sigmoid(w*x + b)' w --at w=0.5 --at x=2 --at b=-1

EXPR is infix math (as in `x^2 + sin(x)`) or an s-expression (as in `(* x y)`), distinguished
as symdiff.api.read_expression_text describes. The result is printed in the notation of EXPR
unless --output sets another.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any, Sequence

from .cli import UsageParser
from .errors import NoRuleError, SchemeError, UnknownFunctionError
from .printer import MAX_PRINTED_NODES, ValueTooLargeError, write_string

COMMANDS = ("deriv", "compare")


def build_parser(command: str) -> argparse.ArgumentParser:
    parser = UsageParser(prog=f"symdiff {command}")
    parser.add_argument(
        "expression",
        metavar="EXPR",
        help="infix math such as 'x^2 + sin(x)', or an s-expression; may start with -; put -- before an EXPR that starts with --",
    )
    parser.add_argument("variable", metavar="VAR", help="the variable to differentiate with respect to")
    parser.add_argument(
        "--notation",
        choices=("auto", "infix", "prefix"),
        default="auto",
        help="how EXPR is written: infix, prefix (an s-expression), or auto: infix if it reads as infix (default)",
    )
    if command == "deriv":
        parser.add_argument("--order", type=_order, default=1, metavar="K", help="differentiate K times (default: 1)")
        parser.add_argument(
            "--simplify",
            choices=("none", "sicp", "full"),
            default="sicp",
            help="simplification of the result: none, sicp (SICP's constructors) or full (canonical form) (default: %(default)s)",
        )
        parser.add_argument(
            "--output",
            choices=("same", "infix", "prefix", "latex"),
            default="same",
            help="notation of the printed result; 'same' uses the notation of EXPR (default)",
        )
        parser.add_argument("--steps", action="store_true", help="list each rule applied before the result")
    else:
        parser.add_argument(
            "--at",
            action="append",
            default=[],
            metavar="NAME=NUMBER",
            help="the value of a variable at the point of comparison, e.g. --at x=1/2; repeat for each variable",
        )
    return parser


def read_expression(text: str, notation: str) -> tuple[Any, str]:
    """Read EXPR as infix or prefix; return (Scheme datum, the notation used)."""
    from .api import read_expression_and_notation

    return read_expression_and_notation(text, notation, "<EXPR>")


def render(datum: Any, notation: str) -> str:
    from .math_printer import to_infix, to_latex

    if notation == "infix":
        return to_infix(datum)
    if notation == "latex":
        return to_latex(datum)
    return write_string(datum)


def run_command(argv: Sequence[str]) -> int:
    """Run `symdiff deriv ...` or `symdiff compare ...`; return the exit status."""
    command, rest = argv[0], list(argv[1:])
    # argparse would take EXPR = '-x^2' for an option; a leading space keeps it an operand, and
    # both readers skip the space.
    rest = [" " + item if item[:1] == "-" and item[1:2] not in ("-", "h") else item for item in rest]
    parser = build_parser(command)
    unknown = _unknown_long_option(parser, rest)
    if unknown is not None:
        # argparse would take it for an option and, for `--x x`, report only that VAR is missing.
        parser.error(
            f"unknown option {unknown}: an expression that starts with -- must come after --, "
            f"as in: symdiff {command} -- '{unknown}' VAR"
        )
    args = parser.parse_args(rest)
    try:
        if command == "deriv":
            return _deriv(args)
        return _compare(args)
    except _AtOptionError as error:
        parser.error(str(error))
    except MemoryError:
        # At the none level every order keeps the whole unsimplified result, which can grow
        # past any memory: (** x 3) at order 400 does.
        sys.stderr.write(
            f"symdiff {command}: error: out of memory: the result is too large; "
            "use a lower --order or --simplify sicp or full\n"
        )
        return 1
    except ValueTooLargeError as error:
        sys.stderr.write(
            f"symdiff {command}: error: the result is too large to print: written out it has about "
            f"{error.size:.3g} nodes, over the limit of {MAX_PRINTED_NODES:,}. Its shared form is small: "
            f"work with it through the Python API (symdiff.deriv and Expression.node_count) or in Scheme\n"
        )
        return 1
    except NoRuleError as error:
        # The commands have only the built-in rules, so the usual advice to call put does not apply.
        sys.stderr.write(
            f"symdiff {command}: error: {_no_rule_message(error)}. "
            f"For another one, write (put 'deriv '{error.operator} (lambda (operands var) ...)) "
            f"and your calls in a .scm file and run symdiff FILE\n"
        )
        return 1
    except SchemeError as error:
        where = f"{error.position}" if error.position is not None else f"symdiff {command}"
        sys.stderr.write(f"{where}: error: {error.message}\n")
        return 1


def _unknown_long_option(parser: argparse.ArgumentParser, arguments: list[str]) -> str | None:
    """Return the first argument before `--` that looks like a long option but names none."""
    # ArgumentParser has no public list of its option strings, so this reads its own table.
    options = [option for option in parser._option_string_actions if option.startswith("--")]
    for argument in arguments:
        if argument == "--":
            return None
        if argument.startswith("--"):
            name = argument.partition("=")[0]
            # argparse accepts any unambiguous prefix of an option, such as --out for --output.
            if not any(option.startswith(name) for option in options):
                return argument
    return None


def _order(text: str) -> int:
    """Read --order, so that a negative order is a usage error like a non-integer one."""
    text = text.strip()  # run_command puts a space before an argument that starts with -
    try:
        order = int(text)
    except ValueError:
        order = -1
    if order < 0:
        raise argparse.ArgumentTypeError(f"invalid order: {text!r}; expected a non-negative integer such as 2")
    return order


def _deriv(args: argparse.Namespace) -> int:
    from .calculus.convert import from_datum, to_datum
    from .calculus.operations import derivative
    from .calculus.rules import RuleTable
    from .steps import derivation_steps_by_order, format_steps

    datum, notation = read_expression(args.expression, args.notation)
    variable = _variable(args.variable, notation)
    output = notation if args.output == "same" else args.output
    rules = RuleTable()
    expr = from_datum(datum)
    if args.steps:
        result, listings = derivation_steps_by_order(expr, variable, rules, args.simplify, args.order)
        for order, steps in enumerate(listings, start=1):
            heading = f"order {order}:" if args.order > 1 else "steps:"
            sys.stdout.write(heading + "\n" + format_steps(steps, variable.name, "infix" if output != "prefix" else "prefix") + "\n")
    else:
        result = derivative(expr, variable, rules, args.simplify, args.order)
    sys.stdout.write(render(to_datum(result), output) + "\n")
    return 0


class _AtOptionError(Exception):
    """--at options that do not give the point: a usage error, reported with status 2."""


def _compare(args: argparse.Namespace) -> int:
    from .evaluator.interpreter import Interpreter
    from .reader import read
    from .types import Pair, make_list

    datum, notation = read_expression(args.expression, args.notation)
    variable = _variable(args.variable, notation)
    bindings = []
    at_text_by_symbol: dict[Any, str] = {}
    for item in args.at:
        name, separator, value_text = item.partition("=")
        if not separator or not name.strip():
            raise _AtOptionError(f"--at expects NAME=NUMBER, got {item!r}")
        symbol = _variable(name.strip(), notation)
        if symbol in at_text_by_symbol:
            raise _AtOptionError(
                f"{symbol.name} is given twice, with --at {at_text_by_symbol[symbol]} and --at {item.strip()}: give each variable one value"
            )
        at_text_by_symbol[symbol] = item.strip()
        value = read(value_text.strip(), "<--at>")
        bindings.append(Pair(symbol, value))
    if not any(binding.car is variable for binding in bindings):
        raise _AtOptionError(f"no value for {variable.name}: give the point with --at {variable.name}=NUMBER")
    bound = {binding.car for binding in bindings}
    missing = sorted(symbol.name for symbol in _free_symbols(datum) if symbol not in bound)
    if missing:
        options = " ".join(f"--at {name}=NUMBER" for name in missing)
        raise _AtOptionError(f"no value for {', '.join(missing)}: give every variable a value, with {options}")
    interpreter = Interpreter()
    try:
        interpreter.autodiff.compare_written(datum, variable, make_list(bindings), render(datum, notation))
    except NoRuleError as error:
        advice = _compare_in_file_advice(error.operator, _call_arity(datum, error.operator), datum, variable, bindings)
        raise SchemeError(f"{_no_rule_message(error)}. {advice}") from None
    except UnknownFunctionError as error:
        advice = _compare_in_file_advice(error.name, error.arity, datum, variable, bindings)
        raise SchemeError(f"{error.message}. The compare command evaluates only these built-in functions. {advice}") from None
    return 0


def _no_rule_message(error: NoRuleError) -> str:
    from .calculus.rules import RuleTable

    return (
        f"no derivative rule for {error.operator} in {error.expression}; "
        f"this command knows only the built-in operators ({' '.join(RuleTable().operators())})"
    )


def _compare_in_file_advice(name: str, arity: int, datum: Any, variable: Any, bindings: list) -> str:
    """Return how to run this comparison in a Scheme file that defines the function `name`.

    Numeric evaluation needs a definition of the function, and the symbolic and back-propagated
    derivatives need a rule, which define-derivative gives both of them.
    """
    from .types import make_list

    call = " ".join([name] + (["u"] if arity == 1 else [f"u{index}" for index in range(1, arity + 1)]))
    return (
        f"To compare with {name}, write (define ({call}) ...), (define-derivative ({call}) ...) and "
        f"(compare-derivatives '{write_string(datum)} '{variable.name} '{write_string(make_list(bindings))}) "
        "in a .scm file and run symdiff FILE"
    )


def _call_arity(datum: Any, name: str) -> int:
    """Return the argument count of the first call of `name` in `datum`, or 1 if there is none."""
    from .api import lists_in
    from .types import Symbol, list_to_python

    for item in lists_in(datum):
        if type(item.car) is Symbol and item.car.name == name:
            return len(list_to_python(item.cdr) or [])
    return 1


def _free_symbols(datum: Any) -> set:
    """Return the symbols that `datum` uses as operands, not as operators."""
    from .types import Pair, Symbol

    found = set()
    stack = [datum]
    while stack:
        item = stack.pop()
        if type(item) is Symbol:
            found.add(item)
        elif type(item) is Pair:
            operand = item.cdr
            while type(operand) is Pair:
                stack.append(operand.car)
                operand = operand.cdr
    return found


def _variable(text: str, notation: str = "prefix") -> Any:
    from .types import Symbol

    name = text.strip()
    if not name or any(char in name for char in " ()'\";`,|#") or name[0].isdigit():
        raise SchemeError(f"invalid variable name {text!r}: use a symbol such as x")
    if notation == "infix" and any(char in name for char in "+-*/^"):
        # In infix text x+1 is a sum, so no variable of the expression can have that name.
        raise SchemeError(f"invalid variable name {text!r}: in infix math a variable is a name such as x or x_1")
    return Symbol(name)
