"""Grading a submission: one child process per task for the student's code, and one for the
solution's (or its outputs kept from when the assignment was made); the parent compares.

For each task: draw the inputs (public seed, hidden seed); copy the solution and graft
the student's functions into the copy; run the child (time and memory limits, capped
output, an unprivileged user when we are root); read the .npz files it left; judge each
unit against the solution's; split the task's points over its parts.
"""
import dataclasses
from typing import Any
import io
import json
import os
import pathlib
import shutil
import tempfile
import time

import numpy as np

from minigrad.homework import sandbox
from minigrad.homework.checks import KINDS, inputs_of
from minigrad.homework.child import BOOTSTRAP, ERROR
from minigrad.homework.locate import LocateError
from minigrad.homework.trees import copy_solution, graft_task, student_sources

#: The input sets every task is graded on, and how a message names each.
LABELS = ("public", "hidden")
SAID = {"public": "on the public inputs", "hidden": "on the hidden inputs"}


@dataclasses.dataclass
class PartResult:
    key: str
    title: str
    points: float
    passed: bool
    message: str


@dataclasses.dataclass
class TaskResult:
    task: Any
    parts: list
    note: str = ""
    elapsed: float = 0.0

    @property
    def score(self):
        return round(sum(p.points for p in self.parts if p.passed), 6)

    @property
    def output(self):
        lines = [self.note] if self.note else []
        for part in self.parts:
            verdict = "ok" if part.passed else part.message
            lines.append(f"{part.title} ({part.points:.3g} of {self.task.points:g} points): {verdict}")
        return "\n".join(lines)


def seeds(assignment, task_index):
    """{label: SeedSequence} for one task: the public seed, and the hidden one (drawn when
    the assignment was made; without an autograder, one derived from the public seed)."""
    hidden = assignment.hidden_seed
    if hidden is None:
        hidden = assignment.seed + 7919
    return {"public": np.random.SeedSequence([assignment.seed, task_index]),
            "hidden": np.random.SeedSequence([hidden, task_index])}


def task_inputs(assignment, task_index):
    """{"public/...": array, "hidden/...": array} for the task at `task_index`."""
    task = assignment.tasks[task_index]
    arrays = {}
    for label, sequence in seeds(assignment, task_index).items():
        drawn = KINDS[task.check].inputs(task, np.random.default_rng(sequence), label)
        arrays.update({f"{label}/{key}": value for key, value in drawn.items()})
    return arrays


def units_of(task, inputs):
    """[(label, part, unit), ...] that the child of `task` computes."""
    listed = []
    for label in LABELS:
        listed += [(label, part, unit) for part, unit, _ in
                   KINDS[task.check].units(task, inputs_of(inputs, label))]
    return listed


def run_child(task, tree_setup, inputs, work_root, identity):
    """Run the task's units in a child on a tree made by `tree_setup(tree)`.

    Returns:
        ({(label, part, unit): arrays}, Outcome).
    """
    work = pathlib.Path(tempfile.mkdtemp(prefix=f"task{task.id}-", dir=work_root))
    work.chmod(0o755)
    tree, out = work / "tree", work / "out"
    tree_setup(tree)
    out.mkdir()
    if identity:
        os.chown(out, *identity)
    out.chmod(0o700)
    # What only the parent may see (a test split's labels) stays out of the child's inputs.
    np.savez(work / "inputs.npz", **{key: value for key, value in inputs.items()
                                     if not key.rsplit("/", 1)[-1].startswith("secret_")})
    (work / "inputs.npz").chmod(0o644)
    job = {"path": [str(tree), str(pathlib.Path(np.__file__).resolve().parent.parent)],
           "task": task.to_json(), "inputs": str(work / "inputs.npz"), "out": str(out),
           "labels": list(LABELS)}
    (work / "job.json").write_text(json.dumps(job))
    (work / "job.json").chmod(0o644)
    argv = [sandbox.interpreter(identity), "-I", "-S", "-B", "-c", BOOTSTRAP, str(work / "job.json")]
    outcome = sandbox.run(argv, work, sandbox.child_environment(out), task.time_limit,
                          task.memory_limit, identity)
    results = {}
    for label, part, unit in units_of(task, inputs):
        data = sandbox.read_regular_file(out / f"{label}.{part}.{unit}.npz")
        if data is None:
            continue
        try:
            with np.load(io.BytesIO(data), allow_pickle=False) as loaded:
                results[(label, part, unit)] = {k: loaded[k] for k in loaded.files}
        except (ValueError, OSError, EOFError) as error:
            results[(label, part, unit)] = {ERROR: np.array(f"unreadable output ({error})")}
    shutil.rmtree(work, ignore_errors=True)
    return results, outcome


