"""Normalisation layers: LayerNorm (over each sample's trailing axes), GroupNorm (over
each sample's groups of channels), BatchNorm1d and BatchNorm2d (per channel over the batch
and the other axes, with running statistics for eval), as PyTorch defines them.

Both are composed from existing ops (mean, subtract, multiply, sqrt, divide):

    x_hat = (x - mean) / sqrt(var + eps),   var = mean((x - mean)^2)   (biased)
    y     = x_hat * weight + bias

so their VJPs and JVPs are the chain of the parts' rules, including the two paths by
which x reaches x_hat through the mean and the variance, and second derivatives work.
"""
from __future__ import annotations


import numpy as np

from minigrad import dtypes
from minigrad.nn.casting import check_input_dtype
from minigrad.nn.module import Module, Parameter
from minigrad.ops.elementwise import sqrt
from minigrad.primitive import array_of
from minigrad.tensor import Tensor, to_tensor
from minigrad.typing import DTypeLike, ShapeLike, TensorLike


def _normalize(x: Tensor, axes: tuple[int, ...], eps: float) -> tuple[Tensor, Tensor, Tensor]:
    """(x - mean) / sqrt(var + eps) over `axes`, and the batch mean and biased variance."""
    mean = x.mean(axis=axes, keepdims=True)
    centered = x - mean
    var = (centered * centered).mean(axis=axes, keepdims=True)
    return centered / sqrt(var + eps), mean, var


