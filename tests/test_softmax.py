"""The softmax family against closed forms: its Jacobian, the collapse to p - y, shift
invariance and extreme logits. (Central-difference checks live in the op table,
tests/op_specs/softmax.py.)"""
import numpy as np
import pytest

import minigrad as mg
from minigrad.ops import LogSoftmax, Softmax


def _softmax(x):
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


@pytest.mark.parametrize("mode", ["rev", "fwd"])
def test_jacobian_is_diag_p_minus_outer_p(mode):
    s = np.array([0.5, -1.0, 2.0, 0.0, 1.5])
    p = _softmax(s)
    jac = mg.jacobian(mg.softmax, mode=mode)(mg.tensor(s)).data
    np.testing.assert_allclose(jac, np.diag(p) - np.outer(p, p), rtol=1e-14, atol=1e-16)
    np.testing.assert_allclose(jac, jac.T, rtol=0, atol=1e-16)                 # symmetric
    np.testing.assert_allclose(jac.sum(axis=0), 0, atol=1e-16)                 # columns
    np.testing.assert_allclose(jac.sum(axis=1), 0, atol=1e-16)                 # rows


def test_dense_jacobian_times_nll_gradient_is_p_minus_y():
    s = np.array([1.0, -0.5, 3.0, 0.25])
    y = np.array([0.0, 0.0, 1.0, 0.0])
    p = _softmax(s)
    jac = mg.jacobian(mg.softmax)(mg.tensor(s)).data
    product = jac.T @ (-y / p)                    # the chain rule, the long way
    np.testing.assert_allclose(product, p - y, rtol=1e-13, atol=1e-15)
    soft = np.array([0.1, 0.2, 0.3, 0.4])         # any target whose entries sum to 1
    np.testing.assert_allclose(jac.T @ (-soft / p), p - soft, rtol=1e-13, atol=1e-15)


def test_softmax_vjp_is_p_times_g_minus_inner_product(rng):
    x = rng.standard_normal((3, 6))
    g = rng.standard_normal((3, 6))
    p = _softmax(x)
    _, vjp_fn = mg.vjp(mg.softmax, mg.tensor(x))
    expected = p * (g - (g * p).sum(axis=1, keepdims=True))
    np.testing.assert_allclose(vjp_fn(g)[0].data, expected, rtol=1e-14, atol=1e-16)


def test_softmax_rules_never_build_the_jacobian():
    # C = 200 000: the Jacobian of one row would hold 4e10 numbers (320 GB).
    x = mg.tensor(np.linspace(-3, 3, 200_000), requires_grad=True)
    g = np.cos(np.arange(200_000.0))
    mg.softmax(x).backward(g)
    p = _softmax(x.data)
    np.testing.assert_allclose(x.grad.data, p * (g - g @ p), rtol=1e-10, atol=1e-20)


def test_docstrings_name_the_jacobian_they_avoid():
    for doc in (Softmax.__doc__, mg.softmax.__doc__):
        assert "diag(p) - p p^T" in doc
        assert "p * (" in doc


def test_hessian_of_logsumexp_is_the_softmax_jacobian():
    x = np.array([0.3, -1.2, 2.0])
    p = _softmax(x)
    hess = mg.hessian(lambda x: mg.logsumexp(x))(mg.tensor(x)).data
    np.testing.assert_allclose(hess, np.diag(p) - np.outer(p, p), rtol=1e-13, atol=1e-16)


@pytest.mark.parametrize("shift", [100.0, 1e4, -3e4, 1e15])
def test_shift_changes_neither_value_nor_gradient(shift):
    base = np.array([[0.0, 1.0, 2.0]])
    g = np.array([[0.7, -1.0, 0.2]])
    for fn in (mg.softmax, mg.log_softmax):
        values, grads = [], []
        for x0 in (base, base + shift):
            x = mg.tensor(x0, requires_grad=True)
            out = fn(x)
            out.backward(g)
            values.append(out.data)
            grads.append(x.grad.data)
        np.testing.assert_allclose(values[1], values[0], rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(grads[1], grads[0], rtol=1e-12, atol=1e-15)
    expected = np.log(np.exp(base).sum())
    x = mg.tensor(base + shift, requires_grad=True)
    lse = mg.logsumexp(x)
    lse.backward()
    # The value is as exact as a float near `shift` can be; the gradient has no such limit.
    assert lse.item() - shift == pytest.approx(expected, rel=1e-12, abs=np.spacing(abs(shift)))
    np.testing.assert_allclose(x.grad.data, _softmax(base), rtol=1e-12)


def test_extreme_logits_are_finite_and_exact():
    x = mg.tensor([[1e4, 0.0, -3e4]], requires_grad=True)
    p = mg.softmax(x)
    np.testing.assert_array_equal(p.data, [[1.0, 0.0, 0.0]])
    log_p = mg.log_softmax(x)
    np.testing.assert_allclose(log_p.data, [[0.0, -1e4, -4e4]], rtol=1e-15)
    assert mg.logsumexp(x).item() == 1e4
    log_p.backward(np.array([[0.0, 1.0, 0.0]]))     # d log p_1 / dx = e_1 - p
    np.testing.assert_allclose(x.grad.data, [[-1.0, 1.0, 0.0]], rtol=1e-15)
    assert np.all(np.isfinite(mg.jacobian(mg.softmax)(x[0]).data))


def test_masked_logits_of_minus_infinity():
    x = mg.tensor([[0.0, -np.inf, 1.0]], requires_grad=True)
    p = mg.softmax(x)
    np.testing.assert_allclose(p.data, [[1 / (1 + np.e), 0.0, np.e / (1 + np.e)]], rtol=1e-15)
    p.backward(np.array([[1.0, 5.0, 0.0]]))
    assert np.all(np.isfinite(x.grad.data)) and x.grad.data[0, 1] == 0.0


def test_axis_and_dtype_are_kept():
    x = np.arange(12.0, dtype=np.float32).reshape(3, 4)
    p = mg.softmax(x, axis=0)
    assert p.dtype == np.float32
    np.testing.assert_allclose(p.data.sum(axis=0), 1, rtol=1e-6)
    np.testing.assert_allclose(mg.log_softmax(x, axis=0).data, np.log(p.data), rtol=1e-5)


def test_softmax_of_scores_over_temperature_tends_to_argmax():
    s = np.array([1.0, 3.0, 2.5, -1.0])
    peak = [mg.softmax(s / t).data[1] for t in (10.0, 1.0, 0.1, 0.01)]
    assert np.all(np.diff(peak) > 0)
    np.testing.assert_allclose(mg.softmax(s / 1e-3).data, [0, 1, 0, 0], atol=1e-200)


def test_second_derivative_through_softmax_and_log_softmax(rng):
    x = rng.standard_normal(4)
    w = rng.standard_normal(4)
    assert mg.testing.check_op(Softmax(0), x)
    assert mg.testing.check_op(LogSoftmax(0), x)
    # d/dx <w, softmax(x)> = J w; its Jacobian, by closed form at one point:
    p = _softmax(x)
    hess = mg.hessian(lambda x: (mg.softmax(x) * w).sum())(mg.tensor(x)).data
    jw = p * (w - w @ p)
    # d(J w)_i / dx_k = d[p_i (w_i - <w, p>)]/dx_k = J_ik (w_i - <w,p>) - p_i (J w)_k
    jac = np.diag(p) - np.outer(p, p)
    expected = jac * (w - w @ p)[:, None] - np.outer(p, jw)
    np.testing.assert_allclose(hess, expected, rtol=1e-12, atol=1e-15)
