"""Loss targets: class indices or probability rows checked against the logits, class
weights, and `one_hot` (class indices as rows of 0s and 1s)."""
from __future__ import annotations

import numpy as np

from minigrad.tensor import Tensor, wrap
from minigrad.typing import TensorLike

_UNSIGNED = {n: np.dtype(f"u{n}") for n in (1, 2, 4, 8)}  # the unsigned integer of each width


def class_targets(target: TensorLike, logits_shape: tuple[int, ...], op: str,
                  ignore_index: int = -100) -> np.ndarray:
    """The target as an ndarray, checked against (N, C) logits: a clear error if unusable.

    Class indices must be integers of shape (N,) in [0, C), or equal to `ignore_index`;
    float targets must be rows of shape (N, C), non-negative, each summing to 1 (to
    sqrt(machine epsilon)), and take no ignore_index (as PyTorch: only a negative one).
    """
    target = constant(target, op)
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
        # fast: viewed as unsigned, a negative index is huge, so one max() finds every
        # index in [0, C) (the usual batch); only a batch that fails looks closer.
        unsigned = target.view(_UNSIGNED[target.dtype.itemsize])
        if target.size and unsigned.max() >= c:
            bad = ((target < 0) | (target >= c)) & (target != ignore_index)
            if bad.any():
                raise ValueError(f"{op}: class index {target[bad][0]} is out of range for {c} "
                                 f"classes (valid: 0 to {c - 1}, or ignore_index={ignore_index})")
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
    if ignore_index >= 0:
        raise ValueError(f"{op}: ignore_index={ignore_index} applies to class indices only, "
                         "not to probability rows (as in PyTorch); give such a row zero weight "
                         "by dropping it from the batch instead")
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


def class_weights(weight: TensorLike | None, n_classes: int, op: str) -> np.ndarray | None:
    """`weight` as a float ndarray of shape (C,), or None; a clear error otherwise."""
    if weight is None:
        return None
    not_a_reduction(weight, op)
    weight = constant(weight, op)
    if weight.dtype.kind not in "fiu" or weight.shape != (n_classes,):
        raise ValueError(f"{op}: weight must hold one number per class, shape ({n_classes},), "
                         f"got shape {weight.shape} and dtype {weight.dtype}")
    return weight


def not_a_reduction(weight: object, op: str) -> None:
    """A TypeError for a string passed as weight: a reduction in PyTorch's weight position."""
    if isinstance(weight, str):
        raise TypeError(f"{op}: weight must be an array of class weights, got the string "
                        f"{weight!r}. The first option is weight, as in PyTorch; pass the "
                        f"reduction by name: reduction={weight!r}")


def constant(value: TensorLike, op: str) -> np.ndarray:
    """A target as an ndarray; gradients never flow to it, so one that wants them is an error."""
    if isinstance(value, Tensor):
        if value.requires_grad:
            raise ValueError(f"{op}: the target requires grad, but this loss treats it as a "
                             "constant and no gradient would reach it. Pass target.detach()")
        return value.data
    return np.asarray(value)


def one_hot(indices: TensorLike, num_classes: int = -1) -> Tensor:
    """Class indices as one-hot rows: out[..., k] = 1 where indices == k, else 0 (int64).

    Args:
        indices: integers of any shape (a Tensor, an ndarray or a list), each >= 0.
        num_classes: the length of each row; -1 (the default) takes max(indices) + 1.

    Returns:
        An int64 Tensor of shape indices.shape + (num_classes,), as PyTorch's (convert it
        with .astype(np.float32) to use it as a probability target).

    Raises:
        TypeError: for indices that are not integers.
        ValueError: for a negative index, or one not smaller than num_classes.

    >>> import minigrad as mg
    >>> mg.nn.F.one_hot(mg.tensor([0, 2, 1]))
    tensor([[1, 0, 0],
            [0, 0, 1],
            [0, 1, 0]])
    """
    indices = np.asarray(indices.data if isinstance(indices, Tensor) else indices)
    if indices.dtype.kind not in "iu":
        raise TypeError(f"one_hot: expected integer class indices, got dtype {indices.dtype}; "
                        "convert with .astype(np.int64) if the values are whole numbers")
    if indices.size and indices.min() < 0:
        raise ValueError(f"one_hot: class values must be non-negative, found {indices.min()}")
    if num_classes == -1:
        num_classes = int(indices.max()) + 1 if indices.size else 0
    elif indices.size and indices.max() >= num_classes:
        raise ValueError(f"one_hot: class value {indices.max()} is not smaller than "
                         f"num_classes={num_classes}")
    return wrap((indices[..., None] == np.arange(num_classes)).astype(np.int64))
