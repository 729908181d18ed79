"""The student release: an installable copy of minigrad with the tasks' functions blanked,
the assignment's notebook (solution regions stripped) and its public tests.

    DIR/student/
        pyproject.toml      pip install -e DIR/student; pytest markers task1_1, ...
        README.md           the tasks, and what to run and hand in
        minigrad/           the library, each task function raising NotImplementedError
        op_rules.ipynb      the notebook, without solutions
        tests/              the public tests, one marker per task
"""
import json
import pathlib
import shutil

from minigrad.homework import docstrings, leaks
from minigrad.homework.locate import LocateError, blank, docstring_node, find, parse_source
from minigrad.homework.regions import strip_notebook, strip_regions
from minigrad.homework.trees import read_solution, stub_message

RULE_LABELS = ("forward", "vjp", "jvp")


class ReleaseError(RuntimeError):
    """The release could not be made without giving an answer away."""


def make_release(assignment, solution_root, dest):
    """Write the student release of `assignment` into `dest` (which must not exist).

    Raises:
        ReleaseError: if a place names no function, a redaction finds nothing, or the
            finished release still holds a solution expression.
    """
    dest = pathlib.Path(dest)
    solution_root = pathlib.Path(solution_root)
    shutil.copytree(solution_root / "minigrad", dest / "minigrad",
                    ignore=lambda folder, names: [n for n in names if n == "__pycache__" or
                                                  (pathlib.Path(folder).name == "minigrad"
                                                   and n == "homework")])
    sources = {}  # release path -> text, edited task by task
    for relative in assignment.files:
        text = (assignment.directory / relative).read_text()
        sources[relative] = strip_regions(text, relative) if relative.endswith(".py") else text
    try:
        for task in assignment.tasks:
            for place in task.functions:
                text = sources.get(place.path)
                if text is None:
                    text = read_solution(place, solution_root, assignment)
                sources[place.path] = blank(text, place.qualname, stub_message(task, place),
                                            place.path)
            for owner, path, labels in _rule_lines(task, sources):
                if labels:
                    sources[path] = docstrings.hide_rules(sources[path], owner, labels, task.id,
                                                          path, task.asks)
            for entry in task.redact:
                optional = entry.startswith("?")  # a line only some versions of the file have
                path, _, needle = entry.lstrip("?").partition(":")
                path, needle = path.strip(), needle.strip()
                if path not in sources:
                    sources[path] = (solution_root / path).read_text()
                if not optional or needle in sources[path]:
                    sources[path] = docstrings.redact(sources[path], needle, task.id, path)
    except LocateError as error:
        raise ReleaseError(f"{assignment.name}: {error}") from None
    for path, text in sources.items():
        target = dest / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    _check_students_rules(assignment, dest)
    _write_public_files(assignment, dest)
    (dest / "pyproject.toml").write_text(pyproject(assignment, solution_root))
    (dest / "README.md").write_text(readme(assignment))
    found = leaks.find_leaks(assignment, solution_root, dest)
    if found:
        raise ReleaseError(f"{assignment.name}: the release would give answers away:\n  "
                           + "\n  ".join(found))
    return dest


def _check_students_rules(assignment, dest):
    """Take the assignment's primitives out of `trust_rules` in the release: the fast
    engine then checks the shape of every cotangent their VJPs return, so a student's
    rule that forgets to sum over broadcast axes raises at once instead of broadcasting
    silently into other gradients."""
    path = dest / "minigrad" / "ops" / "__init__.py"
    classes = sorted({p.owner for t in assignment.tasks for p in t.functions
                      if p.owner and p.path.startswith("minigrad/ops/")})
    line = "trust_rules(PRIMITIVES)"
    if not classes or not path.is_file() or line not in path.read_text():
        return
    names = "{" + ", ".join(json.dumps(c) for c in classes) + "}"
    path.write_text(path.read_text().replace(line, (
        "# This assignment's primitives are checked on every call: their rules are being written.\n"
        f"trust_rules([p for p in PRIMITIVES if p.__name__ not in {names}])"), 1))


