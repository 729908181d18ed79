"""The main job, examples/train_digits.py, in a short run: it learns, and reports as promised."""
import importlib.util
import os
import re

import numpy as np
import pytest

import minigrad as mg

SCRIPT = os.path.join(os.path.dirname(__file__), os.pardir, "examples", "train_digits.py")


@pytest.fixture(scope="module")
def train_digits():
    spec = importlib.util.spec_from_file_location("train_digits", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_two_epochs_of_the_mlp_learn_far_above_chance(train_digits, tmp_path):
    lines = []
    path = tmp_path / "mlp.npz"
    result = train_digits.train("mlp", epochs=2, seed=0, save=str(path), progress=False,
                                log=lines.append)
    assert result["accuracy"] > 0.8                               # chance is 0.1
    assert lines[-1] == f"test accuracy: {result['accuracy']:.4f}"
    assert [line.split()[1] for line in lines if line.startswith("epoch")] == ["1/2", "2/2"]
    losses = [loss for loss, _ in result["history"]]
    assert losses[1] < losses[0] < np.log(10) + 0.1
    counts = result["confusion"]
    assert counts.shape == (10, 10) and counts.sum() == 359        # the 20% test split
    assert np.trace(counts) / counts.sum() == pytest.approx(result["accuracy"])
    state = mg.load(str(path))
    np.testing.assert_array_equal(state["0.weight"], result["model"][0].weight.data)


def test_the_split_is_fixed_and_disjoint(train_digits):
    X_train, y_train, X_test, y_test = train_digits.load_split("mlp")
    again = train_digits.load_split("mlp")
    np.testing.assert_array_equal(X_test, again[2])
    assert len(y_train) == 1438 and len(y_test) == 359
    assert X_train.max() == 1.0 and X_train.min() == 0.0           # scaled from 0..16
    images = train_digits.load_split("cnn")[0]
    assert images.shape == (1438, 1, 8, 8)
    np.testing.assert_array_equal(images.reshape(-1, 64), X_train)


def test_the_cnn_runs_one_short_epoch(train_digits):
    result = train_digits.train("cnn", epochs=1, seed=0, progress=False, log=lambda line: None)
    assert result["accuracy"] > 0.3


def test_confusion_matrix_counts_pairs(train_digits):
    counts = train_digits.confusion_matrix(np.array([0, 1, 1, 2]), np.array([0, 1, 2, 2]), 3)
    np.testing.assert_array_equal(counts, [[1, 0, 0], [0, 1, 1], [0, 0, 1]])


def test_command_line_prints_the_accuracy_last(train_digits, capsys):
    train_digits.main(["--epochs", "1", "--batch-size", "64", "--optimizer", "sgd", "--lr", "0.1"])
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].startswith("mlp: 9,610 parameters; 1438 training and 359 test images; sgd")
    assert re.fullmatch(r"test accuracy: 0\.\d{4}", lines[-1])
    assert float(lines[-1].split()[-1]) > 0.5
