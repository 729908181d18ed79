"""Softmax cross-entropy: the fused p - y node against the unfused chain and hand-written NumPy.

Loss and gradient with respect to the logits, batch 32, float64, C = 10 ... 10 000:
(a) minigrad's fused SoftmaxNLL node, (b) the unfused chain (log_softmax -> NLL pick ->
mean), each as a ratio to (c) NumPy written by hand: one softmax, then p - y. (c) is the
limit: it does only the arithmetic the lesson says is needed. Growth exponents (the slope
of log time against log C, from C = 1 000 to 10 000) show whether the cost is linear in C.
"""
import numpy as np

import minigrad as mg
from minigrad.nn import functional as F
from timing import Row, best_of_interleaved

BATCH = 32
CLASSES = (10, 100, 1_000, 10_000)


def numpy_cross_entropy(logits, target):
    """Mean cross-entropy and its gradient (p - y) / N, by hand."""
    n = len(target)
    rows = np.arange(n)
    shifted = logits - logits.max(axis=1, keepdims=True)
    e = np.exp(shifted)
    total = e.sum(axis=1, keepdims=True)
    loss = np.mean(np.log(total[:, 0]) - shifted[rows, target])
    grad = e / total
    grad[rows, target] -= 1
    grad /= n
    return loss, grad


def minigrad_cross_entropy(logits, target, fused):
    x = mg.tensor(logits, requires_grad=True)
    loss = F.cross_entropy(x, target, fused=fused)
    loss.backward()
    return loss.item(), x.grad.data


def growth_exponent(times, sizes):
    """Slope of log(time) against log(C) between the last two sizes."""
    return float(np.log(times[-1] / times[-2]) / np.log(sizes[-1] / sizes[-2]))


def run(quick=False):
    rng = np.random.default_rng(0)
    rounds = 5 if quick else 15
    ratio_rows, versus_rows = [], []
    times = {"fused": [], "unfused": [], "numpy": []}
    for c in CLASSES:
        logits = rng.standard_normal((BATCH, c)) * 3
        target = rng.integers(0, c, BATCH)
        expected_loss, expected_grad = numpy_cross_entropy(logits, target)
        for fused in (True, False):
            loss, grad = minigrad_cross_entropy(logits, target, fused)
            np.testing.assert_allclose(loss, expected_loss, rtol=1e-12)
            np.testing.assert_allclose(grad, expected_grad, rtol=1e-10, atol=1e-17)

        def fused():
            return minigrad_cross_entropy(logits, target, True)

        def unfused():
            return minigrad_cross_entropy(logits, target, False)

        def numpy():
            return numpy_cross_entropy(logits, target)

        fused_s, numpy_s = best_of_interleaved(fused, numpy, rounds=rounds)
        unfused_s, fused_again_s = best_of_interleaved(unfused, fused, rounds=rounds)
        fused_s = min(fused_s, fused_again_s)
        for key, seconds in (("fused", fused_s), ("unfused", unfused_s), ("numpy", numpy_s)):
            times[key].append(seconds)
        # Per-call overhead (a few tensors, one tape entry) dominates at small C; the
        # 1.3x target applies where the arithmetic does, C >= 1 000.
        target_ratio = 1.3 if c >= 1_000 else float("inf")
        ratio_rows.append(Row(f"fused node, C={c}", fused_s, numpy_s, target_ratio))
        ratio_rows.append(Row(f"unfused chain, C={c}", unfused_s, numpy_s, float("inf"),
                              note=f"({unfused_s / fused_s:.2f}x the fused node)"))
        versus_rows.append(Row(f"fused / unfused, C={c}", fused_s, unfused_s, 1.0,
                               note="(numpy column: unfused)"))
    exponents = {key: growth_exponent(t, CLASSES) for key, t in times.items()}
    growth_rows = [
        Row("fused node vs NumPy, C 1e3 -> 1e4", exponents["fused"], exponents["numpy"], 1.15,
            unit="k", note="(growth exponents; 1 = linear in C)"),
        Row("unfused chain vs NumPy, C 1e3 -> 1e4", exponents["unfused"], exponents["numpy"],
            float("inf"), unit="k"),
    ]
    title = f"Softmax cross-entropy, loss + gradient, batch {BATCH}, float64"
    return [(title + ": ratio to hand-written NumPy p - y", ratio_rows),
            (title + ": fused against unfused (target: fused faster)", versus_rows),
            (title + ": cost growth with C", growth_rows)]
