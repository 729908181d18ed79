"""Ops that pick between values: maximum, minimum, where, clip, and comparisons.

Their Jacobians are 0/1 masks. Conventions at ties: maximum and minimum split the
gradient evenly between x and y where x == y (as PyTorch); clip passes the gradient
where a_min <= x <= a_max, bounds included (as PyTorch's clamp). Comparisons return
boolean tensors and are never recorded: they select, they do not differentiate.
"""
import numpy as np

from minigrad.ops.broadcasting import apply_binary, as_operand, broadcast_operands
from minigrad.primitive import Primitive, array_namespace, array_of
from minigrad.tensor import Tensor, wrap
from minigrad.tensor import to_tensor


class Maximum(Primitive):
    """Maximum — elementwise larger of x and y; ties split the gradient evenly.

      forward:  z = max(x, y)
      jvp:      z_dot = w * x_dot + (1 - w) * y_dot
      vjp:      x_bar = w * z_bar,   y_bar = (1 - w) * z_bar
    where w = 1 if x wins, 1/2 at a tie, 0 if y wins (w is piecewise constant).
    """

    __slots__ = ()
    forward = staticmethod(np.maximum)
    _wins = staticmethod(np.greater)

    def _x_weight(self, z, x, y):
        x, y = array_of(x), array_of(y)
        w = np.where(self._wins(x, y), 1.0, np.where(x == y, 0.5, 0.0))
        return w.astype(array_of(z).dtype)

    def vjp(self, z_bar, z, x, y):
        w = self._x_weight(z, x, y)
        return z_bar * w, z_bar * (1 - w)

    def jvp(self, x_dot, y_dot, z, x, y):
        w = self._x_weight(z, x, y)
        return x_dot * w + y_dot * (1 - w)


class Minimum(Maximum):
    """Minimum — elementwise smaller of x and y; the rules of Maximum with < for >."""

    __slots__ = ()
    forward = staticmethod(np.minimum)
    _wins = staticmethod(np.less)


class Where(Primitive):
    """Where — pick x where cond holds, else y (cond is a fixed boolean array).

      forward:  z = where(cond, x, y)
      jvp:      z_dot = where(cond, x_dot, y_dot)
      vjp:      x_bar = where(cond, z_bar, 0),   y_bar = where(cond, 0, z_bar)
    """

    __slots__ = ("cond",)
    reads_inputs = reads_output = False

    def __init__(self, cond):
        self.cond = cond

    def forward(self, x, y):
        return np.where(self.cond, x, y)

    def vjp(self, z_bar, z, x, y):
        xp = array_namespace(z_bar)
        return xp.where(self.cond, z_bar, 0), xp.where(self.cond, 0, z_bar)

    def jvp(self, x_dot, y_dot, z, x, y):
        return np.where(self.cond, x_dot, y_dot)

    def params(self):
        return {"cond": f"bool{np.shape(self.cond)}"}


class Clip(Primitive):
    """Clip — limit x to [a_min, a_max]; the gradient passes where a_min <= x <= a_max.

      forward:  z = clip(x, a_min, a_max)
      jvp:      z_dot = [a_min <= x <= a_max] x_dot
      vjp:      x_bar = [a_min <= x <= a_max] z_bar
    """

    __slots__ = ("a_min", "a_max")
    reads_output = False

    def __init__(self, a_min, a_max):
        self.a_min, self.a_max = a_min, a_max

    def forward(self, x):
        return np.clip(x, self.a_min, self.a_max)

    def _inside(self, x):
        x = array_of(x)
        inside = np.ones(x.shape, bool)
        if self.a_min is not None:
            inside &= x >= self.a_min
        if self.a_max is not None:
            inside &= x <= self.a_max
        return inside

    def vjp(self, z_bar, z, x):
        return z_bar * self._inside(x)

    def jvp(self, x_dot, z, x):
        return x_dot * self._inside(x)


def maximum(x, y):
    """Elementwise maximum with broadcasting; at ties each side gets half the gradient.

    >>> import minigrad as mg
    >>> mg.maximum(mg.tensor([1.0, 5.0]), 3.0)
    tensor([3., 5.])
    """
    return apply_binary(Maximum, x, y)


def minimum(x, y):
    """Elementwise minimum with broadcasting; at ties each side gets half the gradient."""
    return apply_binary(Minimum, x, y)


def where(cond, x, y):
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
    shape = np.broadcast_shapes(cond.shape, np.shape(x), np.shape(y))
    return Where(np.broadcast_to(cond, shape))(x, y)


def clip(x, a_min=None, a_max=None):
    """Limit x to [a_min, a_max] (either may be None); gradient 1 inside, bounds included."""
    if a_min is None and a_max is None:
        raise ValueError("clip: give a_min, a_max or both")
    return Clip(a_min, a_max)(to_tensor(x, "clip"))


def compare(ufunc, x, y):
    """A comparison as a boolean tensor, never recorded (comparisons have no gradient)."""
    x, y = as_operand(x, ufunc.__name__), as_operand(y, ufunc.__name__)
    return wrap(np.asarray(ufunc(array_of(x), array_of(y))))


def logical(ufunc, x, y=None):
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


def sign(x):
    """Elementwise sign as a constant tensor (its derivative is zero wherever it exists)."""
    return wrap(np.sign(array_of(to_tensor(x, "sign"))))
