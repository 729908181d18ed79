"""GroupNorm, AdaptiveAvgPool2d, Unflatten, normalize and cosine_similarity against their
definitions in NumPy, gradient checks, the zero-row guard, and errors."""
import numpy as np
import pytest

import minigrad as mg
from minigrad import nn
from minigrad.nn import functional as F
from minigrad.testing import gradcheck


def test_group_norm_normalizes_each_group_of_each_sample(rng):
    x = rng.standard_normal((2, 6, 3, 2)) * 3 + 1
    layer = nn.GroupNorm(3, 6)
    layer.weight.data[...] = rng.standard_normal(6)
    layer.bias.data[...] = rng.standard_normal(6)
    g = x.reshape(2, 3, -1)
    expected = ((g - g.mean(-1, keepdims=True)) / np.sqrt(g.var(-1, keepdims=True) + 1e-5))
    expected = expected.reshape(x.shape) * layer.weight.data[:, None, None] + \
        layer.bias.data[:, None, None]
    np.testing.assert_allclose(layer(mg.tensor(x)).data, expected, rtol=1e-12)
    assert gradcheck(lambda x: F.group_norm(x, 2), rng.standard_normal((2, 4, 3)))
    with pytest.raises(ValueError, match="divisible by num_groups"):
        nn.GroupNorm(4, 6)
    with pytest.raises(ValueError, match=r"expected \(N, 6, \.\.\.\)"):
        layer(mg.zeros(2, 4, 3))


@pytest.mark.parametrize("size, out", [((6, 4), (3, 2)), ((7, 5), (3, 2)), ((5, 5), (1, 1)),
                                       ((4, 6), (4, 4))])
def test_adaptive_average_pooling_follows_pytorchs_windows(size, out, rng):
    x = rng.standard_normal((2, 3) + size)
    expected = np.empty((2, 3) + out)
    for i in range(out[0]):
        for j in range(out[1]):
            top, bottom = i * size[0] // out[0], -(-(i + 1) * size[0] // out[0])
            left, right = j * size[1] // out[1], -(-(j + 1) * size[1] // out[1])
            expected[:, :, i, j] = x[:, :, top:bottom, left:right].mean(axis=(2, 3))
    np.testing.assert_allclose(nn.AdaptiveAvgPool2d(out)(mg.tensor(x)).data, expected,
                               rtol=1e-13)
    assert gradcheck(lambda x: F.adaptive_avg_pool2d(x, out), x[:1, :1])


def test_unflatten_inverts_flatten():
    x = mg.arange(24.0).reshape(2, 12)
    y = nn.Unflatten(1, (3, 4))(x)
    assert y.shape == (2, 3, 4) and nn.Flatten()(y).tolist() == x.tolist()
    assert nn.Unflatten(-1, (2, -1))(x).shape == (2, 2, 6)
    with pytest.raises(ValueError, match="not the 10"):
        nn.Unflatten(1, (2, 5))(x)


def test_normalize_and_cosine_similarity(rng):
    x, y = rng.standard_normal((4, 5)), rng.standard_normal((4, 5))
    np.testing.assert_allclose(F.normalize(mg.tensor(x)).data,
                               x / np.linalg.norm(x, axis=1, keepdims=True), rtol=1e-13)
    np.testing.assert_allclose(F.normalize(mg.tensor(x), p=1, dim=0).data,
                               x / np.abs(x).sum(0, keepdims=True), rtol=1e-13)
    cos = (x * y).sum(1) / (np.linalg.norm(x, axis=1) * np.linalg.norm(y, axis=1))
    np.testing.assert_allclose(F.cosine_similarity(mg.tensor(x), y).data, cos, rtol=1e-13)
    assert gradcheck(lambda a, b: F.cosine_similarity(a, b, dim=1), x, y)
    assert gradcheck(lambda a: F.normalize(a, dim=1), x)
    # a zero row: output 0 and a finite gradient (the floor sits under the square root)
    z = mg.tensor(np.zeros((1, 3)), requires_grad=True)
    out = F.normalize(z)
    assert out.tolist() == [[0.0, 0.0, 0.0]]
    (out * mg.tensor([[1.0, 2.0, 3.0]])).sum().backward()
    assert np.all(np.isfinite(z.grad.data))
    with pytest.raises(ValueError, match="p must be >= 1"):
        F.normalize(z, p=0.5)