def layer_norm(x: TensorLike, normalized_shape: ShapeLike, weight: Tensor | None = None,
               bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    """Normalise each sample over its trailing `normalized_shape` axes, then scale and shift.

    Args:
        x: a tensor whose last axes have shape `normalized_shape`.
        normalized_shape: an int or a tuple.
        weight, bias: tensors of shape `normalized_shape`, or None.
        eps: added to the variance (biased, as PyTorch) before the square root.

    Raises:
        ValueError: if the trailing axes of x do not have shape `normalized_shape`.

    >>> import minigrad as mg
    >>> layer_norm(mg.tensor([[1.0, 3.0]]), 2, eps=0.0).data
    array([[-1.,  1.]])
    """
    x = to_tensor(x, "layer_norm")
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    if x.shape[x.ndim - len(shape):] != shape or x.ndim < len(shape):
        raise ValueError(f"layer_norm: expected an input whose last axes are {shape}, got "
                         f"shape {x.shape}")
    axes = tuple(range(x.ndim - len(shape), x.ndim))
    y, _, _ = _normalize(x, axes, eps)
    if weight is not None:
        y = y * weight
    if bias is not None:
        y = y + bias
    return y


def group_norm(x: TensorLike, num_groups: int, weight: Tensor | None = None,
               bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    """Normalise each sample's channels in `num_groups` groups (each group over its channels
    and all positions), then scale and shift per channel, as PyTorch's group_norm.

    Raises:
        ValueError: for an input without a channel axis, or channels not divisible by
            num_groups.

    >>> import minigrad as mg
    >>> y = group_norm(mg.randn(2, 4, 3, rng=0), 2).data
    >>> bool(np.allclose(y.reshape(2, 2, 6).mean(axis=-1), 0))
    True
    """
    x = to_tensor(x, "group_norm")
    if x.ndim < 2 or num_groups < 1 or x.shape[1] % num_groups:
        raise ValueError(f"group_norm: expected (N, C, ...) with C divisible by num_groups="
                         f"{num_groups}, got shape {x.shape}")
    n, c = x.shape[:2]
    grouped = x.reshape(n, num_groups, -1)
    y = _normalize(grouped, (2,), eps)[0].reshape(x.shape)
    per_channel = (c,) + (1,) * (x.ndim - 2)
    if weight is not None:
        y = y * weight.reshape(per_channel)
    if bias is not None:
        y = y + bias.reshape(per_channel)
    return y


def batch_norm(x: TensorLike, running_mean: Tensor | None, running_var: Tensor | None,
               weight: Tensor | None = None, bias: Tensor | None = None, training: bool = False,
               momentum: float | None = 0.1, eps: float = 1e-5,
               num_batches_tracked: Tensor | None = None) -> Tensor:
    """Batch normalisation of an (N, C, ...) batch per channel C, as PyTorch's: the
    statistics of channel c are taken over every axis but axis 1 ((N,), (N, L) or (N, H, W)).

    In training, each channel is normalised by its batch mean and biased batch variance,
    and the running statistics (ndarrays or Tensors, updated in place) move towards the
    batch mean and the *unbiased* batch variance:
        running = (1 - momentum) * running + momentum * batch_statistic
    (momentum=None: a cumulative average, factor 1 / num_batches_tracked). In eval, the
    running statistics normalise instead, and no statistic changes.

    Raises:
        ValueError: in training with one value per channel (the variance is undefined).
    """
    x = to_tensor(x, "batch_norm")
    if x.ndim < 2:
        raise ValueError(f"batch_norm: expected an (N, C, ...) input, got shape {x.shape}")
    axes = (0,) + tuple(range(2, x.ndim))
    param_shape = (-1,) + (1,) * (x.ndim - 2)
    use_batch = training or running_mean is None
    if use_batch:
        count = x.size // x.shape[1]
        if count <= 1:
            raise ValueError(f"batch_norm: expected more than 1 value per channel when "
                             f"training, got input of shape {x.shape}")
        y, mean, var = _normalize(x, axes, eps)
        if training and running_mean is not None:
            if num_batches_tracked is not None:
                array_of(num_batches_tracked)[...] += 1
            factor = (1 / float(array_of(num_batches_tracked)) if momentum is None
                      else momentum)
            unbiased = var.data.reshape(-1) * (count / (count - 1))
            running_mean, running_var = array_of(running_mean), array_of(running_var)
            running_mean *= 1 - factor
            running_mean += factor * mean.data.reshape(-1)
            running_var *= 1 - factor
            running_var += factor * unbiased
    else:
        mean = array_of(running_mean).astype(x.dtype).reshape(param_shape)
        scale = 1 / np.sqrt(array_of(running_var).astype(x.dtype) + x.dtype.type(eps))
        y = (x - mean) * scale.reshape(param_shape)
    if weight is not None:
        y = y * weight.reshape(param_shape)
    if bias is not None:
        y = y + bias.reshape(param_shape)
    return y


class LayerNorm(Module):
    """Layer normalisation over the trailing `normalized_shape` axes (weight 1, bias 0).

    Args:
        normalized_shape: an int or a tuple: the shape of the axes normalised together.
        eps: added to the (biased) variance.
        elementwise_affine: learn `weight` and `bias` of shape `normalized_shape`.
        dtype: the parameters' dtype (default `mg.get_default_dtype()`).

    >>> import minigrad as mg
    >>> y = LayerNorm(4)(mg.randn(2, 4, rng=0)).data
    >>> np.allclose(y.mean(axis=-1), 0), np.allclose(y.var(axis=-1), 1, atol=1e-3)
    (True, True)
    """

    def __init__(self, normalized_shape: ShapeLike, eps: float = 1e-5,
                 elementwise_affine: bool = True, dtype: DTypeLike = None) -> None:
        super().__init__()
        self.normalized_shape = ((normalized_shape,) if isinstance(normalized_shape, int)
                                 else tuple(normalized_shape))
        self.eps = eps
        dtype = dtype or dtypes.get_default_dtype()
        affine, shape = elementwise_affine, self.normalized_shape
        self.weight = Parameter(np.ones(shape, dtype)) if affine else None
        self.bias = Parameter(np.zeros(shape, dtype)) if affine else None

    def forward(self, x: Tensor) -> Tensor:
        check_input_dtype(self, x, self.weight)
        return layer_norm(x, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.normalized_shape}, eps={self.eps}, "
                f"elementwise_affine={self.weight is not None}")


class GroupNorm(Module):
    """Group normalisation: each sample's channels normalised in groups (weight 1, bias 0
    per channel); see `group_norm`.

    Args:
        num_groups: the groups, dividing num_channels.
        num_channels: C.
        eps: added to the (biased) variance.
        affine: learn `weight` and `bias` of shape (C,).
        dtype: the parameters' dtype (default `mg.get_default_dtype()`).
    """

    def __init__(self, num_groups: int, num_channels: int, eps: float = 1e-5,
                 affine: bool = True, dtype: DTypeLike = None) -> None:
        super().__init__()
        if num_groups < 1 or num_channels % num_groups:
            raise ValueError(f"GroupNorm: num_channels ({num_channels}) must be divisible by "
                             f"num_groups ({num_groups})")
        self.num_groups, self.num_channels, self.eps = num_groups, num_channels, eps
        dtype = dtype or dtypes.get_default_dtype()
        self.weight = Parameter(np.ones(num_channels, dtype)) if affine else None
        self.bias = Parameter(np.zeros(num_channels, dtype)) if affine else None

    def forward(self, x: Tensor) -> Tensor:
        check_input_dtype(self, x, self.weight)
        if x.ndim < 2 or x.shape[1] != self.num_channels:
            raise ValueError(f"GroupNorm: expected (N, {self.num_channels}, ...), got {x.shape}")
        return group_norm(x, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.num_groups}, {self.num_channels}, eps={self.eps}, "
                f"affine={self.weight is not None}")


