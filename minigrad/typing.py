"""The types minigrad's signatures are written in: what an op accepts, what an axis is, what
a rule receives. They are for readers and type checkers (mypy, pyright, an editor) and cost
nothing at run time; use them in your own annotations as NumPy's `numpy.typing` is used.

>>> import minigrad as mg
>>> from minigrad.typing import Axis, TensorLike
>>> def centered(x: TensorLike, axis: Axis = None) -> mg.Tensor:
...     x = mg.as_tensor(x)
...     return x - x.mean(axis, keepdims=True)
>>> centered([1.0, 2.0, 6.0])
tensor([-2., -1.,  3.])
"""
from __future__ import annotations

from types import EllipsisType
from typing import TYPE_CHECKING, Any, Sequence, Union

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:  # tensor.py imports this module, so Tensor is named, not imported, here
    from minigrad.tensor import Tensor

#: A Python number: what ops take as a NumPy "weak" scalar (`float32_tensor * 2.0` stays
#: float32), and what `Tensor.item()` returns.
Number = Union[bool, int, float]

#: What an op accepts as an operand: a Tensor, an ndarray or NumPy scalar, a Python number,
#: or (nested) lists or tuples of numbers; anything but a Tensor is a constant. Strings and
#: None are not operands.
TensorLike = Union["Tensor", np.ndarray, np.generic, Number, list[Any], tuple[Any, ...]]

#: What `x[index]` takes, as NumPy: ints, slices, None, ..., integer or boolean arrays (or
#: Tensors, or lists), and tuples of these.
Index = Union[int, slice, None, EllipsisType, np.ndarray, "Tensor", list[Any], tuple[Any, ...]]

#: What a VJP or JVP rule receives and returns: ndarrays during a plain backward, Tensors
#: under create_graph (see minigrad/primitive.py); a constant operand may be a number.
Array = Union[np.ndarray, "Tensor"]

#: What a forward rule receives for one input: the ndarray behind a Tensor, or a constant
#: operand as it was given (a binary op takes Python numbers as they are).
Operand = Union[np.ndarray, np.generic, Number]

#: The axes an op works over: None (all of them), an int or a tuple of ints, negative
#: counting from the end, as NumPy's `axis=` (PyTorch's `dim=` is the same).
Axis = Union[None, int, tuple[int, ...]]

#: A shape as functions take one: one int, or a tuple or list of ints.
ShapeLike = Union[int, Sequence[int]]

#: A dtype as NumPy takes one: np.float32, "float32", np.dtype("float32"), float; None
#: means the default (see `mg.get_default_dtype()`).
DTypeLike = Union[npt.DTypeLike, None]

#: What every `rng=` argument takes: a np.random.Generator (used as it is), a seed, or
#: None for minigrad's default generator (see `mg.manual_seed`).
RNGLike = Union[None, int, np.random.Generator]
