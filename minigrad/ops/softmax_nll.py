"""Fused losses: softmax + negative log-likelihood as one node, and its two-class case.

Computed in two stages, cross-entropy would pull the gradient -y/p back through
softmax's C x C Jacobian. Fused, the Jacobian and the division cancel on paper, and the
whole backward pass is p - y: one subtraction per element, and p comes for free from
the forward pass. PyTorch's cross_entropy relies on the same identity.
"""
from __future__ import annotations

from typing import Any, TypeVar

import numpy as np

from minigrad.ops.elementwise import sigmoid
from minigrad.ops.softmax import softmax, stable_max
from minigrad.primitive import Primitive, recording
from minigrad.tensor import Tensor
from minigrad.typing import Array

A = TypeVar("A", np.ndarray, Tensor)  # arrays in, arrays out; recorded Tensors in, Tensors out

REDUCTIONS = ("mean", "sum", "none")


class SoftmaxNLL(Primitive):
    """SoftmaxNLL — cross-entropy of softmax(x) against target rows y, in one node.

    Per row n of the logits x (N, C), with p_n = softmax(x_n) and s_n = sum(y_n):
      forward:  L_n = -<y_n, log p_n> = s_n logsumexp(x_n) - <y_n, x_n>
      vjp:      x_bar_n = z_bar_n * (s_n p_n - y_n)
      jvp:      z_dot_n = <s_n p_n - y_n, x_dot_n>
    then reduced over n: "sum" adds the rows, "mean" divides their sum by D, "none" keeps
    them. For a plain target (class indices, or probability rows) s_n = 1 and D = N:

      x_bar = z_bar * (p - y) / N

    Why p - y. Unfused, the chain rule pulls the NLL's gradient -y/p back through
    softmax's Jacobian J = diag(p) - p p^T (C x C, symmetric):
        J^T (-y/p) = p * (-y/p) - p <p, -y/p> = -y + p sum(y) = p s - y
    The matrix and the division by p cancel: the gradient is one subtraction, exact even
    where p underflows to 0. The forward pass computes p once and saves it for both rules.

    Class weights w, ignore_index and label smoothing change only y and D (see
    `TargetRows`): y_n = w[t_n] onehot(t_n) for class index t_n, a zero row where t_n is
    ignored, and D = the sum of w[t_n] over the rows kept, as PyTorch. So the VJP stays
    (p - y) w[t_n] / D per row, and ignored rows get exactly zero.

    `target` holds class indices (N,) (ints) or float rows (N, C); `cross_entropy`
    validates it (indices in range, rows summing to 1) before building this op.
    """

    __slots__ = ("target", "reduction", "label_smoothing", "weight", "ignore_index", "y")
    y: TargetRows  # set by forward, which knows the number of classes

    def __init__(self, target: np.ndarray, reduction: str = "mean",
                 label_smoothing: float = 0.0, weight: Any = None,
                 ignore_index: int = -100) -> None:
        self.target, self.reduction, self.label_smoothing = target, reduction, label_smoothing
        self.weight, self.ignore_index = weight, ignore_index

    def forward(self, x: np.ndarray) -> Array:
        y = self.y = TargetRows(self.target, x.shape[1], self.weight, self.ignore_index,
                                self.label_smoothing)
        shifted = x - stable_max(x, 1)
        y_dot_x = y.dot(shifted)  # <y_n, x_n - max_n>, before exp overwrites shifted
        p = np.exp(shifted, out=shifted)
        total = p.sum(axis=1, keepdims=True)
        p /= total
        self.saved = p
        # s logsumexp(x) - <y, x>, with the row maxima cancelling: s log(total) - <y, x - max>
        return self._reduce(y.scaled_by_mass(np.log(total))[:, 0] - y_dot_x)

    def vjp(self, z_bar: Array, z: Array, x: Array) -> Array:
        y, scale = self.y, self._scale(z_bar)
        if recording(x):
            # Under create_graph: p recomputed by a recorded softmax, so that this rule can
            # itself be differentiated (the Hessian of the loss is J s / D).
            return (y.scaled_by_mass(softmax(x, axis=1)) - y.dense(x.dtype)) * scale
        x_bar = y.scaled_by_mass(self.saved * scale)  # a fresh array: the saved p survives
        y.subtract_from(x_bar, scale)
        return x_bar

    def jvp(self, x_dot: Array, z: Array, x: Array) -> Array:
        y = self.y
        p = softmax(x, axis=1) if recording(x) else self.saved  # recorded: differentiable
        rows = y.scaled_by_mass((p * x_dot).sum(axis=1, keepdims=True))[:, 0] - y.dot(x_dot)
        return self._reduce(rows)

    def params(self) -> dict[str, Any]:
        kind = "indices" if self.target.dtype.kind in "iu" else "probabilities"
        shown: dict[str, Any] = {"target": f"{kind}{self.target.shape}",
                                 "reduction": self.reduction}
        if self.weight is not None:
            shown["weight"] = f"array{np.shape(self.weight)}"
        if self.ignore_index != -100:
            shown["ignore_index"] = self.ignore_index
        if self.label_smoothing:
            shown["label_smoothing"] = self.label_smoothing
        return shown

    def _scale(self, z_bar: Array) -> Array:
        """What each row's s p - y is multiplied by: z_bar / D, z_bar, or z_bar per row."""
        if self.reduction == "mean":
            return z_bar / self.y.divisor
        if self.reduction == "sum":
            return z_bar
        return z_bar.reshape((-1, 1))

    def _reduce(self, rows: Array) -> Array:
        if self.reduction == "mean":
            return rows.sum() / self.y.divisor
        if self.reduction == "sum":
            return rows.sum()
        return rows


