"""Timing that survives a noisy machine: interleave the two contenders, keep the best.

Both functions run alternately, many rounds each, and each keeps its fastest round:
the minimum is the run least disturbed by other processes, and interleaving means a
slow patch of the machine hits both sides alike, so their ratio stays honest.
"""
import time
from dataclasses import dataclass


@dataclass
class Row:
    """One benchmark line: minigrad against the NumPy reference measured beside it."""

    name: str
    minigrad: float  # seconds per call (or per unit, see `unit`)
    numpy: float
    target: float  # the ratio minigrad / numpy must stay within
    unit: str = "s"
    note: str = ""

    @property
    def ratio(self):
        return self.minigrad / self.numpy

    @property
    def verdict(self):
        return "ok" if self.ratio <= self.target else "MISS"


def best_of_interleaved(first, second, rounds=15, min_round_seconds=0.02):
    """Seconds per call of `first` and `second`, the best round of each, run alternately."""
    calls = _calls_per_round(first, min_round_seconds)
    best = [float("inf"), float("inf")]
    for _ in range(rounds):
        for k, fn in enumerate((first, second)):
            start = time.perf_counter()
            for _ in range(calls):
                fn()
            best[k] = min(best[k], (time.perf_counter() - start) / calls)
    return best[0], best[1]


def _calls_per_round(fn, min_round_seconds):
    fn()  # warm up
    calls = 1
    while True:
        start = time.perf_counter()
        for _ in range(calls):
            fn()
        if time.perf_counter() - start >= min_round_seconds:
            return calls
        calls *= 2


def format_rows(title, rows):
    """A plain-text table: name, minigrad, numpy, ratio, target, verdict."""
    lines = [title, f"  {'case':<44}{'minigrad':>12}{'numpy':>12}{'ratio':>8}{'target':>8}"]
    for row in rows:
        scale, unit = (1e6, "us") if row.unit == "s" else (1.0, row.unit)
        lines.append(
            f"  {row.name:<44}{row.minigrad * scale:>10.2f}{unit:>2}{row.numpy * scale:>10.2f}"
            f"{unit:>2}{row.ratio:>7.2f}x{row.target:>7.2f}x  {row.verdict} {row.note}")
    return "\n".join(lines)
