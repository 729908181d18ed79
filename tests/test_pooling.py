"""MaxPool2d: values against a loop oracle, the tie convention (the first maximum gets
the whole gradient, as PyTorch), overlapping windows, -inf padding, both modes."""
import numpy as np
import pytest

import minigrad as mg
from minigrad import nn
from minigrad.nn.pooling import avg_pool2d, max_pool2d
from minigrad.ops.windows import MaxPool
from minigrad.testing import check_op, gradcheck


def max_pool_oracle(x, kernel, stride, padding):
    (kh, kw), (sh, sw), (ph, pw) = kernel, stride, padding
    n, c, h, w = x.shape
    xp = np.full((n, c, h + 2 * ph, w + 2 * pw), -np.inf)
    xp[:, :, ph:ph + h, pw:pw + w] = x
    oh, ow = (h + 2 * ph - kh) // sh + 1, (w + 2 * pw - kw) // sw + 1
    out = np.empty((n, c, oh, ow))
    for i in range(oh):
        for j in range(ow):
            out[:, :, i, j] = xp[:, :, i * sh:i * sh + kh, j * sw:j * sw + kw].max(axis=(2, 3))
    return out


GEOMETRIES = [  # kernel, stride, padding
    ((2, 2), (2, 2), (0, 0)),
    ((3, 3), (2, 2), (1, 1)),
    ((3, 3), (1, 1), (1, 1)),  # overlapping windows
    ((2, 3), (1, 2), (1, 0)),  # rectangular
    ((3, 3), (3, 3), (0, 0)),  # 7 is not a multiple of 3: the last row is dropped (floor)
]


@pytest.mark.parametrize("kernel, stride, padding", GEOMETRIES)
def test_max_pool_matches_the_loop_oracle(kernel, stride, padding, rng):
    x = rng.standard_normal((2, 3, 7, 6))
    out = nn.MaxPool2d(kernel, stride, padding)(mg.tensor(x))
    np.testing.assert_array_equal(out.data, max_pool_oracle(x, kernel, stride, padding))


@pytest.mark.parametrize("kernel, stride, padding", GEOMETRIES[:4])
def test_max_pool_gradients_in_both_modes(kernel, stride, padding, rng):
    x = rng.permutation(40).reshape(1, 2, 5, 4) / 8.0  # distinct: no ties
    assert gradcheck(lambda x: max_pool2d(x, kernel, stride, padding), x)
    assert check_op(MaxPool(kernel, stride, padding), x)


def test_stride_defaults_to_the_kernel():
    layer = nn.MaxPool2d(2)
    assert layer.stride == (2, 2) and layer.parameters() == []
    x = mg.arange(16.0).reshape(1, 1, 4, 4)
    np.testing.assert_array_equal(layer(x).data[0, 0], [[5, 7], [13, 15]])


def test_ties_send_the_whole_gradient_to_the_first_maximum():
    """Convention: row-major first (top-left) maximum of each window, as PyTorch."""
    x = mg.tensor(np.array([[[[1.0, 1.0, 0.0, 2.0],
                              [1.0, 0.0, 2.0, 2.0]]]]), requires_grad=True)
    max_pool2d(x, 2).backward(mg.tensor(np.array([[[[10.0, 20.0]]]])))
    np.testing.assert_array_equal(x.grad.data[0, 0], [[10, 0, 0, 20], [0, 0, 0, 0]])
    # Forward mode picks the same element.
    _, tangent = mg.jvp(lambda x: max_pool2d(x, 2), (x.detach(),),
                        (np.arange(8.0).reshape(1, 1, 2, 4),))
    np.testing.assert_array_equal(tangent.data[0, 0, 0], [0.0, 3.0])


def test_overlapping_windows_add_their_gradients_at_a_shared_maximum():
    x = np.zeros((1, 1, 3, 3))
    x[0, 0, 1, 1] = 5.0  # the maximum of all four 2x2 windows
    t = mg.tensor(x, requires_grad=True)
    max_pool2d(t, 2, stride=1).sum().backward()
    expected = np.zeros((3, 3))
    expected[1, 1] = 4.0
    np.testing.assert_array_equal(t.grad.data[0, 0], expected)


