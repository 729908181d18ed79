"""Optimizers: a few steps of each against updates worked out by hand."""
import numpy as np
import pytest

import minigrad as mg
from minigrad import nn, optim


def run(optimizer_class, w0, grads, **options):
    """Apply `optimizer_class` to one parameter, feeding it the gradients g in turn (each
    from backward through the linear loss sum(g * w), whose gradient is g)."""
    w = nn.Parameter(np.array(w0, dtype=np.float64))
    opt = optimizer_class([w], **options)
    for g in grads:
        opt.zero_grad()
        (w * g).sum().backward()
        opt.step()
    return w.data


# ----- SGD ---------------------------------------------------------------------------

def test_sgd_plain_steps():
    # w <- w - lr g, with g = 1.5 constant: 3 steps move w by 3 * 0.1 * 1.5.
    np.testing.assert_allclose(run(optim.SGD, [2.0, -1.0], [1.5] * 3, lr=0.1),
                               [2.0 - 0.45, -1.0 - 0.45], rtol=1e-15)


def test_sgd_momentum_steps():
    # b1 = g, b2 = 0.9 b1 + g = 1.9 g, b3 = 0.9 b2 + g = 2.71 g (g = 1);
    # w3 = w0 - lr (b1 + b2 + b3) = 1 - 0.1 * 5.61.
    np.testing.assert_allclose(run(optim.SGD, [1.0], [1.0] * 3, lr=0.1, momentum=0.9),
                               [1.0 - 0.561], rtol=1e-14)


def test_sgd_nesterov_steps():
    # Step t uses g + 0.9 b_t: 1.9, 2.71, 3.439 (b_t as above); total 8.049.
    np.testing.assert_allclose(
        run(optim.SGD, [1.0], [1.0] * 3, lr=0.1, momentum=0.9, nesterov=True),
        [1.0 - 0.8049], rtol=1e-14)


def test_sgd_weight_decay_steps():
    # g = 1 + 0.1 w: w1 = 2 - 0.1 (1 + 0.2) = 1.88, w2 = 1.88 - 0.1 (1 + 0.188) = 1.7612.
    np.testing.assert_allclose(run(optim.SGD, [2.0], [1.0] * 2, lr=0.1, weight_decay=0.1),
                               [1.7612], rtol=1e-14)


def test_sgd_momentum_with_weight_decay_and_a_changing_gradient():
    # Gradients 1 then -2, weight decay 0.5, momentum 0.5, lr 0.1, w0 = 1:
    # g1 = 1 + 0.5 = 1.5, b1 = 1.5, w1 = 1 - 0.15 = 0.85
    # g2 = -2 + 0.425 = -1.575, b2 = 0.75 - 1.575 = -0.825, w2 = 0.85 + 0.0825 = 0.9325
    np.testing.assert_allclose(
        run(optim.SGD, [1.0], [1.0, -2.0], lr=0.1, momentum=0.5, weight_decay=0.5),
        [0.9325], rtol=1e-14)


# ----- Adam and AdamW ----------------------------------------------------------------

def test_adam_constant_gradient_moves_lr_per_step():
    # With g constant, m_t = (1 - b1^t) g and v_t = (1 - b2^t) g^2, so the bias-corrected
    # m_hat = g and v_hat = g^2 exactly: each step is lr * g / (|g| + eps).
    step = 0.01 * 4.0 / (4.0 + 1e-8)
    np.testing.assert_allclose(run(optim.Adam, [1.0], [4.0] * 3, lr=0.01), [1.0 - 3 * step],
                               rtol=1e-14)


def test_adam_changing_gradient():
    # g1 = 1: m1 = 0.1, v1 = 0.001, m_hat = 1, v_hat = 1, step 0.1 * 1 / (1 + 1e-8).
    # g2 = -1: m2 = 0.09 - 0.1 = -0.01, v2 = 0.000999 + 0.001 = 0.001999,
    #          m_hat = -0.01 / 0.19, v_hat = 0.001999 / 0.001999 = 1.
    expected = -0.1 / (1 + 1e-8) + 0.1 * (0.01 / 0.19) / (1 + 1e-8)
    np.testing.assert_allclose(run(optim.Adam, [0.0], [1.0, -1.0], lr=0.1), [expected],
                               rtol=1e-12)


