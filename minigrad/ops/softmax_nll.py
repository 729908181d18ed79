"""Fused losses: softmax + negative log-likelihood as one node, and its two-class case.

Computed in two stages, cross-entropy would pull the gradient -y/p back through
softmax's C x C Jacobian. Fused, the Jacobian and the division cancel on paper, and the
whole backward pass is p - y: one subtraction per element, and p comes for free from
the forward pass. PyTorch's cross_entropy relies on the same identity.
"""
import numpy as np

from minigrad.ops.elementwise import sigmoid
from minigrad.ops.softmax import softmax, stable_max
from minigrad.primitive import Primitive, array_namespace

REDUCTIONS = ("mean", "sum", "none")


class SoftmaxNLL(Primitive):
    """SoftmaxNLL — cross-entropy of softmax(x) against target rows y, in one node.

    Per row of logits x (C classes), with p = softmax(x) and sum(y) = 1:
      forward:  L = -sum(y * log p) = logsumexp(x) - <y, x>     (as log p = x - logsumexp(x))
      vjp:      x_bar = z_bar * (p - y)                          (/ N for "mean")
      jvp:      z_dot = <p - y, x_dot>                           (/ N, summed, for "mean")

    Why p - y. Unfused, the chain rule pulls the NLL's gradient -y/p back through
    softmax's Jacobian J = diag(p) - p p^T (C x C, symmetric):
        J^T (-y/p) = p * (-y/p) - p <p, -y/p> = -y + p sum(y) = p - y
    The matrix and the division by p cancel: the gradient is one subtraction, exact even
    where p underflows to 0. p is computed once, in the forward pass (as exp(x - max) and
    its row sums), and reused by both rules.

    `target` holds class indices (N,) (ints) or float rows (N, C); `cross_entropy`
    validates it (indices in range, rows summing to 1) before building this op.
    """

    __slots__ = ("target", "reduction", "label_smoothing")

    def __init__(self, target, reduction="mean", label_smoothing=0.0):
        self.target, self.reduction, self.label_smoothing = target, reduction, label_smoothing

    def forward(self, x):
        shifted = x - stable_max(x, 1)
        target_term = self._dot_target(shifted)  # <y, x - m>, taken before exp overwrites it
        e = np.exp(shifted, out=shifted)
        total = e.sum(axis=1, keepdims=True)
        # p = e / total, kept as its two factors: the backward pass normalises and scales
        # in one multiply, e * (z_bar / total), instead of two passes over (N, C).
        self.saved = (e, total)
        return self._reduce(np.log(total[:, 0]) - target_term)

    def vjp(self, z_bar, z, x):
        weight = self._row_weight(z_bar)
        if array_namespace(z_bar, x) is not np:
            # Under create_graph: p re-derived from x by a recorded softmax, so this rule
            # can itself be differentiated (the Hessian of the loss is J / N).
            return (softmax(x, axis=1) - self._dense_target(x.shape, x.dtype)) * weight
        e, total = self.saved
        x_bar = e * (weight / total)  # p * weight, a fresh array: the saved e survives
        self._subtract_target(x_bar, weight)
        return x_bar

    def jvp(self, x_dot, z, x):
        e, total = self.saved
        rows = (e * x_dot).sum(axis=1) / total[:, 0] - self._dot_target(x_dot)
        return self._reduce(rows)

    def params(self):
        kind = "indices" if self.target.dtype.kind in "iu" else "probabilities"
        shown = {"target": f"{kind}{self.target.shape}", "reduction": self.reduction}
        if self.label_smoothing:
            shown["label_smoothing"] = self.label_smoothing
        return shown

    def _dot_target(self, a):
        """<y, a> for each row of a (N, C), y the (smoothed) target, without building y."""
        target, smoothing = self.target, self.label_smoothing
        if target.dtype.kind in "iu":
            dot = a[np.arange(len(target)), target]
        else:
            dot = (a * target.astype(a.dtype, copy=False)).sum(axis=1)
        if smoothing:
            dot = (1 - smoothing) * dot + smoothing / a.shape[1] * a.sum(axis=1)
        return dot

    def _subtract_target(self, g, weight):
        """g -= weight * y, in place, touching only the picked entries for class indices."""
        target, smoothing, n = self.target, self.label_smoothing, len(self.target)
        keep = 1 - smoothing
        if target.dtype.kind in "iu":
            rows = np.arange(n)
            g[rows, target] -= keep * weight if np.ndim(weight) == 0 else keep * weight[:, 0]
        else:
            g -= (keep * weight) * target
        if smoothing:
            g -= (smoothing / g.shape[1]) * weight

    def _dense_target(self, shape, dtype):
        """y as an (N, C) array (one-hot rows for class indices), smoothing applied."""
        if self.target.dtype.kind in "iu":
            y = np.zeros(shape, dtype)
            y[np.arange(shape[0]), self.target] = 1
        else:
            y = self.target.astype(dtype)
        if self.label_smoothing:
            y = (1 - self.label_smoothing) * y + self.label_smoothing / shape[1]
        return y.astype(dtype, copy=False)

    def _row_weight(self, z_bar):
        """What each row's p - y is scaled by: z_bar / N, z_bar, or z_bar per row."""
        if self.reduction == "mean":
            return z_bar / len(self.target)
        if self.reduction == "sum":
            return z_bar
        return z_bar.reshape((-1, 1))

    def _reduce(self, rows):
        if self.reduction == "mean":
            return rows.sum() / len(self.target)
        if self.reduction == "sum":
            return rows.sum()
        return rows


class BinaryCrossEntropyWithLogits(Primitive):
    """BCEWithLogits — the two-class case of SoftmaxNLL, elementwise.

    Two logits [x, 0] have softmax [q, 1 - q] with q = sigmoid(x), so with target y in [0, 1]:
      forward:  z = -(y log q + (1 - y) log(1 - q)) = max(x, 0) - x y + log(1 + exp(-|x|))
      jvp:      z_dot = (q - y) * x_dot
      vjp:      x_bar = (q - y) * z_bar
    p - y again. The forward never forms log(q), so |x| = 1e4 gives neither inf nor nan.
    """

    __slots__ = ("target",)

    def __init__(self, target):
        self.target = target

    def forward(self, x):
        y = self.target.astype(x.dtype, copy=False)
        e = np.exp(-np.abs(x))
        self.saved = np.where(x >= 0, 1 / (1 + e), e / (1 + e))  # q = sigmoid(x), both tails exact
        return np.maximum(x, 0) - x * y + np.log1p(e)

    def params(self):
        return {"target": f"array{self.target.shape}"}

    def _q_minus_y(self, x):
        if array_namespace(x) is not np:  # under create_graph: a recorded sigmoid
            return sigmoid(x) - self.target.astype(x.dtype)
        return self.saved - self.target.astype(x.dtype, copy=False)

    def vjp(self, z_bar, z, x):
        return self._q_minus_y(x) * z_bar

    def jvp(self, x_dot, z, x):
        return self._q_minus_y(x) * x_dot
