"""Functional neural-network ops, by PyTorch's names: the losses defined here, and the
layers' functional forms (linear, conv2d, conv_transpose2d, pad, max_pool2d, avg_pool2d,
layer_norm, batch_norm, dropout, one_hot, gelu, leaky_relu and the activations) gathered
from where they are defined.

The losses take PyTorch's signatures. `cross_entropy` is one fused `SoftmaxNLL` node by
default (its gradient is p - y, see minigrad/ops/softmax_nll.py); `fused=False` records
the textbook chain log_softmax -> NLL pick -> reduction instead, for comparison.
"""
from __future__ import annotations

from typing import Any

from minigrad.nn.activation import elu, gelu, hardtanh, leaky_relu, relu6, silu, softplus
from minigrad.nn.attention import scaled_dot_product_attention
from minigrad.nn.conv import conv2d
from minigrad.nn.conv_transpose import conv_transpose2d
from minigrad.nn.dropout import dropout
from minigrad.nn.distance import cosine_similarity, normalize
from minigrad.nn.normalization import batch_norm, group_norm, layer_norm
from minigrad.nn.padding import pad
from minigrad.nn.pointwise_losses import (binary_cross_entropy, check_reduction, huber_loss,
                                          kl_div, l1_loss, mse_loss, smooth_l1_loss)
from minigrad.nn.pointwise_losses import reduce as _reduce
from minigrad.nn.pooling import adaptive_avg_pool2d, avg_pool2d, max_pool2d
from minigrad.ops import linear, log_softmax, relu, sigmoid, softmax, tanh
from minigrad.ops import sum as sum_
from minigrad.ops.softmax_nll import BinaryCrossEntropyWithLogits, SoftmaxNLL, TargetRows
from minigrad.nn.targets import class_targets, class_weights, constant, one_hot
from minigrad.tensor import Tensor, to_tensor
from minigrad.typing import TensorLike

__all__ = ["linear", "conv2d", "conv_transpose2d", "pad", "max_pool2d", "avg_pool2d", "layer_norm", "batch_norm",
           "dropout", "one_hot", "relu", "leaky_relu", "sigmoid", "tanh", "gelu", "softmax",
           "log_softmax", "silu", "elu", "softplus", "hardtanh", "relu6", "cross_entropy", "nll_loss",
           "mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "binary_cross_entropy",
           "kl_div", "binary_cross_entropy_with_logits", "scaled_dot_product_attention",
           "group_norm", "adaptive_avg_pool2d", "normalize", "cosine_similarity"]


