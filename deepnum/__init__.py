"""deepnum: deep learning from first principles, in Python on NumPy.

>>> import deepnum as dn
>>> x = dn.tensor([[1., 2.], [3., 4.]], requires_grad=True)
>>> y = dn.relu(x @ x.T).sum()
>>> y.backward()
>>> x.grad.shape
(2, 2)
"""

from __future__ import annotations

import numpy as _np

from . import functional, nn, optim, random
from ._tensor import Tensor, get_default_dtype, set_default_dtype
from .autograd import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .creation import (
    arange,
    as_tensor,
    empty,
    eye,
    from_numpy,
    full,
    full_like,
    linspace,
    ones,
    ones_like,
    rand,
    rand_like,
    randint,
    randn,
    randn_like,
    tensor,
    zeros,
    zeros_like,
)
from .errors import DeepnumError
from .gradcheck import gradcheck
from .io import load, save
from .random import get_rng_state, initial_seed, manual_seed, set_rng_state
from .tape import GradientTape
from .tensor_math import (
    abs,
    add,
    all,
    amax,
    amin,
    any,
    argmax,
    argmin,
    clamp,
    clip,
    cos,
    div,
    dot,
    elu,
    exp,
    gelu,
    isfinite,
    isnan,
    leaky_relu,
    log,
    log1p,
    log_softmax,
    logsumexp,
    max,
    maximum,
    mean,
    min,
    minimum,
    mm,
    mul,
    norm,
    pow,
    relu,
    selu,
    sigmoid,
    sign,
    sin,
    softmax,
    softplus,
    sqrt,
    square,
    std,
    sub,
    sum,
    tanh,
    var,
    where,
)
from .tensor_operators import matmul
from .tensor_shape import (
    broadcast_to,
    cat,
    chunk,
    concatenate,
    expand,
    expand_dims,
    flatten,
    pad,
    permute,
    reshape,
    split,
    squeeze,
    stack,
    transpose,
    unsqueeze,
    view,
)
from .threads import get_num_threads, set_num_threads

__version__ = "0.1.0"

float16 = _np.float16
float32 = _np.float32
float64 = _np.float64
int8 = _np.int8
int16 = _np.int16
int32 = _np.int32
int64 = _np.int64
uint8 = _np.uint8
bool_ = _np.bool_
float = float32  # noqa: A001 - PyTorch's aliases: dn.float is float32, dn.long int64
double = float64
long = int64

_LAZY_SUBPACKAGES = ("classic", "datasets", "keras", "unsupervised", "utils")


def __getattr__(name: str):
    """``dn.keras``, ``dn.unsupervised``... import on first use, keeping ``import deepnum``
    light (PEP 562)."""
    if name in _LAZY_SUBPACKAGES:
        import importlib

        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module 'deepnum' has no attribute {name!r}")
