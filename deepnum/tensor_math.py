"""Differentiable maths on tensors: element-wise functions, activations and reductions.

Each function is also a ``Tensor`` method (``dn.exp(x)`` is ``x.exp()``).  Axis arguments
take PyTorch's ``dim``/``keepdim`` or NumPy's ``axis``/``keepdims``.
"""

from __future__ import annotations

import builtins
from collections import namedtuple

import numpy as np

from ._tensor import Tensor, _wrap, apply, apply_n, as_array, get_default_dtype
from .errors import ShapeError
from .ops import activation as act
from .ops import elementwise as ew
from .ops import reduce as red
from .ops._util import normalize_axis
from .ops.shape import Reshape
from .tensor_operators import binary, matmul

ValuesIndices = namedtuple("ValuesIndices", ["values", "indices"])
ValuesIndices.__doc__ = "The result of ``max``/``min`` along a dim: values and their indices."


def _tensor(x) -> Tensor:
    return x if isinstance(x, Tensor) else _wrap(as_array(x))


# ----- element-wise -------------------------------------------------------------------------
def add(a, b) -> Tensor:
    return binary(ew.Add, a, b, "add")


def sub(a, b) -> Tensor:
    return binary(ew.Sub, a, b, "sub")


def mul(a, b) -> Tensor:
    return binary(ew.Mul, a, b, "mul")


def div(a, b) -> Tensor:
    return binary(ew.Div, a, b, "div")


def pow(a, b) -> Tensor:  # noqa: A001 - PyTorch's name
    return binary(ew.Pow, a, b, "pow")


def exp(x) -> Tensor:
    """``e^x``."""
    return apply(ew.Exp, _tensor(x))


def log(x) -> Tensor:
    """Natural logarithm."""
    return apply(ew.Log, _tensor(x))


def log1p(x) -> Tensor:
    """``log(1 + x)``, accurate near 0."""
    return apply(ew.Log1p, _tensor(x))


def sqrt(x) -> Tensor:
    return apply(ew.Sqrt, _tensor(x))


def square(x) -> Tensor:
    return apply(ew.Square, _tensor(x))


def abs(x) -> Tensor:  # noqa: A001 - PyTorch's name
    return apply(ew.Abs, _tensor(x))


def sin(x) -> Tensor:
    return apply(ew.Sin, _tensor(x))


def cos(x) -> Tensor:
    return apply(ew.Cos, _tensor(x))


def maximum(a, b) -> Tensor:
    """Element-wise maximum (ties share the gradient)."""
    return binary(ew.Maximum, a, b, "maximum")


def minimum(a, b) -> Tensor:
    """Element-wise minimum (ties share the gradient)."""
    return binary(ew.Minimum, a, b, "minimum")


def where(condition, a, b) -> Tensor:
    """``a`` where ``condition`` is true, else ``b`` (all three broadcast; a Python number on
    either side takes the other side's dtype, as PyTorch)."""
    cond = as_array(condition).astype(bool, copy=False)
    if not isinstance(a, Tensor) and isinstance(b, Tensor) and np.ndim(a) == 0:
        a = np.asarray(a, b.dtype if b.dtype.kind == "f" else None)
    if not isinstance(b, Tensor) and isinstance(a, Tensor) and np.ndim(b) == 0:
        b = np.asarray(b, a.dtype if a.dtype.kind == "f" else None)
    a, b = _tensor(a), _tensor(b)
    if a.dtype != b.dtype:  # as PyTorch: a float side wins over an integer side
        fa, fb = a.dtype.kind == "f", b.dtype.kind == "f"
        dtype = a.dtype if fa and not fb else b.dtype if fb and not fa else np.result_type(
            a.data, b.data)
        a, b = a.astype(dtype), b.astype(dtype)
    try:
        np.broadcast_shapes(cond.shape, a.shape, b.shape)
    except ValueError:
        raise ShapeError(
            f"where: condition {cond.shape}, a {a.shape} and b {b.shape} cannot be broadcast "
            "together"
        ) from None
    return apply_n(ew.Where, (a, b), cond)


def clip(x, min=None, max=None) -> Tensor:  # noqa: A002 - PyTorch's names
    """Clamp to ``[min, max]``; the gradient is 1 inside (boundaries included), 0 outside."""
    t = _tensor(x)
    if t.dtype.kind != "f" and (isinstance(min, float) or isinstance(max, float)):
        t = t.astype(get_default_dtype())  # as PyTorch: float bounds make a float result
    return apply(ew.Clip, t, min, max)


clamp = clip


def sign(x) -> Tensor:
    """-1, 0 or 1 (not differentiable: a tensor outside the graph)."""
    return _wrap(np.sign(_tensor(x).data))


# ----- activations --------------------------------------------------------------------------
def relu(x) -> Tensor:
    """``max(x, 0)``."""
    return apply(act.ReLU, _tensor(x))


def leaky_relu(x, negative_slope: float = 0.01) -> Tensor:
    """``x`` for x > 0, ``negative_slope·x`` otherwise."""
    return apply(act.LeakyReLU, _tensor(x), negative_slope)


