"""Primitives of layers with learned parameters: PReLU and normalisation.

Both are fused for their gradients: PReLU's slope gets ``Σ g·x`` over the negative inputs in
one pass, and normalisation's input gradient through the batch statistics is the classic
three-term formula instead of a dozen recorded operations (faster, and exactly what
PyTorch computes).  Parameters arrive in their own shape; ``pshape`` says how they broadcast
against the input, and their gradients are summed back to their own shape.
"""

from __future__ import annotations

import numpy as np

from ..autograd import Function
from ._util import unbroadcast


class PReLU(Function):
    """``a`` where a > 0, else ``w·a`` (``w`` broadcast as ``pshape``).

    d/da = 1 or w;  d/dw = Σ g·a over the elements where a <= 0.
    """

    __slots__ = ("a", "wb", "w_shape", "positive", "pshape")

    def forward(self, a, w, pshape):
        self.positive = a > 0
        self.wb = w.reshape(pshape)
        self.a = a if self.needs[1] else None
        self.w_shape, self.pshape = w.shape, pshape
        return np.where(self.positive, a, self.wb * a)

    def backward(self, g, needs):
        ga = np.where(self.positive, g, g * self.wb) if needs[0] else None
        gw = None
        if needs[1]:
            gw = unbroadcast(np.where(self.positive, 0, g * self.a), self.pshape)
            gw = gw.reshape(self.w_shape)
        return ga, gw


class Normalize(Function):
    """``(x - mean)/sqrt(var + eps)·weight + bias`` (batch and layer normalisation).

    ``mean`` and ``var`` have ``x``'s rank (size 1 along ``axes``).  With ``batch_stats``
    they are the biased statistics of ``x`` over ``axes`` and the gradient flows through them:

        dx = rstd·(ĝ - mean(ĝ) - x̂·mean(ĝ·x̂)),   ĝ = g·weight,  x̂ = (x - mean)·rstd

    otherwise (running statistics) they are constants and dx = ĝ·rstd.
    d weight = Σ g·x̂,  d bias = Σ g (over everything but the parameter's axes).
    """

    __slots__ = ("xhat", "rstd", "wb", "w_shape", "b_shape", "axes", "pshape", "batch_stats")

    def forward(self, x, weight, bias, mean, var, eps, axes, pshape, batch_stats):
        self.rstd = 1 / np.sqrt(var + eps)
        self.xhat = (x - mean) * self.rstd
        self.wb = None if weight is None else weight.reshape(pshape)
        self.w_shape = None if weight is None else weight.shape
        self.b_shape = None if bias is None else bias.shape
        self.axes, self.pshape, self.batch_stats = axes, pshape, batch_stats
        out = self.xhat if self.wb is None else self.xhat * self.wb
        return out if bias is None else out + bias.reshape(pshape)

    def backward(self, g, needs):
        xhat, axes = self.xhat, self.axes
        gx = gw = gb = None
        if needs[0]:
            gh = g if self.wb is None else g * self.wb
            if self.batch_stats:
                gx = self.rstd * (gh - gh.mean(axis=axes, keepdims=True)
                                  - xhat * (gh * xhat).mean(axis=axes, keepdims=True))
            else:
                gx = gh * self.rstd
        if needs[1]:
            gw = unbroadcast(g * xhat, self.pshape).reshape(self.w_shape)
        if needs[2]:
            gb = unbroadcast(g, self.pshape).reshape(self.b_shape)
        return gx, gw, gb
