"""`mg.save` / `mg.load`: state dicts and checkpoints as .npz archives, never pickle, so
loading runs no code.

Two layouts, one format:
- A state dict, {name: array, Tensor or number}, is a plain .npz: one .npy member per
  entry, which `np.load` reads as well. `mg.load` returns it as {name: ndarray}.
- Anything else a training script saves, such as a checkpoint
  {"model": model.state_dict(), "optimizer": optimizer.state_dict(), "epoch": 5}, keeps
  its structure: the arrays are .npy members named by their path ("model.weight",
  "optimizer.state.0.exp_avg"), and one JSON member, `STRUCTURE`, holds the dicts
  (string or integer keys), lists, tuples, strings, numbers, booleans and None around
  them. `mg.load` rebuilds it as it was, as `torch.load` does.
"""
from __future__ import annotations

import json
import os
import zipfile
from typing import Any, Mapping

import numpy as np

from minigrad.tensor import Tensor

#: The archive member that holds a checkpoint's structure (absent from a plain state dict).
STRUCTURE = "__minigrad_structure__.json"

_PLAIN_VALUES = (bool, int, float, str, type(None))  # kept in the JSON as they are


def save(state: Mapping[Any, Any], path: str | os.PathLike[str]) -> None:
    """Write a state dict or a checkpoint to an .npz file (uncompressed).

    Args:
        state: a dict: a state dict ({name: ndarray, Tensor or number}, e.g.
            `model.state_dict()`), or a checkpoint nesting dicts (string or integer
            keys), lists and tuples of arrays, Tensors, numbers, strings, booleans and
            None (e.g. an optimizer's `state_dict()`).
        path: the file to write, exactly as named (".npz" is customary, not added).

    Raises:
        TypeError: for a key that is neither a string nor an integer, or a value of
            another type (object arrays included: only pickle could store them).
        ValueError: if two arrays' paths give the same member name.

    >>> import os, tempfile, numpy as np, minigrad as mg
    >>> path = os.path.join(tempfile.mkdtemp(), "linear.npz")
    >>> mg.save(mg.nn.Linear(3, 2, rng=0).state_dict(), path)
    >>> {name: value.shape for name, value in mg.load(path).items()}
    {'weight': (2, 3), 'bias': (2,)}
    """
    if not isinstance(state, dict):
        raise TypeError(f"mg.save expects a dict of arrays (e.g. model.state_dict()) or a "
                        f"checkpoint dict, got {type(state).__name__}")
    arrays: dict[str, np.ndarray] = {}
    if _is_state_dict(state):
        for name, value in state.items():
            arrays[name] = _as_array(name, value)
        structure = None
    else:
        structure = _encode(state, "", arrays)
    # The .npz layout (a zip of .npy files), written directly rather than by np.savez,
    # whose keyword arguments would clash with keys such as "file" or "allow_pickle".
    with zipfile.ZipFile(os.fspath(path), "w", zipfile.ZIP_STORED, allowZip64=True) as archive:
        for name, array in arrays.items():
            with archive.open(name + ".npy", "w", force_zip64=True) as member:
                np.lib.format.write_array(member, array, allow_pickle=False)
        if structure is not None:
            archive.writestr(STRUCTURE, json.dumps(structure))


def load(path: str | os.PathLike[str]) -> Any:
    """Read an .npz written by `save`: a state dict as {name: ndarray}, in the saved order
    (any .npz of arrays reads the same way), or a checkpoint rebuilt as it was saved.

    Args:
        path: the .npz file.

    Returns:
        A dict of ndarrays, ready for `module.load_state_dict`; or the checkpoint, whose
        parts go to `module.load_state_dict` and `optimizer.load_state_dict`.

    Raises:
        ValueError: if the file holds object arrays (it was not written by `mg.save`).
    """
    with np.load(os.fspath(path), allow_pickle=False) as archive:
        if STRUCTURE not in archive.files:  # a member that is not .npy keeps its full name
            return {name: archive[name] for name in archive.files}
        return _decode(json.loads(archive.zip.read(STRUCTURE)), archive)


def _is_state_dict(state: Mapping[Any, Any]) -> bool:
    """Whether `state` is flat: string keys, and arrays, Tensors or numbers as values."""
    return all(isinstance(key, str) and
               isinstance(value, (np.ndarray, Tensor, np.generic, bool, int, float))
               for key, value in state.items())


def _encode(value: Any, path: str, arrays: dict[str, np.ndarray]) -> Any:
    """`value` as JSON, each array replaced by {"array": its member name} (added to
    `arrays`); dicts keep their key types and order, tuples stay tuples."""
    if isinstance(value, dict):
        items = []
        for key, item in value.items():
            if isinstance(key, bool) or not isinstance(key, (str, int)):
                raise TypeError(f"mg.save: keys must be strings or integers, got {key!r}"
                                f"{f' in {path!r}' if path else ''}")
            items.append([key, _encode(item, _join(path, key), arrays)])
        return {"dict": items}
    if isinstance(value, (list, tuple)):
        kind = "list" if isinstance(value, list) else "tuple"
        return {kind: [_encode(item, _join(path, i), arrays) for i, item in enumerate(value)]}
    if isinstance(value, _PLAIN_VALUES):
        return {"value": value}
    array = _as_array(path, value)
    if path in arrays:
        raise ValueError(f"mg.save: two arrays are both named {path!r} (a key with a dot "
                         "in it, beside a nested one)")
    arrays[path] = array
    return {"array": path, "scalar": isinstance(value, np.generic)}


def _decode(node: dict[str, Any], archive: Any) -> Any:
    """The value `_encode` turned into `node`, with its arrays read from `archive`."""
    if "dict" in node:
        return {key: _decode(item, archive) for key, item in node["dict"]}
    if "list" in node:
        return [_decode(item, archive) for item in node["list"]]
    if "tuple" in node:
        return tuple(_decode(item, archive) for item in node["tuple"])
    if "value" in node:
        return node["value"]
    array = archive[node["array"]]
    return array[()] if node["scalar"] else array


def _join(path: str, key: str | int) -> str:
    return f"{path}.{key}" if path else str(key)


def _as_array(name: str, value: object) -> np.ndarray:
    if isinstance(value, Tensor):
        value = value.data
    elif isinstance(value, (bool, int, float, np.generic)):
        value = np.asarray(value)
    if not isinstance(value, np.ndarray):
        raise TypeError(f"mg.save: {name!r} is a {type(value).__name__}; values must be "
                        "ndarrays, Tensors, numbers, strings, None, or dicts, lists and "
                        "tuples of them")
    if value.dtype.hasobject:
        raise TypeError(f"mg.save: {name!r} is an object array, which only pickle could "
                        "store; mg.save never pickles")
    return value
