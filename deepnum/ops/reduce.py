"""Reductions: sum, mean, variance, max/min and log-sum-exp over axes.

``axes`` is always a normalised tuple (see ``_util.normalize_axis``).  The backward of a
reduction reinserts the reduced axes and broadcasts the gradient back over them.
"""

from __future__ import annotations

import numpy as np

from ._util import expand_reduced, squeeze_axes


def _count(shape, axes) -> int:
    n = 1
    for a in axes:
        n *= shape[a]
    return n


def sum(a, axes, keepdims):  # noqa: A001 - the NumPy/PyTorch name
    """Σ over ``axes``;  d/da = 1 (the gradient is broadcast back)."""

    def backward(g, needs):
        return (np.broadcast_to(expand_reduced(g, a.shape, axes), a.shape),)

    return a.sum(axis=axes, keepdims=keepdims), backward


def mean(a, axes, keepdims):
    """Mean over ``axes``;  d/da = 1/n."""
    n = _count(a.shape, axes)

    def backward(g, needs):
        return (np.broadcast_to(expand_reduced(g / n, a.shape, axes), a.shape),)

    return a.mean(axis=axes, keepdims=keepdims), backward


def var(a, axes, correction, keepdims):
    """``Σ (a - mean)² / (n - correction)``;  d/da = 2(a - mean)/(n - correction)."""
    n = _count(a.shape, axes)
    centered = a - a.mean(axis=axes, keepdims=True)
    denom = max(n - correction, 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = (centered * centered).sum(axis=axes, keepdims=keepdims) / denom

    def backward(g, needs):
        with np.errstate(divide="ignore", invalid="ignore"):
            return (expand_reduced(g, a.shape, axes) * centered * (2 / denom),)

    return out, backward


def extreme(a, axes, keepdims, largest):
    """Max (``largest``) or min over ``axes``; ties share the gradient evenly (as PyTorch's
    ``amax``/``amin`` and the full ``max()``)."""
    out = a.max(axis=axes, keepdims=True) if largest else a.min(axis=axes, keepdims=True)

    def backward(g, needs):
        hit = a == out
        return (hit * (expand_reduced(g, a.shape, axes) / hit.sum(axis=axes, keepdims=True)),)

    return (out if keepdims else squeeze_axes(out, axes)), backward


def extreme_along(a, axis, keepdims, largest):
    """Max or min along one ``axis`` with the index of the first extreme element; the gradient
    goes to that element only (as PyTorch's ``max(dim)``).  Returns ``(values, indices)``."""
    idx = np.expand_dims(a.argmax(axis=axis) if largest else a.argmin(axis=axis), axis)
    values = np.take_along_axis(a, idx, axis=axis)

    def backward(g, needs):
        grad = np.zeros(a.shape, dtype=g.dtype)
        np.put_along_axis(grad, idx, expand_reduced(g, a.shape, (axis,)), axis=axis)
        return (grad,)

    if not keepdims:  # new names: the closure above must keep the unsqueezed idx
        return (values.squeeze(axis), idx.squeeze(axis)), backward
    return (values, idx), backward


def logsumexp(a, axes, keepdims):
    """``log Σ e^a`` over ``axes``, computed as ``m + log Σ e^(a - m)``;  d/da = softmax(a)."""
    m = a.max(axis=axes, keepdims=True)
    m = np.where(np.isfinite(m), m, 0)  # all -inf (or an inf) along an axis: no shift
    out = np.log(np.exp(a - m).sum(axis=axes, keepdims=True)) + m

    def backward(g, needs):
        return (expand_reduced(g, a.shape, axes) * np.exp(a - out),)

    return (out if keepdims else squeeze_axes(out, axes)), backward
