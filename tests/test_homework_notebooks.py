"""The built-in assignments' notebooks: the solution notebook runs top to bottom (its hidden
tests included, and its last cell, the public checks, passes), and the student's copy has
no solutions, no hidden tests and no outputs."""
import json
import sys

import pytest

from minigrad.homework import release, spec

nbformat = pytest.importorskip("nbformat", reason="install the notebooks extra: pip install -e '.[dev]'")
nbclient = pytest.importorskip("nbclient", reason="install the notebooks extra: pip install -e '.[dev]'")

NAMES = spec.built_in_names()


@pytest.fixture
def kernel(tmp_path, monkeypatch):
    """A "python3" kernelspec for this interpreter, so the notebook sees this minigrad."""
    folder = tmp_path / "kernels" / "python3"
    folder.mkdir(parents=True)
    (folder / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (minigrad tests)", "language": "python"}))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    return "python3"


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_solution_notebook_runs_and_its_public_checks_pass(name, kernel, tmp_path):
    assignment = spec.load(name)
    folder = release.write_solution_folder(assignment, tmp_path / name)
    notebook = nbformat.read(folder / assignment.notebook, as_version=4)
    nbclient.NotebookClient(notebook, timeout=300, kernel_name=kernel,
                            resources={"metadata": {"path": str(folder)}}).execute()
    last = notebook.cells[-1]
    printed = "".join(o.get("text", "") for o in last.outputs)
    assert " passed" in printed and "failed" not in printed, printed


@pytest.mark.parametrize("name", NAMES)
def test_each_notebook_has_solution_and_hidden_test_regions(name):
    assignment = spec.load(name)
    text = (assignment.directory / assignment.notebook).read_text()
    assert text.count("BEGIN SOLUTION") >= 1 and text.count("BEGIN HIDDEN TESTS") >= 2
    last = json.loads(text)["cells"][-1]
    assert "pytest" in "".join(last["source"]), "the last cell runs the public checks"