def test_padding_is_minus_infinity_and_never_wins():
    x = -np.arange(1.0, 10.0).reshape(1, 1, 3, 3)  # all negative: zero padding would win
    t = mg.tensor(x, requires_grad=True)
    out = max_pool2d(t, 2, stride=2, padding=1)
    np.testing.assert_array_equal(out.data[0, 0], [[-1, -2], [-4, -5]])
    out.sum().backward()
    assert t.grad.data.sum() == 4.0 and np.all(np.isfinite(t.grad.data))


def test_float32_stays_float32(rng):
    x = mg.tensor(rng.standard_normal((1, 2, 4, 4)).astype(np.float32), requires_grad=True)
    out = max_pool2d(x, 2)
    out.sum().backward()
    assert out.dtype == np.float32 and x.grad.dtype == np.float32


def test_max_pool_errors():
    with pytest.raises(ValueError, match=r"NCHW.*3-d.*\(2, 4, 4\)"):
        nn.MaxPool2d(2)(mg.ones((2, 4, 4)))
    with pytest.raises(ValueError, match="padding <= kernel / 2"):
        max_pool2d(mg.ones((1, 1, 4, 4)), 2, padding=2)
    with pytest.raises(ValueError, match="larger than the padded input"):
        max_pool2d(mg.ones((1, 1, 2, 2)), 3)


# ----- padding never wins a window (issue 8, item 2) ----------------------------------

def max_pool_gradient_oracle(x, kernel, stride, padding, z_bar):
    """PyTorch's loop: each window scans its real cells only, starting from the first one,
    and a later cell wins only if it is strictly larger (or NaN)."""
    (kh, kw), (sh, sw), (ph, pw) = kernel, stride, padding
    n, c, h, w = x.shape
    x_bar = np.zeros_like(x)
    for b in range(n):
        for ch in range(c):
            for i in range(z_bar.shape[2]):
                for j in range(z_bar.shape[3]):
                    top, left = i * sh - ph, j * sw - pw
                    cells = [(r, s) for r in range(max(top, 0), min(top + kh, h))
                             for s in range(max(left, 0), min(left + kw, w))]
                    best = cells[0]
                    for r, s in cells[1:]:
                        if x[b, ch, r, s] > x[b, ch][best]:
                            best = (r, s)
                    x_bar[b, ch][best] += z_bar[b, ch, i, j]
    return x_bar