def cross_entropy(logits: TensorLike, target: TensorLike, weight: TensorLike | None = None, *,
                  ignore_index: int = -100, reduction: str = "mean",
                  label_smoothing: float = 0.0, fused: bool = True) -> Tensor:
    """Cross-entropy between softmax(logits) and the targets: -sum(y * log softmax(logits)).

    PyTorch's semantics, per row n with class index t_n (or probability row q_n):
        loss_n = -w[t_n] log p_n[t_n]          (0 where t_n == ignore_index)
        loss_n = -sum_c w[c] q_n[c] log p_n[c]
    and "mean" = sum_n loss_n / sum_n w[t_n] over the rows not ignored (their count
    without weights; N for probability rows). Label smoothing eps mixes the target with
    the uniform distribution first: y = (1 - eps) y + eps / C (weighted as above).

    Args:
        logits: (N, C) scores, any finite size (each row is shifted by its maximum); or
            (N, C, d1, ..., dk), a score row at every position (pixels, time steps), as
            PyTorch: each position is one more row, and "mean" averages over them all.
        target: class indices, integers of shape (N,), or float rows (N, C) of
            probabilities (one-hot or soft labels), each summing to 1; for
            (N, C, d1, ..., dk) scores, indices (N, d1, ..., dk) or probabilities shaped
            like the scores.
        weight: a rescaling weight for each class, shape (C,), or None (all 1).
        ignore_index: a class index whose rows add nothing to the loss or the gradient.
        reduction: "mean", "sum" or "none" (one loss per row).
        label_smoothing: eps in [0, 1].
        fused: True records one `SoftmaxNLL` node whose gradient is (p - y) / N, scaled by
            the weights; False records log_softmax, the NLL pick and the reduction as
            separate nodes (the same value and gradient).

    Returns:
        A scalar Tensor, or shape (N,) for reduction="none" ((N, d1, ..., dk) for scores
        with positions).

    Raises:
        ValueError: for a class index out of range, a batch size that differs from the
            logits', float targets of shape (N,), target rows that do not sum to 1, a
            weight of the wrong shape, or ignore_index >= 0 with probability targets.
        TypeError: for targets that are neither integer nor floating, or a string passed
            as weight (the reduction, in the place PyTorch gives weight).

    >>> import minigrad as mg
    >>> logits = mg.tensor([[2.0, 0.0, 0.0]], requires_grad=True)
    >>> loss = mg.nn.F.cross_entropy(logits, [0], reduction="sum")
    >>> loss.backward()
    >>> logits.grad                  # p - y, with p = softmax(logits) and y one-hot
    tensor([[-0.21301396,  0.10650698,  0.10650698]])
    >>> mg.nn.F.cross_entropy(mg.zeros(3, 2), [0, 1, -100], weight=[1.0, 3.0]).item()
    0.6931471805599453
    """
    logits = _logits(logits, "cross_entropy")
    if logits.ndim > 2:
        return _over_positions(cross_entropy, logits, target, "cross_entropy", reduction,
                               weight=weight, ignore_index=ignore_index,
                               label_smoothing=label_smoothing, fused=fused)
    target = class_targets(target, logits.shape, "cross_entropy", ignore_index)
    weight = class_weights(weight, logits.shape[1], "cross_entropy")
    check_reduction(reduction, "cross_entropy")
    if not 0 <= label_smoothing <= 1:
        raise ValueError(f"cross_entropy: label_smoothing must lie in [0, 1], got {label_smoothing}")
    if fused:
        return SoftmaxNLL(target, reduction, float(label_smoothing), weight, ignore_index)(logits)
    y = TargetRows(target, logits.shape[1], weight, ignore_index, float(label_smoothing))
    return _nll(log_softmax(logits, axis=1), y, reduction)


def nll_loss(log_probs: TensorLike, target: TensorLike, weight: TensorLike | None = None, *,
             ignore_index: int = -100, reduction: str = "mean") -> Tensor:
    """Negative log-likelihood of log-probabilities: -weight[t] * log_probs[i, t], t = target[i].

    Args:
        log_probs: (N, C) log-probabilities, e.g. from log_softmax; or (N, C, d1, ..., dk)
            with a row at every position, as `cross_entropy` takes them.
        target: class indices (N,) or float rows (N, C) summing to 1 (then the loss is
            -sum(weight * y * log_probs) per row); (N, d1, ..., dk) indices or
            probabilities shaped like log_probs for positions.
        weight, ignore_index, reduction: as `cross_entropy` ("mean" divides by the summed
            weights of the rows not ignored).

    Returns:
        A scalar Tensor, or shape (N,) for reduction="none" ((N, d1, ..., dk) for positions).

    Raises:
        ValueError, TypeError: for bad targets or weights, as `cross_entropy`.

    >>> import minigrad as mg
    >>> mg.nn.F.nll_loss(mg.tensor([[-0.5, -1.0], [-2.0, -0.1]]), [0, 1])
    tensor(0.3)
    """
    log_probs = _logits(log_probs, "nll_loss")
    if log_probs.ndim > 2:
        return _over_positions(nll_loss, log_probs, target, "nll_loss", reduction,
                               weight=weight, ignore_index=ignore_index)
    target = class_targets(target, log_probs.shape, "nll_loss", ignore_index)
    weight = class_weights(weight, log_probs.shape[1], "nll_loss")
    check_reduction(reduction, "nll_loss")
    return _nll(log_probs, TargetRows(target, log_probs.shape[1], weight, ignore_index), reduction)


