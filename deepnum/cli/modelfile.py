"""What the commands share: the data sets as the MLP sees them, the MLP itself, and model
files that carry what ``evaluate``, ``predict`` and ``info`` need.

``deepnum train`` saves the model with ``model.save`` (a deepnum file: safetensors weights
plus a JSON document) and adds to that document a ``"cli"`` entry: the data set, its class
names, the image shape, the settings and the final scores.  A model saved from Python has
no such entry; the commands then take the data set from ``--dataset`` and the image shape
from the model's input (a square when the input is flat and its size a square number).
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import FormatError, NotFoundError, ShapeError
from ..io import read_file, write_file

CLI_KEY = "cli"


@dataclass
class DataSet:
    """A data set as the MLP takes it: images flattened and scaled to [0, 1] (float32)."""

    name: str
    class_names: list[str]
    image_shape: tuple[int, int]
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray


def flat(images: np.ndarray) -> np.ndarray:
    """(N, H, W) pixels 0–255 -> (N, H*W) float32 in [0, 1] (the tutorial's ``x / 255``)."""
    return images.reshape(len(images), -1).astype(np.float32) / np.float32(255)


def load_dataset(name: str, data_dir: str | None = None) -> DataSet:
    """Load the data set ``name`` (see ``deepnum.datasets.load``), flattened and scaled."""
    from .. import datasets

    module = getattr(datasets, name.replace("-", "_"))  # digits, mnist, fashion_mnist
    try:
        (x_train, y_train), (x_test, y_test) = datasets.load(name, data_dir)
    except NotFoundError as error:
        raise NotFoundError(f"{error} (On the command line: --data-dir DIR.)") from None
    return DataSet(name, list(module.CLASS_NAMES), tuple(x_train.shape[1:]), flat(x_train),
                   y_train, flat(x_test), y_test)


def build_mlp(features: int, hidden: list[int], activation: str, classes: int) -> Any:
    """``Sequential([Input((features,)), Dense(h, activation) for h in hidden...,
    Dense(classes, "softmax")])``, layers named hidden_1..., output."""
    from ..keras import Input, Sequential, layers

    stack = [layers.Dense(h, activation=activation, name=f"hidden_{i + 1}")
             for i, h in enumerate(hidden)]
    return Sequential([Input(shape=(features,)), *stack,
                       layers.Dense(classes, activation="softmax", name="output")], name="mlp")


def save(model: Any, path: str, info: dict[str, Any]) -> None:
    """``model.save(path)``, then ``info`` added to the file's JSON document (each write
    atomic: a reader never sees half a file)."""
    model.save(path)
    tensors, meta = read_file(path)
    meta[CLI_KEY] = info
    write_file(path, tensors, meta)


@dataclass
class SavedModel:
    """A loaded model file: the compiled model and what ``deepnum train`` recorded."""

    path: str
    model: Any
    info: dict[str, Any] = field(default_factory=dict)
    history: dict[str, list] | None = None

    @property
    def input_shape(self) -> tuple[int, ...]:
        """One example's input shape, e.g. (64,)."""
        config = self.model.get_build_config() or {}
        shape = config.get("input_shape")
        if not shape or any(n is None for n in shape[1:]):
            raise ShapeError(f"{self.path}: the model records no input shape")
        return tuple(shape[1:])

    @property
    def image_shape(self) -> tuple[int, int] | None:
        """The (H, W) of the images the model takes, or None if unknown."""
        if "image_shape" in self.info:
            return tuple(self.info["image_shape"])
        shape = self.input_shape
        if len(shape) == 2:
            return shape
        side = math.isqrt(shape[0]) if len(shape) == 1 else 0
        return (side, side) if side and side * side == shape[0] else None

    def class_names(self, n: int) -> list[str]:
        names = self.info.get("class_names")
        return list(names) if isinstance(names, list) and len(names) == n else [
            str(i) for i in range(n)]

    def inputs(self, images: np.ndarray) -> np.ndarray:
        """(N, H, W) images in [0, 1] as the model's input batch (flattened if it is)."""
        return images.reshape(len(images), *self.input_shape).astype(np.float32)


def load(path: str) -> SavedModel:
    """Load a model saved by ``deepnum train`` (or by ``model.save``), compiled."""
    from ..keras.models import load_model

    _, meta = read_file(path)
    if isinstance(meta, dict) and meta.get("deepnum") == "keras-weights" and meta.get(
            "checkpoint"):
        raise FormatError(f"{path} is a training checkpoint (weights and training state), not "
                          "a model; continue its run with deepnum train --checkpoint-dir DIR "
                          "--resume")
    model = load_model(path)
    info = meta.get(CLI_KEY)
    history = getattr(model, "history", None)
    return SavedModel(os.fspath(path), model, info if isinstance(info, dict) else {},
                      None if history is None else history.history)


def ensure_compiled(model: Any) -> None:
    """Compile a model saved without compile settings the way ``deepnum train`` does."""
    if not model.compiled:
        model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy",
                      metrics=["accuracy"])
