"""nn.init: PyTorch's in-place initialisers, their bounds, gains and fans, in place on
parameters that require grad, seeded by rng= or by mg.manual_seed."""
import math

import numpy as np
import pytest

import minigrad as mg
from minigrad import nn
from minigrad.nn import init


def test_calculate_gain_is_pytorchs_table():
    assert init.calculate_gain("linear") == init.calculate_gain("conv2d") == 1.0
    assert init.calculate_gain("sigmoid") == 1.0
    assert init.calculate_gain("tanh") == 5 / 3
    assert init.calculate_gain("relu") == math.sqrt(2)
    assert init.calculate_gain("selu") == 0.75
    assert init.calculate_gain("leaky_relu") == math.sqrt(2 / (1 + 0.01 ** 2))
    assert init.calculate_gain("leaky_relu", 0.2) == math.sqrt(2 / 1.04)
    assert init.calculate_gain("leaky_relu", 0) == math.sqrt(2)
    with pytest.raises(ValueError, match="unsupported nonlinearity 'swish'"):
        init.calculate_gain("swish")
    with pytest.raises(ValueError, match="not a number"):
        init.calculate_gain("leaky_relu", "0.2")


def test_fans_of_linear_and_conv_weights():
    assert init.fans((30, 20)) == (20, 30)
    assert init.fans((16, 3, 5, 5)) == (75, 400)  # in * kh * kw, out * kh * kw
    assert init.fan_in((8, 4, 3, 3)) == 36
    with pytest.raises(ValueError, match="at least 2 dimensions"):
        init.fans((5,))


def _parameter(*shape):
    return nn.Parameter(np.zeros(shape))


@pytest.mark.parametrize("fill, bound", [
    (lambda w: init.uniform_(w, -0.3, 0.7, rng=0), None),
    (lambda w: init.xavier_uniform_(w, rng=0), math.sqrt(6 / (200 + 300))),
    (lambda w: init.xavier_uniform_(w, gain=2.0, rng=0), 2 * math.sqrt(6 / 500)),
    (lambda w: init.kaiming_uniform_(w, rng=0), math.sqrt(2) * math.sqrt(3 / 200)),  # a = 0
    (lambda w: init.kaiming_uniform_(w, a=math.sqrt(5), rng=0), 1 / math.sqrt(200)),
    (lambda w: init.kaiming_uniform_(w, mode="fan_out", nonlinearity="relu", rng=0),
     math.sqrt(6 / 300)),
], ids=["uniform", "xavier", "xavier_gain", "kaiming", "kaiming_a_sqrt5", "kaiming_fan_out"])
def test_uniform_initialisers_fill_their_bounds(fill, bound):
    """U(-b, b) has variance b^2 / 3; 60 000 samples pin it to about 1%."""
    w = _parameter(300, 200)
    version = w._version
    assert fill(w) is w and w.requires_grad and w._version > version
    if bound is None:  # U(-0.3, 0.7)
        assert -0.3 <= w.data.min() and w.data.max() < 0.7
        np.testing.assert_allclose(w.data.mean(), 0.2, atol=0.005)
        return
    assert -bound <= w.data.min() and w.data.max() <= bound and w.data.max() > 0.99 * bound
    np.testing.assert_allclose(w.data.var(), bound ** 2 / 3, rtol=0.02)


@pytest.mark.parametrize("fill, std", [
    (lambda w: init.normal_(w, 0.0, 0.02, rng=0), 0.02),
    (lambda w: init.xavier_normal_(w, rng=0), math.sqrt(2 / 500)),
    (lambda w: init.kaiming_normal_(w, nonlinearity="relu", rng=0), math.sqrt(2 / 200)),
    (lambda w: init.kaiming_normal_(w, a=0.2, mode="fan_out", rng=0),
     math.sqrt(2 / 1.04) / math.sqrt(300)),
], ids=["normal", "xavier", "kaiming_relu", "kaiming_fan_out"])
def test_normal_initialisers_have_their_std(fill, std):
    w = _parameter(300, 200)
    assert fill(w) is w
    np.testing.assert_allclose(w.data.std(), std, rtol=0.01)
    assert abs(w.data.mean()) < 0.01 * std


def test_conv_weight_fans_include_the_kernel():
    w = _parameter(16, 4, 3, 3)
    init.kaiming_uniform_(w, nonlinearity="relu", rng=0)
    bound = math.sqrt(2) * math.sqrt(3 / 36)
    assert abs(w.data).max() <= bound and abs(w.data).max() > 0.95 * bound


def test_constants_keep_the_object_and_dtype():
    w = nn.Parameter(np.ones((2, 3), dtype=np.float32))
    data = w.data
    assert init.zeros_(w) is w and w.data is data and np.all(w.data == 0)
    assert init.ones_(w) is w and np.all(w.data == 1)
    init.constant_(w, 0.25)
    assert np.all(w.data == 0.25) and w.dtype == np.float32
    init.normal_(w, rng=0)
    assert w.dtype == np.float32


def test_seeding_by_rng_and_by_manual_seed():
    a, b = _parameter(4, 5), _parameter(4, 5)
    init.xavier_normal_(a, rng=3)
    init.xavier_normal_(b, rng=np.random.default_rng(3))
    np.testing.assert_array_equal(a.data, b.data)
    mg.manual_seed(7)
    init.kaiming_uniform_(a)
    mg.manual_seed(7)
    init.kaiming_uniform_(b)
    np.testing.assert_array_equal(a.data, b.data)


def test_init_runs_under_no_grad_even_when_grad_mode_is_on():
    """A parameter requires grad: an in-place change in grad mode raises, but init is
    done under no_grad, as PyTorch's."""
    layer = nn.Linear(3, 2, rng=0)
    assert mg.is_grad_enabled()
    with pytest.raises(RuntimeError, match="in place"):
        layer.weight.fill_(0.0)
    init.constant_(layer.weight, 0.0)
    assert mg.is_grad_enabled() and np.all(layer.weight.data == 0)


def test_errors():
    with pytest.raises(ValueError, match="at least 2 dimensions"):
        init.xavier_uniform_(_parameter(5))
    with pytest.raises(ValueError, match="mode must be 'fan_in' or 'fan_out'"):
        init.kaiming_normal_(_parameter(2, 2), mode="fan_avg")
    with pytest.raises(TypeError, match="expected a Tensor or Parameter"):
        init.zeros_(np.ones(3))
    empty = _parameter(0, 3)
    with pytest.warns(UserWarning, match="zero-element"):
        assert init.kaiming_uniform_(empty) is empty
