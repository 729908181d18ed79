"""Layers and loss modules: values against closed forms, gradients against differences."""
import math
from collections import OrderedDict

import numpy as np
import pytest

import minigrad as mg
from minigrad import nn
from minigrad.ops.special import Erf, erf
from minigrad.testing import gradcheck


def gradcheck_module(module, *inputs):
    """Gradcheck `module` in both modes with respect to its inputs and every parameter.

    The parameters are swapped for the float64 tensors gradcheck passes in, by name.
    """
    names = [name for name, _ in module.named_parameters()]
    owners = dict(module.named_modules())

    def f(*args):
        for name, value in zip(names, args[len(inputs):]):
            owner, _, attr = name.rpartition(".")
            object.__setattr__(owners[owner], attr, value)
        return module(*args[:len(inputs)])
    params = [p.data.astype(np.float64) for p in module.parameters()]
    return gradcheck(f, *inputs, *params)


# ----- Linear, Flatten, Sequential ---------------------------------------------------

def test_linear_initialisation_follows_pytorch():
    layer = nn.Linear(400, 300, rng=0)
    bound = 1 / math.sqrt(400)
    for p in (layer.weight, layer.bias):
        assert p.dtype == np.float64 and p.requires_grad
        assert -bound <= p.data.min() and p.data.max() < bound
    # U(-b, b) has variance b^2 / 3; 120000 samples pin it to about 1%.
    np.testing.assert_allclose(layer.weight.data.var(), bound ** 2 / 3, rtol=0.02)
    assert abs(layer.weight.data.mean()) < 0.01 * bound


def test_linear_is_seeded_and_takes_a_generator():
    a, b = nn.Linear(3, 2, rng=7), nn.Linear(3, 2, rng=np.random.default_rng(7))
    np.testing.assert_array_equal(a.weight.data, b.weight.data)
    np.testing.assert_array_equal(a.bias.data, b.bias.data)
    assert not np.array_equal(a.weight.data, nn.Linear(3, 2, rng=8).weight.data)


def test_linear_uses_the_default_dtype_or_the_given_one():
    assert nn.Linear(2, 2, rng=0, dtype=np.float32).weight.dtype == np.float32
    mg.set_default_dtype(np.float32)
    try:
        layer = nn.Linear(2, 2, rng=0)
        assert layer.weight.dtype == np.float32 and layer.bias.dtype == np.float32
        assert layer(mg.ones(1, 2)).dtype == np.float32
    finally:
        mg.set_default_dtype(np.float64)


def test_linear_computes_x_wt_plus_b():
    layer = nn.Linear(2, 3, rng=0)
    layer.weight.data[...] = [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]
    layer.bias.data[...] = [0.5, -0.5, 1.0]
    out = layer(mg.tensor([[1.0, -1.0], [2.0, 0.5]]))
    np.testing.assert_array_equal(out.data, [[-0.5, -1.5, 0.0], [3.5, 7.5, 14.0]])
    assert layer(mg.ones(4, 5, 2)).shape == (4, 5, 3)  # any leading axes


def test_linear_without_bias():
    layer = nn.Linear(2, 3, bias=False, rng=0)
    assert layer.bias is None and [n for n, _ in layer.named_parameters()] == ["weight"]
    np.testing.assert_allclose(layer(mg.ones(1, 2)).data, layer.weight.data.sum(axis=1)[None])


def test_linear_wrong_feature_count_names_both_sizes():
    message = "expected inputs with 3 features.*shape \\(4, 5\\) with 5"
    with pytest.raises(ValueError, match=message):
        nn.Linear(3, 2, rng=0)(mg.ones(4, 5))


def test_linear_gradcheck_input_weight_and_bias():
    rng = np.random.default_rng(0)
    assert gradcheck_module(nn.Linear(3, 2, rng=0), rng.standard_normal((4, 3)))
    assert gradcheck_module(nn.Linear(3, 2, bias=False, rng=0), rng.standard_normal((2, 5, 3)))


