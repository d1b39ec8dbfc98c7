"""Stateless neural-network maths composed from tensor operations (``torch.nn.functional``).

``import deepnum.nn.functional as F`` gives the same functions.  Three files: activations
(PyTorch's calling conventions over ``deepnum.tensor_math``), losses, and layer maths
(linear, dropout, normalisation, one-hot, padding).

>>> import deepnum as dn
>>> import deepnum.nn.functional as F
>>> logits = dn.tensor([[2.0, 0.5, -1.0]])
>>> round(F.cross_entropy(logits, dn.tensor([0])).item(), 4)
0.2413
"""

from .activation import (
    elu,
    gelu,
    leaky_relu,
    log_softmax,
    prelu,
    relu,
    selu,
    sigmoid,
    softmax,
    softplus,
    tanh,
)
from .layers import batch_norm, dropout, layer_norm, linear, one_hot, pad
from .loss import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    l1_loss,
    mse_loss,
    nll_loss,
)

__all__ = [
    "batch_norm", "binary_cross_entropy", "binary_cross_entropy_with_logits", "cross_entropy",
    "dropout", "elu", "gelu", "l1_loss", "layer_norm", "leaky_relu", "linear", "log_softmax",
    "mse_loss", "nll_loss", "one_hot", "pad", "prelu", "relu", "selu", "sigmoid", "softmax",
    "softplus", "tanh",
]
