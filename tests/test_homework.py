"""minigrad-homework's parts on their own: the ast locator, docstrings that lose the
answer, solution regions, assignment files, the release's leak check, results.json
against Gradescope's specification, and the command's exit statuses."""
import ast
import json
import pathlib
import shutil
import sys

import pytest

from minigrad.homework import cli, docstrings, leaks, locate, regions, release, results, spec
from minigrad.homework.grade import PartResult, TaskResult

ROOT = pathlib.Path(__file__).resolve().parent.parent
NAMES = spec.built_in_names()
ALL_PLACES = [(name, task, place) for name in NAMES for task in spec.load(name).tasks
              for place in task.functions]


def solution_text(name, place):
    assignment = spec.load(name)
    base = ROOT if place.path.startswith("minigrad/") else assignment.directory
    return (base / place.path).read_text()


# ----- the locator ------------------------------------------------------------------------
@pytest.mark.parametrize("name, task, place", ALL_PLACES,
                         ids=[f"{t.id}-{p.qualname}" for _, t, p in ALL_PLACES])
def test_blank_changes_only_the_body_and_graft_restores_it(name, task, place):
    source = solution_text(name, place)
    blanked = locate.blank(source, place.qualname, f"Task {task.id}: {place.qualname}")
    node = locate.find(ast.parse(source), place.qualname)
    body = node.body[1:] if locate.docstring_node(node) else node.body
    before, after = source.splitlines(), blanked.splitlines()
    first, last = body[0].lineno - 1, body[-1].end_lineno
    assert after[:first] == before[:first]  # byte for byte above the body ...
    assert after[first + 1:] == before[last:]  # ... and below it
    assert after[first].strip() == f'raise NotImplementedError("Task {task.id}: {place.qualname}")'
    lifted = locate.lift(source, place.qualname)
    assert locate.graft(blanked, place.qualname, lifted) == source


def test_blank_keeps_a_docstring_and_drops_a_trailing_comment():
    source = "def f(x):\n    '''Doc.'''\n    y = 2 * x  # the answer\n    return y  # it\n\nz = 1\n"
    assert locate.blank(source, "f", "Task 9.1: f") == (
        "def f(x):\n    '''Doc.'''\n    raise NotImplementedError(\"Task 9.1: f\")\n\nz = 1\n")


def test_find_names_the_missing_part_and_parse_errors_name_the_line():
    with pytest.raises(locate.LocateError, match="no 'vjpp' in Multiply"):
        locate.find(ast.parse((ROOT / "minigrad/ops/arithmetic.py").read_text()), "Multiply.vjpp")
    with pytest.raises(locate.LocateError, match=r"f.py does not parse: .*\(line 2\)"):
        locate.parse_source("x = 1\ndef (:\n", "f.py")
    with pytest.raises(ValueError, match="is not a place"):
        locate.Place.parse("minigrad/ops/arithmetic.py")


def test_new_helpers_of_a_student_are_carried_with_the_graft():
    solution = "import numpy as np\n\nclass A:\n    def f(self, x):\n        return x\n"
    student = ("import numpy as np\nimport math\n\n_SCALE = 2.0\n\ndef _twice(x):\n    return _SCALE * x\n\n"
               "class A:\n    def f(self, x):\n        return _twice(self._half(x))\n\n"
               "    def _half(self, x):\n        return x / 2\n")
    grafted = locate.graft(solution, "A.f", locate.lift(student, "A.f"))
    for owner, helpers in locate.new_helpers(student, solution, {None, "A"}).items():
        grafted = locate.add_helpers(grafted, owner, helpers)
    namespace = {}
    exec(compile(grafted, "grafted", "exec"), namespace)
    assert namespace["A"]().f(3.0) == 3.0 and "import math" in grafted


# ----- docstrings -------------------------------------------------------------------------
def test_multi_line_math_block_loses_exactly_the_blanked_rules():
    source = (ROOT / "minigrad/ops/arithmetic.py").read_text()
    hidden = docstrings.hide_rules(source, "Divide", ["vjp", "jvp"], "1.2")
    assert "x_bar = z_bar / y,   y_bar = -z_bar * z / y" not in hidden
    assert "z_dot = (x_dot - z * y_dot) / y" not in hidden
    assert "      vjp:      Task 1.2: derive x_bar" in hidden
    assert "      forward:  z = x / y" in hidden  # the question stays
    changed = [a for a, b in zip(source.splitlines(), hidden.splitlines()) if a != b]
    assert len(changed) == 2 and len(source.splitlines()) == len(hidden.splitlines())


