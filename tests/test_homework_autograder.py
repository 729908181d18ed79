"""The Gradescope side, as Gradescope runs it: autograder.zip unpacked into a stand-in for
/autograder, setup.sh (NumPy from the zip's wheels, no index), run_autograder on a
submission, results.json checked against the specification; and the student release
installed with pip, as a student would, with its public tests selected per task."""
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import zipfile

import numpy as np
import pytest

from minigrad.homework import cli, results

ROOT = pathlib.Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """op-rules, made with a NumPy wheel for this Python (fetched once with pip download)."""
    wheels = tmp_path_factory.mktemp("wheels")
    done = subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
                           "--only-binary=:all:", "--dest", str(wheels), f"numpy=={np.__version__}"],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"no NumPy wheel to ship (pip download failed: {done.stderr[-300:]})")
    out = tmp_path_factory.mktemp("made") / "hw1"
    assert cli.main(["assign", "op-rules", "--out", str(out), "--wheels", str(wheels),
                     "--seed", "7"]) == 0
    return out


def unzip(archive, dest):
    with zipfile.ZipFile(archive) as zipped:
        for info in zipped.infolist():
            target = zipped.extract(info, dest)
            mode = info.external_attr >> 16
            if mode:
                os.chmod(target, mode)


def test_the_zip_has_gradescopes_layout(made):
    with zipfile.ZipFile(made / "autograder.zip") as zipped:
        names = set(zipped.namelist())
        modes = {i.filename: i.external_attr >> 16 for i in zipped.infolist()}
    assert {"setup.sh", "run_autograder", "assignment.json"} <= names
    assert modes["run_autograder"] & 0o111 and modes["setup.sh"] & 0o111
    assert any(n.startswith("wheels/numpy-") and n.endswith(".whl") for n in names)
    assert "solution/minigrad/ops/elementwise.py" in names
    assert json.loads((made / "autograder" / "assignment.json").read_text())["hidden_seed"] == 7
    assert not any(n.startswith("student/") for n in names)


def test_autograder_runs_in_a_stand_in_for_autograder(made):
    jsonschema = pytest.importorskip("jsonschema")
    root = pathlib.Path(tempfile.mkdtemp(prefix="autograder-"))  # under /tmp: reachable by nobody
    root.chmod(0o755)
    try:
        unzip(made / "autograder.zip", root / "source")
        env = dict(os.environ, MINIGRAD_AUTOGRADER_ROOT=str(root),
                   MINIGRAD_AUTOGRADER_PYTHON=sys.executable, PIP_NO_INDEX="1")
        subprocess.run(["bash", str(root / "source" / "setup.sh")], env=env, check=True,
                       timeout=600, capture_output=True)
        assert (root / "site" / "numpy").is_dir()
        shutil.copy(root / "source" / "run_autograder", root / "run_autograder")
        # The submission: the reference code, except that Exp's VJP tries to read the hidden
        # seed, and would give itself away if it could.
        submission = root / "submission"
        shutil.copytree(ROOT / "minigrad", submission / "minigrad",
                        ignore=shutil.ignore_patterns("__pycache__", "homework"))
        target = submission / "minigrad" / "ops" / "elementwise.py"
        target.write_text(target.read_text().replace(
            "    def vjp(self, z_bar, z, x):\n        return z_bar * z\n",
            "    def vjp(self, z_bar, z, x):\n        try:\n"
            f"            secret = open({str(root / 'source' / 'assignment.json')!r}).read()\n"
            "        except OSError:\n            return z_bar * z\n"
            "        raise RuntimeError('read the hidden seed: ' + secret[:40])\n", 1))
        done = subprocess.run(["bash", str(root / "run_autograder")], env=env, cwd=root,
                              timeout=600, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr[-2000:]
        document = json.loads((root / "results" / "results.json").read_text())
        jsonschema.validate(document, results.SCHEMA)
        assert len(document["tests"]) == 8
        if os.geteuid() == 0:  # as on Gradescope: the student's code ran as nobody
            assert (root / "source").stat().st_mode & 0o077 == 0
            assert document["score"] == 16, json.dumps(document, indent=1)[:3000]
            assert "hidden seed" not in json.dumps(document)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def test_autograder_writes_valid_results_when_the_grader_itself_fails(made):
    root = pathlib.Path(tempfile.mkdtemp(prefix="autograder-"))
    try:
        (root / "source").mkdir()
        shutil.copy(made / "autograder" / "run_autograder", root / "run_autograder")
        env = dict(os.environ, MINIGRAD_AUTOGRADER_ROOT=str(root),
                   MINIGRAD_AUTOGRADER_PYTHON=sys.executable)
        subprocess.run(["bash", str(root / "run_autograder")], env=env, cwd=root, timeout=120,
                       capture_output=True)
        document = json.loads((root / "results" / "results.json").read_text())
        assert document["score"] == 0 and "could not grade" in document["output"]
    finally:
        shutil.rmtree(root, ignore_errors=True)


def test_release_installs_with_pip_and_selects_tests_by_task(made, tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    python = venv / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "-e",
                    f"{made / 'student'}[test]"], check=True, timeout=900, capture_output=True)
    where = subprocess.run([str(python), "-c", "import minigrad; print(minigrad.__file__)"],
                           capture_output=True, text=True, cwd=tmp_path, check=True).stdout
    assert where.strip() == str(made / "student" / "minigrad" / "__init__.py")
    done = subprocess.run([str(python), "-m", "pytest", "-q", "-m", "task1_3", "-W",
                           "error::pytest.PytestUnknownMarkWarning"],
                          cwd=made / "student", capture_output=True, text=True, timeout=300)
    assert done.returncode == 1, done.stdout[-2000:]
    assert "NotImplementedError: Task 1.3: Exp.vjp" in done.stdout
    assert "1 failed" in done.stdout and "deselected" in done.stdout
