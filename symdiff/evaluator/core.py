"""The evaluator core: syntactic analysis into Python closures, and procedure application.

Each expression is analyzed once (SICP 4.1.7) into a closure of one argument, the environment.
A closure in tail position returns a TailCall instead of calling, and `apply_procedure` runs
the trampoline, so tail calls take constant Python stack. Non-tail calls use the Python stack;
the interpreter runs evaluation on a thread with a large stack and turns RecursionError into
a Scheme error.
"""

from __future__ import annotations

from typing import Any, Callable

from ..errors import (
    ArityError,
    EvaluationError,
    SchemeError,
    SchemeSyntaxError,
    SchemeTypeError,
    SourcePosition,
    UnboundVariableError,
)
from ..printer import write_string
from ..types import NIL, UNSPECIFIED, Pair, Symbol, list_to_python, make_list
from .builtins.equality import is_eqv
from . import compiler
from .compiler import LazyLambda, body_definitions, install
from .environment import UNASSIGNED, Environment, unbound_message
from .procedures import Primitive, TailCall, describe_arity, set_applier

Closure = Callable[[Environment], Any]


class CompoundProcedure:
    """A procedure made by `lambda`: parameters, a body and its defining environment.

    An interpreted procedure has an analyzed `body` that runs in a fresh environment; a
    compiled one has `code`, a Python function of the arguments (see compiler.py), and
    `arity`, the exact argument count its callers may pass to `code` directly (-1 when it
    takes a rest argument, -2 when it has no code).
    """

    __slots__ = ("parameters", "rest", "body", "environment", "name", "code", "arity", "required", "source")
    is_procedure = True

    def __init__(
        self,
        parameters: tuple[Symbol, ...],
        rest: Symbol | None,
        body: Closure | None,
        environment: Environment,
        name: str | None,
        code: Callable[..., Any] | None = None,
        source: LazyLambda | None = None,
    ) -> None:
        self.parameters = parameters
        # The lambda expression to compile this procedure from once it has been called enough.
        self.source = source
        self.rest = rest
        self.body = body
        self.environment = environment
        self.name = name
        self.code = code
        self.required = len(parameters)
        if code is None:
            self.arity = -2
        elif rest is not None:
            self.arity = -1
        else:
            self.arity = len(parameters)

    def bind(self, arguments: list) -> Environment:
        """Return the environment for one call: the parameters bound to `arguments`."""
        parameters = self.parameters
        count = len(parameters)
        if len(arguments) == count and self.rest is None:
            return Environment(dict(zip(parameters, arguments)), self.environment)
        if self.rest is not None and len(arguments) >= count:
            bindings = dict(zip(parameters, arguments))
            bindings[self.rest] = make_list(arguments[count:])
            return Environment(bindings, self.environment)
        raise self.arity_error(len(arguments))

    def arity_error(self, count: int) -> ArityError:
        expected = describe_arity(self.required, None if self.rest is not None else self.required)
        return ArityError(f"{self.name or 'anonymous procedure'}: expected {expected}, got {count}")

    def scheme_repr(self) -> str:
        return f"#<procedure {self.name}>" if self.name else "#<procedure>"


def _compiled_procedure(code: Callable[..., Any], signature: tuple[tuple[Symbol, ...], Symbol | None],
                        name: str | None, environment: Environment,
                        target: CompoundProcedure | None) -> CompoundProcedure:
    """Make the procedure object for a compiled function, or give `target` the compiled code."""
    parameters, rest = signature
    if target is None:
        return CompoundProcedure(parameters, rest, None, environment, name, code)
    target.arity = -1 if rest is not None else len(parameters)
    target.code = code
    target.source = None
    return target


def apply_procedure(procedure: Any, arguments: list, position: SourcePosition | None = None) -> Any:
    """Call `procedure` with `arguments`, running tail calls until a value is returned.

    An error that carries no position yet gets the position of the call that raised it.
    """
    try:
        while True:
            kind = type(procedure)
            if kind is CompoundProcedure:
                code = procedure.code
                if code is None:
                    source = procedure.source
                    if source is not None:
                        source.calls += 1
                        if source.calls >= compiler.COMPILE_AFTER_CALLS:
                            if source.upgrade(procedure):
                                continue  # run this call with the compiled code
                            procedure.source = None
                    result = procedure.body(procedure.bind(arguments))
                elif len(arguments) == procedure.arity or (
                    procedure.arity == -1 and len(arguments) >= procedure.required
                ):
                    result = code(*arguments)
                else:
                    raise procedure.arity_error(len(arguments))
                if type(result) is TailCall:
                    position = result.position
                    procedure = result.procedure
                    arguments = result.arguments
                    continue
                return result
            if kind is Primitive:
                count = len(arguments)
                if count < procedure.min_args or (procedure.max_args is not None and count > procedure.max_args):
                    procedure.check_arity(count)
                try:
                    result = procedure.function(*arguments)
                except (OverflowError, MemoryError) as exc:
                    raise resource_error(procedure, exc, position) from exc
                if type(result) is TailCall:  # apply hands its call back, to keep it a tail call
                    procedure = result.procedure
                    arguments = result.arguments
                    continue
                return result
            if getattr(procedure, "is_procedure", False):
                return procedure(arguments)
            raise SchemeTypeError(f"application: not a procedure: {_short(procedure)}")
    except SchemeError as exc:
        if exc.position is None:
            exc.position = position
        raise


