"""The Tensor: a NumPy array that remembers how it was computed.

``Tensor.data`` is the NumPy array; ``Tensor.grad`` is a NumPy array of the same shape (or
None) that ``backward()`` fills.  An operation on tensors that require grad records, on its
result, the ``Function`` that computed it (see ``deepnum.autograd``).  This module holds the
class (data, conversions, autodiff entry points) and the machinery that runs a primitive of
``deepnum.ops`` on tensors (``apply``, ``apply_n``, ``apply_many``).  Python's operators live
in ``tensor_operators``; the named functions (``exp``, ``sum``, ``reshape``...) in
``tensor_math`` and ``tensor_shape``; each binds its methods onto ``Tensor``.
"""

from __future__ import annotations

import itertools
import weakref
from typing import Any

import numpy as np

from .autograd import Function, backprop, grad_mode
from .errors import DTypeError, GradientError, ShapeError
from .ops import elementwise as ew

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


_NEEDS = {1: (True,), 0: (False,)}


def apply(cls: type[Function], t: Tensor, *args) -> Tensor:
    """Run the one-input primitive ``cls`` on ``t`` (extra ``args`` are constants)."""
    fn = _new(cls)
    if t.requires_grad and grad_mode.enabled:
        fn.needs = _NEEDS[1]
        return _result(fn.forward(t.data, *args), fn, (_ref(t),))
    fn.needs = _NEEDS[0]
    return _wrap(fn.forward(t.data, *args))


def _apply_tensors(cls: type[Function], tensors: tuple, arrays, args) -> Tensor:
    needs = tuple(t is not None and t.requires_grad for t in tensors)
    track = grad_mode.enabled and any(needs)
    fn = _new(cls)
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
