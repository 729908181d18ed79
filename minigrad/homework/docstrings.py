"""Docstrings that keep the question and lose the answer.

An op's math block states its rules in the code's names:

      forward:  z = x * y
      jvp:      z_dot = x_dot * y + x * y_dot
      vjp:      x_bar = z_bar * y,   y_bar = z_bar * x

For a blanked rule, the line of that rule (and its continuation lines, indented deeper)
becomes a line saying what to derive; one-line docstrings (`forward: ...;  vjp: ...`) lose
that segment. Other lines that give an answer away (a derivation in a module docstring)
are removed by substring, and only ever inside a docstring or a comment.
"""
import ast
import io
import re
import tokenize

from minigrad.homework.locate import LocateError, char_column, docstring_node, find, parse_source

#: What a student is asked for, by the label of a math-block line.
ASK = {
    "forward": "compute z",
    "vjp": "derive x_bar (each input's cotangent) from z_bar",
    "jvp": "derive z_dot from x_dot (each input's tangent)",
}
_LABEL = re.compile(r"\b(forward|jvp|vjp):")
_CLOSING = re.compile(r'"""|\'\'\'')


def hide_rules(source, owner, labels, task_id, path="<source>", asks=None):
    """`source` with the math-block lines `labels` of class `owner`'s docstring replaced
    by what to derive, e.g. "vjp:      Task 1.1: derive x_bar (each input's cotangent) ...".

    Raises:
        LocateError: if the class has no docstring line for a label (the block's format
            changed, so the answer might stay visible).

    >>> src = "class Exp:\\n    'Exp.  forward: z = exp(x);  vjp: x_bar = z_bar * z'\\n"
    >>> print(hide_rules(src, "Exp", ["vjp"], "1.3", asks={"vjp": "derive x_bar"}), end="")
    class Exp:
        'Exp.  forward: z = exp(x);  vjp: Task 1.3: derive x_bar'
    """
    asks = {**ASK, **(asks or {})}
    lines = source.splitlines(keepends=True)
    node = docstring_node(find(parse_source(source, path), owner, path))
    if node is None:
        raise LocateError(f"{path}: {owner} has no docstring whose rules could be hidden")
    first, stop = node.lineno - 1, node.end_lineno
    last = lines[stop - 1]
    end = char_column(last, node.end_col_offset)
    limit = end - (3 if last[max(end - 3, 0):end] in ('"""', "'''") else 1)
    remaining = set(labels)
    i = first
    while i < stop:
        line, hit = _replace_segments(lines[i], labels, task_id, asks,
                                      limit if i == stop - 1 else None)
        if hit:
            remaining -= hit
            lines[i] = line
            block = _block_label_column(line)
            j = i + 1
            while block is not None and j < stop and _continues(lines[j], block):
                del lines[j]
                stop -= 1
        i += 1
    if remaining:
        raise LocateError(f"{path}: the docstring of {owner} has no line for "
                          f"{', '.join(sorted(remaining))}: write the rule as 'vjp: ...' in its "
                          "math block, or name the labels to hide in the assignment file")
    return "".join(lines)


def _replace_segments(line, labels, task_id, asks, limit):
    """The line with each `label: ...` segment (up to ';', the docstring's closing quotes
    at column `limit`, or the end) replaced, and the set of labels replaced."""
    hit, out, position = set(), [], 0
    for match in _LABEL.finditer(line):
        label = match.group(1)
        before = line[:match.start()]
        if label not in labels or not (before.strip() == "" or before.rstrip().endswith(";")
                                       or before.endswith("  ")):
            continue
        if match.start() < position:
            continue
        body_start = match.end() + len(line[match.end():]) - len(line[match.end():].lstrip(" "))
        rest = line[body_start:] if limit is None else line[body_start:limit]
        ends = [m.start() for m in (re.search(";", rest),) if m]
        body_end = body_start + (min(ends) if ends else len(rest.rstrip("\r\n").rstrip()))
        out.append(line[position:body_start])
        out.append(f"Task {task_id}: {asks[label]}")
        position = body_end
        hit.add(label)
    out.append(line[position:])
    return "".join(out), hit


def _block_label_column(line):
    """The column of a label that starts the line (a multi-line math block), else None."""
    stripped = line.lstrip()
    return len(line) - len(stripped) if _LABEL.match(stripped) else None


def _continues(line, column):
    """A continuation of the rule above: indented deeper than its label, not a new label."""
    stripped = line.lstrip()
    return stripped != "" and len(line) - len(stripped) > column and not _LABEL.match(stripped) \
        and not _CLOSING.match(stripped)


def redact(source, needle, task_id, path="<source>"):
    """`source` with every docstring or comment line containing `needle` replaced by a
    line that says it was removed for the task.

    Raises:
        LocateError: if `needle` occurs nowhere, or in code (never rewritten).
    """
    lines = source.splitlines(keepends=True)
    inside_text = _text_lines(source, path)
    found = False
    for i, line in enumerate(lines):
        if needle not in line:
            continue
        if i not in inside_text:
            raise LocateError(f"{path}, line {i + 1}: {needle!r} occurs in code, which is never "
                              "redacted; blank the function that holds it instead")
        indent = line[:len(line) - len(line.lstrip())]
        ending = "\n" if line.endswith("\n") else ""
        removed = f"(removed: Task {task_id} asks for this)"
        quotes = _CLOSING.findall(line)
        if len(quotes) == 2 and line.strip()[:3] == line.strip()[-3:] == quotes[0]:
            lines[i] = f"{indent}{quotes[0]}{removed}{quotes[0]}{ending}"  # a one-line docstring
            found = True
            continue
        if quotes:
            raise LocateError(f"{path}, line {i + 1}: {needle!r} shares a line with a docstring's "
                              "quotes; move the quotes to their own line")
        prefix = "# " if line.lstrip().startswith("#") else ""
        lines[i] = f"{indent}{prefix}{removed}{ending}"
        found = True
    if not found:
        raise LocateError(f"{path}: {needle!r} not found; update the assignment's redact list")
    return "".join(lines)


def _text_lines(source, path):
    """Indices of lines that lie inside a string constant that is a whole statement (a
    docstring) or that are comment lines."""
    inside: set[int] = set()
    for node in ast.walk(parse_source(source, path)):
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) \
                and isinstance(node.value.value, str):
            inside.update(range(node.lineno - 1, node.end_lineno or node.lineno))
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT and token.line.lstrip().startswith("#"):
            inside.add(token.start[0] - 1)
    return inside
