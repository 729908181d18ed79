"""The softmax family: logsumexp, softmax, log_softmax, each stable for any finite input.

All three subtract the maximum first: softmax(x) = softmax(x - c) for any constant c,
so shifting by the row maximum changes nothing mathematically while making every
exp() argument <= 0 (no overflow) and at least one term exactly exp(0) = 1 (no 0/0).

Softmax's Jacobian is J = diag(p) - p p^T: symmetric, every row and column sums to zero
(because sum(p) = 1), and it needs nothing but p. The rules below apply it in O(C)
per row instead of building the C x C matrix:

    J^T g = p * g - p <p, g> = p * (g - <g, p>)
"""
import numpy as np

from minigrad.ops.broadcasting import as_tensor
from minigrad.ops.reductions import keepdims_shape, normalize_axis
from minigrad.primitive import Primitive, array_namespace


def _stable_max(x, axes):
    """The maximum over `axes` (kept), with non-finite maxima (all -inf rows) set to 0."""
    m = np.max(x, axis=axes, keepdims=True)
    return np.where(np.isfinite(m), m, 0)


class LogSumExp(Primitive):
    """LogSumExp — log(sum(exp(x))) over `axes`, computed as m + log(sum(exp(x - m))).

      forward:  z = logsumexp(x, axes)
      jvp:      z_dot = sum(p * x_dot, axes)      with p = exp(x - z) = softmax(x)
      vjp:      x_bar = p * z_bar                 (z_bar broadcast back over axes)
    """

    __slots__ = ("axes", "keepdims")
    name = "logsumexp"

    def __init__(self, axes, keepdims=False):
        self.axes, self.keepdims = axes, keepdims

    def forward(self, x):
        m = _stable_max(x, self.axes)
        z = m + np.log(np.sum(np.exp(x - m), axis=self.axes, keepdims=True))
        return z if self.keepdims else np.squeeze(z, axis=self.axes)

    def _softmax(self, z, x):
        xp = array_namespace(x, z)
        return xp.exp(x - z.reshape(keepdims_shape(x.shape, self.axes)))

    def vjp(self, z_bar, z, x):
        return z_bar.reshape(keepdims_shape(x.shape, self.axes)) * self._softmax(z, x)

    def jvp(self, x_dot, z, x):
        return (self._softmax(z, x) * x_dot).sum(axis=self.axes, keepdims=self.keepdims)


class Softmax(Primitive):
    """Softmax — p = exp(x - max) / sum(exp(x - max)) along `axis`.

      forward:  p = softmax(x)
      jvp:      p_dot = J x_dot = p * (x_dot - <x_dot, p>)
      vjp:      x_bar = J^T p_bar = p * (p_bar - <p_bar, p>)
    with J = diag(p) - p p^T, symmetric, so both rules are one formula, never the matrix.
    """

    __slots__ = ("axis",)
    name = "softmax"

    def __init__(self, axis):
        self.axis = axis

    def forward(self, x):
        e = np.exp(x - _stable_max(x, self.axis))
        return e / np.sum(e, axis=self.axis, keepdims=True)

    def _apply_jacobian(self, p, v):
        return p * (v - (v * p).sum(axis=self.axis, keepdims=True))

    def vjp(self, z_bar, z, x):
        return self._apply_jacobian(z, z_bar)

    def jvp(self, x_dot, z, x):
        return self._apply_jacobian(z, x_dot)


class LogSoftmax(Primitive):
    """LogSoftmax — x - logsumexp(x) along `axis`: log-probabilities without log(0).

      forward:  z = x - logsumexp(x)
      jvp:      z_dot = x_dot - <p, x_dot>         with p = exp(z)
      vjp:      x_bar = z_bar - p * sum(z_bar)
    """

    __slots__ = ("axis",)
    name = "log_softmax"

    def __init__(self, axis):
        self.axis = axis

    def forward(self, x):
        shifted = x - _stable_max(x, self.axis)
        return shifted - np.log(np.sum(np.exp(shifted), axis=self.axis, keepdims=True))

    def vjp(self, z_bar, z, x):
        p = array_namespace(z).exp(z)
        return z_bar - p * z_bar.sum(axis=self.axis, keepdims=True)

    def jvp(self, x_dot, z, x):
        return x_dot - (np.exp(z) * x_dot).sum(axis=self.axis, keepdims=True)


def logsumexp(x, axis=None, keepdims=False):
    """log(sum(exp(x))) over `axis`, exact for logits of any finite size.

    >>> import minigrad as mg
    >>> float(mg.logsumexp(mg.tensor([1000.0, 1000.0])))  # naive exp would overflow
    1000.6931471805599
    """
    x = as_tensor(x, "logsumexp")
    return LogSumExp(normalize_axis(axis, x.ndim, "logsumexp"), keepdims)(x)


def softmax(x, axis=-1):
    """exp(x) / sum(exp(x)) along `axis`, shifted by the maximum so nothing overflows."""
    x = as_tensor(x, "softmax")
    return Softmax(normalize_axis(axis, x.ndim, "softmax")[0])(x)


def log_softmax(x, axis=-1):
    """x - logsumexp(x) along `axis`: the log of softmax, without computing log(p)."""
    x = as_tensor(x, "log_softmax")
    return LogSoftmax(normalize_axis(axis, x.ndim, "log_softmax")[0])(x)
