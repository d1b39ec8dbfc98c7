"""Loss functions with PyTorch's ``torch.nn.functional`` signatures and semantics.

Every loss takes ``reduction="mean" | "sum" | "none"`` (PyTorch's deprecated
``size_average``/``reduce`` flags are translated, with PyTorch's warning).  Cross-entropy,
NLL and both binary cross-entropies are fused primitives (``deepnum.ops.loss``); the squared
and absolute errors, and cross-entropy against class probabilities, are composed.

Class axis: logits and log-probabilities are ``(N, C)`` or ``(N, C, d1, d2, ...)`` with the
classes on axis 1 (a single example may be ``(C,)``); integer labels are ``(N,)`` or
``(N, d1, d2, ...)``.
"""

from __future__ import annotations

import warnings

import numpy as np

from .. import tensor_math as tm
from .._tensor import Tensor, apply, apply_n, as_array
from ..creation import as_tensor
from ..errors import DataError, DTypeError, ShapeError, unknown_name
from ..ops import loss as loss_ops
from ..tensor_shape import permute, reshape
from .activation import log_softmax

_REDUCTIONS = ("mean", "sum", "none")


def _reduction(reduction: str, size_average, reduce) -> str:
    if size_average is not None or reduce is not None:
        keep_mean = size_average is None or size_average
        reduction = "none" if reduce is False else "mean" if keep_mean else "sum"
        warnings.warn(
            "size_average and reduce args will be deprecated, please use "
            f"reduction='{reduction}' instead.",
            stacklevel=3,
        )
    if reduction not in _REDUCTIONS:
        raise unknown_name("reduction", reduction, _REDUCTIONS)
    return reduction


def _reduce(t: Tensor, reduction: str) -> Tensor:
    if reduction == "mean":
        return tm.mean(t)
    return tm.sum(t) if reduction == "sum" else t


def _weight_array(weight, like: Tensor) -> np.ndarray | None:
    return None if weight is None else as_array(weight).astype(like.dtype, copy=False)


def _float_target(target, like: Tensor, name: str) -> Tensor:
    """The target as a tensor of the input's float dtype (integer 0/1 targets are fine)."""
    y = as_tensor(target)
    if y.shape != like.shape:
        raise ShapeError(
            f"{name}: target of shape {y.shape} differs from input of shape {like.shape}; "
            "they must have the same shape"
        )
    return y if y.dtype == like.dtype else y.astype(like.dtype)


def _binary_inputs(input, target, name: str) -> tuple[Tensor, Tensor]:  # noqa: A002
    """Input and target of a binary cross-entropy: same shape, targets in [0, 1]."""
    x = as_tensor(input)
    y = _float_target(target, x, name)
    _check_unit_interval(y.data, "targets", name)
    return x, y


def _check_unit_interval(values: np.ndarray, what: str, name: str) -> None:
    if values.size and not ((values >= 0) & (values <= 1)).all():
        bad = values[~((values >= 0) & (values <= 1))]
        raise DataError(
            f"{name}: {what} must lie in [0, 1]; got {bad.size} value(s) outside, e.g. "
            f"{bad.flat[0]!r}"
        )


# ----- regression -------------------------------------------------------------------------
def _pointwise(name, error, input, target, reduction, weight) -> Tensor:  # noqa: A002
    x, y = as_tensor(input), as_tensor(target)
    if x.shape != y.shape:
        warnings.warn(
            f"Using a target size ({y.shape}) that is different to the input size ({x.shape}). "
            "This will likely lead to incorrect results due to broadcasting. "
            "Please ensure they have the same size.",
            stacklevel=3,
        )
    per = error(x - y)
    if weight is None:
        return _reduce(per, reduction)
    w = as_tensor(weight)
    if w.shape != x.shape:
        raise ShapeError(f"{name}: weight of shape {w.shape} must have the input's shape {x.shape}")
    per = per * w
    return tm.sum(per) / tm.sum(w) if reduction == "mean" else _reduce(per, reduction)


