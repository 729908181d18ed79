"""`Dropout`: zero a random fraction p of the inputs while training, scaling the rest by 1/(1-p)."""
from minigrad.nn import init
from minigrad.nn.module import Module


class Dropout(Module):
    """Inverted dropout: in train mode each element is kept with probability 1-p and
    scaled by 1/(1-p), so the expected output equals the input; in eval mode, identity.

    Args:
        p: the probability of zeroing an element, 0 <= p <= 1.
        rng: a np.random.Generator or a seed, drawn from at every training call.

    Raises:
        ValueError: if p is outside [0, 1].

    >>> import minigrad as mg
    >>> drop = mg.nn.Dropout(0.5, rng=0)
    >>> drop(mg.ones(6))
    tensor([2., 0., 0., 0., 2., 2.])
    >>> drop.eval()(mg.ones(3))
    tensor([1., 1., 1.])
    """

    def __init__(self, p=0.5, rng=None):
        super().__init__()
        if not 0 <= p <= 1:
            raise ValueError(f"Dropout: p must be in [0, 1], got {p}")
        self.p = p
        self.rng = init.as_generator(rng)

    def forward(self, x):
        if not self.training or self.p == 0:
            return x
        if self.p == 1:
            return x * 0.0
        keep = self.rng.random(x.shape) >= self.p
        # The mask is a constant: the gradient is the same mask, scaled the same way.
        return x * (keep / (1 - self.p)).astype(x.dtype)

    def extra_repr(self):
        return f"p={self.p}"
