"""Stateless layer maths with PyTorch's ``torch.nn.functional`` signatures: ``linear``,
``dropout``, ``batch_norm``, ``layer_norm``, ``one_hot`` and ``pad``."""

from __future__ import annotations

import numpy as np

from .. import random as dn_random
from .._tensor import Tensor, _wrap, apply_n, as_array
from ..creation import as_tensor
from ..errors import DataError, DTypeError, ShapeError, StateError, unknown_name
from ..ops import linalg
from ..ops import nn as nn_ops
from ..tensor_shape import pad as np_style_pad


def linear(input, weight: Tensor, bias: Tensor | None = None) -> Tensor:  # noqa: A002
    """``y = x·Wᵀ + b`` for ``x`` (..., in), ``W`` (out, in), ``b`` (out,): one fused primitive.

    >>> import deepnum as dn
    >>> linear(dn.ones(2, 3), dn.ones(4, 3)).shape
    (2, 4)
    """
    x = as_tensor(input)
    if weight.ndim != 2 or x.ndim == 0 or x.shape[-1] != weight.shape[1]:
        raise ShapeError(
            f"linear: input of shape {x.shape} does not fit weight of shape {weight.shape} "
            f"(expects inputs of shape (..., {weight.shape[-1]}))"
        )
    if x.dtype != weight.dtype:
        raise DTypeError(
            f"linear: input has dtype {x.dtype} but the weight has {weight.dtype}; convert the "
            "input (x.float(), x.double()) or the model (model.double())"
        )
    return apply_n(linalg.Linear, (x, weight, bias))


def _check_p(p: float) -> float:
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    return float(p)


def dropout(input, p: float = 0.5, training: bool = True, inplace: bool = False,  # noqa: A002
            generator: np.random.Generator | None = None) -> Tensor:
    """Inverted dropout: while ``training``, zero each element with probability ``p`` and scale
    the rest by ``1/(1-p)`` (so the expectation is unchanged); otherwise the identity.

    Masks come from ``generator`` or the seeded ``"dropout"`` stream.  ``inplace`` is
    accepted for PyTorch code; the result is always a new tensor.
    """
    p = _check_p(p)
    x = as_tensor(input)
    if not training or p == 0.0:
        return x
    rng = generator if generator is not None else dn_random.generator("dropout")
    if p == 1.0:
        mask = np.zeros(x.shape, x.dtype)
    else:
        mask = (rng.random(x.shape, dtype=np.float32) >= p).astype(x.dtype)
        mask *= 1.0 / (1.0 - p)
    return x * mask


def _array(t) -> np.ndarray | None:
    return None if t is None else t.data if isinstance(t, Tensor) else np.asarray(t)


def _check_channels(x: Tensor, what: str, t) -> None:
    if t is not None and np.size(_array(t)) != x.shape[1]:
        raise ShapeError(
            f"batch_norm: input of shape {x.shape} has {x.shape[1]} channels (axis 1) but "
            f"{what} has {np.size(_array(t))} elements"
        )


