"""Containers of modules, as PyTorch's: `Sequential` (applied in order), `ModuleList` (a
list that names its modules "0", "1", ...) and `ModuleDict` (a dict named by its keys).

Each stores its modules as attributes named like their positions or keys, so the
attribute walk of `Module` finds them and names their parameters `layers.0.weight` or
`heads.a.weight`, as PyTorch does.
"""
from __future__ import annotations

from collections import OrderedDict
from typing import (Any, ItemsView, Iterable, Iterator, KeysView, Mapping, NoReturn, TypeVar,
                    ValuesView, overload)

from minigrad.nn.module import Module
from minigrad.tensor import Tensor

C = TypeVar("C", bound="_Indexed")


class _Indexed(Module):
    """Modules stored as attributes "0", "1", ...: what ModuleList and Sequential share."""

    def _layers(self) -> list[Module]:
        return [value for _, value, _ in self._members() if isinstance(value, Module)]

    def _check(self, module: object, name: str) -> Module:
        if not isinstance(module, Module):
            raise TypeError(f"{type(self).__name__}: item {name!r} is a "
                            f"{type(module).__name__}, not a Module")
        return module

    def _renumber(self, modules: Iterable[Module]) -> None:
        """Store `modules` as "0", "1", ... again (after an insert or a delete)."""
        for name in [name for name, value, _ in self._members() if isinstance(value, Module)]:
            del self.__dict__[name]
        for i, module in enumerate(modules):
            setattr(self, str(i), self._check(module, str(i)))

    def _position(self, index: int) -> int:
        n = len(self)
        if not -n <= index < n:
            raise IndexError(f"{type(self).__name__}: index {index} is out of range for "
                             f"{n} modules")
        return index % n

    def __len__(self) -> int:
        return len(self._layers())

    def __iter__(self) -> Iterator[Module]:
        return iter(self._layers())

    def append(self: C, module: Module) -> C:
        """Add a module at the end, named str(len(self)); returns self.

        Raises:
            ValueError: if that name is taken (a Sequential sliced from another keeps its
                names, as PyTorch's; PyTorch would silently replace the module there).
        """
        name = str(len(self))
        if name in self.__dict__:
            raise ValueError(f"{type(self).__name__}.append: the name {name!r} is taken (this "
                             "container kept the names of the one it was sliced from); "
                             "renumber it first, e.g. nn.Sequential(*container)")
        setattr(self, name, self._check(module, name))
        return self

    def extend(self: C, modules: Iterable[Module]) -> C:
        """Append each module of an iterable; returns self."""
        for module in modules:
            self.append(module)
        return self

    def insert(self, index: int, module: Module) -> None:
        """Insert a module before position `index` (the others are renumbered)."""
        layers = self._layers()
        layers.insert(index, self._check(module, str(index)))
        self._renumber(layers)

    def pop(self, index: int = -1) -> Module:
        """Remove and return the module at `index` (the others are renumbered)."""
        layers = self._layers()
        module = layers.pop(self._position(index))
        self._renumber(layers)
        return module

    def __delitem__(self, index: int | slice) -> None:
        layers = self._layers()
        if isinstance(index, slice):
            del layers[index]
        else:
            del layers[self._position(index)]
        self._renumber(layers)

    def __setitem__(self, index: int, module: Module) -> None:
        layers = self._layers()
        layers[self._position(index)] = module
        self._renumber(layers)


