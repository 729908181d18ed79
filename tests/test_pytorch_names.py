"""PyTorch's spellings on tensors and mg.*: each name against NumPy or hand-computed values,
gradients where it is differentiable, and the rules where minigrad and PyTorch could differ
(transpose, size, dtype conversions, devices)."""
import json
import re
import pickle

import numpy as np
import pytest

import minigrad as mg
from minigrad.testing import gradcheck

A = np.array([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]])


# ----- transpose, permute, t --------------------------------------------------------------
def test_two_axes_on_a_matrix_swap_them_as_pytorch():
    # transpose(0, 1) used to be NumPy's identity permutation: a silent no-op on 2-d.
    x = mg.tensor(A)
    for axes in [(0, 1), (1, 0), (-2, -1), (-1, 0)]:
        np.testing.assert_array_equal(x.transpose(*axes).data, A.T, err_msg=str(axes))
        np.testing.assert_array_equal(mg.transpose(x, *axes).data, A.T, err_msg=str(axes))
    assert x.transpose(0, 0) is x and x.transpose(1, -1) is x


def test_two_axes_swap_on_any_rank_and_a_full_permutation_permutes():
    b = np.arange(24.0).reshape(2, 3, 4)
    x = mg.tensor(b)
    np.testing.assert_array_equal(x.transpose(-2, -1).data, b.swapaxes(1, 2))
    np.testing.assert_array_equal(x.transpose(0, 2).data, b.swapaxes(0, 2))
    np.testing.assert_array_equal(x.transpose(2, 0, 1).data, b.transpose(2, 0, 1))
    np.testing.assert_array_equal(x.transpose().data, b.T)
    np.testing.assert_array_equal(mg.tensor(b[0, 0]).transpose(0, 0).data, b[0, 0])


def test_a_tuple_is_numpys_permutation_even_on_a_matrix():
    x = mg.tensor(A)
    np.testing.assert_array_equal(x.transpose((0, 1)).data, A)   # NumPy: the identity
    np.testing.assert_array_equal(x.transpose((1, 0)).data, A.T)
    with pytest.raises(ValueError, match=r"permute: \(0, 1\) is not a permutation.*transpose\(dim0, dim1\)"):
        mg.zeros(2, 3, 4).transpose((0, 1))


def test_transpose_errors_name_the_op_and_the_axis():
    with pytest.raises(ValueError, match="transpose: axis 2 is out of range for a tensor with 2"):
        mg.tensor(A).transpose(0, 2)
    with pytest.raises(ValueError, match="permute"):
        mg.tensor(A).transpose(0, 1, 2)


def test_gradients_flow_through_the_swap():
    b = np.random.default_rng(0).standard_normal((2, 3, 4))
    gradcheck(lambda x: x.transpose(0, 1), A)
    gradcheck(lambda x: x.transpose(-1, -3) * 2.0, b)
    x = mg.tensor(A, requires_grad=True)
    (x.transpose(0, 1) * mg.tensor(np.arange(6.0).reshape(3, 2))).sum().backward()
    np.testing.assert_array_equal(x.grad.data, np.arange(6.0).reshape(3, 2).T)


def test_permute_and_t():
    b = np.arange(24.0).reshape(2, 3, 4)
    np.testing.assert_array_equal(mg.tensor(b).permute(1, 2, 0).data, b.transpose(1, 2, 0))
    np.testing.assert_array_equal(mg.permute(mg.tensor(b), (2, 0, 1)).data, b.transpose(2, 0, 1))
    with pytest.raises(ValueError, match="not a permutation"):
        mg.tensor(b).permute(0, 1)
    np.testing.assert_array_equal(mg.tensor(A).t().data, A.T)
    assert mg.tensor([1.0, 2.0]).t().shape == (2,) and mg.tensor(3.0).t().shape == ()
    with pytest.raises(ValueError, match=r"t: expects a tensor of at most 2 dimensions.*transpose\(-2, -1\)"):
        mg.tensor(b).t()


# ----- shapes ------------------------------------------------------------------------------
def test_view_is_reshape_and_shares_memory_when_it_can():
    x = mg.tensor(np.arange(6.0))
    v = x.view(2, 3)
    np.testing.assert_array_equal(v.data, np.arange(6.0).reshape(2, 3))
    assert np.shares_memory(v.data, x.data)
    assert x.view(-1, 2).shape == (3, 2) and x.view((3, 2)).shape == (3, 2)
    assert x.view_as(mg.zeros(3, 2)).shape == (3, 2)
    # where PyTorch's view would refuse (after a transpose), minigrad's copies
    t = mg.tensor(A).t()
    assert not np.shares_memory(t.view(-1).data, t.data)
    np.testing.assert_array_equal(t.view(-1).data, A.T.ravel())


