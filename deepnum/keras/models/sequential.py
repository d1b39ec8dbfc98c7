"""``keras.Sequential``: layers applied one after the other.

>>> from deepnum import keras
>>> from deepnum.keras import layers
>>> model = keras.Sequential([keras.Input(shape=(784,)),
...                           layers.Dense(512, activation="relu"),
...                           layers.Dense(10, activation="softmax")])
>>> [layer.count_params() for layer in model.layers]
[401920, 5130]
"""

from __future__ import annotations

from typing import Any

from ..._tensor import Tensor
from ...errors import ArgumentError, StateError
from ..layers.base import Layer, deserialize_layer, serialize_layer
from ..layers.input import InputLayer, KerasTensor
from .model import Model


class Sequential(Model):
    """A stack of layers: ``call(x) = layers[-1](...layers[0](x))``.

    The input shape comes from a first ``keras.Input(shape=...)`` (or ``InputLayer``, or a
    first layer's Keras 2 ``input_shape=`` argument), and the model is then built at once;
    otherwise it is built on its first call.  Layer names must be distinct (they name the
    weights in saved files: "dense/kernel").
    """

    _positional_children = True  # weights saved as dense/kernel, dense_1/kernel...

    def __init__(self, layers: list | None = None, trainable: bool = True,
                 name: str | None = None) -> None:
        super().__init__(name=name, trainable=trainable)
        self.__dict__["_layer_list"] = []
        self.__dict__["_input_layer"] = None
        for layer in layers or ():
            self.add(layer)

    def add(self, layer: Any, rebuild: bool = True) -> None:
        """Append ``layer`` (a Layer, or a ``keras.Input`` tensor as the first item)."""
        if isinstance(layer, KerasTensor) and layer.parent is None:
            layer = layer.layer
        if isinstance(layer, InputLayer):
            if self._layer_list or self._input_layer is not None:
                raise ArgumentError(f"Sequential {self.name!r}: an Input/InputLayer can only be "
                                    "the first item")
            self.__dict__["_input_layer"] = layer
            return
        if not isinstance(layer, Layer):
            raise ArgumentError(f"Sequential {self.name!r}: can only add Keras layers, got "
                                f"{type(layer).__name__} {layer!r:.60}")
        if any(other.name == layer.name for other in self._layer_list):
            raise ArgumentError(f"Sequential {self.name!r}: all layers must have distinct names;"
                                f" {layer.name!r} is there already")
        self.add_module(layer.name, layer)
        self._layer_list.append(layer)
        if len(self._layer_list) == 1 and self._input_layer is None and (
                layer._input_shape_arg is not None):
            self.__dict__["_input_layer"] = InputLayer(shape=layer._input_shape_arg)
        if rebuild and self._input_layer is not None:
            self._build_on(self._input_layer.batch_shape)

    def pop(self) -> Layer:
        """Remove and return the last layer."""
        if not self._layer_list:
            raise StateError(f"Sequential {self.name!r}: there is no layer to pop")
        layer = self._layer_list.pop()
        del self._modules[layer.name]
        return layer

    @property
    def layers(self) -> list[Layer]:
        """The layers (without the input layer), in order."""
        return list(self._layer_list)

    @property
    def input_shape(self) -> tuple | None:
        return None if self._input_layer is None else self._input_layer.batch_shape

    def call(self, inputs: Tensor, training: bool = False) -> Tensor:
        x = inputs
        for layer in self._layer_list:
            x = layer(x, training=training)
        return x

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "trainable": self.trainable,
                "input_shape": None if self._input_layer is None
                else list(self._input_layer.batch_shape),
                "layers": [serialize_layer(layer) for layer in self._layer_list]}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Sequential:
        model = cls(name=config.get("name"), trainable=config.get("trainable", True))
        if config.get("input_shape") is not None:
            model.add(InputLayer(batch_shape=config["input_shape"]))
        for spec in config.get("layers", []):
            model.add(deserialize_layer(spec), rebuild=False)
        if model._input_layer is not None:
            model._build_on(model._input_layer.batch_shape)
        return model
