"""Run minigrad's benchmarks: every figure is a ratio to NumPy measured in the same run.

Usage: python benchmarks/run.py [--quick] [suite ...]     (suites: engine, softmax, training)
"""
import argparse
import importlib
import os
import sys

# One BLAS thread unless the caller chose otherwise (before NumPy loads): minigrad and the
# NumPy reference share the BLAS, so ratios are fair either way, but on a 2-core machine
# threaded BLAS makes small products swing by 10x with whatever else is running.
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from timing import format_rows  # noqa: E402

SUITES = ["engine", "softmax", "training"]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("suites", nargs="*", default=SUITES, help="which suites to run")
    parser.add_argument("--quick", action="store_true", help="fewer rounds (a smoke run)")
    options = parser.parse_args(argv)
    misses = 0
    for name in options.suites:
        try:
            suite = importlib.import_module(f"suite_{name}")
        except ModuleNotFoundError:
            print(f"{name}: no such suite (have {', '.join(SUITES)})")
            continue
        for title, rows in suite.run(quick=options.quick):
            print(format_rows(title, rows), flush=True)
            misses += sum(row.verdict != "ok" for row in rows)
    print(f"\n{misses} case(s) outside their target" if misses else "\nall cases within target")


if __name__ == "__main__":
    main()
