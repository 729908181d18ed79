"""What an op spec is, and the hypothesis strategies the spec modules share.

A spec row says how to test one primitive (or one public function built on it):

    OpSpec("divide", Divide, divide_cases(), atol=..., rtol=...)

where the strategy draws a `Case`: the inputs (shapes and values from hypothesis), a
NumPy reference for the forward value, and what to differentiate: `op`, a Primitive
instance (checked with `mg.testing.check_op`: rule shapes and dtypes, adjoint identity,
both modes and second order), and/or `fn`, the public function (checked with
`mg.testing.gradcheck`, which is how broadcasting's sum-back gets exercised).

Values are drawn inside the op's valid domain and a margin away from its kinks, so that
central differences (step eps) see a smooth function.
"""
from dataclasses import dataclass
from typing import Any, Callable, Optional

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp


@dataclass(frozen=True)
class Case:
    """One drawn test case.

    Attributes:
        inputs: the arguments; float arrays are differentiated, Python numbers and integer
            or boolean arrays are constants.
        reference: NumPy's value for the same inputs, reference(*inputs).
        op: a Primitive instance applied to `inputs` (None: only `fn` is tested).
        fn: the public function applied to `inputs` as tensors (None: only `op`).
    """
    inputs: tuple
    reference: Callable[..., Any]
    op: Any = None
    fn: Optional[Callable[..., Any]] = None


@dataclass(frozen=True)
class OpSpec:
    """One row of the op table.

    Attributes:
        name: the test id.
        primitive: the Primitive class this row covers (None for a composite function).
        cases: a hypothesis strategy of `Case`s.
        eps, atol, rtol: the central-difference step and tolerances for the checks.
        second_order: also check the VJP rule's own derivative (check_op).
        forward_rtol: tolerance of the forward value against NumPy.
    """
    name: str
    primitive: Optional[type]
    cases: Any
    eps: float = 1e-6
    atol: float = 1e-6
    rtol: float = 1e-5
    second_order: bool = True
    forward_rtol: float = 1e-12


# ----- shapes ------------------------------------------------------------------------

def shapes(min_dims=0, max_dims=3, min_side=1, max_side=3):
    """Shapes from scalars () up to 3-d, sides 1..3 (so size-1 axes come up often)."""
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side,
                            max_side=max_side)


@st.composite
def broadcast_pair(draw, max_dims=3):
    """Two shapes that broadcast to a common one: dropped leading axes and size-1 axes."""
    shape = draw(shapes(min_dims=0, max_dims=max_dims))
    return draw(broadcastable_to(shape)), draw(broadcastable_to(shape))


@st.composite
def broadcastable_to(draw, shape):
    lead = draw(st.integers(0, len(shape)))
    return tuple(1 if draw(st.booleans()) else n for n in shape[lead:])


@st.composite
def axis_and_keepdims(draw, ndim):
    """A NumPy `axis` (None, int, negative int or tuple) valid for `ndim`, and keepdims."""
    keepdims = draw(st.booleans())
    if ndim == 0:
        return draw(st.sampled_from([None, ()])), keepdims
    kind = draw(st.sampled_from(["none", "int", "negative", "tuple"]))
    if kind == "none":
        return None, keepdims
    if kind == "int":
        return draw(st.integers(0, ndim - 1)), keepdims
    if kind == "negative":
        return draw(st.integers(-ndim, -1)), keepdims
    axes = draw(st.lists(st.integers(0, ndim - 1), min_size=1, max_size=ndim, unique=True))
    return tuple(axes), keepdims


# ----- values ------------------------------------------------------------------------

def reals(lo=-2.0, hi=2.0, avoid=(), margin=0.1):
    """Floats in [lo, hi], at least `margin` away from each point in `avoid` (kinks)."""
    elements = st.floats(lo, hi, allow_nan=False, allow_infinity=False, allow_subnormal=False)
    if avoid:
        elements = elements.filter(lambda v: all(abs(v - a) >= margin for a in avoid))
    return elements


def arrays(shape, elements=None, dtype=np.float64):
    """A float array of `shape` with elements from `elements` (default: reals())."""
    return hnp.arrays(dtype, shape, elements=elements if elements is not None else reals())


def distinct_arrays(shape, spacing=0.125):
    """Arrays whose elements differ pairwise by at least `spacing` (no ties, so max and
    min are differentiable and central differences never cross a tie)."""
    grid = st.integers(-40, 40).map(lambda k: k * spacing)
    return hnp.arrays(np.float64, shape, elements=grid, unique=True)


def magnitudes(lo=0.5, hi=2.0):
    """Floats with |v| in [lo, hi], either sign (e.g. divisors away from 0)."""
    return st.tuples(st.booleans(), reals(lo, hi)).map(lambda t: -t[1] if t[0] else t[1])