def expected_outputs(task, task_index, assignment, inputs, solution_root, cache, work_root):
    """The solution's outputs for the task, from `cache` (a directory) when it has them
    for these seeds, else computed in a child and stored there.

    Raises:
        RuntimeError: if the solution itself fails a unit (the assignment is broken).
    """
    stamp = json.dumps({k: str(v.entropy) for k, v in seeds(assignment, task_index).items()})
    folder = pathlib.Path(cache) / f"task{task.id}" if cache else None
    if folder is not None and (folder / "seeds.json").is_file() and \
            (folder / "seeds.json").read_text() == stamp:
        results = {}
        for label, part, unit in units_of(task, inputs):
            with np.load(folder / f"{label}.{part}.{unit}.npz", allow_pickle=False) as loaded:
                results[(label, part, unit)] = {k: loaded[k] for k in loaded.files}
        return results
    results, outcome = run_child(task, lambda tree: copy_solution(tree, solution_root, assignment),
                                 inputs, work_root, identity=None)
    for key in units_of(task, inputs):
        if key not in results or ERROR in results[key]:
            problem = str(results[key][ERROR]) if key in results else \
                f"not computed: the process {outcome.fate}\n{outcome.stderr[-1500:]}"
            raise RuntimeError(f"task {task.id}: the solution fails unit {key}: {problem}")
    if folder is not None:
        folder.mkdir(parents=True, exist_ok=True)
        for (label, part, unit), arrays in results.items():
            np.savez(folder / f"{label}.{part}.{unit}.npz", **arrays)
        (folder / "seeds.json").write_text(stamp)
    return results


def grade(submission, assignment, solution_root, cache=None, identity="auto", log=None):
    """Grade `submission` (a folder) on `assignment` (a spec.Assignment).

    Args:
        solution_root: the folder holding the solution package `minigrad/`.
        cache: a folder for the solution's outputs (an autograder keeps them), or None.
        identity: (uid, gid) for the student's code, None to run it as ourselves, or
            "auto": the sandbox user when we are root.
        log: called with a line of progress per task, or None.

    Returns:
        [TaskResult, ...] in task order.

    Raises:
        RuntimeError: if the solution fails its own checks (a broken assignment), or the
            sandbox cannot run Python (which would give every task 0).
    """
    if identity == "auto":
        identity = sandbox.sandbox_identity()
    work_root = pathlib.Path(tempfile.mkdtemp(prefix="minigrad-grade-"))
    work_root.chmod(0o755)
    problem = sandbox.check_python(work_root, identity)
    if problem:  # or every task would score 0 for a reason that is not the student's
        shutil.rmtree(work_root, ignore_errors=True)
        raise RuntimeError(problem)
    results = []
    # Every submitted file is read before any of the student's code runs.
    try:
        submitted = [student_sources(task, submission, solution_root, assignment)
                     for task in assignment.tasks]
    except LocateError as error:
        raise RuntimeError(str(error)) from None
    try:
        for index, task in enumerate(assignment.tasks):
            started = time.monotonic()
            inputs = task_inputs(assignment, index)
            expected = expected_outputs(task, index, assignment, inputs, solution_root, cache,
                                        work_root)
            sources = submitted[index]

            def setup(tree):
                copy_solution(tree, solution_root, assignment)
                graft_task(tree, task, sources)
            try:
                got, outcome = run_child(task, setup, inputs, work_root, identity)
                note = ""
            except LocateError as error:
                got, outcome, note = {}, None, str(error)
            result = TaskResult(task, score_task(task, inputs, expected, got, outcome, note),
                                note, time.monotonic() - started)
            results.append(result)
            if log:
                log(f"task {task.id}: {result.score:g}/{task.points:g} "
                    f"({result.elapsed:.1f} s)")
    finally:
        shutil.rmtree(work_root, ignore_errors=True)
    return results


def score_task(task, inputs, expected, got, outcome, note):
    """[PartResult, ...]: each part passes when all its units pass, on both input sets."""
    check = KINDS[task.check]
    weights = check.weights(task)
    total = sum(weights.values())
    parts = []
    for key, title in check.parts(task):
        message = None
        for label in LABELS:
            units = [(p, u) for (lab, p, u) in expected if lab == label and p == key]
            want = {(p, u): a for (lab, p, u), a in expected.items() if lab == label}
            have = {(p, u): a for (lab, p, u), a in got.items() if lab == label}
            for unit in units:
                message = _judge_unit(check, task, unit, inputs_of(inputs, label), want, have,
                                      outcome, note)
                if message:
                    message = f"failed {SAID[label]}: {message}"
                    break
            if message:
                break
        points = task.points * weights[key] / total
        parts.append(PartResult(key, title, round(points, 6), message is None, message or ""))
    return parts


def _judge_unit(check, task, unit, inputs, want, have, outcome, note):
    part, name = unit
    if note:
        return note
    if unit not in have:
        advice = check.explain(task, part, name, outcome.fate)
        return _not_computed(task, outcome) + (f" {advice}" if advice else "")
    if ERROR in have[unit]:
        advice = check.explain(task, part, name, str(have[unit][ERROR]))
        return str(have[unit][ERROR]) + (f". {advice}" if advice else "")
    return check.judge(task, part, name, inputs, want, have)


def _not_computed(task, outcome):
    """Why a unit has no output: what became of the process, in words."""
    if outcome.timed_out:
        return (f"not computed: the task's process {outcome.fate} ({task.time_limit:g} s); "
                "an infinite loop, or much slower code than needed?")
    last = [line for line in outcome.stderr.strip().splitlines() if line.strip()]
    said = f" Its last words: {last[-1][:300]}" if last else ""
    if outcome.returncode == 0:
        return ("not computed: the task's process exited with status 0 before it finished "
                "(sys.exit or os._exit in your code?)." + said)
    return f"not computed: the task's process {outcome.fate}.{said}"
