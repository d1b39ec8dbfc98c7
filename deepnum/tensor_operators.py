"""Python's operators on tensors: arithmetic, matrix product, comparisons, indexing and
in-place updates, and the machinery that runs a two-input primitive on tensors or constants
with PyTorch's type promotion (``binary``).  The methods of ``_TensorOperators`` are copied
onto ``Tensor`` at the bottom of this module.
"""

from __future__ import annotations

import numpy as np

from . import autograd
from ._tensor import (
    Tensor,
    _new,
    _ref,
    _result,
    _wrap,
    apply,
    as_array,
    get_default_dtype,
)
from .autograd import Function, grad_mode
from .errors import DTypeError, GradientError, OutOfRangeError, ShapeError
from .ops import elementwise as ew
from .ops import linalg
from .ops import shape as shape_ops

_NEEDS_2 = {(a, b): (a, b) for a in (False, True) for b in (False, True)}


def _constant(x, like: np.ndarray):
    """An operand that is not a tensor, typed as PyTorch would treat it next to ``like``."""
    if isinstance(x, np.generic):
        x = x.item()  # NumPy scalars act like Python scalars (PyTorch's "wrapped numbers")
    if isinstance(x, bool | int):
        return x
    if isinstance(x, float):
        return x if like.dtype.kind == "f" else np.asarray(x, get_default_dtype())
    return as_array(x)


def _promote(a: np.ndarray, b: np.ndarray):
    """PyTorch's promotion between a float and an int/bool array: to the float's dtype; and
    a 0-d array does not widen an array with dimensions of its own category (float32 with a
    0-d float64 stays float32)."""
    ka, kb = a.dtype.kind, b.dtype.kind
    if ka == "f" and kb != "f":
        return a, b.astype(a.dtype)
    if kb == "f" and ka != "f":
        return a.astype(b.dtype), b
    same_category = (ka == "f") == (kb == "f") and (ka in "iu") == (kb in "iu")
    if same_category and (a.ndim == 0) != (b.ndim == 0):
        return (a.astype(b.dtype), b) if a.ndim == 0 else (a, b.astype(a.dtype))
    return a, b


class _SubScalar(ew.AddScalar):
    """``a - c`` computed as ``a + (-c)``."""

    __slots__ = ()

    def forward(self, a, c):
        return a + (-c)


# Primitives for a float tensor with a Python scalar, on the right (x op c) and on the left
# (c op x); each is called as forward(tensor_data, c).
_SCALAR_RIGHT = {ew.Add: ew.AddScalar, ew.Sub: _SubScalar, ew.Mul: ew.MulScalar,
                 ew.Div: ew.DivScalar}
_SCALAR_LEFT = {ew.Add: ew.AddScalar, ew.Sub: ew.RSubScalar, ew.Mul: ew.MulScalar,
                ew.Div: ew.RDivScalar}
_PY_SCALARS = (float, int)


def binary(cls: type[Function], x, y, name: str) -> Tensor:
    """Run the two-input primitive ``cls`` on tensors or constants ``x`` and ``y``."""
    if type(y) in _PY_SCALARS and isinstance(x, Tensor) and x.data.dtype.kind == "f":
        fast = _SCALAR_RIGHT.get(cls)
        if fast is not None:
            return apply(fast, x, y)
    elif type(x) in _PY_SCALARS and isinstance(y, Tensor) and y.data.dtype.kind == "f":
        fast = _SCALAR_LEFT.get(cls)
        if fast is not None:
            return apply(fast, y, x)
    xt = isinstance(x, Tensor)
    yt = isinstance(y, Tensor)
    if xt:
        xd = x.data
        yd = y.data if yt else _constant(y, xd)
    else:
        yd = y.data
        xd = _constant(x, yd)
    if type(xd) is np.ndarray and type(yd) is np.ndarray and xd.dtype is not yd.dtype:
        xd, yd = _promote(xd, yd)
    if cls is ew.Div and _is_integral(xd) and _is_integral(yd):
        # true division of integers gives the default float; both sides are cast, since
        # NumPy would promote float32 with int64 to float64
        xd, yd = np.asarray(xd, get_default_dtype()), np.asarray(yd, get_default_dtype())
    track = grad_mode.enabled
    nx = track and xt and x.requires_grad
    ny = track and yt and y.requires_grad
    fn = _new(cls)
    fn.needs = _NEEDS_2[nx, ny]
    try:
        out = fn.forward(xd, yd)
    except ValueError:
        raise ShapeError(
            f"{name}: shapes {np.shape(xd)} and {np.shape(yd)} cannot be broadcast together"
        ) from None
    if nx or ny:
        return _result(out, fn, (_ref(x) if nx else None, _ref(y) if ny else None))
    return _wrap(out)


