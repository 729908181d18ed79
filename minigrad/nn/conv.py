"""2-d convolution (cross-correlation, as PyTorch): im2col, then one matrix product.

conv2d is composed, not a primitive: Unfold (a strided view of every window) -> reshape
to (N * OH * OW, C * kh * kw) rows -> one matmul with the (out, C * kh * kw) weight ->
back to NCHW. Its derivatives are those of the parts: the weight gradient is the
columns^T @ out_bar, the input gradient folds out_bar @ W back into the image (Fold,
Unfold's adjoint), and second derivatives work because every part has Tensor rules.
With groups G, the channels split into G independent convolutions: the same columns,
viewed as (G, N * OH * OW, C/G * kh * kw), meet the weight as G stacked matrices in one
batched matmul.
"""
from __future__ import annotations

from typing import Any, Union

import math

import numpy as np

from minigrad.nn import init
from minigrad.nn.casting import check_input_dtype
from minigrad.ops.linalg import linear
from minigrad.ops.windows import Unfold, output_size
from minigrad.nn.module import Module, Parameter
from minigrad.nn.padding import pad
from minigrad.primitive import array_of
from minigrad.tensor import Tensor, to_tensor
from minigrad.typing import DTypeLike, RNGLike, TensorLike

#: Conv2d's padding modes, PyTorch's names, and the `F.pad` mode each one pads with
PADDING_MODES = {"zeros": "constant", "reflect": "reflect", "replicate": "replicate",
                 "circular": "circular"}

#: One int for both spatial axes, or one per axis: (height, width).
IntPair = Union[int, tuple[int, int]]


def _pair(value: IntPair, what: str) -> tuple[int, int]:
    pair = (value, value) if isinstance(value, (int, np.integer)) else tuple(value)
    if len(pair) != 2 or not all(isinstance(v, (int, np.integer)) for v in pair):
        raise TypeError(f"{what} must be an int or a pair of ints, got {value!r}")
    return int(pair[0]), int(pair[1])


