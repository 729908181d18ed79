"""Public tests of the softmax assignment. Run one task with `pytest -m task3_1`."""
import numpy as np
import pytest

import minigrad as mg
from minigrad.ops.softmax import LogSumExp, Softmax
from minigrad.ops.softmax_nll import SoftmaxNLL


def draw(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


@pytest.mark.task3_1
@pytest.mark.parametrize("axis", [0, 1])
def test_softmax_rules(axis):
    assert mg.testing.check_op(Softmax(axis), draw(4, 5, seed=1))


@pytest.mark.task3_1
def test_softmax_vjp_at_fifty_thousand_classes_is_cheap():
    x = mg.tensor(draw(2, 50_000, seed=2), requires_grad=True)
    g = draw(2, 50_000, seed=3)
    (mg.softmax(x) * g).sum().backward()
    p = mg.softmax(mg.tensor(x.data)).data
    np.testing.assert_allclose(x.grad.data, p * (g - (g * p).sum(axis=1, keepdims=True)),
                               rtol=1e-10, atol=1e-300)


@pytest.mark.task3_2
@pytest.mark.parametrize("axes, keepdims", [((1,), False), ((0,), True)])
def test_logsumexp_rules(axes, keepdims):
    assert mg.testing.check_op(LogSumExp(axes, keepdims), draw(3, 4, seed=4))


@pytest.mark.task3_2
def test_logsumexp_of_large_logits_is_finite():
    np.testing.assert_allclose(mg.logsumexp(mg.tensor([1e4, 1e4])).item(), 1e4 + np.log(2))


@pytest.mark.task3_3
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_softmax_nll_rules(reduction):
    target = np.random.default_rng(5).integers(0, 6, 4)
    assert mg.testing.check_op(SoftmaxNLL(target, reduction), draw(4, 6, seed=6))


@pytest.mark.task3_3
def test_softmax_nll_gradient_is_p_minus_y_over_n():
    logits = mg.tensor(draw(3, 4, seed=7), requires_grad=True)
    target = np.array([0, 3, 1])
    mg.nn.F.cross_entropy(logits, target).backward()
    p = mg.softmax(logits.detach()).data
    np.testing.assert_allclose(logits.grad.data, (p - np.eye(4)[target]) / 3, rtol=1e-12)