def resource_error(procedure: Primitive, exc: BaseException, position: SourcePosition | None) -> EvaluationError:
    """Describe a primitive that ran out of memory or of a machine-sized integer."""
    if isinstance(exc, MemoryError):
        return EvaluationError(f"{procedure.name}: out of memory; the result is too large", position)
    return EvaluationError(f"{procedure.name}: a number is too large for this operation ({exc})", position)


set_applier(apply_procedure)


# --- analysis ----------------------------------------------------------------------------

SpecialForm = Callable[[Pair, "SourcePosition | None", bool], Closure]
SPECIAL_FORMS: dict[Symbol, SpecialForm] = {}


def special_form(name: str) -> Callable[[SpecialForm], SpecialForm]:
    def register(handler: SpecialForm) -> SpecialForm:
        SPECIAL_FORMS[Symbol(name)] = handler
        return handler

    return register


def analyze(expr: Any, position: SourcePosition | None, tail: bool = False) -> Closure:
    """Analyze `expr` into a closure over the environment; `tail` marks a tail position."""
    kind = type(expr)
    if kind is Symbol:
        return _analyze_variable(expr, position)
    if kind is Pair:
        operator = expr.car
        if type(operator) is Symbol:
            handler = SPECIAL_FORMS.get(operator)
            if handler is not None:
                return handler(expr, position, tail)
        return _analyze_application(expr, position, tail)
    if expr is NIL:
        raise SchemeSyntaxError("() is not a valid expression: quote it as '() for the empty list", position)
    return lambda env: expr


def _analyze_variable(name: Symbol, position: SourcePosition | None) -> Closure:
    def lookup(env: Environment) -> Any:
        frame: Environment | None = env
        while frame is not None:
            bindings = frame.bindings
            if name in bindings:
                value = bindings[name]
                if value is UNASSIGNED:
                    raise EvaluationError(f"{name.name}: variable used before its definition", position)
                return value
            frame = frame.parent
        raise UnboundVariableError(unbound_message(name), position)

    return lookup


def _analyze_application(expr: Pair, position: SourcePosition | None, tail: bool) -> Closure:
    cells = _cells(expr, position, "application")
    operator = analyze(expr.car, _at(expr, position))
    operands = tuple(analyze(cell.car, _at(cell, position)) for cell in cells[1:])

    # Calls with one or two operands, the most common, get closures that call a primitive
    # directly, without a list or a trip through apply_procedure. Closures for up to three
    # operands also avoid a list comprehension, one more Python frame per call level.
    count = len(operands)
    if count == 1:
        return _application1(operator, operands[0], position, tail)
    if count == 2:
        return _application2(operator, operands[0], operands[1], position, tail)
    if tail:
        if count == 0:
            return lambda env: TailCall(operator(env), [], position)
        if count == 3:
            first, second, third = operands
            return lambda env: TailCall(operator(env), [first(env), second(env), third(env)], position)
        return lambda env: TailCall(operator(env), [operand(env) for operand in operands], position)

    if count == 0:
        return lambda env: apply_procedure(operator(env), [], position)
    if count == 3:
        first, second, third = operands
        return lambda env: apply_procedure(operator(env), [first(env), second(env), third(env)], position)
    return lambda env: apply_procedure(operator(env), [operand(env) for operand in operands], position)


def _call_primitive(procedure: Primitive, arguments: tuple, position: SourcePosition | None, tail: bool) -> Any:
    """Call a primitive whose arity is known to fit; finish a TailCall it returns unless in tail position."""
    try:
        result = procedure.function(*arguments)
    except SchemeError as exc:
        if exc.position is None:
            exc.position = position
        raise
    except (OverflowError, MemoryError) as exc:
        raise resource_error(procedure, exc, position) from exc
    if type(result) is TailCall:
        if result.position is None:  # apply's call: errors point at the apply
            result.position = position
        if not tail:
            return apply_procedure(result.procedure, result.arguments, position)
    return result


