"""Sliding-window primitives: im2col and its adjoint (Unfold copies every kernel window
out as a column, Fold adds columns back into an image; convolution is then Unfold followed
by one matrix product), and max pooling.

Unfold is linear, so it is its own JVP, and its VJP is its adjoint, Fold; Fold is linear
too, with Unfold as its VJP. Written as a pair of primitives (like GetItem and IndexAdd),
they give conv2d second derivatives for free.

Layouts: an image is (N, C, H, W) (NCHW, as PyTorch). The columns are
(N, OH, OW, C, kh, kw): entry [n, i, j, c, p, q] is the padded input at
[n, c, i * sh + p * dh, j * sw + q * dw] (stride s, dilation d), so a reshape to
(N * OH * OW, C * kh * kw) rows puts each window in one row, ordered (c, p, q) like a
flattened (out, in, kh, kw) weight. Padding is zeros, given per side as
((top, bottom), (left, right)) or, the same on both sides, as (ph, pw).
Unfold's forward is a strided view (np.lib.stride_tricks.sliding_window_view): nothing is
copied until a reshape feeds it to the matrix product. Fold loops over the kh * kw kernel
offsets (never over pixels), adding one strided slice per offset.
"""
from __future__ import annotations

from typing import Sequence, Union

import numpy as np

from minigrad.ops.indexing import IndexAdd, scatter_add
from minigrad.primitive import Primitive, apply_in_rule, recording
from minigrad.typing import Array

Pair = tuple[int, int]
#: Padding per spatial axis: (ph, pw), the same on both sides, or ((top, bottom), (left, right)).
Padding = Sequence[Union[int, Sequence[int]]]


def output_size(size: int, kernel: int, stride: int, padding: int | Sequence[int],
                dilation: int = 1) -> int:
    """Window positions along one axis: floor((size + padding - extent) / stride) + 1, with
    extent = dilation (kernel - 1) + 1 and padding an int (on both sides) or (before, after)."""
    before, after = _sides(padding)
    return (size + before + after - dilation * (kernel - 1) - 1) // stride + 1


def _sides(padding: int | Sequence[int]) -> tuple[int, int]:
    """(before, after) from one number, the same on both sides, or from a pair."""
    # np.ndim tells a number (an int or a NumPy integer) from a pair; mypy cannot follow it.
    return ((padding, padding) if np.ndim(padding) == 0  # type: ignore[return-value]
            else tuple(padding))  # type: ignore[arg-type]


def pad_widths(padding: Padding) -> tuple[tuple[int, int], ...]:
    """((top, bottom), (left, right)) from (ph, pw) or from itself."""
    return tuple(_sides(p) for p in padding)


class Unfold(Primitive):
    """Unfold — im2col: each kernel window of the zero-padded image as a column (linear).

      forward:  cols[n, i, j, c, p, q] = pad(x)[n, c, i*sh + p*dh, j*sw + q*dw]
      jvp:      cols_dot = unfold(x_dot)
      vjp:      x_bar = fold(cols_bar)   (the adjoint: add each column back where it came from)
    """

    __slots__ = ("kernel_size", "stride", "padding", "dilation")
    reads_inputs = reads_output = False

    def __init__(self, kernel_size: Pair, stride: Pair = (1, 1), padding: Padding = (0, 0),
                 dilation: Pair = (1, 1)) -> None:
        self.kernel_size, self.stride, self.dilation = kernel_size, stride, dilation
        self.padding = pad_widths(padding)

    def forward(self, x: np.ndarray) -> np.ndarray:
        (kh, kw), (sh, sw), (dh, dw) = self.kernel_size, self.stride, self.dilation
        if any(any(side) for side in self.padding):
            x = np.pad(x, ((0, 0), (0, 0)) + self.padding)
        extent = (dh * (kh - 1) + 1, dw * (kw - 1) + 1)
        windows = np.lib.stride_tricks.sliding_window_view(x, extent, axis=(2, 3))
        return windows[:, :, ::sh, ::sw, ::dh, ::dw].transpose(0, 2, 3, 1, 4, 5)

    def vjp(self, z_bar: Array, z: Array, x: Array) -> Array:
        fold = Fold(self.kernel_size, self.stride, self.padding, x.shape, self.dilation)
        return apply_in_rule(fold, z_bar)

    def jvp(self, x_dot: Array, z: Array, x: Array) -> Array:
        return apply_in_rule(Unfold(self.kernel_size, self.stride, self.padding, self.dilation),
                             x_dot)


