"""Losses computed element by element, then reduced, with PyTorch's definitions:
`mse_loss`, `l1_loss`, `smooth_l1_loss`, `huber_loss`, `binary_cross_entropy` (on probabilities) and
`kl_div` (on log-probabilities). Each is composed from recorded ops, so its gradient is
the chain rule's; the comments say where a branch is guarded so that the branch `where`
does not take cannot put inf or nan into the gradient.
"""
from __future__ import annotations

import math

import numpy as np

from minigrad.nn.targets import constant
from minigrad.ops import abs as abs_
from minigrad.ops import log, mean, where
from minigrad.ops import sum as sum_
from minigrad.ops.softmax_nll import REDUCTIONS
from minigrad.tensor import Tensor, to_tensor
from minigrad.typing import TensorLike
_LOG_FLOOR = -100.0  # PyTorch clamps binary_cross_entropy's logs at -100
_TINY = math.exp(_LOG_FLOOR)


def _difference(input: TensorLike, target: TensorLike, op: str, reduction: str  # noqa: A002
                ) -> Tensor:
    """input - target, same shapes only (broadcasting (N, 1) against (N,) would compare
    every prediction with every target), the target taking the input's dtype."""
    check_reduction(reduction, op)
    input = to_tensor(input, op)
    if not isinstance(target, Tensor):
        target = to_tensor(np.asarray(target, dtype=input.dtype), op)
    if input.shape != target.shape:
        raise ValueError(
            f"{op}: input has shape {input.shape} but target has shape {target.shape}; "
            "they must match (broadcasting them would compare every prediction with every "
            "target). Reshape one, e.g. target.reshape(input.shape)")
    return input - target


def mse_loss(input: TensorLike, target: TensorLike,  # noqa: A002 - PyTorch's name
             reduction: str = "mean") -> Tensor:
    """Mean squared error: (input - target)^2, reduced.

    Args:
        input, target: Tensors or arrays of the same shape (either may require grad; a
            constant target takes the input's dtype, as in PyTorch).
        reduction: "mean", "sum" or "none".

    Raises:
        ValueError: if the shapes differ; broadcasting (N, 1) against (N,) would silently
            compare every prediction with every target.

    >>> import minigrad as mg
    >>> mg.nn.F.mse_loss(mg.tensor([1.0, 2.0]), mg.tensor([1.0, 4.0]))
    tensor(2.)
    """
    d = _difference(input, target, "mse_loss", reduction)
    return reduce(d * d, reduction)


def l1_loss(input: TensorLike, target: TensorLike, reduction: str = "mean") -> Tensor:  # noqa: A002
    """|input - target|, reduced (its gradient at a zero difference is 0, as PyTorch's).

    >>> import minigrad as mg
    >>> mg.nn.F.l1_loss(mg.tensor([1.0, 2.0]), mg.tensor([0.0, 4.0]))
    tensor(1.5)
    """
    return reduce(abs_(_difference(input, target, "l1_loss", reduction)), reduction)


def huber_loss(input: TensorLike, target: TensorLike, reduction: str = "mean",  # noqa: A002
               delta: float = 1.0) -> Tensor:
    """0.5 d^2 where |d| < delta, else delta (|d| - 0.5 delta), d = input - target: quadratic
    near zero, linear beyond (gradient d, then delta sign(d)).

    >>> import minigrad as mg
    >>> mg.nn.F.huber_loss(mg.tensor([0.5, 3.0]), mg.zeros(2), reduction="none")
    tensor([0.125, 2.5  ])
    """
    if delta <= 0:
        raise ValueError(f"huber_loss: delta must be > 0, got {delta}")
    d = _difference(input, target, "huber_loss", reduction)
    size = abs_(d)
    return reduce(where(size < delta, 0.5 * d * d, delta * (size - 0.5 * delta)), reduction)


def smooth_l1_loss(input: TensorLike, target: TensorLike, reduction: str = "mean",  # noqa: A002
                   beta: float = 1.0) -> Tensor:
    """0.5 d^2 / beta where |d| < beta, else |d| - 0.5 beta: huber_loss / beta (beta = 0 is
    l1_loss), PyTorch's definition.

    >>> import minigrad as mg
    >>> mg.nn.F.smooth_l1_loss(mg.tensor([0.5, 3.0]), mg.zeros(2), reduction="none")
    tensor([0.125, 2.5  ])
    """
    if beta < 0:
        raise ValueError(f"smooth_l1_loss: beta must be >= 0, got {beta}")
    if beta == 0:
        return l1_loss(input, target, reduction)
    d = _difference(input, target, "smooth_l1_loss", reduction)
    size = abs_(d)
    return reduce(where(size < beta, 0.5 * d * d / beta, size - 0.5 * beta), reduction)


