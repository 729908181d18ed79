"""Grading, end to end: the solution scores full marks and the untouched release zero; a
planted 0.1%-wrong rule costs its own task only; partial credit per part; hostile
submissions get an honest score; the reference engine's chain and softmax's 50 000 classes
fail wrong answers with a message that says why. Whole assignments are marked slow."""
import json
import pathlib
import shutil
import time

import pytest

from minigrad.homework import grade, release, results, sandbox, spec, trees
from minigrad.homework.checks.engine import RECURSION_ADVICE

ROOT = pathlib.Path(__file__).resolve().parent.parent
NAMES = spec.built_in_names()
#: One derivative (or update) per assignment made 0.1% wrong: (task, file, [(solution
#: text, planted text), ...]).
PLANTED = {
    "op-rules": ("1.3", "minigrad/ops/elementwise.py", [("return z_bar * z\n", "return z_bar * z * 1.001\n"),
                                                         ("return x_dot * z\n", "return x_dot * z * 1.001\n")]),
    "reverse-mode": ("2.2", "minigrad/reference.py", [("bars.get(x, 0) + x_bar\n", "bars.get(x, 0) + x_bar * 1.001\n")]),
    "softmax": ("3.1", "minigrad/ops/softmax.py", [("return p * (v - (v * p)", "return 1.001 * p * (v - (v * p)")]),
    "networks": ("4.2", "minigrad/optim/sgd.py", [("theta -= lr * g", "theta -= 1.001 * lr * g")]),
}


def solution_submission(assignment, dest):
    """What a student who wrote the reference code would hand in."""
    shutil.copytree(ROOT / "minigrad", dest / "minigrad",
                    ignore=shutil.ignore_patterns("__pycache__", "homework"))
    for relative in assignment.files:
        shutil.copy(assignment.directory / relative, dest / relative)
    return dest


def plant(submission, path, old, new):
    target = submission / path
    text = target.read_text()
    assert text.count(old) >= 1, f"{old!r} not in {path}: update the planted rule"
    target.write_text(text.replace(old, new, 1))


def reduced(name, ids, **options):
    """The built-in assignment `name` with only the tasks `ids` (and task options)."""
    assignment = spec.load(name)
    raw = json.loads(json.dumps(assignment.raw))
    raw["tasks"] = [dict(t, **options) for t in raw["tasks"] if t["id"] in ids]
    return spec.from_dict(raw, assignment.directory, hidden_seed=12345)


def by_id(graded):
    return {r.task.id: r for r in graded}


@pytest.fixture(scope="module")
def caches(tmp_path_factory):
    """The solution's outputs per assignment, kept as an autograder keeps them."""
    return {name: tmp_path_factory.mktemp(f"expected-{name}") for name in NAMES}


# ----- whole assignments ------------------------------------------------------------------
@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_untouched_release_scores_zero_naming_each_stub(name, caches, tmp_path):
    assignment = spec.load(name)
    student = release.make_release(assignment, ROOT, tmp_path / "student")
    graded = grade.grade(student, assignment, ROOT, caches[name])
    for result in graded:
        assert result.score == 0, result.output
        assert f"NotImplementedError: Task {result.task.id}: " in result.output
    document = results.results_json(assignment, graded, 1.0)
    assert document["score"] == 0 and all(t["status"] == "failed" for t in document["tests"])


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_solution_scores_full_marks_in_under_a_minute(name, caches, tmp_path):
    assignment = spec.load(name)
    submission = solution_submission(assignment, tmp_path / "submission")
    grade.grade(submission, assignment, ROOT, caches[name])  # the solution's outputs, once
    started = time.monotonic()
    graded = grade.grade(submission, assignment, ROOT, caches[name])
    elapsed = time.monotonic() - started
    assert [r.score for r in graded] == [t.points for t in assignment.tasks], \
        "\n".join(r.output for r in graded)
    assert elapsed < 60, f"grading {name} took {elapsed:.1f} s"


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_a_rule_planted_wrong_by_a_tenth_of_a_percent_costs_its_own_task_only(name, caches, tmp_path):
    assignment = spec.load(name)
    planted_id, path, changes = PLANTED[name]
    submission = solution_submission(assignment, tmp_path / "submission")
    for old, new in changes:
        plant(submission, path, old, new)
    graded = by_id(grade.grade(submission, assignment, ROOT, caches[name]))
    for task in assignment.tasks:
        if task.id != planted_id:
            assert graded[task.id].score == task.points, graded[task.id].output
    planted = graded[planted_id]
    failed = [p for p in planted.parts if not p.passed]
    kept = [p.key for p in planted.parts if p.passed]
    assert kept == (["freeing"] if name == "reverse-mode" else []), planted.output
    assert planted.score == sum(p.points for p in planted.parts if p.passed)
    assert all("worst element" in p.message for p in failed), planted.output
    if name in ("op-rules", "softmax"):  # one rule, not an error compounded over a graph
        assert any("relative error 0.001" in p.message for p in failed), planted.output