def test_unsqueeze_and_flatten():
    x = mg.tensor(np.arange(24.0).reshape(2, 3, 4))
    assert x.unsqueeze(0).shape == (1, 2, 3, 4) and x.unsqueeze(-1).shape == (2, 3, 4, 1)
    assert x.flatten().shape == (24,) and x.flatten(1).shape == (2, 12)
    assert x.flatten(0, 1).shape == (6, 4) and x.flatten(start_dim=-2).shape == (2, 12)
    np.testing.assert_array_equal(x.flatten(1).data, np.arange(24.0).reshape(2, 12))
    assert mg.tensor(5.0).flatten().shape == (1,)
    with pytest.raises(ValueError, match="flatten: start_dim 2 comes after end_dim 1"):
        x.flatten(2, 1)


def test_contiguous_copies_only_what_is_not_contiguous():
    x = mg.tensor(A)
    assert x.contiguous() is x
    y = x.t().contiguous()
    assert y.data.flags.c_contiguous and not np.shares_memory(y.data, x.data)
    y[0, 0] = 100.0  # a copy, as PyTorch's: the original is untouched
    assert x.data[0, 0] == 1.0


def test_cat():
    a, b = mg.tensor(A, requires_grad=True), mg.tensor(np.ones((1, 3)))
    out = mg.cat([a, b])
    np.testing.assert_array_equal(out.data, np.concatenate([A, np.ones((1, 3))]))
    assert mg.cat((a, a), dim=1).shape == (2, 6) and mg.cat([a, a], -1).shape == (2, 6)
    (out * 3.0).sum().backward()
    np.testing.assert_array_equal(a.grad.data, np.full((2, 3), 3.0))


# ----- indices and booleans --------------------------------------------------------------
def test_argmax_and_argmin():
    scores = mg.tensor([[1.0, 7.0, 7.0], [9.0, 0.0, 2.0]], requires_grad=True)
    for got, want in [(scores.argmax(), 3), (scores.argmin(), 4)]:
        assert got.dtype == np.int64 and got.shape == () and int(got) == want
    np.testing.assert_array_equal(scores.argmax(dim=1).data, [1, 0])  # first of a tie
    np.testing.assert_array_equal(scores.argmin(dim=0).data, [0, 1, 1])
    kept = scores.argmax(dim=1, keepdim=True)
    assert kept.shape == (2, 1) and not kept.requires_grad and kept.is_leaf
    np.testing.assert_array_equal(mg.argmax(scores, -1).data, [1, 0])
    with pytest.raises(TypeError, match="argmax: axis must be one int"):
        scores.argmax(dim=(0, 1))


def test_argmax_equals_labels_then_sum_item_counts_the_hits():
    logits = mg.tensor([[0.1, 2.0], [3.0, -1.0], [0.0, 0.5]])
    labels = mg.tensor([1, 0, 0])
    assert logits.argmax(dim=1).eq(labels).sum().item() == 2
    assert (logits.argmax(1) == labels).float().mean().item() == pytest.approx(2 / 3)


def test_comparisons_by_name():
    x, y = mg.tensor([1.0, 2.0, 3.0]), mg.tensor([2.0, 2.0, 2.0])
    for name, ufunc in [("eq", np.equal), ("ne", np.not_equal), ("lt", np.less),
                        ("le", np.less_equal), ("gt", np.greater), ("ge", np.greater_equal)]:
        got = getattr(x, name)(y)
        assert got.dtype == np.bool_ and not got.requires_grad
        np.testing.assert_array_equal(got.data, ufunc(x.data, y.data), err_msg=name)
    np.testing.assert_array_equal(x.gt(2.5).data, [False, False, True])


def test_all_and_any():
    m = mg.tensor([[True, False], [True, True]])
    assert m.all().item() is False and m.any().item() is True
    np.testing.assert_array_equal(m.all(dim=1).data, [False, True])
    np.testing.assert_array_equal(m.any(dim=0, keepdim=True).data, [[True, True]])


def test_allclose_returns_a_python_bool():
    assert mg.allclose(mg.tensor([1.0, 2.0]), mg.tensor([1.0, 2.0 + 1e-10])) is True
    assert mg.allclose(mg.tensor([1.0]), [1.1]) is False
    assert mg.allclose(mg.tensor([1.0]), [1.1], atol=0.2)


# ----- dtypes ------------------------------------------------------------------------------
@pytest.mark.parametrize("method, dtype", [
    ("float", np.float32), ("double", np.float64), ("half", np.float16),
    ("long", np.int64), ("int", np.int32), ("bool", np.bool_)])
