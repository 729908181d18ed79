"""The one mechanism that defines a differentiable op: forward, VJP rule and JVP rule.

Applying one is `reference.apply` made fast: `Primitive.__call__` below (see its
`# fast:` comments for each departure from the textbook version).

Every built-in op is a `Primitive` subclass, and so is any op a user writes. A primitive
is applied by calling an instance: `Mul()(x, y)`, once. Its output records the line of
the Wengert list, `out = op(*inputs)`: the instance (the tape entry, which keeps the op's
parameters and whatever its rules saved) and the inputs. The graph is therefore a DAG
of tensors pointing back at their inputs, and holds no reference cycles.

Rules receive arrays or tensors
-------------------------------
The engine calls the rules with plain ndarrays during an ordinary `backward()`, so a
backward pass costs only its NumPy work. With `create_graph=True` it calls the very same
rules with Tensors, so every operation inside a rule is itself recorded and the result
can be differentiated again. Rules are therefore written with operators, methods that
ndarrays and Tensors share (`sum`, `reshape`, `transpose`, `swapaxes`, `astype`), and
functions from `xp = array_namespace(z_bar)` (NumPy or minigrad, with NumPy's names).
Values that only select (masks at kinks, signs) come from `array_of(x)`: they are
piecewise constant, so treating them as constants is exact. `recording(z_bar)` tells a
rule which of the two it was given, where it must choose (e.g. to record a scatter).
"""
from __future__ import annotations

import re
from types import ModuleType
from typing import Any, Callable, ClassVar, Iterable, TypeGuard

import numpy as np

from minigrad import forward_mode, grad_mode, versions
from minigrad.tape import active_tapes, record_on_active_tapes
from minigrad.tensor import Tensor, shape_of, to_tensor
from minigrad.typing import Array, TensorLike

# The tape position of each recorded output. Inputs are always recorded before the ops
# that use them, so newest-first by position is a reverse topological order.
_positions = versions.positions
_new_tensor = Tensor.__new__
_grad_mode = grad_mode.state
_forward_mode = forward_mode.state


