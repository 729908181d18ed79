"""Parameter initialisation: PyTorch's `nn.init` functions, which fill a tensor in place,
and the array helpers the layers use for their default initialisation.

The in-place functions follow PyTorch's signatures, bounds and gains, with an `rng=`
(a Generator, a seed, or None for the default generator that `mg.manual_seed` reseeds).
They write through the tensor's in-place methods (so its version is bumped), under
`mg.no_grad()` as PyTorch's do (so they work on parameters that require grad), and return
the tensor, e.g. `nn.init.kaiming_normal_(layer.weight, nonlinearity="relu")`.
"""
from __future__ import annotations

from typing import Sequence

import math
import warnings

import numpy as np

from minigrad import dtypes
from minigrad.grad_mode import no_grad
from minigrad.random import as_generator
from minigrad.tensor import Tensor
from minigrad.typing import DTypeLike, RNGLike, ShapeLike


def fan_in(shape: Sequence[int]) -> int:
    """Inputs feeding each output unit: shape[1] times the kernel size (PyTorch's rule).

    >>> fan_in((16, 3, 5, 5))
    75
    """
    return fans(shape)[0]


def fans(shape: Sequence[int]) -> tuple[int, int]:
    """(fan_in, fan_out) of a weight: shape[1] and shape[0], each times the kernel size
    prod(shape[2:]) (a Linear weight (out, in), a Conv2d weight (out, in / groups, kh, kw)).

    Raises:
        ValueError: for fewer than 2 dimensions, where neither is defined.

    >>> fans((16, 3, 5, 5))
    (75, 400)
    """
    if len(shape) < 2:
        raise ValueError(f"fan_in and fan_out need a weight of at least 2 dimensions, got "
                         f"shape {tuple(shape)}")
    receptive_field = math.prod(shape[2:])
    return shape[1] * receptive_field, shape[0] * receptive_field


def uniform(shape: ShapeLike, bound: float, rng: RNGLike = None, dtype: DTypeLike = None
            ) -> np.ndarray:
    """Samples from U(-bound, bound), in the default dtype unless `dtype` is given.

    PyTorch initialises Linear and Conv weights and biases with bound = 1/sqrt(fan_in)
    (its kaiming_uniform_ with a=sqrt(5) reduces to exactly that).
    """
    sample = as_generator(rng).uniform(-bound, bound, size=shape)
    return sample.astype(dtype or dtypes.get_default_dtype())


def normal(shape: ShapeLike, mean: float = 0.0, std: float = 1.0, rng: RNGLike = None,
           dtype: DTypeLike = None) -> np.ndarray:
    """Samples from N(mean, std^2), in the default dtype unless `dtype` is given."""
    sample = as_generator(rng).normal(mean, std, size=shape)
    return sample.astype(dtype or dtypes.get_default_dtype())


# ----- PyTorch's nn.init: in place, returning the tensor --------------------------------

