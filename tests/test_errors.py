"""Bad input gets a clear error (the op, both shapes, what to do); NaN and inf are not
errors: they propagate as NumPy's would."""
import re
import warnings

import numpy as np
import pytest

import minigrad as mg


def shapes_named(message, *shapes):
    return all(str(s) in message for s in shapes)


# ----- shapes -----------------------------------------------------------------------------
@pytest.mark.parametrize("name, apply", [
    ("add", lambda a, b: a + b), ("subtract", lambda a, b: a - b),
    ("multiply", lambda a, b: a * b), ("divide", lambda a, b: a / b),
    ("power", lambda a, b: a ** b), ("maximum", mg.maximum), ("minimum", mg.minimum),
])
@pytest.mark.parametrize("other", ["tensor", "array", "constant-tensor"])
def test_broadcast_mismatch_names_op_and_both_shapes(name, apply, other):
    a = mg.ones(2, 3, requires_grad=True)
    b = {"tensor": mg.ones(4, requires_grad=True), "array": np.ones(4),
         "constant-tensor": mg.ones(4)}[other]
    with pytest.raises(ValueError) as info:
        apply(a, b)
    message = str(info.value)
    assert message.startswith(name + ":")
    assert shapes_named(message, (2, 3), (4,))
    assert "broadcast" in message


def test_broadcast_to_mismatch_names_both_shapes():
    with pytest.raises(ValueError, match=re.escape("(3,) to (2, 4)")):
        mg.broadcast_to(mg.ones(3), (2, 4))


def test_where_condition_mismatch_names_op_and_shapes():
    with pytest.raises(ValueError) as info:
        mg.where(np.ones(2, bool), mg.ones(3, requires_grad=True), mg.ones(3))
    assert str(info.value).startswith("where:") and shapes_named(str(info.value), (2,), (3,))


@pytest.mark.parametrize("x_shape, y_shape", [((2, 3), (4, 2)), ((3,), (4,)),
                                              ((5, 2, 3), (2, 2)), ((3,), (2, 4))])
def test_matmul_inner_mismatch_names_both_shapes(x_shape, y_shape):
    x = mg.ones(x_shape, requires_grad=True)
    with pytest.raises(ValueError) as info:
        x @ mg.ones(y_shape)
    message = str(info.value)
    assert message.startswith("matmul:") and shapes_named(message, x_shape, y_shape)


def test_matmul_batch_mismatch_names_both_shapes():
    with pytest.raises(ValueError) as info:
        mg.ones(2, 3, 4, requires_grad=True) @ mg.ones(5, 4, 2)
    message = str(info.value)
    assert message.startswith("matmul:") and shapes_named(message, (2, 3, 4), (5, 4, 2))


def test_matmul_of_a_scalar_says_use_multiply():
    with pytest.raises(ValueError, match=r"matmul:.*use \*"):
        mg.ones(3, requires_grad=True) @ 2.0


def test_reshape_and_index_errors_name_the_shape():
    with pytest.raises(ValueError, match=re.escape("shape (6,)")):
        mg.ones(6).reshape(4, 2)
    with pytest.raises(IndexError, match=re.escape("shape (3,)")):
        mg.ones(3, requires_grad=True)[5]
    with pytest.raises(IndexError, match="integer or boolean"):
        mg.ones(3)[np.array([0.0, 1.0])]


# ----- backward ---------------------------------------------------------------------------
def test_backward_on_non_scalar_without_grad_says_what_to_do():
    y = mg.ones(2, 3, requires_grad=True) * 2.0
    with pytest.raises(RuntimeError) as info:
        y.backward()
    message = str(info.value)
    assert "(2, 3)" in message and "grad=" in message and ".sum().backward()" in message


def test_backward_with_grad_of_wrong_shape_names_both_shapes():
    x = mg.ones(2, 3, requires_grad=True)
    y = x * 2.0
    with pytest.raises(RuntimeError) as info:
        y.backward(np.ones((3, 2)))
    assert shapes_named(str(info.value), (3, 2), (2, 3))
    with pytest.raises(RuntimeError, match=re.escape("(3,)")):
        y.backward(np.ones(3))  # broadcastable is not enough
    assert x.grad is None


def test_backward_on_a_tensor_that_needs_no_grad():
    with pytest.raises(RuntimeError, match="requires_grad=True"):
        (mg.ones(2) * 2.0).sum().backward()
    with mg.no_grad():
        y = (mg.ones(2, requires_grad=True) * 2.0).sum()
    with pytest.raises(RuntimeError, match="no_grad"):
        y.backward()


def test_second_backward_through_released_graph_says_retain_graph():
    x = mg.ones(2, requires_grad=True)
    y = (x * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match=r"released.*retain_graph=True"):
        y.backward()


