"""minigrad's annotations, checked with mypy: a student's program type-checks with no false
errors, its mistakes are reported, and the package itself is clean.

Each test runs mypy in a subprocess, as an editor or CI would. The user program is checked
with --strict (so an unannotated minigrad function it calls, or an Any where a Tensor
belongs, would show) and imports minigrad from this checkout; errors inside minigrad
itself are the last test's business. Skipped only where mypy is not installed.
"""
import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(importlib.util.find_spec("mypy") is None,
                                reason="mypy is not installed (it is in the dev extra)")

ROOT = Path(__file__).resolve().parents[1]

# A student's program: a model, a training step, the transforms, indexing. It is also run
# (test_the_user_program_runs), so it is a real program, not one written for the checker.
PROGRAM = '''
import numpy as np
import minigrad as mg


class MLP(mg.nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.hidden = mg.nn.Linear(4, 8, rng=0)
        self.out = mg.nn.Linear(8, 3, rng=1)

    def forward(self, x: mg.Tensor) -> mg.Tensor:
        return self.out(self.hidden(x).relu())


x = mg.tensor([[1.0, 2.0, 3.0, 4.0]], requires_grad=True)
w = mg.randn(4, 4, rng=0, requires_grad=True)
doubled = x + x
scaled = x * 2.0
shifted = 2.0 * x - 1
product = w @ x.T
compared = x > 0.0
model = MLP()
logits = model(x)
loss = mg.nn.F.cross_entropy(logits, np.array([2]))
loss.backward()
value: float = loss.item()
optimizer = mg.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
optimizer.step()
optimizer.zero_grad()
with mg.no_grad():
    for p in model.parameters():
        if p.grad is not None:
            p -= 0.1 * p.grad
row = x[0]
columns = x[:, 1:3]
picked = x[0, np.array([0, 2])]


def f(v: mg.Tensor) -> mg.Tensor:
    return (v * v).sum()


gradient = mg.grad(f)(x)
value_and_gradient = mg.value_and_grad(f)(x)
jacobian = mg.jacobian(lambda v: v * v)(mg.tensor([1.0, 2.0]))
hessian = mg.hessian(f)(mg.tensor([1.0, 2.0]))
out, tangent = mg.jvp(f, (x,), (mg.ones_like(x),))
net = mg.nn.Sequential(mg.nn.Linear(4, 2, rng=0), mg.nn.ReLU())
hidden = net(x)
loader = mg.data.DataLoader(np.ones((4, 4)), np.array([0, 1, 2, 0]), batch_size=2)
total = 0.0
for xb, yb in loader:
    total += float(mg.nn.F.cross_entropy(model(xb), yb))
print(value, row.shape, gradient.shape, total)
'''

# What the checker must say about it: each expression, by name, with the type revealed.
REVEALED = {"doubled": "Tensor", "scaled": "Tensor", "shifted": "Tensor", "product": "Tensor",
            "compared": "Tensor", "logits": "Tensor", "loss": "Tensor", "row": "Tensor",
            "picked": "Tensor", "gradient": "Tensor", "jacobian": "Tensor",
            "hessian": "Tensor", "tangent": "Tensor", "hidden": "Tensor", "xb": "Tensor",
            "value_and_gradient": "tuple[Tensor, Tensor]", "optimizer": "SGD"}

# Mistakes, one a line, each of which mypy must report (on that line).
MISTAKES = '''
import minigrad as mg
from program import model, x

x.backward(1, 2, 3, 4)
mg.tensor([1.0]) + "a"
model(x, x)
mg.nn.Linear(4, 2).wieght
mg.tensr([1.0])
mg.zeros(2, device="cpu")
x.sum(axis="rows")
loss: mg.Tensor = x.item()
'''


def run_mypy(*args, cwd):
    """mypy's report, one line per error or note (mypy exits 1 on errors: that is data)."""
    result = subprocess.run([sys.executable, "-m", "mypy", *args], cwd=cwd,
                            capture_output=True, text=True, timeout=600,
                            env={**os.environ, "MYPYPATH": str(ROOT)})
    assert result.returncode in (0, 1), result.stdout + result.stderr  # 2: mypy itself failed
    return result.stdout.splitlines()


@pytest.fixture(scope="module")
def checked(tmp_path_factory):
    """mypy --strict over the program, its reveal_type lines and the mistakes, in one run."""
    folder = tmp_path_factory.mktemp("user")
    (folder / "program.py").write_text(PROGRAM)
    reveals = "from program import *  # noqa: F403\n" + "".join(
        f"reveal_type({name})\n" for name in REVEALED)
    (folder / "reveal.py").write_text(reveals)
    (folder / "mistakes.py").write_text(MISTAKES)
    # What a student's editor would be set to: strict, minigrad's own errors not shown.
    (folder / "mypy.ini").write_text("[mypy]\nstrict = True\nfollow_imports = silent\n"
                                     "python_version = 3.10\n")
    lines = run_mypy("--cache-dir", str(folder / "cache"), "program.py", "reveal.py",
                     "mistakes.py", cwd=folder)
    return lines


def _errors(lines, filename):
    return [line for line in lines if line.startswith(f"{filename}:") and ": error:" in line]


def test_the_user_program_type_checks_clean(checked):
    assert _errors(checked, "program.py") == [], "\n".join(checked)


def test_the_user_programs_values_have_their_types_not_any(checked):
    revealed = [re.search(r'Revealed type is "(.*)"', line).group(1)
                for line in checked if line.startswith("reveal.py:") and "Revealed" in line]
    assert len(revealed) == len(REVEALED), "\n".join(checked)
    for name, (expected, got) in zip(REVEALED, zip(REVEALED.values(), revealed)):
        simple = re.sub(r"\b[\w.]+\.(\w+)", r"\1", got)  # minigrad.tensor.Tensor -> Tensor
        assert simple == expected, f"{name}: revealed {got}, expected {expected}"


def test_each_mistake_is_reported_on_its_line(checked):
    expected = [i for i, line in enumerate(MISTAKES.splitlines(), 1)
                if line and not line.startswith(("import", "from"))]
    reported = sorted({int(line.split(":")[1]) for line in _errors(checked, "mistakes.py")})
    assert reported == expected, "\n".join(checked)


def test_the_user_program_runs(tmp_path):
    (tmp_path / "program.py").write_text(PROGRAM)
    result = subprocess.run([sys.executable, "program.py"], cwd=tmp_path, capture_output=True,
                            text=True, timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.returncode == 0, result.stderr


def test_py_typed_ships_with_the_package():
    assert (ROOT / "minigrad" / "py.typed").exists()
    assert '"py.typed"' in (ROOT / "pyproject.toml").read_text()


@pytest.mark.slow
def test_the_package_is_clean_under_check_untyped_defs(tmp_path):
    """`mypy` from the repository root: [tool.mypy] in pyproject.toml (check_untyped_defs,
    Python 3.10) over the package."""
    lines = run_mypy("--cache-dir", str(tmp_path / "cache"), cwd=ROOT)
    assert lines[-1].startswith("Success: no issues found"), "\n".join(lines)

