"""NumPy interop: NumPy's functions and ufuncs called on tensors use minigrad's ops.

`np.exp(t)`, `np.sum(t, axis=0)`, `np.maximum(t, 0)` and `np.concatenate([t, u])` reach
Tensor.__array_ufunc__ / __array_function__ (NEP 13 and NEP 18), which call the minigrad
op of the same meaning, so the result is a recorded Tensor and gradients flow. This is
also what lets a rule written with `np.cos(x)` run on Tensors under create_graph.

A NumPy function minigrad has no op for (np.linalg.solve, np.isnan, ...) is computed on
the arrays. Its result is returned as NumPy returns it when no input requires grad, or
when it holds no floating values (a boolean mask, indices: no gradient is lost); when an
input requires grad and the result is floating, a gradient could not flow, so it raises a
TypeError that says so. Writing into an ndarray (`p.data -= lr * p.grad`, `out=array`)
computes on the arrays in the same way.
"""
from __future__ import annotations

import functools
import inspect
from typing import Any, Callable

import numpy as np

from minigrad import grad_mode, inplace, ops
from minigrad.tensor import Tensor, wrap
from minigrad.typing import Axis, TensorLike

# NumPy's parameter names, so np.sum(t, axis=0) binds as NumPy's own call would.


A = TensorLike  # what NumPy hands over: a Tensor (or, beside one, an array or a number)


def _sum(a: A, axis: Axis = None, keepdims: bool = False) -> Tensor:
    return ops.sum(a, axis, keepdims)
def _mean(a: A, axis: Axis = None, keepdims: bool = False) -> Tensor:
    return ops.mean(a, axis, keepdims)
def _max(a: A, axis: Axis = None, keepdims: bool = False) -> Tensor:
    return ops.max(a, axis, keepdims)
def _min(a: A, axis: Axis = None, keepdims: bool = False) -> Tensor:
    return ops.min(a, axis, keepdims)
def _var(a: A, axis: Axis = None, ddof: int = 0, keepdims: bool = False) -> Tensor:
    return ops.var(a, axis, keepdims, ddof)
def _std(a: A, axis: Axis = None, ddof: int = 0, keepdims: bool = False) -> Tensor:
    return ops.sqrt(ops.var(a, axis, keepdims, ddof))
def _reshape(a: A, shape: Any) -> Tensor: return ops.reshape(a, shape)
def _transpose(a: A, axes: Any = None) -> Tensor:
    return ops.transpose(a, *(() if axes is None else (axes,)))
def _squeeze(a: A, axis: Axis = None) -> Tensor: return ops.squeeze(a, axis)
def _expand_dims(a: A, axis: Any) -> Tensor: return ops.expand_dims(a, axis)
def _broadcast_to(array: A, shape: Any) -> Tensor: return ops.broadcast_to(array, shape)
def _swapaxes(a: A, axis1: int, axis2: int) -> Tensor: return ops.swapaxes(a, axis1, axis2)
def _where(condition: A, x: A, y: A) -> Tensor: return ops.where(condition, x, y)
def _concatenate(arrays: Any, axis: int = 0) -> Tensor: return ops.concatenate(arrays, axis)
def _stack(arrays: Any, axis: int = 0) -> Tensor: return ops.stack(arrays, axis)


def _clip(a: A, a_min: Any = None, a_max: Any = None,
          min: Any = None, max: Any = None) -> Tensor:  # noqa: A002 - NumPy's names
    return ops.clip(a, a_min if min is None else min, a_max if max is None else max)


#: NumPy function -> the minigrad op of the same meaning, with NumPy's parameter names.
FUNCTIONS: dict[Callable[..., Any], Callable[..., Tensor]] = {
    np.sum: _sum, np.mean: _mean, np.max: _max, np.amax: _max, np.min: _min, np.amin: _min,
    np.var: _var, np.std: _std, np.reshape: _reshape, np.transpose: _transpose,
    np.squeeze: _squeeze, np.expand_dims: _expand_dims, np.broadcast_to: _broadcast_to,
    np.swapaxes: _swapaxes, np.where: _where, np.concatenate: _concatenate,
    np.stack: _stack, np.clip: _clip,
}

#: NumPy ufunc -> the minigrad function (called with the ufunc's positional inputs).
UFUNCS: dict[np.ufunc, Callable[..., Tensor]] = {
    np.add: ops.add, np.subtract: ops.subtract, np.multiply: ops.multiply,
    np.true_divide: ops.divide, np.negative: ops.negative, np.positive: lambda x: x,
    np.power: ops.power, np.square: lambda x: ops.multiply(x, x), np.exp: ops.exp,
    np.log: ops.log, np.sqrt: ops.sqrt, np.absolute: ops.abs, np.tanh: ops.tanh,
    np.sin: ops.sin, np.cos: ops.cos, np.maximum: ops.maximum, np.minimum: ops.minimum,
    np.matmul: ops.matmul,
    np.less: functools.partial(ops.compare, np.less),
    np.less_equal: functools.partial(ops.compare, np.less_equal),
    np.greater: functools.partial(ops.compare, np.greater),
    np.greater_equal: functools.partial(ops.compare, np.greater_equal),
    np.equal: functools.partial(ops.compare, np.equal),
    np.not_equal: functools.partial(ops.compare, np.not_equal),
    np.bitwise_and: functools.partial(ops.logical, np.bitwise_and),
    np.bitwise_or: functools.partial(ops.logical, np.bitwise_or),
    np.bitwise_xor: functools.partial(ops.logical, np.bitwise_xor),
    np.invert: functools.partial(ops.logical, np.invert),
}

