"""Loss modules: thin wrappers that hold a loss's options and call `mg.nn.functional`."""
from minigrad.nn import functional as F
from minigrad.nn.module import Module


class _ReducedLoss(Module):
    """What every loss module holds: how to reduce the per-sample losses."""

    def __init__(self, reduction="mean"):
        super().__init__()
        self.reduction = F.check_reduction(reduction, type(self).__name__)

    def extra_repr(self):
        return f"reduction={self.reduction!r}"


class CrossEntropyLoss(_ReducedLoss):
    """Softmax cross-entropy of logits (N, C) against class indices (N,) or probabilities (N, C).

    Args:
        reduction: "mean" (default), "sum" or "none".
        fused: one SoftmaxNLL tape entry (default) or the unfused chain; same values.
        label_smoothing: mix the target with the uniform distribution by this amount.

    >>> import minigrad as mg, numpy as np
    >>> loss = mg.nn.CrossEntropyLoss()(mg.zeros(2, 4), np.array([0, 3]))
    >>> round(loss.item(), 6)   # log 4
    1.386294
    """

    def __init__(self, reduction="mean", fused=True, label_smoothing=0.0):
        super().__init__(reduction)
        self.fused, self.label_smoothing = fused, label_smoothing

    def forward(self, logits, target):
        return F.cross_entropy(logits, target, reduction=self.reduction, fused=self.fused,
                               label_smoothing=self.label_smoothing)



class MSELoss(_ReducedLoss):
    """Mean squared error, (input - target)^2 reduced by mean (default), sum or none.

    >>> import minigrad as mg
    >>> mg.nn.MSELoss()(mg.tensor([1.0, 3.0]), mg.tensor([0.0, 0.0])).item()
    5.0
    """

    def forward(self, input, target):
        return F.mse_loss(input, target, reduction=self.reduction)



class BCEWithLogitsLoss(_ReducedLoss):
    """Binary cross-entropy of sigmoid(input) against targets in [0, 1], computed stably
    from the logits: max(x, 0) - x y + log(1 + exp(-|x|)).

    >>> import minigrad as mg
    >>> loss = mg.nn.BCEWithLogitsLoss()(mg.zeros(3), mg.tensor([0.0, 1.0, 1.0]))
    >>> round(loss.item(), 6)   # log 2
    0.693147
    """

    def forward(self, input, target):
        return F.binary_cross_entropy_with_logits(input, target, reduction=self.reduction)

