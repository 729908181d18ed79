"""The trees a task is graded on: a copy of the solution, with one task's functions grafted
in from a submission (and the helpers the student added beside them).

Grafting is what grades tasks in isolation: the tree of task 1.3 holds the student's
Exp rules and the solution of everything else, so a wrong exp costs the exp task only.
"""
import os
import pathlib
import shutil

from minigrad.homework.locate import (LocateError, add_helpers, blank, graft, lift,
                                      new_helpers, parse_source)

#: Left out of every tree a child sees: the assignments hold solution notebooks and files.
EXCLUDED = ("assignments", "__pycache__")


def stub_message(task, place):
    """What a blanked function raises: "Task 1.2: Multiply.vjp"."""
    return f"Task {task.id}: {place.qualname}"


def solution_file(place, solution_root, assignment):
    """Where the solution's version of `place` lives: in the package, or beside the
    assignment file for an assignment's own files (e.g. train_digits.py)."""
    if place.path.startswith("minigrad/"):
        return pathlib.Path(solution_root) / place.path
    return assignment.directory / place.path


def read_solution(place, solution_root, assignment):
    """The solution's text of the file holding `place`.

    Raises:
        LocateError: naming the file, when the solution has no such file.
    """
    path = solution_file(place, solution_root, assignment)
    try:
        return path.read_text()
    except OSError:
        raise LocateError(f"{place}: the solution has no file {path}; check the place's "
                          "path in the assignment file") from None


def copy_solution(dest, solution_root, assignment):
    """dest/minigrad (the solution package, without its assignments) and the
    assignment's own .py files at dest's root; readable by anyone, written by no one else."""
    dest = pathlib.Path(dest)
    shutil.copytree(pathlib.Path(solution_root) / "minigrad", dest / "minigrad",
                    ignore=lambda directory, names: [n for n in names if n in EXCLUDED
                                                     or n.endswith(".pyc")])
    for relative in assignment.files:
        if relative.endswith(".py"):
            target = dest / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(assignment.directory / relative, target)
    for root, directories, files in os.walk(dest):
        os.chmod(root, 0o755)
        for name in files:
            os.chmod(os.path.join(root, name), 0o644)


def find_submitted(submission, relative):
    """The submitted file for `relative`, found at the same relative path, or else under
    one enclosing folder, or else by name alone when exactly one file has it (Gradescope
    flattens files uploaded one by one); None if it is not there."""
    submission = pathlib.Path(submission)
    exact = submission / relative
    if exact.is_file():
        return exact
    parts = pathlib.PurePosixPath(relative).parts
    candidates = [p for p in submission.rglob(parts[-1]) if p.is_file()]
    for depth in range(len(parts), 0, -1):
        tail = parts[-depth:]
        matches = [p for p in candidates if p.parts[-depth:] == tail]
        if len(matches) == 1:
            return matches[0]
        if matches:
            return None
    return None


def student_sources(task, submission, solution_root, assignment):
    """{path: (source text, where it came from)} for each file of the task's functions.

    A file missing from the submission counts as the release's version: the stub.
    """
    sources = {}
    for place in task.functions:
        if place.path in sources:
            continue
        found = find_submitted(submission, place.path)
        if found is not None:
            sources[place.path] = (found.read_text(encoding="utf-8", errors="replace"),
                                   str(found.relative_to(submission)))
        else:
            text = read_solution(place, solution_root, assignment)
            for other in task.functions:
                if other.path == place.path:
                    text = blank(text, other.qualname, stub_message(task, other), place.path)
            sources[place.path] = (text, f"{place.path} (not in the submission: the stub)")
    return sources


def graft_task(tree, task, sources):
    """Put the student's versions of the task's functions (and their new helpers) into
    `tree`, a copy of the solution.

    Raises:
        LocateError: with a message for the student (a file that does not parse, a
            function that is missing).
    """
    tree = pathlib.Path(tree)
    for path, (student, where) in sources.items():
        target = tree / path
        solution = target.read_text()
        places = [p for p in task.functions if p.path == path]
        try:
            parse_source(student, where)
            grafted = solution
            for place in places:
                grafted = graft(grafted, place.qualname, lift(student, place.qualname, where), path)
            owners = {p.owner for p in places} | {None}  # and the module's new helpers
            for owner, helpers in new_helpers(student, solution, owners, where).items():
                grafted = add_helpers(grafted, owner, helpers, path)
            parse_source(grafted, where)
        except LocateError as error:
            raise LocateError(f"could not take your code from {where}: {error}") from None
        target.write_text(grafted)
