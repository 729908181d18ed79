"""Module bookkeeping: the attribute walk, dotted names, buffers, modes and state dicts."""
from collections import OrderedDict

import numpy as np
import pytest

import minigrad as mg
from minigrad import nn


class Net(nn.Module):
    """Parameters reached through every kind of container the walk descends into."""

    def __init__(self, rng=0):
        super().__init__()
        self.scale = nn.Parameter(np.array([2.0]))
        self.body = nn.Sequential(nn.Linear(2, 3, rng=rng), nn.ReLU(),
                                  nn.Sequential(nn.Linear(3, 3, rng=rng)))
        self.blocks = [nn.Linear(3, 3, rng=rng), nn.Tanh(), nn.Linear(3, 2, bias=False, rng=rng)]
        self.heads = {"a": nn.Linear(2, 1, rng=rng), "b": nn.Dropout(0.5, rng=rng)}

    def forward(self, x):
        x = self.body(x) * self.scale
        for block in self.blocks:
            x = block(x)
        return self.heads["a"](self.heads["b"](x))


NET_NAMES = ["scale", "body.0.weight", "body.0.bias", "body.2.0.weight", "body.2.0.bias",
             "blocks.0.weight", "blocks.0.bias", "blocks.2.weight", "heads.a.weight",
             "heads.a.bias"]


class Counter(nn.Module):
    """A module with buffers, as the norm layers use them."""

    def __init__(self):
        super().__init__()
        self.weight = nn.Parameter(np.ones(2))
        self.register_buffer("running_mean", np.zeros(2))
        self.register_buffer("count", np.array(0))
        self.register_buffer("unused", None)

    def forward(self, x):
        self.running_mean = self.running_mean.data * 0.5 + x.data.mean(axis=0) * 0.5
        return x * self.weight


def test_named_parameters_are_dotted_and_in_assignment_order():
    assert [name for name, _ in Net().named_parameters()] == NET_NAMES
    assert [name for name, _ in Net(rng=5).named_parameters()] == NET_NAMES  # stable
    params = Net().parameters()
    assert len(params) == len(NET_NAMES)
    assert all(isinstance(p, nn.Parameter) and p.requires_grad for p in params)


def test_layouts_match_pytorch():
    net = Net()
    shapes = {name: p.shape for name, p in net.named_parameters()}
    assert shapes["body.0.weight"] == (3, 2) and shapes["body.0.bias"] == (3,)
    assert shapes["blocks.2.weight"] == (2, 3)


def test_shared_parameter_is_listed_once_under_its_first_name():
    a = nn.Linear(2, 2, rng=0)
    b = nn.Linear(2, 2, rng=1)
    b.weight = a.weight
    model = nn.Sequential(a, b)
    assert [n for n, _ in model.named_parameters()] == ["0.weight", "0.bias", "1.bias"]
    assert list(model.state_dict()) == ["0.weight", "0.bias", "1.weight", "1.bias"]


def test_named_modules_and_children():
    net = Net()
    names = [name for name, _ in net.named_modules()]
    assert names == ["", "body", "body.0", "body.1", "body.2", "body.2.0", "blocks.0",
                     "blocks.1", "blocks.2", "heads.a", "heads.b"]
    assert [name for name, _ in net.named_children()] == ["body", "blocks.0", "blocks.1",
                                                         "blocks.2", "heads.a", "heads.b"]


def test_module_reached_twice_or_through_a_cycle_is_walked_once():
    inner = nn.Linear(2, 2, rng=0)
    model = nn.Sequential(inner, inner)
    model.parent = model  # a back reference must not loop forever
    assert [n for n, _ in model.named_parameters()] == ["0.weight", "0.bias"]


def test_typo_raises_attribute_error_with_a_suggestion():
    layer = nn.Linear(2, 3, rng=0)
    with pytest.raises(AttributeError, match="'weigth'.*did you mean 'weight'"):
        layer.weigth
    assert getattr(layer, "missing", None) is None  # hasattr/getattr defaults still work


def test_train_and_eval_reach_modules_inside_lists_and_dicts():
    net = Net()
    assert all(m.training for m in net.modules())
    assert net.eval() is net
    assert len(net.modules()) == 11 and not any(m.training for m in net.modules())
    assert not net.heads["b"].training
    net.train()
    assert all(m.training for m in net.modules())


def test_zero_grad_sets_every_grad_to_none():
    net = Net().eval()
    net(mg.ones(4, 2)).sum().backward()
    assert all(p.grad is not None for p in net.parameters())
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())


