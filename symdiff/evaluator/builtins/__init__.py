"""The builtin primitive procedures, one module per kind of data.

The interpreter defines the procedures that need its state, such as display, load and eval.
Every other primitive is defined here.
"""

from __future__ import annotations

from ..procedures import Primitive
from . import elementary, equality, lists, numbers, text, vectors

MODULES = (numbers, elementary, lists, equality, text, vectors)


def all_primitives() -> dict[str, Primitive]:
    """Return a new table of every builtin primitive, by name.

    Raises ValueError if two modules define the same name.
    """
    table: dict[str, Primitive] = {}
    for module in MODULES:
        for name, primitive in module.registry.primitives.items():
            if name in table:
                raise ValueError(f"builtin {name!r} is defined twice, the second time in {module.__name__}")
            table[name] = primitive
    return table
