"""Forward mode: tangents travel beside values, each op pushing them through its JVP rule.

`mg.jvp` attaches a tangent to each input and raises `state.depth`; while it is above
zero every primitive applied to a tensor that carries a tangent also runs its JVP rule.
Tangents are ndarrays (one level of forward mode), and JVP rules run on arrays, so a
JVP costs about one extra forward pass. Because backward with `create_graph=True` is made
of ordinary primitives, forward mode over reverse mode (Hessian-vector products) works.

A tangent is stored with the number of the `dual_level` that attached it, and counts only
inside that level: a tensor that leaves one `mg.jvp` (kept by a closure, say) carries no
stale tangent into the next.
"""
import itertools

import numpy as np


class _ForwardMode:
    __slots__ = ("depth", "level")

    def __init__(self):
        self.depth = 0
        self.level = None


state = _ForwardMode()
_levels = itertools.count()


class dual_level:
    """Context in which tangents attached to tensors are propagated."""

    def __enter__(self):
        state.depth += 1
        self._outer, state.level = state.level, next(_levels)
        return self

    def __exit__(self, *exc):
        state.depth -= 1
        state.level = self._outer
        return False


def attach_tangent(tensor, tangent):
    """Give `tensor` a tangent (an ndarray) in the current dual level."""
    tensor._tangent = (state.level, tangent)


def tangent_of(value):
    """The tangent `value` carries in the current dual level, or None."""
    pair = getattr(value, "_tangent", None)
    if pair is None or pair[0] != state.level or not state.depth:
        return None
    return pair[1]


def zero_tangent(value):
    """The tangent of a constant: zeros of its shape and dtype (weak 0 for a Python scalar,
    None for an absent optional input)."""
    if value is None:
        return None
    if isinstance(value, np.ndarray):
        return np.zeros_like(value)
    if isinstance(value, np.generic):
        return value.dtype.type(0)
    return type(value)(0)


def push_tangent(primitive, inputs, args, out):
    """Run `primitive`'s JVP rule if any input carries a tangent; attach the result to `out`."""
    tangents = [tangent_of(x) for x in inputs]
    if all(t is None for t in tangents):
        return
    tangents = [zero_tangent(a) if t is None else t for a, t in zip(args, tangents)]
    z_dot = primitive.jvp(*tangents, out.data, *args)
    z_dot = np.asarray(z_dot)
    if z_dot.shape != out.shape:
        raise RuntimeError(
            f"{primitive.op}: JVP rule returned a tangent of shape {z_dot.shape}, "
            f"but the output has shape {out.shape}")
    if z_dot.dtype != out.dtype:
        z_dot = z_dot.astype(out.dtype)
    attach_tangent(out, z_dot)
