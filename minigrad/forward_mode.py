"""Forward mode: tangents travel beside values, each op pushing them through its JVP rule.

`mg.jvp` attaches a tangent to each input and raises `state.depth`; while it is above
zero every primitive applied to a tensor that carries a tangent also runs its JVP rule.
Tangents are ndarrays (one level of forward mode), and JVP rules run on arrays, so a
JVP costs about one extra forward pass. Because backward with `create_graph=True` is made
of ordinary primitives, forward mode over reverse mode (Hessian-vector products) works.
"""
import numpy as np


class _ForwardMode:
    __slots__ = ("depth",)

    def __init__(self):
        self.depth = 0


state = _ForwardMode()


class dual_level:
    """Context in which tangents attached to tensors are propagated."""

    def __enter__(self):
        state.depth += 1
        return self

    def __exit__(self, *exc):
        state.depth -= 1
        return False


def zero_tangent(value):
    """The tangent of a constant: zeros of its shape and dtype (weak 0 for a Python scalar)."""
    if isinstance(value, np.ndarray):
        return np.zeros_like(value)
    if isinstance(value, np.generic):
        return value.dtype.type(0)
    return type(value)(0)


def push_tangent(primitive, inputs, args, out):
    """Run `primitive`'s JVP rule if any input carries a tangent; attach the result to `out`."""
    tangents = [getattr(x, "_tangent", None) for x in inputs]
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
    out._tangent = z_dot
