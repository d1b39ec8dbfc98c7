"""Activation layers with options: ``ReLU``, ``LeakyReLU``, ``PReLU`` (learned slopes),
``ELU``, ``Softmax``.  (``Activation("name")`` covers the rest.)"""

from __future__ import annotations

import warnings
from typing import Any

from ..._tensor import Tensor, apply_n
from ...errors import ArgumentError
from ...ops import nn as nn_ops
from .. import activations, initializers, regularizers
from .base import Layer


def _number(owner: Layer, name: str, value: Any, allow_none: bool = False) -> float | None:
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ArgumentError(f"{type(owner).__name__} {owner.name!r}: {name} must be a number "
                            f">= 0, got {value!r}")
    return float(value)


class ReLU(Layer):
    """``x`` for x >= threshold, ``negative_slope·(x - threshold)`` below, capped at
    ``max_value``; the defaults give ``max(x, 0)``."""

    def __init__(self, max_value: float | None = None, negative_slope: float = 0.0,
                 threshold: float = 0.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.max_value = _number(self, "max_value", max_value, allow_none=True)
        self.negative_slope = _number(self, "negative_slope", negative_slope)
        self.threshold = float(threshold)

    def call(self, inputs: Tensor) -> Tensor:
        return activations.relu(inputs, self.negative_slope, self.max_value, self.threshold)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "max_value": self.max_value,
                "negative_slope": self.negative_slope, "threshold": self.threshold}


class LeakyReLU(Layer):
    """``x`` for x > 0, ``negative_slope·x`` otherwise (Keras's default slope: 0.3).

    Keras 2's ``alpha=`` is accepted with a ``DeprecationWarning``.
    """

    def __init__(self, negative_slope: float = 0.3, **kwargs: Any) -> None:
        if "alpha" in kwargs:
            negative_slope = kwargs.pop("alpha")
            warnings.warn("LeakyReLU: argument `alpha` is deprecated; use `negative_slope` "
                          "instead.", DeprecationWarning, stacklevel=2)
        super().__init__(**kwargs)
        self.negative_slope = _number(self, "negative_slope", negative_slope)

    def call(self, inputs: Tensor) -> Tensor:
        return activations.leaky_relu(inputs, self.negative_slope)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "negative_slope": self.negative_slope}


class PReLU(Layer):
    """``x`` for x > 0, ``alpha·x`` otherwise, with ``alpha`` learned: one slope per input
    element (shape = one example's shape), shared along ``shared_axes`` (e.g. ``[1, 2]`` for
    one slope per channel of (N, H, W, C) images).  Slopes start at ``alpha_initializer``
    (zeros)."""

    def __init__(self, alpha_initializer: Any = "zeros", alpha_regularizer: Any = None,
                 alpha_constraint: Any = None, shared_axes: Any = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if alpha_constraint is not None:
            raise ArgumentError(f"PReLU {self.name!r}: weight constraints are not supported")
        self.alpha_initializer = initializers.get(alpha_initializer)
        self.alpha_regularizer = regularizers.get(alpha_regularizer)
        if shared_axes is not None and not isinstance(shared_axes, list | tuple):
            shared_axes = [shared_axes]
        self.shared_axes = None if shared_axes is None else [int(a) for a in shared_axes]

    def build(self, input_shape: tuple) -> None:
        shape = list(input_shape[1:])
        for axis in self.shared_axes or ():
            if not 1 <= axis < len(input_shape):
                raise ArgumentError(f"PReLU {self.name!r}: shared axis {axis} is not an axis "
                                    f"of the examples of inputs of shape {input_shape}")
            shape[axis - 1] = 1
        self.add_weight("alpha", tuple(shape), self.alpha_initializer,
                        regularizer=self.alpha_regularizer)

    def call(self, inputs: Tensor) -> Tensor:
        alpha = self._parameters["alpha"]
        return apply_n(nn_ops.PReLU, (inputs, alpha), (1, *alpha.shape))

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(),
                "alpha_initializer": initializers.serialize(self.alpha_initializer),
                "alpha_regularizer": (None if self.alpha_regularizer is None
                                      else regularizers.serialize(self.alpha_regularizer)),
                "shared_axes": self.shared_axes}


class ELU(Layer):
    """``x`` for x > 0, ``alpha·(e^x - 1)`` otherwise."""

    def __init__(self, alpha: float = 1.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.alpha = float(alpha)

    def call(self, inputs: Tensor) -> Tensor:
        return activations.elu(inputs, self.alpha)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "alpha": self.alpha}


class Softmax(Layer):
    """``e^x / Σ e^x`` along ``axis`` (the last by default)."""

    def __init__(self, axis: int = -1, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.axis = int(axis)

    def call(self, inputs: Tensor) -> Tensor:
        if self.axis in (-1, inputs.ndim - 1):  # the one a softmax loss can fuse with
            return self._activate(inputs, activations.softmax)
        return activations.softmax(inputs, self.axis)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "axis": self.axis}
