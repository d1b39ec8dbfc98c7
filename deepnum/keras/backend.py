"""The few global settings of the Keras door: the fuzz factor, the float type, the name
counters (``clear_session``).

>>> from deepnum.keras import backend
>>> backend.epsilon(), backend.floatx()
(1e-07, 'float32')
"""

from __future__ import annotations

import re

from .optimizers.base import _name_counts, auto_name

_EPSILON = 1e-7

__all__ = ["auto_name", "clear_session", "epsilon", "floatx", "snake_case"]


def snake_case(name: str) -> str:
    """Keras's class-name-to-snake-case rule: "BatchNormalization" -> "batch_normalization",
    "PReLU" -> "p_re_lu"."""
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


def epsilon() -> float:
    """Keras's fuzz factor: probabilities are clipped to ``[epsilon, 1 - epsilon]``."""
    return _EPSILON


def floatx() -> str:
    """The dtype of new layers' weights (Keras's ``floatx``): float32."""
    return "float32"


def clear_session() -> None:
    """Reset the automatic names ("dense", "dense_1"... start again from "dense")."""
    _name_counts.clear()
