"""Why neural networks love the softmax: its Jacobian, times the loss's gradient, is p - y.

Run: python examples/softmax_collapse.py     (about 10-20 seconds; --quick for a smoke run)

1. The collapse, with real numbers: scores s, p = softmax(s), the Jacobian
   J = diag(p) - p p^T from mg.jacobian, the NLL gradient -y/p, the product J^T (-y/p),
   p - y, and the gradient of minigrad's fused SoftmaxNLL node, compared.
2. Stability: the scores shifted by 100 and 1e4, where a naive exp() overflows, and
   scores of 1e4 and -3e4.
3. The cost: fused node, unfused chain and the dense-Jacobian product for C = 10 ...
   10 000 classes (batch 32), and how each grows with C.

Every conclusion printed is derived from the numbers measured in this run (see the
conclude_* functions), so on a machine or a minigrad where a claim fails, it says so.
"""
import sys
import time

import numpy as np

import minigrad as mg
from minigrad.nn import functional as F



def fused_gradient(scores, target, reduction="sum"):
    """The gradient of minigrad's fused cross-entropy node with respect to the scores."""
    s = mg.tensor(scores, requires_grad=True)
    loss = F.cross_entropy(s, target, reduction=reduction)
    loss.backward()
    return loss.item(), s.grad.data


def show_collapse():
    print("1. The collapse: J^T (-y/p) = p - y")
    scores = np.array([[2.0, 1.0, 0.1, -1.0],
                       [0.5, 2.5, -0.3, 0.0],
                       [-1.0, 0.0, 1.0, 3.0]])
    target = np.array([0, 2, 3])
    y = np.eye(4)[target]
    p = mg.softmax(scores).data
    print("   scores s (3 samples, 4 classes):\n" + _indent(scores))
    print("   targets:", target, "   p = softmax(s):\n" + _indent(p))

    jac = mg.jacobian(mg.softmax)(mg.tensor(scores[0])).data
    print("   the Jacobian of softmax at s[0], from mg.jacobian:\n" + _indent(jac))
    print(f"   diag(p) - p p^T:  max difference {np.abs(jac - (np.diag(p[0]) - np.outer(p[0], p[0]))).max():.1e}"
          f";  symmetric: max |J - J^T| = {np.abs(jac - jac.T).max():.1e}"
          f";  row sums {np.abs(jac.sum(axis=1)).max():.1e}, column sums {np.abs(jac.sum(axis=0)).max():.1e}")

    nll_grad = -y / p + 0.0  # + 0.0 turns -0.0 into 0.0 for printing
    print("   dL/dp = -y/p, the NLL's gradient (large where p is small):\n" + _indent(nll_grad))
    chain = np.stack([mg.jacobian(mg.softmax)(mg.tensor(row)).data.T @ g
                      for row, g in zip(scores, nll_grad)])
    _, fused = fused_gradient(scores, target)
    print("   (a) J^T (-y/p), the chain rule through the dense Jacobian:\n" + _indent(chain))
    print("   (b) p - y, one subtraction:\n" + _indent(p - y))
    print("   (c) the fused SoftmaxNLL node's gradient (reduction='sum'):\n" + _indent(fused))
    differences = {"a - b": np.abs(chain - (p - y)).max(), "c - b": np.abs(fused - (p - y)).max()}
    print("   " + ",  ".join(f"max |{k}| = {v:.1e}" for k, v in differences.items()) + ": "
          + conclude_equal(differences, "all three equal"))
    return differences


def conclude_equal(differences, what, tol=1e-12):
    """`what` + ' to rounding' when every difference is below tol, else which ones are not."""
    off = {k: v for k, v in differences.items() if not v <= tol}
    if not off:
        return f"{what} to rounding (below {tol:g})"
    return "NOT equal: " + ", ".join(f"{k} differs by {v:.2g}" for k, v in off.items())


