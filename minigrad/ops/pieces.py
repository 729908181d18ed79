"""Pieces of a tensor, by PyTorch's names: `split`, `chunk`, `unbind` (slices along an axis),
`flip` (the axes reversed), `norm`,
`take_along_axis` (PyTorch's `gather`), `sort` and `topk` (values with their indices), and
the running sum `cumsum`.

All but cumsum are selections, so they are GetItem underneath: differentiable in the
values, whose cotangents scatter back to where they were read; indices (the order of a
sort) are piecewise constant and not differentiated, as in PyTorch. cumsum is a
primitive: a sum over a growing prefix is linear, and its adjoint is the running sum
taken from the other end.
"""
from __future__ import annotations

import math
from typing import Any, NamedTuple, Sequence

import numpy as np

from minigrad.ops.indexing import getitem
from minigrad.ops.elementwise import abs as abs_
from minigrad.ops.reductions import normalize_axis
from minigrad.ops.reductions import sum as sum_
from minigrad.ops.selection import where
from minigrad.ops.shape import _axis
from minigrad.primitive import Primitive, apply_in_rule
from minigrad.spellings import pytorch_keywords
from minigrad.tensor import Tensor, to_tensor, wrap
from minigrad.typing import Array, Axis, TensorLike


def _along(axis: int, index: Any) -> tuple[Any, ...]:
    """An index that applies `index` on `axis` and takes everything on the axes before."""
    return (slice(None),) * axis + (index,)


