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

from ..autograd import Function
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


class ReLU(Function):
    """``max(a, 0)``;  d/da = 1 where a > 0, else 0.

    As PyTorch: -inf gives 0, NaN stays NaN, integers stay integers.
    """

    __slots__ = ("out",)

    def forward(self, a):
        self.out = np.maximum(a, _zeros(a.shape, a.dtype)) if a.ndim else np.maximum(a, 0)
        return self.out

    def backward(self, g, needs):
        return (g * (self.out > 0),)


class LeakyReLU(Function):
    """``a`` where a > 0 else ``slope·a``;  d/da = 1 or slope."""

    __slots__ = ("positive", "slope")

    def forward(self, a, slope):
        self.positive, self.slope = a > 0, slope
        return np.where(self.positive, a, a * slope)

    def backward(self, g, needs):
        return (np.where(self.positive, g, g * self.slope),)


class ELU(Function):
    """``scale·a`` for a > 0, ``scale·alpha·(e^a - 1)`` otherwise (SELU is ELU with a scale)."""

    __slots__ = ("positive", "neg_part", "alpha", "scale")

    def forward(self, a, alpha, scale=1.0):
        self.positive = a > 0
        self.neg_part = alpha * np.expm1(np.minimum(a, 0))  # minimum: no overflow for large a
        self.alpha, self.scale = alpha, scale
        return scale * np.where(self.positive, a, self.neg_part)

    def backward(self, g, needs):
        return (g * (self.scale * np.where(self.positive, 1, self.neg_part + self.alpha)),)


class Sigmoid(Function):
    """``1/(1 + e^-a)``;  d/da = out·(1 - out)."""

    __slots__ = ("out",)

    def forward(self, a):
        with np.errstate(over="ignore"):  # e^-a overflows to inf for a < -88: 1/(1+inf) = 0
            self.out = 1 / (1 + np.exp(-a))
        return self.out

    def backward(self, g, needs):
        out = self.out
        return (g * out * (1 - out),)


class Tanh(Function):
    """Hyperbolic tangent;  d/da = 1 - out²."""

    __slots__ = ("out",)

    def forward(self, a):
        self.out = np.tanh(a)
        return self.out

    def backward(self, g, needs):
        return (g * (1 - self.out * self.out),)


class Softplus(Function):
    """``log(1 + e^(beta·a))/beta``, linear above ``threshold`` (as PyTorch);  d/da = sigmoid."""

    __slots__ = ("z", "linear")

    def forward(self, a, beta=1.0, threshold=20.0):
        self.z = z = a * beta
        self.linear = z > threshold
        return np.where(self.linear, a, np.logaddexp(0, z) / beta)

    def backward(self, g, needs):
        with np.errstate(over="ignore"):
            s = 1 / (1 + np.exp(-self.z))
        return (np.where(self.linear, g, g * s),)


_SQRT_2 = math.sqrt(2.0)
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)


class GELU(Function):
    """``a·Φ(a)`` with Φ the standard normal CDF (``approximate="tanh"``: Hendrycks & Gimpel's
    ``0.5·a·(1 + tanh(√(2/π)(a + 0.044715a³)))``)."""

    __slots__ = ("a", "cdf", "t")

    def forward(self, a, approximate="none"):
        self.a = a
        if approximate == "tanh":
            self.t = np.tanh(_SQRT_2_OVER_PI * (a + 0.044715 * a**3))
            self.cdf = None
            return 0.5 * a * (1 + self.t)
        self.t = None
        self.cdf = 0.5 * (1 + erf(a / _SQRT_2))
        return a * self.cdf

    def backward(self, g, needs):
        a, t = self.a, self.t
        if t is not None:
            d_inner = _SQRT_2_OVER_PI * (1 + 3 * 0.044715 * a * a)
            return (g * (0.5 * (1 + t) + 0.5 * a * (1 - t * t) * d_inner),)
        pdf = _INV_SQRT_2PI * np.exp(-0.5 * a * a)
        return (g * (self.cdf + a * pdf),)


class Softmax(Function):
    """``e^a / Σ e^a`` along ``axis`` (max subtracted first);  J·g = out·(g - Σ g·out)."""

    __slots__ = ("out", "axis")

    def forward(self, a, axis=-1):
        e = np.exp(a - a.max(axis=axis, keepdims=True))
        self.out, self.axis = e / e.sum(axis=axis, keepdims=True), axis
        return self.out

    def backward(self, g, needs):
        out = self.out
        return (out * (g - (g * out).sum(axis=self.axis, keepdims=True)),)


class LogSoftmax(Function):
    """``a - logsumexp(a)`` along ``axis``;  J·g = g - softmax·Σ g."""

    __slots__ = ("out", "axis")

    def forward(self, a, axis=-1):
        shifted = a - a.max(axis=axis, keepdims=True)
        self.out = shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))
        self.axis = axis
        return self.out

    def backward(self, g, needs):
        return (g - np.exp(self.out) * g.sum(axis=self.axis, keepdims=True),)