# ----- dtypes and types -------------------------------------------------------------------
@pytest.mark.parametrize("make", [
    lambda: mg.tensor(np.arange(3), requires_grad=True),
    lambda: mg.tensor([1, 2], dtype=np.int32, requires_grad=True),
    lambda: mg.tensor(np.arange(3)).requires_grad_(),
    lambda: mg.tensor(np.array([True, False]), requires_grad=True),
])
def test_requires_grad_on_integer_or_boolean_tensor(make):
    with pytest.raises(TypeError) as info:
        make()
    message = str(info.value)
    assert re.search(r"int32|int64|bool", message) and "floating" in message
    assert "dtype=np.float64" in message  # says how to fix it


@pytest.mark.parametrize("bad", ["hello", None, object(), {"a": 1}, {1, 2}],
                         ids=["str", "None", "object", "dict", "set"])
@pytest.mark.parametrize("name, apply", [
    ("add", lambda t, v: t + v), ("add", lambda t, v: v + t),
    ("multiply", lambda t, v: t * v), ("matmul", lambda t, v: t @ v),
    ("maximum", mg.maximum),
])
def test_binary_op_on_unsupported_type_names_op_and_type(bad, name, apply):
    t = mg.ones(2, requires_grad=True)
    with pytest.raises(TypeError) as info:
        apply(t, bad)
    message = str(info.value)
    assert message.startswith(name + ":") and type(bad).__name__ in message


@pytest.mark.parametrize("name", ["exp", "log", "tanh", "sum", "negative", "relu"])
def test_unary_op_on_unsupported_type_names_op_and_type(name):
    with pytest.raises(TypeError, match=rf"^{name}:.*str"):
        getattr(mg, name)("abc")


@pytest.mark.parametrize("data", ["abc", None, {1: 2}, np.array(["a"]),
                                  np.array([None, 1.0])])
def test_tensor_from_non_numeric_data(data):
    with pytest.raises(TypeError, match="cannot make a tensor"):
        mg.tensor(data)


def test_tensor_from_ragged_list_says_lengths_must_agree():
    with pytest.raises(ValueError, match="cannot make a tensor.*rectangular"):
        mg.tensor([[1.0, 2.0], [3.0]])


def test_object_array_operand_is_refused():
    with pytest.raises(TypeError, match=r"^add:.*object"):
        mg.ones(2, requires_grad=True) + np.array([None, None])


def test_where_condition_must_be_boolean():
    with pytest.raises(TypeError, match=r"where: cond must be boolean.*x > 0"):
        mg.where(mg.ones(2), mg.ones(2), 0.0)


# ----- PyTorch's names, and did-you-mean -------------------------------------------------
@pytest.mark.parametrize("name, says", [
    ("long", "mg.int64"), ("float", "mg.float32"), ("double", "mg.float64"),
    ("int", "mg.int32"), ("bool", "mg.bool_"), ("half", "mg.float16"),
    ("device", "no devices"), ("cuda", "no devices"), ("Size", "x.shape"),
    ("concat", "mg.cat"), ("Generator", "rng="), ("inference_mode", "mg.no_grad()"),
])
def test_a_pytorch_name_on_mg_says_what_to_write(name, says):
    with pytest.raises(AttributeError) as info:
        getattr(mg, name)
    message = str(info.value)
    assert message.startswith(f"module 'minigrad' has no attribute {name!r}: ") and says in message
    assert "did you mean" not in message  # mg.long used to suggest log


@pytest.mark.parametrize("name, says", [
    ("cuda", "no devices"), ("device", "no devices"), ("grad_fn", "mg.Tape()"),
    ("values", "x.argmax(dim)"), ("add_", "x += y"), ("mm", "x @ y"),
    ("new_ones", "mg.ones"), ("sign", "mg.sign(x)"), ("log2", "math.log(2)"),
])
def test_a_pytorch_name_on_a_tensor_says_what_to_write(name, says):
    with pytest.raises(AttributeError) as info:
        getattr(mg.ones(2), name)
    assert f"'Tensor' object has no attribute {name!r}: " in str(info.value)
    assert says in str(info.value)
    assert not hasattr(mg.ones(2), name) and name not in dir(mg.ones(2))


@pytest.mark.parametrize("name, suggestion", [
    ("sofmax", "softmax"), ("tranpose", "transpose"), ("unsqeeze", "unsqueeze"),
    ("lisnpace", "linspace"), ("zeross", "zeros"), ("multinomal", "multinomial"),
    ("sinh", None), ("log2", None), ("maximumm", None), ("argmaxx", None), ("ful", None),
])
def test_did_you_mean_is_offered_only_for_a_misspelling(name, suggestion):
    with pytest.raises(AttributeError) as info:
        getattr(mg, name)
    message = str(info.value)
    if suggestion is None:  # a different function (sin for sinh, max for maximum): nothing
        assert "did you mean" not in message, message
    else:
        assert message.endswith(f"; did you mean {suggestion!r}?"), message


def test_did_you_mean_never_pairs_a_name_with_one_built_around_it():
    from minigrad.spellings import did_you_mean
    # (long and log, one letter apart, are told apart by the table of PyTorch names)
    for name, other in [("unsqueeze", "squeeze"), ("squeeze", "unsqueeze"), ("sinh", "sin"),
                        ("argmax", "max"), ("log_softmax", "softmax"), ("fc3", "fc1")]:
        assert did_you_mean(name, [other]) is None, (name, other)


