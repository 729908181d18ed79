"""2-d convolution (cross-correlation, as PyTorch): im2col, then one matrix product.

conv2d is composed, not a primitive: Unfold (a strided view of every window) -> reshape
to (N * OH * OW, C * kh * kw) rows -> one matmul with the (out, C * kh * kw) weight ->
back to NCHW. Its derivatives are those of the parts: the weight gradient is the
columns^T @ out_bar, the input gradient folds out_bar @ W back into the image (Fold,
Unfold's adjoint), and second derivatives work because every part has Tensor rules.
"""
import math

import numpy as np

from minigrad.nn import init
from minigrad.ops.windows import Unfold, output_size
from minigrad.nn.module import Module, Parameter
from minigrad.primitive import array_of
from minigrad.tensor import to_tensor


def _pair(value, what):
    pair = (value, value) if isinstance(value, (int, np.integer)) else tuple(value)
    if len(pair) != 2 or not all(isinstance(v, (int, np.integer)) for v in pair):
        raise TypeError(f"{what} must be an int or a pair of ints, got {value!r}")
    return int(pair[0]), int(pair[1])


def unfold(x, kernel_size, stride=1, padding=0):
    """im2col: the (N, C, H, W) image's kernel windows as a (N, OH, OW, C, kh, kw) tensor.

    >>> import minigrad as mg
    >>> unfold(mg.ones((2, 3, 5, 5)), 3, stride=2, padding=1).shape
    (2, 3, 3, 3, 3, 3)
    """
    x = to_tensor(x, "unfold")
    kernel, stride, padding = (_pair(kernel_size, "kernel_size"), _pair(stride, "stride"),
                               _pair(padding, "padding"))
    if x.ndim != 4:
        raise ValueError(f"unfold: expected an (N, C, H, W) input, got shape {x.shape}")
    for axis, name in ((0, "height"), (1, "width")):
        if stride[axis] < 1 or padding[axis] < 0:
            raise ValueError(f"unfold: stride must be >= 1 and padding >= 0, got stride "
                             f"{stride} and padding {padding}")
        if x.shape[2 + axis] + 2 * padding[axis] < kernel[axis]:
            raise ValueError(
                f"unfold: the kernel {kernel} is larger than the padded input: {name} "
                f"{x.shape[2 + axis]} + 2 * padding {padding[axis]} < {kernel[axis]}")
    return Unfold(kernel, stride, padding)(x)


def conv2d(x, weight, bias=None, stride=1, padding=0):
    """2-d cross-correlation of an (N, C, H, W) batch with an (out, C, kh, kw) weight.

      out[n, o, i, j] = bias[o] + sum_{c,p,q} weight[o, c, p, q] * pad(x)[n, c, i*sh + p, j*sw + q]

    Args:
        x: the input batch, NCHW.
        weight: (out_channels, in_channels, kh, kw).
        bias: (out_channels,) or None.
        stride, padding: an int or an (h, w) pair; padding adds zeros on both sides.

    Returns:
        (N, out_channels, OH, OW) with OH = (H + 2 padding - kh) // stride + 1.

    Raises:
        ValueError: for an input that is not 4-d or whose channels differ from the weight's.

    >>> import minigrad as mg
    >>> conv2d(mg.ones((1, 1, 3, 3)), mg.ones((1, 1, 2, 2))).data[0, 0]
    array([[4., 4.],
           [4., 4.]])
    """
    x, weight = to_tensor(x, "conv2d"), to_tensor(weight, "conv2d")
    out_channels, in_channels, kh, kw = weight.shape
    if x.ndim != 4:
        raise ValueError(
            f"conv2d expects an NCHW input (N, C, H, W) with C = {in_channels}, got shape "
            f"{x.shape}; for a single image add a batch axis, e.g. x.reshape(1, *x.shape)")
    if x.shape[1] != in_channels:
        raise ValueError(f"conv2d: the weight {weight.shape} expects {in_channels} input "
                         f"channels, but the input of shape {x.shape} has {x.shape[1]}")
    n = x.shape[0]
    cols = unfold(x, (kh, kw), stride, padding)  # (N, OH, OW, C, kh, kw), a view
    oh, ow = cols.shape[1:3]
    rows = cols.reshape(n * oh * ow, in_channels * kh * kw)  # the one copy: im2col proper
    out = rows @ weight.reshape(out_channels, in_channels * kh * kw).T
    out = out.reshape(n, oh, ow, out_channels).transpose(0, 3, 1, 2)
    if bias is not None:
        out = out + to_tensor(bias, "conv2d").reshape(out_channels, 1, 1)
    return out


class Conv2d(Module):
    """2-d convolution layer over NCHW batches, initialised as PyTorch's.

    weight (out_channels, in_channels, kh, kw) and bias (out_channels,) are drawn from
    U(-1/sqrt(fan_in), 1/sqrt(fan_in)), fan_in = in_channels * kh * kw (PyTorch's
    kaiming_uniform_(a=sqrt(5)) reduces to exactly this), in the default dtype.

    Args:
        in_channels, out_channels: channel counts.
        kernel_size, stride, padding: an int or an (h, w) pair.
        bias: learn an additive bias per output channel.
        rng: a np.random.Generator or a seed.
        dtype: the parameters' dtype (default `mg.get_default_dtype()`).

    >>> import minigrad as mg
    >>> conv = Conv2d(1, 4, 3, padding=1, rng=0)
    >>> conv(mg.zeros((2, 1, 8, 8))).shape
    (2, 4, 8, 8)
    """

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, bias=True,
                 rng=None, dtype=None):
        super().__init__()
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size = _pair(kernel_size, "Conv2d: kernel_size")
        self.stride = _pair(stride, "Conv2d: stride")
        self.padding = _pair(padding, "Conv2d: padding")
        rng = init.as_generator(rng)
        shape = (out_channels, in_channels) + self.kernel_size
        bound = 1 / math.sqrt(init.fan_in(shape))
        self.weight = Parameter(init.uniform(shape, bound, rng, dtype))
        self.bias = Parameter(init.uniform((out_channels,), bound, rng, dtype)) if bias else None

    def forward(self, x):
        shape = np.shape(array_of(x))
        if len(shape) != 4:
            raise ValueError(
                f"{self._describe()} wants an NCHW input (N, {self.in_channels}, H, W), got a "
                f"{len(shape)}-d tensor of shape {shape}; for a single image add a batch axis, "
                f"e.g. x.reshape(1, *x.shape)")
        if shape[1] != self.in_channels:
            raise ValueError(f"{self._describe()} expects {self.in_channels} input channels, "
                             f"got {shape[1]} (input shape {shape})")
        return conv2d(x, self.weight, self.bias, self.stride, self.padding)

    def _describe(self):
        return f"Conv2d({self.in_channels}, {self.out_channels})"

    def extra_repr(self):
        return (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}, padding={self.padding}, bias={self.bias is not None}")
