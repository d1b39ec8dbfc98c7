"""Losses of the Keras door, with Keras 3's definitions, names and reductions.

A loss object is called as ``loss(y_true, y_pred, sample_weight=None)`` and returns a scalar
tensor.  Its ``call`` gives one value per example (averaged over the last axis where the
loss is element-wise); the reduction is Keras's "sum_over_batch_size": ``Σ wᵢ·lossᵢ / N``
(N examples, whatever the weights), or "sum", or "none".

Probabilities are clipped to [ε, 1 - ε] (ε = 1e-7) before their logarithm, as Keras does.
When the model's output is ``softmax(z)`` or ``sigmoid(z)`` (an output layer with that
activation), ``fit`` and ``evaluate`` hand the loss the logits ``z`` too, and the
cross-entropies are computed from them with one fused, stable primitive (log-sum-exp),
as TF-Keras does: the same value wherever the clipping does not bite, and faster.

>>> import numpy as np, deepnum as dn
>>> loss = get("sparse_categorical_crossentropy")
>>> round(float(loss(np.array([0]), dn.tensor([[0.5, 0.5]]))), 4)
0.6931
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import tensor_math as tm
from .._tensor import Tensor, _wrap, apply, apply_n, as_array
from ..errors import ArgumentError, DataError, DTypeError, ShapeError, unknown_name
from ..ops import loss as loss_ops
from ..tensor_shape import reshape
from .backend import epsilon, snake_case
from .serialization import deserialize as _deserialize
from .serialization import lookup as _lookup
from .serialization import serialize  # noqa: F401 - public here, as in Keras

REDUCTIONS = ("sum_over_batch_size", "sum", "none")


def _pred(y_pred: Any) -> Tensor:
    return y_pred if isinstance(y_pred, Tensor) else _wrap(as_array(y_pred))


def _target(y_true: Any, y_pred: Tensor, name: str) -> Tensor:
    """``y_true`` as a constant of ``y_pred``'s dtype and shape ((N,) fits an (N, 1) output)."""
    y = as_array(y_true)
    if y.ndim == y_pred.ndim - 1 and y_pred.shape[-1:] == (1,):
        y = y[..., None]
    if y.shape != y_pred.shape:
        raise ShapeError(f"{name}: y_true of shape {y.shape} does not match y_pred of shape "
                         f"{y_pred.shape}")
    return _wrap(y.astype(y_pred.dtype, copy=False))


def sparse_labels(y_true: Any, y_pred: Tensor, name: str) -> np.ndarray:
    """Integer class labels (N, ...) checked against the C classes of ``y_pred`` (N, ..., C)."""
    labels = as_array(y_true)
    if labels.ndim == y_pred.ndim and labels.shape[-1:] == (1,):
        labels = labels[..., 0]
    if labels.shape == y_pred.shape and y_pred.shape[-1] > 1:
        raise ShapeError(f"{name} expects integer class labels of shape {y_pred.shape[:-1]}, got "
                         f"targets of shape {labels.shape} like the predictions (one-hot?); "
                         "use categorical_crossentropy for one-hot targets")
    if labels.shape != y_pred.shape[:-1]:
        raise ShapeError(f"{name}: labels of shape {labels.shape} do not fit predictions of "
                         f"shape {y_pred.shape} (expected labels of shape {y_pred.shape[:-1]})")
    if labels.dtype.kind not in "iu":
        if labels.dtype.kind != "f" or not np.array_equal(labels, np.round(labels)):
            raise DTypeError(f"{name} expects integer class labels, got dtype {labels.dtype}"
                             + (" with non-integer values" if labels.dtype.kind == "f" else ""))
        labels = labels.astype(np.int64)
    c = y_pred.shape[-1]
    if labels.size and (labels.min() < 0 or labels.max() >= c):
        bad = labels[(labels < 0) | (labels >= c)]
        raise DataError(f"{name}: label {bad.flat[0]} is outside the class range [0, {c}) of "
                        f"predictions with {c} classes ({bad.size} such label(s))")
    return labels


def _rows(x: Tensor) -> Tensor:
    return x if x.ndim == 2 else reshape(x, (-1, x.shape[-1]))


def _clipped_log_probs(y_pred: Tensor) -> Tensor:
    """``log(clip(p / Σp, ε, 1 - ε))`` along the last axis (Keras's probability path)."""
    p = y_pred / tm.sum(y_pred, axis=-1, keepdims=True)
    return tm.log(tm.clip(p, epsilon(), 1 - epsilon()))


# ----- per-example loss functions ----------------------------------------------------------
def mean_squared_error(y_true: Any, y_pred: Any) -> Tensor:
    """``mean((y_pred - y_true)², axis=-1)``."""
    y_pred = _pred(y_pred)
    return tm.mean(tm.square(y_pred - _target(y_true, y_pred, "mean_squared_error")), axis=-1)


def mean_absolute_error(y_true: Any, y_pred: Any) -> Tensor:
    """``mean(|y_pred - y_true|, axis=-1)``."""
    y_pred = _pred(y_pred)
    return tm.mean(tm.abs(y_pred - _target(y_true, y_pred, "mean_absolute_error")), axis=-1)


