"""Testing the tester: planted wrong rules must be caught, and the error must say where.

Each planted op computes sin(x) with one rule off by 0.1% (or by a shape, a dtype, or a
missing second-order path). A correct twin must pass, so the checker is not just failing
everything.
"""
import re

import numpy as np
import pytest

import minigrad as mg
from minigrad.primitive import array_namespace, array_of
from minigrad.testing import GradcheckError, check_op, gradcheck

WRONG = 1.001  # a 0.1% error
TIGHT = dict(atol=1e-7, rtol=1e-5)  # what the op table uses; well below 0.1%


class Sine(mg.Primitive):
    """The correct op: z = sin(x); jvp z_dot = cos(x) x_dot; vjp x_bar = cos(x) z_bar."""
    name = "sine"
    vjp_factor = jvp_factor = 1.0

    def forward(self, x):
        return np.sin(x)

    def vjp(self, z_bar, z, x):
        return z_bar * array_namespace(z_bar).cos(x) * self.vjp_factor

    def jvp(self, x_dot, z, x):
        return x_dot * np.cos(x) * self.jvp_factor


class WrongVJP(Sine):
    vjp_factor = WRONG


class WrongJVP(Sine):
    jvp_factor = WRONG


class WrongBoth(Sine):
    """Consistently wrong: the adjoint identity holds, only differences can catch it."""
    vjp_factor = jvp_factor = WRONG


class ConstantCosine(Sine):
    """First order right, but cos(x) is taken off the graph, so d(vjp)/dx is lost."""

    def vjp(self, z_bar, z, x):
        return z_bar * np.cos(array_of(x))


class WrongShape(Sine):
    def vjp(self, z_bar, z, x):
        return (z_bar * np.cos(x)).sum()


class WrongDtype(Sine):
    def vjp(self, z_bar, z, x):
        return (z_bar * np.cos(x)).astype(np.float64)


class WrongTangentShape(Sine):
    def jvp(self, x_dot, z, x):
        return (x_dot * np.cos(x)).reshape(-1)


X = np.array([0.3, -1.2, 2.0])  # |cos| is largest at 0.3, so that is the worst element


def _values(message):
    """The analytic and numeric values quoted in a gradcheck message."""
    match = re.search(r"analytic (\S+) vs numeric (\S+)", message)
    assert match, message
    return float(match.group(1)), float(match.group(2))


def test_correct_op_passes_at_tight_tolerances():
    assert check_op(Sine(), X, **TIGHT)
    assert gradcheck(lambda x: Sine()(x), X, **TIGHT)


@pytest.mark.parametrize("planted, mode", [(WrongVJP, "reverse mode (VJP)"),
                                           (WrongJVP, "forward mode (JVP)")])
def test_gradcheck_catches_a_rule_wrong_by_a_tenth_of_a_percent(planted, mode):
    with pytest.raises(GradcheckError) as info:
        gradcheck(lambda x: planted()(x), X, **TIGHT)
    message = str(info.value)
    assert mode in message
    assert "input 0" in message and "input0[0]" in message  # the input and the worst element
    analytic, numeric = _values(message)
    assert numeric == pytest.approx(np.cos(X[0]), rel=1e-8)
    assert analytic == pytest.approx(WRONG * np.cos(X[0]), rel=1e-8)
    assert "Likely cause: the analytic derivative is the numeric one times 1.001" in message


@pytest.mark.parametrize("planted", [WrongVJP, WrongJVP])
def test_check_op_catches_one_wrong_rule_by_the_adjoint_identity(planted):
    with pytest.raises(GradcheckError, match="adjoint identity fails") as info:
        check_op(planted(), X)  # default tolerances: the identity is exact to rounding
    assert info.value.args[0].startswith("sine: ")  # names the op


def test_check_op_catches_consistently_wrong_rules_by_differences():
    with pytest.raises(GradcheckError) as info:
        check_op(WrongBoth(), X, **TIGHT)
    message = str(info.value)
    assert message.startswith("sine: gradcheck failed in reverse mode (VJP) for input 0")
    analytic, numeric = _values(message)
    assert analytic / numeric == pytest.approx(WRONG, rel=1e-6)