def test_adam_weight_decay_is_added_to_the_gradient():
    # g = 1 + 0.1 * (-20) = -1 < 0, so the first step (lr * sign(g)) goes up.
    np.testing.assert_allclose(run(optim.Adam, [-20.0], [1.0], lr=0.5, weight_decay=0.1),
                               [-20.0 + 0.5 / (1 + 1e-8)], rtol=1e-14)


def test_adamw_decays_the_weights_directly():
    # w <- w (1 - lr wd), then w <- w - lr sign(g) (constant g): 1 -> 0.95 - 0.1 = 0.85,
    # then 0.85 * 0.95 - 0.1 = 0.7075. Same start as above, but the step goes down.
    step = 0.1 / (1 + 1e-8)
    np.testing.assert_allclose(run(optim.AdamW, [1.0], [1.0] * 2, lr=0.1, weight_decay=0.5),
                               [(1.0 * 0.95 - step) * 0.95 - step], rtol=1e-14)
    np.testing.assert_allclose(run(optim.AdamW, [-20.0], [1.0], lr=0.5, weight_decay=0.1),
                               [-20.0 * 0.95 - 0.5 / (1 + 1e-8)], rtol=1e-14)


# ----- RMSprop -----------------------------------------------------------------------

def test_rmsprop_plain_steps():
    # alpha 0.9, g = 2 constant, lr 0.01: v1 = 0.1 * 4 = 0.4, v2 = 0.9 * 0.4 + 0.4 = 0.76;
    # each step is lr * g / (sqrt(v) + eps).
    expected = 1.0 - 0.02 / (np.sqrt(0.4) + 1e-8) - 0.02 / (np.sqrt(0.76) + 1e-8)
    np.testing.assert_allclose(run(optim.RMSprop, [1.0], [2.0] * 2, lr=0.01, alpha=0.9),
                               [expected], rtol=1e-14)


def test_rmsprop_adds_eps_outside_the_square_root():
    # alpha 0: v = g^2, so the step is lr * g / (|g| + eps) = 0.1 / 11 for g = 1e-9;
    # eps inside the root would give lr * 1e-9 / sqrt(1e-18 + 1e-8), about 1e-6 lr.
    np.testing.assert_allclose(run(optim.RMSprop, [0.0], [1e-9], lr=1.0, alpha=0.0, eps=1e-8),
                               [-1.0 / 11], rtol=1e-12)


def test_rmsprop_centered_divides_by_the_running_standard_deviation():
    # alpha 0.5, lr 0.1, gradients 1 then -1:
    # step 1: v = 0.5, g_avg = 0.5, v - g_avg^2 = 0.25, step 0.1 * 1 / 0.5 = 0.2
    # step 2: v = 0.25 + 0.5 = 0.75, g_avg = 0.25 - 0.5 = -0.25, 0.75 - 0.0625 = 0.6875,
    #         step 0.1 * -1 / sqrt(0.6875)
    expected = -0.2 / (1 + 2e-8) + 0.1 / (np.sqrt(0.6875) + 1e-8)
    np.testing.assert_allclose(
        run(optim.RMSprop, [0.0], [1.0, -1.0], lr=0.1, alpha=0.5, centered=True),
        [expected], rtol=1e-12)


def test_rmsprop_momentum_accumulates_the_scaled_steps():
    # alpha 0.75, momentum 0.5, g = 1, lr 0.1: v1 = 0.25, b1 = 1 / 0.5 = 2;
    # v2 = 0.1875 + 0.25 = 0.4375, b2 = 0.5 * 2 + 1 / sqrt(0.4375); w = -0.1 (b1 + b2).
    b1 = 1 / (0.5 + 1e-8)
    b2 = 0.5 * b1 + 1 / (np.sqrt(0.4375) + 1e-8)
    np.testing.assert_allclose(
        run(optim.RMSprop, [0.0], [1.0] * 2, lr=0.1, alpha=0.75, momentum=0.5),
        [-0.1 * (b1 + b2)], rtol=1e-12)


def test_rmsprop_weight_decay_enters_the_gradient():
    # g = 1 + 0.5 * 3 = 2.5, alpha 0: the step is lr * g / |g| = lr (to eps).
    np.testing.assert_allclose(
        run(optim.RMSprop, [3.0], [1.0], lr=0.1, alpha=0.0, weight_decay=0.5),
        [3.0 - 0.1 * 2.5 / (2.5 + 1e-8)], rtol=1e-14)


