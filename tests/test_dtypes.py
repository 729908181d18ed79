"""Dtypes: what data becomes, the default float dtype, NumPy's promotion rules in ops,
gradients in their tensor's dtype, and the factories."""
import numpy as np
import pytest

import minigrad as mg


@pytest.fixture
def float32_default():
    previous = mg.get_default_dtype()
    mg.set_default_dtype(np.float32)
    try:
        yield
    finally:
        mg.set_default_dtype(previous)


# ----- what data becomes ---------------------------------------------------------------
@pytest.mark.parametrize("data, dtype", [
    (np.ones(2, np.float32), np.float32), (np.ones(2, np.float16), np.float16),
    (np.arange(3), np.int64), (np.array([True, False]), np.bool_),
    (np.float32(1.5), np.float32),
    ([1.0, 2.0], np.float64), ([1, 2.5], np.float64), (2.5, np.float64),
    ([1, 2], np.int64), (3, np.int64), ([[1, 2], [3, 4]], np.int64),
    (True, np.bool_), ([True, False], np.bool_),
])
def test_ndarrays_keep_their_dtype_and_python_data_follows_pytorch(data, dtype):
    """Python floats take the default float dtype; ints and int lists stay int64 and bools
    bool (as torch.tensor and np.array), so an index list stays an index list."""
    assert mg.get_default_dtype() == np.float64
    assert mg.tensor(data).dtype == dtype
    assert mg.Tensor(data).dtype == dtype


def test_explicit_dtype_wins():
    assert mg.tensor([1, 2], dtype=np.float32).dtype == np.float32
    assert mg.tensor(np.ones(2), dtype=np.float16).dtype == np.float16
    assert mg.tensor([1.7, 2.2], dtype=np.int32).dtype == np.int32


def test_tensor_of_a_tensor_copies_off_the_graph():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    h = x * 2.0
    copy = mg.tensor(h)
    assert copy.is_leaf and not copy.requires_grad
    assert not np.shares_memory(copy.data, h.data)


def test_set_default_dtype_changes_python_data_and_factories(float32_default):
    assert mg.get_default_dtype() == np.float32
    for made in (mg.tensor([1.0, 2.0]), mg.tensor(3.0), mg.zeros(2), mg.ones(2, 2),
                 mg.full((2,), 7), mg.eye(3), mg.randn(2, rng=0), mg.rand(2, rng=0),
                 mg.arange(0.0, 1.0, 0.5)):
        assert made.dtype == np.float32
    assert mg.tensor(np.ones(2)).dtype == np.float64  # ndarrays still keep theirs
    assert mg.tensor(3).dtype == np.int64  # and ints stay ints
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    (x * x).sum().backward()
    assert x.grad.dtype == np.float32


def test_set_default_dtype_rejects_non_floats():
    with pytest.raises(TypeError, match="float16, float32 or float64"):
        mg.set_default_dtype(np.int32)
    assert mg.get_default_dtype() == np.float64


# ----- ops follow NumPy's rules --------------------------------------------------------
@pytest.mark.parametrize("make, want", [
    (lambda f32: f32 * 2.0, np.float32),        # a Python scalar is weak (NEP 50)
    (lambda f32: 2 + f32, np.float32),
    (lambda f32: f32 ** 2, np.float32),
    (lambda f32: mg.exp(f32), np.float32),
    (lambda f32: f32.sum(), np.float32),
    (lambda f32: f32 * np.ones(3), np.float64),  # a float64 array promotes
    (lambda f32: f32 + mg.tensor(np.ones(3)), np.float64),
    (lambda f32: f32 * np.float64(2.0), np.float64),
    (lambda f32: mg.tensor(np.arange(3)) * 2.0, np.float64),
    (lambda f32: mg.tensor(np.arange(3)) * 2, np.int64),
    (lambda f32: mg.tensor(np.arange(3)) / 2, np.float64),
])
def test_ops_keep_numpy_dtype_rules(make, want):
    f32 = mg.tensor(np.array([1.0, 2.0, 3.0], np.float32), requires_grad=True)
    assert make(f32).dtype == want


def test_gradient_has_its_tensors_dtype_under_promotion():
    f32 = mg.tensor(np.array([1.0, 2.0], np.float32), requires_grad=True)
    f64 = mg.tensor(np.array([3.0, 4.0]), requires_grad=True)
    out = f32 * np.array([0.5, 0.25]) + f32 * f64
    assert out.dtype == np.float64
    out.sum().backward()
    assert f32.grad.dtype == np.float32 and f64.grad.dtype == np.float64
    np.testing.assert_array_equal(f32.grad.data, [3.5, 4.25])
    np.testing.assert_array_equal(f64.grad.data, [1.0, 2.0])


