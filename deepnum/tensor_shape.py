"""Differentiable shape operations: reshape, transpose, squeeze, concatenate, stack, split,
pad and broadcast.  Each is also a ``Tensor`` method where PyTorch has one."""

from __future__ import annotations

import numpy as np

from ._tensor import Tensor, _wrap, apply, apply_many, as_array
from .errors import ShapeError, unknown_name
from .ops import shape as shape_ops


def _tensor(x) -> Tensor:
    return x if isinstance(x, Tensor) else _wrap(as_array(x))


def permute(t: Tensor, axes) -> Tensor:
    """Reorder the axes: output axis i is input axis ``axes[i]`` (PyTorch's ``permute``)."""
    axes = tuple(int(a) % max(t.ndim, 1) for a in axes)
    if sorted(axes) != list(range(t.ndim)):
        raise ShapeError(
            f"permute: {axes} is not a permutation of the {t.ndim} axes of {t.shape}"
        )
    return apply(shape_ops.Permute, t, axes)


def _shape_arg(shape) -> tuple[int, ...]:
    if len(shape) == 1 and isinstance(shape[0], tuple | list):
        shape = shape[0]
    return tuple(int(n) for n in shape)


def reshape(x, *shape) -> Tensor:
    """The same elements in a new shape (one dimension may be -1: inferred).

    ``t.reshape(2, 6)`` and ``t.reshape((2, 6))`` both work.
    """
    t = _tensor(x)
    shape = _shape_arg(shape)
    try:
        return apply(shape_ops.Reshape, t, shape)
    except ValueError:
        raise ShapeError(
            f"reshape: cannot reshape a tensor of shape {t.shape} ({t.data.size} elements) "
            f"into {shape}"
        ) from None


view = reshape


def transpose(x, dim0=None, dim1=None) -> Tensor:
    """Swap two axes (PyTorch: ``transpose(t, 0, 1)``), reverse them all (NumPy:
    ``transpose(t)``), or apply a permutation (``transpose(t, (2, 0, 1))``)."""
    t = _tensor(x)
    if dim0 is None:
        return permute(t, tuple(range(t.ndim - 1, -1, -1)))
    if dim1 is None:
        return permute(t, dim0)
    axes = list(range(t.ndim))
    d0, d1 = _axis(dim0, t.ndim, "transpose"), _axis(dim1, t.ndim, "transpose")
    axes[d0], axes[d1] = axes[d1], axes[d0]
    return permute(t, tuple(axes))


def _axis(a: int, ndim: int, name: str) -> int:
    if not -ndim <= a < ndim:
        raise ShapeError(f"{name}: axis {a} is out of range for a tensor of rank {ndim}")
    return a % ndim


def _permute_method(self, *dims) -> Tensor:
    return permute(self, _shape_arg(dims))


def t(x) -> Tensor:
    """Transpose of a matrix (PyTorch's ``t()``; 0-d and 1-d tensors are returned as they are)."""
    x = _tensor(x)
    if x.ndim > 2:
        raise ShapeError(f"t: expects a tensor of at most 2 dimensions, got shape {x.shape}")
    return transpose(x) if x.ndim == 2 else x


def squeeze(x, dim=None) -> Tensor:
    """Remove size-1 axes (only ``dim``, if given; a ``dim`` of another size is left alone, as
    PyTorch)."""
    t_ = _tensor(x)
    if dim is None:
        shape = tuple(n for n in t_.shape if n != 1)
    else:
        dims = dim if isinstance(dim, tuple | list) else (dim,)
        dims = {_axis(d, t_.ndim, "squeeze") for d in dims}
        shape = tuple(n for i, n in enumerate(t_.shape) if not (i in dims and n == 1))
    return reshape(t_, shape)


def unsqueeze(x, dim: int) -> Tensor:
    """Insert a size-1 axis at ``dim`` (``-1`` appends one)."""
    t_ = _tensor(x)
    d = _axis(dim, t_.ndim + 1, "unsqueeze")
    return reshape(t_, t_.shape[:d] + (1,) + t_.shape[d:])


def expand_dims(x, axis: int) -> Tensor:
    """NumPy's name for ``unsqueeze``."""
    return unsqueeze(x, axis)


