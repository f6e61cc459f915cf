"""Compiling lambda expressions to Python functions.

A lambda expression whose body uses only the common special forms is translated into the
source text of one Python function (inner lambdas become nested functions), compiled with
`compile` and run without the closure-per-node interpretation of core.py. Procedures start
interpreted. At the second call of a procedure made from a lambda, the lambda is compiled and
that procedure object gets the compiled code in place. What changes:

- Parameters and local variables (let, let*, letrec, named let, do, internal define) become
  Python locals, and inner lambdas capture them as Python closures. Every binding gets a
  Python name of its own, so this has Scheme's scoping. A lambda created in the global
  environment reads free variables from the global bindings dictionary at each use, so later
  definitions and set! are seen. One created inside an interpreted frame looks them up along
  its environment chain.
- Calls of builtins such as `+ - * / = < car cdr cons null? not remainder` (see _INLINE) run
  as Python operators when, at that moment, the global name still holds the builtin and the
  operands have types the operator handles exactly as Scheme does (int and float, never bool).
  Anything else calls the procedure bound to the name, so redefining `+`, or grad swapping in
  its recording arithmetic, still takes effect.
- A tail call of the procedure itself becomes a jump back to the top of the function when no
  closure can capture the variables it rebinds. Other tail calls call directly up to
  TAIL_DEPTH_LIMIT deep, then return a TailCall for the caller's trampoline, so a chain of
  tail calls still runs in bounded space.
- Errors keep their Scheme positions: each generated line records the position of the form
  it runs, and a handler in every generated function attaches it to an error that has none.

Anything else (quasiquote, delay, cons-stream, assert, define-derivative, define outside a
body, very large or deeply nested bodies) leaves the whole outermost lambda to the
interpreter, which is the reference semantics: tests/test_compiler.py runs programs both ways.
"""

from __future__ import annotations

import functools
import logging
import re
from operator import add, mul, sub, truediv
from typing import Any, Callable

from ..errors import EvaluationError, SchemeError, SourcePosition, UnboundVariableError
from ..types import NIL, UNSPECIFIED, Pair, Symbol, make_list
from .environment import Environment, unbound_message
from .procedures import Primitive, TailCall

logger = logging.getLogger(__name__)

# Bodies larger than this many nodes, or nested deeper, stay interpreted: compiling them
# costs more than it saves, and Python's parser limits indentation to 100 levels.
MAX_NODES = 20_000
MAX_INDENT = 80
MAX_DEPTH = 150

# Forms the compiler translates; any other special form leaves the lambda interpreted.
_SUPPORTED = {
    "quote", "if", "define", "set!", "lambda", "named-lambda", "begin", "let", "let*", "letrec",
    "letrec*", "cond", "case", "and", "or", "when", "unless", "do",
}
# Forms that create procedures or bind variables that can be read before they are assigned
# (define, letrec): a function containing one never turns its self tail calls into a loop, and
# a do loop containing one is not compiled. A closure made in one iteration would see the next
# iteration's values, and an early read would find the last iteration's value, not an error.
_CLOSURE_FORMS = {"lambda", "named-lambda", "define", "delay", "cons-stream", "let", "letrec", "letrec*"}

# Operators that have a Python equivalent: (argument count) -> (template, operand guard).
# "number": int or float operands (never bool), with a path for exact integers and one for
# floats; "arithmetic" adds a path for a mix of the two, which falls back to the builtin
# when Python's conversion of a huge int to float overflows; "compare" adds the mixed path
# as is, because Python compares int and float exactly; "pair": a Pair; None: no guard;
# "custom": the template has its own guards and calls the builtin {F} itself.
_INLINE: dict[tuple[str, int], tuple[str, str | None]] = {
    ("+", 2): ("{0} + {1}", "arithmetic"),
    ("-", 2): ("{0} - {1}", "arithmetic"),
    ("*", 2): ("{0} * {1}", "arithmetic"),
    ("-", 1): ("-{0}", "number"),
    ("=", 2): ("{0} == {1}", "compare"),
    ("<", 2): ("{0} < {1}", "compare"),
    (">", 2): ("{0} > {1}", "compare"),
    ("<=", 2): ("{0} <= {1}", "compare"),
    (">=", 2): ("{0} >= {1}", "compare"),
    ("zero?", 1): ("{0} == 0", "number"),
    ("car", 1): ("{0}.car", "pair"),
    ("cdr", 1): ("{0}.cdr", "pair"),
    ("cons", 2): ("PAIR({0}, {1})", None),
    ("null?", 1): ("{0} is NIL", None),
    ("pair?", 1): ("type({0}) is PAIR", None),
    ("not", 1): ("{0} is False", None),
    ("abs", 1): ("abs({0})", "number"),
    ("square", 1): ("{0} * {0}", "number"),
    ("even?", 1): ("({0} % 2 == 0 if type({0}) is int else {F}({0}))", "custom"),
    ("odd?", 1): ("({0} % 2 == 1 if type({0}) is int else {F}({0}))", "custom"),
    # Python's % agrees with remainder when neither operand is negative.
    ("remainder", 2): ("({0} % {1} if type({0}) is int is type({1}) and {0} >= 0 and {1} > 0 else {F}({0}, {1}))", "custom"),
    # Exact division stays exact: an int result only when the division leaves no remainder.
    ("/", 2): ("({0} // {1} if type({0}) is int is type({1}) and {1} and not {0} % {1} else "
               "MIXED({0}, {1}, DIVIDE, {F}) if type({0}) in NUMBER and type({1}) in NUMBER else {F}({0}, {1}))", "custom"),
}

_OPERATORS = {"+": "ADD", "-": "SUBTRACT", "*": "MULTIPLY"}


def _mixed(a: Any, b: Any, operation: Callable[[Any, Any], Any], builtin: Callable[..., Any]) -> Any:
    """Apply a Python operator to two real numbers, leaving exact division and overflow to `builtin`."""
    if type(a) is int and type(b) is int and operation is truediv:
        return builtin(a, b)
    try:
        return operation(a, b)
    except (OverflowError, ZeroDivisionError):
        return builtin(a, b)


