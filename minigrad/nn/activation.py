"""Activation layers (ReLU, Tanh, Sigmoid, GELU) and the Erf primitive exact GELU needs."""
import math

import numpy as np

from minigrad.nn.module import Module
from minigrad.ops.elementwise import tanh
from minigrad.primitive import Primitive, array_namespace

# math.erf is correctly rounded in double; NumPy has no erf, and a polynomial
# approximation (about 1e-7) would make exact GELU inexact and its gradcheck noisy.
_erf_elementwise = np.frompyfunc(math.erf, 1, 1)
_TWO_OVER_SQRT_PI = 2 / math.sqrt(math.pi)


class Erf(Primitive):
    """Erf — the error function, erf(x) = 2/sqrt(pi) * integral_0^x exp(-t^2) dt.

      forward:  z = erf(x)
      jvp:      z_dot = 2/sqrt(pi) exp(-x^2) x_dot
      vjp:      x_bar = 2/sqrt(pi) exp(-x^2) z_bar
    """

    __slots__ = ()

    def forward(self, x):
        return np.asarray(_erf_elementwise(x), dtype=x.dtype)  # 0-d gives a bare float

    def vjp(self, z_bar, z, x):
        xp = array_namespace(z_bar, x)
        return _TWO_OVER_SQRT_PI * xp.exp(-x * x) * z_bar

    def jvp(self, x_dot, z, x):
        xp = array_namespace(x_dot, x)
        return _TWO_OVER_SQRT_PI * xp.exp(-x * x) * x_dot


def erf(x):
    """The error function, elementwise (differentiable, both modes)."""
    return Erf()(x)


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
