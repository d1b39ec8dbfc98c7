"""Helpers shared by the primitives: undoing broadcasting and normalising axes."""

from __future__ import annotations

import numpy as np


def unbroadcast(g: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Sum ``g`` over the axes that broadcasting added or stretched, so it gets ``shape``.

    Broadcasting copies an input along new leading axes and along its size-1 axes; the
    gradient of a copy is the sum of the copies' gradients.

    >>> unbroadcast(np.ones((2, 3, 4)), (3, 1)).tolist()
    [[8.0], [8.0], [8.0]]
    """
    if g.shape == shape:
        return g
    lead = g.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, n in enumerate(shape) if n == 1 and g.shape[lead + i] != 1
    )
    g = g.sum(axis=axes, keepdims=True)
    return g.reshape(shape)


def normalize_axis(axis, ndim: int) -> tuple[int, ...]:
    """``axis`` (None, an int or a sequence, negatives allowed) as a sorted tuple of axes."""
    if axis is None:
        return tuple(range(ndim))
    if isinstance(axis, int | np.integer):
        axis = (axis,)
    out = []
    for a in axis:
        a = int(a)
        if not -ndim <= a < max(ndim, 1):
            raise IndexError(f"axis {a} is out of range for a tensor of rank {ndim}")
        if ndim:  # a 0-d tensor has no axis to reduce: dim 0 / -1 leave it as it is (PyTorch)
            out.append(a % ndim)
    if len(set(out)) != len(out):
        raise ValueError(f"repeated axis in {tuple(axis)}")
    return tuple(sorted(out))


def expand_reduced(g: np.ndarray, shape: tuple[int, ...], axes: tuple[int, ...]) -> np.ndarray:
    """Reinsert the reduced ``axes`` into ``g`` as size-1 axes (undo ``keepdims=False``)."""
    if g.ndim == len(shape):
        return g
    kept = [1 if i in axes else n for i, n in enumerate(shape)]
    return g.reshape(kept)


def squeeze_axes(x: np.ndarray, axes: tuple[int, ...]) -> np.ndarray:
    """Drop the size-1 ``axes`` of a ``keepdims=True`` result."""
    return x.reshape([n for i, n in enumerate(x.shape) if i not in axes])