# Every kernel, stride and padding the spec table draws (kernel 1..3, stride 1..2,
# padding up to half the kernel).
PADDED_GEOMETRIES = [((kh, kw), (sh, sw), (ph, pw))
                     for kh in (1, 2, 3) for kw in (1, 2, 3) for sh in (1, 2) for sw in (1, 2)
                     for ph in range(kh // 2 + 1) for pw in range(kw // 2 + 1)]


@pytest.mark.parametrize("fill", [-np.inf, -1e308, np.finfo(np.float64).min])
@pytest.mark.parametrize("kernel, stride, padding", PADDED_GEOMETRIES, ids=str)
def test_padding_never_wins_even_against_minus_infinity(kernel, stride, padding, fill, rng):
    """All real cells -inf: the gradient goes to each window's first real cell, in the
    same channel, and no flat index wraps into another row or channel."""
    x = np.full((2, 3, 4, 5), fill)
    x[1, 2, 3, 4] = 1.0  # one finite cell, so channels differ
    z_bar = rng.standard_normal(max_pool2d(mg.tensor(x), kernel, stride, padding).shape)
    t = mg.tensor(x, requires_grad=True)
    out = max_pool2d(t, kernel, stride, padding)
    np.testing.assert_array_equal(out.data, max_pool_oracle(x, kernel, stride, padding))
    out.backward(z_bar)
    expected = max_pool_gradient_oracle(x, kernel, stride, padding, z_bar)
    np.testing.assert_allclose(t.grad.data, expected, rtol=1e-15, atol=0)
    # Forward mode reads the tangent at the same cells: <J v, z_bar> = <v, J^T z_bar>.
    v = rng.standard_normal(x.shape)
    _, tangent = mg.jvp(lambda x: max_pool2d(x, kernel, stride, padding), (mg.tensor(x),), (v,))
    np.testing.assert_allclose((tangent.data * z_bar).sum(), (v * expected).sum(), rtol=1e-12)


def test_minus_infinity_gradient_stays_in_its_channel():
    """The case that used to fail: the top-left padding cell won the first window of
    channel 1, and its flat index -1 - w + h * w sent the gradient into channel 0."""
    x = np.zeros((1, 2, 2, 2))
    x[0, 1] = -np.inf
    t = mg.tensor(x, requires_grad=True)
    max_pool2d(t, 2, stride=2, padding=1).sum().backward()
    np.testing.assert_array_equal(t.grad.data[0, 0], np.ones((2, 2)))
    np.testing.assert_array_equal(t.grad.data[0, 1], np.ones((2, 2)))


# ----- average pooling -----------------------------------------------------------------

def avg_pool_oracle(x, kernel, stride, padding, ceil_mode=False, count_include_pad=True,
                    divisor_override=None):
    """PyTorch's CPU loop (aten/src/ATen/native/cpu/AvgPoolKernel.cpp), written out."""
    (kh, kw), (sh, sw), (ph, pw) = kernel, stride, padding
    n, c, h, w = x.shape

    def size(length, k, s, p):
        if not ceil_mode:
            return (length + 2 * p - k) // s + 1
        out = -(-(length + 2 * p - k) // s) + 1
        return out - 1 if (out - 1) * s >= length + p else out
    oh, ow = size(h, kh, sh, ph), size(w, kw, sw, pw)
    out = np.empty((n, c, oh, ow))
    for i in range(oh):
        for j in range(ow):
            h0, w0 = i * sh - ph, j * sw - pw
            h1, w1 = min(h0 + kh, h + ph), min(w0 + kw, w + pw)
            pool_size = (h1 - h0) * (w1 - w0)
            h0, w0, h1, w1 = max(h0, 0), max(w0, 0), min(h1, h), min(w1, w)
            total = x[:, :, h0:h1, w0:w1].sum(axis=(2, 3))
            if divisor_override:
                out[:, :, i, j] = total / divisor_override
            elif count_include_pad:
                out[:, :, i, j] = total / pool_size
            else:
                out[:, :, i, j] = total / ((h1 - h0) * (w1 - w0))
    return out


AVG_GEOMETRIES = GEOMETRIES + [((3, 2), (2, 3), (1, 1)), ((2, 2), (3, 3), (1, 0))]


@pytest.mark.parametrize("kernel, stride, padding", AVG_GEOMETRIES, ids=str)
@pytest.mark.parametrize("ceil_mode", [False, True])
@pytest.mark.parametrize("count_include_pad", [True, False])
def test_avg_pool_matches_pytorchs_loop(kernel, stride, padding, ceil_mode, count_include_pad,
                                        rng):
    x = rng.standard_normal((2, 3, 7, 6))
    options = dict(ceil_mode=ceil_mode, count_include_pad=count_include_pad)
    out = nn.AvgPool2d(kernel, stride, padding, **options)(mg.tensor(x))
    np.testing.assert_allclose(out.data, avg_pool_oracle(x, kernel, stride, padding, **options),
                               rtol=1e-14, atol=1e-15)
    assert gradcheck(lambda x: avg_pool2d(x, kernel, stride, padding, **options), x[:1, :2])


def test_avg_pool_closed_forms():
    x = mg.arange(16.0).reshape(1, 1, 4, 4)
    np.testing.assert_array_equal(avg_pool2d(x, 2).data[0, 0], [[2.5, 4.5], [10.5, 12.5]])
    # padding 1, kernel 2, stride 2: the corner window holds x[0, 0] = 0 and three zeros.
    padded = avg_pool2d(x, 2, padding=1)
    np.testing.assert_array_equal(padded.data[0, 0, 0], [0 / 4, (1 + 2) / 4, 3 / 4])
    excluded = avg_pool2d(x, 2, padding=1, count_include_pad=False)
    np.testing.assert_array_equal(excluded.data[0, 0, 0], [0.0, 1.5, 3.0])
    np.testing.assert_array_equal(avg_pool2d(x, 2, divisor_override=1).data[0, 0],
                                  [[10, 18], [42, 50]])
    # ceil_mode: 5 wide, kernel 2: a third, partial window of one column, divided by 1.
    five = mg.ones((1, 1, 2, 5))
    assert avg_pool2d(five, 2).shape == (1, 1, 1, 2)
    np.testing.assert_array_equal(avg_pool2d(five, 2, ceil_mode=True).data[0, 0], [[1, 1, 1]])


def test_avg_pool_gradient_spreads_evenly():
    """d out / d x = 1 / count over each window; overlapping windows add."""
    x = mg.tensor(np.zeros((1, 1, 3, 3)), requires_grad=True)
    avg_pool2d(x, 2, stride=1).sum().backward()
    np.testing.assert_array_equal(x.grad.data[0, 0], np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]]) / 4)
    assert mg.testing.gradcheck(mg.grad(lambda x: (avg_pool2d(x, 2, padding=1) ** 3).sum()),
                                np.random.default_rng(0).standard_normal((1, 2, 3, 3)))


