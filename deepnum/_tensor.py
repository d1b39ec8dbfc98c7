"""The Tensor: a NumPy array that remembers how it was computed.

``Tensor.data`` is the NumPy array; ``Tensor.grad`` is a NumPy array of the same shape (or
None) that ``backward()`` fills.  An operation on tensors that require grad records its
inputs and a backward closure on the result (see ``deepnum.autograd``).  This module holds
the class, the machinery that wraps a primitive of ``deepnum.ops`` into a differentiable
operation (``apply``), and Python's operators; the named functions (``exp``, ``sum``,
``reshape``...) live in ``tensor_math`` and ``tensor_shape`` and are bound as methods there.
"""

from __future__ import annotations

import itertools
import weakref
from typing import Any

import numpy as np

from . import autograd
from .autograd import Function, backprop, grad_mode
from .errors import DTypeError, GradientError, OutOfRangeError, ShapeError
from .ops import elementwise as ew
from .ops import linalg
from .ops import shape as shape_ops

_counter = itertools.count()
_new = object.__new__
_default_float = np.dtype(np.float32)


def get_default_dtype() -> np.dtype:
    """The dtype of tensors made from Python floats (float32 unless changed)."""
    return _default_float


def set_default_dtype(dtype) -> None:
    """Set the dtype of tensors made from Python floats (float32 or float64, as PyTorch)."""
    global _default_float
    d = np.dtype(dtype)
    if d.kind != "f":
        raise DTypeError(f"set_default_dtype: expected a floating-point dtype, got {d}")
    _default_float = d


def as_array(data: Any, dtype=None, copy: bool = False) -> np.ndarray:
    """Convert ``data`` to an array with PyTorch's rules.

    Python floats (and lists of them) become the default float dtype (float32); NumPy arrays
    keep their dtype; Python ints become int64 and bools bool.  Tensors give their data.
    """
    if isinstance(data, Tensor):
        data = data.data
    if isinstance(data, np.ndarray | np.generic):
        arr = np.array(data, dtype=dtype, copy=copy or None)
    else:
        if isinstance(data, list | tuple) and any(isinstance(x, Tensor) for x in data):
            data = [as_array(x) for x in data]
        arr = np.asarray(data, dtype=dtype)
        if dtype is None and arr.dtype.kind == "f" and arr.dtype != _default_float:
            arr = arr.astype(_default_float)
    if arr.dtype.kind not in "fiub":
        raise DTypeError(
            f"tensor: unsupported data of dtype {arr.dtype} (from {type(data).__name__}); "
            "expected numbers (float, int, uint8 or bool)"
        )
    if arr.dtype.byteorder == ">":  # big-endian data (IDX files): to native order
        arr = arr.astype(arr.dtype.newbyteorder("="))
    return arr


class _Size(int):
    """The element count, which can also be called like PyTorch's ``Tensor.size(dim=None)``."""

    def __new__(cls, shape: tuple[int, ...]):
        self = super().__new__(cls, int(np.prod(shape, dtype=np.int64)))
        self._shape = shape
        return self

    def __call__(self, dim: int | None = None):
        return self._shape if dim is None else self._shape[dim]


def _float_mode(a: np.ndarray) -> str:
    """PyTorch prints floats with 4 decimals ("1.5000"), except when every finite value is a
    whole number below 1e8 within a ratio of 1000 ("1., 2.")."""
    if a.dtype.kind != "f":
        return "maxprec"
    finite = np.abs(a[np.isfinite(a)])
    nonzero = finite[finite != 0]
    if (finite != np.round(finite)).any() or (nonzero.size and (
            nonzero.max() >= 1e8 or nonzero.max() > 1000 * nonzero.min())):
        return "fixed"
    return "maxprec"


