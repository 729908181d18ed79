"""Spec rows for the PyTorch-named functions: Clone and CumSum (the new primitives) and
the compositions (swap, permute, t, flatten, unsqueeze, cat, std, clamp, masked_fill, tril,
triu, split, take_along_axis/gather, sort, topk), each against NumPy and central
differences through the public function."""
import numpy as np
from hypothesis import strategies as st

import minigrad as mg
from minigrad.ops import Clone, CumSum
from tests.op_specs.spec import (Case, OpSpec, arrays, axis_and_keepdims, distinct_arrays, reals,
                                 shapes)


@st.composite
def clone_cases(draw):
    x = draw(arrays(draw(shapes())))
    return Case((x,), lambda x: x.copy(), op=Clone(), fn=mg.ops.clone)


@st.composite
def swap_cases(draw):
    """transpose(dim0, dim1), PyTorch's rule, on any rank (on 2-d it reverses)."""
    x = draw(arrays(draw(shapes(min_dims=1))))
    a, b = draw(st.integers(-x.ndim, x.ndim - 1)), draw(st.integers(-x.ndim, x.ndim - 1))
    return Case((x,), lambda x: np.swapaxes(x, a, b), fn=lambda x: mg.transpose(x, a, b))


@st.composite
def permute_cases(draw):
    x = draw(arrays(draw(shapes())))
    dims = tuple(draw(st.permutations(range(x.ndim))))
    return Case((x,), lambda x: np.transpose(x, dims), fn=lambda x: mg.permute(x, *dims))


@st.composite
def t_cases(draw):
    x = draw(arrays(draw(shapes(max_dims=2))))
    return Case((x,), lambda x: x.T, fn=mg.ops.t)


@st.composite
def flatten_cases(draw):
    x = draw(arrays(draw(shapes(min_dims=1))))
    start = draw(st.integers(0, x.ndim - 1))
    end = draw(st.integers(start, x.ndim - 1))
    shape = x.shape[:start] + (int(np.prod(x.shape[start:end + 1])),) + x.shape[end + 1:]
    return Case((x,), lambda x: x.reshape(shape),
                fn=lambda x: mg.flatten(x, start_dim=start - x.ndim, end_dim=end))


@st.composite
def unsqueeze_cases(draw):
    x = draw(arrays(draw(shapes())))
    dim = draw(st.integers(-x.ndim - 1, x.ndim))
    return Case((x,), lambda x: np.expand_dims(x, dim), fn=lambda x: mg.unsqueeze(x, dim=dim))


@st.composite
def cat_cases(draw):
    shape = draw(shapes(min_dims=1))
    dim = draw(st.integers(-len(shape), len(shape) - 1))
    xs = []
    for _ in range(draw(st.integers(1, 3))):
        piece = list(shape)
        piece[dim] = draw(st.integers(1, 3))
        xs.append(draw(arrays(tuple(piece))))
    return Case(tuple(xs), lambda *xs: np.concatenate(xs, dim),
                fn=lambda *xs: mg.cat(xs, dim=dim))


@st.composite
def std_cases(draw):
    """Values spread apart (a variance of 0 is sqrt's kink), every axis form, both ddofs."""
    x = draw(arrays(draw(shapes(min_dims=1).filter(lambda s: np.prod(s) > 1)), reals(-1.0, 1.0)))
    x = x + 3.0 * np.arange(x.size).reshape(x.shape)  # distinct: never constant on an axis
    axis, keepdims = draw(axis_and_keepdims(x.ndim))
    count = x.size // np.sum(x, axis=axis, keepdims=True).size
    if count < 2:
        axis = None
    correction = draw(st.sampled_from([0, 1]))
    return Case((x,), lambda x: np.std(x, axis=axis, keepdims=keepdims, ddof=correction),
                fn=lambda x: mg.std(x, dim=axis, keepdim=keepdims, correction=correction))


@st.composite
def clamp_cases(draw):
    low, high = draw(st.sampled_from([(-0.5, 0.5), (None, 0.5), (-0.5, None)]))
    bounds = [b for b in (low, high) if b is not None]
    x = draw(arrays(draw(shapes()), reals(avoid=bounds)))
    return Case((x,), lambda x: np.clip(x, low, high), fn=lambda x: mg.clamp(x, min=low, max=high))


