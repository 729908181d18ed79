"""`Tensor`: an ndarray plus what reverse and forward mode need to know about it.

A tensor produced by a recorded op points at its tape entry (`_entry`) and its inputs;
a leaf has none.
Every operator and method below is one call into an op: the math lives in
`minigrad/ops/`, one family per file, and in-place changes in `minigrad/inplace.py`.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Iterator, Sequence, TypeVar

import numpy as np

from minigrad import dtypes
from minigrad.pytorch_names import ElementCount, PyTorchNames
from minigrad.spellings import pytorch_keywords
from minigrad.typing import Axis, DTypeLike, Index, Number, RNGLike, ShapeLike, TensorLike

if TYPE_CHECKING:
    from minigrad.primitive import Primitive

TensorT = TypeVar("TensorT", bound="Tensor")  # in-place methods return self, of its class


class Tensor(PyTorchNames):
    """An n-dimensional array that can record the ops applied to it.

    Args:
        data: an ndarray (copied, keeping its dtype), a number or a (nested) list (ints
            give int64, floats the default float dtype), or a Tensor (its data, copied).
        requires_grad: record ops on this tensor so gradients can flow back to it.
        dtype: convert the data to this dtype.

    Raises:
        TypeError: for non-numeric data, or requires_grad on an integer or bool tensor.

    >>> import minigrad as mg
    >>> x = mg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    >>> y = (x * x).sum()
    >>> y.backward()
    >>> x.grad
    tensor([2., 4., 6.])
    """

    # A tensor an op recorded holds its line of the Wengert list, `self = _entry(*_inputs)`:
    # _entry, the Primitive instance (None for a leaf); _inputs, the tensors and constants
    # it was applied to, and _args, the arrays behind them (both None once backward has
    # released the graph); _needs, which inputs need a gradient; _position, its place on
    # the tape. The last four are set only on recorded tensors (see Primitive.__call__).
    # _tangent holds forward-mode tangents by level; _grad_depth, set only in forward mode,
    # how many forward levels were open when the variables it depends on were made.
    __slots__ = ("data", "_requires_grad", "grad", "_entry", "_inputs", "_args", "_needs",
                 "_position", "_tangent", "_grad_depth", "__weakref__")
    data: np.ndarray
    grad: Tensor | None  # None until a backward reaches this leaf
    _requires_grad: bool
    _entry: Primitive | None
    _inputs: tuple[Any, ...] | None
    _args: tuple[Any, ...] | None
    _needs: tuple[bool, ...]
    _position: int
    _tangent: dict[int, Any] | None
    _grad_depth: int

    # NumPy's functions and ufuncs on tensors call minigrad's ops (interop.py), so
    # `np.exp(t)` and `ndarray + t` give recorded Tensors, and `p.data -= lr * p.grad`
    # writes into the array.
    def __array_ufunc__(self, ufunc: np.ufunc, method: str, *inputs: Any, **kwargs: Any) -> Any:
        return interop.array_ufunc(ufunc, method, inputs, kwargs)

    def __array_function__(self, func: Callable[..., Any], types: Any, args: tuple[Any, ...],
                           kwargs: dict[str, Any]) -> Any:
        return interop.array_function(func, args, kwargs)

    def __init__(self, data: TensorLike, requires_grad: bool = False,
                 dtype: DTypeLike = None) -> None:
        self.data = dtypes.to_array(data.data if isinstance(data, Tensor) else data, dtype,
                                    copy=True)
        self._requires_grad = False
        self.grad = None
        self._entry = None
        self._tangent = None
        if requires_grad:
            self.requires_grad = True

    # ----- what the tensor is -------------------------------------------------------
    @property
    def requires_grad(self) -> bool:
        """Whether ops on this tensor are recorded so gradients can flow back to it."""
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        if value and not dtypes.is_differentiable_dtype(self.data.dtype):
            raise TypeError(
                f"requires_grad=True needs a floating tensor, but this one is {self.data.dtype}; "
                "gradients of integer or boolean tensors are not defined. Pass floats, e.g. "
                "mg.tensor([1.0, 2.0], requires_grad=True) or mg.tensor(data, dtype=np.float64, "
                "requires_grad=True)")
        if not value and self._entry is not None:
            raise RuntimeError(
                "requires_grad can only be turned off on a leaf tensor; use .detach() instead")
        self._requires_grad = bool(value)

    def requires_grad_(self: TensorT, value: bool = True) -> TensorT:
        """Set requires_grad in place and return self (PyTorch's spelling)."""
        self.requires_grad = value
        return self

    @property
    def is_leaf(self) -> bool:
        """True unless the tensor was produced by a recorded op (as in PyTorch)."""
        return self._entry is None

    @property
    def _version(self) -> int:
        """How many in-place changes minigrad has made to this tensor's memory (PyTorch's
        counter; views and detached tensors share their data, and so share it)."""
        return versions.version(self.data)

    @property
    def shape(self) -> tuple[int, ...]:
        """The shape, a tuple of ints."""
        return self.data.shape

    @property
    def ndim(self) -> int:
        """The number of dimensions."""
        return self.data.ndim

    @property
    def size(self) -> ElementCount:
        """The number of elements (NumPy's meaning); calling it, PyTorch's x.size(0), says
        to write x.shape[0]."""
        return ElementCount(self.data.size)

    @property
    def dtype(self) -> np.dtype:
        """The NumPy dtype."""
        return self.data.dtype

    @property
    def T(self) -> Tensor:
        """The tensor with its axes reversed."""
        return self.transpose()

    def numpy(self) -> np.ndarray:
        """The underlying ndarray (shared, not copied)."""
        return self.data

    def item(self) -> Number:
        """The value of a one-element tensor as a Python number."""
        if self.data.size != 1:
            raise ValueError(f"item() needs a one-element tensor, but this one has shape "
                             f"{self.data.shape}; pick one first (x[0].item()) or use x.tolist()")
        return self.data.item()

    def __array__(self, dtype: DTypeLike = None, copy: bool | None = None) -> np.ndarray:
        # NumPy 2 protocol: np.asarray shares the data (copy=None), np.array copies it.
        if copy is False and dtype is not None and np.dtype(dtype) != self.data.dtype:
            raise ValueError(f"cannot convert a {self.data.dtype} tensor to {np.dtype(dtype)} "
                             "without copying (copy=False)")
        if dtype is not None and np.dtype(dtype) != self.data.dtype:
            return self.data.astype(dtype)
        return self.data.copy() if copy else self.data

    def __len__(self) -> int:
        if self.data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return len(self.data)

    def __iter__(self) -> Iterator[Tensor]:
        # Over the first axis, each row a recorded selection (so gradients flow through it).
        if self.data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor; use .item() for its value")
        return (self[i] for i in range(len(self.data)))

    def __bool__(self) -> bool:
        return bool(self.data)

    # Via .item(): NumPy 2.x refuses float() of a 1-element array that is not 0-d.
    def __float__(self) -> float:
        return float(self.data.item())

    def __int__(self) -> int:
        return int(self.data.item())

    def __index__(self) -> int:
        if self.data.ndim or self.data.dtype.kind not in "iub":
            raise TypeError(f"only 0-d integer tensors can be used as an index, not a "
                            f"{self.data.dtype} tensor of shape {self.data.shape}")
        return int(self.data)

    def __format__(self, spec: str) -> str:
        if not spec:
            return str(self)
        if self.data.size != 1:
            raise TypeError(f"format spec {spec!r} needs a one-element tensor, but this one "
                            f"has shape {self.data.shape}; format t.numpy() or each .item()")
        return format(self.data.item(), spec)

    __hash__ = object.__hash__  # == is elementwise, so hashing must stay by identity

    def __repr__(self) -> str:
        body = np.array2string(self.data, separator=", ", prefix="tensor(")
        extras = []
        if self.data.dtype != dtypes.get_default_dtype() and self.data.dtype.kind == "f":
            extras.append(f"dtype={self.data.dtype}")
        if self._entry is not None:
            extras.append(f"op={self._entry.op}")
        elif self._requires_grad:
            extras.append("requires_grad=True")
        return "tensor(" + ", ".join([body] + extras) + ")"

    # ----- graph control -------------------------------------------------------------
    def backward(self, grad: TensorLike | None = None, retain_graph: bool | None = None,
                 create_graph: bool = False) -> None:
        """Accumulate d(self)/d(leaf) into `.grad` of every leaf that requires grad.

        Args:
            grad: the cotangent of this tensor; may be omitted only for one element (1.0).
            retain_graph: keep the saved arrays so backward can run through them again
                (default: create_graph, as PyTorch).
            create_graph: record the backward pass itself, for higher derivatives.

        Raises:
            RuntimeError: if nothing requires grad, grad is missing for a non-scalar or has
                the wrong shape, the graph was released by an earlier backward, or a value
                it needs was changed in place since it was recorded.
        """
        engines.backward(self, grad, retain_graph, create_graph)

    def detach(self) -> Tensor:
        """A new leaf sharing this tensor's data, cut off from the graph."""
        return wrap(self.data)

    # ----- operators: each is one call into minigrad.ops ----------------------------
    def __add__(self, other: TensorLike) -> Tensor: return apply_binary(Add, self, other)
    def __radd__(self, other: TensorLike) -> Tensor: return apply_binary(Add, other, self)
    def __sub__(self, other: TensorLike) -> Tensor: return apply_binary(Subtract, self, other)
    def __rsub__(self, other: TensorLike) -> Tensor: return apply_binary(Subtract, other, self)
    def __mul__(self, other: TensorLike) -> Tensor: return apply_binary(Multiply, self, other)
    def __rmul__(self, other: TensorLike) -> Tensor: return apply_binary(Multiply, other, self)
    def __truediv__(self, other: TensorLike) -> Tensor: return apply_binary(Divide, self, other)
    def __rtruediv__(self, other: TensorLike) -> Tensor: return apply_binary(Divide, other, self)
    def __pow__(self, other: TensorLike) -> Tensor: return ops.power(self, other)
    def __rpow__(self, other: TensorLike) -> Tensor: return ops.power(other, self)
    def __floordiv__(self, other: TensorLike) -> Tensor: return ops.floor_divide(self, other)
    def __rfloordiv__(self, other: TensorLike) -> Tensor: return ops.floor_divide(other, self)
    def __mod__(self, other: TensorLike) -> Tensor: return ops.remainder(self, other)
    def __rmod__(self, other: TensorLike) -> Tensor: return ops.remainder(other, self)
    def __matmul__(self, other: TensorLike) -> Tensor: return ops.matmul(self, other)
    def __rmatmul__(self, other: TensorLike) -> Tensor: return ops.matmul(other, self)
    def __neg__(self) -> Tensor: return ops.negative(self)
    def __pos__(self) -> Tensor: return self
    def __abs__(self) -> Tensor: return ops.abs(self)
    def __getitem__(self, index: Index) -> Tensor: return ops.getitem(self, index)

    # In place: the same object, its data changed and its version bumped (inplace.py).
    def __iadd__(self: TensorT, other: TensorLike) -> TensorT:
        return inplace.apply_ufunc(self, np.add, other, "+")
    def __isub__(self: TensorT, other: TensorLike) -> TensorT:
        return inplace.apply_ufunc(self, np.subtract, other, "-")
    def __imul__(self: TensorT, other: TensorLike) -> TensorT:
        return inplace.apply_ufunc(self, np.multiply, other, "*")
    def __itruediv__(self: TensorT, other: TensorLike) -> TensorT:
        return inplace.apply_ufunc(self, np.true_divide, other, "/")
    def __imatmul__(self: TensorT, other: TensorLike) -> TensorT: return inplace.matmul_(self, other)
    def __setitem__(self, index: Index, value: TensorLike) -> None:
        inplace.setitem(self, index, value)

    # Comparisons and logic select, they do not differentiate: tensors off the tape.
    def __lt__(self, other: TensorLike) -> Tensor: return ops.compare(np.less, self, other)
    def __le__(self, other: TensorLike) -> Tensor: return ops.compare(np.less_equal, self, other)
    def __gt__(self, other: TensorLike) -> Tensor: return ops.compare(np.greater, self, other)
    def __ge__(self, other: TensorLike) -> Tensor: return ops.compare(np.greater_equal, self, other)
    # == and != too are elementwise, as NumPy's: a boolean tensor where object's give a bool
    # (the ignores say so to type checkers, as NumPy's own annotations do).
    def __eq__(self, other: TensorLike) -> Tensor:  # type: ignore[override]
        return ops.compare(np.equal, self, other)
    def __ne__(self, other: TensorLike) -> Tensor:  # type: ignore[override]
        return ops.compare(np.not_equal, self, other)
    def __and__(self, other: TensorLike) -> Tensor: return ops.logical(np.bitwise_and, self, other)
    def __rand__(self, other: TensorLike) -> Tensor: return ops.logical(np.bitwise_and, other, self)
    def __or__(self, other: TensorLike) -> Tensor: return ops.logical(np.bitwise_or, self, other)
    def __ror__(self, other: TensorLike) -> Tensor: return ops.logical(np.bitwise_or, other, self)
    def __xor__(self, other: TensorLike) -> Tensor: return ops.logical(np.bitwise_xor, self, other)
    def __rxor__(self, other: TensorLike) -> Tensor: return ops.logical(np.bitwise_xor, other, self)
    def __invert__(self) -> Tensor: return ops.logical(np.invert, self)

    # ----- in place, by PyTorch's names (a trailing _ marks them) ----------------------
    def zero_(self: TensorT) -> TensorT: return inplace.fill_(self, 0, "zero_")
    def fill_(self: TensorT, value: TensorLike) -> TensorT: return inplace.fill_(self, value)
    def copy_(self: TensorT, source: TensorLike) -> TensorT: return inplace.copy_(self, source)
    def clamp_(self: TensorT, min: float | None = None, max: float | None = None) -> TensorT:  # noqa: A002
        return inplace.clamp_(self, min, max)
    def uniform_(self: TensorT, a: float = 0.0, b: float = 1.0, rng: RNGLike = None) -> TensorT:
        return inplace.uniform_(self, a, b, rng)
    def normal_(self: TensorT, mean: float = 0.0, std: float = 1.0, rng: RNGLike = None) -> TensorT:
        return inplace.normal_(self, mean, std, rng)

    # ----- methods: the same names as the mg.* functions (PyTorch's: pytorch_names.py) -
    def exp(self) -> Tensor: return ops.exp(self)
    def log(self) -> Tensor: return ops.log(self)
    def sqrt(self) -> Tensor: return ops.sqrt(self)
    def abs(self) -> Tensor: return ops.abs(self)
    def tanh(self) -> Tensor: return ops.tanh(self)
    def sigmoid(self) -> Tensor: return ops.sigmoid(self)
    def relu(self) -> Tensor: return ops.relu(self)
    def sin(self) -> Tensor: return ops.sin(self)
    def cos(self) -> Tensor: return ops.cos(self)
    @pytorch_keywords
    def sum(self, axis: Axis = None, keepdims: bool = False) -> Tensor:
        return ops.sum(self, axis, keepdims)
    @pytorch_keywords
    def mean(self, axis: Axis = None, keepdims: bool = False) -> Tensor:
        return ops.mean(self, axis, keepdims)
    @pytorch_keywords
    def max(self, axis: Axis = None, keepdims: bool = False) -> Tensor:
        return ops.max(self, axis, keepdims)
    @pytorch_keywords
    def min(self, axis: Axis = None, keepdims: bool = False) -> Tensor:
        return ops.min(self, axis, keepdims)
    @pytorch_keywords
    def var(self, axis: Axis = None, keepdims: bool = False, ddof: int = 0) -> Tensor:
        return ops.var(self, axis, keepdims, ddof)
    @pytorch_keywords
    def logsumexp(self, axis: Axis = None, keepdims: bool = False) -> Tensor:
        return ops.logsumexp(self, axis, keepdims)
    @pytorch_keywords
    def softmax(self, axis: Axis = -1) -> Tensor: return ops.softmax(self, axis)
    @pytorch_keywords
    def log_softmax(self, axis: Axis = -1) -> Tensor: return ops.log_softmax(self, axis)
    def reshape(self, *shape: int | Sequence[int]) -> Tensor: return ops.reshape(self, *shape)
    def transpose(self, *axes: int | Sequence[int]) -> Tensor: return ops.transpose(self, *axes)
    def swapaxes(self, axis1: int, axis2: int) -> Tensor: return ops.swapaxes(self, axis1, axis2)
    @pytorch_keywords
    def squeeze(self, axis: Axis = None) -> Tensor: return ops.squeeze(self, axis)
    @pytorch_keywords
    def expand_dims(self, axis: int | tuple[int, ...]) -> Tensor: return ops.expand_dims(self, axis)
    def broadcast_to(self, shape: ShapeLike) -> Tensor: return ops.broadcast_to(self, shape)
    @pytorch_keywords
    def clip(self, a_min: TensorLike | None = None, a_max: TensorLike | None = None) -> Tensor:
        return ops.clip(self, a_min, a_max)
    def matmul(self, other: TensorLike) -> Tensor: return ops.matmul(self, other)
    def astype(self, dtype: DTypeLike) -> Tensor: return ops.astype(self, dtype)


def wrap(array: np.ndarray) -> Tensor:
    """A new leaf around `array` as it is (no copy): the fast path every op result takes."""
    tensor = Tensor.__new__(Tensor)
    tensor.data = array
    tensor._requires_grad = False
    tensor.grad = None
    tensor._entry = None
    tensor._tangent = None
    return tensor


def shape_of(value: TensorLike) -> tuple[int, ...]:
    """The shape of a Tensor, array or number, without NumPy's dispatch to Tensor
    (np.shape(tensor) works, through interop, but costs a microsecond per call)."""
    return value.data.shape if isinstance(value, Tensor) else np.shape(value)


# The Python numbers that ops take as they are (NumPy treats them as "weak" scalars).
PYTHON_SCALARS = (int, float, bool)


def to_tensor(value: object, op: str) -> Tensor:
    """`value` as a Tensor (a constant, if it is not one; an ndarray is not copied), or a
    TypeError naming the op."""
    if isinstance(value, Tensor):
        return value
    if isinstance(value, np.ndarray):
        return wrap(dtypes.to_array(value))
    if isinstance(value, (np.generic, list, tuple) + PYTHON_SCALARS):
        return wrap(dtypes.to_array(value))
    raise TypeError(
        f"{op}: expected a Tensor, ndarray or number, got {type(value).__name__}")


# Imported last: the ops and the engine need Tensor defined first. Tensor's methods look
# these names up when they run, so the cycle is harmless.
from minigrad import engines, inplace, interop, ops, versions  # noqa: E402
from minigrad.ops.arithmetic import Add, Divide, Multiply, Subtract  # noqa: E402
from minigrad.ops.broadcasting import apply_binary  # noqa: E402
