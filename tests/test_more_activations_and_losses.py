"""SiLU, ELU, Hardtanh, ReLU6 and the pointwise losses (L1, SmoothL1, Huber, BCE, KLDiv)
against their definitions, PyTorch's conventions at the kinks, the guarded branches (no
nan from the branch not taken), gradient checks and errors."""
import numpy as np
import pytest

import minigrad as mg
from minigrad import nn
from minigrad.nn import functional as F
from minigrad.testing import gradcheck


def _grad(f, values):
    x = mg.tensor(np.asarray(values, dtype=float), requires_grad=True)
    f(x).sum().backward()
    return x.grad.data


def test_activations_against_their_definitions(rng):
    x = rng.standard_normal(50) * 3
    np.testing.assert_allclose(F.silu(mg.tensor(x)).data, x / (1 + np.exp(-x)), rtol=1e-14)
    np.testing.assert_allclose(F.elu(mg.tensor(x), 0.7).data,
                               np.where(x > 0, x, 0.7 * np.expm1(x)), rtol=1e-12, atol=1e-15)
    np.testing.assert_array_equal(F.hardtanh(mg.tensor(x), -2, 1.5).data, np.clip(x, -2, 1.5))
    np.testing.assert_array_equal(nn.ReLU6()(mg.tensor(x)).data, np.clip(x, 0, 6))
    for f in (F.silu, lambda x: F.elu(x, 0.7)):
        assert gradcheck(f, x)


def test_kinks_follow_pytorch_and_no_branch_leaks_nan():
    # elu'(0) = alpha, hardtanh' is 0 at the bounds (clamp's would be 1), relu6'(0) = 0
    np.testing.assert_array_equal(_grad(lambda x: F.elu(x, 0.5), [0.0, 1e3]), [0.5, 1.0])
    np.testing.assert_array_equal(_grad(lambda x: F.hardtanh(x), [-1.0, 0.0, 1.0]), [0, 1, 0])
    np.testing.assert_array_equal(_grad(F.relu6, [0.0, 6.0, 3.0]), [0, 0, 1])
    # exp of a large x is never taken: no overflow warning, no nan
    with np.errstate(over="raise"):
        assert F.elu(mg.tensor([1e4])).item() == 1e4


def test_modules_hold_their_options():
    assert repr(nn.ELU(0.3)) == "ELU(alpha=0.3)" and repr(nn.ReLU6()) == "ReLU6()"
    assert repr(nn.Hardtanh(-2.0, 2.0)) == "Hardtanh(min_val=-2.0, max_val=2.0)"
    np.testing.assert_array_equal(nn.SiLU()(mg.tensor([0.0])).data, [0.0])
    with pytest.raises(ValueError, match="min_val < max_val"):
        nn.Hardtanh(1.0, 1.0)


def test_regression_losses_against_their_definitions(rng):
    x, y = rng.standard_normal(40) * 2, rng.standard_normal(40) * 2
    d = x - y
    cases = {
        "l1": (F.l1_loss, np.abs(d)),
        "huber": (lambda a, b, **o: F.huber_loss(a, b, delta=1.5, **o),
                  np.where(np.abs(d) < 1.5, 0.5 * d * d, 1.5 * (np.abs(d) - 0.75))),
        "smooth_l1": (lambda a, b, **o: F.smooth_l1_loss(a, b, beta=0.5, **o),
                      np.where(np.abs(d) < 0.5, d * d, np.abs(d) - 0.25)),
    }
    for name, (loss, expected) in cases.items():
        for reduction, value in (("none", expected), ("sum", expected.sum()),
                                 ("mean", expected.mean())):
            np.testing.assert_allclose(loss(mg.tensor(x), y, reduction=reduction).data, value,
                                       rtol=1e-13, err_msg=name)
        assert gradcheck(lambda a, b: loss(a, b), x, y), name
    np.testing.assert_array_equal(F.smooth_l1_loss(mg.tensor(x), y, beta=0.0).data,
                                  F.l1_loss(mg.tensor(x), y).data)
    np.testing.assert_allclose(nn.HuberLoss(delta=1.5)(mg.tensor(x), y).data,
                               cases["huber"][1].mean(), rtol=1e-13)
    assert nn.L1Loss(reduction="sum")(mg.tensor(x), y).item() == pytest.approx(np.abs(d).sum())
    np.testing.assert_array_equal(_grad(lambda a: F.l1_loss(a, [1.0, 0.0], reduction="sum"),
                                        [1.0, 2.0]), [0.0, 1.0])  # |d|'(0) = 0
    with pytest.raises(ValueError, match="must match"):
        F.l1_loss(mg.zeros(3, 1), mg.zeros(3))


