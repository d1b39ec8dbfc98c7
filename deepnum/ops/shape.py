"""Primitives that move elements without changing them: reshape, permute, broadcast,
indexing, concatenation, stacking and padding.  Their backward moves the gradient back."""

from __future__ import annotations

import numpy as np

from ._util import unbroadcast


def reshape(a, shape):
    """``a`` with a new shape (same elements, C order)."""

    def backward(g, needs):
        return (g.reshape(a.shape),)

    return a.reshape(shape), backward


def permute(a, axes):
    """Axes reordered: output axis i is input axis ``axes[i]``."""
    inverse = tuple(np.argsort(axes))

    def backward(g, needs):
        return (g.transpose(inverse),)

    return a.transpose(axes), backward


def broadcast_to(a, shape):
    """``a`` repeated along new or size-1 axes (a read-only view)."""

    def backward(g, needs):
        return (unbroadcast(g, a.shape),)

    return np.broadcast_to(a, shape), backward


def _is_basic(index) -> bool:
    """True for indices made only of ints, slices, None and Ellipsis (views, no duplicates)."""
    items = index if isinstance(index, tuple) else (index,)
    return all(
        isinstance(i, int | np.integer | slice) or i is None or i is Ellipsis for i in items
    )


def _is_mask(index) -> bool:
    """True for a single boolean mask (advanced, but never selects an element twice)."""
    return isinstance(index, np.ndarray) and index.dtype == bool


def getitem(a, index):
    """``a[index]`` with NumPy's rules; repeated integer indices accumulate their gradients."""
    assign = _is_basic(index) or _is_mask(index)

    def backward(g, needs):
        grad = np.zeros(a.shape, dtype=g.dtype)
        if assign:
            grad[index] = g
        else:
            np.add.at(grad, index, g)
        return (grad,)

    return a[index], backward


def concatenate(arrays, axis):
    """Join along an existing ``axis``; the gradient is cut back into the pieces."""
    bounds = np.cumsum([x.shape[axis] for x in arrays])[:-1]

    def backward(g, needs):
        return tuple(np.split(g, bounds, axis=axis))

    return np.concatenate(arrays, axis=axis), backward


def stack(arrays, axis):
    """Join along a new ``axis``; each input gets its slice of the gradient."""

    def backward(g, needs):
        return tuple(np.moveaxis(g, axis, 0))

    return np.stack(arrays, axis=axis), backward


def pad(a, pad_width, mode, value):
    """``np.pad``.  Constant padding slices the gradient back out; the other modes (reflect,
    edge, symmetric, wrap) pad an array of element indices the same way, so the gradient of
    each output element is added to the input element it was copied from."""
    if mode == "constant":
        inner = tuple(slice(lo, lo + n) for (lo, _), n in zip(pad_width, a.shape, strict=True))

        def backward(g, needs):
            return (g[inner],)

        return np.pad(a, pad_width, mode="constant", constant_values=value), backward

    source = np.pad(np.arange(a.size).reshape(a.shape), pad_width, mode=mode)

    def backward_copy(g, needs):
        flat = np.bincount(source.ravel(), weights=g.ravel(), minlength=a.size)
        return (flat.reshape(a.shape).astype(g.dtype, copy=False),)

    return a.reshape(-1)[source], backward_copy