class ModuleList(_Indexed):
    """A list of modules whose parameters the model finds (a plain list works too in
    minigrad, but ModuleList is what PyTorch code writes, and it prints and slices alike).

    Supports len, iteration, indexing (negative, and slices, which give a ModuleList),
    assignment and deletion by index, `in`, +, +=, append, extend, insert and pop. It has
    no forward: iterate over it.

    Args:
        modules: an iterable of Modules, or None.

    Raises:
        TypeError: for an item that is not a Module.
        IndexError: for an index out of range.

    >>> import minigrad as mg
    >>> layers = mg.nn.ModuleList([mg.nn.Linear(2, 2, rng=i) for i in range(2)])
    >>> layers.append(mg.nn.ReLU())
    ModuleList(
      (0): Linear(in_features=2, out_features=2, bias=True)
      (1): Linear(in_features=2, out_features=2, bias=True)
      (2): ReLU()
    )
    >>> len(layers), [name for name, _ in layers.named_parameters()][:2]
    (3, ['0.weight', '0.bias'])
    """

    def __init__(self, modules: Iterable[Module] | None = None) -> None:
        super().__init__()
        self.extend(modules or ())

    def forward(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise NotImplementedError("ModuleList has no forward(): iterate over it, e.g. "
                                  "`for layer in self.layers: x = layer(x)`")

    @overload
    def __getitem__(self, index: int) -> Module: ...
    @overload
    def __getitem__(self, index: slice) -> ModuleList: ...

    def __getitem__(self, index: int | slice) -> Module | ModuleList:
        if isinstance(index, slice):
            return ModuleList(self._layers()[index])
        return self._layers()[self._position(index)]

    def __add__(self, other: Iterable[Module]) -> ModuleList:
        return ModuleList(list(self) + list(other))

    def __iadd__(self, modules: Iterable[Module]) -> ModuleList:
        return self.extend(modules)


class Sequential(_Indexed):
    """Apply modules in order; each output is the next input.

    Args:
        modules: the layers, or one OrderedDict {name: layer} to name them.

    Raises:
        TypeError: if an argument is not a Module.

    >>> import minigrad as mg
    >>> net = mg.nn.Sequential(mg.nn.Linear(2, 4, rng=0), mg.nn.ReLU(), mg.nn.Linear(4, 1, rng=1))
    >>> net
    Sequential(
      (0): Linear(in_features=2, out_features=4, bias=True)
      (1): ReLU()
      (2): Linear(in_features=4, out_features=1, bias=True)
    )
    >>> net(mg.ones(5, 2)).shape, len(net), type(net[1]).__name__
    ((5, 1), 3, 'ReLU')
    """

    def __init__(self, *modules: Module | OrderedDict[str, Module]) -> None:
        super().__init__()
        named: list[tuple[str, object]]  # each checked to be a Module below
        if len(modules) == 1 and isinstance(modules[0], OrderedDict):
            named = list(modules[0].items())
        else:
            named = [(str(i), module) for i, module in enumerate(modules)]
        for name, module in named:
            setattr(self, name, self._check(module, name))

    def forward(self, x: Tensor) -> Tensor:
        for layer in self._layers():
            x = layer(x)
        return x

    @overload
    def __getitem__(self, index: int) -> Module: ...
    @overload
    def __getitem__(self, index: slice) -> Sequential: ...

    def __getitem__(self, index: int | slice) -> Module | Sequential:
        named = [(name, value) for name, value, _ in self._members() if isinstance(value, Module)]
        if isinstance(index, slice):
            return Sequential(OrderedDict(named[index]))
        return named[self._position(index)][1]


class ModuleDict(Module):
    """A dict of modules, named by their keys (`heads.a.weight`), in insertion order.

    Supports d[key], d[key] = module, del d[key], len, iteration over the keys, `in`,
    keys(), values(), items(), update(), pop() and clear().

    Args:
        modules: a dict (or iterable of (key, module) pairs), or None.

    Raises:
        TypeError: for a key that is not a string or a value that is not a Module.
        KeyError: for a key that is empty, contains ".", or is already an attribute of
            ModuleDict (like "keys" or "training"), as PyTorch.

    >>> import minigrad as mg
    >>> heads = mg.nn.ModuleDict({"a": mg.nn.Linear(2, 1, rng=0), "b": mg.nn.Tanh()})
    >>> list(heads), "a" in heads, type(heads["b"]).__name__
    (['a', 'b'], True, 'Tanh')
    >>> [name for name, _ in heads.named_parameters()]
    ['a.weight', 'a.bias']
    """

    def __init__(self, modules: Mapping[str, Module] | Iterable[tuple[str, Module]] | None = None
                 ) -> None:
        super().__init__()
        if modules is not None:
            self.update(modules)

    def _entries(self) -> dict[str, Module]:
        return {name: value for name, value, _ in self._members() if isinstance(value, Module)}

    def __getitem__(self, key: str) -> Module:
        entries = self._entries()
        if key not in entries:
            raise KeyError(f"ModuleDict has no module {key!r}; keys: {list(entries)}")
        return entries[key]

    def __setitem__(self, key: str, module: Module) -> None:
        if not isinstance(key, str):
            raise TypeError(f"ModuleDict: keys must be strings, got {type(key).__name__}")
        if not key or "." in key:
            raise KeyError(f"ModuleDict: a key must be non-empty and without '.', got {key!r}")
        if key not in self._entries() and (key in self.__dict__ or hasattr(type(self), key)):
            raise KeyError(f"ModuleDict: {key!r} is already an attribute of ModuleDict; "
                           "choose another key")
        if not isinstance(module, Module):
            raise TypeError(f"ModuleDict: the value for {key!r} is a "
                            f"{type(module).__name__}, not a Module")
        setattr(self, key, module)

    def __delitem__(self, key: str) -> None:
        self[key]  # a KeyError naming the keys, if missing
        del self.__dict__[key]

    def __len__(self) -> int:
        return len(self._entries())

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries())

    def __contains__(self, key: object) -> bool:
        return key in self._entries()

    def keys(self) -> KeysView[str]:
        """The keys, in insertion order."""
        return self._entries().keys()

    def values(self) -> ValuesView[Module]:
        """The modules, in insertion order."""
        return self._entries().values()

    def items(self) -> ItemsView[str, Module]:
        """(key, module) pairs, in insertion order."""
        return self._entries().items()

    def update(self, modules: Mapping[str, Module] | Iterable[tuple[str, Module]]) -> None:
        """Add or replace modules from a dict or an iterable of (key, module) pairs."""
        for key, module in (modules.items() if hasattr(modules, "items") else modules):
            self[key] = module

    def pop(self, key: str) -> Module:
        """Remove the module under `key` and return it."""
        module = self[key]
        del self[key]
        return module

    def clear(self) -> None:
        """Remove every module."""
        for key in list(self._entries()):
            del self[key]

    def forward(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise NotImplementedError("ModuleDict has no forward(): call its modules, e.g. "
                                  "self.heads['a'](x)")
