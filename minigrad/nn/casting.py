"""Dtypes between layers and their inputs: the mixed-dtype check every layer makes, and
the arguments of `Module.to` (a dtype, a device, or a tensor)."""
from __future__ import annotations

from typing import Any

import numpy as np

from minigrad import dtypes
from minigrad.tensor import Tensor
from minigrad.typing import DTypeLike, TensorLike


def check_input_dtype(layer: Any, x: TensorLike, parameter: Tensor | None) -> None:
    """A TypeError, naming both dtypes and the fix, if a layer's input would compute in
    another dtype than its parameters: NumPy would upcast float32 to float64 silently
    (and run about 2.5x slower); PyTorch raises. Integer inputs pass when they promote
    to the parameters' dtype.

    Args:
        layer: the Module, for the message.
        x: its input (a Tensor, ndarray, list or number).
        parameter: a parameter or buffer whose dtype the layer computes in, or None.
    """
    if parameter is None:
        return
    have = x.dtype if isinstance(x, (Tensor, np.ndarray)) else dtypes.to_array(x).dtype
    want = parameter.dtype
    if have == want or (have.kind in "biu" and np.result_type(have, want) == want):
        return
    fix = f"the input with x.astype(np.{want})"
    if have.kind == "f":
        fix = f"the model with model.to(np.{have}), or " + fix
    raise TypeError(
        f"{type(layer).__name__}({layer.extra_repr()}): the input is {have} but the layer's "
        f"parameters are {want}; minigrad does not convert between them silently (PyTorch "
        f"raises here too). Convert {fix}")


def to_arguments(args: tuple[Any, ...], dtype: DTypeLike, device: str | None
                 ) -> np.dtype | None:
    """The dtype in Module.to's arguments (None if only a device), after checking the device."""
    for arg in args:
        if isinstance(arg, Tensor):
            dtype = arg.dtype
        elif isinstance(arg, str) and arg.split(":")[0] in _DEVICES:
            device = arg
        else:
            dtype = arg
    if device is not None and str(device).split(":")[0] != "cpu":
        raise RuntimeError(f"Module.to({device!r}): minigrad runs on the CPU only (on NumPy "
                           "arrays), so there is no device to move to; drop the call, or "
                           "use .to('cpu'), which does nothing")
    if dtype is None:
        return None
    try:
        dtype = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"Module.to: {dtype!r} is neither a dtype nor a device") from None
    if not dtypes.is_differentiable_dtype(dtype):
        raise TypeError(f"Module.to only accepts floating dtypes (as PyTorch), got {dtype}; "
                        "parameters must stay differentiable")
    return dtype


#: Device names PyTorch code passes to `.to(...)`; only "cpu" exists here.
_DEVICES = ("cpu", "cuda", "mps", "xpu", "meta", "hip", "xla", "ipu", "npu")