# Builtins that can return a TailCall for the evaluator to finish.
_TAIL_CALLING = {"apply"}

# Nested direct tail calls allowed before a tail call goes through the trampoline instead.
# Calling directly saves allocating a TailCall; the bound keeps the Python stack growth of a
# chain of tail calls constant. Tracked per process: a race between threads only changes
# which calls take the trampoline.
TAIL_DEPTH_LIMIT = 100
tail_depth = [0]


class Unsupported(Exception):
    """The lambda uses something the compiler does not translate; interpret it instead."""


class _Binding:
    __slots__ = ("name", "function", "checked")

    def __init__(self, name: str, function: "_Function", checked: bool = False) -> None:
        self.name = name  # the Python variable
        self.function = function  # the generated function whose local it is
        # True for letrec variables and internal definitions, which can be read before they
        # are assigned: each read gets a line of its own, so the error points at it.
        self.checked = checked


class _Scope:
    __slots__ = ("variables", "parent", "function")

    def __init__(self, parent: "_Scope | None", function: "_Function") -> None:
        self.variables: dict[Symbol, _Binding] = {}
        self.parent = parent
        self.function = function

    def find(self, symbol: Symbol) -> _Binding | None:
        scope: _Scope | None = self
        while scope is not None:
            binding = scope.variables.get(symbol)
            if binding is not None:
                return binding
            scope = scope.parent
        return None


class _Function:
    """One generated Python function: its lines (indent, text, position, operator)."""

    def __init__(self, name: str, self_name: str, loops: bool) -> None:
        self.name = name
        self.self_name = self_name  # the variable holding this function's procedure object
        self.loops = loops  # self tail calls may jump back to the top
        self.jumped = False  # a self tail call was compiled as a jump
        self.parameters: list[str] = []
        self.lines: list[tuple[int, str, SourcePosition | None, str | None]] = []
        self.indent = 0
        self.nonlocals: set[str] = set()

    def emit(self, text: str, position: SourcePosition | None, operator: str | None = None) -> None:
        if self.indent > MAX_INDENT:
            raise Unsupported("nested too deeply")
        self.lines.append((self.indent, text, position, operator))


class _Unit:
    """Tables for the error handler of one compiled unit: per-line positions and names."""

    __slots__ = ("positions", "operators", "locals", "globals")

    def __init__(self) -> None:
        self.positions: list[SourcePosition | None] = []
        self.operators: list[str | None] = []
        self.locals: dict[str, str] = {}  # Python variable -> Scheme name
        self.globals: set[Symbol] = set()


def translate_error(exc: BaseException, unit: _Unit) -> BaseException:
    """Give an error raised in compiled code the position of the line it came from.

    Python errors that stand for Scheme errors become Scheme errors: KeyError from a global
    lookup is an unbound variable, NameError a local used before its definition, and
    OverflowError or MemoryError a result too large.
    """
    tb = exc.__traceback__
    line = tb.tb_lineno if tb is not None else 0
    position = unit.positions[line] if 0 <= line < len(unit.positions) else None
    if isinstance(exc, SchemeError):
        if exc.position is None:
            exc.position = position
        return exc
    if isinstance(exc, KeyError) and exc.args and type(exc.args[0]) is Symbol and exc.args[0] in unit.globals:
        return UnboundVariableError(unbound_message(exc.args[0]), position)
    if isinstance(exc, NameError):
        # UnboundLocalError and free-variable NameErrors carry the name only in the message.
        found = re.search(r"'(\w+)'", str(exc))
        if found and found.group(1) in unit.locals:
            return EvaluationError(f"{unit.locals[found.group(1)]}: variable used before its definition", position)
    if isinstance(exc, (OverflowError, MemoryError)):
        operator = unit.operators[line] if 0 <= line < len(unit.operators) else None
        where = f"{operator}: " if operator else ""
        if isinstance(exc, MemoryError):
            return EvaluationError(f"{where}out of memory; the result is too large", position)
        return EvaluationError(f"{where}a number is too large for this operation ({exc})", position)
    return exc


def _set_global(bindings: dict, symbol: Symbol, value: Any) -> Any:
    if symbol not in bindings:
        raise UnboundVariableError(f"set!: unbound variable {symbol.name}; define it before assigning to it")
    bindings[symbol] = value
    return UNSPECIFIED


