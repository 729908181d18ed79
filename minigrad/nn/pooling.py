"""Pooling over NCHW batches: the largest value (max pooling) or the mean (average
pooling) of each kernel window.

Average pooling is linear and composed, not a primitive: the zero-padded windows (Unfold,
a strided view), summed, divided by each window's count, so its VJP spreads out_bar /
count back over each window (Unfold's adjoint, Fold, adds where windows overlap).

Max pooling, convention at ties: the whole gradient goes to the FIRST maximum of the window in
row-major order (top-left first), as PyTorch does. Pooling is then a gather at one fixed
element per window, so its Jacobian is a 0/1 selection matrix: the JVP gathers the
tangent at those elements and the VJP scatters the cotangent back to them (adding where
overlapping windows pick the same element). Padding is implicit -inf and never wins,
not even a tie with real -inf values: then the window's first real cell does, as in
PyTorch (whose rule padding <= kernel / 2 keeps every window partly inside).
"""
from __future__ import annotations

import math
from typing import Literal, overload

import numpy as np

from minigrad.nn.conv import IntPair, _pair, unfold
from minigrad.nn.module import Module
from minigrad.ops.windows import MaxPool, output_size
from minigrad.ops import stack
from minigrad.tensor import Tensor, to_tensor
from minigrad.typing import TensorLike


@overload
def max_pool2d(x: TensorLike, kernel_size: IntPair, stride: IntPair | None = None,
               padding: IntPair = 0, dilation: IntPair = 1, ceil_mode: bool = False,
               return_indices: Literal[False] = False) -> Tensor: ...
@overload  # noqa: E302 - the overloads sit together
def max_pool2d(x: TensorLike, kernel_size: IntPair, stride: IntPair | None = None,
               padding: IntPair = 0, dilation: IntPair = 1, ceil_mode: bool = False, *,
               return_indices: Literal[True]) -> tuple[Tensor, Tensor]: ...
@overload  # noqa: E302
def max_pool2d(x: TensorLike, kernel_size: IntPair, stride: IntPair | None = None,
               padding: IntPair = 0, dilation: IntPair = 1, ceil_mode: bool = False,
               return_indices: bool = False) -> Tensor | tuple[Tensor, Tensor]: ...
def max_pool2d(x: TensorLike, kernel_size: IntPair, stride: IntPair | None = None,  # noqa: E302
               padding: IntPair = 0, dilation: IntPair = 1, ceil_mode: bool = False,
               return_indices: bool = False) -> Tensor | tuple[Tensor, Tensor]:
    """Max pooling of an (N, C, H, W) batch; ties send the gradient to the first maximum.

    Args:
        x: the input batch, NCHW.
        kernel_size: an int or an (h, w) pair.
        stride: defaults to kernel_size (non-overlapping windows).
        padding: implicit -inf on both sides, at most half the kernel.
        dilation: the spacing of a window's cells (1: adjacent).
        ceil_mode: round the output size up (a last, partial window), never starting a
            window in the right or bottom padding (PyTorch's rule).
        return_indices: also return where each maximum came from, as PyTorch: its flat
            index in its channel's H x W plane (int64).

    Returns:
        (N, C, OH, OW) with OH = (H + 2 padding - dilation (kh - 1) - 1) // stride + 1
        (floor, as PyTorch; rounded up with ceil_mode); with return_indices, the pair
        (output, indices).

    Raises:
        ValueError: for a non-4-d input, padding over half the kernel, or a kernel larger
            than the padded input.

    >>> import minigrad as mg
    >>> max_pool2d(mg.arange(16.0).reshape(1, 1, 4, 4), 2).data[0, 0]
    array([[ 5.,  7.],
           [13., 15.]])
    """
    dilation = _pair(dilation, "max_pool2d: dilation")
    x, kernel, stride, padding = _pooling_arguments(x, kernel_size, stride, padding,
                                                    "max_pool2d", dilation)
    sides = tuple(_window_starts(x.shape[2 + axis], kernel[axis], stride[axis], padding[axis],
                                 ceil_mode, dilation[axis])[1] for axis in (0, 1))
    op = MaxPool(kernel, stride, sides, dilation)  # -inf in the padding
    out = op(x)
    if not return_indices:
        return out
    n, c, h, w = x.shape
    in_plane = op.saved - np.arange(n * c).reshape(n, c, 1, 1) * (h * w)
    return out, Tensor(in_plane.astype(np.int64))


