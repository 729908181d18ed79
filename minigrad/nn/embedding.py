"""`Embedding`: a lookup table of learned vectors, one row per index."""
from __future__ import annotations

import numpy as np

from minigrad.nn import init
from minigrad.nn.module import Module, Parameter
from minigrad.ops.indexing import GetItem
from minigrad.tensor import Tensor
from minigrad.typing import DTypeLike, RNGLike, TensorLike


class Embedding(Module):
    """Row i of `weight` for each index i; weight starts N(0, 1), as PyTorch.

    Gradients flow into the rows that were read (repeated indices add up).

    Args:
        num_embeddings: the number of rows (valid indices are 0..num_embeddings-1).
        embedding_dim: the length of each vector.
        rng: a np.random.Generator or a seed for the initial values.
        dtype: the weight's dtype (default `mg.get_default_dtype()`).

    Raises:
        TypeError / IndexError: in forward, for non-integer or out-of-range indices.

    >>> import minigrad as mg, numpy as np
    >>> emb = mg.nn.Embedding(10, 3, rng=0)
    >>> emb(np.array([[1, 2], [3, 1]])).shape
    (2, 2, 3)
    """

    def __init__(self, num_embeddings: int, embedding_dim: int, rng: RNGLike = None,
                 dtype: DTypeLike = None) -> None:
        super().__init__()
        self.num_embeddings, self.embedding_dim = num_embeddings, embedding_dim
        self.weight = Parameter(init.normal((num_embeddings, embedding_dim), rng=rng, dtype=dtype))

    def forward(self, indices: TensorLike) -> Tensor:
        indices = indices.data if isinstance(indices, Tensor) else np.asarray(indices)
        if indices.dtype.kind not in "iu":
            raise TypeError(f"Embedding expects integer indices, got dtype {indices.dtype}")
        # A negative index would silently read from the end, so it is caught here; one too
        # large makes the lookup itself raise. Either way the message names the range.
        if indices.size and indices.min() < 0:
            raise self._range_error(indices)
        try:
            return GetItem(indices)(self.weight)  # the indices are checked: no getitem()
        except IndexError:
            raise self._range_error(indices) from None

    def _range_error(self, indices):
        return IndexError(f"Embedding: indices must be in [0, {self.num_embeddings}), got "
                          f"values from {indices.min()} to {indices.max()}")

    def extra_repr(self) -> str:
        return f"{self.num_embeddings}, {self.embedding_dim}"