# ----- one task at a time -----------------------------------------------------------------
def test_partial_credit_vjp_right_jvp_wrong_names_the_worst_element(tmp_path):
    assignment = reduced("op-rules", ["1.1"])
    submission = solution_submission(assignment, tmp_path / "submission")
    plant(submission, "minigrad/ops/arithmetic.py", "return x_dot * y + x * y_dot",
          "return (x_dot * y + x * y_dot) * 1.001")
    (result,) = grade.grade(submission, assignment, ROOT)
    parts = {p.key: p for p in result.parts}
    assert parts["vjp"].passed and parts["second_order"].passed and not parts["jvp"].passed
    assert result.score == pytest.approx(2 * (2 + 1) / 5)
    message = parts["jvp"].message
    assert "the tangent z_dot: worst element [" in message and "relative error 0.001" in message
    assert "adjoint identity fails between your rules" in message


@pytest.mark.slow
def test_a_recursive_topological_order_fails_the_chain_and_says_why(tmp_path):
    assignment = reduced("reverse-mode", ["2.1"])
    submission = solution_submission(assignment, tmp_path / "submission")
    recursive = '''def topological_order(target, within=None, caller="backward"):
    order, visited = [], set()

    def visit(tensor):
        if tensor in visited or tensor._entry is None or (within is not None and tensor not in within):
            return
        visited.add(tensor)
        for x in tensor._inputs:
            if isinstance(x, Tensor):
                visit(x)
        order.append(tensor)
    visit(target)
    return order
'''
    source = (submission / "minigrad/reference.py").read_text()
    from minigrad.homework import locate
    (submission / "minigrad/reference.py").write_text(
        locate.graft(source, "topological_order", recursive))
    (result,) = grade.grade(submission, assignment, ROOT)
    parts = {p.key: p for p in result.parts}
    assert parts["order"].passed and parts["within"].passed, result.output
    assert not parts["chain"].passed
    assert "RecursionError" in parts["chain"].message
    assert RECURSION_ADVICE.format(n="100,000") in parts["chain"].message


@pytest.mark.slow
def test_a_dense_softmax_jacobian_fails_only_at_fifty_thousand_classes(tmp_path):
    assignment = reduced("softmax", ["3.1"])
    submission = solution_submission(assignment, tmp_path / "submission")
    plant(submission, "minigrad/ops/softmax.py",
          "return p * (v - (v * p).sum(axis=self.axis, keepdims=True))",
          "xp = np if isinstance(p, np.ndarray) else None\n"
          "        if xp is None:\n"
          "            return p * (v - (v * p).sum(axis=self.axis, keepdims=True))\n"
          "        pm, vm = np.moveaxis(p, self.axis, -1), np.moveaxis(v, self.axis, -1)\n"
          "        J = pm[..., :, None] * np.eye(pm.shape[-1]) - pm[..., :, None] * pm[..., None, :]\n"
          "        return np.moveaxis((J @ vm[..., None])[..., 0], -1, self.axis)")
    (result,) = grade.grade(submission, assignment, ROOT)
    parts = {p.key: p for p in result.parts}
    assert parts["vjp"].passed and parts["jvp"].passed, result.output
    assert not parts["large"].passed and "MemoryError" in parts["large"].message
    assert "apply J to the vector without building it" in parts["large"].message


@pytest.mark.slow
def test_training_below_the_bar_says_how_far(tmp_path):
    assignment = reduced("networks", ["4.4"])
    submission = solution_submission(assignment, tmp_path / "submission")
    plant(submission, "train_digits.py", "for _ in range(15):", "for _ in range(0):")
    (result,) = grade.grade(submission, assignment, ROOT)
    assert result.score == 0
    assert "test accuracy" in result.output and "95% is needed" in result.output


# ----- hostile submissions ----------------------------------------------------------------
EXP_VJP = "    def vjp(self, z_bar: Array, z: Array, x: Array) -> Array:\n        return z_bar * z\n"
HOSTILE = {
    # name: (code run inside Exp.vjp before its correct answer, the parts of 1.3 that score)
    "sys_exit": ("import sys; sys.exit(0)", {"jvp"}),
    "os_exit": ("import os; os._exit(0)", set()),
    "writes_results": ("try:\n            open(RESULTS, 'w').write('{\"score\": 1000}')\n"
                       "        except OSError:\n            pass", {"vjp", "jvp", "second_order"}),
    "patches_checker": ("import minigrad.homework.compare as c, minigrad.testing as t; "
                        "c.mismatch = t.check_op = lambda *a, **k: None; "
                        "return z_bar * z * 2", {"jvp"}),
    "prints_megabytes": ("print('x' * 2 * 10 ** 6, flush=True)", {"vjp", "jvp", "second_order"}),
    "loops_forever": ("while True: pass", set()),
    "allocates_without_bound": ("import numpy; hoard = [numpy.empty(10 ** 7) for _ in iter(int, 1)]", {"jvp"}),
    # Only paths of this test and the child's own tree: run as yourself, it could succeed.
    "deletes_files": ("import shutil, os, sys\n"
                      "        for p in (SUBMISSION, RESULTS, sys.path[0]):\n"
                      "            shutil.rmtree(p, ignore_errors=True)\n"
                      "            try:\n                os.remove(p)\n"
                      "            except OSError:\n                pass", {"vjp", "jvp", "second_order"}),
}


