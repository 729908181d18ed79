"""Graphviz source for a drawing, for people who have `dot` (minigrad never runs it)."""
from minigrad.draw.labels import FONT_SIZE
from minigrad.draw.svg import COLOURS


def to_dot(nodes, lines, roles, edges, notes):
    """The `digraph` text: one node per box (same label lines), one edge per input.

    Args:
        nodes, lines, roles, edges, notes: as for `svg.render`.
    """
    out = ["digraph minigrad {"]
    graph = ["rankdir=TB"]
    if notes:
        graph += ["labelloc=t", f"label={_quote(' '.join(notes))}"]
    out.append(f"  graph [{', '.join(graph)}];")
    out.append('  node [shape=box, style="rounded,filled", fontname="DejaVu Sans Mono", '
               f"fontsize={FONT_SIZE - 2}];")
    for node, node_lines, role in zip(nodes, lines, roles):
        fill, stroke = COLOURS[role]
        label = "\n".join("".join(text for text, _ in line) for line in node_lines)
        style = ', style="rounded,filled,dashed"' if node.released or node.missing else ""
        out.append(f'  v{node.number} [label={_quote(label)}, fillcolor="{fill}", '
                   f'color="{stroke}"{style}];')
    for a, b in edges:
        out.append(f"  v{a.number} -> v{b.number};")
    out.append("}")
    return "\n".join(out) + "\n"


def _quote(text):
    r"""A DOT string literal: quotes and backslashes escaped, newlines as \n.

    >>> print(_quote('say "hi"\\n'))
    "say \"hi\"\\n"
    """
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'
