"""Engine overhead: what every op costs beyond its NumPy work.

(a) a 200-op elementwise chain (multiply by a constant, add a constant, tanh, repeated)
    on a (16,) float64 tensor, forward + backward, in microseconds per op;
(b) a 10^5-op chain of the same ops: forward + backward time, and peak memory growth;
(c) the 200-op chain on the reference engine (reference.py, the textbook), and under
    anomaly mode (which checks every value for inf/NaN), for comparison: neither has a
    target. Anomaly mode off costs nothing: op application is then the fast engine's own
    function (tests/test_anomaly.py asserts it), so row (a) is the "off" figure.
The reference is the same chain written by hand in NumPy: a forward loop that keeps
what backward needs, and a backward loop applying each derivative.
"""
import time
import tracemalloc

import numpy as np

import minigrad as mg
from timing import Row, best_of_interleaved

SCALE, SHIFT = 1.01, 0.1


def minigrad_chain(x0, n_ops):
    x = mg.tensor(x0, requires_grad=True)
    y = x
    for _ in range(n_ops // 3):
        y = mg.tanh(y * SCALE + SHIFT)
    y.backward(np.ones_like(x0))
    return x.grad.data


def numpy_chain(x0, n_ops):
    saved = []
    y = x0
    for _ in range(n_ops // 3):
        y = np.tanh(y * SCALE + SHIFT)
        saved.append(y)
    g = np.ones_like(x0)
    for y in reversed(saved):
        g = g * (1 - y * y) * SCALE
    return g


def peak_growth_mb(fn):
    tracemalloc.start()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2 ** 20


def run(quick=False):
    x0 = np.random.default_rng(0).standard_normal(16)
    n_small = 201
    np.testing.assert_allclose(minigrad_chain(x0, n_small), numpy_chain(x0, n_small), rtol=1e-12)
    rounds = 5 if quick else 15
    mg_s, np_s = best_of_interleaved(lambda: minigrad_chain(x0, n_small),
                                     lambda: numpy_chain(x0, n_small), rounds=rounds)
    rows = [Row("(a) 200-op chain, per op (fwd+bwd)", mg_s / n_small, np_s / n_small, 3.0)]
    for label, context in (("reference engine", lambda: mg.use_engine("reference")),
                           ("anomaly mode on", mg.detect_anomaly)):
        def in_context():
            with context():
                return minigrad_chain(x0, n_small)
        np.testing.assert_allclose(in_context(), numpy_chain(x0, n_small), rtol=1e-12)
        slow_s, np_again_s = best_of_interleaved(in_context, lambda: numpy_chain(x0, n_small),
                                                 rounds=rounds)
        rows.append(Row(f"(c) 200-op chain, {label}, per op", slow_s / n_small,
                        np_again_s / n_small, float("inf")))

    n_large = 30_000 if quick else 100_002
    timings = []
    for fn in (minigrad_chain, numpy_chain):
        best = float("inf")
        for _ in range(2 if quick else 3):
            start = time.perf_counter()
            fn(x0, n_large)
            best = min(best, time.perf_counter() - start)
        timings.append(best)
    rows.append(Row(f"(b) {n_large}-op chain, fwd+bwd", timings[0], timings[1], 8.0, unit="s"))
    mg_mb = peak_growth_mb(lambda: minigrad_chain(x0, n_large))
    np_mb = peak_growth_mb(lambda: numpy_chain(x0, n_large))
    rows.append(Row(f"(b) {n_large}-op chain, peak memory", mg_mb, np_mb, float("inf"),
                    unit="MB", note=f"(target: under 100 MB; {mg_mb:.1f} MB)"))
    return [("Engine overhead (float64)", rows)]
