"""The README's Python snippets run as written, so the first thing a user copies works."""
import pathlib
import re

import minigrad as mg

README = pathlib.Path(__file__).resolve().parent.parent / "README.md"


def test_readme_python_snippets_run(tmp_path, monkeypatch):
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), re.S)
    assert len(blocks) >= 3, "the README lost its tour, op definition or training snippet"
    monkeypatch.chdir(tmp_path)  # the training snippet saves a file
    namespace = {}
    namespace["X"], namespace["y"] = mg.datasets.load_digits()
    for block in blocks:
        exec(compile(block, str(README), "exec"), namespace)
    assert namespace["Cube"] is not None and (tmp_path / "digits.npz").exists()


def test_readme_names_both_commands_for_ci():
    text = README.read_text()
    for marker in ("<!-- ci-run -->", "<!-- ci-test -->"):
        assert marker in text, f"README.md lost the {marker} command block that .ci/run reads"