def _application1(operator: Closure, first: Closure, position: SourcePosition | None, tail: bool) -> Closure:
    def application1(env: Environment) -> Any:
        procedure = operator(env)
        a = first(env)
        if type(procedure) is Primitive and procedure.accepts[1]:
            return _call_primitive(procedure, (a,), position, tail)
        if tail:
            return TailCall(procedure, [a], position)
        return apply_procedure(procedure, [a], position)

    return application1


def _application2(operator: Closure, first: Closure, second: Closure, position: SourcePosition | None, tail: bool) -> Closure:
    def application2(env: Environment) -> Any:
        procedure = operator(env)
        a = first(env)
        b = second(env)
        if type(procedure) is Primitive and procedure.accepts[2]:
            return _call_primitive(procedure, (a, b), position, tail)
        if tail:
            return TailCall(procedure, [a, b], position)
        return apply_procedure(procedure, [a, b], position)

    return application2


def _at(cell: Pair, fallback: SourcePosition | None) -> SourcePosition | None:
    return cell.position if cell.position is not None else fallback


def _cells(expr: Pair, position: SourcePosition | None, name: str) -> list[Pair]:
    """Return the cells of a proper list form, or raise a syntax error for a dotted one."""
    cells: list[Pair] = []
    cell: Any = expr
    while type(cell) is Pair:
        cells.append(cell)
        cell = cell.cdr
    if cell is not NIL:
        raise SchemeSyntaxError(f"{name}: a form must be a proper list, got {write_string(expr)}", position)
    return cells


def _form(expr: Pair, position: SourcePosition | None, min_items: int, max_items: int | None, usage: str) -> list[Pair]:
    """Return the cells of a special form after checking how many parts it has."""
    cells = _cells(expr, position, expr.car.name)
    count = len(cells) - 1
    if count < min_items or (max_items is not None and count > max_items):
        raise SchemeSyntaxError(f"{expr.car.name}: bad syntax in {_short(expr)}; expected {usage}", position)
    return cells


def _short(expr: Any, limit: int = 60) -> str:
    text = write_string(expr)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def analyze_frame_body(cells: list[Pair], position: SourcePosition | None, tail: bool, name: str,
                       frame_names: "tuple[Symbol, ...] | list[Symbol]") -> Closure:
    """Analyze the body of a form that makes a frame (lambda, let, let*, letrec, named let).

    Internal definitions are bound in the new frame from the start of the body, as in
    letrec*: before its define runs, a name is unassigned rather than found further out, so
    reading it is an error and set! changes the local variable. Names the frame already binds,
    such as parameters, are left as they are.
    """
    body = analyze_body(cells, position, tail, name)
    names = [target for target in body_definitions(cells) if target not in frame_names]
    if not names:
        return body
    unassigned = dict.fromkeys(names, UNASSIGNED)

    def body_with_definitions(env: Environment) -> Any:
        env.bindings.update(unassigned)
        return body(env)

    return body_with_definitions


def analyze_body(cells: list[Pair], position: SourcePosition | None, tail: bool, name: str) -> Closure:
    """Analyze a sequence of expressions; the last one inherits `tail`."""
    if not cells:
        raise SchemeSyntaxError(f"{name}: the body is empty; add at least one expression", position)
    closures = [
        analyze(cell.car, _at(cell, position), tail and index == len(cells) - 1) for index, cell in enumerate(cells)
    ]
    if len(closures) == 1:
        return closures[0]
    if len(closures) == 2:
        first, second = closures

        def sequence2(env: Environment) -> Any:
            first(env)
            return second(env)

        return sequence2
    init, last = tuple(closures[:-1]), closures[-1]

    def sequence(env: Environment) -> Any:
        for closure in init:
            closure(env)
        return last(env)

    return sequence


# --- special forms -------------------------------------------------------------------------


@special_form("quote")
def _quote(expr: Pair, position: SourcePosition | None, tail: bool) -> Closure:
    # (quote datum)
    cells = _form(expr, position, 1, 1, "(quote datum)")
    datum = cells[1].car
    return lambda env: datum


@special_form("if")
def _if(expr: Pair, position: SourcePosition | None, tail: bool) -> Closure:
    # (if test consequent [alternative])
    cells = _form(expr, position, 2, 3, "(if test consequent [alternative])")
    test = analyze(cells[1].car, _at(cells[1], position))
    consequent = analyze(cells[2].car, _at(cells[2], position), tail)
    if len(cells) == 3:
        def if_without_alternative(env: Environment) -> Any:
            if test(env) is not False:
                return consequent(env)
            return UNSPECIFIED

        return if_without_alternative
    alternative = analyze(cells[3].car, _at(cells[3], position), tail)

    def if_(env: Environment) -> Any:
        if test(env) is not False:
            return consequent(env)
        return alternative(env)

    return if_


