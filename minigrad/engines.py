"""Which engine runs reverse mode: "fast" (the default) or "reference" (the textbook).

- "reference": minigrad/reference.py, applying an op and the reverse sweep as a textbook
  writes them; read it first.
- "fast": the same algorithm made fast, `Primitive.__call__` (primitive.py) and the sweep
  in backward.py, each departure marked `# fast:` with what it saves.

Both run the same Primitive classes and give the same gradients (the engine tests run on
both). Switch for a block with `with mg.use_engine("reference"):`, or for a whole process
with the environment variable MINIGRAD_ENGINE=reference. Switching installs the engine's
op application as `Primitive.__call__` (and anomaly mode's checks around it when that
mode is on), so the engine in use costs nothing to look up per op.
"""
import functools
import os

from minigrad import anomaly, backward as fast, reference
from minigrad.primitive import Primitive

#: name -> (how an op is applied, the module with backward() and gradient())
ENGINES = {"fast": (Primitive.__call__, fast), "reference": (reference.apply, reference)}


def _engine_name(name, where):
    if name not in ENGINES:
        raise ValueError(f"{where}: unknown engine {name!r}; choose {' or '.join(map(repr, ENGINES))}")
    return name


_in_use = [_engine_name(os.environ.get("MINIGRAD_ENGINE", "fast"), "MINIGRAD_ENGINE")]


def current():
    """The module of the engine in use (backward.py or reference.py)."""
    return ENGINES[_in_use[-1]][1]


def current_name():
    """"fast" or "reference"."""
    return _in_use[-1]


def install():
    """Make `Primitive.__call__` the engine's op application (checked under anomaly mode)."""
    apply = ENGINES[_in_use[-1]][0]
    Primitive.__call__ = anomaly.checking(apply) if anomaly.state.enabled else apply


class use_engine:
    """Run every op, backward, `Tape.gradient` and transform on one engine, as a context
    manager or a decorator.

    Args:
        name: "reference" (minigrad/reference.py) or "fast" (the default).

    Raises:
        ValueError: for another name.

    >>> import minigrad as mg
    >>> with mg.use_engine("reference"):
    ...     g = mg.grad(lambda x: (x ** 3).sum())(mg.tensor([2.0]))
    >>> g
    tensor([12.])
    """

    def __init__(self, name):
        self.name = _engine_name(name, "use_engine")

    def __enter__(self):
        _in_use.append(self.name)
        install()
        return self

    def __exit__(self, *exc):
        _in_use.pop()
        install()
        return False

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with use_engine(self.name):
                return fn(*args, **kwargs)
        return wrapper


def backward(target, grad=None, retain_graph=None, create_graph=False):
    """Tensor.backward, on the engine in use."""
    current().backward(target, grad, retain_graph, create_graph)


def gradient(target, sources, grad=None, retain_graph=False, create_graph=False,
             within=None, caller="gradient"):
    """d(target)/d(source) for each source, on the engine in use (what the transforms and
    Tape.gradient call)."""
    return current().gradient(target, sources, grad, retain_graph, create_graph, within,
                              caller)


install()
