"""`Linear` (an affine map, PyTorch's layout), `Flatten` and `Identity`."""
from __future__ import annotations

from typing import Any

import math

from minigrad.nn import functional as F
from minigrad.nn import init
from minigrad.nn.casting import check_input_dtype
from minigrad.nn.module import Module, Parameter
from minigrad.tensor import Tensor
from minigrad.typing import DTypeLike, RNGLike


class Linear(Module):
    """y = x W^T + b, with W of shape (out_features, in_features) as in PyTorch.

    Weight and bias start as U(-1/sqrt(in_features), 1/sqrt(in_features)), PyTorch's
    default, in the default dtype.

    Args:
        in_features: the size of the last axis of the input.
        out_features: the size of the last axis of the output.
        bias: add a learned bias (default True).
        rng: a np.random.Generator or a seed for the initial values.
        dtype: the parameters' dtype (default `mg.get_default_dtype()`).

    Raises:
        ValueError: in forward, if the input's last axis is not in_features.
        TypeError: in forward, for a floating input of another dtype than the parameters.

    >>> import minigrad as mg
    >>> layer = mg.nn.Linear(3, 2, rng=0)
    >>> layer.weight.shape, layer(mg.ones(4, 3)).shape
    ((2, 3), (4, 2))
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True,
                 rng: RNGLike = None, dtype: DTypeLike = None) -> None:
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        rng = init.as_generator(rng)
        bound = 1 / math.sqrt(in_features) if in_features > 0 else 0.0
        self.weight = Parameter(init.uniform((out_features, in_features), bound, rng, dtype))
        self.bias = Parameter(init.uniform((out_features,), bound, rng, dtype)) if bias else None

    def forward(self, x: Tensor) -> Tensor:
        if x.ndim == 0 or x.shape[-1] != self.in_features:
            raise ValueError(
                f"Linear expected inputs with {self.in_features} features (last axis), but got "
                f"shape {x.shape} with {x.shape[-1] if x.ndim else 0}")
        check_input_dtype(self, x, self.weight)
        return F.linear(x, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")


class Flatten(Module):
    """Merge axes start_dim..end_dim into one: (N, C, H, W) -> (N, C*H*W) by default.

    >>> import minigrad as mg
    >>> mg.nn.Flatten()(mg.ones(2, 3, 4)).shape
    (2, 12)
    """

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        self.start_dim, self.end_dim = start_dim, end_dim

    def forward(self, x: Tensor) -> Tensor:
        start = self.start_dim % x.ndim
        end = self.end_dim % x.ndim
        shape = x.shape[:start] + (math.prod(x.shape[start:end + 1]),) + x.shape[end + 1:]
        return x.reshape(shape)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Identity(Module):
    """Returns its input unchanged: a placeholder layer (arguments are accepted and ignored,
    as PyTorch's).

    >>> import minigrad as mg
    >>> x = mg.ones(2)
    >>> mg.nn.Identity(54, unused="argument")(x) is x
    True
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()

    def forward(self, x: Tensor) -> Tensor:
        return x


class Unflatten(Module):
    """Split axis `dim` into `unflattened_size`: Flatten's inverse, (N, C*H*W) -> (N, C, H, W).

    >>> import minigrad as mg
    >>> mg.nn.Unflatten(1, (2, 3))(mg.ones(4, 6)).shape
    (4, 2, 3)
    """

    def __init__(self, dim: int, unflattened_size: tuple[int, ...]) -> None:
        super().__init__()
        self.dim, self.unflattened_size = dim, tuple(unflattened_size)

    def forward(self, x: Tensor) -> Tensor:
        axis = self.dim % x.ndim
        if math.prod(self.unflattened_size) != x.shape[axis] and -1 not in self.unflattened_size:
            raise ValueError(f"Unflatten: axis {self.dim} of shape {x.shape} has {x.shape[axis]} "
                             f"elements, not the {math.prod(self.unflattened_size)} of "
                             f"{self.unflattened_size}")
        return x.reshape(x.shape[:axis] + self.unflattened_size + x.shape[axis + 1:])

    def extra_repr(self) -> str:
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"
