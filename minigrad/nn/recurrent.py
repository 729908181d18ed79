"""Recurrent layers: `RNN`, `LSTM`, `GRU` and their one-step cells, as PyTorch defines them.

Each is composed from recorded ops (linear, sigmoid, tanh, products), unrolled over time
in a Python loop, so backpropagation through time is the ordinary reverse sweep over the
unrolled graph. Equations per time step, with x the step's input and h (and c) the state
carried from the step before (zeros at first); every W x + b below is one `linear`:

  RNN    h' = tanh(W_ih x + b_ih + W_hh h + b_hh)          (or relu)
  LSTM   i, f, g, o = split(W_ih x + b_ih + W_hh h + b_hh)   into 4 blocks of H
         c' = sigmoid(f) c + sigmoid(i) tanh(g)
         h' = sigmoid(o) tanh(c')
  GRU    r, z, n_x = split(W_ih x + b_ih);  r_h, z_h, n_h = split(W_hh h + b_hh)
         r = sigmoid(r + r_h),  z = sigmoid(z + z_h)
         n = tanh(n_x + r n_h)
         h' = (1 - z) n + z h

Parameter names, shapes and gate order are PyTorch's (weight_ih_l0 is (gates * H, input),
gates i, f, g, o for the LSTM and r, z, n for the GRU; "_reverse" for the backward
direction), as is the initialisation U(-1/sqrt(H), 1/sqrt(H)), so a state dict carries
across either way.

The sequence is split into its time steps once, by indexing the input (only the first
layer's input: later layers read the list of the layer below's states), because a
cotangent for each step's slice of one projected (L, N, gates H) array would cost the
whole array per step, L^2 in all.
"""
from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np

from minigrad.nn import functional as F
from minigrad.nn import init
from minigrad.nn.casting import check_input_dtype
from minigrad.nn.module import Module, Parameter
from minigrad.ops import relu, stack, tanh, unbind
from minigrad.ops.shape import concatenate
from minigrad.tensor import Tensor, to_tensor
from minigrad.typing import DTypeLike, RNGLike, TensorLike

#: gate blocks per kind of cell: the rows of weight_ih are this many times hidden_size
GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


def rnn_step(x: Tensor, h: Tensor, weights: tuple[Any, ...], activation: Callable) -> Tensor:
    """h' = activation(W_ih x + b_ih + W_hh h + b_hh)."""
    w_ih, w_hh, b_ih, b_hh = weights
    return activation(F.linear(x, w_ih, b_ih) + F.linear(h, w_hh, b_hh))


def lstm_step(x: Tensor, h: Tensor, c: Tensor, weights: tuple[Any, ...]
              ) -> tuple[Tensor, Tensor]:
    """(h', c') of the LSTM equations (module docstring); gates in PyTorch's order i, f, g, o."""
    w_ih, w_hh, b_ih, b_hh = weights
    gates = F.linear(x, w_ih, b_ih) + F.linear(h, w_hh, b_hh)
    size = h.shape[-1]
    i, f = gates[..., :size].sigmoid(), gates[..., size:2 * size].sigmoid()
    g, o = gates[..., 2 * size:3 * size].tanh(), gates[..., 3 * size:].sigmoid()
    c = f * c + i * g
    return o * c.tanh(), c


def gru_step(x: Tensor, h: Tensor, weights: tuple[Any, ...]) -> Tensor:
    """h' of the GRU equations (module docstring); gates in PyTorch's order r, z, n."""
    w_ih, w_hh, b_ih, b_hh = weights
    from_x, from_h = F.linear(x, w_ih, b_ih), F.linear(h, w_hh, b_hh)
    size = h.shape[-1]
    r = (from_x[..., :size] + from_h[..., :size]).sigmoid()
    z = (from_x[..., size:2 * size] + from_h[..., size:2 * size]).sigmoid()
    n = (from_x[..., 2 * size:] + r * from_h[..., 2 * size:]).tanh()
    return (1 - z) * n + z * h


