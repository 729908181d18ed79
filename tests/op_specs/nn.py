"""Spec rows for the activations in minigrad/nn: the Erf primitive, GELU built on it, and
leaky_relu (composed from where)."""
import math

import numpy as np
from hypothesis import strategies as st

from minigrad.nn.activation import gelu, leaky_relu
from minigrad.ops.special import Erf, erf
from tests.op_specs.core import unary
from tests.op_specs.spec import Case, OpSpec, arrays, reals, shapes

_erf_float64 = np.vectorize(math.erf, otypes=[np.float64])


def np_erf(x):
    return _erf_float64(x).astype(x.dtype)


def np_gelu(x):
    return 0.5 * x * (1 + np_erf(x * (1 / math.sqrt(2))))


def np_gelu_tanh(x):
    return 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x * x * x)))


def gelu_spec(name, approximate, reference):
    @st.composite
    def cases(draw):
        x = draw(arrays(draw(shapes()), reals(-3.0, 3.0)))
        return Case((x,), reference, fn=lambda x: gelu(x, approximate))
    return OpSpec(name, None, cases())


@st.composite
def leaky_relu_cases(draw):
    x = draw(arrays(draw(shapes()), reals(-3.0, 3.0, avoid=(0.0,))))
    slope = draw(st.sampled_from([0.01, 0.2, 1.5]))
    return Case((x,), lambda x: np.where(x > 0, x, x * x.dtype.type(slope)),
                fn=lambda x: leaky_relu(x, slope))


SPECS = [
    unary("erf", Erf, erf, np_erf, reals(-3.0, 3.0)),
    gelu_spec("gelu", "none", np_gelu),
    gelu_spec("gelu/tanh", "tanh", np_gelu_tanh),
    OpSpec("leaky_relu", None, leaky_relu_cases(), forward_rtol=0),
]
