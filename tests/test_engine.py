"""The reverse-mode engine on graphs whose shape is the point: fan-out, diamonds, unused
inputs, constants, accumulation, retain_graph, no_grad, detach, deep chains."""
import sys

import numpy as np
import pytest
from hypothesis import given, strategies as st

import minigrad as mg

pytestmark = pytest.mark.usefixtures("each_engine")  # every test, on both engines


def leaf(values, dtype=np.float64):
    return mg.tensor(np.array(values, dtype=dtype), requires_grad=True)


# ----- graph shapes -------------------------------------------------------------------
def test_fan_out_x_times_x_counts_both_uses():
    x = leaf([1.5, -2.0, 0.25])
    (x * x).sum().backward()
    np.testing.assert_array_equal(x.grad.data, 2 * x.data)


def test_fan_out_to_many_consumers_sums_every_path():
    x = leaf([0.3, -1.2])
    a, b = 2.0, -5.0
    (x * a + x * b + mg.exp(x) + x).sum().backward()
    np.testing.assert_allclose(x.grad.data, a + b + np.exp(x.data) + 1, rtol=1e-15)


def test_diamond_sums_both_branches():
    x = leaf([0.1, 0.7, -0.4])
    h = x * 2.0
    (mg.sin(h) * mg.cos(h)).sum().backward()  # = sin(4x) / 2
    np.testing.assert_allclose(x.grad.data, 2 * np.cos(4 * x.data), rtol=1e-13)


def test_diamond_with_branches_of_different_lengths():
    # a reaches the product directly and through three more ops: the short branch's
    # cotangent must wait until the long one has been pulled back too.
    x = leaf([0.2, -0.9])
    a = x * 3.0
    b = mg.sin(mg.log(mg.exp(a)))
    (a * b).sum().backward()  # = 3x sin(3x)
    a_ = 3 * x.data
    np.testing.assert_allclose(x.grad.data, 3 * (np.sin(a_) + a_ * np.cos(a_)), rtol=1e-13)


def test_shared_subgraph_used_by_two_losses_adds_up():
    x = leaf([0.5, 1.5])
    h = mg.tanh(x)
    loss1, loss2 = (h * h).sum(), (3.0 * h).sum()
    loss1.backward(retain_graph=True)
    loss2.backward()
    separate = x.grad.data.copy()
    x.grad = None
    h = mg.tanh(x)
    ((h * h).sum() + (3.0 * h).sum()).backward()
    np.testing.assert_allclose(separate, x.grad.data, rtol=1e-15)
    t = np.tanh(x.data)
    np.testing.assert_allclose(separate, (2 * t + 3) * (1 - t ** 2), rtol=1e-14)


def test_broadcast_operand_receives_summed_gradient():
    col = leaf(np.arange(3.0).reshape(3, 1))
    row = leaf(np.arange(4.0).reshape(1, 4))
    (col * row).sum().backward()
    np.testing.assert_array_equal(col.grad.data, np.full((3, 1), 6.0))  # sum of row
    np.testing.assert_array_equal(row.grad.data, np.full((1, 4), 3.0))  # sum of col


def test_unused_input_gets_no_grad_and_used_one_does():
    x, y = leaf([1.0, 2.0]), leaf([3.0, 4.0])
    (x * 2.0).sum().backward()
    assert y.grad is None
    np.testing.assert_array_equal(x.grad.data, [2.0, 2.0])


def test_unused_argument_of_grad_transform_is_zeros():
    gx, gy = mg.grad(lambda x, y: (x ** 2).sum(), argnums=(0, 1))(
        mg.tensor([1.0, -3.0]), mg.tensor([5.0]))
    np.testing.assert_array_equal(gx.data, [2.0, -6.0])
    np.testing.assert_array_equal(gy.data, [0.0])


def test_path_through_an_unrelated_later_op_is_ignored():
    x = leaf([1.0, 2.0])
    h = x * x
    other = mg.exp(h)  # recorded after h, but not on the path to the target
    h.sum().backward()
    np.testing.assert_array_equal(x.grad.data, [2.0, 4.0])
    assert other.requires_grad