class Fold(Primitive):
    """Fold — col2im: add each column back into a zero image of `image_shape` (linear).

      forward:  x[n, c, i*sh + p*dh, j*sw + q*dw] += cols[n, i, j, c, p, q]  (then crop the padding)
      jvp:      x_dot = fold(cols_dot)
      vjp:      cols_bar = unfold(x_bar)   (the adjoint: read each window back out)
    Overlapping windows (stride < kernel) add up, as the adjoint of copying must.
    """

    __slots__ = ("kernel_size", "stride", "padding", "image_shape", "dilation")
    reads_inputs = reads_output = False

    def __init__(self, kernel_size: Pair, stride: Pair, padding: Padding,
                 image_shape: Sequence[int], dilation: Pair = (1, 1)) -> None:
        self.kernel_size, self.stride, self.dilation = kernel_size, stride, dilation
        self.padding = pad_widths(padding)
        self.image_shape = tuple(image_shape)

    def forward(self, cols: np.ndarray) -> np.ndarray:
        (kh, kw), (sh, sw), (dh, dw) = self.kernel_size, self.stride, self.dilation
        (top, bottom), (left, right) = self.padding
        n, c, h, w = self.image_shape
        _, oh, ow = cols.shape[:3]
        padded = np.zeros((n, c, h + top + bottom, w + left + right), dtype=cols.dtype)
        by_offset = cols.transpose(4, 5, 0, 3, 1, 2)  # (kh, kw, N, C, OH, OW)
        for p in range(kh):  # kh * kw slice additions: the loop is over the kernel, not pixels
            rows = slice(p * dh, p * dh + sh * (oh - 1) + 1, sh)  # the rows kernel row p touches
            for q in range(kw):
                columns = slice(q * dw, q * dw + sw * (ow - 1) + 1, sw)
                padded[:, :, rows, columns] += by_offset[p, q]
        return padded[:, :, top:top + h, left:left + w]

    def vjp(self, z_bar: Array, z: Array, cols: Array) -> Array:
        return apply_in_rule(Unfold(self.kernel_size, self.stride, self.padding, self.dilation),
                             z_bar)

    def jvp(self, cols_dot: Array, z: Array, cols: Array) -> Array:
        return apply_in_rule(Fold(self.kernel_size, self.stride, self.padding, self.image_shape,
                                  self.dilation), cols_dot)


# Max pooling. Convention at ties: the whole gradient goes to the FIRST maximum of the
# window in row-major order (top-left first), as PyTorch does. Pooling is then a gather
# at one fixed element per window, so its Jacobian is a 0/1 selection matrix: the JVP
# gathers the tangent at those elements and the VJP scatters the cotangent back to them
# (adding where overlapping windows pick the same element).
class MaxPool(Primitive):
    """MaxPool — the maximum of each (kh, kw) window, stepping by `stride`, over -inf padding.

      forward:  z[n, c, i, j] = x.flat[k]    k = the first argmax of window (i, j)
      jvp:      z_dot = x_dot.flat[k]
      vjp:      x_bar = zeros(x.shape);  x_bar.flat[k] += z_bar   (the adjoint: IndexAdd)
    The winning flat indices k are found in the forward pass and kept in `saved`; they are
    piecewise constant in x, so treating them as constants is exact away from ties.
    A window's cells are `dilation` apart; padding is (ph, pw) or per side
    ((top, bottom), (left, right)), as Unfold's (ceil mode pads the bottom and right more).
    """

    __slots__ = ("kernel_size", "stride", "padding", "dilation")
    reads_inputs = reads_output = False  # the winners are saved
    name = "max_pool2d"

    def __init__(self, kernel_size: Pair, stride: Pair, padding: Padding = (0, 0),
                 dilation: Pair = (1, 1)) -> None:
        self.kernel_size, self.stride, self.dilation = kernel_size, stride, dilation
        self.padding = pad_widths(padding)

    def forward(self, x: np.ndarray) -> np.ndarray:
        (kh, kw), (sh, sw), (dh, dw) = self.kernel_size, self.stride, self.dilation
        (top_pad, bottom_pad), (left_pad, right_pad) = self.padding
        n, c, h, w = x.shape
        padded = x
        if any(any(side) for side in self.padding):
            low = -np.inf if x.dtype.kind == "f" else np.iinfo(x.dtype).min
            padded = np.pad(x, ((0, 0), (0, 0)) + self.padding, constant_values=low)
        oh = output_size(h, kh, sh, self.padding[0], dh)
        ow = output_size(w, kw, sw, self.padding[1], dw)
        geometry = self.kernel_size, self.stride, self.dilation, (oh, ow)
        if x.dtype.kind == "f" and np.isnan(x).any():
            z, k = _first_maxima_by_argmax(padded, *geometry)
        else:
            z, k = _first_maxima_by_offset(padded, *geometry)
        # window origins in x's coordinates
        top, left = np.arange(oh)[:, None] * sh - top_pad, np.arange(ow) * sw - left_pad
        channel = np.arange(n * c).reshape(n, c, 1, 1)
        # The winner's flat index in x: its window origin's plus the cell's offset in the
        # image (one gather and one add, where rows and columns would take seven passes).
        cell_offsets = (np.arange(kh)[:, None] * (dh * w) + np.arange(kw) * dw).reshape(-1)
        self.saved = channel * (h * w) + (top * w + left) + cell_offsets[k]
        if padded is not x:
            # Padding holds the lowest value, so it wins a window only where every real
            # cell ties with it (all -inf, say). Then each real cell is a maximum and
            # PyTorch's loop, which scans real cells only, keeps the first one. Without
            # this, the padding cell's flat index would wrap into another row or channel.
            rows, cols = top + k // kw * dh, left + k % kw * dw
            padding_won = (rows < 0) | (rows >= h) | (cols < 0) | (cols >= w)
            if padding_won.any():
                rows = np.where(padding_won, _first_real_cell(top, dh, h), rows)
                cols = np.where(padding_won, _first_real_cell(left, dw, w), cols)
                self.saved = (channel * h + rows) * w + cols
        return z

    def vjp(self, z_bar: Array, z: Array, x: Array) -> Array:
        index, shape = (self.saved.reshape(-1),), (x.size,)
        if recording(z_bar):
            return IndexAdd(index, shape)(z_bar.reshape(-1)).reshape(x.shape)
        (kh, kw), (sh, sw), (dh, dw) = self.kernel_size, self.stride, self.dilation
        if sh >= dh * (kh - 1) + 1 and sw >= dw * (kw - 1) + 1:  # windows do not overlap:
            x_bar = np.zeros(shape, dtype=z_bar.dtype)           # no winner is shared
            x_bar[index] = z_bar.reshape(-1)
        else:
            x_bar = scatter_add(shape, index, z_bar.reshape(-1))  # a winner may repeat
        return x_bar.reshape(x.shape)

    def jvp(self, x_dot: Array, z: Array, x: Array) -> Array:
        return x_dot.reshape(-1)[self.saved]


