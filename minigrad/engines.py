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
from __future__ import annotations

import functools
import os
from types import ModuleType
from typing import Any, Callable, Literal, Sequence, TypeVar

from minigrad.tensor import Tensor
from minigrad.typing import TensorLike

from minigrad import anomaly, backward as fast, reference
from minigrad.primitive import Primitive

F = TypeVar("F", bound=Callable[..., Any])

#: name -> (how an op is applied, the module with backward() and gradient())
ENGINES: dict[str, tuple[Callable[..., Tensor], ModuleType]] = {"fast": (Primitive.__call__, fast), "reference": (reference.apply, reference)}


def _engine_name(name: str, where: str) -> str:
    if name not in ENGINES:
        raise ValueError(f"{where}: unknown engine {name!r}; choose {' or '.join(map(repr, ENGINES))}")
    return name


_in_use = [_engine_name(os.environ.get("MINIGRAD_ENGINE", "fast"), "MINIGRAD_ENGINE")]


def current() -> ModuleType:
    """The module of the engine in use (backward.py or reference.py)."""
    return ENGINES[_in_use[-1]][1]


def current_name() -> str:
    """"fast" or "reference"."""
    return _in_use[-1]


def install() -> None:
    """Make `Primitive.__call__` the engine's op application (checked under anomaly mode)."""
    apply = ENGINES[_in_use[-1]][0]
    # A method replaced on purpose: the engine in use then costs nothing to look up per op.
    Primitive.__call__ = (  # type: ignore[method-assign]
        anomaly.checking(apply) if anomaly.state.enabled else apply)


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

    def __init__(self, name: str) -> None:
        self.name = _engine_name(name, "use_engine")

    def __enter__(self) -> use_engine:
        _in_use.append(self.name)
        install()
        return self

    def __exit__(self, *exc: object) -> Literal[False]:
        _in_use.pop()
        install()
        return False

    def __call__(self, fn: F) -> F:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with use_engine(self.name):
                return fn(*args, **kwargs)
        return wrapper  # type: ignore[return-value]  # wraps(fn) keeps fn's signature


def backward(target: Tensor, grad: TensorLike | None = None, retain_graph: bool | None = None,
             create_graph: bool = False) -> None:
    """Tensor.backward, on the engine in use."""
    current().backward(target, grad, retain_graph, create_graph)


def gradient(target: Tensor, sources: Sequence[Tensor], grad: TensorLike | None = None,
             retain_graph: bool = False, create_graph: bool = False,
             within: set[Tensor] | None = None, caller: str = "gradient") -> list[Tensor]:
    """d(target)/d(source) for each source, on the engine in use (what the transforms and
    Tape.gradient call)."""
    return current().gradient(target, sources, grad, retain_graph, create_graph, within,
                              caller)


install()
