"""`check_op`: everything a new primitive must satisfy, in one call.

1. its rules return one array per input / one per output, of the right shapes and dtypes
   (in float64 and in float32, so a rule that silently promotes is caught);
2. the adjoint (dot-product) identity <u, J v> == <J^T u, v>, which ties the VJP rule to
   the JVP rule exactly (to rounding, with no finite differences involved);
3. both modes against central differences (`gradcheck`);
4. second order: the VJP rule and the JVP rule themselves differentiated (through
   create_graph, and through differentiable tangents) against central differences, in
   both modes, so Hessians built any way (grad of grad, grad of jvp, jvp of jvp) are
   right too.
"""
from __future__ import annotations

import copy
from typing import Any

import numpy as np

from minigrad.tensor import Tensor
from minigrad.forward_mode import zero_tangent
from minigrad.testing.gradcheck import (GradcheckError, as_float64_inputs, differentiable,
                                        gradcheck, is_differentiable)
from minigrad.transforms import jvp, restrict, vjp
from minigrad.primitive import Primitive


def check_op(op: Primitive, *inputs: Any, eps: float = 1e-6, atol: float = 1e-5,
             rtol: float = 1e-3, seed: int = 0, second_order: bool = True) -> bool:
    """Verify one primitive: rule shapes and dtypes, the adjoint identity, both modes
    against central differences, and (by default) second derivatives.

    Args:
        op: a Primitive instance with its parameters set, e.g. `Sum(axes=(0,))`; it is
            copied for each application, so it can be checked repeatedly.
        inputs: the arguments (floating ones are differentiated in float64).
        second_order: also gradcheck the derivative of the VJP rule.

    Returns:
        True when every check passes.

    Raises:
        GradcheckError: naming the op, the check that failed and the values.
    """
    arrays = as_float64_inputs(inputs)
    name = op.op
    rng = np.random.default_rng(seed)
    for dtype in (np.float64, np.float32):
        _check_rule_outputs(op, [_cast(a, dtype) for a in arrays], rng, name)
    _check_adjoint_identity(op, arrays, rng, name)

    def apply(*xs):
        return copy.copy(op)(*xs)
    try:
        gradcheck(apply, *arrays, eps=eps, atol=atol, rtol=rtol, seed=seed)
    except GradcheckError as error:
        raise GradcheckError(f"{name}: {error}") from None
    if second_order:
        try:
            gradcheck(_vjp_projection(apply, arrays, rng), *arrays, eps=eps, atol=atol,
                      rtol=rtol, seed=seed)
        except GradcheckError as error:
            raise GradcheckError(
                f"{name}: second order (the derivative of <vjp(x)(u), w>, i.e. of the VJP "
                f"rule itself): {error}. If first order passes, the VJP rule uses a value "
                "that create_graph cannot differentiate (e.g. array_of(x) or np.* on an "
                "input where xp = array_namespace(z_bar) was needed)") from None
        try:
            gradcheck(_jvp_projection(apply, arrays, rng), *arrays, eps=eps, atol=atol,
                      rtol=rtol, seed=seed)
        except GradcheckError as error:
            raise GradcheckError(
                f"{name}: second order (the derivative of <u, jvp(x)(v)>, i.e. of the JVP "
                f"rule itself): {error}. If first order passes, the JVP rule uses a value "
                "that reverse mode cannot differentiate (e.g. an array saved by forward, or "
                "np.* on an input, where a recorded op was needed when `recording(x)`)"
            ) from None
    return True


def _cast(array, dtype):
    return array.astype(dtype) if is_differentiable(array) else array


def _fresh(op, arrays):
    instance = copy.copy(op)
    instance.needs_grad = tuple(is_differentiable(a) for a in arrays)
    return instance


def _tangent_like(array, rng):
    return _random_like(array, rng) if is_differentiable(array) else zero_tangent(array)


def _random_like(array, rng):
    return rng.standard_normal(array.shape).astype(array.dtype)


