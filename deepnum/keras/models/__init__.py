"""Keras-door models: ``Model``, ``Sequential``, and ``load_model``."""

from ..saving import load_model, save_model
from .functional import Functional
from .model import Model
from .sequential import Sequential

__all__ = ["Functional", "Model", "Sequential", "load_model", "save_model"]
