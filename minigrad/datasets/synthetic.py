"""Synthetic 2-D classification sets from a seed: two moons, and interleaved spirals.

Both return (X, y) with X of shape (n_samples, 2) in the default float dtype and y int64,
the rows shuffled so the classes are mixed. Noise is Gaussian, with standard deviation
`noise`, added to each coordinate; noise=0 puts every point exactly on its curve.
"""
from __future__ import annotations

import math

import numpy as np

from minigrad import dtypes
from minigrad.random import as_generator
from minigrad.typing import RNGLike


def make_moons(n_samples: int = 200, noise: float = 0.1, rng: RNGLike = None
               ) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles (the layout of scikit-learn's make_moons).

    Class 0 is the upper half of the unit circle, (cos t, sin t) for t in [0, pi]; class
    1 is the same arc flipped and shifted, (1 - cos t, 0.5 - sin t). The angles t are
    evenly spaced; class 0 gets n_samples // 2 points and class 1 the rest.

    Args:
        n_samples: the total number of points (at least 2).
        noise: standard deviation of the Gaussian noise added to each coordinate.
        rng: a np.random.Generator, or a seed for a new one.

    Returns:
        (X, y): X (n_samples, 2) floats, y (n_samples,) int64 labels in {0, 1}.

    Raises:
        ValueError: if n_samples < 2 or noise < 0.

    >>> import numpy as np, minigrad as mg
    >>> X, y = mg.datasets.make_moons(100, noise=0.0, rng=0)
    >>> X.shape, np.bincount(y).tolist()
    ((100, 2), [50, 50])
    >>> bool(np.allclose(np.hypot(*X[y == 0].T), 1.0))   # class 0 lies on the unit circle
    True
    """
    rng = _check(n_samples, 2, noise, rng, "make_moons")
    n_upper = n_samples // 2
    t_upper = np.linspace(0.0, math.pi, n_upper)
    t_lower = np.linspace(0.0, math.pi, n_samples - n_upper)
    X = np.concatenate([np.stack([np.cos(t_upper), np.sin(t_upper)], axis=1),
                        np.stack([1.0 - np.cos(t_lower), 0.5 - np.sin(t_lower)], axis=1)])
    y = np.repeat(np.arange(2), [n_upper, n_samples - n_upper])
    return _finish(X, y, noise, rng)


def make_spirals(n_samples: int = 300, n_classes: int = 3, noise: float = 0.05,
                 rng: RNGLike = None) -> tuple[np.ndarray, np.ndarray]:
    """`n_classes` spiral arms around the origin, one per class, each making one full turn.

    Arm k holds points at radius r, evenly spaced in [0, 1], and angle
    theta = 2 pi k / n_classes + 2 pi r, i.e. (r cos theta, r sin theta): the arms start
    together at the origin and end on the unit circle, 2 pi / n_classes apart. The points
    are shared out as evenly as possible (the first classes get one more when it does not
    divide).

    Args:
        n_samples: the total number of points (at least n_classes).
        n_classes: the number of arms (at least 2).
        noise: standard deviation of the Gaussian noise added to each coordinate.
        rng: a np.random.Generator, or a seed for a new one.

    Returns:
        (X, y): X (n_samples, 2) floats, y (n_samples,) int64 labels in 0..n_classes-1.

    Raises:
        ValueError: if n_classes < 2, n_samples < n_classes or noise < 0.

    >>> import numpy as np, minigrad as mg
    >>> X, y = mg.datasets.make_spirals(300, n_classes=3, rng=0)
    >>> X.shape, X.dtype, np.bincount(y).tolist()
    ((300, 2), dtype('float64'), [100, 100, 100])
    """
    if isinstance(n_classes, bool) or not isinstance(n_classes, (int, np.integer)) \
            or n_classes < 2:
        raise ValueError(f"make_spirals: n_classes must be an integer >= 2, got {n_classes!r}")
    rng = _check(n_samples, n_classes, noise, rng, "make_spirals")
    counts = [n_samples // n_classes + (k < n_samples % n_classes) for k in range(n_classes)]
    r = np.concatenate([np.linspace(0.0, 1.0, m) for m in counts])
    y = np.repeat(np.arange(n_classes), counts)
    theta = 2 * math.pi * y / n_classes + 2 * math.pi * r
    X = np.stack([r * np.cos(theta), r * np.sin(theta)], axis=1)
    return _finish(X, y, noise, rng)


def _check(n_samples, minimum, noise, rng, name):
    if isinstance(n_samples, bool) or not isinstance(n_samples, (int, np.integer)) \
            or n_samples < minimum:
        raise ValueError(f"{name}: n_samples must be an integer >= {minimum}, got {n_samples!r}")
    if not noise >= 0:
        raise ValueError(f"{name}: noise is a standard deviation and must be >= 0, "
                         f"got {noise!r}")
    return as_generator(rng)


def _finish(X, y, noise, rng):
    X = X + noise * rng.standard_normal(X.shape)
    order = rng.permutation(len(y))
    return X[order].astype(dtypes.get_default_dtype()), y[order].astype(np.int64)
