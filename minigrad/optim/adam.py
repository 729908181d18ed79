"""`Adam` and `AdamW`: adaptive moment estimation, with L2 or decoupled weight decay."""
from __future__ import annotations

import numpy as np

from minigrad.optim.optimizer import Optimizer, Params, check_hyperparameter


class Adam(Optimizer):
    """Adam (Kingma & Ba, 2015), PyTorch's update rule.

    For each parameter theta with gradient g, at step t = 1, 2, ... (m = v = 0 at first):

        g = g + weight_decay * theta               (L2 penalty, coupled)
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g^2
        m_hat = m / (1 - beta1^t),   v_hat = v / (1 - beta2^t)
        theta = theta - lr * m_hat / (sqrt(v_hat) + eps)

    Args:
        params: the tensors to train (e.g. `model.parameters()`), or parameter groups
            (dicts, see `Optimizer`).
        lr: the learning rate.
        betas: (beta1, beta2), the decay rates of the moment estimates, each in [0, 1).
        eps: added to the denominator for stability, >= 0.
        weight_decay: L2 penalty coefficient, >= 0.

    Raises:
        ValueError: for an empty parameter list or a bad hyperparameter.

    >>> import minigrad as mg
    >>> w = mg.tensor([1.0, -2.0], requires_grad=True)
    >>> opt = mg.optim.Adam([w], lr=0.1)
    >>> (w * w).sum().backward()
    >>> opt.step()      # the first step moves each weight by lr against its gradient's sign
    >>> w
    tensor([ 0.9, -1.9], requires_grad=True)
    """

    decoupled = False

    def __init__(self, params: Params, lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0) -> None:
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay))

    def check_options(self, group):
        super().check_options(group)
        name = type(self).__name__
        beta1, beta2 = group["betas"]
        group["betas"] = (check_hyperparameter(name, "beta1", beta1, high=1.0, high_open=True),
                          check_hyperparameter(name, "beta2", beta2, high=1.0, high_open=True))
        group["eps"] = check_hyperparameter(name, "eps", group["eps"])
        group["weight_decay"] = check_hyperparameter(name, "weight_decay", group["weight_decay"])

    def update(self, theta, g, state, group):
        lr, (beta1, beta2), weight_decay = group["lr"], group["betas"], group["weight_decay"]
        if weight_decay:
            if self.decoupled:
                theta -= lr * weight_decay * theta
            else:
                g = g + weight_decay * theta
        if not state:
            state["step"] = 0
            state["exp_avg"] = np.zeros_like(theta)
            state["exp_avg_sq"] = np.zeros_like(theta)
        state["step"] += 1
        t, m, v = state["step"], state["exp_avg"], state["exp_avg_sq"]
        m *= beta1  # the moment buffers are ours: in place is safe
        m += (1 - beta1) * g
        v *= beta2
        v += (1 - beta2) * g * g
        m_hat = m / (1 - beta1 ** t)
        v_hat = v / (1 - beta2 ** t)
        theta -= lr * m_hat / (np.sqrt(v_hat) + group["eps"])


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter, 2019), PyTorch's rule.

    The decay shrinks the weights directly instead of entering the gradient, so it is
    not rescaled by the adaptive denominator. At step t:

        theta = theta - lr * weight_decay * theta
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g^2
        m_hat = m / (1 - beta1^t),   v_hat = v / (1 - beta2^t)
        theta = theta - lr * m_hat / (sqrt(v_hat) + eps)

    Args:
        params, lr, betas, eps: as Adam.
        weight_decay: the decoupled decay coefficient, >= 0 (default 1e-2, as PyTorch).

    Raises:
        ValueError: for an empty parameter list or a bad hyperparameter.

    >>> import minigrad as mg
    >>> w = mg.tensor([1.0, -2.0], requires_grad=True)
    >>> opt = mg.optim.AdamW([w], lr=0.1, weight_decay=0.5)
    >>> (w * w).sum().backward()
    >>> opt.step()      # w * (1 - 0.1 * 0.5), then -0.1 * sign(grad)
    >>> w
    tensor([ 0.85, -1.8 ], requires_grad=True)
    """

    decoupled = True

    def __init__(self, params: Params, lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 1e-2) -> None:
        super().__init__(params, lr, betas, eps, weight_decay)