def conv_padding(padding: Any, kernel: tuple[int, int], stride: tuple[int, int],
                 dilation: tuple[int, int], op: str) -> tuple[tuple[int, int], ...]:
    """((top, bottom), (left, right)) zeros from an int, a pair, "valid" or "same".

    "same" (PyTorch's rule) keeps H and W: it needs stride 1, and pads d (k - 1) in
    total per axis, half before and the rest (one more, for an even extent) after.
    """
    if isinstance(padding, str):
        if padding == "valid":
            return (0, 0), (0, 0)
        if padding != "same":
            raise ValueError(f"{op}: padding must be an int, a pair, 'valid' or 'same', got "
                             f"{padding!r}")
        if stride != (1, 1):
            raise ValueError(f"{op}: padding='same' needs stride 1 (as in PyTorch), got "
                             f"stride {stride}; give the padding as numbers instead")
        totals = [d * (k - 1) for k, d in zip(kernel, dilation)]
        return tuple((total // 2, total - total // 2) for total in totals)
    ph, pw = _pair(padding, f"{op}: padding")
    return (ph, ph), (pw, pw)


def unfold(x: TensorLike, kernel_size: IntPair, stride: IntPair = 1, padding: Any = 0,
           dilation: IntPair = 1) -> Tensor:
    """im2col: the (N, C, H, W) image's kernel windows as a (N, OH, OW, C, kh, kw) tensor.

    Args:
        x: the image batch, NCHW.
        kernel_size, stride, dilation: an int or an (h, w) pair.
        padding: zeros, an int, an (h, w) pair, or ((top, bottom), (left, right)).

    Raises:
        ValueError: for a non-4-d input, stride or dilation < 1, negative padding, or a
            kernel larger than the padded input.

    >>> import minigrad as mg
    >>> unfold(mg.ones((2, 3, 5, 5)), 3, stride=2, padding=1).shape
    (2, 3, 3, 3, 3, 3)
    """
    x = to_tensor(x, "unfold")
    kernel, stride = _pair(kernel_size, "kernel_size"), _pair(stride, "stride")
    dilation = _pair(dilation, "dilation")
    sides = padding if _is_per_side(padding) else conv_padding(padding, kernel, stride,
                                                               dilation, "unfold")
    if x.ndim != 4:
        raise ValueError(f"unfold: expected an (N, C, H, W) input, got shape {x.shape}")
    for axis, name in ((0, "height"), (1, "width")):
        if stride[axis] < 1 or dilation[axis] < 1 or min(sides[axis]) < 0:
            raise ValueError(f"unfold: stride and dilation must be >= 1 and padding >= 0, got "
                             f"stride {stride}, dilation {dilation} and padding {sides}")
        extent = dilation[axis] * (kernel[axis] - 1) + 1
        if output_size(x.shape[2 + axis], kernel[axis], 1, sides[axis], dilation[axis]) < 1:
            raise ValueError(
                f"unfold: the kernel {kernel} (extent {extent} with dilation {dilation}) is "
                f"larger than the padded input: {name} {x.shape[2 + axis]} + padding "
                f"{sides[axis]} < {extent}")
    return Unfold(kernel, stride, sides, dilation)(x)


def check_groups(layer: str, in_channels: int, out_channels: int, groups: int) -> None:
    """A ValueError unless both channel counts divide into `groups` groups."""
    if groups < 1 or in_channels % groups or out_channels % groups:
        raise ValueError(f"{layer}: in_channels ({in_channels}) and out_channels "
                         f"({out_channels}) must be divisible by groups ({groups})")


def conv_parameters(weight_shape: tuple[int, ...], out_channels: int, bias: bool,
                    rng: RNGLike, dtype: DTypeLike) -> tuple[Parameter, Parameter | None]:
    """A convolution's weight and bias as PyTorch initialises them: U(-b, b) with
    b = 1/sqrt(fan_in) and fan_in counted from the weight's second axis on (its
    kaiming_uniform_(a=sqrt(5)) reduces to exactly this)."""
    rng = init.as_generator(rng)
    bound = 1 / math.sqrt(init.fan_in(weight_shape))
    weight = Parameter(init.uniform(weight_shape, bound, rng, dtype))
    return weight, (Parameter(init.uniform((out_channels,), bound, rng, dtype)) if bias else None)


def _is_per_side(padding: object) -> bool:
    return isinstance(padding, tuple) and all(isinstance(p, tuple) for p in padding)


def conv2d(x: TensorLike, weight: TensorLike, bias: TensorLike | None = None,
           stride: IntPair = 1, padding: Any = 0, dilation: IntPair = 1,
           groups: int = 1) -> Tensor:
    """2-d cross-correlation of an (N, C, H, W) batch with an (out, C / groups, kh, kw) weight.

      out[n, o, i, j] = bias[o] + sum_{c,p,q} weight[o, c, p, q] *
                                 pad(x)[n, g C/G + c, i sh + p dh, j sw + q dw]
    where g = o // (out / G) is the group of output channel o (PyTorch's definition).

    Args:
        x: the input batch, NCHW.
        weight: (out_channels, in_channels / groups, kh, kw).
        bias: (out_channels,) or None.
        stride, dilation: an int or an (h, w) pair.
        padding: zeros: an int, an (h, w) pair, "valid" (none) or "same" (the output keeps
            H and W; stride 1 only; an even extent pads one more after than before).
        groups: split the channels into this many independent convolutions.

    Returns:
        (N, out_channels, OH, OW), OH = (H + padding - dh (kh - 1) - 1) // sh + 1.

    Raises:
        ValueError: for an input that is not 4-d, channels that do not match the weight's,
            channel counts not divisible by groups, or "same" with a stride.

    >>> import minigrad as mg
    >>> conv2d(mg.ones((1, 1, 3, 3)), mg.ones((1, 1, 2, 2))).data[0, 0]
    array([[4., 4.],
           [4., 4.]])
    >>> conv2d(mg.ones((1, 1, 4, 5)), mg.ones((1, 1, 2, 3)), padding="same").shape
    (1, 1, 4, 5)
    """
    x, weight = to_tensor(x, "conv2d"), to_tensor(weight, "conv2d")
    out_channels, group_channels, kh, kw = weight.shape
    in_channels = group_channels * groups
    if x.ndim != 4:
        raise ValueError(
            f"conv2d expects an NCHW input (N, C, H, W) with C = {in_channels}, got shape "
            f"{x.shape}; for a single image add a batch axis, e.g. x.reshape(1, *x.shape)")
    if groups < 1 or out_channels % groups:
        raise ValueError(f"conv2d: groups={groups} must be >= 1 and divide the "
                         f"{out_channels} output channels of the weight {weight.shape}")
    if x.shape[1] != in_channels:
        raise ValueError(f"conv2d: the weight {weight.shape} with groups={groups} expects "
                         f"{in_channels} input channels, but the input of shape {x.shape} "
                         f"has {x.shape[1]}")
    stride, dilation = _pair(stride, "conv2d: stride"), _pair(dilation, "conv2d: dilation")
    sides = conv_padding(padding, (kh, kw), stride, dilation, "conv2d")
    n = x.shape[0]
    cols = unfold(x, (kh, kw), stride, sides, dilation)  # (N, OH, OW, C, kh, kw), a view
    oh, ow = cols.shape[1:3]
    rows = cols.reshape(n * oh * ow, in_channels * kh * kw)  # the one copy: im2col proper
    if groups == 1:
        # One fused entry, rows W^T + b (as a Linear layer), where matmul, transpose and a
        # broadcast bias would take five.
        out = linear(rows, weight.reshape(out_channels, in_channels * kh * kw),
                     None if bias is None else to_tensor(bias, "conv2d"))
        return out.reshape(n, oh, ow, out_channels).transpose(0, 3, 1, 2)
    # G matrix products at once: (G, rows, C/G k k) @ (G, C/G k k, out/G)
    k = group_channels * kh * kw
    stacked = rows.reshape(n * oh * ow, groups, k).transpose(1, 0, 2)
    out = stacked @ weight.reshape(groups, out_channels // groups, k).transpose(0, 2, 1)
    out = out.transpose(1, 0, 2)  # (rows, G, out/G): output channels in group order
    out = out.reshape(n, oh, ow, out_channels).transpose(0, 3, 1, 2)
    if bias is not None:
        out = out + to_tensor(bias, "conv2d").reshape(out_channels, 1, 1)
    return out


class Conv2d(Module):
    """2-d convolution layer over NCHW batches, initialised as PyTorch's.

    weight (out_channels, in_channels / groups, kh, kw) and bias (out_channels,) are drawn
    from U(-1/sqrt(fan_in), 1/sqrt(fan_in)), fan_in = in_channels / groups * kh * kw
    (PyTorch's kaiming_uniform_(a=sqrt(5)) reduces to exactly this), in the default dtype.

    Args:
        in_channels, out_channels: channel counts, each divisible by groups.
        kernel_size, stride, dilation: an int or an (h, w) pair.
        padding: an int, an (h, w) pair, "valid" or "same" (see `conv2d`).
        padding_mode: what the padding holds, as PyTorch: "zeros" (the default),
            "reflect", "replicate" or "circular" (see `F.pad`).
        groups: independent convolutions over as many slices of the channels.
        bias: learn an additive bias per output channel.
        rng: a np.random.Generator or a seed.
        dtype: the parameters' dtype (default `mg.get_default_dtype()`).

    Raises:
        ValueError: for channels not divisible by groups, or "same" with a stride; in
            forward, for an input that is not NCHW with in_channels channels.
        TypeError: in forward, for a floating input of another dtype than the parameters.

    >>> import minigrad as mg
    >>> conv = Conv2d(1, 4, 3, padding=1, rng=0)
    >>> conv(mg.zeros((2, 1, 8, 8))).shape
    (2, 4, 8, 8)
    >>> Conv2d(4, 8, 3, padding="same", dilation=2, groups=2, rng=0).weight.shape
    (8, 2, 3, 3)
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: IntPair,
                 stride: IntPair = 1, padding: Any = 0, dilation: IntPair = 1, groups: int = 1,
                 bias: bool = True, padding_mode: str = "zeros", rng: RNGLike = None,
                 dtype: DTypeLike = None) -> None:
        super().__init__()
        if padding_mode not in PADDING_MODES:
            raise ValueError(f"Conv2d: padding_mode must be one of "
                             f"{', '.join(map(repr, PADDING_MODES))}, got {padding_mode!r}")
        self.padding_mode = padding_mode
        check_groups("Conv2d", in_channels, out_channels, groups)
        self.in_channels, self.out_channels, self.groups = in_channels, out_channels, groups
        self.kernel_size = _pair(kernel_size, "Conv2d: kernel_size")
        self.stride = _pair(stride, "Conv2d: stride")
        self.dilation = _pair(dilation, "Conv2d: dilation")
        self.padding = padding if isinstance(padding, str) else _pair(padding, "Conv2d: padding")
        conv_padding(self.padding, self.kernel_size, self.stride, self.dilation, "Conv2d")
        self.weight, self.bias = conv_parameters(
            (out_channels, in_channels // groups) + self.kernel_size, out_channels, bias, rng,
            dtype)

    def forward(self, x: Tensor) -> Tensor:
        shape = np.shape(array_of(x))
        if len(shape) != 4:
            raise ValueError(
                f"{self._describe()} wants an NCHW input (N, {self.in_channels}, H, W), got a "
                f"{len(shape)}-d tensor of shape {shape}; for a single image add a batch axis, "
                f"e.g. x.reshape(1, *x.shape)")
        if shape[1] != self.in_channels:
            raise ValueError(f"{self._describe()} expects {self.in_channels} input channels, "
                             f"got {shape[1]} (input shape {shape})")
        check_input_dtype(self, x, self.weight)
        padding: Any = self.padding
        if self.padding_mode != "zeros":  # padded first, as PyTorch does, then convolved
            (top, bottom), (left, right) = conv_padding(padding, self.kernel_size, self.stride,
                                                        self.dilation, "Conv2d")
            x = pad(x, (left, right, top, bottom), mode=PADDING_MODES[self.padding_mode])
            padding = 0
        return conv2d(x, self.weight, self.bias, self.stride, padding, self.dilation,
                      self.groups)

    def _describe(self) -> str:
        return f"Conv2d({self.in_channels}, {self.out_channels})"

    def extra_repr(self) -> str:
        shown = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
                 f"stride={self.stride}, padding={self.padding!r}")
        if self.dilation != (1, 1):
            shown += f", dilation={self.dilation}"
        if self.groups != 1:
            shown += f", groups={self.groups}"
        if self.padding_mode != "zeros":
            shown += f", padding_mode={self.padding_mode!r}"
        return shown + f", bias={self.bias is not None}"