class Primitive:
    """Base class of every differentiable op: forward, VJP and JVP side by side.

    Subclass it and define three methods whose arguments follow the math:

    - ``forward(self, x, y)`` -> z, on ndarrays.
    - ``vjp(self, z_bar, z, x, y)`` -> (x_bar, y_bar): the cotangent of the output pulled
      back to each input, i.e. J^T z_bar, without building J. A unary op may return the
      single cotangent bare. Entries for inputs with ``self.needs_grad[i]`` False are
      ignored, so a rule may skip them (return None).
    - ``jvp(self, x_dot, y_dot, z, x, y)`` -> z_dot: the tangents of the inputs pushed
      forward, i.e. J (x_dot, y_dot). A tangent of an input that carries none is zeros.

    Rules return new arrays (or views) and never modify their arguments in place: one
    cotangent array may reach several rules, and a leaf may keep it as its `.grad`.

    The engine checks what a VJP rule returns: one cotangent per input, each shaped like
    its input, so a slip is reported at the rule that made it rather than broadcast
    silently into other gradients. (The fast engine skips the check for the primitives
    listed in `minigrad.ops.PRIMITIVES`: the spec table checks those once and for all, for
    every shape variant, as JAX trusts its primitives' rules. Any other op, including one
    a student adds inside minigrad/ops, is checked.)

    Op parameters (axis, shape, exponent) are plain fields set in ``__init__``. An op
    whose rules never read an input's value, or the output's, says so in `reads_inputs`
    and `reads_output`: changing that value in place after the op is then allowed (the
    version check, see versions.py, guards only what the rules read).

    Example: a cube op, checked the way the built-ins are.

    >>> import numpy as np, minigrad as mg
    >>> class Cube(mg.Primitive):
    ...     '''z = x**3;  jvp: z_dot = 3 x^2 x_dot;  vjp: x_bar = 3 x^2 z_bar'''
    ...     def forward(self, x):
    ...         return x ** 3
    ...     def vjp(self, z_bar, z, x):
    ...         return 3 * x * x * z_bar
    ...     def jvp(self, x_dot, z, x):
    ...         return 3 * x * x * x_dot
    >>> x = mg.tensor([1.0, 2.0], requires_grad=True)
    >>> Cube()(x).sum().backward()
    >>> x.grad
    tensor([ 3., 12.])
    >>> mg.testing.check_op(Cube(), np.array([0.5, -1.5]))
    True
    """

    # needs_grad: which inputs need a gradient, for rules that skip the others.
    # saved: anything forward computes for the rules; the engine frees it after backward.
    # A subclass adds its parameters in its own __slots__ (or uses a dict).
    __slots__ = ("needs_grad", "saved")
    needs_grad: tuple[bool, ...]
    saved: Any

    #: The op's name on the tape: the class name in snake case (SoftmaxNLL -> softmax_nll)
    #: unless the class sets its own (MatMul keeps NumPy's "matmul").
    name: ClassVar[str] = "primitive"
    _name_is_derived: ClassVar[bool] = True
    #: The VJP rule the fast sweep calls (see `trust_rules`).
    _sweep_vjp: ClassVar[Callable[..., Any]]

    # Properties here so that a subclass may override them with a class attribute (most
    # do) or a property of its own (Multiply); the engine reads them only to check a value
    # changed in place.
    @property
    def reads_inputs(self) -> bool | tuple[bool, ...]:
        """Whether the rules read the inputs' values: True, False, or one bool per input
        (a property may decide from `needs_grad`, as Multiply's does). Shapes do not count:
        an in-place change keeps the shape."""
        return True

    @property
    def reads_output(self) -> bool:
        """Whether the rules read the output's value."""
        return True

    def forward(self, *args: Any) -> Any:
        """z from the input arrays (Python numbers for constant operands)."""
        raise NotImplementedError(f"{type(self).__name__} must define forward()")

    def vjp(self, z_bar: Array, z: Array, *args: Any) -> Any:
        """The cotangent of each input from the output's, z_bar: a tuple, or one bare."""
        raise NotImplementedError(f"{type(self).__name__} must define vjp()")

    def jvp(self, *tangents_then_primals: Any) -> Any:
        """The output's tangent z_dot from the inputs' tangents (then z, then the inputs)."""
        raise NotImplementedError(f"{type(self).__name__} must define jvp()")

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # A name the class sets is kept by its subclasses (a planted wrong rule still
        # reads as the op it imitates); a derived one is derived again (Min from Max).
        if "name" in cls.__dict__:
            cls._name_is_derived = False
        elif cls._name_is_derived:
            cls.name = snake_case(cls.__name__)
        # What the fast sweep calls: the rule with its cotangents checked, unless
        # `trust_rules` lists the class (see the class docstring).
        cls._sweep_vjp = Primitive.checked_vjp

    def checked_vjp(self, z_bar: Array, z: Array, *inputs: Any) -> tuple[Any, ...]:
        """`self.vjp` as a tuple, checked: one cotangent per input, each shaped like that
        input (None is allowed where `needs_grad` is False)."""
        in_bars = self.vjp(z_bar, z, *inputs)
        listed = tuple(in_bars) if isinstance(in_bars, (tuple, list)) else (in_bars,)
        if len(listed) != len(inputs):
            raise RuntimeError(
                f"{self.op}: VJP rule returned {len(listed)} "
                f"cotangent{'s' * (len(listed) != 1)} for {len(inputs)} inputs. Return one per input, in order (None for an input that needs no "
                "gradient); a one-input op may return its cotangent bare")
        for i, (x, needs, bar) in enumerate(zip(inputs, self.needs_grad, listed)):
            if needs and bar is not None and shape_of(bar) != shape_of(x):
                raise RuntimeError(
                    f"{self.op}: VJP rule returned a cotangent of shape {shape_of(bar)} for "
                    f"input {i}, whose shape is {shape_of(x)}. A VJP must return one "
                    "cotangent per input, shaped like that input (sum over any axes the "
                    "forward broadcast)")
        return listed

    @property
    def op(self) -> str:
        """The op's name as the tape prints it."""
        return self.name

    def params(self) -> dict[str, Any]:
        """The op's parameters by name, for the tape's printout: the fields its classes
        declare in `__slots__` (a class's own, not the engine's), or for a class without
        slots, its public instance attributes."""
        names = [slot for cls in type(self).__mro__[::-1] if issubclass(cls, Primitive)
                 and cls is not Primitive for slot in cls.__dict__.get("__slots__", ())]
        names += [name for name in getattr(self, "__dict__", {}) if not name.startswith("_")]
        fields: dict[str, Any] = {}
        for name in names:
            value = getattr(self, name, None)
            if value is not None and value is not False:  # print only what is set
                fields[name] = value
        return fields

    def __call__(self, *inputs: TensorLike | None) -> Tensor:
        """Apply the op: run forward, and record it if an input needs a gradient.

        This is `reference.apply` made fast; it runs once per op, so each departure
        from the reference says what it saves (callgrind instruction counts on the
        200-op chain of benchmarks/suite_engine.py, per op).

        The input of a one-input op is made a Tensor (a constant if it was not one), so
        `Tanh()(x)` accepts what `mg.tensor` accepts, and names the op when it cannot.
        """
        # fast: one, two and three inputs, nearly every graph, spelled out instead of the
        # reference's two generator expressions and forward(*arrays): CPython 3.11
        # inlines a call with positional arguments but not one with *args (~600/op).
        args: tuple[Any, ...]  # (annotations of locals are never evaluated: free)
        needs_grad: tuple[bool, ...]
        if len(inputs) == 2:
            x, y = inputs
            if isinstance(x, Tensor):
                if isinstance(y, Tensor):
                    args, needs_grad = (x.data, y.data), (x._requires_grad, y._requires_grad)
                else:
                    args, needs_grad = (x.data, y), (x._requires_grad, False)
            elif isinstance(y, Tensor):
                args, needs_grad = (x, y.data), (False, y._requires_grad)
            else:
                args, needs_grad = inputs, (False, False)
            z = self.forward(args[0], args[1])
        elif len(inputs) == 1:
            x = inputs[0]
            if not isinstance(x, Tensor):  # a constant, as mg.tensor(x); or a TypeError
                x = to_tensor(x, self.op)
                inputs = (x,)
            args, needs_grad = (x.data,), (x._requires_grad,)
            z = self.forward(args[0])
        elif len(inputs) == 3:  # fast: a linear layer's Affine(x, W, b), spelled out too
            x, y, b = inputs
            args = (x.data if isinstance(x, Tensor) else x, y.data if isinstance(y, Tensor) else y,
                    b.data if isinstance(b, Tensor) else b)
            needs_grad = (isinstance(x, Tensor) and x._requires_grad,
                          isinstance(y, Tensor) and y._requires_grad,
                          isinstance(b, Tensor) and b._requires_grad)
            z = self.forward(args[0], args[1], args[2])
        else:
            args = tuple([x.data if isinstance(x, Tensor) else x for x in inputs])
            needs_grad = tuple([isinstance(x, Tensor) and x._requires_grad for x in inputs])
            z = self.forward(*args)
        if z.__class__ is not np.ndarray:  # NumPy returns scalars for 0-d results
            z = np.asarray(z)
        out = _new_tensor(Tensor)  # fast: wrap(z) inlined, one call less
        out.data = z
        out.grad = out._tangent = None
        if not _grad_mode.enabled or True not in needs_grad:
            out._entry = None
            out._requires_grad = False
        else:
            # The output holds its line of the Wengert list: `out = self(*inputs)`, as in
            # the reference. fast: the engine reads these fields of the tensor, one
            # type, rather than of the entry, whose type varies op by op (CPython
            # caches attribute access per type; ~270 instructions a field). `needs_grad`
            # is a new tuple per call, also kept on the output, so the sweep can tell if
            # this instance was applied again since.
            out._entry = self
            out._inputs = inputs
            out._args = args
            self.needs_grad = out._needs = needs_grad
            out._position = next(_positions)
            out._requires_grad = True
            if active_tapes:
                record_on_active_tapes(self, out)
        if _forward_mode.depth:
            forward_mode.push_tangent(self, inputs, args, out)
        return out


