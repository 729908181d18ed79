"""`mg.save` / `mg.load`: state dicts as .npz archives, never pickle, so loading runs no code."""
from __future__ import annotations

import os
import zipfile
from typing import Any, Mapping

import numpy as np

from minigrad.tensor import Tensor


def save(state: Mapping[str, Any], path: str | os.PathLike[str]) -> None:
    """Write {name: array or Tensor} to an .npz file (uncompressed).

    Nested dicts are flattened to dotted names ({"model": {"w": a}} -> "model.w"), the
    layout state dicts already use; `load` returns the flat dict.

    Args:
        state: a dict, e.g. `model.state_dict()`; keys are strings.
        path: the file to write, exactly as named (".npz" is customary, not added).

    Raises:
        TypeError: for a key that is not a string, or a value that is not an ndarray, a
            Tensor, a NumPy scalar or a Python number (object arrays included).
        ValueError: if two keys flatten to the same dotted name.

    >>> import os, tempfile, numpy as np, minigrad as mg
    >>> path = os.path.join(tempfile.mkdtemp(), "linear.npz")
    >>> mg.save(mg.nn.Linear(3, 2, rng=0).state_dict(), path)
    >>> {name: value.shape for name, value in mg.load(path).items()}
    {'weight': (2, 3), 'bias': (2,)}
    """
    if not isinstance(state, dict):
        raise TypeError(f"mg.save expects a dict of arrays (e.g. model.state_dict()), "
                        f"got {type(state).__name__}")
    arrays: dict[str, np.ndarray] = {}
    _flatten(state, "", arrays)
    # The .npz layout (a zip of .npy files), written directly rather than by np.savez,
    # whose keyword arguments would clash with keys such as "file" or "allow_pickle".
    with zipfile.ZipFile(os.fspath(path), "w", zipfile.ZIP_STORED, allowZip64=True) as archive:
        for name, array in arrays.items():
            with archive.open(name + ".npy", "w", force_zip64=True) as member:
                np.lib.format.write_array(member, array, allow_pickle=False)


def load(path: str | os.PathLike[str]) -> dict[str, np.ndarray]:
    """Read an .npz written by `save`: {dotted name: ndarray}, in the saved order.

    Args:
        path: the .npz file.

    Returns:
        A dict of ndarrays, ready for `module.load_state_dict`.

    Raises:
        ValueError: if the file holds object arrays (it was not written by `mg.save`).
    """
    with np.load(os.fspath(path), allow_pickle=False) as archive:
        return {name: archive[name] for name in archive.files}


def _flatten(state: Mapping[str, Any], prefix: str, out: dict[str, np.ndarray]) -> None:
    for key, value in state.items():
        if not isinstance(key, str):
            raise TypeError(f"mg.save: keys must be strings, got {key!r}")
        name = f"{prefix}.{key}" if prefix else key
        if isinstance(value, dict):
            _flatten(value, name, out)
            continue
        array = _as_array(name, value)
        if name in out:
            raise ValueError(f"mg.save: two entries flatten to the same name {name!r}")
        out[name] = array


def _as_array(name: str, value: object) -> np.ndarray:
    if isinstance(value, Tensor):
        value = value.data
    elif isinstance(value, (bool, int, float, np.generic)):
        value = np.asarray(value)
    if not isinstance(value, np.ndarray):
        raise TypeError(f"mg.save: {name!r} is a {type(value).__name__}; values must be "
                        "ndarrays, Tensors or numbers (nested dicts are flattened)")
    if value.dtype.hasobject:
        raise TypeError(f"mg.save: {name!r} is an object array, which only pickle could "
                        "store; mg.save never pickles")
    return value