def binary_crossentropy(y_true: Any, y_pred: Any, from_logits: bool = False,
                        label_smoothing: float = 0.0) -> Tensor:
    """``mean(-(y·log p + (1-y)·log(1-p)), axis=-1)``; p clipped to [ε, 1-ε], or
    p = sigmoid(y_pred) computed stably with ``from_logits``.  Smoothing:
    y ← y·(1 - s) + s/2."""
    y_pred = _pred(y_pred)
    y = _target(y_true, y_pred, "binary_crossentropy")
    if label_smoothing:
        y = _wrap(y.data * (1 - label_smoothing) + 0.5 * label_smoothing)
    if from_logits:
        per = apply_n(loss_ops.BinaryCrossEntropyWithLogits, (y_pred, y), None, None, "none")
    else:
        p = tm.clip(y_pred, epsilon(), 1 - epsilon())
        per = -(y * tm.log(p) + (1 - y) * tm.log(1 - p))
    return tm.mean(per, axis=-1)


def categorical_crossentropy(y_true: Any, y_pred: Any, from_logits: bool = False,
                             label_smoothing: float = 0.0) -> Tensor:
    """``-Σ_c y_c·log p_c`` over the last axis against one-hot (or soft) targets; p is
    y_pred normalised and clipped, or softmax(y_pred) with ``from_logits``.  Smoothing:
    y ← y·(1 - s) + s/C."""
    y_pred = _pred(y_pred)
    y = _target(y_true, y_pred, "categorical_crossentropy")
    if label_smoothing:
        y = _wrap(y.data * (1 - label_smoothing) + label_smoothing / y_pred.shape[-1])
    logp = tm.log_softmax(y_pred, axis=-1) if from_logits else _clipped_log_probs(y_pred)
    return -tm.sum(y * logp, axis=-1)


def sparse_categorical_crossentropy(y_true: Any, y_pred: Any, from_logits: bool = False) -> Tensor:
    """``-log p[label]`` for integer labels (N,) and predictions (N, C); p clipped as in
    ``categorical_crossentropy``, or from logits through one fused primitive."""
    y_pred = _pred(y_pred)
    labels = sparse_labels(y_true, y_pred, "sparse_categorical_crossentropy").reshape(-1)
    if from_logits:
        per = apply(loss_ops.CrossEntropy, _rows(y_pred), labels, None, -100, 0.0, "none")
    else:
        per = apply(loss_ops.NLLLoss, _rows(_clipped_log_probs(y_pred)), labels, None, -100,
                    "none")
    return per if y_pred.ndim == 2 else reshape(per, y_pred.shape[:-1])


# ----- loss objects -------------------------------------------------------------------------
class Loss:
    """Base class: ``call(y_true, y_pred)`` gives per-example losses; ``__call__`` weights
    and reduces them.  ``_activation`` names the output activation ("softmax"/"sigmoid")
    whose logits the loss can use instead of the probabilities."""

    _activation: str | None = None

    def __init__(self, name: str | None = None, reduction: str | None = "sum_over_batch_size",
                 dtype: Any = None) -> None:
        reduction = "none" if reduction is None else reduction
        if reduction not in REDUCTIONS:
            raise unknown_name("reduction", reduction, REDUCTIONS)
        self.name = name or snake_case(type(self).__name__)
        self.reduction = reduction

    def call(self, y_true: Any, y_pred: Tensor) -> Tensor:
        raise NotImplementedError

    def call_logits(self, y_true: Any, logits: Tensor) -> Tensor:
        """Per-example losses from the logits of ``_activation`` (fused subclasses)."""
        raise NotImplementedError

    def __call__(self, y_true: Any, y_pred: Any, sample_weight: Any = None, *,
                 logits: tuple[Tensor, str] | None = None) -> Tensor:
        y_pred = _pred(y_pred)
        if logits is not None and logits[1] == self._activation:
            per = self.call_logits(y_true, logits[0])
        else:
            per = self.call(y_true, y_pred)
        return reduce_loss(per, sample_weight, self.reduction)

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "reduction": self.reduction}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Loss:
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}>"


def reduce_loss(per: Tensor, sample_weight: Any, reduction: str) -> Tensor:
    """Weight per-example losses by ``sample_weight`` (broadcast from the left) and reduce."""
    if sample_weight is not None:
        w = as_array(sample_weight).astype(per.dtype, copy=False)
        if w.ndim > per.ndim or w.shape != per.shape[:w.ndim]:
            raise ShapeError(f"sample_weight of shape {w.shape} does not fit per-example "
                             f"losses of shape {per.shape}")
        per = per * _wrap(w.reshape(w.shape + (1,) * (per.ndim - w.ndim)))
    if reduction == "none":
        return per
    total = tm.sum(per)
    return total if reduction == "sum" else total * (1.0 / max(per.data.size, 1))


class MeanSquaredError(Loss):
    """``mean((y_pred - y_true)²)``."""

    def call(self, y_true: Any, y_pred: Tensor) -> Tensor:
        return mean_squared_error(y_true, y_pred)


