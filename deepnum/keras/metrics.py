"""Metrics of the Keras door: running statistics computed with NumPy on the arrays (never in
the autodiff graph), so they cost little per batch.

A metric accumulates with ``update_state(y_true, y_pred, sample_weight=None)``, reports
``result()`` (a float) and restarts with ``reset_state()``; ``fit`` resets them every epoch,
so the logs hold the running mean over the epoch so far, as in Keras.

``compile(metrics=["accuracy"])`` resolves "accuracy" (or "acc") as Keras 3 does, from the
shapes of the targets and predictions: predictions with one column -> ``BinaryAccuracy``;
targets of lower rank, or with one column against several -> ``SparseCategoricalAccuracy``;
otherwise ``CategoricalAccuracy``.

>>> import numpy as np
>>> m = get("sparse_categorical_accuracy")
>>> m.update_state(np.array([0, 1]), np.array([[0.9, 0.1], [0.8, 0.2]]))
>>> m.result()
0.5
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .._tensor import Tensor
from ..errors import ArgumentError, ShapeError
from .backend import epsilon, snake_case
from .serialization import deserialize as _deserialize
from .serialization import lookup as _lookup
from .serialization import serialize  # noqa: F401 - public here, as in Keras


def _np(x: Any) -> np.ndarray:
    return x.data if isinstance(x, Tensor) else np.asarray(x)


def _labels(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    if y_true.ndim == y_pred.ndim and y_true.shape[-1:] == (1,):
        y_true = y_true[..., 0]
    return y_true


# ----- per-example metric functions (NumPy) --------------------------------------------------
def sparse_categorical_accuracy(y_true: Any, y_pred: Any) -> np.ndarray:
    """1 where ``argmax(y_pred)`` equals the integer label, else 0."""
    y_pred = _np(y_pred)
    return (np.argmax(y_pred, axis=-1) == _labels(_np(y_true), y_pred)).astype(np.float32)


def categorical_accuracy(y_true: Any, y_pred: Any) -> np.ndarray:
    """1 where ``argmax(y_pred)`` equals ``argmax(y_true)`` (one-hot targets)."""
    return (np.argmax(_np(y_pred), axis=-1) == np.argmax(_np(y_true), axis=-1)).astype(np.float32)


def binary_accuracy(y_true: Any, y_pred: Any, threshold: float = 0.5) -> np.ndarray:
    """Mean over the last axis of ``(y_pred > threshold) == y_true``."""
    y_pred = _np(y_pred)
    y_true = _np(y_true)
    if y_true.ndim == y_pred.ndim - 1 and y_pred.shape[-1:] == (1,):
        y_true = y_true[..., None]
    return np.mean((y_pred > threshold) == (y_true > 0.5), axis=-1, dtype=np.float32)


def sparse_top_k_categorical_accuracy(y_true: Any, y_pred: Any, k: int = 5) -> np.ndarray:
    """1 where the label is among the ``k`` highest predictions."""
    y_pred = _np(y_pred)
    labels = _labels(_np(y_true), y_pred).astype(np.int64)
    target = np.take_along_axis(y_pred, labels[..., None], axis=-1)
    return (np.sum(y_pred > target, axis=-1) < k).astype(np.float32)


def mean_squared_error(y_true: Any, y_pred: Any) -> np.ndarray:
    y_pred = _np(y_pred)
    return np.mean(np.square(y_pred - _np(y_true).reshape(y_pred.shape)), axis=-1)


def mean_absolute_error(y_true: Any, y_pred: Any) -> np.ndarray:
    y_pred = _np(y_pred)
    return np.mean(np.abs(y_pred - _np(y_true).reshape(y_pred.shape)), axis=-1)


def sparse_categorical_crossentropy(y_true: Any, y_pred: Any) -> np.ndarray:
    """``-log(clip(p[label]))`` (probabilities, Keras's clipping)."""
    p = _np(y_pred)
    p = np.clip(p / p.sum(axis=-1, keepdims=True), epsilon(), 1 - epsilon())
    labels = _labels(_np(y_true), p).astype(np.int64)
    return -np.log(np.take_along_axis(p, labels[..., None], axis=-1)[..., 0])


def categorical_crossentropy(y_true: Any, y_pred: Any) -> np.ndarray:
    p = _np(y_pred)
    p = np.clip(p / p.sum(axis=-1, keepdims=True), epsilon(), 1 - epsilon())
    return -np.sum(_np(y_true) * np.log(p), axis=-1)


def binary_crossentropy(y_true: Any, y_pred: Any) -> np.ndarray:
    p = np.clip(_np(y_pred), epsilon(), 1 - epsilon())
    y = _np(y_true).reshape(p.shape)
    return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p), axis=-1)


