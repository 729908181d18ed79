"""Attention: `scaled_dot_product_attention` and the `MultiheadAttention` layer, as PyTorch
defines them, composed from recorded ops (matmul, softmax, where).

    attention(Q, K, V) = softmax(Q K^T / sqrt(E) + mask) V

with Q (..., L, E), K (..., S, E), V (..., S, Ev): each of the L queries takes a convex
combination of the S values, weighted by how well it matches each key. A masked
position gets -inf before the softmax, so weight exactly 0.

The two masks mean opposite things, as in PyTorch: in `scaled_dot_product_attention` a
boolean attn_mask is True where a query MAY attend; in `MultiheadAttention` a boolean
attn_mask or key_padding_mask is True where it may NOT. A float mask is added to the
scores in both.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from minigrad.nn import init
from minigrad.nn.dropout import dropout
from minigrad.nn.linear import Linear
from minigrad.nn.module import Module, Parameter
from minigrad.ops import linear, softmax, where
from minigrad.tensor import Tensor, to_tensor
from minigrad.typing import DTypeLike, RNGLike, TensorLike


def scaled_dot_product_attention(query: TensorLike, key: TensorLike, value: TensorLike,
                                 attn_mask: TensorLike | None = None, dropout_p: float = 0.0,
                                 is_causal: bool = False, scale: float | None = None) -> Tensor:
    """softmax(Q K^T * scale + mask) V over the last two axes, PyTorch's F function.

    Args:
        query: (..., L, E); key: (..., S, E); value: (..., S, Ev).
        attn_mask: broadcastable to (..., L, S): booleans, True where a query may attend,
            or floats added to the scores.
        dropout_p: dropout on the attention weights (applied whenever > 0, as PyTorch's
            function does; pass 0.0 in evaluation).
        is_causal: query i attends to keys 0..i only (a lower-triangular mask).
        scale: the factor on the scores (default 1 / sqrt(E)).

    Returns:
        (..., L, Ev). A query with every key masked gets nan, as in PyTorch.

    >>> import minigrad as mg
    >>> q = k = v = mg.eye(3).reshape(1, 3, 3)
    >>> scaled_dot_product_attention(q, k, v, is_causal=True).data[0, 0]
    array([1., 0., 0.])
    """
    q, k, v = (to_tensor(t, "scaled_dot_product_attention") for t in (query, key, value))
    if q.shape[-1] != k.shape[-1] or k.shape[-2] != v.shape[-2]:
        raise ValueError(f"scaled_dot_product_attention: query {q.shape}, key {k.shape} and "
                         f"value {v.shape} must be (..., L, E), (..., S, E) and (..., S, Ev)")
    masks: list[Any] = [_causal(q.shape[-2], k.shape[-2])] if is_causal else []
    if attn_mask is not None:
        masks.append(attn_mask)
    return _attention_weights(q, k, scale, masks, dropout_p) @ v


def _attention_weights(q: Tensor, k: Tensor, scale: float | None, masks: list[Any],
                       dropout_p: float) -> Tensor:
    """softmax(Q K^T * scale + masks) over the keys, then dropout: each mask boolean,
    True where a query may attend (else -inf), or floats added to the scores."""
    scores = (q @ k.swapaxes(-1, -2)) * (1 / math.sqrt(q.shape[-1]) if scale is None else scale)
    for mask in masks:
        array = mask.data if isinstance(mask, Tensor) else np.asarray(mask)
        scores = where(array, scores, -np.inf) if array.dtype == bool else scores + mask
    weights = softmax(scores, axis=-1)
    return dropout(weights, dropout_p, training=True) if dropout_p > 0 else weights


def _causal(length: int, source: int) -> np.ndarray:
    """Query i may attend to keys 0..i: the lower triangle."""
    return np.tril(np.ones((length, source), dtype=bool))


class MultiheadAttention(Module):
    """PyTorch's nn.MultiheadAttention: num_heads attentions side by side over E / num_heads
    features each, between an input projection and an output projection.

        Q, K, V = query W_q^T + b_q, key W_k^T + b_k, value W_v^T + b_v   (in_proj_weight
                                                          is [W_q; W_k; W_v], (3E, E))
        head_h = attention(Q_h, K_h, V_h)             (the h-th slice of E / num_heads)
        output = concat(head_1, ..., head_H) W_o^T + b_o                    (out_proj)

    Args:
        embed_dim: E, the features of query, key and value (kdim and vdim other than E
            are not supported).
        num_heads: H, which must divide E.
        dropout: dropout on the attention weights while training.
        bias: learn in_proj_bias and out_proj.bias.
        batch_first: inputs and output are (N, L, E) instead of (L, N, E).
        rng, dtype: as the other layers.

    forward(query, key, value, key_padding_mask=None, need_weights=True, attn_mask=None,
    average_attn_weights=True, is_causal=False) returns (output, weights): output as
    query's layout; weights (N, L, S) averaged over heads, or (N, H, L, S), or None when
    need_weights is False. key_padding_mask (N, S) and attn_mask (L, S) or (N H, L, S):
    booleans True where attending is NOT allowed, or floats added to the scores.

    >>> import minigrad as mg
    >>> mha = MultiheadAttention(8, 2, batch_first=True, rng=0)
    >>> x = mg.randn(3, 5, 8, rng=1)
    >>> out, weights = mha(x, x, x)
    >>> out.shape, weights.shape
    ((3, 5, 8), (3, 5, 5))
    """

    def __init__(self, embed_dim: int, num_heads: int, dropout: float = 0.0, bias: bool = True,
                 batch_first: bool = False, kdim: int | None = None, vdim: int | None = None,
                 rng: RNGLike = None, dtype: DTypeLike = None) -> None:
        super().__init__()
        if num_heads < 1 or embed_dim % num_heads:
            raise ValueError(f"MultiheadAttention: num_heads ({num_heads}) must divide "
                             f"embed_dim ({embed_dim})")
        if (kdim not in (None, embed_dim)) or (vdim not in (None, embed_dim)):
            raise ValueError("MultiheadAttention: kdim and vdim other than embed_dim are not "
                             "supported; project key and value to embed_dim first")
        if not 0 <= dropout < 1:
            raise ValueError(f"MultiheadAttention: dropout must lie in [0, 1), got {dropout}")
        self.embed_dim, self.num_heads, self.dropout = embed_dim, num_heads, dropout
        self.batch_first = batch_first
        rng = init.as_generator(rng)
        # PyTorch's initialisation: xavier_uniform_ on the (3E, E) in-projection (fans E
        # and 3E), the out-projection a Linear's, both biases zero
        glorot = math.sqrt(6 / (4 * embed_dim))
        self.in_proj_weight = Parameter(init.uniform((3 * embed_dim, embed_dim), glorot, rng,
                                                     dtype))
        self.in_proj_bias = Parameter(np.zeros(3 * embed_dim, self.in_proj_weight.dtype)) \
            if bias else None
        self.out_proj = Linear(embed_dim, embed_dim, bias=bias, rng=rng, dtype=dtype)
        if self.out_proj.bias is not None:
            init.zeros_(self.out_proj.bias)

    def forward(self, query: TensorLike, key: TensorLike, value: TensorLike,
                key_padding_mask: TensorLike | None = None, need_weights: bool = True,
                attn_mask: TensorLike | None = None, average_attn_weights: bool = True,
                is_causal: bool = False) -> tuple[Tensor, Tensor | None]:
        q, k, v = (to_tensor(t, "MultiheadAttention") for t in (query, key, value))
        if q.ndim != 3 or k.ndim != 3 or v.ndim != 3 or q.shape[-1] != self.embed_dim:
            raise ValueError(f"MultiheadAttention: expected query, key and value of shape "
                             f"{'(N, L, E)' if self.batch_first else '(L, N, E)'} with E = "
                             f"{self.embed_dim}, got {q.shape}, {k.shape}, {v.shape}")
        if not self.batch_first:
            q, k, v = (t.swapaxes(0, 1) for t in (q, k, v))
        n, length, e = q.shape
        source, heads = k.shape[1], self.num_heads
        w, b = self.in_proj_weight, self.in_proj_bias
        projected = [linear(t, w[i * e:(i + 1) * e], None if b is None else b[i * e:(i + 1) * e])
                     for i, t in enumerate((q, k, v))]
        # (N, L, E) -> (N, H, L, E / H): each head its slice of the features
        q_h, k_h, v_h = (t.reshape(n, t.shape[1], heads, e // heads).transpose(0, 2, 1, 3)
                         for t in projected)
        masks = self._allowed(attn_mask, key_padding_mask, is_causal, n, length, source)
        weights = _attention_weights(q_h, k_h, None, masks,
                                     self.dropout if self.training else 0.0)
        heads_out = (weights @ v_h).transpose(0, 2, 1, 3).reshape(n, length, e)
        output = self.out_proj(heads_out)
        if not self.batch_first:
            output = output.swapaxes(0, 1)
        if not need_weights:
            return output, None
        return output, weights.mean(axis=1) if average_attn_weights else weights

    def _allowed(self, attn_mask: Any, key_padding_mask: Any, is_causal: bool, n: int,
                 length: int, source: int) -> list[Any]:
        """The masks shaped for the (N, H, L, S) scores, in `_attention_weights`' terms:
        this layer's booleans (True: NOT allowed) inverted, float masks as they are."""
        if is_causal and attn_mask is None:
            attn_mask = ~_causal(length, source)
        masks = []
        for mask, shape in ((attn_mask, None), (key_padding_mask, (n, 1, 1, source))):
            if mask is None:
                continue
            array = mask.data if isinstance(mask, Tensor) else np.asarray(mask)
            if shape is not None:
                array = array.reshape(shape)
            elif array.ndim == 3:  # attn_mask (N H, L, S); (L, S) broadcasts as it is
                array = array.reshape(n, self.num_heads, length, source)
            masks.append(~array if array.dtype == bool else array)
        return masks

    def extra_repr(self) -> str:
        return (f"embed_dim={self.embed_dim}, num_heads={self.num_heads}"
                f"{', batch_first=True' if self.batch_first else ''}")
