"""Dropout: zero a random fraction p of the inputs while training, scaling the rest by 1/(1-p)."""
from __future__ import annotations

from minigrad.random import as_generator
from minigrad.nn.module import Module
from minigrad.tensor import Tensor, to_tensor
from minigrad.typing import RNGLike, TensorLike


def dropout(x: TensorLike, p: float = 0.5, training: bool = True, rng: RNGLike = None
            ) -> Tensor:
    """Inverted dropout: keep each element with probability 1-p and scale it by 1/(1-p),
    so the expected output is the input; identity when not training or p = 0.

    The mask is a constant, so the gradient is the same mask, scaled the same way.

    Args:
        x: a Tensor, array or number.
        p: the probability of zeroing an element, 0 <= p <= 1.
        training: apply dropout (PyTorch's F.dropout defaults to True, unlike the layer,
            which follows its train/eval mode).
        rng: a np.random.Generator, a seed, or None for the default generator (which
            `mg.manual_seed` reseeds).

    Returns:
        A Tensor of x's shape and dtype (x itself when nothing is dropped).

    Raises:
        ValueError: if p is outside [0, 1].

    >>> import minigrad as mg
    >>> mg.nn.F.dropout(mg.ones(6), 0.5, rng=0)
    tensor([2., 0., 0., 0., 2., 2.])
    """
    if not 0 <= p <= 1:
        raise ValueError(f"dropout: p must be in [0, 1], got {p}")
    x = to_tensor(x, "dropout")
    if not training or p == 0:
        return x
    if p == 1:
        return x * 0.0
    keep = as_generator(rng).random(x.shape) >= p
    return x * (keep / (1 - p)).astype(x.dtype)


class Dropout(Module):
    """Inverted dropout in train mode (see `dropout`); identity in eval mode.

    Args:
        p: the probability of zeroing an element, 0 <= p <= 1.
        rng: a np.random.Generator or a seed, drawn from at every training call; None
            (the default) draws from the default generator, so `mg.manual_seed` governs it.

    Raises:
        ValueError: if p is outside [0, 1].

    >>> import minigrad as mg
    >>> drop = mg.nn.Dropout(0.5, rng=0)
    >>> drop(mg.ones(6))
    tensor([2., 0., 0., 0., 2., 2.])
    >>> drop.eval()(mg.ones(3))
    tensor([1., 1., 1.])
    """

    def __init__(self, p: float = 0.5, rng: RNGLike = None) -> None:
        super().__init__()
        if not 0 <= p <= 1:
            raise ValueError(f"Dropout: p must be in [0, 1], got {p}")
        self.p = p
        self.rng = as_generator(rng)

    def forward(self, x: Tensor) -> Tensor:
        return dropout(x, self.p, self.training, self.rng)

    def extra_repr(self) -> str:
        return f"p={self.p}"
