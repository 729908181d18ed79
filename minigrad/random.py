"""Randomness: the one default generator behind every `rng=None`, and `mg.manual_seed`.

Every function and layer that draws random numbers takes `rng=`: a `np.random.Generator`
(used as it is), a seed (a new generator from it), or None, the default: the package's
one generator, drawn from at the time of the draw. `mg.manual_seed(seed)` reseeds that
generator in place, so, as with `torch.manual_seed`, one call makes a whole run
reproducible, including layers and loaders built before the call.
"""
from __future__ import annotations

import numpy as np

from minigrad.typing import RNGLike

_default = np.random.default_rng()


def manual_seed(seed: int) -> np.random.Generator:
    """Reseed the generator that every `rng=None` draw uses (factories, layer init,
    Dropout, DataLoader shuffling, multinomial, randint, nn.init).

    Args:
        seed: a non-negative int.

    Returns:
        The generator, as `torch.manual_seed` returns its generator.

    >>> import minigrad as mg
    >>> _ = mg.manual_seed(0); a = mg.randn(3)
    >>> _ = mg.manual_seed(0); b = mg.randn(3)
    >>> bool((a == b).data.all())
    True
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"manual_seed: the seed must be a non-negative int, got {seed!r}")
    # In place: objects that hold the default generator (a Dropout layer, a DataLoader)
    # follow the new seed too.
    _default.bit_generator.state = np.random.PCG64(int(seed)).state
    return _default


def default_generator() -> np.random.Generator:
    """The generator behind every `rng=None`."""
    return _default


def as_generator(rng: RNGLike = None) -> np.random.Generator:
    """A np.random.Generator from a Generator (used as is), a seed (a new generator), or
    None (the default generator, which `mg.manual_seed` reseeds): what every `rng=`
    argument in minigrad accepts.

    >>> int(as_generator(0).integers(10)) == int(as_generator(0).integers(10))
    True
    """
    if rng is None:
        return _default
    if isinstance(rng, np.random.Generator):
        return rng
    return np.random.default_rng(rng)
