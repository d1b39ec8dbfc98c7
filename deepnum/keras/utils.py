"""Keras's utilities: ``to_categorical``, ``set_random_seed``, ``Progbar`` and the packing
helpers used by custom ``train_step`` methods.

>>> to_categorical([0, 2], num_classes=3).tolist()
[[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import random as dn_random
from ..errors import DataError, DTypeError
from .callbacks.progbar import Progbar
from .models.trainer import pack_x_y_sample_weight, unpack_x_y_sample_weight

__all__ = ["Progbar", "pack_x_y_sample_weight", "set_random_seed", "to_categorical",
           "unpack_x_y_sample_weight"]


def to_categorical(x: Any, num_classes: int | None = None) -> np.ndarray:
    """Integer labels (any shape; a trailing axis of 1 is dropped) -> one-hot float32 rows
    of ``num_classes`` (default: the largest label + 1)."""
    labels = np.asarray(x)
    if labels.dtype.kind == "f" and np.array_equal(labels, np.round(labels)):
        labels = labels.astype(np.int64)
    if labels.dtype.kind not in "iu":
        raise DTypeError(f"to_categorical: labels must be integers, got dtype {labels.dtype}")
    shape = labels.shape[:-1] if labels.ndim > 1 and labels.shape[-1] == 1 else labels.shape
    labels = labels.reshape(-1)
    if num_classes is None:
        if not labels.size:
            raise DataError("to_categorical: cannot infer num_classes from empty labels")
        num_classes = int(labels.max()) + 1
    if labels.size and (labels.min() < 0 or labels.max() >= num_classes):
        bad = labels[(labels < 0) | (labels >= num_classes)][0]
        raise DataError(f"to_categorical: label {bad} is outside [0, {num_classes}) "
                        f"(num_classes={num_classes})")
    out = np.zeros((labels.size, num_classes), np.float32)
    out[np.arange(labels.size), labels] = 1
    return out.reshape(*shape, num_classes)


def set_random_seed(seed: int) -> None:
    """Seed every random stream of deepnum (``deepnum.manual_seed``)."""
    dn_random.manual_seed(seed)
