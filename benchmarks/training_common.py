"""What the training benchmarks share: the minigrad step each one times, the check each
makes first (minigrad's step and its NumPy reference changed the weights alike), and the
timing of a benchmark module's row."""
import numpy as np

import minigrad as mg
from timing import Row, best_of_interleaved


def case(bench, name, target, rounds):
    """The Row of a benchmark module, which defines LR, init_params(rng), batch(rng),
    minigrad_model(params), numpy_step(params, x, y) and check_same_update(rng): checked
    first, then both steps timed in alternation from the same weights and batch."""
    rng = np.random.default_rng(0)
    bench.check_same_update(rng)
    params = bench.init_params(rng)
    x, y = bench.batch(rng)
    mg_step = make_minigrad_step(bench.minigrad_model(params), bench.LR)
    x_t, y_t = mg.tensor(x), mg.tensor(y)
    mg_s, np_s = best_of_interleaved(lambda: mg_step(x_t, y_t),
                                     lambda: bench.numpy_step(params, x, y), rounds=rounds)
    return Row(name, mg_s, np_s, target)


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
