"""``keras.Model``: a Layer that trains (compile/fit/evaluate/predict come from ``Trainer``).

Three ways to make one, as in Keras:

* ``keras.Sequential([...])``: a stack of layers (:mod:`.sequential`);
* ``keras.Model(inputs, outputs)`` on ``keras.Input`` tensors: the functional style
  (:mod:`.functional`);
* subclassing: define layers in ``__init__`` and ``call(self, x, training=False)``.

>>> import numpy as np
>>> from deepnum import keras
>>> from deepnum.keras import layers
>>> class MLP(keras.Model):
...     def __init__(self):
...         super().__init__()
...         self.hidden = layers.Dense(8, activation="relu")
...         self.out = layers.Dense(3, activation="softmax")
...     def call(self, x, training=False):
...         return self.out(self.hidden(x))
>>> model = MLP()
>>> model.predict(np.ones((2, 4)), verbose=0).shape
(2, 3)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..._tensor import Tensor, _wrap
from ...errors import ArgumentError, ShapeError, StateError
from .. import optimizers as optimizers_module
from ..layers.base import Layer, _context, isolated_call
from ..metrics import Mean
from .compile_utils import CompiledLoss, CompiledMetrics
from .trainer import Trainer


class Model(Trainer, Layer):
    """Base class of Keras-door models (see the module docstring)."""

    _autocast = False

    def __new__(cls, *args: Any, **kwargs: Any) -> Model:
        if cls is Model and (len(args) >= 2 or "inputs" in kwargs or "outputs" in kwargs):
            from .functional import Functional
            return super().__new__(Functional)  # Python then runs Functional.__init__
        return super().__new__(cls)

    def __init__(self, *, name: str | None = None, trainable: bool = True, **kwargs: Any) -> None:
        super().__init__(name=name, trainable=trainable, **kwargs)
        d = self.__dict__
        d["optimizer"] = None
        d["compiled"] = False
        d["_compiled_loss"] = None
        d["_compiled_metrics"] = None
        d["_loss_tracker"] = Mean(name="loss")
        d["_fused"] = None  # (output, (logits, activation)) of the last call
        d["stop_training"] = False
        d["history"] = None
        d["_initial_epoch"] = None
        d["_callbacks"] = None
        d["_fit_params"] = None  # during fit: the trainable weights (when unregularized)

    # ----- the outermost call ------------------------------------------------------------
    def __call__(self, inputs: Any, *args: Any, training: bool | None = None,
                 **kwargs: Any) -> Any:
        ctx = _context
        if training is not None:
            kwargs["training"] = training
        prev = ctx.training
        if training is not None:
            ctx.training = training
        outermost = ctx.depth == 0
        if outermost:
            loss = self._compiled_loss
            ctx.logits = {} if loss is not None and loss.activation else None
        try:
            out = Layer.__call__(self, inputs, *args, **kwargs)
        finally:
            ctx.training = prev
            if outermost:
                logits, ctx.logits = ctx.logits, None
        if outermost:
            self.__dict__["_fused"] = (out, logits.get(id(out))) if logits else None
        return out

    def call(self, inputs: Tensor, training: bool = False) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__} must define call(self, inputs, "
                                  "training=False) (or be built with Sequential or "
                                  "Model(inputs, outputs))")

    # ----- compiling ---------------------------------------------------------------------
    def compile(self, optimizer: Any = "rmsprop", loss: Any = None, loss_weights: Any = None,
                metrics: Any = None, weighted_metrics: Any = None, run_eagerly: bool = False,
                steps_per_execution: int = 1, jit_compile: Any = "auto",
                auto_scale_loss: bool = True) -> None:
        """Choose the optimizer ("rmsprop" or an instance), the loss and the metrics.
        (``run_eagerly``, ``steps_per_execution`` and ``jit_compile`` are accepted for Keras
        code and have no effect: deepnum always runs eagerly.)"""
        if hasattr(optimizer, "step") and hasattr(optimizer, "zero_grad"):
            opt = optimizer  # a PyTorch-door optimizer built on the model's parameters
        else:
            opt = optimizers_module.get(optimizer)
            if opt is None:
                raise ArgumentError("compile: an optimizer is needed, got optimizer=None")
        d = self.__dict__
        d["_compiled_loss"] = None if loss is None else CompiledLoss(loss, loss_weights)
        d["_compiled_metrics"] = CompiledMetrics(metrics, weighted_metrics)
        d["optimizer"] = opt
        d["_loss_tracker"] = Mean(name="loss")
        d["compiled"] = True
        d["_compile_args"] = {"loss": loss, "loss_weights": loss_weights}

    @property
    def loss(self) -> Any:
        return None if self._compiled_loss is None else self._compiled_loss.loss

    def _require_compiled(self, method: str) -> None:
        if not self.compiled:
            raise StateError(f"{method}: model {self.name!r} must be compiled first: call "
                             "model.compile(optimizer=..., loss=..., metrics=[...])")
        if self._compiled_loss is None and type(self).train_step is Trainer.train_step:
            raise StateError(f"{method}: model {self.name!r} was compiled without a loss; "
                             "pass compile(loss=...)")

    # ----- metrics -----------------------------------------------------------------------
    @property
    def metrics(self) -> list:
        """The loss tracker, then the compiled metrics (once resolved)."""
        compiled = self._compiled_metrics
        resolved = [m for m, _ in (compiled.metrics or ())] if compiled else []
        return [self._loss_tracker, *resolved]

    @property
    def metrics_names(self) -> list[str]:
        compiled = self._compiled_metrics
        return ["loss", *(compiled.names() if compiled else [])]

    def reset_metrics(self) -> None:
        """Reset every metric of ``self.metrics`` (a model that tracks its own, such as a
        GAN, overrides only the ``metrics`` property)."""
        for metric in self.metrics:
            metric.reset_state()

    def get_metrics_result(self) -> dict[str, float]:
        """The current value of every metric of ``self.metrics``, keys sorted (as Keras 3
        logs them)."""
        return dict(sorted((m.name, float(m.result())) for m in self.metrics))

    # ----- structure ---------------------------------------------------------------------
    @property
    def layers(self) -> list[Layer]:
        """The layers directly inside this model, in order."""
        return [m for m in self._modules.values() if isinstance(m, Layer)]

    def get_layer(self, name: str | None = None, index: int | None = None) -> Layer:
        """A layer by ``name`` or by position ``index``."""
        layers = self.layers
        if index is not None:
            if not -len(layers) <= index < len(layers):
                raise ArgumentError(f"get_layer: index {index} is out of range for "
                                    f"{len(layers)} layers")
            return layers[index]
        for layer in layers:
            if layer.name == name:
                return layer
        raise ArgumentError(f"get_layer: no layer named {name!r} (layers: "
                            f"{[layer.name for layer in layers]})")

    def build(self, input_shape: tuple) -> None:
        """Build every layer for inputs of ``input_shape`` (batch axis None) by running zeros
        of one example through the model (no gradient, inference mode); ``fit`` and the
        first call do this for you."""
        if any(n is None for n in input_shape[1:]):
            return
        with isolated_call():
            self.call(_wrap(np.zeros((1, *input_shape[1:]), self._dtype)), training=False)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        """The output shape for ``input_shape``, found by running zeros of one example
        through the model (so a model can be a layer of a functional model)."""
        if any(n is None for n in input_shape[1:]):
            raise ShapeError(f"model {self.name!r}: cannot infer the output shape of inputs "
                             f"of shape {input_shape} (unknown sizes)")
        with isolated_call():
            out = self.call(_wrap(np.zeros((1, *input_shape[1:]), self._dtype)), training=False)
        return (input_shape[0], *out.shape[1:])

    def summary(self, line_length: int | None = None, positions: Any = None,
                print_fn: Any = None, expand_nested: bool = False,
                show_trainable: bool = False) -> None:
        """Print each layer's name (type), output shape and parameter count, and the totals."""
        from .summary import summary_text
        text = summary_text(self, line_length, show_trainable)
        (print_fn or print)(text)

    # ----- saving ------------------------------------------------------------------------
    def get_build_config(self) -> dict[str, Any] | None:
        shape = self._build_input_shape
        return None if shape is None else {"input_shape": list(shape)}

    def save(self, filepath: Any, overwrite: bool = True) -> None:
        """Save architecture, weights, compile settings, optimizer state and history to ONE
        file (see ``deepnum.keras.saving``)."""
        from ..saving import save_model
        save_model(self, filepath, overwrite=overwrite)

    def save_weights(self, filepath: Any, overwrite: bool = True) -> None:
        """Save the weights only (any model, subclassed ones included)."""
        from ..saving import save_weights
        save_weights(self, filepath, overwrite=overwrite)

    def load_weights(self, filepath: Any) -> None:
        """Load weights saved by ``save_weights`` or ``save`` into this (built) model."""
        from ..saving import load_weights
        load_weights(self, filepath)
