"""The Keras-style optimizers: ``keras.optimizers.RMSprop()``, or ``optimizer="rmsprop"``.

Defaults and semantics follow Keras 3.  The classes configure the update rules of
:mod:`deepnum.optim.rules`, which PyTorch's door (``deepnum.optim``) shares: one
implementation, two configurations.

>>> from deepnum.keras import optimizers
>>> opt = optimizers.get("RMSprop")
>>> type(opt).__name__, opt.learning_rate, opt.rho, opt.epsilon
('RMSprop', 0.001, 0.9, 1e-07)
"""

from __future__ import annotations

from typing import Any

from ...errors import ArgumentError, unknown_name
from ..serialization import deserialize as _deserialize
from ..serialization import serialize  # noqa: F401 - public here, as in Keras
from . import schedules
from .adagrad import Adagrad
from .adam import Adam, AdamW
from .base import Optimizer
from .rmsprop import RMSprop
from .sgd import SGD

ALL_OBJECTS = {cls.__name__.lower(): cls for cls in (SGD, RMSprop, Adam, AdamW, Adagrad)}

__all__ = ["Optimizer", "SGD", "RMSprop", "Adam", "AdamW", "Adagrad", "schedules", "get",
           "serialize", "deserialize"]


def deserialize(config: dict[str, Any]) -> Optimizer:
    """A new optimizer from :func:`serialize`'s dict (class names are case-insensitive)."""
    return _deserialize("optimizer", config, ALL_OBJECTS)


def get(identifier: Any) -> Optimizer | None:
    """An optimizer from a name ("rmsprop", any case), a config dict, or an instance.

    >>> get("rmsporp")
    Traceback (most recent call last):
    ...
    deepnum.errors.UnknownNameError: unknown optimizer 'rmsporp'; did you mean 'rmsprop'? \
(valid: adagrad, adam, adamw, rmsprop, sgd)
    """
    if identifier is None or isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        return deserialize({"class_name": identifier, "config": {}})
    raise ArgumentError(f"could not interpret optimizer identifier: {identifier!r} (expected "
                        "an optimizer, its name or its config dict)")
