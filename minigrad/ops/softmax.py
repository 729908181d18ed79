"""The softmax family: logsumexp, softmax, log_softmax, each stable for any finite input.

All three subtract the maximum first: softmax(x) = softmax(x - c) for any constant c,
so shifting by the row maximum changes nothing mathematically while making every
exp() argument <= 0 (no overflow) and at least one term exactly exp(0) = 1 (no 0/0).

Softmax's Jacobian is J = diag(p) - p p^T: symmetric, every row and column sums to zero
(because sum(p) = 1), and it needs nothing but p. The rules below apply it in O(C)
per row instead of building the C x C matrix:

    J^T g = p * g - p <p, g> = p * (g - <g, p>)
"""
from __future__ import annotations

import math

import numpy as np

from minigrad.ops.reductions import keepdims_shape, normalize_axis
from minigrad.primitive import Primitive, array_namespace, array_of
from minigrad.spellings import pytorch_keywords
from minigrad.tensor import Tensor, to_tensor
from minigrad.typing import Array, Axis, TensorLike


def stable_max(x: np.ndarray, axes: int | tuple[int, ...]) -> np.ndarray:
    """The maximum over `axes` (kept), with non-finite maxima set to 0.

    A row of all -inf (every class masked out) would otherwise compute -inf - (-inf) =
    nan; with 0 it gives exp(-inf) = 0 terms and an honest log(0) = -inf or 0/0.
    """
    # initial=-inf: an empty reduction (no classes) has maximum -inf, not an error
    m = x.max(axis=axes, keepdims=True, initial=-np.inf) if x.size == 0 else \
        x.max(axis=axes, keepdims=True)
    # rare: a non-finite maximum. One sum tells (it is finite when every maximum is,
    # unless it overflows, and then the exact test below keeps the finite maxima as
    # they are): 0.6 us against 1 for isfinite().all(), in every softmax.
    if not math.isfinite(m.sum()):
        m = np.where(np.isfinite(m), m, 0).astype(x.dtype, copy=False)
    return m


class LogSumExp(Primitive):
    """LogSumExp — log(sum(exp(x))) over `axes`, computed as m + log(sum(exp(x - m))).

      forward:  z = logsumexp(x, axes)
      jvp:      z_dot = sum(p * x_dot, axes)      with p = softmax(x) = exp(x - z)
      vjp:      x_bar = p * z_bar                 (z_bar broadcast back over axes)
    The gradient of logsumexp is softmax: that is where softmax comes from.
    """

    __slots__ = ("axes", "keepdims")
    reads_output = False
    name = "logsumexp"

    def __init__(self, axes: tuple[int, ...], keepdims: bool = False) -> None:
        self.axes, self.keepdims = axes, keepdims

    def forward(self, x: np.ndarray) -> np.ndarray:
        m = stable_max(x, self.axes)
        with np.errstate(divide="ignore"):  # log(0) = -inf: an empty sum, or all -inf
            z = m + np.log(np.sum(np.exp(x - m), axis=self.axes, keepdims=True))
        return z if self.keepdims else np.squeeze(z, axis=self.axes)

    def _softmax(self, x: Array) -> Array:
        # p from x, shifted by its (constant) maximum: exact at any scale, where exp(x - z)
        # would inherit z's rounding (an ulp of 1e4 is 2e-12; of 1e15, 0.125). With
        # Tensors the ops are recorded, so the rule can be differentiated again.
        e = array_namespace(x).exp(x - stable_max(array_of(x), self.axes))
        return e / e.sum(axis=self.axes, keepdims=True)

    def vjp(self, z_bar: Array, z: Array, x: Array) -> Array:
        return z_bar.reshape(keepdims_shape(x.shape, self.axes)) * self._softmax(x)

    def jvp(self, x_dot: Array, z: Array, x: Array) -> Array:
        return (self._softmax(x) * x_dot).sum(axis=self.axes, keepdims=self.keepdims)


class Softmax(Primitive):
    """Softmax — p = exp(x - max) / sum(exp(x - max)) along `axis`.

      forward:  p = softmax(x)
      jvp:      p_dot = J x_dot = p * (x_dot - <x_dot, p>)
      vjp:      x_bar = J^T p_bar = p * (p_bar - <p_bar, p>)
    with J = diag(p) - p p^T (dp_i/dx_j = p_i [i == j] - p_i p_j). J is symmetric, so
    both rules are one formula; it costs O(C) per row, where the C x C matrix would cost
    O(C^2) to build and to multiply. Only the output p is needed, never x.
    """

    __slots__ = ("axis",)
    reads_inputs = False  # J needs only p

    def __init__(self, axis: tuple[int, ...]) -> None:
        self.axis = axis

    def forward(self, x: np.ndarray) -> np.ndarray:
        e = x - stable_max(x, self.axis)
        # In place where the dtype allows (e is a fresh array; softmax is memory-bound).
        e = np.exp(e, out=e) if e.dtype.kind == "f" else np.exp(e)
        e /= np.sum(e, axis=self.axis, keepdims=True)
        return e

    def _apply_jacobian(self, p: Array, v: Array) -> Array:
        return p * (v - (v * p).sum(axis=self.axis, keepdims=True))

    def vjp(self, z_bar: Array, z: Array, x: Array) -> Array:
        return self._apply_jacobian(z, z_bar)

    def jvp(self, x_dot: Array, z: Array, x: Array) -> Array:
        return self._apply_jacobian(z, x_dot)


