"""Spec rows for the layer primitives (Unfold, Fold, MaxPool, ConstantPad) and the layer
functions composed from ops (conv2d with padding "same", dilation and groups, avg_pool2d,
pad's index-map modes, layer_norm, batch_norm over 2-, 3- and 4-d batches).

References are naive loops over every output pixel: slow, obviously right, and written
independently of the strided views and offset loops they check. Shapes stay tiny (the
gradient checks build full Jacobians up to 64 elements). Conv and Fold values are
multiples of 1/8, so every sum is exact in float32 whatever the summation order; max
pooling and the norms see pairwise-distinct values (no ties, no zero variance).
"""
import numpy as np
from hypothesis import strategies as st

from minigrad.nn.conv import conv2d, unfold
from minigrad.ops.windows import Fold, Unfold, output_size
from minigrad.nn.normalization import batch_norm, layer_norm
from minigrad.nn.padding import ConstantPad, pad
from minigrad.nn.pooling import avg_pool2d, max_pool2d
from minigrad.ops.windows import MaxPool
from tests.op_specs.spec import Case, OpSpec, arrays, distinct_arrays

EIGHTHS = st.integers(-16, 16).map(lambda k: k / 8)


@st.composite
def geometry(draw, max_side=5, pooling=False):
    """An image shape (N, C, H, W) and a kernel, stride and padding that fit it; for the
    im2col pair also a dilation, and padding per side ((top, bottom), (left, right))."""
    kernel = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    stride = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    if pooling:  # at most half the kernel, so no window is all padding
        padding = tuple(draw(st.integers(0, k // 2)) for k in kernel)
        extent = kernel
    else:
        dilation = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
        padding = tuple((draw(st.integers(0, 1)), draw(st.integers(0, 2))) for _ in kernel)
        extent = tuple(d * (k - 1) + 1 for k, d in zip(kernel, dilation))
    total = [sum(p) if isinstance(p, tuple) else 2 * p for p in padding]
    h = draw(st.integers(max(1, extent[0] - total[0]), max_side))
    w = draw(st.integers(max(1, extent[1] - total[1]), max_side))
    shape = (draw(st.integers(1, 2)), draw(st.integers(1, 2)), h, w)
    if pooling:
        return shape, kernel, stride, padding
    return shape, kernel, stride, padding, dilation


def _sides(padding):
    return [(p, p) if np.ndim(p) == 0 else p for p in padding]


def _padded(x, padding, value=0.0):
    return np.pad(x, ((0, 0), (0, 0), *_sides(padding)), constant_values=value)


def _out_shape(shape, kernel, stride, padding, dilation=(1, 1)):
    return tuple(output_size(shape[2 + a], kernel[a], stride[a], _sides(padding)[a], dilation[a])
                 for a in (0, 1))


def np_unfold(x, kernel, stride, padding, dilation=(1, 1)):
    xp = _padded(x, padding)
    (kh, kw), (sh, sw), (dh, dw) = kernel, stride, dilation
    oh, ow = _out_shape(x.shape, kernel, stride, padding, dilation)
    cols = np.zeros((x.shape[0], oh, ow, x.shape[1], kh, kw), dtype=x.dtype)
    for i in range(oh):
        for j in range(ow):
            for p in range(kh):
                for q in range(kw):
                    cols[:, i, j, :, p, q] = xp[:, :, i * sh + p * dh, j * sw + q * dw]
    return cols


def np_fold(cols, kernel, stride, padding, shape, dilation=(1, 1)):
    (kh, kw), (sh, sw), (dh, dw) = kernel, stride, dilation
    (top, bottom), (left, right) = _sides(padding)
    n, c, h, w = shape
    xp = np.zeros((n, c, h + top + bottom, w + left + right), dtype=cols.dtype)
    for i in range(cols.shape[1]):
        for j in range(cols.shape[2]):
            for p in range(kh):
                for q in range(kw):
                    xp[:, :, i * sh + p * dh, j * sw + q * dw] += cols[:, i, j, :, p, q]
    return xp[:, :, top:top + h, left:left + w]


def np_conv2d(x, weight, bias, stride, padding, dilation=(1, 1), groups=1):
    cols = np_unfold(x, weight.shape[2:], stride, padding, dilation)
    out = np.zeros((x.shape[0], weight.shape[0]) + cols.shape[1:3], dtype=x.dtype)
    per_group_in, per_group_out = weight.shape[1], weight.shape[0] // groups
    for o in range(weight.shape[0]):
        g = o // per_group_out
        channels = slice(g * per_group_in, (g + 1) * per_group_in)
        for i in range(cols.shape[1]):
            for j in range(cols.shape[2]):
                window = cols[:, i, j, channels]
                out[:, o, i, j] = (window * weight[o]).sum(axis=(1, 2, 3)) + bias[o]
    return out


def np_max_pool2d(x, kernel, stride, padding):
    return np_unfold(_padded(x, padding, -np.inf), kernel, stride, (0, 0)).max(axis=(4, 5)) \
        .transpose(0, 3, 1, 2)


@st.composite
def unfold_cases(draw):
    shape, kernel, stride, padding, dilation = draw(geometry())
    x = draw(arrays(shape))
    return Case((x,), lambda x: np_unfold(x, kernel, stride, padding, dilation),
                op=Unfold(kernel, stride, padding, dilation),
                fn=lambda x: unfold(x, kernel, stride, padding, dilation))


@st.composite
def fold_cases(draw):
    shape, kernel, stride, padding, dilation = draw(geometry())
    oh, ow = _out_shape(shape, kernel, stride, padding, dilation)
    cols = draw(arrays((shape[0], oh, ow, shape[1]) + kernel, EIGHTHS))
    return Case((cols,), lambda cols: np_fold(cols, kernel, stride, padding, shape, dilation),
                op=Fold(kernel, stride, padding, shape, dilation))


@st.composite
def max_pool_cases(draw):
    shape, kernel, stride, padding = draw(geometry(pooling=True))
    x = draw(distinct_arrays(shape))
    return Case((x,), lambda x: np_max_pool2d(x, kernel, stride, padding),
                op=MaxPool(kernel, stride, padding),
                fn=lambda x: max_pool2d(x, kernel, stride, padding))


def np_avg_pool2d(x, kernel, stride, padding, count_include_pad):
    """Window sums over zero padding, divided by the window's size or its real cells."""
    sums = np_unfold(x, kernel, stride, padding).sum(axis=(4, 5)).transpose(0, 3, 1, 2)
    if count_include_pad:
        return sums / (kernel[0] * kernel[1])
    cells = np_unfold(np.ones((1, 1) + x.shape[2:]), kernel, stride, padding).sum(axis=(4, 5))
    return sums / cells.transpose(0, 3, 1, 2).astype(x.dtype)


@st.composite
def avg_pool_cases(draw):
    shape, kernel, stride, padding = draw(geometry(pooling=True))
    count_include_pad = draw(st.booleans())
    x = draw(arrays(shape, EIGHTHS))
    return Case((x,), lambda x: np_avg_pool2d(x, kernel, stride, padding, count_include_pad),
                fn=lambda x: avg_pool2d(x, kernel, stride, padding,
                                        count_include_pad=count_include_pad))


@st.composite
def conv2d_cases(draw):
    """Numeric or per-side padding with dilation and groups; or padding "same" (stride 1)."""
    shape, kernel, stride, padding, dilation = draw(geometry(max_side=4))
    groups = draw(st.sampled_from([g for g in (1, 2) if shape[1] % g == 0]))
    out_channels = groups * draw(st.integers(1, 2))
    if draw(st.booleans()):  # PyTorch's "same": d (k - 1) in total, the odd one after
        stride, padding = (1, 1), "same"
        sides = [(d * (k - 1) // 2, d * (k - 1) - d * (k - 1) // 2)
                 for k, d in zip(kernel, dilation)]
    else:
        padding = sides = tuple(max(p) for p in padding)  # conv2d pads symmetrically
    x = draw(arrays(shape, EIGHTHS))
    weight = draw(arrays((out_channels, shape[1] // groups) + kernel, EIGHTHS))
    bias = draw(arrays((out_channels,), EIGHTHS))
    return Case((x, weight, bias),
                lambda x, w, b: np_conv2d(x, w, b, stride, sides, dilation, groups),
                fn=lambda x, w, b: conv2d(x, w, b, stride, padding, dilation, groups))


def np_normalize(x, axes, eps):
    mean = x.mean(axis=axes, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=axes, keepdims=True)
    return (x - mean) / np.sqrt(var + x.dtype.type(eps))


@st.composite
def layer_norm_cases(draw):
    shape = tuple(draw(st.lists(st.integers(1, 3), min_size=1, max_size=3)))
    k = draw(st.integers(1, len(shape)))
    normalized = shape[len(shape) - k:]
    x = draw(distinct_arrays(shape))
    weight, bias = draw(arrays(normalized)), draw(arrays(normalized))
    axes = tuple(range(len(shape) - k, len(shape)))
    return Case((x, weight, bias), lambda x, w, b: np_normalize(x, axes, 1e-5) * w + b,
                fn=lambda x, w, b: layer_norm(x, normalized, w, b))


@st.composite
def batch_norm_cases(draw):
    """Train mode (batch statistics) and eval mode (fixed running statistics)."""
    shape = (draw(st.integers(2, 4)), draw(st.integers(1, 3))) + \
        tuple(draw(st.lists(st.integers(1, 3), max_size=2)))
    x = draw(distinct_arrays(shape))
    weight, bias = draw(arrays(shape[1:2])), draw(arrays(shape[1:2]))
    axes = (0,) + tuple(range(2, len(shape)))
    column = (-1,) + (1,) * (len(shape) - 2)
    if draw(st.booleans()):
        return Case((x, weight, bias),
                    lambda x, w, b: np_normalize(x, axes, 1e-5) * w.reshape(column)
                    + b.reshape(column),
                    fn=lambda x, w, b: batch_norm(x, None, None, w, b, training=True))
    mean, var = draw(arrays(shape[1:2])), draw(arrays(shape[1:2], st.floats(0.25, 2.0)))

    def reference(x, w, b):
        mu = mean.astype(x.dtype).reshape(column)
        scale = 1 / np.sqrt(var.astype(x.dtype) + x.dtype.type(1e-5))
        return (x - mu) * scale.reshape(column) * w.reshape(column) + b.reshape(column)
    return Case((x, weight, bias), reference,
                fn=lambda x, w, b: batch_norm(x, mean.copy(), var.copy(), w, b, training=False))


NUMPY_PAD_MODES = {"constant": "constant", "reflect": "reflect", "replicate": "edge",
                   "circular": "wrap"}


@st.composite
def pad_cases(draw, mode):
    """F.pad's last-axis-first pairs on 1 to 3 trailing axes, against np.pad's mode."""
    shape = tuple(draw(st.lists(st.integers(1, 3), min_size=1, max_size=3)))
    k = draw(st.integers(1, len(shape)))
    widest = {"reflect": lambda n: n - 1, "circular": lambda n: n}.get(mode, lambda n: 2)
    pairs = [(draw(st.integers(0, widest(n))), draw(st.integers(0, widest(n))))
             for n in shape[len(shape) - k:]]
    widths = [(0, 0)] * (len(shape) - k) + pairs
    flat = tuple(w for pair in pairs[::-1] for w in pair)  # PyTorch's order: last axis first
    x = draw(distinct_arrays(shape))
    value = draw(st.sampled_from([0.0, -1.5])) if mode == "constant" else None
    reference = (lambda x: np.pad(x, widths, constant_values=value)) if mode == "constant" \
        else (lambda x: np.pad(x, widths, mode=NUMPY_PAD_MODES[mode]))
    op = ConstantPad(tuple(widths), value) if mode == "constant" else None
    return Case((x,), reference, op=op, fn=lambda x: pad(x, flat, mode=mode, value=value))


SPECS = [
    OpSpec("unfold", Unfold, unfold_cases(), forward_rtol=0),
    OpSpec("fold", Fold, fold_cases(), forward_rtol=1e-14),
    OpSpec("max_pool2d", MaxPool, max_pool_cases(), forward_rtol=0),
    OpSpec("conv2d", None, conv2d_cases(), forward_rtol=1e-14),
    OpSpec("avg_pool2d", None, avg_pool_cases(), forward_rtol=1e-15),
    OpSpec("pad", ConstantPad, pad_cases("constant"), forward_rtol=0),
    *(OpSpec(f"pad_{mode}", None, pad_cases(mode), forward_rtol=0)
      for mode in ("reflect", "replicate", "circular")),
    OpSpec("layer_norm", None, layer_norm_cases(), forward_rtol=1e-12),
    OpSpec("batch_norm", None, batch_norm_cases(), forward_rtol=1e-12),
]
