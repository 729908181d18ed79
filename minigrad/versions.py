"""Version counters: how minigrad notices that a value was changed in place after an op
recorded it, so that a backward never computes a gradient from the new value.

PyTorch's rule, kept here: every in-place change made through minigrad (`+=`, `zero_`,
`copy_`, `nn.init.*_`, an optimizer step) bumps a version counter, and a backward that
would read a value changed since its op recorded it raises instead. `.data` is the raw
ndarray: writing into it directly is not tracked, as in PyTorch.

The counter belongs to the memory, not to one Tensor object. Views and detached tensors
share their data with the tensor they came from, so they share its counter (as in
PyTorch): a change is noted against the ndarray that owns the memory, the end of the
`.base` chain.

Each change also takes the next tape position (recorded ops are numbered in order, see
`positions`). An op recorded at position P can only have read a changed value if a
change happened after P, so the reverse sweep looks at versions only for entries older
than `state.last_change`: in a training loop (step, forward, backward) that is none.
"""
from __future__ import annotations

import itertools
import weakref
from typing import Iterable

import numpy as np

#: Tape positions: every recorded op takes the next one, and so does every in-place change.
positions = itertools.count()


class _State:
    __slots__ = ("last_change",)

    def __init__(self) -> None:
        self.last_change = -1  # the position of the newest in-place change (-1: none yet)


state: _State = _State()

# id(owner array) -> [version, position of its last change]. An entry is dropped when its
# array is freed (weakref.finalize), so a reused id never inherits a stale record.
_records: dict[int, list[int]] = {}


def owner(array: np.ndarray) -> np.ndarray:
    """The ndarray that owns `array`'s memory: `array` itself unless it is a view."""
    while isinstance(array.base, np.ndarray):
        array = array.base
    return array


def note_change(array: np.ndarray) -> None:
    """Record that `array`'s memory was changed in place: bump its version, stamp the time."""
    note_changes((array,))


def note_changes(arrays: Iterable[np.ndarray]) -> None:
    """`note_change` for arrays changed together (an optimizer step): one time stamp."""
    now = state.last_change = next(positions)
    for array in arrays:
        memory = owner(array)
        record = _records.get(id(memory))
        if record is None:
            record = _records[id(memory)] = [0, -1]
            weakref.finalize(memory, _records.pop, id(memory), None)
        record[0] += 1
        record[1] = now


def version(array: np.ndarray) -> int:
    """How many in-place changes minigrad has made to `array`'s memory."""
    record = _records.get(id(owner(array)))
    return 0 if record is None else record[0]


def changed_since(array: np.ndarray, position: int) -> bool:
    """Whether `array`'s memory was changed in place after tape position `position`."""
    record = _records.get(id(owner(array)))
    return record is not None and record[1] > position