def _parse_parameters(spec: Any, position: SourcePosition | None, form: str) -> tuple[tuple[Symbol, ...], Symbol | None]:
    """Split a lambda list into required parameters and an optional rest parameter."""
    parameters: list[Symbol] = []
    cell = spec
    while type(cell) is Pair:
        if type(cell.car) is not Symbol:
            raise SchemeSyntaxError(f"{form}: parameter must be a symbol, got {write_string(cell.car)}", _at(cell, position))
        parameters.append(cell.car)
        cell = cell.cdr
    rest = None
    if type(cell) is Symbol:
        rest = cell
    elif cell is not NIL:
        raise SchemeSyntaxError(f"{form}: rest parameter must be a symbol, got {write_string(cell)}", position)
    names = parameters + ([rest] if rest is not None else [])
    if len(set(names)) != len(names):
        duplicate = next(name for name in names if names.count(name) > 1)
        raise SchemeSyntaxError(f"{form}: parameter {duplicate.name} appears twice", position)
    return tuple(parameters), rest


def make_lambda(spec: Any, body_cells: list[Pair], position: SourcePosition | None, name: str | None) -> Closure:
    parameters, rest = _parse_parameters(spec, position, "lambda")
    body = analyze_frame_body(body_cells, position, True, "lambda", parameters + ((rest,) if rest else ()))
    if not compiling:
        return lambda env: CompoundProcedure(parameters, rest, body, env, name)
    # Analysis above checked the syntax; the compiler runs once the procedures made from this
    # lambda expression have been called COMPILE_AFTER_CALLS times.
    compiled = LazyLambda(parameters, rest, body_cells, position, name)

    def lambda_(env: Environment) -> CompoundProcedure:
        factory = compiled.ready(env)
        if factory is None:
            return CompoundProcedure(parameters, rest, body, env, name, source=compiled)
        return factory(env)

    return lambda_


@special_form("lambda")
def _lambda(expr: Pair, position: SourcePosition | None, tail: bool) -> Closure:
    # (lambda (param ... [. rest]) body ...)
    cells = _form(expr, position, 2, None, "(lambda (parameter ...) body ...)")
    return make_lambda(cells[1].car, cells[2:], position, None)


@special_form("named-lambda")
def _named_lambda(expr: Pair, position: SourcePosition | None, tail: bool) -> Closure:
    # (named-lambda (name param ...) body ...)
    cells = _form(expr, position, 2, None, "(named-lambda (name parameter ...) body ...)")
    header = cells[1].car
    if type(header) is not Pair or type(header.car) is not Symbol:
        raise SchemeSyntaxError("named-lambda: expected (name parameter ...) after named-lambda", position)
    return make_lambda(header.cdr, cells[2:], position, header.car.name)


@special_form("define")
def _define(expr: Pair, position: SourcePosition | None, tail: bool) -> Closure:
    # (define name value) | (define (name param ...) body ...) | (define ((name a) b) body ...)
    cells = _form(expr, position, 1, None, "(define name value) or (define (name parameter ...) body ...)")
    target = cells[1].car
    if type(target) is Symbol:
        if len(cells) > 3:
            raise SchemeSyntaxError(f"define: too many expressions for variable {target.name}", position)
        name = target
        if len(cells) == 2:
            value: Closure = lambda env: UNSPECIFIED
        else:
            value = _analyze_named(cells[2].car, _at(cells[2], position), name.name)
    elif type(target) is Pair:
        if len(cells) < 3:
            raise SchemeSyntaxError(f"define: the body of {_short(target)} is empty", position)
        # Curried define: (define ((f a) b) ...) is (define (f a) (lambda (b) ...)).
        body_cells = cells[2:]
        spec = target
        while type(spec.car) is Pair:
            inner = Pair(Symbol("lambda"), Pair(spec.cdr, make_list(cell.car for cell in body_cells)), position)
            body_cells = [Pair(inner, NIL, position)]
            spec = spec.car
        if type(spec.car) is not Symbol:
            raise SchemeSyntaxError(f"define: procedure name must be a symbol, got {write_string(spec.car)}", position)
        name = spec.car
        value = make_lambda(spec.cdr, body_cells, position, name.name)
    else:
        raise SchemeSyntaxError(f"define: expected a name or (name parameter ...), got {write_string(target)}", position)

    def define(env: Environment) -> Any:
        env.bindings[name] = value(env)
        return UNSPECIFIED

    return define


def _analyze_named(expr: Any, position: SourcePosition | None, name: str) -> Closure:
    """Analyze `expr`, naming it `name` if it is a lambda expression (for printing and errors)."""
    if type(expr) is Pair and expr.car is Symbol("lambda"):
        cells = _form(expr, position, 2, None, "(lambda (parameter ...) body ...)")
        return make_lambda(cells[1].car, cells[2:], position, name)
    return analyze(expr, position)