class Tensor:
    """An n-dimensional array with automatic differentiation.

    >>> import deepnum as dn
    >>> x = dn.tensor([[1., 2.], [3., 4.]], requires_grad=True)
    >>> y = (x * x).sum()
    >>> y.backward()
    >>> x.grad.tolist()
    [[2.0, 4.0], [6.0, 8.0]]
    """

    __slots__ = ("data", "grad", "requires_grad", "_node", "_seq", "__weakref__")
    __array_ufunc__ = None  # NumPy defers to our reflected operators: ndarray * Tensor works

    def __init__(self, data: Any, dtype=None, requires_grad: bool = False):
        self.data = as_array(data, dtype, copy=True)
        self.grad = None
        self.requires_grad = False
        self._node = None
        self._seq = next(_counter)
        if requires_grad:
            self.requires_grad_(True)

    # ----- basic properties -------------------------------------------------------------
    @property
    def shape(self) -> tuple[int, ...]:
        return self.data.shape

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def dtype(self) -> np.dtype:
        return self.data.dtype

    @property
    def size(self) -> _Size:
        """Number of elements (NumPy); ``t.size()`` / ``t.size(dim)`` give the shape (PyTorch)."""
        return _Size(self.data.shape)

    @property
    def device(self) -> str:
        return "cpu"

    @property
    def is_leaf(self) -> bool:
        return self._node is None

    @property
    def grad_fn(self):
        """The ``Function`` of the operation that made this tensor (None for leaves)."""
        return self._node

    @property
    def T(self) -> Tensor:  # noqa: N802 - NumPy's name
        return permute(self, tuple(range(self.ndim - 1, -1, -1)))

    def dim(self) -> int:
        return self.data.ndim

    def numel(self) -> int:
        return self.data.size

    def __len__(self) -> int:
        if self.data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return len(self.data)

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    __hash__ = object.__hash__  # == is element-wise, so hashing is by identity (as PyTorch)

    # ----- conversion -------------------------------------------------------------------
    def numpy(self) -> np.ndarray:
        """The data as a NumPy array (shared memory).  Gradients do not flow through NumPy."""
        if self.requires_grad and grad_mode.enabled:
            _note_numpy_conversion(self)
        return self.data

    def __array__(self, dtype=None, copy=None):
        if self.requires_grad and grad_mode.enabled:
            _note_numpy_conversion(self)
        return self.data if dtype is None else self.data.astype(dtype)

    def item(self) -> float | int | bool:
        if self.data.size != 1:
            raise ShapeError(f"item: only a one-element tensor has an item, got shape {self.shape}")
        return self.data.item()

    def tolist(self):
        return self.data.tolist()

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __index__(self) -> int:
        if self.data.dtype.kind not in "iu":
            raise TypeError(f"only integer tensors can be used as an index, got {self.dtype}")
        return int(self.item())

    def __bool__(self) -> bool:
        if self.data.size != 1:
            raise ValueError(
                f"the truth value of a tensor of shape {self.shape} is ambiguous; "
                "use .any() or .all()"
            )
        return bool(self.data)

    def __repr__(self) -> str:
        body = np.array2string(self.data, separator=", ", prefix="tensor(", precision=4,
                               floatmode=_float_mode(self.data))
        extras = [f"size={self.shape}"] if self.data.size == 0 and self.ndim != 1 else []
        if self.data.dtype not in (_default_float, np.dtype(np.int64), np.dtype(bool)):
            extras.append(f"dtype={self.data.dtype}")
        if self._node is not None:
            extras.append(f"grad_fn=<{self._node.name}>")
        elif self.requires_grad:
            extras.append("requires_grad=True")
        return "tensor(" + body + "".join(", " + e for e in extras) + ")"

    def __format__(self, spec: str) -> str:
        return format(self.item(), spec) if spec and self.data.size == 1 else repr(self)

    # ----- autodiff ---------------------------------------------------------------------
    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        """Mark a leaf as needing gradients (only floating-point tensors can)."""
        if requires_grad and self.data.dtype.kind != "f":
            raise DTypeError(
                f"only floating-point tensors can require gradients, got dtype {self.data.dtype}"
            )
        if not requires_grad and self._node is not None:
            raise GradientError(
                "requires_grad_(False) on a tensor computed from others; use .detach() instead"
            )
        self.requires_grad = bool(requires_grad)
        return self

    def retain_grad(self) -> Tensor:
        """Also store ``.grad`` for this non-leaf tensor during ``backward``."""
        if not self.requires_grad:
            raise GradientError("retain_grad on a tensor that does not require grad")
        if self._node is not None:
            self._node.retained = weakref.ref(self)
        return self

    def detach(self) -> Tensor:
        """The same data (shared memory), cut from the graph."""
        return _wrap(self.data)

    def clone(self) -> Tensor:
        """A copy of the data that stays in the graph (the gradient passes through)."""
        if self.requires_grad:
            return apply(ew.Cast, self, self.data.dtype)
        return _wrap(self.data.copy())

    def zero_grad(self) -> None:
        self.grad = None

    def backward(self, grad=None, retain_graph: bool = False, create_graph: bool = False) -> None:
        """Accumulate the gradient of this tensor into ``.grad`` of every leaf it depends on.

        grad: the gradient of some scalar with respect to this tensor; may be omitted only
            when this tensor has one element (it is then 1).
        retain_graph: keep the graph so ``backward`` can go through it again.
        """
        if create_graph:
            raise GradientError(
                "backward(create_graph=True): higher-order gradients are not supported; the "
                "backward closures compute with NumPy and are not themselves recorded"
            )
        if not self.requires_grad:
            raise GradientError(
                "backward on a tensor that does not require grad and has no graph: mark the "
                "inputs with requires_grad=True (and compute outside no_grad)"
            )
        if grad is None:
            if self.data.size != 1:
                raise GradientError(
                    f"backward: grad can be omitted only for a one-element output; this "
                    f"output has shape {self.shape}: pass grad= of that shape, or reduce it "
                    "first (e.g. .sum())"
                )
            g = np.ones(self.data.shape, self.data.dtype)
        else:
            g = as_array(grad, self.data.dtype, copy=True)
            if g.shape != self.data.shape:
                raise ShapeError(
                    f"backward: grad has shape {g.shape} but the output has shape {self.shape}"
                )
        backprop([self], [g], retain_graph=retain_graph)

    # ----- dtype conversion -------------------------------------------------------------
    def to(self, *args, **kwargs) -> Tensor:
        """Convert the dtype (``to(dn.float64)``); devices other than "cpu" are refused."""
        dtype = kwargs.pop("dtype", None)
        for a in (*args, kwargs.pop("device", None)):
            if a is None:
                continue
            if isinstance(a, str) and a.split(":")[0] == "cpu":
                continue
            if isinstance(a, str):
                raise ValueError(f"to: deepnum runs on the CPU only, got device {a!r}")
            dtype = a.dtype if isinstance(a, Tensor) else a
        if kwargs:
            raise TypeError(f"to: unexpected arguments {sorted(kwargs)}")
        return self if dtype is None else self.astype(dtype)

    def astype(self, dtype) -> Tensor:
        dtype = np.dtype(dtype)
        if dtype == self.data.dtype:
            return self
        if self.requires_grad and dtype.kind != "f":
            return _wrap(self.data.astype(dtype))
        return apply(ew.Cast, self, dtype)

    def cpu(self) -> Tensor:
        return self

    def float(self) -> Tensor:
        return self.astype(np.float32)

    def double(self) -> Tensor:
        return self.astype(np.float64)

    def half(self) -> Tensor:
        return self.astype(np.float16)

    def long(self) -> Tensor:
        return self.astype(np.int64)

    def int(self) -> Tensor:
        return self.astype(np.int32)

    def bool(self) -> Tensor:
        return self.astype(bool)

    # ----- operators --------------------------------------------------------------------
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