class Compiler:
    """Translates one outermost lambda expression into Python source.

    `chained` is True when the procedure is created in a non-global environment: free
    variables are then looked up along the environment chain, and no operator is inlined.
    """

    def __init__(self, builtins: dict[str, Primitive], chained: bool, bindings: dict | None = None) -> None:
        self.builtins = builtins
        self.chained = chained
        # The global bindings when compiling, if known. A call of a builtin's name gets the
        # builtin's fast path only if the name is bound to the builtin now. Both forms of the
        # call are correct whatever the name is bound to later.
        self.global_bindings = bindings
        self.counter = 0
        self.constants: list[Any] = []
        self.constant_names: dict[int, str] = {}
        self.symbol_names: dict[Symbol, str] = {}
        self.builtin_names: dict[str, tuple[str, str]] = {}
        self.unit = _Unit()
        self.nodes = 0

    # --- names -------------------------------------------------------------------------

    def fresh(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}{self.counter}"

    def constant(self, value: Any) -> str:
        """Return a Python expression for a constant: a literal where exact, else a captured name."""
        kind = type(value)
        if value is True or value is False:
            return repr(value)
        if kind is int and -(2**62) < value < 2**62:
            return repr(value)
        if kind is float and value == value and abs(value) != float("inf"):
            return repr(value)
        if value is NIL:
            return "NIL"
        if value is UNSPECIFIED:
            return "UNSPEC"
        name = self.constant_names.get(id(value))
        if name is None:
            name = f"K{len(self.constants)}"
            self.constants.append(value)
            self.constant_names[id(value)] = name
        return name

    def symbol(self, symbol: Symbol) -> str:
        name = self.symbol_names.get(symbol)
        if name is None:
            name = self.constant(symbol)
            self.symbol_names[symbol] = name
        return name

    def builtin(self, name: str) -> tuple[str, str]:
        """Return the names of a builtin primitive object and of its Python function."""
        names = self.builtin_names.get(name)
        if names is None:
            primitive = self.builtins[name]
            names = (self.constant(primitive), self.constant(primitive.function))
            self.builtin_names[name] = names
        return names

    # --- entry ---------------------------------------------------------------------------

    def compile_unit(self, parameters: tuple[Symbol, ...], rest: Symbol | None, body: list[Pair],
                     position: SourcePosition | None, name: str | None) -> tuple[str, list[Any], _Unit]:
        function = self.function(parameters, rest, body, position, name, None, "SELF")
        # Made before the constants are unpacked below.
        label = self.constant(name)
        signature = self.constant((parameters, rest))
        lines = ["def FACTORY(ENV, G, K, TARGET):"]
        self.unit.positions = [None, None]  # line numbers start at 1; line 1 is the header
        self.unit.operators = [None, None]
        if self.constants:
            lines.append("    " + ", ".join(f"K{i}" for i in range(len(self.constants))) + ", = K")
            self.unit.positions.append(None)
            self.unit.operators.append(None)
        for indent, text, where, operator in self._assemble(function):
            lines.append("    " * (indent + 1) + text)
            self.unit.positions.append(where)
            self.unit.operators.append(operator)
        lines.append(f"    SELF = MKPROC({function.name}, {signature}, {label}, ENV, TARGET)")
        lines.append("    return SELF")
        return "\n".join(lines) + "\n", self.constants, self.unit

    def _assemble(self, function: _Function) -> list[tuple[int, str, SourcePosition | None, str | None]]:
        header = f"def {function.name}({', '.join(function.parameters)}):"
        out: list[tuple[int, str, SourcePosition | None, str | None]] = [(0, header, None, None)]
        if function.nonlocals:
            out.append((1, "nonlocal " + ", ".join(sorted(function.nonlocals)), None, None))
        out.append((1, "try:", None, None))
        for indent, text, where, operator in function.lines:
            out.append((indent + 2, text, where, operator))
        out.append((1, "except ERRORS as exc:", None, None))
        out.append((2, "raise FIX(exc, UNIT)", None, None))
        return out

    def function(self, parameters: tuple[Symbol, ...], rest: Symbol | None, body: list[Pair],
                 position: SourcePosition | None, name: str | None, scope: _Scope | None,
                 self_name: str) -> _Function:
        loops = rest is None and not _creates_closures(body)
        function = _Function(self.fresh("c"), self_name, loops)
        inner = _Scope(scope, function)
        for symbol in parameters:
            function.parameters.append(self.bind(symbol, inner, function).name)
        if rest is not None:
            variable = self.bind(rest, inner, function).name
            function.parameters.append("*" + variable)
            function.emit(f"{variable} = MKLIST({variable})", position)
        if loops:
            function.emit("while True:", position)
            function.indent += 1
        self.body(body, inner, function, position, True)
        if loops and not function.jumped:
            # No self tail call was found: drop the loop header and undo its indentation.
            del function.lines[0]
            function.lines[:] = [(i - 1, t, p, o) for i, t, p, o in function.lines]
        return function

    # --- bodies ------------------------------------------------------------------------------

    def body(self, cells: list[Pair], scope: _Scope, function: _Function, position: SourcePosition | None,
             tail: bool) -> str | None:
        """Compile a body: internal defines become variables of `scope`, bound in order."""
        forms = _body_forms(cells, position)
        for expr, _ in forms:
            target = _define_target(expr)
            if target is not None and target not in scope.variables:
                self.bind(target, scope, function, checked=True)
        result = "UNSPEC"
        for index, (expr, where) in enumerate(forms):
            last = index == len(forms) - 1
            if _define_target(expr) is not None:
                self.define(expr, scope, function, where)
                result = "UNSPEC"
                if last and tail:
                    function.emit("return UNSPEC", where)
                continue
            result = self.expression(expr, scope, function, where, tail and last)
        return None if tail else result

    def define(self, expr: Pair, scope: _Scope, function: _Function, position: SourcePosition | None) -> None:
        target = expr.cdr.car
        binding = scope.variables[_define_target(expr)]
        if type(target) is Symbol:
            if expr.cdr.cdr is NIL:
                value = "UNSPEC"
            else:
                value = self.named_value(expr.cdr.cdr.car, scope, function, _at(expr.cdr.cdr, position), target.name)
        else:
            if type(target.car) is not Symbol:
                raise Unsupported("curried define")
            parameters, rest = _parameters(target.cdr)
            value = self.lambda_(parameters, rest, _cells(expr.cdr.cdr), scope, function, position, target.car.name)
        self.assign(binding, value, function, position)

    def assign(self, binding: _Binding, value: str, function: _Function, position: SourcePosition | None) -> None:
        if binding.function is not function:
            function.nonlocals.add(binding.name)
        function.emit(f"{binding.name} = {value}", position)

    def named_value(self, expr: Any, scope: _Scope, function: _Function, position: SourcePosition | None,
                    name: str) -> str:
        """Compile `expr`, naming it `name` when it is a lambda expression, as define and let do."""
        if type(expr) is Pair and expr.car is _LAMBDA and type(expr.cdr) is Pair:
            parameters, rest = _parameters(expr.cdr.car)
            return self.lambda_(parameters, rest, _cells(expr.cdr.cdr), scope, function, position, name)
        return self.expression(expr, scope, function, position, False)

    def lambda_(self, parameters: tuple[Symbol, ...], rest: Symbol | None, body: list[Pair], scope: _Scope,
                function: _Function, position: SourcePosition | None, name: str | None) -> str:
        """Emit a nested function and the procedure object for it; return the object's name."""
        holder = self.fresh("p")
        inner = self.function(parameters, rest, body, position, name, scope, holder)
        base = function.indent
        for indent, text, where, operator in self._assemble(inner):
            if base + indent > MAX_INDENT:
                raise Unsupported("nested too deeply")
            function.lines.append((base + indent, text, where, operator))
        function.emit(f"{holder} = MKPROC({inner.name}, {self.constant((parameters, rest))}, {self.constant(name)}, ENV, None)", position)
        return holder

    # --- expressions ---------------------------------------------------------------------

    def expression(self, expr: Any, scope: _Scope, function: _Function, position: SourcePosition | None,
                   tail: bool, depth: int = 0) -> str | None:
        """Emit the code for `expr`; return a simple Python expression for its value.

        In tail position the code returns the value (or a TailCall) itself, and None is returned.
        """
        self.nodes += 1
        if self.nodes > MAX_NODES or depth > MAX_DEPTH:
            raise Unsupported("too large")
        kind = type(expr)
        if kind is Symbol:
            value = self.variable(expr, scope, function, position)
        elif kind is Pair:
            head = expr.car
            if type(head) is Symbol and head in _SPECIAL:
                if head.name not in _SUPPORTED:
                    raise Unsupported(head.name)
                return getattr(self, "form_" + _METHOD[head.name])(expr, scope, function, position, tail, depth + 1)
            return self.application(expr, scope, function, position, tail, depth + 1)
        else:
            value = self.constant(expr)
        return self.result(value, function, position, tail)

    def result(self, value: str, function: _Function, position: SourcePosition | None, tail: bool) -> str | None:
        if tail:
            function.emit(f"return {value}", position)
            return None
        return value

    def variable(self, symbol: Symbol, scope: _Scope, function: _Function, position: SourcePosition | None) -> str:
        binding = scope.find(symbol)
        if binding is not None and not binding.checked:
            return binding.name
        temporary = self.fresh("t")
        if binding is not None:
            function.emit(f"{temporary} = {binding.name}", position)
            return temporary
        if self.chained:
            function.emit(f"{temporary} = ENV.lookup({self.symbol(symbol)})", position)
        else:
            self.unit.globals.add(symbol)
            function.emit(f"{temporary} = G[{self.symbol(symbol)}]", position)
        return temporary

    def operands(self, exprs: list[tuple[Any, SourcePosition | None]], scope: _Scope, function: _Function,
                 depth: int) -> list[str]:
        """Compile operands left to right into simple expressions.

        A local variable read early is copied when a later operand runs code, which could
        assign it with set!.
        """
        values: list[str] = []
        runs_code_after = _runs_code_after([expr for expr, _ in exprs])
        for index, (expr, where) in enumerate(exprs):
            value = self.expression(expr, scope, function, where, False, depth)
            assert value is not None
            if value[0] == "v" and runs_code_after[index]:
                copy = self.fresh("t")
                function.emit(f"{copy} = {value}", where)
                value = copy
            values.append(value)
        return values

    def application(self, expr: Pair, scope: _Scope, function: _Function, position: SourcePosition | None,
                    tail: bool, depth: int) -> str | None:
        cells = _cells(expr)
        operator = expr.car
        count = len(cells) - 1
        parts = [(cell.car, _at(cell, position)) for cell in cells]
        builtin = self.builtins.get(operator.name) if type(operator) is Symbol else None
        if (builtin is not None and not self.chained and scope.find(operator) is None
                and builtin.accepts[min(count, 3)] and (count <= 3 or builtin.max_args is None)
                and (self.global_bindings is None or self.global_bindings.get(operator) is builtin)):
            return self.builtin_call(operator, parts[1:], scope, function, position, tail, depth)
        values = self.operands(parts, scope, function, depth)
        return self.call(values[0], values[1:], function, position, tail, _label(operator))

    def call(self, procedure: str, arguments: list[str], function: _Function, position: SourcePosition | None,
             tail: bool, label: str | None) -> str | None:
        if tail:
            self.tail_call(procedure, arguments, function, position, label)
            return None
        result = self.fresh("t")
        self.generic_call(procedure, arguments, result, function, position, label)
        return result

    def generic_call(self, procedure: str, arguments: list[str], result: str, function: _Function,
                     position: SourcePosition | None, label: str | None) -> None:
        count = len(arguments)
        joined = ", ".join(arguments)
        function.emit(f"if type({procedure}) is CP and {procedure}.arity == {count}: {result} = {procedure}.code({joined})", position, label)
        if count <= 3:
            function.emit(f"elif type({procedure}) is PRIM and {procedure}.accepts[{count}]: {result} = {procedure}.function({joined})", position, label)
        function.emit(f"else: {result} = APPLY({procedure}, [{joined}], {self.constant(position)})", position, label)
        function.emit(f"if type({result}) is TC: {result} = FINISH({result}, {self.constant(position)})", position, label)

    def tail_call(self, procedure: str, arguments: list[str], function: _Function, position: SourcePosition | None,
                  label: str | None) -> None:
        count = len(arguments)
        joined = ", ".join(arguments)
        if function.loops and count == len(function.parameters):
            function.jumped = True
            comma = "," if count == 1 else ""
            function.emit(f"if {procedure} is {function.self_name}: {', '.join(function.parameters)}{comma} = {joined}{comma}; continue", position)
        function.emit(f"if type({procedure}) is CP and {procedure}.arity == {count} and DEPTH[0] < {TAIL_DEPTH_LIMIT}:", position, label)
        # The count must come down even when an error or Ctrl-C passes through.
        function.emit("    DEPTH[0] += 1", position, label)
        function.emit(f"    try: return {procedure}.code({joined})", position, label)
        function.emit("    finally: DEPTH[0] -= 1", position, label)
        if count <= 3:
            result = self.fresh("t")
            function.emit(f"if type({procedure}) is PRIM and {procedure}.accepts[{count}]:", position, label)
            function.emit(f"    {result} = {procedure}.function({joined})", position, label)
            # apply hands back a TailCall without a position; give it this call's.
            function.emit(f"    if type({result}) is TC and {result}.position is None: {result}.position = {self.constant(position)}", position, label)
            function.emit(f"    return {result}", position, label)
        function.emit(f"return TC({procedure}, [{joined}], {self.constant(position)})", position, label)

    def builtin_call(self, operator: Symbol, operands: list[tuple[Any, SourcePosition | None]], scope: _Scope,
                     function: _Function, position: SourcePosition | None, tail: bool, depth: int) -> str | None:
        """Compile a call of a global name now bound to a builtin: direct while that binding lasts."""
        # The operator is read before the operands are evaluated, as the interpreter does.
        bound = self.fresh("t")
        function.emit(f"{bound} = G[{self.symbol(operator)}]", position, operator.name)
        values = self.operands(operands, scope, function, depth)
        primitive, python_function = self.builtin(operator.name)
        joined = ", ".join(values)
        label = operator.name
        self.unit.globals.add(operator)
        inline = _INLINE.get((operator.name, len(values)))
        if inline is None:
            fast = f"{python_function}({joined})"
        else:
            template, guard = inline
            fast = template.format(*values, F=python_function)
            if guard in ("number", "arithmetic", "compare"):
                # Literals are small enough to convert to float exactly.
                unknown = [v for v in values if not _numeric_literal(v)]
                if unknown:
                    paths = []
                    if not any(_numeric_literal(v) and not v.lstrip("-").isdigit() for v in values):
                        paths.append((fast, " is ".join([f"type({unknown[0]})", "int"] + [f"type({v})" for v in unknown[1:]])))
                    paths.append((fast, " is ".join([f"type({unknown[0]})", "float"] + [f"type({v})" for v in unknown[1:]])))
                    if len(unknown) == 2 and guard != "number":
                        mixed = fast if guard == "compare" else f"MIXED({joined}, {_OPERATORS[operator.name]}, {python_function})"
                        paths.append((mixed, " and ".join(f"type({v}) in NUMBER" for v in unknown)))
                    tests = "".join(f"{path} if {test} else " for path, test in paths)
                    fast = f"({tests}{python_function}({joined}))"
            elif guard == "pair":
                fast = f"({fast} if type({values[0]}) is PAIR else {python_function}({joined}))"
            elif guard is None and _numeric_literal(values[0]):
                # Python warns on `is` with a numeric literal, so call the builtin instead.
                fast = f"{python_function}({joined})"
        where = self.constant(position)
        if tail:
            if operator.name in _TAIL_CALLING:
                # The TailCall apply returns carries no position; give it this call's.
                result = self.fresh("t")
                function.emit(f"{result} = {fast} if {bound} is {primitive} else TC({bound}, [{joined}], {where})", position, label)
                function.emit(f"if type({result}) is TC and {result}.position is None: {result}.position = {where}", position, label)
                function.emit(f"return {result}", position, label)
                return None
            # A builtin may return a TailCall (apply does); in tail position it is passed on.
            function.emit(f"return {fast} if {bound} is {primitive} else TC({bound}, [{joined}], {where})", position, label)
            return None
        result = self.fresh("t")
        function.emit(f"{result} = {fast} if {bound} is {primitive} else APPLY({bound}, [{joined}], {where})", position, label)
        if inline is None and operator.name in _TAIL_CALLING:
            function.emit(f"if type({result}) is TC: {result} = FINISH({result}, {where})", position, label)
        return result

    # --- special forms -------------------------------------------------------------------

    def form_quote(self, expr, scope, function, position, tail, depth):
        return self.result(self.constant(expr.cdr.car), function, position, tail)

    def branch(self, test: str, function: _Function, position: SourcePosition | None) -> None:
        if _numeric_literal(test):
            test = "True"  # a number is true; Python warns on `is` with a numeric literal
        function.emit(f"if {test} is not False:", position)
        function.indent += 1

    def conditional(self, test: str, consequent: Callable[[], str | None], alternative: Callable[[], str | None],
                    function: _Function, position: SourcePosition | None, tail: bool) -> str | None:
        """Emit `if test ... else ...` with each branch's value in one result variable."""
        result = None if tail else self.fresh("t")
        self.branch(test, function, position)
        value = consequent()
        if not tail:
            function.emit(f"{result} = {value}", position)
        function.indent -= 1
        function.emit("else:", position)
        function.indent += 1
        value = alternative()
        if not tail:
            function.emit(f"{result} = {value}", position)
        function.indent -= 1
        return result

    def form_if(self, expr, scope, function, position, tail, depth):
        cells = _cells(expr)
        test = self.expression(cells[1].car, scope, function, _at(cells[1], position), False, depth)
        return self.conditional(
            test,
            lambda: self.expression(cells[2].car, scope, function, _at(cells[2], position), tail, depth),
            lambda: (self.expression(cells[3].car, scope, function, _at(cells[3], position), tail, depth)
                     if len(cells) == 4 else self.result("UNSPEC", function, position, tail)),
            function, position, tail)

    def form_define(self, expr, scope, function, position, tail, depth):
        raise Unsupported("define outside a body")

    def form_set(self, expr, scope, function, position, tail, depth):
        name = expr.cdr.car
        value = self.expression(expr.cdr.cdr.car, scope, function, _at(expr.cdr.cdr, position), False, depth)
        binding = scope.find(name)
        if binding is not None:
            self.assign(binding, value, function, position)
        elif self.chained:
            function.emit(f"ENV.assign({self.symbol(name)}, {value})", position)
        else:
            function.emit(f"SETG(G, {self.symbol(name)}, {value})", position)
        return self.result("UNSPEC", function, position, tail)

    def form_lambda(self, expr, scope, function, position, tail, depth):
        parameters, rest = _parameters(expr.cdr.car)
        value = self.lambda_(parameters, rest, _cells(expr.cdr.cdr), scope, function, position, None)
        return self.result(value, function, position, tail)

    def form_named_lambda(self, expr, scope, function, position, tail, depth):
        header = expr.cdr.car
        parameters, rest = _parameters(header.cdr)
        value = self.lambda_(parameters, rest, _cells(expr.cdr.cdr), scope, function, position, header.car.name)
        return self.result(value, function, position, tail)

    def form_begin(self, expr, scope, function, position, tail, depth):
        cells = _cells(expr.cdr)
        if not cells:
            return self.result("UNSPEC", function, position, tail)
        if _has_define(expr):
            raise Unsupported("define inside begin outside a body")
        value = None
        for index, cell in enumerate(cells):
            value = self.expression(cell.car, scope, function, _at(cell, position), tail and index == len(cells) - 1, depth)
        return value

    def bindings(self, spec: Any, position: SourcePosition | None) -> list[tuple[Symbol, Any, SourcePosition | None]]:
        result = []
        cell = spec
        while type(cell) is Pair:
            binding = cell.car
            result.append((binding.car, binding.cdr.car, _at(binding.cdr, _at(cell, position))))
            cell = cell.cdr
        return result

    def bind(self, symbol: Symbol, scope: _Scope, function: _Function, checked: bool = False) -> _Binding:
        variable = self.fresh("v")
        self.unit.locals[variable] = symbol.name
        binding = _Binding(variable, function, checked)
        scope.variables[symbol] = binding
        return binding

    def form_let(self, expr, scope, function, position, tail, depth):
        if type(expr.cdr.car) is Symbol:
            return self.named_let(expr, scope, function, position, tail, depth)
        pairs = self.bindings(expr.cdr.car, position)
        values = []
        runs_code_after = _runs_code_after([init for _, init, _ in pairs])
        for index, (name, init, where) in enumerate(pairs):
            value = self.named_value(init, scope, function, where, name.name)
            if value[0] == "v" and runs_code_after[index]:
                copy = self.fresh("t")
                function.emit(f"{copy} = {value}", where)
                value = copy
            values.append(value)
        inner = _Scope(scope, function)
        for (name, _, where), value in zip(pairs, values):
            function.emit(f"{self.bind(name, inner, function).name} = {value}", where)
        return self.body(_cells(expr.cdr.cdr), inner, function, position, tail)

    def named_let(self, expr, scope, function, position, tail, depth):
        loop_name = expr.cdr.car
        pairs = self.bindings(expr.cdr.cdr.car, position)
        values = self.operands([(init, where) for _, init, where in pairs], scope, function, depth)
        inner = _Scope(scope, function)
        binding = self.bind(loop_name, inner, function)
        parameters = tuple(name for name, _, _ in pairs)
        procedure = self.lambda_(parameters, None, _cells(expr.cdr.cdr.cdr), inner, function, position, loop_name.name)
        function.emit(f"{binding.name} = {procedure}", position)
        return self.call(binding.name, values, function, position, tail, loop_name.name)

    def form_let_star(self, expr, scope, function, position, tail, depth):
        pairs = self.bindings(expr.cdr.car, position)
        for name, init, where in pairs:
            value = self.named_value(init, scope, function, where, name.name)
            scope = _Scope(scope, function)
            function.emit(f"{self.bind(name, scope, function).name} = {value}", where)
        # The body's definitions join the last binding's scope, as they join its frame.
        return self.body(_cells(expr.cdr.cdr), scope if pairs else _Scope(scope, function), function, position, tail)

    def form_letrec(self, expr, scope, function, position, tail, depth):
        pairs = self.bindings(expr.cdr.car, position)
        inner = _Scope(scope, function)
        bound = [self.bind(name, inner, function, checked=True) for name, _, _ in pairs]
        for binding, (name, init, where) in zip(bound, pairs):
            value = self.named_value(init, inner, function, where, name.name)
            function.emit(f"{binding.name} = {value}", where)
        return self.body(_cells(expr.cdr.cdr), inner, function, position, tail)

    def form_cond(self, expr, scope, function, position, tail, depth):
        clauses = [(cell.car, _at(cell, position)) for cell in _cells(expr.cdr)]
        return self.clauses(clauses, scope, function, position, tail, depth)

    def clauses(self, clauses, scope, function, position, tail, depth):
        if not clauses:
            return self.result("UNSPEC", function, position, tail)
        clause, where = clauses[0]
        parts = _cells(clause)
        if clause.car is _ELSE:
            return self.sequence(parts[1:], scope, function, where, tail, depth)
        test = self.expression(clause.car, scope, function, where, False, depth)
        if len(parts) == 1:
            consequent = lambda: self.result(test, function, where, tail)  # noqa: E731
        elif parts[1].car is _ARROW:
            if test[0] == "v":
                # The receiver expression could assign the variable; pass the test's value.
                copy = self.fresh("t")
                function.emit(f"{copy} = {test}", where)
                test = copy

            def consequent():
                receiver = self.expression(parts[2].car, scope, function, where, False, depth)
                return self.call(receiver, [test], function, position, tail, None)
        else:
            consequent = lambda: self.sequence(parts[1:], scope, function, where, tail, depth)  # noqa: E731
        return self.conditional(test, consequent,
                                lambda: self.clauses(clauses[1:], scope, function, position, tail, depth + 1),
                                function, where, tail)

    def sequence(self, cells, scope, function, position, tail, depth):
        value = None
        for index, cell in enumerate(cells):
            value = self.expression(cell.car, scope, function, _at(cell, position), tail and index == len(cells) - 1, depth)
        return value

    def form_case(self, expr, scope, function, position, tail, depth):
        cells = _cells(expr)
        key = self.expression(cells[1].car, scope, function, _at(cells[1], position), False, depth)
        if key[0] == "v":
            copy = self.fresh("t")
            function.emit(f"{copy} = {key}", position)
            key = copy
        return self.case_clauses(key, [(cell.car, _at(cell, position)) for cell in cells[2:]],
                                 scope, function, position, tail, depth)

    def case_clauses(self, key, clauses, scope, function, position, tail, depth):
        if not clauses:
            return self.result("UNSPEC", function, position, tail)
        clause, where = clauses[0]
        parts = _cells(clause)
        if parts[1].car is _ARROW:
            def consequent():
                receiver = self.expression(parts[2].car, scope, function, where, False, depth)
                return self.call(receiver, [key], function, position, tail, None)
        else:
            consequent = lambda: self.sequence(parts[1:], scope, function, where, tail, depth)  # noqa: E731
        if clause.car is _ELSE:
            return consequent()
        data = list(clause.car) if clause.car is not NIL else []
        test = self.fresh("t")
        checks = " or ".join(f"EQV({key}, {self.constant(datum)})" for datum in data) or "False"
        function.emit(f"{test} = {checks}", where)
        return self.conditional(test, consequent,
                                lambda: self.case_clauses(key, clauses[1:], scope, function, position, tail, depth + 1),
                                function, where, tail)

    def form_and(self, expr, scope, function, position, tail, depth):
        cells = _cells(expr.cdr)
        if not cells:
            return self.result("True", function, position, tail)
        return self.junction(cells, scope, function, position, tail, depth, "and")

    def form_or(self, expr, scope, function, position, tail, depth):
        cells = _cells(expr.cdr)
        if not cells:
            return self.result("False", function, position, tail)
        return self.junction(cells, scope, function, position, tail, depth, "or")

    def junction(self, cells, scope, function, position, tail, depth, kind):
        first = cells[0]
        if len(cells) == 1:
            return self.expression(first.car, scope, function, _at(first, position), tail, depth)
        value = self.expression(first.car, scope, function, _at(first, position), False, depth)
        rest = lambda: self.junction(cells[1:], scope, function, position, tail, depth + 1, kind)  # noqa: E731
        stop = lambda: self.result(value, function, position, tail)  # noqa: E731
        if kind == "and":
            return self.conditional(value, rest, stop, function, position, tail)
        return self.conditional(value, stop, rest, function, position, tail)

    def form_when(self, expr, scope, function, position, tail, depth):
        cells = _cells(expr)
        test = self.expression(cells[1].car, scope, function, _at(cells[1], position), False, depth)
        run = lambda: self.sequence(cells[2:], scope, function, position, tail, depth)  # noqa: E731
        skip = lambda: self.result("UNSPEC", function, position, tail)  # noqa: E731
        if expr.car.name == "when":
            return self.conditional(test, run, skip, function, position, tail)
        return self.conditional(test, skip, run, function, position, tail)

    def form_do(self, expr, scope, function, position, tail, depth):
        if _creates_closures([Pair(expr, NIL)]):
            raise Unsupported("closure inside do")

        # Inits run in the enclosing scope, then the loop variables are bound.
        specs = [(cell.car, _at(cell, position)) for cell in _cells(expr.cdr.car)] if expr.cdr.car is not NIL else []
        inits = self.operands([(spec.cdr.car, _at(spec.cdr, where)) for spec, where in specs], scope, function, depth)
        inner = _Scope(scope, function)
        bound = []
        for (spec, where), value in zip(specs, inits):
            binding = self.bind(spec.car, inner, function)
            function.emit(f"{binding.name} = {value}", where)
            bound.append(binding)

        exit_cells = _cells(expr.cdr.cdr.car)
        function.emit("while True:", position)
        function.indent += 1
        test = self.expression(exit_cells[0].car, inner, function, _at(exit_cells[0], position), False, depth)
        function.emit(f"if {test} is not False: break", position)
        for cell in _cells(expr.cdr.cdr.cdr):
            self.expression(cell.car, inner, function, _at(cell, position), False, depth)

        steps = [(binding, spec.cdr.cdr.car, _at(spec.cdr.cdr, where)) for binding, (spec, where) in zip(bound, specs)
                 if spec.cdr.cdr is not NIL]
        values = self.operands([(step, where) for _, step, where in steps], inner, function, depth)
        # Every step is computed before any variable is updated.
        for index, ((_, _, where), value) in enumerate(zip(steps, values)):
            if value[0] == "v":
                values[index] = self.fresh("t")
                function.emit(f"{values[index]} = {value}", where)
        for (binding, _, where), value in zip(steps, values):
            function.emit(f"{binding.name} = {value}", where)
        function.indent -= 1

        if len(exit_cells) == 1:
            return self.result("UNSPEC", function, position, tail)
        return self.sequence(exit_cells[1:], inner, function, position, tail, depth)


