"""The fast engine's reverse sweep: reference.py, made fast.

The algorithm is the reference engine's: run the VJP rules from the target back to the
leaves, each tensor's rule after every rule that adds to its cotangent, and sum the
contributions. What differs is bookkeeping, each departure marked `# fast:` with what
it replaces and what it saves (callgrind instruction counts on benchmarks/suite_engine.py's
200-op chain, per op; the sweep's share of the about 29k instructions an op costs):

- No topological order is built first. The tensors waiting for their rule sit in a heap
  ordered by tape position, newest first. Every consumer of a tensor is newer than it (an
  op is recorded after its inputs), so by the time a tensor comes off the heap its
  cotangent is complete. The sweep discovers the graph as it goes.
- Leaves adopt fresh cotangent arrays as their `.grad` instead of copying them.
- The cyclic garbage collector is paused for the sweep.
- The in-place check reads versions only for entries older than the newest in-place
  change (versions.py), which in a training loop is none of them.

Leaves receive their `.grad` only when the sweep is complete, so a sweep that fails
part-way (a released graph, a value changed in place) changes no gradient.
"""
from __future__ import annotations

import gc
import heapq
from typing import Any, Sequence

import numpy as np

from minigrad import anomaly, grad_mode, versions
from minigrad.sweep import (check_saved_values, check_target, checked_cotangent,
                            initial_cotangent, released_graph_error, reused_instance_error)
from minigrad.primitive import Primitive
from minigrad.tensor import Tensor, wrap
from minigrad.typing import Array, TensorLike

_heappush = heapq.heappush
_heappop = heapq.heappop


def backward(target: Tensor, grad: TensorLike | None = None, retain_graph: bool | None = None,
             create_graph: bool = False) -> None:
    """Accumulate d(target)/d(leaf) into `.grad` of each leaf that requires grad."""
    check_target(target, "backward")
    z_bar = initial_cotangent(target, grad, create_graph)
    retain = create_graph if retain_graph is None else retain_graph
    # fast: the cyclic collector is paused for the sweep (about 10% of a small-op
    # backward). The graph holds no reference cycles, so the collector finds nothing in
    # it; but the sweep allocates a few objects per entry while the whole graph is alive,
    # and each collection they trigger re-scans that graph. Reference counting frees as
    # usual. (Set with try/finally, not a context manager: small graphs are common.)
    collector_was_enabled = gc.isenabled()
    gc.disable()
    try:
        reverse_sweep(target, z_bar, None, retain, create_graph, caller="backward")
    finally:
        if collector_was_enabled:
            gc.enable()


def gradient(target: Tensor, sources: Sequence[Tensor], grad: TensorLike | None = None,
             retain_graph: bool = False, create_graph: bool = False,
             within: set[Tensor] | None = None, caller: str = "gradient") -> list[Tensor]:
    """d(target)/d(source) for each source, leaving every `.grad` untouched.

    Sources may be leaves or intermediate tensors. A source the target does not depend on
    gets zeros. With `create_graph` the results are recorded tensors (for higher orders).
    """
    z_bar = initial_cotangent(target, grad, create_graph, caller)
    grads = reverse_sweep(target, z_bar, sources, retain_graph, create_graph, within, caller)
    return grads  # type: ignore[return-value]  # a list: sources were given


