"""`mg.Tape`: the Wengert list printed, counted, walked and differentiated."""
import re

import numpy as np
import pytest

import minigrad as mg

pytestmark = pytest.mark.usefixtures("each_engine")  # every test, on both engines

LINE = re.compile(r"^v(\d+) = (\w+)(?:\((.*)\))?\s+\(([\d, ]*)\) (\w+)$")


def parse(tape):
    """{name: (op, argument list, shape, dtype)} and the names in printed order."""
    rows, order = {}, []
    for line in str(tape).splitlines():
        match = LINE.match(line)
        assert match, f"not a Wengert line: {line!r}"
        number, op, args, shape, dtype = match.groups()
        shape = tuple(int(n) for n in shape.replace(" ", "").split(",") if n)
        rows[f"v{number}"] = (op, [] if args is None else args.split(", "), shape, dtype)
        order.append(f"v{number}")
    return rows, order


def test_print_shows_the_readme_line_for_a_matmul():
    a = mg.randn(64, 20, rng=0, requires_grad=True, dtype=np.float32)
    b = mg.randn(20, 10, rng=1, requires_grad=True, dtype=np.float32)
    with mg.Tape() as tape:
        z = mg.relu(a @ b).sum()
    rows, order = parse(tape)
    assert len(rows) == 5  # two inputs, three ops
    (name, (op, args, shape, dtype)), = [(n, r) for n, r in rows.items() if r[0] == "matmul"]
    assert (shape, dtype) == ((64, 10), "float32")
    assert [rows[v][2] for v in args] == [(64, 20), (20, 10)]
    assert all(rows[v][0] == "input" for v in args)
    matmul_line = next(line for line in str(tape).splitlines() if "matmul" in line)
    assert re.fullmatch(rf"{name} = matmul\({args[0]}, {args[1]}\)\s+\(64, 10\) float32",
                        matmul_line)
    assert z.shape == () and rows[order[-1]][0] == "sum"


def test_printout_is_a_numbered_wengert_list():
    x = mg.tensor([0.5, 1.5], requires_grad=True)
    w = mg.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    with mg.Tape() as tape:
        h = mg.tanh(w @ x)
        y = (h * h + mg.exp(x)).sum()
    rows, order = parse(tape)
    assert sorted(int(v[1:]) for v in order) == list(range(len(order)))  # v0, v1, ... once each
    seen = set()
    for name in order:  # every argument names an earlier line (or is a constant)
        op, args, _, _ = rows[name]
        for arg in args:
            if re.fullmatch(r"v\d+", arg):
                assert arg in seen
        seen.add(name)
    ops = [rows[n][0] for n in order if rows[n][0] != "input"]
    assert len(ops) == len(tape)
    assert sorted(ops) == sorted(e.op for e in tape)
    assert {"matmul", "tanh", "multiply", "exp", "add", "sum"} <= set(ops)
    assert rows[order[-1]][2:] == ((), "float64")
    assert y.item() == pytest.approx(float(np.sum(np.tanh(w.data @ x.data) ** 2
                                                  + np.exp(x.data))), rel=1e-15)


def test_constants_print_by_value_or_shape():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    with mg.Tape() as tape:
        (x * 2.5 + np.ones(2)).sum()
    text = str(tape)
    assert re.search(r"= multiply\(v\d+, 2\.5\)", text)
    assert re.search(r"= add\(v\d+, const\(2,\)\)", text)


def test_len_iteration_and_entry_fields():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    c = mg.tensor([3.0, 4.0])
    with mg.Tape() as tape:
        h = x * c
        s = mg.sin(h)
        y = s.sum()
    assert len(tape) == 3 and len(list(tape)) == 3
    by_output = {id(e.output): e for e in tape}
    assert set(by_output) == {id(h), id(s), id(y)}
    assert by_output[id(h)].op == "multiply"
    assert by_output[id(h)].inputs[0] is x and by_output[id(h)].inputs[1] is c
    assert by_output[id(s)].op == "sin" and by_output[id(s)].inputs[0] is h
    assert by_output[id(y)].op == "sum" and by_output[id(y)].inputs[0] is s
    assert tape[0].output is h  # recording order: inputs before the ops that use them


