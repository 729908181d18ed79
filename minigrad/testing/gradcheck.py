"""Gradient checking: analytic derivatives against central differences, in float64.

Central differences: (f(x + eps v) - f(x - eps v)) / (2 eps) = J v + O(eps^2), so with
eps = 1e-6 in float64 the numeric value is good to about 1e-9 for smooth functions.

Small inputs are checked element by element (the full Jacobian, both modes), large ones
by random projections: for random u and v, <u, J v> from central differences must match
both <u, jvp(v)> (forward mode) and <vjp(u), v> (reverse mode).
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from minigrad.tensor import Tensor
from minigrad.transforms import jvp, restrict, vjp

#: Inputs and outputs up to this many elements get the full Jacobian compared.
FULL_JACOBIAN_LIMIT = 64


class GradcheckError(AssertionError):
    """Analytic and numeric derivatives disagree; the message says where and by how much."""


def as_float64_inputs(inputs):
    """Copies of the inputs as float64 arrays. Integer and boolean inputs, Python numbers
    (which the engine always treats as constants) and None (an absent optional input,
    such as a bias) are passed through."""
    arrays = []
    for x in inputs:
        # Exact types: np.float64 subclasses float, but the engine treats it as an array
        # (not a weak Python number), so it is differentiated like one.
        if x is None or type(x) in (int, float, bool):
            arrays.append(x)
            continue
        array = np.array(x.data if isinstance(x, Tensor) else x)
        arrays.append(array.astype(np.float64) if array.dtype.kind == "f" else array)
    return arrays


def differentiable(arrays):
    """The positions of the inputs that are differentiated (floating arrays)."""
    return [i for i, a in enumerate(arrays) if is_differentiable(a)]


def is_differentiable(value):
    return isinstance(value, np.ndarray) and value.dtype.kind == "f"


def central_difference(f, arrays, directions, eps):
    """(f(x + eps v) - f(x - eps v)) / (2 eps) with v given per differentiable input."""
    plus = [a + eps * d if d is not None else a for a, d in zip(arrays, directions)]
    minus = [a - eps * d if d is not None else a for a, d in zip(arrays, directions)]
    return (_evaluate(f, plus) - _evaluate(f, minus)) / (2 * eps)


def _as_argument(value):
    return Tensor(value) if is_differentiable(value) else value


def _evaluate(f, arrays):
    from minigrad.grad_mode import no_grad
    with no_grad():
        out = f(*[_as_argument(a) for a in arrays])
    return np.asarray(out.data if isinstance(out, Tensor) else out, dtype=np.float64)


def _of_differentiable(f, arrays):
    positions = differentiable(arrays)
    return restrict(f, arrays, positions), positions


def analytic_vjp(f, arrays, u):
    """J^T u by reverse mode, as a list aligned with `arrays` (None for constants)."""
    g, positions = _of_differentiable(f, arrays)
    out, vjp_fn = vjp(g, *[Tensor(arrays[i]) for i in positions])
    bars = [None] * len(arrays)
    for i, bar in zip(positions, vjp_fn(u.astype(out.dtype))):
        bars[i] = np.asarray(bar.data)
    return bars


def analytic_jvp(f, arrays, directions):
    """J v by forward mode (directions aligned with `arrays`, None for zero)."""
    g, positions = _of_differentiable(f, arrays)
    tangents = [directions[i] if directions[i] is not None else np.zeros(arrays[i].shape)
                for i in positions]
    _, tangent = jvp(g, tuple(Tensor(arrays[i]) for i in positions), tuple(tangents))
    return np.asarray(tangent.data)


def gradcheck(f: Callable[..., Any], *inputs: Any, eps: float = 1e-6, atol: float = 1e-5,
              rtol: float = 1e-3, seed: int = 0) -> bool:
    """Check f's reverse- and forward-mode derivatives against central differences.

    Args:
        f: a function of tensors returning a tensor.
        inputs: its arguments (tensors, arrays or numbers); floating ones are differentiated,
            in float64, and integer or boolean ones passed through as constants.
        eps, atol, rtol: the difference step and the tolerance |analytic - numeric| <=
            atol + rtol * |numeric|.
        seed: for the random projection directions.

    Returns:
        True when every check passes.

    Raises:
        GradcheckError: naming the mode, the input, the worst element, both values and a
            likely cause.

    >>> import minigrad as mg
    >>> mg.testing.gradcheck(lambda x: (x * x).sum(), mg.tensor([1.0, -2.0]))
    True
    """
    arrays = as_float64_inputs(inputs)
    rng = np.random.default_rng(seed)
    out = _evaluate(f, arrays)
    for k in differentiable(arrays):
        if arrays[k].size <= FULL_JACOBIAN_LIMIT and out.size <= FULL_JACOBIAN_LIMIT:
            _check_full_jacobian(f, arrays, k, out, eps, atol, rtol)
        else:
            _check_projection(f, arrays, k, out, eps, atol, rtol, rng)
    return True


def _basis(array, i):
    e = np.zeros(array.shape)
    e.reshape(-1)[i] = 1.0
    return e


def _check_full_jacobian(f, arrays, k, out, eps, atol, rtol):
    """Column j of J (input k) by differences and by JVP; row i by VJP; all compared."""
    n, m = arrays[k].size, out.size
    numeric = np.empty((m, n))
    forward = np.empty((m, n))
    reverse = np.empty((m, n))
    for j in range(n):
        directions = [None] * len(arrays)
        directions[k] = _basis(arrays[k], j)
        numeric[:, j] = central_difference(f, arrays, directions, eps).reshape(-1)
        forward[:, j] = analytic_jvp(f, arrays, directions).reshape(-1)
    for i in range(m):
        u = np.zeros(out.shape)
        u.reshape(-1)[i] = 1.0
        reverse[i, :] = analytic_vjp(f, arrays, u)[k].reshape(-1)
    for mode, analytic in (("reverse mode (VJP)", reverse), ("forward mode (JVP)", forward)):
        _compare(analytic, numeric, atol, rtol, mode, k, arrays, out.shape, full=True)
    _compare_modes(forward, reverse, k, arrays, atol)


def _check_projection(f, arrays, k, out, eps, atol, rtol, rng):
    """<u, J v> three ways, for a random u and a random v on input k."""
    v = rng.standard_normal(arrays[k].shape)
    u = rng.standard_normal(out.shape)
    directions = [None] * len(arrays)
    directions[k] = v
    numeric = np.array([np.sum(u * central_difference(f, arrays, directions, eps))])
    reverse = np.array([np.sum(analytic_vjp(f, arrays, u)[k] * v)])
    forward = np.array([np.sum(u * analytic_jvp(f, arrays, directions))])
    for mode, analytic in (("reverse mode (VJP)", reverse), ("forward mode (JVP)", forward)):
        _compare(analytic, numeric, atol, rtol, mode, k, arrays, out.shape, full=False)
    _compare_modes(forward, reverse, k, arrays, atol)


#: Forward and reverse mode compute the same numbers from independent rules, so they must
#: agree to rounding: far tighter than any finite-difference tolerance. This is what
#: catches a rule that is only slightly wrong (0.1%) in one mode. The floor, a small
#: fraction of atol, absorbs rounding noise where the Jacobian is zero by cancellation.
MODES_RTOL = 1e-7
MODES_ATOL_FRACTION = 1e-4


def _compare_modes(forward, reverse, k, arrays, atol):
    scale = np.max(np.abs(forward), initial=0.0) + np.max(np.abs(reverse), initial=0.0)
    tolerance = MODES_RTOL * scale + MODES_ATOL_FRACTION * atol
    if np.all(np.abs(forward - reverse) <= tolerance) or np.any(np.isnan(forward)):
        return
    raise GradcheckError(
        f"gradcheck failed for input {k} (shape {arrays[k].shape}): forward mode and reverse "
        f"mode disagree beyond rounding (worst difference "
        f"{np.max(np.abs(forward - reverse)):.3g}, allowed {tolerance:.3g}), although both "
        f"may be within the finite-difference tolerance. Likely cause: one of the JVP and VJP "
        f"rules is slightly wrong; mg.testing.check_op on each primitive finds which one")


def _compare(analytic, numeric, atol, rtol, mode, k, arrays, out_shape, full):
    excess = np.abs(analytic - numeric) - (atol + rtol * np.abs(numeric))
    excess = np.where(np.isnan(analytic) != np.isnan(numeric), np.inf, excess)
    if not np.any(excess > 0):
        return
    worst = np.unravel_index(np.nanargmax(excess), excess.shape)
    a, n = analytic[worst], numeric[worst]
    if full:
        out_index = tuple(int(i) for i in np.unravel_index(worst[0], out_shape))
        in_index = tuple(int(i) for i in np.unravel_index(worst[1], arrays[k].shape))
        where = (f"d out{list(out_index)} / d input{k}{list(in_index)} "
                 f"(input value {arrays[k][in_index]:.6g})")
    else:
        where = f"the projection <u, J v> onto random directions for input {k}"
    raise GradcheckError(
        f"gradcheck failed in {mode} for input {k} (shape {arrays[k].shape}): at {where}, "
        f"analytic {a:.10g} vs numeric {n:.10g} (tolerance atol={atol:g}, rtol={rtol:g}). "
        f"Likely cause: {likely_cause(analytic, numeric, arrays[k], full)}")


def likely_cause(analytic, numeric, x, full):
    """A guess at why analytic and numeric differ, from the pattern of the disagreement."""
    finite = np.isfinite(numeric) & np.isfinite(analytic)
    if not np.all(np.isfinite(numeric)) or np.max(np.abs(numeric[finite]), initial=0) > 1e6:
        return ("the function is not differentiable here (a kink, a pole or an infinite "
                "slope); move the input away from it")
    if full and np.any(np.abs(x) < 1e-4) and x.size > 0:
        return ("an input element lies within 1e-4 of 0, where relu, abs and sqrt have kinks "
                "or infinite slopes; move it away, or check the convention at the kink")
    # Zero first: an all-zero analytic value is also "the numeric one times 0".
    if np.allclose(analytic, 0) and not np.allclose(numeric, 0):
        return "the rule returns zero: a path is not connected, or a mask drops this element"
    scale = np.sum(analytic * numeric) / max(np.sum(numeric * numeric), 1e-300)
    if np.allclose(analytic, scale * numeric, rtol=1e-6, atol=1e-9) and abs(scale - 1) > 1e-6:
        return f"the analytic derivative is the numeric one times {scale:.6g}: a constant factor is off"
    if full and analytic.shape[0] == analytic.shape[1] and np.allclose(analytic.T, numeric):
        return "the rule applies J instead of J^T (a transpose is missing)"
    if full and np.allclose(analytic.sum(axis=1), numeric.sum(axis=1)):
        return ("the right total lands on the wrong elements: check broadcasting (sum the "
                "cotangent over broadcast axes) and index bookkeeping")
    return "the rule's formula differs from the function's derivative; re-derive it"
