"""Making tensors: from data, filled, ranges, and random (from the seeded ``"tensor"`` stream).

Sizes are given PyTorch's way, ``zeros(2, 3)`` or ``zeros((2, 3))``.  Floating-point results
use the default dtype (float32) unless ``dtype`` says otherwise.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import random as dn_random
from ._tensor import Tensor, _wrap, as_array, get_default_dtype
from .errors import DTypeError


def _finish(data: np.ndarray, requires_grad: bool) -> Tensor:
    t = _wrap(data)
    return t.requires_grad_(True) if requires_grad else t


def _size(size) -> tuple[int, ...]:
    if len(size) == 1 and isinstance(size[0], tuple | list):
        size = size[0]
    try:
        out = tuple(int(n) for n in size)
    except (TypeError, ValueError):
        raise TypeError(f"size must be integers, got {size!r}") from None
    if any(n < 0 for n in out):
        raise ValueError(f"size must be non-negative, got {out}")
    return out


def _float_dtype(dtype) -> np.dtype:
    return get_default_dtype() if dtype is None else np.dtype(dtype)


def tensor(data: Any, dtype=None, requires_grad: bool = False) -> Tensor:
    """A new tensor holding a copy of ``data`` (numbers, nested lists, a NumPy array, a tensor).

    >>> import deepnum as dn
    >>> dn.tensor([[1., 2.], [3., 4.]]).dtype
    dtype('float32')
    """
    return Tensor(data, dtype=dtype, requires_grad=requires_grad)


def as_tensor(data: Any, dtype=None) -> Tensor:
    """Like ``tensor`` but shares memory with a NumPy array (or returns a tensor) when possible."""
    if isinstance(data, Tensor) and (dtype is None or np.dtype(dtype) == data.dtype):
        return data
    return _wrap(as_array(data, dtype))


def from_numpy(array: np.ndarray) -> Tensor:
    """A tensor sharing memory with ``array`` (changes to one show in the other)."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"from_numpy: expected a numpy.ndarray, got {type(array).__name__}")
    if array.dtype.kind not in "fiub":
        raise DTypeError(f"from_numpy: unsupported dtype {array.dtype}")
    return _wrap(array)


def zeros(*size, dtype=None, requires_grad: bool = False) -> Tensor:
    return _finish(np.zeros(_size(size), _float_dtype(dtype)), requires_grad)


def ones(*size, dtype=None, requires_grad: bool = False) -> Tensor:
    return _finish(np.ones(_size(size), _float_dtype(dtype)), requires_grad)


def empty(*size, dtype=None, requires_grad: bool = False) -> Tensor:
    return _finish(np.empty(_size(size), _float_dtype(dtype)), requires_grad)


def full(size, fill_value, dtype=None, requires_grad: bool = False) -> Tensor:
    """A tensor of ``size`` filled with ``fill_value`` (its dtype follows the value, as PyTorch)."""
    if dtype is None:
        dtype = as_array(fill_value).dtype
    return _finish(np.full(_size((size,)), fill_value, dtype), requires_grad)


def eye(n: int, m: int | None = None, dtype=None, requires_grad: bool = False) -> Tensor:
    return _finish(np.eye(n, m, dtype=_float_dtype(dtype)), requires_grad)


def arange(start, end=None, step=1, dtype=None, requires_grad: bool = False) -> Tensor:
    """``start, start+step, ... < end`` (``arange(5)`` is 0..4); integers give int64."""
    if end is None:
        start, end = 0, start
    data = np.arange(start, end, step)
    if dtype is not None:
        data = data.astype(dtype)
    elif data.dtype.kind == "f":
        data = data.astype(get_default_dtype())
    return _finish(data, requires_grad)


def linspace(start, end, steps: int, dtype=None, requires_grad: bool = False) -> Tensor:
    return _finish(np.linspace(start, end, steps, dtype=_float_dtype(dtype)), requires_grad)


def _like(t: Tensor, dtype) -> tuple[tuple[int, ...], np.dtype]:
    t = t if isinstance(t, Tensor) else tensor(t)
    return t.shape, np.dtype(dtype) if dtype is not None else t.dtype


def zeros_like(t, dtype=None, requires_grad: bool = False) -> Tensor:
    shape, d = _like(t, dtype)
    return _finish(np.zeros(shape, d), requires_grad)


def ones_like(t, dtype=None, requires_grad: bool = False) -> Tensor:
    shape, d = _like(t, dtype)
    return _finish(np.ones(shape, d), requires_grad)


def full_like(t, fill_value, dtype=None, requires_grad: bool = False) -> Tensor:
    shape, d = _like(t, dtype)
    return _finish(np.full(shape, fill_value, d), requires_grad)


def _rng(generator) -> np.random.Generator:
    return generator if generator is not None else dn_random.generator("tensor")


def rand(*size, dtype=None, requires_grad: bool = False, generator=None) -> Tensor:
    """Uniform on [0, 1)."""
    d = _float_dtype(dtype)
    return _finish(_rng(generator).random(_size(size), dtype=np.float64).astype(d), requires_grad)


def randn(*size, dtype=None, requires_grad: bool = False, generator=None) -> Tensor:
    """Standard normal."""
    d = _float_dtype(dtype)
    return _finish(_rng(generator).standard_normal(_size(size)).astype(d), requires_grad)


def randint(low, high=None, size=(), dtype=None, generator=None) -> Tensor:
    """Integers uniform on [low, high) (``randint(high, size)`` starts at 0), int64."""
    if isinstance(high, tuple | list):  # randint(high, size), as PyTorch
        low, high, size = 0, low, high
    elif high is None:
        low, high = 0, low
    if isinstance(size, int):
        size = (size,)
    data = _rng(generator).integers(low, high, size=_size((size,)))
    return _wrap(data.astype(dtype or np.int64))


def rand_like(t, dtype=None, requires_grad: bool = False) -> Tensor:
    shape, d = _like(t, dtype)
    return rand(shape, dtype=d, requires_grad=requires_grad)


def randn_like(t, dtype=None, requires_grad: bool = False) -> Tensor:
    shape, d = _like(t, dtype)
    return randn(shape, dtype=d, requires_grad=requires_grad)
