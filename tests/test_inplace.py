"""In-place changes: operators and methods that keep the object, version counters, and the
backward that refuses to read a value changed after it was recorded (on both engines)."""
import numpy as np
import pytest

import minigrad as mg

pytestmark = pytest.mark.usefixtures("each_engine")


def weights(values=(1.0, -2.0, 3.0)):
    return mg.tensor(list(values), requires_grad=True)


# ----- the operators and methods --------------------------------------------------------
@pytest.mark.parametrize("update, expected", [
    (lambda t: t.__iadd__(2.0), [3.0, 4.0]), (lambda t: t.__isub__(mg.tensor([1.0, 1.0])), [0.0, 1.0]),
    (lambda t: t.__imul__(np.array([2.0, 3.0])), [2.0, 6.0]), (lambda t: t.__itruediv__(4.0), [0.25, 0.5]),
    (lambda t: t.zero_(), [0.0, 0.0]), (lambda t: t.fill_(7.5), [7.5, 7.5]),
    (lambda t: t.copy_(np.array([9.0, 8.0])), [9.0, 8.0]), (lambda t: t.clamp_(1.5, 1.8), [1.5, 1.8]),
])
def test_in_place_updates_keep_the_object_and_bump_the_version(update, expected):
    t = mg.tensor([1.0, 2.0])
    data, version = t.data, t._version
    assert update(t) is t
    assert t.data is data  # the same memory: every alias sees the change
    np.testing.assert_array_equal(t.data, expected)
    assert t._version == version + 1


def test_augmented_assignment_rebinds_to_the_same_tensor():
    t = mg.tensor([1.0, 2.0])
    alias = t
    t += 1.0
    t *= 2.0
    t -= mg.tensor([1.0, 1.0])
    t /= 2.0
    assert alias is t and t._version == 4
    np.testing.assert_array_equal(alias.data, [1.5, 2.5])
    m = mg.tensor(np.eye(2))
    m @= mg.tensor([[1.0, 2.0], [3.0, 4.0]])
    np.testing.assert_array_equal(m.data, [[1.0, 2.0], [3.0, 4.0]])


def test_random_fills_draw_from_the_generator_and_the_default_one():
    t = mg.zeros(1000)
    t.uniform_(-2.0, 3.0, rng=0)
    assert -2.0 <= t.data.min() and t.data.max() < 3.0 and abs(t.data.mean() - 0.5) < 0.1
    t.normal_(1.0, 0.5, rng=0)
    assert abs(t.data.mean() - 1.0) < 0.05 and abs(t.data.std() - 0.5) < 0.05
    mg.manual_seed(3)
    a = mg.zeros(5).normal_().data.copy()
    mg.manual_seed(3)
    np.testing.assert_array_equal(mg.zeros(5).normal_().data, a)


def test_setitem_writes_in_place():
    t = mg.zeros(4)
    t[1] = 5.0
    t[mg.tensor([2, 3])] = mg.tensor([6.0, 7.0])
    t[t.data > 6.5] = -1.0
    np.testing.assert_array_equal(t.data, [0.0, 5.0, 6.0, -1.0])
    assert t._version == 3


def test_a_view_and_a_detached_tensor_share_the_version_of_their_memory():
    t = mg.tensor([1.0, 2.0, 3.0])
    view, detached = t[1:], t.detach()
    detached += 1.0
    assert t._version == view._version == detached._version == 1
    np.testing.assert_array_equal(view.data, [3.0, 4.0])


# ----- what in-place refuses ------------------------------------------------------------
def test_in_place_on_a_leaf_that_requires_grad_raises_under_grad_mode():
    w = weights()
    with pytest.raises(RuntimeError, match=r"x -= y: a leaf tensor that requires grad \(shape "
                                           r"\(3,\), dtype float64\).*mg.no_grad"):
        w -= 1.0
    with pytest.raises(RuntimeError, match="zero_: a leaf tensor that requires grad"):
        w.zero_()
    with mg.no_grad():
        w -= 1.0  # the update that optimizers make
    np.testing.assert_array_equal(w.data, [0.0, -3.0, 2.0])


def test_in_place_that_would_need_recording_says_what_to_write():
    w = weights()
    h = w * 2.0
    with pytest.raises(RuntimeError, match=r"computed by a recorded op \('multiply'\).*x = x \+ y"):
        h += 1.0
    buffer = mg.zeros(3)
    with pytest.raises(RuntimeError, match="the operand requires grad"):
        buffer += w
    with pytest.raises(RuntimeError, match="the operand requires grad"):
        buffer[0] = w[0]


def test_in_place_errors_for_dtype_shape_and_read_only_memory():
    i = mg.tensor([1, 2])
    with pytest.raises(TypeError, match="int64 tensor and float64 cannot be stored back"):
        i += 0.5
    with pytest.raises(ValueError, match=r"shape \(2, 2\) does not broadcast to the tensor's "
                                         r"shape \(2,\)"):
        mg.zeros(2).__iadd__(np.ones((2, 2)))
    with pytest.raises(ValueError, match="read-only"):
        mg.broadcast_to(mg.zeros(1), (3,)).fill_(1.0)
    with pytest.raises(ValueError, match="x @= y: the product has shape"):
        mg.ones((2, 3)).__imatmul__(mg.ones((3, 4)))


