"""Spec rows for the primitives in minigrad/ops (all but the softmax family, see softmax.py).

Each primitive gets a row that checks the primitive itself on equal shapes (check_op:
rule shapes/dtypes, adjoint identity, both modes, second order), and the public function
on what the primitive never sees directly: broadcasting pairs, Python-number operands,
negative axes, 1-d matmul operands. Domains keep central differences valid: log and
sqrt see x >= 0.2, divisors |y| >= 0.5, abs and relu |x| >= 0.1, clip stays 0.1 from its
bounds, and max/min/maximum/minimum never meet a tie.
"""
import numpy as np
from hypothesis import strategies as st

import minigrad as mg
from minigrad.ops import (Abs, Add, BroadcastTo, Cast, Clip, Concatenate, Cos, Divide, Exp,
                          Affine, GetItem, Identity, IndexAdd, Log, MatMul, Max, Maximum, Min, Minimum,
                          Multiply, Negative, Power, Relu, Reshape, Sigmoid, Sin, Sqrt, Subtract,
                          Log1p,
                          Sum, Tanh, Transpose, Where)
from minigrad.ops.reductions import normalize_axis
from tests.op_specs.spec import (Case, OpSpec, arrays, axis_and_keepdims, broadcast_pair,
                                 broadcastable_to,
                                 distinct_arrays, magnitudes, reals, shapes)


# ----- elementwise -----------------------------------------------------------------------

def unary(name, cls, fn, reference, elements=None, **tolerances):
    """A row for an elementwise op: any shape from () to 3-d, values from `elements`."""
    @st.composite
    def cases(draw):
        x = draw(arrays(draw(shapes()), elements))
        return Case((x,), reference, op=cls(), fn=fn)
    return OpSpec(name, cls, cases(), **tolerances)


# ----- binary ops: the primitive on equal shapes, the public function broadcasting -------

def binary(name, cls, fn, reference, x_elements=None, y_elements=None, **tolerances):
    """Rows for a binary op: equal shapes or a Python-number operand (the primitive), and
    broadcasting pairs with size-1 axes (the public function, so BroadcastTo sums back)."""
    @st.composite
    def same_shape(draw):
        shape = draw(shapes())
        x, y = draw(arrays(shape, x_elements)), draw(arrays(shape, y_elements))
        constant = draw(st.sampled_from(["none", "x", "y"]))
        if constant == "x":  # a Python number is a constant operand
            x = float(draw(reals() if x_elements is None else x_elements))
        elif constant == "y":
            y = float(draw(reals() if y_elements is None else y_elements))
        return Case((x, y), reference, op=cls(), fn=fn)

    @st.composite
    def broadcasting(draw):
        x_shape, y_shape = draw(broadcast_pair())
        x, y = draw(arrays(x_shape, x_elements)), draw(arrays(y_shape, y_elements))
        return Case((x, y), reference, fn=fn)

    return [OpSpec(name, cls, same_shape(), **tolerances),
            OpSpec(name + "/broadcast", cls, broadcasting(), **tolerances)]


@st.composite
def _untied_pair(draw, same_shape):
    """x on the grid k/8, y on the grid k/8 + 1/16: every pair differs by >= 1/16, even
    across broadcasting, so maximum and minimum never see a tie."""
    if same_shape:
        x_shape = y_shape = draw(shapes())
    else:
        x_shape, y_shape = draw(broadcast_pair())
    x = draw(distinct_arrays(x_shape))
    y = np.asarray(draw(distinct_arrays(y_shape)) + 1 / 16)  # 0-d stays an array
    return x, y


def selection(name, cls, fn, reference):
    @st.composite
    def same_shape(draw):
        return Case(draw(_untied_pair(True)), reference, op=cls(), fn=fn)

    @st.composite
    def broadcasting(draw):
        return Case(draw(_untied_pair(False)), reference, fn=fn)

    return [OpSpec(name, cls, same_shape()), OpSpec(name + "/broadcast", cls, broadcasting())]


