"""Assignment files: a small TOML naming the tasks and what the student writes, by place.

    name = "op-rules"
    title = "Op rules: VJPs and JVPs"
    notebook = "op_rules.ipynb"            # beside this file; solution regions marked
    tests = ["test_op_rules.py"]           # the public tests, marked per task
    seed = 1                               # the public inputs (the hidden seed is drawn at assign time)

    [[tasks]]
    id = "1.1"
    title = "Multiply"
    points = 2
    functions = ["minigrad/ops/arithmetic.py:Multiply.vjp", "minigrad/ops/arithmetic.py:Multiply.jvp"]
    check = "op"                           # how it is graded: see minigrad/homework/checks
    [[tasks.cases]]
    inputs = [[3, 4], [3, 4]]

Every key is described in the README's "Teaching with minigrad" section.
"""
import dataclasses
import json
import pathlib
import sys

from minigrad.homework.locate import Place

BUILT_IN = pathlib.Path(__file__).resolve().parent / "assignments"
#: The file in an autograder directory that holds the resolved spec and the hidden seed.
RESOLVED = "assignment.json"
DEFAULT_TIME_LIMIT = 30.0
DEFAULT_MEMORY_LIMIT = "2GB"


class SpecError(ValueError):
    """An assignment file that cannot be used; the message says what to fix."""


def _toml():
    """tomllib, or tomli on Python 3.10, imported only to read TOML: an autograder reads
    its assignment.json, so it runs on a Python without either."""
    try:
        if sys.version_info >= (3, 11):
            import tomllib
            return tomllib
        # Not installed where the checker runs on 3.11 and later, so it may find no stub.
        import tomli  # type: ignore[import-not-found, unused-ignore]
        return tomli
    except ModuleNotFoundError:
        raise SpecError("reading an assignment file (TOML) on Python 3.10 needs tomli: "
                        "pip install 'minigrad[homework]'") from None


@dataclasses.dataclass
class Task:
    """One task of an assignment: what the student writes (`functions`, by place), how it
    is graded (`check`, its `cases` and `options`), and what it is worth."""

    id: str
    title: str
    points: float
    functions: list
    check: str
    cases: list
    options: dict
    weights: dict
    redact: list
    hide: list
    asks: dict
    time_limit: float
    memory_limit: int

    @property
    def marker(self):
        """The pytest marker of the task's public tests: "1.2" -> "task1_2"."""
        return "task" + self.id.replace(".", "_")

    def to_json(self):
        data = dataclasses.asdict(self)
        data["functions"] = [str(place) for place in self.functions]
        return data

    @classmethod
    def from_json(cls, data):
        return cls(**dict(data, functions=[Place.parse(text) for text in data["functions"]]))


@dataclasses.dataclass
class Assignment:
    """An assignment file, read: its tasks, its files (beside it in `directory`), the
    public seed, and the hidden seed when it comes from an autograder."""

    name: str
    title: str
    directory: pathlib.Path
    notebook: str
    tests: list
    files: list
    seed: int
    tasks: list
    hidden_seed: int | None = None
    raw: dict | None = None

    @property
    def points(self):
        return sum(task.points for task in self.tasks)

    def task(self, task_id):
        return next(task for task in self.tasks if task.id == task_id)


def built_in_names():
    """The names of the built-in assignments, in course order."""
    return [_name_of(path) for path in sorted(BUILT_IN.glob("*/assignment.toml"), key=_course_order)]


def _course_order(path):
    return int(_toml().loads(path.read_text())["tasks"][0]["id"].split(".")[0])


def _name_of(path):
    toml = _toml()
    try:
        return toml.loads(path.read_text()).get("name")
    except toml.TOMLDecodeError as error:
        raise SpecError(f"{path}: not valid TOML: {error}") from None


def resolve(spec):
    """The path of an assignment file from a built-in name, a TOML path, or an autograder
    directory (which holds assignment.json, with the hidden seed).

    Raises:
        SpecError: naming what was looked for.
    """
    path = pathlib.Path(spec)
    if path.is_dir() and (path / RESOLVED).is_file():
        return path / RESOLVED
    if path.is_dir() and (path / "assignment.toml").is_file():
        return path / "assignment.toml"
    if path.is_file():
        return path
    for path in sorted(BUILT_IN.glob("*/assignment.toml")):
        if _name_of(path) == spec:
            return path
    raise SpecError(f"no assignment {spec!r}: give a built-in name ({', '.join(built_in_names())}), "
                    "the path of an assignment file (TOML), or an autograder directory made by "
                    "'minigrad-homework assign'")


