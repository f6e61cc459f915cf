"""Procedure values: primitives written in Python and compound procedures made by lambda."""

from __future__ import annotations

from typing import Any, Callable

from ..errors import ArityError, SourcePosition


class TailCall:
    """A call left for the evaluator's trampoline instead of made on the Python stack.

    Closures in tail position return one, and so may a primitive (apply does), so that the
    call runs in constant stack space.
    """

    __slots__ = ("procedure", "arguments", "position")

    def __init__(self, procedure: Any, arguments: list, position: SourcePosition | None) -> None:
        self.procedure = procedure
        self.arguments = arguments
        self.position = position


class Primitive:
    """A builtin procedure implemented by a Python function of positional arguments.

    `min_args` and `max_args` bound the argument count (`max_args` None means any number);
    the evaluator checks them before calling `function`, so primitives need not.
    """

    __slots__ = ("name", "function", "min_args", "max_args", "accepts")

    def __init__(self, name: str, function: Callable[..., Any], min_args: int, max_args: int | None) -> None:
        self.name = name
        self.function = function
        self.min_args = min_args
        self.max_args = max_args
        # accepts[n] is True when n arguments are allowed, for n up to 3: the evaluator's fast
        # path for calls with few arguments reads it instead of comparing with both bounds.
        self.accepts = tuple(min_args <= n and (max_args is None or n <= max_args) for n in range(4))

    def check_arity(self, count: int) -> None:
        if count < self.min_args or (self.max_args is not None and count > self.max_args):
            raise ArityError(f"{self.name}: expected {describe_arity(self.min_args, self.max_args)}, got {count}")

    def scheme_repr(self) -> str:
        return f"#<procedure {self.name}>"


def describe_arity(min_args: int, max_args: int | None) -> str:
    """Describe an argument count range in words, as arity errors print it."""
    def plural(count: int) -> str:
        return f"{count} argument" + ("" if count == 1 else "s")

    if max_args is None:
        return f"at least {plural(min_args)}"
    if min_args == max_args:
        return plural(min_args)
    return f"{min_args} to {plural(max_args)}"


class PrimitiveRegistry:
    """A table of primitives that a builtin module fills with the `define` decorator."""

    def __init__(self) -> None:
        self.primitives: dict[str, Primitive] = {}

    def define(self, name: str, min_args: int = 0, max_args: int | None = None) -> Callable:
        """Register the decorated Python function as the Scheme primitive `name`."""
        def register(function: Callable[..., Any]) -> Callable[..., Any]:
            self.primitives[name] = Primitive(name, function, min_args, max_args)
            return function

        return register


def _apply_primitive_only(procedure: Any, arguments: list) -> Any:
    if type(procedure) is Primitive:
        procedure.check_arity(len(arguments))
        return procedure.function(*arguments)
    from ..errors import SchemeTypeError

    raise SchemeTypeError(f"application: not a procedure: {procedure!r}")


_applier: Callable[[Any, list], Any] = _apply_primitive_only


def apply_procedure(procedure: Any, arguments: list) -> Any:
    """Call a Scheme procedure, primitive or compound, with a Python list of arguments.

    Builtins that take procedures (map, for-each, sort, ...) call this; the evaluator core
    installs the full implementation with `set_applier` when it is imported.
    """
    return _applier(procedure, arguments)


def set_applier(applier: Callable[[Any, list], Any]) -> None:
    """Install the function that `apply_procedure` uses."""
    global _applier
    _applier = applier
