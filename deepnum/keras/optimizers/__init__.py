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
from . import schedules
from .adagrad import Adagrad
from .adam import Adam, AdamW
from .base import Optimizer
from .rmsprop import RMSprop
from .sgd import SGD

ALL_OBJECTS = {cls.__name__.lower(): cls for cls in (SGD, RMSprop, Adam, AdamW, Adagrad)}

__all__ = ["Optimizer", "SGD", "RMSprop", "Adam", "AdamW", "Adagrad", "schedules", "get",
           "serialize", "deserialize"]


def serialize(optimizer: Optimizer) -> dict[str, Any]:
    """An optimizer's configuration as ``{"class_name": ..., "config": {...}}`` (JSON-able)."""
    return {"module": "keras.optimizers", "class_name": type(optimizer).__name__,
            "config": optimizer.get_config(), "registered_name": None}


def deserialize(config: dict[str, Any]) -> Optimizer:
    """A new optimizer from :func:`serialize`'s dict (class names are case-insensitive)."""
    name = config.get("class_name")
    cls = ALL_OBJECTS.get(str(name).lower())
    if cls is None:
        raise unknown_name("optimizer", name, ALL_OBJECTS)
    return cls.from_config(config.get("config", {}))


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