_GAINS = {"linear": 1.0, "identity": 1.0, "conv1d": 1.0, "conv2d": 1.0, "conv3d": 1.0,
          "conv_transpose1d": 1.0, "conv_transpose2d": 1.0, "conv_transpose3d": 1.0,
          "sigmoid": 1.0, "tanh": 5 / 3, "relu": math.sqrt(2.0), "selu": 3 / 4}


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The recommended scale of the weights before `nonlinearity` (PyTorch's table):
    1 for linear, conv and sigmoid, 5/3 for tanh, sqrt(2) for relu, 3/4 for selu and
    sqrt(2 / (1 + a^2)) for leaky_relu with negative slope a = param (default 0.01).

    Raises:
        ValueError: for another nonlinearity, or a param that is not a number.

    >>> round(calculate_gain("leaky_relu", 0.2), 6), calculate_gain("tanh")
    (1.38675, 1.6666666666666667)
    """
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else param
        if isinstance(slope, bool) or not isinstance(slope, (int, float)):
            raise ValueError(f"calculate_gain: negative_slope {slope!r} is not a number")
        return math.sqrt(2.0 / (1 + slope ** 2))
    if nonlinearity not in _GAINS:
        raise ValueError(f"calculate_gain: unsupported nonlinearity {nonlinearity!r}; one of "
                         f"{', '.join(sorted(_GAINS) + ['leaky_relu'])}")
    return _GAINS[nonlinearity]


def uniform_(tensor: Tensor, a: float = 0.0, b: float = 1.0, rng: RNGLike = None) -> Tensor:
    """Fill `tensor` with samples from U(a, b), in place; returns it.

    >>> import minigrad as mg
    >>> w = mg.nn.init.uniform_(mg.zeros(2, 3), -1.0, 1.0, rng=0)
    >>> bool((w.data >= -1).all() and (w.data < 1).all())
    True
    """
    with no_grad():
        return _checked(tensor, "uniform_").uniform_(a, b, rng=rng)


def normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0, rng: RNGLike = None
            ) -> Tensor:
    """Fill `tensor` with samples from N(mean, std^2), in place; returns it.

    >>> import minigrad as mg
    >>> mg.nn.init.normal_(mg.zeros(1000), 5.0, 0.1, rng=0).data.mean().round(1)
    np.float64(5.0)
    """
    with no_grad():
        return _checked(tensor, "normal_").normal_(mean, std, rng=rng)


def constant_(tensor: Tensor, val: float) -> Tensor:
    """Fill `tensor` with `val`, in place; returns it.

    >>> import minigrad as mg
    >>> mg.nn.init.constant_(mg.zeros(3), 0.5)
    tensor([0.5, 0.5, 0.5])
    """
    with no_grad():
        return _checked(tensor, "constant_").fill_(val)


def ones_(tensor: Tensor) -> Tensor:
    """Fill `tensor` with 1, in place; returns it."""
    return constant_(tensor, 1.0)


def zeros_(tensor: Tensor) -> Tensor:
    """Fill `tensor` with 0, in place; returns it."""
    return constant_(tensor, 0.0)


def xavier_uniform_(tensor: Tensor, gain: float = 1.0, rng: RNGLike = None) -> Tensor:
    """Glorot initialisation: U(-a, a) with a = gain sqrt(6 / (fan_in + fan_out)), in place.

    >>> import minigrad as mg
    >>> w = mg.nn.init.xavier_uniform_(mg.zeros(30, 20), rng=0)
    >>> bool(abs(w.data).max() <= (6 / 50) ** 0.5)
    True
    """
    fan_in_, fan_out = fans(_checked(tensor, "xavier_uniform_").shape)
    bound = math.sqrt(3.0) * gain * math.sqrt(2.0 / (fan_in_ + fan_out))
    return uniform_(tensor, -bound, bound, rng)


def xavier_normal_(tensor: Tensor, gain: float = 1.0, rng: RNGLike = None) -> Tensor:
    """Glorot initialisation: N(0, std^2) with std = gain sqrt(2 / (fan_in + fan_out)), in place."""
    fan_in_, fan_out = fans(_checked(tensor, "xavier_normal_").shape)
    return normal_(tensor, 0.0, gain * math.sqrt(2.0 / (fan_in_ + fan_out)), rng)


def kaiming_uniform_(tensor: Tensor, a: float = 0, mode: str = "fan_in",
                     nonlinearity: str = "leaky_relu", rng: RNGLike = None) -> Tensor:
    """He initialisation: U(-b, b) with b = gain sqrt(3 / fan), in place; returns it.

    Args:
        tensor: a weight of at least 2 dimensions.
        a: the negative slope of the leaky_relu after this layer (0: relu's gain sqrt(2)).
        mode: "fan_in" (keeps the forward pass's variance) or "fan_out" (the backward's).
        nonlinearity: for `calculate_gain`; "relu" or "leaky_relu" as PyTorch recommends.
        rng: a Generator, a seed, or None (the default generator).

    Raises:
        ValueError: for another mode, an unknown nonlinearity, or fewer than 2 dimensions.

    >>> import minigrad as mg
    >>> w = mg.nn.init.kaiming_uniform_(mg.zeros(64, 50), nonlinearity="relu", rng=0)
    >>> bool(abs(w.data).max() <= (6 / 50) ** 0.5)
    True
    """
    std = _kaiming_std(tensor, a, mode, nonlinearity, "kaiming_uniform_")
    return tensor if std is None else uniform_(tensor, -math.sqrt(3.0) * std,
                                               math.sqrt(3.0) * std, rng)


def kaiming_normal_(tensor: Tensor, a: float = 0, mode: str = "fan_in",
                    nonlinearity: str = "leaky_relu", rng: RNGLike = None) -> Tensor:
    """He initialisation: N(0, std^2) with std = gain / sqrt(fan), in place; returns it.
    The arguments are those of `kaiming_uniform_`."""
    std = _kaiming_std(tensor, a, mode, nonlinearity, "kaiming_normal_")
    return tensor if std is None else normal_(tensor, 0.0, std, rng)


def _kaiming_std(tensor: Tensor, a: float, mode: str, nonlinearity: str, op: str
                 ) -> float | None:
    """gain / sqrt(fan), or None for a tensor with no elements (PyTorch warns and skips)."""
    tensor = _checked(tensor, op)
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"{op}: mode must be 'fan_in' or 'fan_out', got {mode!r}")
    if tensor.size == 0:
        warnings.warn(f"{op}: initializing a zero-element tensor is a no-op", stacklevel=3)
        return None
    fan = fans(tensor.shape)[0 if mode == "fan_in" else 1]
    return calculate_gain(nonlinearity, a) / math.sqrt(fan)


def _checked(tensor: Tensor, op: str) -> Tensor:
    if not isinstance(tensor, Tensor):
        raise TypeError(f"nn.init.{op}: expected a Tensor or Parameter to fill in place, got "
                        f"{type(tensor).__name__}; wrap an array with mg.from_numpy(a) to "
                        "fill the array itself")
    return tensor