def load(spec):
    """The `Assignment` named by `spec` (see `resolve`).

    Raises:
        SpecError: for a file that is not a valid assignment, naming the key.
    """
    path = resolve(spec)
    try:
        if path.suffix == ".json":
            raw = json.loads(path.read_text())
            directory = path.parent / raw.pop("directory")
            hidden_seed = raw.pop("hidden_seed")
        else:
            raw, directory, hidden_seed = _toml().loads(path.read_text()), path.parent, None
    except (OSError, ValueError, KeyError) as error:
        raise SpecError(f"{path}: cannot read it as an assignment: {error}") from None
    return from_dict(raw, directory, hidden_seed, where=str(path))


def from_dict(raw, directory, hidden_seed=None, where="assignment"):
    """An `Assignment` from the parsed TOML, checked key by key."""
    def need(table, key, kind, context):
        if key not in table:
            raise SpecError(f"{where}: {context} needs '{key}'")
        if not isinstance(table[key], kind) or isinstance(table[key], bool):
            wanted = {str: "a string", list: "a list"}.get(kind, "a number")
            raise SpecError(f"{where}: {context}: '{key}' must be {wanted}")
        return table[key]

    name = need(raw, "name", str, "the assignment")
    time_limit = float(raw.get("time_limit", DEFAULT_TIME_LIMIT))
    memory_limit = parse_size(raw.get("memory_limit", DEFAULT_MEMORY_LIMIT), where)
    tasks, seen = [], set()
    for index, table in enumerate(raw.get("tasks", [])):
        context = f"task {index + 1}"
        task_id = need(table, "id", str, context)
        context = f"task {task_id}"
        if task_id in seen:
            raise SpecError(f"{where}: two tasks have id {task_id!r}")
        seen.add(task_id)
        try:
            places = [Place.parse(text) for text in need(table, "functions", list, context)]
        except ValueError as error:
            raise SpecError(f"{where}: {context}: {error}") from None
        points = need(table, "points", (int, float), context)
        if points <= 0:
            raise SpecError(f"{where}: {context}: points must be positive, got {points}")
        known = {"id", "title", "points", "functions", "check", "cases", "weights", "redact",
                 "hide", "asks", "time_limit", "memory_limit"}
        tasks.append(Task(
            id=task_id, title=table.get("title", task_id), points=float(points),
            functions=places, check=need(table, "check", str, context),
            cases=list(table.get("cases", [])),
            options={k: v for k, v in table.items() if k not in known},
            weights=dict(table.get("weights", {})), redact=list(table.get("redact", [])),
            hide=list(table.get("hide", [])), asks=dict(table.get("asks", {})),
            time_limit=float(table.get("time_limit", time_limit)),
            memory_limit=parse_size(table.get("memory_limit", memory_limit), where)))
    if not tasks:
        raise SpecError(f"{where}: the assignment has no [[tasks]]")
    assignment = Assignment(
        name=name, title=raw.get("title", name), directory=pathlib.Path(directory),
        notebook=raw.get("notebook"), tests=list(raw.get("tests", [])),
        files=list(raw.get("files", [])), seed=int(raw.get("seed", 0)), tasks=tasks,
        hidden_seed=hidden_seed, raw=raw)
    for relative in ([assignment.notebook] if assignment.notebook else []) + assignment.tests + \
            assignment.files:
        if not (assignment.directory / relative).is_file():
            raise SpecError(f"{where}: {relative} is listed but not found in {assignment.directory}")
    from minigrad.homework.checks import KINDS  # the kinds know which options they take
    for task in tasks:
        if task.check not in KINDS:
            raise SpecError(f"{where}: task {task.id}: unknown check {task.check!r}; "
                            f"choose one of {', '.join(sorted(KINDS))}")
    return assignment


def parse_size(value, where="assignment"):
    """Bytes from 2000000000, "2GB", "512MB" or "1.5 GB".

    >>> parse_size("1.5GB"), parse_size(1024)
    (1500000000, 1024)
    """
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return int(value)
    text = str(value).strip().upper().replace(" ", "")
    for unit, factor in (("GB", 10 ** 9), ("MB", 10 ** 6), ("KB", 10 ** 3), ("B", 1)):
        if text.endswith(unit):
            try:
                return int(float(text[:-len(unit)]) * factor)
            except ValueError:
                break
    raise SpecError(f"{where}: {value!r} is not a size; write e.g. \"2GB\" or \"512MB\"")


def write_resolved(assignment, path, directory, hidden_seed):
    """Write the spec as JSON with the hidden seed, for an autograder (no TOML parser
    needed there)."""
    raw = dict(assignment.raw, directory=str(directory), hidden_seed=int(hidden_seed))
    pathlib.Path(path).write_text(json.dumps(raw, indent=1, sort_keys=True))
