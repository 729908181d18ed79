"""Reverse mode: replay the tape backwards, pulling cotangents through each VJP rule.

The sweep keeps the tensors that are waiting for their VJP rule in a heap ordered by
tape position, newest first, and always runs the newest one next. Every consumer of a
tensor is newer than it (an op is recorded after its inputs), so by the time a tensor
comes off the heap, every rule that contributes to its cotangent has already run and its
cotangent (z_bar) is complete. Its rule then turns z_bar into cotangents of its inputs,
which are summed into the cotangents of those inputs, and an input seen for the first
time joins the heap. Nothing recurses, and no separate pass collects the graph first:
the sweep discovers the graph as it goes. Leaves receive their `.grad` when the sweep
is complete, so a sweep that fails part-way (a released graph) changes no gradient.

Cotangents live in a dict local to one sweep, so nothing stale survives between calls.
Without `create_graph` rules see ndarrays and record nothing; with it they see Tensors,
so the backward pass is itself recorded and can be differentiated again.
"""
import gc
import heapq

import numpy as np

from minigrad import grad_mode
from minigrad.tensor import Tensor, wrap

_heappush = heapq.heappush
_heappop = heapq.heappop


def backward(target, grad=None, retain_graph=False, create_graph=False):
    """Accumulate d(target)/d(leaf) into `.grad` of each leaf that requires grad."""
    if not target._requires_grad:
        raise RuntimeError(
            "backward: this tensor does not require grad and has no recorded op. Create the "
            "inputs with requires_grad=True (and not inside mg.no_grad()) before computing it")
    z_bar = initial_cotangent(target, grad, create_graph)
    # Python's cyclic collector is paused for the sweep. The graph holds no reference
    # cycles, so the collector finds nothing in it; but the sweep allocates a few objects
    # per entry while the whole graph is alive, and each collection they trigger re-scans
    # that graph (about 10% of a small-op backward). Reference counting frees as usual.
    collector_was_enabled = gc.isenabled()
    gc.disable()
    try:
        reverse_sweep(target, z_bar, None, retain_graph, create_graph, caller="backward")
    finally:
        if collector_was_enabled:
            gc.enable()


def gradient(target, sources, grad=None, retain_graph=False, create_graph=False):
    """d(target)/d(source) for each source, leaving every `.grad` untouched.

    Sources may be leaves or intermediate tensors. A source the target does not depend on
    gets zeros. With `create_graph` the results are recorded tensors (for higher orders).
    """
    z_bar = initial_cotangent(target, grad, create_graph)
    return reverse_sweep(target, z_bar, sources, retain_graph, create_graph)


def initial_cotangent(target, grad, create_graph):
    """The seed of the sweep: `grad`, checked against target, or 1 for one element."""
    if grad is None:
        if target.size != 1:
            raise RuntimeError(
                f"backward: grad can be implicitly created only for a one-element output, but "
                f"this output has shape {target.shape}. Pass grad= (an array of that shape), or "
                "reduce the output first, e.g. y.sum().backward()")
        seed = np.ones(target.shape, target.dtype)
    else:
        seed = np.asarray(grad.data if isinstance(grad, Tensor) else grad)
        if seed.shape != target.shape:
            raise RuntimeError(
                f"backward: grad has shape {seed.shape} but the output has shape "
                f"{target.shape}; they must match exactly (no broadcasting)")
        if seed.dtype != target.dtype:
            seed = seed.astype(target.dtype)
        if create_graph and isinstance(grad, Tensor):
            return grad
    return wrap(seed) if create_graph else seed


def released_graph_error(entry, caller):
    """The error for differentiating through an entry whose saved arrays were freed."""
    return RuntimeError(
        f"{caller} through a released graph: the saved arrays of '{entry.op}' were freed by "
        "an earlier backward. Pass retain_graph=True to the earlier backward() if you need "
        "to differentiate through this graph again")


def _reused_instance_error(entry, caller):
    return RuntimeError(
        f"{caller}: one '{entry.op}' instance was applied more than once, so its tape "
        "entry now describes only the last application. A Primitive instance is one "
        f"tape entry: create a new one per call, e.g. {type(entry).__name__}()(x)")


def reverse_sweep(target, z_bar, sources, retain_graph, create_graph, within=None,
                  caller="gradient"):
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
    heap = []  # (-position, tensor): the recorded tensors whose rule has yet to run
    if target._entry is not None and (within is None or target in within):
        heap.append((-target._position, target))
    wanted = None if sources is None else set(sources)
    finished = {}  # the complete cotangents of the intermediate tensors that are sources

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
            entry = output._entry
            inputs = output._inputs
            if inputs is None:
                raise released_graph_error(entry, caller)
            needs_grad = entry.needs_grad
            if needs_grad is not output._needs:
                raise _reused_instance_error(entry, caller)
            if wanted is not None and output in wanted:
                finished[output] = z_bar
            if create_graph:
                in_bars = entry._sweep_vjp(z_bar, output, *inputs)
            else:  # one and two inputs spelled out, as in Primitive.__call__
                args = output._args
                if len(args) == 1:
                    in_bars = entry._sweep_vjp(z_bar, output.data, args[0])
                elif len(args) == 2:
                    in_bars = entry._sweep_vjp(z_bar, output.data, args[0], args[1])
                else:
                    in_bars = entry._sweep_vjp(z_bar, output.data, *args)
            if in_bars.__class__ is not tuple:
                in_bars = tuple(in_bars) if isinstance(in_bars, list) else (in_bars,)
            for x, needs, bar in zip(inputs, needs_grad, in_bars):
                if not needs:
                    continue
                # `is not` on dtypes: NumPy shares one dtype object per builtin type, so
                # this is the cheap test; an equal but distinct dtype takes the slow path.
                if bar.__class__ is not np.ndarray or bar.dtype is not x.data.dtype:
                    bar = _checked(bar, x, entry, inputs)
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


def _checked(bar, x, entry, inputs):
    """A rule's cotangent that is not an ndarray of its input's dtype, made one.

    (Its shape is checked where the rule runs: see Primitive._checked_vjp.)
    """
    if bar is None:
        i = next(k for k, candidate in enumerate(inputs) if candidate is x)
        raise RuntimeError(f"{entry.op}: VJP rule returned None for input {i}, which needs a "
                           "gradient; return its cotangent (None only where needs_grad is False)")
    if isinstance(bar, np.generic):  # ufuncs on 0-d arrays return NumPy scalars
        bar = np.asarray(bar)
    if bar.dtype != x.dtype:  # e.g. a float32 input promoted by a float64 operand
        bar = bar.astype(x.dtype)
    return bar


def _accumulate_leaf(leaf, bar, create_graph, handed_out):
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
        # A fresh row-major array this sweep made (rules return new arrays and never
        # modify their arguments): the leaf can own it, no copy.
        leaf.grad = wrap(bar)
    else:
        # A view (a reshape, a read-only broadcast), the caller's seed, an array another
        # leaf already owns (add passes one array to both inputs), or column-major (a
        # transposed product): copy to a row-major array of the leaf's own, so an
        # optimizer's in-place update reads contiguous memory and touches nothing else.
        leaf.grad = wrap(np.array(bar, dtype=leaf.dtype, order="C"))
    handed_out.add(id(leaf.grad.data))


def _finish_source(source, bar, create_graph):
    if bar is None:
        bar = np.zeros(source.shape, source.dtype)
    elif not create_graph:
        bar = np.array(bar, dtype=source.dtype)
    return bar if isinstance(bar, Tensor) else wrap(bar)
