"""`Module` and `Parameter`: layers that find their parameters by walking their attributes.

A module needs no registration calls: whatever it stores as an attribute is found by a
walk over its attributes in assignment order, descending into sub-modules, lists, tuples
and dicts. A `Parameter` found this way is trained; a buffer (state that is saved but not
trained, like BatchNorm's running mean) is declared with `register_buffer`. Names are
dotted paths, as in PyTorch: `0.weight`, `layers.1.bias`, `blocks.attn.weight`.
"""
from __future__ import annotations

from typing import (TYPE_CHECKING, Any, Callable, Iterator, Mapping, NamedTuple, ParamSpec,
                    Protocol, TypeVar)

import numpy as np

from minigrad.nn.casting import to_arguments
from minigrad.spellings import MODULE_OBJECT_NAMES, attribute_error
from minigrad.tensor import Tensor
from minigrad.typing import DTypeLike, TensorLike

P = ParamSpec("P")
R = TypeVar("R", covariant=True)
M = TypeVar("M", bound="Module")


class Parameter(Tensor):
    """A tensor a Module trains: it requires grad, and `Module.parameters()` finds it.

    Args:
        data: an ndarray (copied, as mg.tensor does), a Tensor, a number or a list.
        requires_grad: False freezes it (it stays in the state dict).
        dtype: convert the data to this dtype.

    >>> import minigrad as mg
    >>> w = mg.nn.Parameter([1.0, 2.0])
    >>> w.requires_grad, w.shape
    (True, (2,))
    """

    __slots__ = ()

    def __init__(self, data: TensorLike, requires_grad: bool = True,
                 dtype: DTypeLike = None) -> None:
        super().__init__(data, requires_grad=requires_grad, dtype=dtype)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()


class LoadResult(NamedTuple):
    """What `load_state_dict` returns (as PyTorch): keys it could not fill, keys it did not use."""

    missing_keys: list[str]
    unexpected_keys: list[str]


class _Forward(Protocol[P, R]):
    def forward(self, *args: P.args, **kwargs: P.kwargs) -> R: ...


class _CallsForward:
    """What type checkers see as `Module.__call__`: the module's own `forward`, so that
    `model(x)` is checked against forward's parameters and has forward's return type."""

    def __get__(self, module: _Forward[P, R], owner: type | None = None) -> Callable[P, R]:
        return module.forward


