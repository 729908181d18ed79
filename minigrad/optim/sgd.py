"""`SGD`: stochastic gradient descent with optional momentum, Nesterov and weight decay."""
from __future__ import annotations

from minigrad.optim.optimizer import Optimizer, Params, check_hyperparameter, required


class SGD(Optimizer):
    """Stochastic gradient descent, PyTorch's update rule (with dampening 0).

    For each parameter theta with gradient g, at step t = 1, 2, ...:

        g = g + weight_decay * theta
        if momentum != 0:
            b = g                  (t = 1)
            b = momentum * b + g   (t > 1)
            g = g + momentum * b   if nesterov else   g = b
        theta = theta - lr * g

    Args:
        params: the tensors to train (e.g. `model.parameters()`), or parameter groups
            (dicts, see `Optimizer`).
        lr: the learning rate (required, here or in every group).
        momentum: the momentum factor, >= 0.
        nesterov: use Nesterov momentum (needs momentum > 0).
        weight_decay: L2 penalty coefficient, >= 0 (added to the gradient).

    Raises:
        ValueError: for an empty parameter list, a bad hyperparameter, or nesterov
            without momentum.

    >>> import minigrad as mg
    >>> w = mg.tensor([1.0, 2.0], requires_grad=True)
    >>> opt = mg.optim.SGD([w], lr=0.1)
    >>> (w * w).sum().backward()
    >>> opt.step()
    >>> w
    tensor([0.8, 1.6], requires_grad=True)
    """

    def __init__(self, params: Params, lr: float = required, momentum: float = 0,  # type: ignore[assignment]  # required: PyTorch's marker
                 nesterov: bool = False, weight_decay: float = 0) -> None:
        super().__init__(params, dict(lr=lr, momentum=momentum, nesterov=nesterov,
                                      weight_decay=weight_decay))

    def check_options(self, group):
        super().check_options(group)
        group["momentum"] = check_hyperparameter("SGD", "momentum", group["momentum"])
        group["weight_decay"] = check_hyperparameter("SGD", "weight_decay", group["weight_decay"])
        group["nesterov"] = bool(group["nesterov"])
        if group["nesterov"] and group["momentum"] == 0:
            raise ValueError("SGD: nesterov=True needs momentum > 0")

    def update(self, theta, g, state, group):
        lr, momentum, weight_decay = group["lr"], group["momentum"], group["weight_decay"]
        if weight_decay:
            g = g + weight_decay * theta
        if momentum:
            b = state.get("momentum_buffer")
            if b is None:
                b = state["momentum_buffer"] = g.copy()
            else:
                b *= momentum  # our own buffer: safe to update in place
                b += g
            g = g + momentum * b if group["nesterov"] else b
        theta -= lr * g