def test_binary_cross_entropy_on_probabilities_clamps_its_logs_at_minus_100(rng):
    p, y = rng.random(30) * 0.98 + 0.01, (rng.random(30) > 0.5).astype(float)
    w = rng.random(30)
    expected = -w * (y * np.log(p) + (1 - y) * np.log(1 - p))
    np.testing.assert_allclose(F.binary_cross_entropy(mg.tensor(p), y, w, reduction="none").data,
                               expected, rtol=1e-13)
    np.testing.assert_allclose(nn.BCELoss()(mg.tensor(p), y).data,
                               (expected / w).mean(), rtol=1e-13)
    assert gradcheck(lambda p: F.binary_cross_entropy(p, y), p)
    # p = 0 with y = 1: log clamped to -100, and the gradient is finite (no 0 * inf)
    edge = mg.tensor([0.0, 1.0], requires_grad=True)
    loss = F.binary_cross_entropy(edge, [1.0, 0.0], reduction="sum")
    assert loss.item() == 200.0
    loss.backward()
    assert np.all(np.isfinite(edge.grad.data))
    # the same loss as from the logits, where both are exact
    logits = rng.standard_normal(10)
    np.testing.assert_allclose(
        F.binary_cross_entropy(mg.sigmoid(mg.tensor(logits)), y[:10]).data,
        F.binary_cross_entropy_with_logits(mg.tensor(logits), y[:10]).data, rtol=1e-12)
    with pytest.raises(ValueError, match=r"probabilities in \[0, 1\]"):
        F.binary_cross_entropy(mg.tensor([1.5]), [1.0])


def test_kl_div_takes_log_probabilities_and_its_reductions(rng):
    q = rng.random((4, 5))
    q /= q.sum(1, keepdims=True)
    t = rng.random((4, 5))
    t[0, 0] = 0.0  # 0 log 0 = 0
    t /= t.sum(1, keepdims=True)
    pointwise = np.where(t > 0, t * np.log(np.where(t > 0, t, 1)), 0) - t * np.log(q)
    log_q = mg.tensor(np.log(q))
    for reduction, value in (("none", pointwise), ("sum", pointwise.sum()),
                             ("mean", pointwise.mean()), ("batchmean", pointwise.sum() / 4)):
        np.testing.assert_allclose(F.kl_div(log_q, t, reduction=reduction).data, value,
                                   rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(
        nn.KLDivLoss(reduction="batchmean", log_target=True)(log_q, np.log(t + 1e-300)).data,
        pointwise.sum() / 4, rtol=1e-9)
    x = mg.tensor(np.log(q), requires_grad=True)
    F.kl_div(x, t, reduction="sum").backward()
    np.testing.assert_allclose(x.grad.data, -t, rtol=1e-14)  # d/d(log q) of -t log q
    with pytest.raises(ValueError, match="batchmean"):
        F.kl_div(log_q, t, reduction="average")


def test_softplus_is_exact_in_both_tails(rng):
    x = np.array([-800.0, -40.0, 0.0, 3.0, 19.0, 21.0, 800.0])
    expected = np.where(x > 20, x, np.log1p(np.exp(np.minimum(x, 20))))
    with np.errstate(over="raise"):
        np.testing.assert_allclose(F.softplus(mg.tensor(x)).data, expected, rtol=1e-15)
    np.testing.assert_allclose(nn.Softplus(beta=2.0)(mg.tensor(x[:5])).data,
                               np.log1p(np.exp(2 * x[:5])) / 2, rtol=1e-14)
    grads = _grad(F.softplus, x)
    np.testing.assert_allclose(grads, np.where(x > 20, 1.0, np.exp(np.minimum(x, 20)) / (1 + np.exp(np.minimum(x, 20)))),
                               rtol=1e-14)
    assert gradcheck(lambda x: F.softplus(x, beta=0.5), rng.standard_normal(10) * 4)
