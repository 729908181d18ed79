"""How tasks are graded: one kind of check per way a task can be wrong.

A check is split between the two processes of grading:

- in the parent, `inputs(task, rng, label)` draws the arrays to compute on (from the public
  seed, and again from the hidden one), and `judge(...)` decides each unit against the
  solution's outputs, with a message that says what is wrong;
- in the child, `units(task, inputs)` lists (part, unit, compute) triples; `compute()`
  runs the code under test and returns a dict of arrays. The solution runs the very same
  units, in a child of its own, to give the expected outputs.

A task's points are split over its parts by weight; a part scores when every one of its
units passes on both the public and the hidden inputs.
"""
from minigrad.homework.compare import mismatch

#: Output names starting with this are diagnostics: reported, never compared.
DIAGNOSTIC = "diag_"


def inputs_of(inputs, label):
    """The arrays of one input set: {"public/x": a} -> {"x": a} for label "public"."""
    prefix = label + "/"
    return {key[len(prefix):]: value for key, value in inputs.items() if key.startswith(prefix)}


class Check:
    """The base of every kind: compare every non-diagnostic array with the solution's."""

    #: Default weight of each part, by part key; a task's `weights` table overrides them.
    default_weights: dict[str, float] = {}
    #: Whether a mismatch is a derivative's, so that check_op's likely causes apply.
    derivatives = True

    def parts(self, task):
        """[(key, title), ...] of the parts this task is scored on, in order."""
        raise NotImplementedError

    def weights(self, task):
        keys = [key for key, _ in self.parts(task)]
        merged = {key: float(self.default_weights.get(key, 1.0)) for key in keys}
        merged.update({k: float(v) for k, v in task.weights.items() if k in merged})
        return merged

    def inputs(self, task, rng, label):
        """The arrays the child computes on for input set `label` ("public" or "hidden")."""
        return {}

    def units(self, task, inputs):
        raise NotImplementedError

    def judge(self, task, part, unit, inputs, expected, got):
        """None when unit (part, unit) of `got` matches `expected`, else a message.

        `expected` and `got` map (part, unit) to that unit's arrays (got may lack some).
        """
        want, have = expected[(part, unit)], got[(part, unit)]
        for name, value in want.items():
            if name.startswith(DIAGNOSTIC):
                continue
            if name not in have:
                return f"{name} was not returned"
            message = mismatch(have[name], value, name, hint=self.derivatives)
            if message:
                return message
        return None

    def explain(self, task, part, unit, error):
        """Advice to add to an exception the code under test raised (or '')."""
        return ""


from minigrad.homework.checks import engine, networks, op  # noqa: E402

#: Every kind of check, by the name an assignment file uses in `check = "..."`.
KINDS = {
    "op": op.OpCheck(),
    "topological_order": engine.TopologicalOrderCheck(),
    "reverse_sweep": engine.ReverseSweepCheck(),
    "linear": networks.LinearCheck(),
    "optimizer": networks.OptimizerCheck(),
    "training": networks.TrainingCheck(),
}