# ----- metric objects -----------------------------------------------------------------------
class Metric:
    """Base class: ``update_state``, ``result``, ``reset_state``, ``get_config``."""

    def __init__(self, name: str | None = None, dtype: Any = None) -> None:
        self.name = name or snake_case(type(self).__name__)
        self.reset_state()

    def reset_state(self) -> None:
        raise NotImplementedError

    def update_state(self, *args: Any, **kwargs: Any) -> None:
        raise NotImplementedError

    def result(self) -> float:
        raise NotImplementedError

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Metric:
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}>"


class Mean(Metric):
    """The (weighted) mean of every value seen: ``Σ w·v / Σ w``."""

    def reset_state(self) -> None:
        self.total, self.count = 0.0, 0.0

    def update_state(self, values: Any, sample_weight: Any = None) -> None:
        values = _np(values)
        if sample_weight is None:
            self.total += float(np.sum(values, dtype=np.float64))
            self.count += values.size
            return
        w = np.asarray(sample_weight, np.float64)
        if w.ndim > values.ndim or w.shape != values.shape[:w.ndim]:
            raise ShapeError(f"{self.name}: sample_weight of shape {w.shape} does not fit "
                             f"values of shape {values.shape}")
        w = np.broadcast_to(w.reshape(w.shape + (1,) * (values.ndim - w.ndim)), values.shape)
        self.total += float(np.sum(values * w))
        self.count += float(np.sum(w))

    def add(self, value: float, weight: float = 1.0) -> None:
        """The fast path for one scalar: ``total += value·weight; count += weight``."""
        self.total += value * weight
        self.count += weight

    def result(self) -> float:
        return self.total / self.count if self.count else 0.0


class Sum(Mean):
    """The sum of every value seen."""

    def result(self) -> float:
        return self.total


class MeanMetricWrapper(Mean):
    """The mean of ``fn(y_true, y_pred)`` over every example seen."""

    def __init__(self, fn: Callable, name: str | None = None, dtype: Any = None,
                 **kwargs: Any) -> None:
        self._fn, self._fn_kwargs = fn, kwargs
        super().__init__(name=name or fn.__name__, dtype=dtype)

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        super().update_state(self._fn(y_true, y_pred, **self._fn_kwargs), sample_weight)

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, **self._fn_kwargs}


def _wrapper(fn: Callable, default_name: str, doc: str) -> type:
    def __init__(self, name: str = default_name, dtype: Any = None) -> None:  # noqa: N807
        MeanMetricWrapper.__init__(self, fn, name=name, dtype=dtype)

    return type("".join(p.title() for p in default_name.split("_")), (MeanMetricWrapper,),
                {"__init__": __init__, "__doc__": doc})


SparseCategoricalAccuracy = _wrapper(sparse_categorical_accuracy, "sparse_categorical_accuracy",
                                     "How often argmax(y_pred) equals the integer label.")
CategoricalAccuracy = _wrapper(categorical_accuracy, "categorical_accuracy",
                               "How often argmax(y_pred) equals argmax of one-hot y_true.")
MeanSquaredError = _wrapper(mean_squared_error, "mean_squared_error", "Mean squared error.")
MeanAbsoluteError = _wrapper(mean_absolute_error, "mean_absolute_error", "Mean absolute error.")
SparseCategoricalCrossentropy = _wrapper(
    sparse_categorical_crossentropy, "sparse_categorical_crossentropy",
    "Cross-entropy of probabilities against integer labels.")
CategoricalCrossentropy = _wrapper(categorical_crossentropy, "categorical_crossentropy",
                                   "Cross-entropy of probabilities against one-hot targets.")
BinaryCrossentropy = _wrapper(binary_crossentropy, "binary_crossentropy",
                              "Binary cross-entropy of probabilities.")


class BinaryAccuracy(MeanMetricWrapper):
    """How often ``y_pred > threshold`` matches the 0/1 target."""

    def __init__(self, name: str = "binary_accuracy", dtype: Any = None,
                 threshold: float = 0.5) -> None:
        super().__init__(binary_accuracy, name=name, dtype=dtype, threshold=threshold)


