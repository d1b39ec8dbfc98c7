"""The networks inside the Autoencoder and the GAN: given as Keras layers, ``deepnum.nn``
modules or lists of them; run in training or inference mode; described in saved files."""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

from .._tensor import Tensor
from ..errors import ArgumentError, StateError
from ..keras.layers.base import Layer, deserialize_layer, serialize_layer
from ..keras.models.sequential import Sequential
from ..nn.container import Sequential as ModuleSequential
from ..nn.module import Module


def as_network(part: Any, what: str) -> Module:
    """A list of layers as one network (``keras.Sequential`` if every item is a Keras layer,
    else ``nn.Sequential``); a Keras layer or ``deepnum.nn`` module as it is."""
    if isinstance(part, list | tuple):
        if not part or not all(isinstance(p, Module) for p in part):
            raise ArgumentError(f"{what} must be a non-empty list of Keras layers or deepnum.nn "
                                f"modules, got {[type(p).__name__ for p in part]}")
        if all(isinstance(p, Layer) for p in part):
            return Sequential(list(part))
        return ModuleSequential(*part)
    if not isinstance(part, Module):
        raise ArgumentError(f"{what} must be a Keras layer or model, a deepnum.nn module, or a "
                            f"list of them, got {type(part).__name__}")
    return part


def forward(part: Module, x: Tensor, training: bool) -> Tensor:
    """``part(x)`` in training or inference mode (a ``deepnum.nn`` module has no ``training``
    argument: its mode is set, as PyTorch's ``train()``/``eval()`` do)."""
    if isinstance(part, Layer):
        return part(x, training=training)
    part.train(bool(training))
    return part(x)


def trainable(part: Module) -> list[Tensor]:
    """The parameters of ``part`` that training updates."""
    return [p for p in part.parameters() if p.requires_grad]


@contextmanager
def held(part: Module) -> Iterator[None]:
    """Inside, ``part``'s parameters get no gradient; afterwards its non-trainable state
    (BatchNormalization's moving statistics) is what it was before."""
    params = trainable(part)
    state = [(b, b.data.copy()) for b in part.buffers()]
    for p in params:
        p.requires_grad = False
    try:
        yield
    finally:
        for p in params:
            p.requires_grad = True
        for b, data in state:
            b.data[...] = data


def describe(owner: str, parts: dict[str, Module]) -> dict[str, Any]:
    """The saved-file description of each named network (Keras layers only)."""
    for name, part in parts.items():
        if not isinstance(part, Layer):
            raise StateError(f"{owner}.save: the {name} is a deepnum.nn module, which a saved "
                             "file cannot describe; build it from Keras layers, or save the "
                             "weights only (save_weights)")
    return {name: serialize_layer(part) for name, part in parts.items()}


def rebuild(config: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    """``config`` with the networks ``names`` rebuilt from their descriptions."""
    return {**config, **{name: deserialize_layer(config[name]) for name in names}}


def int_seed(seed: Any) -> int | None:
    """The seed as saved: an integer, or None (a Generator cannot be saved)."""
    return int(seed) if isinstance(seed, int | np.integer) and not isinstance(seed, bool) \
        else None


def number(owner: str, name: str, value: Any, low: float, high: float = math.inf,
           low_inclusive: bool = False) -> float:
    """``value`` as a float in (low, high) (or [low, high)), else an ArgumentError."""
    ok = isinstance(value, int | float | np.number) and not isinstance(value, bool)
    inside = ok and (low <= value if low_inclusive else low < value) and value < high
    if not inside:
        left = "[" if low_inclusive else "("
        bounds = f"in {left}{low:g}, {high:g})" if high < math.inf else f"> {low:g}"
        raise ArgumentError(f"{owner}: {name} must be a number {bounds}, got {value!r}")
    return float(value)
