"""RNN, LSTM and GRU against PyTorch's equations written in NumPy, their parameter names
and layouts, gradient checks through time, and a sequence task learnt."""
import numpy as np
import pytest

import minigrad as mg
from minigrad import nn
from minigrad.testing import gradcheck


def _sigmoid(a):
    return 1 / (1 + np.exp(-a))


def numpy_step(kind, x, h, c, w_ih, w_hh, b_ih, b_hh):
    """One step of PyTorch's documented equations (torch.nn.RNN / LSTM / GRU)."""
    gx, gh = x @ w_ih.T + b_ih, h @ w_hh.T + b_hh
    if kind in ("tanh", "relu"):
        a = gx + gh
        return (np.tanh(a) if kind == "tanh" else np.maximum(a, 0)), None
    H = h.shape[-1]
    if kind == "lstm":
        a = gx + gh
        i, f, g, o = _sigmoid(a[:, :H]), _sigmoid(a[:, H:2 * H]), np.tanh(a[:, 2 * H:3 * H]), \
            _sigmoid(a[:, 3 * H:])
        c = f * c + i * g
        return o * np.tanh(c), c
    r = _sigmoid(gx[:, :H] + gh[:, :H])
    z = _sigmoid(gx[:, H:2 * H] + gh[:, H:2 * H])
    n = np.tanh(gx[:, 2 * H:] + r * gh[:, 2 * H:])
    return (1 - z) * n + z * h, None


def numpy_recurrent(kind, x, params, num_layers, bidirectional, h0, c0):
    """The stacked, optionally bidirectional layers over a time-major x (L, N, in)."""
    D = 2 if bidirectional else 1
    layer_input, h_n, c_n = x, [], []
    for layer in range(num_layers):
        outs = []
        for d, suffix in enumerate(["", "_reverse"][:D]):
            w = [params[f"{name}_l{layer}{suffix}"] for name in
                 ("weight_ih", "weight_hh", "bias_ih", "bias_hh")]
            h, c = h0[layer * D + d], None if c0 is None else c0[layer * D + d]
            out = [None] * len(x)
            for t in (reversed(range(len(x))) if d else range(len(x))):
                h, c = numpy_step(kind, layer_input[t], h, c, *w)
                out[t] = h
            outs.append(np.stack(out))
            h_n.append(h)
            c_n.append(c)
        layer_input = np.concatenate(outs, axis=-1)
    return layer_input, np.stack(h_n), None if c0 is None else np.stack(c_n)


def _layer(kind, **options):
    if kind == "lstm":
        return nn.LSTM(3, 4, rng=0, **options)
    if kind == "gru":
        return nn.GRU(3, 4, rng=0, **options)
    return nn.RNN(3, 4, nonlinearity=kind, rng=0, **options)


KINDS = ["tanh", "relu", "lstm", "gru"]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("num_layers, bidirectional", [(1, False), (2, False), (2, True)])
def test_layers_follow_pytorchs_equations(kind, num_layers, bidirectional, rng):
    layer = _layer(kind, num_layers=num_layers, bidirectional=bidirectional)
    params = {name: np.asarray(value) for name, value in layer.state_dict().items()}
    L, N, D = 5, 2, 1 + bidirectional
    x = rng.standard_normal((L, N, 3))
    h0 = rng.standard_normal((D * num_layers, N, 4))
    c0 = rng.standard_normal((D * num_layers, N, 4)) if kind == "lstm" else None
    expected, h_n, c_n = numpy_recurrent(kind, x, params, num_layers, bidirectional, h0, c0)
    output, final = layer(mg.tensor(x), (h0, c0) if kind == "lstm" else h0)
    np.testing.assert_allclose(output.data, expected, rtol=1e-12, atol=1e-14)
    final_h = final[0] if kind == "lstm" else final
    np.testing.assert_allclose(final_h.data, h_n, rtol=1e-12, atol=1e-14)
    if kind == "lstm":
        np.testing.assert_allclose(final[1].data, c_n, rtol=1e-12, atol=1e-14)
    # batch_first and unbatched inputs are the same computation, laid out differently
    layer.batch_first = True
    out_bf, _ = layer(mg.tensor(x.transpose(1, 0, 2)), (h0, c0) if kind == "lstm" else h0)
    np.testing.assert_allclose(out_bf.data, expected.transpose(1, 0, 2), rtol=1e-12, atol=1e-14)
    layer.batch_first = False
    single = (h0[:, 0], c0[:, 0]) if kind == "lstm" else h0[:, 0]
    out_1, _ = layer(mg.tensor(x[:, 0]), single)
    np.testing.assert_allclose(out_1.data, expected[:, 0], rtol=1e-12, atol=1e-14)


def test_parameter_names_layouts_and_initialisation_are_pytorchs():
    lstm = nn.LSTM(3, 4, num_layers=2, bidirectional=True, rng=0)
    names = list(lstm.state_dict())
    assert names[:8] == ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0",
                         "weight_ih_l0_reverse", "weight_hh_l0_reverse", "bias_ih_l0_reverse",
                         "bias_hh_l0_reverse"]
    assert lstm.weight_ih_l0.shape == (16, 3) and lstm.weight_ih_l1.shape == (16, 8)
    assert nn.GRU(3, 4).weight_hh_l0.shape == (12, 4) and nn.RNN(3, 4).bias_ih_l0.shape == (4,)
    bound = 1 / np.sqrt(4)
    values = np.concatenate([p.data.ravel() for p in lstm.parameters()])
    assert values.min() >= -bound and values.max() <= bound and values.std() > 0.25
    assert not any("bias" in name for name in nn.GRU(3, 4, bias=False).state_dict())
    assert repr(nn.LSTM(3, 4, num_layers=2, batch_first=True)) == \
        "LSTM(3, 4, num_layers=2, batch_first=True)"


