"""Public tests of the op-rules assignment: each op checked as minigrad checks its own.

`mg.testing.check_op` tests a primitive's rules four ways: their shapes and dtypes, the
adjoint identity <u, J v> == <J^T u, v> (your VJP against your JVP), both against
central differences, and the VJP rule differentiated again (second order). Its message
names the input, the worst element and a likely cause. Run one task with
`pytest -m task1_3`.
"""
import numpy as np
import pytest

import minigrad as mg
from minigrad.ops.arithmetic import Divide, Multiply
from minigrad.ops.broadcasting import BroadcastTo
from minigrad.ops.elementwise import Exp, Log, Tanh
from minigrad.ops.linalg import MatMul
from minigrad.ops.reductions import Sum


def draw(*shape, seed=0, positive=False):
    x = np.random.default_rng(seed).standard_normal(shape)
    return np.abs(x) + 0.5 if positive else x


@pytest.mark.task1_1
def test_multiply():
    assert mg.testing.check_op(Multiply(), draw(3, 4, seed=1), draw(3, 4, seed=2))


@pytest.mark.task1_1
def test_multiply_gradient_by_hand():
    x, y = mg.tensor([2.0, -1.0], requires_grad=True), mg.tensor([3.0, 5.0], requires_grad=True)
    (x * y).sum().backward()
    np.testing.assert_allclose(x.grad.data, [3.0, 5.0])
    np.testing.assert_allclose(y.grad.data, [2.0, -1.0])


@pytest.mark.task1_2
def test_divide():
    assert mg.testing.check_op(Divide(), draw(3, 4, seed=3), draw(3, 4, seed=4, positive=True))


@pytest.mark.task1_3
def test_exp():
    assert mg.testing.check_op(Exp(), draw(3, 4, seed=5))


@pytest.mark.task1_4
def test_log():
    assert mg.testing.check_op(Log(), draw(3, 4, seed=6, positive=True))


@pytest.mark.task1_5
def test_tanh():
    assert mg.testing.check_op(Tanh(), draw(3, 4, seed=7))


@pytest.mark.task1_6
@pytest.mark.parametrize("axes, keepdims", [((1,), False), ((0, 2), True), ((0, 1, 2), False)])
def test_sum(axes, keepdims):
    assert mg.testing.check_op(Sum(axes, keepdims), draw(2, 3, 4, seed=8))


@pytest.mark.task1_7
@pytest.mark.parametrize("shape_in, shape_out", [((3,), (4, 3)), ((3, 1), (2, 3, 4))])
def test_broadcast_to(shape_in, shape_out):
    assert mg.testing.check_op(BroadcastTo(shape_out), draw(*shape_in, seed=9))


@pytest.mark.task1_7
def test_broadcast_operand_gets_summed_gradient():
    col = mg.tensor(np.arange(3.0).reshape(3, 1), requires_grad=True)
    (col * mg.ones(3, 4)).sum().backward()
    np.testing.assert_array_equal(col.grad.data, np.full((3, 1), 4.0))


@pytest.mark.task1_8
@pytest.mark.parametrize("a, b", [((3, 4), (4, 5)), ((2, 3, 4), (2, 4, 5))])
def test_matmul(a, b):
    assert mg.testing.check_op(MatMul(), draw(*a, seed=10), draw(*b, seed=11))
