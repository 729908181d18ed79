"""Indexing: `x[index]` with basic (ints, slices, None, ...) and advanced (integer
arrays, boolean masks) indices, and its adjoint, scatter-add.

GetItem and IndexAdd are each other's adjoints: reading elements out, and adding a
cotangent back into the places they came from. Repeated integer indices read an element
twice, so their cotangents must add up: IndexAdd scatter-adds (`scatter_add`, exactly
np.add.at), never plain assignment.
"""
import math

import numpy as np

from minigrad.primitive import Primitive, apply_in_rule
from minigrad.tensor import Tensor


class GetItem(Primitive):
    """GetItem — select elements (linear: its own JVP).

      forward:  z = x[index]
      jvp:      z_dot = x_dot[index]
      vjp:      x_bar = zeros(x.shape) with z_bar added at [index]   (IndexAdd)
    """

    __slots__ = ("index",)
    reads_inputs = reads_output = False
    name = "getitem"

    def __init__(self, index):
        self.index = index

    def forward(self, x):
        return x[self.index]

    def vjp(self, z_bar, z, x):
        return apply_in_rule(IndexAdd(self.index, x.shape), z_bar)

    def jvp(self, x_dot, z, x):
        return x_dot[self.index]

    def params(self):
        return {"index": _describe(self.index)}


class IndexAdd(Primitive):
    """IndexAdd — add w into a zero array of `shape` at `index` (linear: its own JVP).

      forward:  z = zeros(shape);  z[index] += w   (repeats accumulate)
      jvp:      z_dot = index_add(w_dot)
      vjp:      w_bar = z_bar[index]                 (GetItem: the adjoint)
    """

    __slots__ = ("index", "shape")
    reads_inputs = reads_output = False

    def __init__(self, index, shape):
        self.index, self.shape = index, shape

    def forward(self, w):
        return scatter_add(self.shape, self.index, w)

    def vjp(self, z_bar, z, w):
        return z_bar[self.index]

    def jvp(self, w_dot, z, w):
        return apply_in_rule(IndexAdd(self.index, self.shape), w_dot)

    def params(self):
        return {"index": _describe(self.index), "shape": self.shape}


def scatter_add(shape, index, w):
    """zeros(shape) with w added at [index]; where index repeats an element, its values
    add up. Exactly `np.add.at(zeros(shape), index, w)`, bit for bit, and faster.

    Only integer arrays can repeat an element; basic indices (ints, slices) and boolean
    masks select each one at most once, so for them plain assignment is exact. Integer
    arrays on the leading axes (an Embedding's table[ids], x[i, j] of a 3-d x) select
    whole rows of the remaining axes, a case np.add.at has no fast loop for: the rows'
    elements are numbered in the flat array instead, and np.add.at runs on that 1-d
    view, where it has one. Every element receives the same additions in the same order,
    so the result is identical in every dtype. Other indices go to np.add.at as they are.

    Args:
        shape: the shape of the result.
        index: a basic or advanced index, as `x[index]` takes it (plain ndarrays).
        w: the values, of shape `zeros(shape)[index].shape`.

    Returns:
        A new array of `shape`, in w's dtype.

    Raises:
        IndexError: for an index out of range for `shape`.

    >>> scatter_add((3, 2), (np.array([0, 2, 0]),), np.array([[1.0, 1], [2, 2], [4, 4]]))
    array([[5., 5.],
           [0., 0.],
           [2., 2.]])
    """
    parts = index if isinstance(index, tuple) else (index,)
    z = np.zeros(shape, dtype=w.dtype)
    if not any(isinstance(p, np.ndarray) and p.dtype.kind in "iu" and p.ndim for p in parts):
        z[index] = w  # no element is selected twice
        return z
    arrays = _leading_index_arrays(parts)
    width = math.prod(shape[len(arrays):]) if arrays and len(arrays) <= len(shape) else 1
    if width == 1:  # np.add.at's own fast loop (1-d and element-wise picks), or its errors
        np.add.at(z, index, w)
        return z
    # fast: np.add.at over whole rows, as NumPy 2.4 runs it, against its 1-d loop on the
    # flat view: 2.1x the instructions for an Embedding's (32, 3, 10) cotangent into a
    # (27, 10) table, 4.4x for (256, 8, 64) into (1000, 64) (callgrind).
    rows = _row_numbers(arrays, shape)
    if rows.size * width != w.size:
        np.add.at(z, index, w)
        return z
    flat = (rows[:, None] * width + np.arange(width)).reshape(-1)
    np.add.at(z.reshape(-1), flat, w.reshape(-1))  # negative rows wrap as x[-1] does
    return z


def _leading_index_arrays(parts):
    """The integer arrays that `parts` amount to when they index only the leading axes
    (masks become their nonzero() indices; an int beside them, a 0-d array); else []."""
    parts = list(parts)
    while parts and (parts[-1] is Ellipsis or
                     (isinstance(parts[-1], slice) and parts[-1] == slice(None))):
        parts.pop()  # x[i, :] and x[i, ...] are x[i]
    arrays: list = []
    for p in parts:
        if isinstance(p, np.ndarray) and p.dtype.kind == "b" and p.ndim:
            arrays.extend(np.nonzero(p))
        elif isinstance(p, np.ndarray) and p.dtype.kind in "iu":
            arrays.append(p)
        elif isinstance(p, (int, np.integer)) and not isinstance(p, bool):
            arrays.append(np.asarray(p))
        else:
            return []
    return arrays


def _row_numbers(arrays, shape):
    """The flat number of each selected row of the leading len(arrays) axes, as intp (a
    narrow dtype such as uint8 would overflow once multiplied by the row width)."""
    if len(arrays) == 1:
        return arrays[0].astype(np.intp, copy=False).reshape(-1)
    sizes = shape[:len(arrays)]
    arrays = [np.where(a < 0, a + n, a) for a, n in zip(arrays, sizes)]
    try:
        return np.ravel_multi_index(np.broadcast_arrays(*arrays), sizes).reshape(-1)
    except ValueError as error:  # out of bounds, or arrays that do not broadcast
        raise IndexError(f"index_add into axes of sizes {sizes}: {error}") from None


def _describe(index):
    parts = index if isinstance(index, tuple) else (index,)
    return "[" + ", ".join(f"array{p.shape}" if isinstance(p, np.ndarray) else repr(p)
                           for p in parts) + "]"


def plain_index(index):
    """Tensors inside an index become their ndarrays; lists become integer/boolean arrays."""
    if isinstance(index, tuple):
        return tuple(plain_index(p) for p in index)
    if isinstance(index, Tensor):
        return index.data
    if isinstance(index, list):
        array = np.asarray(index)
        # [] (and [[]]) select nothing: integer indices, not NumPy's default float64
        return array.astype(np.intp) if array.size == 0 else array
    return index


def getitem(x, index):
    """`x[index]`, recorded so gradients flow back to the selected elements.

    Raises:
        IndexError: NumPy's message, prefixed with the op and the tensor's shape.
    """
    index = plain_index(index)
    for part in index if isinstance(index, tuple) else (index,):
        if isinstance(part, np.ndarray) and part.dtype.kind not in "biu":
            raise IndexError(f"getitem: index arrays must be integer or boolean, got dtype "
                             f"{part.dtype}; convert with .astype(int)")
    try:
        return GetItem(index)(x)
    except IndexError as error:
        raise IndexError(f"getitem on a tensor of shape {x.shape}: {error}") from None
