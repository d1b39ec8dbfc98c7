"""Visible units of a restricted Boltzmann machine: Bernoulli (binary) and Gaussian.

An RBM's energy splits into a visible term, a hidden term and the interaction::

    E(v, h) = E_vis(v; b) - cᵀh - vᵀWh
    Bernoulli:  E_vis(v; b) = -bᵀv              v ∈ {0, 1}ⁿ (or mean-field values in [0, 1])
    Gaussian:   E_vis(v; b) = Σ_i (v_i - b_i)²/2  v ∈ ℝⁿ, unit variance

Each unit type says how to turn the visible input ``a = b + Wh`` into the conditional mean of
p(v | h) (sigmoid or identity), how to draw from it, its visible energy, and the integral
``log Σ_v exp(-E_vis(v; b) + vᵀ(Wh))`` that enumerating the hidden states needs.  The in-place
helpers (``sigmoid_``, ``bernoulli_``) keep the training loop to a few passes over buffers.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .._tensor import Tensor
from ..classic._checks import _show
from ..errors import DataError, ShapeError, unknown_name


def sigmoid_(x: np.ndarray) -> np.ndarray:
    """``x ← 1/(1 + e^(-x))`` in place (e^(-x) may overflow to inf: the result is then 0)."""
    with np.errstate(over="ignore"):
        np.negative(x, out=x)
        np.exp(x, out=x)
    np.add(x, 1.0, out=x)
    return np.reciprocal(x, out=x)


def sigmoid(x: np.ndarray) -> np.ndarray:
    """``1/(1 + e^(-x))`` as a new array."""
    return sigmoid_(np.array(x, dtype=np.result_type(x, np.float32)))


def softplus(x: np.ndarray) -> np.ndarray:
    """``log(1 + e^x)``, exact for large |x|."""
    return np.logaddexp(0.0, x)


def bernoulli_(p: np.ndarray, rng: np.random.Generator, out: np.ndarray) -> np.ndarray:
    """``out ← 1.0 where U < p else 0.0`` with U ~ Uniform[0, 1) drawn into ``out`` first."""
    rng.random(out=out, dtype=out.dtype)
    return np.less(out, p, out=out, casting="unsafe")


class Bernoulli:
    """Binary visible units: p(v_i = 1 | h) = σ(b_i + W_i·h)."""

    name = "bernoulli"

    def check(self, v: np.ndarray, op: str, name: str) -> None:
        """Raise a DataError naming the first value outside [0, 1] (NaN included)."""
        lo, hi = float(v.min()), float(v.max())
        if lo >= 0.0 and hi <= 1.0:  # NaN fails both comparisons
            return
        bad = ~((v >= 0) & (v <= 1))
        where = tuple(int(i) for i in np.argwhere(bad)[0])
        hint = ("; scale images to [0, 1] first (x / 255)" if hi <= 255 and lo >= 0 else "")
        raise DataError(f"{op}: a Bernoulli RBM takes values in [0, 1] (binary, or "
                        f"probabilities as mean-field inputs); {name} has {v[where]:g} at "
                        f"index {where} (values received: {_show(v[bad])}){hint}")

    def mean_(self, a: np.ndarray) -> np.ndarray:
        return sigmoid_(a)

    def sample_(self, mean: np.ndarray, rng: np.random.Generator, out: np.ndarray) -> np.ndarray:
        return bernoulli_(mean, rng, out)

    def energy(self, v: np.ndarray, b: np.ndarray) -> np.ndarray:
        """E_vis(v; b) = -bᵀv, per row of ``v``."""
        return -(v @ b)

    def log_integral(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """``log Σ_v exp(bᵀv + aᵀv) = Σ_i softplus(b_i + a_i)`` per row of ``a``."""
        return softplus(a + b).sum(axis=-1)

    def base_bias(self, sums: np.ndarray, count: int) -> np.ndarray:
        """The base-rate model's biases (Salakhutdinov & Murray 2008) from the column sums of
        ``count`` examples: the logits of the data's marginals, Laplace-smoothed
        ``p_i = (Σ v_i + 1)/(N + 2)`` so no unit gets ±inf."""
        p = (sums + 1.0) / (count + 2.0)
        return np.log(p) - np.log1p(-p)

    def base_log_partition(self, b: np.ndarray) -> float:
        """log Σ_v exp(bᵀv) = Σ_i softplus(b_i)."""
        return float(softplus(b).sum())

    def base_sample(self, b: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
        """Exact samples of p(v) ∝ exp(bᵀv): independent bits with P(v_i = 1) = σ(b_i)."""
        return (rng.random((n, b.size)) < sigmoid(b)).astype(b.dtype)


class Gaussian:
    """Real-valued visible units of unit variance: p(v_i | h) = N(b_i + W_i·h, 1).

    Standardise the data (zero mean, unit variance per feature) before training: the model
    assumes σ = 1.
    """

    name = "gaussian"

    def check(self, v: np.ndarray, op: str, name: str) -> None:
        """Raise a DataError naming the first NaN or infinite value."""
        if np.isfinite(v.sum()):
            return
        bad = ~np.isfinite(v)
        if not bad.any():  # a finite array whose sum overflowed
            return
        where = tuple(int(i) for i in np.argwhere(bad)[0])
        raise DataError(f"{op}: {name} must be finite, got {v[where]} at index {where}")

    def mean_(self, a: np.ndarray) -> np.ndarray:
        return a

    def sample_(self, mean: np.ndarray, rng: np.random.Generator, out: np.ndarray) -> np.ndarray:
        noise = rng.standard_normal(out.shape, dtype=out.dtype)
        return np.add(mean, noise, out=out)

    def energy(self, v: np.ndarray, b: np.ndarray) -> np.ndarray:
        """E_vis(v; b) = Σ_i (v_i - b_i)²/2, per row of ``v``."""
        d = v - b
        return 0.5 * np.einsum("...i,...i->...", d, d)

    def log_integral(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """``log ∫ exp(-|v - b|²/2 + aᵀv) dv = Σ_i ((b_i + a_i)² - b_i²)/2 + (n/2) log 2π``."""
        n = a.shape[-1]
        return 0.5 * (((a + b) ** 2).sum(axis=-1) - b @ b) + 0.5 * n * math.log(2 * math.pi)

    def base_bias(self, sums: np.ndarray, count: int) -> np.ndarray:
        """The base model N(mean of the data, 1), from the column sums of ``count`` examples."""
        return sums / count

    def base_log_partition(self, b: np.ndarray) -> float:
        """log ∫ exp(-|v - b|²/2) dv = (n/2) log 2π."""
        return 0.5 * b.size * math.log(2 * math.pi)

    def base_sample(self, b: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
        return b + rng.standard_normal((n, b.size)).astype(b.dtype)


UNITS = {"bernoulli": Bernoulli(), "gaussian": Gaussian()}


def get_units(name: Any) -> Bernoulli | Gaussian:
    """The visible-unit type called ``name`` ("bernoulli" or "gaussian")."""
    units = UNITS.get(str(name).lower()) if isinstance(name, str) else None
    if units is None:
        raise unknown_name("visible unit type", name, UNITS)
    return units


def as_batch(x: Any, width: int, op: str, name: str = "x",
             dtype: np.dtype | type = np.float32) -> np.ndarray:
    """``x`` as a C-contiguous (batch, width) array of ``dtype`` (one vector becomes one row);
    a ShapeError names both sizes when the widths differ, a DataError rejects empty data."""
    try:
        arr = np.asarray(x.data if isinstance(x, Tensor) else x)
    except (TypeError, ValueError) as e:
        raise DataError(f"{op}: {name} must be an array of numbers ({e})") from None
    if arr.dtype.kind not in "biuf":
        raise DataError(f"{op}: {name} must be an array of numbers, got dtype {arr.dtype}")
    if arr.ndim == 1:
        arr = arr.reshape(1, -1)
    if arr.ndim != 2:
        hint = "; flatten images with x.reshape(len(x), -1)" if arr.ndim > 2 else ""
        raise ShapeError(f"{op}: {name} must have shape (batch, {width}), got shape "
                         f"{arr.shape}{hint}")
    if arr.shape[1] != width:
        raise ShapeError(f"{op}: the model has {width} units on this side but {name} has "
                         f"{arr.shape[1]} features per example (shape {arr.shape})")
    if arr.shape[0] == 0:
        raise DataError(f"{op}: {name} is empty (shape {arr.shape})")
    return np.ascontiguousarray(arr, dtype=dtype)