def test_call_runs_forward_and_base_forward_is_abstract():
    layer = nn.Linear(2, 1, rng=0)
    x = mg.ones(3, 2)
    np.testing.assert_array_equal(layer(x).data, layer.forward(x).data)
    with pytest.raises(NotImplementedError, match="Module must define forward"):
        nn.Module()(x)


def test_subclass_without_super_init_still_works():
    class Bare(nn.Module):
        def __init__(self):
            self.w = nn.Parameter([1.0])
    bare = Bare()
    assert [n for n, _ in bare.named_parameters()] == ["w"] and bare.training
    bare.eval()
    assert not bare.training


def test_buffers_are_in_the_state_dict_but_not_trained():
    counter = Counter()
    assert [n for n, _ in counter.named_parameters()] == ["weight"]
    assert [n for n, _ in counter.named_buffers()] == ["running_mean", "count"]
    state = counter.state_dict()
    assert list(state) == ["weight", "running_mean", "count"]  # PyTorch's order
    assert state["count"].dtype == np.int64
    counter(mg.tensor([[1.0, 3.0], [3.0, 5.0]]))
    assert isinstance(counter.running_mean, mg.Tensor)  # an assigned ndarray is wrapped
    np.testing.assert_array_equal(counter.running_mean.data, [1.0, 2.0])
    with pytest.raises(TypeError, match="buffer 'count' must be an ndarray"):
        counter.count = "three"
    with pytest.raises(KeyError, match="already has an attribute 'weight'"):
        counter.register_buffer("weight", np.zeros(2))


def test_state_dict_is_a_snapshot():
    layer = nn.Linear(2, 2, rng=0)
    state = layer.state_dict()
    state["weight"][...] = 0.0
    assert not np.all(layer.weight.data == 0.0)


def test_state_dict_round_trip_between_models():
    source, target = Net(rng=1).eval(), Net(rng=2).eval()
    x = mg.randn(5, 2, rng=3)
    assert not np.allclose(source(x).data, target(x).data)
    result = target.load_state_dict(source.state_dict())
    assert result.missing_keys == [] and result.unexpected_keys == []
    np.testing.assert_array_equal(source(x).data, target(x).data)


def test_load_state_dict_accepts_tensors_and_copies_in_place():
    layer = nn.Linear(2, 1, rng=0)
    weight = layer.weight
    layer.load_state_dict({"weight": mg.tensor([[3.0, 4.0]]), "bias": np.array([5.0])})
    assert layer.weight is weight
    np.testing.assert_array_equal(layer.weight.data, [[3.0, 4.0]])
    np.testing.assert_array_equal(layer.bias.data, [5.0])


def test_load_state_dict_lists_every_problem_and_changes_nothing():
    layer = nn.Linear(3, 2, rng=0)
    before = layer.state_dict()
    bad = {"weight": np.zeros((3, 2)), "extra": np.zeros(1)}
    with pytest.raises(RuntimeError) as info:
        layer.load_state_dict(bad)
    message = str(info.value)
    assert "missing keys: ['bias']" in message
    assert "unexpected keys: ['extra']" in message
    assert "weight: expected (2, 3) float64, got (3, 2) float64" in message
    np.testing.assert_array_equal(layer.weight.data, before["weight"])


def test_load_state_dict_checks_dtypes():
    layer = nn.Linear(2, 2, rng=0)
    state = {k: v.astype(np.float32) for k, v in layer.state_dict().items()}
    with pytest.raises(RuntimeError, match="bias: expected \\(2,\\) float64, got \\(2,\\) float32"):
        layer.load_state_dict(state)


def test_load_state_dict_non_strict_reports_keys_but_still_checks_shapes():
    layer = nn.Linear(2, 2, rng=0)
    result = layer.load_state_dict({"bias": np.array([1.0, 2.0]), "extra": np.ones(1)},
                                   strict=False)
    assert result.missing_keys == ["weight"] and result.unexpected_keys == ["extra"]
    np.testing.assert_array_equal(layer.bias.data, [1.0, 2.0])
    with pytest.raises(RuntimeError, match="bias: expected"):
        layer.load_state_dict({"bias": np.ones(3)}, strict=False)
    with pytest.raises(TypeError, match="'bias' is a list"):
        layer.load_state_dict({"weight": np.ones((2, 2)), "bias": [1.0, 2.0]})