class MeanAbsoluteError(Loss):
    """``mean(|y_pred - y_true|)``."""

    def call(self, y_true: Any, y_pred: Tensor) -> Tensor:
        return mean_absolute_error(y_true, y_pred)


class _CrossEntropy(Loss):
    def __init__(self, from_logits: bool = False, label_smoothing: float = 0.0,
                 name: str | None = None, reduction: str | None = "sum_over_batch_size",
                 dtype: Any = None) -> None:
        super().__init__(name, reduction, dtype)
        if not 0 <= label_smoothing <= 1:
            raise ArgumentError(f"{type(self).__name__}: label_smoothing must be in [0, 1], "
                                f"got {label_smoothing!r}")
        self.from_logits, self.label_smoothing = bool(from_logits), float(label_smoothing)
        if self.from_logits:
            self._activation = None  # already logits: nothing to fuse

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "from_logits": self.from_logits,
                "label_smoothing": self.label_smoothing}


class BinaryCrossentropy(_CrossEntropy):
    """Binary cross-entropy of probabilities (or logits with ``from_logits=True``)."""

    _activation = "sigmoid"

    def call(self, y_true: Any, y_pred: Tensor) -> Tensor:
        return binary_crossentropy(y_true, y_pred, self.from_logits, self.label_smoothing)

    def call_logits(self, y_true: Any, logits: Tensor) -> Tensor:
        return binary_crossentropy(y_true, logits, True, self.label_smoothing)


class CategoricalCrossentropy(_CrossEntropy):
    """Cross-entropy against one-hot targets (``keras.utils.to_categorical``)."""

    _activation = "softmax"

    def call(self, y_true: Any, y_pred: Tensor) -> Tensor:
        return categorical_crossentropy(y_true, y_pred, self.from_logits, self.label_smoothing)

    def call_logits(self, y_true: Any, logits: Tensor) -> Tensor:
        return categorical_crossentropy(y_true, logits, True, self.label_smoothing)


class SparseCategoricalCrossentropy(Loss):
    """Cross-entropy against integer class labels (the MNIST tutorial's loss)."""

    _activation = "softmax"

    def __init__(self, from_logits: bool = False, name: str | None = None,
                 reduction: str | None = "sum_over_batch_size", dtype: Any = None) -> None:
        super().__init__(name, reduction, dtype)
        self.from_logits = bool(from_logits)
        if self.from_logits:
            self._activation = None

    def call(self, y_true: Any, y_pred: Tensor) -> Tensor:
        if self.from_logits:
            return self.call_logits(y_true, y_pred)
        return sparse_categorical_crossentropy(y_true, y_pred)

    def call_logits(self, y_true: Any, logits: Tensor) -> Tensor:
        return sparse_categorical_crossentropy(y_true, logits, from_logits=True)

    def __call__(self, y_true: Any, y_pred: Any, sample_weight: Any = None, *,
                 logits: tuple[Tensor, str] | None = None) -> Tensor:
        z = y_pred if self.from_logits else logits[0] if (
            logits is not None and logits[1] == "softmax") else None
        if z is not None and sample_weight is None and self.reduction != "none" and z.ndim == 2:
            # the hot path of every classifier: one fused primitive, loss and gradient
            labels = sparse_labels(y_true, z, self.name)
            return apply(loss_ops.CrossEntropy, _pred(z), labels, None, -100, 0.0,
                         "mean" if self.reduction == "sum_over_batch_size" else "sum")
        return super().__call__(y_true, y_pred, sample_weight, logits=logits)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "from_logits": self.from_logits}


mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
ALL_OBJECTS = {cls.__name__: cls for cls in (
    MeanSquaredError, MeanAbsoluteError, BinaryCrossentropy, CategoricalCrossentropy,
    SparseCategoricalCrossentropy)}
_BY_NAME = {"mse": MeanSquaredError, "mean_squared_error": MeanSquaredError,
            "mae": MeanAbsoluteError, "mean_absolute_error": MeanAbsoluteError,
            "binary_crossentropy": BinaryCrossentropy,
            "categorical_crossentropy": CategoricalCrossentropy,
            "sparse_categorical_crossentropy": SparseCategoricalCrossentropy}
_CLASSES = {name.lower(): cls for name, cls in ALL_OBJECTS.items()}


def get(identifier: Any) -> Loss:
    """A loss object from a name ("mse", "sparse_categorical_crossentropy", a class name),
    a ``serialize`` dict, or an instance (returned as is)."""
    if isinstance(identifier, Loss):
        return identifier
    if isinstance(identifier, dict):
        return _deserialize("loss", identifier, _CLASSES, _BY_NAME)
    if isinstance(identifier, str):
        cls = _lookup("loss", identifier, {**_CLASSES, **_BY_NAME}, _BY_NAME)
        return cls(name=identifier if identifier.lower() in _BY_NAME else None)
    raise ArgumentError(f"could not interpret loss {identifier!r}: expected a name "
                        f"({', '.join(sorted(_BY_NAME))}) or a keras.losses.Loss")
