"""Element-wise primitives, each a ``Function``: ``forward`` and ``backward`` side by side.

Binary ops broadcast like NumPy; ``unbroadcast`` sums each gradient back to its input's
shape.  ``forward`` keeps only what ``backward`` needs for the gradients in ``self.needs``
(``x * w`` with a constant ``w`` keeps ``w``, not ``x``).
"""

from __future__ import annotations

import numpy as np

from ..autograd import Function
from ._util import unbroadcast


def _shape(x) -> tuple[int, ...]:
    return x.shape if type(x) is np.ndarray else np.shape(x)


class Add(Function):
    """``a + b``;  d/da = 1, d/db = 1."""

    __slots__ = ("sa", "sb")

    def forward(self, a, b):
        self.sa, self.sb = _shape(a), _shape(b)
        return a + b

    def backward(self, g, needs):
        return (unbroadcast(g, self.sa) if needs[0] else None,
                unbroadcast(g, self.sb) if needs[1] else None)


class Sub(Function):
    """``a - b``;  d/da = 1, d/db = -1."""

    __slots__ = ("sa", "sb")

    def forward(self, a, b):
        self.sa, self.sb = _shape(a), _shape(b)
        return a - b

    def backward(self, g, needs):
        return (unbroadcast(g, self.sa) if needs[0] else None,
                unbroadcast(-g, self.sb) if needs[1] else None)


class Mul(Function):
    """``a * b``;  d/da = b, d/db = a."""

    __slots__ = ("a", "b", "sa", "sb")

    def forward(self, a, b):
        self.sa, self.sb = _shape(a), _shape(b)
        need_a, need_b = self.needs
        self.b = b if need_a else None
        self.a = a if need_b else None
        return a * b

    def backward(self, g, needs):
        return (unbroadcast(g * self.b, self.sa) if needs[0] else None,
                unbroadcast(g * self.a, self.sb) if needs[1] else None)


class Div(Function):
    """``a / b``;  d/da = 1/b, d/db = -a/b² = -out/b."""

    __slots__ = ("b", "out", "sa")

    def forward(self, a, b):
        self.sa = _shape(a)
        self.b = b
        out = a / b
        self.out = out if self.needs[1] else None
        return out

    def backward(self, g, needs):
        gb = g / self.b
        return (unbroadcast(gb, self.sa) if needs[0] else None,
                unbroadcast(-gb * self.out, _shape(self.b)) if needs[1] else None)


class Pow(Function):
    """``a ** b``;  d/da = b·a^(b-1) (0 where b = 0), d/db = out·log(a) (0 where a = 0 and
    b >= 0), as PyTorch."""

    __slots__ = ("a", "b", "out")

    def forward(self, a, b):
        self.a, self.b = a, b
        self.out = a**b
        return self.out

    def backward(self, g, needs):
        a, b, out = self.a, self.b, self.out
        ga = gb = None
        if needs[0]:
            with np.errstate(divide="ignore", invalid="ignore"):
                d = b * a ** (b - 1)
            if np.any(b == 0):  # exponent 0: gradient 0, even at a = 0
                d = np.where(b == 0, 0, d)
            ga = unbroadcast(g * d, _shape(a))
        if needs[1]:
            with np.errstate(divide="ignore", invalid="ignore"):
                d = out * np.log(a)
            d = np.where((a == 0) & (b >= 0), 0, d)
            gb = unbroadcast(g * d, _shape(b))
        return ga, gb


# ----- a tensor with a Python scalar ----------------------------------------------------------
# Called as forward(tensor_data, c).  They keep the scalar (or the output), never the input.


class AddScalar(Function):
    """``a + c`` (``a - c`` is ``a + (-c)``, which IEEE arithmetic makes identical)."""

    __slots__ = ()

    def forward(self, a, c):
        return a + c

    def backward(self, g, needs):
        return (g,)


class RSubScalar(Function):
    """``c - a``;  d/da = -1."""

    __slots__ = ()

    def forward(self, a, c):
        return c - a

    def backward(self, g, needs):
        return (-g,)


class MulScalar(Function):
    """``a * c``;  d/da = c."""

    __slots__ = ("c",)

    def forward(self, a, c):
        self.c = c
        return a * c

    def backward(self, g, needs):
        return (g * self.c,)


class DivScalar(Function):
    """``a / c``;  d/da = 1/c."""

    __slots__ = ("c",)

    def forward(self, a, c):
        self.c = c
        return a / c

    def backward(self, g, needs):
        return (g / self.c,)


class RDivScalar(Function):
    """``c / a``;  d/da = -c/a² = -out/a."""

    __slots__ = ("a", "out")

    def forward(self, a, c):
        self.a = a
        self.out = c / a
        return self.out

    def backward(self, g, needs):
        return (-g * self.out / self.a,)


