"""Activation functions with PyTorch's ``torch.nn.functional`` signatures.

The maths lives in ``deepnum.tensor_math`` (one primitive per activation in
``deepnum.ops.activation``); this module adds PyTorch's calling conventions: the ``inplace``
flag, ``softmax``'s implicit-dim rule with its warning, and ``prelu``'s learned slope.

``inplace=True`` is accepted so PyTorch code runs unchanged, but deepnum never overwrites
the input: the result is always a new tensor (it is what the caller uses either way).
"""

from __future__ import annotations

import warnings

import numpy as np

from .. import tensor_math as tm
from .._tensor import Tensor, apply_n
from ..creation import as_tensor
from ..errors import ShapeError
from ..ops import nn as nn_ops


def relu(input, inplace: bool = False) -> Tensor:  # noqa: A002 - PyTorch's names
    """``max(x, 0)``.

    >>> import deepnum as dn
    >>> relu(dn.tensor([-1., 2.])).tolist()
    [0.0, 2.0]
    """
    return tm.relu(as_tensor(input))


def leaky_relu(input, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:  # noqa: A002
    """``x`` for x > 0, ``negative_slope·x`` otherwise."""
    return tm.leaky_relu(as_tensor(input), negative_slope)


def elu(input, alpha: float = 1.0, inplace: bool = False) -> Tensor:  # noqa: A002
    """``x`` for x > 0, ``alpha·(e^x - 1)`` otherwise."""
    return tm.elu(as_tensor(input), alpha)


def selu(input, inplace: bool = False) -> Tensor:  # noqa: A002
    """``scale·elu(x, alpha)`` with scale ≈ 1.0507 and alpha ≈ 1.6733 (self-normalising)."""
    return tm.selu(as_tensor(input))


def gelu(input, approximate: str = "none") -> Tensor:  # noqa: A002
    """``x·Φ(x)``, Φ the standard normal CDF (``approximate="tanh"``: the tanh formula)."""
    return tm.gelu(as_tensor(input), approximate)


def softplus(input, beta: float = 1.0, threshold: float = 20.0) -> Tensor:  # noqa: A002
    """``log(1 + e^(beta·x))/beta``; linear where ``beta·x > threshold``."""
    return tm.softplus(as_tensor(input), beta, threshold)


def sigmoid(input) -> Tensor:  # noqa: A002
    """``1/(1 + e^-x)``."""
    return tm.sigmoid(as_tensor(input))


def tanh(input) -> Tensor:  # noqa: A002
    """Hyperbolic tangent."""
    return tm.tanh(as_tensor(input))


def prelu(input, weight: Tensor) -> Tensor:  # noqa: A002
    """``x`` for x > 0, ``a·x`` otherwise, with the learned slopes ``a = weight``.

    ``weight`` has 1 element (one slope for everything) or one per channel, the channel
    axis being axis 1 of the input (an input of rank < 2 has one channel).

    >>> import deepnum as dn
    >>> prelu(dn.tensor([[-2., 3.]]), dn.tensor([0.25])).tolist()
    [[-0.5, 3.0]]
    """
    x = as_tensor(input)
    w = as_tensor(weight)
    channels = x.shape[1] if x.ndim >= 2 else 1
    if w.ndim != 1 or w.shape[0] not in (1, channels):
        raise ShapeError(
            f"prelu: weight of shape {w.shape} does not fit an input of shape {x.shape}: "
            f"expected 1 slope or one per channel ({channels}, axis 1)"
        )
    pshape = () if w.shape[0] == 1 else (1, channels) + (1,) * (x.ndim - 2)
    return apply_n(nn_ops.PReLU, (x, w), pshape)


def _implicit_dim(name: str, ndim: int, stacklevel: int) -> int:
    """PyTorch's legacy rule for a softmax without ``dim``: axis 0 for inputs of rank 0, 1
    or 3, else axis 1 — with the same deprecation warning."""
    warnings.warn(
        f"Implicit dimension choice for {name} has been deprecated. "
        "Change the call to include dim=X as an argument.",
        stacklevel=stacklevel,
    )
    return 0 if ndim in (0, 1, 3) else 1


def _cast(x: Tensor, dtype) -> Tensor:
    return x if dtype is None else x.astype(np.dtype(dtype))


def softmax(input, dim: int | None = None, _stacklevel: int = 3, dtype=None) -> Tensor:  # noqa: A002
    """``e^x / Σ e^x`` along ``dim``; without ``dim``, PyTorch's implicit choice (and its
    warning).  ``dtype`` casts the input first.

    >>> import deepnum as dn
    >>> softmax(dn.tensor([[0., 0.]]), dim=1).tolist()
    [[0.5, 0.5]]
    """
    x = _cast(as_tensor(input), dtype)
    if dim is None:
        dim = _implicit_dim("softmax", x.ndim, _stacklevel)
    return tm.softmax(x, dim)


def log_softmax(input, dim: int | None = None, _stacklevel: int = 3, dtype=None) -> Tensor:  # noqa: A002
    """``x - logsumexp(x)`` along ``dim`` (stable); without ``dim``, PyTorch's implicit rule."""
    x = _cast(as_tensor(input), dtype)
    if dim is None:
        dim = _implicit_dim("log_softmax", x.ndim, _stacklevel)
    return tm.log_softmax(x, dim)
