"""Shape ops: reshape, transpose, concatenate, astype, identity, clone; squeeze,
expand_dims, swapaxes, permute, flatten, stack and PyTorch's t and cat are composed from them.

All are linear, so each is its own JVP and its VJP is its adjoint: reshape back,
transpose by the inverse permutation, slice the concatenation apart, cast back.
"""
from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np

from minigrad.ops.reductions import normalize_axis
from minigrad import dtypes
from minigrad.primitive import Primitive, Variadic, array_namespace
from minigrad.spellings import pytorch_keywords
from minigrad.tensor import Tensor, to_tensor, wrap
from minigrad.typing import Array, Axis, DTypeLike, TensorLike


class Reshape(Primitive):
    """Reshape — same elements, new shape (row-major order, as NumPy).

      forward:  z = reshape(x, shape)
      jvp:      z_dot = reshape(x_dot, shape)
      vjp:      x_bar = reshape(z_bar, x.shape)
    """

    __slots__ = ("shape",)
    reads_inputs = reads_output = False

    def __init__(self, shape: tuple[int, ...]) -> None:
        self.shape = shape

    def forward(self, x: np.ndarray) -> np.ndarray:
        return np.reshape(x, self.shape)

    def vjp(self, z_bar: Array, z: Array, x: Array) -> Array:
        return z_bar.reshape(x.shape)

    def jvp(self, x_dot: Array, z: Array, x: Array) -> Array:
        return x_dot.reshape(self.shape)


class Transpose(Primitive):
    """Transpose — permute the axes.

      forward:  z = transpose(x, axes)
      jvp:      z_dot = transpose(x_dot, axes)
      vjp:      x_bar = transpose(z_bar, argsort(axes))   (the inverse permutation)
    """

    __slots__ = ("axes",)
    reads_inputs = reads_output = False

    def __init__(self, axes: tuple[int, ...]) -> None:
        self.axes = axes

    def forward(self, x: np.ndarray) -> np.ndarray:
        return np.transpose(x, self.axes)

    def vjp(self, z_bar: Array, z: Array, x: Array) -> Array:
        return z_bar.transpose(tuple(np.argsort(self.axes)))

    def jvp(self, x_dot: Array, z: Array, x: Array) -> Array:
        return x_dot.transpose(self.axes)


class Concatenate(Variadic):
    """Concatenate — join tensors along `axis` (linear: its own JVP).

      forward:  z = concatenate([x1, ..., xn], axis)
      jvp:      z_dot = concatenate([x1_dot, ..., xn_dot], axis)
      vjp:      xi_bar = the slice of z_bar that xi occupies
    """

    __slots__ = ("axis",)
    reads_inputs = reads_output = False

    def __init__(self, axis: int) -> None:
        self.axis = axis

    def forward_all(self, xs: tuple[np.ndarray, ...]) -> np.ndarray:
        return np.concatenate(xs, axis=self.axis)

    def vjp_all(self, z_bar: Array, z: Array, xs: tuple[Any, ...]) -> tuple[Any, ...]:
        bounds = np.cumsum([0] + [x.shape[self.axis] for x in xs])
        lead = (slice(None),) * self.axis
        return tuple(z_bar[lead + (slice(start, stop),)]
                     for start, stop in zip(bounds[:-1], bounds[1:]))

    def jvp_all(self, x_dots: tuple[Any, ...], z: Array, xs: tuple[Any, ...]) -> Array:
        return array_namespace(*x_dots).concatenate(x_dots, axis=self.axis)


class Cast(Primitive):
    """Cast — convert to `dtype` (between floating dtypes it is linear).

      forward:  z = x.astype(dtype)
      jvp:      z_dot = x_dot.astype(dtype)
      vjp:      x_bar = z_bar.astype(x.dtype)
    """

    __slots__ = ("dtype",)
    reads_inputs = reads_output = False
    name = "astype"

    def __init__(self, dtype: DTypeLike) -> None:
        self.dtype = np.dtype(dtype)

    def forward(self, x: np.ndarray) -> np.ndarray:
        return x.astype(self.dtype)

    def vjp(self, z_bar: Array, z: Array, x: Array) -> Array:
        return z_bar.astype(x.dtype)

    def jvp(self, x_dot: Array, z: Array, x: Array) -> Array:
        return x_dot.astype(self.dtype)


