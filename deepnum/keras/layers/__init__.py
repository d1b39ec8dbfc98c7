"""Keras-door layers: ``from deepnum.keras import layers``; ``layers.Dense(512, "relu")``.

Every layer is a ``deepnum.nn.Module`` (see :mod:`.base`), built lazily on its first input.
"""

from .activation_layers import ELU, LeakyReLU, PReLU, ReLU, Softmax
from .base import Layer, get_registered, register_class
from .core import Activation, Dense, Dropout, Flatten, Reshape
from .input import Input, InputLayer, KerasTensor
from .normalization import BatchNormalization

__all__ = ["Activation", "BatchNormalization", "Dense", "Dropout", "ELU", "Flatten", "Input",
           "InputLayer", "KerasTensor", "Layer", "LeakyReLU", "PReLU", "ReLU", "Reshape",
           "Softmax", "get_registered", "register_class"]