def test_flatten_shapes_and_gradient():
    x = np.arange(24.0).reshape(2, 3, 4)
    assert nn.Flatten()(mg.tensor(x)).shape == (2, 12)
    assert nn.Flatten(0, 1)(mg.tensor(x)).shape == (6, 4)
    assert nn.Flatten(start_dim=-2)(mg.ones(2, 3, 4, 5)).shape == (2, 3, 20)
    np.testing.assert_array_equal(nn.Flatten()(mg.tensor(x)).data, x.reshape(2, 12))
    assert gradcheck_module(nn.Flatten(), np.random.default_rng(1).standard_normal((2, 3, 2)))


def test_sequential_composes_indexes_and_names():
    first, second = nn.Linear(2, 3, rng=0), nn.Linear(3, 1, rng=1)
    net = nn.Sequential(first, nn.Tanh(), second)
    x = mg.randn(4, 2, rng=2)
    np.testing.assert_array_equal(net(x).data, second(first(x).tanh()).data)
    assert len(net) == 3 and net[0] is first and net[-1] is second
    assert list(net) == [first, net[1], second]
    assert isinstance(net[:2], nn.Sequential) and len(net[:2]) == 2
    net.append(nn.Sigmoid())
    assert len(net) == 4 and [n for n, _ in net.named_children()][-1] == "3"
    named = nn.Sequential(OrderedDict(hidden=nn.Linear(2, 2, rng=0), out=nn.Linear(2, 1, rng=0)))
    assert [n for n, _ in named.named_parameters()] == ["hidden.weight", "hidden.bias",
                                                       "out.weight", "out.bias"]
    with pytest.raises(TypeError, match="item '1' is a function, not a Module"):
        nn.Sequential(nn.ReLU(), lambda x: x)


def test_sequential_gradcheck():
    net = nn.Sequential(nn.Linear(3, 4, rng=0), nn.Tanh(), nn.Linear(4, 2, rng=1), nn.Sigmoid())
    assert gradcheck_module(net, np.random.default_rng(3).standard_normal((2, 3)))


# ----- activations -------------------------------------------------------------------

X = np.array([-2.0, -0.7, 0.3, 1.5])


@pytest.mark.parametrize("layer, expected", [
    (nn.ReLU(), np.maximum(X, 0)),
    (nn.Tanh(), np.tanh(X)),
    (nn.Sigmoid(), 1 / (1 + np.exp(-X))),
    (nn.GELU(), 0.5 * X * (1 + np.array([math.erf(v / math.sqrt(2)) for v in X]))),
    (nn.GELU("tanh"), 0.5 * X * (1 + np.tanh(math.sqrt(2 / math.pi) * (X + 0.044715 * X ** 3)))),
], ids=["relu", "tanh", "sigmoid", "gelu", "gelu_tanh"])
def test_activation_values_and_gradients(layer, expected):
    np.testing.assert_allclose(layer(mg.tensor(X)).data, expected, rtol=1e-14, atol=1e-15)
    assert gradcheck_module(layer, X.reshape(2, 2))


def test_gelu_exact_known_values():
    # Phi(1) = 0.841344746068543, Phi(-1) = 1 - Phi(1)
    np.testing.assert_allclose(nn.GELU()(mg.tensor([1.0, -1.0, 0.0])).data,
                               [0.841344746068543, -0.158655253931457, 0.0], rtol=1e-14)
    x = mg.tensor([1.0], requires_grad=True)
    nn.GELU()(x).sum().backward()
    # d/dx x Phi(x) = Phi(x) + x phi(x)
    expected = 0.841344746068543 + math.exp(-0.5) / math.sqrt(2 * math.pi)
    np.testing.assert_allclose(x.grad.data, [expected], rtol=1e-14)
    with pytest.raises(ValueError, match="approximate must be 'none' or 'tanh'"):
        nn.GELU("fast")


def test_erf_primitive_checks_fully():
    x = np.array([-1.7, -0.4, 0.0, 0.9, 2.5])
    np.testing.assert_allclose(erf(mg.tensor(x)).data, [math.erf(v) for v in x], rtol=1e-15)
    assert mg.testing.check_op(Erf(), x)
    assert erf(mg.tensor(x, dtype=np.float32)).dtype == np.float32


