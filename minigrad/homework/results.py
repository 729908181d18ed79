"""Gradescope's results.json, and the table printed beside it.

The format (gradescope-autograders.readthedocs.io, "Autograder Specifications"): a top
level `score`, `execution_time` (seconds), `output`, `visibility`, `stdout_visibility`,
and `tests`, each with `score`, `max_score`, `status` ("passed" or "failed"), `name`,
`number`, `output`, `tags` and `visibility` ("hidden", "after_due_date",
"after_published" or "visible"). `SCHEMA` is that specification as a JSON schema.
"""
import json
import pathlib

VISIBILITY = ["hidden", "after_due_date", "after_published", "visible"]
FORMATS = ["text", "html", "simple_format", "md", "ansi"]

_TEST = {
    "type": "object",
    "properties": {
        "score": {"type": "number"},
        "max_score": {"type": "number"},
        "status": {"enum": ["passed", "failed"]},
        "name": {"type": "string"},
        "name_format": {"enum": FORMATS},
        "number": {"type": "string"},
        "output": {"type": "string"},
        "output_format": {"enum": FORMATS},
        "tags": {"type": "array", "items": {"type": "string"}},
        "visibility": {"enum": VISIBILITY},
        "extra_data": {"type": "object"},
    },
    "additionalProperties": False,
}

#: Gradescope's results.json as a JSON schema (draft 2020-12): a score on the top level or
#: on every test, and nothing the specification does not name.
SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "properties": {
        "score": {"type": "number"},
        "execution_time": {"type": "number", "minimum": 0},
        "output": {"type": "string"},
        "output_format": {"enum": FORMATS},
        "test_output_format": {"enum": FORMATS},
        "test_name_format": {"enum": FORMATS},
        "visibility": {"enum": VISIBILITY},
        "stdout_visibility": {"enum": VISIBILITY},
        "extra_data": {"type": "object"},
        "tests": {"type": "array", "items": _TEST},
        "leaderboard": {"type": "array", "items": {
            "type": "object", "required": ["name", "value"],
            "properties": {"name": {"type": "string"}, "value": {"type": ["number", "string"]},
                           "order": {"enum": ["asc", "desc"]}}}},
    },
    "anyOf": [{"required": ["score"]},
              {"required": ["tests"],
               "properties": {"tests": {"items": {"required": ["score"]}}}}],
    "additionalProperties": False,
}


def results_json(assignment, results, elapsed, note=""):
    """The results.json document (a dict) for a list of grade.TaskResult."""
    tests = []
    for result in results:
        task = result.task
        passed = all(part.passed for part in result.parts)
        tests.append({
            "name": f"Task {task.id}: {task.title}",
            "number": task.id,
            "score": result.score,
            "max_score": task.points,
            "status": "passed" if passed else "failed",
            "output": result.output,
            "tags": [assignment.name, task.marker],
            "visibility": "visible",
        })
    total = round(sum(t["score"] for t in tests), 6)
    output = (f"{assignment.title}: {total:g} of {assignment.points:g} points. "
              "Each task is graded on its own, with the reference code for every other task.")
    return {"score": total, "execution_time": round(elapsed, 3),
            "output": output + (f"\n{note}" if note else ""), "visibility": "visible",
            "stdout_visibility": "hidden", "tests": tests}


def write(document, path):
    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2) + "\n")


def table(assignment, results):
    """A plain-text table: task, points, and the first line of what went wrong."""
    width = max(len(r.task.title) for r in results)
    lines = [f"{'task':<6}{'title':<{width + 2}}{'points':>11}  message"]
    for result in results:
        task = result.task
        failed = [p for p in result.parts if not p.passed]
        message = "ok" if not failed else f"{failed[0].title}: {failed[0].message}"
        if result.note:
            message = result.note
        if len(message) > 160:
            message = message[:157] + "..."
        lines.append(f"{task.id:<6}{task.title:<{width + 2}}"
                     f"{f'{result.score:g}/{task.points:g}':>11}  {message}")
    total = sum(r.score for r in results)
    lines.append(f"{'':<6}{'total':<{width + 2}}{f'{total:g}/{assignment.points:g}':>11}")
    return "\n".join(lines)
