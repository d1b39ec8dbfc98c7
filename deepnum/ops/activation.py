"""Activation primitives, each with its derivative beside it.

These are primitives rather than compositions for two reasons named in STYLE: speed (one
pass instead of several on the hot path of every network) and stability (softmax and
log-softmax subtract the maximum; sigmoid and softplus never overflow into NaN gradients).
At kinks the derivative is the one PyTorch uses: relu'(0) = 0, leaky_relu'(0) = slope,
elu'(0) = alpha.
"""

from __future__ import annotations

import math

import numpy as np

from .special import erf

SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


_zeros_cache: dict[tuple, np.ndarray] = {}


def _zeros(shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
    """A read-only array of zeros, cached by shape and dtype (small ones only).

    ``np.maximum(a, zeros)`` runs NumPy's vectorised loop; ``np.maximum(a, 0)`` takes the
    scalar-broadcast loop, 3-4 times slower on float32, and relu is on every network's hot path.
    """
    key = (shape, dtype)
    z = _zeros_cache.get(key)
    if z is None:
        size = int(np.prod(shape))
        if size > 1 << 22 or len(_zeros_cache) >= 64:
            return np.zeros(shape[-1:], dtype)  # broadcast along rows: still a vector loop
        z = np.zeros(shape, dtype)
        z.flags.writeable = False
        _zeros_cache[key] = z
    return z


def relu(a):
    """``max(a, 0)``;  d/da = 1 where a > 0, else 0.

    As PyTorch: -inf gives 0, NaN stays NaN, integers stay integers.
    """
    out = np.maximum(a, _zeros(a.shape, a.dtype)) if a.ndim else np.maximum(a, 0)

    def backward(g, needs):
        return (g * (out > 0),)

    return out, backward


def leaky_relu(a, slope):
    """``a`` where a > 0 else ``slope·a``;  d/da = 1 or slope."""
    positive = a > 0
    out = np.where(positive, a, a * slope)

    def backward(g, needs):
        return (np.where(positive, g, g * slope),)

    return out, backward


def elu(a, alpha, scale=1.0):
    """``scale·a`` for a > 0, ``scale·alpha·(e^a - 1)`` otherwise (SELU is ELU with a scale)."""
    positive = a > 0
    neg_part = alpha * np.expm1(np.minimum(a, 0))  # minimum: no overflow for large a
    out = scale * np.where(positive, a, neg_part)

    def backward(g, needs):
        return (g * (scale * np.where(positive, 1, neg_part + alpha)),)

    return out, backward


def sigmoid(a):
    """``1/(1 + e^-a)``;  d/da = out·(1 - out)."""
    with np.errstate(over="ignore"):  # e^-a overflows to inf for a < -88: 1/(1+inf) = 0, exact
        out = 1 / (1 + np.exp(-a))

    def backward(g, needs):
        return (g * out * (1 - out),)

    return out, backward


def tanh(a):
    """Hyperbolic tangent;  d/da = 1 - out²."""
    out = np.tanh(a)

    def backward(g, needs):
        return (g * (1 - out * out),)

    return out, backward


def softplus(a, beta=1.0, threshold=20.0):
    """``log(1 + e^(beta·a))/beta``, linear above ``threshold`` (as PyTorch);  d/da = sigmoid."""
    z = a * beta
    linear = z > threshold
    out = np.where(linear, a, np.logaddexp(0, z) / beta)

    def backward(g, needs):
        with np.errstate(over="ignore"):
            s = 1 / (1 + np.exp(-z))
        return (np.where(linear, g, g * s),)

    return out, backward


_SQRT_2 = math.sqrt(2.0)
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)


def gelu(a, approximate="none"):
    """``a·Φ(a)`` with Φ the standard normal CDF (``approximate="tanh"``: Hendrycks & Gimpel's
    ``0.5·a·(1 + tanh(√(2/π)(a + 0.044715a³)))``)."""
    if approximate == "tanh":
        inner = _SQRT_2_OVER_PI * (a + 0.044715 * a**3)
        t = np.tanh(inner)
        out = 0.5 * a * (1 + t)

        def backward(g, needs):
            d_inner = _SQRT_2_OVER_PI * (1 + 3 * 0.044715 * a * a)
            return (g * (0.5 * (1 + t) + 0.5 * a * (1 - t * t) * d_inner),)

        return out, backward
    cdf = 0.5 * (1 + erf(a / _SQRT_2))
    out = a * cdf

    def backward(g, needs):
        pdf = _INV_SQRT_2PI * np.exp(-0.5 * a * a)
        return (g * (cdf + a * pdf),)

    return out, backward


def softmax(a, axis=-1):
    """``e^a / Σ e^a`` along ``axis`` (max subtracted first);  J·g = out·(g - Σ g·out)."""
    e = np.exp(a - a.max(axis=axis, keepdims=True))
    out = e / e.sum(axis=axis, keepdims=True)

    def backward(g, needs):
        return (out * (g - (g * out).sum(axis=axis, keepdims=True)),)

    return out, backward


def log_softmax(a, axis=-1):
    """``a - logsumexp(a)`` along ``axis``;  J·g = g - softmax·Σ g."""
    shifted = a - a.max(axis=axis, keepdims=True)
    out = shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))

    def backward(g, needs):
        return (g - np.exp(out) * g.sum(axis=axis, keepdims=True),)

    return out, backward
