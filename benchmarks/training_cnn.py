"""A small CNN step on the bundled digits, in minigrad and in hand-written NumPy.

The network of examples/train_digits.py --model cnn: (N, 1, 8, 8) images through
conv 3x3 (16 channels, padding 1) -> ReLU -> 2x2 max pool -> conv 3x3 (32) -> ReLU ->
2x2 max pool -> flatten (128) -> linear (10), mean cross-entropy, then a plain SGD
update; a batch of 32 real digits, in float32. The NumPy reference is what one would
write by hand: each convolution as im2col (a strided view of the padded image, one copy
into rows) and one matrix product, its input gradient added back into the image one
kernel offset at a time, and max pooling by reshaping into 2x2 blocks and finding each
block's first maximum (PyTorch's tie rule, as minigrad's), where its gradient goes.
"""
import numpy as np

import minigrad as mg
from minigrad import nn
from training_common import assert_same_change, make_minigrad_step

DTYPE = np.float32
BATCH = 32
LR = 0.05
CHANNELS = (1, 16, 32)  # image, first conv, second conv
CLASSES = 10


def init_params(rng):
    """{name: array} in PyTorch's layout and default initialisation (uniform, 1/sqrt(fan_in))."""
    def uniform(fan_in, shape):
        bound = 1 / np.sqrt(fan_in)
        return rng.uniform(-bound, bound, shape).astype(DTYPE)
    params = {}
    for k, (c_in, c_out) in enumerate(zip(CHANNELS[:-1], CHANNELS[1:]), start=1):
        params[f"W{k}"] = uniform(c_in * 9, (c_out, c_in, 3, 3))
        params[f"b{k}"] = uniform(c_in * 9, c_out)
    params["W3"] = uniform(CHANNELS[-1] * 4, (CLASSES, CHANNELS[-1] * 4))
    params["b3"] = uniform(CHANNELS[-1] * 4, CLASSES)
    return params


def batch(rng):
    """32 digits from the bundled set, pixels scaled to [0, 1], and their labels."""
    X, y = mg.datasets.load_digits(images=True)
    pick = rng.choice(len(y), BATCH, replace=False)
    return (X[pick] / 16.0).astype(DTYPE), y[pick]


# ----- the hand-written NumPy step --------------------------------------------------------
def conv_forward(x, W, b):
    """3x3 convolution with padding 1: (N, C, H, W) -> (N, O, H, W); also the im2col rows."""
    n, c, h, w = x.shape
    padded = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    windows = np.lib.stride_tricks.sliding_window_view(padded, (3, 3), axis=(2, 3))
    rows = windows.transpose(0, 2, 3, 1, 4, 5).reshape(n * h * w, c * 9)
    out = rows @ W.reshape(len(W), c * 9).T
    out += b
    return out.reshape(n, h, w, len(W)).transpose(0, 3, 1, 2), rows


def conv_backward(out_bar, rows, W, x_shape=None):
    """Gradients of conv_forward: (W_bar, b_bar, x_bar or None when x_shape is None)."""
    n, o, h, w = out_bar.shape
    g = out_bar.transpose(0, 2, 3, 1).reshape(n * h * w, o)
    W_bar = (g.T @ rows).reshape(W.shape)
    b_bar = g.sum(axis=0)
    if x_shape is None:
        return W_bar, b_bar, None
    c = W.shape[1]
    cols_bar = (g @ W.reshape(o, c * 9)).reshape(n, h, w, c, 3, 3)
    padded = np.zeros((n, c, h + 2, w + 2), DTYPE)
    for p in range(3):
        for q in range(3):
            padded[:, :, p:p + h, q:q + w] += cols_bar[:, :, :, :, p, q].transpose(0, 3, 1, 2)
    return W_bar, b_bar, padded[:, :, 1:-1, 1:-1]


def pool_forward(x):
    """2x2 max pooling: (N, C, H, W) -> (N, C, H/2, W/2); also the flat index in x of each
    block's first maximum."""
    n, c, h, w = x.shape
    blocks = x.reshape(n, c, h // 2, 2, w // 2, 2).transpose(0, 1, 2, 4, 3, 5)
    k = blocks.reshape(n, c, h // 2, w // 2, 4).argmax(axis=-1)
    rows = np.arange(h // 2)[:, None] * 2 + k // 2
    cols = np.arange(w // 2) * 2 + k % 2
    winners = (np.arange(n * c).reshape(n, c, 1, 1) * h + rows) * w + cols
    return x.reshape(-1)[winners], winners


def pool_backward(z_bar, winners, x_shape):
    """Each block's cotangent to its first maximum (blocks do not overlap: no repeats)."""
    x_bar = np.zeros(x_shape, DTYPE)
    x_bar.reshape(-1)[winners] = z_bar
    return x_bar


def numpy_step(params, x, y, lr=LR):
    """One SGD step on `params` in place; returns the loss before the update."""
    a1, rows1 = conv_forward(x, params["W1"], params["b1"])
    r1 = np.maximum(a1, 0)
    p1, k1 = pool_forward(r1)
    a2, rows2 = conv_forward(p1, params["W2"], params["b2"])
    r2 = np.maximum(a2, 0)
    p2, k2 = pool_forward(r2)
    flat = p2.reshape(len(y), -1)
    logits = flat @ params["W3"].T
    logits += params["b3"]
    logits -= logits.max(axis=1, keepdims=True)
    p = np.exp(logits)
    p /= p.sum(axis=1, keepdims=True)
    rows = np.arange(len(y))
    loss = -np.log(p[rows, y]).mean()
    g = p  # d loss / d logits
    g[rows, y] -= 1
    g /= len(y)
    grads = {"W3": g.T @ flat, "b3": g.sum(axis=0)}
    g_p2 = (g @ params["W3"]).reshape(p2.shape)
    g_a2 = pool_backward(g_p2, k2, r2.shape) * (a2 > 0)
    grads["W2"], grads["b2"], g_p1 = conv_backward(g_a2, rows2, params["W2"], p1.shape)
    g_a1 = pool_backward(g_p1, k1, r1.shape) * (a1 > 0)
    grads["W1"], grads["b1"], _ = conv_backward(g_a1, rows1, params["W1"])
    for name, G in grads.items():
        params[name] -= lr * G
    return loss


# ----- the same step in minigrad ----------------------------------------------------------
# The Sequential's state-dict names of the reference's parameters (layers 0, 3 and 7).
NAMES = [(f"{layer}.{kind}", f"{letter}{k}") for k, layer in ((1, 0), (2, 3), (3, 7))
         for kind, letter in (("weight", "W"), ("bias", "b"))]


def minigrad_model(params):
    model = nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1, dtype=DTYPE), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1, dtype=DTYPE), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(CHANNELS[-1] * 4, CLASSES, dtype=DTYPE))
    model.load_state_dict({state_name: params[name].copy() for state_name, name in NAMES})
    return model


def check_same_update(rng):
    """One step of each from the same weights: the same loss and the same update."""
    params = init_params(rng)
    before = {name: value.copy() for name, value in params.items()}
    x, y = batch(rng)
    model = minigrad_model(params)
    mg_loss = make_minigrad_step(model, LR)(mg.tensor(x), mg.tensor(y))
    np_loss = numpy_step(params, x, y)
    np.testing.assert_allclose(mg_loss, np_loss, rtol=1e-5)
    state = model.state_dict()
    for state_name, name in NAMES:
        assert state[state_name].dtype == DTYPE
        assert_same_change(state[state_name], params[name], before[name])

