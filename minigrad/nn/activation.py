"""Activation layers (ReLU, LeakyReLU, Tanh, Sigmoid, GELU, SiLU, ELU, Softplus, Hardtanh,
ReLU6, Softmax, LogSoftmax) and the functional forms of GELU, leaky_relu, silu, elu,
softplus, hardtanh and relu6."""
from __future__ import annotations

import math

from minigrad.nn.module import Module
from minigrad.ops.elementwise import exp, log1p, sigmoid, tanh
from minigrad.ops.selection import where
from minigrad.ops.softmax import log_softmax, softmax
from minigrad.ops.special import erf
from minigrad.tensor import Tensor, to_tensor


def gelu(x: Tensor, approximate: str = "none") -> Tensor:
    """GELU(x) = x Phi(x) = 0.5 x (1 + erf(x / sqrt(2))), PyTorch's default.

    approximate="tanh" gives 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).
    """
    if approximate == "none":
        return 0.5 * x * (1 + erf(x * (1 / math.sqrt(2))))
    if approximate == "tanh":
        inner = math.sqrt(2 / math.pi) * (x + 0.044715 * x * x * x)
        return 0.5 * x * (1 + tanh(inner))
    raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")


def leaky_relu(x: Tensor, negative_slope: float = 0.01) -> Tensor:
    """x where x > 0, else negative_slope * x (PyTorch's convention at 0: slope negative_slope).

    Composed from `where`, whose rules are the mask: the derivative is 1 where x > 0 and
    negative_slope elsewhere, exactly.

    >>> import minigrad as mg
    >>> leaky_relu(mg.tensor([-2.0, 0.0, 3.0]), 0.1)
    tensor([-0.2,  0. ,  3. ])
    """
    x = to_tensor(x, "leaky_relu")
    return where(x > 0, x, x * negative_slope)


def silu(x: Tensor) -> Tensor:
    """SiLU (swish): x sigmoid(x).

    >>> import minigrad as mg
    >>> silu(mg.tensor([0.0, 1.0]))
    tensor([0.        , 0.73105858])
    """
    x = to_tensor(x, "silu")
    return x * sigmoid(x)


def elu(x: Tensor, alpha: float = 1.0) -> Tensor:
    """x where x > 0, else alpha (exp(x) - 1) (PyTorch's convention at 0: slope alpha).

    The exponential reads x only where x <= 0 (0 elsewhere), so a large positive x
    never overflows into the gradient of the branch `where` does not take.

    >>> import minigrad as mg
    >>> elu(mg.tensor([-1.0, 0.0, 2.0]))
    tensor([-0.63212056,  0.        ,  2.        ])
    """
    x = to_tensor(x, "elu")
    positive = x > 0
    return where(positive, x, alpha * (exp(where(positive, 0.0, x)) - 1))


def softplus(x: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """log(1 + exp(beta x)) / beta, and x itself where beta x > threshold (PyTorch's
    switch to the linear part, where the two agree to rounding).

    log1p keeps it exact for very negative x; the exponential reads x only below the
    threshold, so a large x never overflows into the gradient of the branch not taken.

    >>> import minigrad as mg
    >>> softplus(mg.tensor([-40.0, 0.0, 30.0]))
    tensor([4.24835426e-18, 6.93147181e-01, 3.00000000e+01])
    """
    x = to_tensor(x, "softplus")
    linear = x * beta > threshold
    return where(linear, x, log1p(exp(where(linear, 0.0, x * beta))) / beta)


def hardtanh(x: Tensor, min_val: float = -1.0, max_val: float = 1.0) -> Tensor:
    """x clipped to [min_val, max_val]; the gradient is 1 strictly inside and 0 at and
    beyond the bounds (PyTorch's hardtanh, unlike clamp, which passes it at the bounds).

    >>> import minigrad as mg
    >>> hardtanh(mg.tensor([-3.0, 0.5, 3.0]))
    tensor([-1. ,  0.5,  1. ])
    """
    if not min_val < max_val:
        raise ValueError(f"hardtanh: need min_val < max_val, got {min_val} and {max_val}")
    x = to_tensor(x, "hardtanh")
    return where(x <= min_val, min_val, where(x >= max_val, max_val, x))


def relu6(x: Tensor) -> Tensor:
    """min(max(x, 0), 6), as hardtanh(x, 0, 6) (so relu6'(0) = 0, as relu'(0))."""
    return hardtanh(x, 0.0, 6.0)


class ReLU(Module):
    """max(x, 0) elementwise (relu'(0) = 0).

    >>> import minigrad as mg
    >>> mg.nn.ReLU()(mg.tensor([-1.0, 2.0]))
    tensor([0., 2.])
    """

    def forward(self, x: Tensor) -> Tensor:
        return x.relu()


class LeakyReLU(Module):
    """x where x > 0, else negative_slope * x; see `leaky_relu`.

    >>> import minigrad as mg
    >>> mg.nn.LeakyReLU()(mg.tensor([-1.0, 2.0]))
    tensor([-0.01,  2.  ])
    """

    def __init__(self, negative_slope: float = 0.01) -> None:
        super().__init__()
        self.negative_slope = negative_slope

    def forward(self, x: Tensor) -> Tensor:
        return leaky_relu(x, self.negative_slope)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}"