@pytest.mark.parametrize("kind", KINDS)
def test_cells_are_one_step_of_the_layer(kind, rng):
    cell = {"lstm": nn.LSTMCell(3, 4, rng=1), "gru": nn.GRUCell(3, 4, rng=1)}.get(
        kind) or nn.RNNCell(3, 4, nonlinearity=kind, rng=1)
    w = [cell.weight_ih.data, cell.weight_hh.data, cell.bias_ih.data, cell.bias_hh.data]
    x, h, c = (rng.standard_normal((2, 3)), rng.standard_normal((2, 4)),
               rng.standard_normal((2, 4)))
    h_next, c_next = numpy_step(kind, x, h, c, *w)
    out = cell(mg.tensor(x), (h, c) if kind == "lstm" else h)
    if kind == "lstm":
        np.testing.assert_allclose(out[0].data, h_next, rtol=1e-12)
        np.testing.assert_allclose(out[1].data, c_next, rtol=1e-12)
    else:
        np.testing.assert_allclose(out.data, h_next, rtol=1e-12)
        zero_state = numpy_step(kind, x, np.zeros((2, 4)), None, *w)[0]
        np.testing.assert_allclose(cell(mg.tensor(x)).data, zero_state, rtol=1e-12)


@pytest.mark.parametrize("kind", ["tanh", "lstm", "gru"])
def test_gradients_through_time_in_both_modes(kind, rng):
    """d(output)/d(input, initial state) by central differences, forward and reverse."""
    layer = _layer(kind, num_layers=2, bidirectional=True)
    x = rng.standard_normal((3, 1, 3))
    h0 = rng.standard_normal((4, 1, 4)) * 0.5

    def f(x, h0):
        state = (h0, h0 * 0.5) if kind == "lstm" else h0
        output, final = layer(x, state)
        return (output.sum(axis=-1), (final[0] if kind == "lstm" else final).sum(axis=0))
    assert gradcheck(lambda x, h0: mg.concatenate([f(x, h0)[0].reshape(-1),
                                                   f(x, h0)[1].reshape(-1)]), x, h0)


def test_weight_gradients_and_second_order_of_an_lstm(rng):
    cell = nn.LSTMCell(2, 2, rng=3)
    x, h = rng.standard_normal((1, 2)), rng.standard_normal((1, 2))

    def loss(w_ih):
        cell.weight_ih = w_ih
        h1, c1 = cell(x, (h, h))
        return (h1 * h1).sum() + c1.sum()
    w = cell.weight_ih.data.copy()
    assert gradcheck(loss, w)
    assert gradcheck(lambda w: mg.grad(loss)(w), w)


def test_an_lstm_learns_to_remember_the_first_token(rng):
    """Classify a sequence by its first element, read 6 steps earlier: the memory task."""
    mg.manual_seed(0)
    lstm, head = nn.LSTM(2, 8, batch_first=True, rng=0), nn.Linear(8, 2, rng=1)
    params = lstm.parameters() + head.parameters()
    optimizer = mg.optim.Adam(params, lr=0.05)
    labels = rng.integers(0, 2, 64)
    x = rng.standard_normal((64, 6, 2)) * 0.3
    x[:, 0, 0] = np.where(labels, 1.0, -1.0)
    first = None
    for _ in range(60):
        output, _ = lstm(mg.tensor(x))
        loss = mg.nn.F.cross_entropy(head(output[:, -1]), labels)
        first = first or loss.item()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    assert loss.item() < 0.1 * first
    assert (head(lstm(mg.tensor(x))[0][:, -1]).argmax(dim=1).data == labels).mean() == 1.0


def test_bad_inputs_and_options_say_what_is_wrong():
    lstm = nn.LSTM(3, 4)
    with pytest.raises(ValueError, match=r"expected an input of shape \(L, N, 3\)"):
        lstm(mg.zeros(5, 2, 4))
    with pytest.raises(ValueError, match=r"initial state of shape \(1, 2, 4\)"):
        lstm(mg.zeros(5, 2, 3), (mg.zeros(1, 3, 4), mg.zeros(1, 3, 4)))
    with pytest.raises(ValueError, match=r"\(h0, c0\)"):
        lstm(mg.zeros(5, 2, 3), (mg.zeros(1, 2, 4),))
    with pytest.raises(ValueError, match="nonlinearity must be"):
        nn.RNN(3, 4, nonlinearity="sigmoid")
    with pytest.raises(ValueError, match="dropout must lie"):
        nn.GRU(3, 4, dropout=1.0)
    with pytest.raises(TypeError, match="float32"):
        nn.GRU(3, 4, dtype=np.float32)(mg.zeros(5, 2, 3))
    with pytest.raises(ValueError, match=r"\(N, 3\) or \(3,\)"):
        nn.GRUCell(3, 4)(mg.zeros(2, 5))


def test_dropout_acts_between_layers_while_training_only(rng):
    x = mg.tensor(rng.standard_normal((4, 2, 3)))
    plain, dropped = nn.GRU(3, 4, num_layers=2, rng=0), nn.GRU(3, 4, num_layers=2, dropout=0.5, rng=0)
    reference = plain(x)[0].data
    mg.manual_seed(1)
    assert not np.allclose(dropped(x)[0].data, reference)  # training: the layer-0 outputs dropped
    dropped.eval()
    np.testing.assert_array_equal(dropped(x)[0].data, reference)
    one_layer = nn.GRU(3, 4, dropout=0.5, rng=0)  # nothing between layers to drop
    np.testing.assert_array_equal(one_layer(x)[0].data, nn.GRU(3, 4, rng=0)(x)[0].data)
