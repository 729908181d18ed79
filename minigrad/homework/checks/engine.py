"""Reverse-mode tasks: the reference engine's topological order and its sweep, run on the
graphs the engine tests use (fan-out, diamonds, paths of different lengths, constants,
broadcasting, a Tape's restriction) and on a chain of 10^5 ops.

The child builds each graph with the grader's values, runs the student's function under
`mg.use_engine("reference")`, and returns what came out: an order as the indices of the
graph's tensors (numbered the same way in every run), or gradients and flags. The parent
checks an order by its properties (every recorded tensor once, each after its inputs),
never against one particular order, and gradients against the solution's.
"""
import numpy as np

from minigrad.homework.checks import Check

SHAPES: dict[str, dict[str, tuple[int, ...]]] = {"fan_out": {"x": (3,)}, "diamond": {"x": (4,)}, "paths": {"x": (2,)},
          "constants": {"x": (3,), "y": (3,), "c": (3,)}, "broadcast": {"col": (3, 1), "row": (1, 4)},
          "mixed": {"x": (5, 4), "w": (4, 3)}, "within": {"x": (3,)}}
RECURSION_ADVICE = (
    "A recursive depth-first search needs one Python frame per op along a path: this chain "
    "has {n} ops and Python stops at about 1 000 (raising the limit only moves the crash "
    "into the C stack). Keep the tensors still to visit in a list, an explicit stack")


def make_leaves(name, values):
    """The leaves of scenario `name` from arrays `values[name/leaf]` (c is a constant)."""
    import minigrad as mg
    return {k: mg.tensor(values[f"{name}/{k}"], requires_grad=(k != "c")) for k in SHAPES[name]}


def build(name, values, leaf=None):
    """(target, leaves by name) of scenario `name`, on new leaves or on `leaf`."""
    import minigrad as mg
    leaf = make_leaves(name, values) if leaf is None else leaf
    if name == "fan_out":
        x = leaf["x"]
        y = x * x
        target = (y * x + mg.exp(x) + y).sum()
    elif name == "diamond":
        h = leaf["x"] * 2.0
        target = (mg.sin(h) * mg.cos(h)).sum()
    elif name == "paths":
        a = leaf["x"] * 3.0
        target = (a * mg.sin(mg.log(mg.exp(a)))).sum()
    elif name == "constants":
        target = (leaf["x"] * leaf["c"] + 1.0).sum()  # y is never used
    elif name == "broadcast":
        target = (leaf["col"] * leaf["row"] + leaf["col"]).sum()
    elif name == "mixed":
        target = (mg.tanh(leaf["x"] @ leaf["w"]) ** 2).mean() + mg.logsumexp(leaf["w"])
    else:
        h = mg.tanh(leaf["x"])
        with mg.Tape() as tape:
            target = (h * h + mg.sin(h)).sum()
        leaf["tape"] = tape
    return target, leaf


def number(target):
    """{id(tensor): index} over the tensors `target` depends on, leaves first, then the
    recorded ones in the order they were made; and the (input, output) index edges."""
    found = _reachable(target)
    found.sort(key=lambda t: (t._entry is not None, getattr(t, "_position", 0) if t._entry else 0))
    index = {id(t): i for i, t in enumerate(found)}
    edges = [(index[id(x)], index[id(t)]) for t in found if t._entry is not None
             for x in (t._inputs or ()) if id(x) in index]
    return index, np.array(edges, dtype=np.int64).reshape(-1, 2)


def chain(values, n):
    """x -> x * c -> ... (n ops): d/dx = c^n. Recorded by the fast engine's op application
    (the same fields as the reference's, in a third of the time); swept by the reference."""
    import minigrad as mg
    x = mg.tensor(values["chain/x"], requires_grad=True)
    y = x
    with mg.use_engine("fast"):
        for _ in range(n):
            y = y * (1.0 + 2.0 ** -20)
    return y, x


