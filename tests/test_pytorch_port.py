"""A few PyTorch idioms that use the names of pytorch_names.py run unchanged but for the
import. (The README's worked port is run by tests/test_readme.py.)"""
import numpy as np

import minigrad as mg


def test_a_classifier_loop_with_view_argmax_and_eq():
    mg.manual_seed(0)
    X, y = mg.datasets.make_spirals(300, n_classes=3, noise=0.05)
    X, y = mg.tensor(X), mg.tensor(y)
    W1 = mg.randn(2, 64, requires_grad=True)
    b1 = mg.zeros(64, requires_grad=True)
    W2 = (mg.randn(64, 3) * 0.1).requires_grad_()
    first = None
    for step in range(300):
        h = (X.view(-1, 2) @ W1 + b1).relu()
        first = first if first is not None else (h @ W2).argmax(1).eq(y).float().mean().item()
        loss = mg.nn.functional.cross_entropy(h @ W2, y)
        for p in (W1, b1, W2):
            p.grad = None
        loss.backward()
        with mg.no_grad():
            for p in (W1, b1, W2):
                p -= 0.5 * p.grad
    predicted = (h @ W2).argmax(dim=1, keepdim=True)
    accuracy = predicted.view(-1).eq(y).sum().item() / y.shape[0]
    assert predicted.shape == (300, 1) and first < 0.5 and accuracy > 0.75


def test_sampling_with_multinomial_from_a_softmax():
    mg.manual_seed(0)
    logits = mg.tensor([[2.0, 0.0, -1.0]])
    probs = logits.softmax(dim=1)
    draws = [mg.multinomial(probs, num_samples=1, replacement=True).item() for _ in range(3000)]
    np.testing.assert_allclose(np.bincount(draws, minlength=3) / 3000, probs.data[0], atol=0.03)


def test_an_attention_head_trains_through_tril_masked_fill_and_transpose():
    mg.manual_seed(0)
    B, T, C = 2, 5, 4
    x = mg.randn(B, T, C)
    target = mg.randn(B, T, C)
    Wq, Wk, Wv = (mg.randn(C, C, requires_grad=True) for _ in range(3))
    mask = mg.tril(mg.ones(T, T))
    losses = []
    for step in range(100):
        q, k, v = x @ Wq, x @ Wk, x @ Wv
        att = (q @ k.transpose(-2, -1)) * C ** -0.5
        att = att.masked_fill(mask == 0, float("-inf")).softmax(dim=-1)
        loss = ((att @ v - target) ** 2).mean()
        losses.append(loss.item())
        for w in (Wq, Wk, Wv):
            w.grad = None
        loss.backward()
        with mg.no_grad():
            for w in (Wq, Wk, Wv):
                w -= 0.1 * w.grad
    assert np.all(np.triu(att.data, 1) == 0)      # no position looks ahead
    assert losses[-1] < 0.8 * losses[0]
