"""`normalize` (rows scaled to unit norm) and `cosine_similarity`, as PyTorch's functions.

Both divide by a norm floored at eps. The floor is taken under the square root,
sqrt(max(sum x^2, eps^2)) = max(|x|, eps), so a zero row gets a finite gradient: with the
floor outside, the branch max() does not take would send 0 * inf = nan back through the
square root of 0.
"""
from __future__ import annotations

from minigrad.ops import abs as abs_
from minigrad.ops import maximum, sqrt
from minigrad.ops import sum as sum_
from minigrad.spellings import pytorch_keywords
from minigrad.tensor import Tensor, to_tensor
from minigrad.typing import TensorLike


def _floored_norm(x: Tensor, p: float, axis: int, eps: float) -> Tensor:
    """max(||x||_p, eps) along `axis` (kept), the floor taken before the root."""
    if p == 2:
        return sqrt(maximum(sum_(x * x, axis=axis, keepdims=True), eps * eps))
    return maximum(sum_(abs_(x) ** p, axis=axis, keepdims=True), eps ** p) ** (1 / p)


@pytorch_keywords
def normalize(input: TensorLike, p: float = 2.0, axis: int = 1, eps: float = 1e-12  # noqa: A002
              ) -> Tensor:
    """x / max(||x||_p, eps) along `axis` (PyTorch's dim=1 default), p >= 1.

    >>> import minigrad as mg
    >>> normalize(mg.tensor([[3.0, 4.0], [0.0, 0.0]]))
    tensor([[0.6, 0.8],
            [0. , 0. ]])
    """
    if p < 1:
        raise ValueError(f"normalize: p must be >= 1 (a norm), got {p}")
    x = to_tensor(input, "normalize")
    return x / _floored_norm(x, p, axis, eps)


@pytorch_keywords
def cosine_similarity(x1: TensorLike, x2: TensorLike, axis: int = 1, eps: float = 1e-8
                      ) -> Tensor:
    """<x1, x2> / (max(||x1||, eps) max(||x2||, eps)) along `axis` (broadcast), PyTorch's.

    >>> import minigrad as mg
    >>> cosine_similarity(mg.tensor([[1.0, 0.0]]), mg.tensor([[1.0, 1.0]])).item()
    0.7071067811865475
    """
    a, b = to_tensor(x1, "cosine_similarity"), to_tensor(x2, "cosine_similarity")
    dot = sum_(a * b, axis=axis)
    return dot / (_floored_norm(a, 2, axis, eps) * _floored_norm(b, 2, axis, eps)).squeeze(axis)
