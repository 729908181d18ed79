"""The SVG text of a drawing: boxes, labels and arrows at the coordinates place.py chose.

Styling is written as presentation attributes on the elements rather than a <style>
sheet, so the picture looks the same inline in a notebook, in an <img>, or in a
converter that ignores CSS. Every box is a `<g class="node">` with `data-name` and
`data-number` (the 7 of v7); every arrow a `<path class="edge">` with `data-from` and
`data-to` (v-numbers) and `data-route` ("bus" for one down the side), one per input.
"""
from xml.sax.saxutils import escape, quoteattr

from minigrad.draw.labels import FONT_FAMILY, FONT_SIZE, LINE_HEIGHT, PAD_Y, text_width
from minigrad.draw.place import MARGIN

# (fill, stroke) of a box by its role.
COLOURS = {
    "op": ("#eef3fc", "#5b7fbf"),
    "output": ("#e5f4e3", "#4b9a45"),
    "parameter": ("#fff3d1", "#c49516"),
    "input": ("#f3f3f3", "#9a9a9a"),
}
TEXT_COLOURS = {"name": "#111111", "number": "#777777", "op": "#1d3d73", "meta": "#555555",
                "warn": "#b03030", "value": "#333333"}
NOTE_COLOUR = "#b03030"
ARROW = ('<marker id="minigrad-arrow" viewBox="0 0 10 10" refX="10" refY="5" '
         'markerWidth="6" markerHeight="6" orient="auto"><path d="M0,0 L10,5 L0,10 z" '
         'fill="#666666"/></marker>')
BASELINE = 12  # px from a line's top to its baseline: centres the 14 px-tall glyph box


def note_height(notes):
    """px the notes take above the picture."""
    return len(notes) * LINE_HEIGHT + (4 if notes else 0)


def render(nodes, lines, roles, edges, placement, notes):
    """The SVG document.

    Args:
        nodes: the drawn `walk.Node`s; lines: each one's label lines (labels.node_lines);
        roles: each one's key of COLOURS; edges: (input Node, Node) pairs;
        placement: a `place.Placement`; notes: lines of text to show above the picture.
    """
    width = max([placement.width] + [text_width(n) + 2 * MARGIN for n in notes])
    height = placement.height
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" '
           f'height="{height:.0f}" viewBox="0 0 {width:.0f} {height:.0f}" '
           f'font-family="{FONT_FAMILY}" font-size="{FONT_SIZE}">',
           f"<defs>{ARROW}</defs>",
           f'<rect width="100%" height="100%" fill="#ffffff"/>']
    for i, note in enumerate(notes):
        out.append(f'<text class="note" x="{MARGIN}" y="{MARGIN + i * LINE_HEIGHT + BASELINE}" '
                   f'fill="{NOTE_COLOUR}">{escape(note)}</text>')
    out.append('<g class="edges" fill="none" stroke="#666666" stroke-width="1.2">')
    for (a, b), route, bus in zip(edges, placement.routes, placement.on_bus):
        out.append(f'<path class="edge" data-from="v{a.number}" data-to="v{b.number}" '
                   f'data-route="{"bus" if bus else "layers"}" d="{route}" '
                   'marker-end="url(#minigrad-arrow)"/>')
    out.append("</g>")
    out.append('<g class="nodes">')
    for node, node_lines, role, box in zip(nodes, lines, roles, placement.boxes):
        out.append(_box(node, node_lines, role, box))
    out.append("</g></svg>")
    return "\n".join(out)


def _box(node, lines, role, box):
    left, top, w, h = box
    fill, stroke = COLOURS[role]
    dash = ' stroke-dasharray="4 3"' if node.released or node.missing else ""
    parts = [f'<g class="node" data-name={quoteattr(node.name)} '
             f'data-number="{node.number}" data-role="{role}">',
             f"<title>{escape(_title(node))}</title>",
             f'<rect class="box" x="{left:.1f}" y="{top:.1f}" width="{w:.1f}" '
             f'height="{h:.1f}" rx="4" fill="{fill}" stroke="{stroke}"{dash}/>']
    centre = left + w / 2
    for i, line in enumerate(lines):
        spans = "".join(_span(text, kind) for text, kind in line)
        y = top + PAD_Y + i * LINE_HEIGHT + BASELINE
        parts.append(f'<text class="label" x="{centre:.1f}" y="{y:.1f}" '
                     f'text-anchor="middle" xml:space="preserve">{spans}</text>')
    parts.append("</g>")
    return "".join(parts)


def _title(node):
    """The tooltip: the box's line of `print(tape)`, after its name if it has one."""
    named = node.name != f"v{node.number}"
    return (f"{node.name}: " if named else "") + node.line()


def _span(text, kind):
    bold = ' font-weight="bold"' if kind == "name" else ""
    return f'<tspan fill="{TEXT_COLOURS[kind]}"{bold}>{escape(text)}</tspan>'
