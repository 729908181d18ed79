"""Spec rows for the PyTorch-named functions: Clone (the one new primitive) and the
compositions (swap, permute, t, flatten, unsqueeze, cat, std, clamp, masked_fill, tril,
triu), each against NumPy and central differences through the public function."""
import numpy as np
from hypothesis import strategies as st

import minigrad as mg
from minigrad.ops import Clone
from tests.op_specs.spec import Case, OpSpec, arrays, axis_and_keepdims, reals, shapes


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


SPECS = [
    OpSpec("clone", Clone, clone_cases()),
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
