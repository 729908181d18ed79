"""Transforms composed in every order give the same second derivatives.

Reverse over forward used to return zeros silently: the tangent jvp returned carried no
graph. Now tangents are differentiable, so grad(jvp), jvp(grad), jacobian of a forward-mode
jacobian (and of a reverse one), and forward over forward all agree with mg.hessian, on
both engines, and with central differences of the gradient."""
import numpy as np
import pytest

import minigrad as mg

pytestmark = pytest.mark.usefixtures("each_engine")

W = np.random.default_rng(0).standard_normal((3, 4))
X = np.array([0.9, -0.6, 0.35, 1.3])   # away from where's switch at 0.1
V = np.array([1.0, -0.5, 0.25, 2.0])


def f(x):
    """matmul, tanh, indexing (basic and repeated advanced), softmax, where, log: a scalar."""
    h = mg.tanh(W @ x)
    p = mg.softmax(h * x[:3])
    g = mg.where(x > 0.1, x * x, mg.sin(x))
    return (p * mg.log(p)).sum() + (g[[0, 2, 3]] * x[[1, 1, 0]]).sum()


def numeric_hessian(fn, x, eps=1e-5):
    """Central differences of the reverse-mode gradient, column by column."""
    columns = []
    for j in range(x.size):
        step = np.zeros_like(x)
        step[j] = eps
        plus = mg.grad(fn)(mg.tensor(x + step)).data
        minus = mg.grad(fn)(mg.tensor(x - step)).data
        columns.append((plus - minus) / (2 * eps))
    return np.stack(columns, axis=1)


def test_reverse_over_forward_is_the_mixed_derivative_not_zeros():
    """The issue's example: f(u) = sin(u) u, d/dx <1, J(x) v> = f''(x) v elementwise."""
    g = lambda u: mg.sin(u) * u  # noqa: E731
    x, v = mg.tensor([0.3, -0.7]), np.array([1.0, 0.5])
    mixed = mg.grad(lambda t: mg.jvp(g, (t,), (v,))[1].sum())(x)
    u = x.data
    np.testing.assert_allclose(mixed.data, (2 * np.cos(u) - u * np.sin(u)) * v, rtol=1e-14)
    np.testing.assert_allclose(mixed.data, [1.822, 0.539], atol=1e-3)


def test_every_composition_gives_the_hessian():
    expected = mg.hessian(f)(mg.tensor(X)).data
    np.testing.assert_allclose(expected, expected.T, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(expected, numeric_hessian(f, X), rtol=1e-6, atol=1e-8)
    forward_gradient = mg.jacobian(f, mode="fwd")   # the gradient, column by column
    ways = {
        "fwd over rev": mg.jacobian(mg.grad(f), mode="fwd"),
        "rev over fwd": mg.jacobian(forward_gradient, mode="rev"),
        "fwd over fwd": mg.jacobian(forward_gradient, mode="fwd"),
        "rev over rev, by jacobian": mg.jacobian(mg.grad(f), mode="rev"),
    }
    for name, hessian in ways.items():
        np.testing.assert_allclose(hessian(mg.tensor(X)).data, expected, rtol=1e-12,
                                   atol=1e-13, err_msg=name)


def test_hessian_vector_products_four_ways():
    h_v = mg.hessian(f)(mg.tensor(X)).data @ V
    x = mg.tensor(X)
    ways = {
        "jvp of grad": mg.jvp(mg.grad(f), (x,), (V,))[1],
        "grad of jvp": mg.grad(lambda t: mg.jvp(f, (t,), (V,))[1])(x),
        "vjp of grad": mg.vjp(mg.grad(f), x)[1](mg.tensor(V))[0],
        "grad of <grad, v>": mg.grad(lambda t: (mg.grad(f)(t) * V).sum())(x),
    }
    for name, value in ways.items():
        np.testing.assert_allclose(value.data, h_v, rtol=1e-12, atol=1e-13, err_msg=name)


def test_forward_over_forward_is_the_second_directional_derivative():
    u = V[::-1].copy()
    h = mg.hessian(f)(mg.tensor(X)).data
    second = mg.jvp(lambda t: mg.jvp(f, (t,), (V,))[1], (mg.tensor(X),), (u,))[1]
    assert second.item() == pytest.approx(u @ h @ V, rel=1e-12)


def test_third_and_fourth_order_mix_all_modes():
    """h(x) = exp(2x) sin(x): h3 = e^2x (2 sin + 11 cos), h4 = e^2x (24 cos - 7 sin)."""
    g = lambda t: (mg.exp(2 * t) * mg.sin(t)).sum()  # noqa: E731
    x, one = mg.tensor([0.4]), np.ones(1)
    third = np.exp(0.8) * (2 * np.sin(0.4) + 11 * np.cos(0.4))
    fourth = np.exp(0.8) * (24 * np.cos(0.4) - 7 * np.sin(0.4))
    d1_fwd = lambda t: mg.jvp(g, (t,), (one,))[1].sum()  # noqa: E731
    d2_fwd_rev = lambda t: mg.jvp(mg.grad(g), (t,), (one,))[1].sum()  # noqa: E731
    d2_fwd_fwd = lambda t: mg.jvp(lambda s: mg.jvp(g, (s,), (one,))[1], (t,), (one,))[1]  # noqa: E731
    ways = {
        "rev(fwd(rev))": mg.grad(d2_fwd_rev)(x),
        "rev(rev(fwd))": mg.grad(mg.grad(d1_fwd))(x),
        "fwd(fwd(fwd))": mg.jvp(d2_fwd_fwd, (x,), (one,))[1],
    }
    for name, value in ways.items():
        assert value.item() == pytest.approx(third, rel=1e-12), name
    fourth_mixed = mg.grad(lambda t: mg.jvp(mg.grad(d1_fwd), (t,), (one,))[1].sum())(x)
    assert fourth_mixed.item() == pytest.approx(fourth, rel=1e-12)


def test_a_tangent_that_requires_grad_is_differentiable_too():
    """d/dv of <1, J v> is J^T 1: the tangent itself may be the variable."""
    x = mg.tensor(X)
    g = lambda t: mg.tanh(W @ t)  # noqa: E731
    by_tangent = mg.grad(lambda v: mg.jvp(g, (x,), (v,))[1].sum())(mg.tensor(V))
    expected = mg.vjp(g, x)[1](mg.ones(3))[0]
    np.testing.assert_allclose(by_tangent.data, expected.data, rtol=1e-14)


def test_plain_jvp_tangents_stay_arrays_and_off_the_tape():
    x = mg.tensor(X)
    with mg.Tape() as tape:
        _, t = mg.jvp(f, (x,), (V,))
    assert not t.requires_grad and t.is_leaf
    assert len(tape) == 0  # nothing requires grad, so nothing was recorded


def test_jacobian_of_an_empty_input_in_both_modes():
    for mode in ("fwd", "rev"):
        j = mg.jacobian(lambda t: mg.exp(t) * 2, mode=mode)(mg.zeros(0))
        assert j.shape == (0, 0), mode
        j = mg.jacobian(lambda t: t.sum() + mg.ones(3), mode=mode)(mg.zeros((2, 0)))
        assert j.shape == (3, 2, 0), mode
