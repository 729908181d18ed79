"""Ops that pick between values: maximum, minimum, where, clip, and comparisons; and,
composed from where, masked_fill, tril and triu.

Their Jacobians are 0/1 masks. Conventions at ties: maximum and minimum split the
gradient evenly between x and y where x == y (as PyTorch); clip passes the gradient
where a_min <= x <= a_max, bounds included (as PyTorch's clamp). Comparisons return
boolean tensors and are never recorded: they select, they do not differentiate.
"""
from __future__ import annotations

from typing import Any, Callable, ClassVar

import numpy as np

from minigrad.ops.arithmetic import multiply, subtract
from minigrad.ops.broadcasting import apply_binary, as_operand, broadcast_operands
from minigrad.primitive import Primitive, array_namespace, array_of
from minigrad.spellings import pytorch_keywords
from minigrad.tensor import Tensor, shape_of, to_tensor, wrap
from minigrad.typing import Array, Operand, TensorLike


class Maximum(Primitive):
    """Maximum — elementwise larger of x and y; ties split the gradient evenly.

      forward:  z = max(x, y)
      jvp:      z_dot = w * x_dot + (1 - w) * y_dot
      vjp:      x_bar = w * z_bar,   y_bar = (1 - w) * z_bar
    where w = 1 if x wins, 1/2 at a tie, 0 if y wins (w is piecewise constant).
    """

    __slots__ = ()
    _wins: ClassVar[Callable[..., Any]] = staticmethod(np.greater)

    def forward(self, x: Operand, y: Operand) -> np.ndarray:
        return np.maximum(x, y)

    def _x_weight(self, z: Array, x: Operand, y: Operand) -> np.ndarray:
        x, y = array_of(x), array_of(y)
        w = np.where(self._wins(x, y), 1.0, np.where(x == y, 0.5, 0.0))
        return w.astype(array_of(z).dtype)

    def vjp(self, z_bar: Array, z: Array, x: Operand, y: Operand
            ) -> tuple[Array | None, Array | None]:
        w = self._x_weight(z, x, y)
        return z_bar * w, z_bar * (1 - w)

    def jvp(self, x_dot: Array, y_dot: Array, z: Array, x: Operand, y: Operand) -> Array:
        w = self._x_weight(z, x, y)
        return x_dot * w + y_dot * (1 - w)


class Minimum(Maximum):
    """Minimum — elementwise smaller of x and y; the rules of Maximum with < for >."""

    __slots__ = ()
    _wins = staticmethod(np.less)

    def forward(self, x: Operand, y: Operand) -> np.ndarray:
        return np.minimum(x, y)


class Where(Primitive):
    """Where — pick x where cond holds, else y (cond is a fixed boolean array).

      forward:  z = where(cond, x, y)
      jvp:      z_dot = where(cond, x_dot, y_dot)
      vjp:      x_bar = where(cond, z_bar, 0),   y_bar = where(cond, 0, z_bar)
    """

    __slots__ = ("cond",)
    reads_inputs = reads_output = False

    def __init__(self, cond: np.ndarray) -> None:
        self.cond = cond

    def forward(self, x: Operand, y: Operand) -> np.ndarray:
        return np.where(self.cond, x, y)

    def vjp(self, z_bar: Array, z: Array, x: Operand, y: Operand
            ) -> tuple[Array | None, Array | None]:
        xp = array_namespace(z_bar)
        return xp.where(self.cond, z_bar, 0), xp.where(self.cond, 0, z_bar)

    def jvp(self, x_dot: Array, y_dot: Array, z: Array, x: Operand, y: Operand) -> Array:
        return np.where(self.cond, x_dot, y_dot)

    def params(self) -> dict[str, Any]:
        return {"cond": f"bool{shape_of(self.cond)}"}


class Clip(Primitive):
    """Clip — limit x to [a_min, a_max]; the gradient passes where a_min <= x <= a_max.

      forward:  z = clip(x, a_min, a_max)
      jvp:      z_dot = [a_min <= x <= a_max] x_dot
      vjp:      x_bar = [a_min <= x <= a_max] z_bar
    """

    __slots__ = ("a_min", "a_max")
    reads_output = False

    def __init__(self, a_min: Any, a_max: Any) -> None:
        self.a_min, self.a_max = a_min, a_max

    def forward(self, x: np.ndarray) -> np.ndarray:
        return np.clip(x, self.a_min, self.a_max)

    def _inside(self, x: Array) -> np.ndarray:
        x = array_of(x)
        inside = np.ones(x.shape, bool)
        if self.a_min is not None:
            inside &= x >= self.a_min
        if self.a_max is not None:
            inside &= x <= self.a_max
        return inside

    def vjp(self, z_bar: Array, z: Array, x: Array) -> Array:
        return z_bar * self._inside(x)

    def jvp(self, x_dot: Array, z: Array, x: Array) -> Array:
        return x_dot * self._inside(x)