def test_conversions_by_name(method, dtype):
    x = mg.tensor([0.0, 1.5, -2.0])
    converted = getattr(x, method)()
    assert converted.dtype == dtype
    np.testing.assert_array_equal(converted.data, x.data.astype(dtype))
    assert x.to(dtype).dtype == dtype and x.to(dtype=dtype).dtype == dtype
    assert x.type_as(mg.zeros(1, dtype=dtype)).dtype == dtype


def test_converting_to_integers_cuts_the_graph():
    # the cast to int64 used to be recorded with an identity rule: d(x.long())/dx = 1
    x = mg.tensor([1.7, -0.5], requires_grad=True)
    y = x.long()
    assert not y.requires_grad and y.is_leaf
    np.testing.assert_array_equal(y.data, [1, 0])
    with pytest.raises(RuntimeError, match="requires_grad"):
        (y * 1.0).sum().backward()
    (x.float() * 2.0 + y).sum().backward()  # float64 -> float32 is differentiable
    assert x.grad.dtype == np.float64
    np.testing.assert_array_equal(x.grad.data, [2.0, 2.0])


def test_to_accepts_a_dtype_a_tensor_and_the_cpu():
    x = mg.tensor([1.0, 2.0])
    assert x.to("cpu") is x and x.cpu() is x and x.to(device="cpu") is x
    assert x.to("cpu", mg.float32).dtype == np.float32
    assert x.to(mg.tensor([1], dtype=mg.int32)).dtype == np.int32
    assert x.to("float32").dtype == np.float32
    copied = x.to(mg.float64, copy=True)
    assert copied is not x and not np.shares_memory(copied.data, x.data)


@pytest.mark.parametrize("call", [lambda x: x.to("cuda"), lambda x: x.to("cuda:0"),
                                  lambda x: x.to(device="mps"), lambda x: x.to("cuda", mg.float32)])
def test_to_a_gpu_says_there_is_no_device(call):
    with pytest.raises(TypeError, match="no devices: it computes with NumPy on the CPU"):
        call(mg.tensor([1.0]))


def test_numel_dim_tolist():
    x = mg.tensor(A)
    assert x.numel() == 6 and type(x.numel()) is int and x.dim() == 2
    assert x.tolist() == A.tolist() and mg.tensor(2).tolist() == 2


# ----- size stays NumPy's --------------------------------------------------------------------
def test_size_is_the_element_count_and_behaves_as_an_int():
    x = mg.zeros(2, 3)
    n = x.size
    assert n == 6 and isinstance(n, int) and hash(n) == hash(6) and n + 1 == 7
    assert np.zeros(n).shape == (6,) and list(range(n)) == list(range(6))
    assert np.asarray(n).dtype == np.int64 and np.arange(12).reshape(n, 2).shape == (6, 2)
    assert json.dumps({"n": n}) == '{"n": 6}' and repr(n) == "6" and f"{n:03d}" == "006"
    assert pickle.loads(pickle.dumps(n)) == 6 and mg.tensor(n).item() == 6


@pytest.mark.parametrize("call, write", [(lambda x: x.size(), "x.shape"),
                                         (lambda x: x.size(0), "x.shape[0]"),
                                         (lambda x: x.size(dim=-1), "x.shape[-1]")])
def test_calling_size_says_to_write_shape(call, write):
    with pytest.raises(TypeError, match="number of elements") as info:
        call(mg.zeros(2, 3))
    assert f"is {write} here" in str(info.value)


# ----- values and gradients --------------------------------------------------------------
def test_clone_is_a_recorded_copy():
    x = mg.tensor(A, requires_grad=True)
    y = x.clone()
    assert not np.shares_memory(y.data, x.data) and y.requires_grad and not y.is_leaf
    (y * y).sum().backward()
    np.testing.assert_array_equal(x.grad.data, 2 * A)
    with mg.no_grad():
        z = x.clone()
        z += 1.0
    np.testing.assert_array_equal(x.data, A)


def test_std_divides_by_n_unless_told():
    v = np.array([2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0])  # mean 5, squared deviations 32
    x = mg.tensor(v)
    assert float(x.std()) == pytest.approx(2.0, rel=1e-15)               # sqrt(32 / 8)
    assert float(x.std(unbiased=True)) == pytest.approx(np.sqrt(32 / 7), rel=1e-15)
    assert float(mg.std(x, correction=1)) == float(x.std(ddof=1))
    gradcheck(lambda x: mg.std(x, dim=0, correction=1), A)