def test_one_line_math_block_loses_its_segments():
    source = (ROOT / "minigrad/ops/elementwise.py").read_text()
    hidden = docstrings.hide_rules(source, "Exp", ["vjp", "jvp"], "1.3")
    line = next(l for l in hidden.splitlines() if l.strip().startswith('"""Exp.'))
    assert "forward: z = exp(x);" in line and "z_bar * z" not in line and "x_dot" in line
    assert line.endswith('from z_bar"""')


def test_hide_rules_raises_when_the_label_is_missing():
    with pytest.raises(locate.LocateError, match="has no line for vjp"):
        docstrings.hide_rules('class A:\n    """No math."""\n', "A", ["vjp"], "1.1")


def test_redact_touches_docstrings_and_comments_never_code():
    source = ('def f():\n    """Doc:\n    the answer is 42.\n    """\n    # the answer is 42\n'
              '    return 42\n')
    redacted = docstrings.redact(source, "the answer is 42", "1.1")
    assert "the answer is 42" not in redacted and redacted.count("removed: Task 1.1") == 2
    assert redacted.splitlines()[4] == "    # (removed: Task 1.1 asks for this)"
    ast.parse(redacted)
    with pytest.raises(locate.LocateError, match="occurs in code"):
        docstrings.redact(source + 'print("the answer is 42")\n', "the answer is 42", "1.1")
    with pytest.raises(locate.LocateError, match="not found"):
        docstrings.redact(source, "no such line", "1.1")


# ----- regions ----------------------------------------------------------------------------
@pytest.mark.parametrize("hashes", ["#", "###"])
def test_solution_regions_in_both_spellings_and_hidden_tests(hashes):
    text = (f"x = 1\n    {hashes} BEGIN SOLUTION\n    y = secret(x)\n    {hashes} END SOLUTION\n"
            f"{hashes} BEGIN HIDDEN TESTS\nassert y == 2\n{hashes} END HIDDEN TESTS\nprint(y)\n")
    stripped = regions.strip_regions(text, "cell")
    assert "secret" not in stripped and "assert" not in stripped
    assert stripped == ('x = 1\n    # YOUR CODE HERE\n    raise NotImplementedError("your code here")\n'
                        "print(y)\n")


@pytest.mark.parametrize("text, message", [
    ("# BEGIN SOLUTION\nx\n", "line 1: BEGIN SOLUTION is never ended"),
    ("x\n# END HIDDEN TESTS\n", "line 2: END HIDDEN TESTS without BEGIN"),
    ("# BEGIN SOLUTION\n# BEGIN HIDDEN TESTS\n", "line 2: BEGIN HIDDEN TESTS inside an open"),
])
def test_unbalanced_regions_are_refused(text, message):
    with pytest.raises(regions.RegionError, match=message):
        regions.strip_regions(text, "f.py")


# ----- assignment files -------------------------------------------------------------------
def test_built_in_assignments_are_the_four_of_the_course():
    assert NAMES == ["op-rules", "reverse-mode", "softmax", "networks"]
    op_rules = spec.load("op-rules")
    assert [t.id for t in op_rules.tasks] == [f"1.{i}" for i in range(1, 9)]
    assert op_rules.tasks[0].marker == "task1_1" and op_rules.points == 16


@pytest.mark.parametrize("change, message", [
    (lambda raw: raw["tasks"][0].pop("check"), "task 1.1 needs 'check'"),
    (lambda raw: raw["tasks"][0].update(check="magic"), "unknown check 'magic'"),
    (lambda raw: raw["tasks"][1].update(id="1.1"), "two tasks have id '1.1'"),
    (lambda raw: raw["tasks"][0].update(points=0), "points must be positive"),
    (lambda raw: raw["tasks"][0].update(functions=["arithmetic.py"]), "is not a place"),
    (lambda raw: raw.update(memory_limit="lots"), "is not a size"),
    (lambda raw: raw.update(notebook="missing.ipynb"), "missing.ipynb is listed but not found"),
])
def test_a_bad_assignment_file_says_what_to_fix(change, message):
    assignment = spec.load("op-rules")
    raw = json.loads(json.dumps(assignment.raw))
    change(raw)
    with pytest.raises(spec.SpecError, match=message):
        spec.from_dict(raw, assignment.directory)