_METHOD = {
    "quote": "quote", "if": "if", "define": "define", "set!": "set", "lambda": "lambda",
    "named-lambda": "named_lambda", "begin": "begin", "let": "let", "let*": "let_star",
    "letrec": "letrec", "letrec*": "letrec", "cond": "cond", "case": "case", "and": "and",
    "or": "or", "when": "when", "unless": "when", "do": "do",
}
_SPECIAL: set[Symbol] = set()  # filled by core with every special form's name
_LAMBDA = Symbol("lambda")
_BEGIN = Symbol("begin")
_DEFINE = Symbol("define")
_ELSE = Symbol("else")
_ARROW = Symbol("=>")


def _at(cell: Pair, fallback: SourcePosition | None) -> SourcePosition | None:
    return cell.position if cell.position is not None else fallback


def _cells(expr: Any) -> list[Pair]:
    cells = []
    while type(expr) is Pair:
        cells.append(expr)
        expr = expr.cdr
    return cells


def _parameters(spec: Any) -> tuple[tuple[Symbol, ...], Symbol | None]:
    parameters = []
    while type(spec) is Pair:
        parameters.append(spec.car)
        spec = spec.cdr
    return tuple(parameters), (spec if type(spec) is Symbol else None)


def _define_target(expr: Any) -> Symbol | None:
    """Return the variable a body-level (define ...) binds, or None if `expr` is not a define."""
    if type(expr) is not Pair or expr.car is not _DEFINE or type(expr.cdr) is not Pair:
        return None
    target = expr.cdr.car
    while type(target) is Pair:
        target = target.car
    return target if type(target) is Symbol else None