class _BatchNorm(Module):
    """What BatchNorm1d and BatchNorm2d share: parameters, buffers and forward; they differ
    only in the input shapes they accept (`_shapes`)."""

    _shapes: dict[int, str] = {}  # ndim -> how the message names that layout
    # Buffers (see register_buffer): saved in the state dict, not trained; None when the
    # layer keeps no running statistics.
    running_mean: Tensor | None
    running_var: Tensor | None
    num_batches_tracked: Tensor | None

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1,
                 affine: bool = True, track_running_stats: bool = True,
                 dtype: DTypeLike = None) -> None:
        super().__init__()
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        dtype = dtype or dtypes.get_default_dtype()
        self.weight = Parameter(np.ones(num_features, dtype)) if affine else None
        self.bias = Parameter(np.zeros(num_features, dtype)) if affine else None
        tracked = track_running_stats
        self.register_buffer("running_mean", np.zeros(num_features, dtype) if tracked else None)
        self.register_buffer("running_var", np.ones(num_features, dtype) if tracked else None)
        self.register_buffer("num_batches_tracked",
                             np.array(0, dtype=np.int64) if tracked else None)

    def forward(self, x: Tensor) -> Tensor:
        shape = np.shape(array_of(x))
        name = f"{type(self).__name__}({self.num_features})"
        if len(shape) not in self._shapes:
            raise ValueError(f"{name} expects an {' or '.join(self._shapes.values())} input, "
                             f"got a {len(shape)}-d tensor of shape {shape}")
        if shape[1] != self.num_features:
            raise ValueError(f"{name} expects {self.num_features} channels (axis 1), got "
                             f"{shape[1]} (input shape {shape})")
        check_input_dtype(self, x, self.weight if self.weight is not None else self.running_mean)
        return batch_norm(x, self.running_mean, self.running_var, self.weight, self.bias,
                          self.training, self.momentum, self.eps, self.num_batches_tracked)

    def extra_repr(self) -> str:
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
                f"affine={self.weight is not None}, "
                f"track_running_stats={self.running_mean is not None}")


class BatchNorm1d(_BatchNorm):
    """Batch normalisation per channel of (N, C) or (N, C, L) batches, as PyTorch's.

    Train mode normalises with the batch statistics and updates the buffers
    `running_mean` (starts at 0), `running_var` (starts at 1) and `num_batches_tracked`;
    eval mode normalises with the running statistics. See `batch_norm` for the formulas.

    Args:
        num_features: the channel count C.
        eps: added to the variance.
        momentum: weight of the new batch in the running averages (None: cumulative).
        affine: learn `weight` (ones) and `bias` (zeros) of shape (C,).
        track_running_stats: keep running statistics; without them eval uses batch ones.
        dtype: the parameters' and statistics' dtype (default `mg.get_default_dtype()`).

    Raises:
        ValueError: in forward, for another shape or channel count.
        TypeError: in forward, for a floating input of another dtype than the parameters.

    >>> import minigrad as mg
    >>> bn = BatchNorm1d(3)
    >>> _ = bn(mg.randn(8, 3, rng=0))
    >>> sorted(bn.state_dict())
    ['bias', 'num_batches_tracked', 'running_mean', 'running_var', 'weight']
    """

    _shapes = {2: "(N, C)", 3: "(N, C, L)"}


class BatchNorm2d(_BatchNorm):
    """Batch normalisation per channel of (N, C, H, W) batches, over N, H and W, as PyTorch's.

    The same arguments, buffers and running statistics as `BatchNorm1d` (the running
    variance is the unbiased one, over N * H * W values per channel).

    >>> import minigrad as mg
    >>> bn = BatchNorm2d(3)
    >>> y = bn(mg.randn(4, 3, 5, 5, rng=0)).data
    >>> bool(abs(y[:, 0].mean()) < 1e-12), bn.running_mean.shape
    (True, (3,))
    """

    _shapes = {4: "(N, C, H, W)"}