def test_buffers_round_trip_through_load_state_dict():
    a, b = Counter(), Counter()
    a.running_mean = np.array([4.0, 5.0])
    a.count = np.array(7)
    b.load_state_dict(a.state_dict())
    np.testing.assert_array_equal(b.running_mean.data, [4.0, 5.0])
    assert b.count.item() == 7


def test_repr_is_nested_like_pytorch():
    model = nn.Sequential(OrderedDict(fc=nn.Linear(2, 3, rng=0), act=nn.GELU("tanh"),
                                      drop=nn.Dropout(0.1)))
    assert repr(model) == (
        "Sequential(\n"
        "  (fc): Linear(in_features=2, out_features=3, bias=True)\n"
        "  (act): GELU(approximate='tanh')\n"
        "  (drop): Dropout(p=0.1)\n"
        ")")
    assert repr(Net()).startswith("Net(\n  (body): Sequential(\n    (0): Linear(")
    assert repr(nn.Parameter([1.0])) == "Parameter containing:\ntensor([1.], requires_grad=True)"


def test_parameter_takes_default_dtype_and_refuses_integers():
    assert nn.Parameter([1.0, 2.0]).dtype == mg.get_default_dtype()
    assert nn.Parameter(np.ones(2, np.float32)).dtype == np.float32
    assert not nn.Parameter([1.0], requires_grad=False).requires_grad
    with pytest.raises(TypeError, match="requires_grad=True needs a floating tensor"):
        nn.Parameter(np.array([1, 2]))
    with pytest.raises(TypeError, match="Pass floats"):
        nn.Parameter([1, 2])  # an int list is int64, as in PyTorch


# ----- ModuleList, ModuleDict -----------------------------------------------------------

def _linears(n):
    return [nn.Linear(2, 2, rng=i) for i in range(n)]


def test_module_list_behaves_like_pytorchs():
    a, b, c, d = _linears(4)
    layers = nn.ModuleList([a, b])
    assert len(layers) == 2 and list(layers) == [a, b] and layers[-1] is b
    assert a in layers and c not in layers
    layers.append(c)
    layers.extend([d])
    assert list(layers) == [a, b, c, d]
    assert isinstance(layers[1:3], nn.ModuleList) and list(layers[1:3]) == [b, c]
    layers.insert(1, nn.ReLU())
    assert [type(m).__name__ for m in layers] == ["Linear", "ReLU", "Linear", "Linear", "Linear"]
    assert [name for name, _ in layers.named_children()] == ["0", "1", "2", "3", "4"]
    assert isinstance(layers.pop(1), nn.ReLU) and list(layers) == [a, b, c, d]
    del layers[0]
    assert list(layers) == [b, c, d] and [n for n, _ in layers.named_children()] == ["0", "1", "2"]
    layers[0] = a
    assert layers[0] is a
    layers += [b]
    assert len(layers) == 4 and len(layers + nn.ModuleList([c])) == 5
    with pytest.raises(IndexError, match="index 4 is out of range for 4 modules"):
        layers[4]
    with pytest.raises(TypeError, match="item '4' is a function, not a Module"):
        layers.append(lambda x: x)
    with pytest.raises(NotImplementedError, match="iterate over it"):
        layers(mg.ones(1, 2))


def test_module_list_names_parameters_with_dotted_indices_and_trains():
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.layers = nn.ModuleList(_linears(2))

        def forward(self, x):
            for layer in self.layers:
                x = layer(x).tanh()
            return x
    net = Net()
    assert [n for n, _ in net.named_parameters()] == ["layers.0.weight", "layers.0.bias",
                                                      "layers.1.weight", "layers.1.bias"]
    assert list(net.state_dict()) == [n for n, _ in net.named_parameters()]
    assert [n for n, _ in net.named_children()] == ["layers"]
    net(mg.ones(3, 2)).sum().backward()
    assert all(p.grad is not None for p in net.parameters())
    assert repr(net).startswith("Net(\n  (layers): ModuleList(\n    (0): Linear(")


