"""symdiff: a small Scheme for differentiating expressions the SICP way.

>>> import symdiff
>>> str(symdiff.deriv("(* (* x y) (+ x 3))", "x"))
'(+ (* x y) (* y (+ x 3)))'
"""

import importlib
import logging
from typing import Any

from .errors import (
    ArityError,
    DerivError,
    EvaluationError,
    FileLoadError,
    ReadError,
    SchemeError,
    SchemeTypeError,
    SourcePosition,
    UnboundVariableError,
    UserError,
)
from .types import NIL, Pair, Symbol

__version__ = "0.1.0"

# The library logs diagnostics to the "symdiff" logger and never prints; without a handler of
# the application's own, nothing is shown.
logging.getLogger("symdiff").addHandler(logging.NullHandler())

# Public names whose modules load on first access. `python -m symdiff` imports this package
# before the command line runs, and a short program needs neither the Python API, nor the
# infix reader it pulls in, nor the three-methods helpers.
_LAZY_ATTRIBUTES = {
    "Expression": ".api",
    "clear_cache": ".api",
    "deriv": ".api",
    "gradient": ".api",
    "parse": ".api",
    "simplify": ".api",
    "Interpreter": ".evaluator.interpreter",
    "evaluate": ".evaluator.interpreter",
    "backprop_trace": ".methods",
    "compare_derivatives": ".methods",
    "deriv_steps": ".methods",
    "grad": ".methods",
    "nderiv": ".methods",
    "nderiv_with_error": ".methods",
}


def __getattr__(name: str) -> Any:
    module_name = _LAZY_ATTRIBUTES.get(name)
    if module_name is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module_name, __name__), name)
    # Later lookups find the name in the module dictionary and skip this function.
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY_ATTRIBUTES))


__all__ = [
    "ArityError",
    "DerivError",
    "EvaluationError",
    "Expression",
    "FileLoadError",
    "Interpreter",
    "NIL",
    "Pair",
    "ReadError",
    "SchemeError",
    "SchemeTypeError",
    "SourcePosition",
    "Symbol",
    "UnboundVariableError",
    "UserError",
    "__version__",
    "backprop_trace",
    "compare_derivatives",
    "deriv_steps",
    "grad",
    "nderiv",
    "nderiv_with_error",
    "clear_cache",
    "deriv",
    "evaluate",
    "gradient",
    "parse",
    "simplify",
]