def _parameters(module: Module, suffix: str, input_size: int, hidden_size: int, gates: int,
                bias: bool, rng: Any, dtype: DTypeLike) -> None:
    """weight_ih{suffix}, weight_hh{suffix} (and the biases), PyTorch's names, layouts,
    order and initialisation U(-1/sqrt(H), 1/sqrt(H))."""
    bound = 1 / math.sqrt(hidden_size) if hidden_size else 0.0
    shapes: dict[str, tuple[int, ...]] = {"weight_ih": (gates * hidden_size, input_size),
              "weight_hh": (gates * hidden_size, hidden_size)}
    if bias:
        shapes.update(bias_ih=(gates * hidden_size,), bias_hh=(gates * hidden_size,))
    for name, shape in shapes.items():
        setattr(module, name + suffix, Parameter(init.uniform(shape, bound, rng, dtype)))


def _weights(module: Module, suffix: str) -> tuple[Any, ...]:
    """(weight_ih, weight_hh, bias_ih, bias_hh) with `suffix`; a bias is None without bias."""
    return tuple(getattr(module, name + suffix, None)
                 for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"))


class _Cell(Module):
    """What the three cells share: their parameters, checks and printout."""

    mode = "RNN_TANH"
    weight_ih: Parameter  # set by _parameters, as are weight_hh and the biases
    weight_hh: Parameter

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 rng: RNGLike = None, dtype: DTypeLike = None) -> None:
        super().__init__()
        self.input_size, self.hidden_size, self.bias = input_size, hidden_size, bias
        _parameters(self, "", input_size, hidden_size, GATES[self.mode], bias,
                    init.as_generator(rng), dtype)

    def _input(self, x: TensorLike) -> Tensor:
        x = to_tensor(x, type(self).__name__)
        if x.ndim not in (1, 2) or x.shape[-1] != self.input_size:
            raise ValueError(f"{type(self).__name__}: expected an input of shape (N, "
                             f"{self.input_size}) or ({self.input_size},), got {x.shape}")
        check_input_dtype(self, x, self.weight_ih)
        return x

    def _zeros(self, x: Tensor) -> Tensor:
        return Tensor(np.zeros(x.shape[:-1] + (self.hidden_size,), dtype=x.dtype))

    def extra_repr(self) -> str:
        return f"{self.input_size}, {self.hidden_size}, bias={self.bias}"


class RNNCell(_Cell):
    """One step of `RNN`: h' = tanh(W_ih x + b_ih + W_hh h + b_hh) (or relu).

    >>> import minigrad as mg
    >>> RNNCell(3, 5, rng=0)(mg.ones(2, 3)).shape
    (2, 5)
    """

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 nonlinearity: str = "tanh", rng: RNGLike = None, dtype: DTypeLike = None) -> None:
        self.nonlinearity = _nonlinearity(nonlinearity, "RNNCell")
        super().__init__(input_size, hidden_size, bias, rng, dtype)

    def forward(self, x: TensorLike, h: TensorLike | None = None) -> Tensor:
        x = self._input(x)
        h = self._zeros(x) if h is None else to_tensor(h, "RNNCell")
        activation = tanh if self.nonlinearity == "tanh" else relu
        return rnn_step(x, h, _weights(self, ""), activation)


class LSTMCell(_Cell):
    """One step of `LSTM`: (h', c') from x and (h, c) (zeros when omitted).

    >>> import minigrad as mg
    >>> h, c = LSTMCell(3, 5, rng=0)(mg.ones(2, 3))
    >>> h.shape, c.shape
    ((2, 5), (2, 5))
    """

    mode = "LSTM"

    def forward(self, x: TensorLike, state: tuple[TensorLike, TensorLike] | None = None
                ) -> tuple[Tensor, Tensor]:
        x = self._input(x)
        h, c = (self._zeros(x), self._zeros(x)) if state is None else \
            (to_tensor(state[0], "LSTMCell"), to_tensor(state[1], "LSTMCell"))
        return lstm_step(x, h, c, _weights(self, ""))


class GRUCell(_Cell):
    """One step of `GRU`: h' from x and h (zeros when omitted).

    >>> import minigrad as mg
    >>> GRUCell(3, 5, rng=0)(mg.ones(2, 3)).shape
    (2, 5)
    """

    mode = "GRU"

    def forward(self, x: TensorLike, h: TensorLike | None = None) -> Tensor:
        x = self._input(x)
        h = self._zeros(x) if h is None else to_tensor(h, "GRUCell")
        return gru_step(x, h, _weights(self, ""))


