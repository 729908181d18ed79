"""The losses against closed forms: the fused node's gradient is p - y, fused and unfused
agree to second order, extreme logits stay exact, and bad targets say what is wrong."""
import numpy as np
import pytest

import minigrad as mg
from minigrad.nn import functional as F
from minigrad.ops import BinaryCrossEntropyWithLogits, SoftmaxNLL

N, C = 4, 5


def _softmax(x):
    e = np.exp(x - x.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


@pytest.fixture
def problem(rng):
    """Logits, class indices, the same targets one-hot, and soft probability rows."""
    x = rng.standard_normal((N, C)) * 3
    index = np.array([0, 4, 2, 2])
    soft = rng.random((N, C))
    return x, index, np.eye(C)[index], soft / soft.sum(axis=1, keepdims=True)


def _value_and_grad(x0, target, **options):
    x = mg.tensor(x0, requires_grad=True)
    loss = F.cross_entropy(x, target, **options)
    loss.backward(np.ones(loss.shape))
    return loss.data, x.grad.data


@pytest.mark.parametrize("kind", ["index", "probabilities"])
def test_fused_gradient_is_p_minus_y(problem, kind):
    x, index, one_hot, soft = problem
    target, y = (index, one_hot) if kind == "index" else (soft, soft)
    p = _softmax(x)
    value, grad = _value_and_grad(x, target, reduction="sum")
    np.testing.assert_allclose(grad, p - y, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(value, -(y * np.log(p)).sum(), rtol=1e-12)
    _, grad = _value_and_grad(x, target, reduction="mean")
    np.testing.assert_allclose(grad, (p - y) / N, rtol=1e-12, atol=1e-15)
    x_t = mg.tensor(x, requires_grad=True)
    weights = np.arange(1.0, N + 1)
    F.cross_entropy(x_t, target, reduction="none").backward(weights)
    np.testing.assert_allclose(x_t.grad.data, weights[:, None] * (p - y), rtol=1e-12, atol=1e-15)


def test_fused_records_one_entry_and_computes_p_once(problem):
    x0, index, _, _ = problem
    x = mg.tensor(x0, requires_grad=True)
    with mg.Tape() as tape:
        loss = F.cross_entropy(x, index)
    entries = list(tape)
    assert len(tape) == 1 and entries[0].op == "softmax_nll"
    node = entries[0].primitive
    assert isinstance(node, SoftmaxNLL)
    np.testing.assert_allclose(node.saved, _softmax(x0), rtol=1e-14)  # forward saves p
    loss.backward(retain_graph=True)
    loss.backward()                   # the saved p was not overwritten by the first backward
    np.testing.assert_allclose(x.grad.data, 2 * (_softmax(x0) - np.eye(C)[index]) / N,
                               rtol=1e-12, atol=1e-15)


def test_unfused_records_the_chain(problem):
    x0, index, _, soft = problem
    x = mg.tensor(x0, requires_grad=True)
    for target in (index, soft):
        with mg.Tape() as tape:
            F.cross_entropy(x, target, fused=False)
        ops = [entry.op for entry in tape]
        assert ops[0] == "log_softmax" and len(ops) >= 3 and "softmax_nll" not in ops


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("smoothing", [0.0, 0.15])
@pytest.mark.parametrize("kind", ["index", "probabilities"])
def test_fused_and_unfused_agree(problem, reduction, smoothing, kind):
    x, index, _, soft = problem
    target = index if kind == "index" else soft
    options = dict(reduction=reduction, label_smoothing=smoothing)
    value_f, grad_f = _value_and_grad(x, target, fused=True, **options)
    value_u, grad_u = _value_and_grad(x, target, fused=False, **options)
    np.testing.assert_allclose(value_f, value_u, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(grad_f, grad_u, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("kind", ["index", "probabilities"])
def test_second_derivatives_agree_with_closed_form(problem, kind):
    x, index, _, soft = problem
    target = index if kind == "index" else soft
    x, target = x[:2], target[:2]
    # Sum reduction: the Hessian is block-diagonal, one softmax Jacobian diag(p) - p p^T per row.
    expected = np.zeros((2, C, 2, C))
    for i, p in enumerate(_softmax(x)):
        expected[i, :, i, :] = np.diag(p) - np.outer(p, p)
    for fused in (True, False):
        hess = mg.hessian(lambda x: F.cross_entropy(x, target, reduction="sum",
                                                    fused=fused))(mg.tensor(x))
        np.testing.assert_allclose(hess.data, expected, rtol=1e-10, atol=1e-13)


def test_jvp_is_inner_product_of_p_minus_y_with_tangent(problem, rng):
    x, index, one_hot, _ = problem
    v = rng.standard_normal((N, C))
    _, tangent = mg.jvp(lambda x: F.cross_entropy(x, index, reduction="none"),
                        (mg.tensor(x),), (v,))
    np.testing.assert_allclose(tangent.data, ((_softmax(x) - one_hot) * v).sum(axis=1),
                               rtol=1e-12, atol=1e-15)


def test_label_smoothing_matches_smoothed_targets(problem):
    x, index, one_hot, _ = problem
    eps = 0.1
    y = (1 - eps) * one_hot + eps / C
    value, grad = _value_and_grad(x, index, reduction="sum", label_smoothing=eps)
    np.testing.assert_allclose(grad, _softmax(x) - y, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(value, -(y * np.log(_softmax(x))).sum(), rtol=1e-12)


@pytest.mark.parametrize("fused", [True, False])
def test_extreme_logits_give_exact_finite_losses(fused):
    x0 = np.array([[1e4, 0.0, -3e4]] * 3)
    target = np.array([0, 1, 2])
    value, grad = _value_and_grad(x0, target, reduction="none", fused=fused)
    np.testing.assert_allclose(value, [0.0, 1e4, 4e4], rtol=1e-15)
    np.testing.assert_allclose(grad, np.array([[1.0, 0, 0]]) - np.eye(3), atol=1e-300)
    shifted_value, shifted_grad = _value_and_grad(x0 - 1e4, target, reduction="none", fused=fused)
    np.testing.assert_allclose(shifted_value, value, rtol=1e-15)
    np.testing.assert_array_equal(shifted_grad, grad)


@pytest.mark.parametrize("fused", [True, False])
def test_shift_changes_neither_loss_nor_gradient(problem, fused):
    x, index, _, soft = problem
    for target in (index, soft):
        value, grad = _value_and_grad(x, target, fused=fused)
        for shift in (100.0, 1e4, -3e4):
            value_s, grad_s = _value_and_grad(x + shift, target, fused=fused)
            np.testing.assert_allclose(value_s, value, rtol=1e-11)
            np.testing.assert_allclose(grad_s, grad, rtol=1e-10, atol=1e-14)


def test_float32_logits_keep_their_dtype(problem):
    x, index, _, soft = problem
    for target in (index, soft):
        for fused in (True, False):
            logits = mg.tensor(x.astype(np.float32), requires_grad=True)
            loss = F.cross_entropy(logits, target, fused=fused)
            loss.backward()
            assert loss.dtype == np.float32 and logits.grad.dtype == np.float32


# ----- gradcheck: both modes and second order ------------------------------------------

def _second_order(f, x, rng):
    w = rng.standard_normal(x.shape)
    return mg.testing.gradcheck(lambda x: (mg.grad(f)(x) * w).sum(), x)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_check_op_of_the_fused_primitives(problem, reduction):
    x, index, _, soft = problem
    assert mg.testing.check_op(SoftmaxNLL(index, reduction, 0.1), x)
    assert mg.testing.check_op(SoftmaxNLL(soft, reduction), x)
    assert mg.testing.check_op(BinaryCrossEntropyWithLogits(np.array([0.0, 0.3, 1.0])),
                               np.array([-2.0, 0.0, 1.5]))


def test_gradcheck_of_the_composed_losses(problem, rng):
    x, index, _, soft = problem
    t = rng.standard_normal((N, C))
    losses = [
        lambda x: F.cross_entropy(x, index, fused=False, label_smoothing=0.1),
        lambda x: F.cross_entropy(x, soft, reduction="sum", fused=False),
        lambda x: F.nll_loss(mg.log_softmax(x), index),
        lambda x: F.nll_loss(mg.log_softmax(x), soft, reduction="sum"),
        lambda x: F.mse_loss(x, t),
        lambda x: F.binary_cross_entropy_with_logits(x, (t > 0).astype(float)),
    ]
    for loss in losses:
        assert mg.testing.gradcheck(loss, x)
        assert _second_order(loss, x, rng)
    assert mg.testing.gradcheck(lambda x, t: F.mse_loss(x, t, "sum"), x, t)  # both inputs


# ----- the other losses ----------------------------------------------------------------

def test_nll_loss_picks_the_target_log_probability():
    log_probs = mg.tensor(np.log([[0.2, 0.8], [0.6, 0.4]]), requires_grad=True)
    loss = F.nll_loss(log_probs, np.array([1, 0]), reduction="sum")
    assert loss.item() == pytest.approx(-np.log(0.8) - np.log(0.6), rel=1e-15)
    loss.backward()
    np.testing.assert_array_equal(log_probs.grad.data, [[0.0, -1.0], [-1.0, 0.0]])


def test_mse_loss_value_and_gradient():
    x = mg.tensor([1.0, 2.0, 4.0], requires_grad=True)
    loss = F.mse_loss(x, np.array([0.0, 2.0, 1.0]))
    assert loss.item() == pytest.approx(10 / 3, rel=1e-15)
    loss.backward()
    np.testing.assert_allclose(x.grad.data, 2 * np.array([1.0, 0.0, 3.0]) / 3, rtol=1e-15)
    assert F.mse_loss(x, [0.0, 2.0, 1.0], reduction="none").shape == (3,)
    x32 = mg.tensor(np.ones(2, dtype=np.float32))
    assert F.mse_loss(x32, [0, 1]).dtype == np.float32     # a constant target takes x's dtype


def test_bce_with_logits_is_sigmoid_minus_y_and_stable():
    x0 = np.array([1e4, -1e4, 1e4, -1e4, 0.0, 2.0])
    y = np.array([1.0, 0.0, 0.0, 1.0, 0.5, 0.25])
    x = mg.tensor(x0, requires_grad=True)
    loss = F.binary_cross_entropy_with_logits(x, y, reduction="none")
    expected = np.array([0.0, 0.0, 1e4, 1e4, np.log(2), np.log1p(np.exp(-2.0)) + 2.0 * 0.75])
    np.testing.assert_allclose(loss.data, expected, rtol=1e-15, atol=1e-300)
    loss.backward(np.ones(6))
    sigmoid = np.array([1.0, 0.0, 1.0, 0.0, 0.5, 1 / (1 + np.exp(-2.0))])
    np.testing.assert_allclose(x.grad.data, sigmoid - y, rtol=1e-15)


def test_bce_with_logits_is_cross_entropy_of_two_logits(rng):
    x = rng.standard_normal(6)
    y = rng.random(6)
    two_class = np.stack([x, np.zeros(6)], axis=1)
    expected, expected_grad = _value_and_grad(two_class, np.stack([y, 1 - y], axis=1))
    xt = mg.tensor(x, requires_grad=True)
    value = F.binary_cross_entropy_with_logits(xt, y)
    value.backward()
    assert value.item() == pytest.approx(float(expected), rel=1e-13)
    np.testing.assert_allclose(xt.grad.data, expected_grad[:, 0], rtol=1e-12)


# ----- bad targets ---------------------------------------------------------------------

LOGITS = np.zeros((3, 4))


@pytest.mark.parametrize("target, message", [
    (np.array([0, 4, 1]), "class index 4 is out of range for 4 classes"),
    (np.array([0, -1, 1]), "class index -1 is out of range"),
    (np.array([0, 1]), "wrong batch size"),
    (np.full((2, 4), 0.25), "wrong batch size"),
    (np.array([0.0, 1.0, 2.0]), "ambiguous"),
    (np.full((3, 4), 0.3), "must sum to 1"),
    (np.full((3, 4), 0.3), "p - y"),
    (np.full((3, 3), 1 / 3), "3 columns but the logits have 4 classes"),
    (np.array([[1.5, -0.5, 0, 0]] * 3), "non-negative"),
    (np.zeros((3, 4), dtype=int), "integer targets are class indices of shape (N,)"),
])
@pytest.mark.parametrize("fused", [True, False])
def test_bad_targets_raise_clear_errors(target, message, fused):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        F.cross_entropy(LOGITS, target, fused=fused)


def test_other_bad_arguments_raise():
    with pytest.raises(ValueError, match="class index 7"):
        F.nll_loss(LOGITS, np.array([7, 0, 0]))
    with pytest.raises(TypeError, match="dtype bool"):
        F.cross_entropy(LOGITS, np.array([True, False, True]))
    with pytest.raises(ValueError, match="target.detach()"):
        F.cross_entropy(LOGITS, mg.tensor(np.full((3, 4), 0.25), requires_grad=True))
    with pytest.raises(ValueError, match="reduction must be one of"):
        F.cross_entropy(LOGITS, np.array([0, 1, 2]), reduction="average")
    with pytest.raises(ValueError, match="label_smoothing"):
        F.cross_entropy(LOGITS, np.array([0, 1, 2]), label_smoothing=1.5)
    with pytest.raises(ValueError, match="reshape"):
        F.cross_entropy(np.zeros(4), np.array([1]))
    with pytest.raises(ValueError, match="must match"):
        F.mse_loss(mg.zeros(3, 1), mg.zeros(3))
    with pytest.raises(ValueError, match="must match"):
        F.binary_cross_entropy_with_logits(mg.zeros(3, 1), np.zeros(3))


# ----- class weights and ignore_index (PyTorch's semantics) ----------------------------

WEIGHT = np.array([0.5, 2.0, 1.0, 3.0, 0.25])


def _dense_target(kind, target, weight, ignore_index, eps):
    """y (N, C) and the "mean" divisor D, written from PyTorch's definition by hand."""
    w = np.ones(C) if weight is None else weight
    if kind == "probabilities":
        return w * ((1 - eps) * target + eps / C), float(N)
    kept = target != ignore_index
    one_hot = np.eye(C)[np.where(kept, target, 0)]
    y = kept[:, None] * ((1 - eps) * w * one_hot + eps / C * w)
    return y, float((kept * (one_hot @ w)).sum())


CLASS_OPTIONS = [  # kind, weight, ignore_index, target (for class indices)
    ("index", WEIGHT, -100, [0, 4, 2, 2]),
    ("index", None, -100, [0, -100, 2, -100]),
    ("index", WEIGHT, -100, [0, -100, 2, -100]),
    ("index", WEIGHT, 2, [0, 4, 2, 2]),  # a real class ignored
    ("probabilities", WEIGHT, -100, None),
]


@pytest.mark.parametrize("kind, weight, ignore_index, index", CLASS_OPTIONS)
@pytest.mark.parametrize("smoothing", [0.0, 0.2])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_weights_and_ignored_rows_follow_pytorch(problem, kind, weight, ignore_index, index,
                                                 smoothing, reduction):
    """loss_n = -<y_n, log p_n>, "mean" divides by D = sum of w[t_n] over the rows kept;
    the gradient of each row is z_bar (p sum(y_n) - y_n) / D: zero for an ignored row."""
    x, _, _, soft = problem
    target = soft if kind == "probabilities" else np.array(index)
    y, divisor = _dense_target(kind, target, weight, ignore_index, smoothing)
    p = _softmax(x)
    rows = -(y * np.log(p)).sum(axis=1)
    scale = {"mean": 1 / divisor, "sum": 1.0, "none": 1.0}[reduction]
    expected = {"mean": rows.sum() / divisor, "sum": rows.sum(), "none": rows}[reduction]
    options = dict(weight=weight, ignore_index=ignore_index, reduction=reduction,
                   label_smoothing=smoothing)
    for fused in (True, False):
        value, grad = _value_and_grad(x, target, fused=fused, **options)
        np.testing.assert_allclose(value, expected, rtol=1e-12)
        np.testing.assert_allclose(grad, scale * (p * y.sum(axis=1, keepdims=True) - y),
                                   rtol=1e-12, atol=1e-15)
        if kind == "index":
            assert np.all(grad[target == ignore_index] == 0)  # exactly zero, not 1e-17
    f = lambda x: F.cross_entropy(x, target, **options)  # noqa: E731
    assert mg.testing.gradcheck(f, x)
    assert _second_order(lambda x: (f(x) * np.arange(1.0, 1 + f(x).size)).sum(), x,
                         np.random.default_rng(1))
    assert mg.testing.check_op(SoftmaxNLL(target, reduction, smoothing, weight, ignore_index), x)


def test_weighted_mean_divides_by_the_target_weights_not_n():
    """A closed form: two rows of equal logits (loss log 2 each), weights 1 and 3."""
    logits = mg.zeros(2, 2, requires_grad=True)
    loss = F.cross_entropy(logits, [0, 1], weight=[1.0, 3.0])
    assert loss.item() == pytest.approx(np.log(2), rel=1e-15)  # (1 + 3) log 2 / (1 + 3)
    loss.backward()
    np.testing.assert_allclose(logits.grad.data, [[-0.125, 0.125], [0.375, -0.375]], rtol=1e-15)


def test_weighted_fused_node_is_still_one_tape_entry(problem):
    x, index, _, _ = problem
    with mg.Tape() as tape:
        F.cross_entropy(mg.tensor(x, requires_grad=True), index, WEIGHT, ignore_index=2)
    assert [entry.op for entry in tape] == ["softmax_nll"]


def test_weighted_second_derivatives_match_the_closed_form(problem):
    """Sum reduction: row n's Hessian block is s_n (diag(p) - p p^T), s_n = sum(y_n)."""
    x, index, _, _ = problem
    index = np.array([0, 4, 2, -100])
    s = np.where(index == -100, 0.0, WEIGHT[np.where(index == -100, 0, index)])
    expected = np.zeros((N, C, N, C))
    for i, p in enumerate(_softmax(x)):
        expected[i, :, i, :] = s[i] * (np.diag(p) - np.outer(p, p))
    for fused in (True, False):
        hess = mg.hessian(lambda x: F.cross_entropy(x, index, WEIGHT, reduction="sum",
                                                    fused=fused))(mg.tensor(x))
        np.testing.assert_allclose(hess.data, expected, rtol=1e-10, atol=1e-13)


def test_every_row_ignored_gives_nan_as_pytorch():
    with np.errstate(invalid="ignore", divide="ignore"):
        loss = F.cross_entropy(mg.zeros(2, 3), [-100, -100])
    assert np.isnan(loss.item())
    assert F.cross_entropy(mg.zeros(2, 3), [-100, -100], reduction="sum").item() == 0.0


def test_nll_loss_weight_and_ignore_index():
    log_probs = mg.tensor(np.log([[0.2, 0.8], [0.6, 0.4], [0.5, 0.5]]), requires_grad=True)
    loss = F.nll_loss(log_probs, np.array([1, 0, 1]), weight=np.array([2.0, 1.0]),
                      ignore_index=0)  # row 1 ignored; the others weigh 1
    assert loss.item() == pytest.approx(-(np.log(0.8) + np.log(0.5)) / 2, rel=1e-15)
    loss.backward()
    np.testing.assert_array_equal(log_probs.grad.data, [[0, -0.5], [0, 0], [0, -0.5]])
    module = mg.nn.NLLLoss(weight=np.array([2.0, 1.0]), ignore_index=0)
    assert module(log_probs, np.array([1, 0, 1])).item() == loss.item()


def test_weight_and_ignore_index_errors():
    with pytest.raises(ValueError, match=r"one number per class, shape \(4,\)"):
        F.cross_entropy(LOGITS, np.array([0, 1, 2]), weight=np.ones(3))
    with pytest.raises(TypeError, match="reduction='sum'"):
        F.cross_entropy(LOGITS, np.array([0, 1, 2]), "sum")  # the old positional reduction
    with pytest.raises(ValueError, match="ignore_index=1 applies to class indices only"):
        F.cross_entropy(LOGITS, np.full((3, 4), 0.25), ignore_index=1)
    with pytest.raises(ValueError, match=r"class index -1 is out of range .*ignore_index=-100"):
        F.cross_entropy(LOGITS, np.array([0, -1, 1]))
    with pytest.raises(ValueError, match="target.detach()"):
        F.cross_entropy(LOGITS, np.array([0, 1, 2]), weight=mg.ones(4, requires_grad=True))
    assert np.isfinite(F.cross_entropy(LOGITS, np.array([0, -1, 1]), ignore_index=-1).item())


# ----- scores with positions: (N, C, d1, ..., dk), as PyTorch takes them ---------------

def _per_position(x, index, weight=None, ignore_index=-100):
    """Cross-entropy at every position of (N, C, d1, ...) scores, from its definition by
    hand: -w[t] log softmax(x[n, :, i...])[t], and the weight of each position kept."""
    classes_last = np.moveaxis(x, 1, -1)
    log_p = classes_last - classes_last.max(-1, keepdims=True)
    log_p = log_p - np.log(np.exp(log_p).sum(-1, keepdims=True))
    w = np.ones(x.shape[1]) if weight is None else weight
    kept = index != ignore_index
    safe = np.where(kept, index, 0)
    losses = -np.take_along_axis(log_p, safe[..., None], -1)[..., 0] * w[safe] * kept
    return losses, w[safe] * kept


@pytest.mark.parametrize("fused", [True, False])
@pytest.mark.parametrize("options", [{}, {"weight": WEIGHT, "ignore_index": 3}])
def test_scores_with_positions_are_one_row_per_position(rng, fused, options):
    x0 = rng.standard_normal((2, C, 3, 4)) * 2
    index = rng.integers(0, C, (2, 3, 4))
    losses, kept = _per_position(x0, index, **options)
    for reduction, expected in (("none", losses), ("sum", losses.sum()),
                                ("mean", losses.sum() / kept.sum())):
        loss = F.cross_entropy(mg.tensor(x0), index, reduction=reduction, fused=fused, **options)
        assert loss.shape == np.shape(expected)
        np.testing.assert_allclose(loss.data, expected, rtol=1e-12)
    # the gradient, p - y at each position over the weight kept in all: moved to axis 1
    x = mg.tensor(x0, requires_grad=True)
    F.cross_entropy(x, index, fused=fused, **options).backward()
    p = np.exp(x0 - x0.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    y = np.moveaxis(np.eye(C)[index], -1, 1)
    per_position_weight = np.expand_dims(kept, 1)
    np.testing.assert_allclose(x.grad.data, per_position_weight * (p - y) / kept.sum(),
                               rtol=1e-12, atol=1e-15)


def test_scores_with_positions_gradcheck_to_second_order(rng):
    x = rng.standard_normal((2, C, 3))
    index = rng.integers(0, C, (2, 3))
    soft = rng.random((2, C, 3))
    soft /= soft.sum(axis=1, keepdims=True)
    losses = [lambda x: F.cross_entropy(x, index),
              lambda x: F.cross_entropy(x, soft, reduction="sum", label_smoothing=0.1),
              lambda x: F.nll_loss(mg.log_softmax(x, axis=1), index, weight=WEIGHT)]
    for loss in losses:
        assert mg.testing.gradcheck(loss, x)
        assert _second_order(loss, x, rng)


def test_sequence_scores_match_the_flattened_rows(rng):
    """A language model's (B, T, C) logits: F.cross_entropy(logits.transpose(1, 2), y)
    is the same loss as the rows flattened, PyTorch's other spelling of it."""
    logits = mg.tensor(rng.standard_normal((3, 5, C)), requires_grad=True)
    y = rng.integers(0, C, (3, 5))
    by_positions = F.cross_entropy(logits.transpose(1, 2), y)
    by_rows = F.cross_entropy(logits.reshape(-1, C), y.reshape(-1))
    assert by_positions.item() == pytest.approx(by_rows.item(), rel=1e-14)
    by_positions.backward()
    g = logits.grad.data.copy()
    logits.grad = None
    by_rows.backward()
    np.testing.assert_allclose(g, logits.grad.data, rtol=1e-13, atol=1e-16)


def test_scores_with_positions_name_the_target_shape_they_need():
    x = mg.zeros(2, C, 3)
    with pytest.raises(ValueError, match=r"class indices of shape \(2, 3\).*got a target of shape \(2,\)"):
        F.cross_entropy(x, np.array([0, 1]))
    with pytest.raises(ValueError, match=r"probabilities of shape \(2, 5, 3\)"):
        F.nll_loss(x, np.full((2, 3, C), 0.2))
    with pytest.raises(ValueError, match="class index 9 is out of range"):
        F.cross_entropy(x, np.full((2, 3), 9))
