"""Activation layers (ReLU, Tanh, Sigmoid, GELU) and GELU's functional form."""
import math

import numpy as np

from minigrad.nn.module import Module
from minigrad.ops.elementwise import tanh
from minigrad.ops.special import erf


def gelu(x, approximate="none"):
    """GELU(x) = x Phi(x) = 0.5 x (1 + erf(x / sqrt(2))), PyTorch's default.

    approximate="tanh" gives 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).
    """
    if approximate == "none":
        return 0.5 * x * (1 + erf(x * (1 / math.sqrt(2))))
    if approximate == "tanh":
        inner = math.sqrt(2 / math.pi) * (x + 0.044715 * x * x * x)
        return 0.5 * x * (1 + tanh(inner))
    raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")


class ReLU(Module):
    """max(x, 0) elementwise (relu'(0) = 0).

    >>> import minigrad as mg
    >>> mg.nn.ReLU()(mg.tensor([-1.0, 2.0]))
    tensor([0., 2.])
    """

    def forward(self, x):
        return x.relu()


class Tanh(Module):
    """tanh(x) elementwise.

    >>> import minigrad as mg
    >>> mg.nn.Tanh()(mg.tensor([0.0]))
    tensor([0.])
    """

    def forward(self, x):
        return x.tanh()


class Sigmoid(Module):
    """1 / (1 + exp(-x)) elementwise.

    >>> import minigrad as mg
    >>> mg.nn.Sigmoid()(mg.tensor([0.0]))
    tensor([0.5])
    """

    def forward(self, x):
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

    def __init__(self, approximate="none"):
        super().__init__()
        if approximate not in ("none", "tanh"):
            raise ValueError(f"GELU: approximate must be 'none' or 'tanh', got {approximate!r}")
        self.approximate = approximate

    def forward(self, x):
        return gelu(x, self.approximate)

    def extra_repr(self):
        return f"approximate={self.approximate!r}" if self.approximate != "none" else ""
