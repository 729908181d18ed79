"""`RMSprop`: each step divided by a running root mean square of the gradient."""
from __future__ import annotations

import numpy as np

from minigrad.optim.optimizer import Optimizer, Params, check_hyperparameter


class RMSprop(Optimizer):
    """RMSprop (Hinton's lecture 6e; centered form: Graves, 2013), PyTorch's update rule.

    For each parameter theta with gradient g, at every step (v = g_avg = b = 0 at first):

        g = g + weight_decay * theta
        v = alpha * v + (1 - alpha) * g^2
        if centered:
            g_avg = alpha * g_avg + (1 - alpha) * g
            v_tilde = v - g_avg^2              (a running variance instead of 2nd moment)
        else:
            v_tilde = v
        if momentum > 0:
            b = momentum * b + g / (sqrt(v_tilde) + eps)
            theta = theta - lr * b
        else:
            theta = theta - lr * g / (sqrt(v_tilde) + eps)

    Args:
        params: the tensors to train (e.g. `model.parameters()`), or parameter groups
            (dicts, see `Optimizer`).
        lr: the learning rate (PyTorch's default 1e-2).
        alpha: the smoothing constant of the running averages, in [0, 1].
        eps: added to the denominator for stability, >= 0.
        weight_decay: L2 penalty coefficient, >= 0 (added to the gradient).
        momentum: the momentum factor, >= 0.
        centered: divide by the running standard deviation of the gradient instead of
            its root mean square.

    Raises:
        ValueError: for an empty parameter list or a bad hyperparameter.

    >>> import minigrad as mg
    >>> w = mg.tensor([1.0, -2.0], requires_grad=True)
    >>> opt = mg.optim.RMSprop([w], lr=0.01, alpha=0.75)
    >>> (w * w).sum().backward()
    >>> opt.step()      # v = 0.25 g^2, so the step is lr * g / (0.5 |g|) = 2 lr * sign(g)
    >>> w
    tensor([ 0.98, -1.98], requires_grad=True)
    """

    def __init__(self, params: Params, lr: float = 1e-2, alpha: float = 0.99,
                 eps: float = 1e-8, weight_decay: float = 0, momentum: float = 0,
                 centered: bool = False) -> None:
        super().__init__(params, dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay,
                                      momentum=momentum, centered=centered))

    def check_options(self, group):
        super().check_options(group)
        group["alpha"] = check_hyperparameter("RMSprop", "alpha", group["alpha"], high=1.0)
        for option in ("eps", "weight_decay", "momentum"):
            group[option] = check_hyperparameter("RMSprop", option, group[option])
        group["centered"] = bool(group["centered"])

    def update(self, theta, g, state, group):
        lr, alpha, eps = group["lr"], group["alpha"], group["eps"]
        if group["weight_decay"]:
            g = g + group["weight_decay"] * theta
        if not state:
            state["step"] = 0
            state["square_avg"] = np.zeros_like(theta)
        state["step"] += 1
        v = state["square_avg"]
        v *= alpha  # the running averages are ours: in place is safe
        v += (1 - alpha) * g * g
        if group["centered"]:
            g_avg = _buffer(state, "grad_avg", theta)
            g_avg *= alpha
            g_avg += (1 - alpha) * g
            denominator = np.sqrt(v - g_avg * g_avg)
        else:
            denominator = np.sqrt(v)
        denominator += eps
        if group["momentum"] > 0:
            b = _buffer(state, "momentum_buffer", theta)
            b *= group["momentum"]
            b += g / denominator
            theta -= lr * b
        else:
            theta -= lr * g / denominator


def _buffer(state, key, theta):
    """state[key], created as zeros on first use (so an option turned on later works)."""
    buffer = state.get(key)
    if buffer is None:
        buffer = state[key] = np.zeros_like(theta)
    return buffer
