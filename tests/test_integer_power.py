"""Power with a small integer exponent, taken by multiplication: NumPy's values to a few
ulps (special values exactly), the dtype NumPy gives, and rules right to second order."""
import warnings

import numpy as np
import pytest

import minigrad as mg
from minigrad.ops.arithmetic import Power, _power

EXPONENTS = [-1, 0, 1, 2, 3, 4, 3.0, -1.0]  # the fast path
OTHERS = [-4, -3, -2, 5, 2.5]  # left to pow()


def ulps(actual, expected):
    """|actual - expected| in units of expected's last place."""
    return np.abs(actual.astype(np.float64) - expected) / np.spacing(np.abs(expected))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("n", EXPONENTS)
def test_forward_is_numpys_to_two_ulps(n, dtype):
    rng = np.random.default_rng(int(abs(n) * 10 + (n < 0)))
    x = (rng.standard_normal(10_000) * 10.0 ** rng.uniform(-3, 3, 10_000)).astype(dtype)
    z, reference = _power(x, n), x ** n
    assert z.dtype == reference.dtype == dtype and z is not x
    assert ulps(z, reference).max() <= 2


@pytest.mark.parametrize("n", EXPONENTS)
def test_special_values_are_numpys_exactly(n):
    huge, tiny = np.finfo(np.float64).max, np.finfo(np.float64).smallest_subnormal
    x = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 1.0, -1.0, huge, -huge, tiny, 1e200,
                  1e-200])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # both sides warn about 0 ** -n and overflow
        z, reference = _power(x, n), x ** n
    np.testing.assert_array_equal(z, reference)
    np.testing.assert_array_equal(np.signbit(z), np.signbit(reference))  # -0.0 ** 3


def test_other_exponents_and_dtypes_keep_numpys_path():
    x = np.array([1.5, 2.0])
    for y in OTHERS + [np.int64(3), np.array(3)]:  # np scalars are not NumPy-"weak"
        assert _power(x, y).dtype == (x ** y).dtype
        np.testing.assert_array_equal(_power(x, y), x ** y)
    f32 = x.astype(np.float32)
    assert (mg.tensor(f32) ** np.int64(3)).dtype == (f32 ** np.int64(3)).dtype == np.float64
    ints = np.array([2, -3])
    assert (mg.tensor(ints) ** 3).dtype == np.int64
    np.testing.assert_array_equal((mg.tensor(ints) ** 3).data, [8, -27])


@pytest.mark.parametrize("n", EXPONENTS + OTHERS)
def test_rules_to_second_order(n):
    x = np.array([0.7, -1.3 if float(n).is_integer() else 1.3, 1.9])  # away from 0
    assert mg.testing.check_op(Power(), x, n)


def test_gradients_by_hand():
    x = mg.tensor([2.0, -0.5], requires_grad=True)
    (x ** 3).sum().backward()  # 3 x^2
    np.testing.assert_array_equal(x.grad.data, [12.0, 0.75])
    x.grad = None
    (x ** -2).sum().backward()  # -2 x^-3
    np.testing.assert_array_equal(x.grad.data, [-0.25, 16.0])
    h = mg.hessian(lambda t: (t ** 4).sum())(mg.tensor([1.0, -2.0]))  # 12 x^2 on the diagonal
    np.testing.assert_array_equal(h.data, np.diag([12.0, 48.0]))
    _, x_dot = mg.jvp(lambda t: t ** 3, (mg.tensor([2.0]),), (np.array([1.0]),))
    np.testing.assert_array_equal(x_dot.data, [12.0])
