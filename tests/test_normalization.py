"""LayerNorm and BatchNorm1d: values against closed forms, running statistics as PyTorch
keeps them (momentum 0.1, unbiased variance), train vs eval, both derivative modes."""
import numpy as np
import pytest

import minigrad as mg
from minigrad import nn
from minigrad.nn.normalization import batch_norm, layer_norm
from minigrad.testing import gradcheck

EPS = 1e-5


def normalized(x, axes):
    mean = x.mean(axis=axes, keepdims=True)
    return (x - mean) / np.sqrt(x.var(axis=axes, keepdims=True) + EPS)


# ----- LayerNorm -------------------------------------------------------------------------

def test_layer_norm_values(rng):
    x = rng.standard_normal((3, 4, 5)) * 3 + 1
    layer = nn.LayerNorm(5)
    assert layer.weight.shape == (5,) and np.all(layer.weight.data == 1)
    assert np.all(layer.bias.data == 0)
    y = layer(mg.tensor(x)).data
    np.testing.assert_allclose(y, normalized(x, -1), rtol=1e-12)
    np.testing.assert_allclose(y.mean(axis=-1), 0, atol=1e-12)
    # A row [a, b] normalises to [-1, 1] * |a - b| / sqrt((a - b)^2 + 4 eps).
    pair = layer_norm(mg.tensor([[0.0, 2.0]]), 2).data
    np.testing.assert_allclose(pair, [[-1, 1]] / np.sqrt(1 + EPS), rtol=1e-14)


def test_layer_norm_over_several_axes_with_affine(rng):
    x = rng.standard_normal((2, 3, 4))
    layer = nn.LayerNorm((3, 4), eps=1e-3)
    layer.weight.data[...] = rng.standard_normal((3, 4))
    layer.bias.data[...] = rng.standard_normal((3, 4))
    mean, var = x.mean(axis=(1, 2), keepdims=True), x.var(axis=(1, 2), keepdims=True)
    expected = (x - mean) / np.sqrt(var + 1e-3) * layer.weight.data + layer.bias.data
    np.testing.assert_allclose(layer(mg.tensor(x)).data, expected, rtol=1e-12)
    assert nn.LayerNorm(4, elementwise_affine=False).parameters() == []


def test_layer_norm_gradients_in_both_modes_and_second_order(rng):
    x, w, b = rng.standard_normal((2, 4)), rng.standard_normal(4), rng.standard_normal(4)
    assert gradcheck(lambda x, w, b: layer_norm(x, 4, w, b), x, w, b)
    assert gradcheck(mg.grad(lambda x: (layer_norm(x, 4) ** 3).sum()), x)


def test_layer_norm_shape_error():
    with pytest.raises(ValueError, match=r"last axes are \(4,\), got shape \(2, 3\)"):
        nn.LayerNorm(4)(mg.ones((2, 3)))


# ----- BatchNorm1d -----------------------------------------------------------------------

def test_batch_norm_train_mode_normalizes_with_batch_statistics(rng):
    x = rng.standard_normal((8, 3)) * [1.0, 2.0, 3.0] + [0.0, 5.0, -1.0]
    bn = nn.BatchNorm1d(3)
    np.testing.assert_allclose(bn(mg.tensor(x)).data, normalized(x, 0), rtol=1e-12)


def test_batch_norm_running_statistics_follow_pytorch(rng):
    """running = 0.9 running + 0.1 batch stat; the variance is unbiased (n - 1)."""
    batches = [rng.standard_normal((5, 2)) * 2 + 3 for _ in range(3)]
    bn = nn.BatchNorm1d(2)
    mean, var = np.zeros(2), np.ones(2)
    for k, x in enumerate(batches, start=1):
        bn(mg.tensor(x))
        mean = 0.9 * mean + 0.1 * x.mean(axis=0)
        var = 0.9 * var + 0.1 * x.var(axis=0, ddof=1)
        np.testing.assert_allclose(bn.running_mean.data, mean, rtol=1e-14)
        np.testing.assert_allclose(bn.running_var.data, var, rtol=1e-14)
        assert int(bn.num_batches_tracked.data) == k
    # The closed form after the first batch alone.
    one = nn.BatchNorm1d(2)
    one(mg.tensor(batches[0]))
    np.testing.assert_allclose(one.running_var.data, 0.9 + 0.1 * batches[0].var(axis=0, ddof=1))