def test_erf_second_derivative_closed_form():
    # erf''(x) = -4x/sqrt(pi) exp(-x^2)
    x = mg.tensor([0.5, -1.2])
    hessian = mg.hessian(lambda x: erf(x).sum())(x)
    np.testing.assert_allclose(np.diag(hessian.data),
                               -4 * x.data / math.sqrt(math.pi) * np.exp(-x.data ** 2), rtol=1e-12)


# ----- Dropout -----------------------------------------------------------------------

def test_dropout_statistics_in_train_mode():
    p = 0.3
    out = nn.Dropout(p, rng=0)(mg.ones(200_000)).data
    dropped = np.mean(out == 0)
    assert abs(dropped - p) < 0.005  # std of the fraction is about 0.001
    np.testing.assert_allclose(np.unique(out), [0.0, 1 / (1 - p)], rtol=1e-15)
    assert abs(out.mean() - 1.0) < 0.01  # inverted scaling keeps the expectation


def test_dropout_gradient_is_the_same_scaled_mask():
    x = mg.tensor(np.random.default_rng(0).standard_normal(1000), requires_grad=True)
    out = nn.Dropout(0.5, rng=1)(x)
    out.sum().backward()
    mask = out.data / x.data
    np.testing.assert_allclose(x.grad.data, mask, rtol=1e-15)
    assert set(np.unique(np.round(mask, 12))) == {0.0, 2.0}


def test_dropout_eval_is_identity_and_edge_probabilities():
    x = mg.randn(3, 4, rng=0)
    drop = nn.Dropout(0.9, rng=0).eval()
    assert drop(x) is x
    assert nn.Dropout(0.0)(x) is x
    np.testing.assert_array_equal(nn.Dropout(1.0)(x).data, np.zeros((3, 4)))
    for p in (-0.1, 1.5):
        with pytest.raises(ValueError, match="p must be in \\[0, 1\\]"):
            nn.Dropout(p)


def test_dropout_is_seeded_and_draws_a_new_mask_each_call():
    a, b = nn.Dropout(0.5, rng=3), nn.Dropout(0.5, rng=3)
    x = mg.ones(50)
    first = a(x).data
    np.testing.assert_array_equal(first, b(x).data)
    assert not np.array_equal(first, a(x).data)


def test_dropout_gradcheck_with_a_fixed_mask():
    # A fresh layer with the same seed per evaluation gives every evaluation the same mask.
    x = np.random.default_rng(0).standard_normal((3, 4))
    assert gradcheck(lambda x: nn.Dropout(0.4, rng=5)(x), x)


# ----- Embedding ---------------------------------------------------------------------

def test_embedding_initialisation_and_lookup():
    emb = nn.Embedding(1000, 50, rng=0)
    assert emb.weight.shape == (1000, 50) and emb.weight.dtype == np.float64
    assert abs(emb.weight.data.mean()) < 0.01 and abs(emb.weight.data.std() - 1) < 0.01
    idx = np.array([[3, 1], [1, 999]])
    np.testing.assert_array_equal(emb(idx).data, emb.weight.data[idx])
    np.testing.assert_array_equal(emb(mg.tensor(idx)).data, emb.weight.data[idx])
    np.testing.assert_array_equal(nn.Embedding(5, 2, rng=4).weight.data,
                                  nn.Embedding(5, 2, rng=4).weight.data)


def test_embedding_gradient_counts_repeated_indices():
    emb = nn.Embedding(4, 2, rng=0)
    emb(np.array([1, 3, 1, 1])).sum().backward()
    np.testing.assert_array_equal(emb.weight.grad.data, [[0, 0], [3, 3], [0, 0], [1, 1]])


