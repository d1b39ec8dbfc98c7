"""Reductions: sum, mean, variance, max/min and log-sum-exp over axes.

``axes`` is always a normalised tuple (see ``_util.normalize_axis``).  The backward of a
reduction reinserts the reduced axes and broadcasts the gradient back over them.
"""

from __future__ import annotations

import numpy as np

from ..autograd import Function
from ._util import expand_reduced, squeeze_axes


def _count(shape, axes) -> int:
    n = 1
    for a in axes:
        n *= shape[a]
    return n


class Sum(Function):
    """Σ over ``axes``;  d/da = 1 (the gradient is broadcast back)."""

    __slots__ = ("shape_in", "axes")

    def forward(self, a, axes, keepdims):
        self.shape_in, self.axes = a.shape, axes
        return a.sum(axis=axes, keepdims=keepdims)

    def backward(self, g, needs):
        return (np.broadcast_to(expand_reduced(g, self.shape_in, self.axes), self.shape_in),)


class Mean(Function):
    """Mean over ``axes``;  d/da = 1/n."""

    __slots__ = ("shape_in", "axes")

    def forward(self, a, axes, keepdims):
        self.shape_in, self.axes = a.shape, axes
        return a.mean(axis=axes, keepdims=keepdims)

    def backward(self, g, needs):
        n = _count(self.shape_in, self.axes)
        return (np.broadcast_to(expand_reduced(g / n, self.shape_in, self.axes), self.shape_in),)


class Var(Function):
    """``Σ (a - mean)² / (n - correction)``;  d/da = 2(a - mean)/(n - correction)."""

    __slots__ = ("centered", "axes", "denom")

    def forward(self, a, axes, correction, keepdims):
        centered = a - a.mean(axis=axes, keepdims=True)
        denom = max(_count(a.shape, axes) - correction, 0)
        self.centered, self.axes, self.denom = centered, axes, denom
        with np.errstate(divide="ignore", invalid="ignore"):
            return (centered * centered).sum(axis=axes, keepdims=keepdims) / denom

    def backward(self, g, needs):
        c = self.centered
        with np.errstate(divide="ignore", invalid="ignore"):
            return (expand_reduced(g, c.shape, self.axes) * c * (2 / self.denom),)


class Extreme(Function):
    """Max (``largest``) or min over ``axes``; ties share the gradient evenly (as PyTorch's
    ``amax``/``amin`` and the full ``max()``)."""

    __slots__ = ("a", "out", "axes")

    def forward(self, a, axes, keepdims, largest):
        out = a.max(axis=axes, keepdims=True) if largest else a.min(axis=axes, keepdims=True)
        self.a, self.out, self.axes = a, out, axes
        return out if keepdims else squeeze_axes(out, axes)

    def backward(self, g, needs):
        hit = self.a == self.out
        g = expand_reduced(g, self.a.shape, self.axes)
        return (hit * (g / hit.sum(axis=self.axes, keepdims=True)),)


class TakeAlong(Function):
    """``a`` gathered at ``indices`` along ``axis`` (``np.take_along_axis``); the gradient
    goes back to the gathered positions.  ``max(dim)`` gathers at the argmax."""

    __slots__ = ("shape_in", "indices", "axis")

    def forward(self, a, indices, axis):
        self.shape_in, self.indices, self.axis = a.shape, indices, axis
        return np.take_along_axis(a, indices, axis=axis)

    def backward(self, g, needs):
        grad = np.zeros(self.shape_in, dtype=g.dtype)
        np.put_along_axis(grad, self.indices, g, axis=self.axis)
        return (grad,)


class LogSumExp(Function):
    """``log Σ e^a`` over ``axes``, computed as ``m + log Σ e^(a - m)``;  d/da = softmax(a)."""

    __slots__ = ("a", "out", "axes")

    def forward(self, a, axes, keepdims):
        m = a.max(axis=axes, keepdims=True)
        m = np.where(np.isfinite(m), m, 0)  # all -inf (or an inf) along an axis: no shift
        out = np.log(np.exp(a - m).sum(axis=axes, keepdims=True)) + m
        self.a, self.out, self.axes = a, out, axes
        return out if keepdims else squeeze_axes(out, axes)

    def backward(self, g, needs):
        return (expand_reduced(g, self.a.shape, self.axes) * np.exp(self.a - self.out),)