def test_constants_get_no_gradient_and_are_not_recorded():
    x = leaf([1.0, 2.0])
    c = mg.tensor([10.0, 20.0])  # requires_grad=False
    arr = np.array([0.5, 0.25])
    y = x * c + arr * x - 3.0
    only_constants = c * arr + 1.0
    assert not only_constants.requires_grad and only_constants.is_leaf
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.data, c.data + arr)
    assert c.grad is None


def test_one_input_primitive_takes_non_tensors_as_constants():
    """Tanh()(x) accepts what mg.tensor accepts: an ndarray keeps its dtype, a list
    takes the default one; the result is a constant, recorded nowhere."""
    from minigrad.ops import Tanh
    from_array = Tanh()(np.array([0.5], dtype=np.float32))
    from_list = Tanh()([0.5, -0.5])
    assert from_array.dtype == np.float32 and from_list.dtype == np.float64
    np.testing.assert_array_equal(from_list.data, np.tanh([0.5, -0.5]))
    assert from_array.is_leaf and not from_list.requires_grad


def test_backward_on_a_leaf_accumulates_the_seed():
    x = leaf([1.0, 2.0])
    x.backward(np.array([3.0, 4.0]))
    np.testing.assert_array_equal(x.grad.data, [3.0, 4.0])


# ----- accumulation -------------------------------------------------------------------
def test_gradients_accumulate_across_backward_calls():
    x = leaf([1.0, -2.0])
    (x ** 2).sum().backward()
    (x * 5.0).sum().backward()
    np.testing.assert_array_equal(x.grad.data, 2 * x.data + 5.0)
    x.grad = None
    (x * 5.0).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [5.0, 5.0])


def test_retain_graph_allows_a_second_backward_that_accumulates():
    x = leaf([1.0, 2.0])
    y = (x ** 3).sum()
    y.backward(retain_graph=True)
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_array_equal(x.grad.data, 3 * 3 * x.data ** 2)


def test_non_leaf_tensors_keep_grad_none():
    x = leaf([1.0, 2.0])
    h = x * 2.0
    (h * h).sum().backward()
    assert h.grad is None and not h.is_leaf
    np.testing.assert_array_equal(x.grad.data, 8 * x.data)


def test_explicit_seed_scales_the_gradient():
    x = leaf([1.0, 2.0, 3.0])
    (x * x).backward(np.array([1.0, 0.0, -2.0]))
    np.testing.assert_array_equal(x.grad.data, [2.0, 0.0, -12.0])


# ----- no_grad, detach, requires_grad, is_leaf -------------------------------------
def test_no_grad_context_records_nothing_and_restores():
    x = leaf([1.0, 2.0])
    assert mg.is_grad_enabled()
    with mg.no_grad():
        assert not mg.is_grad_enabled()
        y = x * 2.0
        with mg.enable_grad():
            assert mg.is_grad_enabled()
            z = x * 2.0
        assert not mg.is_grad_enabled()
    assert mg.is_grad_enabled()
    assert not y.requires_grad and y.is_leaf
    assert z.requires_grad and not z.is_leaf


def test_no_grad_restores_the_mode_after_an_exception():
    with pytest.raises(ZeroDivisionError):
        with mg.no_grad():
            1 / 0
    assert mg.is_grad_enabled()


@pytest.mark.parametrize("decorator", [mg.no_grad(), mg.no_grad], ids=["called", "bare"])
def test_no_grad_as_decorator(decorator):
    @decorator
    def double(t):
        """Doc kept."""
        assert not mg.is_grad_enabled()
        return t * 2.0

    out = double(leaf([1.0]))
    assert not out.requires_grad
    assert double.__name__ == "double" and double.__doc__ == "Doc kept."
    assert mg.is_grad_enabled()


