"""The autograder: Gradescope's layout, unpacked in DIR/autograder and zipped as
DIR/autograder.zip (setup.sh and run_autograder at the root).

    setup.sh            installs NumPy from wheels/ (no network) into ROOT/site
    run_autograder      grades ROOT/submission into ROOT/results/results.json
    solution/minigrad/  the solution, with this grader (readable by root only)
    assignment/         the assignment's files (spec, solution notebook, tests)
    assignment.json     the spec with the hidden seed: the hidden tests
    expected/           the solution's outputs on the public and hidden inputs
    wheels/             NumPy wheels for the Pythons it may run on

ROOT is /autograder on Gradescope, or $MINIGRAD_AUTOGRADER_ROOT (the tests use a
temporary folder). Gradescope runs both scripts as root; setup.sh makes the source
readable by root alone, and the grader runs each student child as `nobody`.
"""
import os
import pathlib
import shutil
import subprocess
import sys
import zipfile

import numpy as np

from minigrad.homework import grade, spec

SETUP = """#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder's image.
set -euo pipefail
ROOT="${MINIGRAD_AUTOGRADER_ROOT:-/autograder}"
PYTHON="${MINIGRAD_AUTOGRADER_PYTHON:-python3}"
if ! "$PYTHON" -m pip --version >/dev/null 2>&1 && command -v apt-get >/dev/null; then
    apt-get install -y python3 python3-pip  # the base image may lack pip
fi
# NumPy from the wheels in this zip: no package index is asked.
"$PYTHON" -m pip install --quiet --no-index --no-deps --find-links "$ROOT/source/wheels" \\
    --target "$ROOT/site" numpy
# The solution, the hidden seed and the expected outputs: root only. NumPy: everyone.
chmod -R go-rwx "$ROOT/source"
chmod -R go+rX "$ROOT/site"
chmod go+x "$ROOT"
"""

RUN = """#!/usr/bin/env bash
# Gradescope runs this, as root, for every submission; it must leave results.json.
ROOT="${MINIGRAD_AUTOGRADER_ROOT:-/autograder}"
PYTHON="${MINIGRAD_AUTOGRADER_PYTHON:-python3}"
mkdir -p "$ROOT/results"
rm -f "$ROOT/results/results.json"
cd "$ROOT"
PYTHONPATH="$ROOT/source/solution:$ROOT/site" "$PYTHON" -m minigrad.homework grade \\
    "$ROOT/submission" --assignment "$ROOT/source" --results "$ROOT/results/results.json"
status=$?
if [ ! -s "$ROOT/results/results.json" ]; then  # the grader itself failed: still a valid file
    cat > "$ROOT/results/results.json" <<JSON
{"score": 0, "output": "The autograder could not grade this submission (status $status); your instructor can see why in its output.", "tests": []}
JSON
fi
"""


def make_autograder(assignment, solution_root, dest, hidden_seed, wheels=None,
                    python_versions=(), log=None):
    """Write the autograder folder `dest` and `dest`.zip beside it.

    Args:
        hidden_seed: the seed of the hidden inputs (kept in assignment.json only).
        wheels: a folder of wheels to ship (NumPy's, for Gradescope's Python), or None to
            download NumPy for this Python and for each of `python_versions`.

    Returns:
        The path of the zip.

    Raises:
        RuntimeError: if no NumPy wheel could be had, or the solution fails a check.
    """
    dest = pathlib.Path(dest)
    dest.mkdir(parents=True)
    shutil.copytree(pathlib.Path(solution_root) / "minigrad", dest / "solution" / "minigrad",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    shutil.copytree(assignment.directory, dest / "assignment",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints"))
    spec.write_resolved(assignment, dest / spec.RESOLVED, "assignment", hidden_seed)
    _collect_wheels(dest / "wheels", wheels, python_versions)
    for name, text in (("setup.sh", SETUP), ("run_autograder", RUN)):
        (dest / name).write_text(text)
        (dest / name).chmod(0o755)
    # The solution's outputs, computed now: grading a submission then runs only its code,
    # and an assignment whose solution fails its own checks is found here, not by students.
    made = spec.load(dest)
    for index, task in enumerate(made.tasks):
        inputs = grade.task_inputs(made, index)
        grade.expected_outputs(task, index, made, inputs, dest / "solution", dest / "expected",
                               None)
        if log:
            log(f"task {task.id}: the solution's outputs computed")
    return _zip(dest, dest.with_suffix(".zip"))


def _collect_wheels(folder, wheels, python_versions):
    folder.mkdir()
    if wheels is not None:
        for wheel in pathlib.Path(wheels).glob("*.whl"):
            shutil.copy(wheel, folder)
    else:
        _download(folder, [f"numpy=={np.__version__}"])
        for version in python_versions:
            _download(folder, ["numpy>=1.24,<3", "--python-version", version])
    if not any(w.name.startswith("numpy-") for w in folder.glob("*.whl")):
        raise RuntimeError(f"no NumPy wheel in {folder}: pass --wheels with a folder that has "
                           "one for the Python the autograder runs")


def _download(folder, arguments):
    command = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
               "--only-binary=:all:", "--dest", str(folder)] + arguments
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"could not download {' '.join(arguments)} with pip "
                           f"({done.stderr.strip()[-500:]}); pass --wheels with a folder of "
                           "NumPy wheels instead")


def _zip(folder, path):
    """Zip the contents of `folder` (not the folder itself) with their modes."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for file in sorted(folder.rglob("*")):
            if file.is_file():
                info = zipfile.ZipInfo.from_file(file, file.relative_to(folder).as_posix())
                info.compress_type = zipfile.ZIP_STORED if file.suffix == ".whl" \
                    else zipfile.ZIP_DEFLATED
                with open(file, "rb") as f:
                    archive.writestr(info, f.read())
    os.chmod(path, 0o644)
    return path
