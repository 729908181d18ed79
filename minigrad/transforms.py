"""Function transforms: grad, value_and_grad, vjp, jvp, jacobian, hessian.

Each transform gives the function fresh input nodes, runs it, and differentiates with
the engine: reverse mode (`backward.gradient`) for grad and vjp, forward mode
(`forward_mode`) for jvp. Results are Tensors, so transforms nest: when an input is
itself being differentiated (it requires grad or carries a tangent), the inner
transform records its own backward pass (create_graph) so the outer one can see it.

Types: `f` takes Tensors and returns a Tensor; grad(f) and the others take what f takes
(Tensors, ndarrays or numbers) and return Tensors, or tuples of them for a tuple argnums.
"""
from __future__ import annotations

from typing import Any, Callable, Sequence, Union, overload

import numpy as np

from minigrad import forward_mode, grad_mode
from minigrad.engines import gradient
from minigrad.forward_mode import carries_tangent, tangent_of
from minigrad.ops import identity, stack
from minigrad.primitive import is_tracked
from minigrad.tensor import Tensor, wrap
from minigrad.typing import TensorLike

#: Which arguments to differentiate with respect to: one position, or a tuple of them.
ArgNums = Union[int, Sequence[int]]
#: A function's derivative with respect to one argument, or a tuple of them (tuple argnums).
Derivative = Union[Tensor, tuple[Tensor, ...]]


def _argnums(argnums: ArgNums, nargs: int, transform: str) -> tuple[int, ...]:
    nums = (argnums,) if isinstance(argnums, int) else tuple(argnums)
    for i in nums:
        if not -nargs <= i < nargs:
            raise ValueError(f"{transform}: argnums {argnums} is out of range for {nargs} arguments")
    return tuple(i % nargs for i in nums)


def _as_variable(value: TensorLike, transform: str) -> Tensor:
    """A fresh node for `value` that reverse mode can differentiate with respect to."""
    if isinstance(value, Tensor) and value._requires_grad and grad_mode.state.enabled:
        return identity(value)  # stays connected to the outer computation
    variable = Tensor(value.data if isinstance(value, Tensor) else value)
    if not np.issubdtype(variable.dtype, np.floating):
        raise TypeError(f"{transform}: cannot differentiate with respect to an argument of "
                        f"dtype {variable.dtype}; pass floating values")
    variable.requires_grad = True
    if forward_mode.state.depth:  # made inside forward levels: they need not differentiate it
        variable._grad_depth = forward_mode.state.depth
    if isinstance(value, Tensor) and value._tangent:
        variable._tangent = dict(value._tangent)  # the same tangents, at the same levels
    return variable


def _captures_tracked(out: Tensor, variables: Sequence[Tensor], grad_enabled: bool) -> bool:
    """Whether `out` depends on a tracked tensor other than `variables`: one that f
    captured from an enclosing scope, e.g. x in grad(lambda y: y * x) inside grad over x.
    Then this derivative depends on it too and must be recorded (create_graph), or the
    outer transform would see a constant ("perturbation confusion")."""
    tangents = forward_mode.state.depth > 0  # can anything carry a tangent now?
    if not (tangents or grad_enabled):
        return False
    own = {id(v) for v in variables}
    stack, seen = [out], set()
    while stack:
        tensor = stack.pop()
        if id(tensor) not in own and ((tangents and carries_tangent(tensor)) or (
                grad_enabled and tensor._entry is None and tensor._requires_grad)):
            return True
        entry = tensor._entry
        if entry is None or entry in seen:
            continue
        seen.add(entry)
        inputs = tensor._inputs
        # None: an earlier backward released this graph, and the sweep that follows says so
        # (walking on here raised a TypeError).
        if inputs is not None:
            stack.extend(x for x in inputs if isinstance(x, Tensor))
    return False


def _single_element(out: object, transform: str) -> None:
    if not isinstance(out, Tensor):
        raise TypeError(f"{transform}: the function must return a Tensor, got {type(out).__name__}")
    if out.size != 1:
        raise ValueError(f"{transform}: the function must return a single-element tensor, got "
                         f"shape {out.shape}; use mg.jacobian or mg.vjp for other outputs")


@overload
def value_and_grad(f: Callable[..., Tensor], argnums: int = 0
                   ) -> Callable[..., tuple[Tensor, Tensor]]: ...
@overload
def value_and_grad(f: Callable[..., Tensor], argnums: Sequence[int]
                   ) -> Callable[..., tuple[Tensor, tuple[Tensor, ...]]]: ...