class TargetRows:
    """The target y (N, C) of a cross-entropy, in the form that is cheap to apply.

    Built as PyTorch defines cross_entropy's target, from class indices t (N,) or
    probability rows q (N, C), with class weights w (C,) (ones when None), label
    smoothing eps and ignore_index:
        class indices:  y_n = (1 - eps) w[t_n] onehot(t_n) + (eps / C) w,   0 where t_n is ignored
        probabilities:  y_n = w * ((1 - eps) q_n + eps / C)
    and `divisor` D, what "mean" divides the summed rows by: the sum of w[t_n] over the
    rows kept (their count without weights) for class indices, N for probabilities.

    Class indices are never expanded to (N, C): a row is `pick_n` at column `index_n`
    plus `keep_n * spread` (spread = (eps / C) w; keep_n is 0 for an ignored row). Each
    part is None when it is trivial (pick 1, no spread, no row ignored, mass 1), so a
    plain target costs one gather and one scatter. The methods take ndarrays or Tensors
    (the unfused path records them) and compute in the dtype of their argument.
    """

    def __init__(self, target: np.ndarray, n_classes: int, weight: Any = None,
                 ignore_index: int = -100, smoothing: float = 0.0) -> None:
        n, c, eps = len(target), n_classes, smoothing
        w = None if weight is None else np.asarray(weight, dtype=np.float64)
        self.index: np.ndarray | None = None  # class indices; else probability rows:
        self.probabilities: np.ndarray | None = None
        self.pick: Any = None  # each None when trivial (see the class docstring)
        self.spread: np.ndarray | None = None
        self.keep: np.ndarray | None = None
        self.shape = (n, c)
        self.rows = np.arange(n)  # row numbers for picking each row's class, made once
        self.divisor: float = n
        mass: Any = None
        if target.dtype.kind in "iu":
            ignored = target == ignore_index
            if ignored.any():
                self.index = np.where(ignored, 0, target)
                self.keep = (~ignored).astype(np.float64)
            else:
                self.index = target
            pick = None if w is None else w[self.index]
            if self.keep is not None:
                pick = self.keep if pick is None else self.keep * pick
            if pick is not None:
                self.divisor = float(pick.sum())
            mass = pick
            if eps:
                self.spread = (eps / c) * (np.ones(c) if w is None else w)
                pick = (1 - eps) * (1.0 if pick is None else pick)
                mass = pick + self.spread.sum() * (1.0 if self.keep is None else self.keep)
            self.pick = pick
        else:
            q = target.astype(np.float64)
            if eps:
                q = (1 - eps) * q + eps / c
            self.probabilities = q if w is None else q * w
            if w is not None:
                mass = self.probabilities.sum(axis=1)  # without weights sum(q_n) = 1
        self.mass = mass if mass is None or np.ndim(mass) == 0 else mass.reshape(-1, 1)

    def dot(self, a: Array) -> Array:
        """<y_n, a_n> for each row of a (N, C): shape (N,)."""
        if self.probabilities is not None:
            return (a * self._as(self.probabilities, a)).sum(axis=1)
        assert self.index is not None  # class indices, then
        dot = a[self.rows, self.index]
        if self.pick is not None:
            dot = dot * self._as(self.pick, a)
        if self.spread is not None:
            spread = a @ self._as(self.spread, a)
            dot = dot + (spread if self.keep is None else spread * self._as(self.keep, a))
        return dot

    def scaled_by_mass(self, a: A) -> A:
        """s_n * a_n for each row of a (N, k), s_n = sum(y_n)."""
        return a if self.mass is None else a * self._as(self.mass, a)

    def subtract_from(self, g: np.ndarray, scale: Any) -> None:
        """g -= scale * y, in place on an ndarray g (N, C); scale is a number or (N, 1)."""
        if self.probabilities is not None:
            g -= self._as(self.probabilities, g) * scale
            return
        assert self.index is not None  # class indices, then
        picked = scale if np.ndim(scale) == 0 else scale[:, 0]
        if self.pick is not None:
            picked = picked * self._as(self.pick, g)
        g[self.rows, self.index] -= picked
        if self.spread is not None:
            rows = scale if self.keep is None else self._as(self.keep, g)[:, None] * scale
            g -= rows * self._as(self.spread, g)

    def dense(self, dtype: Any) -> np.ndarray:
        """y as an (N, C) array."""
        if self.probabilities is not None:
            return self.probabilities.astype(dtype)
        y = np.zeros(self.shape, dtype)
        self.subtract_from(y, -1)
        return y

    @staticmethod
    def _as(values: Any, like: Array) -> Any:
        """`values` in `like`'s dtype (as a Python float, a number adapts by itself)."""
        return float(values) if np.ndim(values) == 0 else values.astype(like.dtype, copy=False)


