"""Functions by place (`minigrad/ops/arithmetic.py:Multiply.vjp`): find, blank, lift, graft.

The standard library's `ast` finds a function's lines; everything else in the file is
kept byte for byte. The same locator serves both ends of an assignment: `blank` turns the
solution's function into a stub for the student release, `lift` takes the student's
version out of a submission, and `graft` puts it into a copy of the solution, so that a
task is graded with the reference implementation of every other task.
"""
import ast
import dataclasses
import json
import textwrap


class LocateError(LookupError):
    """A place that names no function in the file (or a file that does not parse)."""


@dataclasses.dataclass(frozen=True)
class Place:
    """Where a task's function lives: a file relative to the release root, and the
    function's qualified name in it (`Class.method`, or `function`)."""

    path: str
    qualname: str

    @classmethod
    def parse(cls, text):
        """`Place` from "path.py:Qualified.name" (spaces after the colon allowed).

        Raises:
            ValueError: for text without a ".py:" separator or with an empty name.

        >>> Place.parse("minigrad/ops/arithmetic.py: Multiply.vjp")
        Place(path='minigrad/ops/arithmetic.py', qualname='Multiply.vjp')
        """
        path, sep, qualname = text.partition(".py:")
        if not sep or not path or not qualname.strip():
            raise ValueError(f"{text!r} is not a place: write it as path/to/file.py:Class.method "
                             "or path/to/file.py:function")
        return cls(path + ".py", qualname.strip())

    @property
    def name(self):
        return self.qualname.rsplit(".", 1)[-1]

    @property
    def owner(self):
        """The class holding the function, or None for a module-level function."""
        return self.qualname.rsplit(".", 1)[0] if "." in self.qualname else None

    def __str__(self):
        return f"{self.path}:{self.qualname}"


def parse_source(source, path):
    """The module's ast, or a LocateError saying where it does not parse."""
    try:
        return ast.parse(source)
    except SyntaxError as error:
        raise LocateError(f"{path} does not parse: {error.msg} (line {error.lineno})") from None


def find(tree, qualname, path="<source>"):
    """The FunctionDef (or ClassDef) node named by the dotted `qualname`.

    Raises:
        LocateError: naming the part of the path that is missing.
    """
    node, parts = tree, qualname.split(".")
    for depth, part in enumerate(parts):
        found = [child for child in getattr(node, "body", ())
                 if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
                 and child.name == part]
        if not found:
            where = ".".join(parts[:depth]) or "the module"
            raise LocateError(f"{path}: no {part!r} in {where} (looking for {qualname})")
        node = found[-1]  # as Python would bind it: the last definition wins
    return node


def docstring_node(node):
    """The docstring's Constant node of a module, class or function, or None."""
    body = getattr(node, "body", [])
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
            and isinstance(body[0].value.value, str):
        return body[0].value
    return None


def char_column(line, byte_offset):
    """ast counts columns in UTF-8 bytes; strings index characters."""
    return len(line.encode("utf-8")[:byte_offset].decode("utf-8", errors="ignore"))


def _is_comment_or_blank(text):
    stripped = text.strip()
    return not stripped or stripped.startswith("#")


def function_lines(lines, node):
    """(first, stop) line indices of a whole definition: decorators, the def and the body,
    and any comment lines indented inside it that follow its last statement."""
    first = min([node.lineno] + [d.lineno for d in node.decorator_list]) - 1
    return first, _extend_over_comments(lines, node.end_lineno, node.col_offset)


def _extend_over_comments(lines, stop, def_column):
    while stop < len(lines) and lines[stop].strip().startswith("#") and \
            len(lines[stop]) - len(lines[stop].lstrip()) > def_column:
        stop += 1
    return stop


