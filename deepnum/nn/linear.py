"""Affine and shape layers: ``Linear``, ``Identity``, ``Flatten``, ``Unflatten``."""

from __future__ import annotations

import math

import numpy as np

from .. import functional as F
from .._tensor import Tensor
from ..errors import ShapeError
from ..tensor_shape import flatten, reshape
from . import init
from .module import Module, factory_dtype
from .parameter import Parameter


def _count(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 0:
        raise ValueError(f"{name} must be a non-negative integer, got {value!r}")
    return int(value)


class Linear(Module):
    """Fully connected layer ``y = x·Wᵀ + b``.

    weight: (out_features, in_features); bias: (out_features,).  Initialised as PyTorch:
    ``kaiming_uniform_(a=√5)``, i.e. U(±1/√in_features), for both, from the "init" stream.
    Input (..., in_features) -> output (..., out_features).

    >>> import deepnum as dn
    >>> layer = Linear(3, 2)
    >>> layer(dn.ones(5, 3)).shape
    (5, 2)
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True,
                 device=None, dtype=None):
        super().__init__()
        dtype = factory_dtype(device, dtype)
        self.in_features = _count(in_features, "in_features")
        self.out_features = _count(out_features, "out_features")
        self.weight = Parameter(np.empty((self.out_features, self.in_features), dtype))
        if bias:
            self.bias = Parameter(np.empty(self.out_features, dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Draw fresh weights: W ~ U(±1/√in) (kaiming_uniform_ with a=√5), b ~ U(±1/√in)."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in = self.in_features
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input) -> Tensor:  # noqa: A002 - PyTorch's name
        return F.linear(input, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")


class Identity(Module):
    """Returns its input (a placeholder; constructor arguments are accepted and ignored)."""

    def __init__(self, *args, **kwargs):
        super().__init__()

    def forward(self, input):  # noqa: A002
        return input


class Flatten(Module):
    """Merge axes ``start_dim..end_dim`` into one: (N, 1, 28, 28) -> (N, 784) by default."""

    def __init__(self, start_dim: int = 1, end_dim: int = -1):
        super().__init__()
        self.start_dim = start_dim
        self.end_dim = end_dim

    def forward(self, input) -> Tensor:  # noqa: A002
        return flatten(input, self.start_dim, self.end_dim)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Unflatten(Module):
    """Split axis ``dim`` into ``unflattened_size``: (N, 784) -> (N, 1, 28, 28) with
    ``Unflatten(1, (1, 28, 28))`` (one size may be -1)."""

    def __init__(self, dim: int, unflattened_size):
        super().__init__()
        if not all(isinstance(n, int | np.integer) for n in unflattened_size):
            raise TypeError(f"unflattened_size must be integers, got {unflattened_size!r}")
        self.dim = dim
        self.unflattened_size = unflattened_size

    def forward(self, input) -> Tensor:  # noqa: A002
        shape = input.shape
        if not -len(shape) <= self.dim < len(shape):
            raise ShapeError(
                f"Unflatten: dim {self.dim} is out of range for input of shape {shape}")
        d = self.dim % len(shape)
        return reshape(input, shape[:d] + tuple(self.unflattened_size) + shape[d + 1:])

    def extra_repr(self) -> str:
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"