def _first_real_cell(origins: np.ndarray, dilation: int, size: int) -> np.ndarray:
    """For windows starting at `origins` (negative in the padding), the first of their cells
    (every `dilation`-th) inside [0, size): PyTorch's pick when every real cell ties."""
    before = np.maximum(-origins, 0)
    return origins + -(-before // dilation) * dilation  # the origin, stepped past the padding


def _first_maxima_by_offset(padded, kernel, stride, dilation, out_size):
    """Each window's maximum and the position k (row-major in the window) of its first
    maximum, one kernel offset at a time, for inputs without NaN (`_first_maxima_by_argmax`
    keeps NumPy's NaN-first rule). Comparing one offset at a time beats argmax over each
    gathered window (fast: about 8x on the digits CNN's (32, 16, 8, 8) 2x2 pooling)."""
    (kh, kw), (sh, sw), (dh, dw), (oh, ow) = kernel, stride, dilation, out_size
    # fast: the cells are first copied out of their strided views into one contiguous
    # array, where the comparisons run at about twice the speed (and np.maximum and
    # mask assignment beat np.copyto(where=), which is slower still)
    cells = np.empty((kh * kw,) + padded.shape[:2] + (oh, ow), padded.dtype)
    for offset in range(kh * kw):  # the (p, q) cell of every window
        p, q = divmod(offset, kw)
        p, q = p * dh, q * dw
        cells[offset] = padded[:, :, p:p + sh * (oh - 1) + 1:sh, q:q + sw * (ow - 1) + 1:sw]
    best = cells[0].copy()
    k = np.zeros(best.shape, np.intp)
    for offset in range(1, kh * kw):
        later_and_larger = cells[offset] > best  # strict: the first maximum is kept
        np.maximum(best, cells[offset], out=best)
        k[later_and_larger] = offset
    return best, k


def _first_maxima_by_argmax(padded, kernel, stride, dilation, out_size):
    """The same by gathering the windows and argmax, which picks a NaN as the maximum
    (NaN is never larger in a comparison): the path for inputs holding NaN."""
    (kh, kw), (sh, sw), (dh, dw), (oh, ow) = kernel, stride, dilation, out_size
    extent = (dh * (kh - 1) + 1, dw * (kw - 1) + 1)
    windows = np.lib.stride_tricks.sliding_window_view(padded, extent, axis=(2, 3))
    windows = windows[:, :, ::sh, ::sw, ::dh, ::dw][:, :, :oh, :ow]
    flat = windows.reshape(padded.shape[:2] + (oh, ow, kh * kw))
    k = flat.argmax(axis=-1)
    return np.take_along_axis(flat, k[..., None], axis=-1)[..., 0], k
