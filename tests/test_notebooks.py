"""The course notebooks (notebooks/NN_*.ipynb) run top to bottom and check what they computed.

How a notebook checks itself: a code cell tagged `check` (cell metadata "tags": ["check"])
begins with a comment naming what it checks, `# check: claim 3: only exp collapses to p - y`,
and ends with an expression that must be True (a Python bool, or NumPy's). Its displayed result
is the verdict a reader sees. The slow test executes every notebook with nbclient, in memory
(the files are not rewritten), in a kernel running this interpreter, so it sees the minigrad
under test; then every check cell must show True, or the test fails naming the notebook and the
check. Every notebook has at least one check, and 04_why_softmax one for each of the lesson's
16 claims ("claim 1" ... "claim 16" in the names).

To refresh a notebook's stored outputs after editing it (without per-cell timestamps, so the
diff shows only what changed; with MPLBACKEND unset, so the inline backend stores the figures):
    .venv/bin/python -c "import nbformat, nbclient; p = 'notebooks/04_why_softmax.ipynb'; \
        nb = nbformat.read(p, 4); nbclient.NotebookClient(nb, record_timing=False, \
        resources={'metadata': {'path': 'notebooks'}}).execute(); nbformat.write(nb, p)"
"""
import json
import pathlib
import re
import sys

import pytest

nbformat = pytest.importorskip("nbformat", reason="install the notebooks extra: pip install -e '.[dev]'")
nbclient = pytest.importorskip("nbclient", reason="install the notebooks extra: pip install -e '.[dev]'")

NOTEBOOK_DIR = pathlib.Path(__file__).resolve().parent.parent / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("[0-9][0-9]_*.ipynb"))
COURSE = ("01_tape_and_reverse_mode", "02_forward_mode_and_jacobians", "03_define_your_own_op", "04_why_softmax",
          "05_training_a_network", "06_higher_order_and_beyond")
SOFTMAX_CLAIMS = range(1, 17)
TRUE = ("True", "np.True_")
MAX_NOTEBOOK_BYTES = 600_000  # outputs committed, figures at modest dpi: no huge outputs


def check_cells(notebook):
    return [cell for cell in notebook.cells
            if cell.cell_type == "code" and "check" in cell.metadata.get("tags", [])]


def check_name(cell):
    """The name from the first line, `# check: NAME`, or None when the line is missing."""
    first = cell.source.lstrip().split("\n", 1)[0]
    match = re.match(r"#\s*check:\s*(.+)", first)
    return match.group(1).strip() if match else None


def failed_checks(notebook):
    """One message for each check cell of an executed notebook that did not show True."""
    failures = []
    for cell in check_cells(notebook):
        name = check_name(cell)
        if name is None:
            failures.append(f"check cell {cell.source[:40]!r} does not start with '# check: NAME'")
            continue
        results = [out.data.get("text/plain") for out in cell.get("outputs", [])
                   if out.output_type == "execute_result"]
        errors = [f"{out.ename}: {out.evalue}" for out in cell.get("outputs", [])
                  if out.output_type == "error"]
        if errors:
            failures.append(f"{name}: raised {errors[0]}")
        elif not results:
            failures.append(f"{name}: showed no value (its last line must be an expression)")
        elif results[-1] not in TRUE:
            failures.append(f"{name}: showed {results[-1]}, not True")
    return failures


def claims_checked(notebook):
    numbers = set()
    for cell in check_cells(notebook):
        numbers.update(int(n) for n in re.findall(r"\bclaim (\d+)\b", check_name(cell) or ""))
    return numbers


@pytest.fixture
def this_interpreter_as_kernel(tmp_path, monkeypatch):
    """A "python3" kernelspec for sys.executable, found before any other on the machine."""
    spec_dir = tmp_path / "kernels" / "python3"
    spec_dir.mkdir(parents=True)
    spec = {"argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            "display_name": "Python 3 (minigrad tests)", "language": "python"}
    (spec_dir / "kernel.json").write_text(json.dumps(spec))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path))
    monkeypatch.setenv("MPLBACKEND", "Agg")  # figures are drawn but not encoded as PNG
    return "python3"


