"""The partition function Z = Σ_v Σ_h e^(-E(v, h)) of an RBM: exactly, or by AIS.

With the hidden units summed out, ``p(v) = e^(-F(v))/Z`` where the free energy is::

    F(v) = E_vis(v; b) - Σ_j softplus(c_j + vᵀW_j)

``exact_log_partition`` enumerates the 2^m states of the smaller layer (m ≤ 20); ``ais``
estimates log Z by annealed importance sampling (Neal 2001; Salakhutdinov & Murray 2008).
Everything here is float64: log Z is a sum of many small terms.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from ..errors import ArgumentError
from ._scores import free_energy
from ._units import bernoulli_, sigmoid_, softplus

MAX_ENUMERATED = 20  # 2^20 states: about a second


def _states(start: int, stop: int, n: int) -> np.ndarray:
    """The binary states numbered start..stop-1 as rows of n bits (float64)."""
    idx = np.arange(start, stop, dtype=np.int64)
    return ((idx[:, None] >> np.arange(n)) & 1).astype(np.float64)


def _logsumexp(a: np.ndarray) -> float:
    top = float(a.max())
    return top + math.log(float(np.exp(a - top).sum()))


def exact_log_partition(W: np.ndarray, b: np.ndarray, c: np.ndarray, units,
                        chunk: int = 1 << 14) -> float:
    """log Z by enumerating the smaller layer (Gaussian visible units: always the hidden one).

    Over hidden states: ``log Z = logsumexp_h [cᵀh + log Σ_v exp(-E_vis(v; b) + vᵀWh)]``;
    over visible states (binary): ``log Z = logsumexp_v [-F(v)]``.
    """
    n_visible, n_hidden = W.shape
    over_visible = units.name == "bernoulli" and n_visible < n_hidden
    n = n_visible if over_visible else n_hidden
    if n > MAX_ENUMERATED:
        layers = "visible or hidden" if units.name == "bernoulli" else "hidden"
        raise ArgumentError(f"exact_log_partition: enumerating 2^{n} states is too many; the "
                            f"smaller {layers} layer must have at most {MAX_ENUMERATED} units "
                            f"(got n_visible={n_visible}, n_hidden={n_hidden}); use AIS")
    parts = []
    for start in range(0, 1 << n, chunk):
        s = _states(start, min(start + chunk, 1 << n), n)
        if over_visible:
            parts.append(-free_energy(s, W, b, c, units))
        else:
            parts.append(s @ c + units.log_integral(s @ W.T, b))
    return _logsumexp(np.concatenate(parts))


class LogPartition(NamedTuple):
    """An AIS estimate: ``log_z`` and its spread over the chains.

    ``std_error`` is the delta-method standard error of log Ẑ, std(w)/(√M·mean(w)) for the M
    importance weights w; ``low``/``high`` are log(Ẑ ∓ 3 standard errors of Ẑ), the interval
    Salakhutdinov & Murray report (``low`` is -inf when the interval reaches 0).
    ``effective_chains`` is (Σw)²/Σw²: when it is a few out of M, a few chains carry the
    estimate, the standard error is itself unreliable, and Ẑ is likely too low (log Ẑ
    underestimates log Z in expectation): use more chains and inverse temperatures.
    """

    log_z: float
    std_error: float
    low: float
    high: float
    log_weights: np.ndarray
    effective_chains: float = float("nan")


def ais_betas(n_betas: int) -> np.ndarray:
    """Inverse temperatures 0 = β_0 < … < β_K = 1, denser near 1: Salakhutdinov & Murray's
    proportions (500 in [0, 0.5], 4,000 in [0.5, 0.9], 10,000 in [0.9, 1] of 14,500)."""
    if isinstance(n_betas, bool) or not isinstance(n_betas, int | np.integer) or n_betas < 3:
        raise ArgumentError(f"ais: n_betas must be an integer >= 3, got {n_betas!r}")
    n1 = max(1, round(n_betas * 500 / 14500))
    n2 = max(1, round(n_betas * 4000 / 14500))
    n3 = n_betas - n1 - n2
    return np.concatenate([np.linspace(0, 0.5, n1, endpoint=False),
                           np.linspace(0.5, 0.9, n2, endpoint=False), np.linspace(0.9, 1, n3)])


def ais(W: np.ndarray, b: np.ndarray, c: np.ndarray, units, base_bias: np.ndarray,
        n_chains: int, n_betas: int, rng: np.random.Generator) -> LogPartition:
    """Annealed importance sampling from the base model p_A(v) ∝ exp(-E_vis(v; b_A)) (no
    weights, hidden biases 0) to the RBM, through the distributions::

        p*_β(v) = exp(-(1-β) E_vis(v; b_A) - β E_vis(v; b)) · Π_j (1 + exp(β (c_j + vᵀW_j)))

    Z_0 = 2^n_hidden · Z_A.  Each chain starts from an exact sample of p_A, and for
    k = 1..K adds ``log p*_β_k(v) - log p*_β_k-1(v)`` to its log weight, then makes one Gibbs
    step v → h → v that leaves p_β_k invariant (h ~ σ(β(c + vᵀW)); v given h has the
    conditional of visible bias (1-β) b_A + β b and weights βW).  Then
    ``log Z ≈ log Z_0 + log mean(exp(log weights))``, unbiased in Z.
    """
    betas = ais_betas(n_betas)
    n_hidden = W.shape[1]
    # The Gibbs steps run in float32 (two matrix products per β); the log weights, sums of
    # many small differences, accumulate in float64.
    W32, WT32 = W.astype(np.float32), np.ascontiguousarray(W.T, dtype=np.float32)
    v = units.base_sample(base_bias, n_chains, rng).astype(np.float32)
    p = np.empty((n_chains, n_hidden), np.float32)
    h = np.empty_like(p)
    a = np.empty_like(v)
    log_w = np.zeros(n_chains)
    for k in range(1, len(betas)):
        beta, prev = betas[k], betas[k - 1]
        x = (v @ W32).astype(np.float64)
        x += c
        e_diff = units.energy(v, b) - units.energy(v, base_bias)
        log_w += (prev - beta) * e_diff + (softplus(beta * x) - softplus(prev * x)).sum(axis=1)
        if k == len(betas) - 1:
            break
        np.multiply(x, beta, out=p, casting="same_kind")
        bernoulli_(sigmoid_(p), rng, h)
        np.matmul(h, WT32, out=a)
        a *= beta
        a += ((1 - beta) * base_bias + beta * b).astype(np.float32)
        v = units.sample_(units.mean_(a), rng, v)
    log_z0 = n_hidden * math.log(2) + units.base_log_partition(base_bias)
    top = float(log_w.max())
    r = np.exp(log_w - top)
    mean, std = float(r.mean()), float(r.std())
    half = 3 * std / math.sqrt(n_chains)
    log_mean = log_z0 + top + math.log(mean)
    low = log_z0 + top + math.log(mean - half) if mean > half else -math.inf
    return LogPartition(log_mean, std / (math.sqrt(n_chains) * mean), low,
                        log_z0 + top + math.log(mean + half), log_w,
                        float(r.sum() ** 2 / (r @ r)))
