"""The Keras-style door: code written for the classic Keras tutorial runs with only the
import changed (``tensorflow`` -> ``deepnum``).

>>> from deepnum import keras
>>> from deepnum.keras import layers
>>> model = keras.Sequential([keras.Input(shape=(784,)),
...                           layers.Dense(512, activation="relu"),
...                           layers.Dense(10, activation="softmax")])
>>> model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy",
...               metrics=["accuracy"])

Layers are ``deepnum.nn.Module``s, so both doors share one engine.  Semantics and names
follow Keras 3; see each module for what differs (saving writes deepnum's own single-file
format; the progress bar is ASCII).
"""

from . import (
    activations,
    backend,
    callbacks,
    datasets,
    initializers,
    layers,
    losses,
    metrics,
    models,
    optimizers,
    regularizers,
    saving,
    utils,
)
from .layers import Input, Layer
from .models import Model, Sequential

__all__ = ["Input", "Layer", "Model", "Sequential", "activations", "backend", "callbacks",
           "datasets", "initializers", "layers", "losses", "metrics", "models", "optimizers",
           "regularizers", "saving", "utils"]
