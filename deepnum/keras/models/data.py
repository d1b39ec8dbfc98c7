"""Arrays in, batches out: what ``fit``, ``evaluate`` and ``predict`` do with their data.

Inputs are checked and converted once per call (not per batch): NumPy arrays, lists or
deepnum tensors become arrays; floating and integer inputs become the model's float dtype,
except uint8 (images: the tutorial scales them itself, and converting 60,000 of them would
cost 4x the memory) which the first layer casts batch by batch.  NaN or Inf in the inputs
is found with two reductions (min and max propagate NaN), so the check costs two passes.
Targets for a sparse loss become int64 labels; others the float dtype.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ... import random as dn_random
from ..._tensor import Tensor
from ...errors import ArgumentError, DataError, DTypeError, ShapeError


def _array(value: Any, what: str) -> np.ndarray:
    if isinstance(value, Tensor):
        return value.data
    if isinstance(value, dict | tuple) or (isinstance(value, list) and value
                                           and isinstance(value[0], np.ndarray | Tensor)):
        raise ArgumentError(f"{what}: several input arrays ({type(value).__name__} of "
                            f"{len(value)}) are not supported; deepnum's Keras models take one "
                            "input array")
    try:
        array = np.asarray(value)
    except (TypeError, ValueError) as error:
        raise DTypeError(f"{what}: could not convert {type(value).__name__} to an array "
                         f"({error})") from None
    if array.dtype.kind not in "fiub":
        raise DTypeError(f"{what}: expected numbers, got an array of dtype {array.dtype}")
    return array


def check_finite(array: np.ndarray, what: str) -> None:
    """DataError if ``array`` holds NaN or ±Inf (two reductions: NaN propagates in min/max)."""
    if array.dtype.kind != "f" or not array.size:
        return
    lo, hi = array.min(), array.max()
    if math.isfinite(lo) and math.isfinite(hi):
        return
    bad = ~np.isfinite(array)
    first = np.unravel_index(int(np.argmax(bad)), array.shape)
    raise DataError(f"{what} holds {int(bad.sum())} non-finite value(s) (NaN or Inf), the first "
                    f"at index {tuple(int(i) for i in first)}: {array[first]!r}")


def inputs(x: Any, dtype: np.dtype, where: str, name: str = "x") -> np.ndarray:
    """The inputs as an array of ``dtype`` (uint8 kept), checked non-empty and finite;
    errors start with ``where`` ("fit", "predict"...) and call the array ``name``."""
    what = f"{where}: {name}"
    if x is None:
        raise ArgumentError(f"{where}: no input data given ({name}=None)")
    array = _array(x, what)
    if array.ndim == 0 or len(array) == 0:
        raise DataError(f"{what} is empty (shape {array.shape}): there is nothing to "
                        "train on or predict")
    if array.dtype != np.uint8 and array.dtype != dtype:
        array = array.astype(dtype)
    check_finite(array, what)
    return array


def targets(y: Any, n: int, sparse: bool, dtype: np.dtype, where: str,
            name: str = "y") -> np.ndarray:
    """The targets as int64 labels (``sparse``) or floats, one per example of x."""
    what = f"{where}: {name}"
    array = _array(y, what)
    if array.ndim == 0 or len(array) != n:
        raise DataError(f"{where}: x and {name} have different numbers of examples: x has {n}, "
                        f"{name} has {0 if array.ndim == 0 else len(array)} (shape "
                        f"{array.shape})")
    if sparse:
        if array.dtype.kind == "f":
            check_finite(array, what)
            if not np.array_equal(array, np.round(array)):
                raise DTypeError(f"{what}: a sparse loss takes integer class labels, got "
                                 f"dtype {array.dtype} with non-integer values (one-hot "
                                 "targets need categorical_crossentropy)")
        if array.dtype.kind == "b":
            raise DTypeError(f"{what}: a sparse loss takes integer class labels, got bool")
        return array.astype(np.int64, copy=False)
    array = array if array.dtype == dtype else array.astype(dtype)
    check_finite(array, what)
    return array


def sample_weights(sample_weight: Any, class_weight: Any, y: np.ndarray, n: int
                   ) -> np.ndarray | None:
    """Per-example weights from ``sample_weight`` and/or ``class_weight`` (a dict
    class -> weight, looked up by the integer label or the argmax of a one-hot target)."""
    weights = None
    if sample_weight is not None:
        weights = _array(sample_weight, "sample_weight").astype(np.float32)
        if weights.ndim != 1 or len(weights) != n:
            raise DataError(f"sample_weight must hold one weight per example ({n}), got shape "
                            f"{weights.shape}")
        check_finite(weights, "sample_weight")
    if class_weight is not None:
        if not isinstance(class_weight, dict):
            raise ArgumentError(f"class_weight must be a dict {{class: weight}}, got "
                                f"{type(class_weight).__name__}")
        labels = y.reshape(n, -1)
        labels = labels[:, 0] if labels.shape[1] == 1 else labels.argmax(axis=1)
        labels = labels.astype(np.int64)
        missing = sorted(set(np.unique(labels).tolist()) - set(class_weight))
        if missing:
            raise DataError(f"class_weight has no weight for class(es) {missing[:10]} found in "
                            f"y (given for {sorted(class_weight)[:10]})")
        table = np.zeros(max(class_weight) + 1, np.float32)
        for label, weight in class_weight.items():
            table[label] = weight
        cw = table[labels]
        weights = cw if weights is None else weights * cw
    return weights


def split(arrays: tuple, fraction: Any) -> tuple[tuple, tuple]:
    """Keras's ``validation_split``: the LAST ``fraction`` of the examples (before any
    shuffling) for validation."""
    if isinstance(fraction, bool) or not isinstance(fraction, int | float) or not (
            0 <= fraction < 1):
        raise ArgumentError(f"validation_split must be a number in [0, 1), got {fraction!r}")
    n = len(arrays[0])
    at = int(math.floor(n * (1.0 - fraction)))
    if at == 0 or at == n:
        raise DataError(f"validation_split={fraction} of {n} examples leaves "
                        f"{'no training' if at == 0 else 'no validation'} examples")
    first = tuple(None if a is None else a[:at] for a in arrays)
    second = tuple(None if a is None else a[at:] for a in arrays)
    return first, second


def validation_tuple(data: Any) -> tuple:
    """``validation_data`` as (x, y or None, sample_weight or None): ``x_val`` alone (models
    that need no targets), ``(x_val,)``, ``(x_val, y_val)`` or ``(x_val, y_val, weights)``."""
    if not isinstance(data, tuple):
        return data, None, None
    if not 1 <= len(data) <= 3:
        raise ArgumentError("validation_data must be x_val, (x_val, y_val) or (x_val, y_val, "
                            f"val_sample_weight), got a tuple of length {len(data)}")
    return (*data, *(None,) * (3 - len(data)))


def batch_size_arg(batch_size: Any) -> int:
    if batch_size is None:
        return 32
    if isinstance(batch_size, bool) or not isinstance(batch_size, int | np.integer) or (
            batch_size < 1):
        raise ArgumentError(f"batch_size must be a positive integer, got {batch_size!r}")
    return int(batch_size)


def num_steps(n: int, batch_size: int, steps: Any, what: str = "steps_per_epoch") -> int:
    """Batches per pass: ceil(n / batch_size), or ``steps`` if given (at most that)."""
    full = -(-n // batch_size)
    if steps is None:
        return full
    if isinstance(steps, bool) or not isinstance(steps, int | np.integer) or steps < 1:
        raise ArgumentError(f"{what} must be a positive integer, got {steps!r}")
    if steps > full:
        raise ArgumentError(f"{what}={steps} asks for more batches than the data holds "
                            f"({n} examples in batches of {batch_size}: {full} batches)")
    return int(steps)


class Batches:
    """The batches of one pass over arrays (x, y, w), shuffled with deepnum's seeded
    "shuffle" stream when ``shuffle`` (one permutation per pass, drawn when the pass
    starts, so a checkpoint between passes resumes exactly)."""

    def __init__(self, arrays: tuple, batch_size: int, steps: int, shuffle: bool) -> None:
        self.arrays, self.batch_size, self.steps, self.shuffle = arrays, batch_size, steps, shuffle

    def __iter__(self):
        n = len(self.arrays[0])
        order = dn_random.generator("shuffle").permutation(n) if self.shuffle else None
        bs = self.batch_size
        for step in range(self.steps):
            lo, hi = step * bs, min(step * bs + bs, n)
            index = slice(lo, hi) if order is None else order[lo:hi]
            yield tuple(None if a is None else a[index] for a in self.arrays)


def check_width(x: np.ndarray, expected: tuple | None, model_name: str) -> None:
    """ShapeError if one example of ``x`` does not have the shape the model was built for."""
    if expected is None:
        return
    if x.ndim != len(expected) or any(e is not None and n != e
                                      for n, e in zip(x.shape[1:], expected[1:], strict=False)):
        shown = "(" + ", ".join("None" if e is None else str(e) for e in expected) + ")"
        raise ShapeError(f"model {model_name!r} expects inputs of shape {shown}, got x of "
                         f"shape {x.shape}")
