"""Spec rows for the softmax family and the losses built on it.

logsumexp, softmax, log_softmax on every axis form, also with rows shifted far from 0
(stability is part of the contract); SoftmaxNLL through cross_entropy (fused and
unfused, class indices and probability rows, every reduction, label smoothing); nll_loss,
mse_loss and BinaryCrossEntropyWithLogits.
"""
import numpy as np
from hypothesis import strategies as st

import minigrad as mg
from minigrad.nn import functional as F
from minigrad.ops import BinaryCrossEntropyWithLogits, LogSoftmax, LogSumExp, Softmax, SoftmaxNLL
from minigrad.ops.reductions import normalize_axis
from tests.op_specs.spec import Case, OpSpec, arrays, axis_and_keepdims, reals, shapes

REDUCTIONS = ("mean", "sum", "none")


def _np_logsumexp(x, axis=None, keepdims=False):
    m = np.max(x, axis=axis, keepdims=True)
    z = m + np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True))
    return z if keepdims else np.squeeze(z, axis=axis)


def _np_log_softmax(x, axis):
    shifted = x - np.max(x, axis=axis, keepdims=True)  # before the log: exact far from 0
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


def _np_softmax(x, axis):
    e = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


def _np_reduce(rows, reduction):
    return {"mean": np.mean, "sum": np.sum, "none": np.asarray}[reduction](rows)


@st.composite
def logsumexp_cases(draw):
    x = draw(arrays(draw(shapes()), reals(-3.0, 3.0)))
    axis, keepdims = draw(axis_and_keepdims(x.ndim))
    op = LogSumExp(normalize_axis(axis, x.ndim, "logsumexp"), keepdims)
    return Case((x,), lambda x: _np_logsumexp(x, axis, keepdims), op=op,
                fn=lambda x: mg.logsumexp(x, axis, keepdims))


def _along_axis(cls, public, reference, shift=st.just(0.0)):
    """Cases along one axis; `shift` moves every value by a constant (nothing may change)."""
    @st.composite
    def cases(draw):
        x = draw(arrays(draw(shapes(min_dims=1)), reals(-3.0, 3.0))) + draw(shift)
        axis = draw(st.integers(-x.ndim, x.ndim - 1))
        return Case((x,), lambda x: reference(x, axis), op=cls(axis % x.ndim),
                    fn=lambda x: public(x, axis))
    return cases()


# Far from 0, a central difference loses |x| * 1e-16 / eps of accuracy: 1e-7 at |x| = 1e3.
SHIFTS = st.sampled_from([-1000.0, 300.0, 1000.0])


# ----- losses ----------------------------------------------------------------------------

@st.composite
def class_problem(draw, smoothing=st.sampled_from([0.0, 0.0, 0.2])):
    """Logits (N, C) and the loss's options: a target (class indices, some of them
    ignored, or probability rows), class weights or None, ignore_index, smoothing and
    reduction."""
    n, c = draw(st.integers(1, 4)), draw(st.integers(1, 5))
    x = draw(arrays((n, c), reals(-3.0, 3.0)))
    ignore_index = -100
    if draw(st.booleans()):
        target = np.array(draw(st.lists(st.integers(0, c - 1), min_size=n, max_size=n)))
        if draw(st.booleans()):  # some rows ignored, never the first (a mean over none is nan)
            ignore_index = draw(st.sampled_from([-100, -1] + list(range(c))))
            ignored = np.array([False] + draw(st.lists(st.booleans(), min_size=n - 1,
                                                        max_size=n - 1)))
            ignored &= target != ignore_index
            target = np.where(ignored, ignore_index, target)
            if target[0] == ignore_index:
                target[0] = (ignore_index + 1) % c
    else:
        weights = draw(arrays((n, c), reals(0.1, 1.0)))
        target = weights / weights.sum(axis=1, keepdims=True)
    weight = draw(st.none() | arrays((c,), reals(0.25, 2.0)))
    return dict(x=x, target=target, weight=weight, ignore_index=ignore_index,
                label_smoothing=draw(smoothing), reduction=draw(st.sampled_from(REDUCTIONS)))


