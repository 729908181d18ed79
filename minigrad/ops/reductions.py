"""Reductions: sum, max and min as primitives; mean and var composed from them.

`axis` may be None (everything), an int or a tuple of ints, negative counting from the
end, as in NumPy. Ties in max and min share the gradient evenly among the tied elements
(as PyTorch's full reductions do), so the rule is the same whichever element NumPy found.
"""
import numpy as np

from minigrad.primitive import Primitive, array_namespace, array_of
from minigrad.tensor import to_tensor


def normalize_axis(axis, ndim, op):
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


def keepdims_shape(shape, axes):
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

    def __init__(self, axes, keepdims=False):
        self.axes, self.keepdims = axes, keepdims

    def forward(self, x):
        return np.sum(x, axis=self.axes, keepdims=self.keepdims)

    def vjp(self, z_bar, z, x):
        z_bar = z_bar.reshape(keepdims_shape(x.shape, self.axes))
        return array_namespace(z_bar).broadcast_to(z_bar, x.shape)

    def jvp(self, x_dot, z, x):
        return x_dot.sum(axis=self.axes, keepdims=self.keepdims)


class Max(Primitive):
    """Max — the largest element along `axes`; tied maxima share the gradient evenly.

      forward:  z = max(x, axes)
      jvp:      z_dot = sum(w * x_dot, axes)
      vjp:      x_bar = w * broadcast(z_bar)
    where w = [x == z] / (number of ties): a piecewise-constant weight summing to 1.
    """

    __slots__ = ("axes", "keepdims")
    _reduce = staticmethod(np.max)

    def __init__(self, axes, keepdims=False):
        self.axes, self.keepdims = axes, keepdims

    def forward(self, x):
        return self._reduce(x, axis=self.axes, keepdims=self.keepdims)

    def _weight(self, z, x):
        kept = keepdims_shape(np.shape(x), self.axes)
        hits = array_of(x) == np.reshape(array_of(z), kept)
        return hits / hits.sum(axis=self.axes, keepdims=True)

    def vjp(self, z_bar, z, x):
        z_bar = z_bar.reshape(keepdims_shape(x.shape, self.axes))
        return z_bar * self._weight(z, x).astype(x.dtype)

    def jvp(self, x_dot, z, x):
        w = self._weight(z, x).astype(x.dtype)
        return (x_dot * w).sum(axis=self.axes, keepdims=self.keepdims)


class Min(Max):
    """Min — the smallest element along `axes`; the rules of Max, ties shared evenly."""

    __slots__ = ()
    _reduce = staticmethod(np.min)


def sum(x, axis=None, keepdims=False):  # noqa: A001 - the NumPy name, on purpose
    """Sum over `axis` (None: all, an int, or a tuple).

    >>> import minigrad as mg
    >>> mg.sum(mg.tensor([[1.0, 2.0], [3.0, 4.0]]), axis=0)
    tensor([4., 6.])
    """
    x = to_tensor(x, "sum")
    return Sum(normalize_axis(axis, x.ndim, "sum"), keepdims)(x)


def mean(x, axis=None, keepdims=False):
    """Arithmetic mean over `axis`: sum(x, axis) / count."""
    x = to_tensor(x, "mean")
    axes = normalize_axis(axis, x.ndim, "mean")
    count = int(np.prod([x.shape[a] for a in axes]))
    return sum(x, axes, keepdims) / count


def max(x, axis=None, keepdims=False):  # noqa: A001
    """Largest element over `axis`; ties share the gradient evenly.

    Raises:
        ValueError: for an empty reduction (as NumPy).
    """
    x = to_tensor(x, "max")
    return Max(normalize_axis(axis, x.ndim, "max"), keepdims)(x)


def min(x, axis=None, keepdims=False):  # noqa: A001
    """Smallest element over `axis`; ties share the gradient evenly."""
    x = to_tensor(x, "min")
    return Min(normalize_axis(axis, x.ndim, "min"), keepdims)(x)


def var(x, axis=None, keepdims=False, ddof=0):
    """Variance over `axis`: mean((x - mean(x))^2) * n / (n - ddof), as NumPy's var."""
    x = to_tensor(x, "var")
    axes = normalize_axis(axis, x.ndim, "var")
    count = int(np.prod([x.shape[a] for a in axes]))
    centered = x - mean(x, axes, keepdims=True)
    return sum(centered * centered, axes, keepdims) / (count - ddof)
