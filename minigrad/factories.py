"""Ways to make tensors: from data, filled with a constant, ranges, identity, random.

Factories use the default float dtype (`mg.get_default_dtype()`) unless told otherwise,
and every one takes `dtype=` (and, for floats, `requires_grad=`). Random ones take `rng=`
(see minigrad/random.py); PyTorch's keywords minigrad has no use for (`device=`,
`generator=`) get a TypeError that says what to write (minigrad/spellings.py).
"""
from __future__ import annotations

from typing import Any, Sequence, overload

import numpy as np

from minigrad import dtypes
from minigrad.ops.shape import shape_argument
from minigrad.random import as_generator
from minigrad.spellings import pytorch_keywords
from minigrad.tensor import Tensor, wrap
from minigrad.typing import DTypeLike, RNGLike, ShapeLike, TensorLike


@pytorch_keywords
def tensor(data: TensorLike, requires_grad: bool = False, dtype: DTypeLike = None) -> Tensor:
    """A new tensor holding a copy of `data`, as `torch.tensor` and `np.array`: training
    never writes into the caller's array. An ndarray keeps its dtype; Python ints and int
    lists give int64, bools bool, floats the default float dtype.

    >>> import minigrad as mg
    >>> mg.tensor([1, 2, 3]), mg.tensor([1.0, 2.0])
    (tensor([1, 2, 3]), tensor([1., 2.]))
    """
    return Tensor(data, requires_grad=requires_grad, dtype=dtype)


@pytorch_keywords
def as_tensor(data: TensorLike, dtype: DTypeLike = None) -> Tensor:
    """`data` as a tensor, sharing its memory where it can, as `torch.as_tensor`: a Tensor
    is returned as it is, an ndarray of the requested dtype is wrapped without a copy, and
    anything else is converted (as `mg.tensor`).

    >>> import numpy as np, minigrad as mg
    >>> a = np.zeros(2)
    >>> mg.as_tensor(a).data is a
    True
    """
    if isinstance(data, Tensor):
        return data if dtype is None or data.dtype == np.dtype(dtype) else data.astype(dtype)
    return wrap(dtypes.to_array(data, dtype))


def from_numpy(array: np.ndarray) -> Tensor:
    """A tensor sharing `array`'s memory (changes to one show in the other), as
    `torch.from_numpy`.

    Raises:
        TypeError: if `array` is not an ndarray.
    """
    if not isinstance(array, np.ndarray):
        raise TypeError(f"from_numpy expects an np.ndarray, got {type(array).__name__}; "
                        "use mg.tensor(data) for lists and numbers")
    return wrap(dtypes.to_array(array))


def _make(array: np.ndarray, requires_grad: bool) -> Tensor:
    """A new leaf around a freshly made array (no copy needed)."""
    made = wrap(array)
    if requires_grad:
        made.requires_grad = True
    return made


@pytorch_keywords
def zeros(*shape: int | Sequence[int], requires_grad: bool = False,
          dtype: DTypeLike = None) -> Tensor:
    """A tensor of zeros: `mg.zeros(2, 3)` or `mg.zeros((2, 3))`."""
    return _make(np.zeros(shape_argument(shape), dtype or dtypes.get_default_dtype()), requires_grad)


@pytorch_keywords
def ones(*shape: int | Sequence[int], requires_grad: bool = False,
         dtype: DTypeLike = None) -> Tensor:
    """A tensor of ones: `mg.ones(2, 3)` or `mg.ones((2, 3))`."""
    return _make(np.ones(shape_argument(shape), dtype or dtypes.get_default_dtype()), requires_grad)


@pytorch_keywords
def full(shape: ShapeLike, fill_value: float, requires_grad: bool = False,
         dtype: DTypeLike = None) -> Tensor:
    """A tensor of `shape` filled with `fill_value`."""
    shape = (shape,) if isinstance(shape, int) else tuple(shape)
    return _make(np.full(shape, fill_value, dtype or dtypes.get_default_dtype()), requires_grad)


@pytorch_keywords
def zeros_like(t: TensorLike, requires_grad: bool = False, dtype: DTypeLike = None) -> Tensor:
    """Zeros with the shape (and, unless given, the dtype) of `t`."""
    array = np.asarray(t)
    return _make(np.zeros(array.shape, dtype or array.dtype), requires_grad)


@pytorch_keywords
def ones_like(t: TensorLike, requires_grad: bool = False, dtype: DTypeLike = None) -> Tensor:
    """Ones with the shape (and, unless given, the dtype) of `t`."""
    array = np.asarray(t)
    return _make(np.ones(array.shape, dtype or array.dtype), requires_grad)


@pytorch_keywords
def arange(start: float, stop: float | None = None, step: float = 1,
           requires_grad: bool = False, dtype: DTypeLike = None) -> Tensor:
    """Evenly spaced values in [start, stop), as NumPy's arange: integer arguments give
    int64, any float argument gives the default float dtype.

    >>> import minigrad as mg
    >>> mg.arange(3)
    tensor([0, 1, 2])
    """
    if stop is None:
        start, stop = 0, start
    if dtype is None and any(isinstance(v, float) for v in (start, stop, step)):
        dtype = dtypes.get_default_dtype()
    return _make(np.arange(start, stop, step, dtype=dtype), requires_grad)


@pytorch_keywords
def eye(n: int, m: int | None = None, requires_grad: bool = False,
        dtype: DTypeLike = None) -> Tensor:
    """The n x m identity matrix (square when m is omitted)."""
    return _make(np.eye(n, m, dtype=dtype or dtypes.get_default_dtype()), requires_grad)