def test_avg_pool_float32_and_errors(rng):
    x = mg.tensor(rng.standard_normal((1, 2, 4, 4)).astype(np.float32))
    assert avg_pool2d(x, 2).dtype == np.float32
    assert avg_pool2d(x, 3, padding=1, count_include_pad=False).dtype == np.float32
    with pytest.raises(ValueError, match="padding <= kernel / 2"):
        avg_pool2d(x, 2, padding=2)
    with pytest.raises(ValueError, match="NCHW"):
        nn.AvgPool2d(2)(mg.ones((4, 4)))
    with pytest.raises(ValueError, match="larger than the padded input"):
        avg_pool2d(mg.ones((1, 1, 2, 2)), 3)


# ----- dilation, ceil_mode and return_indices, against PyTorch's loop -------------------

def _pytorch_out_size(size, k, s, p, d, ceil_mode):
    """aten's pooling_output_shape, written out."""
    n_out = (size + 2 * p - d * (k - 1) - 1 + (s - 1 if ceil_mode else 0)) // s + 1
    if ceil_mode and (n_out - 1) * s >= size + p:
        n_out -= 1
    return n_out


def pytorch_max_pool_loop(x, kernel, stride, padding, dilation, ceil_mode):
    """PyTorch's CPU kernel as a loop: each window's real cells (clipped to the input,
    stepped by the dilation), the first maximum kept, its index in the H x W plane."""
    (kh, kw), (sh, sw), (ph, pw), (dh, dw) = kernel, stride, padding, dilation
    n, c, h, w = x.shape
    oh = _pytorch_out_size(h, kh, sh, ph, dh, ceil_mode)
    ow = _pytorch_out_size(w, kw, sw, pw, dw, ceil_mode)
    out, where = np.empty((n, c, oh, ow)), np.empty((n, c, oh, ow), np.int64)
    for b in range(n):
        for ch in range(c):
            for i in range(oh):
                for j in range(ow):
                    h0, w0 = i * sh - ph, j * sw - pw
                    h1, w1 = min(h0 + (kh - 1) * dh + 1, h), min(w0 + (kw - 1) * dw + 1, w)
                    while h0 < 0:
                        h0 += dh
                    while w0 < 0:
                        w0 += dw
                    best, at = -np.inf, h0 * w + w0
                    for y in range(h0, h1, dh):
                        for z in range(w0, w1, dw):
                            if x[b, ch, y, z] > best:
                                best, at = x[b, ch, y, z], y * w + z
                    out[b, ch, i, j], where[b, ch, i, j] = best, at
    return out, where


