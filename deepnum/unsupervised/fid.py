"""The Fréchet distance between Gaussians fitted to features (Heusel et al. 2017's FID when the
features are Inception's; here any network's), in NumPy without scipy."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import DataError, ShapeError


def _symmetric(a: np.ndarray, what: str) -> np.ndarray:
    if a.ndim != 2 or a.shape[0] != a.shape[1]:
        raise ShapeError(f"frechet_distance: {what} must be a square matrix, got shape {a.shape}")
    if not np.allclose(a, a.T, rtol=1e-5, atol=1e-8 * max(1.0, float(np.abs(a).max()))):
        raise DataError(f"frechet_distance: {what} must be symmetric (a covariance matrix)")
    return (a + a.T) / 2


def _finite(a: Any, what: str) -> np.ndarray:
    arr = np.asarray(a, dtype=np.float64)
    if not np.isfinite(arr).all():
        raise DataError(f"{what} holds NaN or Inf")
    return arr


def sqrt_psd(a: np.ndarray) -> np.ndarray:
    """The symmetric square root of a symmetric positive semi-definite matrix,
    ``U diag(√max(λ, 0)) Uᵀ`` from its eigen-decomposition (tiny negative eigenvalues from
    rounding count as 0)."""
    w, u = np.linalg.eigh(a)
    return (u * np.sqrt(np.clip(w, 0.0, None))) @ u.T


def frechet_distance(mu1: Any, sigma1: Any, mu2: Any, sigma2: Any) -> float:
    """The squared Fréchet (2-Wasserstein) distance between N(μ₁, Σ₁) and N(μ₂, Σ₂)::

        d² = |μ₁ - μ₂|² + Tr(Σ₁ + Σ₂ - 2 (Σ₁ Σ₂)^½)

    μ: (d,), Σ: (d, d) symmetric positive semi-definite; computed in float64.  Σ₁Σ₂ is not
    symmetric, but with S = Σ₁^½ it is similar to the symmetric PSD matrix S Σ₂ S, so
    Tr((Σ₁Σ₂)^½) = Σ_i √λ_i(S Σ₂ S): two symmetric eigen-decompositions, no ``sqrtm``.

    >>> frechet_distance(np.zeros(2), np.eye(2), np.ones(2), 4 * np.eye(2))
    4.0
    """
    mu1, mu2 = _finite(mu1, "frechet_distance: mu1"), _finite(mu2, "frechet_distance: mu2")
    sigma1 = _symmetric(_finite(sigma1, "frechet_distance: sigma1"), "sigma1")
    sigma2 = _symmetric(_finite(sigma2, "frechet_distance: sigma2"), "sigma2")
    d = mu1.shape[0] if mu1.ndim == 1 else -1
    if mu1.ndim != 1 or mu2.shape != (d,) or sigma1.shape != (d, d) or sigma2.shape != (d, d):
        raise ShapeError(f"frechet_distance: expected mu1, mu2 of shape (d,) and sigma1, sigma2 "
                         f"of shape (d, d), got {mu1.shape}, {sigma1.shape}, {mu2.shape}, "
                         f"{sigma2.shape}")
    root = sqrt_psd(sigma1)
    middle = root @ sigma2 @ root
    cross = np.sqrt(np.clip(np.linalg.eigvalsh((middle + middle.T) / 2), 0.0, None)).sum()
    diff = mu1 - mu2
    return float(diff @ diff + np.trace(sigma1) + np.trace(sigma2) - 2.0 * cross)


def gaussian_statistics(features: Any) -> tuple[np.ndarray, np.ndarray]:
    """The mean (d,) and covariance (d, d) (unbiased, n - 1) of features (n, d), float64."""
    f = _finite(features, "gaussian_statistics: features")
    if f.ndim != 2 or len(f) < 2:
        raise ShapeError(f"gaussian_statistics: features must have shape (n, d) with n >= 2, "
                         f"got {f.shape}")
    return f.mean(axis=0), np.cov(f, rowvar=False)


def feature_distance(real: Any, generated: Any) -> float:
    """``frechet_distance`` between the Gaussians fitted to two sets of features (n, d)."""
    return frechet_distance(*gaussian_statistics(real), *gaussian_statistics(generated))
