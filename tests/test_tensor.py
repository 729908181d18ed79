"""The Tensor surface: attributes, NumPy interop, operators, comparisons, indexing."""
import operator

import numpy as np
import pytest
from hypothesis import given, strategies as st

import minigrad as mg


# ----- attributes and NumPy interop ---------------------------------------------------
def test_attributes_describe_the_data():
    data = np.arange(6.0).reshape(2, 3)
    t = mg.as_tensor(data)
    assert t.data is data and t.numpy() is data
    assert (t.shape, t.ndim, t.size, t.dtype, len(t)) == ((2, 3), 2, 6, np.float64, 2)
    assert t.T.shape == (3, 2)
    np.testing.assert_array_equal(t.T.data, data.T)
    assert mg.tensor([[7.5]]).item() == 7.5 and isinstance(mg.tensor(2.0).item(), float)
    assert float(mg.tensor([3.5])) == 3.5 and int(mg.tensor(2.7)) == 2


def test_np_asarray_shares_and_np_array_copies():
    t = mg.tensor([1.0, 2.0])
    assert np.asarray(t) is t.data
    copied = np.array(t)
    assert not np.shares_memory(copied, t.data)
    np.testing.assert_array_equal(copied, [1.0, 2.0])
    assert np.asarray(t, dtype=np.float32).dtype == np.float32
    np.testing.assert_array_equal(np.exp(np.asarray(t)), np.exp([1.0, 2.0]))


def test_transpose_of_leaf_is_differentiable():
    x = mg.tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    w = np.arange(6.0).reshape(3, 2)
    (x.T * w).sum().backward()
    np.testing.assert_array_equal(x.grad.data, w.T)


def test_len_of_a_scalar_raises_and_truth_of_many_is_ambiguous():
    with pytest.raises(TypeError):
        len(mg.tensor(1.0))
    with pytest.raises(ValueError, match="ambiguous"):
        bool(mg.tensor([1.0, 2.0]))
    assert bool(mg.tensor([1.0])) and not bool(mg.tensor(0.0))


def test_repr_shows_values_and_graph_status():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    assert repr(x) == "tensor([1., 2.], requires_grad=True)"
    assert repr(x * 2.0) == "tensor([2., 4.], op=multiply)"
    assert repr(mg.tensor(np.ones(2, np.float32))) == "tensor([1., 1.], dtype=float32)"


# ----- operators ------------------------------------------------------------------------
@pytest.mark.parametrize("op, dx, dy", [
    (operator.add, lambda x, y: 1.0, lambda x, y: 1.0),
    (operator.sub, lambda x, y: 1.0, lambda x, y: -1.0),
    (operator.mul, lambda x, y: y, lambda x, y: x),
    (operator.truediv, lambda x, y: 1 / y, lambda x, y: -x / y ** 2),
    (operator.pow, lambda x, y: y * x ** (y - 1), lambda x, y: x ** y * np.log(x)),
])
@pytest.mark.parametrize("form", ["tensor-tensor", "tensor-array", "array-tensor",
                                  "tensor-number", "number-tensor"])
def test_binary_operators_and_their_reflected_forms(op, dx, dy, form):
    xv, yv = np.array([1.5, 2.0, 0.5]), np.array([0.5, 3.0, 2.0])
    left, right = form.split("-")
    if right == "number":
        yv = np.full(3, 2.5)
    if left == "number":
        xv = np.full(3, 1.25)
    x = mg.tensor(xv, requires_grad=True) if left == "tensor" else (
        xv if left == "array" else 1.25)
    y = mg.tensor(yv, requires_grad=True) if right == "tensor" else (
        yv if right == "array" else 2.5)
    z = op(x, y)
    assert isinstance(z, mg.Tensor)
    np.testing.assert_allclose(z.data, op(xv, yv), rtol=1e-15)
    z.sum().backward()
    if left == "tensor":
        np.testing.assert_allclose(x.grad.data, np.broadcast_to(dx(xv, yv), 3), rtol=1e-14)
    if right == "tensor":
        np.testing.assert_allclose(y.grad.data, np.broadcast_to(dy(xv, yv), 3), rtol=1e-14)


def test_unary_minus_plus_and_reflected_matmul():
    x = mg.tensor([1.0, -2.0], requires_grad=True)
    assert +x is x
    (-x).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [-1.0, -1.0])
    m = np.array([[1.0, 2.0], [3.0, 4.0]])
    x.grad = None
    z = m @ x
    np.testing.assert_array_equal(z.data, m @ x.data)
    z.sum().backward()
    np.testing.assert_array_equal(x.grad.data, m.sum(axis=0))


