"""Functional neural-network ops, by PyTorch's names: the losses defined here, and the
layers' functional forms (linear, conv2d, max_pool2d, layer_norm, batch_norm, gelu, and
the activations) gathered from where they are defined.

The losses take PyTorch's signatures. `cross_entropy` is one fused `SoftmaxNLL` node by
default (its gradient is p - y, see minigrad/ops/softmax_nll.py); `fused=False` records
the textbook chain log_softmax -> NLL pick -> reduction instead, for comparison.
"""
import numpy as np

from minigrad.nn.activation import gelu
from minigrad.nn.conv import conv2d
from minigrad.nn.normalization import batch_norm, layer_norm
from minigrad.nn.pooling import max_pool2d
from minigrad.ops import getitem, linear, log_softmax, mean, relu, sigmoid, softmax, tanh
from minigrad.ops import sum as sum_
from minigrad.ops.softmax_nll import REDUCTIONS, BinaryCrossEntropyWithLogits, SoftmaxNLL
from minigrad.tensor import Tensor
from minigrad.tensor import to_tensor

__all__ = ["linear", "conv2d", "max_pool2d", "layer_norm", "batch_norm",
           "relu", "sigmoid", "tanh", "gelu", "softmax", "log_softmax",
           "cross_entropy", "nll_loss", "mse_loss", "binary_cross_entropy_with_logits"]


def cross_entropy(logits, target, reduction="mean", fused=True, label_smoothing=0.0):
    """Cross-entropy between softmax(logits) and the targets: -sum(y * log softmax(logits)).

    Args:
        logits: (N, C) scores, any finite size (each row is shifted by its maximum).
        target: class indices, integers of shape (N,), or float rows (N, C) of
            probabilities (one-hot or soft labels), each summing to 1.
        reduction: "mean" (over the N rows), "sum" or "none" (one loss per row).
        fused: True records one `SoftmaxNLL` node whose gradient is (p - y) / N;
            False records log_softmax, the NLL pick and the reduction as separate nodes.
        label_smoothing: eps in [0, 1]: the target becomes (1 - eps) y + eps / C.

    Returns:
        A scalar Tensor, or shape (N,) for reduction="none".

    Raises:
        ValueError: for a class index out of range, a batch size that differs from the
            logits', float targets of shape (N,), or target rows that do not sum to 1.
        TypeError: for targets that are neither integer nor floating.

    >>> import minigrad as mg
    >>> logits = mg.tensor([[2.0, 0.0, 0.0]], requires_grad=True)
    >>> loss = mg.nn.F.cross_entropy(logits, [0], reduction="sum")
    >>> loss.backward()
    >>> logits.grad                  # p - y, with p = softmax(logits) and y one-hot
    tensor([[-0.21301396,  0.10650698,  0.10650698]])
    """
    logits = _logits(logits, "cross_entropy")
    target = class_targets(target, logits.shape, "cross_entropy")
    check_reduction(reduction, "cross_entropy")
    if not 0 <= label_smoothing <= 1:
        raise ValueError(f"cross_entropy: label_smoothing must lie in [0, 1], got {label_smoothing}")
    if fused:
        return SoftmaxNLL(target, reduction, float(label_smoothing))(logits)
    return _nll(log_softmax(logits, axis=1), target, reduction, label_smoothing)


def nll_loss(log_probs, target, reduction="mean"):
    """Negative log-likelihood of log-probabilities: -log_probs[i, target[i]], reduced.

    Args:
        log_probs: (N, C) log-probabilities, e.g. from log_softmax.
        target: class indices (N,) or float rows (N, C) summing to 1 (then the loss is
            -sum(y * log_probs) per row).
        reduction: "mean", "sum" or "none".

    Returns:
        A scalar Tensor, or shape (N,) for reduction="none".

    Raises:
        ValueError, TypeError: for bad targets, as `cross_entropy`.

    >>> import minigrad as mg
    >>> mg.nn.F.nll_loss(mg.tensor([[-0.5, -1.0], [-2.0, -0.1]]), [0, 1])
    tensor(0.3)
    """
    log_probs = _logits(log_probs, "nll_loss")
    target = class_targets(target, log_probs.shape, "nll_loss")
    check_reduction(reduction, "nll_loss")
    return _nll(log_probs, target, reduction, 0.0)


def _nll(log_probs, target, reduction, smoothing):
    """-<y, log_probs> per row, as recorded ops: a pick for class indices, else a product."""
    n, c = log_probs.shape
    if target.dtype.kind in "iu":
        rows = -getitem(log_probs, (np.arange(n), target))
        if smoothing:
            rows = (1 - smoothing) * rows - (smoothing / c) * sum_(log_probs, axis=1)
    else:
        y = target.astype(log_probs.dtype)
        if smoothing:
            y = (1 - smoothing) * y + smoothing / c
        rows = -sum_(log_probs * y, axis=1)
    return _reduce(rows, reduction)


def mse_loss(input, target, reduction="mean"):  # noqa: A002 - PyTorch's argument name
    """Mean squared error: (input - target)^2, reduced.

    Args:
        input, target: Tensors or arrays of the same shape (either may require grad).
        reduction: "mean", "sum" or "none".

    Raises:
        ValueError: if the shapes differ; broadcasting (N, 1) against (N,) would silently
            compare every prediction with every target.

    >>> import minigrad as mg
    >>> mg.nn.F.mse_loss(mg.tensor([1.0, 2.0]), mg.tensor([1.0, 4.0]))
    tensor(2.)
    """
    input = to_tensor(input, "mse_loss")
    if not isinstance(target, Tensor):  # a constant takes the input's dtype, as in PyTorch
        target = to_tensor(np.asarray(target, dtype=input.dtype), "mse_loss")
    check_reduction(reduction, "mse_loss")
    if input.shape != target.shape:
        raise ValueError(
            f"mse_loss: input has shape {input.shape} but target has shape {target.shape}; "
            "they must match (broadcasting them would compare every prediction with every "
            "target). Reshape one, e.g. target.reshape(input.shape)")
    diff = input - target
    return _reduce(diff * diff, reduction)