def value_and_grad(f: Callable[..., Tensor], argnums: ArgNums = 0
                   ) -> Callable[..., tuple[Tensor, Derivative]]:
    """f's value and its gradient with respect to the arguments in `argnums`.

    Args:
        f: a function returning a single-element tensor.
        argnums: an int, or a tuple of ints (then the gradients come as a tuple).

    >>> import minigrad as mg
    >>> value, g = mg.value_and_grad(lambda x: (x * x).sum())(mg.tensor([1.0, 2.0]))
    >>> value.item(), g
    (5.0, tensor([2., 4.]))
    """
    def value_and_grad_f(*args: Any, **kwargs: Any) -> tuple[Tensor, Derivative]:
        nums = _argnums(argnums, len(args), "grad")
        higher = any(is_tracked(args[i]) for i in nums)
        outer_grad_enabled = grad_mode.state.enabled
        with grad_mode.enable_grad():
            arguments = list(args)
            for i in nums:
                arguments[i] = _as_variable(arguments[i], "grad")
            out = f(*arguments, **kwargs)
            _single_element(out, "grad")
            higher = higher or _captures_tracked(out, [arguments[i] for i in nums],
                                                 outer_grad_enabled)
            grads = gradient(out, [arguments[i] for i in nums],
                             retain_graph=higher, create_graph=higher)
        value = out if higher else out.detach()
        return value, (grads[0] if isinstance(argnums, int) else tuple(grads))
    return value_and_grad_f


@overload
def grad(f: Callable[..., Tensor], argnums: int = 0) -> Callable[..., Tensor]: ...
@overload
def grad(f: Callable[..., Tensor], argnums: Sequence[int]
         ) -> Callable[..., tuple[Tensor, ...]]: ...

def grad(f: Callable[..., Tensor], argnums: ArgNums = 0) -> Callable[..., Derivative]:
    """The gradient function of `f` (which returns a single-element tensor).

    >>> import minigrad as mg
    >>> d2 = mg.grad(mg.grad(lambda x: x ** 3))
    >>> d2(mg.tensor(2.0))
    tensor(12.)
    """
    value_and_grad_f = value_and_grad(f, argnums)

    def grad_f(*args: Any, **kwargs: Any) -> Derivative:
        return value_and_grad_f(*args, **kwargs)[1]
    return grad_f


def vjp(f: Callable[..., Tensor], *primals: TensorLike
        ) -> tuple[Tensor, Callable[[TensorLike], tuple[Tensor, ...]]]:
    """Run f at `primals` and return (out, vjp_fn), where vjp_fn(u) = u^T J as a tuple.

    >>> import minigrad as mg
    >>> out, vjp_fn = mg.vjp(lambda x: x * 3, mg.tensor([1.0, 2.0]))
    >>> vjp_fn(mg.tensor([1.0, 10.0]))
    (tensor([ 3., 30.]),)
    """
    higher = any(is_tracked(p) for p in primals)
    outer_grad_enabled = grad_mode.state.enabled
    with grad_mode.enable_grad():
        inputs = [_as_variable(p, "vjp") for p in primals]
        out = f(*inputs)
    if not isinstance(out, Tensor):
        raise TypeError(f"vjp: the function must return a Tensor, got {type(out).__name__}")
    higher = higher or _captures_tracked(out, inputs, outer_grad_enabled)

    def vjp_fn(cotangent: TensorLike) -> tuple[Tensor, ...]:
        with grad_mode.enable_grad():
            return tuple(gradient(out, inputs, grad=cotangent, retain_graph=True,
                                  create_graph=higher))
    return (out if higher else out.detach()), vjp_fn


def jvp(f: Callable[..., Tensor], primals: Sequence[TensorLike],
        tangents: Sequence[TensorLike]) -> tuple[Tensor, Tensor]:
    """Forward mode: (f(*primals), J @ tangents), running each op's JVP rule beside it.

    The tangent is differentiable (reverse mode can take its gradient) when a primal or a
    tangent requires grad, and jvp nests (forward over forward).

    Args:
        primals: a tuple of inputs; tangents: a tuple of the same shapes.

    >>> import minigrad as mg
    >>> out, t = mg.jvp(lambda x: x * x, (mg.tensor([3.0]),), (mg.tensor([1.0]),))
    >>> t
    tensor([6.])
    """
    if len(primals) != len(tangents):
        raise ValueError(f"jvp: got {len(primals)} primals but {len(tangents)} tangents")
    with forward_mode.dual_level() as level:
        inputs = []
        for i, (p, t) in enumerate(zip(primals, tangents)):
            x = identity(p) if is_tracked(p) else Tensor(p)  # identity: stays connected
            x_dot = t if is_tracked(t) else np.asarray(t.data if isinstance(t, Tensor) else t)
            if x_dot.shape != x.shape:
                raise ValueError(f"jvp: tangent {i} has shape {x_dot.shape} but its primal "
                                 f"has shape {x.shape}")
            forward_mode.attach_tangent(x, x_dot.astype(x.dtype), level)
            inputs.append(x)
        out = f(*inputs)
        if not isinstance(out, Tensor):
            raise TypeError(f"jvp: the function must return a Tensor, got {type(out).__name__}")
        tangent = tangent_of(out, level)  # read inside the level: outside it, it does not count
    if tangent is None:  # the output does not depend on the inputs
        tangent = np.zeros(out.shape, out.dtype)
    return out, tangent if isinstance(tangent, Tensor) else wrap(tangent)


