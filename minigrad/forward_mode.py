"""Forward mode: tangents travel beside values, each op pushing them through its JVP rule.

`mg.jvp` opens a level (`dual_level`) and attaches a tangent of that level to each input.
While levels are open, every primitive applied to a tensor that carries a tangent also
runs its JVP rule, once per level, and attaches the output's tangent.

Tangents are differentiable. When an input requires grad (grad mode on) or a tangent
does, the JVP rule runs on Tensors, like a VJP rule under create_graph, so the tangent is
recorded and reverse mode can differentiate it: `mg.grad` of a `mg.jvp`, or
`jacobian(jacobian(f, mode="fwd"), mode="rev")`. Only reverse transforms *outside* a level
can differentiate its tangents, so a variable made inside it (`mg.grad` inside `mg.jvp`,
forward over reverse: the Hessian-vector product) is marked with the depth it was made at
(`_grad_depth`), and its tangents stay plain arrays, at the cost of one forward pass. Levels nest (`jvp` inside `jvp`, forward
over forward): a level's rule runs with only the levels outside it open, so their tangents
flow through the rule's own ops, and the levels are pushed outermost first, so a rule
sees the outer tangent of the output it reuses (exp's JVP is z * x_dot).

A tangent is stored under the number of the level that attached it and counts only
while that level is open: a tensor that leaves one `mg.jvp` (kept by a closure, say)
carries no stale tangent into the next.
"""
from __future__ import annotations

import itertools
from typing import TYPE_CHECKING, Any, Literal, Sequence

import numpy as np

from minigrad import anomaly, grad_mode


class _ForwardMode:
    """`levels`: the open levels, outermost first; `depth`: how many of them ops see now
    (all of them, or fewer while an inner level's JVP rule runs). Primitive.__call__ reads
    `depth` once per op: zero means forward mode is off."""

    __slots__ = ("levels", "depth")

    def __init__(self) -> None:
        self.levels: list[int] = []
        self.depth = 0


state: _ForwardMode = _ForwardMode()
_level_numbers = itertools.count()


class dual_level:
    """Open a new, innermost level of forward mode for the block; `as` gives its number."""

    level: int

    def __enter__(self) -> int:
        self.level = next(_level_numbers)
        state.levels.append(self.level)
        state.depth = len(state.levels)
        return self.level

    def __exit__(self, *exc: object) -> Literal[False]:
        state.levels.pop()
        state.depth = len(state.levels)
        return False


def innermost_level() -> int | None:
    return state.levels[state.depth - 1] if state.depth else None


def attach_tangent(tensor: Tensor, tangent: Array, level: int | None = None) -> None:
    """Give `tensor` a tangent (an ndarray, or a Tensor to differentiate) at `level`
    (default: the innermost open level)."""
    if level is None:
        level = innermost_level()
        if level is None:
            raise RuntimeError("attach_tangent: no forward-mode level is open; attach "
                               "inside `with dual_level() as level:`")
    if tensor._tangent is None:
        tensor._tangent = {}
    tensor._tangent[level] = tangent


def tangent_of(value: object, level: int | None = None) -> Array | None:
    """The tangent `value` carries at `level` (default: the innermost visible one), or None."""
    tangents = getattr(value, "_tangent", None)
    if not tangents or not state.depth:
        return None
    return tangents.get(innermost_level() if level is None else level)


def carries_tangent(value: object) -> bool:
    """Whether `value` carries a tangent of a level that ops see now."""
    tangents = getattr(value, "_tangent", None)
    if not tangents:
        return False
    return any(level in tangents for level in state.levels[:state.depth])


def zero_tangent(value: Any) -> Any:
    """The tangent of a constant: zeros of its shape and dtype (weak 0 for a Python scalar,
    None for an absent optional input)."""
    if value is None:
        return None
    if isinstance(value, np.ndarray):
        return np.zeros_like(value)
    if isinstance(value, np.generic):
        return value.dtype.type(0)
    return type(value)(0)


def push_tangent(primitive: Primitive, inputs: tuple[Any, ...], args: tuple[Any, ...],
                 out: Tensor) -> None:
    """Run `primitive`'s JVP rule for each open level at which an input carries a tangent,
    outermost first, and attach the results to `out`."""
    depth = state.depth
    if out._requires_grad:
        _note_grad_depth(out, inputs)
    for k in range(depth):
        level = state.levels[k]
        tangents = [x._tangent.get(level) if isinstance(x, Tensor) and x._tangent else None
                    for x in inputs]
        if all(t is None for t in tangents):
            continue
        state.depth = k  # the rule's own ops see only the levels outside this one
        try:
            z_dot = _run_rule(primitive, inputs, args, out, tangents, k)
        finally:
            state.depth = depth
        attach_tangent(out, z_dot, level)


def _note_grad_depth(out: Tensor, inputs: tuple[Any, ...]) -> None:
    """`out` depends on variables made inside forward levels only if all its inputs do."""
    inner = depth = None
    for x in inputs:
        if isinstance(x, Tensor) and x._requires_grad:
            depth = getattr(x, "_grad_depth", 0)
            if not depth:
                return
            inner = depth if inner is None else min(inner, depth)
    if inner:
        out._grad_depth = inner


def _run_rule(primitive: Primitive, inputs: tuple[Any, ...], args: tuple[Any, ...],
              out: Tensor, tangents: list[Any], k: int) -> Array:
    """J @ tangents by the JVP rule: on arrays, or on Tensors when the result must be
    differentiable (an input or tangent is being differentiated by an outer transform)."""
    if _differentiable(inputs, tangents, k):
        tangents = [zero_tangent(a) if t is None else t for a, t in zip(args, tangents)]
        tangents = [wrap(t) if isinstance(t, np.ndarray) else t for t in tangents]
        with grad_mode.enable_grad():
            z_dot = primitive.jvp(*tangents, out, *inputs)
        if not isinstance(z_dot, Tensor):
            z_dot = wrap(np.asarray(z_dot))
    else:
        tangents = [zero_tangent(a) if t is None else t.data if isinstance(t, Tensor) else t
                    for a, t in zip(args, tangents)]
        z_dot = np.asarray(primitive.jvp(*tangents, out.data, *args))
    if z_dot.shape != out.shape:
        raise RuntimeError(
            f"{primitive.op}: JVP rule returned a tangent of shape {z_dot.shape}, "
            f"but the output has shape {out.shape}")
    if z_dot.dtype != out.dtype:
        z_dot = z_dot.astype(out.dtype)
    if anomaly.state.enabled:
        anomaly.check_jvp(primitive, out, inputs, tangents, z_dot)
    return z_dot


def _differentiable(inputs: tuple[Any, ...], tangents: Sequence[Any], k: int) -> bool:
    """Whether level k's tangent must be recorded: grad mode is on and an input or tangent
    requires grad with respect to a variable made outside level k, or an outer level is
    open (k > 0) and one of them carries its tangent."""
    values = [v for v in inputs + tuple(tangents) if isinstance(v, Tensor)]
    if grad_mode.state.enabled:
        for v in values:
            if v._requires_grad and getattr(v, "_grad_depth", 0) <= k:
                return True
    return k > 0 and any(carries_tangent(v) for v in values)


# Imported last: tensor.py's own imports reach this module before Tensor exists.
from minigrad.tensor import Tensor, wrap  # noqa: E402
from minigrad.typing import Array  # noqa: E402

if TYPE_CHECKING:
    from minigrad.primitive import Primitive
