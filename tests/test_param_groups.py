"""Optimizer parameter groups, PyTorch's list of dicts: options per group, the lr that
schedulers write, add_param_group, zero_grad(set_to_none=False) and state dicts."""
import numpy as np
import pytest

import minigrad as mg
from minigrad import nn, optim


def unit_grads(*params):
    """Give each parameter the gradient 1 everywhere (the loss sum(p) for each)."""
    for p in params:
        p.grad = None
    sum(p.sum() for p in params).backward()


def test_each_group_uses_its_own_options_and_the_constructors_for_the_rest():
    a, b = nn.Parameter([1.0]), nn.Parameter([1.0])
    opt = optim.SGD([{"params": [a]}, {"params": [b], "lr": 0.01, "momentum": 0.5}],
                    lr=0.1, momentum=0.9)
    assert [(g["lr"], g["momentum"], g["nesterov"]) for g in opt.param_groups] == \
        [(0.1, 0.9, False), (0.01, 0.5, False)]
    for _ in range(2):
        unit_grads(a, b)
        opt.step()
    # buffers 1 then 1 + momentum: a moves 0.1 * (1 + 1.9), b moves 0.01 * (1 + 1.5)
    np.testing.assert_allclose([a.item(), b.item()], [1 - 0.29, 1 - 0.025], rtol=1e-14)


def test_writing_a_groups_lr_changes_the_next_step():
    w = nn.Parameter([1.0])
    opt = optim.Adam([w], lr=0.1)
    unit_grads(w)
    opt.param_groups[0]["lr"] = 0.5
    opt.step()  # Adam's first step is lr * sign(g)
    np.testing.assert_allclose(w.data, [1.0 - 0.5 / (1 + 1e-8)], rtol=1e-14)


def test_the_lr_attribute_reads_and_writes_every_group():
    a, b = nn.Parameter([1.0]), nn.Parameter([1.0])
    opt = optim.SGD([{"params": [a]}, {"params": [b]}], lr=0.1)
    assert opt.lr == 0.1
    opt.lr = 0.2
    assert [g["lr"] for g in opt.param_groups] == [0.2, 0.2]
    opt.param_groups[1]["lr"] = 0.3
    with pytest.raises(AttributeError, match="different learning rates \\[0.2, 0.3\\]"):
        opt.lr
    with pytest.raises(ValueError, match="lr must be"):
        opt.lr = -1.0


def test_sgd_needs_an_lr_in_the_constructor_or_in_every_group():
    a, b = nn.Parameter([1.0]), nn.Parameter([1.0])
    opt = optim.SGD([{"params": [a], "lr": 0.1}, {"params": [b], "lr": 0.2}])
    assert [g["lr"] for g in opt.param_groups] == [0.1, 0.2]
    with pytest.raises(ValueError, match="did not set 'lr'.*pass lr=... to SGD"):
        optim.SGD([{"params": [a], "lr": 0.1}, {"params": [b]}])
    with pytest.raises(ValueError, match="did not set 'lr'"):
        optim.SGD([a])


def test_group_options_are_checked_like_the_constructors():
    w = nn.Parameter([1.0])
    with pytest.raises(ValueError, match="SGD: momentum must be"):
        optim.SGD([{"params": [w], "momentum": -1}], lr=0.1)
    with pytest.raises(ValueError, match="beta2 must be in"):
        optim.Adam([{"params": [w], "betas": (0.9, 1.5)}])
    with pytest.raises(ValueError, match="nesterov=True needs momentum > 0"):
        optim.SGD([{"params": [w], "nesterov": True}], lr=0.1)


def test_a_parameter_in_two_groups_is_an_error():
    w, v = nn.Parameter([1.0]), nn.Parameter([1.0])
    with pytest.raises(ValueError, match="more than one parameter group"):
        optim.SGD([{"params": [w, v]}, {"params": [w]}], lr=0.1)
    opt = optim.SGD([w], lr=0.1)
    with pytest.raises(ValueError, match="more than one parameter group"):
        opt.add_param_group({"params": [v, w]})
    assert len(opt.param_groups) == 1  # the failed group was not added


