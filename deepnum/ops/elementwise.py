"""Element-wise primitives: NumPy arrays in, ``(output, backward)`` out.

Every primitive returns its output and a ``backward(g, needs)`` closure that maps the
gradient ``g`` of the output to one gradient per input (``None`` where ``needs`` says the
input needs none).  Binary ops broadcast like NumPy; ``unbroadcast`` sums each gradient back
to its input's shape.  Backward closures never write into ``g`` or into saved arrays, and never
return a saved forward array: the engine relies on both.
"""

from __future__ import annotations

import numpy as np

from ._util import unbroadcast


def _shape(x) -> tuple[int, ...]:
    return np.shape(x)


def add(a, b):
    """``a + b``;  d/da = 1, d/db = 1."""
    sa, sb = _shape(a), _shape(b)  # keep the shapes, not the arrays, alive for backward

    def backward(g, needs):
        return (
            unbroadcast(g, sa) if needs[0] else None,
            unbroadcast(g, sb) if needs[1] else None,
        )

    return a + b, backward


def sub(a, b):
    """``a - b``;  d/da = 1, d/db = -1."""
    sa, sb = _shape(a), _shape(b)

    def backward(g, needs):
        return (
            unbroadcast(g, sa) if needs[0] else None,
            unbroadcast(-g, sb) if needs[1] else None,
        )

    return a - b, backward


def mul(a, b):
    """``a * b``;  d/da = b, d/db = a."""

    def backward(g, needs):
        return (
            unbroadcast(g * b, _shape(a)) if needs[0] else None,
            unbroadcast(g * a, _shape(b)) if needs[1] else None,
        )

    return a * b, backward


def div(a, b):
    """``a / b``;  d/da = 1/b, d/db = -a/b² = -out/b."""
    out = a / b

    def backward(g, needs):
        gb = g / b
        return (
            unbroadcast(gb, _shape(a)) if needs[0] else None,
            unbroadcast(-gb * out, _shape(b)) if needs[1] else None,
        )

    return out, backward


def power(a, b):
    """``a ** b``;  d/da = b·a^(b-1), d/db = out·log(a) (0 where a = 0 and b >= 0, as PyTorch)."""
    out = a**b

    def backward(g, needs):
        ga = gb = None
        if needs[0]:
            with np.errstate(divide="ignore", invalid="ignore"):
                d = b * a ** (b - 1)
            if np.any(b == 0):  # as PyTorch: exponent 0 gives gradient 0, even at a = 0
                d = np.where(b == 0, 0, d)
            ga = unbroadcast(g * d, _shape(a))
        if needs[1]:
            with np.errstate(divide="ignore", invalid="ignore"):
                d = out * np.log(a)
            d = np.where((a == 0) & (b >= 0), 0, d)
            gb = unbroadcast(g * d, _shape(b))
        return ga, gb

    return out, backward


# ----- a tensor with a Python scalar ------------------------------------------------------
# ``x * 0.5`` through ``mul`` would keep ``x`` alive for a gradient the scalar never needs;
# these keep only the scalar (or the output), which halves the memory of long chains.


def add_scalar(a, c):
    """``a + c`` (also ``a - c`` as ``a + (-c)``, which IEEE arithmetic makes identical)."""

    def backward(g, needs):
        return (g,)

    return a + c, backward


def rsub_scalar(a, c):
    """``c - a``;  d/da = -1."""

    def backward(g, needs):
        return (-g,)

    return c - a, backward


def mul_scalar(a, c):
    """``a * c``;  d/da = c."""

    def backward(g, needs):
        return (g * c,)

    return a * c, backward


def div_scalar(a, c):
    """``a / c``;  d/da = 1/c."""

    def backward(g, needs):
        return (g / c,)

    return a / c, backward


def rdiv_scalar(a, c):
    """``c / a``;  d/da = -c/a² = -out/a."""
    out = c / a

    def backward(g, needs):
        return (-g * out / a,)

    return out, backward


def neg(a):
    """``-a``."""

    def backward(g, needs):
        return (-g,)

    return -a, backward


def exp(a):
    """``e^a``;  d/da = out."""
    out = np.exp(a)

    def backward(g, needs):
        return (g * out,)

    return out, backward


def log(a):
    """Natural logarithm;  d/da = 1/a."""

    def backward(g, needs):
        return (g / a,)

    return np.log(a), backward


def log1p(a):
    """``log(1 + a)``, accurate for small a;  d/da = 1/(1 + a)."""

    def backward(g, needs):
        return (g / (1 + a),)

    return np.log1p(a), backward


def sqrt(a):
    """Square root;  d/da = 1/(2·out)."""
    out = np.sqrt(a)

    def backward(g, needs):
        return (g / (2 * out),)

    return out, backward


def square(a):
    """``a²``;  d/da = 2a."""

    def backward(g, needs):
        return (g * (2 * a),)

    return np.square(a), backward


def abs(a):  # noqa: A001 - the NumPy/PyTorch name
    """``|a|``;  d/da = sign(a), 0 at a = 0 (as PyTorch)."""

    def backward(g, needs):
        return (g * np.sign(a),)

    return np.abs(a), backward


def sin(a):
    """Sine;  d/da = cos(a)."""

    def backward(g, needs):
        return (g * np.cos(a),)

    return np.sin(a), backward


def cos(a):
    """Cosine;  d/da = -sin(a)."""

    def backward(g, needs):
        return (-g * np.sin(a),)

    return np.cos(a), backward


def maximum(a, b):
    """Element-wise maximum; at ties the gradient is split evenly (as PyTorch)."""
    return _extremum(a, b, np.maximum(a, b))


def minimum(a, b):
    """Element-wise minimum; at ties the gradient is split evenly (as PyTorch)."""
    return _extremum(a, b, np.minimum(a, b))


def _extremum(a, b, out):
    def backward(g, needs):
        a_wins = (a == out).astype(g.dtype)
        b_wins = (b == out).astype(g.dtype)
        share = g / (a_wins + b_wins)  # 1/2 where both equal the result
        return (
            unbroadcast(share * a_wins, _shape(a)) if needs[0] else None,
            unbroadcast(share * b_wins, _shape(b)) if needs[1] else None,
        )

    return out, backward


def where(cond, a, b):
    """``a`` where ``cond`` else ``b``; the gradient flows to the chosen side only."""

    def backward(g, needs):
        zero = np.zeros((), g.dtype)
        return (
            unbroadcast(np.where(cond, g, zero), _shape(a)) if needs[0] else None,
            unbroadcast(np.where(cond, zero, g), _shape(b)) if needs[1] else None,
        )

    return np.where(cond, a, b), backward


def clip(a, lo, hi):
    """Clamp to ``[lo, hi]`` (either may be None); gradient 1 inside, boundaries included."""
    out = np.clip(a, lo, hi)

    def backward(g, needs):
        inside = np.ones(a.shape, dtype=bool)
        if lo is not None:
            inside &= a >= lo
        if hi is not None:
            inside &= a <= hi
        return (g * inside,)

    return out, backward


def cast(a, dtype):
    """``a`` converted to ``dtype``; the gradient is converted back to ``a``'s dtype."""

    def backward(g, needs):
        return (g.astype(a.dtype, copy=False),)

    return a.astype(dtype), backward
