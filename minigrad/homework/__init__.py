"""Homework made from minigrad's own source, and an offline autograder.

    minigrad-homework list
    minigrad-homework assign op-rules --out hw1          # hw1/student, hw1/autograder.zip
    minigrad-homework grade hw1/student --assignment hw1/autograder

An assignment file (TOML, spec.py) names each task's functions by place; `assign` blanks
them with `ast` (locate.py) into a release (release.py) and packs a Gradescope autograder
(autograder.py); `grade` runs each task's code in a sandboxed child (sandbox.py,
child.py) on a copy of the solution with that task grafted in (trees.py), and the parent
scores what the child returned (grade.py, checks/) into results.json (results.py).
"""
