"""Function transforms against closed forms: grad, value_and_grad, vjp, jvp, jacobian,
hessian, their nesting (higher orders, forward over reverse, perturbation confusion), and
their error messages."""
import numpy as np
import pytest

import minigrad as mg

pytestmark = pytest.mark.usefixtures("each_engine")  # every test, on both engines

RNG = np.random.default_rng(0)
X = RNG.uniform(-1.5, 1.5, size=(2, 3))
A = RNG.standard_normal((3, 3))


def _np(t):
    return np.asarray(t.data if isinstance(t, mg.Tensor) else t)


# ----- grad and value_and_grad -------------------------------------------------------

@pytest.mark.parametrize("make", [mg.tensor, np.array, float], ids=["Tensor", "ndarray", "number"])
def test_grad_accepts_tensors_arrays_and_numbers(make):
    g = mg.grad(lambda x: mg.sin(x) * x)(make(0.7))
    assert isinstance(g, mg.Tensor) and g.shape == ()
    assert g.item() == pytest.approx(np.sin(0.7) + 0.7 * np.cos(0.7), rel=1e-15)


def test_grad_with_tuple_argnums_returns_a_tuple_in_order():
    f = lambda x, y, z: (x * x * y).sum() + z * 0.0  # noqa: E731
    x, y = X, RNG.standard_normal((2, 3))
    gy, gx = mg.grad(f, argnums=(1, 0))(x, y, 2.0)
    np.testing.assert_allclose(_np(gx), 2 * x * y, rtol=1e-15)
    np.testing.assert_allclose(_np(gy), x * x, rtol=1e-15)
    (g,) = mg.grad(f, argnums=(0,))(x, y, 2.0)
    np.testing.assert_allclose(_np(g), 2 * x * y, rtol=1e-15)
    np.testing.assert_allclose(_np(mg.grad(f, argnums=-2)(x, y, 2.0)), x * x, rtol=1e-15)


def test_value_and_grad_returns_both():
    value, g = mg.value_and_grad(lambda x: (mg.exp(x) * x).sum())(X)
    assert value.item() == pytest.approx(np.sum(np.exp(X) * X), rel=1e-14)
    np.testing.assert_allclose(_np(g), np.exp(X) * (1 + X), rtol=1e-14)
    value, (g0, g1) = mg.value_and_grad(lambda a, b: (a * b).sum(), argnums=(0, 1))(X, 2 * X)
    assert value.item() == pytest.approx(2 * np.sum(X * X))
    np.testing.assert_allclose(_np(g0), 2 * X)
    np.testing.assert_allclose(_np(g1), X)


def test_grad_leaves_the_arguments_gradients_alone():
    x = mg.tensor(X, requires_grad=True)
    mg.grad(lambda t: (t * t).sum())(x)
    assert x.grad is None


# ----- vjp and jvp ---------------------------------------------------------------------

def test_vjp_is_the_cotangent_times_the_jacobian():
    out, vjp_fn = mg.vjp(lambda x, w: x @ w, X, A)
    np.testing.assert_allclose(_np(out), X @ A, rtol=1e-15)
    u = RNG.standard_normal((2, 3))
    x_bar, w_bar = vjp_fn(u)
    np.testing.assert_allclose(_np(x_bar), u @ A.T, rtol=1e-14)
    np.testing.assert_allclose(_np(w_bar), X.T @ u, rtol=1e-14)
    x_bar_again, _ = vjp_fn(2 * u)  # vjp_fn can be called repeatedly
    np.testing.assert_allclose(_np(x_bar_again), 2 * u @ A.T, rtol=1e-14)


def test_jvp_is_true_forward_mode_against_closed_forms():
    v = RNG.standard_normal((2, 3))
    out, t = mg.jvp(lambda x: mg.tanh(x) * x, (X,), (v,))
    np.testing.assert_allclose(_np(out), np.tanh(X) * X, rtol=1e-15)
    np.testing.assert_allclose(_np(t), ((1 - np.tanh(X) ** 2) * X + np.tanh(X)) * v, rtol=1e-14)
    out, t = mg.jvp(lambda x, w: (x @ w).sum(axis=0), (X, A), (v, np.eye(3)))
    np.testing.assert_allclose(_np(t), (v @ A + X).sum(axis=0), rtol=1e-14)


