"""Indexing: `x[index]` with basic (ints, slices, None, ...) and advanced (integer
arrays, boolean masks) indices, and its adjoint, scatter-add.

GetItem and IndexAdd are each other's adjoints: reading elements out, and adding a
cotangent back into the places they came from. Repeated integer indices read an element
twice, so their cotangents must add up: IndexAdd uses np.add.at, never plain assignment.
"""
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
        z = np.zeros(self.shape, dtype=w.dtype)
        if _is_basic(self.index):
            z[self.index] = w  # basic indices never repeat an element: plain assignment
        else:
            np.add.at(z, self.index, w)
        return z

    def vjp(self, z_bar, z, w):
        return z_bar[self.index]

    def jvp(self, w_dot, z, w):
        return apply_in_rule(IndexAdd(self.index, self.shape), w_dot)

    def params(self):
        return {"index": _describe(self.index), "shape": self.shape}


def _is_basic(index):
    parts = index if isinstance(index, tuple) else (index,)
    return all(p is None or p is Ellipsis or isinstance(p, (int, np.integer, slice))
               for p in parts)


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