def trust_rules(primitive_classes: Iterable[type[Primitive]]) -> None:
    """Let the fast sweep run these classes' VJP rules unchecked: the built-ins, which the
    spec table (tests/op_specs) checks for every shape variant. A subclass defined later
    is checked again (its rules are new)."""
    for cls in primitive_classes:
        cls._sweep_vjp = cls.vjp


def is_tracked(value: object) -> TypeGuard[Tensor]:
    """Whether an op applied to `value` is recorded or pushes a tangent: it requires grad
    while grad mode is on, or it carries a tangent of an open forward-mode level."""
    return isinstance(value, Tensor) and (
        (value._requires_grad and _grad_mode.enabled) or forward_mode.carries_tangent(value))


def apply_in_rule(op: Primitive, value: Array) -> Array:
    """`op` applied to `value` inside another op's rule: recorded when the rule was handed
    a Tensor (so the rule can be differentiated again), computed on the array otherwise.
    Linear ops whose rules are each other's forward (GetItem and IndexAdd, Unfold and
    Fold) use it."""
    return op(value) if recording(value) else op.forward(value)


def recording(value: object) -> bool:
    """True when a rule was handed Tensors rather than ndarrays: it runs under
    create_graph, so its own ops are recorded and can be differentiated again.

    >>> import numpy as np, minigrad as mg
    >>> recording(np.ones(2)), recording(mg.ones(2))
    (False, True)
    """
    return isinstance(value, Tensor)


