"""The reference engine: reverse mode as a textbook writes it. Start reading here.

Applying an op (`apply`) runs its forward on arrays and, when an input needs a gradient,
records the line of the Wengert list on the output, `out = op(*inputs)`. The reverse
sweep (`reverse_sweep`) then

1. lists every recorded tensor the target depends on in a topological order, each after
   the inputs it was computed from (`topological_order`: a depth-first search with an
   explicit stack, not recursion, so a chain of a million ops works);
2. walks that list backwards, from the target towards the leaves. When it reaches a
   tensor, every op that used it has already run, so its cotangent z_bar is complete;
   the op's VJP rule turns z_bar into cotangents of the op's inputs, and each is added to
   what that input has so far: `bars[x] = bars.get(x, 0) + x_bar`. The addition is the
   multivariate chain rule: a tensor used twice (x * x, fan-out) gets both contributions.
   Once its rule has run, the op's saved arrays are freed (unless retain_graph);
3. gives each leaf its cotangent, added into `.grad`: gradients accumulate across calls.

The engine runs the same Primitive classes as the fast one (backward.py is this file made
fast), raises the same errors and gives the same gradients: the engine tests run on both.
Select it with `with mg.use_engine("reference"):` or MINIGRAD_ENGINE=reference.

>>> import minigrad as mg
>>> x = mg.tensor([1.0, 2.0], requires_grad=True)
>>> with mg.use_engine("reference"):
...     (x * x + x).sum().backward()
>>> x.grad                           # 2x + 1: both uses of x contribute
tensor([3., 5.])
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from minigrad import anomaly, forward_mode, grad_mode, versions
from minigrad.sweep import (check_saved_values, check_target, checked_cotangent,
                            initial_cotangent, released_graph_error, reused_instance_error)
from minigrad.tape import active_tapes, record_on_active_tapes
from minigrad.primitive import Primitive
from minigrad.tensor import Tensor, to_tensor, wrap
from minigrad.typing import Array, TensorLike


def apply(op: Primitive, *inputs: TensorLike | None) -> Tensor:
    """out = op(*inputs): the forward on arrays, recorded when an input needs a gradient."""
    if len(inputs) == 1 and not isinstance(inputs[0], Tensor):
        inputs = (to_tensor(inputs[0], op.op),)  # a one-input op takes what mg.tensor takes
    arrays = tuple(x.data if isinstance(x, Tensor) else x for x in inputs)
    needs_grad = tuple(isinstance(x, Tensor) and x.requires_grad for x in inputs)
    out = wrap(np.asarray(op.forward(*arrays)))
    if grad_mode.is_grad_enabled() and any(needs_grad):
        op.needs_grad = needs_grad
        out._entry, out._inputs, out._args, out._needs = op, inputs, arrays, needs_grad
        out._position = next(versions.positions)  # inputs are always older than outputs
        out._requires_grad = True
        if active_tapes:
            record_on_active_tapes(op, out)
    if forward_mode.state.depth:
        forward_mode.push_tangent(op, inputs, arrays, out)
    return out


def topological_order(target: Tensor, within: set[Tensor] | None = None,
                      caller: str = "backward") -> list[Tensor]:
    """The recorded tensors `target` depends on, each listed after its inputs.

    A depth-first search with an explicit stack: a tensor is pushed once to be expanded
    and once more, beneath its inputs, to be listed after them. Tensors outside `within`
    (a Tape's outputs, when given) count as leaves.
    """
    order: list[Tensor] = []
    visited: set[Tensor] = set()
    stack = [(target, False)]
    while stack:
        tensor, inputs_listed = stack.pop()
        if inputs_listed:
            order.append(tensor)
        elif (tensor not in visited and tensor._entry is not None
              and (within is None or tensor in within)):  # recorded, and inside `within`
            visited.add(tensor)
            if tensor._inputs is None:
                raise released_graph_error(tensor._entry, caller)
            stack.append((tensor, True))
            stack.extend((x, False) for x in tensor._inputs if isinstance(x, Tensor))
    return order


def reverse_sweep(target: Tensor, z_bar: Array, sources: Sequence[Tensor] | None = None,
                  retain_graph: bool = False, create_graph: bool = False,
                  within: set[Tensor] | None = None, caller: str = "backward"
                  ) -> list[Tensor] | None:
    """Pull the cotangent `z_bar` of `target` back to the leaves (or to `sources`).

    Returns None after adding into the leaves' `.grad`, or, with `sources`, their
    cotangents in order (zeros for a source the target does not depend on).
    """
    order = topological_order(target, within, caller)
    bars: dict[Tensor, Any] = {target: z_bar}  # tensor -> its cotangent so far
    wanted = set(sources or ())
    finished: dict[Tensor, Any] = {}
    detect = anomaly.state.enabled
    with grad_mode.set_grad_enabled(create_graph and grad_mode.is_grad_enabled()):
        for output in reversed(order):  # the target first, every consumer before its inputs
            z_bar = bars.pop(output)
            if output in wanted:
                finished[output] = z_bar
            entry, inputs, arrays = output._entry, output._inputs, output._args
            # topological_order listed recorded tensors only, and checked none was released.
            assert entry is not None and inputs is not None and arrays is not None
            if entry.needs_grad is not output._needs:
                raise reused_instance_error(entry, caller)
            check_saved_values(output, caller)
            # Rules see arrays, or under create_graph tensors, so their own ops are recorded.
            z, args = (output, inputs) if create_graph else (output.data, arrays)
            in_bars = entry.checked_vjp(z_bar, z, *args)
            if detect:
                anomaly.check_vjp(output, z_bar, in_bars, caller)
            for x, needs, x_bar in zip(inputs, output._needs, in_bars):
                if needs:
                    x_bar = checked_cotangent(x_bar, x, entry, inputs)
                    bars[x] = bars.get(x, 0) + x_bar
            if not retain_graph:
                output._inputs = output._args = entry.saved = None  # free what it saved
    if sources is not None:
        finished.update(bars)  # what is left: the leaves (and tensors outside `within`)
        return [_as_gradient(s, finished.get(s), create_graph) for s in sources]
    for leaf, bar in bars.items():
        if create_graph:
            leaf.grad = bar if leaf.grad is None else leaf.grad + bar
        else:
            total = bar if leaf.grad is None else leaf.grad.data + bar
            leaf.grad = wrap(np.array(total, dtype=leaf.dtype, order="C"))  # the leaf's own
    return None


def _as_gradient(source: Tensor, bar: Any, create_graph: bool) -> Tensor:
    if bar is None:
        return wrap(np.zeros(source.shape, source.dtype))
    return bar if create_graph else wrap(np.array(bar, dtype=source.dtype))


def backward(target: Tensor, grad: TensorLike | None = None, retain_graph: bool | None = None,
             create_graph: bool = False) -> None:
    """Add d(target)/d(leaf) into `.grad` of every leaf that requires grad."""
    check_target(target, "backward")
    z_bar = initial_cotangent(target, grad, create_graph)
    retain = create_graph if retain_graph is None else retain_graph
    reverse_sweep(target, z_bar, None, retain, create_graph, caller="backward")


def gradient(target: Tensor, sources: Sequence[Tensor], grad: TensorLike | None = None,
             retain_graph: bool = False, create_graph: bool = False,
             within: set[Tensor] | None = None, caller: str = "gradient") -> list[Tensor]:
    """d(target)/d(source) for each source, leaving every `.grad` as it was."""
    z_bar = initial_cotangent(target, grad, create_graph, caller)
    grads = reverse_sweep(target, z_bar, sources, retain_graph, create_graph, within, caller)
    return grads  # type: ignore[return-value]  # a list: sources were given


if __name__ == "__main__":  # python -m minigrad.reference: where a reader starts
    print(__doc__.split(">>>")[0].strip())
    print("\nRead it: " + __file__)
