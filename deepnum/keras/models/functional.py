"""The functional style: ``keras.Model(inputs, outputs)`` on ``keras.Input`` tensors.

Each symbolic tensor remembers the layer that made it and that layer's input, so the path
from ``outputs`` back to ``inputs`` is the chain of layers the model runs.  (deepnum's
layers take one input each, so that path is the whole model; several inputs or outputs
are not supported yet.)

>>> from deepnum import keras
>>> from deepnum.keras import layers
>>> inputs = keras.Input(shape=(784,))
>>> x = layers.Dense(64, activation="relu")(inputs)
>>> outputs = layers.Dense(10, activation="softmax")(x)
>>> model = keras.Model(inputs, outputs)
>>> [type(layer).__name__ for layer in model.layers]
['InputLayer', 'Dense', 'Dense']
"""

from __future__ import annotations

from typing import Any

from ..._tensor import Tensor
from ...errors import ArgumentError
from ..layers.base import deserialize_layer, serialize_layer
from ..layers.input import InputLayer, KerasTensor
from .model import Model


def _one(value: Any, what: str) -> KerasTensor:
    if isinstance(value, list | tuple) and len(value) == 1:
        value = value[0]
    if isinstance(value, dict) and len(value) == 1:
        value = next(iter(value.values()))
    if not isinstance(value, KerasTensor):
        raise ArgumentError(f"Model({what}=...): expected one keras.Input tensor (or the "
                            f"result of layers called on it), got {type(value).__name__}"
                            + (f" of {len(value)}" if isinstance(value, list | tuple) else "")
                            + "; models with several inputs or outputs are not supported")
    return value


class Functional(Model):
    """A model defined by a graph of layers from ``inputs`` to ``outputs``."""

    _positional_children = True  # weights saved as dense/kernel, dense_1/kernel...

    def __init__(self, inputs: Any, outputs: Any, name: str | None = None,
                 trainable: bool = True) -> None:
        super().__init__(name=name, trainable=trainable)
        inputs, outputs = _one(inputs, "inputs"), _one(outputs, "outputs")
        chain = []
        node = outputs
        while node is not None and node is not inputs:
            chain.append(node)
            node = node.parent
        if node is None or not isinstance(inputs.layer, InputLayer):
            raise ArgumentError("Model(inputs, outputs): outputs are not computed from inputs "
                                "(the layers leading to outputs start from another Input)")
        chain.reverse()
        self.add_module(inputs.layer.name, inputs.layer)
        for kt in chain:
            if kt.layer.name in self._modules and self._modules[kt.layer.name] is not kt.layer:
                raise ArgumentError(f"Model(inputs, outputs): two layers are named "
                                    f"{kt.layer.name!r}; layer names must be distinct")
            self.add_module(kt.layer.name, kt.layer)
        d = self.__dict__
        d["_nodes"] = [(kt.layer, kt.args, kt.kwargs) for kt in chain]
        d["inputs"], d["outputs"] = inputs, outputs
        d["_build_input_shape"] = inputs.shape
        d["built"] = True

    def call(self, inputs: Tensor, training: bool | None = None) -> Tensor:
        x = inputs
        for layer, args, kwargs in self._nodes:
            x = layer(x, *args, **({"training": training, **kwargs}))
        return x

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "trainable": self.trainable,
                "input_layer": self.inputs.layer.get_config(),
                "layers": [serialize_layer(layer) for layer, _, _ in self._nodes]}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Functional:
        inputs = InputLayer(**config["input_layer"]).output
        x = inputs
        for spec in config["layers"]:
            x = deserialize_layer(spec)(x)
        return cls(inputs, x, name=config.get("name"), trainable=config.get("trainable", True))
