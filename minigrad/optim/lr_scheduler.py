"""Learning-rate schedules: `StepLR`, `ExponentialLR`, `CosineAnnealingLR`, `LambdaLR`.

As in PyTorch, a scheduler changes `optimizer.param_groups[i]["lr"]`, the value the next
`optimizer.step()` reads, and is stepped once per epoch after the optimizer:

    for epoch in range(epochs):
        train_one_epoch(model, optimizer)      # optimizer.step() for every batch
        scheduler.step()

Creating a scheduler records each group's starting rate as `group["initial_lr"]` (the
`base_lrs`) and counts epochs in `last_epoch` (0 after construction). StepLR,
ExponentialLR and CosineAnnealingLR update the current rate by PyTorch's recurrences
(so they compose with other changes to the rate); with nothing else changing it, each
follows the closed form stated in its docstring. LambdaLR is the closed form itself.
"""
from __future__ import annotations

import math
import numbers
import warnings
from typing import Any, Callable

from minigrad.optim.optimizer import Optimizer, check_hyperparameter


class LRScheduler:
    """The base class: `step()` moves to the next epoch and writes every group's lr.

    Subclasses define `get_lr()`: the new rate of each group, from `self.last_epoch`
    (already advanced), `self.base_lrs` and the groups' current rates.

    Args:
        optimizer: the Optimizer whose learning rates to schedule.
        last_epoch: the index of the last epoch; -1 (the default) starts afresh, a
            larger value resumes a run (every group must then have "initial_lr").

    Raises:
        TypeError: if optimizer is not an Optimizer.
        KeyError: when resuming and a group has no "initial_lr".

    A schedule of one's own is a subclass that defines `get_lr`:

    >>> import minigrad as mg
    >>> class Halving(mg.optim.lr_scheduler.LRScheduler):
    ...     def get_lr(self):  # initial_lr / 2 ** epoch, a closed form
    ...         return [base / 2 ** self.last_epoch for base in self.base_lrs]
    >>> opt = mg.optim.SGD([mg.nn.Parameter([1.0])], lr=0.8)
    >>> halving = Halving(opt)
    >>> opt.step(); halving.step(); opt.step(); halving.step()
    >>> halving.last_epoch, opt.param_groups[0]["lr"]
    (2, 0.2)
    """

    def __init__(self, optimizer: Optimizer, last_epoch: int = -1) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{type(self).__name__}: expected an optimizer such as "
                            f"mg.optim.SGD(...), got {type(optimizer).__name__}")
        self.optimizer = optimizer
        if last_epoch == -1:
            for group in optimizer.param_groups:
                group.setdefault("initial_lr", group["lr"])
        else:
            for i, group in enumerate(optimizer.param_groups):
                if "initial_lr" not in group:
                    raise KeyError(f"{type(self).__name__}: param_groups[{i}] has no "
                                   "'initial_lr', so the run cannot be resumed at "
                                   f"last_epoch={last_epoch}; pass last_epoch=-1 to start afresh")
        self.base_lrs = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        self._step_count = 0
        self._initial = True  # the constructor's step sets epoch 0 (or resumes) in place
        self.step()
        self._initial = False

    def get_lr(self):
        """The learning rate of each group for epoch `self.last_epoch`."""
        raise NotImplementedError(f"{type(self).__name__} must define get_lr()")

    def step(self, epoch: int | None = None) -> None:
        """Advance one epoch and set each group's lr (call it after `optimizer.step()`).

        Raises:
            TypeError: for an epoch argument (PyTorch has deprecated it).
        """
        if epoch is not None:
            raise TypeError(f"{type(self).__name__}.step(epoch) is deprecated in PyTorch and "
                            "not supported here; call scheduler.step() once per epoch")
        if self._step_count == 1 and self.optimizer._step_calls == 0:
            warnings.warn("scheduler.step() was called before optimizer.step(): the first "
                          "value of the schedule is skipped. Call optimizer.step() first, then "
                          "scheduler.step(), as in PyTorch", UserWarning, stacklevel=2)
        self._step_count += 1
        self.last_epoch += 1
        for group, lr in zip(self.optimizer.param_groups, self.get_lr()):
            group["lr"] = float(lr)
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def get_last_lr(self):
        """The learning rates the last `step()` set, one per group."""
        return list(self._last_lr)

    def state_dict(self) -> dict[str, Any]:
        """Everything but the optimizer (and LambdaLR's functions), as PyTorch."""
        return {k: v for k, v in self.__dict__.items() if k not in ("optimizer", "lr_lambdas")}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore a `state_dict()` (load the optimizer's state too)."""
        self.__dict__.update(state_dict)

    def _current(self):
        return [group["lr"] for group in self.optimizer.param_groups]


class StepLR(LRScheduler):
    """Multiply each group's lr by gamma every `step_size` epochs.

    Closed form: lr = initial_lr * gamma ** (last_epoch // step_size).

    Args:
        optimizer: the Optimizer.
        step_size: the period of the decay, in epochs (an int >= 1).
        gamma: the factor (default 0.1).
        last_epoch: as LRScheduler.

    Raises:
        ValueError: for a bad step_size or gamma.

    >>> import minigrad as mg
    >>> opt = mg.optim.SGD([mg.nn.Parameter([1.0])], lr=1.0)
    >>> sched = mg.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
    >>> rates = []
    >>> for epoch in range(5):
    ...     rates.append(sched.get_last_lr()[0]); opt.step(); sched.step()
    >>> rates
    [1.0, 1.0, 0.5, 0.5, 0.25]
    """

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1,
                 last_epoch: int = -1) -> None:
        self.step_size = _check_period("StepLR", "step_size", step_size)
        self.gamma = check_hyperparameter("StepLR", "gamma", gamma)
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return self._current()
        return [lr * self.gamma for lr in self._current()]


