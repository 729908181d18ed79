"""`mg.draw`: a picture of the computation graph, laid out by minigrad itself.

Read in this order, one job per file:

- walk.py: the tensors behind a target, numbered as `print(tape)` numbers them.
- labels.py: what each box says, and how wide that is in the label font.
- layers.py: the layer of each box and the order within layers (fewest crossings).
- place.py: coordinates of boxes and arrows.
- svg.py, dot.py: the SVG picture and the Graphviz source.
- table.py: a Tape's Wengert list as an HTML table, for Jupyter.
- graph.py: `draw` and `Graph`, which put these together.
"""
from minigrad.draw.graph import Graph, draw
from minigrad.draw.table import tape_html

__all__ = ["Graph", "draw", "tape_html"]
