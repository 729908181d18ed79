"""Tensor methods by PyTorch's names, each one line that calls minigrad's own spelling.

`Tensor` inherits them from `PyTorchNames`, so tensor.py keeps NumPy's names and the
engine, and this file is the one table of what a PyTorch user can write:

    x.view(2, -1)  x.view_as(y)        reshape (it may copy where PyTorch's view would
                                       refuse, e.g. after a transpose)
    x.unsqueeze(1)  x.flatten(1)       expand_dims; flatten(start_dim=0, end_dim=-1)
    x.permute(2, 0, 1)  x.t()          transpose with every axis; t() for at most 2-d
    x.argmax(dim=1, keepdim=True)      int64 indices, not recorded; argmin alike
    x.all()  x.any()                   booleans, not recorded
    x.float() .double() .half()        astype float32 / float64 / float16 (float() is
    x.long() .int() .bool()            float32 as in PyTorch); int64 / int32 / bool
    x.to(dtype)  x.to(y)  x.type_as(y) astype; x.to("cpu") and x.cpu() return x
    x.numel()  x.dim()                 x.size (the element count) and x.ndim
    x.clone()  x.contiguous()          a recorded copy; a copy only if not C-contiguous
    x.std(dim, correction=1)           sqrt(var); ddof (correction) 0 unless given
    x.clamp(min, max)  x.pow(p)        clip; x ** p
    x.eq(y) .ne .lt .le .gt .ge        == != < <= > >=: boolean tensors, not recorded
    x.masked_fill(mask, value)         where(mask, value, x): differentiable in x
    x.tolist()                         nested Python lists
    x.expand(-1, 4)  x.expand_as(y)    broadcast_to (-1 keeps an axis; new axes lead)
    x.split(n, dim) .chunk .unbind     slices along an axis (mg.split, mg.chunk, mg.unbind)
    x.gather(dim, index)               take_along_axis
    x.sort(dim) .topk(k, dim)          (values, indices); the values differentiable
    x.cumsum(dim)                      running sums (the CumSum primitive)
    x.flip(dims)  x.norm(p, dim)       reversed axes; the p-norm (gradient 0 at zero)

Every method that takes an axis takes `dim=`/`keepdim=` as well (minigrad/spellings.py),
and the names PyTorch has but minigrad spells differently (x.cuda, x.device, x.grad_fn,
x.add, x.sort...) raise an AttributeError that says what to write instead.
"""
# The methods annotate `self` as the Tensor they become part of, which mypy's rule for
# self types (a supertype of the class) does not foresee for a mixin; that is all "misc"
# reports here. Callers see the right types: `x.view(2, -1)` is a Tensor.
# mypy: disable-error-code="misc"
from __future__ import annotations

import builtins
from typing import TYPE_CHECKING, Any, NoReturn, Sequence, overload

import numpy as np

import minigrad as mg  # mg.ops is read when a method runs: ops needs Tensor, which needs this
from minigrad import spellings
from minigrad.spellings import pytorch_keywords
from minigrad.typing import Axis, DTypeLike, TensorLike

if TYPE_CHECKING:
    from minigrad.tensor import Tensor


class ElementCount(int):
    """`x.size`: the number of elements, an int as in NumPy.

    PyTorch's `x.size()` is a method returning the shape; calling this int raises a
    TypeError that says to write `x.shape` (or `x.shape[0]` for `x.size(0)`).

    >>> import minigrad as mg
    >>> x = mg.zeros(2, 3)
    >>> x.size, x.size == 6
    (6, True)
    >>> x.size(0)
    Traceback (most recent call last):
    TypeError: x.size is the number of elements (6), an int as in NumPy, not a method: PyTorch's x.size(0) is x.shape[0] here (and x.size() is x.shape)
    """

    __slots__ = ()

    def __call__(self, dim: int | None = None) -> NoReturn:
        wanted = "x.size()" if dim is None else f"x.size({dim})"
        write = "x.shape" if dim is None else f"x.shape[{dim}]"
        raise TypeError(f"x.size is the number of elements ({int(self)}), an int as in NumPy, "
                        f"not a method: PyTorch's {wanted} is {write} here"
                        + (" (and x.size() is x.shape)" if dim is not None else ""))


