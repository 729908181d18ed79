"""The op table: every spec row, collected explicitly from the spec modules.

Adding a module of specs is a one-line change: create tests/op_specs/<name>.py defining
`SPECS = [OpSpec(...), ...]` (see spec.py for OpSpec, Case and the shared strategies),
then add "<name>" on its own line in MODULES below. tests/test_ops.py runs every row and
fails for any primitive defined in minigrad that no row covers.
"""
import importlib

#: The spec modules, one per line.
MODULES = (
    "core",
    "softmax",
    "nn_layers",
    "nn",
    "pytorch_names",
)

ALL_SPECS = [spec for name in MODULES
             for spec in importlib.import_module(f"tests.op_specs.{name}").SPECS]
