"""The default floating dtype, and how data becomes an ndarray of the right dtype.

NumPy's rules decide the dtype of every op result (NEP 50: Python scalars are "weak" and
adopt the array's dtype, so `float32_tensor * 2.0` stays float32). The default dtype only
decides what Python numbers and lists become, and what factories and layers create.
"""
from __future__ import annotations

import numpy as np

from minigrad.typing import DTypeLike

_FLOAT_DTYPES = (np.dtype(np.float16), np.dtype(np.float32), np.dtype(np.float64))
_default: list[np.dtype] = [np.dtype(np.float64)]


def get_default_dtype() -> np.dtype:
    """The dtype that Python numbers, lists, factories and layer parameters take (float64).

    >>> import minigrad as mg
    >>> mg.get_default_dtype()
    dtype('float64')
    """
    return _default[0]


def set_default_dtype(dtype: DTypeLike) -> None:
    """Set the default floating dtype, e.g. `mg.set_default_dtype(np.float32)` for speed.

    Raises:
        TypeError: if `dtype` is not a floating dtype.
    """
    dtype = np.dtype(dtype)
    if dtype not in _FLOAT_DTYPES:
        raise TypeError(f"set_default_dtype: expected float16, float32 or float64, got {dtype}")
    _default[0] = dtype


def is_differentiable_dtype(dtype: np.dtype) -> bool:
    """Only floating (and complex) arrays carry gradients; integers and booleans are constants."""
    return dtype.kind in "fc"


def to_array(data: object, dtype: DTypeLike = None, copy: bool = False) -> np.ndarray:
    """Turn `data` into an ndarray with NumPy's and PyTorch's dtype rules: an ndarray (or a
    NumPy scalar) keeps its dtype; Python ints and int lists give int64, bools bool, and
    Python floats and float lists the default float dtype.

    Args:
        copy: always return a new array (an ndarray argument is otherwise used as it is).

    Raises:
        TypeError: for data NumPy would store as `object` or as text (strings, None, sets).
        ValueError: for ragged nested lists, which have no rectangular shape.

    >>> to_array([1, 2]).dtype, to_array([1.0, 2]).dtype, to_array(True).dtype
    (dtype('int64'), dtype('float64'), dtype('bool'))
    """
    if isinstance(data, (np.ndarray, np.generic)):
        array = np.array(data, dtype=dtype, copy=copy or None)
    else:
        try:
            array = np.asarray(data, dtype=dtype)
        except ValueError as error:  # e.g. ragged lists: NumPy's message names no fix
            raise ValueError(
                f"minigrad.tensor: cannot make a tensor from this {type(data).__name__} "
                f"({error}); pass a number, or nested lists of numbers whose lengths agree "
                "at each depth (a rectangular array)") from None
        if dtype is None and array.dtype.kind == "f":
            array = array.astype(get_default_dtype(), copy=False)
        elif dtype is None and array.dtype.kind in "iu":
            array = array.astype(np.int64, copy=False)  # NumPy's int is int32 on Windows
    if array.dtype.kind in "OSUV":
        raise TypeError(
            f"minigrad.tensor: cannot make a tensor from {type(data).__name__} "
            f"(NumPy would store it as dtype {array.dtype}); pass numbers, a list of numbers "
            "or a numeric ndarray")
    return array
