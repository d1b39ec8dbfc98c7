"""Core layers: ``Dense``, ``Activation``, ``Dropout``, ``Flatten``, ``Reshape``."""

from __future__ import annotations

import math
from typing import Any

from ... import functional as F
from ... import random as dn_random
from ..._tensor import Tensor, apply_n
from ...errors import ArgumentError, ShapeError
from ...ops import linalg
from ...tensor_shape import reshape
from .. import activations, initializers, regularizers
from .base import Layer, positive_int


class Dense(Layer):
    """Fully connected layer ``y = activation(x·W + b)``.

    kernel ``W``: (in, units), Keras's layout, drawn by ``kernel_initializer`` (Glorot
    uniform); bias ``b``: (units,), zeros.  ``in`` is taken from the first input (inputs
    (..., in) -> outputs (..., units)), so ``Dense(512)`` needs no input size.  One fused
    primitive computes ``x·W + b`` and its three gradients.

    >>> import deepnum as dn
    >>> Dense(4, activation="relu")(dn.ones(2, 3)).shape
    (2, 4)
    """

    def __init__(self, units: int, activation: Any = None, use_bias: bool = True,
                 kernel_initializer: Any = "glorot_uniform", bias_initializer: Any = "zeros",
                 kernel_regularizer: Any = None, bias_regularizer: Any = None,
                 activity_regularizer: Any = None, kernel_constraint: Any = None,
                 bias_constraint: Any = None, **kwargs: Any) -> None:
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        if kernel_constraint is not None or bias_constraint is not None:
            raise ArgumentError(f"Dense {self.name!r}: weight constraints are not supported")
        self.units = positive_int("Dense", "units", units)
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)

    def build(self, input_shape: tuple) -> None:
        features = input_shape[-1] if input_shape else None
        if not features:
            raise ShapeError(f"Dense {self.name!r}: the last axis of the input must have a "
                             f"known size >= 1, got input shape {input_shape}")
        self.add_weight("kernel", (features, self.units), self.kernel_initializer,
                        regularizer=self.kernel_regularizer)
        if self.use_bias:
            self.add_weight("bias", (self.units,), self.bias_initializer,
                            regularizer=self.bias_regularizer)

    def call(self, inputs: Tensor) -> Tensor:
        kernel = self._parameters["kernel"]
        if inputs.data.shape[-1:] != kernel.data.shape[:1]:
            raise ShapeError(f"Dense {self.name!r} expects {kernel.data.shape[0]} features, got "
                             f"{inputs.data.shape[-1] if inputs.ndim else 0} (an input of shape "
                             f"{inputs.shape})")
        z = apply_n(linalg.Linear, (inputs, kernel, self._parameters.get("bias")), False)
        return self._activate(z, self.activation)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return (*input_shape[:-1], self.units)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "units": self.units,
                "activation": activations.serialize(self.activation), "use_bias": self.use_bias,
                "kernel_initializer": initializers.serialize(self.kernel_initializer),
                "bias_initializer": initializers.serialize(self.bias_initializer),
                "kernel_regularizer": _reg(self.kernel_regularizer),
                "bias_regularizer": _reg(self.bias_regularizer)}


def _reg(regularizer: Any) -> dict | None:
    return None if regularizer is None else regularizers.serialize(regularizer)


class Activation(Layer):
    """Applies an activation function: ``Activation("relu")``, ``Activation("softmax")``."""

    def __init__(self, activation: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.activation = activations.get(activation)

    def call(self, inputs: Tensor) -> Tensor:
        return self._activate(inputs, self.activation)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "activation": activations.serialize(self.activation)}


class Dropout(Layer):
    """Inverted dropout: while training, zero each input with probability ``rate`` and scale
    the rest by 1/(1 - rate); the identity otherwise.  Masks come from deepnum's seeded
    "dropout" stream, or from a private generator when ``seed`` is an integer."""

    def __init__(self, rate: float, noise_shape: Any = None, seed: int | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if isinstance(rate, bool) or not isinstance(rate, int | float) or not 0 <= rate <= 1:
            raise ArgumentError(f"Dropout {self.name!r}: rate must be a number in [0, 1], got "
                                f"{rate!r}")
        if noise_shape is not None:
            raise ArgumentError(f"Dropout {self.name!r}: noise_shape is not supported")
        self.rate, self.seed = float(rate), seed
        self._generator = None if seed is None else dn_random.make_generator(seed, "dropout")

    def call(self, inputs: Tensor, training: bool = False) -> Tensor:
        if not training or self.rate == 0:
            return inputs
        return F.dropout(inputs, self.rate, True, generator=self._generator)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "rate": self.rate, "seed": self.seed}


class Flatten(Layer):
    """(N, d1, d2, ...) -> (N, d1·d2·...): one vector per example."""

    def call(self, inputs: Tensor) -> Tensor:
        return reshape(inputs, (inputs.shape[0], -1)) if inputs.ndim != 2 else inputs

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        rest = input_shape[1:]
        return (input_shape[0], None if None in rest else math.prod(rest))


class Reshape(Layer):
    """(N, ...) -> (N, *target_shape); one entry of ``target_shape`` may be -1."""

    def __init__(self, target_shape: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        try:
            self.target_shape = tuple(int(n) for n in target_shape)
        except (TypeError, ValueError):
            raise ArgumentError(f"Reshape {self.name!r}: target_shape must be a tuple of "
                                f"integers, got {target_shape!r}") from None
        if sum(n == -1 for n in self.target_shape) > 1 or any(
                n < -1 or n == 0 for n in self.target_shape):
            raise ArgumentError(f"Reshape {self.name!r}: target_shape takes sizes >= 1 and at "
                                f"most one -1, got {target_shape!r}")

    def _resolved(self, shape: tuple) -> tuple:
        size = math.prod(shape[1:])
        known = math.prod(n for n in self.target_shape if n != -1)
        if -1 in self.target_shape:
            if size % known:
                raise ShapeError(f"Reshape {self.name!r}: cannot reshape examples of shape "
                                 f"{shape[1:]} ({size} values) into {self.target_shape}")
            return tuple(size // known if n == -1 else n for n in self.target_shape)
        if known != size:
            raise ShapeError(f"Reshape {self.name!r}: cannot reshape examples of shape "
                             f"{shape[1:]} ({size} values) into {self.target_shape} "
                             f"({known} values)")
        return self.target_shape

    def call(self, inputs: Tensor) -> Tensor:
        return reshape(inputs, (inputs.shape[0], *self._resolved(inputs.shape)))

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        if None in input_shape[1:]:
            return (input_shape[0], *(None if n == -1 else n for n in self.target_shape))
        return (input_shape[0], *self._resolved(input_shape))

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "target_shape": list(self.target_shape)}