def blank(source, qualname, message, path="<source>"):
    """`source` with the body of `qualname` replaced by `raise NotImplementedError(message)`.

    The signature, decorators and docstring stay; every other line of the file is
    unchanged.

    >>> src = "class A:\\n    def f(self, x):\\n        '''Doc.'''\\n        return x + 1  # why\\n"
    >>> print(blank(src, "A.f", "Task 1.1: A.f"), end="")
    class A:
        def f(self, x):
            '''Doc.'''
            raise NotImplementedError("Task 1.1: A.f")
    """
    lines = source.splitlines(keepends=True)
    node = find(parse_source(source, path), qualname, path)
    body = node.body[1:] if docstring_node(node) is not None else node.body
    stub = f"raise NotImplementedError({json.dumps(message)})"
    if not body:  # only a docstring: the stub goes after it
        end = node.body[0].end_lineno
        indent = " " * (node.body[0].col_offset)
        return "".join(lines[:end] + [indent + stub + "\n"] + lines[end:])
    start, last = body[0], body[-1]
    first_line = lines[start.lineno - 1]
    head = first_line[:char_column(first_line, start.col_offset)]
    stop = _extend_over_comments(lines, last.end_lineno, node.col_offset)
    ending = "\n" if lines[stop - 1].endswith("\n") else ""
    return "".join(lines[:start.lineno - 1] + [head + stub + ending] + lines[stop:])


def lift(source, qualname, path="<source>"):
    """The source text of the definition `qualname`, dedented to column 0."""
    lines = source.splitlines(keepends=True)
    node = find(parse_source(source, path), qualname, path)
    first, stop = function_lines(lines, node)
    text = "".join(lines[first:stop])
    return textwrap.dedent(text if text.endswith("\n") else text + "\n")


def graft(source, qualname, definition, path="<source>"):
    """`source` with the definition `qualname` replaced by `definition` (as `lift` gives
    it), indented to where the original stood."""
    lines = source.splitlines(keepends=True)
    node = find(parse_source(source, path), qualname, path)
    first, stop = function_lines(lines, node)
    indent = " " * node.col_offset
    new = textwrap.indent(definition, indent, lambda line: line.strip() != "")
    return "".join(lines[:first] + [new] + lines[stop:])


def defined_names(body):
    """The names a list of statements binds at its own level (defs, classes, imports,
    assignments)."""
    names = set()
    for statement in body:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(statement.name)
        elif isinstance(statement, (ast.Import, ast.ImportFrom)):
            names.update((alias.asname or alias.name).split(".")[0] for alias in statement.names)
        elif isinstance(statement, (ast.Assign, ast.AnnAssign)):
            targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
            for target in targets:
                names.update(n.id for n in ast.walk(target) if isinstance(n, ast.Name))
    return names


def new_helpers(student_source, solution_source, owners, path="<source>"):
    """The helper definitions a student added: module-level defs, classes, imports and
    assignments binding names the solution's module lacks, and methods the solution's
    class `owner` lacks, for each owner in `owners` (None for the module).

    Returns:
        {owner: [definition text, ...]}, each text dedented, in the student's order.
    """
    student, solution = parse_source(student_source, path), parse_source(solution_source, path)
    lines = student_source.splitlines(keepends=True)
    found = {}
    for owner in owners:
        try:
            theirs = student if owner is None else find(student, owner, path)
            ours = solution if owner is None else find(solution, owner, path)
        except LocateError:
            continue
        known = defined_names(ours.body)
        helpers = []
        for statement in theirs.body:
            kinds = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Import,
                     ast.ImportFrom, ast.Assign, ast.AnnAssign)
            if not isinstance(statement, kinds) or not defined_names([statement]) - known:
                continue
            decorators = getattr(statement, "decorator_list", [])
            first = min([statement.lineno] + [d.lineno for d in decorators]) - 1
            helpers.append(textwrap.dedent("".join(lines[first:statement.end_lineno])))
        found[owner] = helpers
    return found


def add_helpers(source, owner, helpers, path="<source>"):
    """`source` with helper definitions appended to the module (owner None) or to the end
    of class `owner`'s body."""
    if not helpers:
        return source
    text = "".join(h if h.endswith("\n") else h + "\n" for h in helpers)
    if owner is None:
        return source + ("" if source.endswith("\n") else "\n") + "\n\n" + text
    lines = source.splitlines(keepends=True)
    node = find(parse_source(source, path), owner, path)
    indent = " " * node.body[-1].col_offset
    stop = node.body[-1].end_lineno
    return "".join(lines[:stop] + ["\n", textwrap.indent(text, indent)] + lines[stop:])
