"""Public tests of the reverse-mode assignment, on the reference engine you are writing.

Every test runs under `mg.use_engine("reference")`, so backward() and the transforms use
minigrad/reference.py. Run one task with `pytest -m task2_1`.
"""
import numpy as np
import pytest

import minigrad as mg
from minigrad import reference


@pytest.fixture(autouse=True)
def reference_engine():
    with mg.use_engine("reference"):
        yield


def leaf(values):
    return mg.tensor(np.array(values, dtype=float), requires_grad=True)


@pytest.mark.task2_1
def test_order_lists_each_recorded_tensor_once_after_its_inputs():
    x = leaf([0.5, -1.0])
    a = x * 3.0
    b = mg.sin(mg.log(mg.exp(a)))
    target = (a * b).sum()
    order = reference.topological_order(target)
    assert len(order) == len({id(t) for t in order}) == 6  # a, exp, log, sin, a * b, sum
    position = {id(t): i for i, t in enumerate(order)}
    for t in order:
        for x_in in t._inputs:
            if id(x_in) in position:
                assert position[id(x_in)] < position[id(t)]
    assert order[-1] is target


@pytest.mark.task2_1
def test_order_of_a_long_chain_needs_no_recursion():
    y = x = leaf(1.0)
    for _ in range(20_000):
        y = y * 1.0001
    assert len(reference.topological_order(y)) == 20_000


@pytest.mark.task2_2
def test_fan_out_adds_both_uses():
    x = leaf([1.5, -2.0])
    (x * x).sum().backward()
    np.testing.assert_allclose(x.grad.data, 2 * x.data)


@pytest.mark.task2_2
def test_diamond():
    x = leaf([0.1, 0.7])
    h = x * 2.0
    (mg.sin(h) * mg.cos(h)).sum().backward()  # sin(4x) / 2
    np.testing.assert_allclose(x.grad.data, 2 * np.cos(4 * x.data), rtol=1e-12)


@pytest.mark.task2_2
def test_gradients_accumulate_and_the_graph_is_freed():
    x = leaf([1.0, 2.0])
    y = (x * x).sum()
    y.backward()
    with pytest.raises(RuntimeError):
        y.backward()  # its saved arrays were released
    (x * 3.0).sum().backward()
    np.testing.assert_allclose(x.grad.data, 2 * x.data + 3.0)


@pytest.mark.task2_2
def test_second_derivative_through_create_graph():
    x = mg.tensor([0.3, 1.1])
    second = mg.grad(lambda x: mg.grad(lambda x: (x ** 3).sum())(x).sum())(x)
    np.testing.assert_allclose(second.data, 6 * x.data)
