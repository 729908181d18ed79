"""Loss modules: thin wrappers that hold a loss's options and call `mg.nn.functional`."""
from minigrad.nn import functional as F
from minigrad.nn.module import Module

_REDUCTIONS = ("mean", "sum", "none")


def _check_reduction(name, reduction):
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{name}: reduction must be one of {_REDUCTIONS}, got {reduction!r}")
    return reduction


class CrossEntropyLoss(Module):
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
        super().__init__()
        self.reduction = _check_reduction("CrossEntropyLoss", reduction)
        self.fused, self.label_smoothing = fused, label_smoothing

    def forward(self, logits, target):
        return F.cross_entropy(logits, target, reduction=self.reduction, fused=self.fused,
                               label_smoothing=self.label_smoothing)

    def extra_repr(self):
        return f"reduction={self.reduction!r}"


class MSELoss(Module):
    """Mean squared error, (input - target)^2 reduced by mean (default), sum or none.

    >>> import minigrad as mg
    >>> mg.nn.MSELoss()(mg.tensor([1.0, 3.0]), mg.tensor([0.0, 0.0])).item()
    5.0
    """

    def __init__(self, reduction="mean"):
        super().__init__()
        self.reduction = _check_reduction("MSELoss", reduction)

    def forward(self, input, target):
        return F.mse_loss(input, target, reduction=self.reduction)

    def extra_repr(self):
        return f"reduction={self.reduction!r}"


class BCEWithLogitsLoss(Module):
    """Binary cross-entropy of sigmoid(input) against targets in [0, 1], computed stably
    from the logits: max(x, 0) - x y + log(1 + exp(-|x|)).

    >>> import minigrad as mg
    >>> loss = mg.nn.BCEWithLogitsLoss()(mg.zeros(3), mg.tensor([0.0, 1.0, 1.0]))
    >>> round(loss.item(), 6)   # log 2
    0.693147
    """

    def __init__(self, reduction="mean"):
        super().__init__()
        self.reduction = _check_reduction("BCEWithLogitsLoss", reduction)

    def forward(self, input, target):
        return F.binary_cross_entropy_with_logits(input, target, reduction=self.reduction)

    def extra_repr(self):
        return f"reduction={self.reduction!r}"