def _rule_lines(task, sources):
    """(class, path, labels) whose math-block lines to hide for the task: the
    task's `hide` labels, or by default the rules it blanks, where the class docstring
    has a math block at all."""
    by_owner: dict = {}
    for place in task.functions:
        if place.owner is not None:
            by_owner.setdefault((place.owner, place.path), []).append(place.name)
    for (owner, path), names in by_owner.items():
        if task.hide:
            yield owner, path, list(task.hide)
            continue
        node = docstring_node(find(parse_source(sources[path], path), owner, path))
        block = node is not None and any(f"{label}:" in node.value for label in RULE_LABELS)
        yield owner, path, [n for n in names if n in RULE_LABELS] if block else []


def _write_public_files(assignment, dest):
    if assignment.notebook:
        notebook = json.loads((assignment.directory / assignment.notebook).read_text())
        stripped = strip_notebook(notebook, assignment.notebook)
        (dest / pathlib.Path(assignment.notebook).name).write_text(
            json.dumps(stripped, indent=1, ensure_ascii=False) + "\n")
    (dest / "tests").mkdir(exist_ok=True)
    for relative in assignment.tests:
        text = (assignment.directory / relative).read_text()
        (dest / "tests" / pathlib.Path(relative).name).write_text(strip_regions(text, relative))


def write_solution_folder(assignment, dest):
    """The release's layout with the solutions left in (notebook, tests, files) and no
    copy of minigrad: what the solution notebook is executed in, against the installed
    minigrad."""
    dest = pathlib.Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    (dest / "tests").mkdir(exist_ok=True)
    for relative in assignment.tests:
        shutil.copy(assignment.directory / relative, dest / "tests" / pathlib.Path(relative).name)
    for relative in [assignment.notebook] + assignment.files:
        shutil.copy(assignment.directory / relative, dest / pathlib.Path(relative).name)
    (dest / "pyproject.toml").write_text(pyproject(assignment, None))
    return dest


def pytest_markers(assignment):
    return [f"{task.marker}: Task {task.id}: {task.title}" for task in assignment.tasks]


def pyproject(assignment, solution_root):
    """The release's pyproject.toml: minigrad (NumPy only), a test extra, task markers."""
    package_data = {"minigrad.datasets": ["*.npz", "NOTICE"]}
    markers = "".join(f"    {json.dumps(m)},\n" for m in pytest_markers(assignment))
    data = "".join(f"{json.dumps(k)} = {json.dumps(v)}\n" for k, v in package_data.items())
    return f'''[build-system]
requires = ["setuptools>=64"]
build-backend = "setuptools.build_meta"

[project]
name = "minigrad"
version = "0.1.0"
description = {json.dumps("minigrad, for the assignment: " + assignment.title)}
requires-python = ">=3.10"
dependencies = ["numpy>=1.24"]

[project.optional-dependencies]
test = ["pytest>=7.4"]
notebook = ["jupyter", "matplotlib>=3.7"]

[tool.setuptools.packages.find]
include = ["minigrad*"]

[tool.setuptools.package-data]
{data}
[tool.pytest.ini_options]
testpaths = ["tests"]
pythonpath = ["."]
markers = [
{markers}]
'''


def readme(assignment):
    """What the student reads first: the tasks, the commands, what to hand in."""
    rows = "".join(f"| {t.id} | {t.title} | {t.points:g} | "
                   f"{', '.join(f'`{p}`' for p in t.functions)} | `pytest -m {t.marker}` |\n"
                   for t in assignment.tasks)
    files = sorted({p.path for t in assignment.tasks for p in t.functions})
    notebook = pathlib.Path(assignment.notebook).name if assignment.notebook else None
    return f"""# {assignment.title}

This folder is minigrad with some of its functions taken out: each raises
`NotImplementedError("Task ...")` until you write it. Everything else works as in
minigrad, so you can test each function the moment it is written.

    python -m venv .venv && .venv/bin/pip install -e ".[test,notebook]"
    .venv/bin/python -m pytest              # every public test
    .venv/bin/python -m pytest -m task1_1   # the tests of one task (see the table)

{f"Start with the notebook `{notebook}`: it walks through the tasks and ends by running the public tests." if notebook else ""}

| task | what | points | write | its tests |
|---|---|---|---|---|
{rows}
Hand in these files, at the same paths (or the whole folder):
{"".join(f"- `{f}`{chr(10)}" for f in files)}
The grader runs the same checks as the public tests on other inputs too, each task on
its own: a mistake in one task costs that task only.
"""
