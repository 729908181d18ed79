"""scaled_dot_product_attention and MultiheadAttention against the computation written in
NumPy, their two mask conventions (PyTorch's), gradient checks, and errors."""
import numpy as np
import pytest

import minigrad as mg
from minigrad import nn
from minigrad.nn import functional as F
from minigrad.testing import gradcheck


def np_softmax(s):
    e = np.exp(s - s.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def np_attention(q, k, v, allowed=None, added=None):
    s = q @ np.swapaxes(k, -1, -2) / np.sqrt(q.shape[-1])
    if added is not None:
        s = s + added
    if allowed is not None:
        s = np.where(allowed, s, -np.inf)
    return np_softmax(s) @ v


def test_sdpa_against_numpy_with_each_mask(rng):
    q, k, v = rng.standard_normal((2, 4, 3)), rng.standard_normal((2, 5, 3)), \
        rng.standard_normal((2, 5, 6))
    np.testing.assert_allclose(F.scaled_dot_product_attention(q, k, v).data,
                               np_attention(q, k, v), rtol=1e-12)
    allowed = rng.random((4, 5)) > 0.3
    allowed[:, 0] = True
    np.testing.assert_allclose(F.scaled_dot_product_attention(q, k, v, attn_mask=allowed).data,
                               np_attention(q, k, v, allowed=allowed), rtol=1e-12)
    bias = rng.standard_normal((4, 5))
    np.testing.assert_allclose(F.scaled_dot_product_attention(q, k, v, attn_mask=bias).data,
                               np_attention(q, k, v, added=bias), rtol=1e-12)
    causal = np.tril(np.ones((4, 5), dtype=bool))
    np.testing.assert_allclose(F.scaled_dot_product_attention(q, k, v, is_causal=True).data,
                               np_attention(q, k, v, allowed=causal), rtol=1e-12)
    assert gradcheck(lambda q, k, v: F.scaled_dot_product_attention(q, k, v, is_causal=True),
                     q[:1, :3, :2], k[:1, :3, :2], v[:1, :3, :2])
    with pytest.raises(ValueError, match=r"\(\.\.\., L, E\)"):
        F.scaled_dot_product_attention(q, k[..., :2], v)


def _np_mha(mha, q, k, v, not_allowed=None):
    """The documented computation, from the layer's own parameters (batch-first arrays)."""
    w, b = mha.in_proj_weight.data, mha.in_proj_bias.data
    e, h = mha.embed_dim, mha.num_heads
    Q, K, V = (x @ w[i * e:(i + 1) * e].T + b[i * e:(i + 1) * e] for i, x in enumerate((q, k, v)))
    split = lambda x: x.reshape(x.shape[0], x.shape[1], h, e // h).transpose(0, 2, 1, 3)  # noqa: E731
    s = split(Q) @ np.swapaxes(split(K), -1, -2) / np.sqrt(e // h)
    if not_allowed is not None:
        s = np.where(not_allowed, -np.inf, s)
    weights = np_softmax(s)
    heads = (weights @ split(V)).transpose(0, 2, 1, 3).reshape(q.shape[0], q.shape[1], e)
    return heads @ mha.out_proj.weight.data.T + mha.out_proj.bias.data, weights


def test_multihead_attention_against_numpy_in_both_layouts_with_masks(rng):
    mha = nn.MultiheadAttention(6, 3, batch_first=True, rng=0)
    mha.in_proj_bias.data[...] = rng.standard_normal(18)   # nonzero, so biases are tested
    mha.out_proj.bias.data[...] = rng.standard_normal(6)
    q, k = rng.standard_normal((2, 4, 6)), rng.standard_normal((2, 5, 6))
    v = rng.standard_normal((2, 5, 6))
    out, weights = mha(q, k, v)
    expected, expected_weights = _np_mha(mha, q, k, v)
    np.testing.assert_allclose(out.data, expected, rtol=1e-12)
    np.testing.assert_allclose(weights.data, expected_weights.mean(1), rtol=1e-12)
    _, per_head = mha(q, k, v, average_attn_weights=False)
    assert per_head.shape == (2, 3, 4, 5)
    # masks: True = NOT allowed here (the opposite of sdpa's), padding per batch row
    padding = np.array([[False] * 4 + [True], [False] * 3 + [True] * 2])
    attn = np.zeros((4, 5), dtype=bool)
    attn[0, 1] = True
    out, _ = mha(q, k, v, key_padding_mask=padding, attn_mask=attn)
    blocked = padding[:, None, None, :] | attn[None, None]
    np.testing.assert_allclose(out.data, _np_mha(mha, q, k, v, blocked)[0], rtol=1e-12)
    # sequence-first layout: the same numbers, axes swapped
    mha.batch_first = False
    out_sf, none = mha(*(np.swapaxes(t, 0, 1) for t in (q, k, v)), need_weights=False)
    assert none is None
    np.testing.assert_allclose(out_sf.data, np.swapaxes(expected, 0, 1), rtol=1e-12)


def test_multihead_attention_names_gradients_and_causal_mask(rng):
    mha = nn.MultiheadAttention(4, 2, batch_first=True, rng=0)
    assert list(mha.state_dict()) == ["in_proj_weight", "in_proj_bias", "out_proj.weight",
                                      "out_proj.bias"]
    assert np.all(mha.in_proj_bias.data == 0) and np.abs(mha.in_proj_weight.data).max() <= \
        np.sqrt(6 / 16)
    x = rng.standard_normal((1, 3, 4))
    assert gradcheck(lambda x: mha(x, x, x, is_causal=True)[0], x)
    _, weights = mha(x, x, x, is_causal=True)
    assert np.all(np.triu(weights.data[0], 1) == 0)
    with pytest.raises(ValueError, match="must divide"):
        nn.MultiheadAttention(6, 4)
    with pytest.raises(ValueError, match=r"\(N, L, E\) with E = 4"):
        mha(x[..., :3], x, x)
