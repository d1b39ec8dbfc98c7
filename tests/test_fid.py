"""The Fréchet distance: against scipy.linalg.sqrtm, closed forms, properties, errors."""

from __future__ import annotations

import doctest

import numpy as np
import pytest

from deepnum.errors import DataError, ShapeError
from deepnum.unsupervised import fid
from deepnum.unsupervised.fid import (
    feature_distance,
    frechet_distance,
    gaussian_statistics,
    sqrt_psd,
)

linalg = pytest.importorskip("scipy.linalg")


def with_sqrtm(mu1, s1, mu2, s2):
    """The usual formula, with scipy's general matrix square root of Σ₁Σ₂."""
    cross = linalg.sqrtm(s1 @ s2).real
    return float(((mu1 - mu2) ** 2).sum() + np.trace(s1 + s2 - 2 * cross))


def covariance(rng, d, rank=None):
    a = rng.standard_normal((d, rank or d))
    return a @ a.T / d


def test_docstring_examples():
    assert doctest.testmod(fid).failed == 0


@pytest.mark.parametrize("d", [1, 2, 5, 32])
def test_against_scipy_sqrtm(d):
    rng = np.random.default_rng(d)
    mu1, mu2 = rng.standard_normal(d), rng.standard_normal(d)
    s1, s2 = covariance(rng, d), covariance(rng, d)
    assert frechet_distance(mu1, s1, mu2, s2) == pytest.approx(with_sqrtm(mu1, s1, mu2, s2),
                                                               rel=1e-7, abs=1e-9)


def test_against_scipy_on_features_and_rank_deficient_covariances():
    rng = np.random.default_rng(0)
    real = rng.standard_normal((300, 8))
    fake = rng.standard_normal((200, 8)) @ rng.standard_normal((8, 8)) + 0.5
    want = with_sqrtm(*gaussian_statistics(real), *gaussian_statistics(fake))
    assert feature_distance(real, fake) == pytest.approx(want, rel=1e-7)
    s1, s2 = covariance(rng, 6, rank=2), covariance(rng, 6, rank=3)
    mu = np.zeros(6)
    # sqrtm of a singular product is inaccurate, so compare loosely there; the closed form
    # below is the exact check for singular matrices
    assert frechet_distance(mu, s1, mu, s2) == pytest.approx(with_sqrtm(mu, s1, mu, s2),
                                                             rel=1e-4, abs=1e-6)


def test_closed_forms_and_properties():
    rng = np.random.default_rng(1)
    a, b = rng.uniform(0, 3, 5), rng.uniform(0, 3, 5)
    a[0] = 0.0  # a singular diagonal covariance
    mu1, mu2 = rng.standard_normal(5), rng.standard_normal(5)
    # commuting (diagonal) covariances: |μ₁ - μ₂|² + Σ (√a - √b)²
    want = ((mu1 - mu2) ** 2).sum() + ((np.sqrt(a) - np.sqrt(b)) ** 2).sum()
    assert frechet_distance(mu1, np.diag(a), mu2, np.diag(b)) == pytest.approx(want, rel=1e-12)
    s1, s2 = covariance(rng, 5), covariance(rng, 5)
    assert frechet_distance(mu1, s1, mu1, s1) == pytest.approx(0.0, abs=1e-9)
    assert frechet_distance(mu1, s1, mu2, s2) == pytest.approx(
        frechet_distance(mu2, s2, mu1, s1), rel=1e-10)
    root = sqrt_psd(s1)
    np.testing.assert_allclose(root @ root, s1, atol=1e-12)
    np.testing.assert_allclose(root, root.T)


def test_gaussian_statistics_are_the_mean_and_unbiased_covariance():
    x = np.random.default_rng(2).standard_normal((50, 4)).astype(np.float32)
    mu, sigma = gaussian_statistics(x)
    assert mu.dtype == sigma.dtype == np.float64
    np.testing.assert_allclose(mu, x.astype(np.float64).mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(sigma, np.cov(x.astype(np.float64).T, ddof=1), rtol=1e-12)


def test_errors():
    mu, s = np.zeros(3), np.eye(3)
    with pytest.raises(ShapeError, match=r"mu1, mu2 of shape \(d,\).*\(3,\), \(3, 3\), \(2,\)"):
        frechet_distance(mu, s, np.zeros(2), s)
    with pytest.raises(ShapeError, match=r"sigma2 must be a square matrix, got shape \(3, 2\)"):
        frechet_distance(mu, s, mu, np.ones((3, 2)))
    with pytest.raises(DataError, match="sigma1 must be symmetric"):
        frechet_distance(mu, np.triu(np.ones((3, 3))), mu, s)
    with pytest.raises(DataError, match="frechet_distance: mu2 holds NaN or Inf"):
        frechet_distance(mu, s, np.array([0.0, np.nan, 0.0]), s)
    with pytest.raises(ShapeError, match=r"features must have shape \(n, d\) with n >= 2, got "
                                         r"\(1, 3\)"):
        gaussian_statistics(np.zeros((1, 3)))
    with pytest.raises(DataError, match="gaussian_statistics: features holds NaN"):
        gaussian_statistics(np.full((4, 2), np.inf))