@special_form("set!")
def _set(expr: Pair, position: SourcePosition | None, tail: bool) -> Closure:
    # (set! name value)
    cells = _form(expr, position, 2, 2, "(set! name value)")
    name = cells[1].car
    if type(name) is not Symbol:
        raise SchemeSyntaxError(f"set!: expected a variable name, got {write_string(name)}", position)
    value = analyze(cells[2].car, _at(cells[2], position))

    def set_(env: Environment) -> Any:
        new_value = value(env)
        frame: Environment | None = env
        while frame is not None:
            if name in frame.bindings:
                frame.bindings[name] = new_value
                return UNSPECIFIED
            frame = frame.parent
        raise UnboundVariableError(f"set!: unbound variable {name.name}; define it before assigning to it", position)

    return set_


@special_form("begin")
def _begin(expr: Pair, position: SourcePosition | None, tail: bool) -> Closure:
    # (begin expression ...)
    cells = _form(expr, position, 0, None, "(begin expression ...)")
    if len(cells) == 1:
        return lambda env: UNSPECIFIED
    return analyze_body(cells[1:], position, tail, "begin")


@special_form("let")
def _let(expr: Pair, position: SourcePosition | None, tail: bool) -> Closure:
    # (let ((name value) ...) body ...) | (let loop ((name value) ...) body ...)
    cells = _form(expr, position, 2, None, "(let ((name value) ...) body ...)")
    if type(cells[1].car) is Symbol:
        return _named_let(expr, cells, position, tail)
    names, inits = _bindings(cells[1].car, _at(cells[1], position), "let")
    if len(set(names)) != len(names):
        raise SchemeSyntaxError("let: a variable is bound twice", position)
    body = analyze_frame_body(cells[2:], position, tail, "let", names)

    def let(env: Environment) -> Any:
        return body(Environment({name: init(env) for name, init in zip(names, inits)}, env))

    return let


def _named_let(expr: Pair, cells: list[Pair], position: SourcePosition | None, tail: bool) -> Closure:
    # (let loop ((name value) ...) body ...)
    if len(cells) < 4:
        raise SchemeSyntaxError("let: named let needs bindings and a body", position)
    loop_name = cells[1].car
    names, inits = _bindings(cells[2].car, _at(cells[2], position), "let")
    parameters, rest = _parse_parameters(make_list(names), position, "let")
    body = analyze_frame_body(cells[3:], position, True, "let", parameters)

    def named_let(env: Environment) -> Any:
        arguments = [init(env) for init in inits]
        loop_env = Environment({}, env)
        procedure = CompoundProcedure(parameters, rest, body, loop_env, loop_name.name)
        loop_env.bindings[loop_name] = procedure
        if tail:
            return TailCall(procedure, arguments, position)
        return apply_procedure(procedure, arguments, position)

    return named_let


def _bindings(spec: Any, position: SourcePosition | None, form: str) -> tuple[list[Symbol], list[Closure]]:
    """Analyze a binding list ((name value) ...) into names and initializer closures."""
    names: list[Symbol] = []
    inits: list[Closure] = []
    items = list_to_python(spec)
    if items is None:
        raise SchemeSyntaxError(f"{form}: expected a list of (name value) bindings, got {write_string(spec)}", position)
    cell = spec
    for binding in items:
        where = _at(cell, position)
        cell = cell.cdr
        parts = list_to_python(binding)
        if parts is None or len(parts) != 2 or type(parts[0]) is not Symbol:
            raise SchemeSyntaxError(f"{form}: expected a binding (name value), got {write_string(binding)}", where)
        names.append(parts[0])
        inits.append(_analyze_named(parts[1], _at(binding.cdr, where), parts[0].name))
    return names, inits


@special_form("let*")
def _let_star(expr: Pair, position: SourcePosition | None, tail: bool) -> Closure:
    # (let* ((name value) ...) body ...): each value can use the bindings before it.
    cells = _form(expr, position, 2, None, "(let* ((name value) ...) body ...)")
    names, inits = _bindings(cells[1].car, _at(cells[1], position), "let*")
    body = analyze_frame_body(cells[2:], position, tail, "let*", names[-1:])
    pairs = tuple(zip(names, inits))

    def let_star(env: Environment) -> Any:
        if not pairs:
            return body(Environment({}, env))  # (let* () ...) is (let () ...): a new scope
        for name, init in pairs:
            env = Environment({name: init(env)}, env)
        return body(env)

    return let_star