class Tanh(Module):
    """tanh(x) elementwise.

    >>> import minigrad as mg
    >>> mg.nn.Tanh()(mg.tensor([0.0]))
    tensor([0.])
    """

    def forward(self, x: Tensor) -> Tensor:
        return x.tanh()


class Sigmoid(Module):
    """1 / (1 + exp(-x)) elementwise.

    >>> import minigrad as mg
    >>> mg.nn.Sigmoid()(mg.tensor([0.0]))
    tensor([0.5])
    """

    def forward(self, x: Tensor) -> Tensor:
        return x.sigmoid()


class GELU(Module):
    """x Phi(x), with Phi the standard normal CDF: exact (erf) by default, as PyTorch.

    Args:
        approximate: "none" (exact, via erf) or "tanh" (the tanh approximation).

    Raises:
        ValueError: for another `approximate`.

    >>> import minigrad as mg
    >>> mg.nn.GELU()(mg.tensor([-1.0, 0.0, 1.0]))
    tensor([-0.15865525,  0.        ,  0.84134475])
    """

    def __init__(self, approximate: str = "none") -> None:
        super().__init__()
        if approximate not in ("none", "tanh"):
            raise ValueError(f"GELU: approximate must be 'none' or 'tanh', got {approximate!r}")
        self.approximate = approximate

    def forward(self, x: Tensor) -> Tensor:
        return gelu(x, self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}" if self.approximate != "none" else ""


class SiLU(Module):
    """x sigmoid(x) elementwise; see `silu`.

    >>> import minigrad as mg
    >>> mg.nn.SiLU()(mg.tensor([0.0])).item()
    0.0
    """

    def forward(self, x: Tensor) -> Tensor:
        return silu(x)


class ELU(Module):
    """x where x > 0, else alpha (exp(x) - 1); see `elu`."""

    def __init__(self, alpha: float = 1.0) -> None:
        super().__init__()
        self.alpha = alpha

    def forward(self, x: Tensor) -> Tensor:
        return elu(x, self.alpha)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}"


class Softplus(Module):
    """log(1 + exp(beta x)) / beta, linear above the threshold; see `softplus`."""

    def __init__(self, beta: float = 1.0, threshold: float = 20.0) -> None:
        super().__init__()
        self.beta, self.threshold = beta, threshold

    def forward(self, x: Tensor) -> Tensor:
        return softplus(x, self.beta, self.threshold)

    def extra_repr(self) -> str:
        return f"beta={self.beta}, threshold={self.threshold}"


class Hardtanh(Module):
    """x clipped to [min_val, max_val]; see `hardtanh`."""

    def __init__(self, min_val: float = -1.0, max_val: float = 1.0) -> None:
        super().__init__()
        if not min_val < max_val:
            raise ValueError(f"Hardtanh: need min_val < max_val, got {min_val} and {max_val}")
        self.min_val, self.max_val = min_val, max_val

    def forward(self, x: Tensor) -> Tensor:
        return hardtanh(x, self.min_val, self.max_val)

    def extra_repr(self) -> str:
        return f"min_val={self.min_val}, max_val={self.max_val}"


class ReLU6(Hardtanh):
    """min(max(x, 0), 6) elementwise; see `relu6`.

    >>> import minigrad as mg
    >>> mg.nn.ReLU6()(mg.tensor([-1.0, 3.0, 9.0]))
    tensor([0., 3., 6.])
    """

    def __init__(self) -> None:
        super().__init__(0.0, 6.0)

    def extra_repr(self) -> str:
        return ""


class Softmax(Module):
    """softmax along `dim`: each slice along it is positive and sums to 1.

    Args:
        dim: the axis of the classes (PyTorch's name). Required: PyTorch's implicit
            choice when it is missing is deprecated, and a guessed axis would be silent.

    Raises:
        TypeError: if dim is not given.

    >>> import minigrad as mg
    >>> mg.nn.Softmax(dim=1)(mg.tensor([[0.0, 0.0]]))
    tensor([[0.5, 0.5]])
    """

    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = _required_dim(dim, type(self).__name__)

    def forward(self, x: Tensor) -> Tensor:
        return softmax(x, axis=self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class LogSoftmax(Softmax):
    """log_softmax along `dim`: log-probabilities, finite where softmax underflows to 0.

    >>> import minigrad as mg
    >>> mg.nn.LogSoftmax(dim=-1)(mg.tensor([0.0, -800.0]))
    tensor([   0., -800.])
    """

    def forward(self, x: Tensor) -> Tensor:
        return log_softmax(x, axis=self.dim)


def _required_dim(dim: int | None, layer: str) -> int:
    if dim is None:
        raise TypeError(f"{layer}: pass the axis of the classes, e.g. {layer}(dim=1) for "
                        "(N, C) scores (PyTorch's implicit dim is deprecated)")
    return dim