def snake_case(class_name: str) -> str:
    """SoftmaxNLL -> softmax_nll, BroadcastTo -> broadcast_to, Exp -> exp.

    >>> snake_case("BinaryCrossEntropyWithLogits"), snake_case("SoftmaxNLL")
    ('binary_cross_entropy_with_logits', 'softmax_nll')
    """
    words = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", class_name)
    return re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", words).lower()


def array_namespace(*values: object) -> ModuleType:
    """NumPy for ndarrays, minigrad for Tensors: the functions a rule calls, by NumPy's names.

    >>> import numpy as np, minigrad as mg
    >>> array_namespace(np.ones(2)) is np, array_namespace(mg.ones(2)) is mg
    (True, True)
    """
    for value in values:
        if isinstance(value, Tensor):
            import minigrad
            return minigrad
    return np


def array_of(value: Any) -> Any:
    """The ndarray behind a Tensor (or the value itself): for masks and signs in rules."""
    return value.data if isinstance(value, Tensor) else value


class Variadic(Primitive):
    """Base class of a primitive with any number of inputs (concatenate).

    Define the rules on tuples, with explicit parameters:

    - ``forward_all(self, xs)`` -> z
    - ``vjp_all(self, z_bar, z, xs)`` -> one cotangent per input, as a tuple
    - ``jvp_all(self, x_dots, z, xs)`` -> z_dot

    and the engine's positional protocol (forward(*xs), vjp(z_bar, z, *xs),
    jvp(*x_dots, z, *xs)) is adapted here, once.
    """

    __slots__ = ()

    def forward_all(self, xs: tuple[np.ndarray, ...]) -> np.ndarray:
        raise NotImplementedError(f"{type(self).__name__} must define forward_all()")

    def vjp_all(self, z_bar: Array, z: Array, xs: tuple[Any, ...]) -> tuple[Any, ...]:
        raise NotImplementedError(f"{type(self).__name__} must define vjp_all()")

    def jvp_all(self, x_dots: tuple[Any, ...], z: Array, xs: tuple[Any, ...]) -> Array:
        raise NotImplementedError(f"{type(self).__name__} must define jvp_all()")

    def forward(self, *xs: np.ndarray) -> np.ndarray:
        return self.forward_all(xs)

    def vjp(self, z_bar: Array, z: Array, *xs: Any) -> tuple[Any, ...]:
        return tuple(self.vjp_all(z_bar, z, xs))

    def jvp(self, *tangents_then_primals: Any) -> Array:
        n = (len(tangents_then_primals) - 1) // 2  # n tangents, the output, n inputs
        x_dots, z, xs = (tangents_then_primals[:n], tangents_then_primals[n],
                         tangents_then_primals[n + 1:])
        return self.jvp_all(x_dots, z, xs)