def np_cross_entropy(log_p, target, weight, ignore_index, label_smoothing, reduction):
    """PyTorch's definition, term by term (aten/src/ATen/native/LossNLL.cpp)."""
    n, c = log_p.shape
    eps, w = label_smoothing, np.ones(c) if weight is None else weight
    w = w.astype(log_p.dtype)
    if target.dtype.kind == "f":
        y = (1 - eps) * target.astype(log_p.dtype) + eps / c
        rows = -(log_p * y * w).sum(axis=1)
        return rows.sum() / n if reduction == "mean" else _np_reduce(rows, reduction)
    kept = target != ignore_index
    safe = np.where(kept, target, 0)
    nll = np.where(kept, -w[safe] * log_p[np.arange(n), safe], 0)
    smooth = np.where(kept, -(log_p * w).sum(axis=1), 0)
    rows = (1 - eps) * nll + eps / c * smooth
    if reduction == "mean":
        return rows.sum() / np.where(kept, w[safe], 0).sum()
    return _np_reduce(rows, reduction)


def _loss_options(problem):
    return {key: problem[key]
            for key in ("weight", "ignore_index", "label_smoothing", "reduction")}


@st.composite
def cross_entropy_cases(draw, fused):
    problem = draw(class_problem())
    target, options = problem["target"], _loss_options(problem)

    def reference(x):
        return np_cross_entropy(_np_log_softmax(x, 1), target, **options)
    op = None
    if fused:
        op = SoftmaxNLL(target, problem["reduction"], problem["label_smoothing"],
                        problem["weight"], problem["ignore_index"])
    return Case((problem["x"],), reference, op=op,
                fn=lambda x: F.cross_entropy(x, target, fused=fused, **options))


@st.composite
def nll_cases(draw):
    problem = draw(class_problem(smoothing=st.just(0.0)))
    target, options = problem["target"], _loss_options(problem)
    del options["label_smoothing"]
    return Case((problem["x"],), lambda x: np_cross_entropy(x, target, label_smoothing=0.0,
                                                            **options),
                fn=lambda x: F.nll_loss(x, target, **options))


@st.composite
def mse_cases(draw):
    shape = draw(shapes())
    x, t = draw(arrays(shape)), draw(arrays(shape))
    reduction = draw(st.sampled_from(REDUCTIONS))
    return Case((x, t), lambda x, t: _np_reduce((x - t) ** 2, reduction),
                fn=lambda x, t: F.mse_loss(x, t, reduction))


def _np_bce_with_logits(x, y):
    q = 1 / (1 + np.exp(-x))
    return -(y * np.log(q) + (1 - y) * np.log(1 - q))


@st.composite
def bce_cases(draw):
    shape = draw(shapes())
    x = draw(arrays(shape, reals(-4.0, 4.0)))
    y = draw(arrays(shape, reals(0.0, 1.0)))
    reduction = draw(st.sampled_from(REDUCTIONS))
    return Case((x,), lambda x: _np_reduce(_np_bce_with_logits(x, y.astype(x.dtype)), reduction),
                op=BinaryCrossEntropyWithLogits(y) if reduction == "none" else None,
                fn=lambda x: F.binary_cross_entropy_with_logits(x, y, reduction))


SPECS = [
    OpSpec("logsumexp", LogSumExp, logsumexp_cases(), forward_rtol=1e-14),
    OpSpec("softmax", Softmax,
           _along_axis(Softmax, mg.softmax, _np_softmax),
           forward_rtol=1e-14),
    OpSpec("softmax/shifted", Softmax,
           _along_axis(Softmax, mg.softmax, _np_softmax, SHIFTS),
           atol=1e-5, forward_rtol=1e-12),
    OpSpec("log_softmax", LogSoftmax, _along_axis(LogSoftmax, mg.log_softmax, _np_log_softmax),
           forward_rtol=1e-14),
    OpSpec("log_softmax/shifted", LogSoftmax,
           _along_axis(LogSoftmax, mg.log_softmax, _np_log_softmax, SHIFTS),
           atol=1e-5, forward_rtol=1e-12),
    OpSpec("cross_entropy/fused", SoftmaxNLL, cross_entropy_cases(fused=True),
           forward_rtol=1e-12),
    OpSpec("cross_entropy/unfused", None, cross_entropy_cases(fused=False), forward_rtol=1e-12),
    OpSpec("nll_loss", None, nll_cases(), forward_rtol=1e-14),
    OpSpec("mse_loss", None, mse_cases(), forward_rtol=1e-14),
    OpSpec("bce_with_logits", BinaryCrossEntropyWithLogits, bce_cases(), forward_rtol=1e-12),
]