class LogSoftmax(Primitive):
    """LogSoftmax — x - logsumexp(x) along `axis`: log-probabilities without log(0).

      forward:  z = x - logsumexp(x)
      jvp:      z_dot = x_dot - <p, x_dot>         with p = exp(z)
      vjp:      x_bar = z_bar - p * sum(z_bar)
    Its Jacobian is I - 1 p^T = diag(1/p) J_softmax: log's 1/p and softmax's diag(p)
    cancel, so neither rule divides by p, which underflows to 0 for very negative logits.
    """

    __slots__ = ("axis",)
    reads_inputs = False

    def __init__(self, axis: tuple[int, ...]) -> None:
        self.axis = axis

    def forward(self, x: np.ndarray) -> np.ndarray:
        shifted = x - stable_max(x, self.axis)
        with np.errstate(divide="ignore"):  # log(0) = -inf: no classes, or all -inf
            return shifted - np.log(np.sum(np.exp(shifted), axis=self.axis, keepdims=True))

    def vjp(self, z_bar: Array, z: Array, x: Array) -> Array:
        p = array_namespace(z).exp(z)
        return z_bar - p * z_bar.sum(axis=self.axis, keepdims=True)

    def jvp(self, x_dot: Array, z: Array, x: Array) -> Array:
        p = array_namespace(z).exp(z)
        return x_dot - (p * x_dot).sum(axis=self.axis, keepdims=True)


@pytorch_keywords
def logsumexp(x: TensorLike, axis: Axis = None, keepdims: bool = False) -> Tensor:
    """log(sum(exp(x))) over `axis`, exact for logits of any finite size.

    Args:
        x: a Tensor, array or number.
        axis: None (all elements), an int or a tuple of ints (or dim=).
        keepdims: keep the reduced axes as size 1 (or keepdim=).

    Returns:
        A Tensor; its gradient with respect to x is softmax(x).

    >>> import minigrad as mg
    >>> float(mg.logsumexp(mg.tensor([1000.0, 1000.0])))  # naive exp would overflow
    1000.6931471805599
    """
    x = to_tensor(x, "logsumexp")
    return LogSumExp(normalize_axis(axis, x.ndim, "logsumexp"), keepdims)(x)


@pytorch_keywords
def softmax(x: TensorLike, axis: Axis = -1) -> Tensor:
    """exp(x) / sum(exp(x)) along `axis`, shifted by the maximum so nothing overflows.

    The derivation its rules rely on, per row, with p = softmax(x):
        dp_i/dx_j = p_i [i == j] - p_i p_j,   i.e.  J = diag(p) - p p^T
        J is symmetric and each row sums to p_i - p_i sum(p) = 0
        J^T g = p * g - p <p, g> = p * (g - <g, p>)       O(C), the matrix never built
    Followed by the loss -sum(y log p), whose gradient in p is -y/p, it collapses:
        J^T (-y/p) = -y + p sum(y) = p - y                (see nn.functional.cross_entropy)

    Args:
        x: a Tensor, array or number with at least one axis.
        axis: the axis that holds the classes: an int, or a tuple of ints to normalise
            over several axes together (as JAX). PyTorch's dim= is accepted.

    Returns:
        A Tensor of x's shape whose slices along `axis` are positive and sum to 1.

    >>> import minigrad as mg
    >>> mg.softmax(mg.tensor([0.0, 1.0, 2.0]))
    tensor([0.09003057, 0.24472847, 0.66524096])
    >>> mg.softmax(mg.tensor([1e4, 1e4 + 1, 1e4 + 2]))  # the same: shifting changes nothing
    tensor([0.09003057, 0.24472847, 0.66524096])
    """
    x = to_tensor(x, "softmax")
    return Softmax(normalize_axis(axis, x.ndim, "softmax"))(x)


@pytorch_keywords
def log_softmax(x: TensorLike, axis: Axis = -1) -> Tensor:
    """x - logsumexp(x) along `axis`: the log of softmax, without computing log(p).

    Finite wherever x is, even where softmax underflows to 0 and log(softmax(x)) would
    be -inf.

    Args:
        x: a Tensor, array or number with at least one axis.
        axis: the axis that holds the classes: an int or a tuple of ints (PyTorch's dim=
            is accepted).

    Returns:
        A Tensor of x's shape: log-probabilities along `axis`.

    >>> import minigrad as mg
    >>> mg.log_softmax(mg.tensor([0.0, -800.0]))  # log(softmax) would give -inf
    tensor([   0., -800.])
    """
    x = to_tensor(x, "log_softmax")
    return LogSoftmax(normalize_axis(axis, x.ndim, "log_softmax"))(x)
