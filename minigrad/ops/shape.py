"""Shape ops: reshape, transpose, concatenate, astype, identity; squeeze, expand_dims,
swapaxes and stack are composed from them.

All are linear, so each is its own JVP and its VJP is its adjoint: reshape back,
transpose by the inverse permutation, slice the concatenation apart, cast back.
"""
import math

import numpy as np

from minigrad.ops.reductions import normalize_axis
from minigrad.primitive import Primitive, array_namespace
from minigrad.tensor import to_tensor


class Reshape(Primitive):
    """Reshape — same elements, new shape (row-major order, as NumPy).

      forward:  z = reshape(x, shape)
      jvp:      z_dot = reshape(x_dot, shape)
      vjp:      x_bar = reshape(z_bar, x.shape)
    """

    __slots__ = ("shape",)

    def __init__(self, shape):
        self.shape = shape

    def forward(self, x):
        return np.reshape(x, self.shape)

    def vjp(self, z_bar, z, x):
        return z_bar.reshape(x.shape)

    def jvp(self, x_dot, z, x):
        return x_dot.reshape(self.shape)


class Transpose(Primitive):
    """Transpose — permute the axes.

      forward:  z = transpose(x, axes)
      jvp:      z_dot = transpose(x_dot, axes)
      vjp:      x_bar = transpose(z_bar, argsort(axes))   (the inverse permutation)
    """

    __slots__ = ("axes",)

    def __init__(self, axes):
        self.axes = axes

    def forward(self, x):
        return np.transpose(x, self.axes)

    def vjp(self, z_bar, z, x):
        return z_bar.transpose(tuple(np.argsort(self.axes)))

    def jvp(self, x_dot, z, x):
        return x_dot.transpose(self.axes)