def test_clamp_and_pow():
    x = mg.tensor(A)
    np.testing.assert_array_equal(x.clamp(-1.0, 2.0).data, np.clip(A, -1, 2))
    np.testing.assert_array_equal(x.clamp(min=0.0).data, np.maximum(A, 0))
    np.testing.assert_array_equal(mg.clamp(x, max=0.0).data, np.minimum(A, 0))
    np.testing.assert_array_equal(x.pow(2).data, A ** 2)
    gradcheck(lambda x: x.pow(3), A)
    with pytest.raises(TypeError, match="mg.maximum"):
        x.clamp(min=mg.tensor(0.0, requires_grad=True))


def test_masked_fill():
    x = mg.tensor(A, requires_grad=True)
    mask = mg.tensor([[True, False, False], [False, False, True]])
    out = x.masked_fill(mask, float("-inf"))
    np.testing.assert_array_equal(out.data, np.where(mask.data, -np.inf, A))
    (out.masked_fill(mask, 0.0) * 2.0).sum().backward()
    np.testing.assert_array_equal(x.grad.data, np.where(mask.data, 0.0, 2.0))
    row = x.masked_fill(np.array([True, False, True]), 0.0)  # broadcast over rows
    np.testing.assert_array_equal(row.data, [[0.0, -2.0, 0.0], [0.0, 5.0, 0.0]])
    assert mg.tensor(A, dtype=mg.float32).masked_fill(mask, -1e9).dtype == np.float32
    assert mg.tensor([1, 2]).masked_fill(mg.tensor([True, False]), 7).tolist() == [7, 2]


def test_masked_fill_with_a_tensor_value_differentiates_into_it():
    value = mg.tensor(3.0, requires_grad=True)
    mask = np.array([[True, False, True], [False, False, True]])
    mg.tensor(A).masked_fill(mask, value).sum().backward()
    assert value.grad.item() == 3.0


@pytest.mark.parametrize("call, error, says", [
    (lambda x: x.masked_fill(mg.tensor([1, 0, 1]), 0.0), TypeError, "mask must be boolean"),
    (lambda x: x.masked_fill(np.ones((3, 2), bool), 0.0), ValueError, "(3, 2) does not broadcast"),
    (lambda x: x.long().masked_fill(np.ones(3, bool), 0.5), TypeError, "cannot be stored in a int64"),
    (lambda x: x.long().masked_fill(np.ones(3, bool), float("-inf")), TypeError, "x.float()"),
    (lambda x: x.masked_fill(np.ones(3, bool), mg.ones(3)), ValueError, "mg.where"),
])
def test_masked_fill_errors(call, error, says):
    with pytest.raises(error, match=re.escape(says)):
        call(mg.tensor(A))


def test_tril_and_triu():
    b = np.arange(24.0).reshape(2, 3, 4)
    for k in (-1, 0, 2):
        np.testing.assert_array_equal(mg.tril(mg.tensor(b), k).data, np.tril(b, k))
        np.testing.assert_array_equal(mg.triu(mg.tensor(b), diagonal=k).data, np.triu(b, k))
    assert mg.tril(mg.ones(3, 3, dtype=mg.int64)).dtype == np.int64
    assert mg.tril(mg.ones(2, 2).bool()).dtype == np.bool_
    gradcheck(lambda x: mg.tril(x, -1) * 3.0, b)
    with pytest.raises(ValueError, match=r"tril: needs a matrix.*shape \(3,\)"):
        mg.tril(mg.ones(3))


def test_causal_attention_with_tril_masked_fill_and_transpose():
    rng = np.random.default_rng(0)
    q, k = rng.standard_normal((2, 4, 3)), rng.standard_normal((2, 4, 3))
    mask = mg.tril(mg.ones(4, 4))
    att = (mg.tensor(q) @ mg.tensor(k).transpose(-2, -1)).masked_fill(mask == 0, float("-inf"))
    weights = att.softmax(dim=-1)
    scores = q @ k.swapaxes(-2, -1)
    expected = np.where(np.tril(np.ones((4, 4))) == 1, np.exp(scores), 0.0)
    np.testing.assert_allclose(weights.data, expected / expected.sum(-1, keepdims=True), rtol=1e-13)
    assert np.all(np.triu(weights.data[0], 1) == 0)


# ----- factories ---------------------------------------------------------------------------
def test_linspace():
    x = mg.linspace(-1, 1, 5)
    np.testing.assert_array_equal(x.data, [-1.0, -0.5, 0.0, 0.5, 1.0])
    assert x.dtype == mg.get_default_dtype()
    assert mg.linspace(0, 1, 3, dtype=mg.float32).dtype == np.float32
    assert mg.linspace(0, 1, 4, requires_grad=True).requires_grad


