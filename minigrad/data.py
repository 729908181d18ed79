"""Batching arrays for training: `DataLoader` cuts aligned arrays into mini-batches."""
from __future__ import annotations

import math
from typing import Iterator

import numpy as np

from minigrad import dtypes
from minigrad.random import as_generator
from minigrad.tensor import Tensor, wrap
from minigrad.typing import RNGLike, TensorLike


class DataLoader:
    """Mini-batches of several aligned arrays (inputs, labels, ...), as tuples of tensors.

    Row i of every array belongs to sample i. Each pass over the loader is one epoch; with
    `shuffle=True` every epoch draws a fresh permutation from `rng`, so a seeded loader
    gives the same sequence of epochs on every run. Batches are constants
    (requires_grad=False). An ndarray keeps its dtype, so integer labels stay integer
    tensors; without shuffling a batch is a view of the array, not a copy.

    Args:
        *arrays: ndarrays, Tensors or nested lists, all with the same length (first axis).
            Lists become arrays as in NumPy, except that float lists take the default dtype.
        batch_size: samples per batch (the last batch may be smaller, see drop_last).
        shuffle: visit the samples in a new random order every epoch.
        drop_last: leave out a last batch smaller than batch_size.
        rng: a np.random.Generator, or a seed for a new one (used only when shuffling).

    Raises:
        ValueError: if no arrays are given, one is 0-d, their lengths disagree, or
            batch_size is not a positive integer.

    >>> import numpy as np, minigrad as mg
    >>> X, y = np.arange(10.0).reshape(5, 2), np.array([0, 1, 0, 1, 1])
    >>> loader = mg.data.DataLoader(X, y, batch_size=2)
    >>> len(loader)
    3
    >>> for xb, yb in loader:
    ...     print(xb.shape, yb.data)
    (2, 2) [0 1]
    (2, 2) [0 1]
    (1, 2) [1]
    """

    def __init__(self, *arrays: TensorLike, batch_size: int, shuffle: bool = False,
                 drop_last: bool = False, rng: RNGLike = None) -> None:
        if not arrays:
            raise ValueError("DataLoader: give at least one array, e.g. DataLoader(X, y, "
                             "batch_size=32)")
        self.arrays = tuple(_as_array(a) for a in arrays)
        lengths = [len(a) if a.ndim else None for a in self.arrays]
        if None in lengths:
            raise ValueError(f"DataLoader: array {lengths.index(None)} is 0-d; each array "
                             "needs a first axis that indexes the samples")
        if len(set(lengths)) > 1:
            shapes = ", ".join(str(a.shape) for a in self.arrays)
            raise ValueError(f"DataLoader: the arrays disagree in length (first axis): got "
                             f"shapes {shapes}; row i of every array must be sample i")
        if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) \
                or batch_size < 1:
            raise ValueError(f"DataLoader: batch_size must be a positive integer, got "
                             f"{batch_size!r}")
        self.batch_size = int(batch_size)
        self.shuffle, self.drop_last = bool(shuffle), bool(drop_last)
        self.rng = as_generator(rng)

    @property
    def n_samples(self) -> int:
        """The number of samples (rows) in each array."""
        return len(self.arrays[0])

    def __len__(self) -> int:
        """The number of batches in one epoch."""
        if self.drop_last:
            return self.n_samples // self.batch_size
        return math.ceil(self.n_samples / self.batch_size)

    def __iter__(self) -> Iterator[tuple[Tensor, ...]]:
        order = self.rng.permutation(self.n_samples) if self.shuffle else None
        for b in range(len(self)):
            rows: slice | np.ndarray = slice(b * self.batch_size, (b + 1) * self.batch_size)
            if order is not None:
                rows = order[rows]  # integer-array indexing: a copy, in the shuffled order
            yield tuple(wrap(a[rows]) for a in self.arrays)

    def __repr__(self) -> str:
        shapes = ", ".join(f"{a.shape} {a.dtype}" for a in self.arrays)
        return (f"DataLoader({shapes}; batch_size={self.batch_size}, shuffle={self.shuffle}, "
                f"drop_last={self.drop_last}, {len(self)} batches)")


def _as_array(data: TensorLike) -> np.ndarray:
    if isinstance(data, Tensor):
        return data.data
    if isinstance(data, np.ndarray):
        return data
    array = np.asarray(data)
    return array.astype(dtypes.get_default_dtype()) if array.dtype.kind == "f" else array
