"""Matrix products.

``MatMul`` follows NumPy's rules: 1-D operands are promoted to a row (left) or a column
(right) and the added axis is removed again; leading (batch) axes broadcast.  ``Linear`` is
the dense layer fused into one primitive, ``x @ wᵀ + b`` with PyTorch's weight layout
(out, in) or ``x @ w + b`` with Keras's kernel layout (in, out): one primitive instead of
three, so its backward writes each weight gradient once, fresh and contiguous.
"""

from __future__ import annotations

from ..autograd import Function
from ._util import unbroadcast


def _swap(x):
    return x.swapaxes(-1, -2)


class MatMul(Function):
    """``a @ b``;  dA = G·Bᵀ, dB = Aᵀ·G (summed over broadcast batch axes)."""

    __slots__ = ("a", "b")

    def forward(self, a, b):
        self.a, self.b = a, b
        return a @ b

    def backward(self, g, needs):
        a, b = self.a, self.b
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


class Linear(Function):
    """``x @ wᵀ + b`` for ``x`` (..., in), ``w`` (out, in) (``out_in=True``, PyTorch), or
    ``x @ w + b`` for ``w`` (in, out) (``out_in=False``, Keras); ``b`` (out,) or None.

    dx = G·W,  dW = Gᵀ·x (or xᵀ·G for the (in, out) layout, summed over leading axes),
    db = Σ G.
    """

    __slots__ = ("x", "w", "out_in")

    def forward(self, x, w, b, out_in=True):
        self.x = x if self.needs[1] else None
        self.w = w if self.needs[0] else None
        self.out_in = out_in
        out = x @ (w.T if out_in else w)
        if b is not None:
            out += b
        return out

    def backward(self, g, needs):
        g2 = g.reshape(-1, g.shape[-1])
        gx = gw = gb = None
        if needs[0]:
            gx = g @ (self.w if self.out_in else self.w.T)
        if needs[1]:
            x2 = self.x.reshape(-1, self.x.shape[-1])
            gw = g2.T @ x2 if self.out_in else x2.T @ g2
        if needs[2]:
            gb = g2.sum(axis=0)
        return gx, gw, gb