def test_only_recorded_ops_appear():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    c = mg.tensor([1.0, 2.0])
    with mg.Tape() as tape:
        c * 2.0  # no input requires grad
        x > 1.0  # comparisons are not differentiable
        with mg.no_grad():
            x * 2.0
        x * 3.0
    assert [e.op for e in tape] == ["multiply"]


def test_nested_tapes_both_record_and_exit_on_error():
    x = mg.tensor([1.0], requires_grad=True)
    with mg.Tape() as outer:
        a = x * 2.0
        with pytest.raises(KeyError):
            with mg.Tape() as inner:
                mg.exp(a)
                raise KeyError
        mg.sin(a)
    assert [e.op for e in inner] == ["exp"]
    assert sorted(e.op for e in outer) == ["exp", "multiply", "sin"]
    a * 3.0  # both tapes are closed now
    assert len(outer) == 3 and len(inner) == 1


def test_gradient_matches_closed_form_and_leaves_grad_untouched():
    x = mg.tensor([0.3, -0.8], requires_grad=True)
    y = mg.tensor([2.0, 0.5], requires_grad=True)
    with mg.Tape() as tape:
        h = x * y
        out = (mg.sin(h) + y).sum()
    gx, gy, gh = tape.gradient(out, [x, y, h])
    np.testing.assert_allclose(gx.data, np.cos(x.data * y.data) * y.data, rtol=1e-15)
    np.testing.assert_allclose(gy.data, np.cos(x.data * y.data) * x.data + 1, rtol=1e-15)
    np.testing.assert_allclose(gh.data, np.cos(h.data), rtol=1e-15)
    assert x.grad is None and y.grad is None
    again = tape.gradient(out, x)  # a single source gives a bare tensor; the tape is kept
    np.testing.assert_array_equal(again.data, gx.data)


def test_gradient_of_an_unrelated_source_is_zeros_of_its_shape_and_dtype():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    u = mg.tensor(np.ones((2, 3), np.float32), requires_grad=True)
    with mg.Tape() as tape:
        out = (x * x).sum()
    gu, = tape.gradient(out, [u])
    assert gu.shape == (2, 3) and gu.dtype == np.float32
    np.testing.assert_array_equal(gu.data, 0)


def test_gradient_sees_only_the_entries_on_the_tape():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    h = x * 3.0  # recorded before the tape opened
    with mg.Tape() as tape:
        out = (h * h).sum()
    gh, gx = tape.gradient(out, [h, x])
    np.testing.assert_array_equal(gh.data, 2 * h.data)
    np.testing.assert_array_equal(gx.data, [0.0, 0.0])


def test_gradient_after_a_releasing_backward_says_retain_graph():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    with mg.Tape() as tape:
        out = (x * x).sum()
    out.backward()
    with pytest.raises(RuntimeError, match=r"released.*retain_graph=True"):
        tape.gradient(out, [x])


def test_backward_appends_to_an_open_tape_only_with_create_graph():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    out = (mg.sin(x) * x).sum()
    with mg.Tape() as tape:
        out.backward(retain_graph=True)
        assert len(tape) == 0 and not x.grad.requires_grad
        x.grad = None
        out.backward(create_graph=True)
    assert len(tape) > 0 and x.grad.requires_grad
    assert any(e.output is x.grad for e in tape)
    np.testing.assert_allclose(x.grad.data, np.sin(x.data) + x.data * np.cos(x.data),
                               rtol=1e-15)


def test_repr_counts_entries():
    x = mg.tensor([1.0], requires_grad=True)
    with mg.Tape() as tape:
        mg.exp(mg.exp(x))
    assert repr(tape) == "<Tape with 2 entries>"
    assert str(mg.Tape()) == ""


def test_a_user_op_without_slots_prints_its_own_parameters_only():
    """The engine's fields (needs_grad, saved) are not parameters of the op."""
    class Scale(mg.Primitive):
        def __init__(self, factor):
            self.factor = factor

        def forward(self, x):
            return x * self.factor

        def vjp(self, z_bar, z, x):
            return z_bar * self.factor

        def jvp(self, x_dot, z, x):
            return x_dot * self.factor

    with mg.Tape() as tape:
        Scale(2.5)(mg.tensor([1.0], requires_grad=True))
    assert str(tape).splitlines()[1].startswith("v1 = scale(v0, factor=2.5)")