def mse_loss(input, target, size_average=None, reduce=None, reduction: str = "mean",  # noqa: A002
             weight=None) -> Tensor:
    """Mean squared error ``(x - y)²`` (weighted: ``Σ w(x-y)² / Σ w`` for "mean").

    >>> import deepnum as dn
    >>> mse_loss(dn.tensor([1., 2.]), dn.tensor([0., 0.])).item()
    2.5
    """
    reduction = _reduction(reduction, size_average, reduce)
    return _pointwise("mse_loss", tm.square, input, target, reduction, weight)


def l1_loss(input, target, size_average=None, reduce=None, reduction: str = "mean",  # noqa: A002
            weight=None) -> Tensor:
    """Mean absolute error ``|x - y|`` (its gradient at 0 is 0, as PyTorch's)."""
    reduction = _reduction(reduction, size_average, reduce)
    return _pointwise("l1_loss", tm.abs, input, target, reduction, weight)


# ----- binary classification ---------------------------------------------------------------
def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None,  # noqa: A002
                         reduction: str = "mean") -> Tensor:
    """``-w·(y·log p + (1-y)·log(1-p))`` for probabilities ``p = input`` (logs clamped at
    -100, as PyTorch).  ``target`` has the input's shape, values in [0, 1].

    >>> import deepnum as dn
    >>> round(binary_cross_entropy(dn.tensor([0.5]), dn.tensor([1.])).item(), 4)
    0.6931
    """
    reduction = _reduction(reduction, size_average, reduce)
    p, y = _binary_inputs(input, target, "binary_cross_entropy")
    _check_unit_interval(p.data, "input probabilities (use binary_cross_entropy_with_logits "
                         "for logits)", "binary_cross_entropy")
    return apply_n(loss_ops.BinaryCrossEntropy, (p, y), _weight_array(weight, p), reduction)


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None,  # noqa: A002
                                     reduce=None, reduction: str = "mean",
                                     pos_weight=None) -> Tensor:
    """Binary cross-entropy of ``sigmoid(input)``, computed stably from the logits:
    ``w·((1-y)·x + (1 + (pos_weight-1)·y)·log(1 + e^-x))``.  ``pos_weight`` (one per class,
    broadcast along the last axis) weighs the positive examples.

    >>> import deepnum as dn
    >>> round(binary_cross_entropy_with_logits(dn.tensor([0.]), dn.tensor([1.])).item(), 4)
    0.6931
    """
    reduction = _reduction(reduction, size_average, reduce)
    x, y = _binary_inputs(input, target, "binary_cross_entropy_with_logits")
    return apply_n(loss_ops.BinaryCrossEntropyWithLogits, (x, y),
                   _weight_array(weight, x), _weight_array(pos_weight, x), reduction)


# ----- multi-class classification ----------------------------------------------------------
def _as_rows(x: Tensor) -> Tensor:
    """(C,) -> (1, C); (N, C, d1, ...) -> (N·d1·..., C) with the classes last."""
    if x.ndim == 2:
        return x
    if x.ndim == 1:
        return reshape(x, (1, x.shape[0]))
    if x.ndim > 2:
        x = permute(x, (0, *range(2, x.ndim), 1))
    return reshape(x, (-1, x.shape[-1]))


def _labels(x: Tensor, target, ignore_index: int, name: str) -> np.ndarray:
    """Check integer ``target`` against input ``x`` and return it flat."""
    if x.ndim == 0:
        raise ShapeError(f"{name}: input must have a class axis, got a 0-d tensor")
    labels = as_array(target)
    if labels.dtype.kind not in "iu":
        raise DTypeError(
            f"{name}: class-index targets must be integers, got dtype {labels.dtype}; "
            "convert them with .long() (or pass class probabilities of the input's shape "
            f"{x.shape})"
        )
    expected = x.shape[:1] + x.shape[2:] if x.ndim >= 2 else ()
    if labels.shape != expected:
        raise ShapeError(
            f"{name}: input of shape {x.shape} needs targets of shape {expected}, got target "
            f"of shape {labels.shape} (batch sizes {x.shape[0] if x.ndim > 1 else 1} and "
            f"{labels.shape[0] if labels.ndim else 1})"
        )
    c = x.shape[1] if x.ndim >= 2 else x.shape[0]
    if labels.size and (labels.min() < 0 or labels.max() >= c):
        bad = labels[((labels < 0) | (labels >= c)) & (labels != ignore_index)]
        if bad.size:
            raise DataError(
                f"{name}: label {bad.flat[0]} is outside the class range [0, {c}) of an input "
                f"with C={c} classes ({bad.size} such label(s); ignore_index={ignore_index})"
            )
    return labels.reshape(-1)