def test_embedding_gradcheck_and_errors():
    emb = nn.Embedding(5, 3, rng=0)
    assert gradcheck_module(emb, np.array([[0, 4], [4, 2]]))
    with pytest.raises(TypeError, match="integer indices"):
        emb(np.array([1.0]))
    with pytest.raises(IndexError, match="in \\[0, 5\\), got values from 0 to 5"):
        emb(np.array([0, 5]))


# ----- loss modules ------------------------------------------------------------------

LOGITS = np.array([[2.0, -1.0, 0.5], [0.0, 1.0, -2.0]])
CLASSES = np.array([0, 2])


def reference_cross_entropy(logits, target):
    log_p = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    return -log_p[np.arange(len(target)), target]


def test_cross_entropy_loss_values_and_reductions():
    per_row = reference_cross_entropy(LOGITS, CLASSES)
    for reduction, expected in [("mean", per_row.mean()), ("sum", per_row.sum()),
                                ("none", per_row)]:
        loss = nn.CrossEntropyLoss(reduction=reduction)(mg.tensor(LOGITS), CLASSES)
        np.testing.assert_allclose(loss.data, expected, rtol=1e-14)
    unfused = nn.CrossEntropyLoss(fused=False)(mg.tensor(LOGITS), CLASSES)
    np.testing.assert_allclose(unfused.data, per_row.mean(), rtol=1e-14)
    with pytest.raises(ValueError, match="reduction must be one of"):
        nn.CrossEntropyLoss(reduction="avg")


def test_cross_entropy_loss_label_smoothing():
    eps = 0.1
    log_p = LOGITS - np.log(np.exp(LOGITS).sum(axis=1, keepdims=True))
    y = np.eye(3)[CLASSES] * (1 - eps) + eps / 3
    loss = nn.CrossEntropyLoss(label_smoothing=eps)(mg.tensor(LOGITS), CLASSES)
    np.testing.assert_allclose(loss.item(), -(y * log_p).sum(axis=1).mean(), rtol=1e-14)


def test_cross_entropy_loss_gradient():
    logits = mg.tensor(LOGITS, requires_grad=True)
    nn.CrossEntropyLoss()(logits, CLASSES).backward()
    p = np.exp(LOGITS) / np.exp(LOGITS).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(logits.grad.data, (p - np.eye(3)[CLASSES]) / 2, rtol=1e-14)
    for fused in (True, False):
        assert gradcheck(lambda z: nn.CrossEntropyLoss(fused=fused)(z, CLASSES), LOGITS)
    probs = np.array([[0.2, 0.3, 0.5], [1.0, 0.0, 0.0]])
    assert gradcheck(lambda z: nn.CrossEntropyLoss(reduction="none")(z, probs), LOGITS)


def test_mse_loss_values_and_gradient():
    x, y = np.array([[1.0, 3.0], [0.5, -1.0]]), np.array([[0.0, 1.0], [0.5, 1.0]])
    np.testing.assert_allclose(nn.MSELoss()(mg.tensor(x), mg.tensor(y)).item(), 9 / 4)
    np.testing.assert_allclose(nn.MSELoss(reduction="sum")(mg.tensor(x), mg.tensor(y)).item(), 9.0)
    np.testing.assert_allclose(nn.MSELoss(reduction="none")(mg.tensor(x), mg.tensor(y)).data,
                               (x - y) ** 2)
    assert gradcheck(lambda a, b: nn.MSELoss()(a, b), x, y)


def test_bce_with_logits_loss_values_and_gradient():
    x, y = np.array([-3.0, 0.0, 2.0, 40.0]), np.array([0.0, 1.0, 0.25, 1.0])
    # -[y log s(x) + (1 - y) log(1 - s(x))] = log(1 + e^x) - y x, written without overflow
    per_element = np.maximum(x, 0) - y * x + np.log1p(np.exp(-np.abs(x)))
    loss = nn.BCEWithLogitsLoss(reduction="none")(mg.tensor(x), mg.tensor(y))
    np.testing.assert_allclose(loss.data, per_element, rtol=1e-13)
    np.testing.assert_allclose(nn.BCEWithLogitsLoss()(mg.tensor(x), mg.tensor(y)).item(),
                               per_element.mean(), rtol=1e-13)
    big = nn.BCEWithLogitsLoss(reduction="sum")(mg.tensor([1000.0, -1000.0]), mg.tensor([0.0, 1.0]))
    np.testing.assert_allclose(big.item(), 2000.0)  # stable: no overflow to inf
    assert gradcheck(lambda a: nn.BCEWithLogitsLoss()(a, y[:3]), x[:3])


