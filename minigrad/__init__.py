"""minigrad: automatic differentiation on NumPy, small enough to read in an afternoon.

    import minigrad as mg
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    (x * x).sum().backward()      # x.grad == [2., 4.]

Read in this order: reference.py (reverse mode as a textbook writes it; `python -m
minigrad.reference` says so), tensor.py (the array), primitive.py (how an op is defined),
ops/ (the ops by family), backward.py (reference.py, made fast), forward_mode.py,
transforms.py.
"""
import warnings
from typing import TYPE_CHECKING

# tensor.py first: it imports the ops at its end, and they need Tensor defined.
from minigrad.tensor import Tensor
from minigrad.dtypes import get_default_dtype, set_default_dtype

# NumPy's dtypes, by the names PyTorch users reach for.
from numpy import bool_, float16, float32, float64, int32, int64  # noqa: E402
from minigrad.grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from minigrad.primitive import Primitive
from minigrad.tape import Tape
from minigrad.factories import (arange, as_tensor, eye, from_numpy, full, linspace, multinomial,
                                ones, ones_like, rand, randint, randn, tensor, zeros, zeros_like)
from minigrad.random import manual_seed
from minigrad.ops import (abs, add, astype, broadcast_to, clip, concatenate, cos, divide, exp,
                          expand_dims, log, log1p, log_softmax, logsumexp, matmul, max, maximum, mean,
                          min, minimum, multiply, negative, power, relu, reshape, sigmoid, sign,
                          sin, softmax, sqrt, squeeze, stack, subtract, sum, swapaxes, tanh,
                          transpose, var, where)
# PyTorch's names (the tensor methods are in pytorch_names.py).
from minigrad.ops import (allclose, argmax, argmin, cat, clamp, flatten, floor_divide, permute,
                          remainder, std, tril, triu,
                          unsqueeze)
from minigrad.ops import (chunk, cumsum, flip, gather, norm, sort, split, take_along_axis,
                          topk, unbind)
from minigrad.transforms import grad, hessian, jacobian, jvp, value_and_grad, vjp
from minigrad.engines import use_engine
from minigrad.anomaly import AnomalyError, detect_anomaly
from minigrad import reference
# `python -m minigrad.reference` runs a module this package has already imported; runpy's
# warning about that is harmless here (the module's __main__ block only prints).
warnings.filterwarnings("ignore", message="'minigrad.reference' found in sys.modules",
                        category=RuntimeWarning)
from minigrad.serialization import load, save
from minigrad.draw import Graph, draw
from minigrad import data, datasets, nn, ops, optim, spellings, testing

__version__ = "0.1.0"

# The public names, for `from minigrad import *` and for type checkers, which read a typed
# package's imports as private unless listed here.
__all__ = [
    "Tensor", "get_default_dtype", "set_default_dtype", "bool_", "float16", "float32",
    "float64", "int32", "int64", "enable_grad", "is_grad_enabled", "no_grad",
    "set_grad_enabled", "Primitive", "Tape", "arange", "as_tensor", "eye", "from_numpy",
    "full", "linspace", "multinomial", "ones", "ones_like", "rand", "randint", "randn",
    "tensor", "zeros", "zeros_like", "manual_seed", "abs", "add", "astype", "broadcast_to",
    "clip", "concatenate", "cos", "divide", "exp", "expand_dims", "log", "log1p", "log_softmax",
    "logsumexp", "matmul", "max", "maximum", "mean", "min", "minimum", "multiply", "negative",
    "power", "relu", "reshape", "sigmoid", "sign", "sin", "softmax", "sqrt", "squeeze",
    "stack", "subtract", "sum", "swapaxes", "tanh", "transpose", "var", "where", "allclose",
    "argmax", "argmin", "cat", "clamp", "flatten", "floor_divide", "permute", "remainder", "std",
    "tril", "triu",
    "unsqueeze", "chunk", "cumsum", "flip", "gather", "norm", "sort", "split", "take_along_axis", "topk",
    "unbind", "grad", "hessian", "jacobian", "jvp", "value_and_grad", "vjp", "use_engine",
    "AnomalyError", "detect_anomaly", "reference", "load", "save", "Graph", "draw", "data",
    "datasets", "nn", "optim", "spellings", "testing", "ops",
]


# Hidden from type checkers, which would otherwise accept any name, as this function's
# result, instead of reporting the misspelling the AttributeError reports at run time.
if not TYPE_CHECKING:
    def __getattr__(name):
        # Only reached for a name minigrad does not have: PyTorch's spelling of something
        # minigrad spells differently gets the minigrad spelling (mg.long: mg.int64),
        # anything else a did-you-mean that never names a different function (spellings.py).
        raise spellings.attribute_error("module 'minigrad'", name, globals(),
                                        spellings.MODULE_NAMES)