def _body_forms(cells: list[Pair], position: SourcePosition | None) -> list[tuple[Any, SourcePosition | None]]:
    """Return a body's forms, with body-level begin spliced in (their defines are internal too)."""
    forms: list[tuple[Any, SourcePosition | None]] = []
    for cell in cells:
        expr, where = cell.car, _at(cell, position)
        if type(expr) is Pair and expr.car is _BEGIN and expr.cdr is not NIL and _has_define(expr):
            forms.extend(_body_forms(_cells(expr.cdr), where))
        else:
            forms.append((expr, where))
    return forms


def body_definitions(cells: list[Pair]) -> list[Symbol]:
    """Return the variables that the internal definitions of a body bind, in order."""
    targets = (_define_target(expr) for expr, _ in _body_forms(cells, None))
    return [target for target in targets if target is not None]


def _has_define(expr: Pair) -> bool:
    return any(_define_target(cell.car) is not None for cell in _cells(expr.cdr))


def _simple(expr: Any) -> bool:
    """True when evaluating `expr` runs no code that could assign a variable."""
    if type(expr) is Pair:
        return expr.car is Symbol("quote")
    return True


def _runs_code_after(exprs: list[Any]) -> list[bool]:
    """For each expression, whether some expression after it is not simple (one pass from the end)."""
    flags = [False] * len(exprs)
    seen = False
    for index in range(len(exprs) - 1, -1, -1):
        flags[index] = seen
        seen = seen or not _simple(exprs[index])
    return flags


