"""NumPy interop: NumPy's functions on tensors run minigrad's ops and stay differentiable;
what minigrad has no op for computes on the arrays, or says why a gradient cannot flow."""
import numpy as np
import pytest

import minigrad as mg


def leaf(values):
    return mg.tensor(np.array(values, dtype=np.float64), requires_grad=True)


@pytest.mark.parametrize("numpy_fn, expected_grad", [
    (lambda t: np.exp(t), lambda x: np.exp(x)),
    (lambda t: np.sum(t * t, axis=0), lambda x: 2 * x),
    (lambda t: np.mean(np.square(t)), lambda x: 2 * x / x.size),
    (lambda t: np.maximum(t, 0.0), lambda x: (x > 0).astype(float)),
    (lambda t: np.sqrt(np.abs(t)), lambda x: np.sign(x) / (2 * np.sqrt(np.abs(x)))),
    (lambda t: np.tanh(np.sin(t)), lambda x: np.cos(x) * (1 - np.tanh(np.sin(x)) ** 2)),
    (lambda t: np.max(t, keepdims=True), lambda x: (x == x.max()).astype(float)),
    (lambda t: np.clip(t, -1.0, 1.0), lambda x: (np.abs(x) <= 1).astype(float)),
    (lambda t: np.where(t > 0, t, 2 * t), lambda x: np.where(x > 0, 1.0, 2.0)),
    (lambda t: np.concatenate([t, 3 * t]), lambda x: np.full(x.shape, 4.0)),
    (lambda t: np.stack([t, t * t]), lambda x: 1 + 2 * x),
    (lambda t: np.reshape(np.transpose(t), (-1,)), lambda x: np.ones_like(x)),
    (lambda t: np.var(t, ddof=1), lambda x: 2 * (x - x.mean()) / (x.size - 1)),
])
def test_numpy_functions_on_tensors_are_recorded_and_differentiable(numpy_fn, expected_grad):
    x = np.array([0.5, -1.25, 2.0, -0.75])
    t = leaf(x)
    out = numpy_fn(t)
    assert isinstance(out, mg.Tensor) and out.requires_grad
    out.sum().backward()
    np.testing.assert_allclose(t.grad.data, expected_grad(x), rtol=1e-13)


def test_arrays_and_tensors_mix_either_way_round():
    t = leaf([1.0, 2.0])
    a = np.array([10.0, 20.0])
    for out in (a + t, t + a, a * t, a - t, a / t, a ** t, t @ np.ones(2), np.ones(2) @ t):
        assert isinstance(out, mg.Tensor) and out.requires_grad
    comparison = a > t
    assert isinstance(comparison, mg.Tensor) and comparison.dtype == bool
    (a * t).sum().backward()
    np.testing.assert_array_equal(t.grad.data, a)


def test_updating_dot_data_by_a_gradient_writes_into_the_array():
    """`p.data -= lr * p.grad` raised "operand 'Tensor' does not support ufuncs" before."""
    p = leaf([1.0, 2.0])
    (p * p).sum().backward()
    data = p.data
    p.data -= 0.25 * p.grad
    assert p.data is data
    np.testing.assert_array_equal(p.data, [0.5, 1.0])


def test_numpy_functions_without_an_op_compute_on_the_arrays():
    h = mg.hessian(lambda x: (x ** 4).sum())(mg.tensor([1.0, 2.0]))
    g = mg.grad(lambda x: (x ** 4).sum())(mg.tensor([1.0, 2.0]))
    step = np.linalg.solve(h, g)             # Newton: nothing requires grad
    assert type(step) is np.ndarray
    np.testing.assert_allclose(step, [1 / 3, 2 / 3], rtol=1e-14)
    assert np.allclose(mg.tensor([1.0]), 1.0)
    np.testing.assert_array_equal(np.add.reduce(mg.tensor([1.0, 2.0])), 3.0)


def test_a_numpy_function_that_would_lose_a_gradient_raises():
    w = leaf([[2.0, 0.0], [0.0, 4.0]])
    with pytest.raises(TypeError, match=r"np.linalg.solve: minigrad has no op for this NumPy "
                                        r"function, and an input requires grad.*detach"):
        np.linalg.solve(w, np.ones(2))
    with pytest.raises(TypeError, match="np.sum"):  # a dtype= minigrad's sum does not take
        np.sum(w, dtype=np.float32)
    with mg.no_grad():
        assert np.linalg.solve(w, np.ones(2)).tolist() == [0.5, 0.25]
    with pytest.raises(TypeError, match=r"np.add\(..., out=...\): an input requires grad"):
        buffer = np.zeros((2, 2))
        buffer += w


def test_results_that_hold_no_floats_lose_no_gradient():
    w = leaf([1.0, np.nan, -2.0])
    np.testing.assert_array_equal(np.isnan(w).data, [False, True, False])
    v = leaf([1.0, 3.0, -2.0])
    assert np.argmax(v) == 1 and np.count_nonzero(v > 0) == 2 and np.shape(v) == (3,)
    np.testing.assert_array_equal(np.sign(w).data, [1.0, np.nan, -1.0])  # piecewise constant
    assert not np.sign(w).requires_grad


def test_a_ufunc_writing_into_a_tensor_is_the_in_place_op():
    t = mg.tensor([1.0, 2.0])
    np.add(t, 1.0, out=t)
    np.testing.assert_array_equal(t.data, [2.0, 3.0])
    assert t._version == 1
    with pytest.raises(TypeError, match="supported only as x op= y"):
        np.exp(t, out=t)