class Concatenate(Primitive):
    """Concatenate — join tensors along `axis`.

      forward:  z = concatenate([x1, ..., xn], axis)
      jvp:      z_dot = concatenate([x1_dot, ..., xn_dot], axis)
      vjp:      xi_bar = the slice of z_bar that xi occupies
    """

    __slots__ = ("axis",)

    def __init__(self, axis):
        self.axis = axis

    def forward(self, *xs):
        return np.concatenate(xs, axis=self.axis)

    def vjp(self, z_bar, z, *xs):
        bounds = np.cumsum([0] + [x.shape[self.axis] for x in xs])
        lead = (slice(None),) * self.axis
        return tuple(z_bar[lead + (slice(start, stop),)]
                     for start, stop in zip(bounds[:-1], bounds[1:]))

    def jvp(self, *args):
        x_dots = args[:len(args) // 2]  # then z, then the xs
        return np.concatenate(x_dots, axis=self.axis)


class Cast(Primitive):
    """Cast — convert to `dtype` (between floating dtypes it is linear).

      forward:  z = x.astype(dtype)
      jvp:      z_dot = x_dot.astype(dtype)
      vjp:      x_bar = z_bar.astype(x.dtype)
    """

    __slots__ = ("dtype",)
    name = "astype"

    def __init__(self, dtype):
        self.dtype = np.dtype(dtype)

    def forward(self, x):
        return x.astype(self.dtype)

    def vjp(self, z_bar, z, x):
        return z_bar.astype(x.dtype)

    def jvp(self, x_dot, z, x):
        return x_dot.astype(self.dtype)


class Identity(Primitive):
    """Identity — z = x; jvp z_dot = x_dot; vjp x_bar = z_bar.

    The transforms use it to give a function its own input node, so that mg.grad(f)(x)
    differentiates only through f's argument, never through other uses of x.
    """

    __slots__ = ()

    def forward(self, x):
        return x

    def vjp(self, z_bar, z, x):
        return z_bar

    def jvp(self, x_dot, z, x):
        return x_dot


def shape_argument(shape):
    """A shape given as separate ints, f(2, 3), or as one tuple or list, f((2, 3))."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        return tuple(shape[0])
    return tuple(shape)


def _resolve_shape(old, shape):
    """`shape` with its -1 filled in, or a ValueError naming both shapes."""
    size = math.prod(old)  # math.prod, not np.prod: 0.1 us against 5 (this runs per reshape)
    known = int(math.prod([n for n in shape if n != -1]))
    unknown = [i for i, n in enumerate(shape) if n == -1]
    fits = all(n >= -1 for n in shape) and len(unknown) <= 1
    if fits and unknown and known and size % known == 0:
        return shape[:unknown[0]] + (size // known,) + shape[unknown[0] + 1:]
    if fits and not unknown and known == size:
        return tuple(int(n) for n in shape)
    raise ValueError(f"reshape: cannot reshape a tensor of shape {old} ({size} elements) "
                     f"into {shape}")


def reshape(x, *shape):
    """Reshape to `shape` (a tuple or separate ints; one entry may be -1).

    Raises:
        ValueError: naming both shapes when the sizes differ.

    >>> import minigrad as mg
    >>> mg.arange(6.0).reshape(2, 3).shape
    (2, 3)
    """
    x = to_tensor(x, "reshape")
    new_shape = _resolve_shape(x.shape, shape_argument(shape))
    if new_shape == x.shape:
        return x
    return Reshape(new_shape)(x)


def transpose(x, *axes):
    """Permute axes (reverse them when none are given), as NumPy's transpose."""
    x = to_tensor(x, "transpose")
    axes = shape_argument(axes)
    if not axes:
        axes = tuple(range(x.ndim))[::-1]
    if sorted(a % x.ndim for a in axes) != list(range(x.ndim)):
        raise ValueError(f"transpose: axes {axes} are not a permutation of a {x.ndim}-d tensor's")
    axes = tuple(a % x.ndim for a in axes)
    if axes == tuple(range(x.ndim)):
        return x
    return Transpose(axes)(x)


def swapaxes(x, axis1, axis2):
    """Exchange two axes."""
    x = to_tensor(x, "swapaxes")
    axes = list(range(x.ndim))
    axes[axis1], axes[axis2] = axes[axis2], axes[axis1]
    return transpose(x, tuple(axes))


def squeeze(x, axis=None):
    """Remove size-1 axes (all of them, or those named by `axis`).

    Raises:
        ValueError: if a named axis does not have size 1.
    """
    x = to_tensor(x, "squeeze")
    if axis is None:
        axes = tuple(i for i, n in enumerate(x.shape) if n == 1)
    else:
        axes = normalize_axis(axis, x.ndim, "squeeze")
        if any(x.shape[a] != 1 for a in axes):
            raise ValueError(f"squeeze: axis {axis} of shape {x.shape} does not have size 1")
    return reshape(x, tuple(n for i, n in enumerate(x.shape) if i not in axes))


def expand_dims(x, axis):
    """Insert size-1 axes at `axis` (an int or tuple), as NumPy's expand_dims."""
    x = to_tensor(x, "expand_dims")
    return reshape(x, np.expand_dims(np.empty(x.shape, np.bool_), axis).shape)


def concatenate(tensors, axis=0):
    """Join a sequence of tensors along an existing axis.

    Raises:
        ValueError: naming the shapes when they differ off `axis`.
    """
    tensors = [to_tensor(t, "concatenate") for t in tensors]
    if not tensors:
        raise ValueError("concatenate: need at least one tensor")
    ndim = tensors[0].ndim
    if ndim == 0 or any(t.ndim != ndim for t in tensors):
        raise ValueError(f"concatenate: all tensors need the same number (>= 1) of dimensions, "
                         f"got shapes {[t.shape for t in tensors]}")
    axis = normalize_axis(axis, ndim, "concatenate")[0]
    rest = {t.shape[:axis] + t.shape[axis + 1:] for t in tensors}
    if len(rest) > 1:
        raise ValueError(f"concatenate: shapes {[t.shape for t in tensors]} differ off axis {axis}")
    return Concatenate(axis)(*tensors)


def stack(tensors, axis=0):
    """Join tensors of one shape along a new axis (expand_dims, then concatenate)."""
    tensors = [to_tensor(t, "stack") for t in tensors]
    if len({t.shape for t in tensors}) > 1:
        raise ValueError(f"stack: all tensors need the same shape, got {[t.shape for t in tensors]}")
    axis = normalize_axis(axis, tensors[0].ndim + 1, "stack")[0] if tensors else 0
    return concatenate([expand_dims(t, axis) for t in tensors], axis)


def astype(x, dtype):
    """Convert to `dtype`; differentiable between floating dtypes."""
    x = to_tensor(x, "astype")
    if x.dtype == np.dtype(dtype):
        return x
    return Cast(dtype)(x)


def identity(x):
    """A new node equal to x (what the transforms differentiate with respect to)."""
    return Identity()(x)
