"""In-place changes: `+= -= *= /= @=`, `t[i] = v`, and the `zero_`-style methods.

Each writes into the tensor's own array (the object, and every view of its memory, see
the change) and bumps its version (see versions.py), so a backward that would read the
old value raises instead of using the new one.

In-place ops are not recorded. So, while grad mode is on, one that would need to be
recorded raises a RuntimeError saying what to write instead:
- on a leaf that requires grad (as PyTorch: an update of a parameter belongs under
  `mg.no_grad()`, where optimizers make theirs);
- on a tensor computed by a recorded op, or with an operand that requires grad (PyTorch
  would record these; here `x = x + y` records the same value out of place).
"""
from __future__ import annotations

from typing import Any, TypeVar

import numpy as np

from minigrad import grad_mode, versions
from minigrad.random import as_generator
from minigrad.tensor import Tensor
from minigrad.typing import Index, RNGLike, TensorLike

T = TypeVar("T", bound=Tensor)  # what changed in place is returned, as the same object


def _array(value: Any) -> Any:
    return value.data if isinstance(value, Tensor) else value


def check_writable(tensor: Tensor, what: str, operand: object = None) -> None:
    """Raise if changing `tensor` in place (to a value that depends on `operand`) would
    lose a gradient or write into read-only memory."""
    if grad_mode.state.enabled:
        if tensor._requires_grad and tensor._entry is None:
            raise RuntimeError(
                f"{what}: a leaf tensor that requires grad ({_describe(tensor)}) cannot be "
                "changed in place while grad mode is on, as in PyTorch. Update parameters "
                "under `with mg.no_grad():` (as optimizers do), or write to its `.data`")
        if tensor._entry is not None:  # recorded (so it requires grad)
            raise RuntimeError(
                f"{what}: this tensor ({_describe(tensor)}) was computed by a recorded op "
                f"('{tensor._entry.op}'), and minigrad does not record in-place ops. Write "
                "the out-of-place form instead (x = x + y rather than x += y), or detach it")
        if isinstance(operand, Tensor) and operand._requires_grad:
            raise RuntimeError(
                f"{what}: the operand requires grad ({_describe(operand)}), so the result "
                "would need a gradient, but minigrad does not record in-place ops. Write "
                "the out-of-place form instead (x = x + y rather than x += y)")
    if not tensor.data.flags.writeable:
        raise ValueError(
            f"{what}: this tensor's data is read-only (a broadcast view, or an array "
            "NumPy marked read-only); make a copy with .clone() first")


def _describe(tensor: Tensor) -> str:
    return f"shape {tensor.shape}, dtype {tensor.dtype}"


def _done(tensor: T) -> T:
    versions.note_change(tensor.data)
    return tensor


def apply_ufunc(tensor: T, ufunc: np.ufunc, operand: TensorLike, symbol: str) -> T:
    """`tensor <symbol>= operand` with NumPy's casting and broadcasting rules."""
    what = f"x {symbol}= y"
    check_writable(tensor, what, operand)
    value = _array(operand)
    try:
        ufunc(tensor.data, value, out=tensor.data, casting="same_kind")
    except TypeError as error:  # NumPy's UFuncTypeError: a result the dtype cannot hold
        raise TypeError(
            f"{what}: the result of a {tensor.dtype} tensor and {np.result_type(value)} "
            f"cannot be stored back into {tensor.dtype} ({error}). Convert first, e.g. "
            "x = x.astype(np.float64)") from None
    except ValueError as error:  # a result of a larger shape than the tensor's
        raise ValueError(
            f"{what}: an operand of shape {np.shape(value)} does not broadcast to the "
            f"tensor's shape {tensor.shape}; an in-place op cannot change the shape") from None
    return _done(tensor)


def matmul_(tensor: T, operand: TensorLike) -> T:
    """`tensor @= operand`: the product must have the tensor's shape."""
    check_writable(tensor, "x @= y", operand)
    product = np.matmul(tensor.data, _array(operand))
    if product.shape != tensor.shape:
        raise ValueError(f"x @= y: the product has shape {product.shape}, but an in-place "
                         f"op cannot change the tensor's shape {tensor.shape}")
    np.copyto(tensor.data, product, casting="same_kind")
    return _done(tensor)


def setitem(tensor: T, index: Index, value: TensorLike) -> T:
    """`tensor[index] = value`, NumPy's assignment rules."""
    from minigrad.ops.indexing import plain_index
    check_writable(tensor, "x[index] = value", value)
    tensor.data[plain_index(index)] = _array(value)
    return _done(tensor)


def fill_(tensor: T, value: TensorLike, what: str = "fill_") -> T:
    """Every element set to `value`."""
    check_writable(tensor, what, value)
    tensor.data[...] = _array(value)
    return _done(tensor)


def copy_(tensor: T, source: TensorLike) -> T:
    """The values of `source` (broadcast to the tensor's shape, cast to its dtype)."""
    check_writable(tensor, "copy_", source)
    source = np.asarray(_array(source))
    try:
        np.copyto(tensor.data, source, casting="unsafe")  # as torch's copy_, any dtype
    except ValueError:
        raise ValueError(f"copy_: a source of shape {source.shape} does not broadcast to "
                         f"the tensor's shape {tensor.shape}") from None
    return _done(tensor)


def clamp_(tensor: T, low: float | None = None, high: float | None = None) -> T:
    """Every element limited to [low, high] (either may be None)."""
    if low is None and high is None:
        raise ValueError("clamp_: give min, max or both")
    check_writable(tensor, "clamp_")
    np.clip(tensor.data, low, high, out=tensor.data)
    return _done(tensor)


def uniform_(tensor: T, low: float = 0.0, high: float = 1.0, rng: RNGLike = None
             ) -> T:
    """Samples from U(low, high) (`rng`: a Generator, a seed, or None for the default)."""
    check_writable(tensor, "uniform_")
    tensor.data[...] = as_generator(rng).uniform(low, high, size=tensor.shape)
    return _done(tensor)


def normal_(tensor: T, mean: float = 0.0, std: float = 1.0, rng: RNGLike = None
            ) -> T:
    """Samples from N(mean, std^2) (`rng`: a Generator, a seed, or None for the default)."""
    check_writable(tensor, "normal_")
    tensor.data[...] = as_generator(rng).normal(mean, std, size=tensor.shape)
    return _done(tensor)
