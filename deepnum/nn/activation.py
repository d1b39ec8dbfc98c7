"""Activation layers: each holds its configuration and calls ``deepnum.functional``.

``inplace=True`` is accepted (PyTorch code passes it) and shown in the repr, but the input is
never overwritten: the output is a new tensor.
"""

from __future__ import annotations

import numpy as np

from .. import functional as F
from .._tensor import Tensor
from .module import Module, factory_dtype
from .parameter import Parameter


class _Inplace(Module):
    """An activation whose only option is PyTorch's ``inplace`` flag."""

    def __init__(self, inplace: bool = False):
        super().__init__()
        self.inplace = inplace

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class ReLU(_Inplace):
    """``max(x, 0)``."""

    def forward(self, input) -> Tensor:  # noqa: A002 - PyTorch's name
        return F.relu(input)


class SELU(_Inplace):
    """``scale·(x if x > 0 else alpha·(e^x - 1))``, scale ≈ 1.0507, alpha ≈ 1.6733."""

    def forward(self, input) -> Tensor:  # noqa: A002
        return F.selu(input)


class Sigmoid(Module):
    """``1/(1 + e^-x)``."""

    def forward(self, input) -> Tensor:  # noqa: A002
        return F.sigmoid(input)


class Tanh(Module):
    """Hyperbolic tangent."""

    def forward(self, input) -> Tensor:  # noqa: A002
        return F.tanh(input)


class LeakyReLU(Module):
    """``x`` for x > 0, ``negative_slope·x`` otherwise."""

    def __init__(self, negative_slope: float = 0.01, inplace: bool = False):
        super().__init__()
        self.negative_slope = negative_slope
        self.inplace = inplace

    def forward(self, input) -> Tensor:  # noqa: A002
        return F.leaky_relu(input, self.negative_slope)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}" + (", inplace=True" if self.inplace else "")


class ELU(Module):
    """``x`` for x > 0, ``alpha·(e^x - 1)`` otherwise."""

    def __init__(self, alpha: float = 1.0, inplace: bool = False):
        super().__init__()
        self.alpha = alpha
        self.inplace = inplace

    def forward(self, input) -> Tensor:  # noqa: A002
        return F.elu(input, self.alpha)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}" + (", inplace=True" if self.inplace else "")


class PReLU(Module):
    """``x`` for x > 0, ``a·x`` otherwise, with the slope ``a`` learned: one for all channels
    (``num_parameters=1``) or one per channel (axis 1 of the input), starting at ``init``.

    >>> import deepnum as dn
    >>> PReLU()(dn.tensor([-4., 4.])).tolist()
    [-1.0, 4.0]
    """

    def __init__(self, num_parameters: int = 1, init: float = 0.25, device=None, dtype=None):
        super().__init__()
        self.num_parameters = num_parameters
        self.init = init
        self.weight = Parameter(np.full(num_parameters, init, factory_dtype(device, dtype)))

    def reset_parameters(self) -> None:
        self.weight.data[...] = self.init

    def forward(self, input) -> Tensor:  # noqa: A002
        return F.prelu(input, self.weight)

    def extra_repr(self) -> str:
        return f"num_parameters={self.num_parameters}"


class GELU(Module):
    """``x·Φ(x)`` (``approximate="tanh"``: the tanh approximation)."""

    def __init__(self, approximate: str = "none"):
        super().__init__()
        self.approximate = approximate

    def forward(self, input) -> Tensor:  # noqa: A002
        return F.gelu(input, self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"


class Softplus(Module):
    """``log(1 + e^(beta·x))/beta``, linear above ``threshold``."""

    def __init__(self, beta: float = 1.0, threshold: float = 20.0):
        super().__init__()
        self.beta = beta
        self.threshold = threshold

    def forward(self, input) -> Tensor:  # noqa: A002
        return F.softplus(input, self.beta, self.threshold)

    def extra_repr(self) -> str:
        return f"beta={self.beta}, threshold={self.threshold}"


class Softmax(Module):
    """``e^x / Σ e^x`` along ``dim``.  Without ``dim``, PyTorch's deprecated implicit choice
    (axis 0 for inputs of rank 0, 1 or 3, else axis 1) with its warning: pass ``dim``."""

    def __init__(self, dim: int | None = None):
        super().__init__()
        self.dim = dim

    def forward(self, input) -> Tensor:  # noqa: A002
        return F.softmax(input, self.dim, _stacklevel=5)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class LogSoftmax(Module):
    """``x - logsumexp(x)`` along ``dim`` (same implicit-dim rule as ``Softmax``)."""

    def __init__(self, dim: int | None = None):
        super().__init__()
        self.dim = dim

    def forward(self, input) -> Tensor:  # noqa: A002
        return F.log_softmax(input, self.dim, _stacklevel=5)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"