def _pooling_arguments(x: TensorLike, kernel_size: IntPair, stride: IntPair | None,
                       padding: IntPair, op: str, dilation: tuple[int, int] = (1, 1)
                       ) -> tuple[Tensor, tuple[int, int], tuple[int, int], tuple[int, int]]:
    """x as a Tensor and (h, w) pairs of kernel, stride (default: the kernel) and padding,
    checked as PyTorch checks them: an NCHW input, padding at most half the kernel, and
    windows (`dilation` apart) that fit in the padded input."""
    x = to_tensor(x, op)
    kernel = _pair(kernel_size, f"{op}: kernel_size")
    stride = kernel if stride is None else _pair(stride, f"{op}: stride")
    padding = _pair(padding, f"{op}: padding")
    if x.ndim != 4:
        raise ValueError(f"{op} wants an NCHW input (N, C, H, W), got a {x.ndim}-d "
                         f"tensor of shape {x.shape}; for a single image add a batch axis")
    for axis in (0, 1):
        if stride[axis] < 1 or dilation[axis] < 1 or not 0 <= 2 * padding[axis] <= kernel[axis]:
            raise ValueError(f"{op}: need stride >= 1, dilation >= 1 and 0 <= padding <= "
                             f"kernel / 2, got kernel {kernel}, stride {stride}, padding "
                             f"{padding}, dilation {dilation}")
        if output_size(x.shape[2 + axis], kernel[axis], 1, padding[axis], dilation[axis]) < 1:
            raise ValueError(f"{op}: kernel {kernel} (dilation {dilation}) is larger than the "
                             f"padded input {x.shape[2:]} (padding {padding})")
    return x, kernel, stride, padding


class MaxPool2d(Module):
    """Max pooling layer (no parameters); see `max_pool2d` for the options. Ties: the
    first maximum wins.

    >>> import minigrad as mg
    >>> MaxPool2d(2)(mg.zeros((1, 3, 8, 8))).shape
    (1, 3, 4, 4)
    """

    def __init__(self, kernel_size: IntPair, stride: IntPair | None = None,
                 padding: IntPair = 0, dilation: IntPair = 1, return_indices: bool = False,
                 ceil_mode: bool = False) -> None:
        super().__init__()
        self.kernel_size = _pair(kernel_size, "MaxPool2d: kernel_size")
        self.stride = self.kernel_size if stride is None else _pair(stride, "MaxPool2d: stride")
        self.padding = _pair(padding, "MaxPool2d: padding")
        self.dilation = _pair(dilation, "MaxPool2d: dilation")
        self.return_indices, self.ceil_mode = return_indices, ceil_mode

    def forward(self, x: Tensor) -> Tensor | tuple[Tensor, Tensor]:
        return max_pool2d(x, self.kernel_size, self.stride, self.padding, self.dilation,
                          self.ceil_mode, self.return_indices)

    def extra_repr(self) -> str:
        shown = f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"
        if self.dilation != (1, 1):
            shown += f", dilation={self.dilation}"
        if self.ceil_mode:
            shown += ", ceil_mode=True"
        return shown + (", return_indices=True" if self.return_indices else "")


def avg_pool2d(x: TensorLike, kernel_size: IntPair, stride: IntPair | None = None,
               padding: IntPair = 0, ceil_mode: bool = False, count_include_pad: bool = True,
               divisor_override: int | None = None) -> Tensor:
    """Average pooling of an (N, C, H, W) batch, with PyTorch's options and defaults.

      out[n, c, i, j] = sum(window (i, j) of pad(x)) / count(i, j)

    count(i, j) is the window's cells inside the input and its zero padding
    (count_include_pad=True, the default), or inside the input only, or divisor_override.
    A window that ceil_mode lets run past the padding counts only the cells it covers.

    Args:
        x: the input batch, NCHW.
        kernel_size: an int or an (h, w) pair.
        stride: defaults to kernel_size.
        padding: zeros on both sides, at most half the kernel.
        ceil_mode: round the output size up (a last, partial window), never starting a
            window in the right or bottom padding.
        count_include_pad: count the padding in each window's divisor.
        divisor_override: divide every window's sum by this number instead.

    Returns:
        (N, C, OH, OW), OH = (H + 2 padding - kh) // sh + 1 (rounded up with ceil_mode).

    Raises:
        ValueError: for a non-4-d input, padding over half the kernel, or a kernel larger
            than the padded input.

    >>> import minigrad as mg
    >>> avg_pool2d(mg.arange(16.0).reshape(1, 1, 4, 4), 2).data[0, 0]
    array([[ 2.5,  4.5],
           [10.5, 12.5]])
    """
    x, kernel, stride, padding = _pooling_arguments(x, kernel_size, stride, padding,
                                                    "avg_pool2d")
    sides, counts = [], []
    for axis in (0, 1):
        k, s, p, size = kernel[axis], stride[axis], padding[axis], x.shape[2 + axis]
        starts, padded = _window_starts(size, k, s, p, ceil_mode)
        sides.append(padded)  # zeros in the padding
        if divisor_override:
            counts.append(np.ones(len(starts)))
        elif count_include_pad:
            counts.append(np.minimum(starts + k, size + p) - starts)
        else:
            counts.append(np.minimum(starts + k, size) - np.maximum(starts, 0))
    divisor = divisor_override or np.multiply.outer(*counts).astype(x.dtype)
    windows = unfold(x, kernel, stride, tuple(sides))  # (N, OH, OW, C, kh, kw), a view
    return windows.sum(axis=(4, 5)).transpose(0, 3, 1, 2) / divisor