@st.composite
def masked_fill_cases(draw):
    shape = draw(shapes(min_dims=1))
    mask = draw(arrays(shape[draw(st.integers(0, len(shape))):], st.booleans(), dtype=bool))
    value = draw(st.sampled_from([0.0, -1.5]))  # -inf: see test_pytorch_names
    return Case((draw(arrays(shape)),), lambda x: np.where(mask, value, x),
                fn=lambda x: mg.ops.masked_fill(x, mg.tensor(mask), value))


def triangle(name, public, reference):
    @st.composite
    def cases(draw):
        x = draw(arrays(draw(shapes(min_dims=2))))
        k = draw(st.integers(-2, 2))
        return Case((x,), lambda x: reference(x, k), fn=lambda x: public(x, diagonal=k))
    return OpSpec(name, None, cases())


@st.composite
def cumsum_cases(draw):
    x = draw(arrays(draw(shapes(min_dims=1))))
    axis = draw(st.integers(0, x.ndim - 1))
    return Case((x,), lambda x: np.cumsum(x, axis=axis), op=CumSum(axis),
                fn=lambda x: mg.cumsum(x, dim=axis))


@st.composite
def split_cases(draw):
    """Every piece, joined back in reverse order (so each piece's own slice is checked)."""
    x = draw(arrays(draw(shapes(min_dims=1))))
    axis = draw(st.integers(0, x.ndim - 1))
    size = draw(st.integers(1, x.shape[axis]))
    return Case((x,), lambda x: np.concatenate(
        [x.take(range(i, min(i + size, x.shape[axis])), axis=axis)
         for i in range(0, x.shape[axis], size)][::-1], axis=axis),
        fn=lambda x: mg.cat(mg.split(x, size, dim=axis)[::-1], dim=axis))


@st.composite
def gather_cases(draw):
    x = draw(arrays(draw(shapes(min_dims=1))))
    axis = draw(st.integers(0, x.ndim - 1))
    shape = tuple(n if a == axis else draw(st.integers(1, n)) for a, n in enumerate(x.shape))
    shape = shape[:axis] + (draw(st.integers(1, 4)),) + shape[axis + 1:]
    index = draw(arrays(shape, st.integers(0, x.shape[axis] - 1), dtype=np.int64))
    return Case((x,), lambda x: np.take_along_axis(
        x[tuple(slice(0, n) if a != axis else slice(None) for a, n in enumerate(shape))],
        index, axis=axis), fn=lambda x: mg.gather(x, axis, index))


@st.composite
def sort_cases(draw):
    """sort's values, and topk's k largest or smallest: distinct values, no ties."""
    x = draw(distinct_arrays(draw(shapes(min_dims=1))))
    axis = draw(st.integers(0, x.ndim - 1))
    k = draw(st.integers(0, x.shape[axis]))
    largest = draw(st.booleans())

    def reference(x):
        ordered = np.sort(x, axis=axis)
        ordered = np.flip(ordered, axis) if largest else ordered
        return np.take(ordered, range(k), axis=axis)
    if draw(st.booleans()):
        return Case((x,), lambda x: np.flip(np.sort(x, axis=axis), axis) if largest else
                    np.sort(x, axis=axis),
                    fn=lambda x: mg.sort(x, dim=axis, descending=largest).values)
    return Case((x,), reference, fn=lambda x: mg.topk(x, k, dim=axis, largest=largest).values)


SPECS = [
    OpSpec("clone", Clone, clone_cases()),
    OpSpec("cumsum", CumSum, cumsum_cases()),
    OpSpec("split", None, split_cases(), forward_rtol=0),
    OpSpec("gather", None, gather_cases(), forward_rtol=0),
    OpSpec("sort/topk", None, sort_cases(), forward_rtol=0),
    OpSpec("transpose/swap", None, swap_cases()),
    OpSpec("permute", None, permute_cases()),
    OpSpec("t", None, t_cases()),
    OpSpec("flatten", None, flatten_cases()),
    OpSpec("unsqueeze", None, unsqueeze_cases()),
    OpSpec("cat", None, cat_cases()),
    OpSpec("std", None, std_cases()),
    OpSpec("clamp", None, clamp_cases()),
    OpSpec("masked_fill", None, masked_fill_cases()),
    triangle("tril", mg.tril, np.tril),
    triangle("triu", mg.triu, np.triu),
]
