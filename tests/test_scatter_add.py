"""scatter_add (IndexAdd's forward, getitem's and Embedding's backward, MaxPool's VJP):
np.add.at's result bit for bit, on repeated, negative, multi-dimensional and masked indices."""
import numpy as np
import pytest

import minigrad as mg
from minigrad import nn
from minigrad.ops.indexing import scatter_add


def add_at(shape, index, w):
    z = np.zeros(shape, w.dtype)
    np.add.at(z, index, w)
    return z


def values(rng, shape, index, dtype):
    """Values for zeros(shape)[index], of mixed magnitudes so that the order of the
    additions shows in the last bits."""
    w_shape = np.zeros(shape)[index].shape
    return (rng.standard_normal(w_shape) * 10.0 ** rng.uniform(-4, 4, w_shape)).astype(dtype)


def random_index(rng, kind, shape):
    n = shape[0]
    if kind == "rows":  # an Embedding's table[ids]: repeated and negative ids
        return (rng.integers(-n, n, (6, 5)),)
    if kind == "pairs":  # x[i, j] on the leading two axes, broadcast against each other
        return (rng.integers(-n, n, (7, 1)), rng.integers(0, shape[1], (1, 3)))
    if kind == "int and array":  # an int beside an array is an advanced index too
        return (rng.integers(0, n, 9), 1)
    if kind == "mask and array":
        return (rng.random(n) < 0.6, rng.integers(0, shape[1], 1))
    if kind == "mask":  # never repeats: plain assignment
        return (rng.random(shape[:2]) < 0.5,)
    if kind == "later axis":  # x[:, i]: handed to np.add.at as it is
        return (slice(None), rng.integers(-shape[1], shape[1], 8))
    if kind == "trailing slice":  # x[i, :, ...] is x[i]
        return (rng.integers(0, n, 8), slice(None), Ellipsis)
    raise ValueError(kind)


KINDS = ["rows", "pairs", "int and array", "mask and array", "mask", "later axis",
         "trailing slice"]


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.float16, np.complex128, np.int64])
@pytest.mark.parametrize("kind", KINDS)
def test_equals_np_add_at_bit_for_bit(kind, dtype):
    rng = np.random.default_rng([KINDS.index(kind), np.dtype(dtype).num])
    for _ in range(5):
        shape = (4, 3, 2)
        index = random_index(rng, kind, shape)
        w = values(rng, shape, index, dtype)
        z = scatter_add(shape, index, w)
        assert z.dtype == w.dtype and z.shape == shape
        np.testing.assert_array_equal(z, add_at(shape, index, w))


def test_repeats_add_up():
    # row 2 read three times (once as -2), row 0 once, row 1 never
    z = scatter_add((4, 2), (np.array([2, 0, -2, 2]),), np.array([[1.0, 2], [3, 4], [5, 6],
                                                                   [7, 8]]))
    np.testing.assert_array_equal(z, [[3, 4], [0, 0], [13, 16], [0, 0]])


def test_narrow_integer_indices_do_not_overflow():
    # uint8 row numbers times a row width of 300 would wrap around in uint8
    index = (np.array([200, 3, 200], dtype=np.uint8),)
    w = np.ones((3, 300))
    z = scatter_add((256, 300), index, w)
    np.testing.assert_array_equal(z[200], 2.0)
    np.testing.assert_array_equal(z, add_at((256, 300), index, w))


def test_out_of_range_indices_raise():
    for index in [(np.array([0, 4]),), (np.array([-5]),), (np.array([1]), np.array([3]))]:
        with pytest.raises(IndexError):
            scatter_add((4, 3, 2), index, np.ones(np.zeros((4, 3, 2))[index[:1]].shape
                                                  if len(index) == 1 else (1, 2)))


def test_empty_index():
    index = (np.array([], dtype=np.int64),)
    np.testing.assert_array_equal(scatter_add((3, 2), index, np.ones((0, 2))), np.zeros((3, 2)))


def test_embedding_and_getitem_gradients_count_repeats():
    emb = nn.Embedding(5, 3, rng=0)
    ids = np.array([[4, 1, 4], [4, 0, 1]])
    emb(ids).sum().backward()
    np.testing.assert_array_equal(emb.weight.grad.data[:, 0], [1, 2, 0, 0, 3])
    x = mg.tensor(np.arange(6.0).reshape(3, 2), requires_grad=True)
    (x[np.array([0, 0, -1]), np.array([1, 1, 0])] * mg.tensor([1.0, 2.0, 3.0])).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [[0, 3], [0, 0], [3, 0]])


def test_embedding_error_names_the_range():
    emb = nn.Embedding(5, 2, rng=0)
    for ids in (np.array([0, 5]), np.array([-1, 2])):
        with pytest.raises(IndexError, match="in \\[0, 5\\)"):
            emb(ids)