@pytorch_keywords
def randn(*shape: int | Sequence[int], rng: RNGLike = None, requires_grad: bool = False,
          dtype: DTypeLike = None) -> Tensor:
    """Standard normal samples. `rng`: a np.random.Generator, or a seed for a new one.

    >>> import minigrad as mg
    >>> mg.randn(2, 3, rng=0).shape
    (2, 3)
    """
    sample = as_generator(rng).standard_normal(shape_argument(shape))
    return _make(sample.astype(dtype or dtypes.get_default_dtype()), requires_grad)


@pytorch_keywords
def rand(*shape: int | Sequence[int], rng: RNGLike = None, requires_grad: bool = False,
         dtype: DTypeLike = None) -> Tensor:
    """Uniform samples in [0, 1). `rng`: a np.random.Generator, or a seed for a new one."""
    sample = as_generator(rng).random(shape_argument(shape))
    return _make(sample.astype(dtype or dtypes.get_default_dtype()), requires_grad)


@pytorch_keywords
def linspace(start: float, end: float, steps: int, requires_grad: bool = False,
             dtype: DTypeLike = None) -> Tensor:
    """`steps` evenly spaced values from start to end, both included (PyTorch's linspace;
    NumPy's linspace(start, stop, num)).

    >>> import minigrad as mg
    >>> mg.linspace(0, 1, 5)
    tensor([0.  , 0.25, 0.5 , 0.75, 1.  ])
    """
    values = np.linspace(start, end, steps, dtype=dtype or dtypes.get_default_dtype())
    return _make(values, requires_grad)


# PyTorch's two forms, randint(high, size) and randint(low, high, size), for type checkers.
@overload
def randint(high: int, size: ShapeLike, /, *, rng: RNGLike = None, dtype: DTypeLike = None
            ) -> Tensor: ...
@overload
def randint(high: int, /, *, size: ShapeLike, rng: RNGLike = None, dtype: DTypeLike = None
            ) -> Tensor: ...
@overload
def randint(*, high: int, size: ShapeLike, rng: RNGLike = None, dtype: DTypeLike = None
            ) -> Tensor: ...
@overload
def randint(low: int, high: int, size: ShapeLike, rng: RNGLike = None,
            dtype: DTypeLike = None) -> Tensor: ...

@pytorch_keywords
def randint(low: Any = 0, high: Any = None, size: Any = None, rng: RNGLike = None,
            dtype: DTypeLike = None) -> Tensor:
    """Integers drawn uniformly from [low, high), as PyTorch's randint: randint(high, size)
    or randint(low, high, size), size a tuple. int64 unless `dtype` is given.

    Args:
        low, high: the range (high excluded).
        size: the shape, a tuple (or an int).
        rng: a np.random.Generator, a seed, or None (the default generator).

    Raises:
        TypeError: if no size is given.
        ValueError: if high <= low.

    >>> import minigrad as mg
    >>> mg.randint(10, (2, 3), rng=0).shape, mg.randint(5, 7, (4,), rng=0).dtype
    ((2, 3), dtype('int64'))
    """
    if size is None and isinstance(high, (tuple, list)):  # randint(high, size)
        low, high, size = 0, low, high
    elif high is None:                                    # randint(high, size=...)
        low, high = 0, low
    if size is None:
        raise TypeError("randint: give a size, as in PyTorch: mg.randint(high, (n,)) or "
                        "mg.randint(low, high, (n,))")
    if high <= low:
        raise ValueError(f"randint: the range [low, high) = [{low}, {high}) is empty; high "
                         "must be greater than low")
    size = (size,) if isinstance(size, (int, np.integer)) else tuple(size)
    sample = as_generator(rng).integers(low, high, size=size, dtype=np.int64)
    return wrap(sample if dtype is None else sample.astype(dtype))


@pytorch_keywords
def multinomial(probs: TensorLike, num_samples: int, replacement: bool = False,
                rng: RNGLike = None) -> Tensor:
    """Category indices drawn with probability proportional to `probs`, as PyTorch's
    multinomial: each row of weights (non-negative, not necessarily summing to 1) gives
    `num_samples` draws; without replacement no index repeats in a row.

    Args:
        probs: weights of shape (C,) or (N, C).
        num_samples: draws per row.
        replacement: draw with replacement (each draw independent).
        rng: a np.random.Generator, a seed, or None (the default generator).

    Returns:
        An int64 tensor of shape (num_samples,) or (N, num_samples).

    Raises:
        ValueError: for weights that are negative, not finite, or all zero in a row; or,
            without replacement, more samples than a row has nonzero weights.

    >>> import minigrad as mg
    >>> mg.multinomial(mg.tensor([0.0, 1.0, 0.0]), 2, replacement=True, rng=0)
    tensor([1, 1])
    """
    weights = np.asarray(probs.data if isinstance(probs, Tensor) else probs, dtype=np.float64)
    if weights.ndim not in (1, 2):
        raise ValueError(f"multinomial: expects weights of shape (C,) or (N, C), got shape "
                         f"{weights.shape}")
    rows = weights.reshape(-1, weights.shape[-1])
    if not np.isfinite(rows).all() or (rows < 0).any() or not (rows.sum(axis=1) > 0).all():
        raise ValueError("multinomial: the weights must be finite and non-negative, with a "
                         "positive sum in every row")
    if not replacement and num_samples > np.count_nonzero(rows, axis=1).min():
        raise ValueError(f"multinomial: cannot draw {num_samples} samples without replacement "
                         f"from a row with only {np.count_nonzero(rows, axis=1).min()} nonzero "
                         "weights; pass replacement=True")
    rng = as_generator(rng)
    draws = [rng.choice(rows.shape[1], size=num_samples, replace=replacement, p=row / row.sum())
             for row in rows]
    return wrap(np.array(draws, dtype=np.int64).reshape(weights.shape[:-1] + (num_samples,)))
