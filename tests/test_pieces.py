"""split, chunk, unbind, gather (take_along_axis), sort, topk, cumsum and expand: PyTorch's
semantics, their gradients, and their errors."""
import numpy as np
import pytest

import minigrad as mg
from minigrad.testing import gradcheck


def test_split_by_size_and_by_sections_and_chunk_as_pytorch():
    x = mg.arange(10.0).reshape(5, 2)
    assert [p.shape for p in x.split(2)] == [(2, 2), (2, 2), (1, 2)]
    assert [p.shape for p in mg.split(x, [1, 4], dim=0)] == [(1, 2), (4, 2)]
    # chunk: pieces of ceil(n / chunks), so 5 rows in 4 chunks are 3 pieces, as PyTorch
    assert [p.shape[0] for p in x.chunk(4)] == [2, 2, 1]
    assert [p.shape[0] for p in x.chunk(5)] == [1, 1, 1, 1, 1]
    np.testing.assert_array_equal(mg.cat(x.split(3), dim=0).data, x.data)
    rows = x.unbind(dim=1)
    assert len(rows) == 2 and rows[1].tolist() == [1, 3, 5, 7, 9]


def test_the_nanogpt_qkv_split_sends_each_gradient_to_its_third():
    qkv = mg.tensor(np.arange(24.0).reshape(2, 12), requires_grad=True)
    q, k, v = qkv.split(4, dim=1)
    (q.sum() + 2 * k.sum() + 3 * v.sum()).backward()
    np.testing.assert_array_equal(qkv.grad.data[0], [1] * 4 + [2] * 4 + [3] * 4)
    assert gradcheck(lambda t: mg.cat([p * (i + 1) for i, p in enumerate(t.chunk(3, dim=1))],
                                      dim=0), np.random.default_rng(0).standard_normal((2, 6)))


def test_gather_picks_along_an_axis_and_scatters_back_repeats_added():
    x = mg.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
    index = np.array([[2, 2], [0, 1]])
    out = x.gather(1, index)
    assert out.tolist() == [[3.0, 3.0], [4.0, 5.0]]
    out.sum().backward()
    np.testing.assert_array_equal(x.grad.data, [[0, 0, 2], [1, 1, 0]])  # read twice: 2
    assert mg.gather(x, 0, np.array([[1]])).tolist() == [[4.0]]  # shorter on the other axis
    with pytest.raises(ValueError, match="do not fit"):
        mg.gather(x, 1, np.array([0, 1]))
    with pytest.raises(TypeError, match="integers"):
        mg.gather(x, 1, np.array([[0.0]]))


def test_sort_and_topk_return_values_and_indices_as_pytorch():
    x = mg.tensor([[3.0, 1.0, 3.0, 2.0]], requires_grad=True)
    values, indices = x.sort(dim=1)
    assert values.tolist() == [[1, 2, 3, 3]] and indices.tolist() == [[1, 3, 0, 2]]  # ties keep order
    result = x.sort(dim=1, descending=True)
    assert result.values.tolist() == [[3, 3, 2, 1]] and result.indices.tolist() == [[0, 2, 3, 1]]
    assert indices.dtype == np.int64 and not indices.requires_grad
    top = mg.topk(x, 2, dim=1)
    assert top.values.tolist() == [[3, 3]] and top.indices.tolist() == [[0, 2]]
    assert x.topk(1, largest=False).indices.tolist() == [[1]]
    top.values.sum().backward()  # the gradient reaches the elements picked
    np.testing.assert_array_equal(x.grad.data, [[1, 0, 1, 0]])
    with pytest.raises(ValueError, match="k=5 is out of range"):
        x.topk(5)
    assert mg.sort(mg.tensor([True, False]), descending=True).indices.tolist() == [0, 1]
    assert mg.sort(mg.tensor([2, 7, 5]), descending=True).values.tolist() == [7, 5, 2]


def test_topk_sampling_filter_as_nanogpt_writes_it():
    logits = mg.tensor([[0.1, 2.0, -1.0, 0.5]])
    v, _ = mg.topk(logits, 2)
    kept = mg.where(logits < v[:, [-1]], float("-inf"), logits)
    assert np.isinf(kept.data).tolist() == [[True, False, True, False]]


def test_cumsum_and_its_adjoint_the_sum_from_the_other_end(rng):
    x = mg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    out = x.cumsum(dim=0)
    assert out.tolist() == [1, 3, 6]
    out.backward(np.array([1.0, 10.0, 100.0]))
    np.testing.assert_array_equal(x.grad.data, [111, 110, 100])
    assert mg.cumsum(mg.tensor([1, 2]), 0).dtype.kind == "i"
    assert gradcheck(lambda x: mg.cumsum(x, 1) ** 2, rng.standard_normal((2, 3)))


def test_expand_keeps_minus_one_axes_and_adds_leading_ones():
    x = mg.tensor([[1.0], [2.0]], requires_grad=True)
    assert x.expand(-1, 3).tolist() == [[1, 1, 1], [2, 2, 2]]
    assert x.expand(4, 2, 3).shape == (4, 2, 3) and x.expand((2, 2)).shape == (2, 2)
    assert x.expand_as(mg.zeros(2, 5)).shape == (2, 5)
    x.expand(-1, 3).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [[3], [3]])
    with pytest.raises(ValueError, match="must cover"):
        x.expand(3)
    with pytest.raises(ValueError, match="must cover"):
        x.expand(-1, 2, 3)


def test_flip_and_norm(rng):
    x = mg.tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    assert x.flip(0, 1).tolist() == [[5, 4, 3], [2, 1, 0]] == mg.flip(x, dims=[0, 1]).tolist()
    assert mg.flip(x, axis=0).tolist() == [[3, 4, 5], [0, 1, 2]] == x.flip((0,)).tolist()
    x.flip(1).backward(np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]))
    np.testing.assert_array_equal(x.grad.data, [[3, 2, 1], [6, 5, 4]])
    a = rng.standard_normal((3, 4))
    np.testing.assert_allclose(mg.norm(a).data, np.linalg.norm(a), rtol=1e-14)
    np.testing.assert_allclose(mg.tensor(a).norm(1, dim=1, keepdim=True).data,
                               np.abs(a).sum(1, keepdims=True), rtol=1e-14)
    np.testing.assert_allclose(mg.norm(a, 3, dim=0).data, (np.abs(a) ** 3).sum(0) ** (1 / 3),
                               rtol=1e-13)
    assert gradcheck(lambda a: mg.norm(a, dim=1), a)
    zero = mg.tensor(np.zeros(3), requires_grad=True)  # PyTorch: gradient 0, not nan
    mg.norm(zero).backward()
    np.testing.assert_array_equal(zero.grad.data, [0, 0, 0])
