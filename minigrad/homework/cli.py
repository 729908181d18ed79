"""minigrad-homework: list the built-in assignments, make one, grade a submission.

    minigrad-homework list
    minigrad-homework assign SPEC --out DIR
    minigrad-homework grade SUBMISSION --assignment SPEC [--results FILE]

Exit status 0 when the command did its job (whatever the score), 2 when it could not
(a bad assignment file, a missing folder), with a message saying why.
"""
import argparse
import pathlib
import secrets
import sys
import time

import minigrad
from minigrad.homework import autograder, grade, release, results, sandbox, spec


def installed_solution():
    """The folder holding the `minigrad` package this grader belongs to."""
    return pathlib.Path(minigrad.__file__).resolve().parent.parent


def command_list(args):
    for name in spec.built_in_names():
        assignment = spec.load(name)
        print(f"{name:<14}{assignment.title} ({len(assignment.tasks)} tasks, "
              f"{assignment.points:g} points)")
    return 0


def command_assign(args):
    assignment = spec.load(args.spec)
    out = pathlib.Path(args.out)
    for part in ("student", "autograder", "autograder.zip"):
        if (out / part).exists():
            raise spec.SpecError(f"{out / part} exists already; choose another --out or remove it")
    out.mkdir(parents=True, exist_ok=True)
    release.make_release(assignment, installed_solution(), out / "student")
    print(f"wrote {out / 'student'}: the release ({len(assignment.tasks)} tasks)")
    hidden = args.seed if args.seed is not None else secrets.randbits(31)
    zipped = autograder.make_autograder(
        assignment, installed_solution(), out / "autograder", hidden, args.wheels,
        args.python_version, log=lambda line: print("  " + line))
    print(f"wrote {zipped}: upload it to Gradescope (and {out / 'autograder'}, the same unpacked)")
    return 0


def command_grade(args):
    started = time.monotonic()
    submission = pathlib.Path(args.submission)
    if not submission.is_dir():
        raise spec.SpecError(f"no submission folder {submission}")
    assignment = spec.load(args.assignment)
    made = pathlib.Path(args.assignment)
    if made.is_dir() and (made / spec.RESOLVED).is_file():
        solution_root, cache = made / "solution", made / "expected"
        note = ""
    else:
        solution_root, cache = installed_solution(), None
        note = ("Hidden inputs drawn from the assignment file's seed: grade with "
                "--assignment DIR/autograder for the ones chosen when it was made.")
    sandbox.become_subreaper()
    if sandbox.sandbox_identity() is None:
        print("note: the submission's code runs as you; grade untrusted work as root (it then "
              f"runs as '{sandbox.SANDBOX_USER}') or in a container", file=sys.stderr)
    try:
        graded = grade.grade(submission, assignment, solution_root, cache,
                             log=lambda line: print(line, file=sys.stderr))
    except RuntimeError as error:
        print(f"minigrad-homework grade: could not grade: {error}", file=sys.stderr)
        return 1
    document = results.results_json(assignment, graded, time.monotonic() - started, note)
    results.write(document, args.results)
    print(results.table(assignment, graded))
    print(f"wrote {args.results}")
    return 0


def parser():
    top = argparse.ArgumentParser(prog="minigrad-homework", description=__doc__.split("\n")[0])
    verbs = top.add_subparsers(dest="command", required=True)
    verbs.add_parser("list", help="the built-in assignments, one line each")
    assign = verbs.add_parser("assign", help="make DIR/student and DIR/autograder.zip")
    assign.add_argument("spec", help="a built-in name or an assignment file (TOML)")
    assign.add_argument("--out", required=True, help="the folder to write into")
    assign.add_argument("--seed", type=int, help="the hidden seed (default: a random one)")
    assign.add_argument("--wheels", help="a folder of NumPy wheels to ship instead of downloading")
    assign.add_argument("--python-version", action="append", default=[],
                        help="also ship NumPy for this Python, e.g. 3.10 (Gradescope's "
                             "Ubuntu 22.04); repeatable")
    grade_ = verbs.add_parser("grade", help="grade a submission and write results.json")
    grade_.add_argument("submission", help="the student's folder")
    grade_.add_argument("--assignment", required=True,
                        help="a built-in name, an assignment file, or DIR/autograder")
    grade_.add_argument("--results", default="results.json", help="where to write results.json")
    return top


def main(argv=None):
    """Run the command line; returns the exit status."""
    args = parser().parse_args(argv)
    commands = {"list": command_list, "assign": command_assign, "grade": command_grade}
    try:
        return commands[args.command](args)
    except (spec.SpecError, release.ReleaseError) as error:
        print(f"minigrad-homework {args.command}: {error}", file=sys.stderr)
        return 2
    except RuntimeError as error:
        print(f"minigrad-homework {args.command}: {error}", file=sys.stderr)
        return 2