# ----- comparisons ---------------------------------------------------------------------
@pytest.mark.parametrize("op", [operator.lt, operator.le, operator.gt, operator.ge,
                                operator.eq, operator.ne])
@pytest.mark.parametrize("other", [1.0, np.array([0.0, 1.0, 3.0])], ids=["number", "array"])
def test_comparisons_give_boolean_tensors_off_the_tape(op, other):
    xv = np.array([0.0, 1.0, 2.0])
    x = mg.tensor(xv, requires_grad=True)
    with mg.Tape() as tape:
        forward, reflected = op(x, other), op(other, x)
    assert len(tape) == 0
    for got, want in ((forward, op(xv, other)), (reflected, op(other, xv))):
        assert isinstance(got, mg.Tensor) and got.dtype == bool
        assert not got.requires_grad and got.is_leaf
        np.testing.assert_array_equal(got.data, want)
    with pytest.raises(TypeError, match="bool"):
        forward.requires_grad = True


def test_comparison_mask_selects_in_where_with_correct_gradient():
    x = mg.tensor([-1.0, 2.0, -3.0, 4.0], requires_grad=True)
    mg.where(x > 0, x * x, -x).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [-1.0, 4.0, -1.0, 8.0])


# ----- indexing ------------------------------------------------------------------------
@pytest.mark.parametrize("index", [
    1, -1, slice(1, None, 2), (Ellipsis, 0), (None, slice(None), 2), (1, slice(0, 2)),
], ids=["int", "negative", "step-slice", "ellipsis", "newaxis", "int-and-slice"])
def test_basic_indexing_value_and_gradient(index):
    data = np.arange(12.0).reshape(3, 4)
    x = mg.tensor(data, requires_grad=True)
    z = x[index]
    np.testing.assert_array_equal(z.data, data[index])
    weights = np.arange(1.0, 1.0 + z.size).reshape(z.shape)
    (z * weights).sum().backward()
    expected = np.zeros_like(data)
    expected[index] = weights.reshape(data[index].shape)
    np.testing.assert_array_equal(x.grad.data, expected)


def test_repeated_integer_indices_accumulate():
    x = mg.tensor(np.arange(5.0), requires_grad=True)
    x[np.array([0, 3, 0, 0, 4, 3])].sum().backward()
    np.testing.assert_array_equal(x.grad.data, [3.0, 0.0, 0.0, 2.0, 1.0])


def test_advanced_index_pairs_and_list_index():
    data = np.arange(12.0).reshape(3, 4)
    x = mg.tensor(data, requires_grad=True)
    z = x[[0, 2, 0], [1, 1, 1]]
    np.testing.assert_array_equal(z.data, [1.0, 9.0, 1.0])
    (z * np.array([1.0, 2.0, 3.0])).sum().backward()
    expected = np.zeros((3, 4))
    expected[0, 1], expected[2, 1] = 1.0 + 3.0, 2.0
    np.testing.assert_array_equal(x.grad.data, expected)


def test_boolean_mask_from_a_tensor_comparison():
    x = mg.tensor([3.0, -1.0, 4.0, -1.5, 5.0], requires_grad=True)
    picked = x[x > 0]
    np.testing.assert_array_equal(picked.data, [3.0, 4.0, 5.0])
    (picked ** 2).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [6.0, 0.0, 8.0, 0.0, 10.0])


def test_mixed_slice_and_integer_array_on_rows():
    data = np.arange(12.0).reshape(4, 3)
    x = mg.tensor(data, requires_grad=True)
    z = x[np.array([3, 3, 1]), 1:]
    np.testing.assert_array_equal(z.data, data[[3, 3, 1], 1:])
    z.sum().backward()
    expected = np.zeros((4, 3))
    expected[3, 1:], expected[1, 1:] = 2.0, 1.0
    np.testing.assert_array_equal(x.grad.data, expected)


@given(st.lists(st.integers(-6, 5), min_size=1, max_size=20))
def test_gradient_of_integer_gather_counts_occurrences(indices):
    x = mg.tensor(np.linspace(-1, 1, 6), requires_grad=True)
    x[np.array(indices)].sum().backward()
    counts = np.bincount(np.array(indices) % 6, minlength=6).astype(float)
    np.testing.assert_array_equal(x.grad.data, counts)
