"""Does a release give an answer away? Every expression a blanked function computed is
looked for in the release: in its code, its notebook and its tests.

An "answer expression" is what a blanked body returns or assigns (and each element of a
returned tuple, each branch of a conditional), when it computes something (an operator,
or a call long enough not to be an idiom). Code elsewhere in minigrad may share an idiom with a blanked function
(Max's VJP reshapes z_bar as Sum's does): so in the package each expression may occur
only as often as it does outside the blanked functions of the solution, and in the
notebook and the tests not at all.
"""
import ast
import collections
import json
import pathlib
import re

from minigrad.homework.locate import find, parse_source
from minigrad.homework.regions import _MARK
from minigrad.homework.trees import read_solution

_COMPUTES = (ast.BinOp, ast.UnaryOp, ast.Subscript, ast.Compare, ast.BoolOp, ast.IfExp)
#: A bare call (no operator) is an answer only when it is this long: `optimizer.step()`
#: is an idiom, `array_namespace(z_bar).broadcast_to(z_bar, x.shape)` an answer.
_LONG_CALL = 25


def expressions(statements):
    """The answer expressions (ast.unparse text) of a list of statements, recursively."""
    found = []
    for node in statements:
        for statement in ast.walk(node) if isinstance(node, ast.AST) else ():
            if isinstance(statement, (ast.Return, ast.Assign, ast.AugAssign, ast.AnnAssign,
                                      ast.Expr)) and statement.value is not None:
                found.extend(_parts(statement.value))
    return found


def _parts(value):
    if isinstance(value, ast.Tuple):
        return [p for element in value.elts for p in _parts(element)]
    if isinstance(value, ast.Constant) and isinstance(value.value, str):
        return []  # a docstring
    text = ast.unparse(value)
    computes = any(isinstance(n, _COMPUTES) for n in ast.walk(value)) or (
        any(isinstance(n, ast.Call) for n in ast.walk(value)) and len(text) >= _LONG_CALL)
    found = [text] if computes else []
    if isinstance(value, ast.IfExp):
        found += _parts(value.body) + _parts(value.orelse)
    return found


def _module_expressions(source, path, without=()):
    """Counter of the answer expressions of a module, leaving out the bodies of the
    functions named in `without`."""
    tree = parse_source(source, path)
    skipped = {id(find(tree, qualname, path)) for qualname in without}
    counts: collections.Counter[str] = collections.Counter()
    stack = [tree]
    while stack:
        node = stack.pop()
        if id(node) in skipped:
            continue
        if isinstance(node, (ast.Return, ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Expr)):
            counts.update(expressions([node]) if node.value is not None else [])
            continue
        stack.extend(ast.iter_child_nodes(node))
    return counts


def find_leaks(assignment, solution_root, release):
    """Messages, one per leak found in the release directory `release` (none: empty)."""
    release = pathlib.Path(release)
    leaks = []
    by_file = collections.defaultdict(list)
    for task in assignment.tasks:
        for place in task.functions:
            by_file[place.path].append((task, place))
    answers: dict[str, str] = {}  # expression -> where it came from
    for path, places in by_file.items():
        solution = read_solution(places[0][1], solution_root, assignment)
        tree = parse_source(solution, path)
        for task, place in places:
            for expression in expressions(find(tree, place.qualname, path).body):
                answers.setdefault(expression, f"Task {task.id} ({place.qualname})")
        allowed = _module_expressions(solution, path, [p.qualname for _, p in places])
        released = release / path
        if released.is_file():
            counts = _module_expressions(released.read_text(), path)
            for expression in answers:
                if counts[expression] > allowed[expression]:
                    leaks.append(f"{path}: {expression!r}, the answer of {answers[expression]}")
    texts = _other_texts(assignment, release)
    for where, text, is_code in texts:
        present = _code_expressions(text) if is_code else None
        flat = " ".join(text.split())
        for expression, origin in answers.items():
            if (present is not None and expression in present) or \
                    (present is None and len(expression) > 6 and expression in flat):
                leaks.append(f"{where}: {expression!r}, the answer of {origin}")
    leaks += _solution_lines_in_notebook(assignment, release)
    return leaks


def _code_expressions(text):
    try:
        return set(expressions([ast.parse(text)]))
    except SyntaxError:  # a cell with IPython magics: fall back to the text itself
        return None


def _other_texts(assignment, release):
    """(where, text, is_code) for the notebook's cells, the tests, the README."""
    texts = []
    if assignment.notebook:
        path = release / pathlib.Path(assignment.notebook).name
        for i, cell in enumerate(json.loads(path.read_text())["cells"]):
            source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            texts.append((f"{path.name}, cell {i}", source, cell["cell_type"] == "code"))
    for test in sorted((release / "tests").glob("*.py")):
        texts.append((f"tests/{test.name}", test.read_text(), True))
    texts.append(("README.md", (release / "README.md").read_text(), False))
    return texts


def _solution_lines_in_notebook(assignment, release):
    """Lines from inside the solution notebook's solution regions that the student's has."""
    if not assignment.notebook:
        return []
    solution = json.loads((assignment.directory / assignment.notebook).read_text())
    student = (release / pathlib.Path(assignment.notebook).name).read_text()
    student_lines = {line.strip() for cell in json.loads(student)["cells"]
                     for line in "".join(cell["source"]).splitlines()}
    found = []
    for cell in solution["cells"]:
        inside = False
        for line in "".join(cell["source"]).splitlines():
            mark = _MARK.match(line)
            if mark:
                inside = mark.group("edge") == "BEGIN" and mark.group("kind") == "SOLUTION"
            elif inside and len(line.strip()) > 12 and line.strip() in student_lines \
                    and not re.match(r"^[#\s]*$", line):
                found.append(f"{assignment.notebook}: {line.strip()!r} from a solution region")
    return found