def _letrec(expr: Pair, position: SourcePosition | None, tail: bool) -> Closure:
    # (letrec ((name value) ...) body ...): the values see every name.
    form = expr.car.name
    cells = _form(expr, position, 2, None, f"({form} ((name value) ...) body ...)")
    names, inits = _bindings(cells[1].car, _at(cells[1], position), form)
    body = analyze_frame_body(cells[2:], position, tail, form, names)
    pairs = tuple(zip(names, inits))

    def letrec(env: Environment) -> Any:
        new_env = Environment(dict.fromkeys(names, UNASSIGNED), env)
        for name, init in pairs:
            new_env.bindings[name] = init(new_env)
        return body(new_env)

    return letrec


special_form("letrec")(_letrec)
special_form("letrec*")(_letrec)

ELSE = Symbol("else")
ARROW = Symbol("=>")


@special_form("cond")
def _cond(expr: Pair, position: SourcePosition | None, tail: bool) -> Closure:
    # (cond (test expression ...) ... (test => receiver) (else expression ...))
    cells = _form(expr, position, 0, None, "(cond (test expression ...) ... (else expression ...))")
    clauses: list[tuple[Closure | None, Closure | None, bool]] = []
    for index, cell in enumerate(cells[1:], start=1):
        where = _at(cell, position)
        clause = cell.car
        parts = list_to_python(clause)
        if not parts:
            raise SchemeSyntaxError(f"cond: expected a clause (test expression ...), got {write_string(clause)}", where)
        clause_cells = _cells(clause, where, "cond")
        if parts[0] is ELSE:
            if index != len(cells) - 1:
                raise SchemeSyntaxError("cond: the else clause must be the last clause", where)
            clauses.append((None, analyze_body(clause_cells[1:], where, tail, "cond"), False))
        elif len(parts) >= 2 and parts[1] is ARROW:
            if len(parts) != 3:
                raise SchemeSyntaxError("cond: expected (test => receiver)", where)
            clauses.append((analyze(parts[0], where), analyze(parts[2], where), True))
        elif len(parts) == 1:
            clauses.append((analyze(parts[0], where), None, False))
        else:
            clauses.append((analyze(parts[0], where), analyze_body(clause_cells[1:], where, tail, "cond"), False))
    frozen = tuple(clauses)

    def cond(env: Environment) -> Any:
        for test, body, arrow in frozen:
            if test is None:
                return body(env)  # type: ignore[misc]
            value = test(env)
            if value is not False:
                if body is None:
                    return value
                if arrow:
                    receiver = body(env)
                    if tail:
                        return TailCall(receiver, [value], position)
                    return apply_procedure(receiver, [value], position)
                return body(env)
        return UNSPECIFIED

    return cond


@special_form("case")
def _case(expr: Pair, position: SourcePosition | None, tail: bool) -> Closure:
    # (case key ((datum ...) expression ...) ... (else expression ...))
    cells = _form(expr, position, 1, None, "(case key ((datum ...) expression ...) ...)")
    key = analyze(cells[1].car, _at(cells[1], position))
    clauses: list[tuple[list[Any] | None, Closure, bool]] = []
    for cell in cells[2:]:
        where = _at(cell, position)
        parts = list_to_python(cell.car)
        if not parts or len(parts) < 2:
            raise SchemeSyntaxError(f"case: expected a clause ((datum ...) expression ...), got {write_string(cell.car)}", where)
        clause_cells = _cells(cell.car, where, "case")
        data = None if parts[0] is ELSE else list_to_python(parts[0])
        if data is None and parts[0] is not ELSE:
            raise SchemeSyntaxError(f"case: expected a list of data, got {write_string(parts[0])}", where)
        if parts[1] is ARROW:
            clauses.append((data, analyze(parts[2], where), True))
        else:
            clauses.append((data, analyze_body(clause_cells[1:], where, tail, "case"), False))

    def case(env: Environment) -> Any:
        value = key(env)
        for data, body, arrow in clauses:
            if data is None or any(_eqv(value, datum) for datum in data):
                if arrow:
                    receiver = body(env)
                    return TailCall(receiver, [value], position) if tail else apply_procedure(receiver, [value], position)
                return body(env)
        return UNSPECIFIED

    return case


def _eqv(a: Any, b: Any) -> bool:
    """Scheme eqv?, which case compares with, as the eqv? builtin does (0.0 and -0.0 differ)."""
    return is_eqv(a, b)


@special_form("and")
def _and(expr: Pair, position: SourcePosition | None, tail: bool) -> Closure:
    # (and expression ...)
    cells = _form(expr, position, 0, None, "(and expression ...)")
    parts = [analyze(cell.car, _at(cell, position), tail and i == len(cells) - 1) for i, cell in enumerate(cells) if i]
    if not parts:
        return lambda env: True

    def and_(env: Environment) -> Any:
        value: Any = True
        for part in parts:
            value = part(env)
            if value is False:
                return False
        return value

    return and_