class _Recurrent(Module):
    """RNN, LSTM and GRU: stacked layers, each run over the sequence in one or two directions.

    Args:
        input_size, hidden_size: features of the input and of the state, H.
        num_layers: layers stacked; each reads the states of the one below.
        bias: learn b_ih and b_hh.
        batch_first: the input and output are (N, L, features) instead of (L, N, features).
        dropout: dropout on the outputs of every layer but the last, while training.
        bidirectional: a second pass over the reversed sequence per layer; the outputs
            concatenate both directions (2H features), the final states list both.
        rng: a np.random.Generator or a seed for the initialisation.
        dtype: the parameters' dtype (default `mg.get_default_dtype()`).

    forward(x, state=None) takes x of shape (L, N, input_size) ((N, L, input_size) with
    batch_first, or (L, input_size) unbatched) and the initial state, shaped
    (D num_layers, N, H) (D = 2 when bidirectional; zeros when omitted), and returns
    (output, final state): output (L, N, D H), the last layer's state at every step; the
    final state (D num_layers, N, H), every layer's and direction's after its last step
    (for the LSTM, the pair (h_n, c_n)).
    """

    mode = "RNN_TANH"

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, rng: RNGLike = None,
                 dtype: DTypeLike = None) -> None:
        super().__init__()
        name = type(self).__name__
        if num_layers < 1 or hidden_size < 1:
            raise ValueError(f"{name}: num_layers and hidden_size must be >= 1, got "
                             f"{num_layers} and {hidden_size}")
        if not 0 <= dropout < 1:
            raise ValueError(f"{name}: dropout must lie in [0, 1), got {dropout}")
        self.input_size, self.hidden_size, self.num_layers = input_size, hidden_size, num_layers
        self.bias, self.batch_first, self.dropout = bias, batch_first, dropout
        self.bidirectional = bidirectional
        rng = init.as_generator(rng)
        directions = 2 if bidirectional else 1
        for layer in range(num_layers):
            size = input_size if layer == 0 else hidden_size * directions
            for suffix in ("", "_reverse")[:directions]:
                _parameters(self, f"_l{layer}{suffix}", size, hidden_size, GATES[self.mode],
                            bias, rng, dtype)

    def forward(self, x: TensorLike, state: Any = None) -> tuple[Tensor, Any]:
        name = type(self).__name__
        x = to_tensor(x, name)
        unbatched = x.ndim == 2
        if x.ndim not in (2, 3) or x.shape[-1] != self.input_size:
            raise ValueError(f"{name}: expected an input of shape (L, N, {self.input_size})"
                             f"{' (batch_first: (N, L, ...))' if self.batch_first else ''} or "
                             f"(L, {self.input_size}), got {x.shape}")
        check_input_dtype(self, x, getattr(self, "weight_ih_l0"))
        if unbatched:
            x = x.reshape(x.shape[0], 1, x.shape[1])
        elif self.batch_first:
            x = x.transpose(1, 0, 2)
        states = self._initial_states(x, state, unbatched)
        steps = list(unbind(x, 0))  # split once (module docstring)
        finals = []
        for layer in range(self.num_layers):
            outputs = []
            for direction, suffix in enumerate(("", "_reverse")[:1 + self.bidirectional]):
                k = layer * (1 + self.bidirectional) + direction
                carried = tuple(s[k] for s in states)
                weights = _weights(self, f"_l{layer}{suffix}")
                order = range(len(steps) - 1, -1, -1) if direction else range(len(steps))
                out: list[Any] = [None] * len(steps)
                for t in order:
                    carried = self._step(steps[t], carried, weights)
                    out[t] = carried[0]
                outputs.append(out)
                finals.append(carried)
            steps = [concatenate(pair, axis=-1) for pair in zip(*outputs)] \
                if self.bidirectional else outputs[0]
            if self.dropout and self.training and layer < self.num_layers - 1:
                steps = [F.dropout(s, self.dropout, True) for s in steps]
        output = stack(steps, axis=0)
        final = tuple(stack([f[i] for f in finals], axis=0) for i in range(len(states)))
        if unbatched:
            output, final = output[:, 0], tuple(f[:, 0] for f in final)
        elif self.batch_first:
            output = output.transpose(1, 0, 2)
        return output, (final if self.mode == "LSTM" else final[0])

    def _initial_states(self, x: Tensor, state: Any, unbatched: bool) -> tuple[Tensor, ...]:
        """(h0,) or (h0, c0), each (D num_layers, N, H)."""
        count = 2 if self.mode == "LSTM" else 1
        shape = (self.num_layers * (1 + self.bidirectional), x.shape[1], self.hidden_size)
        if state is None:
            return tuple(Tensor(np.zeros(shape, dtype=x.dtype)) for _ in range(count))
        given = tuple(state) if count == 2 else (state,)
        if len(given) != count:
            raise ValueError(f"{type(self).__name__}: the state must be {'(h0, c0)' if count == 2 else 'h0'}")
        tensors = []
        for s in given:
            s = to_tensor(s, type(self).__name__)
            s = s.reshape(s.shape[0], 1, s.shape[1]) if unbatched and s.ndim == 2 else s
            if s.shape != shape:
                raise ValueError(f"{type(self).__name__}: expected an initial state of shape "
                                 f"{shape} (D * num_layers, N, hidden_size), got {s.shape}")
            tensors.append(s)
        return tuple(tensors)

    def _step(self, x: Tensor, carried: tuple[Tensor, ...], weights: tuple[Any, ...]
              ) -> tuple[Tensor, ...]:
        activation = relu if self.mode == "RNN_RELU" else tanh
        return (rnn_step(x, carried[0], weights, activation),)

    def extra_repr(self) -> str:
        shown = f"{self.input_size}, {self.hidden_size}"
        for option, default in (("num_layers", 1), ("bias", True), ("batch_first", False),
                                ("dropout", 0.0), ("bidirectional", False)):
            if getattr(self, option) != default:
                shown += f", {option}={getattr(self, option)}"
        return shown


