"""`Sequential`: modules applied one after another, named "0", "1", ... as in PyTorch."""
from collections import OrderedDict

from minigrad.nn.module import Module


class Sequential(Module):
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

    def __init__(self, *modules):
        super().__init__()
        if len(modules) == 1 and isinstance(modules[0], OrderedDict):
            named = list(modules[0].items())
        else:
            named = [(str(i), module) for i, module in enumerate(modules)]
        for name, module in named:
            self._add(name, module)

    def _add(self, name, module):
        if not isinstance(module, Module):
            raise TypeError(f"Sequential: item {name!r} is a {type(module).__name__}, not a Module")
        # Stored as attributes "0", "1", ... so the walk names parameters "0.weight".
        setattr(self, name, module)

    def _layers(self):
        return [value for _, value, _ in self._members() if isinstance(value, Module)]

    def append(self, module):
        """Add a module at the end; returns self."""
        self._add(str(len(self)), module)
        return self

    def forward(self, x):
        for layer in self._layers():
            x = layer(x)
        return x

    def __len__(self):
        return len(self._layers())

    def __iter__(self):
        return iter(self._layers())

    def __getitem__(self, index):
        layers = self._layers()
        if isinstance(index, slice):
            return Sequential(*layers[index])
        return layers[index]
