"""Ways to make tensors: from data, filled with a constant, ranges, identity, random.

Factories use the default float dtype (`mg.get_default_dtype()`) unless told otherwise,
and every one takes `requires_grad=` and `dtype=`.
"""
import numpy as np

from minigrad import dtypes
from minigrad.ops.shape import shape_argument
from minigrad.random import as_generator
from minigrad.tensor import Tensor, wrap


def tensor(data, requires_grad=False, dtype=None):
    """A new tensor holding a copy of `data`, as `torch.tensor` and `np.array`: training
    never writes into the caller's array. An ndarray keeps its dtype; Python ints and int
    lists give int64, bools bool, floats the default float dtype.

    >>> import minigrad as mg
    >>> mg.tensor([1, 2, 3]), mg.tensor([1.0, 2.0])
    (tensor([1, 2, 3]), tensor([1., 2.]))
    """
    return Tensor(data, requires_grad=requires_grad, dtype=dtype)


def as_tensor(data, dtype=None):
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


def from_numpy(array):
    """A tensor sharing `array`'s memory (changes to one show in the other), as
    `torch.from_numpy`.

    Raises:
        TypeError: if `array` is not an ndarray.
    """
    if not isinstance(array, np.ndarray):
        raise TypeError(f"from_numpy expects an np.ndarray, got {type(array).__name__}; "
                        "use mg.tensor(data) for lists and numbers")
    return wrap(dtypes.to_array(array))


def _make(array, requires_grad):
    """A new leaf around a freshly made array (no copy needed)."""
    made = wrap(array)
    if requires_grad:
        made.requires_grad = True
    return made


def zeros(*shape, requires_grad=False, dtype=None):
    """A tensor of zeros: `mg.zeros(2, 3)` or `mg.zeros((2, 3))`."""
    return _make(np.zeros(shape_argument(shape), dtype or dtypes.get_default_dtype()), requires_grad)


def ones(*shape, requires_grad=False, dtype=None):
    """A tensor of ones: `mg.ones(2, 3)` or `mg.ones((2, 3))`."""
    return _make(np.ones(shape_argument(shape), dtype or dtypes.get_default_dtype()), requires_grad)


def full(shape, fill_value, requires_grad=False, dtype=None):
    """A tensor of `shape` filled with `fill_value`."""
    shape = (shape,) if isinstance(shape, int) else tuple(shape)
    return _make(np.full(shape, fill_value, dtype or dtypes.get_default_dtype()), requires_grad)


def zeros_like(t, requires_grad=False, dtype=None):
    """Zeros with the shape (and, unless given, the dtype) of `t`."""
    array = np.asarray(t)
    return _make(np.zeros(array.shape, dtype or array.dtype), requires_grad)


def ones_like(t, requires_grad=False, dtype=None):
    """Ones with the shape (and, unless given, the dtype) of `t`."""
    array = np.asarray(t)
    return _make(np.ones(array.shape, dtype or array.dtype), requires_grad)


def arange(start, stop=None, step=1, requires_grad=False, dtype=None):
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


def eye(n, m=None, requires_grad=False, dtype=None):
    """The n x m identity matrix (square when m is omitted)."""
    return _make(np.eye(n, m, dtype=dtype or dtypes.get_default_dtype()), requires_grad)


def randn(*shape, rng=None, requires_grad=False, dtype=None):
    """Standard normal samples. `rng`: a np.random.Generator, or a seed for a new one.

    >>> import minigrad as mg
    >>> mg.randn(2, 3, rng=0).shape
    (2, 3)
    """
    sample = as_generator(rng).standard_normal(shape_argument(shape))
    return _make(sample.astype(dtype or dtypes.get_default_dtype()), requires_grad)


def rand(*shape, rng=None, requires_grad=False, dtype=None):
    """Uniform samples in [0, 1). `rng`: a np.random.Generator, or a seed for a new one."""
    sample = as_generator(rng).random(shape_argument(shape))
    return _make(sample.astype(dtype or dtypes.get_default_dtype()), requires_grad)