class RNN(_Recurrent):
    """Elman RNN layers, PyTorch's `nn.RNN` (tanh, or nonlinearity="relu"); see `_Recurrent`.

    >>> import minigrad as mg
    >>> output, h_n = RNN(3, 5, num_layers=2, rng=0)(mg.ones(7, 2, 3))
    >>> output.shape, h_n.shape
    ((7, 2, 5), (2, 2, 5))
    """

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 nonlinearity: str = "tanh", bias: bool = True, batch_first: bool = False,
                 dropout: float = 0.0, bidirectional: bool = False, rng: RNGLike = None,
                 dtype: DTypeLike = None) -> None:
        self.mode = "RNN_TANH" if _nonlinearity(nonlinearity, "RNN") == "tanh" else "RNN_RELU"
        super().__init__(input_size, hidden_size, num_layers, bias, batch_first, dropout,
                         bidirectional, rng, dtype)


class LSTM(_Recurrent):
    """Long short-term memory layers, PyTorch's `nn.LSTM`; the state is the pair (h, c).

    >>> import minigrad as mg
    >>> output, (h_n, c_n) = LSTM(3, 5, batch_first=True, rng=0)(mg.ones(2, 7, 3))
    >>> output.shape, h_n.shape, c_n.shape
    ((2, 7, 5), (1, 2, 5), (1, 2, 5))
    """

    mode = "LSTM"

    def _step(self, x: Tensor, carried: tuple[Tensor, ...], weights: tuple[Any, ...]
              ) -> tuple[Tensor, ...]:
        return lstm_step(x, carried[0], carried[1], weights)


class GRU(_Recurrent):
    """Gated recurrent unit layers, PyTorch's `nn.GRU`.

    >>> import minigrad as mg
    >>> output, h_n = GRU(3, 5, bidirectional=True, rng=0)(mg.ones(7, 2, 3))
    >>> output.shape, h_n.shape
    ((7, 2, 10), (2, 2, 5))
    """

    mode = "GRU"

    def _step(self, x: Tensor, carried: tuple[Tensor, ...], weights: tuple[Any, ...]
              ) -> tuple[Tensor, ...]:
        return (gru_step(x, carried[0], weights),)


def _nonlinearity(value: str, layer: str) -> str:
    if value not in ("tanh", "relu"):
        raise ValueError(f"{layer}: nonlinearity must be 'tanh' or 'relu', got {value!r}")
    return value