def test_module_dict_behaves_like_pytorchs():
    a, b, c = _linears(3)
    heads = nn.ModuleDict({"a": a, "b": b})
    assert list(heads) == ["a", "b"] and list(heads.keys()) == ["a", "b"]
    assert list(heads.values()) == [a, b] and list(heads.items()) == [("a", a), ("b", b)]
    assert heads["a"] is a and "b" in heads and "c" not in heads and len(heads) == 2
    heads["c"] = c
    heads.update([("d", nn.ReLU())])
    assert list(heads) == ["a", "b", "c", "d"]
    assert [n for n, _ in heads.named_parameters()][:2] == ["a.weight", "a.bias"]
    assert heads.pop("b") is b and list(heads) == ["a", "c", "d"]
    del heads["d"]
    assert list(heads) == ["a", "c"]
    with pytest.raises(KeyError, match="no module 'x'; keys: \\['a', 'c'\\]"):
        heads["x"]
    for key in ("keys", "training", "forward"):
        with pytest.raises(KeyError, match="already an attribute"):
            heads[key] = nn.ReLU()
    with pytest.raises(KeyError, match="without '.'"):
        heads["a.b"] = nn.ReLU()
    with pytest.raises(TypeError, match="keys must be strings"):
        heads[1] = nn.ReLU()
    with pytest.raises(TypeError, match="not a Module"):
        heads["e"] = 3
    heads.clear()
    assert len(heads) == 0 and heads.parameters() == []


# ----- modules(), children(), apply(), to() ---------------------------------------------

def test_children_are_listed_once_as_pytorch():
    shared = nn.Linear(2, 2, rng=0)
    model = nn.Sequential(shared, nn.ReLU(), shared)
    assert [n for n, _ in model.named_children()] == ["0", "1"]
    assert model.children() == [shared, model[1]]
    assert model.modules() == [model, shared, model[1]]  # pre-order, each once


def test_apply_visits_children_first_then_self_and_returns_self():
    net = Net()
    order = []
    assert net.apply(order.append) is net
    assert order[-1] is net and len(order) == len(net.modules())
    assert order.index(net.body[0]) < order.index(net.body)  # a child before its parent

    def init_weights(module):
        if isinstance(module, nn.Linear):
            nn.init.constant_(module.weight, 0.5)
            if module.bias is not None:
                nn.init.zeros_(module.bias)
    net.apply(init_weights)
    assert np.all(net.body[0].weight.data == 0.5)
    assert np.all(net.heads["a"].bias.data == 0) and np.all(net.blocks[2].weight.data == 0.5)


def test_to_casts_parameters_grads_and_float_buffers_keeping_the_objects():
    bn = nn.BatchNorm1d(3)
    layer = nn.Linear(3, 3, rng=0)
    model = nn.Sequential(layer, bn)
    model(mg.ones(4, 3)).sum().backward()
    weight, running_mean = layer.weight, bn.running_mean
    before = layer.weight.data.copy()
    assert model.to(np.float32) is model
    assert layer.weight is weight and bn.running_mean is running_mean  # same objects
    assert all(p.dtype == np.float32 for p in model.parameters())
    assert layer.weight.grad.dtype == np.float32
    assert bn.running_var.dtype == np.float32 and bn.num_batches_tracked.dtype == np.int64
    np.testing.assert_array_equal(layer.weight.data, before.astype(np.float32))
    assert model(mg.ones(4, 3, dtype=np.float32)).dtype == np.float32
    model.double()
    assert layer.weight.dtype == np.float64
    model.to("float32")
    assert layer.weight.dtype == np.float32
    model.to(mg.ones(1))  # a tensor's dtype, as PyTorch's to(tensor)
    assert layer.weight.dtype == np.float64
    assert model.to("cpu") is model and model.to("cpu", np.float32) is model
    assert layer.weight.dtype == np.float32 and model.float() is model


def test_to_refuses_devices_and_integer_dtypes_clearly():
    layer = nn.Linear(2, 2, rng=0)
    for device in ("cuda", "cuda:0", "mps"):
        with pytest.raises(RuntimeError, match="minigrad runs on the CPU only"):
            layer.to(device)
    with pytest.raises(RuntimeError, match="CPU only"):
        layer.to(device="cuda", dtype=np.float32)
    with pytest.raises(TypeError, match="only accepts floating dtypes.*int64"):
        layer.to(np.int64)
    with pytest.raises(TypeError, match="neither a dtype nor a device"):
        layer.to("gpu-please")
    assert layer.weight.dtype == np.float64  # nothing changed


def test_sequential_slices_keep_their_names_and_append_never_overwrites():
    net = nn.Sequential(*_linears(3))
    tail = net[1:]
    assert [n for n, _ in tail.named_children()] == ["1", "2"]  # PyTorch's names
    assert list(tail.state_dict()) == ["1.weight", "1.bias", "2.weight", "2.bias"]
    with pytest.raises(ValueError, match="the name '2' is taken"):
        tail.append(nn.ReLU())
    renumbered = nn.Sequential(*tail).append(nn.ReLU())
    assert [n for n, _ in renumbered.named_children()] == ["0", "1", "2"]
