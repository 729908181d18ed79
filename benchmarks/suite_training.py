"""Training step: minigrad against a hand-written NumPy forward/backward of the same network.

One step is forward, mean softmax cross-entropy against integer labels, backward, and a
plain SGD update, in float32, for two ReLU MLPs:
(a) 64-128-10, batch 64 (small: engine overhead shows);
(b) 784-512-256-10, batch 256 (large: the matrix products dominate);
and two networks of their own modules:
(c) makemore's MLP: embedding, tanh layer, 27 classes, batch 32 (training_makemore.py);
(d) the digits CNN of examples/train_digits.py, batch 32 (training_cnn.py).
The reference is what one would write by hand with NumPy alone: the same layers, the
fused softmax-cross-entropy gradient (p - onehot(y)) / N, no gradient for the input
data, and in-place updates. It is the limit for an engine built on NumPy. Both sides
start from the same weights, and one step of each is checked to give the same update.
"""
import numpy as np

import minigrad as mg
import training_cnn
import training_common
import training_makemore
from timing import Row, best_of_interleaved
from training_common import assert_same_change, make_minigrad_step

DTYPE = np.float32
LR = 0.01


def init_params(sizes, rng):
    """[(W, b), ...] in PyTorch's layout and default initialisation, as float32."""
    params = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        bound = 1 / np.sqrt(fan_in)
        params.append((rng.uniform(-bound, bound, (fan_out, fan_in)).astype(DTYPE),
                       rng.uniform(-bound, bound, fan_out).astype(DTYPE)))
    return params


# ----- the hand-written NumPy step --------------------------------------------------------
def numpy_step(params, x, y, lr=LR):
    """One SGD step on [(W, b), ...] in place; returns the loss before the update."""
    inputs = []  # each layer's input, which its weight gradient needs
    h = x
    for k, (W, b) in enumerate(params):
        inputs.append(h)
        h = h @ W.T
        h += b
        if k < len(params) - 1:
            np.maximum(h, 0, out=h)  # relu, in place: h > 0 marks where it passes
    logits = h
    logits -= logits.max(axis=1, keepdims=True)
    p = np.exp(logits)
    p /= p.sum(axis=1, keepdims=True)
    n = len(y)
    loss = -np.log(p[np.arange(n), y]).mean()
    g = p  # d loss / d logits = (softmax - onehot(y)) / N
    g[np.arange(n), y] -= 1
    g /= n
    for k in reversed(range(len(params))):
        W, b = params[k]
        h_in = inputs[k]
        g_W, g_b = g.T @ h_in, g.sum(axis=0)
        if k > 0:  # no gradient for the data
            g = g @ W
            g *= h_in > 0  # relu's derivative, from its output (relu'(0) = 0)
        W -= lr * g_W
        b -= lr * g_b
    return loss


# ----- the same step in minigrad ----------------------------------------------------------
def minigrad_model(params):
    layers = []
    for k, (W, b) in enumerate(params):
        linear = mg.nn.Linear(W.shape[1], W.shape[0], dtype=DTYPE)
        linear.load_state_dict({"weight": W.copy(), "bias": b.copy()})
        layers += [linear, mg.nn.ReLU()] if k < len(params) - 1 else [linear]
    return mg.nn.Sequential(*layers)


def check_same_update(sizes, batch, rng):
    """One step of each from the same weights: the same loss and the same update."""
    params = init_params(sizes, rng)
    before = [(W.copy(), b.copy()) for W, b in params]
    x = rng.standard_normal((batch, sizes[0])).astype(DTYPE)
    y = rng.integers(0, sizes[-1], batch)
    model = minigrad_model(params)
    mg_loss = make_minigrad_step(model, LR)(mg.tensor(x), mg.tensor(y))
    np_loss = numpy_step(params, x, y)
    np.testing.assert_allclose(mg_loss, np_loss, rtol=1e-5)
    for k, ((W, b), (W0, b0)) in enumerate(zip(params, before)):
        layer = model[2 * k]
        assert layer.weight.dtype == DTYPE and layer.weight.grad.dtype == DTYPE
        assert_same_change(layer.weight.data, W, W0)
        assert_same_change(layer.bias.data, b, b0)


def case(name, sizes, batch, target, rounds):
    rng = np.random.default_rng(0)
    check_same_update(sizes, batch, rng)
    params = init_params(sizes, rng)
    x = rng.standard_normal((batch, sizes[0])).astype(DTYPE)
    y = rng.integers(0, sizes[-1], batch)
    mg_step = make_minigrad_step(minigrad_model(params), LR)
    x_t, y_t = mg.tensor(x), mg.tensor(y)
    mg_s, np_s = best_of_interleaved(lambda: mg_step(x_t, y_t), lambda: numpy_step(params, x, y),
                                     rounds=rounds)
    return Row(name, mg_s, np_s, target)


def run(quick=False):
    rounds = 5 if quick else 15
    rows = [case("(a) MLP 64-128-10, batch 64", [64, 128, 10], 64, 2.0, rounds),
            case("(b) MLP 784-512-256-10, batch 256", [784, 512, 256, 10], 256, 1.1, rounds),
            training_common.case(training_makemore, "(c) makemore MLP (embedding, tanh), batch 32",
                                 1.5, rounds),
            training_common.case(training_cnn, "(d) digits CNN (2 conv, 2 pool), batch 32", 1.3,
                                 rounds)]
    return [("Training step: fwd + cross-entropy + bwd + SGD (float32)", rows)]