def _nll(log_probs: Tensor, y: Any, reduction: str) -> Tensor:
    """-<y_n, log_probs_n> per row, as recorded ops (a pick for class indices), reduced."""
    rows = -y.dot(log_probs)
    if reduction == "mean" and y.divisor != len(rows):  # weighted, or rows ignored
        return sum_(rows) / y.divisor
    return _reduce(rows, reduction)


def binary_cross_entropy_with_logits(input: TensorLike, target: TensorLike,  # noqa: A002
                                     reduction: str = "mean") -> Tensor:
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
    input = _logits(input, "binary_cross_entropy_with_logits", min_ndim=0)
    target = constant(target, "binary_cross_entropy_with_logits")
    check_reduction(reduction, "binary_cross_entropy_with_logits")
    if target.shape != input.shape:
        raise ValueError(
            f"binary_cross_entropy_with_logits: target has shape {target.shape} but input has "
            f"shape {input.shape}; they must match")
    if target.dtype.kind not in "biuf":
        raise TypeError(f"binary_cross_entropy_with_logits: target dtype {target.dtype} is not numeric")
    return _reduce(BinaryCrossEntropyWithLogits(target)(input), reduction)


def _over_positions(loss: Any, scores: Tensor, target: TensorLike, op: str, reduction: str,
                    **options: Any) -> Tensor:
    """`loss` on (N, C, d1, ..., dk) scores, PyTorch's layout for images and sequences: the
    score row at each position (n, i1, ..., ik) is one more row of an (N d1...dk, C) batch.

    The scores get their classes last and are flattened to rows by a recorded transpose
    and reshape (so gradients flow back through both), the target likewise, as a
    constant: indices (N, d1, ..., dk) become (N d1...dk,), probabilities
    (N, C, d1, ..., dk) become rows. "mean" is then the mean over every position kept
    (weighted, ignore_index left out), as PyTorch's; "none" comes back as (N, d1, ..., dk).
    """
    n, c, positions = scores.shape[0], scores.shape[1], scores.shape[2:]
    target = constant(target, op)
    is_probabilities = target.dtype.kind == "f"
    expected = scores.shape if is_probabilities else (n,) + positions
    if target.shape != expected:
        raise ValueError(
            f"{op}: scores of shape {scores.shape} (N, C, d1, ...) take class indices of shape "
            f"{(n,) + positions} or probabilities of shape {scores.shape}; got a target of "
            f"shape {target.shape}{' and dtype ' + str(target.dtype) if is_probabilities else ''}")
    classes_last = (0,) + tuple(range(2, scores.ndim)) + (1,)
    rows = scores.transpose(classes_last).reshape(-1, c)
    target = target.transpose(classes_last).reshape(-1, c) if is_probabilities else \
        target.reshape(-1)
    losses = loss(rows, target, reduction=reduction, **options)
    return losses.reshape((n,) + positions) if reduction == "none" else losses


def _logits(value: TensorLike, op: str, min_ndim: int = 2) -> Tensor:
    """`value` as floating-point scores of at least `min_ndim` axes: (N, C), or
    (N, C, d1, ...) (see `_over_positions`), by default."""
    value = to_tensor(value, op)
    if value.ndim < min_ndim:
        raise ValueError(f"{op}: expected (N, C) scores with classes on axis 1 (or "
                         f"(N, C, d1, ...) with a score row at each position), got shape "
                         f"{value.shape}; for one sample use x.reshape(1, -1)")
    if value.dtype.kind != "f":
        raise TypeError(f"{op}: expected floating-point scores, got dtype {value.dtype}")
    return value




