"""Anomaly mode: the first op that makes inf/NaN from finite values is named, with the line
of user code that applied it; off, op application is exactly the engine's own."""
import numpy as np
import pytest

import minigrad as mg
from minigrad.primitive import Primitive

pytestmark = pytest.mark.usefixtures("each_engine")


class Model(mg.nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = mg.nn.Linear(3, 4, rng=0)
        self.out = mg.nn.Linear(4, 1, rng=1)

    def forward(self, x):
        h = mg.tanh(self.hidden(x))
        h = h * mg.log(h - h)  # the planted bug: log(0)
        return self.out(h).sum()


def test_a_planted_log_of_zero_is_named_with_its_line_of_code():
    with np.errstate(all="ignore"), mg.detect_anomaly():
        with pytest.raises(mg.AnomalyError) as info:
            Model()(mg.randn(5, 3, rng=2))
    message = str(info.value)
    assert "'log' made inf/NaN in its forward output from finite values" in message
    assert "tape entry: v" in message and "= log(v" in message
    assert "input 0: shape (5, 4), dtype float64, values in [0, 0]" in message
    assert "test_anomaly.py:" in message and "h = h * mg.log(h - h)" in message


def test_without_the_mode_the_nan_passes_silently():
    with np.errstate(all="ignore"):
        loss = Model()(mg.randn(5, 3, rng=2))
    assert np.isnan(loss.item())


def test_a_vjp_that_makes_inf_is_caught_at_backward():
    x = mg.tensor([0.0, 4.0], requires_grad=True)
    with np.errstate(all="ignore"), mg.detect_anomaly():
        y = mg.sqrt(x).sum()           # finite forward: sqrt(0) = 0
        with pytest.raises(mg.AnomalyError, match=r"'sqrt' made inf/NaN in its VJP result "
                                                  r"\(during backward\)") as info:
            y.backward()
    assert "y = mg.sqrt(x).sum()" in str(info.value)
    assert x.grad is None


def test_a_jvp_that_makes_inf_is_caught():
    with np.errstate(all="ignore"), mg.detect_anomaly():
        with pytest.raises(mg.AnomalyError, match="'sqrt' made inf/NaN in its JVP result"):
            mg.jvp(mg.sqrt, (mg.tensor([0.0, 1.0]),), (np.ones(2),))


def test_nan_that_was_already_in_the_inputs_is_not_blamed_on_the_op():
    with np.errstate(all="ignore"), mg.detect_anomaly():
        y = mg.exp(mg.tensor([np.nan, 1.0], requires_grad=True))
    assert np.isnan(y.data[0])


def test_the_mode_is_a_decorator_and_off_it_leaves_op_application_untouched():
    before = Primitive.__call__

    @mg.detect_anomaly()
    def bad():
        return mg.log(mg.zeros(2))
    with np.errstate(all="ignore"), pytest.raises(mg.AnomalyError):
        bad()
    assert Primitive.__call__ is before  # off: exactly the engine's own function again
