"""Spellings: NumPy's and PyTorch's names for one thing, translated and explained in one place.

minigrad's functions are written with NumPy's parameter names. `@pytorch_keywords` lets each
be called with PyTorch's too (`dim=` for `axis=`, `keepdim=`, `correction=` or `unbiased=`
for `ddof=`, `diagonal=` for `k=`, `min=`/`max=` for `a_min=`/`a_max=`), refuses both
spellings of one parameter in one call, and turns any other unexpected keyword into a
TypeError that lists what the function takes and, for a PyTorch keyword minigrad has no
use for (`device=`, `generator=`, `out=`), what to write instead.

`attribute_error` does the same for names: a PyTorch name that minigrad spells differently
(`mg.long`, `mg.device`, `model.cuda`) gets its minigrad spelling from the tables below, and
any other missing name a "did you mean" only when it looks like a misspelling of a name that
exists, never like a different function (unsqueeze is not squeeze, long is not log). A
tensor's PyTorch names are in minigrad/pytorch_names.py.
"""
from __future__ import annotations

import difflib
import functools
import inspect
from typing import Any, Callable, Iterable, Mapping, ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")

#: One parameter's two spellings: (NumPy's, PyTorch's). A function is written with either,
#: and `@pytorch_keywords` accepts the other.
SYNONYMS = (("axis", "dim"), ("keepdims", "keepdim"), ("ddof", "correction"), ("k", "diagonal"),
            ("a_min", "min"), ("a_max", "max"))

NO_DEVICE = ("minigrad has no devices: it computes with NumPy on the CPU, so leave out "
             "device= and .to(device) or .cuda() (x.to('cpu') and x.cpu() are accepted and "
             "return x)")

#: PyTorch keywords that no minigrad function takes, and what to write instead.
PYTORCH_KEYWORDS = {
    "device": NO_DEVICE,
    "generator": "minigrad's random functions take rng= (a np.random.Generator or a seed) "
                 "where PyTorch takes generator=",
    "out": "minigrad has no out= (every result is a new tensor); assign the result instead",
    "dtype": "convert the input first, x.astype(dtype) (or x.to(dtype))",
    "input": "pass the tensor as the first positional argument",
    "requires_grad": "set it on the result: t.requires_grad_()",
    **dict.fromkeys(("layout", "pin_memory", "memory_format", "non_blocking"),
                    "it has no meaning in minigrad (NumPy arrays in ordinary memory); leave "
                    "it out"),
}

#: `mg.<name>` in PyTorch, and how minigrad spells it.
MODULE_NAMES = {
    **dict.fromkeys(("device", "cuda", "set_default_device", "accelerator"), NO_DEVICE),
    "float": "write mg.float32 (PyTorch's torch.float is float32; minigrad's default dtype is "
             "float64, see mg.get_default_dtype())",
    "double": "write mg.float64",
    "half": "write mg.float16",
    "long": "write mg.int64 (integer data is int64 by default)",
    "int": "write mg.int32 (PyTorch's torch.int is int32; integer data is mg.int64 by default)",
    "bool": "write mg.bool_ (NumPy's name)",
    "Size": "shapes are plain tuples in minigrad: x.shape",
    "FloatTensor": "write mg.tensor(data, dtype=mg.float32)",
    "DoubleTensor": "write mg.tensor(data, dtype=mg.float64)",
    "LongTensor": "write mg.tensor(data, dtype=mg.int64)",
    "is_tensor": "write isinstance(x, mg.Tensor)",
    "numel": "write x.size or x.numel()",
    "concat": "write mg.cat or mg.concatenate",
    "mm": "write a @ b or mg.matmul(a, b)",
    "bmm": "write a @ b or mg.matmul(a, b) (batched, NumPy's rules)",
    "empty": "write mg.zeros(...) (minigrad never hands out uninitialised memory)",
    "inference_mode": "write mg.no_grad()",
    "set_grad_enabled": "write `with mg.no_grad():` or `with mg.enable_grad():`",
    "autograd": "x.backward() fills .grad of the leaves; for torch.autograd.grad(y, xs) record "
                "with `with mg.Tape() as tape:` and call tape.gradient(y, xs), or use mg.grad(f)",
    "Generator": "write np.random.default_rng(seed) and pass it as rng= (where PyTorch takes "
                 "generator=); mg.manual_seed(seed) reseeds the default one",
    "seed": "write mg.manual_seed(seed)",
    "randperm": "write mg.tensor(np.random.default_rng(seed).permutation(n)), or let "
                "mg.data.DataLoader(..., shuffle=True) shuffle",
    "einsum": "minigrad has no einsum; write it with @, broadcasting and sum",
    "norm": "minigrad has no norm; write mg.sqrt((x * x).sum()) for the 2-norm",
}