@special_form("or")
def _or(expr: Pair, position: SourcePosition | None, tail: bool) -> Closure:
    # (or expression ...)
    cells = _form(expr, position, 0, None, "(or expression ...)")
    parts = [analyze(cell.car, _at(cell, position), tail and i == len(cells) - 1) for i, cell in enumerate(cells) if i]

    def or_(env: Environment) -> Any:
        for part in parts:
            value = part(env)
            if value is not False:
                return value
        return False

    return or_


def _when_unless(expr: Pair, position: SourcePosition | None, tail: bool) -> Closure:
    # (when test expression ...) and (unless test expression ...)
    form = expr.car.name
    cells = _form(expr, position, 2, None, f"({form} test expression ...)")
    test = analyze(cells[1].car, _at(cells[1], position))
    body = analyze_body(cells[2:], position, tail, form)
    run_when = form == "when"

    def when_unless(env: Environment) -> Any:
        if (test(env) is not False) == run_when:
            return body(env)
        return UNSPECIFIED

    return when_unless


special_form("when")(_when_unless)
special_form("unless")(_when_unless)


@special_form("do")
def _do(expr: Pair, position: SourcePosition | None, tail: bool) -> Closure:
    # (do ((name init [step]) ...) (test expression ...) command ...)
    cells = _form(expr, position, 2, None, "(do ((name init step) ...) (test result ...) command ...)")
    specs = list_to_python(cells[1].car)
    if specs is None:
        raise SchemeSyntaxError("do: expected a list of (name init [step])", position)
    names: list[Symbol] = []
    inits: list[Closure] = []
    steps: list[tuple[Symbol, Closure]] = []
    spec_cell = cells[1].car
    for spec in specs:
        where = _at(spec_cell, position)
        spec_cell = spec_cell.cdr
        parts = list_to_python(spec)
        if parts is None or len(parts) not in (2, 3) or type(parts[0]) is not Symbol:
            raise SchemeSyntaxError(f"do: expected (name init [step]), got {write_string(spec)}", position)
        names.append(parts[0])
        inits.append(analyze(parts[1], _at(spec.cdr, where)))
        if len(parts) == 3:
            steps.append((parts[0], analyze(parts[2], _at(spec.cdr.cdr, where))))
    exit_parts = cells[2].car
    exit_cells = _cells(exit_parts, position, "do") if type(exit_parts) is Pair else []
    if not exit_cells:
        raise SchemeSyntaxError("do: expected a (test result ...) clause", position)
    test = analyze(exit_cells[0].car, _at(exit_cells[0], position))
    result = analyze_body(exit_cells[1:], position, tail, "do") if len(exit_cells) > 1 else None
    commands = [analyze(cell.car, _at(cell, position)) for cell in cells[3:]]

    def do(env: Environment) -> Any:
        loop_env = Environment({name: init(env) for name, init in zip(names, inits)}, env)
        while test(loop_env) is False:
            for command in commands:
                command(loop_env)
            new_values = [(name, step(loop_env)) for name, step in steps]
            loop_env = Environment(dict(loop_env.bindings), env)
            for name, value in new_values:
                loop_env.bindings[name] = value
        return result(loop_env) if result is not None else UNSPECIFIED

    return do


QUASIQUOTE = Symbol("quasiquote")
UNQUOTE = Symbol("unquote")
UNQUOTE_SPLICING = Symbol("unquote-splicing")


@special_form("quasiquote")
def _quasiquote(expr: Pair, position: SourcePosition | None, tail: bool) -> Closure:
    # (quasiquote template), written `template
    cells = _form(expr, position, 1, 1, "(quasiquote template)")
    return _template(cells[1].car, _at(cells[1], position), 1)


def _template(template: Any, position: SourcePosition | None, depth: int) -> Closure:
    """Analyze a quasiquote template at nesting `depth` (1 for the outermost)."""
    if type(template) is list:
        items = _template(make_list(template), position, depth)
        return lambda env: list(items(env))
    if type(template) is not Pair:
        return lambda env: template
    head = template.car
    if head is UNQUOTE or head is QUASIQUOTE:
        cells = _form(template, position, 1, 1, f"({head.name} expression)")
        new_depth = depth - 1 if head is UNQUOTE else depth + 1
        if head is UNQUOTE and new_depth == 0:
            return analyze(cells[1].car, _at(cells[1], position))
        inner = _template(cells[1].car, position, new_depth)
        return lambda env: Pair(head, Pair(inner(env), NIL))
    # A list template: build each element, splicing ,@ elements at depth 1.
    parts: list[tuple[Closure, bool]] = []
    cell: Any = template
    while type(cell) is Pair:
        if cell.car is UNQUOTE and type(cell.cdr) is Pair and cell.cdr.cdr is NIL:
            break  # (a . ,b) is read as (a unquote b): the tail is unquoted.
        item = cell.car
        where = _at(cell, position)
        if type(item) is Pair and item.car is UNQUOTE_SPLICING and depth == 1:
            splice_cells = _form(item, where, 1, 1, "(unquote-splicing expression)")
            parts.append((analyze(splice_cells[1].car, where), True))
        else:
            parts.append((_template(item, where, depth), False))
        cell = cell.cdr
    tail_closure = _template(cell, position, depth) if cell is not NIL else None

    def build(env: Environment) -> Any:
        values: list[Any] = []
        for part, splice in parts:
            value = part(env)
            if splice:
                items = list_to_python(value)
                if items is None:
                    raise SchemeTypeError(f"unquote-splicing: expected a list, got {write_string(value)}", position)
                values.extend(items)
            else:
                values.append(value)
        result = tail_closure(env) if tail_closure is not None else NIL
        for value in reversed(values):
            result = Pair(value, result)
        return result

    return build