def batch_norm(input, running_mean, running_var, weight=None, bias=None,  # noqa: A002
               training: bool = False, momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Normalise each channel (axis 1) over the batch and any further axes:
    ``(x - mean)/sqrt(var + eps)·weight + bias``.

    training: use the batch's mean and biased variance, and (if given) update the running
        statistics in place: ``running = (1 - momentum)·running + momentum·batch`` with the
        *unbiased* batch variance for ``running_var``, as PyTorch.
    otherwise: use ``running_mean`` and ``running_var``.
    """
    x = as_tensor(input)
    if x.ndim < 2:
        raise ShapeError(f"batch_norm: expected an input of shape (N, C, ...), got {x.shape}")
    c = x.shape[1]
    for what, t in (("running_mean", running_mean), ("running_var", running_var),
                    ("weight", weight), ("bias", bias)):
        _check_channels(x, what, t)
    axes = (0, *range(2, x.ndim))
    pshape = (1, c) + (1,) * (x.ndim - 2)
    if training:
        n = x.data.size // max(c, 1)
        if n <= 1:
            raise ShapeError(
                f"batch_norm: expected more than 1 value per channel when training, got input "
                f"of shape {x.shape}"
            )
        mean = x.data.mean(axis=axes, keepdims=True)
        var = x.data.var(axis=axes, keepdims=True)
        rm, rv = _array(running_mean), _array(running_var)
        if rm is not None:
            rm *= 1 - momentum
            rm += momentum * mean.reshape(rm.shape)
        if rv is not None:
            rv *= 1 - momentum
            rv += (momentum * n / (n - 1)) * var.reshape(rv.shape)
    else:
        if running_mean is None or running_var is None:
            raise StateError("batch_norm: training=False needs running_mean and running_var")
        mean = _array(running_mean).reshape(pshape)
        var = _array(running_var).reshape(pshape)
    return apply_n(nn_ops.Normalize, (x, weight, bias), mean, var, eps, axes, pshape, training)


def layer_norm(input, normalized_shape, weight=None, bias=None, eps: float = 1e-5) -> Tensor:  # noqa: A002
    """Normalise each example over its last ``len(normalized_shape)`` axes (biased variance):
    ``(x - mean)/sqrt(var + eps)·weight + bias``, ``weight``/``bias`` of ``normalized_shape``.
    """
    x = as_tensor(input)
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    k = len(shape)
    if k == 0 or x.shape[x.ndim - k:] != shape or x.ndim < k:
        raise ShapeError(
            f"layer_norm: normalized_shape={shape} needs an input of shape (*, "
            f"{', '.join(map(str, shape))}), got {x.shape}"
        )
    for what, t in (("weight", weight), ("bias", bias)):
        if t is not None and tuple(t.shape) != shape:
            raise ShapeError(f"layer_norm: {what} of shape {tuple(t.shape)} should be {shape}")
    axes = tuple(range(x.ndim - k, x.ndim))
    mean = x.data.mean(axis=axes, keepdims=True)
    var = x.data.var(axis=axes, keepdims=True)
    return apply_n(nn_ops.Normalize, (x, weight, bias), mean, var, eps, axes, shape, True)


def one_hot(tensor, num_classes: int = -1) -> Tensor:
    """Integer labels of any shape -> int64 indicators of shape ``labels.shape + (C,)``;
    ``num_classes=-1`` takes ``C = max label + 1``.

    >>> import deepnum as dn
    >>> one_hot(dn.tensor([0, 2])).tolist()
    [[1, 0, 0], [0, 0, 1]]
    """
    labels = as_array(tensor)
    if labels.dtype.kind not in "iu":
        raise DTypeError(f"one_hot: labels must be integers, got dtype {labels.dtype}")
    if num_classes == -1:
        if labels.size == 0:
            raise DataError("one_hot: cannot infer num_classes from empty labels")
        num_classes = int(labels.max()) + 1
    if labels.size and (labels.min() < 0 or labels.max() >= num_classes):
        bad = labels[(labels < 0) | (labels >= num_classes)].flat[0]
        raise DataError(
            f"one_hot: label {bad} is outside the class range [0, {num_classes}) "
            f"(num_classes={num_classes})"
        )
    return _wrap((labels[..., None] == np.arange(num_classes)).astype(np.int64))


_PAD_MODES = {"constant": "constant", "reflect": "reflect", "replicate": "edge",
              "circular": "wrap"}


def pad(input, pad, mode: str = "constant", value: float | None = None) -> Tensor:  # noqa: A002
    """Pad with PyTorch's convention: ``pad`` lists (before, after) pairs starting from the
    LAST axis — ``(1, 2)`` pads the last axis by 1 and 2, ``(1, 1, 2, 2)`` also the one
    before it by 2 and 2.  Modes: constant (with ``value``), reflect, replicate, circular.
    Negative amounts crop (constant mode).

    >>> import deepnum as dn
    >>> pad(dn.tensor([[1., 2.]]), (1, 0)).tolist()
    [[0.0, 1.0, 2.0]]
    """
    x = as_tensor(input)
    if mode not in _PAD_MODES:
        raise unknown_name("pad mode", mode, _PAD_MODES)
    pad = [int(n) for n in pad]
    if len(pad) % 2 or len(pad) > 2 * x.ndim:
        raise ShapeError(
            f"pad: needs an even number of amounts, at most 2 per axis ({2 * x.ndim} for shape "
            f"{x.shape}); got {tuple(pad)}"
        )
    widths = [[0, 0] for _ in range(x.ndim)]
    for i in range(len(pad) // 2):
        widths[x.ndim - 1 - i] = [pad[2 * i], pad[2 * i + 1]]
    if any(n < 0 for pair in widths for n in pair):
        if mode != "constant":
            raise ValueError(f"pad: negative amounts crop, in constant mode only; got {mode!r}")
        x = x[tuple(slice(max(-lo, 0), n - max(-hi, 0))
                    for (lo, hi), n in zip(widths, x.shape, strict=True))]
        widths = [[max(lo, 0), max(hi, 0)] for lo, hi in widths]
    return np_style_pad(x, widths, _PAD_MODES[mode], 0 if value is None else value)
