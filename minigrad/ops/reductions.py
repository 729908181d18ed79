"""Reductions: sum, max and min as primitives; mean, var and std composed from them;
argmax, argmin, all and any, which return indices or booleans and are never recorded.

`axis` may be None (everything), an int or a tuple of ints, negative counting from the
end, as in NumPy (or `dim=`, see minigrad/spellings.py). Ties in max and min share the
gradient evenly among the tied elements (as PyTorch's full reductions do), so the rule is
the same whichever element NumPy found.
"""
from __future__ import annotations

from typing import Any, Callable, ClassVar, Sequence

import numpy as np

from minigrad.primitive import Primitive, array_namespace, array_of
from minigrad.spellings import pytorch_keywords
from minigrad.tensor import Tensor, shape_of, to_tensor, wrap
from minigrad.typing import Array, Axis, TensorLike


def normalize_axis(axis: Axis | Sequence[int], ndim: int, op: str) -> tuple[int, ...]:
    """`axis` as a sorted tuple of non-negative ints, or a clear error naming the op.

    Raises:
        ValueError: for an axis outside [-ndim, ndim) or repeated.
    """
    if axis is None:
        return tuple(range(ndim))
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    normalized = []
    for a in axes:
        if not -ndim <= a < ndim:
            raise ValueError(f"{op}: axis {a} is out of range for a tensor with {ndim} dimensions")
        normalized.append(int(a) % ndim if ndim else 0)
    if len(set(normalized)) != len(normalized):
        raise ValueError(f"{op}: repeated axis in {axis}")
    return tuple(sorted(normalized))


def keepdims_shape(shape: tuple[int, ...], axes: tuple[int, ...]) -> tuple[int, ...]:
    """The reduced shape with the reduced axes kept as 1s (where a cotangent broadcasts from)."""
    return tuple(1 if i in axes else n for i, n in enumerate(shape))


class Sum(Primitive):
    """Sum — add up the elements along `axes` (linear: its own JVP).

      forward:  z = sum(x, axes)
      jvp:      z_dot = sum(x_dot, axes)
      vjp:      x_bar = broadcast z_bar back over the summed axes (the adjoint of summing)
    """

    __slots__ = ("axes", "keepdims")
    reads_inputs = reads_output = False  # shapes only

    def __init__(self, axes: tuple[int, ...], keepdims: bool = False) -> None:
        self.axes, self.keepdims = axes, keepdims

    def forward(self, x: np.ndarray) -> np.ndarray:
        return np.sum(x, axis=self.axes, keepdims=self.keepdims)

    def vjp(self, z_bar: Array, z: Array, x: Array) -> Array:
        z_bar = z_bar.reshape(keepdims_shape(x.shape, self.axes))
        return array_namespace(z_bar).broadcast_to(z_bar, x.shape)

    def jvp(self, x_dot: Array, z: Array, x: Array) -> Array:
        return x_dot.sum(axis=self.axes, keepdims=self.keepdims)


class Max(Primitive):
    """Max — the largest element along `axes`; tied maxima share the gradient evenly.

      forward:  z = max(x, axes)
      jvp:      z_dot = sum(w * x_dot, axes)
      vjp:      x_bar = w * broadcast(z_bar)
    where w = [x == z] / (number of ties): a piecewise-constant weight summing to 1.
    """

    __slots__ = ("axes", "keepdims")
    _reduce: ClassVar[Callable[..., Any]] = staticmethod(np.max)

    def __init__(self, axes: tuple[int, ...], keepdims: bool = False) -> None:
        self.axes, self.keepdims = axes, keepdims

    def forward(self, x: np.ndarray) -> np.ndarray:
        return self._reduce(x, axis=self.axes, keepdims=self.keepdims)

    def _weight(self, z: Array, x: Array) -> np.ndarray:
        kept = keepdims_shape(shape_of(x), self.axes)
        hits = array_of(x) == np.reshape(array_of(z), kept)
        return hits / hits.sum(axis=self.axes, keepdims=True)

    def vjp(self, z_bar: Array, z: Array, x: Array) -> Array:
        z_bar = z_bar.reshape(keepdims_shape(x.shape, self.axes))
        return z_bar * self._weight(z, x).astype(x.dtype)

    def jvp(self, x_dot: Array, z: Array, x: Array) -> Array:
        w = self._weight(z, x).astype(x.dtype)
        return (x_dot * w).sum(axis=self.axes, keepdims=self.keepdims)


class Min(Max):
    """Min — the smallest element along `axes`; the rules of Max, ties shared evenly."""

    __slots__ = ()
    _reduce = staticmethod(np.min)


@pytorch_keywords
def sum(x: TensorLike, axis: Axis = None,  # noqa: A001 - the NumPy name, on purpose
        keepdims: bool = False) -> Tensor:
    """Sum over `axis` (None: all, an int, or a tuple).

    >>> import minigrad as mg
    >>> mg.sum(mg.tensor([[1.0, 2.0], [3.0, 4.0]]), axis=0)
    tensor([4., 6.])
    """
    x = to_tensor(x, "sum")
    return Sum(normalize_axis(axis, x.ndim, "sum"), keepdims)(x)


@pytorch_keywords
def mean(x: TensorLike, axis: Axis = None, keepdims: bool = False) -> Tensor:
    """Arithmetic mean over `axis`: sum(x, axis) / count."""
    x = to_tensor(x, "mean")
    axes = normalize_axis(axis, x.ndim, "mean")
    count = int(np.prod([x.shape[a] for a in axes]))
    return sum(x, axes, keepdims) / count