def _window_starts(size: int, kernel: int, stride: int, padding: int, ceil_mode: bool,
                   dilation: int = 1) -> tuple[np.ndarray, tuple[int, int]]:
    """Where each window along one axis starts (in the input's coordinates, negative in
    the padding), and the padding (before, after) they need: the given padding, and more
    after it for a last, partial ceil_mode window, which must still start inside the
    input or the padding before it (PyTorch's rule)."""
    if ceil_mode:
        n_out = math.ceil((size + 2 * padding - dilation * (kernel - 1) - 1) / stride) + 1
        if (n_out - 1) * stride >= size + padding:
            n_out -= 1
    else:
        n_out = output_size(size, kernel, stride, padding, dilation)
    starts = np.arange(n_out) * stride - padding
    extent = dilation * (kernel - 1) + 1
    return starts, (padding, max(padding, int(starts[-1]) + extent - size))


class AvgPool2d(Module):
    """Average pooling layer (no parameters); see `avg_pool2d` for the options.

    >>> import minigrad as mg
    >>> AvgPool2d(2)(mg.ones((1, 3, 8, 8))).shape
    (1, 3, 4, 4)
    """

    def __init__(self, kernel_size: IntPair, stride: IntPair | None = None,
                 padding: IntPair = 0, ceil_mode: bool = False, count_include_pad: bool = True,
                 divisor_override: int | None = None) -> None:
        super().__init__()
        self.kernel_size = _pair(kernel_size, "AvgPool2d: kernel_size")
        self.stride = self.kernel_size if stride is None else _pair(stride, "AvgPool2d: stride")
        self.padding = _pair(padding, "AvgPool2d: padding")
        self.ceil_mode, self.count_include_pad = ceil_mode, count_include_pad
        self.divisor_override = divisor_override

    def forward(self, x: Tensor) -> Tensor:
        return avg_pool2d(x, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                          self.count_include_pad, self.divisor_override)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


def adaptive_avg_pool2d(x: TensorLike, output_size: IntPair) -> Tensor:
    """Average pooling to a given output size, PyTorch's adaptive rule: output cell i of an
    axis of length n averages input cells floor(i n / out) up to ceil((i + 1) n / out), so
    the windows cover the input and may overlap or differ in size by one.

    >>> import minigrad as mg
    >>> adaptive_avg_pool2d(mg.arange(16.0).reshape(1, 1, 4, 4), 1).data[0, 0]
    array([[7.5]])
    """
    x = to_tensor(x, "adaptive_avg_pool2d")
    if x.ndim != 4:
        raise ValueError(f"adaptive_avg_pool2d wants an NCHW input, got shape {x.shape}")
    out = _pair(output_size, "adaptive_avg_pool2d: output_size")
    (h, w), (oh, ow) = x.shape[2:], out
    if min(out) < 1:
        raise ValueError(f"adaptive_avg_pool2d: output_size must be >= 1, got {out}")
    if h % oh == 0 and w % ow == 0:  # equal windows: one average pooling
        return avg_pool2d(x, (h // oh, w // ow))
    rows = [(i * h // oh, -(-(i + 1) * h // oh)) for i in range(oh)]
    cols = [(j * w // ow, -(-(j + 1) * w // ow)) for j in range(ow)]
    cells = [[x[:, :, top:bottom, left:right].mean(axis=(2, 3)) for left, right in cols]
             for top, bottom in rows]
    return stack([stack(row, axis=-1) for row in cells], axis=-2)


class AdaptiveAvgPool2d(Module):
    """Average pooling to `output_size`; see `adaptive_avg_pool2d` ((1, 1): global pooling).

    >>> import minigrad as mg
    >>> AdaptiveAvgPool2d((1, 1))(mg.zeros((2, 3, 7, 5))).shape
    (2, 3, 1, 1)
    """

    def __init__(self, output_size: IntPair) -> None:
        super().__init__()
        self.output_size = _pair(output_size, "AdaptiveAvgPool2d: output_size")

    def forward(self, x: Tensor) -> Tensor:
        return adaptive_avg_pool2d(x, self.output_size)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"