def test_the_interpreter_adds_no_did_you_mean_of_its_own():
    # Python's own hint picks by edit distance: it would offer sin for mg.sinh and sqrt
    # for x.square. minigrad's errors carry name=None, which switches it off.
    import subprocess
    import sys
    for code in ["import minigrad as mg; mg.sinh", "import minigrad as mg; mg.ones(2).square",
                 "import minigrad as mg; mg.nn.Linear(2, 2).fc1"]:
        result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
        last = result.stderr.strip().splitlines()[-1]
        assert last.startswith("AttributeError") and "Did you mean" not in last, last


def test_module_attribute_errors_share_the_rule():
    net = mg.nn.Sequential(mg.nn.Linear(2, 2, rng=0))
    with pytest.raises(AttributeError, match=r"no attribute 'cuda': minigrad has no devices"):
        net.cuda()
    with pytest.raises(AttributeError) as info:
        mg.nn.Linear(2, 2, rng=0).biass
    assert str(info.value).endswith("did you mean 'bias'?")


def test_item_of_many_elements_says_what_to_do():
    with pytest.raises(ValueError, match=re.escape("shape (3,); pick one first (x[0].item()) or use x.tolist()")):
        mg.ones(3).item()


# ----- NaN and inf ------------------------------------------------------------------------
SPECIAL = np.array([np.nan, np.inf, -np.inf, 0.0, -1.0, 2.0])


@pytest.mark.parametrize("name, f, df", [
    ("exp", mg.exp, np.exp),
    ("log", mg.log, lambda x: 1 / x),
    ("sqrt", mg.sqrt, lambda x: 0.5 / np.sqrt(x)),
    ("tanh", mg.tanh, lambda x: 1 - np.tanh(x) ** 2),
    ("square", lambda t: t * t, lambda x: 2 * x),
    ("reciprocal", lambda t: 1.0 / t, lambda x: -1 / x ** 2),
])
def test_nan_and_inf_propagate_as_numpy(name, f, df):
    x = mg.tensor(SPECIAL, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        y = f(x)
        y.sum().backward()
        forward = {"square": lambda v: v * v, "reciprocal": lambda v: 1.0 / v}.get(
            name, getattr(np, name, None))
        np.testing.assert_array_equal(y.data, forward(SPECIAL))
        np.testing.assert_array_equal(np.isnan(x.grad.data), np.isnan(df(SPECIAL)))
        finite = np.isfinite(df(SPECIAL))
        np.testing.assert_allclose(x.grad.data[finite], df(SPECIAL)[finite], rtol=1e-15)
        inf = np.isinf(df(SPECIAL))
        np.testing.assert_array_equal(x.grad.data[inf], df(SPECIAL)[inf])


def test_nan_in_one_element_does_not_spread_through_a_sum_gradient():
    x = mg.tensor([np.nan, 1.0, np.inf], requires_grad=True)
    y = (x * 3.0).sum()
    assert np.isnan(y.item())
    y.backward()
    np.testing.assert_array_equal(x.grad.data, [3.0, 3.0, 3.0])


def test_reusing_one_primitive_instance_is_caught_at_backward():
    """An instance is one tape entry; applying it twice must not give silent wrong gradients."""
    from minigrad.ops import Tanh
    op = Tanh()
    x = mg.tensor([0.5], requires_grad=True)
    first = op(x)
    op(x * 2)
    with pytest.raises(RuntimeError, match=r"applied more than once.*Tanh\(\)\(x\)"):
        first.sum().backward()


# ----- rules of user-defined ops ------------------------------------------------------
class Scale(mg.Primitive):
    """z = x * c for a constant c, with a VJP rule that can be made wrong on purpose."""

    def __init__(self, mistake=None):
        self.mistake = mistake

    def forward(self, x, c):
        return x * c

    def vjp(self, z_bar, z, x, c):
        if self.mistake == "shape":
            return z_bar.sum(keepdims=True), None  # forgot that x has 3 elements
        if self.mistake == "count":
            return z_bar * c  # one cotangent for two inputs
        if self.mistake == "none":
            return None, None
        return z_bar * c, None

    def jvp(self, x_dot, c_dot, z, x, c):
        return x_dot * c


@pytest.mark.parametrize("mistake, message", [
    ("shape", r"scale: VJP rule returned a cotangent of shape \(1,\) for input 0, whose "
              r"shape is \(3,\)"),
    ("count", r"scale: VJP rule returned 1 cotangent for 2 inputs"),
    ("none", r"scale: VJP rule returned None for input 0, which needs a gradient"),
])
def test_a_wrong_user_vjp_rule_is_reported_at_the_rule(mistake, message):
    x = mg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = mg.sin(Scale(mistake)(x, 2.0)).sum()
    with pytest.raises(RuntimeError, match=message):
        y.backward()
    assert x.grad is None


def test_a_correct_user_vjp_rule_passes_the_checks():
    x = mg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    Scale()(x, 2.0).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [2.0, 2.0, 2.0])
