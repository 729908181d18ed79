"""The op table, run: every spec row is checked for its forward value against NumPy, and
for its derivatives (rule shapes and dtypes, adjoint identity, VJP and JVP against central
differences, second order); every primitive in minigrad must have a row; and the
conventions at kinks hold exactly."""
import copy
import importlib
import pkgutil
import sys
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad as mg
from minigrad.ops import PRIMITIVES
from minigrad.primitive import Variadic
from tests.conftest import ENGINES
from tests.op_specs import ALL_SPECS

SPEC_IDS = [spec.name for spec in ALL_SPECS]


def _tensors(inputs, dtype=None):
    """Float arrays as tensors (optionally cast); numbers and int/bool arrays as they are."""
    out = []
    for x in inputs:
        if isinstance(x, np.ndarray) and x.dtype.kind == "f":
            out.append(mg.tensor(x if dtype is None else x.astype(dtype)))
        else:
            out.append(x)
    return out


def _numpy_inputs(inputs, dtype):
    return [x.astype(dtype) if isinstance(x, np.ndarray) and x.dtype.kind == "f" else x
            for x in inputs]


def _applications(case):
    """(label, callable on tensors) for the primitive and the public function of a case."""
    if case.op is not None:
        yield f"primitive {case.op.op}", lambda *xs: copy.copy(case.op)(*xs)
    if case.fn is not None:
        yield "public function", case.fn


# ----- the table ------------------------------------------------------------------------

def test_spec_names_are_unique():
    assert len(set(SPEC_IDS)) == len(SPEC_IDS), sorted(n for n in SPEC_IDS if SPEC_IDS.count(n) > 1)


@pytest.mark.parametrize("spec", ALL_SPECS, ids=SPEC_IDS)
@settings(max_examples=20)
@given(data=st.data())
def test_forward_matches_numpy(spec, data):
    case = data.draw(spec.cases, label="case")
    if spec.primitive is not None and case.op is not None:
        assert type(case.op) is spec.primitive, "the row's primitive must be the op it applies"
    for dtype in (np.float64, np.float32):
        expected = np.asarray(case.reference(*_numpy_inputs(case.inputs, dtype)))
        rtol = spec.forward_rtol if dtype == np.float64 else 1e-6
        for label, apply in _applications(case):
            out = apply(*_tensors(case.inputs, dtype))
            assert isinstance(out, mg.Tensor), label
            assert out.shape == expected.shape, (label, out.shape, expected.shape)
            assert out.dtype == expected.dtype, (label, dtype, out.dtype, expected.dtype)
            np.testing.assert_allclose(out.data, expected, rtol=rtol, atol=1e-300,
                                       err_msg=label)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("spec", ALL_SPECS, ids=SPEC_IDS)
@settings(max_examples=10)
@given(data=st.data())
def test_derivatives(spec, engine, data):
    """check_op on the primitive (shapes/dtypes, adjoint identity, both modes, second
    order); gradcheck on the public function (both modes, through broadcasting); on
    both engines."""
    case = data.draw(spec.cases, label="case")
    tolerances = dict(eps=spec.eps, atol=spec.atol, rtol=spec.rtol)
    with mg.use_engine(engine):
        if case.op is not None:
            assert mg.testing.check_op(case.op, *case.inputs, second_order=spec.second_order,
                                       **tolerances)
        if case.fn is not None:
            assert mg.testing.gradcheck(case.fn, *case.inputs, **tolerances)


# ----- completeness ---------------------------------------------------------------------

def _import_all_of_minigrad():
    for module in pkgutil.walk_packages(mg.__path__, "minigrad."):
        if not module.name.endswith("__main__"):
            importlib.import_module(module.name)


def _defined_primitives():
    """Every Primitive subclass defined at module level in minigrad (a class defined in a
    doctest or a test is not an op of the library; Variadic is a base class, not an op)."""
    found, stack = set(), [mg.Primitive]
    while stack:
        for cls in stack.pop().__subclasses__():
            stack.append(cls)
            module = sys.modules.get(cls.__module__)
            if (cls.__module__.startswith("minigrad.") and cls is not Variadic
                    and getattr(module, cls.__name__, None) is cls):
                found.add(cls)
    return found