def maximum(x: TensorLike, y: TensorLike) -> Tensor:
    """Elementwise maximum with broadcasting; at ties each side gets half the gradient.

    >>> import minigrad as mg
    >>> mg.maximum(mg.tensor([1.0, 5.0]), 3.0)
    tensor([3., 5.])
    """
    return apply_binary(Maximum, x, y)


def minimum(x: TensorLike, y: TensorLike) -> Tensor:
    """Elementwise minimum with broadcasting; at ties each side gets half the gradient."""
    return apply_binary(Minimum, x, y)


def where(cond: TensorLike, x: TensorLike, y: TensorLike) -> Tensor:
    """`x` where `cond` is true, else `y`, with NumPy broadcasting of all three.

    Args:
        cond: a boolean array or tensor (not differentiated).
        x, y: tensors, arrays or numbers.
    """
    cond = np.asarray(array_of(cond))
    if cond.dtype != bool:
        raise TypeError(f"where: cond must be boolean, got dtype {cond.dtype}; compare first, "
                        "e.g. mg.where(x > 0, x, 0)")
    x, y = broadcast_operands("where", x, y, extra_shape=cond.shape)
    shape = np.broadcast_shapes(cond.shape, shape_of(x), shape_of(y))
    return Where(np.broadcast_to(cond, shape))(x, y)


@pytorch_keywords
def clip(x: TensorLike, a_min: TensorLike | None = None, a_max: TensorLike | None = None
         ) -> Tensor:
    """Limit x to [a_min, a_max] (either may be None); gradient 1 inside, bounds included.

    Raises:
        ValueError: if neither bound is given.
        TypeError: for a bound that requires grad (bounds are constants here; for a
            bound that learns write mg.maximum(x, low) or mg.minimum(x, high)).
    """
    if a_min is None and a_max is None:
        raise ValueError("clip: give a_min, a_max or both")
    for bound in (a_min, a_max):
        if isinstance(bound, Tensor) and bound.requires_grad:
            raise TypeError("clip: its bounds are constants, so no gradient would reach this "
                            "one, which requires grad; write mg.maximum(x, low) or "
                            "mg.minimum(x, high) for a bound that learns")
    return Clip(array_of(a_min), array_of(a_max))(to_tensor(x, "clip"))


@pytorch_keywords
def clamp(x: TensorLike, min: TensorLike | None = None,  # noqa: A002 - PyTorch's names
          max: TensorLike | None = None) -> Tensor:  # noqa: A002
    """PyTorch's name for clip: x limited to [min, max].

    >>> import minigrad as mg
    >>> mg.clamp(mg.tensor([-2.0, 0.5, 3.0]), min=0.0, max=1.0)
    tensor([0. , 0.5, 1. ])
    """
    return clip(x, min, max)


def compare(ufunc: np.ufunc, x: TensorLike, y: TensorLike) -> Tensor:
    """A comparison as a boolean tensor, never recorded (comparisons have no gradient)."""
    x, y = as_operand(x, ufunc.__name__), as_operand(y, ufunc.__name__)
    return wrap(np.asarray(ufunc(array_of(x), array_of(y))))


def logical(ufunc: np.ufunc, x: TensorLike, y: TensorLike | None = None) -> Tensor:
    """`& | ^ ~` on boolean (or integer) tensors: a tensor off the tape, as comparisons.

    Raises:
        TypeError: for floating operands, which have no bitwise or logical meaning here.
    """
    operands = [as_operand(v, ufunc.__name__) for v in ((x,) if y is None else (x, y))]
    arrays = [np.asarray(array_of(v)) for v in operands]
    if any(a.dtype.kind not in "biu" for a in arrays):
        kinds = " and ".join(str(a.dtype) for a in arrays)
        raise TypeError(f"{ufunc.__name__}: & | ^ ~ need boolean or integer tensors, got "
                        f"{kinds}; compare first, e.g. (x > 0) & (x < 1)")
    return wrap(np.asarray(ufunc(*arrays)))


def sign(x: TensorLike) -> Tensor:
    """Elementwise sign as a constant tensor (its derivative is zero wherever it exists)."""
    return wrap(np.sign(array_of(to_tensor(x, "sign"))))


def floor_divide(x: TensorLike, y: TensorLike) -> Tensor:
    """Elementwise x // y (NumPy's floor division) as a constant tensor: it is piecewise
    constant, so its derivative is zero wherever it exists."""
    x, y = as_operand(x, "floor_divide"), as_operand(y, "floor_divide")
    return wrap(np.asarray(np.floor_divide(array_of(x), array_of(y))))


def remainder(x: TensorLike, y: TensorLike) -> Tensor:
    """Elementwise x % y with the sign of y (NumPy's and PyTorch's), differentiable:
    x - y * floor(x / y), the floor a constant (d/dx = 1, d/dy = -floor(x / y)).

    >>> import minigrad as mg
    >>> mg.remainder(mg.tensor([5, -5]), 3)
    tensor([2, 1])
    """
    return subtract(x, multiply(floor_divide(x, y), y))