def test_randint_reads_its_arguments_as_pytorch():
    for draw, low, high, shape in [
            (lambda: mg.randint(3, (1000,), rng=0), 0, 3, (1000,)),
            (lambda: mg.randint(5, 8, (10, 20), rng=0), 5, 8, (10, 20)),
            (lambda: mg.randint(4, size=(50,), rng=0), 0, 4, (50,)),
            (lambda: mg.randint(low=-2, high=0, size=7, rng=0), -2, 0, (7,)),
            (lambda: mg.randint(high=2, size=(3, 3), rng=0), 0, 2, (3, 3))]:
        x = draw()
        assert x.dtype == np.int64 and x.shape == shape
        assert x.data.min() == low and x.data.max() == high - 1  # both ends reached, high excluded
    assert mg.randint(10, (3,), dtype=mg.int32).dtype == np.int32
    np.testing.assert_array_equal(mg.randint(100, (5,), rng=7).data, mg.randint(100, (5,), rng=7).data)
    with pytest.raises(TypeError, match="give a size"):
        mg.randint(5)
    with pytest.raises(ValueError, match=r"\[3, 3\) is empty"):
        mg.randint(3, 3, (2,))


def test_multinomial_with_replacement_matches_the_weights():
    weights = np.array([1.0, 0.0, 3.0, 4.0])  # weights, not probabilities: sum 8
    draws = mg.multinomial(mg.tensor(weights), 40_000, replacement=True, rng=0)
    assert draws.dtype == np.int64 and draws.shape == (40_000,)
    frequencies = np.bincount(draws.data, minlength=4) / 40_000
    np.testing.assert_allclose(frequencies, weights / 8, atol=0.01)  # ~4 standard errors
    assert frequencies[1] == 0


def test_multinomial_without_replacement_draws_in_order_without_repeats():
    p = np.array([0.5, 0.3, 0.2])
    pairs = mg.multinomial(np.tile(p, (6000, 1)), 2, rng=1).data
    assert pairs.shape == (6000, 2) and np.all(pairs[:, 0] != pairs[:, 1])
    # P(first i, then j) = p_i p_j / (1 - p_i), as successive draws without replacement
    for i in range(3):
        for j in range(3):
            if i != j:
                expected = p[i] * p[j] / (1 - p[i])
                observed = np.mean((pairs[:, 0] == i) & (pairs[:, 1] == j))
                assert abs(observed - expected) < 0.02, (i, j, observed, expected)
    assert sorted(mg.multinomial([1.0, 1.0, 0.0], 2, rng=0).tolist()) == [0, 1]


@pytest.mark.parametrize("weights, n, says", [
    ([0.5, -0.1], 1, "non-negative"), ([0.0, 0.0], 1, "positive sum"),
    ([[1.0, 0.0]], 2, "only 1 nonzero"), (np.ones((2, 2, 2)), 1, "(C,) or (N, C)")])
def test_multinomial_errors(weights, n, says):
    with pytest.raises(ValueError, match=re.escape(says)):
        mg.multinomial(weights, n)


# ----- one seed for every default draw -----------------------------------------------------
def _run_everything_random(dropout, loader):
    """Every rng=None path, in one fixed order."""
    values = [mg.randn(3), mg.rand(2), mg.randint(10, (4,)), mg.multinomial([1.0, 2.0, 3.0], 5, True),
              mg.zeros(3).uniform_(), mg.zeros(2).normal_(),
              mg.nn.Linear(3, 2).weight, mg.nn.Conv2d(1, 2, 3).weight, mg.nn.Embedding(4, 2).weight,
              dropout(mg.ones(8)), next(iter(loader))[0],
              mg.tensor(mg.datasets.make_moons(10)[0])]
    return [v.data.copy() for v in values]


def test_manual_seed_makes_every_default_draw_reproducible_including_older_objects():
    dropout = mg.nn.Dropout(0.5)                       # built before the seed is set
    loader = mg.data.DataLoader(np.arange(20.0), batch_size=5, shuffle=True)
    mg.manual_seed(1234)
    first = _run_everything_random(dropout, loader)
    mg.manual_seed(1234)
    second = _run_everything_random(dropout, loader)
    for i, (a, b) in enumerate(zip(first, second)):
        np.testing.assert_array_equal(a, b, err_msg=f"draw {i}")
    mg.manual_seed(4321)
    third = _run_everything_random(dropout, loader)
    assert not np.array_equal(first[0], third[0]) and not np.array_equal(first[6], third[6])