@st.composite
def power_cases(draw):
    """x > 0 with an array exponent (both differentiated); any nonzero x with an integer
    exponent; a Python-number base (2 ** y)."""
    kind = draw(st.sampled_from(["array exponent", "constant exponent", "constant base"]))
    shape = draw(shapes())
    if kind == "array exponent":
        inputs = (draw(arrays(shape, reals(0.5, 2.0))), draw(arrays(shape)))
    elif kind == "constant exponent":
        exponent = draw(st.sampled_from([2, 3, -1, 2.0, 0.5, -1.5]))
        x_elements = magnitudes(0.3, 2.0) if float(exponent).is_integer() else reals(0.3, 2.0)
        inputs = (draw(arrays(shape, x_elements)), exponent)
    else:
        inputs = (draw(st.sampled_from([2.0, 0.5, 3.0])), draw(arrays(shape)))
    return Case(inputs, np.power, op=Power(), fn=mg.power)


@st.composite
def power_broadcast_cases(draw):
    x_shape, y_shape = draw(broadcast_pair())
    inputs = (draw(arrays(x_shape, reals(0.5, 2.0))), draw(arrays(y_shape)))
    return Case(inputs, np.power, fn=mg.power)


@st.composite
def where_cases(draw):
    shape = draw(shapes())
    cond = draw(arrays(shape, st.booleans(), dtype=bool))
    x, y = draw(arrays(shape)), draw(arrays(shape))
    return Case((x, y), lambda x, y: np.where(cond, x, y), op=Where(cond),
                fn=lambda x, y: mg.where(cond, x, y))


@st.composite
def where_broadcast_cases(draw):
    """cond, x and y each broadcast to a common shape (cond is broadcast too)."""
    shape = draw(shapes())
    cond = draw(arrays(draw(broadcastable_to(shape)), st.booleans(), dtype=bool))
    x = draw(arrays(draw(broadcastable_to(shape))))
    y = draw(arrays(draw(broadcastable_to(shape))))
    return Case((x, y), lambda x, y: np.where(cond, x, y), fn=lambda x, y: mg.where(cond, x, y))


@st.composite
def clip_cases(draw):
    a_min, a_max = draw(st.sampled_from([(-0.5, 0.5), (None, 0.5), (-0.5, None), (0.0, 1.0)]))
    bounds = [b for b in (a_min, a_max) if b is not None]
    x = draw(arrays(draw(shapes()), reals(avoid=bounds)))
    return Case((x,), lambda x: np.clip(x, a_min, a_max), op=Clip(a_min, a_max),
                fn=lambda x: mg.clip(x, a_min, a_max))


# ----- reductions -----------------------------------------------------------------------

def reduction(name, cls, public, reference, values):
    """Rows for a reduction with every axis form: None, int, negative, tuple; keepdims."""
    @st.composite
    def cases(draw):
        x = draw(values(draw(shapes())))
        axis, keepdims = draw(axis_and_keepdims(x.ndim))
        op = cls(normalize_axis(axis, x.ndim, name), keepdims)
        return Case((x,), lambda x: reference(x, axis=axis, keepdims=keepdims), op=op,
                    fn=lambda x: public(x, axis, keepdims))
    return OpSpec(name, cls, cases())


@st.composite
def mean_cases(draw):
    x = draw(arrays(draw(shapes())))
    axis, keepdims = draw(axis_and_keepdims(x.ndim))
    return Case((x,), lambda x: np.mean(x, axis=axis, keepdims=keepdims),
                fn=lambda x: mg.mean(x, axis, keepdims))


@st.composite
def var_cases(draw):
    x = draw(arrays(draw(shapes())))
    axis, keepdims = draw(axis_and_keepdims(x.ndim))
    count = np.sum(x, axis=axis, keepdims=True).size
    ddof = draw(st.sampled_from([0, 1])) if x.size // count > 1 else 0
    return Case((x,), lambda x: np.var(x, axis=axis, keepdims=keepdims, ddof=ddof),
                fn=lambda x: mg.var(x, axis, keepdims, ddof))


