"""Whether ops are recorded: `no_grad`, `enable_grad`, `is_grad_enabled`.

Recording is on by default. Inside `no_grad` no entry is appended to any tape, so
inference and optimizer updates cost nothing beyond the NumPy work itself.
"""
from __future__ import annotations

import functools
from typing import Any, Callable, Literal, TypeVar, overload

F = TypeVar("F", bound=Callable[..., Any])


class _GradMode:
    """The one switch every op reads before recording (a plain attribute: it is on the hot path)."""

    __slots__ = ("enabled",)

    def __init__(self) -> None:
        self.enabled = True


state: _GradMode = _GradMode()


def is_grad_enabled() -> bool:
    """True when differentiable ops applied to tensors that require grad are recorded.

    >>> import minigrad as mg
    >>> with mg.no_grad():
    ...     mg.is_grad_enabled()
    False
    """
    return state.enabled


class _SetGradEnabled:
    """Context manager and decorator that sets grad mode and restores the old one on exit."""

    def __init__(self, enabled: bool) -> None:
        self._enabled = enabled
        self._previous: list[bool] = []

    def __enter__(self) -> _SetGradEnabled:
        self._previous.append(state.enabled)
        state.enabled = self._enabled
        return self

    def __exit__(self, *exc: object) -> Literal[False]:
        state.enabled = self._previous.pop()
        return False

    def __call__(self, fn: F) -> F:
        enabled = self._enabled

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with _SetGradEnabled(enabled):  # a new one per call: calls may nest
                return fn(*args, **kwargs)
        return wrapper  # type: ignore[return-value]  # wraps(fn) keeps fn's signature


class no_grad(_SetGradEnabled):
    """Turn recording off, as a context manager (`with mg.no_grad():`) or a decorator
    (`@mg.no_grad()`, or bare `@mg.no_grad`).

    >>> import minigrad as mg
    >>> x = mg.tensor([1.0, 2.0], requires_grad=True)
    >>> with mg.no_grad():
    ...     y = x * 2
    >>> y.requires_grad
    False
    """

    @overload
    def __new__(cls, fn: None = None) -> no_grad: ...
    @overload  # bare @mg.no_grad: the function, wrapped (type checkers cannot say more)
    def __new__(cls, fn: Callable[..., Any]) -> Any: ...

    def __new__(cls, fn: Callable[..., Any] | None = None) -> Any:
        # Bare `@mg.no_grad` (no parentheses) decorates directly, as in PyTorch.
        if fn is None:
            return super().__new__(cls)
        return cls()(fn)

    def __init__(self, fn: Callable[..., Any] | None = None) -> None:
        super().__init__(False)


class enable_grad(_SetGradEnabled):
    """Turn recording back on inside a `no_grad` block."""

    def __init__(self) -> None:
        super().__init__(True)


class set_grad_enabled(_SetGradEnabled):
    """Turn recording on or off (`mode`), as a context manager or decorator (PyTorch's
    torch.set_grad_enabled).

    >>> import minigrad as mg
    >>> with mg.set_grad_enabled(False):
    ...     mg.is_grad_enabled()
    False
    """

    def __init__(self, mode: bool) -> None:
        super().__init__(bool(mode))