POOL_OPTIONS = [  # kernel, stride, padding, dilation, ceil_mode
    ((2, 2), (2, 2), (0, 0), (1, 1), True),   # 7 x 6: a last, partial row of windows
    ((3, 3), (2, 2), (1, 1), (1, 1), True),
    ((2, 2), (1, 1), (0, 0), (2, 2), False),  # dilated, overlapping
    ((3, 2), (2, 1), (1, 1), (2, 3), False),
    ((3, 3), (2, 3), (1, 0), (2, 1), True),   # all three at once
]


@pytest.mark.parametrize("kernel, stride, padding, dilation, ceil_mode", POOL_OPTIONS)
def test_max_pool_options_match_pytorchs_loop(kernel, stride, padding, dilation, ceil_mode, rng):
    x = rng.standard_normal((2, 2, 7, 6))
    layer = nn.MaxPool2d(kernel, stride, padding, dilation, return_indices=True,
                         ceil_mode=ceil_mode)
    out, indices = layer(mg.tensor(x))
    expected, where = pytorch_max_pool_loop(x, kernel, stride, padding, dilation, ceil_mode)
    np.testing.assert_array_equal(out.data, expected)
    assert indices.dtype == np.int64 and not indices.requires_grad
    np.testing.assert_array_equal(indices.data, where)


@pytest.mark.parametrize("kernel, stride, padding, dilation, ceil_mode", POOL_OPTIONS)
def test_max_pool_options_gradients_in_both_modes_and_second_order(
        kernel, stride, padding, dilation, ceil_mode, rng):
    x = rng.permutation(84).reshape(1, 2, 7, 6) / 8.0  # distinct: no ties
    pool = lambda x: max_pool2d(x, kernel, stride, padding, dilation, ceil_mode)  # noqa: E731
    assert gradcheck(pool, x)
    with mg.Tape() as tape:
        pool(mg.tensor(x, requires_grad=True))
    (entry,) = list(tape)
    assert check_op(MaxPool(entry.primitive.kernel_size, entry.primitive.stride,
                            entry.primitive.padding, entry.primitive.dilation), x)  # adjoint
    w = rng.standard_normal(pool(mg.tensor(x)).shape)
    assert gradcheck(lambda x: (mg.grad(lambda x: (pool(x) ** 2 * w).sum())(x)), x)
    # The gradient goes to the cells the loop picked: a 0/1 scatter of the cotangent.
    t = mg.tensor(x, requires_grad=True)
    out = pool(t)
    g = rng.standard_normal(out.shape)
    out.backward(g)
    _, where = pytorch_max_pool_loop(x, kernel, stride, padding, dilation, ceil_mode)
    expected = np.zeros((1, 2, 42))
    np.add.at(expected, (0, np.arange(2)[:, None, None], where[0]), g[0])
    np.testing.assert_array_equal(t.grad.data, expected.reshape(x.shape))


def test_dilated_windows_all_minus_infinity_pick_the_first_real_cell():
    """PyTorch's loop steps past the padding by the dilation, and keeps that cell."""
    x = np.full((1, 1, 5, 5), -np.inf)
    options = ((3, 3), (2, 2), (1, 1), (2, 2), True)
    out, indices = max_pool2d(mg.tensor(x), *options, return_indices=True)
    _, where = pytorch_max_pool_loop(x, *options)
    np.testing.assert_array_equal(indices.data, where)
    assert np.all(out.data == -np.inf)


def test_max_pool_option_errors_name_the_options():
    with pytest.raises(ValueError, match="dilation >= 1"):
        max_pool2d(mg.zeros(1, 1, 4, 4), 2, dilation=0)
    with pytest.raises(ValueError, match=r"kernel \(3, 3\) \(dilation \(3, 3\)\) is larger"):
        max_pool2d(mg.zeros(1, 1, 6, 6), 3, dilation=3)
    assert "ceil_mode=True" in repr(nn.MaxPool2d(2, ceil_mode=True))
