"""Conv2d and its im2col pair: values against a loop-over-pixels oracle, derivatives in
both modes and to second order, PyTorch's initialisation, and the error messages."""
import math

import numpy as np
import pytest

import minigrad as mg
from minigrad import nn
from minigrad.nn.conv import conv2d, unfold
from minigrad.ops.windows import Fold, Unfold
from minigrad.testing import check_op, gradcheck


def conv2d_oracle(x, weight, bias, stride, padding, dilation=(1, 1), groups=1):
    """Cross-correlation written out: one output pixel at a time. `padding` is (ph, pw)
    or ((top, bottom), (left, right))."""
    (sh, sw), (dh, dw) = stride, dilation
    (top, bottom), (left, right) = [(p, p) if np.ndim(p) == 0 else p for p in padding]
    n, c, h, w = x.shape
    o, cg, kh, kw = weight.shape
    xp = np.zeros((n, c, h + top + bottom, w + left + right))
    xp[:, :, top:top + h, left:left + w] = x
    oh = (h + top + bottom - dh * (kh - 1) - 1) // sh + 1
    ow = (w + left + right - dw * (kw - 1) - 1) // sw + 1
    out = np.zeros((n, o, oh, ow))
    for b in range(n):
        for k in range(o):
            g = k // (o // groups)  # the group of output channel k reads channels g*cg...
            for i in range(oh):
                for j in range(ow):
                    window = xp[b, g * cg:(g + 1) * cg, i * sh:i * sh + dh * (kh - 1) + 1:dh,
                                j * sw:j * sw + dw * (kw - 1) + 1:dw]
                    out[b, k, i, j] = np.sum(window * weight[k]) + (0 if bias is None else bias[k])
    return out


GEOMETRIES = [  # (input shape, weight shape, stride, padding)
    ((2, 3, 6, 5), (4, 3, 3, 3), (1, 1), (0, 0)),
    ((2, 3, 6, 5), (4, 3, 3, 3), (1, 1), (1, 1)),
    ((1, 2, 7, 7), (3, 2, 3, 3), (2, 2), (1, 1)),
    ((1, 2, 7, 6), (3, 2, 2, 3), (3, 2), (0, 1)),  # rectangular kernel, stride and padding
    ((2, 1, 5, 5), (2, 1, 1, 1), (1, 1), (0, 0)),  # 1x1 kernel: a per-pixel linear map
    ((1, 2, 4, 4), (2, 2, 4, 4), (1, 1), (2, 2)),  # kernel as large as the image
]


@pytest.mark.parametrize("x_shape, w_shape, stride, padding", GEOMETRIES)
def test_conv2d_matches_the_loop_oracle(x_shape, w_shape, stride, padding, rng):
    x, weight = rng.standard_normal(x_shape), rng.standard_normal(w_shape)
    bias = rng.standard_normal(w_shape[0])
    out = conv2d(mg.tensor(x), mg.tensor(weight), mg.tensor(bias), stride, padding)
    np.testing.assert_allclose(out.data, conv2d_oracle(x, weight, bias, stride, padding),
                               rtol=1e-12, atol=1e-12)
    no_bias = conv2d(x, weight, None, stride, padding)
    np.testing.assert_allclose(no_bias.data, conv2d_oracle(x, weight, None, stride, padding),
                               rtol=1e-12, atol=1e-12)


def test_conv2d_layer_matches_the_oracle_with_int_arguments(rng):
    layer = nn.Conv2d(2, 3, 3, stride=2, padding=1, rng=0)
    x = rng.standard_normal((2, 2, 5, 5))
    np.testing.assert_allclose(
        layer(mg.tensor(x)).data,
        conv2d_oracle(x, layer.weight.data, layer.bias.data, (2, 2), (1, 1)), rtol=1e-12)


@pytest.mark.parametrize("stride, padding", [(1, 0), (2, 1), ((1, 2), (1, 0))])
def test_conv2d_gradients_in_both_modes(stride, padding, rng):
    x = rng.standard_normal((2, 2, 4, 3))
    weight, bias = rng.standard_normal((2, 2, 2, 2)), rng.standard_normal(2)
    assert gradcheck(lambda x, w, b: conv2d(x, w, b, stride, padding), x, weight, bias)