class ExponentialLR(LRScheduler):
    """Multiply each group's lr by gamma every epoch.

    Closed form: lr = initial_lr * gamma ** last_epoch.

    Args:
        optimizer: the Optimizer.
        gamma: the factor per epoch.
        last_epoch: as LRScheduler.

    Raises:
        ValueError: for a bad gamma.

    >>> import minigrad as mg
    >>> opt = mg.optim.SGD([mg.nn.Parameter([1.0])], lr=1.0)
    >>> sched = mg.optim.lr_scheduler.ExponentialLR(opt, gamma=0.5)
    >>> for _ in range(3):
    ...     opt.step(); sched.step()
    >>> sched.get_last_lr(), opt.param_groups[0]["lr"]
    ([0.125], 0.125)
    """

    def __init__(self, optimizer: Optimizer, gamma: float, last_epoch: int = -1) -> None:
        self.gamma = check_hyperparameter("ExponentialLR", "gamma", gamma)
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        if self._initial:
            return self._current()
        return [lr * self.gamma for lr in self._current()]


class CosineAnnealingLR(LRScheduler):
    """Anneal each group's lr from its initial value to eta_min along half a cosine.

    Closed form (SGDR without restarts, Loshchilov & Hutter, 2017), with t = last_epoch:

        lr = eta_min + (initial_lr - eta_min) * (1 + cos(pi * t / T_max)) / 2

    so lr = eta_min at t = T_max; beyond it the cosine rises again, as in PyTorch. The
    rate is updated by PyTorch's recurrence, which follows the closed form when nothing
    else changes it:

        lr_t = eta_min + (lr_{t-1} - eta_min) * (1 + cos(pi t / T_max)) / (1 + cos(pi (t-1) / T_max))

    (and, at the epochs after each minimum, where that ratio is 0/0,
    lr_t = lr_{t-1} + (initial_lr - eta_min) * (1 - cos(pi / T_max)) / 2).

    Args:
        optimizer: the Optimizer.
        T_max: the number of epochs from the initial rate to eta_min (an int >= 1).
        eta_min: the smallest rate (default 0).
        last_epoch: as LRScheduler.

    Raises:
        ValueError: for a bad T_max or eta_min.

    >>> import minigrad as mg
    >>> opt = mg.optim.SGD([mg.nn.Parameter([1.0])], lr=1.0)
    >>> sched = mg.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=2)
    >>> rates = []
    >>> for epoch in range(3):
    ...     opt.step(); sched.step(); rates.append(round(sched.get_last_lr()[0], 12))
    >>> rates
    [0.5, 0.0, 0.5]
    """

    def __init__(self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0,  # noqa: N803
                 last_epoch: int = -1) -> None:  # T_max: PyTorch's name
        self.T_max = _check_period("CosineAnnealingLR", "T_max", T_max)
        self.eta_min = check_hyperparameter("CosineAnnealingLR", "eta_min", eta_min)
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        t, t_max, eta_min = self.last_epoch, self.T_max, self.eta_min
        if self._initial:
            return self._current()
        if (t - 1 - t_max) % (2 * t_max) == 0:  # just past a minimum: the ratio below is 0/0
            return [lr + (base - eta_min) * (1 - math.cos(math.pi / t_max)) / 2
                    for lr, base in zip(self._current(), self.base_lrs)]
        ratio = (1 + math.cos(math.pi * t / t_max)) / (1 + math.cos(math.pi * (t - 1) / t_max))
        return [eta_min + (lr - eta_min) * ratio for lr in self._current()]


class LambdaLR(LRScheduler):
    """Set each group's lr to its initial lr times a function of the epoch.

    Closed form: lr = initial_lr * lr_lambda(last_epoch) (applied at construction too,
    with last_epoch = 0).

    Args:
        optimizer: the Optimizer.
        lr_lambda: a function of the epoch (an int) returning a factor, or a list of
            such functions, one per parameter group.
        last_epoch: as LRScheduler.

    Raises:
        TypeError: if lr_lambda is not callable (or a list of callables).
        ValueError: if a list does not have one function per group.

    >>> import minigrad as mg
    >>> opt = mg.optim.SGD([mg.nn.Parameter([1.0])], lr=0.1)
    >>> warmup = mg.optim.lr_scheduler.LambdaLR(opt, lambda epoch: min(1.0, (epoch + 1) / 4))
    >>> [round(lr, 12) for lr in warmup.get_last_lr()]
    [0.025]
    """

    def __init__(self, optimizer: Optimizer,
                 lr_lambda: Callable[[int], float] | list[Callable[[int], float]],
                 last_epoch: int = -1) -> None:
        groups = getattr(optimizer, "param_groups", [])
        if isinstance(lr_lambda, (list, tuple)):
            if len(lr_lambda) != len(groups):
                raise ValueError(f"LambdaLR: expected {len(groups)} lr_lambdas (one per "
                                 f"parameter group), got {len(lr_lambda)}")
            self.lr_lambdas = list(lr_lambda)
        else:
            self.lr_lambdas = [lr_lambda] * len(groups)
        for fn in self.lr_lambdas:
            if not callable(fn):
                raise TypeError(f"LambdaLR: lr_lambda must be a function of the epoch, got "
                                f"{type(fn).__name__}")
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        return [base * fn(self.last_epoch) for fn, base in zip(self.lr_lambdas, self.base_lrs)]


def _check_period(scheduler, name, value):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"{scheduler}: {name} must be an int >= 1, got {value!r}")
    return int(value)
