"""The PyTorch-style door: modules, layers, losses (being built)."""
from .parameter import Parameter

__all__ = ["Parameter"]