# ----- shape ops ------------------------------------------------------------------------

@st.composite
def broadcast_to_cases(draw):
    target = draw(shapes())
    x = draw(arrays(draw(broadcastable_to(target))))
    return Case((x,), lambda x: np.broadcast_to(x, target), op=BroadcastTo(target),
                fn=lambda x: mg.broadcast_to(x, target))


@st.composite
def reshape_cases(draw):
    x = draw(arrays(draw(shapes())))
    options = [(x.size,), x.shape[::-1], (1,) + x.shape, x.shape + (1,), (-1,), (1, -1)]
    if x.size == 1:
        options.append(())
    target = draw(st.sampled_from(options))
    resolved = np.empty(x.shape).reshape(target).shape
    return Case((x,), lambda x: np.reshape(x, target), op=Reshape(resolved),
                fn=lambda x: mg.reshape(x, target))


@st.composite
def transpose_cases(draw):
    """A permutation, as one tuple or (except for two ints, PyTorch's swap) separate ints."""
    x = draw(arrays(draw(shapes())))
    axes = tuple(draw(st.permutations(range(x.ndim))))
    negative = tuple(a - x.ndim for a in axes)  # the public function takes negative axes too
    as_ints = x.ndim != 2 and draw(st.booleans())
    return Case((x,), lambda x: np.transpose(x, axes), op=Transpose(axes),
                fn=(lambda x: mg.transpose(x, *negative)) if as_ints
                else (lambda x: mg.transpose(x, negative)))


@st.composite
def concatenate_cases(draw):
    shape = draw(shapes(min_dims=1))
    axis = draw(st.integers(-len(shape), len(shape) - 1))
    n = draw(st.integers(1, 3))
    xs = []
    for _ in range(n):
        piece = list(shape)
        piece[axis] = draw(st.integers(1, 3))
        xs.append(draw(arrays(tuple(piece))))
    return Case(tuple(xs), lambda *xs: np.concatenate(xs, axis),
                op=Concatenate(axis % len(shape)), fn=lambda *xs: mg.concatenate(xs, axis))


@st.composite
def stack_cases(draw):
    shape = draw(shapes())
    axis = draw(st.integers(-len(shape) - 1, len(shape)))
    xs = tuple(draw(arrays(shape)) for _ in range(draw(st.integers(1, 3))))
    return Case(xs, lambda *xs: np.stack(xs, axis), fn=lambda *xs: mg.stack(xs, axis))


@st.composite
def squeeze_cases(draw):
    x = draw(arrays(draw(shapes(max_side=2))))
    ones = [i for i, n in enumerate(x.shape) if n == 1]
    axis = draw(st.sampled_from([None] + [i - x.ndim for i in ones] + ([tuple(ones)] if ones else [])))
    return Case((x,), lambda x: np.squeeze(x, axis), fn=lambda x: mg.squeeze(x, axis))


@st.composite
def expand_dims_cases(draw):
    x = draw(arrays(draw(shapes())))
    axis = draw(st.integers(-x.ndim - 1, x.ndim))
    return Case((x,), lambda x: np.expand_dims(x, axis), fn=lambda x: mg.expand_dims(x, axis))


@st.composite
def swapaxes_cases(draw):
    x = draw(arrays(draw(shapes(min_dims=1))))
    a, b = draw(st.integers(-x.ndim, x.ndim - 1)), draw(st.integers(-x.ndim, x.ndim - 1))
    return Case((x,), lambda x: np.swapaxes(x, a, b), fn=lambda x: mg.swapaxes(x, a, b))


def cast_spec(name, dtype, **tolerances):
    @st.composite
    def cases(draw):
        x = draw(arrays(draw(shapes())))
        return Case((x,), lambda x: x.astype(dtype), op=Cast(dtype),
                    fn=lambda x: mg.astype(x, dtype))
    return OpSpec(name, Cast, cases(), **tolerances)


