"""`F.pad`: PyTorch's padding of a tensor's last axes, in its four modes.

The modes are index maps, except "constant": output position i along a padded axis of
length n (i from -before to n + after - 1) reads input position
    reflect     |i| mirrored at n - 1 (the edge is not repeated):  d c b | a b c d | c b a
    replicate   i clipped to [0, n - 1]:                           a a a | a b c d | d d d
    circular    i mod n (the other end wraps around):              b c d | a b c d | a b c
so they are one gather (GetItem, whose adjoint scatter-adds: a cell read twice gets both
cotangents). "constant" surrounds x with a value: `ConstantPad`, whose VJP crops the
cotangent back to x (the padding is a constant and takes none).
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from minigrad.ops.indexing import getitem
from minigrad.primitive import Primitive, apply_in_rule
from minigrad.tensor import Tensor, to_tensor
from minigrad.typing import Array, TensorLike

MODES = ("constant", "reflect", "replicate", "circular")


class ConstantPad(Primitive):
    """ConstantPad — x surrounded by a constant (linear in x).

      forward:  z = x with widths[a] = (before, after) cells of `value` on each axis a
      jvp:      z_dot = x_dot padded with zeros
      vjp:      x_bar = z_bar[before : before + n] on each axis   (the crop)
    """

    __slots__ = ("widths", "value")
    reads_inputs = reads_output = False
    name = "pad"

    def __init__(self, widths: tuple[tuple[int, int], ...], value: float = 0.0) -> None:
        self.widths, self.value = widths, value

    def forward(self, x: np.ndarray) -> np.ndarray:
        return np.pad(x, self.widths, constant_values=self.value)

    def vjp(self, z_bar: Array, z: Array, x: Array) -> Array:
        return z_bar[tuple(slice(before, before + n)
                           for (before, _), n in zip(self.widths, x.shape))]

    def jvp(self, x_dot: Array, z: Array, x: Array) -> Array:
        return apply_in_rule(ConstantPad(self.widths, 0.0), x_dot)


def pad(input: TensorLike, pad: Sequence[int], mode: str = "constant",  # noqa: A002 - PyTorch's names
        value: float | None = None) -> Tensor:
    """Pad the last len(pad) // 2 axes, as PyTorch's F.pad.

    Args:
        input: a tensor of any shape.
        pad: (before, after) pairs from the LAST axis backwards, as PyTorch:
            (left, right) pads the last axis, (left, right, top, bottom) the last two.
            In "constant" mode a negative width crops instead.
        mode: "constant" (the value), "reflect", "replicate" or "circular" (see the
            module docstring).
        value: the fill of "constant" mode (default 0).

    Raises:
        ValueError: for an odd-length or too long `pad`, an unknown mode, a value outside
            "constant" mode, a negative width outside it, or a width the mode cannot
            take (reflect: below the axis length; circular: at most the axis length).

    >>> import minigrad as mg
    >>> mg.nn.F.pad(mg.tensor([1.0, 2.0, 3.0]), (2, 1), mode="reflect")
    tensor([3., 2., 1., 2., 3., 2.])
    """
    x = to_tensor(input, "pad")
    widths = _widths(pad, x.shape)
    if mode not in MODES:
        raise ValueError(f"pad: mode must be one of {', '.join(map(repr, MODES))}, got {mode!r}")
    if mode == "constant":
        crop = tuple(slice(-min(before, 0), n + min(after, 0))
                     for (before, after), n in zip(widths, x.shape))
        if any(before < 0 or after < 0 for before, after in widths):
            x = x[crop]
        grow = tuple((max(before, 0), max(after, 0)) for before, after in widths)
        return ConstantPad(grow, 0.0 if value is None else value)(x)
    if value is not None and value != 0:
        raise ValueError(f"pad: value={value} applies to mode='constant' only, not {mode!r}")
    first = len(widths) - len(pad) // 2  # the first padded axis
    reads = [_source_positions(mode, n, before, after, axis)
             for axis, ((before, after), n) in enumerate(zip(widths, x.shape)) if axis >= first]
    # one index array per axis from the first padded one on (adjacent arrays: the result
    # keeps the axis order)
    return getitem(x, (slice(None),) * first + np.ix_(*reads))


def _widths(pad: Sequence[int], shape: tuple[int, ...]) -> tuple[tuple[int, int], ...]:
    """PyTorch's flat, last-axis-first `pad` as (before, after) for every axis of `shape`."""
    pad = tuple(pad)
    if len(pad) % 2 or len(pad) // 2 > len(shape) or not all(
            isinstance(p, (int, np.integer)) for p in pad):
        raise ValueError(f"pad: pad must hold (before, after) pairs of ints, one pair per "
                         f"padded axis from the last backwards, at most {len(shape)} pairs for "
                         f"a tensor of shape {shape}; got {pad}")
    pairs = [(int(pad[i]), int(pad[i + 1])) for i in range(0, len(pad), 2)][::-1]
    return ((0, 0),) * (len(shape) - len(pairs)) + tuple(pairs)


def _source_positions(mode: str, n: int, before: int, after: int, axis: int) -> np.ndarray:
    """For each output position along an axis of length n, the input position it reads."""
    if before < 0 or after < 0:
        raise ValueError(f"pad: negative padding crops in mode='constant' only; got "
                         f"({before}, {after}) on axis {axis} in mode {mode!r}")
    widest = max(before, after)
    if mode == "reflect" and widest >= n:
        raise ValueError(f"pad: mode='reflect' needs widths smaller than the axis length "
                         f"({n} on axis {axis}), got ({before}, {after})")
    if mode == "circular" and widest > n:
        raise ValueError(f"pad: mode='circular' needs widths of at most the axis length "
                         f"({n} on axis {axis}): it would wrap around more than once; got "
                         f"({before}, {after})")
    if mode == "replicate" and widest and not n:
        raise ValueError(f"pad: mode='replicate' has no edge to repeat on the empty axis {axis}")
    i = np.arange(-before, n + after)
    if mode == "reflect":
        i = np.abs(i)
        return np.where(i > n - 1, 2 * (n - 1) - i, i)
    if mode == "replicate":
        return np.clip(i, 0, n - 1)
    return i % n

