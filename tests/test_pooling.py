"""MaxPool2d: values against a loop oracle, the tie convention (the first maximum gets
the whole gradient, as PyTorch), overlapping windows, -inf padding, both modes."""
import numpy as np
import pytest

import minigrad as mg
from minigrad import nn
from minigrad.nn.pooling import max_pool2d
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
