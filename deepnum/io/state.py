"""``deepnum.save`` / ``deepnum.load``: nested state (state dicts, checkpoints) in one file.

An object is a tree of dicts, lists and tuples whose leaves are tensors, NumPy arrays and
scalars, and JSON scalars.  Saving splits it in two: every array goes into the safetensors part
under a name spelled from its path (``model.fc1.weight``, ``optimizer.state.#0.exp_avg``), and
the tree goes into the JSON part, with each array replaced by a reference to its name.

The tree's JSON spelling (one form per Python type, so nothing is ambiguous)::

    None, True, 3, 2.5, "text"  -> themselves (ints of any size are exact)
    nan, inf, -inf               -> {"float": "nan"} / {"float": "inf"} / {"float": "-inf"}
    [a, b]                       -> [a', b']
    (a, b)                       -> {"tuple": [a', b']}
    {"k": a, 0: b}               -> {"dict": [["k", a'], [0, b']]}   (str and int keys, in order)
    Tensor                       -> {"tensor": name} (+ "requires_grad": true, "parameter": true)
    numpy array / numpy scalar   -> {"array": name} / {"scalar": name}

Tensor names join the path's keys with "."; inside a key, "\\", "." and "#" are escaped with a
backslash (and unpaired surrogates as ``\\uXXXX``); an int key is written ``#<int>``; a list
index is its decimal number.  So two different paths never give the same name.  An object met
twice (tied weights) is stored once and comes back as one object.

>>> import os, tempfile, numpy as np, deepnum as dn
>>> path = os.path.join(tempfile.mkdtemp(), "ckpt.dnm")
>>> dn.save({"w": dn.ones(2), "state": {0: {"step": 3}}, "rng": np.arange(3)}, path)
>>> dn.load(path)
{'w': tensor([1., 1.]), 'state': {0: {'step': 3}}, 'rng': array([0, 1, 2])}
"""

from __future__ import annotations

import math
import os
import re
from typing import Any

import numpy as np

from .._tensor import Tensor, _wrap
from ..errors import FormatError
from ..nn.parameter import Parameter
from .format import read_file, write_file

_ESCAPE = re.compile(r"[\\.#]|[\ud800-\udfff]")
_SAVABLE = ("dicts (str or int keys), lists, tuples, deepnum tensors, NumPy arrays and scalars, "
            "None, bool, int, float and str")


def _escape(key: str | int) -> str:
    if isinstance(key, int):
        return f"#{key}"
    return _ESCAPE.sub(lambda m: "\\" + m[0] if m[0] in "\\.#" else f"\\u{ord(m[0]):04x}", key)


def _where(path: tuple) -> str:
    """A path of (key, is_dict_key) pairs as Python subscripts: ``obj['model']['state'][0]``."""
    return "obj" + "".join(f"[{key!r}]" for key, _ in path)


class _Encoder:
    """Walks an object, collecting its arrays; ``encode`` returns the JSON tree."""

    def __init__(self) -> None:
        self.tensors: dict[str, np.ndarray] = {}
        self.seen: dict[int, str] = {}  # id(tensor or array) -> its name, for shared objects
        self.open: set[int] = set()  # ids of the containers being walked: a cycle check

    def _store(self, obj: Tensor | np.ndarray, array: np.ndarray, path: tuple) -> str:
        name = self.seen.get(id(obj))
        if name is None:
            name = ".".join(_escape(k) if is_key else str(k) for k, is_key in path)
            if name == "__metadata__":  # the one name safetensors reserves
                name = "\\" + name
            self.tensors[name] = array
            self.seen[id(obj)] = name
        return name

    def encode(self, obj: Any, path: tuple = ()) -> Any:
        if obj is None or isinstance(obj, bool | str):
            return obj
        if isinstance(obj, np.ndarray | np.generic):
            if obj.dtype.kind not in "fiub":
                raise TypeError(f"save: cannot save a NumPy {type(obj).__name__} of dtype "
                                f"{obj.dtype} at {_where(path)}; numbers and bools only")
            tag = "array" if isinstance(obj, np.ndarray) else "scalar"
            return {tag: self._store(obj, np.asarray(obj), path)}
        if isinstance(obj, int):
            return int(obj)
        if isinstance(obj, float):
            return float(obj) if math.isfinite(obj) else {"float": repr(float(obj))}
        if isinstance(obj, Tensor):
            node: dict[str, Any] = {"tensor": self._store(obj, obj.data, path)}
            if obj.requires_grad:
                node["requires_grad"] = True
            if isinstance(obj, Parameter):
                node["parameter"] = True
            return node
        if not isinstance(obj, dict | list | tuple):
            raise TypeError(f"save: cannot save {type(obj).__name__} {obj!r:.60} at "
                            f"{_where(path)}; deepnum saves {_SAVABLE}")
        if id(obj) in self.open:
            raise ValueError(f"save: the object contains itself at {_where(path)}")
        self.open.add(id(obj))
        if isinstance(obj, dict):
            pairs = []
            for key, value in obj.items():
                if isinstance(key, bool) or not isinstance(key, str | int | np.integer):
                    raise TypeError(f"save: dict keys must be str or int, found "
                                    f"{type(key).__name__} {key!r:.60} at {_where(path)}")
                key = str(key) if isinstance(key, str) else int(key)
                pairs.append([key, self.encode(value, (*path, (key, True)))])
            node = {"dict": pairs}
        else:
            items = [self.encode(v, (*path, (i, False))) for i, v in enumerate(obj)]
            node = {"tuple": items} if isinstance(obj, tuple) else items
        self.open.discard(id(obj))
        return node


