"""Op-rule tasks, checked the way `mg.testing.check_op` checks minigrad's own ops.

For each case (an op with its parameters, and input shapes) the child applies the op's
rules to the grader's inputs: forward; the VJP at a random cotangent u; the JVP at random
tangents v, with the forward at x +- eps v for central differences; and second order, the
gradient of <vjp(x)(u), w> (the VJP rule itself differentiated, through create_graph).
The parent compares each with the solution's, element by element, and when a rule is
wrong it adds what `check_op` would say: whether the adjoint identity <u, J v> = <J^T u, v>
holds between the student's two rules, and what central differences give.

A case names its op's class (default: the class of the task's functions), `params` for
its constructor (lists become tuples; "@classes" and "@probabilities" become a target
drawn for the first input's (N, C) shape), `inputs` (shapes), and optionally `domains`
("real", "positive", "nonzero" per input), `shift`, `rules` and a `part` of its own (with
`title` and `hint`), e.g. a large case under a memory limit.
"""
import importlib

import numpy as np

from minigrad.homework.checks import DIAGNOSTIC, Check
from minigrad.homework.compare import mismatch

RULES = ("forward", "vjp", "jvp", "second_order")
TITLES = {"forward": "forward", "vjp": "VJP", "jvp": "JVP", "second_order": "second order"}
EPS = 1e-6
#: Cases larger than this (elements) skip the central-difference diagnostic: it would only
#: double what an autograder stores of the solution's outputs.
DIAGNOSED_SIZE = 10_000


class OpCheck(Check):
    default_weights = {"forward": 1.0, "vjp": 2.0, "jvp": 2.0, "second_order": 1.0}

    def parts(self, task):
        blanked = {place.name for place in task.functions}
        keys = [rule for rule in RULES if rule != "forward" or "forward" in blanked]
        parts = [(key, TITLES[key]) for key in keys]
        for case in task.cases:
            if "part" in case and case["part"] not in [k for k, _ in parts]:
                parts.append((case["part"], case.get("title", case["part"])))
        return parts

    def inputs(self, task, rng, label):
        arrays = {}
        for c, case in enumerate(task.cases):
            shapes = [tuple(shape) for shape in case["inputs"]]
            domains = case.get("domains", ["real"] * len(shapes))
            for i, (shape, domain) in enumerate(zip(shapes, domains)):
                arrays[f"case{c}/x{i}"] = _draw(rng, shape, domain) + case.get("shift", 0.0)
                arrays[f"case{c}/v{i}"] = rng.standard_normal(shape)
                arrays[f"case{c}/w{i}"] = rng.standard_normal(shape)
            arrays[f"case{c}/useed"] = np.array(rng.integers(2 ** 31))
            for name, value in case.get("params", {}).items():
                if isinstance(value, str) and value.startswith("@"):
                    arrays[f"case{c}/param/{name}"] = _draw_target(rng, value, shapes[0])
        return arrays

    def units(self, task, inputs):
        for c, case in enumerate(task.cases):
            rules = case.get("rules", ["vjp", "jvp"] if "part" in case else list(RULES))
            for rule in rules:
                part = case.get("part", rule)
                unit = f"case{c}.{rule}" if "part" in case else f"case{c}"
                yield part, unit, _Unit(task, case, c, rule, inputs)

    def judge(self, task, part, unit, inputs, expected, got):
        c, rule = _case_and_rule(task, part, unit)
        want, have = expected[(part, unit)], got[(part, unit)]
        shapes = " and ".join(str(tuple(s)) for s in task.cases[c]["inputs"])
        where = f"{TITLES[rule]} on case {c + 1} ({_op_name(task, task.cases[c])}, inputs {shapes})"
        for name, value in want.items():
            if name.startswith(DIAGNOSTIC) or name == "u":
                continue
            if name not in have:
                return f"{where}: {name} was not returned"
            message = mismatch(have[name], value, _describe(name))
            if message:
                hint = task.cases[c].get("hint")
                return (f"{where}: {message}{_diagnose(task, c, inputs, expected, got)}"
                        + (f". {hint}" if hint else ""))
        return None

    def explain(self, task, part, unit, error):
        if error.startswith("NotImplementedError: Task "):
            return ""  # not written yet: nothing to advise
        c, _ = _case_and_rule(task, part, unit)
        return task.cases[c].get("hint", "")


def _case_and_rule(task, part, unit):
    case_text, _, rule = unit.partition(".")
    return int(case_text[4:]), rule or part


def _describe(name):
    if name.startswith("x_bar"):
        return f"the cotangent of input {int(name[5:]) + 1}"
    if name.startswith("h"):
        return f"the second-order gradient for input {int(name[1:]) + 1}"
    return {"z": "the output z", "z_dot": "the tangent z_dot"}.get(name, name)


def _op_name(task, case):
    return case.get("op", task.functions[0].owner)


