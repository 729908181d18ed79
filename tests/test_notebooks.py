"""Every notebook under notebooks/ runs top to bottom, and is committed with its outputs.

The notebooks are executed in memory (the files are not rewritten) by a kernel running this
interpreter, so they see the minigrad under test, with matplotlib's non-interactive Agg
backend. To refresh a notebook's stored outputs after editing it (without per-cell
timestamps, so the diff shows only what changed):
    .venv/bin/python -c "import nbformat, nbclient; p = 'notebooks/why_softmax.ipynb'; \
        nb = nbformat.read(p, 4); nbclient.NotebookClient(nb, record_timing=False, \
        resources={'metadata': {'path': 'notebooks'}}).execute(); nbformat.write(nb, p)"
"""
import json
import pathlib
import sys

import pytest

nbformat = pytest.importorskip("nbformat", reason="install the notebooks extra: pip install -e '.[dev]'")
nbclient = pytest.importorskip("nbclient", reason="install the notebooks extra: pip install -e '.[dev]'")

NOTEBOOK_DIR = pathlib.Path(__file__).resolve().parent.parent / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))


@pytest.fixture
def this_interpreter_as_kernel(tmp_path, monkeypatch):
    """A "python3" kernelspec for sys.executable, found before any other on the machine."""
    spec_dir = tmp_path / "kernels" / "python3"
    spec_dir.mkdir(parents=True)
    spec = {"argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            "display_name": "Python 3 (minigrad tests)", "language": "python"}
    (spec_dir / "kernel.json").write_text(json.dumps(spec))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    return "python3"


def test_there_are_notebooks():
    assert NOTEBOOKS, f"no notebooks found in {NOTEBOOK_DIR}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_is_committed_with_outputs(path):
    notebook = nbformat.read(path, as_version=4)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert code, f"{path.name} has no code cells"
    unexecuted = [i for i, cell in enumerate(code) if cell.execution_count is None]
    assert not unexecuted, (f"{path.name}: code cells {unexecuted} were never run; execute it "
                            "and commit the outputs (see this module's docstring)")
    errors = [out for cell in code for out in cell.outputs if out.output_type == "error"]
    assert not errors, f"{path.name} was committed with an error output: {errors[0].get('ename')}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_runs(path, this_interpreter_as_kernel):
    notebook = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(notebook, timeout=120,
                                     kernel_name=this_interpreter_as_kernel,
                                     resources={"metadata": {"path": str(NOTEBOOK_DIR)}})
    client.execute()  # raises CellExecutionError, with the cell and traceback, on failure
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert all(cell.execution_count is not None for cell in code)
