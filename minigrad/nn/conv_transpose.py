"""Transposed convolution: conv2d's adjoint in its input, the layer that upsamples
(decoders, autoencoders, GAN generators).

Convolution reads each window of the input (Unfold) and takes one matrix product; its
input gradient writes each product row back into the window it came from (Fold). A
transposed convolution is that second computation used as a layer:

    cols[n, i, j, :] = x[n, :, i, j] @ W      (W: (in, out * kh * kw), per group)
    z = fold(cols)                             each input pixel paints a kh x kw patch
                                               of the output, stride apart, overlaps adding

so it is composed from recorded ops (a matrix product and Fold, whose VJP is Unfold) and
its gradients follow. Output size per axis, PyTorch's:
    OH = (H - 1) stride - 2 padding + dilation (kh - 1) + output_padding + 1
where padding now crops the output, and output_padding (smaller than the stride or the
dilation) adds rows at the bottom and right, which resolves the sizes a strided conv2d
maps to the same output.
"""
from __future__ import annotations

import numpy as np

from minigrad.nn.casting import check_input_dtype
from minigrad.nn.conv import IntPair, _pair, check_groups, conv_parameters
from minigrad.nn.module import Module
from minigrad.nn.padding import pad
from minigrad.ops.windows import Fold
from minigrad.primitive import array_of
from minigrad.tensor import Tensor, to_tensor
from minigrad.typing import DTypeLike, RNGLike, TensorLike


def conv_transpose2d(x: TensorLike, weight: TensorLike, bias: TensorLike | None = None,
                     stride: IntPair = 1, padding: IntPair = 0, output_padding: IntPair = 0,
                     groups: int = 1, dilation: IntPair = 1) -> Tensor:
    """PyTorch's F.conv_transpose2d: the adjoint of conv2d in its input, plus a bias.

      z[n, g out/G + o, i sh + p dh - ph, j sw + q dw - pw] +=
          x[n, g C/G + c, i, j] * weight[g C/G + c, o, p, q]
    then z + bias[o], on the output of size OH x OW (module docstring).

    Args:
        x: the input batch, (N, in_channels, H, W).
        weight: (in_channels, out_channels / groups, kh, kw), PyTorch's layout.
        bias: (out_channels,) or None.
        stride, padding, output_padding, dilation: an int or an (h, w) pair.
        groups: independent transposed convolutions over as many slices of the channels.

    Raises:
        ValueError: for an input that is not NCHW with the weight's in_channels, channels
            not divisible by groups, negative padding, output_padding not smaller than the
            stride or the dilation, or an output with no rows or columns.

    >>> import minigrad as mg
    >>> conv_transpose2d(mg.ones((1, 1, 2, 2)), mg.ones((1, 1, 2, 2)), stride=2).shape
    (1, 1, 4, 4)
    >>> conv_transpose2d(mg.ones((1, 1, 2, 2)), mg.ones((1, 1, 2, 2))).data[0, 0]
    array([[1., 2., 1.],
           [2., 4., 2.],
           [1., 2., 1.]])
    """
    x, weight = to_tensor(x, "conv_transpose2d"), to_tensor(weight, "conv_transpose2d")
    in_channels, group_out, kh, kw = weight.shape
    if x.ndim != 4 or x.shape[1] != in_channels:
        raise ValueError(f"conv_transpose2d: the weight {weight.shape} (in_channels, "
                         f"out_channels / groups, kh, kw) expects an (N, {in_channels}, H, W) "
                         f"input, got shape {x.shape}")
    check_groups("conv_transpose2d", in_channels, group_out * groups, groups)
    stride = _pair(stride, "conv_transpose2d: stride")
    padding = _pair(padding, "conv_transpose2d: padding")
    output_padding = _pair(output_padding, "conv_transpose2d: output_padding")
    dilation = _pair(dilation, "conv_transpose2d: dilation")
    n, _, h, w = x.shape
    size = []
    for axis, length, k in ((0, h, kh), (1, w, kw)):
        s, p, extra, d = stride[axis], padding[axis], output_padding[axis], dilation[axis]
        if s < 1 or d < 1 or p < 0 or not 0 <= extra < max(s, d):
            raise ValueError(f"conv_transpose2d: need stride >= 1, dilation >= 1, padding >= 0 "
                             f"and 0 <= output_padding < max(stride, dilation); got stride "
                             f"{stride}, dilation {dilation}, padding {padding}, "
                             f"output_padding {output_padding}")
        size.append((length - 1) * s - 2 * p + d * (k - 1) + extra + 1)
    if min(size) < 1:
        raise ValueError(f"conv_transpose2d: an input of shape {x.shape} gives an output of "
                         f"{size[0]} x {size[1]}: the padding {padding} crops it all")
    out_channels = group_out * groups
    group_in = in_channels // groups
    # each pixel's channels times its group's weight: (G, N H W, C/G) @ (G, C/G, out/G kh kw)
    pixels = x.transpose(0, 2, 3, 1).reshape(n * h * w, groups, group_in).transpose(1, 0, 2)
    cols = pixels @ weight.reshape(groups, group_in, group_out * kh * kw)
    cols = cols.transpose(1, 0, 2).reshape(n, h, w, out_channels, kh, kw)
    # Fold adds each patch into the output padded by `padding` on both sides (the padding
    # of the conv2d this is the adjoint of), then crops it. Output padding keeps rows of
    # the bottom and right padding; any beyond it no patch reaches: zeros, added after.
    # (So the Fold's image fits exactly the H x W windows its adjoint, Unfold, reads.)
    kept = [max(p - extra, 0) for p, extra in zip(padding, output_padding)]
    zeros = [max(extra - p, 0) for p, extra in zip(padding, output_padding)]
    image = (n, out_channels, size[0] - zeros[0], size[1] - zeros[1])
    sides = tuple((p, after) for p, after in zip(padding, kept))
    z = Fold((kh, kw), stride, sides, image, dilation)(cols)
    if any(zeros):
        z = pad(z, (0, zeros[1], 0, zeros[0]))
    if bias is not None:
        z = z + to_tensor(bias, "conv_transpose2d").reshape(out_channels, 1, 1)
    return z