# ----- the version check at backward ----------------------------------------------------
def test_an_optimizer_step_between_forward_and_backward_raises():
    """Silently wrong before: the gradient came from the updated weights."""
    w = weights()
    opt = mg.optim.SGD([w], lr=0.1)
    loss = (w * w).sum()
    loss.backward(retain_graph=True)
    opt.step()
    with pytest.raises(RuntimeError) as info:
        loss.backward()
    message = str(info.value)
    for part in ("changed in place after it was recorded", "a leaf, shape (3,), dtype float64",
                 "input 0 of 'multiply'", "optimizer.step() after loss.backward()", "clone()"):
        assert part in message, part


def test_a_change_under_no_grad_between_forward_and_backward_raises():
    w = weights()
    y = mg.exp(w)            # exp's rules read its output
    loss = (y * 3.0).sum()
    with mg.no_grad():
        y *= 2.0
    with pytest.raises(RuntimeError, match=r"the output of 'exp'.*is its output of 'exp'"):
        loss.backward()
    assert w.grad is None    # a sweep that fails changes no gradient


def test_values_the_rules_do_not_read_may_change():
    """As PyTorch, only what was saved is checked: add reads neither input."""
    w = weights()
    c = mg.tensor([1.0, 1.0, 1.0])
    loss = ((w + c) * 2.0).sum()
    c += 5.0
    loss.backward()
    np.testing.assert_array_equal(w.grad.data, [2.0, 2.0, 2.0])


def test_a_change_through_a_detached_alias_is_caught_too():
    w = weights()
    loss = (w * w).sum()
    alias = w.detach()
    alias += 1.0
    with pytest.raises(RuntimeError, match="changed in place"):
        loss.backward()


def test_dot_data_bypasses_the_check_as_in_pytorch():
    w = weights()
    loss = (w * w).sum()
    w.data += 1.0           # the raw array: not tracked
    loss.backward()
    np.testing.assert_array_equal(w.grad.data, 2 * w.data)


def test_step_after_backward_is_the_training_loop_and_never_raises():
    w = weights()
    opt = mg.optim.Adam([w], lr=0.1)
    for _ in range(3):
        opt.zero_grad()
        (w * w).sum().backward()
        opt.step()
    assert w._version == 3 and np.abs(w.data).max() < 3.0


# ----- update loops that used to do nothing ---------------------------------------------
def _regression_data():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((64, 3))
    return x, x @ np.array([1.5, -2.0, 0.5]) + 0.3


def test_the_pytorch_tutorial_update_loop_trains():
    """`p -= lr * p.grad` under no_grad: before, Python rebound p and nothing changed."""
    x, y = _regression_data()
    model = mg.nn.Linear(3, 1, rng=0)
    losses = []
    for _ in range(200):
        loss = ((model(x)[:, 0] - y) ** 2).mean()
        losses.append(loss.item())
        model.zero_grad()
        loss.backward()
        with mg.no_grad():
            for p in model.parameters():
                p -= 0.1 * p.grad
    assert losses[-1] < 1e-6 * losses[0]
    np.testing.assert_allclose(model.weight.data[0], [1.5, -2.0, 0.5], atol=1e-4)


def test_the_micrograd_update_loop_trains():
    """micrograd's `p.data += -lr * p.grad`: an ndarray updated by a tensor, in place."""
    x, y = _regression_data()
    w = mg.tensor(np.zeros(3), requires_grad=True)
    b = mg.tensor(0.0, requires_grad=True)
    for _ in range(200):
        loss = ((x @ w + b - y) ** 2).mean()
        w.grad = b.grad = None
        loss.backward()
        for p in (w, b):
            p.data += -0.1 * p.grad
    np.testing.assert_allclose(w.data, [1.5, -2.0, 0.5], atol=1e-4)
    assert b.item() == pytest.approx(0.3, abs=1e-4)


def test_training_never_writes_into_the_callers_array():
    """Silently wrong before: mg.tensor shared the array, so W0 changed with the model."""
    W0 = np.ones((2, 2))
    w = mg.tensor(W0, requires_grad=True)
    (w * w).sum().backward()
    mg.optim.SGD([w], lr=0.5).step()
    np.testing.assert_array_equal(W0, np.ones((2, 2)))
    np.testing.assert_array_equal(w.data, np.zeros((2, 2)))
    shared = np.zeros(2)
    mg.from_numpy(shared).fill_(4.0)
    mg.as_tensor(shared).data[0] = 1.0
    np.testing.assert_array_equal(shared, [1.0, 4.0])  # these two share, on purpose
    with pytest.raises(TypeError, match="from_numpy expects an np.ndarray"):
        mg.from_numpy([1.0])