def execute(notebook, kernel_name, path=NOTEBOOK_DIR):
    client = nbclient.NotebookClient(notebook, timeout=120, kernel_name=kernel_name,
                                     allow_errors=False, resources={"metadata": {"path": str(path)}})
    client.execute()  # raises CellExecutionError, with the cell and traceback, on failure
    return notebook


def test_the_course_is_there():
    names = {p.stem for p in NOTEBOOKS}
    missing = [name for name in COURSE if name not in names]
    assert not missing, f"missing from {NOTEBOOK_DIR}: {missing}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_is_committed_with_passing_outputs(path):
    notebook = nbformat.read(path, as_version=4)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert code, f"{path.name} has no code cells"
    unexecuted = [i for i, cell in enumerate(code) if cell.execution_count is None]
    assert not unexecuted, (f"{path.name}: code cells {unexecuted} were never run; execute it "
                            "and commit the outputs (see this module's docstring)")
    errors = [out for cell in code for out in cell.outputs if out.output_type == "error"]
    assert not errors, f"{path.name} was committed with an error output: {errors[0].get('ename')}"
    assert check_cells(notebook), f"{path.name} has no cell tagged 'check'"
    assert not failed_checks(notebook), f"{path.name} was committed with failing checks: {failed_checks(notebook)}"
    size = path.stat().st_size
    assert size < MAX_NOTEBOOK_BYTES, (f"{path.name} is {size:,} bytes; lower the figures' dpi or "
                                       "trim long outputs")


def test_the_softmax_lesson_checks_every_claim():
    notebook = nbformat.read(NOTEBOOK_DIR / "04_why_softmax.ipynb", as_version=4)
    missing = sorted(set(SOFTMAX_CLAIMS) - claims_checked(notebook))
    assert not missing, f"04_why_softmax has no check cell for claims {missing}"


def _cell(source, result=None, error=None, tags=("check",)):
    cell = nbformat.v4.new_code_cell(source)
    cell.metadata["tags"] = list(tags)
    if result is not None:
        cell.outputs = [nbformat.v4.new_output("execute_result", data={"text/plain": result},
                                               execution_count=1)]
    if error is not None:
        cell.outputs = [nbformat.v4.new_output("error", ename=error, evalue="boom", traceback=[])]
    return cell


def test_the_checker_reports_each_way_a_check_can_fail():
    notebook = nbformat.v4.new_notebook(cells=[
        _cell("# check: claim 1: holds\nTrue", result="True"),
        _cell("# check: claim 2: numpy's bool\nnp.all(x)", result="np.True_"),
        _cell("# check: claim 3: edited to fail\nFalse", result="False"),
        _cell("# check: claim 4: no value\nok = True"),
        _cell("# check: claim 5: raised\n1 / 0", error="ZeroDivisionError"),
        _cell("True", result="True"),
        _cell("False", result="False", tags=()),  # not a check cell
    ])
    assert failed_checks(notebook) == [
        "claim 3: edited to fail: showed False, not True",
        "claim 4: no value: showed no value (its last line must be an expression)",
        "claim 5: raised: raised ZeroDivisionError: boom",
        "check cell 'True' does not start with '# check: NAME'",
    ]
    assert claims_checked(notebook) == {1, 2, 3, 4, 5}


@pytest.mark.slow
def test_a_check_edited_to_false_fails_when_executed(tmp_path, this_interpreter_as_kernel):
    notebook = nbformat.v4.new_notebook(cells=[
        _cell("# check: claim 1: arithmetic\n1 + 1 == 2"),
        _cell("# check: claim 2: edited to False\nimport numpy as np\nbool(np.all([1, 0]))"),
    ])
    execute(notebook, this_interpreter_as_kernel, tmp_path)
    assert failed_checks(notebook) == ["claim 2: edited to False: showed False, not True"]


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_runs_and_its_checks_pass(path, this_interpreter_as_kernel):
    notebook = execute(nbformat.read(path, as_version=4), this_interpreter_as_kernel)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert all(cell.execution_count is not None for cell in code)
    assert check_cells(notebook), f"{path.name} checks nothing: tag at least one cell 'check'"
    failures = failed_checks(notebook)
    assert not failures, f"{path.name}: " + "; ".join(failures)