class ConvTranspose2d(Module):
    """Transposed 2-d convolution layer over NCHW batches, initialised as PyTorch's.

    weight (in_channels, out_channels / groups, kh, kw) and bias (out_channels,) are drawn
    from U(-1/sqrt(fan_in), 1/sqrt(fan_in)) with fan_in = out_channels / groups * kh * kw
    (PyTorch computes it from the weight's second axis on, as for Conv2d).

    Args:
        in_channels, out_channels: channel counts, each divisible by groups.
        kernel_size, stride, padding, output_padding, dilation: an int or an (h, w) pair
            (see `conv_transpose2d`).
        groups: independent transposed convolutions over as many slices of the channels.
        bias: learn an additive bias per output channel.
        rng: a np.random.Generator or a seed.
        dtype: the parameters' dtype (default `mg.get_default_dtype()`).

    >>> import minigrad as mg
    >>> up = ConvTranspose2d(8, 4, 4, stride=2, padding=1, rng=0)   # doubles H and W
    >>> up(mg.zeros((2, 8, 7, 7))).shape
    (2, 4, 14, 14)
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: IntPair,
                 stride: IntPair = 1, padding: IntPair = 0, output_padding: IntPair = 0,
                 groups: int = 1, bias: bool = True, dilation: IntPair = 1,
                 rng: RNGLike = None, dtype: DTypeLike = None) -> None:
        super().__init__()
        check_groups("ConvTranspose2d", in_channels, out_channels, groups)
        self.in_channels, self.out_channels, self.groups = in_channels, out_channels, groups
        self.kernel_size = _pair(kernel_size, "ConvTranspose2d: kernel_size")
        self.stride = _pair(stride, "ConvTranspose2d: stride")
        self.padding = _pair(padding, "ConvTranspose2d: padding")
        self.output_padding = _pair(output_padding, "ConvTranspose2d: output_padding")
        self.dilation = _pair(dilation, "ConvTranspose2d: dilation")
        self.weight, self.bias = conv_parameters(
            (in_channels, out_channels // groups) + self.kernel_size, out_channels, bias, rng,
            dtype)

    def forward(self, x: Tensor) -> Tensor:
        shape = np.shape(array_of(x))
        if len(shape) != 4 or shape[1] != self.in_channels:
            raise ValueError(f"ConvTranspose2d({self.in_channels}, {self.out_channels}) wants an "
                             f"NCHW input (N, {self.in_channels}, H, W), got shape {shape}")
        check_input_dtype(self, x, self.weight)
        return conv_transpose2d(x, self.weight, self.bias, self.stride, self.padding,
                                self.output_padding, self.groups, self.dilation)

    def extra_repr(self) -> str:
        shown = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
                 f"stride={self.stride}, padding={self.padding}")
        if self.output_padding != (0, 0):
            shown += f", output_padding={self.output_padding}"
        if self.dilation != (1, 1):
            shown += f", dilation={self.dilation}"
        if self.groups != 1:
            shown += f", groups={self.groups}"
        return shown + f", bias={self.bias is not None}"