@st.composite
def identity_cases(draw):
    x = draw(arrays(draw(shapes())))
    return Case((x,), lambda x: x, op=Identity(), fn=mg.ops.identity)


# ----- indexing -------------------------------------------------------------------------

@st.composite
def indices(draw, shape):
    """Basic (int, negative int, slice with step, None, Ellipsis) and advanced (integer
    arrays with repeats, boolean masks) indices valid for `shape` (at least 1-d)."""
    kind = draw(st.sampled_from(["int", "slice", "mixed", "int array", "two int arrays", "mask"]))
    n = shape[0]
    if kind == "int":
        return draw(st.integers(-n, n - 1))
    if kind == "slice":
        return draw(st.sampled_from([slice(None, None, -1), slice(1, None), slice(None, None, 2),
                                     slice(-2, None)]))
    if kind == "mixed":
        rest = (slice(None, None, -1),) if len(shape) > 1 else ()
        return (Ellipsis, None) + rest if draw(st.booleans()) else (draw(st.integers(0, n - 1)), None) + rest
    if kind == "int array":  # repeats read one element twice: the cotangents must add
        return np.array(draw(st.lists(st.integers(-n, n - 1), min_size=1, max_size=5)))
    if kind == "two int arrays" and len(shape) > 1:
        k = draw(st.integers(1, 4))
        rows = np.array(draw(st.lists(st.integers(0, n - 1), min_size=k, max_size=k)))
        cols = np.array(draw(st.lists(st.integers(0, shape[1] - 1), min_size=k, max_size=k)))
        return rows, cols
    mask = draw(arrays(shape, st.booleans(), dtype=bool))
    mask.reshape(-1)[draw(st.integers(0, mask.size - 1))] = True  # never empty
    return mask


@st.composite
def getitem_cases(draw):
    x = draw(arrays(draw(shapes(min_dims=1))))
    index = draw(indices(x.shape))
    return Case((x,), lambda x: x[index], op=GetItem(index), fn=lambda x: x[index])


@st.composite
def index_add_cases(draw):
    shape = draw(shapes(min_dims=1))
    index = draw(indices(shape))
    w = draw(arrays(np.zeros(shape)[index].shape))

    def reference(w):
        z = np.zeros(shape, w.dtype)
        np.add.at(z, index, w)
        return z
    return Case((w,), reference, op=IndexAdd(index, shape))


# ----- linear algebra -------------------------------------------------------------------

@st.composite
def matmul_cases(draw):
    """The primitive: (n, k) @ (k, m), or with one shared batch axis."""
    n, k, m = (draw(st.integers(1, 3)) for _ in range(3))
    batch = draw(st.sampled_from([(), (2,)]))
    x, y = draw(arrays(batch + (n, k))), draw(arrays(batch + (k, m)))
    return Case((x, y), np.matmul, op=MatMul(), fn=mg.matmul)


@st.composite
def matmul_public_cases(draw):
    """NumPy's matmul rules: 1-d operands promoted and dropped, batch axes broadcast."""
    n, k, m = (draw(st.integers(1, 3)) for _ in range(3))
    x_shape, y_shape = draw(st.sampled_from([
        ((k,), (k,)), ((k,), (k, m)), ((n, k), (k,)), ((k,), (2, k, m)), ((2, n, k), (k,)),
        ((1, n, k), (2, k, m)), ((n, k), (2, k, m)), ((2, 1, n, k), (3, k, m))]))
    return Case((draw(arrays(x_shape)), draw(arrays(y_shape))), np.matmul, fn=mg.matmul)


@st.composite
def linear_cases(draw):
    """The primitive: (N, in) rows through (out, in) weights, with or without a bias."""
    n, k, m = (draw(st.integers(1, 3)) for _ in range(3))
    x, w = draw(arrays((n, k))), draw(arrays((m, k)))
    if draw(st.booleans()):
        return Case((x, w, None), lambda x, w, b: x @ w.T, op=Affine(), fn=mg.nn.functional.linear)
    b = draw(arrays((m,)))
    return Case((x, w, b), lambda x, w, b: x @ w.T + b, op=Affine(), fn=mg.nn.functional.linear)


