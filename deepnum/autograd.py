"""Reverse-mode automatic differentiation: the grad mode switch and the backward sweep.

The graph is recorded as operations run (define-by-run).  Each operation on tensors that
require grad makes a ``Node``: the ``backward`` closure from ``deepnum.ops``, the nodes of
its inputs (or, for an input that is a leaf, the leaf tensor itself) and a creation number.
The graph holds nodes, not tensors, so an intermediate tensor's data is freed as soon as
nothing else needs it (the closures keep only what their gradient formula needs).

Inputs always exist before the operation that uses them, so they have smaller creation
numbers: visiting the graph in decreasing creation order, with a heap, is a reverse
topological order found without recursion (a chain of a million operations is fine).  A
node's gradient is complete when it is popped, because all of its consumers were created
later and have been popped already.  Gradients arriving from several consumers are added,
never overwritten.

This module knows tensors only by their attributes; it imports no Tensor.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from heapq import heappop, heappush

import numpy as np

from .errors import GradientError


class _GradMode:
    """Whether operations are recorded; switched by ``no_grad``/``enable_grad``."""

    enabled = True


grad_mode = _GradMode()


class _GradSwitch:
    """Context manager and decorator that sets grad mode to ``_target`` and restores it."""

    _target = True

    def __new__(cls, fn=None):
        self = super().__new__(cls)
        return self(fn) if callable(fn) else self  # also usable as a bare @no_grad

    def __init__(self, fn=None):
        pass

    def __enter__(self):
        self._prev = grad_mode.enabled
        grad_mode.enabled = self._target

    def __exit__(self, *exc):
        grad_mode.enabled = self._prev

    def __call__(self, fn: Callable) -> Callable:
        target = self._target

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            prev = grad_mode.enabled
            grad_mode.enabled = target
            try:
                return fn(*args, **kwargs)
            finally:
                grad_mode.enabled = prev

        return wrapper


class no_grad(_GradSwitch):  # noqa: N801 - PyTorch's name
    """Stop recording operations, as a ``with`` block or a decorator (``@no_grad()``).

    >>> import deepnum as dn
    >>> w = dn.ones(2, requires_grad=True)
    >>> with dn.no_grad():
    ...     y = w * 2
    >>> y.requires_grad
    False
    """

    _target = False


class enable_grad(_GradSwitch):  # noqa: N801 - PyTorch's name
    """Record operations again inside a ``no_grad`` region."""

    _target = True


class set_grad_enabled(_GradSwitch):  # noqa: N801 - PyTorch's name
    """Switch recording on or off: ``set_grad_enabled(False)`` now, or as a ``with`` block."""

    def __new__(cls, mode: bool):
        return object.__new__(cls)

    def __init__(self, mode: bool):
        self._target = bool(mode)
        self._prev = grad_mode.enabled
        grad_mode.enabled = self._target

    def __enter__(self):
        pass  # __init__ switched already; __exit__ restores the mode from before it

    def __call__(self, fn: Callable) -> Callable:
        grad_mode.enabled = self._prev  # as a decorator: switch only while fn runs
        return super().__call__(fn)


def is_grad_enabled() -> bool:
    """Whether operations are being recorded."""
    return grad_mode.enabled


class _Freed:
    """Stands in for a backward closure released by ``backward()``: keeps the op's name (for
    ``repr``) and refuses a second pass with a clear message."""

    __slots__ = ("__qualname__",)

    def __init__(self, name: str):
        self.__qualname__ = name

    def __call__(self, g, needs):
        raise GradientError(
            f"backward through {self.__qualname__} a second time: its intermediate values "
            "were released by an earlier backward(). Call backward(retain_graph=True) the "
            "first time if you need to go through the graph again."
        )


_freed: dict[str, _Freed] = {}


def _released(backward) -> _Freed:
    name = _op_name(backward)
    marker = _freed.get(name)
    if marker is None:
        marker = _freed[name] = _Freed(name)
    return marker


def _op_name(backward) -> str:
    return getattr(backward, "__qualname__", "op").split(".")[0]


class Node:
    """One recorded operation: its backward closure and where its inputs came from.

    parents: per input, its Node, or the leaf tensor itself, or None for an input that needs
        no gradient (a constant, or a tensor outside the graph).
    needs: per input, whether its gradient is wanted (passed to ``backward``).
    shape: the output's shape (gradients arriving here must have it).
    retained: a weak reference to the output tensor when ``retain_grad()`` asked for its grad.
    """

    __slots__ = ("backward", "parents", "needs", "seq", "shape", "retained")

    def __init__(self, backward, parents: tuple, needs: tuple, seq: int, shape: tuple):
        self.backward = backward
        self.parents = parents
        self.needs = needs
        self.seq = seq
        self.shape = shape
        self.retained = None


def backprop(
    roots: Iterable,
    grads: Iterable[np.ndarray],
    *,
    retain_graph: bool = False,
    accumulate: bool = True,
    sources: dict | None = None,
    since: int = -1,
) -> None:
    """Propagate ``grads`` from the tensors ``roots`` back through the recorded graph.

    accumulate: add the gradients into ``.grad`` of leaves that require grad (and of
        non-leaves marked by ``retain_grad``), as ``Tensor.backward`` does.
    sources: ``{id(node or leaf tensor): None}``; filled with the gradient arriving at each
        (a GradientTape's sources).
    since: only nodes created after this creation number are differentiated through;
        older ones are boundaries (a GradientTape sees only what it recorded).
    retain_graph: keep the closures so the graph can be swept again.
    """
    pending: dict[int, np.ndarray] = {}
    heap: list = []
    for t, g in zip(roots, grads, strict=True):
        item = t if t._node is None else t._node
        key = id(item)
        if key in pending:
            pending[key] = pending[key] + g
        else:
            pending[key] = g
            heappush(heap, (-_seq_of(item), key, item))
    given_to_leaves: set[int] = set()

    while heap:
        _, key, item = heappop(heap)
        g = pending.pop(key)
        if sources is not None and key in sources:
            sources[key] = g
        if type(item) is not Node:  # a leaf tensor
            if accumulate and item.requires_grad:
                _accumulate(item, g, given_to_leaves)
            continue
        if item.seq <= since:
            continue
        if accumulate and item.retained is not None:
            owner = item.retained()
            if owner is not None:
                _accumulate(owner, g, given_to_leaves)
        backward = item.backward
        parent_grads = backward(g, item.needs)
        for parent, pg in zip(item.parents, parent_grads, strict=True):
            if pg is None or parent is None:
                continue
            if pg.shape != parent.shape:
                raise GradientError(
                    f"internal error in {_op_name(backward)} backward: gradient of shape "
                    f"{pg.shape} for an input of shape {parent.shape}"
                )
            pkey = id(parent)
            if pkey in pending:
                pending[pkey] = pending[pkey] + pg
            else:
                pending[pkey] = pg
                heappush(heap, (-_seq_of(parent), pkey, parent))
        if not retain_graph:
            item.backward = _released(backward)
            item.parents = ()


def _seq_of(item) -> int:
    return item.seq if type(item) is Node else item._seq


def _accumulate(t, g: np.ndarray, given: set[int]) -> None:
    """Add ``g`` into ``t.grad``.  A new ``.grad`` must own its memory: ``g`` may be shared
    with another leaf (add passes one array to both inputs), be a view of something else, or
    be read-only (a broadcast), so it is copied in those cases only."""
    if type(g) is not np.ndarray:
        g = np.asarray(g)
    if g.dtype != t.data.dtype:
        g = g.astype(t.data.dtype)
    elif id(g) in given or g.base is not None or not g.flags.writeable:
        g = g.copy()
    if t.grad is None:
        t.grad = g
        given.add(id(g))
    else:
        t.grad = t.grad + g