# ----- Identity, LeakyReLU, Softmax, LogSoftmax ---------------------------------------

def test_identity_returns_its_input():
    x = mg.randn(2, 3, rng=0)
    assert nn.Identity()(x) is x and nn.Identity(3, bias=False)(x) is x
    assert nn.Identity().parameters() == []


def test_leaky_relu_values_gradient_and_convention_at_zero():
    x = mg.tensor([-2.0, -0.5, 0.0, 1.5], requires_grad=True)
    out = nn.LeakyReLU(0.1)(x)
    np.testing.assert_array_equal(out.data, [-0.2, -0.05, 0.0, 1.5])
    out.sum().backward()
    np.testing.assert_array_equal(x.grad.data, [0.1, 0.1, 0.1, 1.0])  # slope at 0, as PyTorch
    np.testing.assert_array_equal(nn.LeakyReLU()(mg.tensor([-1.0])).data, [-0.01])
    np.testing.assert_array_equal(nn.F.leaky_relu(mg.tensor([-3.0, 3.0]), 0.25).data, [-0.75, 3])
    assert repr(nn.LeakyReLU(0.2)) == "LeakyReLU(negative_slope=0.2)"
    assert gradcheck_module(nn.LeakyReLU(0.3), X.reshape(2, 2))
    assert gradcheck(mg.grad(lambda x: (nn.F.leaky_relu(x) ** 3).sum()), X)


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_softmax_and_log_softmax_layers_along_dim(dim):
    x = np.array([[1.0, 2.0, 3.0], [0.0, -1.0, 4.0]])
    e = np.exp(x - x.max(axis=dim, keepdims=True))
    p = e / e.sum(axis=dim, keepdims=True)
    np.testing.assert_allclose(nn.Softmax(dim=dim)(mg.tensor(x)).data, p, rtol=1e-15)
    np.testing.assert_allclose(nn.LogSoftmax(dim)(mg.tensor(x)).data, np.log(p), rtol=1e-14)
    assert gradcheck_module(nn.Softmax(dim=dim), x)
    assert gradcheck_module(nn.LogSoftmax(dim=dim), x)
    assert repr(nn.LogSoftmax(dim=dim)) == f"LogSoftmax(dim={dim})"


def test_softmax_layer_requires_dim():
    with pytest.raises(TypeError, match=r"Softmax\(dim=1\)"):
        nn.Softmax()
    with pytest.raises(TypeError, match=r"LogSoftmax\(dim=1\)"):
        nn.LogSoftmax()


# ----- F.dropout, F.one_hot -------------------------------------------------------------

def test_functional_dropout_draws_the_layers_mask():
    x = mg.ones(1000)
    np.testing.assert_array_equal(nn.F.dropout(x, 0.3, rng=5).data, nn.Dropout(0.3, rng=5)(x).data)
    assert nn.F.dropout(x, 0.3, training=False) is x and nn.F.dropout(x, 0.0) is x
    np.testing.assert_array_equal(nn.F.dropout(x, 1.0).data, np.zeros(1000))
    mg.manual_seed(11)
    first = nn.F.dropout(x, 0.5).data
    mg.manual_seed(11)
    np.testing.assert_array_equal(nn.Dropout(0.5)(x).data, first)  # the default generator
    assert set(np.unique(first)) == {0.0, 2.0}
    assert nn.F.dropout(mg.ones(3, dtype=np.float32), 0.5, rng=0).dtype == np.float32
    with pytest.raises(ValueError, match=r"p must be in \[0, 1\]"):
        nn.F.dropout(x, 1.5)


