"""Anomaly mode: find the first op that turns finite numbers into inf or NaN.

A NaN loss says nothing about where it came from: every op after the first bad one just
passes it on. While `mg.detect_anomaly()` is on, every op's forward output, VJP result and
JVP result is checked, and the first that holds inf or NaN where everything it was
computed from was finite raises `AnomalyError`, naming the op, its tape entry, its inputs'
shapes and value ranges, and the line of your code that applied it.

Off (the default) it costs nothing: the checking version of op application is installed
only while the mode is on (see engines.install), and the reverse sweep reads the switch
once per backward.
"""
from __future__ import annotations

import functools
import linecache
import os
import sys
import weakref
from types import FrameType
from typing import TYPE_CHECKING, Any, Callable, Literal, Sequence, TypeVar

import numpy as np

if TYPE_CHECKING:
    from minigrad.primitive import Primitive
    from minigrad.tensor import Tensor

F = TypeVar("F", bound=Callable[..., Any])
#: Where an op was applied: (file, line, source text).
Origin = tuple[str, int, str]


class AnomalyError(RuntimeError):
    """An op produced inf or NaN from finite values (raised only under detect_anomaly)."""


class _State:
    __slots__ = ("depth",)

    def __init__(self) -> None:
        self.depth = 0

    @property
    def enabled(self) -> bool:
        return self.depth > 0


state: _State = _State()

# Where each output recorded under the mode was applied: id(output) -> (file, line,
# source), dropped when the output is freed. (Keyed by id: tensors compare elementwise.)
_origins: dict[int, Origin | None] = {}
_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep


class detect_anomaly:
    """Check every op for inf/NaN made from finite values, as a context manager
    (`with mg.detect_anomaly():`) or a decorator (`@mg.detect_anomaly()`).

    Raises (inside the block):
        AnomalyError: at the first op whose forward, VJP or JVP result holds inf or NaN
            where its inputs held none.

    >>> import minigrad as mg
    >>> x = mg.tensor([1.0, 2.0], requires_grad=True)
    >>> with np.errstate(all="ignore"), mg.detect_anomaly():  # doctest: +ELLIPSIS
    ...     y = mg.log(x - x)
    Traceback (most recent call last):
    ...
    minigrad.anomaly.AnomalyError: detect_anomaly: 'log' made inf/NaN in its forward output ...
    """

    def __enter__(self) -> detect_anomaly:
        from minigrad import engines
        state.depth += 1
        engines.install()
        return self

    def __exit__(self, *exc: object) -> Literal[False]:
        from minigrad import engines
        state.depth -= 1
        engines.install()
        return False

    def __call__(self, fn: F) -> F:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with detect_anomaly():
                return fn(*args, **kwargs)
        return wrapper  # type: ignore[return-value]  # wraps(fn) keeps fn's signature


def checking(apply: Callable[..., Tensor]) -> Callable[..., Tensor]:
    """`apply` (an engine's op application) followed by the forward-output check."""
    def apply_and_check(op: Primitive, *inputs: Any) -> Tensor:
        out = apply(op, *inputs)
        origin = _user_line()
        if out._entry is not None:
            _origins[id(out)] = origin
            weakref.finalize(out, _origins.pop, id(out), None)
        if not _finite(out.data) and all(_finite(x) for x in inputs):
            raise AnomalyError(_describe("forward output", op, out, inputs, origin))
        return out
    return apply_and_check


def check_vjp(output: Tensor, z_bar: Any, in_bars: Sequence[Any], caller: str) -> None:
    """After a VJP rule: raise if a cotangent is inf/NaN though z_bar and the values the
    rule read were finite."""
    if all(bar is None or _finite(bar) for bar in in_bars):
        return
    entry, inputs = output._entry, output._inputs
    assert entry is not None and inputs is not None  # its rule just ran: recorded, not released
    if _finite(z_bar) and _finite(output.data) and all(_finite(x) for x in inputs):
        raise AnomalyError(_describe(f"VJP result (during {caller})", entry, output,
                                     inputs, _origins.get(id(output))))


def check_jvp(op: Primitive, out: Tensor, inputs: Sequence[Any], tangents: Sequence[Any],
              z_dot: Any) -> None:
    """After a JVP rule: raise if the tangent is inf/NaN though inputs and tangents were
    finite."""
    if _finite(z_dot) or not all(_finite(v) for v in list(inputs) + list(tangents)):
        return
    raise AnomalyError(_describe("JVP result", op, out, inputs, _user_line()))


def _finite(value: Any) -> bool:
    array = getattr(value, "data", value) if not isinstance(value, np.ndarray) else value
    if value is None or not isinstance(array, (np.ndarray, np.generic, float, int)):
        return True
    array = np.asarray(array)
    return array.dtype.kind not in "fc" or bool(np.isfinite(array).all())


def _user_line() -> Origin | None:
    """(file, line, source) of the innermost frame outside the minigrad package."""
    frame: FrameType | None = sys._getframe(1)
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE_DIR):
        frame = frame.f_back
    if frame is None:
        return None
    filename, line = frame.f_code.co_filename, frame.f_lineno
    return filename, line, linecache.getline(filename, line).strip()


def _describe(what: str, op: Primitive, out: Tensor, inputs: Sequence[Any],
              origin: Origin | None) -> str:
    names: dict[int, str] = {}
    lines = [f"detect_anomaly: '{op.op}' made inf/NaN in its {what} from finite values."]
    if out._entry is not None:
        def name(x: Any) -> str:
            if getattr(x, "_entry", None) is not None:
                return f"v{x._position}"
            return names.setdefault(id(x), "leaf" if hasattr(x, "_entry") else "const")
        args = ", ".join(name(x) for x in inputs)
        lines.append(f"  tape entry: v{out._position} = {op.op}({args})")
    for i, x in enumerate(inputs):
        lines.append(f"  input {i}: {_summary(x)}")
    if origin is None:
        lines.append("  applied outside detect_anomaly, so the line of code is unknown; "
                     "run the forward pass inside the mode too")
    else:
        filename, line, source = origin
        lines.append(f"  applied at {filename}:{line}: {source}")
    return "\n".join(lines)


def _summary(value: Any) -> str:
    array = np.asarray(getattr(value, "data", value))
    if value is None:
        return "None"
    if array.size == 0 or array.dtype.kind not in "biuf":
        return f"shape {array.shape}, dtype {array.dtype}"
    return (f"shape {array.shape}, dtype {array.dtype}, values in "
            f"[{array.min():.6g}, {array.max():.6g}]")