@st.composite
def linear_public_cases(draw):
    """The function: inputs of any rank >= 1, flattened to rows and back."""
    k, m = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    lead = draw(st.sampled_from([(), (2,), (2, 2)]))
    x, w, b = draw(arrays(lead + (k,))), draw(arrays((m, k))), draw(arrays((m,)))
    return Case((x, w, b), lambda x, w, b: x @ w.T + b, fn=mg.nn.functional.linear)


SPECS = [
    *binary("add", Add, mg.add, np.add),
    *binary("subtract", Subtract, mg.subtract, np.subtract),
    *binary("multiply", Multiply, mg.multiply, np.multiply),
    *binary("divide", Divide, mg.divide, np.divide, y_elements=magnitudes(0.5, 2.0)),
    unary("negative", Negative, mg.negative, np.negative),
    OpSpec("power", Power, power_cases()),
    OpSpec("power/broadcast", Power, power_broadcast_cases()),
    unary("exp", Exp, mg.exp, np.exp),
    unary("log", Log, mg.log, np.log, reals(0.2, 3.0)),
    unary("sqrt", Sqrt, mg.sqrt, np.sqrt, reals(0.2, 3.0)),
    unary("log1p", Log1p, mg.log1p, np.log1p, reals(-0.8, 3.0)),
    unary("abs", Abs, mg.abs, np.abs, reals(avoid=[0.0])),
    unary("tanh", Tanh, mg.tanh, np.tanh),
    unary("sigmoid", Sigmoid, mg.sigmoid, lambda x: 1 / (1 + np.exp(-x)), reals(-4.0, 4.0),
          forward_rtol=1e-14),
    unary("relu", Relu, mg.relu, lambda x: np.maximum(x, 0), reals(avoid=[0.0])),
    unary("sin", Sin, mg.sin, np.sin, reals(-4.0, 4.0)),
    unary("cos", Cos, mg.cos, np.cos, reals(-4.0, 4.0)),
    *selection("maximum", Maximum, mg.maximum, np.maximum),
    *selection("minimum", Minimum, mg.minimum, np.minimum),
    OpSpec("where", Where, where_cases()),
    OpSpec("where/broadcast", Where, where_broadcast_cases()),
    OpSpec("clip", Clip, clip_cases()),
    reduction("sum", Sum, mg.sum, np.sum, arrays),
    reduction("max", Max, mg.max, np.max, distinct_arrays),
    reduction("min", Min, mg.min, np.min, distinct_arrays),
    OpSpec("mean", None, mean_cases()),
    OpSpec("var", None, var_cases()),
    OpSpec("broadcast_to", BroadcastTo, broadcast_to_cases()),
    OpSpec("reshape", Reshape, reshape_cases()),
    OpSpec("transpose", Transpose, transpose_cases()),
    OpSpec("concatenate", Concatenate, concatenate_cases()),
    OpSpec("stack", None, stack_cases()),
    OpSpec("squeeze", None, squeeze_cases()),
    OpSpec("expand_dims", None, expand_dims_cases()),
    OpSpec("swapaxes", None, swapaxes_cases()),
    # float64 -> float32 rounds to ~1e-7 relative, so central differences need a wide step
    # (the map is linear, so a wide step costs no truncation error).
    cast_spec("astype/float32", np.float32, eps=1e-2, atol=1e-4, rtol=1e-4),
    cast_spec("astype/float64", np.float64),
    OpSpec("identity", Identity, identity_cases()),
    OpSpec("getitem", GetItem, getitem_cases()),
    OpSpec("index_add", IndexAdd, index_add_cases()),
    OpSpec("matmul", MatMul, matmul_cases()),
    OpSpec("matmul/numpy_rules", MatMul, matmul_public_cases()),
    OpSpec("linear", Affine, linear_cases()),
    OpSpec("linear/any_rank", Affine, linear_public_cases()),
]
