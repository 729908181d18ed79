"""A makemore MLP step (Bengio et al. 2003, as in Karpathy's makemore part 2), in minigrad
and in hand-written NumPy.

Characters in, the next character out: each of a batch of 32 contexts is 3 character
indices (vocabulary 27), looked up in a (27, 10) embedding table, joined to 30 features,
through a 200-unit tanh layer to 27 logits, and scored by mean cross-entropy; then a
plain SGD update. In float32. The NumPy reference writes the same forward and backward
by hand: the fused cross-entropy gradient (p - onehot(y)) / N, tanh' = 1 - h^2, and the
embedding table's gradient scattered back to the rows that were read (repeated
characters add up), with NumPy's own np.add.at on the flat table, its fastest exact
scatter-add and the one minigrad uses (minigrad/ops/indexing.py, `scatter_add`).
"""
import numpy as np

import minigrad as mg
from minigrad import nn
from training_common import assert_same_change, make_minigrad_step

VOCAB, EMBED, CONTEXT, HIDDEN, BATCH = 27, 10, 3, 200, 32
DTYPE = np.float32
LR = 0.1


def init_params(rng):
    """{name: array} in PyTorch's layout: the table C, then (W, b) of the two layers."""
    def uniform(bound, shape):
        return rng.uniform(-bound, bound, shape).astype(DTYPE)
    fan_in = CONTEXT * EMBED
    return {"C": rng.standard_normal((VOCAB, EMBED)).astype(DTYPE),
            "W1": uniform(1 / np.sqrt(fan_in), (HIDDEN, fan_in)),
            "b1": uniform(1 / np.sqrt(fan_in), HIDDEN),
            "W2": uniform(1 / np.sqrt(HIDDEN), (VOCAB, HIDDEN)),
            "b2": uniform(1 / np.sqrt(HIDDEN), VOCAB)}


def batch(rng):
    """(contexts (32, 3), next characters (32,)), int64."""
    return rng.integers(0, VOCAB, (BATCH, CONTEXT)), rng.integers(0, VOCAB, BATCH)


# ----- the hand-written NumPy step --------------------------------------------------------
def numpy_step(params, X, Y, lr=LR):
    """One SGD step on `params` in place; returns the loss before the update."""
    C, W1, b1, W2, b2 = (params[k] for k in ("C", "W1", "b1", "W2", "b2"))
    n = len(Y)
    e = C[X].reshape(n, CONTEXT * EMBED)
    h = e @ W1.T
    h += b1
    np.tanh(h, out=h)
    logits = h @ W2.T
    logits += b2
    logits -= logits.max(axis=1, keepdims=True)
    p = np.exp(logits)
    p /= p.sum(axis=1, keepdims=True)
    rows = np.arange(n)
    loss = -np.log(p[rows, Y]).mean()
    g = p  # d loss / d logits
    g[rows, Y] -= 1
    g /= n
    g_W2, g_b2 = g.T @ h, g.sum(axis=0)
    g_h = g @ W2
    g_h *= 1 - h * h
    g_W1, g_b1 = g_h.T @ e, g_h.sum(axis=0)
    g_e = g_h @ W1  # (n, 30): one (10,) row per character read
    g_C = np.zeros_like(C)
    flat = (X.reshape(-1, 1) * EMBED + np.arange(EMBED)).reshape(-1)
    np.add.at(g_C.reshape(-1), flat, g_e.reshape(-1))
    for P, G in ((C, g_C), (W1, g_W1), (b1, g_b1), (W2, g_W2), (b2, g_b2)):
        P -= lr * G
    return loss


# ----- the same step in minigrad ----------------------------------------------------------
class MLP(nn.Module):
    """makemore's MLP: embedding -> flatten -> tanh layer -> logits."""

    def __init__(self, params):
        super().__init__()
        self.embedding = nn.Embedding(VOCAB, EMBED, dtype=DTYPE)
        self.hidden = nn.Linear(CONTEXT * EMBED, HIDDEN, dtype=DTYPE)
        self.out = nn.Linear(HIDDEN, VOCAB, dtype=DTYPE)
        self.load_state_dict({"embedding.weight": params["C"].copy(),
                              "hidden.weight": params["W1"].copy(),
                              "hidden.bias": params["b1"].copy(),
                              "out.weight": params["W2"].copy(), "out.bias": params["b2"].copy()})

    def forward(self, X):
        e = self.embedding(X)
        return self.out(self.hidden(e.reshape(len(X), CONTEXT * EMBED)).tanh())


minigrad_model = MLP  # the name every training benchmark module gives its model


def check_same_update(rng):
    """One step of each from the same weights: the same loss and the same update."""
    params = init_params(rng)
    before = {name: value.copy() for name, value in params.items()}
    X, Y = batch(rng)
    X[0, :] = X[1, 0]  # a character repeated within and across contexts
    model = minigrad_model(params)
    mg_loss = make_minigrad_step(model, LR)(mg.tensor(X), mg.tensor(Y))
    np_loss = numpy_step(params, X, Y)
    np.testing.assert_allclose(mg_loss, np_loss, rtol=1e-5)
    state = model.state_dict()
    for name, key in (("embedding.weight", "C"), ("hidden.weight", "W1"), ("hidden.bias", "b1"),
                      ("out.weight", "W2"), ("out.bias", "b2")):
        assert state[name].dtype == DTYPE
        assert_same_change(state[name], params[key], before[key])

