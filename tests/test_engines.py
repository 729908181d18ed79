"""The two engines: selecting one (use_engine, MINIGRAD_ENGINE), the same gradients from
both on real networks, the reference readable as a script, and which rules get checked."""
import os
import subprocess
import sys

import numpy as np
import pytest

import minigrad as mg
from minigrad import engines, nn
from minigrad.ops import PRIMITIVES, Multiply
from minigrad.primitive import Primitive, trust_rules

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _digits_batch(images):
    X, y = mg.datasets.load_digits(images=images)
    return X[:64] / 16.0, y[:64]


def _mlp():
    return nn.Sequential(nn.Linear(64, 32, rng=0), nn.ReLU(), nn.Linear(32, 10, rng=1))


def _cnn():
    return nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1, rng=0), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(4, 8, 3, padding=1, rng=1), nn.Tanh(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(8 * 2 * 2, 10, rng=2))


def _gradients(make_model, images, engine):
    X, y = _digits_batch(images)
    model = make_model()
    with mg.use_engine(engine):
        nn.F.cross_entropy(model(X), y).backward()
    return {name: p.grad.data for name, p in model.named_parameters()}


@pytest.mark.parametrize("make_model, images", [(_mlp, False), (_cnn, True)],
                         ids=["digits MLP", "digits CNN"])
def test_both_engines_give_identical_gradients_on_the_digits(make_model, images):
    fast = _gradients(make_model, images, "fast")
    reference = _gradients(make_model, images, "reference")
    assert fast.keys() == reference.keys() and len(fast) >= 4
    for name in fast:
        np.testing.assert_array_equal(fast[name], reference[name], err_msg=name)
        assert np.abs(fast[name]).max() > 0, name  # a real gradient, not zeros on both


def test_use_engine_switches_op_application_and_restores_it():
    fast_call = Primitive.__call__
    with mg.use_engine("reference"):
        assert engines.current_name() == "reference"
        assert Primitive.__call__ is mg.reference.apply
        with mg.use_engine("fast"):
            assert Primitive.__call__ is fast_call
        assert Primitive.__call__ is mg.reference.apply
    assert engines.current_name() == "fast" and Primitive.__call__ is fast_call


def test_use_engine_works_as_a_decorator_and_refuses_unknown_names():
    @mg.use_engine("reference")
    def which():
        return engines.current_name()
    assert which() == "reference" and engines.current_name() == "fast"
    with pytest.raises(ValueError, match="unknown engine 'slow'; choose 'fast' or 'reference'"):
        mg.use_engine("slow")


def test_the_environment_variable_selects_the_engine_for_a_process():
    code = ("import minigrad as mg; from minigrad import engines; "
            "x = mg.tensor([3.0], requires_grad=True); (x * x).sum().backward(); "
            "print(engines.current_name(), x.grad.item())")
    env = dict(os.environ, MINIGRAD_ENGINE="reference")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                         text=True, check=True).stdout.split()
    assert out == ["reference", "6.0"]
    env["MINIGRAD_ENGINE"] = "turbo"
    failed = subprocess.run([sys.executable, "-c", "import minigrad"], env=env,
                            capture_output=True, text=True)
    assert failed.returncode != 0 and "MINIGRAD_ENGINE: unknown engine 'turbo'" in failed.stderr


def test_python_dash_m_reference_shows_a_student_where_to_start():
    out = subprocess.run([sys.executable, "-m", "minigrad.reference"], capture_output=True,
                         text=True, check=True, cwd=ROOT).stdout
    assert "The reference engine" in out and "reference.py" in out


def test_topological_order_lists_each_tensor_after_its_inputs():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    a = x * 2.0
    b = mg.exp(a)
    c = a + b          # a diamond: a reaches c directly and through b
    d = c * c          # fan-out
    order = mg.reference.topological_order(d)
    assert set(map(id, order)) == {id(a), id(b), id(c), id(d)}
    position = {id(t): i for i, t in enumerate(order)}
    for t in order:
        for x_in in t._inputs:
            if isinstance(x_in, mg.Tensor) and x_in._entry is not None:
                assert position[id(x_in)] < position[id(t)]


class _StudentMultiply(Multiply):
    """A student's rule inside minigrad/ops would be a new class: it must be checked."""

    def vjp(self, z_bar, z, x, y):
        return z_bar * y  # forgot the second input's cotangent


def test_the_registry_decides_which_rules_run_unchecked():
    assert all(cls._sweep_vjp is cls.vjp for cls in PRIMITIVES)
    assert _StudentMultiply._sweep_vjp is Primitive.checked_vjp
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    y = mg.tensor([3.0, 4.0], requires_grad=True)
    for engine in ("fast", "reference"):
        with mg.use_engine(engine):
            with pytest.raises(RuntimeError, match="returned 1 cotangent for 2 inputs"):
                _StudentMultiply()(x, y).sum().backward()


def test_trust_rules_is_explicit():
    class Scale(Primitive):
        def forward(self, x):
            return 2 * x

        def vjp(self, z_bar, z, x):
            return 2 * z_bar

        def jvp(self, x_dot, z, x):
            return 2 * x_dot
    assert Scale._sweep_vjp is Primitive.checked_vjp
    trust_rules([Scale])
    assert Scale._sweep_vjp is Scale.vjp