@pytorch_keywords
def split(x: TensorLike, split_size_or_sections: int | Sequence[int], axis: int = 0
          ) -> tuple[Tensor, ...]:
    """Cut x along `axis` into pieces of `split_size` elements (the last one smaller when
    they do not divide evenly), or into pieces of the sizes listed, as PyTorch's split.

    Raises:
        ValueError: for a size below 1, or sizes that do not add up to the axis length.

    >>> import minigrad as mg
    >>> [piece.shape for piece in mg.split(mg.zeros(5, 2), 2)]
    [(2, 2), (2, 2), (1, 2)]
    """
    x = to_tensor(x, "split")
    axis = _axis(axis, x.ndim, "split")
    n = x.shape[axis]
    if isinstance(split_size_or_sections, (int, np.integer)):
        size = int(split_size_or_sections)
        if size < 1:
            raise ValueError(f"split: split_size must be >= 1, got {size}")
        sizes = [size] * (n // size) + ([n % size] if n % size else [])
    else:
        sizes = [int(s) for s in split_size_or_sections]
        if sum(sizes) != n or min(sizes, default=0) < 0:
            raise ValueError(f"split: sections {sizes} must be non-negative and add up to "
                             f"the length {n} of axis {axis} (shape {x.shape})")
    starts = np.cumsum([0] + sizes[:-1])
    return tuple(getitem(x, _along(axis, slice(int(start), int(start) + size)))
                 for start, size in zip(starts, sizes))


@pytorch_keywords
def chunk(x: TensorLike, chunks: int, axis: int = 0) -> tuple[Tensor, ...]:
    """Cut x along `axis` into `chunks` pieces of ceil(n / chunks) elements (fewer pieces
    when they run out first), as PyTorch's chunk.

    >>> import minigrad as mg
    >>> [piece.shape for piece in mg.chunk(mg.zeros(2, 6), 3, dim=1)]
    [(2, 2), (2, 2), (2, 2)]
    """
    if not isinstance(chunks, (int, np.integer)) or chunks < 1:
        raise ValueError(f"chunk: chunks must be an int >= 1, got {chunks!r}")
    x = to_tensor(x, "chunk")
    n = x.shape[_axis(axis, x.ndim, "chunk")]
    return split(x, max(math.ceil(n / chunks), 1), axis)


@pytorch_keywords
def unbind(x: TensorLike, axis: int = 0) -> tuple[Tensor, ...]:
    """The slices of x along `axis`, each without that axis, as PyTorch's unbind.

    >>> import minigrad as mg
    >>> [row.tolist() for row in mg.unbind(mg.tensor([[1, 2], [3, 4]]))]
    [[1, 2], [3, 4]]
    """
    x = to_tensor(x, "unbind")
    axis = _axis(axis, x.ndim, "unbind")
    return tuple(getitem(x, _along(axis, i)) for i in range(x.shape[axis]))


@pytorch_keywords
def take_along_axis(x: TensorLike, indices: TensorLike, axis: int) -> Tensor:
    """out[..., i, ...] = x[..., indices[..., i, ...], ...] along `axis`: NumPy's
    take_along_axis, which is PyTorch's gather(dim, index) (`gather` below), where the
    indices may also be shorter than x on the other axes.

    Raises:
        ValueError: for indices of another number of axes than x, or longer than x on an
            axis other than `axis`.
        IndexError: for an index out of range.

    >>> import minigrad as mg
    >>> mg.take_along_axis(mg.tensor([[1.0, 2.0], [3.0, 4.0]]), [[1], [0]], axis=1)
    tensor([[2.],
            [3.]])
    """
    x = to_tensor(x, "take_along_axis")
    index = np.asarray(indices.data if isinstance(indices, Tensor) else indices)
    if index.dtype.kind not in "iu":
        raise TypeError(f"take_along_axis: indices must be integers, got dtype {index.dtype}")
    axis = _axis(axis, x.ndim, "take_along_axis")
    if index.ndim != x.ndim or any(i > n for a, (i, n) in enumerate(zip(index.shape, x.shape))
                                   if a != axis):
        raise ValueError(f"take_along_axis: indices of shape {index.shape} do not fit x of shape "
                         f"{x.shape} along axis {axis}: they need as many axes, and no more "
                         "elements than x on the others")
    grid = tuple(index if a == axis else
                 np.arange(n).reshape((-1,) + (1,) * (index.ndim - 1 - a))
                 for a, n in enumerate(index.shape))
    return getitem(x, grid)


def gather(x: TensorLike, dim: int, index: TensorLike) -> Tensor:
    """PyTorch's torch.gather(x, dim, index) = take_along_axis(x, index, dim)."""
    return take_along_axis(x, index, dim)


class Sorted(NamedTuple):
    """What sort and topk return, as PyTorch's: the values and their int64 indices."""
    values: Tensor
    indices: Tensor


@pytorch_keywords
def sort(x: TensorLike, axis: int = -1, descending: bool = False) -> Sorted:
    """The values of x sorted along `axis`, and where each came from (ties keep their
    order). Gradients flow to the values; the indices are constants.

    >>> import minigrad as mg
    >>> mg.sort(mg.tensor([3.0, 1.0, 2.0]), descending=True)
    Sorted(values=tensor([3., 2., 1.]), indices=tensor([0, 2, 1]))
    """
    x = to_tensor(x, "sort")
    axis = _axis(axis, x.ndim, "sort")
    keys = x.data
    if descending:  # a stable descending order: ascending on the negated keys
        keys = ~keys if keys.dtype.kind == "b" else -keys.astype(np.result_type(keys, np.int8))
    order = np.argsort(keys, axis=axis, kind="stable")
    return Sorted(take_along_axis(x, order, axis), wrap(order.astype(np.int64)))


@pytorch_keywords
def topk(x: TensorLike, k: int, axis: int = -1, largest: bool = True, sorted: bool = True  # noqa: A002
         ) -> Sorted:
    """The k largest (or smallest) values of x along `axis`, in order, with their indices.

    Raises:
        ValueError: for k below 0 or above the axis length.

    >>> import minigrad as mg
    >>> mg.topk(mg.tensor([1.0, 5.0, 3.0, 4.0]), 2).values
    tensor([5., 4.])
    """
    x = to_tensor(x, "topk")
    axis = _axis(axis, x.ndim, "topk")
    if not 0 <= k <= x.shape[axis]:
        raise ValueError(f"topk: k={k} is out of range for axis {axis} of length "
                         f"{x.shape[axis]}")
    ordered = sort(x, axis, descending=largest)
    picked = _along(axis, slice(0, k))
    return Sorted(getitem(ordered.values, picked), wrap(ordered.indices.data[picked]))


class CumSum(Primitive):
    """CumSum — running sums along `axis` (linear: its own JVP).

      forward:  z_i = x_0 + ... + x_i
      jvp:      z_dot = cumsum(x_dot)
      vjp:      x_bar_i = z_bar_i + ... + z_bar_last   (the sum from the other end:
                x_i appears in every z_j with j >= i)
    """

    __slots__ = ("axis",)
    reads_inputs = reads_output = False

    def __init__(self, axis: int) -> None:
        self.axis = axis

    def forward(self, x: np.ndarray) -> np.ndarray:
        return np.cumsum(x, axis=self.axis, dtype=x.dtype if x.dtype.kind == "f" else None)

    def vjp(self, z_bar: Array, z: Array, x: Array) -> Array:
        backwards = _along(self.axis, slice(None, None, -1))
        return apply_in_rule(CumSum(self.axis), z_bar[backwards])[backwards]

    def jvp(self, x_dot: Array, z: Array, x: Array) -> Array:
        return apply_in_rule(CumSum(self.axis), x_dot)


@pytorch_keywords
def cumsum(x: TensorLike, axis: int) -> Tensor:
    """Running sums along `axis`, as np.cumsum and PyTorch's cumsum(dim).

    >>> import minigrad as mg
    >>> mg.cumsum(mg.tensor([1.0, 2.0, 3.0]), dim=0)
    tensor([1., 3., 6.])
    """
    x = to_tensor(x, "cumsum")
    return CumSum(_axis(axis, x.ndim, "cumsum"))(x)


def flip(x: TensorLike, dims: int | Sequence[int] | None = None, *,
         axis: int | Sequence[int] | None = None) -> Tensor:
    """x with the order of the given axes reversed: PyTorch's flip(dims), NumPy's
    flip(axis) (all axes when neither is given, as NumPy).

    >>> import minigrad as mg
    >>> mg.flip(mg.tensor([[1, 2], [3, 4]]), dims=1)
    tensor([[2, 1],
            [4, 3]])
    """
    if dims is not None and axis is not None:
        raise TypeError("flip() got dims= and axis=, PyTorch's and NumPy's spellings of one "
                        "parameter; pass one")
    x = to_tensor(x, "flip")
    axes = normalize_axis(dims if axis is None else axis, x.ndim, "flip")
    return getitem(x, tuple(slice(None, None, -1) if a in axes else slice(None)
                            for a in range(x.ndim)))


@pytorch_keywords
def norm(x: TensorLike, p: float = 2, axis: Axis = None,
         keepdims: bool = False) -> Tensor:
    """The p-norm (sum |x|^p)^(1/p) over `axis` (all elements by default), p >= 1, as
    PyTorch's x.norm(p, dim). Its gradient at a zero vector is 0 (PyTorch's choice, a
    subgradient), not the nan of 0 / 0: the root reads only sums that are not zero.

    >>> import minigrad as mg
    >>> mg.norm(mg.tensor([[3.0, 4.0], [0.0, 0.0]]), dim=1)
    tensor([5., 0.])
    """
    if p < 1:
        raise ValueError(f"norm: p must be >= 1 (a norm), got {p}")
    x = to_tensor(x, "norm")
    total = sum_(x * x if p == 2 else abs_(x) ** p, axis=axis, keepdims=keepdims)
    nonzero = total.data > 0
    return where(nonzero, where(nonzero, total, 1.0) ** (1 / p), 0.0)
