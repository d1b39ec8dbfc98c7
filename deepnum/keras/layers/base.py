"""``Layer``: the base of every Keras-door layer and model, a ``deepnum.nn.Module``.

Keras's habit (STYLE 7): ``__init__`` stores and checks the configuration, ``build(input_shape)``
creates the weights once the input size is known (the first call), ``call`` is a few lines.
Because a Layer is a Module, weights are ``Parameter``s (trainable) or buffers
(non-trainable, e.g. BatchNormalization's moving averages) found by the one engine, so
PyTorch-door tools (``parameters()``, ``state_dict()``, ``deepnum.optim``) work on Keras
layers too.

Layers read the call context (:mod:`.context`) that the outermost model call sets up, and
register themselves for saved files (:mod:`.registry`).

>>> import deepnum as dn
>>> from deepnum.keras import layers
>>> dense = layers.Dense(3)
>>> dense.built
False
>>> dense(dn.ones(2, 5)).shape, dense.kernel.shape
((2, 3), (5, 3))
"""

from __future__ import annotations

import functools
import inspect
from typing import Any

import numpy as np

from ..._tensor import Tensor, _wrap, as_array
from ...errors import ArgumentError, ShapeError, StateError
from ...nn.module import Module
from ...nn.parameter import Parameter
from .. import activations, initializers, regularizers
from ..backend import auto_name
from .context import _context, isolated_call
from .registry import deserialize_layer, get_registered, register_class, serialize_layer

# also importable from here (other packages build on them)
__all__ = ["Layer", "_context", "deserialize_layer", "format_shape", "get_registered",
           "isolated_call", "positive_int", "register_class", "serialize_layer"]

def _shape_tuple(shape: Any, what: str) -> tuple[int | None, ...]:
    try:
        out = tuple(None if n is None else int(n) for n in shape)
    except TypeError:
        raise ArgumentError(f"{what} must be a tuple of integers (or None), got "
                            f"{shape!r}") from None
    if any(n is not None and n < 0 for n in out):
        raise ArgumentError(f"{what} must not hold negative sizes, got {shape!r}")
    return out