class SparseTopKCategoricalAccuracy(MeanMetricWrapper):
    """How often the label is among the ``k`` highest predictions."""

    def __init__(self, k: int = 5, name: str = "sparse_top_k_categorical_accuracy",
                 dtype: Any = None) -> None:
        super().__init__(sparse_top_k_categorical_accuracy, name=name, dtype=dtype, k=k)


class Accuracy(MeanMetricWrapper):
    """How often predictions equal the targets exactly."""

    def __init__(self, name: str = "accuracy", dtype: Any = None) -> None:
        super().__init__(lambda t, p: (_np(t).reshape(_np(p).shape) == _np(p)).astype(
            np.float32), name=name, dtype=dtype)


class _Confusion(Metric):
    """Counts of true/false positives of ``y_pred > thresholds`` against 0/1 targets."""

    def __init__(self, thresholds: float = 0.5, name: str | None = None,
                 dtype: Any = None) -> None:
        self.thresholds = float(thresholds)
        super().__init__(name=name, dtype=dtype)

    def reset_state(self) -> None:
        self.tp = self.fp = self.fn = 0.0

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        pred = _np(y_pred) > self.thresholds
        true = _np(y_true).reshape(pred.shape) > 0.5
        w = 1.0 if sample_weight is None else np.asarray(sample_weight, np.float64).reshape(
            (-1,) + (1,) * (pred.ndim - 1))
        self.tp += float(np.sum(w * (pred & true)))
        self.fp += float(np.sum(w * (pred & ~true)))
        self.fn += float(np.sum(w * (~pred & true)))

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "thresholds": self.thresholds}


class Precision(_Confusion):
    """TP / (TP + FP)."""

    def result(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0


class Recall(_Confusion):
    """TP / (TP + FN)."""

    def result(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0


ALL_OBJECTS = {cls.__name__: cls for cls in (
    Mean, Sum, Accuracy, BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy,
    SparseTopKCategoricalAccuracy, MeanSquaredError, MeanAbsoluteError, BinaryCrossentropy,
    CategoricalCrossentropy, SparseCategoricalCrossentropy, Precision, Recall)}
_BY_NAME = {"accuracy": None, "acc": None, "binary_accuracy": BinaryAccuracy,
            "categorical_accuracy": CategoricalAccuracy,
            "sparse_categorical_accuracy": SparseCategoricalAccuracy,
            "sparse_top_k_categorical_accuracy": SparseTopKCategoricalAccuracy,
            "mse": MeanSquaredError, "mean_squared_error": MeanSquaredError,
            "mae": MeanAbsoluteError, "mean_absolute_error": MeanAbsoluteError,
            "binary_crossentropy": BinaryCrossentropy,
            "categorical_crossentropy": CategoricalCrossentropy,
            "sparse_categorical_crossentropy": SparseCategoricalCrossentropy,
            "precision": Precision, "recall": Recall}
_CLASSES = {name.lower(): cls for name, cls in ALL_OBJECTS.items()}


def accuracy_for(name: str, y_true_shape: tuple, y_pred_shape: tuple) -> Metric:
    """Keras 3's resolution of "accuracy"/"acc" from the shapes (see the module docstring);
    the metric keeps the name it was asked by."""
    binary = y_pred_shape[-1:] == (1,)
    sparse = len(y_true_shape) < len(y_pred_shape) or (
        y_true_shape[-1:] == (1,) and y_pred_shape[-1:] != (1,))
    if binary:
        return BinaryAccuracy(name=name)
    return SparseCategoricalAccuracy(name=name) if sparse else CategoricalAccuracy(name=name)


def get(identifier: Any) -> Metric:
    """A metric from a name, a ``serialize`` dict or an instance.  ("accuracy" needs the
    shapes: ``compile`` resolves it with :func:`accuracy_for`.)"""
    if isinstance(identifier, Metric):
        return identifier
    if isinstance(identifier, dict):
        return _deserialize("metric", identifier, _CLASSES, _BY_NAME)
    if isinstance(identifier, str):
        key = identifier.lower()
        if key in ("accuracy", "acc"):
            raise ArgumentError(f"metric {identifier!r} depends on the targets' shape; "
                                "compile() resolves it (or use keras.metrics."
                                "SparseCategoricalAccuracy and friends)")
        cls = _lookup("metric", identifier, {**_CLASSES, **_BY_NAME}, _BY_NAME)
        return cls(name=identifier) if key in _BY_NAME else cls()
    if callable(identifier):
        return MeanMetricWrapper(identifier, name=getattr(identifier, "__name__", None))
    raise ArgumentError(f"could not interpret metric {identifier!r}")