def test_batch_norm_eval_uses_running_statistics_and_changes_nothing(rng):
    bn = nn.BatchNorm1d(2)
    bn.weight.data[...] = [2.0, 0.5]
    bn.bias.data[...] = [1.0, -1.0]
    bn(mg.tensor(rng.standard_normal((6, 2))))
    state = bn.state_dict()
    bn.eval()
    x = rng.standard_normal((4, 2))
    expected = ((x - state["running_mean"]) / np.sqrt(state["running_var"] + EPS)
                * [2.0, 0.5] + [1.0, -1.0])
    np.testing.assert_allclose(bn(mg.tensor(x)).data, expected, rtol=1e-12)
    single = bn(mg.tensor(x[:1]))  # eval mode accepts a batch of one
    np.testing.assert_allclose(single.data, expected[:1], rtol=1e-12)
    for name, value in bn.state_dict().items():
        np.testing.assert_array_equal(value, state[name])
    bn.train()
    bn(mg.tensor(x))
    assert not np.array_equal(bn.running_mean.data, state["running_mean"])


def test_batch_norm_three_dimensional_input_pools_over_batch_and_length(rng):
    x = rng.standard_normal((4, 3, 5))
    bn = nn.BatchNorm1d(3)
    np.testing.assert_allclose(bn(mg.tensor(x)).data, normalized(x, (0, 2)), rtol=1e-12)
    np.testing.assert_allclose(bn.running_mean.data, 0.1 * x.mean(axis=(0, 2)), rtol=1e-14)
    np.testing.assert_allclose(bn.running_var.data,
                               0.9 + 0.1 * x.var(axis=(0, 2), ddof=1), rtol=1e-14)


def test_batch_norm_cumulative_average_and_no_tracking(rng):
    batches = [rng.standard_normal((4, 2)) for _ in range(3)]
    bn = nn.BatchNorm1d(2, momentum=None)
    for x in batches:
        bn(mg.tensor(x))
    np.testing.assert_allclose(bn.running_mean.data,
                               np.mean([x.mean(axis=0) for x in batches], axis=0), rtol=1e-13)
    untracked = nn.BatchNorm1d(2, track_running_stats=False).eval()
    np.testing.assert_allclose(untracked(mg.tensor(batches[0])).data, normalized(batches[0], 0),
                               rtol=1e-12)
    assert sorted(untracked.state_dict()) == ["bias", "weight"]


def test_batch_norm_state_dict_round_trip(rng):
    bn = nn.BatchNorm1d(3)
    assert sorted(bn.state_dict()) == ["bias", "num_batches_tracked", "running_mean",
                                       "running_var", "weight"]
    assert [name for name, _ in bn.named_parameters()] == ["weight", "bias"]
    bn(mg.tensor(rng.standard_normal((5, 3))))
    fresh = nn.BatchNorm1d(3)
    fresh.load_state_dict(bn.state_dict())
    x = mg.tensor(rng.standard_normal((2, 3)))
    np.testing.assert_array_equal(fresh.eval()(x).data, bn.eval()(x).data)


@pytest.mark.parametrize("training", [True, False])
def test_batch_norm_gradients_in_both_modes(training, rng):
    x = rng.standard_normal((4, 2, 3))
    w, b = rng.standard_normal(2), rng.standard_normal(2)
    mean, var = rng.standard_normal(2), rng.uniform(0.5, 2.0, 2)
    assert gradcheck(lambda x, w, b: batch_norm(x, mean.copy(), var.copy(), w, b, training),
                     x, w, b)


def test_batch_norm_second_order(rng):
    x = rng.standard_normal((4, 2))
    assert gradcheck(mg.grad(lambda x: (batch_norm(x, None, None, training=True) ** 3).sum()), x)


