"""Activation functions of the Keras door, on tensors, with Keras 3's names and defaults.

``Dense(64, activation="relu")`` resolves the string through :func:`get`; a typo gets the
closest name suggested.  Each function is composed from deepnum's primitives (one
primitive each for the common ones), so gradients flow through all of them.

>>> import deepnum as dn
>>> get("relu")(dn.tensor([-1.0, 2.0])).tolist()
[0.0, 2.0]
>>> get("rleu")
Traceback (most recent call last):
...
deepnum.errors.UnknownNameError: unknown activation 'rleu'; did you mean 'relu'? ...
"""

from __future__ import annotations

from collections.abc import Callable

from .. import tensor_math as tm
from .._tensor import Tensor
from ..errors import ArgumentError, unknown_name


def relu(x: Tensor, negative_slope: float = 0.0, max_value: float | None = None,
         threshold: float = 0.0) -> Tensor:
    """``max(x, 0)``; in general ``x`` for x >= threshold, else ``negative_slope·(x -
    threshold)``, then capped at ``max_value``."""
    if negative_slope == 0.0 and max_value is None and threshold == 0.0:
        return tm.relu(x)
    out = tm.where(x.data >= threshold, x, (x - threshold) * negative_slope)
    return out if max_value is None else tm.clip(out, max=max_value)


def relu6(x: Tensor) -> Tensor:
    """``min(max(x, 0), 6)``."""
    return tm.clip(tm.relu(x), max=6.0)


def leaky_relu(x: Tensor, negative_slope: float = 0.2) -> Tensor:
    """``x`` for x > 0, ``negative_slope·x`` otherwise (Keras's default slope is 0.2 here,
    0.3 in the ``LeakyReLU`` layer)."""
    return tm.leaky_relu(x, negative_slope)


def elu(x: Tensor, alpha: float = 1.0) -> Tensor:
    """``x`` for x > 0, ``alpha·(e^x - 1)`` otherwise."""
    return tm.elu(x, alpha)


def selu(x: Tensor) -> Tensor:
    """``λ·elu(x, α)``, λ ≈ 1.0507, α ≈ 1.6733 (use with ``lecun_normal`` weights)."""
    return tm.selu(x)


def gelu(x: Tensor, approximate: bool = False) -> Tensor:
    """``x·Φ(x)``; ``approximate=True`` uses the tanh formula."""
    return tm.gelu(x, "tanh" if approximate else "none")


def sigmoid(x: Tensor) -> Tensor:
    """``1/(1 + e^-x)``."""
    return tm.sigmoid(x)


def hard_sigmoid(x: Tensor) -> Tensor:
    """``clip(x/6 + 1/2, 0, 1)`` (Keras 3's definition)."""
    return tm.clip(x * (1 / 6) + 0.5, 0.0, 1.0)


def tanh(x: Tensor) -> Tensor:
    """Hyperbolic tangent."""
    return tm.tanh(x)


def softmax(x: Tensor, axis: int = -1) -> Tensor:
    """``e^x / Σ e^x`` along ``axis``."""
    return tm.softmax(x, axis=axis)


def log_softmax(x: Tensor, axis: int = -1) -> Tensor:
    """``x - logsumexp(x)`` along ``axis``."""
    return tm.log_softmax(x, axis=axis)


def softplus(x: Tensor) -> Tensor:
    """``log(1 + e^x)``."""
    return tm.softplus(x)


def softsign(x: Tensor) -> Tensor:
    """``x / (1 + |x|)``."""
    return x / (tm.abs(x) + 1.0)


def silu(x: Tensor) -> Tensor:
    """``x·sigmoid(x)`` (also called swish)."""
    return x * tm.sigmoid(x)


def exponential(x: Tensor) -> Tensor:
    """``e^x``."""
    return tm.exp(x)


def mish(x: Tensor) -> Tensor:
    """``x·tanh(softplus(x))``."""
    return x * tm.tanh(tm.softplus(x))


def linear(x: Tensor) -> Tensor:
    """The identity (what ``activation=None`` means)."""
    return x


ALL_ACTIVATIONS: dict[str, Callable] = {fn.__name__: fn for fn in (
    relu, relu6, leaky_relu, elu, selu, gelu, sigmoid, hard_sigmoid, tanh, softmax,
    log_softmax, softplus, softsign, silu, exponential, mish, linear)}
ALL_ACTIVATIONS["swish"] = silu

# Output activations whose loss can be computed from the logits instead (see keras.losses).
LOGIT_ACTIVATIONS = {softmax: "softmax", sigmoid: "sigmoid"}


def get(identifier: str | Callable | None) -> Callable:
    """The activation function named ``identifier`` (any case); None gives ``linear``; a
    callable is returned as is."""
    if identifier is None:
        return linear
    if isinstance(identifier, str):
        fn = ALL_ACTIVATIONS.get(identifier.lower())
        if fn is None:
            raise unknown_name("activation", identifier, ALL_ACTIVATIONS)
        return fn
    if isinstance(identifier, dict) and "class_name" in identifier:
        return get(identifier["class_name"])
    if callable(identifier):
        return identifier
    raise ArgumentError(f"could not interpret activation {identifier!r}: expected a name "
                        f"({', '.join(sorted(ALL_ACTIVATIONS))}), a function or None")


def serialize(fn: Callable) -> str:
    """The name under which :func:`get` finds ``fn`` (refuses unnamed callables, which a
    saved model could not rebuild without running code)."""
    for name, known in ALL_ACTIVATIONS.items():
        if known is fn:
            return name
    raise ArgumentError(f"activation {getattr(fn, '__name__', fn)!r} is not one of "
                        "deepnum.keras.activations, so it cannot be saved by name; use a "
                        "named activation or an activation layer")
