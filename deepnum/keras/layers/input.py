"""``keras.Input`` and ``InputLayer``: a symbolic input that records the layers applied to it.

``x = keras.Input(shape=(784,))`` is a ``KerasTensor``: a shape (batch axis None) with no
data.  Calling a layer on it builds the layer for that shape and returns a new KerasTensor
that remembers the layer and its input, so ``keras.Model(inputs, outputs)`` can replay the
chain on real data (the functional style).  As the first item of ``Sequential`` it gives
the model its input shape.

>>> from deepnum import keras
>>> from deepnum.keras import layers
>>> x = keras.Input(shape=(784,))
>>> y = layers.Dense(10)(x)
>>> y.shape
(None, 10)
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np

from ...errors import ArgumentError
from .base import Layer, _shape_tuple, format_shape

_order = itertools.count()


class KerasTensor:
    """A symbolic tensor: ``shape`` (batch axis None), ``dtype``, and the layer that made it
    from its ``parent`` (None for an input)."""

    def __init__(self, shape: tuple, dtype: Any, layer: Layer, parent: KerasTensor | None,
                 args: tuple = (), kwargs: dict | None = None) -> None:
        self.shape = tuple(shape)
        self.dtype = np.dtype(dtype).name
        self.layer, self.parent = layer, parent
        self.args, self.kwargs = args, dict(kwargs or {})
        self.order = next(_order)

    @property
    def ndim(self) -> int:
        return len(self.shape)

    def through(self, layer: Layer, *args: Any, **kwargs: Any) -> KerasTensor:
        """The symbolic result of ``layer(self)``: builds the layer for this shape."""
        if not layer.built:
            layer._build_on(self.shape)
        else:
            layer._check_input_shape(self.shape, layer._build_input_shape)
        shape = layer.compute_output_shape(self.shape)
        return KerasTensor(shape, layer.dtype, layer, self, args, kwargs)

    def __repr__(self) -> str:
        return f"<KerasTensor shape={format_shape(self.shape)}, dtype={self.dtype}>"

    def __array__(self, *args: Any, **kwargs: Any):
        raise TypeError("a KerasTensor (from keras.Input) is symbolic and holds no data: build "
                        "a keras.Model(inputs, outputs) and call it on arrays")


class InputLayer(Layer):
    """The layer behind ``keras.Input``: no weights, its output is the symbolic input.

    shape: one example's shape, e.g. ``(784,)``; or ``batch_shape`` with the batch axis.
    """

    def __init__(self, shape: Any = None, batch_size: int | None = None, dtype: Any = None,
                 batch_shape: Any = None, name: str | None = None, **kwargs: Any) -> None:
        if shape is None and batch_shape is None:
            raise ArgumentError("InputLayer: give shape= (one example's shape, e.g. (784,)) "
                                "or batch_shape=")
        if shape is not None and batch_shape is not None:
            raise ArgumentError(f"InputLayer: give shape= or batch_shape=, not both (got "
                                f"shape={shape!r}, batch_shape={batch_shape!r})")
        if batch_shape is None:
            shape = (shape,) if isinstance(shape, int) else shape
            batch_shape = (batch_size, *_shape_tuple(shape, "InputLayer: shape"))
        super().__init__(name=name, dtype=dtype, **kwargs)
        self.batch_shape = _shape_tuple(batch_shape, "InputLayer: batch_shape")
        self.built = True
        self.__dict__["_build_input_shape"] = self.batch_shape
        self.output = KerasTensor(self.batch_shape, self.dtype, self, None)

    def call(self, inputs: Any) -> Any:
        return inputs

    def get_config(self) -> dict[str, Any]:
        return {"batch_shape": list(self.batch_shape), "dtype": self.dtype, "name": self.name}


def Input(shape: Any = None, batch_size: int | None = None, dtype: Any = None,  # noqa: N802
          batch_shape: Any = None, name: str | None = None) -> KerasTensor:
    """A symbolic input of one example's ``shape`` (Keras's ``keras.Input``)."""
    layer = InputLayer(shape=shape, batch_size=batch_size, dtype=dtype,
                       batch_shape=batch_shape, name=name)
    return layer.output
