"""The graph to draw: the tensors behind a target, numbered as `print(tape)` numbers them.

A Tensor target is walked back through `_inputs` to its leaves, iteratively (graphs of
10^5 ops exist, and recursion would stop at about a thousand). A Tape target is its
Wengert list as recorded. Either way the tensors are numbered by the rule of
`print(tape)`: entry by entry in tape order, an input not seen before gets the next
number (`v0 = input`), then the entry's output does. So a picture of a tensor and the
printout of a tape that recorded exactly its computation agree name for name.

Constants (ndarray and number inputs) are not boxes: they are folded into the op's call
text as `print(tape)` writes them (`power(v4, 2)`, `add(v1, const(3,))`).
"""
from __future__ import annotations

from minigrad.tape import Tape, _format_constant
from minigrad.tensor import Tensor


class Node:
    """One tensor of the picture.

    Attributes:
        tensor: the Tensor.
        number: its number in the Wengert list (the 7 of `v7`).
        name: what its box is titled: a name from `names=`, else `v7`.
        op: the op's name, or "input" for a leaf (or a tensor made before the tape).
        args: the call's arguments: input Nodes, and strings for constants and parameters.
        released: a backward without retain_graph freed its inputs, so they are unknown.
        missing: names of its inputs that are not drawn (cut by max_nodes).
        index: its place in `Walk.nodes`.
    """

    __slots__ = ("tensor", "number", "name", "op", "args", "released", "missing", "index")

    def __init__(self, tensor, number):
        self.tensor = tensor
        self.number = number
        self.name = f"v{number}"
        self.op = "input"
        self.args = None  # None: a leaf, drawn as `input` with no call
        self.released = False
        self.missing = []
        self.index = -1

    @property
    def inputs(self):
        """The input Nodes in argument order (a tensor used twice appears twice)."""
        return [a for a in self.args or () if isinstance(a, Node)]

    def call(self, names=True):
        """The right-hand side of its Wengert line: `matmul(v3, v5)`, `input`.

        Args:
            names: title the inputs by their box names (False: always `v7`, as printed).
        """
        if self.args is None:  # a leaf, or an op whose inputs were released
            return self.op + ("(...)" if self.released else "")
        texts = [(a.name if names else f"v{a.number}") if isinstance(a, Node) else a
                 for a in self.args]
        return f"{self.op}({', '.join(texts)})"

    def line(self):
        """Its line of `print(tape)`: `v7 = matmul(v3, v5)  (64, 10) float32`."""
        return f"v{self.number} = {self.call(names=False)}  {self.tensor.shape} {self.tensor.dtype}"


class Walk:
    """The tensors of a target's graph and what connects them, ready to lay out.

    Args:
        target: a Tensor (its graph back to the leaves) or a Tape (its entries).
        names: None, a dict {name: tensor}, or a Module (its dotted parameter names).
        max_nodes: draw at most this many tensors: the most recent ones, by number.

    Attributes:
        nodes: the drawn Nodes in Wengert order (inputs before the ops that use them).
        total: how many tensors the whole graph has (more than drawn when cut).
        released: how many drawn tensors had their inputs freed by backward().

    Raises:
        TypeError: for a target that is neither a Tensor nor a Tape, or names that are
            not a dict of tensors or a Module.
    """

    def __init__(self, target, names=None, max_nodes=2000):
        if isinstance(target, Tape):
            entries = [(e.output, e.primitive, e.inputs) for e in target]
        elif isinstance(target, Tensor):
            entries = _entries_behind(target)
        else:
            raise TypeError(
                f"mg.draw: target must be a Tensor or a Tape, not {type(target).__name__}; "
                "pass the tensor whose graph you want (e.g. the loss) or a `with mg.Tape() "
                "as tape:` recording")
        every = _numbered(entries, target)
        _apply_names(every, names)  # all of them: calls name inputs that were cut, too
        self.total = len(every)
        self.nodes = every[-max_nodes:] if len(every) > max_nodes else every
        for i, node in enumerate(self.nodes):
            node.index = i
        first_drawn = self.nodes[0].number if self.nodes else 0
        for node in self.nodes:
            for a in node.inputs:
                if a.number < first_drawn and a.name not in node.missing:
                    node.missing.append(a.name)
        self.released = sum(node.released for node in self.nodes)

    @property
    def cut(self):
        """How many tensors were left out by max_nodes."""
        return self.total - len(self.nodes)

    def edges(self):
        """(input Node, Node) for every drawn input of every drawn tensor, in order."""
        first = self.nodes[0].number if self.nodes else 0
        return [(a, node) for node in self.nodes for a in node.inputs if a.number >= first]


def _entries_behind(target):
    """The recorded tensors `target` depends on, as (output, primitive, inputs) in tape
    order. An iterative depth-first walk; a released tensor's inputs are unknown."""
    seen = {id(target)}
    stack, recorded = [target], []
    while stack:
        tensor = stack.pop()
        if tensor._entry is None:
            continue
        recorded.append(tensor)
        for x in tensor._inputs or ():
            if isinstance(x, Tensor) and id(x) not in seen:
                seen.add(id(x))
                stack.append(x)
    recorded.sort(key=lambda t: t._position)
    return [(t, t._entry, t._inputs) for t in recorded]


def _numbered(entries, target):
    """Nodes for every tensor of `entries`, numbered by the rule of `print(tape)`."""
    nodes: list[Node] = []
    by_id: dict[int, Node] = {}

    def node_of(tensor):
        if id(tensor) not in by_id:
            by_id[id(tensor)] = Node(tensor, len(nodes))
            nodes.append(by_id[id(tensor)])
        return by_id[id(tensor)]

    for output, primitive, inputs in entries:
        args = None
        if inputs is not None:
            args = [node_of(x) if isinstance(x, Tensor) else _format_constant(x)
                    for x in inputs]
            args += [f"{k}={v}" for k, v in primitive.params().items() if v is not None]
        node = node_of(output)
        node.op, node.args, node.released = primitive.op, args, inputs is None
    if not entries and isinstance(target, Tensor):
        node_of(target)  # a leaf: a graph of one box
    return nodes


def _apply_names(nodes, names):
    """Title the nodes of tensors in `names` (a dict or a Module) by their names."""
    if names is None:
        return
    if hasattr(names, "named_parameters"):
        names = dict(names.named_parameters())
    if not isinstance(names, dict):
        raise TypeError(
            "mg.draw: names must be a dict {name: tensor} or a Module, not "
            f"{type(names).__name__}; e.g. names={{'w': w, 'b': b}} or names=model")
    by_id: dict[int, str] = {}
    for name, tensor in names.items():
        if not isinstance(name, str) or not isinstance(tensor, Tensor):
            raise TypeError(
                "mg.draw: names maps names (str) to tensors, e.g. names={'w': w}; got "
                f"{type(name).__name__} -> {type(tensor).__name__}")
        by_id.setdefault(id(tensor), name)  # a tensor named twice keeps its first name
    for node in nodes:
        node.name = by_id.get(id(node.tensor), node.name)
