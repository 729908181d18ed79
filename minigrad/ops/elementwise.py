"""Elementwise functions: exp, log, sqrt, abs, tanh, sigmoid, relu, sin, cos.

Each Jacobian is diagonal, so each rule is a product with the derivative. Where the
derivative is a function of the output, the rule reuses z instead of recomputing.
Conventions at kinks: abs'(0) = 0 and relu'(0) = 0 (as PyTorch). Masks and signs come
from `array_of`: they are piecewise constant, so they are exact constants in every order.
"""
from __future__ import annotations

import numpy as np

from minigrad.primitive import Primitive, array_namespace, array_of
from minigrad.tensor import Tensor
from minigrad.typing import Array, TensorLike


class Exp(Primitive):
    """Exp.   forward: z = exp(x);   jvp: z_dot = z * x_dot;   vjp: x_bar = z_bar * z"""

    __slots__ = ()
    reads_inputs = False  # the rules reuse z

    def forward(self, x: np.ndarray) -> np.ndarray:
        return np.exp(x)

    def vjp(self, z_bar: Array, z: Array, x: Array) -> Array:
        return z_bar * z

    def jvp(self, x_dot: Array, z: Array, x: Array) -> Array:
        return x_dot * z


class Log(Primitive):
    """Log (natural; valid for x > 0).

      forward:  z = log(x)
      jvp:      z_dot = x_dot / x
      vjp:      x_bar = z_bar / x
    """

    __slots__ = ()
    reads_output = False

    def forward(self, x: np.ndarray) -> np.ndarray:
        return np.log(x)

    def vjp(self, z_bar: Array, z: Array, x: Array) -> Array:
        return z_bar / x

    def jvp(self, x_dot: Array, z: Array, x: Array) -> Array:
        return x_dot / x


class Log1p(Primitive):
    """Log1p — log(1 + x), exact for tiny x where log(1 + x) rounds 1 + x first.

      forward:  z = log1p(x)
      jvp:      z_dot = x_dot / (1 + x)
      vjp:      x_bar = z_bar / (1 + x)
    """

    __slots__ = ()
    reads_output = False

    def forward(self, x: np.ndarray) -> np.ndarray:
        return np.log1p(x)

    def vjp(self, z_bar: Array, z: Array, x: Array) -> Array:
        return z_bar / (1 + x)

    def jvp(self, x_dot: Array, z: Array, x: Array) -> Array:
        return x_dot / (1 + x)


class Sqrt(Primitive):
    """Sqrt (valid for x > 0; the derivative is infinite at 0).

      forward:  z = sqrt(x)
      jvp:      z_dot = x_dot / (2 z)
      vjp:      x_bar = z_bar / (2 z)
    """

    __slots__ = ()
    reads_inputs = False

    def forward(self, x: np.ndarray) -> np.ndarray:
        return np.sqrt(x)

    def vjp(self, z_bar: Array, z: Array, x: Array) -> Array:
        return z_bar / (2 * z)

    def jvp(self, x_dot: Array, z: Array, x: Array) -> Array:
        return x_dot / (2 * z)


class Abs(Primitive):
    """Abs, with abs'(0) = 0 (the subgradient PyTorch and NumPy's sign choose).

      forward:  z = |x|
      jvp:      z_dot = sign(x) * x_dot
      vjp:      x_bar = sign(x) * z_bar
    """

    __slots__ = ()
    reads_output = False

    def forward(self, x: np.ndarray) -> np.ndarray:
        return np.abs(x)

    def vjp(self, z_bar: Array, z: Array, x: Array) -> Array:
        return z_bar * np.sign(array_of(x))

    def jvp(self, x_dot: Array, z: Array, x: Array) -> Array:
        return x_dot * np.sign(x)


class Tanh(Primitive):
    """Tanh.   forward: z = tanh(x);   jvp: z_dot = (1 - z^2) x_dot;   vjp: x_bar = (1 - z^2) z_bar"""

    __slots__ = ()
    reads_inputs = False

    def forward(self, x: np.ndarray) -> np.ndarray:
        return np.tanh(x)

    def vjp(self, z_bar: Array, z: Array, x: Array) -> Array:
        return z_bar * (1 - z * z)

    def jvp(self, x_dot: Array, z: Array, x: Array) -> Array:
        return x_dot * (1 - z * z)


