"""Arithmetic: add, subtract, multiply, divide, negative, power.

Every binary op here receives operands already broadcast to one shape (see
broadcasting.py), so each rule is the textbook derivative and nothing more.
"""
import numpy as np

from minigrad.ops.broadcasting import apply_binary
from minigrad.primitive import Primitive, array_namespace, array_of
from minigrad.tensor import PYTHON_SCALARS


class Add(Primitive):
    """Add — elementwise sum.

      forward:  z = x + y
      jvp:      z_dot = x_dot + y_dot
      vjp:      x_bar = z_bar,   y_bar = z_bar
    """

    __slots__ = ()
    reads_inputs = reads_output = False  # its rules use only z_bar

    def forward(self, x, y):
        return x + y

    def vjp(self, z_bar, z, x, y):
        return z_bar, z_bar

    def jvp(self, x_dot, y_dot, z, x, y):
        return x_dot + y_dot


class Subtract(Primitive):
    """Subtract — elementwise difference.

      forward:  z = x - y
      jvp:      z_dot = x_dot - y_dot
      vjp:      x_bar = z_bar,   y_bar = -z_bar
    """

    __slots__ = ()
    reads_inputs = reads_output = False

    def forward(self, x, y):
        return x - y

    def vjp(self, z_bar, z, x, y):
        return z_bar, -z_bar

    def jvp(self, x_dot, y_dot, z, x, y):
        return x_dot - y_dot


class Multiply(Primitive):
    """Multiply — elementwise product.

      forward:  z = x * y
      jvp:      z_dot = x_dot * y + x * y_dot
      vjp:      x_bar = z_bar * y,   y_bar = z_bar * x
    """

    __slots__ = ()
    reads_output = False

    @property
    def reads_inputs(self):  # x is read for y's cotangent, y for x's
        x_needed, y_needed = self.needs_grad
        return y_needed, x_needed

    def forward(self, x, y):
        return x * y

    def vjp(self, z_bar, z, x, y):
        x_needed, y_needed = self.needs_grad
        return (z_bar * y if x_needed else None), (z_bar * x if y_needed else None)

    def jvp(self, x_dot, y_dot, z, x, y):
        return x_dot * y + x * y_dot


class Divide(Primitive):
    """Divide — elementwise quotient (valid where y != 0).

      forward:  z = x / y
      jvp:      z_dot = (x_dot - z * y_dot) / y
      vjp:      x_bar = z_bar / y,   y_bar = -z_bar * z / y     (reuses z = x / y)
    """

    __slots__ = ()
    reads_inputs = (False, True)  # y and z; never x

    def forward(self, x, y):
        return x / y

    def vjp(self, z_bar, z, x, y):
        x_bar = z_bar / y
        return x_bar, (-x_bar * z if self.needs_grad[1] else None)

    def jvp(self, x_dot, y_dot, z, x, y):
        return (x_dot - z * y_dot) / y


class Negative(Primitive):
    """Negative — elementwise sign flip (linear: its own JVP, and self-adjoint).

      forward:  z = -x
      jvp:      z_dot = -x_dot
      vjp:      x_bar = -z_bar
    """

    __slots__ = ()
    reads_inputs = reads_output = False

    def forward(self, x):
        return -x

    def vjp(self, z_bar, z, x):
        return -z_bar

    def jvp(self, x_dot, z, x):
        return -x_dot


