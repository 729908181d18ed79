"""F.pad in its four modes against np.pad, its gradients (a cell read twice gets both
cotangents), its errors, and Conv2d's padding_mode built on it."""
import numpy as np
import pytest

import minigrad as mg
from minigrad import nn
from minigrad.nn import functional as F
from minigrad.nn.padding import ConstantPad
from minigrad.testing import check_op, gradcheck

NUMPY_MODE = {"constant": "constant", "reflect": "reflect", "replicate": "edge",
              "circular": "wrap"}
MODES = list(NUMPY_MODE)
PADS = [(2, 1), (0, 3, 2, 0), (1, 1, 2, 2, 0, 1)]  # last axis first, as PyTorch


def _numpy_widths(pad, ndim):
    pairs = [(pad[i], pad[i + 1]) for i in range(0, len(pad), 2)][::-1]
    return [(0, 0)] * (ndim - len(pairs)) + pairs


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("pad", PADS)
def test_each_mode_matches_numpy(mode, pad, rng):
    x = rng.standard_normal((2, 3, 4, 5))
    out = F.pad(mg.tensor(x), pad, mode=mode)
    np.testing.assert_array_equal(out.data, np.pad(x, _numpy_widths(pad, 4), mode=NUMPY_MODE[mode]))


def test_constant_value_and_negative_widths_crop():
    x = mg.tensor(np.arange(6.0).reshape(2, 3))
    np.testing.assert_array_equal(F.pad(x, (1, 0), value=-1.0).data,
                                  [[-1, 0, 1, 2], [-1, 3, 4, 5]])
    np.testing.assert_array_equal(F.pad(x, (-1, 1, 0, -1)).data, [[1, 2, 0]])


@pytest.mark.parametrize("mode", MODES)
def test_gradients_in_both_modes_and_to_second_order(mode, rng):
    x = rng.standard_normal((1, 2, 3, 4))
    pad = (3, 2, 1, 2) if mode != "reflect" else (3, 2, 2, 1)
    assert gradcheck(lambda x: F.pad(x, pad, mode=mode), x)
    w = rng.standard_normal(F.pad(mg.tensor(x), pad, mode=mode).shape)
    assert gradcheck(lambda x: mg.grad(lambda x: (F.pad(x, pad, mode=mode) ** 2 * w).sum())(x), x)


def test_a_cell_read_twice_gets_both_cotangents():
    """Reflect (2, 2) on [a b c d]: c b | a b c d | c b, so b and c are read twice."""
    x = mg.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    F.pad(x, (2, 2), mode="reflect").backward(np.arange(1.0, 9.0))
    np.testing.assert_array_equal(x.grad.data, [3, 2 + 4 + 8, 1 + 5 + 7, 6])
    x.grad = None
    F.pad(x, (1, 3), mode="circular").backward(np.arange(1.0, 9.0))  # d | a b c d | a b c
    np.testing.assert_array_equal(x.grad.data, [2 + 6, 3 + 7, 4 + 8, 1 + 5])


def test_constant_pad_rules_pass_check_op(rng):
    assert check_op(ConstantPad(((0, 0), (2, 1), (1, 3)), 0.5), rng.standard_normal((2, 3, 2)))


@pytest.mark.parametrize("call, message", [
    (lambda x: F.pad(x, (1,)), "pairs of ints"),
    (lambda x: F.pad(x, (1, 1) * 5), "at most 4 pairs"),
    (lambda x: F.pad(x, (1, 1), mode="mirror"), "mode must be one of"),
    (lambda x: F.pad(x, (1, 1), mode="reflect", value=2.0), "constant' only"),
    (lambda x: F.pad(x, (5, 0), mode="reflect"), "smaller than the axis length"),
    (lambda x: F.pad(x, (6, 0), mode="circular"), "more than once"),
    (lambda x: F.pad(x, (-1, 0), mode="replicate"), "crops in mode='constant' only"),
])
def test_bad_padding_says_what_is_wrong(call, message):
    with pytest.raises(ValueError, match=message):
        call(mg.zeros(2, 3, 4, 5))


@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
@pytest.mark.parametrize("kernel, padding", [(3, 1), (4, "same"), ((3, 2), (2, 1))])
def test_conv2d_padding_mode_pads_then_convolves(mode, kernel, padding, rng):
    conv = nn.Conv2d(2, 3, kernel, padding=padding, padding_mode=mode, rng=0)
    x = rng.standard_normal((2, 2, 6, 5))
    zero_padded = nn.Conv2d(2, 3, kernel, padding=0, rng=0)
    (top, bottom), (left, right) = mg.nn.conv.conv_padding(
        conv.padding, conv.kernel_size, conv.stride, conv.dilation, "test")
    padded = np.pad(x, ((0, 0), (0, 0), (top, bottom), (left, right)), mode=NUMPY_MODE[mode])
    np.testing.assert_allclose(conv(mg.tensor(x)).data, zero_padded(mg.tensor(padded)).data,
                               rtol=1e-13, atol=1e-14)
    if padding == "same":
        assert conv(mg.tensor(x)).shape[2:] == x.shape[2:]
    assert f"padding_mode={mode!r}" in repr(conv)


def test_conv2d_reflect_gradients_reach_input_and_weight(rng):
    x, w = rng.standard_normal((1, 2, 4, 4)), rng.standard_normal((2, 2, 3, 3))
    conv = nn.Conv2d(2, 2, 3, padding=1, padding_mode="reflect", bias=False)

    def f(x, w):
        conv.weight = w  # the tensor gradcheck differentiates
        return conv(x)
    assert gradcheck(f, x, w)


def test_conv2d_rejects_an_unknown_padding_mode():
    with pytest.raises(ValueError, match="padding_mode must be one of 'zeros', 'reflect'"):
        nn.Conv2d(1, 1, 3, padding_mode="reflection")
