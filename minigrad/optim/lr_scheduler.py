"""Learning-rate schedules: `StepLR`, `MultiStepLR`, `ExponentialLR`, `CosineAnnealingLR`,
`LambdaLR`, and `ReduceLROnPlateau`, which follows a measured metric instead of the epoch.

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
from collections import Counter
from typing import Any, Callable, Iterable

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


class MultiStepLR(LRScheduler):
    """Multiply each group's lr by gamma at each milestone epoch.

    Closed form: lr = initial_lr * gamma ** (the number of milestones <= last_epoch); a
    milestone listed twice applies gamma twice, as in PyTorch.

    Args:
        optimizer: the Optimizer.
        milestones: epoch indices (ints >= 1), in any order.
        gamma: the factor (default 0.1).
        last_epoch: as LRScheduler.

    Raises:
        ValueError: for a milestone that is not an int >= 1, or a bad gamma.

    >>> import minigrad as mg
    >>> opt = mg.optim.SGD([mg.nn.Parameter([1.0])], lr=1.0)
    >>> sched = mg.optim.lr_scheduler.MultiStepLR(opt, milestones=[1, 3], gamma=0.5)
    >>> rates = []
    >>> for epoch in range(5):
    ...     rates.append(sched.get_last_lr()[0]); opt.step(); sched.step()
    >>> rates
    [1.0, 0.5, 0.5, 0.25, 0.25]
    """

    def __init__(self, optimizer: Optimizer, milestones: Iterable[int], gamma: float = 0.1,
                 last_epoch: int = -1) -> None:
        self.milestones = Counter(_check_period("MultiStepLR", "milestone", m) for m in milestones)
        self.gamma = check_hyperparameter("MultiStepLR", "gamma", gamma)
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        times = self.milestones.get(self.last_epoch, 0)
        return [lr * self.gamma ** times for lr in self._current()]


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


class ReduceLROnPlateau:
    """Multiply each group's lr by `factor` when a metric has stopped improving, as PyTorch.

    Called once per epoch with the metric (`scheduler.step(val_loss)`). An epoch improves
    on the best value so far when, in mode "min" (for "max", mirrored):
        threshold_mode "rel":  metric < best * (1 - threshold)
        threshold_mode "abs":  metric < best - threshold
    After more than `patience` epochs in a row without improvement, every group's rate
    becomes max(lr * factor, min_lr) (unless that changes it by no more than eps), and
    `cooldown` epochs follow in which bad epochs are not counted.

    Args:
        optimizer: the Optimizer.
        mode: "min" (a loss) or "max" (an accuracy).
        factor: the factor, in (0, 1) (default 0.1).
        patience: bad epochs tolerated before a reduction (default 10).
        threshold, threshold_mode: what counts as an improvement (above; 1e-4, "rel").
        cooldown: epochs to wait after a reduction (default 0).
        min_lr: the lowest rate, one number or one per group (default 0).
        eps: the smallest change of rate worth making (default 1e-8).

    Raises:
        ValueError: for a bad mode, threshold_mode, factor or patience, or a min_lr list
            of the wrong length.
        TypeError: if optimizer is not an Optimizer.

    >>> import minigrad as mg
    >>> opt = mg.optim.SGD([mg.nn.Parameter([1.0])], lr=1.0)
    >>> plateau = mg.optim.lr_scheduler.ReduceLROnPlateau(opt, factor=0.5, patience=1)
    >>> for val_loss in [3.0, 2.0, 2.0, 2.0, 1.0, 1.0, 1.0]:
    ...     plateau.step(val_loss)
    >>> plateau.get_last_lr()
    [0.25]
    """

    def __init__(self, optimizer: Optimizer, mode: str = "min", factor: float = 0.1,
                 patience: int = 10, threshold: float = 1e-4, threshold_mode: str = "rel",
                 cooldown: int = 0, min_lr: float | list[float] = 0.0,
                 eps: float = 1e-8) -> None:
        name = "ReduceLROnPlateau"
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{name}: expected an optimizer such as mg.optim.SGD(...), got "
                            f"{type(optimizer).__name__}")
        if mode not in ("min", "max"):
            raise ValueError(f"{name}: mode must be 'min' or 'max', got {mode!r}")
        if threshold_mode not in ("rel", "abs"):
            raise ValueError(f"{name}: threshold_mode must be 'rel' or 'abs', got "
                             f"{threshold_mode!r}")
        if not 0 < factor < 1:
            raise ValueError(f"{name}: factor must lie in (0, 1), got {factor}")
        if isinstance(patience, bool) or not isinstance(patience, numbers.Integral) or patience < 0:
            raise ValueError(f"{name}: patience must be an int >= 0, got {patience!r}")
        groups = optimizer.param_groups
        if isinstance(min_lr, (list, tuple)):
            if len(min_lr) != len(groups):
                raise ValueError(f"{name}: expected {len(groups)} min_lrs (one per parameter "
                                 f"group), got {len(min_lr)}")
            self.min_lrs: list[float] = [float(m) for m in min_lr]
        else:
            self.min_lrs = [float(min_lr)] * len(groups)
        self.optimizer: Optimizer = optimizer
        self.mode: str = mode
        self.threshold_mode: str = threshold_mode
        self.factor: float = factor
        self.patience: int = int(patience)
        self.threshold: float = threshold
        self.cooldown: int = cooldown
        self.eps: float = eps
        self.best: float = math.inf if mode == "min" else -math.inf  # the worst value
        self.num_bad_epochs: int = 0  # epochs in a row without improvement
        self.cooldown_counter: int = 0  # epochs of cooldown left
        self.last_epoch: int = 0
        self._last_lr: list[float] = [group["lr"] for group in groups]

    def step(self, metrics: Any) -> None:
        """Record this epoch's metric (a number, or a one-element tensor or array) and
        reduce the rates if it is time to."""
        current = float(metrics.item() if hasattr(metrics, "item") else metrics)
        self.last_epoch += 1
        if self.is_better(current, self.best):
            self.best = current
            self.num_bad_epochs = 0
        else:
            self.num_bad_epochs += 1
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0  # bad epochs in the cooldown do not count
        if self.num_bad_epochs > self.patience:
            for group, min_lr in zip(self.optimizer.param_groups, self.min_lrs):
                new_lr = max(group["lr"] * self.factor, min_lr)
                if group["lr"] - new_lr > self.eps:
                    group["lr"] = new_lr
            self.cooldown_counter = self.cooldown
            self.num_bad_epochs = 0
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def is_better(self, metric: float, best: float) -> bool:
        """Whether `metric` improves on `best` by more than the threshold (PyTorch's
        formulas: "rel" scales best itself, so for a negative best the bar is lower)."""
        if self.threshold_mode == "rel":
            if self.mode == "min":
                return metric < best * (1 - self.threshold)
            return metric > best * (1 + self.threshold)
        if self.mode == "min":
            return metric < best - self.threshold
        return metric > best + self.threshold

    def get_last_lr(self) -> list[float]:
        """The learning rates after the last `step()`, one per group."""
        return list(self._last_lr)

    def state_dict(self) -> dict[str, Any]:
        """Everything but the optimizer, as PyTorch."""
        return {k: v for k, v in self.__dict__.items() if k != "optimizer"}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore a `state_dict()` (load the optimizer's state too)."""
        self.__dict__.update(state_dict)
