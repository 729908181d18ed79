"""Broadcasting's one home: operands are broadcast by an explicit op, `BroadcastTo`.

Binary ops never unbroadcast by hand. When two operands' shapes differ, each tracked
operand (one that needs a gradient or carries a tangent) is first broadcast to the common
shape by `BroadcastTo`, whose VJP sums the cotangent back down ("sum in reverse"). The
binary op then sees equal shapes, and its rules stay one line each.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from minigrad import dtypes
from minigrad.primitive import Primitive, array_namespace, is_tracked
from minigrad.tensor import PYTHON_SCALARS as _PYTHON_SCALARS
from minigrad.tensor import Tensor, shape_of, to_tensor
from minigrad.typing import Array, ShapeLike, TensorLike


class BroadcastTo(Primitive):
    """BroadcastTo — repeat x along new leading axes and along its size-1 axes.

      forward:  z = broadcast_to(x, shape)
      jvp:      z_dot = broadcast_to(x_dot, shape)         (linear: its own JVP)
      vjp:      x_bar = z_bar summed over the broadcast axes (the adjoint of repeating)
    """

    __slots__ = ("shape",)
    reads_inputs = reads_output = False

    def __init__(self, shape: Sequence[int]) -> None:
        self.shape = tuple(shape)

    def forward(self, x: np.ndarray) -> np.ndarray:
        return np.broadcast_to(x, self.shape)

    def vjp(self, z_bar: Array, z: Array, x: Array) -> Array:
        return sum_to_shape(z_bar, x.shape)

    def jvp(self, x_dot: Array, z: Array, x: Array) -> Array:
        return array_namespace(x_dot).broadcast_to(x_dot, self.shape)


def sum_to_shape(value: Array, shape: tuple[int, ...]) -> Array:
    """Sum `value` over the axes that broadcasting added or stretched, giving `shape`."""
    if value.shape == shape:
        return value
    lead = value.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, n in enumerate(shape) if n == 1 and value.shape[lead + i] != 1)
    return value.sum(axis=axes).reshape(shape)


def broadcast_to(x: TensorLike, shape: ShapeLike) -> Tensor:
    """Broadcast `x` to `shape` by NumPy's rules, recorded so gradients sum back.

    Raises:
        ValueError: if x's shape cannot be broadcast to `shape`.

    >>> import minigrad as mg
    >>> mg.broadcast_to(mg.tensor([1.0, 2.0]), (2, 2)).shape
    (2, 2)
    """
    x = to_tensor(x, "broadcast_to")
    shape = tuple(shape) if not isinstance(shape, int) else (shape,)
    if x.shape == shape:
        return x
    try:
        np.broadcast_shapes(x.shape, shape)
        if len(shape) < x.ndim:
            raise ValueError
    except ValueError:
        raise ValueError(
            f"broadcast_to: cannot broadcast shape {x.shape} to {shape}: each axis of the input "
            "must be 1 or match, counting from the right") from None
    return BroadcastTo(shape)(x)


def as_operand(value: object, op: str) -> Any:
    """Tensors and Python numbers pass as they are (numbers stay NumPy-"weak", so
    `float32 * 2.0` stays float32); arrays and lists become constant ndarrays."""
    if isinstance(value, Tensor) or type(value) in _PYTHON_SCALARS:
        return value
    if isinstance(value, (np.ndarray, np.generic)):
        if value.dtype.kind in "OSUV":
            raise TypeError(f"{op}: cannot use an array of dtype {value.dtype} as an operand")
        return value
    if isinstance(value, (list, tuple)):
        return dtypes.to_array(value)
    raise TypeError(
        f"{op}: unsupported operand type {type(value).__name__}; expected a Tensor, an "
        "ndarray or a number")


def apply_binary(primitive_class: type[Primitive], x: TensorLike, y: TensorLike) -> Tensor:
    """Apply a binary primitive to x and y, broadcasting tracked operands explicitly first.

    The common cases, a tensor with a Python number or two tensors of one shape, need no
    shape arithmetic at all, and are checked first: this runs for every binary op.
    """
    if isinstance(x, Tensor):
        if type(y) in _PYTHON_SCALARS or (isinstance(y, Tensor) and x.data.shape == y.data.shape):
            return primitive_class()(x, y)
    elif isinstance(y, Tensor) and type(x) in _PYTHON_SCALARS:
        return primitive_class()(x, y)
    return primitive_class()(*broadcast_operands(primitive_class.name, x, y))


def broadcast_operands(op: str, *given: TensorLike, extra_shape: tuple[int, ...] = ()
                       ) -> list[Any]:
    """Coerce operands and broadcast the tracked ones to their common shape, explicitly.

    Args:
        extra_shape: a further shape that takes part in broadcasting (where's condition).

    Raises:
        ValueError: naming the op, the shapes and dtypes, when they do not broadcast.
    """
    operands = [as_operand(x, op) for x in given]
    shapes = [shape_of(x) if type(x) not in _PYTHON_SCALARS else () for x in operands]
    if not extra_shape and all(s == shapes[0] for s in shapes):
        return operands
    try:
        shape = np.broadcast_shapes(extra_shape, *shapes)
    except ValueError:
        described = " and ".join(
            f"{s} {np.result_type(x)}" for s, x in zip(shapes, operands))
        if extra_shape:
            described += f" (condition {extra_shape})"
        raise ValueError(
            f"{op}: operands could not be broadcast together: shapes {described}. Each axis "
            "must match or be 1, counting from the right; reshape one operand (for example "
            "x.reshape(-1, 1)) or check which axis you meant") from None
    return [BroadcastTo(shape)(x) if s != shape and is_tracked(x) else x
            for x, s in zip(operands, shapes)]
