"""`mg.Tape`: the Wengert list made visible.

Every recorded op already knows its position on the tape (entries are numbered as they
are recorded, and `backward()` replays the ones that lead to its target in reverse). A
`Tape` context additionally keeps every entry recorded inside it, with its output, so
you can print the list, walk it, and differentiate through exactly those entries.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterator, Literal, Sequence, overload

import numpy as np

if TYPE_CHECKING:
    from minigrad.primitive import Primitive
    from minigrad.tensor import Tensor

# The tapes currently open; recording appends to each of them.
active_tapes: list[Tape] = []


def record_on_active_tapes(entry: Primitive, output: Tensor) -> None:
    for tape in active_tapes:
        tape._entries.append(TapeEntry(entry, output))


class TapeEntry:
    """One line of the Wengert list: `output = op(*inputs)`.

    Attributes:
        op: the op's name (e.g. "matmul").
        primitive: the Primitive instance, with its parameters.
        inputs: the input tensors and constants.
        output: the output tensor.
    """

    __slots__ = ("primitive", "output", "inputs")

    def __init__(self, primitive: Primitive, output: Tensor) -> None:
        self.primitive = primitive
        self.output = output
        # Never None here (the output was just recorded); its own reference outlives a release.
        self.inputs: tuple[Any, ...] = output._inputs  # type: ignore[assignment]

    @property
    def op(self) -> str:
        return self.primitive.op

    def __repr__(self) -> str:
        return f"TapeEntry({self.op}, output shape {self.output.shape})"


class Tape:
    """Record the ops run inside `with mg.Tape() as tape:`.

    `print(tape)` shows the numbered Wengert list, one line per entry; `len(tape)`,
    iteration (entries with `.op`, `.inputs`, `.output`) and `tape.gradient` work on it.

    >>> import minigrad as mg
    >>> x = mg.tensor([1.0, 2.0], requires_grad=True)
    >>> with mg.Tape() as tape:
    ...     y = (x * x).sum()
    >>> print(tape)
    v0 = input               (2,) float64
    v1 = multiply(v0, v0)    (2,) float64
    v2 = sum(v1, axes=(0,))  () float64
    >>> tape.gradient(y, [x])
    [tensor([2., 4.])]
    """

    def __init__(self) -> None:
        self._entries: list[TapeEntry] = []

    def __enter__(self) -> Tape:
        active_tapes.append(self)
        return self

    def __exit__(self, *exc: object) -> Literal[False]:
        active_tapes.remove(self)
        return False

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[TapeEntry]:
        return iter(self._entries)

    def __getitem__(self, i: int) -> TapeEntry:
        return self._entries[i]

    @overload
    def gradient(self, target: Tensor, sources: Tensor) -> Tensor: ...
    @overload
    def gradient(self, target: Tensor, sources: Sequence[Tensor]) -> list[Tensor]: ...

    def gradient(self, target: Tensor, sources: Tensor | Sequence[Tensor]
                 ) -> Tensor | list[Tensor]:
        """Replay this tape's entries in reverse: d(target)/d(source) for each source.

        Args:
            target: a one-element tensor computed inside the tape.
            sources: a tensor or a list of tensors (leaves or intermediates).

        Returns:
            A list with one gradient per source (zeros where target does not depend on it),
            or the gradient itself when `sources` is a single tensor.

        Raises:
            RuntimeError: if a backward without retain_graph already released an entry.
        """
        from minigrad.engines import gradient
        from minigrad.sweep import released_graph_error
        from minigrad.tensor import Tensor
        single = isinstance(sources, Tensor)
        listed = [sources] if isinstance(sources, Tensor) else list(sources)
        for e in self._entries:
            if e.output._inputs is None:
                raise released_graph_error(e.primitive, "tape.gradient")
        grads = gradient(target, listed, retain_graph=True,
                         within={e.output for e in self._entries}, caller="tape.gradient")
        return grads[0] if single else grads

    def __str__(self) -> str:
        names: dict[int, str] = {}
        lines: list[tuple[str, Tensor]] = []

        def name_of(value: Any) -> str:
            if not hasattr(value, "_entry"):  # a constant operand
                return _format_constant(value)
            if id(value) not in names:
                names[id(value)] = f"v{len(names)}"
                lines.append((f"{names[id(value)]} = input", value))
            return names[id(value)]

        for entry in self._entries:
            args = [name_of(x) for x in entry.inputs]
            args += [f"{k}={v}" for k, v in entry.primitive.params().items() if v is not None]
            names[id(entry.output)] = f"v{len(names)}"
            lines.append((f"{names[id(entry.output)]} = {entry.op}({', '.join(args)})",
                          entry.output))
        width = max([len(text) for text, _ in lines], default=0) + 2
        return "\n".join(f"{text:<{width}}{value.shape} {value.dtype}" for text, value in lines)

    def __repr__(self) -> str:
        return f"<Tape with {len(self)} entries>"

    def _repr_html_(self) -> str:
        """Jupyter shows the Wengert list as a table (minigrad/draw/table.py)."""
        from minigrad.draw.table import tape_html
        return tape_html(self)

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        """IPython shows the Wengert list, as `print(tape)` does."""
        printer.text(str(self))


def _format_constant(value: Any) -> str:
    if np.ndim(value) == 0:
        return repr(value.item() if hasattr(value, "item") else value)
    return f"const{np.shape(value)}"