def binary_cross_entropy(input: TensorLike, target: TensorLike,  # noqa: A002
                         weight: TensorLike | None = None, reduction: str = "mean") -> Tensor:
    """-w (y log p + (1 - y) log(1 - p)) for probabilities p = input in [0, 1], each log
    clamped at -100 as PyTorch does (so p = 0 or 1 gives a finite loss). From logits,
    binary_cross_entropy_with_logits is exact where this one clamps.

    Raises:
        ValueError: for an input outside [0, 1], or shapes that differ.

    >>> import minigrad as mg
    >>> round(mg.nn.F.binary_cross_entropy(mg.tensor([0.5, 0.9]), [1.0, 1.0]).item(), 6)
    0.399254
    """
    op = "binary_cross_entropy"
    check_reduction(reduction, op)
    p = to_tensor(input, op)
    y = constant(target, op).astype(p.dtype)
    if y.shape != p.shape:
        raise ValueError(f"{op}: target has shape {y.shape} but input has shape {p.shape}; "
                         "they must match")
    if p.size and (np.nanmin(p.data) < 0 or np.nanmax(p.data) > 1):
        raise ValueError(f"{op}: the input must hold probabilities in [0, 1] (found "
                         f"{float(np.nanmin(p.data)):.6g} to {float(np.nanmax(p.data)):.6g}); "
                         "from logits use binary_cross_entropy_with_logits")
    losses = -(y * _clamped_log(p) + (1 - y) * _clamped_log(1 - p))
    if weight is not None:
        losses = losses * constant(weight, op).astype(p.dtype)
    return reduce(losses, reduction)


def _clamped_log(p: Tensor) -> Tensor:
    """max(log p, -100), with the log read only where it is above -100: at p = 0 the
    unguarded log would be -inf and send 0 * inf = nan back through the branch not taken."""
    above = p > _TINY
    return where(above, log(where(above, p, 1.0)), _LOG_FLOOR)


def kl_div(input: TensorLike, target: TensorLike, reduction: str = "mean",  # noqa: A002
           log_target: bool = False) -> Tensor:
    """KL divergence pointwise, target * (log target - input), with input log-probabilities
    (as PyTorch; 0 where target is 0), reduced. reduction="batchmean" divides the sum by
    the batch size, the mathematical KL(target || exp(input)) per sample; "mean" (the
    default, as PyTorch's) averages over every element. log_target=True takes the target
    as log-probabilities too: exp(target) (target - input).

    >>> import minigrad as mg, numpy as np
    >>> q = mg.tensor(np.log([[0.5, 0.5]]))
    >>> round(mg.nn.F.kl_div(q, [[0.9, 0.1]], reduction="batchmean").item(), 6)
    0.368064
    """
    op = "kl_div"
    check_kl_reduction(reduction, op)
    log_q = to_tensor(input, op)
    t = constant(target, op).astype(log_q.dtype)
    if t.shape != log_q.shape:
        raise ValueError(f"{op}: target has shape {t.shape} but input has shape {log_q.shape}; "
                         "they must match")
    if log_target:
        losses = np.exp(t) * (t - log_q)
    else:
        # t log t with 0 log 0 = 0 (a constant: the target takes no gradient here)
        t_log_t = np.where(t > 0, t * np.log(np.where(t > 0, t, 1)), 0.0)
        losses = t_log_t - t * log_q
    if reduction == "batchmean":
        return sum_(losses) / (log_q.shape[0] if log_q.ndim else 1)
    return reduce(losses, reduction)


def check_reduction(reduction: str, op: str) -> str:
    """`reduction` if it is "mean", "sum" or "none", else a ValueError naming `op`."""
    if reduction not in REDUCTIONS:
        raise ValueError(f"{op}: reduction must be one of {', '.join(map(repr, REDUCTIONS))}, "
                         f"got {reduction!r}")
    return reduction


def check_kl_reduction(reduction: str, op: str) -> str:
    """`reduction` if it is "mean", "sum", "none" or kl_div's "batchmean", else a ValueError."""
    if reduction not in REDUCTIONS + ("batchmean",):
        raise ValueError(f"{op}: reduction must be one of 'mean', 'sum', 'none', 'batchmean', "
                         f"got {reduction!r}")
    return reduction


def reduce(values: Tensor, reduction: str) -> Tensor:
    """The mean, the sum, or the values themselves ("none")."""
    if reduction == "mean":
        return mean(values)
    if reduction == "sum":
        return sum_(values)
    return values