# ----- wrapping primitives ------------------------------------------------------------------
def _wrap(data) -> Tensor:
    """A tensor outside the graph around ``data`` (no copy)."""
    t = _new(Tensor)
    t.data = data if type(data) is np.ndarray else np.asarray(data)
    t.grad = None
    t.requires_grad = False
    t._node = None
    t._seq = next(_counter)
    return t


def _ref(t: Tensor):
    """What the graph keeps of an input that requires grad: its Function, or the leaf."""
    node = t._node
    return t if node is None else node


def _result(data, fn: Function, parents: tuple) -> Tensor:
    """A tensor in the graph, made by the Function ``fn`` from ``parents``."""
    t = _new(Tensor)
    t.data = data if type(data) is np.ndarray else np.asarray(data)
    t.grad = None
    t.requires_grad = True
    seq = next(_counter)
    fn.parents = parents
    fn.shape = t.data.shape
    fn._seq = seq
    fn.retained = None
    t._node = fn
    t._seq = seq
    return t


class _Closure(Function):
    """Adapter for a primitive written as a function returning ``(out, backward)``."""

    __slots__ = ("prim", "closure")

    def forward(self, *args):
        out, self.closure = self.prim(*args)
        return out

    def backward(self, g, needs):
        return self.closure(g, needs)

    @property
    def name(self) -> str:
        return self.prim.__name__