class TopologicalOrderCheck(Check):
    default_weights = {"order": 3.0, "within": 1.0, "chain": 2.0}

    def parts(self, task):
        return [("order", "order of small graphs"), ("within", "only a Tape's entries"),
                ("chain", f"a chain of {task.options.get('chain_length', 100000):,} ops")]

    def inputs(self, task, rng, label):
        arrays = {f"{s}/{k}": rng.standard_normal(shape) for s, leaves in SHAPES.items()
                  for k, shape in leaves.items()}
        if label == "hidden":  # the long chain once: seconds, where the rest takes milliseconds
            arrays["chain/x"] = np.array(rng.uniform(0.5, 1.5))
        return arrays

    def units(self, task, inputs):
        for name in SHAPES:
            yield ("within" if name == "within" else "order"), name, _Order(name, inputs)
        if "chain/x" in inputs:
            yield "chain", "chain", _Order("chain", inputs, task.options.get("chain_length", 100000))

    def judge(self, task, part, unit, inputs, expected, got):
        want, have = expected[(part, unit)], got[(part, unit)]
        if "order" not in have:
            return "the order was not returned"
        order, recorded = np.asarray(have["order"]).reshape(-1), set(want["order"].tolist())
        where = f"graph '{unit}'"
        if np.any(order < 0):
            return f"{where}: the order holds something that is not a tensor of the graph"
        if len(set(order.tolist())) != len(order):
            return f"{where}: the order lists a tensor twice"
        missing, extra = recorded - set(order.tolist()), set(order.tolist()) - recorded
        if missing:
            return (f"{where}: the order misses {len(missing)} of the {len(recorded)} recorded "
                    "tensors the target depends on")
        if extra:
            return (f"{where}: the order lists {len(extra)} tensor(s) that are leaves, constants "
                    "or (with `within`) outside the Tape: only recorded tensors belong in it")
        position = {t: i for i, t in enumerate(order.tolist())}
        for a, b in want["edges"].tolist():
            if a in position and b in position and position[a] > position[b]:
                return (f"{where}: tensor {b} is listed before tensor {a}, one of its inputs; "
                        "each tensor must come after the tensors it was computed from")
        return None

    def explain(self, task, part, unit, error):
        if part == "chain" and ("Recursion" in error or "SIGSEGV" in error):
            return RECURSION_ADVICE.format(n=f"{task.options.get('chain_length', 100000):,}")
        return ""


class _Order:
    def __init__(self, name, inputs, n=None):
        self.name, self.inputs, self.n = name, inputs, n

    def __call__(self):
        import minigrad as mg
        from minigrad import reference
        with mg.use_engine("reference"):
            if self.name == "chain":
                target, _ = chain(self.inputs, self.n)
                within = None
            else:
                target, leaves = build(self.name, self.inputs)
                tape = leaves.get("tape")
                within = {e.output for e in tape} if tape is not None else None
            index, edges = number(target)
            order = reference.topological_order(target, within)
        return {"order": np.array([index.get(id(t), -1) for t in order], dtype=np.int64),
                "edges": edges}


