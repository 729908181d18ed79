"""Comparing a student's arrays with the solution's, and saying where they differ."""
import numpy as np

from minigrad.testing.gradcheck import likely_cause

#: Elementwise |got - expected| <= RTOL |expected| + ATOL_SCALE max|expected|. Rounding
#: differences between two correct rules are ~1e-16 relative; a rule that is 0.1% wrong
#: is off by 1e-3, so it fails by three orders of magnitude either way.
RTOL = 1e-7
ATOL_SCALE = 1e-9


def mismatch(got, expected, what, rtol=RTOL, atol_scale=ATOL_SCALE, hint=True):
    """None when `got` matches `expected`, else a message naming the worst element.

    >>> print(mismatch(np.array([1.0, 4.0]), np.array([0.5, 2.0]), "x_bar"))
    x_bar: worst element [1]: yours 4, expected 2 (relative error 1). Likely cause: yours is
    the expected value times 2: a constant factor is off
    """
    got, expected = np.asarray(got), np.asarray(expected)
    if got.shape != expected.shape:
        return (f"{what}: shape {got.shape}, expected {expected.shape}"
                + (" (sum over the axes that broadcasting added or stretched)"
                   if got.size > expected.size else ""))
    if got.dtype.kind not in "fiub" or expected.dtype.kind not in "fiub":
        return None if np.array_equal(got, expected) else f"{what}: {got!r}, expected {expected!r}"
    if got.dtype.kind == "f" and expected.dtype.kind == "f" and got.dtype != expected.dtype:
        return f"{what}: dtype {got.dtype}, expected {expected.dtype} (a rule promoted or cast)"
    if got.size == 0:
        return None
    g, e = got.astype(np.float64), expected.astype(np.float64)
    both_nan = np.isnan(g) & np.isnan(e)
    same_inf = np.isinf(g) & (g == e)
    scale = np.max(np.abs(e[np.isfinite(e)]), initial=0.0)
    with np.errstate(invalid="ignore"):
        excess = np.abs(g - e) - (rtol * np.abs(e) + atol_scale * max(scale, 1.0))
    excess = np.where(both_nan | same_inf, -1.0, np.where(np.isnan(excess), np.inf, excess))
    if not np.any(excess > 0):
        return None
    worst = np.unravel_index(int(np.argmax(excess)), excess.shape)
    index = list(int(i) for i in worst)
    a, b = g[worst], e[worst]
    relative = abs(a - b) / abs(b) if b != 0 and np.isfinite(b) else float("inf")
    message = (f"{what}: worst element {index}: yours {a:.10g}, expected {b:.10g} "
               f"(relative error {relative:.3g})")
    if hint and np.all(np.isfinite(g)) and np.all(np.isfinite(e)):
        cause = likely_cause(g.reshape(-1), e.reshape(-1), e, False)
        message += ". Likely cause: " + cause.replace(
            "the analytic derivative is the numeric one", "yours is the expected value")
    elif not np.all(np.isfinite(g)):
        message += ". Yours holds nan or inf where the expected values are finite"
    return message
