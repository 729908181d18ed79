"""The keyword rule: every function and method that takes axis/keepdims (or ddof, k, a_min,
a_max) also takes PyTorch's spelling; both spellings of one parameter, a parameter given
twice, or an unknown keyword is a TypeError that says what to write."""
import numpy as np
import pytest

import minigrad as mg

X = np.arange(24.0).reshape(2, 3, 4) % 7 - 3.0  # distinct enough per row, with ties
F = mg.nn.functional

# (name, call with keywords, NumPy's value for axis=1): every function that takes an axis.
REDUCING = [
    ("sum", mg.sum, lambda a, axis, keepdims: np.sum(a, axis=axis, keepdims=keepdims)),
    ("mean", mg.mean, lambda a, axis, keepdims: np.mean(a, axis=axis, keepdims=keepdims)),
    ("max", mg.max, lambda a, axis, keepdims: np.max(a, axis=axis, keepdims=keepdims)),
    ("min", mg.min, lambda a, axis, keepdims: np.min(a, axis=axis, keepdims=keepdims)),
    ("var", mg.var, lambda a, axis, keepdims: np.var(a, axis=axis, keepdims=keepdims)),
    ("std", mg.std, lambda a, axis, keepdims: np.std(a, axis=axis, keepdims=keepdims)),
    ("logsumexp", mg.logsumexp,
     lambda a, axis, keepdims: np.log(np.exp(a).sum(axis=axis, keepdims=keepdims))),
    ("argmax", mg.argmax, lambda a, axis, keepdims: np.argmax(a, axis=axis, keepdims=keepdims)),
    ("argmin", mg.argmin, lambda a, axis, keepdims: np.argmin(a, axis=axis, keepdims=keepdims)),
    ("all", mg.ops.all, lambda a, axis, keepdims: np.all(a, axis=axis, keepdims=keepdims)),
    ("any", mg.ops.any, lambda a, axis, keepdims: np.any(a, axis=axis, keepdims=keepdims)),
]


def _method(name):
    return lambda x, **kwargs: getattr(x, name)(**kwargs)


@pytest.mark.parametrize("name, function, reference", REDUCING, ids=[r[0] for r in REDUCING])
@pytest.mark.parametrize("form", ["function", "method"])
def test_every_reduction_takes_dim_and_keepdim(name, function, reference, form):
    f = function if form == "function" else _method(name)
    x = mg.tensor(X)
    for keepdims in (False, True):
        expected = reference(X, 1, keepdims)
        for kwargs in ({"axis": 1, "keepdims": keepdims}, {"dim": 1, "keepdim": keepdims},
                       {"axis": 1, "keepdim": keepdims}, {"dim": 1, "keepdims": keepdims}):
            got = f(x, **kwargs)
            assert got.shape == expected.shape, kwargs
            np.testing.assert_allclose(got.data, expected, rtol=1e-14, err_msg=str(kwargs))
    np.testing.assert_allclose(f(x, dim=-1).data, reference(X, -1, False), rtol=1e-14)


@pytest.mark.parametrize("function, reference", [
    (mg.softmax, lambda a, axis: np.exp(a) / np.exp(a).sum(axis=axis, keepdims=True)),
    (mg.log_softmax, lambda a, axis: a - np.log(np.exp(a).sum(axis=axis, keepdims=True))),
    (F.softmax, lambda a, axis: np.exp(a) / np.exp(a).sum(axis=axis, keepdims=True)),
    (F.log_softmax, lambda a, axis: a - np.log(np.exp(a).sum(axis=axis, keepdims=True))),
    (_method("softmax"), lambda a, axis: np.exp(a) / np.exp(a).sum(axis=axis, keepdims=True)),
    (_method("log_softmax"),
     lambda a, axis: a - np.log(np.exp(a).sum(axis=axis, keepdims=True))),
])
def test_softmax_family_takes_dim(function, reference):
    for axis in (0, 1, -1):
        np.testing.assert_allclose(function(mg.tensor(X), dim=axis).data, reference(X, axis),
                                   rtol=1e-13)


@pytest.mark.parametrize("call, expected_shape", [
    (lambda x: mg.squeeze(x[:, :1], dim=1), (2, 4)),
    (lambda x: x[:, :1].squeeze(dim=1), (2, 4)),
    (lambda x: mg.expand_dims(x, dim=0), (1, 2, 3, 4)),
    (lambda x: x.expand_dims(dim=-1), (2, 3, 4, 1)),
    (lambda x: mg.unsqueeze(x, dim=2), (2, 3, 1, 4)),
    (lambda x: x.unsqueeze(dim=1), (2, 1, 3, 4)),
    (lambda x: mg.concatenate([x, x], dim=1), (2, 6, 4)),
    (lambda x: mg.cat([x, x], axis=2), (2, 3, 8)),
    (lambda x: mg.stack([x, x], dim=1), (2, 2, 3, 4)),
])
def test_shape_functions_take_dim(call, expected_shape):
    assert call(mg.tensor(X)).shape == expected_shape