def allclose(x: TensorLike, y: TensorLike, rtol: float = 1e-05, atol: float = 1e-08,
             equal_nan: bool = False) -> bool:
    """True if |x - y| <= atol + rtol |y| everywhere (NumPy's and PyTorch's allclose): a
    Python bool, for tests and asserts.

    >>> import minigrad as mg
    >>> mg.allclose(mg.tensor([1.0, 2.0]), [1.0, 2.0 + 1e-9])
    True
    """
    return bool(np.allclose(array_of(x), array_of(y), rtol=rtol, atol=atol, equal_nan=equal_nan))


def masked_fill(x: TensorLike, mask: TensorLike, value: TensorLike) -> Tensor:
    """x with `value` wherever `mask` is true (PyTorch's masked_fill): where(mask, value, x),
    so the gradient flows to x where the mask is false (and to a tensor value where true).

    Args:
        x: a Tensor.
        mask: a boolean tensor or array that broadcasts to x's shape.
        value: a number (in x's dtype) or a 0-d tensor.

    Raises:
        TypeError: for a mask that is not boolean, or a value x's dtype cannot hold.
        ValueError: for a mask that does not broadcast to x's shape.

    >>> import minigrad as mg
    >>> scores = mg.tensor([[1.0, 2.0], [3.0, 4.0]])
    >>> scores.masked_fill(~mg.tril(mg.ones(2, 2)).bool(), float("-inf"))
    tensor([[ 1., -inf],
            [ 3.,  4.]])
    """
    x = to_tensor(x, "masked_fill")
    mask = np.asarray(array_of(mask))
    if mask.dtype != bool:
        raise TypeError(f"masked_fill: the mask must be boolean, got dtype {mask.dtype}; "
                        "compare first, e.g. x.masked_fill(m == 0, value)")
    try:
        fits = np.broadcast_shapes(mask.shape, x.shape) == x.shape
    except ValueError:
        fits = False
    if not fits:
        raise ValueError(f"masked_fill: a mask of shape {mask.shape} does not broadcast to the "
                         f"tensor's shape {x.shape}")
    if isinstance(value, Tensor):
        if value.ndim:
            raise ValueError(f"masked_fill: value must be a number or a 0-d tensor, got shape "
                             f"{value.shape}; for a tensor of values write mg.where(mask, v, x)")
        value = value.astype(x.dtype)
    else:
        value = _in_dtype(value, x.dtype)
    return where(mask, value, x)


def _in_dtype(value: Any, dtype: np.dtype) -> np.ndarray:
    """`value` as a 0-d array of `dtype`, or a TypeError if the dtype cannot hold it."""
    try:
        with np.errstate(invalid="ignore", over="ignore"):
            held = np.asarray(value, dtype=dtype)
    except (OverflowError, ValueError):  # e.g. -inf for an integer dtype
        held = None
    if held is None or not np.array_equal(held, value, equal_nan=dtype.kind in "fc"):
        raise TypeError(f"masked_fill: the value {value!r} cannot be stored in a {dtype} "
                        "tensor; convert the tensor first, e.g. x.float()")
    return held


@pytorch_keywords
def tril(x: TensorLike, k: int = 0) -> Tensor:
    """The lower triangle of the last two axes: x where column <= row + k, else 0 (NumPy's
    tril(m, k), PyTorch's tril(input, diagonal)). Differentiable: where with a fixed mask.

    Raises:
        ValueError: for fewer than 2 dimensions.

    >>> import minigrad as mg
    >>> mg.tril(mg.ones(3, 3))
    tensor([[1., 0., 0.],
            [1., 1., 0.],
            [1., 1., 1.]])
    """
    matrices = _matrices(x, "tril")
    rows, columns = matrices.shape[-2:]
    return where(np.tri(rows, columns, k, dtype=np.bool_), matrices,
                 np.zeros((), matrices.dtype))


@pytorch_keywords
def triu(x: TensorLike, k: int = 0) -> Tensor:
    """The upper triangle of the last two axes: x where column >= row + k, else 0.

    >>> import minigrad as mg
    >>> mg.triu(mg.ones(2, 3), diagonal=1)
    tensor([[0., 1., 1.],
            [0., 0., 1.]])
    """
    matrices = _matrices(x, "triu")
    rows, columns = matrices.shape[-2:]
    return where(np.tri(rows, columns, k - 1, dtype=np.bool_), np.zeros((), matrices.dtype),
                 matrices)


def _matrices(x: TensorLike, op: str) -> Tensor:
    x = to_tensor(x, op)
    if x.ndim < 2:
        raise ValueError(f"{op}: needs a matrix or a batch of them (at least 2 dimensions), "
                         f"got shape {x.shape}")
    return x