def test_rmsprop_keeps_pytorchs_state_names():
    w = nn.Parameter([1.0, 2.0])
    opt = optim.RMSprop([w], momentum=0.9, centered=True)
    (w * w).sum().backward()
    opt.step()
    assert set(opt.state[w]) == {"step", "square_avg", "grad_avg", "momentum_buffer"}
    np.testing.assert_allclose(opt.state[w]["square_avg"], 0.01 * np.array([4.0, 16.0]))


def test_defaults_match_pytorch():
    w = [nn.Parameter([1.0])]
    adam, adamw = optim.Adam(w).param_groups[0], optim.AdamW(w).param_groups[0]
    assert (adam["lr"], adam["betas"], adam["eps"], adam["weight_decay"]) == \
        (1e-3, (0.9, 0.999), 1e-8, 0.0)
    assert (adamw["lr"], adamw["weight_decay"]) == (1e-3, 1e-2)
    sgd = optim.SGD(w, lr=0.1).param_groups[0]
    assert (sgd["momentum"], sgd["nesterov"], sgd["weight_decay"]) == (0.0, False, 0.0)
    rmsprop = optim.RMSprop(w).param_groups[0]
    assert {k: v for k, v in rmsprop.items() if k != "params"} == dict(
        lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0, centered=False)


# ----- shared behaviour --------------------------------------------------------------

EVERY_OPTIMIZER = pytest.mark.parametrize("make", [
    lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9, weight_decay=0.1),
    lambda ps: optim.Adam(ps, lr=0.1, weight_decay=0.1),
    lambda ps: optim.AdamW(ps, lr=0.1),
    lambda ps: optim.RMSprop(ps, lr=0.1, momentum=0.9, centered=True, weight_decay=0.1),
], ids=["sgd", "adam", "adamw", "rmsprop"])


@EVERY_OPTIMIZER
def test_step_is_in_place_skips_none_and_leaves_grads_alone(make):
    a, b = nn.Parameter([1.0, 2.0]), nn.Parameter([3.0])
    a_array = a.data
    opt = make([a, b])
    (a * a).sum().backward()
    grad_before = a.grad.data.copy()
    opt.step()
    assert a.data is a_array and not np.array_equal(a_array, [1.0, 2.0])  # in place
    np.testing.assert_array_equal(a.grad.data, grad_before)  # the gradient is untouched
    np.testing.assert_array_equal(b.data, [3.0])  # no grad: skipped
    assert a.is_leaf and a.requires_grad  # the update was not recorded
    opt.zero_grad()
    assert a.grad is None and b.grad is None


def test_adam_state_starts_at_a_parameters_first_gradient():
    # b gets no gradient on step 1, so its step 2 is its own first step: exactly lr * sign.
    a, b = nn.Parameter([1.0]), nn.Parameter([1.0])
    opt = optim.Adam([a, b], lr=0.1)
    (a * 3.0).sum().backward()
    opt.step()
    opt.zero_grad()
    (b * 3.0).sum().backward()
    opt.step()
    np.testing.assert_allclose(b.data, [1.0 - 0.1 * 3 / (3 + 1e-8)], rtol=1e-15)


@EVERY_OPTIMIZER
def test_each_step_bumps_the_version_of_every_parameter_it_changes(make):
    a, b = nn.Parameter([1.0, 2.0]), nn.Parameter([3.0])
    opt = make([a, b])
    (a * a).sum().backward()
    versions = a._version, b._version
    opt.step()
    opt.step()
    assert (a._version, b._version) == (versions[0] + 2, versions[1])  # b has no grad


@EVERY_OPTIMIZER
def test_a_graph_recorded_before_a_step_raises_at_backward(make):
    # The step changes w in place; a backward through a product that saved the old w
    # must not compute its gradient from the new value.
    w = nn.Parameter([1.0, 2.0])
    opt = make([w])
    (w * w).sum().backward()
    stale = (w * w).sum()  # saves w for its VJP
    opt.step()
    with pytest.raises(RuntimeError, match="changed in place"):
        stale.backward()


@EVERY_OPTIMIZER
def test_a_gradient_of_the_wrong_shape_is_an_error_not_a_broadcast(make):
    w = nn.Parameter([1.0, 2.0, 3.0])
    opt = make([w])
    w.grad = mg.tensor([1.0])
    with pytest.raises(ValueError, match="parameter of shape \\(3,\\) has a gradient of shape"):
        opt.step()
    np.testing.assert_array_equal(w.data, [1.0, 2.0, 3.0])


