"""`Optimizer`: the base class that holds parameters, their state, and the learning rate."""
import math
import numbers

import numpy as np

from minigrad import versions
from minigrad.grad_mode import no_grad
from minigrad.tensor import Tensor


class Optimizer:
    """Holds a list of parameters and per-parameter state; subclasses define `update`.

    `step()` runs under no_grad, skips parameters whose grad is None, and writes new
    values into each parameter's array in place. Gradients are only read: their arrays
    may be shared with other tensors, so they are never modified.

    Args:
        params: an iterable of tensors (e.g. `model.parameters()`); duplicates are kept once.
        lr: the learning rate, a finite number >= 0 (change it later via `.lr`).

    Raises:
        ValueError: for an empty parameter list or a bad learning rate.
        TypeError: if a parameter is not a floating Tensor.
    """

    def __init__(self, params, lr):
        if isinstance(params, Tensor):
            raise TypeError(f"{type(self).__name__}: params must be an iterable of tensors "
                            "(e.g. model.parameters()), not a single Tensor; wrap it in a list")
        unique, seen = [], set()
        for p in params:
            if not isinstance(p, Tensor) or p.dtype.kind != "f":
                raise TypeError(f"{type(self).__name__}: can only optimize floating Tensors, "
                                f"got {type(p).__name__}")
            if id(p) not in seen:  # by identity: == on tensors is elementwise
                seen.add(id(p))
                unique.append(p)
        if not unique:
            raise ValueError(f"{type(self).__name__} got an empty parameter list; pass "
                             "model.parameters() of a model that has parameters")
        self.params = unique
        self.lr = check_hyperparameter(type(self).__name__, "lr", lr)
        self.state = [{} for _ in unique]

    def step(self, closure=None):
        """Update every parameter that has a gradient, in place.

        Args:
            closure: optional; a function that recomputes the loss (with backward) first.

        Returns:
            The closure's loss, or None.
        """
        loss = closure() if closure is not None else None
        with no_grad():
            for p, state in zip(self.params, self.state):
                if p.grad is not None:
                    self.update(p.data, np.asarray(p.grad), state)
                    # An in-place change: a graph recorded before this step that reads p
                    # now raises at backward instead of using the new value.
                    versions.note_change(p.data)
        return loss

    def update(self, theta, g, state):
        """Change the array `theta` in place from the gradient `g` (read only) and `state`."""
        raise NotImplementedError(f"{type(self).__name__} must define update()")

    def zero_grad(self):
        """Set every parameter's gradient to None (as PyTorch's default)."""
        for p in self.params:
            p.grad = None

    def __repr__(self):
        return f"{type(self).__name__}({len(self.params)} parameters, {self.hyperparameters()})"

    def hyperparameters(self):
        return f"lr={self.lr}"


def check_hyperparameter(optimizer, name, value, low=0.0, high=math.inf, high_open=False):
    """`value` if it is a finite real number in [low, high] (or [low, high)); else ValueError."""
    if not isinstance(value, numbers.Real) or isinstance(value, bool) or not math.isfinite(value):
        raise ValueError(f"{optimizer}: {name} must be a finite number, got {value!r}")
    if value < low or value > high or (high_open and value == high):
        closing = ")" if high_open else "]"
        raise ValueError(f"{optimizer}: {name} must be in [{low}, {high}{closing}, got {value}")
    return float(value)