def test_group_params_must_be_ordered_tensors():
    w = nn.Parameter([1.0])
    with pytest.raises(TypeError, match="ordered collection such as a list"):
        optim.SGD([{"params": {w}}], lr=0.1)
    with pytest.raises(TypeError, match="ordered collection such as a list"):
        optim.SGD({w}, lr=0.1)
    with pytest.raises(ValueError, match="needs a 'params' entry"):
        optim.SGD([{"lr": 0.1}], lr=0.1)
    opt = optim.SGD([{"params": w}], lr=0.1)  # a single tensor is a group of one
    assert opt.param_groups[0]["params"] == [w]


def test_add_param_group_trains_a_layer_unfrozen_later():
    body, head = nn.Linear(3, 3, rng=0), nn.Linear(3, 1, rng=1)
    opt = optim.SGD(head.parameters(), lr=0.1, momentum=0.9)
    opt.add_param_group({"params": body.parameters(), "lr": 0.01})
    assert [len(g["params"]) for g in opt.param_groups] == [2, 2]
    assert opt.param_groups[1]["momentum"] == 0.9  # the constructor's default
    before = body.weight.data.copy()
    head(body(mg.ones(2, 3))).sum().backward()
    opt.step()
    np.testing.assert_allclose(body.weight.data, before - 0.01 * body.weight.grad.data,
                               rtol=1e-14)


def test_zero_grad_set_to_none_false_zeroes_in_place():
    w = nn.Parameter([1.0, 2.0])
    opt = optim.SGD([w], lr=0.1)
    (w * w).sum().backward()
    grad = w.grad
    version = grad._version
    opt.zero_grad(set_to_none=False)
    assert w.grad is grad and grad._version == version + 1
    np.testing.assert_array_equal(grad.data, [0.0, 0.0])
    (w * w).sum().backward()  # accumulates onto the zeros
    np.testing.assert_array_equal(w.grad.data, [2.0, 4.0])
    opt.zero_grad()
    assert w.grad is None


def adam_run(steps, w0=(1.0, -2.0)):
    w = nn.Parameter(list(w0))
    opt = optim.Adam([w], lr=0.1, betas=(0.8, 0.9))
    for k in range(steps):
        opt.zero_grad()
        (w * w * (k + 1)).sum().backward()
        opt.step()
    return w, opt


def test_state_dict_round_trip_continues_exactly():
    w, opt = adam_run(3)
    saved = opt.state_dict()
    assert saved["param_groups"][0]["params"] == [0] and saved["state"][0]["step"] == 3
    assert set(saved["state"][0]) == {"step", "exp_avg", "exp_avg_sq"}  # PyTorch's names
    w2 = nn.Parameter(w.data.copy())
    opt2 = optim.Adam([w2], lr=0.5)
    opt2.load_state_dict(saved)
    assert opt2.param_groups[0]["lr"] == 0.1 and opt2.param_groups[0]["params"] == [w2]
    for p, o in ((w, opt), (w2, opt2)):
        o.zero_grad()
        (p * p * 4).sum().backward()
        o.step()
    np.testing.assert_array_equal(w2.data, w.data)
    assert opt2.state[w2]["exp_avg"] is not saved["state"][0]["exp_avg"]  # copied in


def test_state_dict_is_a_snapshot():
    w, opt = adam_run(1)
    saved = opt.state_dict()
    exp_avg = saved["state"][0]["exp_avg"].copy()
    opt.zero_grad()
    (w * w).sum().backward()
    opt.step()
    np.testing.assert_array_equal(saved["state"][0]["exp_avg"], exp_avg)
    assert saved["state"][0]["step"] == 1


def test_load_state_dict_checks_the_layout():
    w, opt = adam_run(1)
    saved = opt.state_dict()
    a, b = nn.Parameter([1.0, 2.0]), nn.Parameter([1.0])
    with pytest.raises(ValueError, match="1 parameter groups, this optimizer 2"):
        optim.Adam([{"params": [a]}, {"params": [b]}]).load_state_dict(saved)
    with pytest.raises(ValueError, match="group 0 has 1 parameters in the saved state and 2"):
        optim.Adam([a, b]).load_state_dict(saved)
    with pytest.raises(ValueError, match="'exp_avg' has shape \\(2,\\), but its parameter"):
        optim.Adam([b]).load_state_dict(saved)


def test_repr_lists_the_groups():
    opt = optim.SGD([nn.Parameter([1.0])], lr=0.1)
    assert repr(opt).splitlines()[:3] == ["SGD (", "Parameter Group 0", "    lr: 0.1"]
