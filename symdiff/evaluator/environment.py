"""Environments: chains of frames that map symbols to values."""

from __future__ import annotations

from typing import Any

from ..errors import EvaluationError, UnboundVariableError
from ..types import Symbol


class Unassigned:
    """The value of a letrec or internal-define variable before its initializer has run."""

    __slots__ = ()

    def scheme_repr(self) -> str:
        return "#<unassigned>"


UNASSIGNED = Unassigned()


class Environment:
    """One frame of bindings and the enclosing environment (None for the global one)."""

    __slots__ = ("bindings", "parent")

    def __init__(self, bindings: dict[Symbol, Any], parent: "Environment | None") -> None:
        self.bindings = bindings
        self.parent = parent

    def scheme_repr(self) -> str:
        return "#<environment>"

    def lookup(self, name: Symbol) -> Any:
        frame: Environment | None = self
        while frame is not None:
            bindings = frame.bindings
            if name in bindings:
                value = bindings[name]
                if value is UNASSIGNED:
                    raise EvaluationError(f"{name.name}: variable used before its definition")
                return value
            frame = frame.parent
        raise UnboundVariableError(unbound_message(name))

    def define(self, name: Symbol, value: Any) -> None:
        self.bindings[name] = value

    def assign(self, name: Symbol, value: Any) -> None:
        frame: Environment | None = self
        while frame is not None:
            if name in frame.bindings:
                frame.bindings[name] = value
                return
            frame = frame.parent
        raise UnboundVariableError(f"set!: unbound variable {name.name}; define it before assigning to it")


def unbound_message(name: Symbol) -> str:
    return f"unbound variable: {name.name} (define it first, or check the spelling)"
