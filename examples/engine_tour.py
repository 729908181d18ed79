"""A tour of the engine: a gradient, the tape behind it, and a model fitted by gradient descent.

Run: python examples/engine_tour.py
"""
import numpy as np

import minigrad as mg


def show_gradient():
    print("1. A gradient, and the gradient of the gradient")
    f = lambda x: (mg.sin(x) * x).sum()  # noqa: E731
    x = mg.tensor([0.0, 1.0, 2.0])
    print("   f(x)   =", f(x).item())
    print("   f'(x)  =", mg.grad(f)(x), "   closed form sin(x) + x cos(x):",
          np.round(np.sin(x.data) + x.data * np.cos(x.data), 8))
    print("   f''(x) =", mg.grad(lambda x: mg.grad(f)(x).sum())(x))


def show_tape():
    print("\n2. The tape (Wengert list) that reverse mode replays backwards")
    w = mg.tensor([[0.5, -1.0], [2.0, 0.25]], requires_grad=True)
    x = mg.tensor([1.0, 2.0])
    with mg.Tape() as tape:
        loss = mg.tanh(w @ x).sum()
    print("   " + str(tape).replace("\n", "\n   "))
    print("   d loss / d w =", tape.gradient(loss, [w])[0].data.round(6).tolist())


def fit_curve(steps=3000, lr=0.05):
    print("\n3. Fitting y = 1.5 sin(2x) + 0.3 with a one-hidden-layer tanh network")
    rng = np.random.default_rng(0)
    x = mg.tensor(np.linspace(-2, 2, 64).reshape(-1, 1))
    y = 1.5 * mg.sin(2 * x) + 0.3
    w1 = mg.randn(1, 16, rng=rng, requires_grad=True)
    b1 = mg.zeros(16, requires_grad=True)
    w2 = mg.tensor(rng.standard_normal((16, 1)) * 0.25, requires_grad=True)
    b2 = mg.zeros(1, requires_grad=True)
    params = [w1, b1, w2, b2]
    for step in range(steps + 1):
        prediction = mg.tanh(x @ w1 + b1) @ w2 + b2
        loss = ((prediction - y) ** 2).mean()
        loss.backward()
        with mg.no_grad():
            for p in params:
                p.data -= lr * p.grad.data
                p.grad = None
        if step % 600 == 0:
            print(f"   step {step:5d}   mean squared error {loss.item():.6f}")
    return loss.item()


if __name__ == "__main__":
    show_gradient()
    show_tape()
    final = fit_curve()
    print(f"\nfinal mean squared error: {final:.6f}")