@pytorch_keywords
def max(x: TensorLike, axis: Axis = None, keepdims: bool = False) -> Tensor:  # noqa: A001
    """Largest element over `axis`; ties share the gradient evenly.

    Raises:
        ValueError: for an empty reduction (as NumPy).
    """
    x = to_tensor(x, "max")
    return Max(normalize_axis(axis, x.ndim, "max"), keepdims)(x)


@pytorch_keywords
def min(x: TensorLike, axis: Axis = None, keepdims: bool = False) -> Tensor:  # noqa: A001
    """Smallest element over `axis`; ties share the gradient evenly."""
    x = to_tensor(x, "min")
    return Min(normalize_axis(axis, x.ndim, "min"), keepdims)(x)


@pytorch_keywords
def var(x: TensorLike, axis: Axis = None, keepdims: bool = False, ddof: int = 0) -> Tensor:
    """Variance over `axis`: sum((x - mean(x))^2) / (n - ddof), as NumPy's var.

    NumPy's default ddof=0 divides by n; PyTorch's var divides by n - 1 by default, which
    is ddof=1 here (also spelled correction=1 or unbiased=True).

    >>> import minigrad as mg
    >>> x = mg.tensor([1.0, 2.0, 3.0, 4.0])
    >>> float(x.var()), float(x.var(unbiased=True))
    (1.25, 1.6666666666666667)
    """
    x = to_tensor(x, "var")
    axes = normalize_axis(axis, x.ndim, "var")
    count = int(np.prod([x.shape[a] for a in axes]))
    centered = x - mean(x, axes, keepdims=True)
    return sum(centered * centered, axes, keepdims) / (count - ddof)


@pytorch_keywords
def std(x: TensorLike, axis: Axis = None, keepdims: bool = False, ddof: int = 0) -> Tensor:
    """Standard deviation over `axis`: sqrt(var(x, axis, keepdims, ddof)); n - ddof in the
    denominator, so ddof=0 (the default, NumPy's) divides by n and ddof=1 (correction=1,
    unbiased=True, PyTorch's default) by n - 1.

    Its gradient is infinite where the variance is 0 (sqrt'(0)), as in NumPy and PyTorch.

    >>> import minigrad as mg
    >>> float(mg.std(mg.tensor([1.0, 3.0]))), float(mg.std(mg.tensor([1.0, 3.0]), correction=1))
    (1.0, 1.4142135623730951)
    """
    return var(x, axis, keepdims, ddof).sqrt()


@pytorch_keywords
def argmax(x: TensorLike, axis: int | None = None, keepdims: bool = False) -> Tensor:
    """The index of the largest element along `axis` (None: in the flattened tensor), as
    int64; the first one at ties, as NumPy and PyTorch. Not recorded: indices have no
    gradient.

    >>> import minigrad as mg
    >>> mg.argmax(mg.tensor([[1.0, 5.0, 5.0], [7.0, 0.0, 2.0]]), dim=1)
    tensor([1, 0])
    """
    return _arg_reduce(np.argmax, x, axis, keepdims, "argmax")


@pytorch_keywords
def argmin(x: TensorLike, axis: int | None = None, keepdims: bool = False) -> Tensor:
    """The index of the smallest element along `axis` (None: flattened), int64, the first at
    ties; not recorded.

    >>> import minigrad as mg
    >>> mg.argmin(mg.tensor([[3.0, 1.0], [0.0, 0.0]]), dim=1, keepdim=True)
    tensor([[1],
            [0]])
    """
    return _arg_reduce(np.argmin, x, axis, keepdims, "argmin")


def _arg_reduce(reduce: Callable[..., Any], x: TensorLike, axis: int | None, keepdims: bool,
                op: str) -> Tensor:
    x = to_tensor(x, op)
    if axis is not None:
        if not isinstance(axis, (int, np.integer)):
            raise TypeError(f"{op}: axis must be one int or None, got {axis!r}")
        axis = normalize_axis(axis, x.ndim, op)[0]
    return wrap(np.asarray(reduce(x.data, axis=axis, keepdims=keepdims), dtype=np.int64))


@pytorch_keywords
def all(x: TensorLike, axis: Axis = None,  # noqa: A001 - NumPy's and PyTorch's name
        keepdims: bool = False) -> Tensor:
    """Whether every element along `axis` is true (nonzero): a boolean tensor, not recorded.

    >>> import minigrad as mg
    >>> mg.ops.all(mg.tensor([[1, 0], [2, 3]]), dim=1), mg.ops.any(mg.tensor([0.0, 0.0]))
    (tensor([False,  True]), tensor(False))
    """
    x = to_tensor(x, "all")
    return wrap(np.asarray(np.all(x.data, axis=normalize_axis(axis, x.ndim, "all"),
                                  keepdims=keepdims)))


@pytorch_keywords
def any(x: TensorLike, axis: Axis = None, keepdims: bool = False) -> Tensor:  # noqa: A001
    """Whether some element along `axis` is true (nonzero): a boolean tensor, not recorded
    (see `all`)."""
    x = to_tensor(x, "any")
    return wrap(np.asarray(np.any(x.data, axis=normalize_axis(axis, x.ndim, "any"),
                                  keepdims=keepdims)))
