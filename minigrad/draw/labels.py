"""What each box says, and how wide that text is when a browser renders it.

Boxes are sized before any browser sees them, so the text's width must be known in
advance. The labels are set in a monospace font, so width is characters times one
advance: DejaVu Sans Mono (and Menlo, which is drawn from it) advances 1233/2048 em
(0.60205) per character, bold included; Liberation Mono and Courier New 0.600,
Consolas 0.55. The estimate uses the widest, so a box fits in any of them (tests/test_draw_browser.py
measures every label with getBBox in Chromium). East Asian wide characters take two
cells and combining marks none, as in a terminal.
"""
import unicodedata

import numpy as np

FONT_FAMILY = "'DejaVu Sans Mono', Menlo, Consolas, 'Liberation Mono', monospace"
FONT_SIZE = 12  # px
ADVANCE = 1233 / 2048 * FONT_SIZE  # px per character cell
LINE_HEIGHT = 16  # px; the font's ascent + descent is 1.164 em = 14 px
PAD_X, PAD_Y = 8, 4  # px between a box's edge and its text
MAX_CHARS = 60  # a longer line is cut with "..."
WRAP = 40  # a call longer than this wraps after a comma, over at most CALL_LINES lines
CALL_LINES = 3
PREVIEW = 4  # how many values (or gradient entries) a box shows


def text_width(text):
    """The rendered width in px of `text` in the label font.

    >>> text_width("matmul(v3, v5)") == 14 * ADVANCE
    True
    """
    cells = 0
    for ch in text:
        if unicodedata.combining(ch):
            continue
        cells += 2 if unicodedata.east_asian_width(ch) in "WF" else 1
    return cells * ADVANCE


def clip(text, limit=MAX_CHARS):
    """`text`, cut to at most `limit` characters with "..." where it was cut.

    >>> clip("abcdefgh", 6)
    'abc...'
    """
    text = " ".join(text.split())  # SVG collapses runs of spaces; the estimate must too
    return text if len(text) <= limit else text[:max(limit - 3, 0)] + "..."


def node_lines(node, values, grads):
    """The lines of `node`'s box, each a list of (text, css class) spans.

    Line one is the name (a name from `names=` also shows its `v7`), then the call,
    then shape and dtype; then, when asked for or when something is missing, more.
    """
    tensor = node.tensor
    title = [(clip(node.name, MAX_CHARS - 8), "name")]
    if node.name != f"v{node.number}":
        title.append((f" v{node.number}", "number"))
    call = node.call()
    if node.args is None and not node.released and tensor.requires_grad:
        call += ", requires_grad"
    lines = [title] + [[(part, "op")] for part in wrap_call(call)]
    lines.append([(clip(f"{tensor.shape} {tensor.dtype}"), "meta")])
    if node.released:
        lines.append([("inputs freed by backward()", "warn")])
    if node.missing:
        lines.append([(clip("not drawn: " + ", ".join(node.missing)), "warn")])
    if values:
        lines.append([(clip("data " + preview(tensor.data)), "value")])
    if grads and (tensor.grad is not None or (node.args is None and tensor.requires_grad)):
        grad = tensor.grad
        lines.append([(clip("grad " + ("None" if grad is None else preview(grad.data))),
                       "value")])
    return lines


def wrap_call(call, width=WRAP, most=CALL_LINES):
    """`call` over lines of at most `width` characters, broken after ", "; a call that
    needs more than `most` lines ends its last in "...". A long box is hard to read,
    and a wide one pushes its whole layer apart.

    >>> wrap_call("softmax_nll(v11, target=indices(32,), reduction=mean)")
    ['softmax_nll(v11, target=indices(32,),', 'reduction=mean)']
    >>> wrap_call("stack(v1, v2, v3, v4, v5, v6, v7)", width=12, most=2)
    ['stack(v1, v2,', 'v3, v4, ...']
    """
    words = clip(call, 10 * width).split(", ")
    lines = [words[0]]
    for word in words[1:]:
        if len(lines[-1]) + 2 + len(word) <= width:
            lines[-1] += ", " + word
        else:
            lines[-1] += ","
            lines.append(word)
    lines = [clip(line, MAX_CHARS) for line in lines]
    if len(lines) > most:
        last = lines[most - 1].rstrip(",")
        while len(last) + 5 > width and ", " in last:
            last = last.rsplit(", ", 1)[0]
        lines = lines[:most - 1] + [last + ", ..."]
    return lines


def box_size(lines):
    """(width, height) in px of a box holding `lines`."""
    widest = max(sum(text_width(text) for text, _ in line) for line in lines)
    return widest + 2 * PAD_X, len(lines) * LINE_HEIGHT + 2 * PAD_Y


def preview(array, count=PREVIEW):
    """The first few entries of `array`, flattened, with 4 significant digits.

    >>> preview(np.array([[1.0, -0.5], [2e-5, 3.0], [4.0, 5.0]]))
    '[1, -0.5, 2e-05, 3, ...]'
    >>> preview(np.float64(0.125)), preview(np.arange(3))
    ('0.125', '[0, 1, 2]')
    """
    array = np.asarray(array)
    flat = array.ravel()
    items = [_number(v) for v in flat[:count]]
    if array.ndim == 0:
        return items[0]
    return "[" + ", ".join(items + ["..."] * (flat.size > count)) + "]"


def _number(value):
    if isinstance(value, (np.floating, float)):
        return f"{value:.4g}"
    return str(value.item() if hasattr(value, "item") else value)