def test_conv2d_second_derivatives(rng):
    """The gradient of a conv network is itself differentiable (grad of grad, HVPs)."""
    x = rng.standard_normal((1, 2, 4, 4))
    weight = rng.standard_normal((2, 2, 3, 3))

    def loss(x, w):
        return (mg.tanh(conv2d(x, w, padding=1)) ** 2).sum()
    assert gradcheck(mg.grad(loss, argnums=1), x, weight)
    assert gradcheck(mg.grad(loss, argnums=0), x, weight)


def test_conv2d_layer_gradients_flow_to_its_parameters(rng):
    layer = nn.Conv2d(2, 3, (2, 3), padding=1, rng=0)
    x = mg.tensor(rng.standard_normal((2, 2, 4, 4)), requires_grad=True)
    layer(x).sum().backward()
    # d sum(out) / d bias[o] = number of output pixels in the batch
    np.testing.assert_allclose(layer.bias.grad.data, np.full(3, 2 * 5 * 4))
    assert layer.weight.grad.shape == (3, 2, 2, 3) and x.grad.shape == x.shape


@pytest.mark.parametrize("kernel, stride, padding", [((2, 2), (1, 1), (0, 0)),
                                                     ((3, 2), (2, 1), (1, 0)),
                                                     ((2, 3), (2, 3), (1, 1))])
def test_unfold_and_fold_pass_check_op(kernel, stride, padding, rng):
    x = rng.standard_normal((2, 2, 4, 5))
    assert check_op(Unfold(kernel, stride, padding), x)
    cols = np.ascontiguousarray(Unfold(kernel, stride, padding).forward(x))
    assert check_op(Fold(kernel, stride, padding, x.shape), rng.standard_normal(cols.shape))


def test_unfold_is_a_view_and_fold_adds_overlaps():
    x = np.arange(16.0).reshape(1, 1, 4, 4)
    cols = Unfold((2, 2), (1, 1), (0, 0)).forward(x)
    assert np.shares_memory(cols, x)  # nothing copied before the matrix product
    np.testing.assert_array_equal(cols[0, 1, 2, 0], [[6.0, 7.0], [10.0, 11.0]])
    # Folding ones counts how many 2x2 windows cover each pixel.
    counts = Fold((2, 2), (1, 1), (0, 0), x.shape).forward(np.ones(cols.shape))
    np.testing.assert_array_equal(counts[0, 0], [[1, 2, 2, 1], [2, 4, 4, 2],
                                                 [2, 4, 4, 2], [1, 2, 2, 1]])


def test_unfold_function_shapes_and_errors():
    assert unfold(mg.ones((2, 3, 5, 5)), 3, stride=2, padding=1).shape == (2, 3, 3, 3, 3, 3)
    with pytest.raises(ValueError, match="larger than the padded input"):
        unfold(mg.ones((1, 1, 2, 2)), 3)
    with pytest.raises(ValueError, match="stride and dilation must be >= 1"):
        unfold(mg.ones((1, 1, 4, 4)), 2, stride=0)


def test_conv2d_initialisation_follows_pytorch():
    layer = nn.Conv2d(8, 16, 3, rng=0)
    bound = 1 / math.sqrt(8 * 3 * 3)  # kaiming_uniform(a=sqrt(5)): 1 / sqrt(fan_in)
    assert layer.weight.shape == (16, 8, 3, 3) and layer.bias.shape == (16,)
    for p in (layer.weight, layer.bias):
        assert p.dtype == mg.get_default_dtype() and p.requires_grad
        assert -bound <= p.data.min() and p.data.max() < bound
    np.testing.assert_allclose(layer.weight.data.var(), bound ** 2 / 3, rtol=0.1)
    assert layer.weight.data.max() > 0.9 * bound  # the whole range is used
    assert [name for name, _ in layer.named_parameters()] == ["weight", "bias"]
    assert sorted(layer.state_dict()) == ["bias", "weight"]


