"""Max pooling over NCHW batches: the largest value in each kernel window.

Convention at ties: the whole gradient goes to the FIRST maximum of the window in
row-major order (top-left first), as PyTorch does. Pooling is then a gather at one fixed
element per window, so its Jacobian is a 0/1 selection matrix: the JVP gathers the
tangent at those elements and the VJP scatters the cotangent back to them (adding where
overlapping windows pick the same element). Padding is implicit -inf and never wins,
not even a tie with real -inf values: then the window's first real cell does, as in
PyTorch (whose rule padding <= kernel / 2 keeps every window partly inside).
"""
import numpy as np

from minigrad.nn.conv import _pair
from minigrad.nn.module import Module
from minigrad.ops.windows import MaxPool, output_size
from minigrad.tensor import to_tensor


def max_pool2d(x, kernel_size, stride=None, padding=0):
    """Max pooling of an (N, C, H, W) batch; ties send the gradient to the first maximum.

    Args:
        x: the input batch, NCHW.
        kernel_size: an int or an (h, w) pair.
        stride: defaults to kernel_size (non-overlapping windows).
        padding: implicit -inf on both sides, at most half the kernel.

    Returns:
        (N, C, OH, OW) with OH = (H + 2 padding - kh) // stride + 1 (floor, as PyTorch).

    Raises:
        ValueError: for a non-4-d input, padding over half the kernel, or a kernel larger
            than the padded input.

    >>> import minigrad as mg
    >>> max_pool2d(mg.arange(16.0).reshape(1, 1, 4, 4), 2).data[0, 0]
    array([[ 5.,  7.],
           [13., 15.]])
    """
    x = to_tensor(x, "max_pool2d")
    kernel = _pair(kernel_size, "max_pool2d: kernel_size")
    stride = kernel if stride is None else _pair(stride, "max_pool2d: stride")
    padding = _pair(padding, "max_pool2d: padding")
    if x.ndim != 4:
        raise ValueError(f"max_pool2d wants an NCHW input (N, C, H, W), got a {x.ndim}-d "
                         f"tensor of shape {x.shape}; for a single image add a batch axis")
    for axis in (0, 1):
        if stride[axis] < 1 or not 0 <= 2 * padding[axis] <= kernel[axis]:
            raise ValueError(f"max_pool2d: need stride >= 1 and 0 <= padding <= kernel / 2, "
                             f"got kernel {kernel}, stride {stride}, padding {padding}")
        if output_size(x.shape[2 + axis], kernel[axis], 1, padding[axis]) < 1:
            raise ValueError(f"max_pool2d: kernel {kernel} is larger than the padded input "
                             f"{x.shape[2:]} (padding {padding})")
    return MaxPool(kernel, stride, padding)(x)


class MaxPool2d(Module):
    """Max pooling layer (no parameters); see `max_pool2d`. Ties: the first maximum wins.

    >>> import minigrad as mg
    >>> MaxPool2d(2)(mg.zeros((1, 3, 8, 8))).shape
    (1, 3, 4, 4)
    """

    def __init__(self, kernel_size, stride=None, padding=0):
        super().__init__()
        self.kernel_size = _pair(kernel_size, "MaxPool2d: kernel_size")
        self.stride = self.kernel_size if stride is None else _pair(stride, "MaxPool2d: stride")
        self.padding = _pair(padding, "MaxPool2d: padding")

    def forward(self, x):
        return max_pool2d(x, self.kernel_size, self.stride, self.padding)

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"
