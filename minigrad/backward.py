"""Reverse mode: replay the tape backwards, pulling cotangents through each VJP rule.

    1. gather   the entries that lead to the target (an explicit stack, no recursion),
    2. order    them by tape position, newest first (inputs are always older than the ops
                that consume them, so this is a valid reverse topological order),
    3. sweep    once over that list: each entry's rule turns the cotangent of its output
                (z_bar) into cotangents of its inputs, which are summed into the
                cotangents of the entries that produced them, or into `.grad` of leaves.

Cotangents live in a dict local to one sweep, so nothing stale survives between calls.
Without `create_graph` rules see ndarrays and record nothing; with it they see Tensors,
so the backward pass is itself recorded and can be differentiated again.
"""
import contextlib
import gc

import numpy as np

from minigrad import grad_mode
from minigrad.tensor import Tensor, wrap


def backward(target, grad=None, retain_graph=False, create_graph=False):
    """Accumulate d(target)/d(leaf) into `.grad` of each leaf that requires grad."""
    if not target._requires_grad:
        raise RuntimeError(
            "backward: this tensor does not require grad and has no recorded op. Create the "
            "inputs with requires_grad=True (and not inside mg.no_grad()) before computing it")
    z_bar = initial_cotangent(target, grad, create_graph)
    with _collector_paused():
        reverse_sweep(gather(target), target, z_bar, None, retain_graph, create_graph)


@contextlib.contextmanager
def _collector_paused():
    """Pause Python's cyclic garbage collector for one backward pass.

    The graph holds no reference cycles, so the collector finds nothing in it; but a
    backward pass allocates a few objects per entry while the whole graph is alive, and
    each collection it triggers re-scans that graph (about 10% of a small-op backward).
    Reference counting still frees everything as usual; the collector's previous state
    is restored on exit.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def gradient(target, sources, grad=None, retain_graph=False, create_graph=False):
    """d(target)/d(source) for each source, leaving every `.grad` untouched.

    Sources may be leaves or intermediate tensors. A source the target does not depend on
    gets zeros. With `create_graph` the results are recorded tensors (for higher orders).
    """
    z_bar = initial_cotangent(target, grad, create_graph)
    if not target._requires_grad:
        entries = []
    else:
        entries = gather(target)
    return reverse_sweep(entries, target, z_bar, sources, retain_graph, create_graph)


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


def gather(target):
    """The (position, entry, output tensor) triples that lead to `target`, newest first."""
    found = []
    seen = set()
    stack = [target]
    while stack:
        tensor = stack.pop()
        entry = tensor._entry
        if entry is None or entry in seen:
            continue
        seen.add(entry)
        if entry.inputs is None:
            raise released_graph_error(entry, "backward")
        if tensor._position != entry.position:
            raise RuntimeError(
                f"backward: one '{entry.op}' instance was applied more than once, so its tape "
                "entry now describes only the last application. A Primitive instance is one "
                f"tape entry: create a new one per call, e.g. {type(entry).__name__}()(x)")
        found.append((entry.position, entry, tensor))
        for x in entry.inputs:
            if isinstance(x, Tensor) and x._entry is not None:
                stack.append(x)
    found.sort(reverse=True)  # positions are unique, so only they are ever compared
    return found


def released_graph_error(entry, caller):
    """The error for differentiating through an entry whose saved arrays were freed."""
    return RuntimeError(
        f"{caller} through a released graph: the saved arrays of '{entry.op}' were freed by "
        "an earlier backward. Pass retain_graph=True to the earlier backward() if you need "
        "to differentiate through this graph again")


def reverse_sweep(entries, target, z_bar, sources, retain_graph, create_graph):
    """Run each entry's VJP rule newest first; the engine's one reverse loop.

    Args:
        entries: (position, entry, output tensor) triples in reverse tape order.
        target: the tensor whose cotangent is `z_bar`.
        sources: None to accumulate into leaves' `.grad`; else the tensors whose
            cotangents to return, in order.
    """
    wanted = None if sources is None else {id(s): None for s in sources}
    handed_out = {id(z_bar)}  # the seed may be the caller's own array: never adopt it
    bars = {}
    if target._entry is not None:
        bars[target._entry] = z_bar
    if wanted is not None and id(target) in wanted:
        wanted[id(target)] = z_bar
    elif sources is None and target._entry is None:
        _accumulate_leaf(target, z_bar, create_graph, handed_out)

    with grad_mode._SetGradEnabled(create_graph and grad_mode.state.enabled):
        pop = bars.pop
        for _, entry, output in entries:
            z_bar = pop(entry, None)
            if z_bar is None:  # no path from this entry to the target
                continue
            if create_graph:
                in_bars = entry.vjp(z_bar, output, *entry.inputs)
            else:  # one and two inputs spelled out, as in Primitive.__call__
                args = entry.args
                if len(args) == 1:
                    in_bars = entry.vjp(z_bar, output.data, args[0])
                elif len(args) == 2:
                    in_bars = entry.vjp(z_bar, output.data, args[0], args[1])
                else:
                    in_bars = entry.vjp(z_bar, output.data, *args)
            if in_bars.__class__ is not tuple:
                in_bars = tuple(in_bars) if isinstance(in_bars, list) else (in_bars,)
            for x, needs, bar in zip(entry.inputs, entry.needs_grad, in_bars):
                if not needs:
                    continue
                data = x.data
                # `is not` on dtypes: NumPy shares one dtype object per builtin type, so
                # this is the cheap test; an equal but distinct dtype takes the slow path.
                if bar.__class__ is not np.ndarray or bar.dtype is not data.dtype \
                        or bar.shape != data.shape:
                    bar = _checked(bar, x, entry)
                if wanted is not None and id(x) in wanted:
                    previous = wanted[id(x)]
                    wanted[id(x)] = bar if previous is None else previous + bar
                producer = x._entry
                if producer is not None:
                    previous = bars.get(producer)
                    bars[producer] = bar if previous is None else previous + bar
                elif sources is None:
                    _accumulate_leaf(x, bar, create_graph, handed_out)
            if not retain_graph:
                entry.inputs = entry.args = entry.saved = None  # release the saved arrays

    if sources is None:
        return None
    return [_finish_source(s, wanted[id(s)], create_graph) for s in sources]


def _checked(bar, x, entry):
    """A rule's cotangent, checked against its input's shape and cast to its dtype."""
    i = next(k for k, candidate in enumerate(entry.inputs) if candidate is x)
    if bar is None:
        raise RuntimeError(f"{entry.op}: VJP rule returned None for input {i}, which needs a gradient")
    if isinstance(bar, np.generic):  # ufuncs on 0-d arrays return NumPy scalars
        bar = np.asarray(bar)
    if bar.shape != x.shape:
        raise RuntimeError(
            f"{entry.op}: VJP rule returned a cotangent of shape {bar.shape} for input {i}, "
            f"whose shape is {x.shape}. A VJP must return one cotangent per input, shaped "
            "like that input")
    if bar.dtype != x.dtype:  # e.g. a float32 input promoted by a float64 operand
        bar = bar.astype(x.dtype)
    return bar


def _accumulate_leaf(leaf, bar, create_graph, handed_out):
    """Add `bar` into leaf.grad; `handed_out` holds the ids of arrays another owner has."""
    if create_graph:
        leaf.grad = bar if leaf.grad is None else leaf.grad + bar
        return
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
