"""symdiff: a small Scheme for differentiating expressions the SICP way.

>>> import symdiff
>>> str(symdiff.deriv("(* (* x y) (+ x 3))", "x"))
'(+ (* x y) (* y (+ x 3)))'
"""

import logging

from .api import Expression, clear_cache, deriv, gradient, parse, simplify
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
from .evaluator.interpreter import Interpreter, evaluate
from .methods import backprop_trace, compare_derivatives, deriv_steps, grad, nderiv, nderiv_with_error
from .types import NIL, Pair, Symbol

__version__ = "0.1.0"

# The library logs diagnostics to the "symdiff" logger and never prints; without a handler of
# the application's own, nothing is shown.
logging.getLogger("symdiff").addHandler(logging.NullHandler())

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