def test_conv2d_is_seeded_and_follows_the_dtype():
    a, b = nn.Conv2d(2, 3, 2, rng=5), nn.Conv2d(2, 3, 2, rng=np.random.default_rng(5))
    np.testing.assert_array_equal(a.weight.data, b.weight.data)
    assert not np.array_equal(a.weight.data, nn.Conv2d(2, 3, 2, rng=6).weight.data)
    assert nn.Conv2d(2, 3, 2, bias=False, rng=0).bias is None
    mg.set_default_dtype(np.float32)
    try:
        layer = nn.Conv2d(2, 3, 2, rng=0)
        assert layer.weight.dtype == np.float32
        out = layer(mg.ones((1, 2, 3, 3)))
        assert out.dtype == np.float32
    finally:
        mg.set_default_dtype(np.float64)


def test_conv2d_errors_name_the_shapes():
    layer = nn.Conv2d(3, 8, 3, rng=0)
    with pytest.raises(ValueError, match=r"NCHW.*\(N, 3, H, W\).*3-d.*\(3, 8, 8\)"):
        layer(mg.ones((3, 8, 8)))
    with pytest.raises(ValueError, match=r"expects 3 input channels, got 1"):
        layer(mg.ones((2, 1, 8, 8)))
    with pytest.raises(ValueError, match=r"NCHW"):
        conv2d(mg.ones((3, 8, 8)), mg.ones((8, 3, 3, 3)))
    with pytest.raises(ValueError, match=r"expects 3 input channels, .* has 1"):
        conv2d(mg.ones((2, 1, 8, 8)), mg.ones((8, 3, 3, 3)))


def test_small_cnn_trains_one_step(rng):
    """The example's network end to end: shapes, and one SGD step lowers the loss."""
    net = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1, rng=0), nn.ReLU(), nn.MaxPool2d(2),
                        nn.Conv2d(4, 8, 3, padding=1, rng=1), nn.ReLU(), nn.MaxPool2d(2),
                        nn.Flatten(), nn.Linear(32, 3, rng=2))
    x = mg.tensor(rng.standard_normal((6, 1, 8, 8)))
    target = np.array([0, 1, 2, 0, 1, 2])
    losses = []
    for _ in range(2):
        logits = net(x)
        assert logits.shape == (6, 3)
        loss = mg.nn.functional.cross_entropy(logits, target)
        losses.append(loss.item())
        net.zero_grad()
        loss.backward()
        with mg.no_grad():
            for p in net.parameters():
                p.data -= 0.5 * p.grad.data
    assert losses[1] < losses[0]


# ----- padding="same", dilation, groups ------------------------------------------------

EXTENDED = [  # input shape, weight shape, stride, padding, dilation, groups
    ((2, 3, 6, 5), (4, 3, 3, 3), (1, 1), (1, 1), (2, 2), 1),
    ((1, 2, 7, 6), (3, 2, 2, 3), (2, 1), (0, 1), (2, 1), 1),
    ((2, 4, 5, 5), (6, 2, 3, 3), (1, 1), (1, 1), (1, 1), 2),
    ((1, 6, 5, 4), (6, 1, 2, 2), (1, 2), (1, 0), (1, 2), 6),  # depthwise
    ((1, 4, 6, 6), (2, 2, 3, 2), (2, 2), (1, 1), (2, 2), 2),
]


@pytest.mark.parametrize("x_shape, w_shape, stride, padding, dilation, groups", EXTENDED)
def test_dilated_and_grouped_conv2d_match_the_loop_oracle(x_shape, w_shape, stride, padding,
                                                          dilation, groups, rng):
    x, weight = rng.standard_normal(x_shape), rng.standard_normal(w_shape)
    bias = rng.standard_normal(w_shape[0])
    out = conv2d(x, weight, bias, stride, padding, dilation, groups)
    np.testing.assert_allclose(
        out.data, conv2d_oracle(x, weight, bias, stride, padding, dilation, groups),
        rtol=1e-12, atol=1e-12)
    assert gradcheck(lambda x, w, b: conv2d(x, w, b, stride, padding, dilation, groups),
                     x[:1, :, :4, :4], weight, bias)


