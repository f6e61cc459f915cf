"""Vector primitives. A Scheme vector is a Python list."""

from __future__ import annotations

from typing import Any

from ...errors import EvaluationError
from ...types import NIL, UNSPECIFIED, Pair
from ..procedures import PrimitiveRegistry, apply_procedure
from .arguments import require_index, require_length, require_list, require_procedure, require_vector

registry = PrimitiveRegistry()


def check_vector_index(name: str, vector: list, index: Any) -> int:
    require_index(name, index)
    if index >= len(vector):
        raise EvaluationError(f"{name}: index {index} is out of range for a vector of length {len(vector)}")
    return index


def check_vector_range(name: str, vector: list, start: Any, end: Any) -> tuple[int, int]:
    """Check optional start and end indexes into `vector` and return them with defaults filled in."""
    start = 0 if start is None else require_index(name, start)
    end = len(vector) if end is None else require_index(name, end)
    if end > len(vector):
        raise EvaluationError(f"{name}: end index {end} is out of range for a vector of length {len(vector)}")
    if start > end:
        raise EvaluationError(f"{name}: start index {start} is greater than end index {end}")
    return start, end


@registry.define("vector?", 1, 1)
def is_vector(value: Any) -> bool:
    return type(value) is list


@registry.define("make-vector", 1, 2)
def make_vector(size: Any, fill: Any = False) -> list:
    require_length("make-vector", size)
    return [fill] * size


@registry.define("vector", 0)
def vector(*items: Any) -> list:
    return list(items)


@registry.define("vector-length", 1, 1)
def vector_length(vector: Any) -> int:
    return len(require_vector("vector-length", vector))


@registry.define("vector-ref", 2, 2)
def vector_ref(vector: Any, index: Any) -> Any:
    require_vector("vector-ref", vector)
    return vector[check_vector_index("vector-ref", vector, index)]


@registry.define("vector-set!", 3, 3)
def vector_set(vector: Any, index: Any, value: Any) -> Any:
    require_vector("vector-set!", vector)
    vector[check_vector_index("vector-set!", vector, index)] = value
    return UNSPECIFIED


@registry.define("vector->list", 1, 3)
def vector_to_list(vector: Any, start: Any = None, end: Any = None) -> Any:
    require_vector("vector->list", vector)
    start, end = check_vector_range("vector->list", vector, start, end)
    result: Any = NIL
    for index in range(end - 1, start - 1, -1):
        result = Pair(vector[index], result)
    return result


@registry.define("list->vector", 1, 1)
def list_to_vector(value: Any) -> list:
    return require_list("list->vector", value)


@registry.define("vector-copy", 1, 3)
def vector_copy(vector: Any, start: Any = None, end: Any = None) -> list:
    require_vector("vector-copy", vector)
    start, end = check_vector_range("vector-copy", vector, start, end)
    return vector[start:end]


@registry.define("vector-fill!", 2, 2)
def vector_fill(vector: Any, value: Any) -> Any:
    require_vector("vector-fill!", vector)
    vector[:] = [value] * len(vector)
    return UNSPECIFIED


def vector_rows(name: str, vectors: tuple) -> list[list]:
    """Return the argument lists for each call: the i-th row contains the i-th element of every
    vector, up to the length of the shortest."""
    for vector in vectors:
        require_vector(name, vector)
    return [list(row) for row in zip(*vectors)]


@registry.define("vector-map", 2)
def vector_map(procedure: Any, *vectors: Any) -> list:
    require_procedure("vector-map", procedure)
    return [apply_procedure(procedure, row) for row in vector_rows("vector-map", vectors)]


@registry.define("vector-for-each", 2)
def vector_for_each(procedure: Any, *vectors: Any) -> Any:
    require_procedure("vector-for-each", procedure)
    for row in vector_rows("vector-for-each", vectors):
        apply_procedure(procedure, row)
    return UNSPECIFIED