def test_an_autograder_reads_its_spec_without_a_toml_parser(tmp_path, monkeypatch):
    """Gradescope's Python 3.10 has no tomllib: the autograder keeps the spec as JSON."""
    assignment = spec.load("op-rules")
    shutil.copytree(assignment.directory, tmp_path / "assignment")
    spec.write_resolved(assignment, tmp_path / spec.RESOLVED, "assignment", 99)
    monkeypatch.setitem(sys.modules, "tomllib", None)
    monkeypatch.setitem(sys.modules, "tomli", None)
    loaded = spec.load(tmp_path)
    assert loaded.hidden_seed == 99 and [t.id for t in loaded.tasks] == [t.id for t in assignment.tasks]
    with pytest.raises(spec.SpecError, match="needs tomli"):
        spec.load("op-rules")


def test_saved_outputs_are_numbers_whatever_a_rule_returns():
    import numpy as np
    import minigrad as mg
    from minigrad.homework.child import as_saved_array
    assert as_saved_array(np.float64(2.5), "z").tolist() == 2.5  # not its memoryview's bytes
    assert as_saved_array(mg.tensor([1.0, 2.0]), "z").tolist() == [1.0, 2.0]
    with pytest.raises(TypeError, match="x_bar0 is None"):
        as_saved_array(None, "x_bar0")
    with pytest.raises(TypeError, match="not a numeric array"):
        as_saved_array([np.ones(2), np.ones(3)], "x_bar0")


# ----- the release ------------------------------------------------------------------------
@pytest.fixture(scope="module")
def releases(tmp_path_factory):
    made = {}
    for name in NAMES:
        made[name] = release.make_release(spec.load(name), ROOT,
                                          tmp_path_factory.mktemp("release") / name)
    return made


@pytest.mark.parametrize("name", NAMES)
def test_release_holds_no_blanked_solution_expression(name, releases):
    """grep the release (package, notebook, tests, README) for every expression the blanked
    functions computed: none may occur more often than elsewhere in minigrad's source."""
    assignment = spec.load(name)
    assert leaks.find_leaks(assignment, ROOT, releases[name]) == []
    notebook = (releases[name] / assignment.notebook).read_text()
    assert "BEGIN SOLUTION" not in notebook and "HIDDEN TESTS" not in notebook
    assert all(not c.get("outputs") for c in json.loads(notebook)["cells"])
    for task in assignment.tasks:
        for place in task.functions:
            text = (releases[name] / place.path).read_text()
            assert f'raise NotImplementedError("Task {task.id}: {place.qualname}")' in text
            if task.check == "op" and place.owner:  # each rule line of the math block asks
                doc = locate.docstring_node(locate.find(ast.parse(text), place.owner)).value
                for label in ("vjp:", "jvp:"):
                    segments = [seg for line in doc.splitlines() for seg in line.split(";")
                                if seg.strip().startswith(label) or f"  {label}" in seg]
                    assert segments and all(f"Task {task.id}: derive" in seg for seg in segments)
    assert not (releases[name] / "minigrad" / "homework").exists()


def test_a_students_rule_of_the_wrong_shape_raises_in_the_release(releases, tmp_path):
    """The release checks the assignment's rules on every call, as it does a user's op."""
    import subprocess
    import sys
    student = tmp_path / "student"
    shutil.copytree(releases["op-rules"], student)
    path = student / "minigrad/ops/reductions.py"
    path.write_text(path.read_text().replace('raise NotImplementedError("Task 1.6: Sum.vjp")',
                                             "return z_bar  # forgot to broadcast back", 1))
    program = ("import minigrad as mg\nx = mg.ones(3, 4, requires_grad=True)\n"
               "mg.sum(x, axis=1).sum().backward()\n")
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True,
                          env={"PYTHONPATH": str(student), "PATH": "/usr/bin:/bin"}, cwd=tmp_path)
    assert "sum: VJP rule returned a cotangent of shape () for input 0, whose shape is (3,)" \
        in done.stderr, done.stderr[-1500:]


