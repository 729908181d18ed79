"""Memory: backward releases saved arrays, the graph holds no reference cycles (tensors
die by reference counting alone, checked with the cyclic collector off), and a released
graph refuses a second backward with an error that says what to do."""
import gc
import weakref

import numpy as np
import pytest

import minigrad as mg

pytestmark = pytest.mark.usefixtures("each_engine")  # every test, on both engines


@pytest.fixture
def no_gc():
    """Turn the cyclic collector off: anything freed below is freed by refcounting."""
    gc.collect()
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _mlp_step(w1, w2, x):
    """A two-layer forward pass; returns the loss and weakrefs to its activations."""
    h = x @ w1
    a = mg.tanh(h)
    out = a @ w2
    loss = (out * out).mean()
    refs = [weakref.ref(t) for t in (h, a, out)] + [weakref.ref(t.data) for t in (h, a, out)]
    return loss, refs


def test_backward_releases_activations_even_while_the_loss_is_kept(no_gc):
    w1 = mg.randn(8, 16, rng=0, requires_grad=True)
    w2 = mg.randn(16, 1, rng=1, requires_grad=True)
    x = mg.randn(32, 8, rng=2)
    loss, refs = _mlp_step(w1, w2, x)
    assert all(r() is not None for r in refs)  # the graph keeps them before backward
    loss.backward()
    assert all(r() is None for r in refs)
    assert loss.item() > 0 and w1.grad.shape == (8, 16)


def test_training_loop_keeping_every_loss_does_not_keep_activations(no_gc):
    w1 = mg.randn(8, 16, rng=0, requires_grad=True)
    w2 = mg.randn(16, 1, rng=1, requires_grad=True)
    losses, all_refs = [], []
    for step in range(5):
        loss, refs = _mlp_step(w1, w2, mg.randn(32, 8, rng=10 + step))
        loss.backward()
        with mg.no_grad():
            w1.data -= 0.01 * w1.grad.data
            w2.data -= 0.01 * w2.grad.data
        w1.grad = w2.grad = None
        losses.append(loss)
        all_refs += refs
    assert all(r() is None for r in all_refs)
    assert len(losses) == 5 and all(np.isfinite(l.item()) for l in losses)


def test_retain_graph_keeps_activations_until_the_loss_dies(no_gc):
    w1 = mg.randn(8, 16, rng=0, requires_grad=True)
    w2 = mg.randn(16, 1, rng=1, requires_grad=True)
    loss, refs = _mlp_step(w1, w2, mg.randn(32, 8, rng=2))
    loss.backward(retain_graph=True)
    assert all(r() is not None for r in refs)
    del loss
    assert all(r() is None for r in refs)


def test_graph_without_backward_is_freed_by_refcounting(no_gc):
    x = mg.randn(4, 3, rng=0, requires_grad=True)
    h = mg.exp(x)
    fan = h * h + h  # fan-out and a diamond
    loss = fan.sum()
    refs = [weakref.ref(t) for t in (h, fan, loss)]
    del h, fan, loss
    assert all(r() is None for r in refs)
    assert x.grad is None


def test_no_cycles_garbage_collector_finds_nothing():
    gc.collect()
    gc.disable()
    try:
        x = mg.randn(5, rng=0, requires_grad=True)
        for _ in range(3):
            y = mg.sin(x) * x
            (y.sum() + (y * y).mean()).backward()
            z = mg.tanh(x) @ x  # never differentiated
        del y, z
        found = gc.collect()
    finally:
        gc.enable()
    assert found == 0


def test_deep_graph_is_freed_without_backward_and_without_crashing(no_gc):
    x = mg.tensor(0.5, requires_grad=True)
    first = mg.sin(x)
    ref = weakref.ref(first)
    y = first
    del first
    for _ in range(200_000):
        y = y * 1.0  # 2 * 10^5 entries, each holding the previous tensor
    assert ref() is not None
    del y  # 2 * 10^5 nested deallocations: must not overflow the C stack
    assert ref() is None


def test_second_backward_through_released_graph_says_retain_graph():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    y = (mg.exp(x) * x).sum()
    y.backward()
    before = x.grad.data.copy()
    with pytest.raises(RuntimeError, match=r"retain_graph=True"):
        y.backward()
    np.testing.assert_array_equal(x.grad.data, before)  # nothing half-accumulated


def test_backward_through_a_graph_released_by_another_loss_raises():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    w = mg.tensor([3.0, 4.0], requires_grad=True)
    shared = mg.sin(x)
    loss1, loss2 = shared.sum(), (shared * w).sum()
    loss1.backward()  # releases the sin entry that loss2 also needs
    x_grad = x.grad.data.copy()
    with pytest.raises(RuntimeError, match=r"released.*sin.*retain_graph=True"):
        loss2.backward()
    # The sweep failed part-way, after w's cotangent was computed: leaves get their
    # gradients only when a sweep completes, so neither leaf is half-updated.
    assert w.grad is None
    np.testing.assert_array_equal(x.grad.data, x_grad)


def test_grad_transform_keeps_nothing_alive(no_gc):
    refs = []

    def f(x):
        h = mg.tanh(x)
        refs.append(weakref.ref(h))
        return (h * h).sum()

    g = mg.grad(f)(mg.tensor([0.5, -1.0]))
    t = np.tanh([0.5, -1.0])
    np.testing.assert_allclose(g.data, 2 * t * (1 - t ** 2), rtol=1e-14)
    assert refs and refs[0]() is None


def test_closing_a_tape_then_dropping_it_frees_its_outputs(no_gc):
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    with mg.Tape() as tape:
        h = mg.exp(x)
        y = h.sum()
    ref = weakref.ref(h)
    del h, y
    assert ref() is not None  # the tape keeps what it recorded
    del tape
    assert ref() is None