def flatten(x, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    """Merge the axes ``start_dim..end_dim`` into one."""
    t_ = _tensor(x)
    if t_.ndim == 0:
        return reshape(t_, (1,))
    s, e = _axis(start_dim, t_.ndim, "flatten"), _axis(end_dim, t_.ndim, "flatten")
    if s > e:
        raise ShapeError(f"flatten: start_dim {start_dim} comes after end_dim {end_dim}")
    return reshape(t_, t_.shape[:s] + (-1,) + t_.shape[e + 1:])


def broadcast_to(x, *shape) -> Tensor:
    """Repeat along new or size-1 axes to ``shape`` (PyTorch's ``expand``; -1 keeps a size)."""
    t_ = _tensor(x)
    shape = _shape_arg(shape)
    lead = len(shape) - t_.ndim
    shape = tuple(t_.shape[i - lead] if n == -1 else n for i, n in enumerate(shape))
    try:
        return apply(shape_ops.BroadcastTo, t_, shape)
    except ValueError:
        raise ShapeError(f"broadcast_to: cannot broadcast shape {t_.shape} to {shape}") from None


expand = broadcast_to


def _same_dtype(tensors) -> list[Tensor]:
    tensors = [_tensor(x) for x in tensors]
    if not tensors:
        raise ValueError("expected a non-empty sequence of tensors")
    # PyTorch's promotion: floats win over integers without widening (float32 with int64
    # gives float32, where NumPy would give float64)
    floats = [x.dtype for x in tensors if x.dtype.kind == "f"]
    dtype = np.result_type(*floats) if floats else np.result_type(*(x.data for x in tensors))
    return [x if x.dtype == dtype else x.astype(dtype) for x in tensors]


def cat(tensors, dim: int = 0, *, axis: int | None = None) -> Tensor:
    """Join tensors along an existing axis (all other sizes must agree)."""
    ts = _same_dtype(tensors)
    d = _axis(axis if axis is not None else dim, ts[0].ndim, "cat")
    ref = ts[0].shape
    for i, x in enumerate(ts):
        if x.ndim != len(ref) or any(
            a != b for j, (a, b) in enumerate(zip(x.shape, ref, strict=True)) if j != d
        ):
            raise ShapeError(
                f"cat: tensor {i} has shape {x.shape}, which does not fit tensor 0's {ref} "
                f"along every axis but {d}"
            )
    return apply_many(shape_ops.Concatenate, tuple(ts), d)


concatenate = cat


def stack(tensors, dim: int = 0, *, axis: int | None = None) -> Tensor:
    """Join tensors of one shape along a new axis."""
    ts = _same_dtype(tensors)
    shapes = {x.shape for x in ts}
    if len(shapes) > 1:
        raise ShapeError(f"stack: all tensors need the same shape, got {[x.shape for x in ts]}")
    d = _axis(axis if axis is not None else dim, ts[0].ndim + 1, "stack")
    return apply_many(shape_ops.Stack, tuple(ts), d)


def split(x, split_size_or_sections, dim: int = 0) -> tuple[Tensor, ...]:
    """Cut into pieces along ``dim``: of size ``split_size`` each (the last may be smaller), or
    of the sizes listed (PyTorch's semantics)."""
    t_ = _tensor(x)
    d = _axis(dim, t_.ndim, "split")
    n = t_.shape[d]
    if isinstance(split_size_or_sections, int | np.integer):
        step = int(split_size_or_sections)
        if step <= 0:
            raise ValueError(f"split: split_size must be positive, got {step}")
        sizes = [min(step, n - i) for i in range(0, n, step)] or [0]
    else:
        sizes = [int(s) for s in split_size_or_sections]
        if sum(sizes) != n:
            raise ShapeError(f"split: sizes {sizes} add up to {sum(sizes)}, but axis {d} has {n}")
    pieces, start = [], 0
    for size in sizes:
        index = (slice(None),) * d + (slice(start, start + size),)
        pieces.append(t_[index])
        start += size
    return tuple(pieces)


def chunk(x, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
    """Cut into ``chunks`` pieces of (nearly) equal size along ``dim``."""
    t_ = _tensor(x)
    n = t_.shape[_axis(dim, t_.ndim, "chunk")]
    return split(t_, max(-(-n // chunks), 1), dim)


_PAD_MODES = ("constant", "reflect", "edge", "symmetric", "wrap")


def pad(x, pad_width, mode: str = "constant", constant_values=0) -> Tensor:
    """NumPy's ``pad``: ``pad_width`` is an int, a ``(before, after)`` pair, or one pair per
    axis; ``mode`` one of constant, reflect, edge, symmetric, wrap."""
    t_ = _tensor(x)
    if mode not in _PAD_MODES:
        raise unknown_name("pad mode", mode, _PAD_MODES)
    widths = np.broadcast_to(np.asarray(pad_width, dtype=np.int64), (t_.ndim, 2))
    if (widths < 0).any():
        raise ValueError(f"pad: widths must be non-negative, got {pad_width}")
    widths = tuple((int(a), int(b)) for a, b in widths)
    try:
        return apply(shape_ops.Pad, t_, widths, mode, constant_values)
    except ValueError as e:
        raise ShapeError(f"pad: {e} (tensor of shape {t_.shape}, widths {widths})") from None


def _reshape_method(self, *shape) -> Tensor:
    return reshape(self, *shape)


def _expand_method(self, *shape) -> Tensor:
    return broadcast_to(self, *shape)


Tensor.reshape = _reshape_method
Tensor.view = _reshape_method
Tensor.expand = _expand_method
Tensor.broadcast_to = _expand_method
Tensor.permute = _permute_method
Tensor.T = property(transpose, doc="The axes reversed (NumPy's ``.T``).")
for _f in (transpose, t, squeeze, unsqueeze, expand_dims, flatten, split, chunk):
    setattr(Tensor, _f.__name__, _f)