def test_every_primitive_has_a_spec():
    _import_all_of_minigrad()
    covered = {spec.primitive for spec in ALL_SPECS}
    missing = sorted(f"{cls.__module__}.{cls.__name__}" for cls in _defined_primitives() - covered)
    assert not missing, (f"primitives without a spec row: {missing}. Add a row to a module in "
                         "tests/op_specs/ (see tests/op_specs/__init__.py)")


def test_registry_lists_every_primitive_in_ops():
    defined = {cls for cls in _defined_primitives() if cls.__module__.startswith("minigrad.ops.")}
    unlisted = sorted(cls.__name__ for cls in defined - set(PRIMITIVES))
    assert not unlisted, f"primitives in minigrad/ops missing from ops.PRIMITIVES: {unlisted}"
    assert len(set(PRIMITIVES)) == len(PRIMITIVES)


def test_completeness_check_catches_an_unspecified_primitive():
    """The completeness test itself can fail: a new primitive in a minigrad module counts."""
    namespace = {"__name__": "minigrad.ops.scratch_for_test", "Primitive": mg.Primitive}
    module = type(sys)("minigrad.ops.scratch_for_test")
    sys.modules[module.__name__] = module
    try:
        exec("class Untested(Primitive):\n    pass\n", namespace)
        module.Untested = namespace["Untested"]
        assert module.Untested in _defined_primitives()
        assert module.Untested not in {spec.primitive for spec in ALL_SPECS}
    finally:
        del sys.modules[module.__name__]


# ----- conventions at kinks: exact values, both modes ---------------------------------

def _grad_and_tangent(f, x):
    """d/dx of sum(f(x)) by reverse mode, and J @ ones by forward mode."""
    x = np.asarray(x, dtype=np.float64)
    g = mg.grad(lambda t: f(t).sum())(mg.tensor(x))
    _, t = mg.jvp(f, (mg.tensor(x),), (np.ones_like(x),))
    return g.data, t.data


def test_relu_derivative_at_zero_is_zero():
    g, t = _grad_and_tangent(mg.relu, [-1.0, 0.0, 2.0])
    np.testing.assert_array_equal(g, [0.0, 0.0, 1.0])
    np.testing.assert_array_equal(t, [0.0, 0.0, 1.0])


def test_abs_derivative_at_zero_is_zero():
    g, t = _grad_and_tangent(mg.abs, [-1.5, 0.0, 2.0])
    np.testing.assert_array_equal(g, [-1.0, 0.0, 1.0])
    np.testing.assert_array_equal(t, [-1.0, 0.0, 1.0])


@pytest.mark.parametrize("reduce", [mg.max, mg.min])
def test_full_reduction_ties_share_the_gradient_evenly(reduce):
    x = [3.0, -1.0, 3.0, 3.0] if reduce is mg.max else [-1.0, 3.0, -1.0, -1.0]
    g, _ = _grad_and_tangent(reduce, x)
    np.testing.assert_array_equal(g, [1 / 3, 0.0, 1 / 3, 1 / 3])
    # forward mode: the tangent of the max is the mean of the tied tangents
    _, t = mg.jvp(reduce, (mg.tensor(x),), (np.array([3.0, 100.0, 6.0, 0.0]),))
    assert t.item() == 3.0


def test_reduction_ties_along_an_axis_share_within_each_slice():
    x = np.array([[1.0, 1.0, 0.0], [2.0, 5.0, 5.0], [7.0, 7.0, 7.0]])
    g = mg.grad(lambda t: mg.max(t, axis=1).sum())(mg.tensor(x))
    np.testing.assert_array_equal(g.data, [[0.5, 0.5, 0.0], [0.0, 0.5, 0.5], [1 / 3, 1 / 3, 1 / 3]])
    x = np.array([[1.0, 2.0, 0.0], [1.0, 5.0, 0.0], [3.0, 2.0, 0.0]])
    g = mg.grad(lambda t: mg.min(t, axis=0, keepdims=True).sum())(mg.tensor(x))
    np.testing.assert_array_equal(g.data, [[0.5, 0.5, 1 / 3], [0.5, 0.0, 1 / 3], [0.0, 0.5, 1 / 3]])