@pytest.mark.slow
@pytest.mark.parametrize("variant", sorted(HOSTILE) + ["raises_at_import"])
def test_hostile_submission_is_graded_honestly(variant, tmp_path):
    assignment = reduced("op-rules", ["1.1", "1.3"], time_limit=6)
    submission = solution_submission(assignment, tmp_path / "submission")
    results_path = tmp_path / "results.json"
    if variant == "raises_at_import":
        plant(submission, "minigrad/ops/elementwise.py", "import numpy as np\n",
              "import numpy as np\nraise RuntimeError('at import')\n_BROKEN = 1 / 0\n")
        scoring = set()
    else:
        code, scoring = HOSTILE[variant]
        code = code.replace("RESULTS", repr(str(results_path))).replace("SUBMISSION", repr(str(submission)))
        plant(submission, "minigrad/ops/elementwise.py", EXP_VJP,
              f"    def vjp(self, z_bar: Array, z: Array, x: Array) -> Array:\n        {code}\n        return z_bar * z\n")
    started = time.monotonic()
    graded = by_id(grade.grade(submission, assignment, ROOT))
    assert time.monotonic() - started < 40
    assert graded["1.1"].score == 2, graded["1.1"].output  # the other task, untouched
    exp = graded["1.3"]
    assert {p.key for p in exp.parts if p.passed} == scoring, exp.output
    assert all(p.message for p in exp.parts if not p.passed)
    document = results.results_json(assignment, list(graded.values()), 1.0)
    results.write(document, results_path)
    assert json.loads(results_path.read_text())["score"] == pytest.approx(2 + sum(
        p.points for p in exp.parts if p.passed))
    said = {"sys_exit": "SystemExit", "os_exit": "exited with status 0 before it finished",
            "loops_forever": "stopped at the time limit", "allocates_without_bound": "MemoryError",
            "raises_at_import": "ZeroDivisionError", "patches_checker": "worst element"}
    if variant in said:
        assert said[variant] in exp.output, exp.output
    if variant == "deletes_files" and sandbox.sandbox_identity() is not None:
        assert (submission / "minigrad" / "ops" / "elementwise.py").is_file()


def test_find_submitted_copes_with_gradescope_layouts(tmp_path):
    (tmp_path / "nested" / "minigrad" / "ops").mkdir(parents=True)
    (tmp_path / "nested" / "minigrad" / "ops" / "linalg.py").write_text("x")
    (tmp_path / "elementwise.py").write_text("y")
    assert trees.find_submitted(tmp_path, "minigrad/ops/linalg.py").parent.name == "ops"
    assert trees.find_submitted(tmp_path, "minigrad/ops/elementwise.py").name == "elementwise.py"
    assert trees.find_submitted(tmp_path, "minigrad/ops/arithmetic.py") is None


@pytest.mark.slow
def test_a_daemon_left_behind_is_killed_before_it_can_write_results(tmp_path):
    """A child that escapes into a session of its own is reparented to the grader (a
    subreaper) and killed when its task ends, so it cannot rewrite results.json later."""
    import subprocess
    import sys
    import tempfile
    folder = tmp_path / "assignment"
    shutil.copytree(spec.load("op-rules").directory, folder)
    toml = (folder / "assignment.toml").read_text()
    (folder / "assignment.toml").write_text(toml[:toml.index("[[tasks]]\nid = \"1.4\"")])
    shared = pathlib.Path(tempfile.mkdtemp(prefix="results-"))  # writable by the sandbox user too
    shared.chmod(0o777)
    results_path = shared / "results.json"
    submission = solution_submission(spec.load("op-rules"), tmp_path / "submission")
    plant(submission, "minigrad/ops/elementwise.py", EXP_VJP,
          "    def vjp(self, z_bar, z, x):\n"
          "        import os, time\n"
          "        if os.fork() == 0:\n"
          "            os.setsid()\n"
          "            if os.fork() == 0:\n"
          "                time.sleep(4)\n"
          f"                open({str(shared / 'still-alive')!r}, 'w').write('yes')\n"
          f"                open({str(results_path)!r}, 'w').write('{{\"score\": 1000}}')\n"
          "            os._exit(0)\n"
          "        return z_bar * z\n")
    try:
        done = subprocess.run([sys.executable, "-m", "minigrad.homework", "grade", str(submission),
                               "--assignment", str(folder), "--results", str(results_path)],
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr[-2000:]
        time.sleep(6)
        assert not (shared / "still-alive").exists()
        document = json.loads(results_path.read_text())
        assert document["score"] == 6, document  # tasks 1.1 to 1.3, all right
    finally:
        shutil.rmtree(shared, ignore_errors=True)
