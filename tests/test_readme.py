"""The README's Python snippets run as written, so the first thing a user copies works."""
import pathlib
import re

import numpy as np
import pytest

import minigrad as mg

README = pathlib.Path(__file__).resolve().parent.parent / "README.md"


def python_blocks():
    return re.findall(r"```python\n(.*?)```", README.read_text(), re.S)


def test_readme_python_snippets_run(tmp_path, monkeypatch):
    blocks = python_blocks()
    assert len(blocks) >= 3, "the README lost its tour, op definition or training snippet"
    monkeypatch.chdir(tmp_path)  # the training snippet saves a file
    namespace = {}
    namespace["X"], namespace["y"] = mg.datasets.load_digits()
    for block in blocks:
        exec(compile(block, str(README), "exec"), namespace)
    assert namespace["Cube"] is not None and (tmp_path / "digits.npz").exists()


def test_the_pytorch_port_fits_what_pytorchs_tutorial_fits(capsys):
    """The port in 'Coming from PyTorch' (PyTorch's "Tensors and autograd" example) runs on
    its own and fits the cubic that PyTorch's tutorial fits."""
    blocks = [block for block in python_blocks() if "learning_rate = 1e-6" in block]
    assert len(blocks) == 1, "the README lost its PyTorch port"
    mg.manual_seed(0)
    namespace = {}
    exec(compile(blocks[0], str(README), "exec"), namespace)
    losses = [float(line.split()[1]) for line in capsys.readouterr().out.splitlines()[:-1]]
    assert len(losses) == 20 and losses == sorted(losses, reverse=True)
    assert losses[-1] < 12  # PyTorch's tutorial prints 9.05 at step 1999
    # b and d converge fast (PyTorch's run: 0.8446 and -0.0916); a and c slowly, from any start
    assert namespace["b"].item() == pytest.approx(0.84, abs=0.01)
    assert namespace["d"].item() == pytest.approx(-0.0915, abs=0.002)
    assert namespace["a"].dtype == np.float32 and namespace["a"].grad is None


def test_readme_names_both_commands_for_ci():
    text = README.read_text()
    for marker in ("<!-- ci-run -->", "<!-- ci-test -->"):
        assert marker in text, f"README.md lost the {marker} command block that .ci/run reads"