def test_the_leak_check_finds_a_planted_leak(releases, tmp_path):
    assignment = spec.load("op-rules")
    planted = tmp_path / "planted"
    shutil.copytree(releases["op-rules"], planted)
    notebook = json.loads((planted / assignment.notebook).read_text())
    notebook["cells"].append({"cell_type": "code", "metadata": {}, "outputs": [],
                              "execution_count": None, "source": "x_bar = z_bar * (1 - z * z)\n"})
    (planted / assignment.notebook).write_text(json.dumps(notebook))
    path = planted / "minigrad/ops/linalg.py"
    path.write_text(path.read_text() + "\n\ndef cheat(x, z_bar):\n    return x.swapaxes(-1, -2) @ z_bar\n")
    found = leaks.find_leaks(assignment, ROOT, planted)
    assert any("op_rules.ipynb" in f and "z_bar * (1 - z * z)" in f and "Task 1.5" in f for f in found)
    assert any("linalg.py" in f and "Task 1.8" in f for f in found)


def test_release_is_an_installable_package_with_task_markers(releases):
    text = (releases["op-rules"] / "pyproject.toml").read_text()
    assert 'name = "minigrad"' in text and '"task1_8: Task 1.8: MatMul"' in text
    assert 'dependencies = ["numpy>=1.24"]' in text
    tests = (releases["op-rules"] / "tests" / "test_op_rules.py").read_text()
    assert all(f"@pytest.mark.task1_{i}" in tests for i in range(1, 9))


# ----- results.json -----------------------------------------------------------------------
def fake_results():
    assignment = spec.load("op-rules")
    graded = [TaskResult(task, [PartResult("vjp", "VJP", task.points * 0.4, i != 2, "" if i != 2 else "wrong"),
                                PartResult("jvp", "JVP", task.points * 0.6, True, "")])
              for i, task in enumerate(assignment.tasks)]
    return assignment, graded


def test_results_json_follows_gradescope_specification():
    jsonschema = pytest.importorskip("jsonschema")
    assignment, graded = fake_results()
    document = results.results_json(assignment, graded, 12.5)
    jsonschema.validate(document, results.SCHEMA)
    assert document["score"] == pytest.approx(16 - 0.8)
    third = document["tests"][2]
    assert third["status"] == "failed" and third["score"] == pytest.approx(1.2)
    assert third["number"] == "1.3" and third["max_score"] == 2 and "wrong" in third["output"]
    assert "1.3" in results.table(assignment, graded)


@pytest.mark.parametrize("bad", [
    {"tests": [{"name": "no score"}]},
    {"score": 1, "tests": [{"score": 1, "status": "ok"}]},
    {"score": 1, "visibility": "sometimes"},
    {"score": "1"},
    {"score": 1, "scores": 2},
])
def test_the_schema_rejects_what_gradescope_would(bad):
    jsonschema = pytest.importorskip("jsonschema")
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, results.SCHEMA)


def test_the_sandbox_probe_says_why_python_cannot_start(tmp_path, monkeypatch):
    from minigrad.homework import sandbox
    assert sandbox.check_python(tmp_path, None) is None
    monkeypatch.setattr(sandbox, "interpreter", lambda identity: "/bin/false")
    assert "the probe exited with status 1" in sandbox.check_python(tmp_path / "again", None)
    monkeypatch.setattr(sandbox, "interpreter", lambda identity: str(tmp_path / "no-python"))
    assert "cannot start Python" in sandbox.check_python(tmp_path / "third", None)


# ----- the command ------------------------------------------------------------------------
def test_list_prints_one_line_per_assignment(capsys):
    assert cli.main(["list"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 4 and lines[0].startswith("op-rules") and "16 points" in lines[0]


def test_exit_status_two_when_it_cannot_grade(tmp_path, capsys):
    assert cli.main(["grade", str(tmp_path / "nowhere"), "--assignment", "op-rules"]) == 2
    assert "no submission folder" in capsys.readouterr().err
    assert cli.main(["grade", str(tmp_path), "--assignment", "no-such-thing"]) == 2
    assert "no assignment 'no-such-thing'" in capsys.readouterr().err
