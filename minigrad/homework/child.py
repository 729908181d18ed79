"""What runs in the child process: compute one task's outputs and save them as .npz.

The child decides nothing. For each unit of its task's check (one case of one part, e.g.
the VJP on case 2) it calls the code under test on the grader's inputs and saves what
came back, or the exception it raised, in a file of its own, at once, so that a unit that
crashes the process keeps the units before it. The parent reads the files and scores
them. Nothing is pickled, in either direction.

Started by the parent as `python -I -S -c BOOTSTRAP job.json`: isolated from the
environment and from site-packages, with exactly the paths the job names (the grafted
tree first, then NumPy's directory).
"""
import json
import pathlib
import sys
import traceback

import numpy as np

#: The program the parent runs: find the tree, then hand over to `main`.
BOOTSTRAP = ("import json, sys; job = json.load(open(sys.argv[1])); sys.path[:0] = job['path']; "
             "from minigrad.homework.child import main; main(sys.argv[1])")
#: The key under which a unit's file holds the exception it raised.
ERROR = "__error__"


def main(job_path):
    job = json.loads(pathlib.Path(job_path).read_text())
    from minigrad.homework import checks
    from minigrad.homework.spec import Task
    task = Task.from_json(job["task"])
    check = checks.KINDS[task.check]
    out, tree = pathlib.Path(job["out"]), job["path"][0]
    with np.load(job["inputs"], allow_pickle=False) as data:
        inputs = {key: data[key] for key in data.files}
    for label in job["labels"]:
        for part, unit, compute in check.units(task, checks.inputs_of(inputs, label)):
            try:
                arrays = {name: as_saved_array(value, name) for name, value in compute().items()}
            except BaseException as error:  # noqa: B036 - sys.exit() in student code too
                arrays = {ERROR: np.array(describe(error, tree))}
            np.savez(out / f"{label}.{part}.{unit}.npz", **arrays)
    (out / "done").write_text("done")


def as_saved_array(value, name):
    """`value` (an ndarray, a Tensor, a number) as a numeric or text ndarray; never object."""
    if value is None:
        raise TypeError(f"{name} is None where an array was expected")
    # A Tensor's values are its .data; a NumPy scalar's .data is a raw memoryview.
    data = value.data if isinstance(getattr(value, "data", None), np.ndarray) else value
    try:
        array = np.asarray(data)
    except ValueError:  # ragged
        array = np.empty(0, dtype=object)
    if array.dtype == object:
        raise TypeError(f"{name} is not a numeric array (got {type(value).__name__})")
    return array


def describe(error, tree):
    """One line: the exception, and where in the graded tree it was raised."""
    text = f"{type(error).__name__}: {error}".strip()
    if len(text) > 600:
        text = text[:600] + " [...]"
    frames = [f for f in traceback.extract_tb(error.__traceback__)
              if f.filename.startswith(tree) and "/minigrad/homework/" not in f.filename]
    stub = isinstance(error, NotImplementedError) and str(error).startswith("Task ")
    if frames and not stub:
        frame = frames[-1]
        text += f" (at {frame.filename[len(tree):].lstrip('/')}, line {frame.lineno}: " \
                f"{(frame.line or '').strip()[:200]})"
    return text


if __name__ == "__main__":
    main(sys.argv[1])
