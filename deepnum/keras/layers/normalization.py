"""``BatchNormalization`` with Keras's conventions (momentum of the moving averages, biased
moving variance, epsilon 1e-3, channels on the last axis)."""

from __future__ import annotations

from typing import Any

from ..._tensor import Tensor, apply_n
from ...errors import ArgumentError, ShapeError
from ...ops import nn as nn_ops
from .. import initializers, regularizers
from .base import Layer


class BatchNormalization(Layer):
    """Batch normalisation (Ioffe & Szegedy, 2015) of the features on ``axis``:

        y = gamma·(x - mean)/sqrt(var + epsilon) + beta

    Training (``training=True`` and the layer trainable): mean and (biased) var of the
    batch over every other axis, and the moving averages move as Keras does,
    ``moving = momentum·moving + (1 - momentum)·batch`` (PyTorch's BatchNorm1d calls
    ``1 - momentum`` its momentum, and tracks the unbiased variance).  Otherwise:
    the moving averages.  Weights: ``gamma`` (if ``scale``), ``beta`` (if ``center``),
    and the non-trainable ``moving_mean`` and ``moving_variance``.
    """

    def __init__(self, axis: int = -1, momentum: float = 0.99, epsilon: float = 1e-3,
                 center: bool = True, scale: bool = True, beta_initializer: Any = "zeros",
                 gamma_initializer: Any = "ones", moving_mean_initializer: Any = "zeros",
                 moving_variance_initializer: Any = "ones", beta_regularizer: Any = None,
                 gamma_regularizer: Any = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not 0 <= momentum <= 1:
            raise ArgumentError(f"BatchNormalization {self.name!r}: momentum must be in "
                                f"[0, 1], got {momentum!r}")
        if not epsilon > 0:
            raise ArgumentError(f"BatchNormalization {self.name!r}: epsilon must be > 0, got "
                                f"{epsilon!r}")
        self.axis, self.momentum, self.epsilon = int(axis), float(momentum), float(epsilon)
        self.center, self.scale = bool(center), bool(scale)
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.moving_mean_initializer = initializers.get(moving_mean_initializer)
        self.moving_variance_initializer = initializers.get(moving_variance_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)

    def build(self, input_shape: tuple) -> None:
        rank = len(input_shape)
        if not -rank <= self.axis < rank or self.axis % rank == 0:
            raise ShapeError(f"BatchNormalization {self.name!r}: axis {self.axis} is not a "
                             f"feature axis of inputs of shape {input_shape}")
        axis = self.axis % rank
        features = input_shape[axis]
        if features is None:
            raise ShapeError(f"BatchNormalization {self.name!r}: axis {self.axis} of the input "
                             f"must have a known size, got input shape {input_shape}")
        self._axes = tuple(i for i in range(rank) if i != axis)
        self._pshape = tuple(features if i == axis else 1 for i in range(rank))
        shape = (features,)
        if self.scale:
            self.add_weight("gamma", shape, self.gamma_initializer,
                            regularizer=self.gamma_regularizer)
        if self.center:
            self.add_weight("beta", shape, self.beta_initializer,
                            regularizer=self.beta_regularizer)
        self.add_weight("moving_mean", shape, self.moving_mean_initializer, trainable=False)
        self.add_weight("moving_variance", shape, self.moving_variance_initializer,
                        trainable=False)

    def call(self, inputs: Tensor, training: bool = False) -> Tensor:
        x = inputs.data
        if x.ndim != len(self._pshape) or x.shape[self.axis] != max(self._pshape):
            raise ShapeError(f"BatchNormalization {self.name!r} expects inputs of rank "
                             f"{len(self._pshape)} with {max(self._pshape)} features on axis "
                             f"{self.axis}, got shape {x.shape}")
        moving_mean = self._buffers["moving_mean"].data
        moving_var = self._buffers["moving_variance"].data
        batch = bool(training) and self.trainable
        if batch:
            mean = x.mean(axis=self._axes, keepdims=True)
            var = x.var(axis=self._axes, keepdims=True)
            m = self.momentum
            moving_mean *= m
            moving_mean += (1 - m) * mean.reshape(moving_mean.shape)
            moving_var *= m
            moving_var += (1 - m) * var.reshape(moving_var.shape)
        else:
            mean = moving_mean.reshape(self._pshape)
            var = moving_var.reshape(self._pshape)
        gamma, beta = self._parameters.get("gamma"), self._parameters.get("beta")
        return apply_n(nn_ops.Normalize, (inputs, gamma, beta), mean.astype(x.dtype),
                       var.astype(x.dtype), self.epsilon, self._axes, self._pshape, batch)

    def get_config(self) -> dict[str, Any]:
        ser = initializers.serialize
        reg = regularizers.serialize
        return {**super().get_config(), "axis": self.axis, "momentum": self.momentum,
                "epsilon": self.epsilon, "center": self.center, "scale": self.scale,
                "beta_initializer": ser(self.beta_initializer),
                "gamma_initializer": ser(self.gamma_initializer),
                "moving_mean_initializer": ser(self.moving_mean_initializer),
                "moving_variance_initializer": ser(self.moving_variance_initializer),
                "beta_regularizer": None if self.beta_regularizer is None
                else reg(self.beta_regularizer),
                "gamma_regularizer": None if self.gamma_regularizer is None
                else reg(self.gamma_regularizer)}
