"""`clip_grad_norm_`: rescale the gradients of a model so that their joint norm is bounded."""
from __future__ import annotations

import math
from typing import Iterable

import numpy as np

from minigrad import versions
from minigrad.tensor import Tensor, wrap


def clip_grad_norm_(parameters: Tensor | Iterable[Tensor], max_norm: float,
                    norm_type: float = 2.0, error_if_nonfinite: bool = False,
                    foreach: bool | None = None) -> Tensor:
    """Scale the parameters' gradients in place so that their total norm is at most max_norm.

    PyTorch's rule: the total norm is the norm of all gradients joined into one vector,

        total = (sum over gradients g of sum |g|^p) ^ (1/p)        (max |g| for p = inf)
        every g = g * min(1, max_norm / (total + 1e-6))

    Parameters whose `.grad` is None are skipped. The norm is computed in float64 (and
    without overflow, by rescaling, should the squares exceed float64's range); the
    gradients keep their dtypes. A gradient array shared with another parameter's, or
    read-only, is first copied, so every gradient is scaled exactly once.

    Args:
        parameters: an iterable of tensors (e.g. `model.parameters()`), or one tensor.
        max_norm: the largest total norm allowed.
        norm_type: p of the p-norm, a number or `float("inf")`.
        error_if_nonfinite: raise if the total norm is nan or inf (otherwise, as PyTorch,
            the gradients are scaled by the non-finite factor and the norm is returned).
        foreach: accepted for PyTorch compatibility; ignored.

    Returns:
        The total norm of the gradients before clipping, a 0-d Tensor (in the gradients'
        dtype; 0.0 when no parameter has a gradient).

    Raises:
        RuntimeError: if error_if_nonfinite is True and the total norm is nan or inf.

    >>> import minigrad as mg
    >>> w = mg.tensor([3.0, 4.0], requires_grad=True)
    >>> (w * w).sum().backward()                   # grad = 2 w = (6, 8), norm 10
    >>> mg.nn.utils.clip_grad_norm_([w], max_norm=1.0)
    tensor(10.)
    >>> w.grad                                      # now of norm 1 (to 1e-7)
    tensor([0.59999994, 0.79999992])
    """
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    params = [p for p in parameters if p.grad is not None]
    max_norm, norm_type = float(max_norm), float(norm_type)
    if not params:
        return Tensor(0.0)
    grads = [_grad_of(p).data for p in params]
    total = _total_norm(grads, norm_type)
    if error_if_nonfinite and not math.isfinite(total):
        raise RuntimeError(
            f"clip_grad_norm_: the total norm of order {norm_type} of the gradients is "
            f"{total}, so they cannot be clipped; find the op that produced it (with "
            "mg.detect_anomaly()), or pass error_if_nonfinite=False to scale anyway")
    coefficient = max_norm / (total + 1e-6)
    if not coefficient >= 1.0:  # also nan, as PyTorch's clamp(max=1) keeps it
        owners = set()
        for p in params:  # first give shared or read-only gradients arrays of their own
            g = _grad_of(p).data
            if id(versions.owner(g)) in owners or not g.flags.writeable:
                p.grad = wrap(np.array(g))
            owners.add(id(versions.owner(_grad_of(p).data)))
        with np.errstate(invalid="ignore"):  # inf * 0 where the norm is inf: as PyTorch
            for p in params:
                g = _grad_of(p).data
                g *= coefficient
                versions.note_change(g)
    return Tensor(total, dtype=np.result_type(*grads))


def _grad_of(p: Tensor) -> Tensor:
    """p.grad, which the caller has checked is set."""
    assert p.grad is not None
    return p.grad


def _total_norm(grads, p):
    """PyTorch's total: the p-norm of the vector of the gradients' p-norms (a float)."""
    return _vector_norm(np.array([_vector_norm(g, p) for g in grads]), p)


def _vector_norm(array, p):
    """The p-norm of `array` flattened, in float64, as a Python float."""
    a = np.abs(array.astype(np.float64, copy=False).ravel())
    if p == math.inf:
        return float(a.max(initial=0.0))
    if p == -math.inf:
        return float(a.min(initial=math.inf))
    if p == 0:
        return float(np.count_nonzero(a))
    norm = _p_norm(a, p)
    if math.isinf(norm) and np.all(np.isfinite(a)):
        largest = float(a.max())  # |a|^p overflowed: factor out the largest, sum again
        norm = largest * _p_norm(a / largest, p)
    return norm


def _p_norm(a, p):
    with np.errstate(over="ignore"):  # an overflow is caught and rescaled by the caller
        total = float(np.dot(a, a)) if p == 2 else float(np.sum(a ** p))
    return total ** (1 / p)