#: `model.<name>` on a PyTorch module, and how minigrad spells it.
MODULE_OBJECT_NAMES = {"cuda": NO_DEVICE, "device": NO_DEVICE}


def pytorch_keywords(function: Callable[P, R]) -> Callable[P, R]:
    """Let `function` be called with PyTorch's keyword spellings as well as its own.

    Its parameters keep the names they have; each in `SYNONYMS` also answers to its other
    spelling, and a `ddof` (or `correction`) parameter to `unbiased=True/False` (ddof 1/0).
    `out=None` and `dtype=None` (what NumPy passes when it hands `np.sum(t)` to `t.sum`)
    are accepted and change nothing.

    Type checkers see the function as it is written, with its own (NumPy's) parameter
    names, so they check its calls; they flag `dim=` although it runs, since a
    decorator's annotations cannot add keywords to a signature.

    Raises (from the decorated function):
        TypeError: for two spellings of one parameter, a parameter given by position and by
            keyword, or a keyword the function does not take (naming the ones it does).

    >>> @pytorch_keywords
    ... def total(x, axis=None, keepdims=False):
    ...     return axis, keepdims
    >>> total(0, dim=1, keepdim=True)
    (1, True)
    >>> total(0, axis=1, dim=1)
    Traceback (most recent call last):
    TypeError: total() got axis= and dim=, NumPy's and PyTorch's spellings of one parameter; pass one
    """
    parameters = inspect.signature(function).parameters
    names = [n for n, p in parameters.items()
             if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
    positional = [n for n, p in parameters.items() if p.kind is p.POSITIONAL_OR_KEYWORD]
    other_spelling: dict[str, str] = {}
    for numpy_name, torch_name in SYNONYMS:
        if numpy_name in names:
            other_spelling[torch_name] = numpy_name
        elif torch_name in names:
            other_spelling[numpy_name] = torch_name
    for ddof in ("ddof", "correction"):
        if ddof in names:
            other_spelling["unbiased"] = ddof
    spelling = _Spelling(function, names, positional, other_spelling)
    accepted = frozenset(names)

    @functools.wraps(function)
    def with_pytorch_keywords(*args: Any, **kwargs: Any) -> R:
        if kwargs and not accepted.issuperset(kwargs):
            kwargs = spelling.translate(len(args), kwargs)
        return function(*args, **kwargs)
    return with_pytorch_keywords


class _Spelling:
    """What `pytorch_keywords` knows about one function: its parameters and their other
    spellings; `translate` maps a call's keywords onto the parameters."""

    def __init__(self, function: Callable[..., Any], names: list[str], positional: list[str],
                 other_spelling: dict[str, str]) -> None:
        self.names, self.positional, self.other_spelling = names, positional, other_spelling
        self.label = (f"Tensor.{function.__name__}()" if names[:1] == ["self"]
                      else f"{function.__name__}()")

    def translate(self, n_positional: int, kwargs: dict[str, Any]) -> dict[str, Any]:
        translated: dict[str, Any] = {}
        given_as: dict[str, str] = {}
        for key, value in kwargs.items():
            if key in self.names:
                target = key
            elif key in self.other_spelling:
                target = self.other_spelling[key]
                if key == "unbiased":
                    value = self._unbiased(value)
            elif key in ("out", "dtype") and value is None:
                continue  # NumPy's defaults, passed along by np.sum(t) and friends
            else:
                raise TypeError(self._unexpected(key))
            if target in given_as:
                raise TypeError(f"{self.label} got {given_as[target]}= and {key}=, NumPy's and "
                                "PyTorch's spellings of one parameter; pass one")
            if target in self.positional[:n_positional]:
                raise TypeError(f"{self.label} got {target} twice: by position and as {key}=")
            translated[target], given_as[target] = value, key
        return translated

    def _unbiased(self, value: object) -> int:
        if not isinstance(value, bool):
            raise TypeError(f"{self.label}: unbiased must be True or False, got {value!r}; "
                            "or give ddof= (correction=) as a number")
        return int(value)

    def _unexpected(self, key: str) -> str:
        message = f"{self.label} got an unexpected keyword argument {key!r}"
        if key in PYTORCH_KEYWORDS:
            message += f": {PYTORCH_KEYWORDS[key]}"
        else:
            # A function's own few parameters can take a looser cutoff (axes: axis).
            close = did_you_mean(key, self.names + list(self.other_spelling), cutoff=0.7)
            message += f" (did you mean {close!r}?)" if close else ""
        return message + f"; it takes {self._takes()}"

    def _takes(self) -> str:
        others: dict[str, list[str]] = {}
        for other, name in self.other_spelling.items():
            others.setdefault(name, []).append(other)
        return ", ".join(name + (f" (or {', '.join(others[name])})" if name in others else "")
                         for name in self.names if name != "self")


def did_you_mean(name: str, candidates: Iterable[object], cutoff: float = 0.8) -> str | None:
    """The candidate that `name` most likely misspells, or None.

    Close by difflib's ratio (at least `cutoff`: difflib's 0.6 pairs fc3 with fc1), and
    never a name that contains the other, or is contained in it (unsqueeze and squeeze,
    argmax and max, sinh and sin are different functions, not typos), except for a plural s.
    Names with a leading underscore are suggested only for one. Two real names one letter
    apart inside (long and log) look like a typo to any rule: the tables above catch those.

    >>> did_you_mean("sofmax", ["softmax", "log_softmax"]), did_you_mean("unsqueeze", ["squeeze"])
    ('softmax', None)
    """
    pool = {c for c in candidates
            if isinstance(c, str) and c != name and (c[:1] != "_" or name[:1] == "_")}
    for close in difflib.get_close_matches(name, pool, n=3, cutoff=cutoff):
        short, long = sorted((name, close), key=len)
        if short not in long or long == short + "s":
            return close
    return None


def attribute_error(owner: str, name: str, candidates: Iterable[object],
                    table: Mapping[str, str] | None = None) -> AttributeError:
    """The AttributeError for a missing `owner.name`: the table's advice for a PyTorch name,
    else a did-you-mean among `candidates` when one is close (see `did_you_mean`).

    It is made with `name=None`, so the interpreter adds no "Did you mean" of its own (it
    picks by edit distance alone, and would offer squeeze for unsqueeze).

    Args:
        owner: how the message names the object, e.g. "module 'minigrad'".
        name: the attribute asked for.
        candidates: the names that exist.
        table: {PyTorch name: what to write instead}.

    >>> str(attribute_error("module 'minigrad'", "long", [], MODULE_NAMES))
    "module 'minigrad' has no attribute 'long': write mg.int64 (integer data is int64 by default)"
    """
    message = f"{owner} has no attribute {name!r}"
    if table and name in table:
        message += f": {table[name]}"
    else:
        close = did_you_mean(name, candidates)
        message += f"; did you mean {close!r}?" if close else ""
    return AttributeError(message, name=None)