def _numeric_literal(text: str) -> bool:
    return text[0].isdigit() or (text[0] == "-" and text[1:2].isdigit())


def _label(operator: Any) -> str | None:
    return operator.name if type(operator) is Symbol else None


def _creates_closures(body: list[Pair]) -> bool:
    """True when a body may create a closure or define a variable (conservatively)."""
    names = {Symbol(name) for name in _CLOSURE_FORMS}
    stack: list[Any] = [cell.car for cell in body]
    seen: set[int] = set()
    while stack:
        item = stack.pop()
        if type(item) is not Pair or id(item) in seen:
            continue
        seen.add(id(item))
        head = item.car
        if type(head) is Symbol and head in names and (head is not Symbol("let") or (type(item.cdr) is Pair and type(item.cdr.car) is Symbol)):
            return True
        stack.append(item.car)
        stack.append(item.cdr)
    return False


# --- running the generated code ------------------------------------------------------------

_ERRORS = (SchemeError, KeyError, NameError, OverflowError, MemoryError)


# Calls of the procedures made from one lambda expression before it is compiled. Compiling
# costs up to about half a millisecond, more than most single calls, so a procedure called
# once (a program's main procedure, a lambda made by eval) stays interpreted. 0 compiles each
# lambda expression when the first procedure is made from it.
COMPILE_AFTER_CALLS = 2