@overload
def jacobian(f: Callable[..., Tensor], argnums: int = 0, mode: str = "rev"
             ) -> Callable[..., Tensor]: ...
@overload
def jacobian(f: Callable[..., Tensor], argnums: Sequence[int], mode: str = "rev"
             ) -> Callable[..., tuple[Tensor, ...]]: ...

def jacobian(f: Callable[..., Tensor], argnums: ArgNums = 0, mode: str = "rev"
             ) -> Callable[..., Derivative]:
    """The dense Jacobian of f, shaped out.shape + in.shape.

    Args:
        mode: "rev" builds it row by row from VJPs (one per output element), "fwd"
            column by column from JVPs (one per input element).

    >>> import minigrad as mg
    >>> mg.jacobian(lambda x: x * x)(mg.tensor([1.0, 2.0]))
    tensor([[2., 0.],
            [0., 4.]])
    """
    if mode not in ("rev", "fwd"):
        raise ValueError(f"jacobian: mode must be 'rev' or 'fwd', got {mode!r}")

    def jacobian_f(*args: TensorLike) -> Derivative:
        nums = _argnums(argnums, len(args), "jacobian")
        tensors = [a if isinstance(a, Tensor) else Tensor(a) for a in args]
        blocks = (_jacobian_rev(f, tensors, nums) if mode == "rev"
                  else _jacobian_fwd(f, tensors, nums))
        return blocks[0] if isinstance(argnums, int) else tuple(blocks)
    return jacobian_f


def restrict(f: Callable[..., Tensor], values: Sequence[Any], positions: Sequence[int]
             ) -> Callable[..., Tensor]:
    """f as a function of the arguments at `positions` only, the others held at `values`."""
    def f_restricted(*chosen: Any) -> Tensor:
        full = list(values)
        for i, x in zip(positions, chosen):
            full[i] = x
        return f(*full)
    return f_restricted


def _jacobian_rev(f: Callable[..., Tensor], args: list[Tensor], nums: tuple[int, ...]
                  ) -> list[Tensor]:
    out, vjp_fn = vjp(restrict(f, args, nums), *[args[i] for i in nums])
    rows = []
    for k in range(out.size):
        basis = np.zeros(out.size, out.dtype)
        basis[k] = 1
        rows.append(vjp_fn(basis.reshape(out.shape)))
    return [_assemble([row[j] for row in rows], out.shape, args[i].shape, rows_first=True)
            for j, i in enumerate(nums)]


def _jacobian_fwd(f: Callable[..., Tensor], args: list[Tensor], nums: tuple[int, ...]
                  ) -> list[Tensor]:
    blocks = []
    out: Tensor | None = None
    if any(args[i].size == 0 for i in nums):  # no columns to take: f's output shape only
        out = f(*args)
    for i in nums:
        columns = []
        for k in range(args[i].size):
            tangents = [np.zeros(a.shape, a.dtype) for a in args]
            tangents[i].reshape(-1)[k] = 1
            out, column = jvp(f, tuple(args), tuple(tangents))
            columns.append(column)
        assert out is not None  # made by jvp above, or by f itself for an empty input
        blocks.append(_assemble(columns, out.shape, args[i].shape, rows_first=False))
    return blocks


def _assemble(pieces: Sequence[Tensor], out_shape: tuple[int, ...], in_shape: tuple[int, ...],
              rows_first: bool) -> Tensor:
    """Stack rows (each shaped like the input) or columns (shaped like the output)."""
    if not pieces:
        return Tensor(np.zeros(out_shape + in_shape))
    flat = stack([p.reshape(-1) for p in pieces], axis=0 if rows_first else 1)
    return flat.reshape(out_shape + in_shape)


def hessian(f: Callable[..., Tensor], argnums: int = 0) -> Callable[..., Tensor]:
    """The Hessian of a scalar function: the Jacobian of its gradient (reverse over
    reverse), shaped in.shape + in.shape.

    >>> import minigrad as mg
    >>> mg.hessian(lambda x: (x ** 3).sum())(mg.tensor([1.0, 2.0]))
    tensor([[ 6.,  0.],
            [ 0., 12.]])
    """
    if not isinstance(argnums, int):
        raise TypeError("hessian: argnums must be a single int")
    return jacobian(grad(f, argnums), argnums, mode="rev")