def test_random_projections_catch_a_planted_error_on_a_large_input():
    x = np.random.default_rng(1).uniform(-2, 2, size=(10, 10))  # > 64 elements
    assert gradcheck(lambda t: Sine()(t), x, **TIGHT)
    for planted, mode in ((WrongVJP, "reverse"), (WrongJVP, "forward")):
        with pytest.raises(GradcheckError, match=f"{mode} mode") as info:
            gradcheck(lambda t: planted()(t), x, **TIGHT)
        assert "projection <u, J v>" in str(info.value)
        analytic, numeric = _values(str(info.value))
        assert analytic / numeric == pytest.approx(WRONG, rel=1e-5)


def test_second_order_check_catches_a_rule_that_create_graph_cannot_differentiate():
    assert check_op(ConstantCosine(), X, second_order=False, **TIGHT)  # first order is right
    with pytest.raises(GradcheckError, match="second order") as info:
        check_op(ConstantCosine(), X, **TIGHT)
    analytic, numeric = _values(str(info.value))
    assert analytic == 0 and numeric != 0


def test_check_op_catches_a_cotangent_of_the_wrong_shape():
    with pytest.raises(GradcheckError, match=r"VJP cotangent for input 0 is \(\) float64, but "
                                             r"the input is \(3,\) float64"):
        check_op(WrongShape(), X)


def test_check_op_catches_a_rule_that_promotes_float32():
    assert check_op(Sine(), X)  # np.cos keeps float32
    with pytest.raises(GradcheckError, match=r"is \(3,\) float64, but the input is \(3,\) float32"):
        check_op(WrongDtype(), X)


def test_check_op_catches_a_tangent_of_the_wrong_shape():
    with pytest.raises(GradcheckError, match=r"JVP tangent is \(3,\) float64, but the output "
                                             r"is \(1, 3\)"):
        check_op(WrongTangentShape(), X.reshape(1, 3))


def test_the_likely_cause_names_a_kink():
    with pytest.raises(GradcheckError) as info:
        gradcheck(mg.relu, np.array([0.0, 1.0]))
    message = str(info.value)
    assert "input0[0]" in message and "input value 0" in message
    analytic, numeric = _values(message)
    assert (analytic, numeric) == (0.0, pytest.approx(0.5))  # relu'(0) = 0 vs the mean slope
    assert "within 1e-4 of 0" in message


def test_the_likely_cause_names_a_dropped_path():
    with pytest.raises(GradcheckError) as info:
        gradcheck(lambda x: x.detach() * 2 + 0 * x, X)  # the 2 x path is cut off
    assert "the rule returns zero" in str(info.value)


def test_the_likely_cause_names_a_missing_transpose():
    class Transposed(mg.Primitive):
        """z = A x, with the VJP wrongly applying A instead of A^T."""
        A = np.array([[1.0, 2.0], [3.0, 4.0]])

        def forward(self, x):
            return self.A @ x

        def vjp(self, z_bar, z, x):
            return self.A @ z_bar

        def jvp(self, x_dot, z, x):
            return self.A @ x_dot
    with pytest.raises(GradcheckError, match="transpose is missing"):
        gradcheck(lambda x: Transposed()(x), np.array([1.0, 2.0]))


def test_gradcheck_treats_numbers_and_integer_arrays_as_constants():
    index = np.array([2, 0, 2])
    assert gradcheck(lambda x, i, c: x[i] * c, X, index, 3.0, **TIGHT)


def test_adjoint_identity_tolerates_rounding_noise_of_a_zero_jacobian():
    """Softmax over one class has J = 0, computed as p - 1: both rules return rounding
    noise of order 1e-17 that need not agree. That is not a wrong rule."""
    class ZeroByCancellation(mg.Primitive):
        name = "zero_by_cancellation"

        def forward(self, x):
            return x * 0

        def vjp(self, z_bar, z, x):
            return z_bar * 1e-17

        def jvp(self, x_dot, z, x):
            return x_dot * -2e-17
    assert check_op(ZeroByCancellation(), np.array([[0.3]]), second_order=False)