def test_one_hot_is_int64_as_pytorch():
    out = nn.F.one_hot(mg.tensor([2, 0, 1, 2]))
    assert out.dtype == np.int64 and out.shape == (4, 3) and not out.requires_grad
    np.testing.assert_array_equal(out.data, np.eye(3, dtype=np.int64)[[2, 0, 1, 2]])
    assert nn.F.one_hot(np.array([[0], [1]]), num_classes=4).shape == (2, 1, 4)
    np.testing.assert_array_equal(nn.F.one_hot([1], 3).data, [[0, 1, 0]])
    with pytest.raises(ValueError, match="non-negative"):
        nn.F.one_hot(np.array([0, -1]))
    with pytest.raises(ValueError, match="class value 3 is not smaller than num_classes=3"):
        nn.F.one_hot(np.array([3]), 3)
    with pytest.raises(TypeError, match="integer class indices"):
        nn.F.one_hot(np.array([1.0]))


# ----- loss modules with weights --------------------------------------------------------

def test_loss_modules_take_weight_and_ignore_index_and_keep_weight_as_a_buffer():
    w = np.array([1.0, 2.0, 0.5])
    target = np.array([0, 2])
    expected = nn.F.cross_entropy(mg.tensor(LOGITS), target, w).item()
    module = nn.CrossEntropyLoss(weight=w)
    assert module(mg.tensor(LOGITS), target).item() == expected
    assert list(module.state_dict()) == ["weight"]  # a buffer, as PyTorch's _WeightedLoss
    assert nn.CrossEntropyLoss(w)(mg.tensor(LOGITS), target).item() == expected  # positional
    ignored = nn.CrossEntropyLoss(ignore_index=2)(mg.tensor(LOGITS), target)
    np.testing.assert_allclose(ignored.item(), reference_cross_entropy(LOGITS, target)[0])
    log_p = nn.LogSoftmax(dim=1)(mg.tensor(LOGITS))
    assert nn.NLLLoss(weight=[1.0, 2.0, 0.5])(log_p, target).item() == pytest.approx(expected)
    assert repr(nn.NLLLoss(ignore_index=0)) == "NLLLoss(reduction='mean', ignore_index=0)"
    with pytest.raises(TypeError, match="reduction='sum'"):
        nn.CrossEntropyLoss("sum")


# ----- mixed float dtypes raise, naming both and the fix --------------------------------

@pytest.mark.parametrize("layer, shape", [
    (nn.Linear(3, 2, rng=0), (4, 3)),
    (nn.Conv2d(2, 2, 3, rng=0), (1, 2, 5, 5)),
    (nn.BatchNorm1d(3), (4, 3)),
    (nn.BatchNorm2d(2), (4, 2, 3, 3)),
    (nn.LayerNorm(3), (4, 3)),
], ids=["Linear", "Conv2d", "BatchNorm1d", "BatchNorm2d", "LayerNorm"])
def test_a_layer_refuses_an_input_of_another_float_dtype(layer, shape):
    x32 = mg.ones(*shape, dtype=np.float32)
    name = type(layer).__name__
    with pytest.raises(TypeError, match=rf"{name}\(.*the input is float32 but the layer's "
                                        r"parameters are float64.*model.to\(np.float32\).*"
                                        r"x.astype\(np.float64\)"):
        layer(x32)
    assert layer.to(np.float32)(x32).dtype == np.float32  # the first fix works
    with pytest.raises(TypeError, match="the input is float64 but the layer's parameters are "
                                        "float32"):
        layer(mg.ones(*shape))


def test_integer_inputs_pass_only_where_they_keep_the_parameters_dtype():
    layer = nn.Linear(2, 1, rng=0)
    assert layer(mg.tensor([[1, 2]])).dtype == np.float64  # int64 with float64: float64
    layer.to(np.float32)
    with pytest.raises(TypeError, match=r"the input is int64 .* float32.*x.astype\(np.float32\)"):
        layer(mg.tensor([[1, 2]]))  # NumPy would compute in float64
    assert layer(mg.tensor([[True, False]])).dtype == np.float32
