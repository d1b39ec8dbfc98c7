"""The registry of layer and model classes that saved files may name.

``load_model`` rebuilds a model only from classes registered here: deepnum's own (each
Layer subclass defined in deepnum registers itself) and those decorated with
``keras.saving.register_keras_serializable``.  A file can name nothing else, so loading
never imports or runs code named in a file.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...errors import ArgumentError, StateError, unknown_name

if TYPE_CHECKING:
    from .base import Layer

_REGISTRY: dict[str, type] = {}  # class name -> class, for rebuilding saved models


def register_class(cls: type, key: str | None = None) -> type:
    """Let ``load_model`` rebuild layers of class ``cls`` (found by ``key``, default its name).
    Nothing else is ever looked up: a file cannot make deepnum import or run code."""
    key = key or cls.__name__
    _REGISTRY[key] = cls
    cls._registered_name = key
    return cls


def get_registered(name: str) -> type:
    """The registered layer or model class called ``name``."""
    cls = _REGISTRY.get(name)
    if cls is None:
        raise unknown_name("layer class", name, _REGISTRY)
    return cls


def serialize_layer(layer: Layer) -> dict[str, Any]:
    """``{"class_name": ..., "config": ...}`` of a layer whose class is registered."""
    key = type(layer).__dict__.get("_registered_name")
    if key is None or _REGISTRY.get(key) is not type(layer):
        raise StateError(
            f"layer {layer.name!r} is of class {type(layer).__name__}, which is not registered, "
            "so a saved file could not rebuild it: decorate the class with "
            "@keras.saving.register_keras_serializable() (and give it get_config), or save "
            "the weights only with save_weights()")
    return {"class_name": key, "config": layer.get_config()}


def deserialize_layer(spec: Any) -> Layer:
    """The layer that :func:`serialize_layer` described (registered classes only)."""
    if not isinstance(spec, dict) or not isinstance(spec.get("class_name"), str) or not (
            isinstance(spec.get("config"), dict)):
        raise ArgumentError(f"a layer is described by {{'class_name': str, 'config': dict}}, "
                            f"got {spec!r:.200}")
    return get_registered(spec["class_name"]).from_config(spec["config"])
