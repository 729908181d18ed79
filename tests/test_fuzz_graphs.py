"""A seeded fuzz over random expression graphs, so every mode keeps agreeing.

Each drawn program is 20 to 60 ops from the op table over two inputs, with fan-out (any
earlier value may be reused), broadcasting ((2, 3) against (3,), (2, 1) and scalars),
reductions (kept dims), indexing (slices and repeated integer indices), softmax and
matmul. For each: reverse mode against forward mode to rounding, both against central
differences, the Hessian by reverse over reverse against forward over reverse, and the
fast engine's gradients identical bit for bit across two runs.
"""
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad as mg

SHAPES = [(2, 3), (3,), (2, 1), ()]
MASK = np.array([[True, False, True], [False, True, True]])
REPEATED = np.array([2, 0, 2])


def _unary(name):
    """Smooth on every real input, bounded where an unbounded op would overflow."""
    return {
        "tanh": mg.tanh, "sin": mg.sin, "cos": mg.cos, "sigmoid": mg.sigmoid,
        "exp_tanh": lambda x: mg.exp(mg.tanh(x)),
        "log1p_square": lambda x: mg.log(x * x + 1.0),
        "sqrt1p_square": lambda x: mg.sqrt(x * x + 1.0),
        "negative": lambda x: -x,
        "scale": lambda x: x * 0.7,
    }[name]


def _binary(name):
    return {
        "add": lambda x, y: x + y, "subtract": lambda x, y: x - y,
        "multiply": lambda x, y: x * y,
        "divide": lambda x, y: x / (y * y + 1.0),
        "where": lambda x, y: mg.where(MASK, x, y),
    }[name]


def _full(x):
    """Any value broadcast up to (2, 3), for the ops that need that shape."""
    return mg.broadcast_to(x, (2, 3)) if x.shape != (2, 3) else x


def _shaped(name, x):
    """(result) of an op that changes the shape; always one of SHAPES."""
    if name == "sum_rows":
        return _full(x).sum(axis=0)                       # (3,)
    if name == "mean_cols":
        return _full(x).mean(axis=1, keepdims=True)       # (2, 1)
    if name == "logsumexp_all":
        return mg.logsumexp(x)                            # ()
    if name == "softmax":
        return mg.softmax(_full(x), axis=1)               # (2, 3)
    if name == "pick":
        return _full(x)[:, REPEATED]                      # repeated columns, (2, 3)
    if name == "row":
        return _full(x)[1]                                # (3,)
    if name == "matmul":
        return _full(x) @ mg.tensor(np.eye(3) * 0.5 + 0.1)  # (2, 3)
    raise ValueError(name)


UNARY = ["tanh", "sin", "cos", "sigmoid", "exp_tanh", "log1p_square", "sqrt1p_square",
         "negative", "scale"]
BINARY = ["add", "subtract", "multiply", "divide", "where"]
SHAPED = ["sum_rows", "mean_cols", "logsumexp_all", "softmax", "pick", "row", "matmul"]


@st.composite
def programs(draw):
    """(instructions, output indices): instruction k makes value 2 + k from earlier ones."""
    n_ops = draw(st.integers(20, 60))
    instructions = []
    for k in range(n_ops):
        available = 2 + k
        kind = draw(st.sampled_from(["unary", "binary", "binary", "shaped"]))
        first = draw(st.integers(0, available - 1))
        if kind == "unary":
            instructions.append(("unary", draw(st.sampled_from(UNARY)), (first,)))
        elif kind == "binary":
            second = draw(st.integers(0, available - 1))
            instructions.append(("binary", draw(st.sampled_from(BINARY)), (first, second)))
        else:
            instructions.append(("shaped", draw(st.sampled_from(SHAPED)), (first,)))
    outputs = draw(st.lists(st.integers(2, 1 + n_ops), min_size=1, max_size=4))
    return instructions, outputs


def run(program, x, y):
    """The program as a scalar function of its two inputs."""
    instructions, outputs = program
    values = [x, y]
    for kind, name, args in instructions:
        operands = [values[i] for i in args]
        if kind == "unary":
            values.append(_unary(name)(*operands))
        elif kind == "binary":
            a, b = operands
            if name == "where":
                a, b = _full(a), _full(b)
            values.append(_binary(name)(a, b))
        else:
            values.append(_shaped(name, *operands))
    return sum(values[i].sum() for i in outputs) + (values[-1] * values[-1]).sum()


@settings(max_examples=200, deadline=None)
@given(program=programs(), seed=st.integers(0, 2 ** 16))
def test_random_graphs_agree_in_every_mode(program, seed):
    """Directional checks (one random direction per graph keeps it to seconds): the
    derivative along v by reverse mode <grad f, v>, by forward mode J v, and by central
    differences; the Hessian along v by reverse over reverse and forward over reverse."""
    rng = np.random.default_rng(seed)
    x, y = rng.uniform(-1, 1, (2, 3)), rng.uniform(-1, 1, (3,))
    vx, vy = rng.standard_normal((2, 3)), rng.standard_normal(3)
    f = lambda a, b: run(program, a, b)  # noqa: E731

    gx, gy = mg.grad(f, argnums=(0, 1))(mg.tensor(x), mg.tensor(y))
    reverse = np.sum(gx.data * vx) + np.sum(gy.data * vy)
    forward = mg.jvp(f, (mg.tensor(x), mg.tensor(y)), (vx, vy))[1].item()
    eps = 1e-6
    with mg.no_grad():
        numeric = (f(mg.tensor(x + eps * vx), mg.tensor(y + eps * vy)).item()
                   - f(mg.tensor(x - eps * vx), mg.tensor(y - eps * vy)).item()) / (2 * eps)
    scale = 1 + abs(reverse)
    assert abs(forward - reverse) <= 1e-11 * scale, (forward, reverse)
    assert abs(numeric - reverse) <= 1e-5 * scale, (numeric, reverse)

    g = lambda a: f(a, mg.tensor(y))  # noqa: E731
    rev_rev = mg.grad(lambda a: (mg.grad(g)(a) * vx).sum())(mg.tensor(x)).data
    fwd_rev = mg.jvp(mg.grad(g), (mg.tensor(x),), (vx,))[1].data
    np.testing.assert_allclose(fwd_rev, rev_rev, rtol=1e-9,
                               atol=1e-10 * (1 + np.abs(rev_rev).max()))

    again = mg.grad(f, argnums=(0, 1))(mg.tensor(x), mg.tensor(y))
    for first, second in zip((gx, gy), again):  # the fast engine, bit for bit
        np.testing.assert_array_equal(first.data, second.data)