@pytest.mark.parametrize("pick", [mg.maximum, mg.minimum])
def test_maximum_and_minimum_split_ties_half_and_half(pick):
    x, y = mg.tensor([1.0, 2.0, 3.0]), mg.tensor([2.0, 2.0, 1.0])
    gx, gy = mg.grad(lambda a, b: pick(a, b).sum(), argnums=(0, 1))(x, y)
    first = [0.0, 0.5, 1.0] if pick is mg.maximum else [1.0, 0.5, 0.0]
    np.testing.assert_array_equal(gx.data, first)
    np.testing.assert_array_equal(gy.data, 1 - np.array(first))
    _, t = mg.jvp(pick, (x, y), (np.full(3, 4.0), np.full(3, 8.0)))
    np.testing.assert_array_equal(t.data, 4.0 * np.array(first) + 8.0 * (1 - np.array(first)))


def test_maximum_tie_with_a_broadcast_operand_sums_the_halves():
    x, y = mg.tensor([1.0, 2.0, 2.0]), mg.tensor(2.0)
    gx, gy = mg.grad(lambda a, b: mg.maximum(a, b).sum(), argnums=(0, 1))(x, y)
    np.testing.assert_array_equal(gx.data, [0.0, 0.5, 0.5])
    assert gy.item() == 2.0  # 1 (where y wins) + 0.5 + 0.5


def test_clip_passes_the_gradient_at_its_bounds_inclusive():
    x = [-2.0, -1.0, 0.0, 1.0, 2.0]
    g, t = _grad_and_tangent(lambda t: mg.clip(t, -1.0, 1.0), x)
    np.testing.assert_array_equal(g, [0.0, 1.0, 1.0, 1.0, 0.0])
    np.testing.assert_array_equal(t, [0.0, 1.0, 1.0, 1.0, 0.0])
    g, _ = _grad_and_tangent(lambda t: mg.clip(t, a_min=0.0), x)
    np.testing.assert_array_equal(g, [0.0, 0.0, 1.0, 1.0, 1.0])


def test_power_at_a_zero_base_follows_pytorch_and_does_not_warn():
    """0 * inf at x = 0: dz/dx = 0 at 0 ** 0, dz/dy = 0 where y >= 0; the rest stands."""
    x = np.array([0.0, 0.0, 0.0, 0.0, 2.0])
    y = np.array([0.0, 1.0, 2.0, 0.5, 0.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        gx, gy = mg.grad(lambda a, b: (a ** b).sum(), argnums=(0, 1))(mg.tensor(x), mg.tensor(y))
        _, t = mg.jvp(lambda a, b: a ** b, (mg.tensor(x), mg.tensor(y)),
                      (np.ones(5), np.zeros(5)))
        # (not at 0 ** 0.5: there the zero x-tangent meets dz/dx = inf, and 0 * inf = nan)
        keep = [0, 1, 2, 4]
        _, s = mg.jvp(lambda a, b: a ** b, (mg.tensor(x[keep]), mg.tensor(y[keep])),
                      (np.zeros(4), np.ones(4)))
    np.testing.assert_array_equal(gx.data, [0.0, 1.0, 0.0, np.inf, 0.0])
    np.testing.assert_array_equal(t.data, gx.data)
    np.testing.assert_array_equal(gy.data, [0.0, 0.0, 0.0, 0.0, np.log(2.0)])
    np.testing.assert_array_equal(s.data, gy.data[keep])
    # a constant zero exponent: z = 1 everywhere, so no gradient anywhere
    g = mg.grad(lambda a: (a ** 0).sum())(mg.tensor([0.0, -1.5, 3.0]))
    np.testing.assert_array_equal(g.data, [0.0, 0.0, 0.0])


def test_kink_conventions_hold_at_second_order():
    """The masks are constants: the derivative of relu'(x) * 1 is 0 everywhere."""
    x = mg.tensor([-1.0, 0.0, 2.0])
    h = mg.hessian(lambda t: (mg.relu(t) * t).sum())(x)  # d2/dx2 of x relu(x) = 2 [x > 0]
    np.testing.assert_array_equal(h.data, np.diag([0.0, 0.0, 2.0]))