def test_jvp_records_no_tape_entries():
    """Forward mode needs no reverse graph: nothing requires grad, so nothing is recorded."""
    with mg.Tape() as tape:
        out, t = mg.jvp(lambda x: mg.sin(x) * 2, (mg.tensor(X),), (np.ones_like(X),))
    assert len(tape) == 0 and not out.requires_grad
    np.testing.assert_allclose(_np(t), 2 * np.cos(X), rtol=1e-15)


# ----- jacobian and hessian ------------------------------------------------------------

def _f_2x3_to_4(x):
    """(2, 3) -> (4,): a nonlinear map mixing all entries."""
    rows = mg.sin(x).sum(axis=1)
    return mg.concatenate([rows * rows, (x * x).sum(axis=0)[:2]])


def _f_2x3_to_4_jacobian(x):
    j = np.zeros((4, 2, 3))
    rows = np.sin(x).sum(axis=1)
    for i in range(2):
        j[i, i, :] = 2 * rows[i] * np.cos(x[i])
    for k in range(2):
        j[2 + k, :, k] = 2 * x[:, k]
    return j


@pytest.mark.parametrize("mode", ["rev", "fwd"])
def test_jacobian_is_shaped_out_by_in_and_matches_closed_form(mode):
    j = mg.jacobian(_f_2x3_to_4, mode=mode)(X)
    assert j.shape == (4, 2, 3)
    np.testing.assert_allclose(_np(j), _f_2x3_to_4_jacobian(X), rtol=1e-14, atol=1e-15)


def test_jacobian_modes_agree_with_argnums_and_scalar_shapes():
    f = lambda x, w: mg.tanh(x @ w)  # noqa: E731
    rev = mg.jacobian(f, argnums=(0, 1))(X, A)
    fwd = mg.jacobian(f, argnums=(0, 1), mode="fwd")(X, A)
    assert rev[0].shape == (2, 3, 2, 3) and rev[1].shape == (2, 3, 3, 3)
    for r, f_ in zip(rev, fwd):
        np.testing.assert_allclose(_np(r), _np(f_), rtol=1e-13, atol=1e-15)
    j = mg.jacobian(lambda s: s * mg.tensor([1.0, 2.0]))(mg.tensor(3.0))  # () -> (2,)
    assert j.shape == (2,)
    np.testing.assert_array_equal(_np(j), [1.0, 2.0])


def test_hessian_of_a_quadratic_form_is_a_plus_a_transpose():
    x = RNG.standard_normal(3)
    h = mg.hessian(lambda x: x @ (mg.tensor(A) @ x))(x)
    assert h.shape == (3, 3)
    np.testing.assert_allclose(_np(h), A + A.T, rtol=1e-14)


def test_hessian_of_a_matrix_argument_is_shaped_in_by_in():
    h = mg.hessian(lambda x: (x ** 3).sum() * 2)(X)
    assert h.shape == (2, 3, 2, 3)
    np.testing.assert_allclose(_np(h).reshape(6, 6), np.diag(12 * X.reshape(-1)), rtol=1e-14)


# ----- nesting ----------------------------------------------------------------------------

def test_second_and_third_derivatives_of_sin():
    x = 0.7
    assert mg.grad(mg.grad(mg.sin))(x).item() == pytest.approx(-np.sin(x), rel=1e-12)
    assert mg.grad(mg.grad(mg.grad(mg.sin)))(x).item() == pytest.approx(-np.cos(x), rel=1e-12)
    d4 = mg.grad(mg.grad(mg.grad(mg.grad(lambda t: mg.exp(t * 2)))))(x)
    assert d4.item() == pytest.approx(16 * np.exp(2 * x), rel=1e-12)


def test_forward_over_reverse_hessian_vector_product():
    f = lambda x: (mg.sin(x) * x).sum() + (x * x).sum() ** 2  # noqa: E731
    x = RNG.standard_normal(4)
    v = RNG.standard_normal(4)
    _, hvp = mg.jvp(mg.grad(f), (x,), (v,))
    h = _np(mg.hessian(f)(x))
    np.testing.assert_allclose(_np(hvp), h @ v, rtol=1e-12)
    closed = np.diag(2 * np.cos(x) - x * np.sin(x)) + 4 * (x @ x) * np.eye(4) + 8 * np.outer(x, x)
    np.testing.assert_allclose(h, closed, rtol=1e-12)