def _new_fn(cls) -> Function:
    if type(cls) is type:
        return _new(cls)
    fn = _new(_Closure)
    fn.prim = cls
    return fn


_NEEDS = {1: (True,), 0: (False,)}
_NEEDS_2 = {(a, b): (a, b) for a in (False, True) for b in (False, True)}


def apply(cls: type[Function], t: Tensor, *args) -> Tensor:
    """Run the one-input primitive ``cls`` on ``t`` (extra ``args`` are constants)."""
    fn = _new_fn(cls)
    if t.requires_grad and grad_mode.enabled:
        fn.needs = _NEEDS[1]
        return _result(fn.forward(t.data, *args), fn, (_ref(t),))
    fn.needs = _NEEDS[0]
    return _wrap(fn.forward(t.data, *args))


def _apply_tensors(cls: type[Function], tensors: tuple, arrays, args) -> Tensor:
    needs = tuple(t is not None and t.requires_grad for t in tensors)
    track = grad_mode.enabled and any(needs)
    fn = _new_fn(cls)
    fn.needs = needs if track else (False,) * len(needs)
    out = fn.forward(arrays, *args) if isinstance(arrays, list) else fn.forward(*arrays, *args)
    if not track:
        return _wrap(out)
    parents = tuple(_ref(t) if n else None for t, n in zip(tensors, needs, strict=True))
    return _result(out, fn, parents)


def apply_many(cls: type[Function], tensors: tuple, *args) -> Tensor:
    """Run a primitive whose first argument is a list of arrays (cat, stack)."""
    return _apply_tensors(cls, tensors, [t.data for t in tensors], args)


def apply_n(cls: type[Function], tensors: tuple, *args) -> Tensor:
    """Run a primitive of several tensor inputs (any may be None, e.g. a missing bias)."""
    arrays = tuple(None if t is None else t.data for t in tensors)
    return _apply_tensors(cls, tensors, arrays, args)


def _constant(x, like: np.ndarray):
    """An operand that is not a tensor, typed as PyTorch would treat it next to ``like``."""
    if isinstance(x, np.generic):
        x = x.item()  # NumPy scalars act like Python scalars (PyTorch's "wrapped numbers")
    if isinstance(x, bool | int):
        return x
    if isinstance(x, float):
        return x if like.dtype.kind == "f" else np.asarray(x, _default_float)
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
        xd, yd = np.asarray(xd, _default_float), np.asarray(yd, _default_float)
    track = grad_mode.enabled
    nx = track and xt and x.requires_grad
    ny = track and yt and y.requires_grad
    fn = _new_fn(cls)
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


def permute(t: Tensor, axes) -> Tensor:
    """Reorder the axes: output axis i is input axis ``axes[i]`` (PyTorch's ``permute``)."""
    axes = tuple(int(a) % max(t.ndim, 1) for a in axes)
    if sorted(axes) != list(range(t.ndim)):
        raise ShapeError(f"permute: {axes} is not a permutation of the {t.ndim} axes of {t.shape}")
    return apply(shape_ops.Permute, t, axes)


# ----- the GradientTape's hook into NumPy conversions ----------------------------------------
_active_tapes: list = []


def _note_numpy_conversion(t: Tensor) -> None:
    """Converting a tensor in the graph to NumPy cuts the graph there.  Inside a
    GradientTape the tape is told, so it can say so if a gradient comes back None; outside,
    PyTorch's rule applies: refuse, and point to ``detach()``."""
    if _active_tapes:
        for tape in _active_tapes:
            tape._note_cut(t)
        return
    raise GradientError(
        f"cannot convert a tensor that requires grad to NumPy (shape {t.shape}): gradients "
        "do not flow through NumPy values, so the graph would be cut there. Use "
        "t.detach().numpy() if that is what you want."
    )