@pytest.mark.parametrize("kwargs", [{"ddof": 1}, {"correction": 1}, {"unbiased": True}])
def test_var_and_std_take_ddof_correction_and_unbiased(kwargs):
    x = mg.tensor(X)
    np.testing.assert_allclose(x.var(dim=2, **kwargs).data, np.var(X, axis=2, ddof=1))
    np.testing.assert_allclose(mg.std(x, **kwargs).data, np.std(X, ddof=1))
    assert float(x.var(unbiased=False)) == pytest.approx(np.var(X), rel=1e-14)


def test_triangles_and_clip_take_both_spellings():
    a = mg.tensor(X[0])
    np.testing.assert_array_equal(mg.tril(a, k=1).data, mg.tril(a, diagonal=1).data)
    np.testing.assert_array_equal(mg.triu(a, -1).data, np.triu(X[0], -1))
    np.testing.assert_array_equal(a.clip(min=0).data, np.clip(X[0], 0, None))
    np.testing.assert_array_equal(a.clamp(a_max=1).data, np.clip(X[0], None, 1))


@pytest.mark.parametrize("call, both", [
    (lambda x: x.sum(axis=0, dim=1), ("axis=", "dim=")),
    (lambda x: mg.mean(x, keepdims=True, keepdim=True), ("keepdims=", "keepdim=")),
    (lambda x: x.var(ddof=1, unbiased=True), ("ddof=", "unbiased=")),
    (lambda x: mg.std(x, correction=1, ddof=1), ("correction=", "ddof=")),
    (lambda x: mg.softmax(x, dim=0, axis=0), ("dim=", "axis=")),
    (lambda x: x.clamp(min=0, a_min=1), ("min=", "a_min=")),
])
def test_both_spellings_of_one_parameter_is_a_type_error_naming_both(call, both):
    with pytest.raises(TypeError, match="spellings of one parameter") as info:
        call(mg.tensor(X))
    assert all(spelling in str(info.value) for spelling in both)


def test_a_parameter_by_position_and_by_keyword_is_a_type_error():
    with pytest.raises(TypeError, match=r"sum\(\) got axis twice: by position and as dim="):
        mg.sum(mg.tensor(X), 0, dim=1)
    with pytest.raises(TypeError, match="axis twice"):
        mg.tensor(X).max(0, dim=1)


def test_unbiased_must_be_a_bool():
    with pytest.raises(TypeError, match="unbiased must be True or False"):
        mg.var(mg.tensor(X), unbiased=1)


@pytest.mark.parametrize("call, says", [
    (lambda x: x.sum(dims=1), ["'dims'", "did you mean 'dim'?", "axis (or dim)", "keepdims (or keepdim)"]),
    (lambda x: mg.mean(x, keep_dims=True), ["'keep_dims'", "keepdims (or keepdim)"]),
    (lambda x: x.softmax(axes=1), ["'axes'", "did you mean 'axis'?"]),
    (lambda x: mg.sum(x, out=np.zeros(())), ["no out=", "assign the result"]),
    (lambda x: x.mean(dtype=np.float32), ["convert the input first", "astype"]),
    (lambda x: mg.randn(3, generator=np.random.default_rng(0)), ["rng=", "generator="]),
    (lambda x: mg.zeros(2, device="cuda"), ["no devices", "leave out device="]),
    (lambda x: mg.tensor([1.0], device="cpu"), ["no devices"]),
    (lambda x: mg.sum(input=x), ["first positional argument"]),
])
def test_unknown_keywords_say_what_to_write(call, says):
    with pytest.raises(TypeError) as info:
        call(mg.tensor(X))
    message = str(info.value)
    assert "unexpected keyword argument" in message
    assert all(part in message for part in says), message


def test_a_distant_keyword_gets_no_suggestion():
    with pytest.raises(TypeError) as info:
        mg.sum(mg.tensor(X), where=True)
    assert "did you mean" not in str(info.value)


def test_numpy_passes_its_defaults_and_they_change_nothing():
    # np.sum(t) hands itself to t.sum(axis=None, out=None), np.mean adds dtype=None
    x = mg.tensor(X)
    assert float(x.sum(axis=None, out=None)) == X.sum()
    np.testing.assert_allclose(x.mean(axis=0, dtype=None, out=None).data, X.mean(axis=0))
    assert float(x.std(axis=None, dtype=None, out=None, ddof=1)) == pytest.approx(X.std(ddof=1))


def test_translation_keeps_the_gradient():
    x = mg.tensor(X, requires_grad=True)
    mg.testing.gradcheck(lambda x: mg.logsumexp(x, dim=1, keepdim=True), X)
    mg.testing.gradcheck(lambda x: x.std(dim=(0, 2), unbiased=True), X)
    (x.sum(dim=2, keepdim=True) * mg.tensor([[[1.0], [2.0], [3.0]]])).sum().backward()
    np.testing.assert_array_equal(x.grad.data, np.broadcast_to([[[1.0], [2.0], [3.0]]], X.shape))


def test_the_decorated_function_keeps_its_name_signature_and_doc():
    import inspect
    assert mg.sum.__name__ == "sum" and "Sum over" in mg.sum.__doc__
    assert list(inspect.signature(mg.sum).parameters) == ["x", "axis", "keepdims"]