class BinaryCrossEntropyWithLogits(Primitive):
    """BCEWithLogits — the two-class case of SoftmaxNLL, elementwise.

    Two logits [x, 0] have softmax [q, 1 - q] with q = sigmoid(x), so with target y in [0, 1]:
      forward:  z = -(y log q + (1 - y) log(1 - q)) = max(x, 0) - x y + log(1 + exp(-|x|))
      jvp:      z_dot = (q - y) * x_dot
      vjp:      x_bar = (q - y) * z_bar
    p - y again. The forward never forms log(q), so |x| = 1e4 gives neither inf nor nan.
    """

    __slots__ = ("target",)

    def __init__(self, target: np.ndarray) -> None:
        self.target = target

    def forward(self, x: np.ndarray) -> np.ndarray:
        y = self.target.astype(x.dtype, copy=False)
        e = np.exp(-np.abs(x))
        self.saved = np.where(x >= 0, 1 / (1 + e), e / (1 + e))  # q = sigmoid(x), both tails exact
        return np.maximum(x, 0) - x * y + np.log1p(e)

    def params(self) -> dict[str, Any]:
        return {"target": f"array{self.target.shape}"}

    def _q_minus_y(self, x: Array) -> Array:
        if recording(x):  # under create_graph: a recorded sigmoid
            return sigmoid(x) - self.target.astype(x.dtype)
        return self.saved - self.target.astype(x.dtype, copy=False)

    def vjp(self, z_bar: Array, z: Array, x: Array) -> Array:
        return self._q_minus_y(x) * z_bar

    def jvp(self, x_dot: Array, z: Array, x: Array) -> Array:
        return self._q_minus_y(x) * x_dot