@special_form("delay")
def _delay(expr: Pair, position: SourcePosition | None, tail: bool) -> Closure:
    # (delay expression)
    cells = _form(expr, position, 1, 1, "(delay expression)")
    body = analyze(cells[1].car, _at(cells[1], position))
    return lambda env: Promise(body, env)


@special_form("cons-stream")
def _cons_stream(expr: Pair, position: SourcePosition | None, tail: bool) -> Closure:
    # (cons-stream head tail): (cons head (delay tail)), as SICP section 3.5 defines it.
    cells = _form(expr, position, 2, 2, "(cons-stream head tail)")
    head = analyze(cells[1].car, _at(cells[1], position))
    rest = analyze(cells[2].car, _at(cells[2], position))
    return lambda env: Pair(head(env), Promise(rest, env))


class Promise:
    """A delayed expression, evaluated at most once by `force`."""

    __slots__ = ("body", "environment", "value", "done")

    def __init__(self, body: Closure, environment: Environment) -> None:
        self.body = body
        self.environment = environment
        self.value: Any = None
        self.done = False

    def force(self) -> Any:
        if not self.done:
            value = self.body(self.environment)
            if type(value) is TailCall:
                value = apply_procedure(value.procedure, value.arguments)
            if not self.done:
                self.value = value
                self.done = True
                self.body = None  # type: ignore[assignment]
                self.environment = None  # type: ignore[assignment]
        return self.value

    def scheme_repr(self) -> str:
        return "#<promise>"


@special_form("assert")
def _assert(expr: Pair, position: SourcePosition | None, tail: bool) -> Closure:
    # (assert expression)
    cells = _form(expr, position, 1, 1, "(assert expression)")
    test = analyze(cells[1].car, _at(cells[1], position))
    text = _short(cells[1].car)

    def assert_(env: Environment) -> Any:
        if test(env) is False:
            raise EvaluationError(f"assertion failed: {text}", position)
        return UNSPECIFIED

    return assert_


@special_form("define-derivative")
def _define_derivative(expr: Pair, position: SourcePosition | None, tail: bool) -> Closure:
    # (define-derivative (name parameter ...) partial ...): one derivative expression per
    # parameter, quoted, handed to the %define-derivative primitive that installs the rule.
    cells = _form(expr, position, 2, None, "(define-derivative (name parameter ...) derivative ...)")
    header = cells[1].car
    if type(header) is not Pair or type(header.car) is not Symbol:
        raise SchemeSyntaxError("define-derivative: expected (name parameter ...) after define-derivative", position)
    quote = Symbol("quote")
    call = make_list(
        [
            Symbol("%define-derivative"),
            make_list([quote, header.car]),
            make_list([quote, header.cdr]),
            make_list([quote, make_list(cell.car for cell in cells[2:])]),
        ]
    )
    return _analyze_application(call, position, False)


def evaluate(expr: Any, env: Environment, position: SourcePosition | None = None) -> Any:
    """Analyze and run one expression in `env`, finishing any tail call it returns."""
    result = analyze(expr, position)(env)
    if type(result) is TailCall:
        result = apply_procedure(result.procedure, result.arguments)
    return result


# Whether lambda expressions are compiled to Python (see compiler.py); the interpreter alone
# runs when this is False, which tests use to compare the two.
compiling = True


def _finish(call: TailCall, position: SourcePosition | None) -> Any:
    """Run a TailCall that a call in compiled code returned; apply's has no position of its own."""
    return apply_procedure(call.procedure, call.arguments, call.position or position)


install(
    {"APPLY": apply_procedure, "FINISH": _finish, "CP": CompoundProcedure, "MKPROC": _compiled_procedure, "EQV": _eqv},
    set(SPECIAL_FORMS),
)
