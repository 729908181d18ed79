"""Loss modules: thin wrappers that hold a loss's options and call `mg.nn.functional`."""
from __future__ import annotations

import numpy as np

from minigrad import dtypes
from minigrad.nn import functional as F
from minigrad.nn.module import Module
from minigrad.nn.pointwise_losses import check_kl_reduction
from minigrad.nn.targets import not_a_reduction
from minigrad.tensor import Tensor
from minigrad.typing import TensorLike


class _ReducedLoss(Module):
    """What every loss module holds: how to reduce the per-sample losses."""

    def __init__(self, reduction: str = "mean") -> None:
        super().__init__()
        self.reduction = F.check_reduction(reduction, type(self).__name__)

    def extra_repr(self) -> str:
        return f"reduction={self.reduction!r}"


def _hold_weight(loss: Module, weight: TensorLike | None) -> None:
    """`weight` as the loss's buffer (PyTorch keeps it so: it is in the state dict); a
    string there is a reduction in PyTorch's weight position, and says so."""
    not_a_reduction(weight, type(loss).__name__)
    if weight is not None and not isinstance(weight, (np.ndarray, Tensor)):
        weight = dtypes.to_array(weight)
    loss.register_buffer("weight", weight)


class _WeightedLoss(_ReducedLoss):
    """A loss over classes: class weights (a buffer, as PyTorch keeps them, so they are in
    the state dict), ignore_index and the reduction."""

    weight: Tensor | None  # a buffer (see register_buffer)

    def __init__(self, weight: TensorLike | None = None, ignore_index: int = -100,
                 reduction: str = "mean") -> None:
        super().__init__(reduction)
        _hold_weight(self, weight)
        self.ignore_index = ignore_index

    def extra_repr(self) -> str:
        shown = [super().extra_repr()]
        if self.ignore_index != -100:
            shown.append(f"ignore_index={self.ignore_index}")
        return ", ".join(shown)


class CrossEntropyLoss(_WeightedLoss):
    """Softmax cross-entropy of logits (N, C) against class indices (N,) or probabilities (N, C).

    Args:
        weight: a rescaling weight per class, shape (C,), or None.
        ignore_index: rows whose class index equals it add nothing (class indices only).
        reduction: "mean" (default: divided by the summed weights of the rows kept),
            "sum" or "none".
        label_smoothing: mix the target with the uniform distribution by this amount.
        fused: one SoftmaxNLL tape entry (default) or the unfused chain; same values.

    Raises:
        TypeError: for a string as weight (pass the reduction by name).

    >>> import minigrad as mg, numpy as np
    >>> loss = mg.nn.CrossEntropyLoss()(mg.zeros(2, 4), np.array([0, 3]))
    >>> round(loss.item(), 6)   # log 4
    1.386294
    """

    def __init__(self, weight: TensorLike | None = None, *, ignore_index: int = -100,
                 reduction: str = "mean", label_smoothing: float = 0.0,
                 fused: bool = True) -> None:
        super().__init__(weight, ignore_index, reduction)
        self.fused, self.label_smoothing = fused, label_smoothing

    def forward(self, logits: Tensor, target: TensorLike) -> Tensor:
        return F.cross_entropy(logits, target, self.weight, ignore_index=self.ignore_index,
                               reduction=self.reduction, label_smoothing=self.label_smoothing,
                               fused=self.fused)


class NLLLoss(_WeightedLoss):
    """Negative log-likelihood of log-probabilities (N, C), e.g. from LogSoftmax(dim=1).

    Args:
        weight, ignore_index, reduction: as `CrossEntropyLoss`.

    >>> import minigrad as mg, numpy as np
    >>> log_probs = mg.nn.LogSoftmax(dim=1)(mg.zeros(2, 4))
    >>> round(mg.nn.NLLLoss()(log_probs, np.array([0, 3])).item(), 6)   # log 4
    1.386294
    """

    def __init__(self, weight: TensorLike | None = None, *, ignore_index: int = -100,
                 reduction: str = "mean") -> None:
        super().__init__(weight, ignore_index, reduction)

    def forward(self, log_probs: Tensor, target: TensorLike) -> Tensor:
        return F.nll_loss(log_probs, target, self.weight, ignore_index=self.ignore_index,
                          reduction=self.reduction)