# ----- one input --------------------------------------------------------------------------------


class Neg(Function):
    """``-a``."""

    __slots__ = ()

    def forward(self, a):
        return -a

    def backward(self, g, needs):
        return (-g,)


class Exp(Function):
    """``e^a``;  d/da = out."""

    __slots__ = ("out",)

    def forward(self, a):
        self.out = np.exp(a)
        return self.out

    def backward(self, g, needs):
        return (g * self.out,)


class Log(Function):
    """Natural logarithm;  d/da = 1/a."""

    __slots__ = ("a",)

    def forward(self, a):
        self.a = a
        return np.log(a)

    def backward(self, g, needs):
        return (g / self.a,)


class Log1p(Function):
    """``log(1 + a)``, accurate for small a;  d/da = 1/(1 + a)."""

    __slots__ = ("a",)

    def forward(self, a):
        self.a = a
        return np.log1p(a)

    def backward(self, g, needs):
        return (g / (1 + self.a),)


class Sqrt(Function):
    """Square root;  d/da = 1/(2·out)."""

    __slots__ = ("out",)

    def forward(self, a):
        self.out = np.sqrt(a)
        return self.out

    def backward(self, g, needs):
        return (g / (2 * self.out),)


class Square(Function):
    """``a²``;  d/da = 2a."""

    __slots__ = ("a",)

    def forward(self, a):
        self.a = a
        return np.square(a)

    def backward(self, g, needs):
        return (g * (2 * self.a),)


class Abs(Function):
    """``|a|``;  d/da = sign(a), 0 at a = 0 (as PyTorch)."""

    __slots__ = ("a",)

    def forward(self, a):
        self.a = a
        return np.abs(a)

    def backward(self, g, needs):
        return (g * np.sign(self.a),)


class Sin(Function):
    """Sine;  d/da = cos(a)."""

    __slots__ = ("a",)

    def forward(self, a):
        self.a = a
        return np.sin(a)

    def backward(self, g, needs):
        return (g * np.cos(self.a),)


class Cos(Function):
    """Cosine;  d/da = -sin(a)."""

    __slots__ = ("a",)

    def forward(self, a):
        self.a = a
        return np.cos(a)

    def backward(self, g, needs):
        return (-g * np.sin(self.a),)


class Maximum(Function):
    """Element-wise maximum; at ties the gradient is split evenly (as PyTorch)."""

    __slots__ = ("a", "b", "out")
    _ufunc = staticmethod(np.maximum)

    def forward(self, a, b):
        self.a, self.b = a, b
        self.out = self._ufunc(a, b)
        return self.out

    def backward(self, g, needs):
        a_wins = (self.a == self.out).astype(g.dtype)
        b_wins = (self.b == self.out).astype(g.dtype)
        share = g / (a_wins + b_wins)  # 1/2 where both equal the result
        return (unbroadcast(share * a_wins, _shape(self.a)) if needs[0] else None,
                unbroadcast(share * b_wins, _shape(self.b)) if needs[1] else None)


class Minimum(Maximum):
    """Element-wise minimum; at ties the gradient is split evenly (as PyTorch)."""

    __slots__ = ()
    _ufunc = staticmethod(np.minimum)


class Where(Function):
    """``a`` where ``cond`` else ``b`` (``cond`` a constant); the gradient flows to the chosen
    side only, so an inf or NaN in the other side never reaches it."""

    __slots__ = ("cond", "sa", "sb")

    def forward(self, a, b, cond):
        self.cond, self.sa, self.sb = cond, _shape(a), _shape(b)
        return np.where(cond, a, b)

    def backward(self, g, needs):
        zero = np.zeros((), g.dtype)
        return (unbroadcast(np.where(self.cond, g, zero), self.sa) if needs[0] else None,
                unbroadcast(np.where(self.cond, zero, g), self.sb) if needs[1] else None)


class Clip(Function):
    """Clamp to ``[lo, hi]`` (either may be None); gradient 1 inside, boundaries included."""

    __slots__ = ("inside",)

    def forward(self, a, lo, hi):
        inside = np.ones(a.shape, dtype=bool)
        if lo is not None:
            inside &= a >= lo
        if hi is not None:
            inside &= a <= hi
        self.inside = inside
        return np.clip(a, lo, hi)

    def backward(self, g, needs):
        return (g * self.inside,)


class Cast(Function):
    """``a`` converted to ``dtype``; the gradient is converted back to ``a``'s dtype."""

    __slots__ = ("dtype",)

    def forward(self, a, dtype):
        self.dtype = a.dtype
        return a.astype(dtype)

    def backward(self, g, needs):
        return (g.astype(self.dtype, copy=False),)
