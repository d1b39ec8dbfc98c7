"""Fused loss primitives: NumPy in, the loss out, the gradient beside it.

Each loss is one primitive rather than a composition for the two reasons STYLE allows:
stability (cross-entropy works from log-sum-exp; binary cross-entropy on logits never
computes ``log(sigmoid)``; binary cross-entropy on probabilities clamps its logs at -100 as
PyTorch does) and speed (cross-entropy with integer labels is on the hot path of every
classifier: its backward is one ``softmax - onehot`` pass).

``reduction`` is ``"mean"``, ``"sum"`` or ``"none"`` (checked by the caller).  Labels and
weights are constants; only logits, probabilities and (for the binary losses) targets get
gradients.
"""

from __future__ import annotations

import numpy as np

from ..autograd import Function
from ._util import unbroadcast

# The smallest denominator of binary cross-entropy's gradient, as PyTorch's EPSILON.
_BCE_EPS = 1e-12


def _reduce(per: np.ndarray, reduction: str, total):
    """The reduced loss, and what ``_scale`` needs: the divisor of "mean" (None otherwise)."""
    if reduction == "none":
        return per, None
    if reduction == "sum":
        return per.sum(), None
    with np.errstate(divide="ignore", invalid="ignore"):  # everything ignored: NaN, as PyTorch
        return per.sum() / total, total


def _scale(g: np.ndarray, divisor):
    """d output / d (each element's loss): ``g``, or ``g / divisor`` for "mean"."""
    return g if divisor is None else g / divisor


def _picked(labels, weight, ignore_index: int, dtype):
    """Each row's label made safe for indexing (ignored ones point at class 0), each row's
    weight ``w[label]`` (0 where ignored) and the 0/1 mask of the rows that count."""
    keep = labels != ignore_index
    if keep.all():
        safe, counts = labels, np.ones(len(labels), dtype)
    else:
        safe, counts = np.where(keep, labels, 0), keep.astype(dtype)
    wy = counts if weight is None else weight[safe] * counts
    return safe, wy, counts


class CrossEntropy(Function):
    """Cross-entropy of logits ``z`` (N, C) against integer ``labels`` (N,), PyTorch's rule:

        loss_i = (1-ε)·w[y_i]·(-log p_iy) + (ε/C)·Σ_c w_c·(-log p_ic),  p = softmax(z_i)

    with ε the label smoothing, ``w`` the class weights (1 if None) and rows whose label is
    ``ignore_index`` contributing 0.  "mean" divides by Σ w[y_i] over the rows that count.

    d loss_i / d z_ic = p_ic·a_i - (1-ε)·w[y_i]·[c = y_i] - (ε/C)·w_c,
    with a_i = (1-ε)·w[y_i] + (ε/C)·Σ_c w_c; without weights or smoothing: p - onehot.
    """

    __slots__ = ("e", "total_e", "safe", "wy", "counts", "weight", "smoothing", "divisor")

    def forward(self, z, labels, weight, ignore_index, smoothing, reduction):
        n, c = z.shape
        safe, wy, counts = _picked(labels, weight, ignore_index, z.dtype)
        shifted = z - z.max(axis=1, keepdims=True)
        e = np.exp(shifted)
        total_e = e.sum(axis=1, keepdims=True)
        log_total = np.log(total_e)
        per = (smoothing - 1) * wy * (shifted[np.arange(n), safe] - log_total[:, 0])
        if smoothing:
            logp = shifted - log_total
            smooth = -(logp @ weight if weight is not None else logp.sum(axis=1))
            per = per + (smoothing / c) * counts * smooth
        out, self.divisor = _reduce(per, reduction, wy.sum())
        self.e, self.total_e, self.safe, self.wy, self.counts = e, total_e, safe, wy, counts
        self.weight, self.smoothing = weight, smoothing
        return out

    def backward(self, g, needs):
        n, c = self.e.shape
        eps, wy, weight = self.smoothing, self.wy, self.weight
        r = np.broadcast_to(_scale(g, self.divisor), (n,))
        a = (1 - eps) * wy
        if eps:
            a = a + (eps / c) * (c if weight is None else weight.sum()) * self.counts
        grad = self.e * ((r * a)[:, None] / self.total_e)
        grad[np.arange(n), self.safe] -= r * (1 - eps) * wy
        if eps:
            w_row = 1.0 if weight is None else weight[None, :]
            grad -= (r * self.counts * (eps / c))[:, None] * w_row
        return (grad,)