def test_batch_norm_parameters_follow_the_dtype():
    mg.set_default_dtype(np.float32)
    try:
        bn = nn.BatchNorm1d(2)
        assert bn.weight.dtype == bn.running_var.dtype == np.float32
        assert bn(mg.ones((3, 2))).dtype == np.float32
        assert nn.LayerNorm(2).bias.dtype == np.float32
    finally:
        mg.set_default_dtype(np.float64)


def test_batch_norm_errors():
    bn = nn.BatchNorm1d(3)
    with pytest.raises(ValueError, match=r"\(N, C\) or \(N, C, L\).*4-d.*\(2, 3, 4, 4\)"):
        bn(mg.ones((2, 3, 4, 4)))
    with pytest.raises(ValueError, match=r"expects 3 channels .*got 4"):
        bn(mg.ones((2, 4)))
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        bn(mg.ones((1, 3)))


# ----- BatchNorm2d -----------------------------------------------------------------------

def test_batch_norm_2d_normalizes_each_channel_over_batch_height_and_width(rng):
    x = rng.standard_normal((4, 3, 5, 6)) * np.array([1.0, 2.0, 0.5])[:, None, None] + 2
    bn = nn.BatchNorm2d(3)
    bn.weight.data[...] = [1.0, 2.0, -1.0]
    bn.bias.data[...] = [0.0, 1.0, 3.0]
    scale, shift = bn.weight.data[:, None, None], bn.bias.data[:, None, None]
    expected = normalized(x, (0, 2, 3)) * scale + shift
    np.testing.assert_allclose(bn(mg.tensor(x)).data, expected, rtol=1e-12, atol=1e-14)


def test_batch_norm_2d_running_statistics_follow_pytorch(rng):
    """running = 0.9 running + 0.1 batch stat, the variance unbiased over N * H * W values."""
    batches = [rng.standard_normal((2, 2, 3, 3)) * 3 + 1 for _ in range(3)]
    bn = nn.BatchNorm2d(2)
    mean, var = np.zeros(2), np.ones(2)
    for k, x in enumerate(batches, start=1):
        bn(mg.tensor(x))
        mean = 0.9 * mean + 0.1 * x.mean(axis=(0, 2, 3))
        var = 0.9 * var + 0.1 * x.var(axis=(0, 2, 3), ddof=1)
        np.testing.assert_allclose(bn.running_mean.data, mean, rtol=1e-14)
        np.testing.assert_allclose(bn.running_var.data, var, rtol=1e-14)
        assert int(bn.num_batches_tracked.data) == k
    bn.eval()
    x = rng.standard_normal((1, 2, 3, 3))
    expected = (x - mean[:, None, None]) / np.sqrt(var[:, None, None] + EPS)
    np.testing.assert_allclose(bn(mg.tensor(x)).data, expected, rtol=1e-12)
    assert sorted(bn.state_dict()) == ["bias", "num_batches_tracked", "running_mean",
                                       "running_var", "weight"]


@pytest.mark.parametrize("training", [True, False])
def test_batch_norm_2d_gradients_in_both_modes_and_second_order(training, rng):
    x = rng.standard_normal((2, 2, 3, 2))
    w, b = rng.standard_normal(2), rng.standard_normal(2)
    mean, var = rng.standard_normal(2), rng.uniform(0.5, 2.0, 2)
    assert gradcheck(lambda x, w, b: batch_norm(x, mean.copy(), var.copy(), w, b, training),
                     x, w, b)
    assert gradcheck(mg.grad(lambda x: (batch_norm(x, None, None, training=True) ** 3).sum()), x)


def test_batch_norm_2d_errors():
    bn = nn.BatchNorm2d(3)
    with pytest.raises(ValueError, match=r"BatchNorm2d\(3\) expects an \(N, C, H, W\) input.*3-d"):
        bn(mg.ones((2, 3, 4)))
    with pytest.raises(ValueError, match=r"expects 3 channels .*got 2"):
        bn(mg.ones((2, 2, 4, 4)))
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        bn(mg.ones((1, 3, 1, 1)))
