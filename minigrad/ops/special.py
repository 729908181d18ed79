"""Special functions: erf, which exact GELU needs."""
from __future__ import annotations

import math

import numpy as np

from minigrad.primitive import Primitive, array_namespace
from minigrad.tensor import Tensor
from minigrad.typing import Array, TensorLike

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
    reads_output = False

    def forward(self, x: np.ndarray) -> np.ndarray:
        return np.asarray(_erf_elementwise(x), dtype=x.dtype)  # 0-d gives a bare float

    def vjp(self, z_bar: Array, z: Array, x: Array) -> Array:
        xp = array_namespace(z_bar, x)
        return _TWO_OVER_SQRT_PI * xp.exp(-x * x) * z_bar

    def jvp(self, x_dot: Array, z: Array, x: Array) -> Array:
        xp = array_namespace(x_dot, x)
        return _TWO_OVER_SQRT_PI * xp.exp(-x * x) * x_dot


def erf(x: TensorLike) -> Tensor:
    """The error function, elementwise (differentiable, both modes)."""
    return Erf()(x)