def _class_weight(weight, x: Tensor, name: str) -> np.ndarray | None:
    w = _weight_array(weight, x)
    c = x.shape[1] if x.ndim >= 2 else x.shape[0]
    if w is not None and w.shape != (c,):
        raise ShapeError(
            f"{name}: weight must hold one value per class, shape ({c},); got shape {w.shape}"
        )
    return w


def _unrows(out: Tensor, x: Tensor, reduction: str) -> Tensor:
    if reduction != "none":
        return out
    return reshape(out, x.shape[:1] + x.shape[2:] if x.ndim >= 2 else ())


def nll_loss(input, target, weight=None, size_average=None, ignore_index: int = -100,  # noqa: A002
             reduce=None, reduction: str = "mean") -> Tensor:
    """Negative log-likelihood ``-w[y]·input[y]`` of log-probabilities ``input`` at integer
    labels ``target``; labels equal to ``ignore_index`` count for nothing, and "mean" divides
    by the sum of the weights of the labels that count.

    >>> import deepnum as dn
    >>> nll_loss(dn.tensor([[-1., -2.]]), dn.tensor([1])).item()
    2.0
    """
    reduction = _reduction(reduction, size_average, reduce)
    x = as_tensor(input)
    labels = _labels(x, target, ignore_index, "nll_loss")
    w = _class_weight(weight, x, "nll_loss")
    out = apply(loss_ops.NLLLoss, _as_rows(x), labels, w, ignore_index, reduction)
    return _unrows(out, x, reduction)


def cross_entropy(input, target, weight=None, size_average=None, ignore_index: int = -100,  # noqa: A002
                  reduce=None, reduction: str = "mean", label_smoothing: float = 0.0) -> Tensor:
    """Cross-entropy of logits ``input`` against integer labels or class probabilities.

    Integer labels: ``(1-ε)·w[y]·(-log softmax(x)[y]) + (ε/C)·Σ_c w_c·(-log softmax(x)[c])``
    with ε = ``label_smoothing``, fused and stable (log-sum-exp); ``ignore_index`` and "mean"
    as in :func:`nll_loss`.  Probabilities (a float target of the input's shape):
    ``-Σ_c w_c·t_c·log softmax(x)[c]`` with ``t = (1-ε)·target + ε/C``; "mean" averages over
    the examples.

    >>> import deepnum as dn
    >>> round(cross_entropy(dn.tensor([[0., 0.]]), dn.tensor([0])).item(), 4)
    0.6931
    """
    reduction = _reduction(reduction, size_average, reduce)
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"cross_entropy: label_smoothing must be in [0, 1], got {label_smoothing}")
    x = as_tensor(input)
    w = _class_weight(weight, x, "cross_entropy")
    t = as_tensor(target)
    if t.dtype.kind == "f" and t.shape == x.shape and x.ndim:
        return _cross_entropy_probs(x, t, w, reduction, label_smoothing, ignore_index)
    labels = _labels(x, t, ignore_index, "cross_entropy")
    out = apply(loss_ops.CrossEntropy, _as_rows(x), labels, w, ignore_index, label_smoothing,
                reduction)
    return _unrows(out, x, reduction)


def _cross_entropy_probs(x, t, w, reduction, smoothing, ignore_index) -> Tensor:
    if ignore_index != -100:
        raise ValueError("cross_entropy: ignore_index is not supported for probability targets")
    class_dim = 1 if x.ndim >= 2 else 0
    c = x.shape[class_dim]
    t = t if t.dtype == x.dtype else t.astype(x.dtype)
    if smoothing:
        t = t * (1 - smoothing) + smoothing / c
    prod = log_softmax(x, class_dim) * t
    if w is not None:
        prod = prod * w.reshape((c,) + (1,) * (x.ndim - class_dim - 1))
    return _reduce(-tm.sum(prod, class_dim), reduction)