def show_stability():
    print("\n2. Shift invariance, and the overflow a naive exp() would hit")
    scores = np.array([[0.0, 1.0, 2.0]])
    target = np.array([2])
    results = {}
    for shift in (0.0, 100.0, 1e4):
        results[shift] = fused_gradient(scores + shift, target)
        loss, grad = results[shift]
        print(f"   s = {scores[0] + shift}:  loss {loss:.12f}   gradient {grad[0]}")
    with np.errstate(over="ignore", invalid="ignore"):
        big = scores + 1e4
        naive = np.exp(big) / np.exp(big).sum()
    print(f"   naive exp(s) / sum(exp(s)) at s = {big[0]}: {naive[0]}")
    extreme = np.array([[1e4, 0.0, -3e4]])
    extreme_results = []
    for t in range(3):
        loss, grad = fused_gradient(extreme, np.array([t]))
        extreme_results.append((loss, grad))
        print(f"   s = {extreme[0]}, class {t}:  loss {loss:g}   gradient {grad[0]}")
    measured = {
        "loss change": max(abs(loss - results[0.0][0]) for loss, _ in results.values()),
        "gradient change": max(np.abs(grad - results[0.0][1]).max() for _, grad in results.values()),
        "naive finite": bool(np.isfinite(naive).all()),
        "extreme finite": all(np.isfinite(loss) and np.isfinite(grad).all()
                              for loss, grad in extreme_results),
    }
    for line in conclude_stability(measured):
        print("   " + line)
    return measured


def conclude_stability(measured, tol=1e-12):
    """Sentences about shift invariance and overflow, from what show_stability measured."""
    change = max(measured["loss change"], measured["gradient change"])
    lines = [f"Shifting the scores by up to 1e4 changed the loss and the gradient by at most "
             f"{change:.1e}: " + ("shift invariant to rounding." if change <= tol
                                  else "NOT shift invariant.")]
    lines.append("The naive formula " + ("stayed finite at s = 1e4." if measured["naive finite"]
                                         else "overflowed (exp(1e4) = inf, inf / inf = nan)."))
    lines.append("Scores of 1e4 and -3e4 gave " + ("finite losses and gradients for every class."
                                                   if measured["extreme finite"]
                                                   else "a non-finite loss or gradient."))
    return lines


# ----- 3. the cost --------------------------------------------------------------------

def dense_jacobian_gradient(scores, target, block=1024):
    """Mean cross-entropy and its gradient by the chain rule with the Jacobian built.

    For each sample: J = diag(p) - p p^T (C x C) times the NLL gradient -y/p / N. J is
    built a block of rows at a time so memory stays bounded; the work is still C^2.
    """
    n, c = scores.shape
    shifted = scores - scores.max(axis=1, keepdims=True)
    e = np.exp(shifted)
    p = e / e.sum(axis=1, keepdims=True)
    rows = np.arange(n)
    loss = -np.mean(np.log(p[rows, target]))
    y = np.zeros_like(p)
    y[rows, target] = 1
    upstream = -y / p / n
    grad = np.empty_like(p)
    for i in range(n):
        for start in range(0, c, block):
            stop = min(start + block, c)
            jac_rows = np.outer(p[i, start:stop], -p[i])              # - p p^T, these rows
            jac_rows[np.arange(stop - start), np.arange(start, stop)] += p[i, start:stop]
            grad[i, start:stop] = jac_rows @ upstream[i]              # J symmetric: J^T = J
    return loss, grad


def minigrad_gradient(scores, target, fused):
    s = mg.tensor(scores, requires_grad=True)
    loss = F.cross_entropy(s, target, fused=fused)
    loss.backward()
    return loss.item(), s.grad.data


def best_times(fns, rounds=9, min_round_seconds=0.01):
    """Seconds per call of each function: run alternately, keep each one's fastest round.

    Interleaving means a busy patch of the machine slows every contender alike.
    """
    calls = []
    for fn in fns:
        fn()
        n, start = 1, time.perf_counter()
        while (time.perf_counter() - start) < min_round_seconds and n < 10_000:
            fn()
            n += 1
        calls.append(n)
    best = [float("inf")] * len(fns)
    for _ in range(rounds):
        for k, (fn, n) in enumerate(zip(fns, calls)):
            start = time.perf_counter()
            for _ in range(n):
                fn()
            best[k] = min(best[k], (time.perf_counter() - start) / n)
    return best


