"""The training benchmarks' first step: minigrad and the hand-written NumPy reference
must make the same update, or the timing that follows compares different work."""
import os
import sys

import numpy as np
import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), os.pardir, "benchmarks"))
import suite_training  # noqa: E402
import training_cnn  # noqa: E402
import training_makemore  # noqa: E402


@pytest.mark.parametrize("check", [
    lambda rng: suite_training.check_same_update([64, 128, 10], 64, rng),
    training_makemore.check_same_update,
    training_cnn.check_same_update,
], ids=["mlp", "makemore", "cnn"])
def test_minigrad_and_the_numpy_reference_make_the_same_update(check):
    check(np.random.default_rng(0))
