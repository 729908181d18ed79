"""Parameter initialisation as PyTorch does it by default, seeded by an `rng` argument."""
import math

import numpy as np

from minigrad import dtypes
from minigrad.random import as_generator  # noqa: F401 - layers call init.as_generator


def fan_in(shape):
    """Inputs feeding each output unit: shape[1] times the kernel size (PyTorch's rule).

    >>> fan_in((16, 3, 5, 5))
    75
    """
    if len(shape) < 2:
        raise ValueError(f"fan_in needs a weight of at least 2 dimensions, got shape {shape}")
    return shape[1] * math.prod(shape[2:])


def uniform(shape, bound, rng=None, dtype=None):
    """Samples from U(-bound, bound), in the default dtype unless `dtype` is given.

    PyTorch initialises Linear and Conv weights and biases with bound = 1/sqrt(fan_in)
    (its kaiming_uniform_ with a=sqrt(5) reduces to exactly that).
    """
    sample = as_generator(rng).uniform(-bound, bound, size=shape)
    return sample.astype(dtype or dtypes.get_default_dtype())


def normal(shape, mean=0.0, std=1.0, rng=None, dtype=None):
    """Samples from N(mean, std^2), in the default dtype unless `dtype` is given."""
    sample = as_generator(rng).normal(mean, std, size=shape)
    return sample.astype(dtype or dtypes.get_default_dtype())