class Sigmoid(Primitive):
    """Sigmoid, the logistic function 1 / (1 + exp(-x)).

      forward:  z = sigmoid(x), from exp(-|x|) so neither tail overflows
      jvp:      z_dot = z (1 - z) x_dot
      vjp:      x_bar = z (1 - z) z_bar
    """

    __slots__ = ()
    reads_inputs = False

    def forward(self, x: np.ndarray) -> np.ndarray:
        e = np.exp(-np.abs(x))
        return np.where(x >= 0, 1 / (1 + e), e / (1 + e))

    def vjp(self, z_bar: Array, z: Array, x: Array) -> Array:
        return z_bar * z * (1 - z)

    def jvp(self, x_dot: Array, z: Array, x: Array) -> Array:
        return x_dot * z * (1 - z)


class Relu(Primitive):
    """ReLU, with relu'(0) = 0 (as PyTorch).

      forward:  z = max(x, 0)
      jvp:      z_dot = [x > 0] x_dot
      vjp:      x_bar = [x > 0] z_bar
    """

    __slots__ = ()
    reads_output = False

    def forward(self, x: np.ndarray) -> np.ndarray:
        return np.maximum(x, 0)

    def vjp(self, z_bar: Array, z: Array, x: Array) -> Array:
        return z_bar * (array_of(x) > 0)

    def jvp(self, x_dot: Array, z: Array, x: Array) -> Array:
        return x_dot * (x > 0)


class Sin(Primitive):
    """Sin.   forward: z = sin(x);   jvp: z_dot = cos(x) x_dot;   vjp: x_bar = cos(x) z_bar"""

    __slots__ = ()
    reads_output = False

    def forward(self, x: np.ndarray) -> np.ndarray:
        return np.sin(x)

    def vjp(self, z_bar: Array, z: Array, x: Array) -> Array:
        return z_bar * array_namespace(z_bar).cos(x)

    def jvp(self, x_dot: Array, z: Array, x: Array) -> Array:
        return x_dot * np.cos(x)


class Cos(Primitive):
    """Cos.   forward: z = cos(x);   jvp: z_dot = -sin(x) x_dot;   vjp: x_bar = -sin(x) z_bar"""

    __slots__ = ()
    reads_output = False

    def forward(self, x: np.ndarray) -> np.ndarray:
        return np.cos(x)

    def vjp(self, z_bar: Array, z: Array, x: Array) -> Array:
        return -z_bar * array_namespace(z_bar).sin(x)

    def jvp(self, x_dot: Array, z: Array, x: Array) -> Array:
        return -x_dot * np.sin(x)


def exp(x: TensorLike) -> Tensor:
    """Elementwise e**x.

    >>> import minigrad as mg
    >>> mg.exp(mg.tensor([0.0]))
    tensor([1.])
    """
    return Exp()(x)


def log(x: TensorLike) -> Tensor:
    """Elementwise natural logarithm (NaN for x < 0 and -inf at 0, as NumPy)."""
    return Log()(x)


def log1p(x: TensorLike) -> Tensor:
    """Elementwise log(1 + x), accurate where x is tiny (NumPy's log1p)."""
    return Log1p()(x)


def sqrt(x: TensorLike) -> Tensor:
    """Elementwise square root."""
    return Sqrt()(x)


def abs(x: TensorLike) -> Tensor:  # noqa: A001 - the NumPy name, on purpose
    """Elementwise |x|; the gradient at 0 is 0."""
    return Abs()(x)


def tanh(x: TensorLike) -> Tensor:
    """Elementwise hyperbolic tangent."""
    return Tanh()(x)


def sigmoid(x: TensorLike) -> Tensor:
    """Elementwise logistic sigmoid 1 / (1 + exp(-x)), stable for any finite x."""
    return Sigmoid()(x)


def relu(x: TensorLike) -> Tensor:
    """Elementwise max(x, 0); the gradient at 0 is 0."""
    return Relu()(x)


def sin(x: TensorLike) -> Tensor:
    """Elementwise sine."""
    return Sin()(x)


def cos(x: TensorLike) -> Tensor:
    """Elementwise cosine."""
    return Cos()(x)
