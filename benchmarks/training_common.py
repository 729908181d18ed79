"""What the training benchmarks share: the minigrad step each one times, and the check
each makes first, that minigrad's step and its NumPy reference changed the weights alike."""
import numpy as np

import minigrad as mg


def make_minigrad_step(model, lr):
    """One training step of `model`: zero_grad, cross-entropy, backward, plain SGD."""
    optimizer = mg.optim.SGD(model.parameters(), lr=lr)

    def step(x, y):
        optimizer.zero_grad()
        loss = mg.nn.functional.cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()
        return loss.item()
    return step


def assert_same_change(new, reference, old, rtol=1e-3):
    """`new - old` (minigrad's update) agrees with `reference - old` (NumPy's).

    The changes are compared rather than the weights, since one step moves a weight by
    far less than its size: a wrong gradient could hide inside a tolerance on the weights.
    Each stored weight is rounded to its dtype, so the changes agree to a few of the
    weights' ulps beside the relative tolerance.
    """
    change, reference_change = new - old, reference - old
    assert np.abs(reference_change).max() > 0, "the reference step changed nothing"
    ulp = np.spacing(np.abs(old).max())
    np.testing.assert_allclose(change, reference_change, rtol=rtol,
                               atol=1e-4 * np.abs(reference_change).max() + 4 * ulp)
