"""Matrix product, with NumPy's matmul rules (batched, 1-d operands promoted).

The primitive works on operands of at least two dimensions whose batch axes already
agree; the `matmul` function promotes 1-d operands (as NumPy does) and broadcasts batch
axes explicitly, so the rules stay the two textbook products.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from minigrad.ops.broadcasting import as_operand, broadcast_to
from minigrad.primitive import Primitive, is_tracked
from minigrad.tensor import Tensor, shape_of, wrap
from minigrad.typing import Array, TensorLike


class MatMul(Primitive):
    """MatMul — (batched) matrix product; no Jacobian, only two more products.

      forward:  z = x @ y
      jvp:      z_dot = x_dot @ y + x @ y_dot
      vjp:      x_bar = z_bar @ y^T,   y_bar = x^T @ z_bar   (^T swaps the last two axes)
    """

    __slots__ = ()
    name = "matmul"
    reads_output = False

    @property
    def reads_inputs(self) -> tuple[bool, bool]:  # x is read for y's cotangent, y for x's
        x_needed, y_needed = self.needs_grad
        return y_needed, x_needed

    def forward(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        return np.matmul(x, y)

    def vjp(self, z_bar: Array, z: Array, x: Array, y: Array
            ) -> tuple[Array | None, Array | None]:
        x_needed, y_needed = self.needs_grad
        x_bar = z_bar @ y.swapaxes(-1, -2) if x_needed else None
        y_bar = x.swapaxes(-1, -2) @ z_bar if y_needed else None
        return x_bar, y_bar

    def jvp(self, x_dot: Array, y_dot: Array, z: Array, x: Array, y: Array) -> Array:
        return x_dot @ y + x @ y_dot


class Affine(Primitive):
    """Affine — a batch of rows through a linear layer: x W^T + b (PyTorch's layout).

      forward:  z = x @ W^T + b            x: (N, in), W: (out, in), b: (out,) or None
      jvp:      z_dot = x_dot @ W^T + x @ W_dot^T + b_dot
      vjp:      x_bar = z_bar @ W,   W_bar = z_bar^T @ x,   b_bar = sum over rows of z_bar
    One tape entry where transpose, matmul, broadcast and add would take four, and W_bar
    comes out in W's own row-major layout, so an optimizer's in-place update of W reads
    contiguous memory. The data's x_bar is skipped when x needs no gradient.
    """

    __slots__ = ()
    reads_output = False

    @property
    def reads_inputs(self) -> tuple[bool, bool, bool]:  # x for W's cotangent, W for x's; b never
        x_needed, w_needed, _ = self.needs_grad
        return w_needed, x_needed, False

    def forward(self, x: np.ndarray, w: np.ndarray, b: np.ndarray | None) -> np.ndarray:
        z = x @ w.T
        if b is not None:
            if b.dtype == z.dtype:
                z += b  # z is fresh, so adding in place is safe and saves a pass
            else:
                z = z + b
        return z

    def vjp(self, z_bar: Array, z: Array, x: Array, w: Array, b: Array | None
            ) -> tuple[Array | None, Array | None, Array | None]:
        x_needed, w_needed, b_needed = self.needs_grad
        x_bar = z_bar @ w if x_needed else None
        w_bar = z_bar.T @ x if w_needed else None
        b_bar = z_bar.sum(axis=0) if b_needed else None
        return x_bar, w_bar, b_bar

    def jvp(self, x_dot: Array, w_dot: Array, b_dot: Array | None, z: Array, x: Array,
            w: Array, b: Array | None) -> Array:
        z_dot = x_dot @ w.T + x @ w_dot.T
        return z_dot if b_dot is None else z_dot + b_dot


def linear(x: TensorLike, weight: TensorLike, bias: TensorLike | None = None) -> Tensor:
    """x W^T + b over the last axis of x, as PyTorch's F.linear (one tape entry).

    Args:
        x: (..., in_features); weight: (out_features, in_features); bias: (out_features,).

    Raises:
        ValueError: naming the shapes when x's last axis is not in_features or bias
            does not match out_features.

    >>> import minigrad as mg
    >>> mg.nn.functional.linear(mg.ones(2, 3), mg.ones(2, 3), mg.tensor([0.0, 1.0]))
    tensor([[3., 4.],
            [3., 4.]])
    """
    if isinstance(x, Tensor) and isinstance(weight, Tensor) and (
            bias is None or isinstance(bias, Tensor)):
        x_op, w_op, b_op = x, weight, bias  # fast: a layer's own tensors need no conversion
    else:
        x_op, w_op = as_operand(x, "linear"), as_operand(weight, "linear")
        b_op = None if bias is None else as_operand(bias, "linear")
    operands = (x_op, w_op, b_op)
    x_shape, w_shape = shape_of(x_op), shape_of(w_op)
    if len(w_shape) != 2 or len(x_shape) == 0 or x_shape[-1] != w_shape[1]:
        raise ValueError(
            f"linear: input of shape {x_shape} does not fit a weight of shape {w_shape}: the "
            f"weight must be (out_features, in_features) and the input's last axis in_features")
    if b_op is not None and shape_of(b_op) != (w_shape[0],):
        raise ValueError(f"linear: bias of shape {shape_of(b_op)} does not match "
                         f"out_features={w_shape[0]}")
    if not isinstance(x_op, Tensor) and not isinstance(w_op, Tensor):
        operands = (wrap(x_op),) + operands[1:]
    if len(x_shape) == 2:
        return Affine()(*operands)
    rows = _reshape(operands[0], (-1, x_shape[-1]) if len(x_shape) > 1 else (1, x_shape[0]))
    return _reshape(Affine()(rows, *operands[1:]), x_shape[:-1] + (w_shape[0],))


def matmul(x: TensorLike, y: TensorLike) -> Tensor:
    """Matrix product `x @ y` by NumPy's rules (1-d operands, batch broadcasting).

    Raises:
        ValueError: naming both shapes when the inner dimensions differ.

    >>> import minigrad as mg
    >>> (mg.ones((2, 3)) @ mg.ones(3)).shape
    (2,)
    """
    x, y = as_operand(x, "matmul"), as_operand(y, "matmul")
    x_shape, y_shape = shape_of(x), shape_of(y)
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
    if len(x_shape) == 2 and len(y_shape) == 2:  # plain matrices: nothing to broadcast
        return MatMul()(*(_as_tensor_pair(x, y)))
    try:
        batch = np.broadcast_shapes(x_shape[:-2], y_shape[:-2])
    except ValueError:
        raise ValueError(
            f"matmul: the batch axes of shapes {x_shape} and {y_shape} (all but the last two) "
            f"do not broadcast: {x_shape[:-2]} against {y_shape[:-2]}. Each must match or be 1, "
            "counting from the right") from None
    return MatMul()(*_as_tensor_pair(_broadcast_batch(x, batch), _broadcast_batch(y, batch)))


def _as_tensor_pair(x: Any, y: Any) -> tuple[Any, Any]:
    """At least one operand as a Tensor, so the result is one (constants stay arrays)."""
    if not isinstance(x, Tensor) and not isinstance(y, Tensor):
        x = wrap(x)
    return x, y


def _broadcast_batch(x: Any, batch: tuple[int, ...]) -> Any:
    shape = batch + shape_of(x)[-2:]
    if shape_of(x) == shape or not isinstance(x, Tensor):
        return x  # constants broadcast inside np.matmul; no gradient flows to them
    if not is_tracked(x):
        return x
    return broadcast_to(x, shape)


def _reshape(x: Any, shape: tuple[int, ...]) -> Any:
    return x.reshape(shape)


def _drop_axis(z: Tensor, axis: int) -> Tensor:
    return z.reshape(z.shape[:axis % z.ndim] + z.shape[axis % z.ndim + 1:])