def _is_integral(a) -> bool:
    return isinstance(a, int) or (isinstance(a, np.ndarray) and a.dtype.kind in "iub")


def _compare(ufunc, x, y) -> Tensor:
    xd = x.data
    yd = y.data if isinstance(y, Tensor) else _constant(y, xd)
    try:
        return _wrap(ufunc(xd, yd))
    except ValueError:
        raise ShapeError(
            f"{ufunc.__name__}: shapes {np.shape(xd)} and {np.shape(yd)} cannot be broadcast "
            "together"
        ) from None


def _index_array(index):
    """Replace tensors inside an index by their arrays."""
    if isinstance(index, Tensor):
        return index.data
    if isinstance(index, tuple):
        return tuple(i.data if isinstance(i, Tensor) else i for i in index)
    return index


def matmul(a, b) -> Tensor:
    """Matrix product with NumPy's rules (1-D operands, broadcast batch axes).

    >>> import deepnum as dn
    >>> dn.matmul(dn.ones(3, 4), dn.ones(5, 2))
    Traceback (most recent call last):
    ...
    deepnum.errors.ShapeError: matmul: (3, 4) @ (5, 2): inner dimensions 4 and 5 differ
    """
    a = a if isinstance(a, Tensor) else _wrap(as_array(a))
    b = b if isinstance(b, Tensor) else _wrap(as_array(b))
    sa, sb = a.data.shape, b.data.shape
    if not sa or not sb:
        raise ShapeError(
            f"matmul: both operands need at least one dimension, got shapes {sa} and {sb}"
        )
    ka = sa[-1]
    kb = sb[0] if len(sb) == 1 else sb[-2]
    if ka != kb:
        raise ShapeError(f"matmul: {sa} @ {sb}: inner dimensions {ka} and {kb} differ")
    return binary(linalg.MatMul, a, b, "matmul")