class Unavailable:
    """A name PyTorch tensors have and minigrad spells differently: reading it from a
    tensor raises an AttributeError that says what to write instead (from the class, it
    is this object, so help(mg.Tensor) lists the advice).

    >>> import minigrad as mg
    >>> mg.ones(2).cuda()
    Traceback (most recent call last):
    AttributeError: 'Tensor' object has no attribute 'cuda': minigrad has no devices: it computes with NumPy on the CPU, so leave out device= and .to(device) or .cuda() (x.to('cpu') and x.cpu() are accepted and return x)
    """

    __slots__ = ("advice", "name")

    def __init__(self, advice: str) -> None:
        self.advice: str = advice
        self.name: str | None = None

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, tensor: None, owner: type | None = None) -> Unavailable: ...
    @overload
    def __get__(self, tensor: object, owner: type | None = None) -> NoReturn: ...

    def __get__(self, tensor: object, owner: type | None = None) -> Unavailable:
        if tensor is None:
            return self
        # name=None: the interpreter then adds no "Did you mean" of its own.
        raise AttributeError(f"'{type(tensor).__name__}' object has no attribute "
                             f"{self.name!r}: {self.advice}", name=None)

    def __repr__(self) -> str:
        return f"<x.{self.name} is not minigrad's: {self.advice}>"


