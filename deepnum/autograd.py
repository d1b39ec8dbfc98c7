"""Reverse-mode automatic differentiation: the grad mode switch and the backward sweep.

The graph is recorded as operations run (define-by-run).  Each operation on tensors that
require grad is one ``Function`` object (a primitive of ``deepnum.ops``): it keeps what its
gradient formula needs, the graph entries of its inputs (their Functions, or the leaf tensors
themselves) and a creation number.  The graph holds Functions, not tensors, so an
intermediate tensor's data is freed as soon as no gradient formula needs it, and an
operation costs few Python objects (which keeps the garbage collector's work small).

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


class Function:
    """A differentiable primitive: ``forward`` on NumPy arrays, ``backward`` beside it.

    ``forward(*arrays, *constants)`` computes the output and keeps (in the subclass's own
    ``__slots__``) what ``backward`` will need; ``self.needs`` (one bool per array input) is
    set before it runs, so inputs whose gradient nobody wants need not be kept.
    ``backward(g, needs)`` maps the output's gradient ``g`` to one gradient per array input
    (None where ``needs`` is False).  It must not write into ``g`` or into kept arrays, and
    must not return a kept forward array: the engine relies on both.

    The engine fills the rest: ``parents`` (per input its Function, the leaf tensor itself,
    or None), ``shape`` (the output's), ``_seq`` (creation number) and ``retained`` (a weak
    reference to the output when ``retain_grad()`` asked for its ``.grad``).

    >>> class Cube(Function):
    ...     __slots__ = ("x",)
    ...     def forward(self, x):
    ...         self.x = x
    ...         return x ** 3
    ...     def backward(self, g, needs):
    ...         return (g * 3 * self.x ** 2,)
    """

    __slots__ = ("parents", "needs", "shape", "_seq", "retained")
    _kept: tuple[str, ...] = ()

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        kept: list[str] = []
        for klass in cls.__mro__:
            if klass is Function:
                break
            slots = klass.__dict__.get("__slots__", ())
            kept.extend((slots,) if isinstance(slots, str) else slots)
        cls._kept = tuple(kept)

    def forward(self, *args):
        raise NotImplementedError

    def backward(self, g, needs):
        raise NotImplementedError

    @property
    def name(self) -> str:
        return type(self).__name__

    def __repr__(self) -> str:
        return f"<{self.name}>"

    def release(self) -> None:
        """Drop what forward kept (after a backward without ``retain_graph``)."""
        for slot in self._kept:
            setattr(self, slot, None)
        self.parents = None


def _released_error(fn: Function) -> GradientError:
    return GradientError(
        f"backward through {fn.name} a second time: its intermediate values were released by "
        "an earlier backward(). Call backward(retain_graph=True) the first time if you need "
        "to go through the graph again."
    )


_LEAF = object()


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
    sources: ``{id(function or leaf tensor): None}``; filled with the gradient arriving at
        each (a GradientTape's sources).
    since: only operations created after this creation number are differentiated through;
        older ones are boundaries (a GradientTape sees only what it recorded).
    retain_graph: keep what the Functions hold so the graph can be swept again.
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
            heappush(heap, (-item._seq, key, item))
    given_to_leaves: set[int] = set()
    owned: set[int] = set()  # keys whose pending gradient is a fresh array of our own

    while heap:
        _, key, item = heappop(heap)
        g = pending.pop(key)
        owned.discard(key)
        if sources is not None and key in sources:
            sources[key] = g
        parents = getattr(item, "parents", _LEAF)
        if parents is _LEAF:  # a leaf tensor
            if accumulate and item.requires_grad:
                _accumulate(item, g, given_to_leaves)
            continue
        if item._seq <= since:
            continue
        if parents is None:
            raise _released_error(item)
        if accumulate and item.retained is not None:
            owner = item.retained()
            if owner is not None:
                _accumulate(owner, g, given_to_leaves)
        parent_grads = item.backward(g, item.needs)
        for parent, pg in zip(parents, parent_grads, strict=True):
            if pg is None or parent is None:
                continue
            if pg.shape != parent.shape:
                raise GradientError(
                    f"internal error in {item.name} backward: gradient of shape {pg.shape} "
                    f"for an input of shape {parent.shape}"
                )
            pkey = id(parent)
            if pkey not in pending:
                pending[pkey] = pg
                heappush(heap, (-parent._seq, pkey, parent))
            elif pkey in owned:
                acc = pending[pkey]
                np.add(acc, pg, out=acc, casting="unsafe")
            else:  # the first gradient may be shared: add out of place once, then in place
                acc = pending[pkey] + pg
                pending[pkey] = acc
                if type(acc) is np.ndarray:  # (0-d results are NumPy scalars: immutable)
                    owned.add(pkey)
        if not retain_graph:
            item.release()


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