class Module:
    """Base class of layers and models: parameters, buffers, train/eval mode, state dicts.

    Subclass it, store parameters, sub-modules (or lists and dicts of them) as attributes
    in ``__init__``, and define ``forward``; calling the module calls ``forward``.
    Calling ``super().__init__()`` first is customary but not required.

    >>> import minigrad as mg
    >>> class Affine(mg.nn.Module):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.scale = mg.nn.Parameter([2.0])
    ...         self.shift = mg.nn.Parameter([1.0])
    ...     def forward(self, x):
    ...         return x * self.scale + self.shift
    >>> model = Affine()
    >>> model(mg.tensor([1.0, 2.0]))
    tensor([3., 5.], op=add)
    >>> [name for name, _ in model.named_parameters()]
    ['scale', 'shift']
    """

    #: Train mode (the default) or eval mode; `train()` and `eval()` set it on every sub-module.
    training = True

    def __init__(self) -> None:
        self.training = True

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define forward()")

    if TYPE_CHECKING:
        __call__ = _CallsForward()
    else:
        def __call__(self, *args, **kwargs):
            return self.forward(*args, **kwargs)

    # ----- buffers --------------------------------------------------------------------
    def register_buffer(self, name: str, value: TensorLike | None) -> None:
        """Declare state that is saved in the state dict but not trained.

        The buffer is then an ordinary attribute holding a Tensor (assigning an ndarray to
        it later wraps it). None is allowed and is left out of the state dict.

        Args:
            name: the attribute name, e.g. "running_mean".
            value: an ndarray, a Tensor or None.

        Raises:
            TypeError: for other values.
            KeyError: if `name` is already an attribute that is not a buffer.
        """
        if name in self.__dict__ and name not in self._buffers():
            raise KeyError(f"register_buffer: {type(self).__name__} already has an attribute "
                           f"{name!r}")
        self.__dict__.setdefault("_buffer_names", {})[name] = None
        setattr(self, name, value)

    def _buffers(self) -> dict[str, None]:
        return self.__dict__.get("_buffer_names", {})

    def __setattr__(self, name: str, value: Any) -> None:
        if name in self._buffers():
            value = _as_buffer(name, value)
        object.__setattr__(self, name, value)

    # Hidden from type checkers, which would otherwise accept any attribute name (as this
    # method's result) instead of reporting the typo the AttributeError reports.
    if not TYPE_CHECKING:
        def __getattr__(self, name):
            # Only reached when normal lookup fails: say so loudly, with a suggestion,
            # instead of returning None (a typo must never look like a missing layer).
            if name.startswith("__"):
                raise AttributeError(name)
            known = list(object.__getattribute__(self, "__dict__")) + dir(type(self))
            raise attribute_error(f"{type(self).__name__!r} object", name, known,
                                  MODULE_OBJECT_NAMES)

    # ----- the walk -------------------------------------------------------------------
    def _members(self) -> Iterator[tuple[str, Any, bool]]:
        """(name, value, is_buffer) for this module's own attributes, in assignment order."""
        buffers = self._buffers()
        for name, value in self.__dict__.items():
            if name == "_buffer_names":
                continue
            yield name, value, name in buffers

    def named_modules(self, prefix: str = "") -> list[tuple[str, Module]]:
        """Every module in the tree, this one first (name ""), each once, in a stable order.

        Returns:
            A list of (dotted name, module).
        """
        found: list[tuple[str, Module]] = []
        _walk(self, prefix, set(), modules=found.append)
        return found

    def modules(self) -> list[Module]:
        """Every module in the tree, this one first."""
        return [module for _, module in self.named_modules()]

    def named_children(self) -> list[tuple[str, Module]]:
        """The direct sub-modules, each once, with their names (dotted through lists and
        dicts)."""
        children: list[tuple[str, Module]] = []
        for name, value, is_buffer in self._members():
            if not is_buffer:
                _find_children(value, name, children)
        named, seen = [], set()
        for name, child in children:
            if id(child) not in seen:  # a module under two names is listed once
                seen.add(id(child))
                named.append((name, child))
        return named

    def children(self) -> list[Module]:
        """The direct sub-modules."""
        return [module for _, module in self.named_children()]

    def named_parameters(self) -> list[tuple[str, Parameter]]:
        """(dotted name, Parameter) for every parameter, each once, in a stable order.

        The order is a depth-first walk over attributes in assignment order, so it is the
        same on every run. A parameter shared by two layers is listed once, under its
        first name.

        >>> import minigrad as mg
        >>> net = mg.nn.Sequential(mg.nn.Linear(2, 3, rng=0), mg.nn.ReLU(),
        ...                        mg.nn.Linear(3, 1, rng=0))
        >>> [name for name, _ in net.named_parameters()]
        ['0.weight', '0.bias', '2.weight', '2.bias']
        """
        found: list[tuple[str, Parameter]] = []
        seen = set()
        _walk(self, "", set(), parameters=found.append)
        named = []
        for name, param in found:
            if id(param) not in seen:  # by identity: == on tensors is elementwise
                seen.add(id(param))
                named.append((name, param))
        return named

    def parameters(self) -> list[Parameter]:
        """Every parameter, each once, in the order of `named_parameters()`."""
        return [param for _, param in self.named_parameters()]

    def named_buffers(self) -> list[tuple[str, Tensor]]:
        """(dotted name, Tensor) for every buffer that is not None."""
        found: list[tuple[str, Tensor]] = []
        _walk(self, "", set(), buffers=found.append)
        return found

    def buffers(self) -> list[Tensor]:
        """Every buffer that is not None."""
        return [buffer for _, buffer in self.named_buffers()]

    # ----- training -------------------------------------------------------------------
    def zero_grad(self) -> None:
        """Set the gradient of every parameter to None (as PyTorch's default)."""
        for param in self.parameters():
            param.grad = None

    def train(self: M, mode: bool = True) -> M:
        """Set train mode (mode=True) or eval mode on this module and every sub-module.

        Returns:
            self, so `model = Net().train()` reads naturally.
        """
        for module in self.modules():
            module.training = bool(mode)
        return self

    def eval(self: M) -> M:
        """Set eval mode everywhere (Dropout passes through, BatchNorm uses running stats)."""
        return self.train(False)

    def apply(self: M, fn: Callable[[Module], object]) -> M:
        """Call fn(module) on every sub-module, children first, then on this module.

        Returns:
            self (PyTorch's order and return value), e.g. `model.apply(init_weights)`.

        >>> import minigrad as mg
        >>> net = mg.nn.Sequential(mg.nn.Linear(2, 2, rng=0), mg.nn.ReLU())
        >>> seen = []
        >>> net.apply(lambda m: seen.append(type(m).__name__)) is net, seen
        (True, ['Linear', 'ReLU', 'Sequential'])
        """
        for child in self.children():
            child.apply(fn)
        fn(self)
        return self

    def to(self: M, *args: Any, dtype: DTypeLike = None, device: str | None = None) -> M:
        """Cast every parameter (and its gradient) and every floating buffer to `dtype`.

        The parameters stay the same objects (an optimizer built on them keeps working);
        their data becomes a cast copy. Accepts PyTorch's forms: to(dtype), to(device),
        to(device, dtype), to(tensor) (its dtype).

        Args:
            dtype: a floating dtype, e.g. np.float32 or "float32".
            device: "cpu" (a no-op: minigrad runs on the CPU); any other device raises.

        Returns:
            self.

        Raises:
            RuntimeError: for a device other than the CPU ("cuda", "mps", ...).
            TypeError: for a dtype that is not floating, or an argument that is neither.

        >>> import minigrad as mg, numpy as np
        >>> layer = mg.nn.Linear(2, 2, rng=0)
        >>> layer.to(np.float32) is layer, layer.weight.dtype, layer.to("cpu") is layer
        (True, dtype('float32'), True)
        """
        dtype = to_arguments(args, dtype, device)
        if dtype is None:
            return self
        for param in self.parameters():
            param.data = param.data.astype(dtype, copy=False)
            if param.grad is not None:
                param.grad = Tensor(param.grad.data, dtype=dtype)
        for buffer in self.buffers():
            if buffer.dtype.kind in "fc":
                buffer.data = buffer.data.astype(dtype, copy=False)
        return self

    def float(self: M) -> M:
        """`self.to(np.float32)`."""
        return self.to(np.float32)

    def double(self: M) -> M:
        """`self.to(np.float64)`."""
        return self.to(np.float64)

    # ----- state dicts ----------------------------------------------------------------
    def _state_tensors(self) -> dict[str, Tensor]:
        found: list[tuple[str, Tensor]] = []
        _walk(self, "", set(), parameters=found.append, buffers=found.append)
        return dict(found)

    def state_dict(self) -> dict[str, np.ndarray]:
        """A snapshot of every parameter and buffer: {dotted name: ndarray copy}.

        Names and layouts match PyTorch's, so a state dict carries across (through
        `mg.save`/`mg.load`, or converted with `.numpy()` on the PyTorch side).

        >>> import minigrad as mg
        >>> state = mg.nn.Linear(3, 2, rng=0).state_dict()
        >>> {name: value.shape for name, value in state.items()}
        {'weight': (2, 3), 'bias': (2,)}
        """
        return {name: tensor.data.copy() for name, tensor in self._state_tensors().items()}

    def load_state_dict(self, state: Mapping[str, TensorLike], strict: bool = True
                        ) -> LoadResult:
        """Copy values into the parameters and buffers of the same names, in place.

        Nothing is changed unless every check passes.

        Args:
            state: {dotted name: ndarray or Tensor}, e.g. from `state_dict()` or `mg.load`.
            strict: also fail on missing or unexpected keys (shapes and dtypes must always
                match).

        Returns:
            A LoadResult(missing_keys, unexpected_keys).

        Raises:
            RuntimeError: listing every missing, unexpected and mismatched key.
            TypeError: for a value that is neither an ndarray nor a Tensor.
        """
        targets = self._state_tensors()
        missing = [name for name in targets if name not in state]
        unexpected = [name for name in state if name not in targets]
        mismatched: list[str] = []
        for name in targets:
            if name not in state:
                continue
            value = state[name]
            if not isinstance(value, (np.ndarray, Tensor)):
                raise TypeError(f"load_state_dict: {name!r} is a {type(value).__name__}; "
                                "expected an ndarray or a Tensor")
            value = np.asarray(value)
            target = targets[name].data
            if value.shape != target.shape or value.dtype != target.dtype:
                mismatched.append(f"{name}: expected {target.shape} {target.dtype}, "
                                  f"got {value.shape} {value.dtype}")
        problems: list[str] = []
        if strict and missing:
            problems.append(f"missing keys: {missing}")
        if strict and unexpected:
            problems.append(f"unexpected keys: {unexpected}")
        if mismatched:
            problems.append("shape or dtype mismatch:\n    " + "\n    ".join(mismatched))
        if problems:
            raise RuntimeError(f"Error(s) in loading state_dict for {type(self).__name__}:\n  "
                               + "\n  ".join(problems))
        for name, tensor in targets.items():
            if name in state:
                np.copyto(tensor.data, np.asarray(state[name]))
        return LoadResult(missing, unexpected)

    # ----- printing -------------------------------------------------------------------
    def extra_repr(self) -> str:
        """The text inside the parentheses of this module's line, e.g. `in_features=2, ...`."""
        return ""

    def __repr__(self) -> str:
        children = self.named_children()
        if not children:
            return f"{type(self).__name__}({self.extra_repr()})"
        lines = [f"{type(self).__name__}("]
        if self.extra_repr():
            lines.append("  " + self.extra_repr())
        for name, child in children:
            body = repr(child).replace("\n", "\n  ")
            lines.append(f"  ({name}): {body}")
        lines.append(")")
        return "\n".join(lines)