def _check_rule_outputs(op, arrays, rng, name):
    instance = _fresh(op, arrays)
    z = np.asarray(instance.forward(*arrays))
    bars = instance.vjp(_random_like(z, rng), z, *arrays)
    bars = bars if isinstance(bars, (tuple, list)) else (bars,)
    if len(bars) != len(arrays):
        raise GradcheckError(f"{name}: VJP returned {len(bars)} cotangents for {len(arrays)} inputs")
    for i in differentiable(arrays):
        bar = np.asarray(bars[i])
        if bar.shape != arrays[i].shape or bar.dtype != arrays[i].dtype:
            raise GradcheckError(
                f"{name}: VJP cotangent for input {i} is {bar.shape} {bar.dtype}, but the "
                f"input is {arrays[i].shape} {arrays[i].dtype}")
    tangents = [_tangent_like(a, rng) for a in arrays]
    z_dot = np.asarray(instance.jvp(*tangents, z, *arrays))
    if z_dot.shape != z.shape or z_dot.dtype != z.dtype:
        raise GradcheckError(f"{name}: JVP tangent is {z_dot.shape} {z_dot.dtype}, but the "
                             f"output is {z.shape} {z.dtype}")


def _check_adjoint_identity(op, arrays, rng, name):
    """<u, J v> from the JVP rule must equal <J^T u, v> from the VJP rule, to rounding."""
    instance = _fresh(op, arrays)
    z = np.asarray(instance.forward(*arrays))
    u = rng.standard_normal(z.shape)
    v = [_tangent_like(a, rng) for a in arrays]
    bars = instance.vjp(u, z, *arrays)
    bars = bars if isinstance(bars, (tuple, list)) else (bars,)
    forward_terms = u * np.asarray(instance.jvp(*v, z, *arrays))
    reverse_terms = [np.asarray(bars[i]) * v[i] for i in differentiable(arrays)]
    lhs, rhs = np.sum(forward_terms), sum(np.sum(t) for t in reverse_terms)
    scale = np.sum(np.abs(forward_terms)) + sum(np.sum(np.abs(t)) for t in reverse_terms)
    # Exact up to rounding: both sides add the same products, in different orders and in
    # the coarsest dtype involved (a float32 cast rounds at about 1e-7).
    coarsest = max(np.finfo(d).eps for d in [z.dtype] + [arrays[i].dtype for i in differentiable(arrays)])
    # A Jacobian that is zero by cancellation (softmax over one class: p - 1 = 0) leaves
    # rounding noise of order eps |u| |v| on both sides, which `scale` cannot see.
    noise = 100 * coarsest * np.sqrt(np.sum(u * u) * sum(np.sum(v[i] * v[i])
                                                         for i in differentiable(arrays)))
    if not abs(lhs - rhs) <= max(1e-10, 100 * coarsest) * scale + noise + 1e-300:
        raise GradcheckError(
            f"{name}: adjoint identity fails: <u, J v> = {lhs:.15g} from the JVP rule but "
            f"<J^T u, v> = {rhs:.15g} from the VJP rule. The two rules describe different "
            "Jacobians; at least one of them is wrong")


def _jvp_projection(apply, arrays, rng):
    """x -> <u, J(x) v>: differentiating it differentiates the JVP rule."""
    positions = differentiable(arrays)
    v = [rng.standard_normal(arrays[i].shape) for i in positions]
    z = np.asarray(apply(*[Tensor(a) if is_differentiable(a) else a for a in arrays]).data)
    u = rng.standard_normal(z.shape)

    def jvp_projection(*xs):
        _, tangent = jvp(restrict(apply, xs, positions), tuple(xs[i] for i in positions),
                         tuple(v))
        return (tangent * u).sum()
    return jvp_projection


def _vjp_projection(apply, arrays, rng):
    """x -> sum_k <vjp(x)(u)_k, w_k>: differentiating it differentiates the VJP rule."""
    z = np.asarray(apply(*[Tensor(a) if is_differentiable(a) else a for a in arrays]).data)
    u = rng.standard_normal(z.shape)
    w = {i: rng.standard_normal(arrays[i].shape) for i in differentiable(arrays)}

    def vjp_projection(*xs):
        positions = list(w)
        _, vjp_fn = vjp(restrict(apply, xs, positions), *[xs[i] for i in positions])
        total = 0.0
        for bar, i in zip(vjp_fn(u), positions):
            total = (bar * w[i]).sum() + total
        return total
    return vjp_projection