def save(obj: Any, path: str | os.PathLike) -> None:
    """Save a nested object of tensors, arrays and plain data to ``path``; never pickles.

    ``obj``: dicts (str or int keys), lists, tuples, deepnum Tensors and Parameters, NumPy
    arrays and scalars, None, bool, int (any size), float (nan and inf too) and str — e.g. a
    ``state_dict()``, an optimizer state with int keys, or a checkpoint
    ``{"model": ..., "optimizer": ..., "epoch": 3, "rng": dn.get_rng_state()}``.  Gradients
    are not saved.  Dict subclasses come back as dicts, tuple subclasses as tuples.  Anything
    else raises ``TypeError`` naming where in ``obj`` it was.  The write is atomic.
    """
    encoder = _Encoder()
    try:
        tree = encoder.encode(obj)
    except RecursionError:
        raise ValueError("save: the object is nested too deeply to save") from None
    write_file(path, encoder.tensors, {"object": tree})


class _Decoder:
    """Rebuilds an object from its JSON tree and the file's arrays, checking every node."""

    def __init__(self, tensors: dict[str, np.ndarray]) -> None:
        self.tensors = tensors
        self.made: dict[tuple[str, str], Any] = {}  # (tag, name) -> object, for shared ones

    def _array(self, tag: str, name: Any, where: str) -> np.ndarray:
        if not isinstance(name, str) or name not in self.tensors:
            raise FormatError(f"{where} refers to tensor {name!r:.80}, which the file does "
                              "not hold")
        return self.tensors[name]

    def _tensor(self, node: dict, where: str) -> Tensor:
        flags = {k: node[k] for k in ("requires_grad", "parameter") if k in node}
        if set(node) - {"tensor", *flags} or not all(v is True for v in flags.values()):
            raise FormatError(f"{where}: malformed tensor reference {node!r:.200}")
        array = self._array("tensor", node["tensor"], where)
        if "requires_grad" in flags and array.dtype.kind != "f":
            raise FormatError(f"{where}: a tensor of dtype {array.dtype} cannot require grad")
        if "parameter" in flags:
            return Parameter(array, requires_grad="requires_grad" in flags)
        tensor = _wrap(array)
        return tensor.requires_grad_(True) if "requires_grad" in flags else tensor

    def _shared(self, tag: str, node: dict, where: str) -> Any:
        key = (tag, node[tag] if isinstance(node[tag], str) else "")
        if key not in self.made:
            if tag == "tensor":
                self.made[key] = self._tensor(node, where)
            elif len(node) != 1:
                raise FormatError(f"{where}: malformed {tag} reference {node!r:.200}")
            else:
                array = self._array(tag, node[tag], where)
                if tag == "scalar" and array.ndim != 0:
                    raise FormatError(f"{where}: scalar {node[tag]!r} has shape {array.shape}")
                self.made[key] = array[()] if tag == "scalar" else array
        return self.made[key]

    def decode(self, node: Any, where: str = "obj") -> Any:
        if node is None or isinstance(node, bool | int | float | str):
            return node
        if isinstance(node, list):
            return [self.decode(v, f"{where}[{i}]") for i, v in enumerate(node)]
        tag = next(iter(node), None) if isinstance(node, dict) else None
        if tag in ("tensor", "array", "scalar"):
            return self._shared(tag, node, where)
        if tag == "float" and len(node) == 1 and node[tag] in ("nan", "inf", "-inf"):
            return float(node[tag])
        if tag == "tuple" and len(node) == 1 and isinstance(node[tag], list):
            return tuple(self.decode(v, f"{where}[{i}]") for i, v in enumerate(node[tag]))
        if tag == "dict" and len(node) == 1 and isinstance(node[tag], list):
            out = {}
            for pair in node[tag]:
                if (not isinstance(pair, list) or len(pair) != 2 or isinstance(pair[0], bool)
                        or not isinstance(pair[0], str | int)):
                    raise FormatError(f"{where}: a dict entry must be [str or int key, value], "
                                      f"got {pair!r:.200}")
                out[pair[0]] = self.decode(pair[1], f"{where}[{pair[0]!r}]")
            return out
        raise FormatError(f"{where}: unrecognised node {node!r:.200}")


def load(path: str | os.PathLike) -> Any:
    """Load what :func:`save` wrote.  Never runs code from the file (no pickle, eval, exec).

    Tensors come back as ``deepnum.Tensor`` (``Parameter`` if saved as one, with
    ``requires_grad`` as saved), NumPy arrays and scalars as NumPy arrays and scalars, int
    keys as ints.  Raises ``NotFoundError`` if there is no file and ``FormatError`` for a
    file that is not an intact deepnum save (pickles and ``torch.save`` files included).
    """
    tensors, meta = read_file(path)
    if not isinstance(meta, dict) or set(meta) != {"object"}:
        found = sorted(meta)[:10] if isinstance(meta, dict) else type(meta).__name__
        raise FormatError(f"{os.fspath(path)!r} holds a deepnum file but not a saved object "
                          f"(expected meta {{'object': ...}}, found {found})")
    try:
        return _Decoder(tensors).decode(meta["object"])
    except RecursionError:
        raise FormatError(f"{os.fspath(path)!r}: the saved object is nested too "
                          "deeply to load") from None
    except FormatError as error:
        raise FormatError(f"{os.fspath(path)!r}: {error}") from None
