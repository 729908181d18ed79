"""Whether ops are recorded: `no_grad`, `enable_grad`, `is_grad_enabled`.

Recording is on by default. Inside `no_grad` no entry is appended to any tape, so
inference and optimizer updates cost nothing beyond the NumPy work itself.
"""
import functools


class _GradMode:
    """The one switch every op reads before recording (a plain attribute: it is on the hot path)."""

    __slots__ = ("enabled",)

    def __init__(self):
        self.enabled = True


state = _GradMode()


def is_grad_enabled():
    """True when differentiable ops applied to tensors that require grad are recorded.

    >>> import minigrad as mg
    >>> with mg.no_grad():
    ...     mg.is_grad_enabled()
    False
    """
    return state.enabled


class _SetGradEnabled:
    """Context manager and decorator that sets grad mode and restores the old one on exit."""

    def __init__(self, enabled):
        self._enabled = enabled
        self._previous = []

    def __enter__(self):
        self._previous.append(state.enabled)
        state.enabled = self._enabled
        return self

    def __exit__(self, *exc):
        state.enabled = self._previous.pop()
        return False

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with type(self)():
                return fn(*args, **kwargs)
        return wrapper


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

    def __new__(cls, fn=None):
        # Bare `@mg.no_grad` (no parentheses) decorates directly, as in PyTorch.
        if fn is None:
            return super().__new__(cls)
        return cls()(fn)

    def __init__(self, fn=None):
        super().__init__(False)


class enable_grad(_SetGradEnabled):
    """Turn recording back on inside a `no_grad` block."""

    def __init__(self):
        super().__init__(True)


class set_grad_enabled(_SetGradEnabled):
    """Turn recording on or off (`mode`), as a context manager or decorator (PyTorch's
    torch.set_grad_enabled).

    >>> import minigrad as mg
    >>> with mg.set_grad_enabled(False):
    ...     mg.is_grad_enabled()
    False
    """

    def __init__(self, mode):
        super().__init__(bool(mode))

    def __call__(self, fn):
        mode = self._enabled

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with set_grad_enabled(mode):
                return fn(*args, **kwargs)
        return wrapper