def test_grouped_conv2d_is_separate_convolutions_side_by_side(rng):
    """groups=2 equals two convolutions on the two halves of the channels, concatenated."""
    x, weight = rng.standard_normal((2, 4, 5, 5)), rng.standard_normal((6, 2, 3, 3))
    grouped = conv2d(x, weight, groups=2, padding=1).data
    halves = [conv2d(x[:, 2 * g:2 * g + 2], weight[3 * g:3 * g + 3], padding=1).data
              for g in range(2)]
    np.testing.assert_allclose(grouped, np.concatenate(halves, axis=1), rtol=1e-13)


@pytest.mark.parametrize("kernel, dilation", [((3, 3), (1, 1)), ((2, 4), (1, 1)),
                                              ((3, 2), (2, 3)), ((1, 1), (1, 1))])
def test_same_padding_keeps_the_size_and_pads_more_after_for_an_even_extent(kernel, dilation,
                                                                            rng):
    """PyTorch's rule: total d (k - 1) per axis, total // 2 before and the rest after."""
    x = rng.standard_normal((1, 2, 5, 6))
    weight = rng.standard_normal((3, 2) + kernel)
    out = conv2d(x, weight, padding="same", dilation=dilation)
    assert out.shape == (1, 3, 5, 6)
    sides = [(d * (k - 1) // 2, d * (k - 1) - d * (k - 1) // 2) for k, d in zip(kernel, dilation)]
    np.testing.assert_allclose(out.data, conv2d_oracle(x, weight, None, (1, 1), sides, dilation),
                               rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(conv2d(x, weight, padding="valid").data,
                                  conv2d(x, weight, padding=0).data)
    layer = nn.Conv2d(2, 3, kernel, padding="same", dilation=dilation, rng=0)
    assert layer(mg.tensor(x)).shape == (1, 3, 5, 6)
    assert gradcheck(lambda x, w: conv2d(x, w, padding="same", dilation=dilation), x, weight)


def test_conv2d_layer_with_groups_and_dilation(rng):
    layer = nn.Conv2d(4, 6, 3, padding=2, dilation=2, groups=2, rng=0)
    bound = 1 / math.sqrt(2 * 3 * 3)  # fan_in = in_channels / groups * kh * kw
    assert layer.weight.shape == (6, 2, 3, 3) and layer.weight.data.max() < bound
    assert layer.weight.data.max() > 0.9 * bound
    x = rng.standard_normal((2, 4, 5, 5))
    np.testing.assert_allclose(
        layer(mg.tensor(x)).data,
        conv2d_oracle(x, layer.weight.data, layer.bias.data, (1, 1), (2, 2), (2, 2), 2),
        rtol=1e-12)
    assert "dilation=(2, 2), groups=2" in repr(layer)


def test_conv2d_second_derivatives_with_groups_and_dilation(rng):
    x, weight = rng.standard_normal((1, 4, 4, 4)), rng.standard_normal((2, 2, 2, 2))

    def loss(x, w):
        return (mg.tanh(conv2d(x, w, padding="same", dilation=2, groups=2)) ** 2).sum()
    assert gradcheck(mg.grad(loss, argnums=1), x, weight)
    assert gradcheck(mg.grad(loss, argnums=0), x, weight)


def test_same_dilation_groups_errors():
    with pytest.raises(ValueError, match="padding='same' needs stride 1"):
        nn.Conv2d(2, 2, 3, stride=2, padding="same")
    with pytest.raises(ValueError, match="padding='same' needs stride 1"):
        conv2d(mg.ones((1, 1, 4, 4)), mg.ones((1, 1, 3, 3)), stride=2, padding="same")
    with pytest.raises(ValueError, match="'valid' or 'same', got 'full'"):
        conv2d(mg.ones((1, 1, 4, 4)), mg.ones((1, 1, 3, 3)), padding="full")
    with pytest.raises(ValueError, match=r"divisible by groups \(2\)"):
        nn.Conv2d(3, 4, 3, groups=2)
    with pytest.raises(ValueError, match="groups=2 expects 4 input channels.*has 3"):
        conv2d(mg.ones((1, 3, 4, 4)), mg.ones((2, 2, 3, 3)), groups=2)
    with pytest.raises(ValueError, match="extent 5 with dilation"):
        conv2d(mg.ones((1, 1, 4, 4)), mg.ones((1, 1, 3, 3)), dilation=2)
