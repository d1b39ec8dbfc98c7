"""Free energy and pseudo-likelihood of a binary RBM (NumPy, any float dtype).

``F(v) = E_vis(v; b) - Σ_j softplus(c_j + vᵀW_j)``.  Flipping visible unit i (v_i → 1 - v_i,
a change s_i = 1 - 2v_i) moves the hidden inputs x = vW + c by s_i·W_i, so::

    F(ṽ⁽ⁱ⁾) - F(v) = -b_i s_i - Σ_j [softplus(x_j + s_i W_ij) - softplus(x_j)]
    log p(v_i | v_-i) = log σ(F(ṽ⁽ⁱ⁾) - F(v)) = -softplus(F(v) - F(ṽ⁽ⁱ⁾))
"""

from __future__ import annotations

import numpy as np

from ._units import softplus


def free_energy(v: np.ndarray, W: np.ndarray, b: np.ndarray, c: np.ndarray, units) -> np.ndarray:
    """F(v) = E_vis(v; b) - Σ_j softplus(c_j + vᵀW_j), per row of ``v``."""
    return units.energy(v, b) - softplus(v @ W + c).sum(axis=-1)


def stochastic_pseudo_likelihood(v: np.ndarray, x: np.ndarray, W: np.ndarray, b: np.ndarray,
                                 rng: np.random.Generator) -> np.ndarray:
    """scikit-learn's estimator: for one random unit i per row, ``n · log p(v_i | v_-i)``
    (unbiased for the sum over units).  ``x = vW + c``; one value per row of ``v``."""
    n = v.shape[1]
    i = rng.integers(0, n, len(v))
    s = 1.0 - 2.0 * v[np.arange(len(v)), i]
    gap = softplus(x + s[:, None] * W[i]).sum(axis=1) - softplus(x).sum(axis=1) + b[i] * s
    return -n * softplus(gap)


def exact_pseudo_likelihood(v: np.ndarray, x: np.ndarray, W: np.ndarray, b: np.ndarray,
                            chunk: int) -> np.ndarray:
    """``Σ_i log p(v_i | v_-i)`` over every unit, per row (cost rows × n_visible × n_hidden,
    ``chunk`` elements at a time).  ``x = vW + c``."""
    out = np.empty(len(v), dtype=x.dtype)
    base = softplus(x).sum(axis=1)
    flip = 1.0 - 2.0 * v
    step = max(1, chunk // W.size)
    for r in range(0, len(v), step):
        rows = slice(r, r + step)
        flipped = softplus(x[rows, None, :] + flip[rows, :, None] * W).sum(axis=2)
        gap = flipped - base[rows, None] + b * flip[rows]  # F(v) - F(ṽ⁽ⁱ⁾), (rows, n)
        out[rows] = -softplus(gap).sum(axis=1)
    return out