def test_no_perturbation_confusion_with_a_captured_variable():
    """d/dx [x * d/dy (y * x)] = d/dx x^2 = 2x: the inner derivative depends on x."""
    x = 3.0
    f = lambda x: x * mg.grad(lambda y: y * x)(1.0)  # noqa: E731
    assert mg.grad(f)(x).item() == pytest.approx(2 * x, rel=1e-15)
    # and the inner grad evaluated at the outer x itself: d/dx [d/dy (y x) at y = x] = 1
    g = lambda x: mg.grad(lambda y: y * x)(x)  # noqa: E731
    assert mg.grad(g)(x).item() == pytest.approx(1.0, rel=1e-15)
    # forward mode over a captured variable, and vjp inside grad
    _, t = mg.jvp(f, (mg.tensor(x),), (mg.tensor(1.0),))
    assert t.item() == pytest.approx(2 * x, rel=1e-15)
    h = lambda x: x * mg.vjp(lambda y: y * x, 2.0)[1](mg.tensor(1.0))[0]  # noqa: E731
    assert mg.grad(h)(x).item() == pytest.approx(2 * x, rel=1e-15)


def test_grad_of_grad_with_outer_tensor_requiring_grad():
    x = mg.tensor([0.5, -1.0], requires_grad=True)
    g = mg.grad(lambda t: (t ** 3).sum())(x)  # 3 x^2, recorded because x requires grad
    g.sum().backward()
    np.testing.assert_allclose(_np(x.grad), 6 * _np(x), rtol=1e-15)


# ----- errors ------------------------------------------------------------------------------

def test_grad_of_a_non_scalar_function_says_so():
    with pytest.raises(ValueError, match=r"single-element tensor, got shape \(2, 3\).*jacobian"):
        mg.grad(lambda x: x * 2)(X)


def test_grad_capturing_a_released_graph_names_it():
    """The capture walk (perturbation confusion) met a graph an earlier backward had
    released and raised TypeError: 'NoneType' object is not iterable."""
    w = mg.tensor([1.0, 2.0], requires_grad=True)
    x = w * 2
    x.sum().backward()
    with pytest.raises(RuntimeError, match="released graph.*'multiply'.*retain_graph=True"):
        mg.grad(lambda y: (y * x).sum())(mg.tensor([1.0, 2.0]))


def test_jvp_tangent_shape_mismatch_says_which():
    with pytest.raises(ValueError, match=r"tangent 0 has shape \(3,\) but its primal has shape \(2, 3\)"):
        mg.jvp(mg.sin, (X,), (np.ones(3),))
    with pytest.raises(ValueError, match="1 primals but 2 tangents"):
        mg.jvp(mg.sin, (X,), (X, X))


@pytest.mark.parametrize("transform", [mg.grad, mg.value_and_grad, mg.jacobian])
def test_argnums_out_of_range_says_so(transform):
    with pytest.raises(ValueError, match="argnums 2 is out of range for 2 arguments"):
        transform(lambda x, y: (x * y).sum(), argnums=2)(1.0, 2.0)


def test_grad_of_an_integer_argument_is_refused():
    with pytest.raises(TypeError, match="dtype int64"):
        mg.grad(lambda x: (x * 1.0).sum())(np.arange(3))


def test_jacobian_mode_is_checked():
    with pytest.raises(ValueError, match="mode must be 'rev' or 'fwd'"):
        mg.jacobian(mg.sin, mode="forward")


def test_a_tangent_does_not_outlive_its_jvp():
    """A tensor that leaves one mg.jvp (here through a closure) carries no stale tangent
    into the next: only the inputs of the current jvp are perturbed."""
    kept = {}

    def f(x):
        kept["h"] = x * 3.0  # escapes with tangent 3 * x_dot in the first jvp
        return x

    mg.jvp(f, (mg.tensor([1.0]),), (mg.tensor([1.0]),))
    _, tangent = mg.jvp(lambda y: y + kept["h"], (mg.tensor([2.0]),), (mg.tensor([1.0]),))
    np.testing.assert_array_equal(tangent.data, [1.0])  # kept["h"] is a constant here
