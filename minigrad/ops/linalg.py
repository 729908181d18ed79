"""Matrix product, with NumPy's matmul rules (batched, 1-d operands promoted).

The primitive works on operands of at least two dimensions whose batch axes already
agree; the `matmul` function promotes 1-d operands (as NumPy does) and broadcasts batch
axes explicitly, so the rules stay the two textbook products.
"""
import numpy as np

from minigrad.ops.broadcasting import as_operand, broadcast_to
from minigrad.primitive import Primitive
from minigrad.tensor import Tensor


class MatMul(Primitive):
    """MatMul — (batched) matrix product; no Jacobian, only two more products.

      forward:  z = x @ y
      jvp:      z_dot = x_dot @ y + x @ y_dot
      vjp:      x_bar = z_bar @ y^T,   y_bar = x^T @ z_bar   (^T swaps the last two axes)
    """

    __slots__ = ()
    name = "matmul"

    def forward(self, x, y):
        return np.matmul(x, y)

    def vjp(self, z_bar, z, x, y):
        x_needed, y_needed = self.needs_grad
        x_bar = z_bar @ y.swapaxes(-1, -2) if x_needed else None
        y_bar = x.swapaxes(-1, -2) @ z_bar if y_needed else None
        return x_bar, y_bar

    def jvp(self, x_dot, y_dot, z, x, y):
        return x_dot @ y + x @ y_dot


def matmul(x, y):
    """Matrix product `x @ y` by NumPy's rules (1-d operands, batch broadcasting).

    Raises:
        ValueError: naming both shapes when the inner dimensions differ.

    >>> import minigrad as mg
    >>> (mg.ones((2, 3)) @ mg.ones(3)).shape
    (2,)
    """
    x, y = as_operand(x, "matmul"), as_operand(y, "matmul")
    x_shape, y_shape = np.shape(x), np.shape(y)
    if len(x_shape) == 0 or len(y_shape) == 0:
        raise ValueError(f"matmul: operands must have at least one dimension, got shapes "
                         f"{x_shape} and {y_shape}; use * for scaling")
    if x_shape[-1] != y_shape[-2 if len(y_shape) > 1 else -1]:
        raise ValueError(
            f"matmul: shapes {x_shape} and {y_shape} do not align: the last axis of the first "
            f"({x_shape[-1]}) must equal the {'second-to-last' if len(y_shape) > 1 else 'only'} "
            f"axis of the second ({y_shape[-2 if len(y_shape) > 1 else -1]})")
    if len(x_shape) == 1:  # (n,) @ (..., n, m): a row vector, dropped again afterwards
        return _drop_axis(matmul(_reshape(x, (1,) + x_shape), y), -2)
    if len(y_shape) == 1:
        return _drop_axis(matmul(x, _reshape(y, y_shape + (1,))), -1)
    try:
        batch = np.broadcast_shapes(x_shape[:-2], y_shape[:-2])
    except ValueError:
        raise ValueError(
            f"matmul: the batch axes of shapes {x_shape} and {y_shape} (all but the last two) "
            f"do not broadcast: {x_shape[:-2]} against {y_shape[:-2]}. Each must match or be 1, "
            "counting from the right") from None
    x = _broadcast_batch(x, batch)
    y = _broadcast_batch(y, batch)
    if not isinstance(x, Tensor) and not isinstance(y, Tensor):
        x = Tensor(x)
    return MatMul()(x, y)


def _broadcast_batch(x, batch):
    shape = batch + np.shape(x)[-2:]
    if np.shape(x) == shape or not isinstance(x, Tensor):
        return x  # constants broadcast inside np.matmul; no gradient flows to them
    if not (x._requires_grad or x._tangent is not None):
        return x
    return broadcast_to(x, shape)


def _reshape(x, shape):
    return x.reshape(shape)


def _drop_axis(z, axis):
    return z.reshape(z.shape[:axis % z.ndim] + z.shape[axis % z.ndim + 1:])
