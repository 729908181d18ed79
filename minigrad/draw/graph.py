"""`mg.draw` and `mg.Graph`: walk the graph, label the boxes, lay them out, write SVG."""
from __future__ import annotations

import os
import textwrap
from typing import Any, Mapping

from minigrad.draw import dot, svg
from minigrad.draw.labels import box_size, node_lines
from minigrad.draw.layers import Layers
from minigrad.draw.place import Placement
from minigrad.draw.walk import Walk
from minigrad.tape import Tape
from minigrad.tensor import Tensor

MAX_NODES = 2000
NOTE_WIDTH = 100  # characters per line of a note


def draw(target: Tensor | Tape, names: Mapping[str, Tensor] | Any = None, values: bool = False,
         grads: bool = False, max_nodes: int = MAX_NODES) -> Graph:
    """A picture of the computation graph behind `target`, drawn by minigrad itself.

    One box per tensor: its name (from `names`, else `v7` as `print(tape)` numbers it),
    its op and inputs, shape and dtype; one arrow per input, from the leaves at the top
    to the target at the bottom. Constants (arrays and numbers) are not boxes: they
    appear in the op's call, as `print(tape)` writes them (`power(v4, 2)`). Jupyter shows
    the result as SVG; no Graphviz or other program is needed.

    Args:
        target: a Tensor (its graph back to the leaves) or a Tape (its Wengert list).
        names: a dict {name: tensor}, or a Module, whose dotted parameter names
            (`0.weight`) title its parameters' boxes.
        values: show the first few values of every tensor.
        grads: show the first few entries of every `.grad` that is set (and `None` for
            a leaf that requires grad but has none yet).
        max_nodes: draw at most this many tensors, the most recent ones; the picture
            says where it was cut. A graph of 1 000 tensors draws in well under a second.

    Returns:
        A `Graph`.

    Raises:
        TypeError: if `target` is not a Tensor or a Tape, or `names` is not a dict of
            tensors or a Module.
        ValueError: if `max_nodes` is not a positive integer.

    >>> import minigrad as mg
    >>> w = mg.tensor([1.0, 2.0], requires_grad=True)
    >>> loss = (w * w).sum()
    >>> g = mg.draw(loss, names={"w": w})
    >>> g
    <Graph: 3 tensors, 3 arrows>
    >>> g.svg.count('class="node"'), g.svg.count('class="edge"')
    (3, 3)
    """
    if isinstance(max_nodes, bool) or not isinstance(max_nodes, int) or max_nodes < 1:
        raise ValueError(f"mg.draw: max_nodes must be a positive int, not {max_nodes!r}")
    return Graph(Walk(target, names, max_nodes), values, grads, max_nodes)


class Graph:
    """A drawing of a computation graph, as `mg.draw` returns it.

    Jupyter shows it as SVG (`_repr_svg_`), at its natural size. `.svg` is the SVG text, `.save(path)` writes
    it (or Graphviz source for a `.dot` or `.gv` path), `.to_dot()` returns the Graphviz
    source, `.notes` says what the picture leaves out (cut or released parts).

    >>> import minigrad as mg
    >>> x = mg.tensor(3.0, requires_grad=True)
    >>> g = mg.draw(mg.exp(x))
    >>> g.to_dot().splitlines()[-2]
    '  v0 -> v1;'
    """

    def __init__(self, walk: Walk, values: bool = False, grads: bool = False,
                 max_nodes: int = MAX_NODES) -> None:
        self._nodes = walk.nodes
        self._edges = walk.edges()
        self.notes = _notes(walk, max_nodes)
        self._lines = [node_lines(node, values, grads) for node in self._nodes]
        used = {a.index for a, _ in self._edges}
        self._roles = [_role(node, node.index in used) for node in self._nodes]
        pairs = [(a.index, b.index) for a, b in self._edges]
        placement = Placement(Layers(len(self._nodes), pairs),
                              [box_size(lines) for lines in self._lines], pairs,
                              top=svg.note_height(self.notes))
        self.svg = svg.render(self._nodes, self._lines, self._roles, self._edges, placement,
                              self.notes)

    def _repr_svg_(self) -> str:
        return self.svg

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None
                          ) -> tuple[dict[str, str], dict[str, Any]]:
        # "unconfined": JupyterLab shows the picture at its own size (scrolling a wide
        # one) instead of shrinking it to the cell's width, where its text is unreadable.
        return {"image/svg+xml": self.svg}, {"image/svg+xml": {"unconfined": True}}

    def to_dot(self) -> str:
        """The graph as Graphviz source (`dot -Tpng g.dot -o g.png` renders it).

        Returns:
            The text of a `digraph`: the same boxes, labels and arrows as the SVG.
        """
        return dot.to_dot(self._nodes, self._lines, self._roles, self._edges, self.notes)

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the picture to `path`: SVG, or Graphviz source if it ends in .dot or .gv.

        Args:
            path: a file name ending in .svg, .dot or .gv.

        Raises:
            ValueError: for any other ending (minigrad writes no PNG or PDF; convert the
                SVG, or render the .dot file with Graphviz).
        """
        suffix = os.path.splitext(os.fspath(path))[1].lower()
        if suffix not in (".svg", ".dot", ".gv"):
            raise ValueError(
                f"Graph.save: cannot write {os.fspath(path)!r}: minigrad writes .svg (the "
                "picture) or .dot/.gv (Graphviz source); for a PNG, convert the SVG or run "
                "`dot -Tpng g.dot -o g.png`")
        with open(path, "w", encoding="utf-8") as f:
            f.write(self.svg if suffix == ".svg" else self.to_dot())

    def __repr__(self) -> str:
        cut = f", {len(self.notes)} note{'s' * (len(self.notes) > 1)}" if self.notes else ""
        return f"<Graph: {len(self._nodes)} tensors, {len(self._edges)} arrows{cut}>"


def _role(node, used):
    if node.args is None and not node.released:
        return "parameter" if node.tensor.requires_grad else "input"
    return "op" if used else "output"


def _notes(walk, max_nodes):
    """Sentences for what the picture does not show, wrapped to NOTE_WIDTH."""
    notes = []
    if not walk.nodes:
        notes.append("Nothing to draw: the tape recorded no ops (an op is recorded when one "
                     "of its inputs requires grad).")
    if walk.cut:
        first, last = walk.nodes[0].number, walk.nodes[-1].number
        notes.append(
            f"Cut at max_nodes={max_nodes}: drawing the {len(walk.nodes)} most recent of "
            f"{walk.total} tensors, v{first} to v{last}; v0 to v{first - 1} are left out, "
            "and boxes that say 'not drawn' have inputs among them. Pass a larger "
            "max_nodes to draw more.")
    if walk.released:
        notes.append(
            f"{walk.released} tensor{'s' * (walk.released > 1)} (dashed) had "
            f"{'its' if walk.released == 1 else 'their'} inputs freed by a backward() without "
            "retain_graph=True, so the graph above is not known: draw before backward(), or "
            "call backward(retain_graph=True).")
    return [line for note in notes for line in textwrap.wrap(note, NOTE_WIDTH)]
