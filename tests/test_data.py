"""mg.data.DataLoader: batching, lengths, dtypes, seeded shuffling, errors."""
import numpy as np
import pytest

import minigrad as mg
from minigrad.data import DataLoader


def make_arrays(n=10):
    X = np.arange(n * 3, dtype=np.float32).reshape(n, 3)
    y = np.arange(n, dtype=np.int64) % 4
    return X, y


@pytest.mark.parametrize("n, batch_size, drop_last, expected",
                         [(10, 3, False, 4), (10, 3, True, 3), (9, 3, False, 3),
                          (9, 3, True, 3), (2, 5, False, 1), (2, 5, True, 0), (0, 4, False, 0)])
def test_len_is_the_number_of_batches(n, batch_size, drop_last, expected):
    X, y = make_arrays(n)
    loader = DataLoader(X, y, batch_size=batch_size, drop_last=drop_last)
    assert len(loader) == expected
    assert len(list(loader)) == expected


def test_batches_in_order_cover_every_sample_once():
    X, y = make_arrays(10)
    batches = list(DataLoader(X, y, batch_size=4))
    assert [xb.shape for xb, _ in batches] == [(4, 3), (4, 3), (2, 3)]
    np.testing.assert_array_equal(np.concatenate([xb.data for xb, _ in batches]), X)
    np.testing.assert_array_equal(np.concatenate([yb.data for _, yb in batches]), y)


def test_drop_last_leaves_out_the_short_batch():
    X, y = make_arrays(10)
    batches = list(DataLoader(X, y, batch_size=4, drop_last=True))
    assert [len(xb) for xb, _ in batches] == [4, 4]
    np.testing.assert_array_equal(batches[-1][1].data, y[4:8])


def test_yields_tuples_of_constant_tensors_keeping_dtypes():
    X, y = make_arrays(6)
    xb, yb = next(iter(DataLoader(X, y, batch_size=4)))
    assert isinstance(xb, mg.Tensor) and isinstance(yb, mg.Tensor)
    assert xb.dtype == np.float32 and yb.dtype == np.int64
    assert not xb.requires_grad and not yb.requires_grad
    (only,) = next(iter(DataLoader(X, batch_size=2)))     # one array: a 1-tuple
    np.testing.assert_array_equal(only.data, X[:2])


def test_accepts_tensors_and_lists():
    loader = DataLoader(mg.tensor([[1.0], [2.0], [3.0]]), [0, 1, 1], [0.5, 1.5, 2.5],
                        batch_size=2)
    xb, yb, wb = next(iter(loader))
    np.testing.assert_array_equal(xb.data, [[1.0], [2.0]])
    assert yb.dtype == np.int64                            # integer lists stay integer
    assert wb.dtype == mg.get_default_dtype()              # float lists take the default


def test_shuffle_is_a_permutation_that_keeps_rows_aligned():
    X, y = make_arrays(23)
    loader = DataLoader(X, y, batch_size=5, shuffle=True, rng=0)
    xs, ys = zip(*[(xb.data, yb.data) for xb, yb in loader])
    xs, ys = np.concatenate(xs), np.concatenate(ys)
    rows = (xs[:, 0] // 3).astype(np.int64)                # X[i, 0] == 3 i
    assert sorted(rows.tolist()) == list(range(23))
    assert rows.tolist() != list(range(23))
    np.testing.assert_array_equal(ys, y[rows])             # labels travel with their rows


def epoch_orders(loader, epochs=3):
    return [np.concatenate([yb.data for (yb,) in loader]).tolist() for _ in range(epochs)]


def test_shuffle_reshuffles_every_epoch_and_is_reproducible_from_a_seed():
    index = np.arange(50)
    first = epoch_orders(DataLoader(index, batch_size=8, shuffle=True, rng=7))
    again = epoch_orders(DataLoader(index, batch_size=8, shuffle=True, rng=7))
    other = epoch_orders(DataLoader(index, batch_size=8, shuffle=True, rng=8))
    assert first == again
    assert first != other
    assert len({tuple(order) for order in first}) == 3    # a new order each epoch
    # Given a Generator, the loader draws from it: the same as the generator's permutations.
    expected = np.random.default_rng(7)
    assert first[0] == expected.permutation(50).tolist()
    assert first[1] == expected.permutation(50).tolist()


def test_no_shuffle_ignores_rng_and_keeps_order():
    index = np.arange(7)
    assert epoch_orders(DataLoader(index, batch_size=3, rng=1), 2) == [list(range(7))] * 2


def test_lengths_that_disagree_raise_a_clear_error():
    with pytest.raises(ValueError, match=r"disagree in length.*\(10, 3\), \(9,\)"):
        DataLoader(np.zeros((10, 3)), np.zeros(9), batch_size=2)


@pytest.mark.parametrize("batch_size", [0, -1, 2.5, None, True])
def test_bad_batch_size_raises(batch_size):
    with pytest.raises(ValueError, match="batch_size must be a positive integer"):
        DataLoader(np.zeros(4), batch_size=batch_size)


def test_no_arrays_or_a_scalar_raise():
    with pytest.raises(ValueError, match="at least one array"):
        DataLoader(batch_size=2)
    with pytest.raises(ValueError, match="0-d"):
        DataLoader(np.zeros(3), np.float64(1.0), batch_size=2)


def test_batch_size_is_keyword_only():
    with pytest.raises(TypeError):
        DataLoader(np.zeros(4))
