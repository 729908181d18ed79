"""A Tape's Wengert list as an HTML table, for Jupyter (`Tape._repr_html_`)."""
from __future__ import annotations

from html import escape

from minigrad.draw.walk import Walk
from minigrad.tape import Tape

MAX_ROWS = 400  # a longer list shows its first and last MAX_ROWS // 2 lines

STYLE = ("font-family: 'DejaVu Sans Mono', Menlo, Consolas, monospace; font-size: 12px; "
         "border-collapse: collapse; text-align: left")


def tape_html(tape: Tape, max_rows: int = MAX_ROWS) -> str:
    """The lines of `print(tape)` as an HTML table: name, op and inputs, shape, dtype.

    Args:
        tape: a `mg.Tape`.
        max_rows: show at most this many lines (the first and last halves).

    Returns:
        The HTML text.

    >>> import minigrad as mg
    >>> x = mg.tensor([1.0, 2.0], requires_grad=True)
    >>> with mg.Tape() as tape:
    ...     y = (x * x).sum()
    >>> "<td>v1</td><td>multiply(v0, v0)</td><td>(2,)</td><td>float64</td>" in tape_html(tape)
    True
    """
    nodes = Walk(tape, max_nodes=float("inf")).nodes
    shown = nodes
    if len(nodes) > max_rows:
        shown = nodes[:max_rows // 2] + [None] + nodes[len(nodes) - max_rows // 2:]
    rows = []
    for node in shown:
        if node is None:
            rows.append(f'<tr><td colspan="4">... {len(nodes) - 2 * (max_rows // 2)} lines '
                        "not shown; print(tape) shows them all ...</td></tr>")
            continue
        cells = (f"v{node.number}", node.call(names=False), str(node.tensor.shape),
                 str(node.tensor.dtype))
        rows.append("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in cells) + "</tr>")
    caption = f"Tape: {len(tape)} entries, {len(nodes)} tensors"
    return (f'<table class="minigrad-tape" style="{STYLE}"><caption>{caption}</caption>'
            "<thead><tr><th>name</th><th>= op(inputs)</th><th>shape</th><th>dtype</th></tr>"
            "</thead><tbody>" + "".join(rows) + "</tbody></table>")