def elu(x, alpha: float = 1.0) -> Tensor:
    """``x`` for x > 0, ``alpha·(e^x - 1)`` otherwise."""
    return apply(act.ELU, _tensor(x), alpha)


def selu(x) -> Tensor:
    """``λ·elu(x, α)`` with λ ≈ 1.0507, α ≈ 1.6733 (self-normalising)."""
    return apply(act.ELU, _tensor(x), act.SELU_ALPHA, act.SELU_SCALE)


def gelu(x, approximate: str = "none") -> Tensor:
    """``x·Φ(x)`` (``approximate="tanh"`` for the tanh formula)."""
    if approximate not in ("none", "tanh"):
        raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
    return apply(act.GELU, _tensor(x), approximate)


def softplus(x, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """``log(1 + e^(beta·x))/beta``."""
    return apply(act.Softplus, _tensor(x), beta, threshold)


def sigmoid(x) -> Tensor:
    """``1/(1 + e^-x)``."""
    return apply(act.Sigmoid, _tensor(x))


def tanh(x) -> Tensor:
    return apply(act.Tanh, _tensor(x))


def _one_axis(t: Tensor, dim, axis, default=-1) -> int:
    a = dim if dim is not None else axis if axis is not None else default
    return normalize_axis(a, t.ndim)[0] if t.ndim else 0


def softmax(x, dim: int | None = None, *, axis: int | None = None) -> Tensor:
    """``e^x / Σ e^x`` along ``dim`` (default: the last); sums to 1 along it."""
    t = _tensor(x)
    return apply(act.Softmax, t, _one_axis(t, dim, axis))


def log_softmax(x, dim: int | None = None, *, axis: int | None = None) -> Tensor:
    """``x - logsumexp(x)`` along ``dim`` (default: the last), computed stably."""
    t = _tensor(x)
    return apply(act.LogSoftmax, t, _one_axis(t, dim, axis))


# ----- reductions ---------------------------------------------------------------------------
def _reduce_args(t: Tensor, dim, axis, keepdim, keepdims):
    if dim is not None and axis is not None:
        raise TypeError("pass either dim or axis, not both")
    axes = normalize_axis(dim if dim is not None else axis, t.ndim)
    return axes, bool(keepdim or keepdims)


def sum(x, dim=None, keepdim=False, *, axis=None, keepdims=False, dtype=None) -> Tensor:  # noqa: A001
    """Sum over ``dim`` (all axes by default)."""
    t = _tensor(x)
    if dtype is not None:
        t = t.astype(dtype)
    elif t.dtype.kind in "biu":
        t = t.astype(np.int64)  # as PyTorch: integer sums do not overflow small types
    return apply(red.Sum, t, *_reduce_args(t, dim, axis, keepdim, keepdims))


def mean(x, dim=None, keepdim=False, *, axis=None, keepdims=False) -> Tensor:
    """Mean over ``dim`` (all axes by default)."""
    t = _tensor(x)
    if t.dtype.kind != "f":
        raise TypeError(f"mean: expected a floating-point tensor, got {t.dtype}")
    return apply(red.Mean, t, *_reduce_args(t, dim, axis, keepdim, keepdims))


def _correction(unbiased, correction, ddof) -> float:
    given = [v is not None for v in (unbiased, correction, ddof)]
    if builtins.sum(given) > 1:
        raise TypeError("pass only one of unbiased, correction and ddof")
    if unbiased is not None:
        return 1.0 if unbiased else 0.0
    if ddof is not None:
        return float(ddof)
    return 1.0 if correction is None else float(correction)



def var(x, dim=None, unbiased=None, keepdim=False, *, correction=None, axis=None,
        keepdims=False, ddof=None) -> Tensor:
    """Variance ``Σ(x - mean)²/(n - correction)``; ``correction=1`` by default (PyTorch's
    unbiased estimate; NumPy's ``ddof=0`` is ``correction=0``)."""
    t = _tensor(x)
    axes, keep = _reduce_args(t, dim, axis, keepdim, keepdims)
    return apply(red.Var, t, axes, _correction(unbiased, correction, ddof), keep)


def std(x, dim=None, unbiased=None, keepdim=False, *, correction=None, axis=None,
        keepdims=False, ddof=None) -> Tensor:
    """Standard deviation: ``sqrt(var(...))`` with the same arguments."""
    return sqrt(var(x, dim, unbiased, keepdim, correction=correction, axis=axis,
                    keepdims=keepdims, ddof=ddof))


def _extreme(x, dim, keepdim, axis, keepdims, largest: bool):
    t = _tensor(x)
    name = "max" if largest else "min"
    if isinstance(dim, Tensor | np.ndarray | float) or (dim is not None and not isinstance(
            dim, int | np.integer | tuple | list)):
        return (maximum if largest else minimum)(t, dim)  # max(a, b): element-wise
    if t.size == 0:
        raise ShapeError(f"{name}: reduction over an empty tensor of shape {t.shape}")
    d = dim if dim is not None else axis
    keep = bool(keepdim or keepdims)
    if d is None:
        return apply(red.Extreme, t, tuple(range(t.ndim)), keep, largest)
    if isinstance(d, tuple | list):
        raise TypeError(f"{name}: dim must be one int, got {d!r}; use amax/amin for several")
    ax = normalize_axis(d, t.ndim)[0] if t.ndim else 0
    indices = np.expand_dims((t.data.argmax if largest else t.data.argmin)(axis=ax), ax)
    values = apply(red.TakeAlong, t, indices, ax)  # the gradient goes to the first extreme
    if not keep:
        values, indices = apply(Reshape, values, indices.shape[:ax] + indices.shape[ax + 1:]), \
            indices.squeeze(ax)
    return ValuesIndices(values, _wrap(indices))


def max(x, dim=None, keepdim=False, *, axis=None, keepdims=False):  # noqa: A001
    """Largest element; with ``dim``, ``(values, indices)`` along it (PyTorch); with a tensor
    as second argument, the element-wise maximum."""
    return _extreme(x, dim, keepdim, axis, keepdims, True)


def min(x, dim=None, keepdim=False, *, axis=None, keepdims=False):  # noqa: A001
    """Smallest element; with ``dim``, ``(values, indices)``; with a tensor, element-wise."""
    return _extreme(x, dim, keepdim, axis, keepdims, False)


def amax(x, dim=None, keepdim=False, *, axis=None, keepdims=False) -> Tensor:
    """Largest values over ``dim`` (one axis or several); ties share the gradient."""
    t = _tensor(x)
    return apply(red.Extreme, t, *_reduce_args(t, dim, axis, keepdim, keepdims), True)


def amin(x, dim=None, keepdim=False, *, axis=None, keepdims=False) -> Tensor:
    """Smallest values over ``dim``; ties share the gradient."""
    t = _tensor(x)
    return apply(red.Extreme, t, *_reduce_args(t, dim, axis, keepdim, keepdims), False)


def logsumexp(x, dim=None, keepdim=False, *, axis=None, keepdims=False) -> Tensor:
    """``log Σ e^x`` over ``dim``, without overflow."""
    t = _tensor(x)
    return apply(red.LogSumExp, t, *_reduce_args(t, dim, axis, keepdim, keepdims))


def _arg(x, dim, keepdim, axis, keepdims, fn) -> Tensor:
    t = _tensor(x)
    d = dim if dim is not None else axis
    if d is None:
        return _wrap(np.asarray(fn(t.data.reshape(-1))))
    return _wrap(fn(t.data, axis=d, keepdims=bool(keepdim or keepdims)))


def argmax(x, dim=None, keepdim=False, *, axis=None, keepdims=False) -> Tensor:
    """Index of the largest element (of the flattened tensor without ``dim``)."""
    return _arg(x, dim, keepdim, axis, keepdims, np.argmax)


def argmin(x, dim=None, keepdim=False, *, axis=None, keepdims=False) -> Tensor:
    """Index of the smallest element (of the flattened tensor without ``dim``)."""
    return _arg(x, dim, keepdim, axis, keepdims, np.argmin)


def all(x, dim=None, keepdim=False) -> Tensor:  # noqa: A001
    return _wrap(np.all(_tensor(x).data, axis=dim, keepdims=keepdim))


def any(x, dim=None, keepdim=False) -> Tensor:  # noqa: A001
    return _wrap(np.any(_tensor(x).data, axis=dim, keepdims=keepdim))


def isnan(x) -> Tensor:
    return _wrap(np.isnan(_tensor(x).data))


def isfinite(x) -> Tensor:
    return _wrap(np.isfinite(_tensor(x).data))


def norm(x, p=2, dim=None, keepdim=False) -> Tensor:
    """The p-norm ``(Σ|x|^p)^(1/p)`` over ``dim`` (all elements by default)."""
    t = _tensor(x)
    if p == 2:
        return sqrt(sum(t * t, dim, keepdim))
    if p == 1:
        return sum(abs(t), dim, keepdim)
    return sum(abs(t) ** p, dim, keepdim) ** (1.0 / p)


def dot(a, b) -> Tensor:
    """Inner product of vectors; for matrices and batches the same as ``matmul``."""
    return matmul(a, b)


mm = dot

_METHODS = [
    "exp", "log", "log1p", "sqrt", "square", "abs", "sin", "cos", "maximum", "minimum",
    "clip", "clamp", "sign", "relu", "sigmoid", "tanh", "softmax", "log_softmax", "sum", "mean",
    "var", "std", "max", "min", "amax", "amin", "logsumexp", "argmax", "argmin", "all", "any",
    "norm", "dot", "mm", "add", "sub", "mul", "div", "pow", "isnan", "isfinite",
]
for _name in _METHODS:
    setattr(Tensor, _name, globals()[_name])
Tensor.matmul = matmul
