"""ConvTranspose2d against PyTorch's definition written as a loop, as conv2d's adjoint
(<conv2d(y, W), x> = <y, conv_transpose2d(x, W)>), gradchecked, and as a layer."""
import numpy as np
import pytest

import minigrad as mg
from minigrad import nn
from minigrad.nn import functional as F
from minigrad.testing import gradcheck


def transposed_conv_loop(x, w, b, stride, padding, output_padding, groups, dilation):
    """Each input pixel paints weight * value onto its patch of the output, then the
    padding is cropped (the definition, one scalar at a time)."""
    (sh, sw), (ph, pw), (oph, opw), (dh, dw) = stride, padding, output_padding, dilation
    n, cin, h, wd = x.shape
    _, gout, kh, kw = w.shape
    oh = (h - 1) * sh - 2 * ph + dh * (kh - 1) + oph + 1
    ow = (wd - 1) * sw - 2 * pw + dw * (kw - 1) + opw + 1
    full = np.zeros((n, gout * groups, oh + 2 * ph + kh * dh + sh, ow + 2 * pw + kw * dw + sw))
    per_group = cin // groups
    for c in range(cin):
        g = c // per_group
        for i in range(h):
            for j in range(wd):
                for p in range(kh):
                    for q in range(kw):
                        full[:, g * gout:(g + 1) * gout, i * sh + p * dh, j * sw + q * dw] += \
                            x[:, c, i, j][:, None] * w[c, :, p, q]
    out = full[:, :, ph:ph + oh, pw:pw + ow]
    return out if b is None else out + b[:, None, None]


CASES = [  # stride, padding, output_padding, groups, dilation
    ((1, 1), (0, 0), (0, 0), 1, (1, 1)),
    ((2, 2), (1, 1), (1, 1), 1, (1, 1)),   # the usual 2x upsampling with output_padding
    ((2, 3), (0, 1), (1, 2), 2, (1, 1)),   # rectangular, grouped
    ((1, 2), (2, 0), (1, 1), 1, (2, 1)),   # output_padding < dilation (stride 1)
    ((3, 2), (0, 0), (2, 1), 2, (2, 2)),   # output rows past the padding: zeros
]


@pytest.mark.parametrize("stride, padding, output_padding, groups, dilation", CASES)
def test_matches_the_definition(stride, padding, output_padding, groups, dilation, rng):
    x = rng.standard_normal((2, 4, 3, 4))
    w = rng.standard_normal((4, 3, 3, 2))
    b = rng.standard_normal(3 * groups)
    out = F.conv_transpose2d(mg.tensor(x), mg.tensor(w), mg.tensor(b), stride, padding,
                             output_padding, groups, dilation)
    expected = transposed_conv_loop(x, w, b, stride, padding, output_padding, groups, dilation)
    assert out.shape == expected.shape
    np.testing.assert_allclose(out.data, expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("stride, padding, dilation", [((1, 1), (0, 0), (1, 1)),
                                                       ((2, 2), (1, 1), (1, 1)),
                                                       ((2, 1), (1, 0), (1, 2))])
def test_is_the_adjoint_of_conv2d_in_its_input(stride, padding, dilation, rng):
    w = rng.standard_normal((3, 2, 3, 3))              # conv2d: 2 -> 3 channels
    y = rng.standard_normal((2, 2, 7, 6))
    conv = F.conv2d(mg.tensor(y), mg.tensor(w), None, stride, padding, dilation)
    x = rng.standard_normal(conv.shape)
    # the transposed conv of x must land back on y's size (output_padding resolves it)
    extra = tuple(y.shape[2 + a] - ((x.shape[2 + a] - 1) * stride[a] - 2 * padding[a]
                                    + dilation[a] * 2 + 1) for a in (0, 1))
    back = F.conv_transpose2d(mg.tensor(x), mg.tensor(w), None, stride, padding, extra, 1, dilation)
    assert back.shape == y.shape
    np.testing.assert_allclose(np.vdot(conv.data, x), np.vdot(y, back.data), rtol=1e-12)


@pytest.mark.parametrize("stride, padding, output_padding, groups, dilation", CASES[1:4])
def test_gradients_in_both_modes_and_to_second_order(stride, padding, output_padding, groups,
                                                     dilation, rng):
    x = rng.standard_normal((1, 2, 2, 3))
    w = rng.standard_normal((2, 2, 2, 2))
    b = rng.standard_normal(2 * groups)

    def f(x, w, b):
        return F.conv_transpose2d(x, w, b, stride, padding, output_padding, groups, dilation)
    assert gradcheck(f, x, w, b)
    u = rng.standard_normal(f(mg.tensor(x), mg.tensor(w), mg.tensor(b)).shape)
    assert gradcheck(lambda x, w: mg.grad(lambda x, w: (f(x, w, None) ** 2 * u).sum(),
                                          argnums=(0, 1))(x, w)[1], x, w)


def test_a_layer_doubles_the_image_and_trains(rng):
    up = nn.ConvTranspose2d(3, 2, 4, stride=2, padding=1, rng=0)
    assert up.weight.shape == (3, 2, 4, 4) and up.bias.shape == (2,)
    bound = 1 / np.sqrt(2 * 4 * 4)  # fan_in from the weight's second axis on, as PyTorch
    assert np.abs(up.weight.data).max() <= bound and np.abs(up.weight.data).max() > 0.8 * bound
    x = mg.tensor(rng.standard_normal((4, 3, 5, 5)))
    target = mg.tensor(rng.standard_normal((4, 2, 10, 10)))
    optimizer = mg.optim.Adam(up.parameters(), lr=0.05)
    first = None
    for _ in range(60):
        loss = F.mse_loss(up(x), target)
        first = first or loss.item()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    assert up(x).shape == (4, 2, 10, 10) and loss.item() < 0.9 * first
    assert "output_padding" not in repr(up) and "stride=(2, 2)" in repr(up)


@pytest.mark.parametrize("call, message", [
    (lambda: F.conv_transpose2d(mg.zeros(1, 3, 4, 4), mg.zeros(2, 1, 3, 3)), r"expects an \(N, 2, H, W\)"),
    (lambda: F.conv_transpose2d(mg.zeros(1, 2, 4, 4), mg.zeros(2, 1, 3, 3), stride=2,
                                output_padding=2), "output_padding < max"),
    (lambda: F.conv_transpose2d(mg.zeros(1, 2, 1, 1), mg.zeros(2, 1, 1, 1), padding=1), "crops it all"),
    (lambda: nn.ConvTranspose2d(3, 2, 3, groups=2), "divisible by groups"),
    (lambda: nn.ConvTranspose2d(2, 2, 3)(mg.zeros(2, 3, 4, 4)), r"\(N, 2, H, W\)"),
])
def test_bad_arguments_say_what_is_wrong(call, message):
    with pytest.raises(ValueError, match=message):
        call()