class NLLLoss(Function):
    """Negative log-likelihood of log-probabilities ``logp`` (N, C) at integer ``labels``:
    ``loss_i = -w[y_i]·logp[i, y_i]`` (0 where ignored); "mean" divides by Σ w[y_i].

    d loss_i / d logp_ic = -w[y_i]·[c = y_i].
    """

    __slots__ = ("shape_in", "safe", "wy", "divisor")

    def forward(self, logp, labels, weight, ignore_index, reduction):
        self.safe, self.wy, _ = _picked(labels, weight, ignore_index, logp.dtype)
        self.shape_in = logp.shape
        per = -self.wy * logp[np.arange(len(labels)), self.safe]
        out, self.divisor = _reduce(per, reduction, self.wy.sum())
        return out

    def backward(self, g, needs):
        n = self.shape_in[0]
        grad = np.zeros(self.shape_in, g.dtype)
        grad[np.arange(n), self.safe] = -np.broadcast_to(_scale(g, self.divisor), (n,)) * self.wy
        return (grad,)


class BinaryCrossEntropy(Function):
    """``-w·(y·log p + (1-y)·log(1-p))`` with both logs clamped at -100 (as PyTorch, so p = 0
    or 1 gives a finite loss).

    d/dp = w·(p - y) / max(p(1-p), 1e-12);  d/dy = -w·log(p/(1-p)).
    """

    __slots__ = ("p", "y", "log_p", "log_q", "weight", "divisor")

    def forward(self, p, y, weight, reduction):
        with np.errstate(divide="ignore"):
            log_p, log_q = np.log(p), np.log1p(-p)
        per = -(y * np.maximum(log_p, -100) + (1 - y) * np.maximum(log_q, -100))
        if weight is not None:
            per = per * weight
        out, self.divisor = _reduce(per, reduction, per.size)
        self.p, self.y, self.log_p, self.log_q, self.weight = p, y, log_p, log_q, weight
        return out

    def backward(self, g, needs):
        p, y = self.p, self.y
        gs = _scale(g, self.divisor)
        if self.weight is not None:
            gs = gs * self.weight
        gp = gy = None
        if needs[0]:
            gp = unbroadcast(gs * (p - y) / np.maximum(p * (1 - p), _BCE_EPS), p.shape)
        if needs[1]:
            with np.errstate(invalid="ignore"):
                gy = unbroadcast(-gs * (self.log_p - self.log_q), y.shape)
        return gp, gy


class BinaryCrossEntropyWithLogits(Function):
    """Binary cross-entropy of ``sigmoid(x)``, computed without forming the sigmoid:

        loss = w·((1-y)·x + l·softplus(-x)),   l = 1 + (pos_weight - 1)·y   (l = 1 if None)

    where ``softplus(-x) = log(1 + e^-x)`` never overflows.
    d/dx = w·((1 - y + t)·sigmoid(x) - t), t = pos_weight·y  (= w·(sigmoid(x) - y) without
    pos_weight: no cancellation where sigmoid(x) is tiny);
    d/dy = w·(-x + (pos_weight - 1)·softplus(-x)).
    """

    __slots__ = ("x", "y", "sp", "weight", "pos_weight", "divisor")

    def forward(self, x, y, weight, pos_weight, reduction):
        sp = np.logaddexp(0, -x)
        log_weight = 1 if pos_weight is None else 1 + (pos_weight - 1) * y
        per = (1 - y) * x + log_weight * sp
        if weight is not None:
            per = per * weight
        out, self.divisor = _reduce(per, reduction, per.size)
        self.x, self.y, self.sp = x, y, sp
        self.weight, self.pos_weight = weight, pos_weight
        return out

    def backward(self, g, needs):
        x, y, pw = self.x, self.y, self.pos_weight
        gs = _scale(g, self.divisor)
        if self.weight is not None:
            gs = gs * self.weight
        gx = gy = None
        if needs[0]:
            with np.errstate(over="ignore"):
                sig = 1 / (1 + np.exp(-x))  # e^-x -> inf gives exactly 0
            if pw is None:
                dx = sig - y
            else:
                t = pw * y
                dx = (1 - y + t) * sig - t
            gx = unbroadcast(gs * dx, x.shape)
        if needs[1]:
            dy = -x if pw is None else -x + (pw - 1) * self.sp
            gy = unbroadcast(gs * dy, y.shape)
        return gx, gy