def test_backward_inside_no_grad_still_fills_grad():
    x = leaf([1.0, 2.0])
    y = (x * x).sum()
    with mg.no_grad():
        y.backward()
    np.testing.assert_array_equal(x.grad.data, [2.0, 4.0])


def test_detach_stops_the_gradient_and_shares_data():
    x = leaf([1.0, 3.0])
    d = x.detach()
    assert d.is_leaf and not d.requires_grad and d.grad is None
    assert np.shares_memory(d.data, x.data)
    (x * x.detach()).sum().backward()  # only one factor is differentiated
    np.testing.assert_array_equal(x.grad.data, x.data)


def test_requires_grad_flags_and_is_leaf_follow_pytorch():
    x = mg.tensor([1.0, 2.0])
    assert x.is_leaf and not x.requires_grad
    assert x.requires_grad_() is x and x.requires_grad
    y = x * 2.0
    assert y.requires_grad and not y.is_leaf
    with pytest.raises(RuntimeError, match="detach"):
        y.requires_grad = False
    x.requires_grad = False
    assert not (x * 2.0).requires_grad
    created_in_no_grad = None
    with mg.no_grad():
        created_in_no_grad = mg.tensor([1.0], requires_grad=True)
    assert created_in_no_grad.requires_grad and created_in_no_grad.is_leaf


# ----- create_graph --------------------------------------------------------------------
def test_plain_backward_records_nothing():
    x = leaf([1.0, 2.0])
    y = (mg.sin(x) * x).sum()
    with mg.Tape() as tape:
        y.backward()
    assert len(tape) == 0
    assert not x.grad.requires_grad and x.grad.is_leaf


def test_create_graph_records_the_backward_and_gives_second_derivatives():
    x = leaf([1.0, 2.0])
    y = (x ** 3).sum()
    with mg.Tape() as tape:
        y.backward(create_graph=True)
    assert len(tape) > 0
    assert x.grad.requires_grad and not x.grad.is_leaf
    np.testing.assert_array_equal(x.grad.data, 3 * x.data ** 2)
    first = x.grad
    x.grad = None
    first.sum().backward()
    np.testing.assert_array_equal(x.grad.data, 6 * x.data)


# ----- depth ----------------------------------------------------------------------------
def test_chain_of_200k_ops_runs_without_recursion():
    n_pairs = 100_000  # 2 * 10^5 recorded ops
    c = 1.0 + 2.0 ** -20
    x = mg.tensor(0.5, requires_grad=True)
    y = x
    for _ in range(n_pairs):
        y = y * c + 1.0  # y_n = c^n x + (c^n - 1) / (c - 1)
    limit = sys.getrecursionlimit()
    depth, frame = 0, sys._getframe()
    while frame is not None:
        depth, frame = depth + 1, frame.f_back
    sys.setrecursionlimit(depth + 100)  # far below the chain's depth: recursion would fail
    try:
        y.backward()
    finally:
        sys.setrecursionlimit(limit)
    np.testing.assert_allclose(x.grad.item(), c ** n_pairs, rtol=1e-9)
    np.testing.assert_allclose(y.item(), c ** n_pairs * 0.5 + (c ** n_pairs - 1) / (c - 1),
                               rtol=1e-9)


# ----- random graphs against dual numbers -------------------------------------------
_UNARY = {"sin": (np.sin, np.cos), "tanh": (np.tanh, lambda v: 1 - np.tanh(v) ** 2),
          "exp": (np.exp, np.exp)}


@st.composite
def random_graphs(draw):
    """A random DAG over 3 scalar leaves: each node reads one or two earlier nodes, so
    fan-out, diamonds and unused leaves all occur."""
    steps = []
    for k in range(draw(st.integers(1, 12))):
        available = 3 + k
        kind = draw(st.sampled_from(["add", "mul", "sub", "sin", "tanh", "exp"]))
        i = draw(st.integers(0, available - 1))
        j = draw(st.integers(0, available - 1))
        steps.append((kind, i, j))
    values = draw(st.lists(st.floats(-1.0, 1.0), min_size=3, max_size=3))
    return steps, values


