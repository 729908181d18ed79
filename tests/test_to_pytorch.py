"""examples/to_pytorch.py: says so and exits cleanly without PyTorch; with it (where it is
installed: the suite never needs it), the model and the optimizer carry across exactly."""
import os
import re
import subprocess
import sys

import pytest

ROOT = os.path.join(os.path.dirname(__file__), os.pardir)
SCRIPT = os.path.join(ROOT, "examples", "to_pytorch.py")


def run(code):
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, timeout=600)


def test_without_pytorch_it_says_so_and_exits_cleanly():
    # sys.modules["torch"] = None makes `import torch` fail, as when it is not installed
    result = run("import runpy, sys; sys.modules['torch'] = None; sys.argv = ['to_pytorch.py']; "
                 f"runpy.run_path({SCRIPT!r}, run_name='__main__')")
    assert result.returncode == 0, result.stderr
    assert "needs PyTorch, which is not installed here (pip install torch)" in result.stdout
    assert "minigrad:" not in result.stdout  # nothing was trained


@pytest.mark.slow
def test_with_pytorch_the_model_and_the_optimizer_carry_across():
    pytest.importorskip("torch")
    result = run(f"import runpy, sys; sys.argv = ['to_pytorch.py', '--epochs', '2']; "
                 f"runpy.run_path({SCRIPT!r}, run_name='__main__')")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "100% of the 359 test predictions agree" in out
    logits_gap = float(re.search(r"largest logit difference (\S+)", out).group(1))
    weights_gap = float(re.search(r"largest weight difference (\S+)", out).group(1))
    assert logits_gap < 1e-12 and weights_gap < 1e-12
    accuracies = [float(a) for a in re.findall(r"test accuracy (\S+)", out)]
    assert len(accuracies) == 2 and min(accuracies) > 0.8