class ReverseSweepCheck(Check):
    default_weights = {"gradients": 4.0, "accumulation": 1.0, "freeing": 1.0,
                       "second_order": 1.0, "chain": 1.0}

    def parts(self, task):
        return [("gradients", "gradients (fan-out, diamonds, broadcasting, sources)"),
                ("accumulation", "accumulation into .grad, retain_graph"),
                ("freeing", "freeing the graph"), ("second_order", "create_graph"),
                ("chain", f"a chain of {task.options.get('chain_length', 100000):,} ops")]

    inputs = TopologicalOrderCheck.inputs

    def units(self, task, inputs):
        for name in SHAPES:
            yield "gradients", name, _Sweep("backward", name, inputs)
        yield "gradients", "sources", _Sweep("sources", "mixed", inputs)
        yield "accumulation", "twice", _Sweep("twice", "fan_out", inputs)
        yield "accumulation", "retain", _Sweep("retain", "diamond", inputs)
        yield "freeing", "freed", _Sweep("freed", "paths", inputs)
        yield "second_order", "hessian", _Sweep("second", "diamond", inputs)
        if "chain/x" in inputs:
            yield "chain", "chain", _Sweep("chain", "chain", inputs,
                                           task.options.get("chain_length", 100000))

    def judge(self, task, part, unit, inputs, expected, got):
        if unit == "freed":
            have = got[(part, unit)]
            if not bool(have.get("raises", False)):
                return ("a second backward through a graph whose first backward had no "
                        "retain_graph did not raise: free what each entry saved as soon as its "
                        "rule has run (output._inputs = output._args = entry.saved = None)")
            if not bool(have.get("freed", False)):
                return ("after backward some recorded tensors still hold their inputs and saved "
                        "arrays; release them (unless retain_graph) so the memory can be reused")
            return None
        message = super().judge(task, part, unit, inputs, expected, got)
        return f"graph '{unit}': {message}" if message else None

    explain = TopologicalOrderCheck.explain


class _Sweep:
    def __init__(self, mode, name, inputs, n=None):
        self.mode, self.name, self.inputs, self.n = mode, name, inputs, n

    def __call__(self):
        import minigrad as mg
        with mg.use_engine("reference"):
            return getattr(self, "_" + self.mode)(mg)

    def _grads(self, leaves):
        out = {}
        for key, tensor in leaves.items():
            if key in ("tape", "c"):
                continue
            out[f"has_{key}"] = np.array(tensor.grad is not None)
            if tensor.grad is not None:
                out[f"grad_{key}"] = tensor.grad
        return out

    def _backward(self, mg):
        target, leaves = build(self.name, self.inputs)
        target.backward()
        return self._grads(leaves)

    def _sources(self, mg):
        x, w = (mg.tensor(self.inputs[f"mixed/{k}"]) for k in ("x", "w"))
        f = lambda x, w: (mg.tanh(x @ w) ** 2).mean() + mg.logsumexp(w)  # noqa: E731
        gx, gw = mg.grad(f, argnums=(0, 1))(x, w)
        return {"grad_x": gx, "grad_w": gw}

    def _twice(self, mg):
        target, leaves = build(self.name, self.inputs)
        target.backward()
        again, _ = build(self.name, self.inputs, leaves)  # the same leaves: grads add up
        again.backward()
        return self._grads(leaves)

    def _retain(self, mg):
        target, leaves = build(self.name, self.inputs)
        target.backward(retain_graph=True)
        target.backward()
        return self._grads(leaves)

    def _freed(self, mg):
        target, leaves = build(self.name, self.inputs)
        recorded = [t for t in _reachable(target) if t._entry is not None]
        target.backward()
        freed = all(t._inputs is None and t._entry.saved is None for t in recorded)
        try:
            target.backward()
            raises = False
        except RuntimeError:
            raises = True
        return {"freed": np.array(freed), "raises": np.array(raises)}

    def _second(self, mg):
        x = mg.tensor(self.inputs["diamond/x"])
        f = lambda x: (mg.sin(2.0 * x) * mg.cos(2.0 * x) * x).sum()  # noqa: E731
        return {"second": mg.grad(lambda x: mg.grad(f)(x).sum())(x)}

    def _chain(self, mg):
        y, x = chain(self.inputs, self.n)
        y.backward()
        return {"grad_x": x.grad}


def _reachable(target):
    seen, stack, found = set(), [target], []
    while stack:
        tensor = stack.pop()
        if id(tensor) not in seen:
            seen.add(id(tensor))
            found.append(tensor)
            if tensor._entry is not None and tensor._inputs is not None:
                stack.extend(x for x in tensor._inputs if hasattr(x, "_entry"))
    return found
