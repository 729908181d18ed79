"""`SGD`: stochastic gradient descent with optional momentum, Nesterov and weight decay."""
from minigrad.optim.optimizer import Optimizer, check_hyperparameter


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
        params: the tensors to train (e.g. `model.parameters()`).
        lr: the learning rate.
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

    def __init__(self, params, lr, momentum=0, nesterov=False, weight_decay=0):
        super().__init__(params, lr)
        self.momentum = check_hyperparameter("SGD", "momentum", momentum)
        self.weight_decay = check_hyperparameter("SGD", "weight_decay", weight_decay)
        if nesterov and self.momentum == 0:
            raise ValueError("SGD: nesterov=True needs momentum > 0")
        self.nesterov = bool(nesterov)

    def update(self, theta, g, state):
        if self.weight_decay:
            g = g + self.weight_decay * theta
        if self.momentum:
            if "momentum_buffer" not in state:
                state["momentum_buffer"] = g.copy()
            else:
                b = state["momentum_buffer"]
                b *= self.momentum  # our own buffer: safe to update in place
                b += g
            b = state["momentum_buffer"]
            g = g + self.momentum * b if self.nesterov else b
        theta -= self.lr * g

    def hyperparameters(self):
        return (f"lr={self.lr}, momentum={self.momentum}, nesterov={self.nesterov}, "
                f"weight_decay={self.weight_decay}")