class LazyLambda:
    """A lambda expression's compiled factory, built when its procedures have been called enough.

    The factory differs for the global environment and for a nested one, so each is cached.
    """

    __slots__ = ("parameters", "rest", "body", "position", "name", "factories", "calls")

    def __init__(self, parameters: tuple[Symbol, ...], rest: Symbol | None, body: list[Pair],
                 position: SourcePosition | None, name: str | None) -> None:
        self.parameters = parameters
        self.rest = rest
        self.body = body
        self.position = position
        self.name = name
        self.factories: dict[bool, Callable[..., Any] | None] = {}
        self.calls = 0

    def ready(self, env: Environment) -> Callable[..., Any] | None:
        """Return the factory for procedures made in `env` if it is time to compile, else None."""
        if COMPILE_AFTER_CALLS and self.calls < COMPILE_AFTER_CALLS:
            return None
        return self.factory(env)

    def upgrade(self, procedure: Any) -> bool:
        """Compile the code of an interpreted procedure made from this lambda, in place.

        The procedure object stays the same, so bindings and comparisons with it still hold.
        Return False when the lambda cannot be compiled.
        """
        factory = self.factory(procedure.environment)
        if factory is None:
            return False
        factory(procedure.environment, procedure)
        return True

    def factory(self, env: Environment) -> Callable[..., Any] | None:
        chained = env.parent is not None
        try:
            return self.factories[chained]
        except KeyError:
            pass
        factory = None
        try:
            factory = _build(self.parameters, self.rest, self.body, self.position, self.name, chained,
                             None if chained else env.bindings)
        except (Unsupported, RecursionError, SyntaxError, MemoryError) as exc:
            logger.debug("interpreting %s: %s", self.name or "a lambda", exc)
        self.factories[chained] = factory
        return factory