def positive_int(owner: str, name: str, value: Any) -> int:
    """``value`` as an int >= 1, or an ArgumentError naming the owner and the argument."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        raise ArgumentError(f"{owner}: {name} must be a positive integer, got {value!r}")
    return int(value)


class Layer(Module):
    """Base class of the Keras-door layers (see the module docstring).

    Subclasses override ``build(input_shape)`` (create weights with :meth:`add_weight`),
    ``call(inputs[, training])`` and, if they take arguments, ``get_config``.  Keyword
    arguments of every layer: ``name`` (default: the snake-case class name, numbered),
    ``trainable``, ``dtype`` (float32), ``activity_regularizer``, and Keras 2's
    ``input_shape``/``input_dim`` (the shape of one example, for a first layer).
    """

    _call_has_training = False
    _autocast = True  # cast inputs to the layer's dtype (models leave that to their layers)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._call_has_training = "training" in inspect.signature(cls.call).parameters
        build = cls.__dict__.get("build")
        if build is not None:  # as Keras: build() marks the layer built, however it is called
            @functools.wraps(build)
            def built_after(self: Layer, input_shape: Any, *args: Any, **kw: Any) -> None:
                shape = (None, *tuple(input_shape)[1:]) if input_shape else input_shape
                build(self, shape, *args, **kw)
                self.__dict__["_build_input_shape"] = shape
                self.__dict__["built"] = True
            cls.build = built_after
        if cls.__module__.startswith("deepnum."):
            register_class(cls)

    def __init__(self, *, name: str | None = None, trainable: bool = True, dtype: Any = None,
                 activity_regularizer: Any = None, input_shape: Any = None,
                 input_dim: int | None = None, batch_input_shape: Any = None,
                 **kwargs: Any) -> None:
        super().__init__()
        owner = type(self).__name__
        if kwargs:
            raise ArgumentError(f"{owner}: unrecognized keyword argument(s) {sorted(kwargs)}")
        if name is not None and (not isinstance(name, str) or not name or "." in name
                                 or "/" in name):
            raise ArgumentError(f"{owner}: name must be a non-empty string without '.' or "
                                f"'/', got {name!r}")
        d = self.__dict__
        d["name"] = name or auto_name(owner)
        d["_dtype"] = np.dtype(dtype or "float32")
        if d["_dtype"].kind != "f":
            raise ArgumentError(f"{owner}: dtype must be a floating-point type, got {dtype!r}")
        d["_trainable"] = bool(trainable)
        d["built"] = False
        d["_weight_names"] = []  # in creation order
        d["_weight_trainable"] = {}
        d["_regularizers"] = {}  # weight name -> regularizer
        d["_build_input_shape"] = None
        d["_call_losses"] = []
        d["_output_shape"] = None  # of the last call, without the batch axis
        d["activity_regularizer"] = regularizers.get(activity_regularizer)
        if input_dim is not None:
            input_shape = (input_dim,)
        if batch_input_shape is not None:
            input_shape = tuple(batch_input_shape)[1:]
        d["_input_shape_arg"] = (None if input_shape is None
                                 else _shape_tuple(input_shape, f"{owner}: input_shape"))

    # ----- configuration ------------------------------------------------------------------
    @property
    def dtype(self) -> str:
        return self._dtype.name

    @property
    def trainable(self) -> bool:
        return self._trainable

    @trainable.setter
    def trainable(self, value: bool) -> None:
        """Freeze (False) or unfreeze this layer and every layer inside it."""
        self.__dict__["_trainable"] = bool(value)
        for name in self._weight_names:
            if self._weight_trainable[name]:
                getattr(self, name).requires_grad = bool(value)
        for layer in self._sublayers():
            layer.trainable = value

    def get_config(self) -> dict[str, Any]:
        """The constructor arguments as JSON data: ``type(self).from_config(config)`` makes
        an equal, unbuilt layer."""
        config: dict[str, Any] = {"name": self.name, "trainable": self.trainable,
                                  "dtype": self.dtype}
        if self.activity_regularizer is not None:
            config["activity_regularizer"] = regularizers.serialize(self.activity_regularizer)
        if self._input_shape_arg is not None:
            config["input_shape"] = list(self._input_shape_arg)
        return config

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Layer:
        return cls(**config)

    # ----- weights ------------------------------------------------------------------------
    def add_weight(self, name: str, shape: Any, initializer: Any = "glorot_uniform",
                   dtype: Any = None, trainable: bool = True, regularizer: Any = None) -> Tensor:
        """Create a weight called ``name`` (an attribute of the layer), drawn by
        ``initializer``.  Trainable weights are Parameters; others are buffers."""
        if name in self._weight_trainable:
            raise ArgumentError(f"{self.name}: a weight called {name!r} exists already")
        shape = _shape_tuple(shape, f"{self.name}: weight {name!r} shape")
        array = initializers.get(initializer)(shape, np.dtype(dtype or self._dtype))
        if trainable:
            setattr(self, name, Parameter(array, requires_grad=self._trainable))
        else:
            self.register_buffer(name, _wrap(array))
        self._weight_names.append(name)
        self._weight_trainable[name] = bool(trainable)
        regularizer = regularizers.get(regularizer)
        if regularizer is not None:
            self._regularizers[name] = regularizer
        return getattr(self, name)

    def _sublayers(self) -> list[Module]:
        """Child modules, in registration order (Layers and plain Modules)."""
        return [m for m in self._modules.values() if m is not None]

    def _weight(self, name: str) -> Tensor:
        w = self._parameters.get(name)
        return self._buffers[name] if w is None else w

    def _collect(self, trainable: bool | None) -> list[Tensor]:
        out: list[Tensor] = []
        for name in self._weight_names:
            if trainable is None or (self._weight_trainable[name] and self._trainable) == trainable:
                out.append(self._weight(name))
        for child in self._sublayers():
            if isinstance(child, Layer):
                out.extend(child._collect(trainable))
            elif trainable is not False:  # a PyTorch-door module inside a Keras model
                out.extend(p for p in child.parameters() if p.requires_grad or trainable is None)
        seen: set[int] = set()
        return [w for w in out if not (id(w) in seen or seen.add(id(w)))]

    @property
    def weights(self) -> list[Tensor]:
        """Every weight: this layer's in creation order, then those of the layers inside."""
        return self._collect(None)

    @property
    def trainable_weights(self) -> list[Tensor]:
        return self._collect(True)

    @property
    def non_trainable_weights(self) -> list[Tensor]:
        return self._collect(False)

    trainable_variables = trainable_weights
    variables = weights

    def to(self, *args: Any, **kwargs: Any) -> Layer:
        """Convert the weights (``Module.to``) and make every layer inside compute in the
        new dtype too (inputs are cast to it)."""
        super().to(*args, **kwargs)
        floats = [w.data.dtype for w in self.weights if w.data.dtype.kind == "f"]
        if floats:
            for module in self.modules():
                if isinstance(module, Layer):
                    module.__dict__["_dtype"] = floats[0]
        return self

    def count_params(self) -> int:
        """The number of scalars in the weights (the layer must be built)."""
        if not self.built:
            raise StateError(f"count_params: layer {self.name!r} is not built yet, so its "
                             "weights do not exist; call it on data or build() it first")
        return int(sum(w.data.size for w in self.weights))

    def get_weights(self) -> list[np.ndarray]:
        """Copies of the weights as NumPy arrays, in ``weights`` order."""
        return [w.data.copy() for w in self.weights]

    def set_weights(self, weights: list[Any]) -> None:
        """Copy ``weights`` (arrays, in ``get_weights`` order) into the layer's weights."""
        own = self.weights
        weights = list(weights)
        if len(weights) != len(own):
            raise ShapeError(f"set_weights: {self.name!r} has {len(own)} weight arrays, got "
                             f"{len(weights)}")
        arrays = [as_array(w) for w in weights]
        for i, (w, a) in enumerate(zip(own, arrays, strict=True)):
            if w.data.shape != a.shape:
                raise ShapeError(f"set_weights: weight {i} of {self.name!r} has shape "
                                 f"{w.data.shape}, got an array of shape {a.shape}")
        for w, a in zip(own, arrays, strict=True):
            w.data[...] = a

    def _weight_penalties(self) -> list[Tensor]:
        out = [reg(self._weight(name)) for name, reg in self._regularizers.items()]
        for child in self._sublayers():
            if isinstance(child, Layer):
                out.extend(child._weight_penalties())
        return out

    @property
    def losses(self) -> list[Tensor]:
        """Regularization penalties of the weights (computed now, in the graph) plus the
        activity penalties of this layer's last call (those of the layers inside it, made
        during that call, included)."""
        return self._weight_penalties() + list(self._call_losses)

    def add_loss(self, loss: Tensor) -> None:
        """Add a scalar penalty computed in ``call`` (e.g. a sparsity term on activations) to
        the training loss of the current model call, as Keras's ``add_loss``.  Outside a
        model call there is no loss to add it to: that is an error."""
        if _context.losses is None:
            raise StateError(f"{type(self).__name__}.add_loss: call it inside call(), while "
                             "the model runs")
        _context.losses.append(loss)

    # ----- building and calling -----------------------------------------------------------
    def build(self, input_shape: tuple[int | None, ...]) -> None:
        """Create the weights for inputs of ``input_shape`` (batch axis None).  The base
        class has none."""

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        """The output shape for ``input_shape`` (batch axis None); the identity here."""
        return tuple(input_shape)

    def _build_on(self, shape: tuple) -> None:
        self.build(shape)
        self.__dict__["_build_input_shape"] = (None, *tuple(shape)[1:])
        self.__dict__["built"] = True

    def _check_input_shape(self, shape: tuple, expected: tuple) -> None:
        if len(shape) != len(expected) or any(
                e is not None and n != e for n, e in zip(shape[1:], expected[1:], strict=False)):
            raise ShapeError(f"{type(self).__name__} {self.name!r} expects inputs of shape "
                             f"{_fmt(expected)}, got {_fmt((None, *shape[1:]))} (an input of "
                             f"shape {tuple(shape)})")

    def call(self, inputs: Tensor) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__} must implement call(inputs)")

    def forward(self, *args: Any, **kwargs: Any) -> Tensor:  # the PyTorch door's name
        return self.call(*args, **kwargs)

    def __call__(self, inputs: Any, *args: Any, **kwargs: Any) -> Any:
        from .input import KerasTensor

        if isinstance(inputs, KerasTensor):
            return inputs.through(self, *args, **kwargs)
        x = inputs if isinstance(inputs, Tensor) else _wrap(as_array(inputs))
        if x.data.dtype != self._dtype and self._autocast:  # Keras casts inputs to the dtype
            x = x.astype(self._dtype)
        if not self.built:
            self._build_on(x.data.shape)
        ctx = _context
        if self._call_has_training:
            if kwargs.get("training") is None:
                if ctx.training is None:
                    kwargs.pop("training", None)
                else:
                    kwargs["training"] = ctx.training
        elif "training" in kwargs:
            del kwargs["training"]
        outermost = ctx.depth == 0
        if outermost:  # activity penalties of this call, the layers inside it included
            ctx.losses = []
        ctx.depth += 1
        try:
            out = self.call(x, *args, **kwargs)
            if self.activity_regularizer is not None:
                ctx.losses.append(self.activity_regularizer(out))
        finally:
            ctx.depth -= 1
            if outermost:
                losses, ctx.losses = ctx.losses, None
        if outermost:
            self.__dict__["_call_losses"] = losses
        if isinstance(out, Tensor):
            self.__dict__["_output_shape"] = out.data.shape[1:]
        if ctx.watch is not None:
            ctx.watch.append((self, out))
        return out

    def _activate(self, z: Tensor, activation: Any) -> Tensor:
        """``activation(z)``, noting ``z`` as the logits of the result when a compiled
        softmax/sigmoid probability loss asked for them (see ``keras.losses``)."""
        if activation is activations.linear:
            return z
        y = activation(z)
        logits = _context.logits
        if logits is not None and activation in activations.LOGIT_ACTIVATIONS:
            logits[id(y)] = (z, activations.LOGIT_ACTIVATIONS[activation])
        return y

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"


def _fmt(shape: tuple) -> str:
    """``(None, 784)`` as Keras prints shapes."""
    inner = ", ".join("None" if n is None else str(n) for n in shape)
    return f"({inner},)" if len(shape) == 1 else f"({inner})"


format_shape = _fmt
