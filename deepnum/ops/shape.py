"""Primitives that move elements without changing them: reshape, permute, broadcast,
indexing, concatenation, stacking and padding.  Their backward moves the gradient back."""

from __future__ import annotations

import numpy as np

from ..autograd import Function
from ._util import unbroadcast


class Reshape(Function):
    """``a`` with a new shape (same elements, C order)."""

    __slots__ = ("shape_in",)

    def forward(self, a, shape):
        self.shape_in = a.shape
        return a.reshape(shape)

    def backward(self, g, needs):
        return (g.reshape(self.shape_in),)


class Permute(Function):
    """Axes reordered: output axis i is input axis ``axes[i]``."""

    __slots__ = ("inverse",)

    def forward(self, a, axes):
        self.inverse = tuple(np.argsort(axes))
        return a.transpose(axes)

    def backward(self, g, needs):
        return (g.transpose(self.inverse),)


class BroadcastTo(Function):
    """``a`` repeated along new or size-1 axes (a read-only view)."""

    __slots__ = ("shape_in",)

    def forward(self, a, shape):
        self.shape_in = a.shape
        return np.broadcast_to(a, shape)

    def backward(self, g, needs):
        return (unbroadcast(g, self.shape_in),)


def _is_basic(index) -> bool:
    """True for indices made only of ints, slices, None and Ellipsis (views, no duplicates)."""
    items = index if isinstance(index, tuple) else (index,)
    return all(
        isinstance(i, int | np.integer | slice) or i is None or i is Ellipsis for i in items
    )


def _is_mask(index) -> bool:
    """True for a single boolean mask (advanced, but never selects an element twice)."""
    return isinstance(index, np.ndarray) and index.dtype == bool


class GetItem(Function):
    """``a[index]`` with NumPy's rules; repeated integer indices accumulate their gradients."""

    __slots__ = ("shape_in", "index")

    def forward(self, a, index):
        self.shape_in, self.index = a.shape, index
        return a[index]

    def backward(self, g, needs):
        grad = np.zeros(self.shape_in, dtype=g.dtype)
        if _is_basic(self.index) or _is_mask(self.index):
            grad[self.index] = g
        else:
            np.add.at(grad, self.index, g)
        return (grad,)


class Concatenate(Function):
    """Join along an existing ``axis``; the gradient is cut back into the pieces."""

    __slots__ = ("bounds", "axis")

    def forward(self, arrays, axis):
        self.bounds = np.cumsum([x.shape[axis] for x in arrays])[:-1]
        self.axis = axis
        return np.concatenate(arrays, axis=axis)

    def backward(self, g, needs):
        return tuple(np.split(g, self.bounds, axis=self.axis))


class Stack(Function):
    """Join along a new ``axis``; each input gets its slice of the gradient."""

    __slots__ = ("axis",)

    def forward(self, arrays, axis):
        self.axis = axis
        return np.stack(arrays, axis=axis)

    def backward(self, g, needs):
        return tuple(np.moveaxis(g, self.axis, 0))


class Pad(Function):
    """``np.pad``.  Constant padding slices the gradient back out; the other modes (reflect,
    edge, symmetric, wrap) pad an array of element indices the same way, so the gradient of
    each output element is added to the input element it was copied from."""

    __slots__ = ("inner", "source", "shape_in")

    def forward(self, a, pad_width, mode, value):
        self.shape_in = a.shape
        if mode == "constant":
            self.inner = tuple(
                slice(lo, lo + n) for (lo, _), n in zip(pad_width, a.shape, strict=True)
            )
            self.source = None
            return np.pad(a, pad_width, mode="constant", constant_values=value)
        self.inner = None
        self.source = np.pad(np.arange(a.size).reshape(a.shape), pad_width, mode=mode)
        return a.reshape(-1)[self.source]

    def backward(self, g, needs):
        if self.source is None:
            return (g[self.inner],)
        size = int(np.prod(self.shape_in))
        flat = np.bincount(self.source.ravel(), weights=g.ravel(), minlength=size)
        return (flat.reshape(self.shape_in).astype(g.dtype, copy=False),)
