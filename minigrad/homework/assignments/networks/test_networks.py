"""Public tests of the networks assignment. Run one task with `pytest -m task4_1`."""
import numpy as np
import pytest

import minigrad as mg


@pytest.mark.task4_1
def test_linear_shapes_names_and_bounds():
    layer = mg.nn.Linear(64, 10, rng=0)
    assert [name for name, _ in layer.named_parameters()] == ["weight", "bias"]
    assert layer.weight.shape == (10, 64) and layer.bias.shape == (10,)
    assert np.max(np.abs(layer.weight.data)) <= 1 / 8
    assert mg.nn.Linear(3, 2, bias=False, rng=0).bias is None


@pytest.mark.task4_1
def test_linear_computes_x_w_transpose_plus_b():
    layer = mg.nn.Linear(3, 2, rng=0)
    layer.load_state_dict({"weight": np.array([[1.0, 0.0, -1.0], [2.0, 1.0, 0.0]]),
                           "bias": np.array([0.5, -0.5])})
    x = mg.tensor([[1.0, 2.0, 3.0]], requires_grad=True)
    y = layer(x)
    np.testing.assert_allclose(y.data, [[-1.5, 3.5]])
    y.sum().backward()
    np.testing.assert_allclose(x.grad.data, [[3.0, 1.0, -1.0]])
    np.testing.assert_allclose(layer.bias.grad.data, [1.0, 1.0])


def two_steps(optimizer_class, **config):
    w = mg.tensor([1.0, -2.0], requires_grad=True)
    optimizer = optimizer_class([w], **config)
    for g in ([0.5, 1.0], [0.25, -1.0]):
        w.grad = mg.tensor(g)
        optimizer.step()
    return w.data


@pytest.mark.task4_2
def test_sgd_plain_and_with_momentum():
    np.testing.assert_allclose(two_steps(mg.optim.SGD, lr=0.1), [1 - 0.075, -2.0])
    # b1 = g1, b2 = 0.9 b1 + g2: w = w - lr (b1 + b2)
    np.testing.assert_allclose(two_steps(mg.optim.SGD, lr=0.1, momentum=0.9),
                               [1 - 0.1 * (0.5 + 0.7), -2 - 0.1 * (1.0 - 0.1)])


@pytest.mark.task4_3
def test_adam_first_step_moves_by_lr_against_the_sign():
    w = mg.tensor([1.0, -2.0], requires_grad=True)
    optimizer = mg.optim.Adam([w], lr=0.1)
    w.grad = mg.tensor([3.0, -0.01])
    optimizer.step()
    np.testing.assert_allclose(w.data, [0.9, -1.9], rtol=1e-6)


@pytest.mark.task4_4
def test_training_reaches_95_percent():
    from train_digits import train
    X, y = mg.datasets.load_digits()
    order = np.random.default_rng(0).permutation(len(y))
    model = train(X[order[:1437]] / 16.0, y[order[:1437]], np.random.default_rng(1))
    with mg.no_grad():
        scores = model(mg.tensor(X[order[1437:]] / 16.0)).data
    assert np.mean(scores.argmax(axis=1) == y[order[1437:]]) >= 0.95