def test_float16_leaf_keeps_float16_gradient():
    x = mg.tensor(np.array([1.0, 2.0], np.float16), requires_grad=True)
    (x * 3.0).sum().backward()
    assert x.grad.dtype == np.float16
    np.testing.assert_array_equal(x.grad.data, [3.0, 3.0])


def test_float32_leaf_times_integer_tensor():
    x = mg.tensor(np.array([1.0, 2.0, 3.0], np.float32), requires_grad=True)
    counts = mg.tensor(np.array([0, 1, 2]))
    (x * counts).sum().backward()
    assert x.grad.dtype == np.float32
    np.testing.assert_array_equal(x.grad.data, [0.0, 1.0, 2.0])


def test_seed_is_cast_to_the_outputs_dtype():
    x = mg.tensor(np.array([1.0, 2.0], np.float32), requires_grad=True)
    (x * 2.0).backward(np.array([1.0, 3.0]))  # a float64 seed for a float32 output
    assert x.grad.dtype == np.float32
    np.testing.assert_array_equal(x.grad.data, [2.0, 6.0])


def test_astype_gradient_comes_back_in_the_source_dtype():
    x = mg.tensor(np.array([1.5, 2.5], np.float32), requires_grad=True)
    y = x.astype(np.float64)
    assert y.dtype == np.float64
    (y * y).sum().backward()
    assert x.grad.dtype == np.float32
    np.testing.assert_array_equal(x.grad.data, [3.0, 5.0])


# ----- factories ------------------------------------------------------------------------
@pytest.mark.parametrize("make, shape, value", [
    (lambda **kw: mg.zeros(2, 3, **kw), (2, 3), 0.0),
    (lambda **kw: mg.zeros((2, 3), **kw), (2, 3), 0.0),
    (lambda **kw: mg.ones(4, **kw), (4,), 1.0),
    (lambda **kw: mg.full((2, 2), 7, **kw), (2, 2), 7.0),
    (lambda **kw: mg.zeros_like(np.empty((3, 1)), **kw), (3, 1), 0.0),
    (lambda **kw: mg.ones_like(mg.tensor([[1.0, 2.0]]), **kw), (1, 2), 1.0),
])
@pytest.mark.parametrize("dtype", [None, np.float32])
def test_filled_factories(make, shape, value, dtype):
    t = make(dtype=dtype, requires_grad=True)
    assert t.shape == shape and t.dtype == (dtype or np.float64)
    assert t.requires_grad and t.is_leaf
    np.testing.assert_array_equal(t.data, np.full(shape, value))


def test_like_factories_keep_the_source_dtype():
    assert mg.zeros_like(mg.tensor(np.ones(2, np.float16))).dtype == np.float16
    assert mg.ones_like(np.arange(3)).dtype == np.int64


def test_arange_and_eye():
    np.testing.assert_array_equal(mg.arange(4).data, [0, 1, 2, 3])
    assert mg.arange(4).dtype == np.int64
    assert mg.arange(1.0, 2.0, 0.25).dtype == np.float64
    np.testing.assert_array_equal(mg.arange(1.0, 2.0, 0.25).data, [1.0, 1.25, 1.5, 1.75])
    assert mg.arange(3, dtype=np.float32).dtype == np.float32
    np.testing.assert_array_equal(mg.eye(2, 3).data, np.eye(2, 3))
    assert mg.eye(2, dtype=np.float32, requires_grad=True).requires_grad


@pytest.mark.parametrize("factory, reference", [
    (mg.randn, lambda g, shape: g.standard_normal(shape)),
    (mg.rand, lambda g, shape: g.random(shape)),
])
def test_random_factories_are_seeded(factory, reference):
    by_seed = factory(3, 2, rng=7)
    by_generator = factory((3, 2), rng=np.random.default_rng(7))
    np.testing.assert_array_equal(by_seed.data, by_generator.data)
    np.testing.assert_array_equal(by_seed.data, reference(np.random.default_rng(7), (3, 2)))
    assert not np.array_equal(by_seed.data, factory(3, 2, rng=8).data)
    g = np.random.default_rng(0)
    first, second = factory(4, rng=g), factory(4, rng=g)  # a generator advances
    assert not np.array_equal(first.data, second.data)
    made = factory(2, rng=0, dtype=np.float32, requires_grad=True)
    assert made.dtype == np.float32 and made.requires_grad


@pytest.mark.parametrize("make", [
    lambda: mg.zeros(2, dtype=np.int64, requires_grad=True),
    lambda: mg.arange(3, requires_grad=True),
    lambda: mg.tensor(np.array([True]), requires_grad=True),
])
def test_integer_and_boolean_factories_refuse_requires_grad(make):
    with pytest.raises(TypeError, match="floating"):
        make()