def reverse_sweep(target: Tensor, z_bar: Array, sources: Sequence[Tensor] | None,
                  retain_graph: bool, create_graph: bool, within: set[Tensor] | None = None,
                  caller: str = "gradient") -> list[Tensor] | None:
    """Run the VJP rules from `target` back to the leaves, newest entry first.

    Args:
        target: the tensor whose cotangent is `z_bar`.
        sources: None to accumulate into leaves' `.grad`; else the tensors whose
            cotangents to return, in order.
        within: None, or the set of recorded tensors whose rules may run (a Tape's
            outputs); a tensor outside it is treated like a leaf.
        caller: the name errors report.
    """
    seed = z_bar
    bars = {target: z_bar}  # tensor -> its cotangent so far; pending ones, then leaves
    # fast: a heap of (-position, tensor) replaces the reference's topological order: no
    # pass to collect and sort the graph first (that pass cost about 3k instructions).
    heap: list[tuple[int, Tensor]] = []
    if target._entry is not None and (within is None or target in within):
        heap.append((-target._position, target))
    wanted = None if sources is None else set(sources)
    finished: dict[Tensor, Array] = {}  # the complete cotangents of the intermediate tensors that are sources
    last_change = versions.state.last_change  # entries older than this may read a change
    detect = anomaly.state.enabled

    # Rules record only under create_graph. (Set directly, not with a context manager:
    # this runs once per backward, and small graphs are where notebooks live.)
    grad_state = grad_mode.state
    grad_was_enabled = grad_state.enabled
    grad_state.enabled = create_graph and grad_was_enabled
    try:
        pop = bars.pop
        while heap:
            output = _heappop(heap)[1]
            z_bar = pop(output)
            entry: Primitive = output._entry  # type: ignore[assignment]  # recorded: not None
            inputs = output._inputs
            if inputs is None:
                raise released_graph_error(entry, caller)
            needs_grad = entry.needs_grad
            if needs_grad is not output._needs:
                raise reused_instance_error(entry, caller)
            # fast: one comparison instead of a version lookup per saved value.
            if output._position < last_change:
                check_saved_values(output, caller)
            if wanted is not None and output in wanted:
                finished[output] = z_bar
            # fast: `_sweep_vjp` is the rule itself for the built-ins (the spec table
            # checks them; ~900 instructions), and one to three inputs are spelled out as
            # in Primitive.__call__ (CPython inlines positional calls).
            if create_graph:
                in_bars = entry._sweep_vjp(z_bar, output, *inputs)
            else:
                args: tuple[Any, ...] = output._args  # type: ignore[assignment]  # as inputs
                if len(args) == 1:
                    in_bars = entry._sweep_vjp(z_bar, output.data, args[0])
                elif len(args) == 2:
                    in_bars = entry._sweep_vjp(z_bar, output.data, args[0], args[1])
                elif len(args) == 3:
                    in_bars = entry._sweep_vjp(z_bar, output.data, args[0], args[1], args[2])
                else:
                    in_bars = entry._sweep_vjp(z_bar, output.data, *args)
            if in_bars.__class__ is not tuple:
                in_bars = tuple(in_bars) if isinstance(in_bars, list) else (in_bars,)
            if detect:
                anomaly.check_vjp(output, z_bar, in_bars, caller)
            for x, needs, bar in zip(inputs, needs_grad, in_bars):
                if not needs:
                    continue
                # fast: `is not` on dtypes: NumPy shares one dtype object per builtin
                # type, so this is the cheap test; an equal but distinct dtype takes the
                # slow path, as do NumPy scalars and None.
                if bar.__class__ is not np.ndarray or bar.dtype is not x.data.dtype:
                    bar = checked_cotangent(bar, x, entry, inputs)
                previous = bars.get(x)
                if previous is not None:
                    bars[x] = previous + bar
                else:
                    bars[x] = bar
                    if x._entry is not None and (within is None or x in within):
                        _heappush(heap, (-x._position, x))
            if not retain_graph:
                output._inputs = output._args = entry.saved = None  # release the saved arrays
    finally:
        grad_state.enabled = grad_was_enabled

    # What is left in `bars` is complete: the cotangents of leaves (and of tensors
    # outside `within`).
    if sources is not None:
        finished.update(bars)
        return [_finish_source(s, finished.get(s), create_graph) for s in sources]
    handed_out = {id(seed)}  # the seed may be the caller's own array: never adopt it
    for leaf, bar in bars.items():
        _accumulate_leaf(leaf, bar, create_graph, handed_out)
    return None


def _accumulate_leaf(leaf: Tensor, bar: Any, create_graph: bool, handed_out: set[int]) -> None:
    """Add `bar` into leaf.grad; `handed_out` holds the ids of arrays another owner has."""
    if create_graph:
        leaf.grad = bar if leaf.grad is None else leaf.grad + bar
        return
    if bar.__class__ is not np.ndarray:  # a sum of 0-d arrays is a NumPy scalar
        bar = np.asarray(bar)
    if leaf.grad is not None:
        total = leaf.grad.data + bar  # a new array: an old .grad someone kept stays as it was
        leaf.grad = wrap(total if total.__class__ is np.ndarray else np.asarray(total))
    elif bar.base is None and bar.flags.c_contiguous and id(bar) not in handed_out:
        # fast: a fresh row-major array this sweep made (rules return new arrays and never
        # modify their arguments): the leaf can own it, where the reference copies.
        leaf.grad = wrap(bar)
    else:
        # A view (a reshape, a read-only broadcast), the caller's seed, an array another
        # leaf already owns (add passes one array to both inputs), or column-major (a
        # transposed product): copy to a row-major array of the leaf's own, so an
        # optimizer's in-place update reads contiguous memory and touches nothing else.
        leaf.grad = wrap(np.array(bar, dtype=leaf.dtype, order="C"))
    handed_out.add(id(leaf.grad.data))


def _finish_source(source: Tensor, bar: Any, create_graph: bool) -> Tensor:
    if bar is None:
        bar = np.zeros(source.shape, source.dtype)
    elif not create_graph:
        bar = np.array(bar, dtype=source.dtype)
    return bar if isinstance(bar, Tensor) else wrap(bar)