def _as_buffer(name: str, value: object) -> Tensor | None:
    if value is None or isinstance(value, Tensor):
        return value
    if isinstance(value, (np.ndarray, np.generic)):
        return Tensor(np.asarray(value))
    raise TypeError(f"buffer {name!r} must be an ndarray, a Tensor or None, "
                    f"not {type(value).__name__}")


def _walk(value: object, prefix: str, seen: set[int],
          modules: Callable[[tuple[str, Module]], None] | None = None,
          parameters: Callable[[tuple[str, Parameter]], None] | None = None,
          buffers: Callable[[tuple[str, Tensor]], None] | None = None) -> None:
    """Depth-first over modules, parameters and buffers reachable from `value`.

    Each callback receives (dotted name, object). A module reached twice (or through a
    cycle) is walked once.
    """
    if isinstance(value, Parameter):
        if parameters is not None:
            parameters((prefix, value))
    elif isinstance(value, Module):
        if id(value) in seen:
            return
        seen.add(id(value))
        if modules is not None:
            modules((prefix, value))
        for name, member, is_buffer in value._members():
            dotted = f"{prefix}.{name}" if prefix else name
            if is_buffer:
                if buffers is not None and member is not None:
                    buffers((dotted, member))
            else:
                _walk(member, dotted, seen, modules, parameters, buffers)
    elif isinstance(value, (list, tuple)):
        for i, member in enumerate(value):
            _walk(member, f"{prefix}.{i}" if prefix else str(i), seen, modules, parameters,
                  buffers)
    elif isinstance(value, dict):
        for key, member in value.items():
            _walk(member, f"{prefix}.{key}" if prefix else str(key), seen, modules, parameters,
                  buffers)


def _find_children(value: object, name: str, children: list[tuple[str, Module]]) -> None:
    if isinstance(value, Module):
        children.append((name, value))
    elif isinstance(value, (list, tuple)):
        for i, member in enumerate(value):
            _find_children(member, f"{name}.{i}", children)
    elif isinstance(value, dict):
        for key, member in value.items():
            _find_children(member, f"{name}.{key}", children)
