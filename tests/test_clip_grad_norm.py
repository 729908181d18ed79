"""nn.utils.clip_grad_norm_: the total norm, the in-place scaling, and the edge cases."""
import math

import numpy as np
import pytest

import minigrad as mg
from minigrad import nn
from minigrad.nn.utils import clip_grad_norm_


def with_grads(*grads, dtype=np.float64):
    params = []
    for g in grads:
        p = nn.Parameter(np.zeros(np.shape(g), dtype))
        p.grad = mg.tensor(np.asarray(g, dtype))
        params.append(p)
    return params


def test_scales_every_gradient_by_max_norm_over_the_total_norm():
    # the gradients (3, 4) and (12,) join into a vector of norm sqrt(9 + 16 + 144) = 13
    a, b = with_grads([3.0, 4.0], [12.0])
    total = clip_grad_norm_([a, b], max_norm=6.5)
    assert isinstance(total, mg.Tensor) and total.shape == () and total.item() == 13.0
    scale = 6.5 / (13 + 1e-6)
    np.testing.assert_allclose(a.grad.data, [3 * scale, 4 * scale], rtol=1e-15)
    np.testing.assert_allclose(b.grad.data, [12 * scale], rtol=1e-15)


def test_leaves_gradients_below_the_bound_alone():
    a, = with_grads([3.0, 4.0])
    grad, version = a.grad, a.grad._version
    assert clip_grad_norm_(a, max_norm=5.0 + 1e-5).item() == 5.0  # a single tensor works
    assert a.grad is grad and grad._version == version
    np.testing.assert_array_equal(a.grad.data, [3.0, 4.0])


def test_scaling_is_in_place_and_bumps_the_version():
    a, = with_grads([3.0, 4.0])
    grad, array, version = a.grad, a.grad.data, a.grad._version
    clip_grad_norm_([a], 1.0)
    assert a.grad is grad and a.grad.data is array and grad._version == version + 1


@pytest.mark.parametrize("norm_type, expected", [
    (math.inf, 12.0),                       # the largest |g|
    (1.0, 3 + 4 + 12 + 0.5),                # the sum of |g|
    (3.0, (27 + 64 + 1728 + 0.125) ** (1 / 3)),
])
def test_other_norms(norm_type, expected):
    a, b = with_grads([3.0, -4.0], [-12.0, 0.5])
    total = clip_grad_norm_([a, b], max_norm=1.0, norm_type=norm_type)
    np.testing.assert_allclose(total.item(), expected, rtol=1e-14)
    np.testing.assert_allclose(b.grad.data, np.array([-12.0, 0.5]) / (expected + 1e-6),
                               rtol=1e-14)


def test_parameters_without_grads_are_skipped():
    model = nn.Linear(2, 1, rng=0)
    assert clip_grad_norm_(model.parameters(), 1.0).item() == 0.0  # no gradients at all
    model(mg.ones(1, 2)).sum().backward()  # d/dW = (1, 1), d/db = 1: norm sqrt(3)
    model.bias.grad = None
    np.testing.assert_allclose(clip_grad_norm_(model.parameters(), 1.0).item(), math.sqrt(2),
                               rtol=1e-15)
    assert model.bias.grad is None


def test_float32_gradients_stay_float32_and_the_norm_is_theirs():
    a, b = with_grads([3.0, 4.0], [12.0], dtype=np.float32)
    total = clip_grad_norm_([a, b], 1.0)
    assert total.dtype == np.float32 and a.grad.dtype == np.float32 and total.item() == 13.0


def test_a_gradient_shared_by_two_parameters_is_scaled_once():
    a, b = with_grads([3.0, 4.0], [0.0, 0.0])
    b.grad = a.grad  # one tensor, counted twice in the norm: sqrt(2) * 5
    total = clip_grad_norm_([a, b], 1.0)
    np.testing.assert_allclose(total.item(), 5 * math.sqrt(2), rtol=1e-15)
    scale = 1.0 / (5 * math.sqrt(2) + 1e-6)
    for p in (a, b):
        np.testing.assert_allclose(p.grad.data, [3 * scale, 4 * scale], rtol=1e-15)


def test_huge_gradients_do_not_overflow_the_norm():
    a, = with_grads([3e200, 4e200])
    total = clip_grad_norm_([a], 1.0)
    np.testing.assert_allclose(total.item(), 5e200, rtol=1e-15)
    np.testing.assert_allclose(a.grad.data, [0.6, 0.8], rtol=1e-14)


def test_a_non_finite_norm_is_returned_or_raised_on_request():
    a, b = with_grads([1.0, math.inf], [2.0])
    assert clip_grad_norm_([a, b], 1.0).item() == math.inf  # PyTorch's default
    assert b.grad.data[0] == 0.0 and np.isnan(a.grad.data[1])  # times max_norm / inf = 0
    c, = with_grads([math.nan])
    with pytest.raises(RuntimeError, match="total norm of order 2.0 .* is nan"):
        clip_grad_norm_([c], 1.0, error_if_nonfinite=True)