@EVERY_OPTIMIZER
def test_a_step_that_fails_part_way_still_records_what_it_changed(make):
    """The first parameter is updated before the second's bad gradient stops the step: a
    graph that saved the first must still raise, and grad mode must be back on."""
    a, b = nn.Parameter([1.0, 2.0]), nn.Parameter([3.0, 4.0])
    opt = make([a, b])
    ((a * a).sum() + (b * b).sum()).backward()
    stale = (a * a).sum()
    b.grad = mg.tensor([1.0])
    with pytest.raises(ValueError, match="gradient of shape"):
        opt.step()
    assert mg.is_grad_enabled()
    assert not np.array_equal(a.data, [1.0, 2.0])  # a was updated
    with pytest.raises(RuntimeError, match="changed in place"):
        stale.backward()


def test_float32_parameters_stay_float32():
    for make in (lambda p: optim.SGD(p, lr=0.1, momentum=0.9), lambda p: optim.AdamW(p),
                 lambda p: optim.RMSprop(p, momentum=0.9, centered=True)):
        w = nn.Parameter(np.ones(3, np.float32))
        opt = make([w])
        for _ in range(2):
            (w * w).sum().backward()
            opt.step()
        assert w.dtype == np.float32


def test_bad_arguments_raise_clear_errors():
    w = nn.Parameter([1.0])
    with pytest.raises(ValueError, match="SGD got an empty parameter list"):
        optim.SGD([], lr=0.1)
    with pytest.raises(ValueError, match="Adam got an empty parameter list"):
        optim.Adam(nn.ReLU().parameters())
    for lr in (-0.1, float("nan"), float("inf"), "0.1", None):
        with pytest.raises(ValueError, match="lr must be"):
            optim.SGD([w], lr=lr)
    with pytest.raises(ValueError, match="nesterov=True needs momentum > 0"):
        optim.SGD([w], lr=0.1, nesterov=True)
    with pytest.raises(ValueError, match="beta2 must be in \\[0.0, 1.0\\)"):
        optim.Adam([w], betas=(0.9, 1.0))
    with pytest.raises(ValueError, match="weight_decay must be"):
        optim.AdamW([w], weight_decay=-1)
    with pytest.raises(TypeError, match="not a single Tensor"):
        optim.SGD(w, lr=0.1)
    with pytest.raises(TypeError, match="can only optimize floating Tensors"):
        optim.SGD([np.ones(2)], lr=0.1)
    with pytest.raises(TypeError, match="can only optimize leaf tensors.*'multiply'"):
        optim.SGD([w * 2.0], lr=0.1)
    with pytest.raises(ValueError, match="alpha must be in \\[0.0, 1.0\\]"):
        optim.RMSprop([w], alpha=1.5)
    with pytest.raises(ValueError, match="RMSprop: momentum must be"):
        optim.RMSprop([w], momentum=-0.1)


def test_duplicate_parameters_are_updated_once():
    w = nn.Parameter([1.0])
    opt = optim.SGD(iter([w, w]), lr=0.5)
    (w * 1.0).sum().backward()
    opt.step()
    np.testing.assert_array_equal(w.data, [0.5])


def test_closure_recomputes_the_loss():
    w = nn.Parameter([3.0])
    opt = optim.SGD([w], lr=0.25)

    def closure():
        opt.zero_grad()
        loss = (w * w).sum()
        loss.backward()
        return loss
    assert opt.step(closure).item() == 9.0
    np.testing.assert_array_equal(w.data, [1.5])  # 3 - 0.25 * 6


@pytest.mark.parametrize("make", [
    lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9),
    lambda ps: optim.Adam(ps, lr=0.05),
    lambda ps: optim.RMSprop(ps, lr=0.01, momentum=0.5),
], ids=["sgd", "adam", "rmsprop"])
def test_training_a_linear_model_fits_the_data(make):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((64, 3))
    y = x @ np.array([[1.0], [-2.0], [0.5]]) + 0.3
    model = nn.Linear(3, 1, rng=1)
    opt, loss_fn = make(model.parameters()), nn.MSELoss()
    for _ in range(300):
        opt.zero_grad()
        loss = loss_fn(model(mg.tensor(x)), mg.tensor(y))
        loss.backward()
        opt.step()
    assert loss.item() < 1e-6
    np.testing.assert_allclose(model.weight.data, [[1.0, -2.0, 0.5]], atol=1e-3)