def _build(parameters, rest, body, position, name, chained, bindings) -> Callable[[Environment], Any]:
    compiler = Compiler(_builtins(), chained, bindings)
    source, constants, unit = compiler.compile_unit(parameters, rest, body, position, name)
    namespace = dict(_RUNTIME)
    namespace["UNIT"] = unit
    code = _compile_source(source, f"<compiled {name or 'lambda'}>")
    exec(code, namespace)  # noqa: S102 - the source is generated above from the analyzed program
    make = namespace["FACTORY"]
    frozen = tuple(constants)
    logger.debug("compiled %s into %d lines", name or "a lambda", source.count("\n"))
    return lambda env, target=None: make(env, env.bindings, frozen, target)


@functools.lru_cache(maxsize=512)
def _compile_source(source: str, file_name: str) -> Any:
    """Compile generated source, reusing the code of an identical procedure compiled before.

    Constants and positions are not in the source, so loading the same program again, in a
    new interpreter or after an edit elsewhere in the file, compiles nothing.
    """
    return compile(source, file_name, "exec")


_builtin_table: dict[str, Primitive] | None = None


def _builtins() -> dict[str, Primitive]:
    global _builtin_table
    if _builtin_table is None:
        from .builtins import all_primitives

        _builtin_table = all_primitives()
    return _builtin_table


_RUNTIME: dict[str, Any] = {}


def install(runtime: dict[str, Any], special_forms: set[Symbol]) -> None:
    """Give generated code the evaluator's procedures; core.py calls this once on import."""
    _SPECIAL.update(special_forms)
    _RUNTIME.update(runtime)
    _RUNTIME.update(
        TC=TailCall, PRIM=Primitive, PAIR=Pair, NIL=NIL, UNSPEC=UNSPECIFIED, MKLIST=make_list,
        NUMBER=frozenset((int, float)), ERRORS=_ERRORS, DEPTH=tail_depth,
        MIXED=_mixed, ADD=add, SUBTRACT=sub, MULTIPLY=mul, DIVIDE=truediv, FIX=translate_error, SETG=_set_global,
    )