class Identity(Primitive):
    """Identity — z = x; jvp z_dot = x_dot; vjp x_bar = z_bar.

    The transforms use it to give a function its own input node, so that mg.grad(f)(x)
    differentiates only through f's argument, never through other uses of x.
    """

    __slots__ = ()
    reads_inputs = reads_output = False

    def forward(self, x: np.ndarray) -> np.ndarray:
        return x

    def vjp(self, z_bar: Array, z: Array, x: Array) -> Array:
        return z_bar

    def jvp(self, x_dot: Array, z: Array, x: Array) -> Array:
        return x_dot


class Clone(Primitive):
    """Clone — the same values in new memory (PyTorch's clone): Identity's rules.

      forward:  z = copy(x)
      jvp:      z_dot = x_dot
      vjp:      x_bar = z_bar
    """

    __slots__ = ()

    def forward(self, x: np.ndarray) -> np.ndarray:
        return x.copy()

    def vjp(self, z_bar: Array, z: Array, x: Array) -> Array:
        return z_bar

    def jvp(self, x_dot: Array, z: Array, x: Array) -> Array:
        return x_dot


def shape_argument(shape: Sequence[Any]) -> tuple[int, ...]:
    """A shape given as separate ints, f(2, 3), or as one tuple or list, f((2, 3))."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        return tuple(shape[0])
    return tuple(shape)


def _resolve_shape(old: tuple[int, ...], shape: tuple[int, ...]) -> tuple[int, ...]:
    """`shape` with its -1 filled in, or a ValueError naming both shapes."""
    size = math.prod(old)  # math.prod, not np.prod: 0.1 us against 5 (this runs per reshape)
    unknown = shape.count(-1)
    if unknown <= 1 and min(shape, default=0) >= -1:
        known = int(math.prod(shape)) * (-1 if unknown else 1)  # the product of the given sizes
        if not unknown and known == size:
            return tuple(map(int, shape))  # NumPy integers become ints
        if unknown and known and size % known == 0:
            i = shape.index(-1)
            return shape[:i] + (size // known,) + shape[i + 1:]
    raise ValueError(f"reshape: cannot reshape a tensor of shape {old} ({size} elements) "
                     f"into {shape}")


def reshape(x: TensorLike, *shape: int | Sequence[int]) -> Tensor:
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


def transpose(x: TensorLike, *axes: int | Sequence[int]) -> Tensor:
    """Reverse, swap or permute the axes: with none, reverse them (NumPy's, x.T); with two
    ints, transpose(dim0, dim1), swap those two (PyTorch's rule: on a 2-d tensor either
    order reverses); with one tuple, or one int per axis, permute (NumPy's). A tuple is
    always a permutation, so transpose((0, 1)) keeps a 2-d tensor as NumPy does (PyTorch
    never passes one).

    Raises:
        ValueError: for an axis out of range, or a tuple that is not a permutation.

    >>> import minigrad as mg
    >>> x = mg.zeros(2, 3, 4)
    >>> x.transpose().shape, x.transpose(0, 2).shape, x.transpose(1, 2, 0).shape
    ((4, 3, 2), (4, 3, 2), (3, 4, 2))
    >>> mg.zeros(2, 3).transpose(0, 1).shape          # PyTorch's swap, not NumPy's identity
    (3, 2)
    """
    x = to_tensor(x, "transpose")
    if len(axes) == 2 and all(isinstance(a, (int, np.integer)) for a in axes):
        return swapaxes(x, *axes)  # type: ignore[arg-type]  # two ints, as just checked
    if not axes:
        return permute(x, tuple(range(x.ndim))[::-1])
    return permute(x, *axes)


def permute(x: TensorLike, *dims: int | Sequence[int]) -> Tensor:
    """Reorder the axes: axis i of the result is axis dims[i] of x (PyTorch's permute,
    NumPy's transpose(x, axes)); dims as separate ints or one tuple.

    Raises:
        ValueError: unless dims name every axis of x once.

    >>> import minigrad as mg
    >>> mg.zeros(2, 3, 4).permute(2, 0, 1).shape
    (4, 2, 3)
    """
    x = to_tensor(x, "permute")
    order = shape_argument(dims)
    if len(order) != x.ndim or sorted(_axis(a, x.ndim, "permute") for a in order) != list(range(x.ndim)):
        raise ValueError(
            f"permute: {order} is not a permutation of the {x.ndim} axes of a tensor of shape "
            f"{x.shape}; name every axis once, e.g. {tuple(range(x.ndim))[::-1]}. To swap two "
            "axes write x.transpose(dim0, dim1)")
    order = tuple(a % x.ndim for a in order)
    if order == tuple(range(x.ndim)):
        return x
    return Transpose(order)(x)


def _axis(axis: int, ndim: int, op: str) -> int:
    """One axis, as a non-negative int, or a ValueError naming the op."""
    return normalize_axis(axis, ndim, op)[0]


def swapaxes(x: TensorLike, axis1: int, axis2: int) -> Tensor:
    """Exchange two axes (PyTorch's transpose(dim0, dim1)); a ValueError if one is out of range."""
    x = to_tensor(x, "swapaxes")
    axes = list(range(x.ndim))
    a, b = _axis(axis1, x.ndim, "transpose"), _axis(axis2, x.ndim, "transpose")
    axes[a], axes[b] = axes[b], axes[a]
    return permute(x, tuple(axes))


def t(x: TensorLike) -> Tensor:
    """PyTorch's t(): a 2-d tensor transposed; 0-d and 1-d tensors as they are.

    Raises:
        ValueError: for more than 2 dimensions (x.transpose(-2, -1) swaps the last two).

    >>> import minigrad as mg
    >>> mg.zeros(2, 3).t().shape, mg.zeros(3).t().shape
    ((3, 2), (3,))
    """
    x = to_tensor(x, "t")
    if x.ndim > 2:
        raise ValueError(f"t: expects a tensor of at most 2 dimensions, got shape {x.shape}; "
                         "for the last two axes of a batch write x.transpose(-2, -1)")
    return permute(x, tuple(range(x.ndim))[::-1])


@pytorch_keywords
def flatten(x: TensorLike, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    """Merge the axes start_dim..end_dim (both included) into one, as PyTorch's flatten
    (the defaults flatten everything; flatten(x, 1) keeps the batch axis). A 0-d tensor
    becomes 1-d.

    >>> import minigrad as mg
    >>> mg.zeros(2, 3, 4).flatten(1).shape, mg.zeros(2, 3, 4).flatten().shape
    ((2, 12), (24,))
    """
    x = to_tensor(x, "flatten")
    if x.ndim == 0:
        return reshape(x, 1)
    start, end = _axis(start_dim, x.ndim, "flatten"), _axis(end_dim, x.ndim, "flatten")
    if start > end:
        raise ValueError(f"flatten: start_dim {start_dim} comes after end_dim {end_dim} for a "
                         f"tensor of shape {x.shape}")
    merged = int(np.prod(x.shape[start:end + 1]))
    return reshape(x, x.shape[:start] + (merged,) + x.shape[end + 1:])


@pytorch_keywords
def squeeze(x: TensorLike, axis: Axis = None) -> Tensor:
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


@pytorch_keywords
def expand_dims(x: TensorLike, axis: int | tuple[int, ...]) -> Tensor:
    """Insert size-1 axes at `axis` (an int or tuple), as NumPy's expand_dims."""
    x = to_tensor(x, "expand_dims")
    # A broadcast scalar has x's shape and no memory: only the new shape is wanted.
    return reshape(x, np.expand_dims(np.broadcast_to(False, x.shape), axis).shape)


@pytorch_keywords
def unsqueeze(x: TensorLike, axis: int) -> Tensor:
    """PyTorch's unsqueeze(dim): a size-1 axis inserted at `axis` (expand_dims).

    >>> import minigrad as mg
    >>> mg.zeros(2, 3).unsqueeze(1).shape, mg.zeros(2, 3).unsqueeze(-1).shape
    ((2, 1, 3), (2, 3, 1))
    """
    return expand_dims(x, axis)


@pytorch_keywords
def concatenate(tensors: Sequence[TensorLike], axis: int = 0) -> Tensor:
    """Join a sequence of tensors along an existing axis.

    Raises:
        ValueError: naming the shapes when they differ off `axis`.
    """
    parts = [to_tensor(t, "concatenate") for t in tensors]
    if not parts:
        raise ValueError("concatenate: need at least one tensor")
    ndim = parts[0].ndim
    if ndim == 0 or any(t.ndim != ndim for t in parts):
        raise ValueError(f"concatenate: all tensors need the same number (>= 1) of dimensions, "
                         f"got shapes {[t.shape for t in parts]}")
    axis = normalize_axis(axis, ndim, "concatenate")[0]
    rest = {t.shape[:axis] + t.shape[axis + 1:] for t in parts}
    if len(rest) > 1:
        raise ValueError(f"concatenate: shapes {[t.shape for t in parts]} differ off axis {axis}")
    return Concatenate(axis)(*parts)


@pytorch_keywords
def stack(tensors: Sequence[TensorLike], axis: int = 0) -> Tensor:
    """Join tensors of one shape along a new axis (expand_dims, then concatenate)."""
    parts = [to_tensor(t, "stack") for t in tensors]
    if len({t.shape for t in parts}) > 1:
        raise ValueError(f"stack: all tensors need the same shape, got {[t.shape for t in parts]}")
    axis = normalize_axis(axis, parts[0].ndim + 1, "stack")[0] if parts else 0
    return concatenate([expand_dims(t, axis) for t in parts], axis)


@pytorch_keywords
def cat(tensors: Sequence[TensorLike], axis: int = 0) -> Tensor:
    """PyTorch's cat(tensors, dim=0): concatenate.

    >>> import minigrad as mg
    >>> mg.cat([mg.zeros(2, 3), mg.ones(1, 3)], dim=0).shape
    (3, 3)
    """
    return concatenate(tensors, axis)


def astype(x: TensorLike, dtype: DTypeLike) -> Tensor:
    """Convert to `dtype`; differentiable between floating dtypes.

    A conversion to an integer or boolean dtype is a constant, off the tape (as in
    PyTorch): rounding is piecewise constant, so no gradient flows back through it.

    >>> import minigrad as mg
    >>> x = mg.tensor([1.7, -0.5], requires_grad=True)
    >>> x.astype(mg.int64), x.astype(mg.int64).requires_grad
    (tensor([1, 0]), False)
    """
    x = to_tensor(x, "astype")
    dtype = np.dtype(dtype)
    if x.dtype == dtype:
        return x
    if not dtypes.is_differentiable_dtype(dtype):
        return wrap(x.data.astype(dtype))
    return Cast(dtype)(x)


def clone(x: TensorLike) -> Tensor:
    """A copy of x in new memory that stays on the tape (PyTorch's clone): changing one in
    place leaves the other alone, and the gradient passes through unchanged.

    >>> import minigrad as mg
    >>> x = mg.tensor([1.0, 2.0])
    >>> y = x.clone(); y += 1
    >>> x, y
    (tensor([1., 2.]), tensor([2., 3.]))
    """
    return Clone()(to_tensor(x, "clone"))


def identity(x: TensorLike) -> Tensor:
    """A new node equal to x (what the transforms differentiate with respect to)."""
    return Identity()(x)