class MSELoss(_ReducedLoss):
    """Mean squared error, (input - target)^2 reduced by mean (default), sum or none.

    >>> import minigrad as mg
    >>> mg.nn.MSELoss()(mg.tensor([1.0, 3.0]), mg.tensor([0.0, 0.0])).item()
    5.0
    """

    def forward(self, input: Tensor, target: TensorLike) -> Tensor:  # noqa: A002
        return F.mse_loss(input, target, reduction=self.reduction)


class BCEWithLogitsLoss(_ReducedLoss):
    """Binary cross-entropy of sigmoid(input) against targets in [0, 1], computed stably
    from the logits: max(x, 0) - x y + log(1 + exp(-|x|)).

    >>> import minigrad as mg
    >>> loss = mg.nn.BCEWithLogitsLoss()(mg.zeros(3), mg.tensor([0.0, 1.0, 1.0]))
    >>> round(loss.item(), 6)   # log 2
    0.693147
    """

    def forward(self, input: Tensor, target: TensorLike) -> Tensor:  # noqa: A002
        return F.binary_cross_entropy_with_logits(input, target, reduction=self.reduction)



class L1Loss(_ReducedLoss):
    """Mean absolute error, |input - target| reduced; see `F.l1_loss`.

    >>> import minigrad as mg
    >>> mg.nn.L1Loss()(mg.tensor([1.0, 3.0]), mg.tensor([0.0, 0.0])).item()
    2.0
    """

    def forward(self, input: Tensor, target: TensorLike) -> Tensor:  # noqa: A002
        return F.l1_loss(input, target, reduction=self.reduction)


class SmoothL1Loss(_ReducedLoss):
    """Quadratic below beta, linear above; see `F.smooth_l1_loss`."""

    def __init__(self, reduction: str = "mean", beta: float = 1.0) -> None:
        super().__init__(reduction)
        self.beta = beta

    def forward(self, input: Tensor, target: TensorLike) -> Tensor:  # noqa: A002
        return F.smooth_l1_loss(input, target, reduction=self.reduction, beta=self.beta)


class HuberLoss(_ReducedLoss):
    """Quadratic below delta, linear (slope delta) above; see `F.huber_loss`."""

    def __init__(self, reduction: str = "mean", delta: float = 1.0) -> None:
        super().__init__(reduction)
        self.delta = delta

    def forward(self, input: Tensor, target: TensorLike) -> Tensor:  # noqa: A002
        return F.huber_loss(input, target, reduction=self.reduction, delta=self.delta)


class BCELoss(_ReducedLoss):
    """Binary cross-entropy on probabilities (logs clamped at -100, as PyTorch); see
    `F.binary_cross_entropy`. From logits, BCEWithLogitsLoss is exact and stable."""

    weight: Tensor | None  # a buffer

    def __init__(self, weight: TensorLike | None = None, reduction: str = "mean") -> None:
        super().__init__(reduction)
        _hold_weight(self, weight)

    def forward(self, input: Tensor, target: TensorLike) -> Tensor:  # noqa: A002
        return F.binary_cross_entropy(input, target, self.weight, reduction=self.reduction)


class KLDivLoss(Module):
    """KL divergence of log-probabilities against a target; see `F.kl_div`
    (reduction "mean", "sum", "none" or "batchmean")."""

    def __init__(self, reduction: str = "mean", log_target: bool = False) -> None:
        super().__init__()
        self.reduction = check_kl_reduction(reduction, "KLDivLoss")
        self.log_target = log_target

    def forward(self, input: Tensor, target: TensorLike) -> Tensor:  # noqa: A002
        return F.kl_div(input, target, reduction=self.reduction, log_target=self.log_target)

    def extra_repr(self) -> str:
        return f"reduction={self.reduction!r}"