def _diagnose(task, c, inputs, expected, got):
    """check_op's two cross-checks, from the student's own arrays, where they exist."""
    vjp, jvp = got.get(_key(task, c, "vjp")), got.get(_key(task, c, "jvp"))
    reference = expected.get(_key(task, c, "vjp"))
    if not vjp or not jvp or not reference or any(k.startswith("__") for k in {**vjp, **jvp}):
        return ""
    n = len(task.cases[c]["inputs"])
    try:
        lhs = float(np.sum(reference["u"] * jvp["z_dot"]))
        rhs = float(sum(np.sum(vjp[f"x_bar{i}"] * inputs[f"case{c}/v{i}"]) for i in range(n)))
        numeric = float(np.sum(reference["u"] * (jvp["diag_f_plus"] - jvp["diag_f_minus"])) / (2 * EPS))
    except (KeyError, ValueError):
        return ""
    scale = abs(lhs) + abs(rhs) + 1e-300
    if abs(lhs - rhs) <= 1e-9 * scale:
        verdict = f"your VJP and JVP agree (adjoint identity <u, J v> = <J^T u, v> = {lhs:.10g})"
    else:
        verdict = (f"the adjoint identity fails between your rules: <u, J v> = {lhs:.10g} from "
                   f"your JVP but <J^T u, v> = {rhs:.10g} from your VJP, so at least one is wrong")
    return f". Also: {verdict}; central differences of the forward give {numeric:.10g}"


def _key(task, c, rule):
    case = task.cases[c]
    return (case["part"], f"case{c}.{rule}") if "part" in case else (rule, f"case{c}")


def _draw(rng, shape, domain):
    x = rng.standard_normal(shape)
    if domain == "positive":
        return np.abs(x) + 0.5
    if domain == "nonzero":
        return np.sign(x) * (np.abs(x) + 0.5) + (x == 0)
    return x


def _draw_target(rng, kind, shape):
    n, classes = shape
    if kind == "@classes":
        return rng.integers(0, classes, n)
    if kind == "@probabilities":
        e = np.exp(rng.standard_normal(shape))
        return e / e.sum(axis=1, keepdims=True)
    raise ValueError(f"unknown target generator {kind!r}: use @classes or @probabilities")


class _Unit:
    """One rule on one case, run in the child."""

    def __init__(self, task, case, c, rule, inputs):
        self.task, self.case, self.c, self.rule, self.inputs = task, case, c, rule, inputs

    def _fresh(self):
        module = importlib.import_module(self.task.functions[0].path[:-3].replace("/", "."))
        cls = getattr(module, _op_name(self.task, self.case))
        params = {}
        for name, value in self.case.get("params", {}).items():
            if isinstance(value, str) and value.startswith("@"):
                value = self.inputs[f"case{self.c}/param/{name}"]
            params[name] = _tuples(value)
        op = cls(**params)
        op.needs_grad = (True,) * len(self.case["inputs"])
        return op

    def _arrays(self, letter):
        return [self.inputs[f"case{self.c}/{letter}{i}"] for i in range(len(self.case["inputs"]))]

    def __call__(self):
        xs = self._arrays("x")
        op = self._fresh()
        z = np.asarray(op.forward(*xs))
        if self.rule == "forward":
            return {"z": z}
        if self.rule == "vjp":
            u = np.random.default_rng(int(self.inputs[f"case{self.c}/useed"])).standard_normal(z.shape)
            bars = op.vjp(u, z, *xs)
            bars = bars if isinstance(bars, (tuple, list)) else (bars,)
            return {"u": u, **{f"x_bar{i}": bar for i, bar in enumerate(bars)}}
        if self.rule == "jvp":
            vs = self._arrays("v")
            z_dot = op.jvp(*vs, z, *xs)
            if sum(x.size for x in xs) > DIAGNOSED_SIZE:
                return {"z_dot": z_dot}
            plus = self._fresh().forward(*[x + EPS * v for x, v in zip(xs, vs)])
            minus = self._fresh().forward(*[x - EPS * v for x, v in zip(xs, vs)])
            return {"z_dot": z_dot, DIAGNOSTIC + "f_plus": plus, DIAGNOSTIC + "f_minus": minus}
        return self._second_order(xs, z)

    def _second_order(self, xs, z):
        import minigrad as mg
        u = np.random.default_rng(int(self.inputs[f"case{self.c}/useed"])).standard_normal(z.shape)
        ws = self._arrays("w")

        def projection(*tensors):
            _, vjp_fn = mg.vjp(lambda *a: self._fresh()(*a), *tensors)
            total = 0.0
            for bar, w in zip(vjp_fn(u), ws):
                total = (bar * w).sum() + total
            return total
        grads = mg.grad(projection, argnums=tuple(range(len(xs))))(*[mg.tensor(x) for x in xs])
        return {f"h{i}": g for i, g in enumerate(grads)}


def _tuples(value):
    if isinstance(value, list):
        return tuple(_tuples(v) for v in value)
    return value
