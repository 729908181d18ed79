"""`Optimizer`: the base class that holds parameter groups, their options and per-parameter state.

As in PyTorch, `param_groups` is a list of dicts, each with its "params" and every option
(lr, momentum, ...), so one model can train its parts at different rates, and a scheduler
changes the rate by writing `group["lr"]`. A subclass states its update rule once, for one
parameter, in `update(theta, g, state, group)`, and reads its options from `group`.
"""
from __future__ import annotations

import math
import numbers
from collections import defaultdict
from typing import Any, Callable, Iterable, Union

import numpy as np

from minigrad import grad_mode, versions
from minigrad.tensor import Tensor

# What an optimizer takes: tensors, or PyTorch's parameter groups (dicts with 'params').
Params = Union[Iterable[Tensor], Iterable[dict[str, Any]]]


class _Required:
    """The default of an option every group must set (SGD's lr), as PyTorch's `required`."""

    def __repr__(self):
        return "<required parameter>"


required = _Required()


class Optimizer:
    """Parameter groups, per-parameter state, and the in-place `step()` built on `update`.

    `step()` runs under no_grad, skips parameters whose grad is None, and writes each
    new value into the parameter's own array. Gradients are only read: their arrays may
    be shared with other tensors, so they are never modified.

    Args:
        params: an iterable of tensors (e.g. `model.parameters()`), or of dicts, each
            a parameter group: {"params": tensors, "lr": ..., other options}. Options a
            group leaves out take the constructor's values (`defaults`). Within a group
            a tensor given twice is kept once.
        defaults: {option: value} for every option of the subclass.

    Raises:
        ValueError: for an empty parameter list, a parameter in two groups, a group
            without a required option, or a bad option value.
        TypeError: if a parameter is not a floating leaf Tensor, or params is a set
            or a single Tensor.

    >>> import minigrad as mg
    >>> body, head = mg.nn.Linear(4, 4, rng=0), mg.nn.Linear(4, 2, rng=1)
    >>> opt = mg.optim.SGD([{"params": body.parameters()},
    ...                     {"params": head.parameters(), "lr": 0.1}], lr=0.01, momentum=0.9)
    >>> [(group["lr"], group["momentum"]) for group in opt.param_groups]
    [(0.01, 0.9), (0.1, 0.9)]
    >>> opt.param_groups[0]["lr"] = 0.001     # the next step uses it (schedulers do this)
    """

    def __init__(self, params: Params, defaults: dict[str, Any]) -> None:
        self.defaults = dict(defaults)
        # parameter -> its state (tensors hash by identity)
        self.state: defaultdict[Tensor, dict] = defaultdict(dict)
        self.param_groups: list[dict[str, Any]] = []
        self._step_calls = 0  # a scheduler stepped before any optimizer step warns
        if isinstance(params, Tensor):
            raise TypeError(f"{type(self).__name__}: params must be an iterable of tensors "
                            "(e.g. model.parameters()) or of dicts, not a single Tensor; "
                            "wrap it in a list")
        groups = list(_ordered(params, type(self).__name__))
        if not groups:
            raise ValueError(f"{type(self).__name__} got an empty parameter list; pass "
                             "model.parameters() of a model that has parameters")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group of parameters with its own options (e.g. a layer unfrozen later).

        Args:
            param_group: {"params": a tensor or an iterable of tensors, option: value, ...};
                options left out take the constructor's values.

        Raises:
            ValueError / TypeError: as the constructor.
        """
        name = type(self).__name__
        if not isinstance(param_group, dict):
            raise TypeError(f"{name}: a parameter group must be a dict with a 'params' entry, "
                            f"got {type(param_group).__name__}")
        if "params" not in param_group:
            raise ValueError(f"{name}: a parameter group needs a 'params' entry")
        params = param_group["params"]
        if isinstance(params, Tensor):
            params = [params]
        group = {"params": _unique_parameters(_ordered(params, name), name)}
        for option, value in param_group.items():
            if option != "params":
                group[option] = value
        for option, default in self.defaults.items():
            if default is required and option not in group:
                raise ValueError(f"{name}: a parameter group did not set {option!r}, and the "
                                 f"constructor has no default for it; pass {option}=... to "
                                 f"{name}(...) or set it in every group")
            group.setdefault(option, default)
        self.check_options(group)
        ids = {id(p) for g in self.param_groups for p in g["params"]}
        if any(id(p) in ids for p in group["params"]):
            raise ValueError(f"{name}: some parameters appear in more than one parameter group")
        self.param_groups.append(group)

    def check_options(self, group):
        """Check `group`'s options, storing each as a float; ValueError for a bad one.

        Subclasses extend it for their own options (see `check_hyperparameter`).
        """
        group["lr"] = check_hyperparameter(type(self).__name__, "lr", group["lr"])

    @property
    def lr(self):
        """The learning rate, when every group has the same one (set: every group's)."""
        rates = {group["lr"] for group in self.param_groups}
        if len(rates) > 1:
            raise AttributeError(f"{type(self).__name__}.lr: the parameter groups have "
                                 f"different learning rates {sorted(rates)}; read "
                                 "optimizer.param_groups[i]['lr'] instead")
        return rates.pop()

    @lr.setter
    def lr(self, value):
        value = check_hyperparameter(type(self).__name__, "lr", value)
        for group in self.param_groups:
            group["lr"] = value

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update every parameter that has a gradient, in place.

        Args:
            closure: optional; a function that recomputes the loss (with backward) first.

        Returns:
            The closure's loss, or None.

        Raises:
            ValueError: if a gradient's shape is not its parameter's.
        """
        loss = closure() if closure is not None else None
        self._step_calls += 1
        update, state = self.update, self.state
        changed: list[np.ndarray] = []
        # Updates are ndarray arithmetic, recorded by nothing; grad mode is off anyway for
        # an update that uses tensors. (Set directly rather than with no_grad(): this runs
        # every step.)
        grad_was_enabled, grad_mode.state.enabled = grad_mode.state.enabled, False
        try:
            for group in self.param_groups:
                for p in group["params"]:
                    grad = p.grad
                    if grad is None:
                        continue
                    theta = p.data
                    g = grad.data if isinstance(grad, Tensor) else np.asarray(grad)
                    if g.shape != theta.shape:  # broadcasting would update silently wrong
                        raise ValueError(
                            f"{type(self).__name__}.step: a parameter of shape {theta.shape} "
                            f"has a gradient of shape {g.shape}; a gradient must have its "
                            "parameter's shape")
                    update(theta, g, state[p], group)
                    changed.append(theta)
        finally:
            grad_mode.state.enabled = grad_was_enabled
            # In-place changes: a graph recorded before this step that reads a parameter
            # now raises at backward instead of using the new value.
            versions.note_changes(changed)
        return loss

    def update(self, theta, g, state, group):
        """Change the array `theta` in place from the gradient `g` (read only), the
        parameter's `state` dict (empty at first) and its group's options."""
        raise NotImplementedError(f"{type(self).__name__} must define update()")

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Clear every parameter's gradient.

        Args:
            set_to_none: True (PyTorch's default) sets `.grad` to None; False fills
                the gradient with zeros in place (a gradient that is part of a recorded
                graph, or read-only, is replaced by new zeros instead).
        """
        for group in self.param_groups:
            for p in group["params"]:
                if set_to_none or p.grad is None:
                    p.grad = None
                elif p.grad.requires_grad or not p.grad.data.flags.writeable:
                    p.grad = Tensor(np.zeros_like(p.grad.data))  # detached, as PyTorch's
                else:
                    p.grad.data.fill(0)
                    versions.note_change(p.grad.data)

    def state_dict(self) -> dict[str, Any]:
        """The optimizer's state: {"state": {index: {...}}, "param_groups": [{...}]}.

        PyTorch's layout: parameters are numbered in order through the groups, each
        group lists the numbers of its parameters, and arrays are copies (so the dict
        is a snapshot that later steps leave alone).

        >>> import minigrad as mg
        >>> w = mg.nn.Parameter([1.0, 2.0])
        >>> mg.optim.SGD([w], lr=0.1, momentum=0.9).state_dict()["param_groups"][0]["params"]
        [0]
        """
        index: dict[int, int] = {}
        groups = []
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            packed["params"] = [index.setdefault(id(p), len(index)) for p in group["params"]]
            groups.append(packed)
        state = {}
        for group in self.param_groups:
            for p in group["params"]:
                if self.state.get(p):
                    state[index[id(p)]] = {k: _copy(v) for k, v in self.state[p].items()}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore options and state saved by `state_dict()` (of an optimizer built on
        the same parameters, in the same order).

        Raises:
            ValueError: if the groups or their sizes differ, or a saved array's shape is
                not its parameter's.
        """
        name = type(self).__name__
        saved_groups = state_dict["param_groups"]
        if len(saved_groups) != len(self.param_groups):
            raise ValueError(f"{name}.load_state_dict: the saved state has {len(saved_groups)} "
                             f"parameter groups, this optimizer {len(self.param_groups)}")
        for k, (saved, group) in enumerate(zip(saved_groups, self.param_groups)):
            if len(saved["params"]) != len(group["params"]):
                raise ValueError(f"{name}.load_state_dict: parameter group {k} has "
                                 f"{len(saved['params'])} parameters in the saved state and "
                                 f"{len(group['params'])} here")
        by_index = {i: p for saved, group in zip(saved_groups, self.param_groups)
                    for i, p in zip(saved["params"], group["params"])}
        state: defaultdict[Tensor, dict] = defaultdict(dict)
        for i, values in state_dict["state"].items():
            p = by_index.get(int(i))
            if p is None:
                raise ValueError(f"{name}.load_state_dict: the saved state has an entry for "
                                 f"parameter {i}, which no saved group lists")
            state[p] = {k: _restored(v, p, k, name) for k, v in values.items()}
        for saved, group in zip(saved_groups, self.param_groups):
            group.update({k: v for k, v in saved.items() if k != "params"})
        self.state = state

    def __repr__(self):
        lines = [f"{type(self).__name__} ("]
        for k, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {k}")
            lines += [f"    {option}: {group[option]}"
                      for option in sorted(group) if option != "params"]
        return "\n".join(lines + [")"])


def _ordered(params, optimizer):
    """`params`, unless it is a set: the order of parameters is what state dicts key on."""
    if isinstance(params, (set, frozenset)):
        raise TypeError(f"{optimizer}: parameters must be in an ordered collection such as a "
                        "list; a set's order changes from run to run")
    return params


def _unique_parameters(params, optimizer):
    """The tensors of one group, each once (by identity: == on tensors is elementwise)."""
    unique, seen = [], set()
    for p in params:
        if not isinstance(p, Tensor) or p.dtype.kind != "f":
            raise TypeError(f"{optimizer}: can only optimize floating Tensors, got "
                            f"{type(p).__name__}" + (f" of dtype {p.dtype}"
                                                     if isinstance(p, Tensor) else ""))
        if p._entry is not None:  # not a leaf
            raise TypeError(f"{optimizer}: can only optimize leaf tensors, but one of shape "
                            f"{p.shape} was computed by '{p._entry.op}'; optimize the "
                            "tensors it was computed from, or pass .detach() of it")
        if id(p) not in seen:
            seen.add(id(p))
            unique.append(p)
    return unique


def _copy(value):
    return value.copy() if isinstance(value, np.ndarray) else value


def _restored(value, p, key, optimizer):
    """A saved state value for parameter p: arrays copied in p's dtype and shape."""
    if isinstance(value, Tensor):
        value = value.data
    if not isinstance(value, np.ndarray):
        return value
    if value.shape != p.shape:
        raise ValueError(f"{optimizer}.load_state_dict: the saved {key!r} has shape "
                         f"{value.shape}, but its parameter has shape {p.shape}")
    return value.astype(p.dtype, copy=True)


def check_hyperparameter(optimizer, name, value, low=0.0, high=math.inf, high_open=False):
    """`value` if it is a finite real number in [low, high] (or [low, high)); else ValueError."""
    if not isinstance(value, numbers.Real) or isinstance(value, bool) or not math.isfinite(value):
        raise ValueError(f"{optimizer}: {name} must be a finite number, got {value!r}")
    if value < low or value > high or (high_open and value == high):
        closing = ")" if high_open else "]"
        raise ValueError(f"{optimizer}: {name} must be in [{low}, {high}{closing}, got {value}")
    return float(value)
