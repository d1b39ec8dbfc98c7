"""Saving Keras-door models: ONE file, no pickle, nothing executed on load.

``model.save(path)`` writes a deepnum file (``deepnum.io``: safetensors arrays + a JSON
document, written atomically) holding

* the weights, named by their path in the model ("dense/kernel", "dense_1/bias");
* the architecture: each layer's ``get_config()`` under its class name (registered classes
  only: loading looks names up in deepnum's registry, it never imports or runs code named
  in a file; register your own classes with :func:`register_keras_serializable`);
* the compile settings (optimizer config, loss, metrics), each optimizer's state (iteration
  count and slot arrays, e.g. RMSprop's "velocity"), and the training history;
* for checkpoints (``ModelCheckpoint``, ``BackupAndRestore``): the number of epochs done and
  ``deepnum.random.get_rng_state()``, so that a run resumed with ``fit(...,
  initial_epoch=epochs_done)`` reaches bit-identical weights.

Any file name is accepted and written in this format (".dnm" is the convention; a
".keras" or ".h5" name gets the same deepnum file, which real Keras cannot read).
``keras.models.load_model(path)`` rebuilds the model, compiled, with its optimizer state:
training can continue.  A subclassed model that is not registered (or has no
``get_config``) cannot be described, so ``save`` refuses it: use ``save_weights``.
``load_model`` of a checkpoint restores the random streams too (``restore_rng=False`` to
keep the current ones); ``model.checkpoint_epoch`` then tells the epochs done.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from .. import random as dn_random
from ..errors import ArgumentError, DeepnumError, FormatError, ShapeError, StateError
from ..io import read_file, write_file
from . import losses as losses_module
from . import metrics as metrics_module
from . import optimizers as optimizers_module
from .backend import snake_case
from .callbacks.base import History
from .layers.base import Layer, get_registered, isolated_call, register_class

FORMAT_VERSION = 1
MODEL, WEIGHTS = "keras-model", "keras-weights"


def register_keras_serializable(package: str = "Custom", name: str | None = None):
    """Class decorator: let ``load_model`` rebuild this layer or model class (by
    "package>name"); the class needs ``get_config`` (and ``from_config`` if its config is
    not just its constructor's arguments)."""
    def decorate(cls: type) -> type:
        if not (isinstance(cls, type) and issubclass(cls, Layer)):
            raise ArgumentError(f"register_keras_serializable: {cls!r} is not a Keras layer "
                                "or model class")
        return register_class(cls, f"{package}>{name or cls.__name__}")
    return decorate


def weight_paths(model: Layer) -> dict[str, Any]:
    """Every weight by its path in the model, in ``model.weights`` order.

    As in Keras 3, the layers of a Sequential or functional model are addressed by class
    and position ("dense/kernel", "dense_1/bias"), not by their automatic names, so the
    weights of one instance load into another instance of the same architecture; the
    layers of a subclassed model by their attribute names ("encoder/kernel")."""
    found: dict[int, str] = {}

    def walk(module: Any, prefix: str) -> None:
        skip = module._non_persistent_buffers_set
        for name, t in [*module._parameters.items(), *module._buffers.items()]:
            if t is not None and name not in skip:
                found.setdefault(id(t), prefix + name)
        counts: dict[str, int] = {}
        for key, child in module._modules.items():
            if child is None:
                continue
            if getattr(module, "_positional_children", False):
                base = snake_case(type(child).__name__)
                n = counts.get(base, 0)
                counts[base] = n + 1
                key = base if n == 0 else f"{base}_{n}"
            walk(child, f"{prefix}{key}/")

    walk(model, "")
    return {found[id(w)]: w for w in model.weights if id(w) in found}


def _check_path(filepath: Any, overwrite: bool) -> str:
    path = os.fspath(filepath)
    if not overwrite and os.path.exists(path):
        raise ArgumentError(f"save: {path!r} exists already; pass overwrite=True to replace it")
    return path


def _optimizers(model: Layer) -> dict[str, tuple[Any, list]]:
    """The model's ``named_optimizers()`` (none for a layer that is not a model)."""
    named = getattr(model, "named_optimizers", None)
    return {} if named is None else named()


def _optimizer_part(model: Layer, paths: dict[str, Any]) -> tuple[dict, dict]:
    """The state of each built Keras optimizer: slot arrays as "<name>/<slot>/<i>" tensors,
    iteration count and the paths of its variables in the JSON."""
    names = {id(t): p for p, t in paths.items()}
    tensors, meta = {}, {}
    for name, (opt, _) in _optimizers(model).items():
        if not isinstance(opt, optimizers_module.Optimizer) or not opt.built:
            continue
        state = opt.state_dict()
        variables = [names.get(id(v)) for v in opt._variables]
        if None in variables:
            raise StateError(f"save: the {name} updates variables that are not weights of "
                             "the model; recompile the model with a fresh optimizer")
        tensors.update({f"{name}/{slot}/{i}": a for slot, arrays in state["slots"].items()
                        for i, a in enumerate(arrays)})
        meta[name] = {"iterations": state["iterations"], "variables": variables,
                      "slots": {slot: len(arrays) for slot, arrays in state["slots"].items()}}
    return tensors, meta


def _compile_part(model: Layer) -> dict | None:
    if not getattr(model, "compiled", False):
        return None
    if not isinstance(model.optimizer, optimizers_module.Optimizer):
        return None  # a PyTorch-door optimizer: its state belongs to deepnum.save
    loss = model._compiled_loss
    return {"optimizer": optimizers_module.serialize(model.optimizer),
            "loss": None if loss is None else losses_module.serialize(loss.loss),
            "loss_weights": None if loss is None else loss.weight,
            **model._compiled_metrics.get_config()}


def _write(model: Layer, filepath: Any, kind: str, overwrite: bool = True,
           checkpoint: dict | None = None, extra: dict | None = None) -> None:
    path = _check_path(filepath, overwrite)
    paths = weight_paths(model)
    tensors = {f"weights/{p}": w.data for p, w in paths.items()}
    opt_tensors, opt_meta = _optimizer_part(model, paths)
    tensors.update(opt_tensors)
    history = getattr(model, "history", None)
    meta: dict[str, Any] = {
        "deepnum": kind, "format_version": FORMAT_VERSION, "weights": list(paths),
        "optimizer_states": opt_meta,
        "history": None if history is None else {"history": history.history,
                                                 "epoch": history.epoch},
        "checkpoint": checkpoint, **(extra or {})}
    write_file(path, tensors, meta)


def save_model(model: Layer, filepath: Any, overwrite: bool = True,
               checkpoint: dict | None = None) -> None:
    """What ``model.save`` does (see the module docstring)."""
    from .layers.base import serialize_layer
    spec = serialize_layer(model)
    build = model._build_input_shape
    _write(model, filepath, MODEL, overwrite, checkpoint,
           {"model": spec, "build_input_shape": None if build is None else list(build),
            "compile": _compile_part(model)})


def save_weights(model: Layer, filepath: Any, overwrite: bool = True,
                 checkpoint: dict | None = None) -> None:
    """What ``model.save_weights`` does: weights (and optimizer state, history,
    checkpoint data), no architecture."""
    if not model.built:
        raise StateError(f"save_weights: model {model.name!r} is not built yet, so it has no "
                         "weights; call it on data (or fit) first")
    _write(model, filepath, WEIGHTS, overwrite, checkpoint)


def checkpoint_data(epochs_done: int) -> dict[str, Any]:
    """The resume information stored in checkpoints: epochs done and the random streams."""
    return {"epoch": int(epochs_done), "rng": dn_random.get_rng_state()}


def _read(filepath: Any) -> tuple[dict, dict, str]:
    path = os.fspath(filepath)
    tensors, meta = read_file(path)
    if not isinstance(meta, dict) or meta.get("deepnum") not in (MODEL, WEIGHTS):
        raise FormatError(f"{path!r} is a deepnum file but not a saved Keras model or weights "
                          "(deepnum.load reads other deepnum files)")
    if meta.get("format_version") != FORMAT_VERSION:
        raise FormatError(f"{path!r}: unsupported model file version "
                          f"{meta.get('format_version')!r} (this deepnum reads {FORMAT_VERSION})")
    return tensors, meta, path


def _restore(model: Layer, tensors: dict, meta: dict, path: str, optimizer: bool,
             history: bool = False) -> None:
    """Copy the weights (and, when asked, the optimizer state and the history) into
    ``model``."""
    paths = weight_paths(model)
    saved = [k.removeprefix("weights/") for k in tensors if k.startswith("weights/")]
    missing, unexpected = sorted(set(paths) - set(saved)), sorted(set(saved) - set(paths))
    if missing or unexpected:
        raise ShapeError(f"{path!r}: the saved weights do not match model {model.name!r}: "
                         f"missing {missing[:5]}, unexpected {unexpected[:5]}")
    for p, w in paths.items():
        array = tensors[f"weights/{p}"]
        if array.shape != w.data.shape:
            raise ShapeError(f"{path!r}: weight {p!r} has shape {array.shape} in the file but "
                             f"{w.data.shape} in the model")
    for p, w in paths.items():
        w.data[...] = tensors[f"weights/{p}"]
    states = meta.get("optimizer_states") or {}
    ids = {id(w): p for p, w in paths.items()}
    for name, (opt, variables) in (_optimizers(model).items() if optimizer else ()):
        state = states.get(name)
        if not state or not isinstance(opt, optimizers_module.Optimizer):
            continue
        if state["variables"] != [ids.get(id(w)) for w in variables]:
            raise FormatError(f"{path!r}: the {name} state is for variables "
                              f"{state['variables'][:5]}..., not the weights it trains here")
        slots = {slot: [tensors[f"{name}/{slot}/{i}"] for i in range(n)]
                 for slot, n in state["slots"].items()}
        opt.load_state_dict({"class_name": type(opt).__name__, "config": opt.get_config(),
                             "iterations": state["iterations"], "slots": slots})
    saved = meta.get("history")
    if history and saved is not None:
        restored = History()
        restored.history, restored.epoch = saved["history"], saved["epoch"]
        model.__dict__["history"] = restored


def load_weights(model: Layer, filepath: Any) -> None:
    """Load weights saved by ``save_weights`` or ``save`` into ``model`` (built first, by a
    call on data, if it is not yet)."""
    tensors, meta, path = _read(filepath)
    if not model.built:
        raise StateError(f"load_weights: model {model.name!r} is not built yet; call it on "
                         "data (or build it) first so its weights exist")
    _restore(model, tensors, meta, path, optimizer=False)


def load_model(filepath: Any, custom_objects: Any = None, compile: bool = True,  # noqa: A002
               safe_mode: bool = True, restore_rng: bool = True) -> Layer:
    """Rebuild the model saved by ``model.save`` (see the module docstring).

    Raises ``NotFoundError`` without a file, ``FormatError`` for anything that is not an
    intact saved model (a pickle, a truncated file, an unknown layer class...).
    """
    if custom_objects:
        raise ArgumentError("load_model: custom_objects are not taken; register custom classes "
                            "with @keras.saving.register_keras_serializable()")
    tensors, meta, path = _read(filepath)
    if meta["deepnum"] != MODEL:
        raise FormatError(f"{path!r} holds weights only (save_weights): build the model, then "
                          "call model.load_weights(path)")
    try:
        spec = meta["model"]
        model = get_registered(spec["class_name"]).from_config(spec["config"])
        shape = meta.get("build_input_shape")
        if not model.built and shape is not None:
            with isolated_call():
                model(np.zeros((1, *shape[1:]), np.float32), training=False)
        settings = meta.get("compile") if compile else None
        if settings is not None:
            model.compile(optimizer=optimizers_module.deserialize(settings["optimizer"]),
                          loss=None if settings["loss"] is None else losses_module.get(
                              settings["loss"]),
                          loss_weights=settings["loss_weights"],
                          metrics=[_metric(m) for m in settings["metrics"]],
                          weighted_metrics=[_metric(m) for m in settings["weighted_metrics"]])
    except (DeepnumError, KeyError, TypeError, ValueError, IndexError) as error:
        if isinstance(error, FormatError):
            raise
        raise FormatError(f"{path!r}: cannot rebuild the saved model: {error}") from None
    _restore(model, tensors, meta, path, optimizer=compile, history=True)
    checkpoint = meta.get("checkpoint")
    model.__dict__["checkpoint_epoch"] = None if checkpoint is None else checkpoint["epoch"]
    if checkpoint is not None and restore_rng:
        dn_random.set_rng_state(checkpoint["rng"])
    return model


def _metric(spec: Any) -> Any:
    return spec if isinstance(spec, str) else metrics_module.get(spec)