class PyTorchNames:
    """The PyTorch-named methods of `Tensor` (see the table in this module's docstring)."""

    __slots__ = ()

    # ----- shape ----------------------------------------------------------------------
    def view(self: Tensor, *shape: int | Sequence[int]) -> Tensor: return mg.reshape(self, *shape)
    def view_as(self: Tensor, other: Tensor) -> Tensor: return mg.reshape(self, other.shape)
    @pytorch_keywords
    def unsqueeze(self: Tensor, axis: int) -> Tensor: return mg.unsqueeze(self, axis)
    @pytorch_keywords
    def flatten(self: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
        return mg.flatten(self, start_dim, end_dim)
    def permute(self: Tensor, *dims: int | Sequence[int]) -> Tensor: return mg.permute(self, *dims)
    def t(self: Tensor) -> Tensor: return mg.ops.t(self)
    def contiguous(self: Tensor) -> Tensor:
        return self if self.data.flags.c_contiguous else mg.ops.clone(self)

    # ----- reductions that return indices or booleans, and std ----------------------
    @pytorch_keywords
    def argmax(self: Tensor, axis: int | None = None, keepdims: bool = False) -> Tensor:
        return mg.argmax(self, axis, keepdims)
    @pytorch_keywords
    def argmin(self: Tensor, axis: int | None = None, keepdims: bool = False) -> Tensor:
        return mg.argmin(self, axis, keepdims)
    @pytorch_keywords
    def all(self: Tensor, axis: Axis = None, keepdims: bool = False) -> Tensor:
        return mg.ops.all(self, axis, keepdims)
    @pytorch_keywords
    def any(self: Tensor, axis: Axis = None, keepdims: bool = False) -> Tensor:
        return mg.ops.any(self, axis, keepdims)
    @pytorch_keywords
    def std(self: Tensor, axis: Axis = None, keepdims: bool = False, ddof: int = 0) -> Tensor:
        return mg.std(self, axis, keepdims, ddof)

    # ----- elementwise --------------------------------------------------------------
    @pytorch_keywords
    def clamp(self: Tensor, min: TensorLike | None = None, max: TensorLike | None = None) -> Tensor:  # noqa: A002
        return mg.clip(self, min, max)
    def pow(self: Tensor, exponent: TensorLike) -> Tensor: return mg.power(self, exponent)
    def masked_fill(self: Tensor, mask: TensorLike, value: TensorLike) -> Tensor:
        return mg.ops.masked_fill(self, mask, value)
    def eq(self: Tensor, other: TensorLike) -> Tensor: return self == other
    def ne(self: Tensor, other: TensorLike) -> Tensor: return self != other
    def lt(self: Tensor, other: TensorLike) -> Tensor: return self < other
    def le(self: Tensor, other: TensorLike) -> Tensor: return self <= other
    def gt(self: Tensor, other: TensorLike) -> Tensor: return self > other
    def ge(self: Tensor, other: TensorLike) -> Tensor: return self >= other

    # ----- copies, conversions and facts ----------------------------------------------
    def clone(self: Tensor) -> Tensor: return mg.ops.clone(self)
    def cpu(self: Tensor) -> Tensor: return self
    def numel(self: Tensor) -> builtins.int: return self.data.size
    def dim(self: Tensor) -> builtins.int: return self.data.ndim
    def tolist(self: Tensor) -> Any: return self.data.tolist()
    def expand(self: Tensor, *sizes: int | Sequence[int]) -> Tensor:
        return mg.broadcast_to(self, _expanded_shape(self.shape, sizes))
    def expand_as(self: Tensor, other: Tensor) -> Tensor: return mg.broadcast_to(self, other.shape)
    @pytorch_keywords
    def split(self: Tensor, split_size_or_sections: int | Sequence[int], axis: int = 0
              ) -> tuple[Tensor, ...]: return mg.split(self, split_size_or_sections, axis)
    @pytorch_keywords
    def chunk(self: Tensor, chunks: int, axis: int = 0) -> tuple[Tensor, ...]:
        return mg.chunk(self, chunks, axis)
    @pytorch_keywords
    def unbind(self: Tensor, axis: int = 0) -> tuple[Tensor, ...]: return mg.unbind(self, axis)
    @pytorch_keywords
    def gather(self: Tensor, axis: int, index: TensorLike) -> Tensor:
        return mg.take_along_axis(self, index, axis)
    @pytorch_keywords
    def sort(self: Tensor, axis: int = -1, descending: bool = False) -> Any:
        return mg.sort(self, axis, descending)
    @pytorch_keywords
    def topk(self: Tensor, k: int, axis: int = -1, largest: bool = True,
             sorted: bool = True) -> Any: return mg.topk(self, k, axis, largest, sorted)  # noqa: A002
    @pytorch_keywords
    def cumsum(self: Tensor, axis: int) -> Tensor: return mg.cumsum(self, axis)
    def flip(self: Tensor, *dims: int | Sequence[int], axis: Any = None) -> Tensor:
        return mg.flip(self, _flat_dims(dims), axis=axis)
    @pytorch_keywords
    def norm(self: Tensor, p: builtins.float = 2, axis: Axis = None, keepdims: builtins.bool = False
             ) -> Tensor: return mg.norm(self, p, axis, keepdims)
    def type_as(self: Tensor, other: Tensor) -> Tensor: return mg.astype(self, other.dtype)
    def to(self: Tensor, *args: Any, dtype: DTypeLike = None, device: str | None = None,
           copy: bool = False) -> Tensor:
        return _to(self, args, dtype, device, copy)

    # Last in the class body: from here on the names float, int and bool are methods.
    def double(self: Tensor) -> Tensor: return mg.astype(self, np.float64)
    def half(self: Tensor) -> Tensor: return mg.astype(self, np.float16)
    def long(self: Tensor) -> Tensor: return mg.astype(self, np.int64)
    def float(self: Tensor) -> Tensor: return mg.astype(self, np.float32)
    def int(self: Tensor) -> Tensor: return mg.astype(self, np.int32)
    def bool(self: Tensor) -> Tensor: return mg.astype(self, np.bool_)

    # ----- PyTorch's names that minigrad spells differently or lacks: reading one raises
    # an AttributeError that says what to write. (Descriptors, not a __getattr__: a class
    # with __getattr__ loses CPython's fast attribute access, 10% of the engine's time.)
    cuda = Unavailable(spellings.NO_DEVICE)
    device = Unavailable(spellings.NO_DEVICE)
    is_cuda = Unavailable(spellings.NO_DEVICE)
    grad_fn = Unavailable("the op that made a tensor is its tape entry: record with `with "
                          "mg.Tape() as tape:` and print(tape); x.is_leaf says whether there is one")
    retain_grad = Unavailable("only leaves get .grad; for an intermediate y record with `with "
                              "mg.Tape() as tape:` and call tape.gradient(loss, [y])")
    register_hook = Unavailable("minigrad has no hooks; take gradients with tape.gradient(...) "
                                "or mg.vjp")
    values = Unavailable("x.max(dim) returns the values only (NumPy's meaning); "
                         "x.argmax(dim) gives the indices")
    indices = Unavailable("x.max(dim) returns the values only (NumPy's meaning); "
                          "x.argmax(dim) gives the indices")
    add = Unavailable("write x + y")
    sub = Unavailable("write x - y")
    mul = Unavailable("write x * y")
    div = Unavailable("write x / y")
    mm = Unavailable("write x @ y")
    bmm = Unavailable("write x @ y")
    add_ = Unavailable("write x += y (under mg.no_grad() for parameters)")
    sub_ = Unavailable("write x -= y (under mg.no_grad() for parameters)")
    mul_ = Unavailable("write x *= y (under mg.no_grad() for parameters)")
    div_ = Unavailable("write x /= y (under mg.no_grad() for parameters)")
    new_zeros = Unavailable("write mg.zeros(shape, dtype=x.dtype)")
    new_ones = Unavailable("write mg.ones(shape, dtype=x.dtype)")
    new_tensor = Unavailable("write mg.tensor(data, dtype=x.dtype)")
    ndimension = Unavailable("write x.ndim or x.dim()")
    nelement = Unavailable("write x.size or x.numel()")
    square = Unavailable("write x ** 2 or x * x")
    sign = Unavailable("write mg.sign(x)")
    log2 = Unavailable("write x.log() / math.log(2)")
    log10 = Unavailable("write x.log() / math.log(10)")

    def __dir__(self) -> list[str]:
        # What tab completion offers: the names that work.
        return [name for name in object.__dir__(self) if name not in _UNAVAILABLE]


#: The names above that only explain themselves.
_UNAVAILABLE = frozenset(name for name, value in vars(PyTorchNames).items()
                         if isinstance(value, Unavailable))


def _flat_dims(dims: tuple[Any, ...]) -> Any:
    """x.flip(0, 1), x.flip((0, 1)) and x.flip(dims=...) alike: the axes, or None."""
    if not dims:
        return None
    return tuple(dims[0]) if len(dims) == 1 and isinstance(dims[0], (tuple, list)) else dims


def _expanded_shape(shape: tuple[int, ...], sizes: tuple[Any, ...]) -> tuple[int, ...]:
    """PyTorch's expand(*sizes): -1 keeps an axis's size; new axes may lead.

    Raises:
        ValueError: for fewer sizes than axes, or -1 on a new leading axis.
    """
    wanted = tuple(sizes[0]) if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)) else sizes
    new = len(wanted) - len(shape)
    if new < 0 or any(size == -1 for size in wanted[:new]):
        raise ValueError(f"expand: the sizes {wanted} must cover the {len(shape)} axes of shape "
                         f"{shape} (new axes first, and -1 only on existing ones)")
    return tuple(shape[i - new] if size == -1 else int(size) for i, size in enumerate(wanted))


