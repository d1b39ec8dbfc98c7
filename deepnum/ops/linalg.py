"""Matrix products.

``matmul`` follows NumPy's rules: 1-D operands are promoted to a row (left) or a column
(right) and the added axis is removed again; leading (batch) axes broadcast.  ``linear`` is a
fused ``x @ wᵀ + b`` (PyTorch's weight layout) and ``affine`` the same with ``x @ w + b``
(Keras's kernel layout): one primitive instead of three, so a dense layer's backward writes
each weight gradient once, fresh and contiguous.
"""

from __future__ import annotations

import numpy as np

from ._util import unbroadcast


def _swap(x):
    return x.swapaxes(-1, -2)


def matmul(a, b):
    """``a @ b``;  dA = G·Bᵀ, dB = Aᵀ·G (summed over broadcast batch axes)."""

    def backward(g, needs):
        # Work on at-least-2-D views: a (k,) is a row (1, k), b (k,) a column (k, 1), and g
        # gets back the axes that NumPy removed from the product.
        a2 = a[None, :] if a.ndim == 1 else a
        b2 = b[:, None] if b.ndim == 1 else b
        g2 = g[..., None] if b.ndim == 1 else g
        if a.ndim == 1:
            g2 = g2[..., None, :]
        ga = unbroadcast(g2 @ _swap(b2), a2.shape).reshape(a.shape) if needs[0] else None
        gb = unbroadcast(_swap(a2) @ g2, b2.shape).reshape(b.shape) if needs[1] else None
        return ga, gb

    return a @ b, backward


def linear(x, w, b):
    """``x @ wᵀ + b`` for ``x`` (..., in), ``w`` (out, in), ``b`` (out,) or None.

    dx = G·w,  dw = Gᵀ·x (over all leading axes),  db = Σ G.
    """
    out = x @ w.T
    if b is not None:
        out += b

    def backward(g, needs):
        g2 = g.reshape(-1, g.shape[-1])
        x2 = x.reshape(-1, x.shape[-1])
        return (
            (g @ w) if needs[0] else None,
            (g2.T @ x2) if needs[1] else None,
            g2.sum(axis=0) if b is not None and needs[2] else None,
        )

    return out, backward


def affine(x, w, b):
    """``x @ w + b`` for ``x`` (..., in), ``w`` (in, out), ``b`` (out,) or None.

    dx = G·wᵀ,  dw = xᵀ·G (over all leading axes),  db = Σ G.
    """
    out = x @ w
    if b is not None:
        out += b

    def backward(g, needs):
        g2 = g.reshape(-1, g.shape[-1])
        x2 = x.reshape(-1, x.shape[-1])
        return (
            (g @ w.T) if needs[0] else None,
            (x2.T @ g2) if needs[1] else None,
            g2.sum(axis=0) if b is not None and needs[2] else None,
        )

    return out, backward
