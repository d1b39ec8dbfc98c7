"""Weight regularizers: penalties added to the training loss (Keras 3's definitions).

``L1(l1)(w) = l1·Σ|w|``, ``L2(l2)(w) = l2·Σw²`` (no ½), ``L1L2`` both.  A layer built with
``kernel_regularizer=regularizers.l2(1e-4)`` contributes its penalty to ``model.losses``,
which ``fit`` adds to the loss of every batch.

>>> import deepnum as dn
>>> float(L2(0.5)(dn.tensor([1.0, 2.0])).item())
2.5
"""

from __future__ import annotations

from typing import Any

from .. import tensor_math as tm
from .._tensor import Tensor
from ..errors import ArgumentError
from .serialization import deserialize as _deserialize
from .serialization import lookup as _lookup
from .serialization import serialize  # noqa: F401 - public here, as in Keras


class Regularizer:
    """Base class: ``regularizer(weight) -> scalar tensor``."""

    def __call__(self, x: Tensor) -> Tensor:
        raise NotImplementedError

    def get_config(self) -> dict[str, Any]:
        raise NotImplementedError

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Regularizer:
        return cls(**config)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


def _factor(owner: str, name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not value >= 0:
        raise ArgumentError(f"{owner}: {name} must be a number >= 0, got {value!r}")
    return float(value)


class L1L2(Regularizer):
    """``l1·Σ|x| + l2·Σx²``."""

    def __init__(self, l1: float = 0.0, l2: float = 0.0) -> None:
        self.l1 = _factor(type(self).__name__, "l1", l1)
        self.l2 = _factor(type(self).__name__, "l2", l2)

    def __call__(self, x: Tensor) -> Tensor:
        total = None
        if self.l1:
            total = tm.sum(tm.abs(x)) * self.l1
        if self.l2:
            term = tm.sum(tm.square(x)) * self.l2
            total = term if total is None else total + term
        return total if total is not None else tm.sum(x * 0.0)

    def get_config(self) -> dict[str, Any]:
        return {"l1": self.l1, "l2": self.l2}


class L1(L1L2):
    """``l1·Σ|x|``."""

    def __init__(self, l1: float = 0.01) -> None:
        super().__init__(l1=l1)

    def get_config(self) -> dict[str, Any]:
        return {"l1": self.l1}


class L2(L1L2):
    """``l2·Σx²``."""

    def __init__(self, l2: float = 0.01) -> None:
        super().__init__(l2=l2)

    def get_config(self) -> dict[str, Any]:
        return {"l2": self.l2}


def l1_l2(l1: float = 0.01, l2: float = 0.01) -> L1L2:
    """``L1L2`` with Keras's defaults for this alias (0.01 each)."""
    return L1L2(l1=l1, l2=l2)


l1 = L1
l2 = L2
ALL_OBJECTS = {cls.__name__: cls for cls in (L1, L2, L1L2)}
_BY_NAME = {"l1": L1, "l2": L2, "l1_l2": L1L2, "l1l2": L1L2}


def get(identifier: Any) -> Regularizer | None:
    """A regularizer from None, an instance, a name ("l2", with default factor) or a
    ``serialize`` dict."""
    if identifier is None or isinstance(identifier, Regularizer):
        return identifier
    if isinstance(identifier, dict):
        return _deserialize("regularizer", identifier, _BY_NAME)
    if isinstance(identifier, str):
        return _lookup("regularizer", identifier, _BY_NAME)()
    raise ArgumentError(f"could not interpret regularizer {identifier!r} (expected None, a "
                        "name such as 'l2', or a keras.regularizers object)")