def binary_cross_entropy_with_logits(input, target, reduction="mean"):  # noqa: A002
    """Binary cross-entropy of sigmoid(input) against targets in [0, 1], from the logits.

    The two-class case of cross_entropy: its gradient is sigmoid(input) - target, and it
    is finite for logits of any size (|input| = 1e4 included).

    Args:
        input: logits of any shape.
        target: floats in [0, 1] of the same shape (a constant: no gradient flows to it).
        reduction: "mean" (over all elements), "sum" or "none".

    Raises:
        ValueError: if target's shape differs from input's.

    >>> import minigrad as mg
    >>> x = mg.tensor([1e4, -1e4, 0.0], requires_grad=True)
    >>> mg.nn.F.binary_cross_entropy_with_logits(x, [1.0, 1.0, 0.0], reduction="sum").backward()
    >>> x.grad                       # sigmoid(x) - y
    tensor([ 0. , -1. ,  0.5])
    """
    input = _logits(input, "binary_cross_entropy_with_logits", ndim=None)
    target = _constant(target, "binary_cross_entropy_with_logits")
    check_reduction(reduction, "binary_cross_entropy_with_logits")
    if target.shape != input.shape:
        raise ValueError(
            f"binary_cross_entropy_with_logits: target has shape {target.shape} but input has "
            f"shape {input.shape}; they must match")
    if target.dtype.kind not in "biuf":
        raise TypeError(f"binary_cross_entropy_with_logits: target dtype {target.dtype} is not numeric")
    return _reduce(BinaryCrossEntropyWithLogits(target)(input), reduction)


def class_targets(target, logits_shape, op):
    """The target as an ndarray, checked against (N, C) logits: a clear error if unusable.

    Class indices must be integers of shape (N,) in [0, C); float targets must be rows
    of shape (N, C), non-negative, each summing to 1 (to sqrt(machine epsilon)).
    """
    target = _constant(target, op)
    n, c = logits_shape
    kind = target.dtype.kind
    if kind in "iu":
        if target.ndim != 1:
            raise ValueError(
                f"{op}: integer targets are class indices of shape (N,) = ({n},), got shape "
                f"{target.shape}. For one-hot or probability rows pass floats of shape ({n}, {c})")
        if len(target) != n:
            raise ValueError(f"{op}: wrong batch size: the logits have {n} rows but the target "
                             f"has {len(target)} class indices")
        if n and (target.min() < 0 or target.max() >= c):
            bad = target[(target < 0) | (target >= c)][0]
            raise ValueError(f"{op}: class index {bad} is out of range for {c} classes "
                             f"(valid: 0 to {c - 1})")
        return target
    if kind != "f":
        raise TypeError(f"{op}: target must hold integer class indices or float probabilities, "
                        f"got dtype {target.dtype}")
    if target.ndim == 1:
        raise ValueError(
            f"{op}: a float target of shape {target.shape} is ambiguous. Class indices must be "
            f"integers (target.astype(int)); probability targets must be rows of shape ({n}, {c})")
    if target.ndim != 2 or target.shape[0] != n:
        raise ValueError(f"{op}: wrong batch size: the logits have shape {logits_shape} but the "
                         f"target has shape {target.shape}")
    if target.shape[1] != c:
        raise ValueError(f"{op}: the target has {target.shape[1]} columns but the logits have "
                         f"{c} classes; probability targets must be ({n}, {c})")
    if np.any(target < 0):
        raise ValueError(f"{op}: probability targets must be non-negative; found "
                         f"{target[target < 0][0]:.6g}")
    sums = target.sum(axis=1)
    off = np.abs(sums - 1) > np.sqrt(np.finfo(target.dtype).eps)
    if np.any(off | np.isnan(sums)):
        row = int(np.argmax(off | np.isnan(sums)))
        raise ValueError(
            f"{op}: each target row must sum to 1, but row {row} sums to {sums[row]:.10g}. The "
            "gradient p - y of softmax cross-entropy relies on sum(y) = 1 (in general it is "
            "p sum(y) - y); normalise the rows, e.g. y / y.sum(axis=1, keepdims=True)")
    return target


def _constant(value, op):
    """A target as an ndarray; gradients never flow to it, so one that wants them is an error."""
    if isinstance(value, Tensor):
        if value.requires_grad:
            raise ValueError(f"{op}: the target requires grad, but this loss treats it as a "
                             "constant and no gradient would reach it. Pass target.detach()")
        return value.data
    return np.asarray(value)


def _logits(value, op, ndim=2):
    value = to_tensor(value, op)
    if ndim is not None and value.ndim != ndim:
        raise ValueError(f"{op}: expected (N, C) scores with classes on axis 1, got shape "
                         f"{value.shape}; for one sample use x.reshape(1, -1)")
    if value.dtype.kind != "f":
        raise TypeError(f"{op}: expected floating-point scores, got dtype {value.dtype}")
    return value


def check_reduction(reduction, op):
    """`reduction` if it is "mean", "sum" or "none", else a ValueError naming `op`."""
    if reduction not in REDUCTIONS:
        raise ValueError(f"{op}: reduction must be one of {', '.join(map(repr, REDUCTIONS))}, "
                         f"got {reduction!r}")
    return reduction


def _reduce(values, reduction):
    if reduction == "mean":
        return mean(values)
    if reduction == "sum":
        return sum_(values)
    return values
