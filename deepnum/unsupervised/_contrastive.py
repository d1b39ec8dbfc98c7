"""One contrastive-divergence estimate of an RBM's log-likelihood gradient, on reused buffers.

For a batch v⁰ (B rows) the gradient of the mean log-likelihood is a difference of data and
model statistics; CD-k replaces the model's by those of k Gibbs steps::

    h⁰ ~ p(h | v⁰);  for t = 1..k:  vᵗ ~ p(v | hᵗ⁻¹),  hᵗ ~ p(h | vᵗ)
    ∂/∂W ≈ mean_B v⁰ p(h | v⁰)ᵀ - mean_C vᵏ p(h | vᵏ)ᵀ
    ∂/∂c ≈ mean_B p(h | v⁰) - mean_C p(h | vᵏ)
    ∂/∂b ≈ mean_B v⁰ - mean_C vᵏ

Hidden *probabilities* stand in for the hidden states in the statistics (same expectation,
less noise).  Persistent CD (Tieleman 2008) starts the k steps from the C chains' hidden
states of the previous batch instead of from h⁰; the chains are made from the first batch.

Per batch this is five matrix products of size B×n_visible×n_hidden: v⁰W, hWᵀ and vᵏW for
each step, and one product ``[v⁰; vᵏ]ᵀ [-p⁰/B; pᵏ/C]`` that gives the whole weight gradient
(the two statistics stacked, so BLAS does the subtraction).  Buffers are made once per batch
size.
"""

from __future__ import annotations

import numpy as np

from ._units import bernoulli_, sigmoid_


class _Buffers:
    """Arrays for B data rows and C chains."""

    def __init__(self, batch: int, chains: int, n_visible: int, n_hidden: int, dtype,
                 persistent: bool) -> None:
        self.x = np.empty((batch + chains, n_visible), dtype)  # [v⁰; vᵏ]
        self.y = np.empty((batch + chains, n_hidden), dtype)  # [p(h|v⁰); p(h|vᵏ)], then scaled
        self.pv = np.empty((chains, n_visible), dtype)  # conditional means of v
        self.h = np.empty((chains, n_hidden), dtype)  # hidden samples (PCD: the chains)
        self.rows = np.concatenate([np.full(batch, -1.0 / batch, dtype),
                                    np.full(chains, 1.0 / chains, dtype)])
        if persistent:  # the reconstruction of the data, which the chains do not give
            self.v_rec = np.empty((batch, n_visible), dtype)
            self.h_rec = np.empty((batch, n_hidden), dtype)


class ContrastiveDivergence:
    """CD-k or persistent CD-k: ``__call__`` fills the three gradients (minus the estimate
    above: what an optimizer descends) and returns the batch's reconstruction error.

    The reconstruction error is the mean over examples and units of (v⁰ - E[v | h⁰])² for
    the sampled h⁰: free with CD (it is the chain's first step); persistent CD pays one more
    product for it.
    """

    def __init__(self, k: int, persistent: bool) -> None:
        self.k, self.persistent = k, persistent
        self.chains: np.ndarray | None = None  # PCD: the hidden states of the chains
        self._buffers: dict[tuple, _Buffers] = {}

    def buffers(self, batch: int, chains: int, W: np.ndarray) -> _Buffers:
        key = (batch, chains, W.shape, W.dtype)
        buf = self._buffers.get(key)
        if buf is None:
            if len(self._buffers) > 4:  # many batch sizes (odd calls): do not hoard memory
                self._buffers.clear()
            buf = self._buffers[key] = _Buffers(batch, chains, *W.shape, W.dtype,
                                                      self.persistent)
        return buf

    def __call__(self, v0: np.ndarray, W: np.ndarray, b: np.ndarray, c: np.ndarray, units,
                 rng: np.random.Generator, grad_W: np.ndarray, grad_b: np.ndarray,
                 grad_c: np.ndarray) -> float:
        batch = len(v0)
        chained = self.persistent and self.chains is not None
        chains = len(self.chains) if chained else batch
        buf = self.buffers(batch, chains, W)
        x, y, pv = buf.x, buf.y, buf.pv
        np.copyto(x[:batch], v0)
        pos, neg, vk = y[:batch], y[batch:], x[batch:]
        np.matmul(v0, W, out=pos)
        np.add(pos, c, out=pos)
        sigmoid_(pos)  # p(h | v⁰)
        h = self.chains if chained else bernoulli_(pos, rng, buf.h[:batch])
        error = _reconstruction(v0, pos, W, b, units, rng, buf) if chained else None
        for step in range(self.k):
            np.matmul(h, W.T, out=pv)
            np.add(pv, b, out=pv)
            units.mean_(pv)  # E[v | h]
            if error is None:
                np.subtract(pv, v0, out=vk)
                error = float(np.vdot(vk, vk)) / vk.size
            units.sample_(pv, rng, vk)
            np.matmul(vk, W, out=neg)
            np.add(neg, c, out=neg)
            sigmoid_(neg)  # p(h | vᵗ)
            if step < self.k - 1 or self.persistent:
                h = bernoulli_(neg, rng, buf.h)
        if self.persistent:
            self.chains = h
        np.multiply(y, buf.rows[:, None], out=y)
        np.matmul(x.T, y, out=grad_W)
        np.add.reduce(y, axis=0, out=grad_c)
        np.matmul(buf.rows, x, out=grad_b)
        return error


def _reconstruction(v0, pos, W, b, units, rng, buf) -> float:
    """PCD's monitor: the same (v⁰ - E[v | h⁰])² with h⁰ ~ p(h | v⁰), at one more product."""
    h0 = bernoulli_(pos, rng, buf.h_rec)
    pv = np.matmul(h0, W.T, out=buf.v_rec)
    np.add(pv, b, out=pv)
    units.mean_(pv)
    np.subtract(pv, v0, out=pv)
    return float(np.vdot(pv, pv)) / pv.size