#: Ufuncs that are piecewise constant: their derivative is 0 wherever it exists, so the
#: result is an exact constant (a mask or a sign in a rule), never a lost gradient.
PIECEWISE_CONSTANT = {np.sign, np.floor, np.ceil, np.rint, np.trunc, np.isnan, np.isinf,
                      np.isfinite, np.signbit, np.logical_and, np.logical_or, np.logical_not,
                      np.logical_xor}


def array_ufunc(ufunc: np.ufunc, method: str, inputs: tuple[Any, ...],
                kwargs: dict[str, Any]) -> Any:
    """Tensor.__array_ufunc__: the minigrad op for `ufunc`, or NumPy on the arrays."""
    out = kwargs.pop("out", None)
    if out is not None:
        return _ufunc_into(ufunc, method, inputs, kwargs, out[0] if len(out) == 1 else out)
    if method == "__call__" and not kwargs and ufunc in UFUNCS:
        return UFUNCS[ufunc](*inputs)
    result = getattr(ufunc, method)(*_arrays(inputs), **_arrays(kwargs))
    if method == "__call__" and ufunc in PIECEWISE_CONSTANT:
        return wrap(np.asarray(result))
    return _unrecorded(f"np.{ufunc.__name__}" + ("" if method == "__call__" else f".{method}"),
                       (inputs, kwargs), result)


def _ufunc_into(ufunc: np.ufunc, method: str, inputs: tuple[Any, ...], kwargs: dict[str, Any],
                out: Any) -> Any:
    """`ufunc(..., out=out)`: in place on a tensor (x += y), or written into an ndarray."""
    if isinstance(out, Tensor) and method == "__call__" and len(inputs) == 2 \
            and inputs[0] is out and not kwargs:
        return inplace.apply_ufunc(out, ufunc, inputs[1], ufunc.__name__)
    name = f"np.{ufunc.__name__}(..., out=...)"
    if isinstance(out, Tensor):
        raise TypeError(f"{name}: writing a ufunc's result into a Tensor is supported only "
                        "as x op= y; write x = np.{ufunc.__name__}(...) or use x.copy_(...)")
    if _needs_gradient((inputs, kwargs)):
        raise TypeError(f"{name}: an input requires grad, but the result goes into an "
                        "ndarray, where no gradient can flow. Compute it with tensors, or "
                        "use .detach() if no gradient is wanted")
    return getattr(ufunc, method)(*_arrays(inputs), out=_arrays(out), **_arrays(kwargs))


def array_function(func: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]
                   ) -> Any:
    """Tensor.__array_function__: the minigrad op for `func`, or NumPy on the arrays."""
    adapter = FUNCTIONS.get(func)
    if adapter is not None:
        given = _given_arguments(func, args, kwargs)
        if given is not None and set(given) <= _parameters(adapter):
            return adapter(**given)
    result = func(*_arrays(args), **_arrays(kwargs))
    module = getattr(func, "__module__", None) or "numpy"
    return _unrecorded(f"{module.replace('numpy', 'np', 1)}.{func.__name__}", (args, kwargs),
                       result)


@functools.lru_cache(maxsize=None)
def _signature(func: Callable[..., Any]) -> inspect.Signature:
    return inspect.signature(func)


@functools.lru_cache(maxsize=None)
def _parameters(adapter: Callable[..., Any]) -> frozenset[str]:
    return frozenset(inspect.signature(adapter).parameters)


def _given_arguments(func: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]
                     ) -> dict[str, Any] | None:
    """The arguments passed to a NumPy function by name, leaving out those at their
    default; None if they do not bind."""
    try:
        bound = _signature(func).bind(*args, **kwargs)
    except TypeError:
        return None
    parameters = _signature(func).parameters
    return {name: value for name, value in bound.arguments.items()
            if value is not parameters[name].default}


def _unrecorded(name: str, arguments: Any, result: Any) -> Any:
    """A NumPy result computed on the arrays: fine unless a gradient was lost with it."""
    if _needs_gradient(arguments) and _holds_floats(result):
        raise TypeError(
            f"{name}: minigrad has no op for this NumPy function, and an input requires "
            "grad, so no gradient could flow through the result. Compute it with minigrad "
            "ops, or pass x.detach() (or x.numpy()) if no gradient is wanted")
    return result


def _needs_gradient(value: Any) -> bool:
    if isinstance(value, Tensor):
        return value._requires_grad and grad_mode.state.enabled
    if isinstance(value, (list, tuple)):
        return any(_needs_gradient(v) for v in value)
    if isinstance(value, dict):
        return any(_needs_gradient(v) for v in value.values())
    return False


def _holds_floats(value: Any) -> bool:
    if isinstance(value, (list, tuple)):
        return any(_holds_floats(v) for v in value)
    return isinstance(value, (np.ndarray, np.generic, float)) and np.asarray(value).dtype.kind in "fc"


def _arrays(value: Any) -> Any:
    """`value` with every Tensor inside it (lists, tuples, dicts) replaced by its array."""
    if isinstance(value, Tensor):
        return value.data
    if isinstance(value, (list, tuple)):
        return type(value)(_arrays(v) for v in value)
    if isinstance(value, dict):
        return {k: _arrays(v) for k, v in value.items()}
    return value