def show_cost(quick=False, batch=32):
    print(f"\n3. The cost of loss + gradient, batch {batch}, float64 (milliseconds per call)")
    sizes = (10, 100, 1_000) if quick else (10, 100, 1_000, 10_000)
    rng = np.random.default_rng(0)
    times = {"fused node": [], "unfused chain": [], "dense Jacobian": []}
    print(f"   {'C':>6}  {'fused node':>12}  {'unfused chain':>14}  {'dense Jacobian':>15}")
    for c in sizes:
        scores = rng.standard_normal((batch, c)) * 2
        target = rng.integers(0, c, batch)
        reference = minigrad_gradient(scores, target, True)[1]
        # The dense product is C^2 per sample: at C = 10 000 time a few samples, scale to 32.
        sample = batch if c <= 1_000 else 2
        np.testing.assert_allclose(dense_jacobian_gradient(scores[:sample], target[:sample])[1],
                                   reference[:sample] * batch / sample, rtol=1e-8, atol=1e-15)
        fused, unfused = best_times([lambda: minigrad_gradient(scores, target, True),
                                     lambda: minigrad_gradient(scores, target, False)])
        dense, = best_times([lambda: dense_jacobian_gradient(scores[:sample], target[:sample])],
                            rounds=3 if c <= 1_000 else 1, min_round_seconds=0)
        dense *= batch / sample
        for key, seconds in zip(times, (fused, unfused, dense)):
            times[key].append(seconds)
        note = f"   (timed on {sample} samples, x{batch // sample})" if sample < batch else ""
        print(f"   {c:>6}  {fused * 1e3:>12.3f}  {unfused * 1e3:>14.3f}  {dense * 1e3:>15.3f}{note}")
    for line in conclude_cost(sizes, times):
        print("   " + line)
    return sizes, times


def growth_exponent(sizes, seconds, points=2):
    """k in time ~ C^k, fitted on the `points` largest sizes (small C shows fixed costs)."""
    return float(np.polyfit(np.log(sizes[-points:]), np.log(seconds[-points:]), 1)[0])


def describe_growth(k):
    """Words for a measured exponent: linear near 1, quadratic near 2, else the number."""
    if abs(k - 1) <= 0.3:
        return "about linearly"
    if abs(k - 2) <= 0.4:
        return "about quadratically"
    if k < 0.7:
        return "slower than linearly (fixed per-call costs still dominate)"
    if k < 1.6:
        return "between linearly and quadratically"
    return "faster than quadratically"


def conclude_cost(sizes, times):
    """Sentences about the cost, each derived from the measured times (seconds per call)."""
    lines = [f"growth exponent k in time ~ C^k, from C = {sizes[-2]} to {sizes[-1]}:"]
    for key, seconds in times.items():
        k = growth_exponent(sizes, seconds)
        lines.append(f"  {key:<15} k = {k:.2f}: grows {describe_growth(k)}")
    names = list(times)
    order_at = [sorted(names, key=lambda n: times[n][i]) for i in range(len(sizes))]
    if all(order == order_at[0] for order in order_at):
        lines.append("fastest to slowest at every C: " + " < ".join(order_at[0]))
    else:
        lines.append("fastest to slowest at C = " + f"{sizes[-1]}: " + " < ".join(order_at[-1])
                     + " (the order changes with C)")
    fastest, slowest = order_at[-1][0], order_at[-1][-1]
    lines.append(f"at C = {sizes[-1]}, the {slowest} takes {times[slowest][-1] / times[fastest][-1]:.0f}x "
                 f"as long as the {fastest}")
    return lines


def _indent(array):
    return "      " + str(array).replace("\n", "\n      ")


if __name__ == "__main__":
    np.set_printoptions(precision=4, suppress=True, linewidth=100)  # here: importing changes nothing
    show_collapse()
    show_stability()
    show_cost(quick="--quick" in sys.argv)