#: PyTorch's device types, to tell x.to("cuda") from x.to("float32").
_DEVICES = ("cpu", "cuda", "mps", "xpu", "xla", "meta", "hip", "ipu", "hpu", "mtia")


def _to(tensor: Tensor, args: tuple[Any, ...], dtype: DTypeLike, device: str | None,
        copy: bool) -> Tensor:
    """PyTorch's x.to(...): to(dtype), to(other_tensor), to(device), to(device, dtype), and
    the same as keywords; the only device is "cpu".

    Raises:
        TypeError: for a device other than the CPU, or arguments of another kind.
    """
    for arg in args:
        if isinstance(arg, str) and arg.split(":")[0] in _DEVICES and device is None:
            device = arg
        elif isinstance(arg, mg.Tensor) and dtype is None:
            dtype = arg.dtype
        elif dtype is None:
            dtype = arg
        else:
            raise TypeError(f"Tensor.to: cannot read the arguments {args!r}; write x.to(dtype), "
                            "x.to(other_tensor) or x.to('cpu')")
    if device is not None and str(device).split(":")[0] != "cpu":
        raise TypeError(f"Tensor.to({device!r}): {spellings.NO_DEVICE}")
    converted = tensor if dtype is None else mg.astype(tensor, dtype)
    return mg.ops.clone(converted) if copy and converted is tensor else converted
