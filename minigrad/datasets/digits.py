"""The UCI handwritten digits (1,797 8x8 images), shipped inside the package as digits.npz.

Source and licence are in the NOTICE file beside it: E. Alpaydin and C. Kaynak, "Optical
Recognition of Handwritten Digits", UCI Machine Learning Repository, 1998,
doi:10.24432/C50P49, CC BY 4.0; this is the 1,797-image split scikit-learn redistributes.
"""
from __future__ import annotations

from importlib import resources

import numpy as np

from minigrad.typing import DTypeLike

from minigrad import dtypes


def load_digits(images: bool = False, dtype: DTypeLike = None) -> tuple[np.ndarray, np.ndarray]:
    """The 1,797 handwritten digits: 8x8 images of pixel counts 0..16, labels 0..9.

    Loaded from the copy inside the package with NumPy alone, so it works offline. Pixel
    values are as in the source (integers 0..16, stored as floats); divide by 16 to scale
    them to [0, 1]. Each call returns fresh arrays, in the source's row order.

    Args:
        images: return X as (1797, 1, 8, 8) images (N, C, H, W: ready for Conv2d) instead
            of (1797, 64) rows of 64 pixels (row-major, ready for Linear).
        dtype: the floating dtype of X (default: `mg.get_default_dtype()`).

    Returns:
        (X, y): X a float ndarray, (1797, 64) or (1797, 1, 8, 8); y the int64 labels (1797,).

    >>> import numpy as np, minigrad as mg
    >>> X, y = mg.datasets.load_digits()
    >>> X.shape, X.dtype, float(X.max()), y.dtype
    ((1797, 64), dtype('float64'), 16.0, dtype('int64'))
    >>> np.bincount(y)
    array([178, 182, 177, 183, 181, 182, 181, 179, 174, 180])
    >>> mg.datasets.load_digits(images=True, dtype=np.float32)[0].shape
    (1797, 1, 8, 8)
    """
    with resources.files(__package__).joinpath("digits.npz").open("rb") as file, \
            np.load(file) as archive:
        pixels, labels = archive["pixels"], archive["labels"]
    X = pixels.astype(dtype or dtypes.get_default_dtype())
    if images:
        X = X.reshape(-1, 1, 8, 8)
    return X, labels.astype(np.int64)