class Power(Primitive):
    """Power — elementwise x ** y (d/dy needs x > 0).

      forward:  z = x ** y
      jvp:      z_dot = y * x**(y - 1) * x_dot + z * log(x) * y_dot
      vjp:      x_bar = z_bar * y * x**(y - 1),   y_bar = z_bar * z * log(x)
    The y-terms are computed only when y carries a gradient or tangent, so a constant
    exponent (the common x ** 2) never evaluates log(x) and works for negative x.

    At a zero base the formulas meet 0 * inf. There dz/dx is 0 where y = 0 (z is 1 for
    every x), and dz/dy is 0 where y >= 0 (for y > 0 the limit of x**y log(x) as
    x -> 0+; at y = 0 a convention), as in PyTorch. Elsewhere at x = 0 the formulas
    stand: dz/dx = inf for 0 < y < 1, as the slope is. Only those points are masked, so
    second derivatives away from x = 0 are untouched.

    A small integer exponent of a float array (x ** 3, and x ** 2 in its VJP) is taken
    by multiplication (`_power`), equal to NumPy's pow() to 2 ulps.
    """

    __slots__ = ()

    def forward(self, x, y):
        return _power(x, y)

    def vjp(self, z_bar, z, x, y):
        x_needed, y_needed = self.needs_grad
        x_bar = z_bar * _dz_dx(x, y) if x_needed else None
        y_bar = z_bar * _dz_dy(z, x, y) if y_needed else None
        return x_bar, y_bar

    def jvp(self, x_dot, y_dot, z, x, y):
        z_dot = x_dot * _dz_dx(x, y)
        if np.any(array_of(y_dot)):  # a constant exponent's tangent is zero: skip log(x)
            z_dot = z_dot + y_dot * _dz_dy(z, x, y)
        return z_dot


def _dz_dx(x, y):
    """y x^(y-1), and 0 at 0 ** 0."""
    zero_to_zero = array_of(y) == 0
    if np.any(zero_to_zero):  # y alone first: the common x ** 2 stops here
        zero_to_zero = zero_to_zero & (array_of(x) == 0)
    if not np.any(zero_to_zero):
        return y * _power(x, y - 1)
    with np.errstate(divide="ignore", invalid="ignore"):  # 0 * inf there, replaced
        slope = y * _power(x, y - 1)
    return array_namespace(slope).where(zero_to_zero, 0, slope)


def _dz_dy(z, x, y):
    """z log(x), and 0 where x = 0 and y >= 0."""
    zero_base = (array_of(x) == 0) & (array_of(y) >= 0)
    if not np.any(zero_base):
        return z * _log(x)
    with np.errstate(divide="ignore", invalid="ignore"):  # 0 * -inf where x = 0, replaced
        slope = z * _log(x)
    return array_namespace(slope).where(zero_base, 0, slope)


def _power(x, y):
    """x ** y; for a float array and an integral Python exponent from -1 to 4, by
    multiplication (x ** 2 and x ** -1 as NumPy itself takes them: np.square and
    np.reciprocal), within 2 ulps of pow(), and equal to it at 0, -0, inf and nan."""
    # A Python number is NumPy-"weak": x's dtype is kept, as multiplying keeps it.
    if (y.__class__ in PYTHON_SCALARS and -1 <= y <= 4 and x.__class__ is np.ndarray
            and x.dtype.kind == "f" and y == int(y)):
        # fast: NumPy sends x ** 3 to its pow() loop, about 10x slower than two products
        n = int(y)
        if n == 2:
            return np.square(x)
        if n == 3:
            return np.square(x) * x
        if n == 4:
            return np.square(np.square(x))
        if n == -1:
            return np.reciprocal(x)
        return np.ones_like(x) if n == 0 else x.copy()
    return x ** y


def _log(x):
    """log(x) for Power's y-terms. A Python-number base (2 ** y) stays a Python float, so
    it does not promote a float32 exponent's derivative to float64."""
    if type(x) in (int, float):
        return float(np.log(x))
    return array_namespace(x).log(x)


def add(x, y):
    """Elementwise x + y with NumPy broadcasting.

    >>> import minigrad as mg
    >>> mg.add(mg.tensor([1.0, 2.0]), 1.0)
    tensor([2., 3.])
    """
    return apply_binary(Add, x, y)


def subtract(x, y):
    """Elementwise x - y with NumPy broadcasting."""
    return apply_binary(Subtract, x, y)


def multiply(x, y):
    """Elementwise x * y with NumPy broadcasting."""
    return apply_binary(Multiply, x, y)


def divide(x, y):
    """Elementwise x / y with NumPy broadcasting."""
    return apply_binary(Divide, x, y)


def negative(x):
    """Elementwise -x."""
    return Negative()(x)


def power(x, y):
    """Elementwise x ** y with NumPy broadcasting (integer powers of floats need no x > 0)."""
    return apply_binary(Power, x, y)