def _dual_eval(steps, values):
    """Value and exact gradient of the last node by forward-mode dual numbers."""
    nodes = [(v, np.eye(3)[i]) for i, v in enumerate(values)]
    for kind, i, j in steps:
        (a, da), (b, db) = nodes[i], nodes[j]
        if kind == "add":
            nodes.append((a + b, da + db))
        elif kind == "sub":
            nodes.append((a - b, da - db))
        elif kind == "mul":
            nodes.append((a * b, da * b + a * db))
        else:
            f, df = _UNARY[kind]
            if kind == "exp":  # exp(clip(a, -3, 3)): clip passes the gradient inside only
                da = da * float(-3 <= a <= 3)
                a = np.clip(a, -3, 3)
            nodes.append((f(a), df(a) * da))
    return nodes[-1]


def _tensor_eval(steps, leaves):
    nodes = list(leaves)
    for kind, i, j in steps:
        a, b = nodes[i], nodes[j]
        if kind == "add":
            nodes.append(a + b)
        elif kind == "sub":
            nodes.append(a - b)
        elif kind == "mul":
            nodes.append(a * b)
        elif kind == "exp":
            nodes.append(mg.exp(mg.clip(a, -3, 3)))
        else:
            nodes.append(getattr(mg, kind)(a))
    return nodes[-1]


@given(random_graphs())
def test_random_graphs_match_dual_number_gradients(graph):
    steps, values = graph
    leaves = [mg.tensor(v, requires_grad=True) for v in values]
    out = _tensor_eval(steps, leaves)
    value, gradient = _dual_eval(steps, values)
    np.testing.assert_allclose(out.item(), value, rtol=1e-12, atol=1e-12)
    out.backward(retain_graph=True)
    got = [0.0 if t.grad is None else t.grad.item() for t in leaves]
    np.testing.assert_allclose(got, gradient, rtol=1e-10, atol=1e-12)
    out.backward()  # retained graph: a second pass doubles every gradient
    doubled = [0.0 if t.grad is None else t.grad.item() for t in leaves]
    np.testing.assert_allclose(doubled, 2 * np.asarray(gradient), rtol=1e-10, atol=1e-12)


def test_leaf_gradients_never_alias_each_other_or_the_seed():
    """backward adopts fresh arrays as .grad without copying, but never one that another
    leaf or the caller already holds: add hands the same cotangent to both inputs."""
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    w = mg.tensor([3.0, 4.0], requires_grad=True)
    seed = np.array([1.0, 1.0])
    (x + w).backward(seed)
    assert not np.shares_memory(x.grad.data, w.grad.data)
    assert not np.shares_memory(x.grad.data, seed) and not np.shares_memory(w.grad.data, seed)
    x.grad.data[0] = 100.0  # an optimizer may update a gradient in place
    np.testing.assert_array_equal(w.grad.data, [1.0, 1.0])
    np.testing.assert_array_equal(seed, [1.0, 1.0])


def test_leaf_gradients_are_row_major_even_from_a_transposed_product():
    """A weight's gradient z_bar^T @ x may come out column-major; .grad is always C-order,
    so an optimizer's in-place update reads contiguous memory."""
    w = mg.tensor(np.ones((3, 4)), requires_grad=True)
    x = mg.tensor(np.arange(8.0).reshape(2, 4))
    (x @ w.T).sum().backward()
    assert w.grad.data.flags.c_contiguous
    np.testing.assert_allclose(w.grad.data, np.tile(x.data.sum(axis=0), (3, 1)))


def test_zero_dimensional_gradients_are_arrays_after_accumulation():
    """NumPy returns scalars from ufuncs on 0-d arrays; .grad must still hold an ndarray."""
    x = mg.tensor(2.0, requires_grad=True)
    (x * x * 3.0).backward()  # x reached twice: two contributions are summed
    assert type(x.grad.data) is np.ndarray and x.grad.shape == ()
    assert x.grad.item() == 12.0