class _TensorOperators:
    """Operators of ``Tensor`` (copied onto it below)."""

    def __add__(self, other):
        return binary(ew.Add, self, other, "add")

    def __radd__(self, other):
        return binary(ew.Add, other, self, "add")

    def __sub__(self, other):
        return binary(ew.Sub, self, other, "sub")

    def __rsub__(self, other):
        return binary(ew.Sub, other, self, "sub")

    def __mul__(self, other):
        return binary(ew.Mul, self, other, "mul")

    def __rmul__(self, other):
        return binary(ew.Mul, other, self, "mul")

    def __truediv__(self, other):
        return binary(ew.Div, self, other, "div")

    def __rtruediv__(self, other):
        return binary(ew.Div, other, self, "div")

    def __pow__(self, other):
        return binary(ew.Pow, self, other, "pow")

    def __rpow__(self, other):
        return binary(ew.Pow, other, self, "pow")

    def __matmul__(self, other):
        return matmul(self, other)

    def __rmatmul__(self, other):
        return matmul(other, self)

    def __neg__(self):
        return apply(ew.Neg, self)

    def __pos__(self):
        return self

    def __abs__(self):
        return apply(ew.Abs, self)

    def __lt__(self, other):
        return _compare(np.less, self, other)

    def __le__(self, other):
        return _compare(np.less_equal, self, other)

    def __gt__(self, other):
        return _compare(np.greater, self, other)

    def __ge__(self, other):
        return _compare(np.greater_equal, self, other)

    def __eq__(self, other):
        return False if other is None else _compare(np.equal, self, other)

    def __ne__(self, other):
        return True if other is None else _compare(np.not_equal, self, other)

    def __and__(self, other):
        return _compare(np.logical_and, self, other)

    def __or__(self, other):
        return _compare(np.logical_or, self, other)

    def __invert__(self):
        return _wrap(~self.data)

    def __getitem__(self, index):
        index = _index_array(index)
        try:
            return apply(shape_ops.GetItem, self, index)
        except IndexError as e:
            raise OutOfRangeError(f"getitem: {e} (tensor of shape {self.shape})") from None

    def __setitem__(self, index, value) -> None:
        if grad_mode.enabled and (self.requires_grad or getattr(value, "requires_grad", False)):
            raise GradientError(
                "setitem: in-place assignment into a tensor that is part of a graph is not "
                "supported; assign under `with deepnum.no_grad():`, or build a new tensor "
                "(deepnum.where, deepnum.cat)"
            )
        try:
            self.data[_index_array(index)] = as_array(value) if isinstance(value, Tensor) else value
        except IndexError as e:
            raise OutOfRangeError(f"setitem: {e} (tensor of shape {self.shape})") from None
        except ValueError as e:
            raise ShapeError(f"setitem: {e} (tensor of shape {self.shape})") from None

    # In place: on tensors outside the graph (or under no_grad) the data is changed; a
    # non-leaf inside the graph becomes the result of a new operation on its old value (the
    # graph holds Functions, so earlier consumers keep the old one and their gradients stay
    # correct); a leaf that requires grad is refused, as in PyTorch.
    def _inplace(self, ufunc, other, name: str) -> Tensor:
        other_grad = getattr(other, "requires_grad", False)
        if grad_mode.enabled and (self.requires_grad or other_grad):
            if self.requires_grad and self._node is None:
                raise GradientError(
                    f"{name}: in-place operation on a leaf tensor that requires grad; wrap it in "
                    "`with deepnum.no_grad():` (as an optimizer does) or use x = x op y"
                )
            result = binary(_INPLACE_PRIMS[ufunc], self, other, name)
            self.data, self._node, self._seq = result.data, result._node, result._seq
            self.requires_grad = True
            return self
        value = other.data if isinstance(other, Tensor) else other
        try:
            ufunc(self.data, value, out=self.data, casting="same_kind")
        except ValueError as e:
            raise ShapeError(f"{name}: {e} (tensor of shape {self.shape})") from None
        except TypeError as e:  # e.g. a float result into an integer tensor
            raise DTypeError(f"{name}: {e} (tensor of dtype {self.dtype})") from None
        return self

    def __iadd__(self, other):
        return self._inplace(np.add, other, "add_")

    def __isub__(self, other):
        return self._inplace(np.subtract, other, "sub_")

    def __imul__(self, other):
        return self._inplace(np.multiply, other, "mul_")

    def __itruediv__(self, other):
        return self._inplace(np.true_divide, other, "div_")

    def add_(self, other, alpha=1):
        return self._inplace(np.add, other if alpha == 1 else other * alpha, "add_")

    def sub_(self, other, alpha=1):
        return self._inplace(np.subtract, other if alpha == 1 else other * alpha, "sub_")

    def mul_(self, other):
        return self._inplace(np.multiply, other, "mul_")

    def div_(self, other):
        return self._inplace(np.true_divide, other, "div_")

    def copy_(self, src) -> Tensor:
        """Copy ``src`` into this tensor's data (broadcasting), outside the graph."""
        with autograd.no_grad():
            self[...] = src
        return self

    def fill_(self, value) -> Tensor:
        return self.copy_(value)

    def zero_(self) -> Tensor:
        return self.copy_(0)



_INPLACE_PRIMS = {np.add: ew.Add, np.subtract: ew.Sub, np.multiply: ew.Mul, np.true_divide: ew.Div}

for _name, _method in vars(_TensorOperators).items():
    if callable(_method) and _name not in ("__dict__", "__weakref__", "__module__"):
        setattr(Tensor, _name, _method)
