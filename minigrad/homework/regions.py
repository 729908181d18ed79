"""Solution and hidden-test regions, in files and notebooks, as nbgrader and otter mark them.

    # BEGIN SOLUTION            (or ### BEGIN SOLUTION)
    x_bar = z_bar * y
    # END SOLUTION
    # BEGIN HIDDEN TESTS
    assert ...
    # END HIDDEN TESTS

In the release a solution region becomes "# YOUR CODE HERE" and a stub that raises, at the
region's indentation (in a markdown cell: "YOUR ANSWER HERE"); a hidden-test region
disappears, and so does a cell left empty by that. Outputs are cleared.
"""
import copy
import re

_MARK = re.compile(r"^(?P<indent>[ \t]*)#{1,3}\s*(?P<edge>BEGIN|END)\s+(?P<kind>SOLUTION|HIDDEN TESTS)\b")


class RegionError(ValueError):
    """Unbalanced or nested region markers."""


def strip_regions(text, where, markdown=False):
    """`text` with solution regions replaced and hidden-test regions removed.

    Raises:
        RegionError: naming `where` and the line, for a marker without its partner.

    >>> print(strip_regions("def f(x):\\n    # BEGIN SOLUTION\\n    return 2 * x\\n"
    ...                     "    # END SOLUTION\\n", "f.py"), end="")
    def f(x):
        # YOUR CODE HERE
        raise NotImplementedError("your code here")
    """
    out, open_region = [], None
    for number, line in enumerate(text.splitlines(keepends=True), 1):
        mark = _MARK.match(line)
        if mark is None:
            if open_region is None:
                out.append(line)
            continue
        kind, edge, indent = mark.group("kind"), mark.group("edge"), mark.group("indent")
        if edge == "BEGIN":
            if open_region is not None:
                raise RegionError(f"{where}, line {number}: BEGIN {kind} inside an open "
                                  f"{open_region[0]} region (line {open_region[1]})")
            open_region = (kind, number)
            if kind == "SOLUTION":
                out.append("YOUR ANSWER HERE\n" if markdown else
                           f"{indent}# YOUR CODE HERE\n"
                           f'{indent}raise NotImplementedError("your code here")\n')
        else:
            if open_region is None or open_region[0] != kind:
                raise RegionError(f"{where}, line {number}: END {kind} without BEGIN {kind}")
            open_region = None
    if open_region is not None:
        raise RegionError(f"{where}, line {open_region[1]}: BEGIN {open_region[0]} is never ended")
    return "".join(out)


def has_regions(text):
    """Whether `text` holds any region marker."""
    return any(_MARK.match(line) for line in text.splitlines())


def strip_notebook(notebook, where):
    """A copy of an nbformat-4 notebook (a dict) with regions stripped and outputs cleared."""
    stripped = copy.deepcopy(notebook)
    cells = []
    for index, cell in enumerate(stripped["cells"]):
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        new = strip_regions(source, f"{where}, cell {index}", cell["cell_type"] == "markdown")
        if new.strip() == "" and source.strip() != "":
            continue  # a cell that held only hidden tests
        cell["source"] = new
        if cell["cell_type"] == "code":
            cell["outputs"], cell["execution_count"] = [], None
        cell.get("metadata", {}).pop("execution", None)
        cells.append(cell)
    stripped["cells"] = cells
    return stripped
