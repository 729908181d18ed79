"""Every differentiable op, one family per module, and the registry of primitives.

`PRIMITIVES` lists every built-in primitive explicitly; the op tests check that each
has a spec, so a new op cannot ship untested.
"""
from minigrad.primitive import trust_rules
from minigrad.ops.arithmetic import (Add, Divide, Multiply, Negative, Power, Subtract, add,
                                     divide, multiply, negative, power, subtract)
from minigrad.ops.broadcasting import BroadcastTo, broadcast_to
from minigrad.ops.elementwise import (Abs, Cos, Exp, Log, Log1p, Relu, Sigmoid, Sin, Sqrt, Tanh,
                                      abs, cos, exp, log, log1p, relu, sigmoid, sin, sqrt, tanh)
from minigrad.ops.indexing import GetItem, IndexAdd, getitem
from minigrad.ops.linalg import Affine, MatMul, linear, matmul
from minigrad.ops.pieces import (CumSum, Sorted, chunk, cumsum, flip, gather, norm, sort, split,
                                 take_along_axis, topk, unbind)
from minigrad.ops.reductions import (Max, Min, Sum, all, any, argmax, argmin, max, mean, min,
                                     std, sum, var)
from minigrad.ops.selection import (Clip, Maximum, Minimum, Where, allclose, clamp, clip, compare,
                                    floor_divide, remainder,
                                    logical, masked_fill, maximum, minimum, sign, tril, triu,
                                    where)
from minigrad.ops.shape import (Cast, Clone, Concatenate, Identity, Reshape, Transpose, astype,
                                cat, clone, concatenate, expand_dims, flatten, identity, permute,
                                reshape, squeeze, stack, swapaxes, t, transpose, unsqueeze)
from minigrad.ops.softmax import LogSoftmax, LogSumExp, Softmax, log_softmax, logsumexp, softmax
from minigrad.ops.softmax_nll import BinaryCrossEntropyWithLogits, SoftmaxNLL
from minigrad.ops.special import Erf, erf
from minigrad.ops.windows import Fold, MaxPool, Unfold

PRIMITIVES = (
    Add, Subtract, Multiply, Divide, Negative, Power,
    Exp, Log, Log1p, Sqrt, Abs, Tanh, Sigmoid, Relu, Sin, Cos,
    Maximum, Minimum, Where, Clip,
    Sum, Max, Min,
    BroadcastTo, Reshape, Transpose, Concatenate, Cast, Identity, Clone,
    GetItem, IndexAdd, CumSum,
    MatMul, Affine,
    LogSumExp, Softmax, LogSoftmax, SoftmaxNLL, BinaryCrossEntropyWithLogits,
    Erf,
    Unfold, Fold, MaxPool,
)
trust_rules(PRIMITIVES)

__all__ = [
    "Add", "Divide", "Multiply", "Negative", "Power", "Subtract", "add", "divide", "multiply",
    "negative", "power", "subtract", "BroadcastTo", "broadcast_to", "Abs", "Cos", "Exp", "Log",
    "Relu", "Sigmoid", "Sin", "Sqrt", "Tanh", "abs", "cos", "exp", "log", "relu", "sigmoid",
    "Log1p", "log1p",
    "sin", "sqrt", "tanh", "GetItem", "IndexAdd", "getitem", "Affine", "MatMul", "linear",
    "matmul", "Max", "Min", "Sum", "all", "any", "argmax", "argmin", "max", "mean", "min",
    "std", "sum", "var", "Clip", "Maximum", "Minimum", "Where", "allclose", "clamp", "clip",
    "compare", "floor_divide", "logical", "masked_fill", "maximum", "minimum", "remainder", "sign", "tril", "triu", "where",
    "Cast", "Clone", "Concatenate", "Identity", "Reshape", "Transpose", "astype", "cat",
    "clone", "concatenate", "expand_dims", "flatten", "identity", "permute", "reshape",
    "squeeze", "stack", "swapaxes", "t", "transpose", "unsqueeze", "LogSoftmax", "LogSumExp",
    "Softmax", "log_softmax", "logsumexp", "softmax", "BinaryCrossEntropyWithLogits",
    "SoftmaxNLL", "Erf", "erf", "Fold", "MaxPool", "Unfold", "CumSum", "Sorted", "chunk",
    "cumsum", "flip", "gather", "norm", "sort", "split", "take_along_axis", "topk", "unbind", "PRIMITIVES",
]
