"""Paths that gave a wrong number or an obscure error: tuple axes in the softmax family,
empty shapes, 0-d tensors, Python protocols, and retain_graph under create_graph."""
import numpy as np
import pytest

import minigrad as mg
from minigrad.ops import LogSoftmax, Softmax
from minigrad.testing import check_op, gradcheck

RNG = np.random.default_rng(0)


def _np_softmax(x, axes):
    e = np.exp(x - x.max(axis=axes, keepdims=True))
    return e / e.sum(axis=axes, keepdims=True)


# ----- tuple axes ----------------------------------------------------------------------
@pytest.mark.parametrize("axes", [(0, 1), (0, 2), (1, 2), (-1, 0), (0, 1, 2)])
def test_the_softmax_family_normalises_over_every_axis_of_a_tuple(axes):
    """Silently wrong before: axis=(0, 1) normalised over axis 0 only."""
    x = RNG.standard_normal((2, 3, 4))
    p = mg.softmax(mg.tensor(x), axis=axes)
    np.testing.assert_allclose(p.data, _np_softmax(x, axes), rtol=1e-13)
    np.testing.assert_allclose(p.data.sum(axis=axes), 1.0, rtol=1e-13)
    np.testing.assert_allclose(mg.log_softmax(mg.tensor(x), axis=axes).data,
                               np.log(_np_softmax(x, axes)), rtol=1e-12)
    np.testing.assert_allclose(mg.logsumexp(mg.tensor(x), axis=axes).data,
                               np.log(np.exp(x).sum(axis=axes)), rtol=1e-13)
    normalized = tuple(sorted(a % 3 for a in axes))
    assert check_op(Softmax(normalized), x)
    assert check_op(LogSoftmax(normalized), x)
    assert gradcheck(lambda t: mg.softmax(t, axis=axes) * mg.tensor(x), x)


# ----- empty shapes ---------------------------------------------------------------------
def test_logsumexp_over_an_empty_axis_is_minus_infinity_as_numpy_and_pytorch():
    x = mg.zeros((3, 0), requires_grad=True)
    out = mg.logsumexp(x, axis=1)
    np.testing.assert_array_equal(out.data, [-np.inf] * 3)
    assert np.logaddexp.reduce(np.zeros((3, 0)), axis=1).tolist() == out.data.tolist()
    g = mg.grad(lambda t: mg.logsumexp(t, axis=0).sum())(mg.zeros((0, 2)))
    assert g.shape == (0, 2)


def test_softmax_over_zero_classes_is_empty():
    x = mg.zeros((4, 0), requires_grad=True)
    for fn in (mg.softmax, mg.log_softmax):
        out = fn(x, axis=1)
        assert out.shape == (4, 0)
        out.sum().backward()
        assert x.grad.shape == (4, 0)
        x.grad = None


def test_selecting_nothing_with_an_empty_list():
    x = mg.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    assert x[[]].shape == (0, 2)
    assert x[:, []].shape == (2, 0)
    x[[]].sum().backward()
    np.testing.assert_array_equal(x.grad.data, np.zeros((2, 2)))


# ----- Python protocols -----------------------------------------------------------------
def test_a_0d_tensor_is_not_iterable_and_has_no_len():
    """list(mg.tensor(3.0)) returned [] before."""
    with pytest.raises(TypeError, match="iteration over a 0-d tensor"):
        list(mg.tensor(3.0))
    with pytest.raises(TypeError, match="len\\(\\) of a 0-d tensor"):
        len(mg.tensor(3.0))


def test_iteration_goes_over_the_first_axis_and_keeps_gradients():
    x = mg.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    rows = list(x)
    assert [r.shape for r in rows] == [(2,), (2,)]
    (rows[0] * rows[1]).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [[3.0, 4.0], [1.0, 2.0]])
    a, b = mg.tensor([5.0, 6.0])  # unpacking, as in PyTorch
    assert (a.item(), b.item()) == (5.0, 6.0)


def test_abs_logic_and_format():
    x = mg.tensor([-1.5, 2.0], requires_grad=True)
    np.testing.assert_array_equal(abs(x).data, [1.5, 2.0])
    abs(x).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [-1.0, 1.0])
    m, n = mg.tensor([True, False, True]), mg.tensor([True, True, False])
    np.testing.assert_array_equal((m & n).data, [True, False, False])
    np.testing.assert_array_equal((m | n).data, [True, True, True])
    np.testing.assert_array_equal((m ^ n).data, [False, True, True])
    np.testing.assert_array_equal((~m).data, [False, True, False])
    np.testing.assert_array_equal(((x > 0) & (x < 3)).data, [False, True])
    np.testing.assert_array_equal((mg.tensor([6, 3]) & 5).data, [4, 1])  # ints: bitwise
    with pytest.raises(TypeError, match=r"& \| \^ ~ need boolean or integer tensors, got float64"):
        x & m
    assert format(mg.tensor(3.14159), ".3f") == "3.142"
    assert f"{mg.tensor([2.5]):.1f}" == "2.5"
    assert format(mg.tensor([1.0, 2.0])) == str(mg.tensor([1.0, 2.0]))
    with pytest.raises(TypeError, match=r"needs a one-element tensor.*shape \(2,\)"):
        format(mg.tensor([1.0, 2.0]), ".2f")


def test_an_integer_0d_tensor_works_as_an_index():
    assert [10, 20, 30][mg.tensor(2)] == 30
    with pytest.raises(TypeError, match="only 0-d integer tensors"):
        [1][mg.tensor(0.0)]


# ----- retain_graph follows create_graph ------------------------------------------------
def test_the_gradient_penalty_pattern_works_without_retain_graph():
    """backward(create_graph=True) keeps the graph (retain_graph defaults to create_graph,
    as PyTorch), so a second backward through x.grad works."""
    x = mg.tensor([0.5, -1.0, 2.0], requires_grad=True)
    y = (x ** 3).sum()
    y.backward(create_graph=True)
    penalty = (x.grad ** 2).sum()       # sum (3 x^2)^2 = 9 sum x^4
    x.grad = None
    penalty.backward()
    np.testing.assert_allclose(x.grad.data, 36 * x.data ** 3, rtol=1e-14)


def test_retain_graph_false_still_releases_under_create_graph():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    y = (mg.exp(x)).sum()
    y.backward(create_graph=True, retain_graph=False)
    with pytest.raises(RuntimeError, match="through a released graph"):
        y.backward()


def test_floor_division_and_remainder_follow_numpy_and_differentiate_where_they_can():
    x = mg.tensor([5.5, -5.5, 7.0], requires_grad=True)
    np.testing.assert_array_equal((x // 2).data, [2.0, -3.0, 3.0])
    np.testing.assert_array_equal((x % 2).data, np.mod([5.5, -5.5, 7.0], 2))
    assert not (x // 2).requires_grad            # piecewise constant: derivative 0
    (x % 2.0).sum().backward()                   # x - 2 floor(x / 2): derivative 1
    np.testing.assert_array_equal(x.grad.data, [1.0, 1.0, 1.0])
    np.testing.assert_array_equal((7 % mg.tensor([3, -3])).data, [1, -2])
    np.testing.assert_array_equal((mg.tensor([7, -7]) // 2).data, [3, -4])
