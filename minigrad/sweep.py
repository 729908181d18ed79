"""What both reverse-mode engines share: the seed of a sweep, the checks on the way, and
the errors they raise, so that the reference engine (reference.py) and the fast one
(backward.py) fail in the same words.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from minigrad import versions
from minigrad.primitive import Primitive
from minigrad.tensor import Tensor, wrap
from minigrad.typing import Array, TensorLike


def initial_cotangent(target: Tensor, grad: TensorLike | None, create_graph: bool,
                      caller: str = "backward") -> Array:
    """The seed of the sweep: `grad`, checked against `target`, or 1 for one element."""
    if not isinstance(target, Tensor):
        raise TypeError(f"{caller}: the target must be a Tensor, got {type(target).__name__}")
    if grad is None:
        if target.size != 1:
            raise RuntimeError(
                f"{caller}: grad can be implicitly created only for a one-element output, but "
                f"this output has shape {target.shape}. Pass grad= (an array of that shape), or "
                "reduce the output first, e.g. y.sum().backward()")
        seed = np.ones(target.shape, target.dtype)
    else:
        seed = np.asarray(grad.data if isinstance(grad, Tensor) else grad)
        if seed.shape != target.shape:
            raise RuntimeError(
                f"{caller}: grad has shape {seed.shape} but the output has shape "
                f"{target.shape}; they must match exactly (no broadcasting)")
        if seed.dtype != target.dtype:
            seed = seed.astype(target.dtype)
        if create_graph and isinstance(grad, Tensor):
            return grad
    return wrap(seed) if create_graph else seed


def check_target(target: Tensor, caller: str) -> None:
    """A backward needs a target that some recorded op produced from a tensor needing grad."""
    if not target._requires_grad:
        raise RuntimeError(
            f"{caller}: this tensor does not require grad and has no recorded op. Create the "
            "inputs with requires_grad=True (and not inside mg.no_grad()) before computing it")


def released_graph_error(entry: Primitive, caller: str) -> RuntimeError:
    """The error for differentiating through an entry whose saved arrays were freed."""
    return RuntimeError(
        f"{caller} through a released graph: the saved arrays of '{entry.op}' were freed by "
        "an earlier backward. Pass retain_graph=True to the earlier backward() if you need "
        "to differentiate through this graph again")


def reused_instance_error(entry: Primitive, caller: str) -> RuntimeError:
    """The error for a Primitive instance applied twice (its entry describes only the last)."""
    return RuntimeError(
        f"{caller}: one '{entry.op}' instance was applied more than once, so its tape "
        "entry now describes only the last application. A Primitive instance is one "
        f"tape entry: create a new one per call, e.g. {type(entry).__name__}()(x)")


def checked_cotangent(bar: Any, x: Tensor, entry: Primitive, inputs: tuple[Any, ...]
                      ) -> np.ndarray:
    """A rule's cotangent for input `x` as an ndarray of x's dtype (or a clear error).

    Rules may return NumPy scalars (ufuncs on 0-d arrays do) or promote a float32 input's
    cotangent through a float64 operand; a gradient always has its tensor's dtype.
    """
    if bar is None:
        i = next(k for k, candidate in enumerate(inputs) if candidate is x)
        raise RuntimeError(f"{entry.op}: VJP rule returned None for input {i}, which needs a "
                           "gradient; return its cotangent (None only where needs_grad is False)")
    if isinstance(bar, np.generic):
        bar = np.asarray(bar)
    if bar.dtype != x.dtype:
        bar = bar.astype(x.dtype)
    return bar


def check_saved_values(output: Tensor, caller: str) -> None:
    """Raise if a value the rules of `output`'s entry read was changed in place after the
    entry was recorded (PyTorch's version-counter check, see versions.py)."""
    entry, position, inputs, args = output._entry, output._position, output._inputs, output._args
    assert entry is not None and inputs is not None and args is not None  # recorded, not released
    reads = entry.reads_inputs
    if reads is True or reads is False:
        reads = (reads,) * len(args)
    for i, (x, array, read) in enumerate(zip(inputs, args, reads)):
        if read and isinstance(x, Tensor) and versions.changed_since(array, position):
            raise _changed_in_place_error(x, f"input {i}", entry, caller)
    if entry.reads_output and versions.changed_since(output.data, position):
        raise _changed_in_place_error(output, "its output", entry, caller)


def _changed_in_place_error(tensor: Tensor, role: str, entry: Primitive, caller: str
                            ) -> RuntimeError:
    made_by = f"the output of '{tensor._entry.op}'" if tensor._entry is not None else "a leaf"
    return RuntimeError(
        f"{caller}: a value needed for the gradient was changed in place after it was "
        f"recorded. The tensor ({made_by}, shape {tensor.shape}, dtype {tensor.dtype}, now at "
        f"version {versions.version(tensor.data)}) is {role} of '{entry.op}', whose rules "
        "read it. Change values after backward (e.g. call optimizer.step() after "
        "loss.backward()), or compute with a copy (x.clone()) if the original must change")
