"""``GradientTape``: TensorFlow's way to ask for gradients, on deepnum's graph.

Inside ``with GradientTape() as tape:``, operations on watched tensors are recorded:
tensors with ``requires_grad=True`` are watched automatically, ``tape.watch(t)`` watches any
other floating-point tensor.  ``tape.gradient(target, sources)`` then differentiates only
through what was recorded while the tape was active, returns the gradients in the structure
of ``sources`` (a tensor, list, tuple or dict), gives None for a source the target does not
depend on, and never writes ``.grad``.

>>> import deepnum as dn
>>> x = dn.tensor(3.0)
>>> with dn.GradientTape() as tape:
...     tape.watch(x)
...     y = x * x
>>> tape.gradient(y, x).item()
6.0
"""

from __future__ import annotations

import contextlib
import warnings

import numpy as np

from . import _tensor as tensor_mod
from ._tensor import Tensor, _wrap, as_array
from .autograd import backprop, no_grad
from .errors import DTypeError, GradientError, ShapeError


class GradientTape:
    """Records operations for automatic differentiation (TensorFlow semantics).

    persistent: allow more than one ``gradient`` call (the graph is kept while the tape is).
    watch_accessed_variables: accepted for compatibility; tensors that require grad are
        always watched.
    """

    def __init__(self, persistent: bool = False, watch_accessed_variables: bool = True):
        self._persistent = bool(persistent)
        self._since: int | None = None
        self._watched: list[Tensor] = []  # tensors the tape itself marked to require grad
        self._cuts: list[str] = []
        self._used = False

    def __enter__(self) -> GradientTape:
        if self._since is None:
            self._since = next(tensor_mod._counter)
        tensor_mod._active_tapes.append(self)
        self._switch_watched(True)
        return self

    def __exit__(self, *exc) -> None:
        self._switch_watched(False)
        tensor_mod._active_tapes.remove(self)

    def _switch_watched(self, on: bool) -> None:
        for t in self._watched:
            t.requires_grad = on

    @contextlib.contextmanager
    def stop_recording(self):
        """Run a block without recording (here: grad mode off for the block)."""
        with no_grad():
            yield

    def reset(self) -> None:
        """Forget everything recorded so far (the tape records from now on)."""
        self._since = next(tensor_mod._counter)
        self._cuts.clear()
        self._used = False

    def watch(self, tensor) -> None:
        """Record operations on ``tensor`` (or each tensor of a list) from now on."""
        for t in _flatten(tensor):
            if not isinstance(t, Tensor):
                raise TypeError(f"watch: expected a Tensor, got {type(t).__name__}")
            if t.dtype.kind != "f":
                raise DTypeError(
                    f"watch: only floating-point tensors can be watched, got {t.dtype}"
                )
            if not t.requires_grad:
                t.requires_grad = self in tensor_mod._active_tapes
                self._watched.append(t)

    def watched_variables(self) -> tuple[Tensor, ...]:
        return tuple(self._watched)

    def _note_cut(self, t: Tensor) -> None:
        self._cuts.append(f"a tensor of shape {t.shape}")

    def gradient(self, target, sources, output_gradients=None, unconnected_gradients="none"):
        """Gradients of ``target`` (summed, if it has several elements or is a list) with
        respect to ``sources``, in the structure of ``sources``.

        output_gradients: the gradient to start from, one per target (default: ones).
        unconnected_gradients: "none" (default) gives None for an unconnected source,
            "zero" gives zeros.
        """
        if unconnected_gradients not in ("none", "zero"):
            raise ValueError(
                f"gradient: unconnected_gradients must be 'none' or 'zero', got "
                f"{unconnected_gradients!r}"
            )
        if self._since is None:
            raise GradientError(
                "gradient: the tape has not recorded anything (use it in a with block)"
            )
        if self._used and not self._persistent:
            raise GradientError(
                "gradient: a non-persistent GradientTape can compute gradients only once; "
                "create it with GradientTape(persistent=True) to call gradient() again"
            )
        self._used = True
        targets = _flatten(target)
        if output_gradients is None:
            seeds = [np.ones(t.shape, t.dtype) for t in targets]
        else:
            given = _flatten(output_gradients)
            seeds = [as_array(g, t.dtype, copy=True) for g, t in zip(given, targets, strict=True)]
            for g, t in zip(seeds, targets, strict=True):
                if g.shape != t.shape:
                    raise ShapeError(
                        f"gradient: output gradient of shape {g.shape} for a target of shape "
                        f"{t.shape}"
                    )
        flat_sources = _flatten(sources)
        for s in flat_sources:
            if not isinstance(s, Tensor):
                raise TypeError(f"gradient: sources must be tensors, got {type(s).__name__}")
        keys = [id(s) if s._node is None else id(s._node) for s in flat_sources]
        found: dict[int, np.ndarray | None] = dict.fromkeys(keys)
        roots = [(t, g) for t, g in zip(targets, seeds, strict=True) if t.requires_grad]
        if roots:
            backprop([t for t, _ in roots], [g for _, g in roots], retain_graph=True,
                     accumulate=False, sources=found, since=self._since)
        grads = [self._result(s, found[k], unconnected_gradients)
                 for s, k in zip(flat_sources, keys, strict=True)]
        return _unflatten(sources, iter(grads))

    def _result(self, source: Tensor, g, unconnected: str):
        if g is None:
            if unconnected == "zero":
                return _wrap(np.zeros(source.shape, source.dtype))
            if self._cuts:
                warnings.warn(
                    f"GradientTape: the target does not depend on a source of shape "
                    f"{source.shape}; the graph was cut inside the tape where "
                    f"{self._cuts[0]} was converted to NumPy (.numpy() or np.asarray): "
                    "gradients do not flow through NumPy values. Compute with deepnum "
                    "operations instead.",
                    stacklevel=3,
                )
            return None
        return _wrap(np.array(g, dtype=source.dtype, copy=True))


def _flatten(x) -> list:
    if isinstance(x, dict):
        return [v for item in x.values() for v in _flatten(item)]
    if isinstance(x, list | tuple):
        return [v for item in x for v in _flatten(item)]
    return [x]


def _unflatten(structure, values):
    if isinstance(structure, dict):
        return {k: _unflatten(v, values) for k, v in structure.items()}
    if isinstance(structure, list | tuple):
        return type(structure)(_unflatten(v, values) for v in structure)
    return next(values)
