"""Keras's ``RMSprop``: epsilon inside the root, the learning rate inside the momentum."""

from __future__ import annotations

from typing import Any

import numpy as np

from ...optim import rules
from ...optim.optimizer import check_number
from .base import Optimizer


class RMSprop(Optimizer):
    """RMSprop with Keras's defaults and conventions (plain momentum, not Nesterov).

    For a variable ``w`` with gradient ``g``::

        v ← ρ·v + (1 − ρ)·g²                      (slot "velocity")
        centered:  a ← ρ·a + (1 − ρ)·g,  v̄ = v − a²   (slot "average_gradient")   else v̄ = v
        Δ = lr·g / √(v̄ + ε)                        (ε inside the root)
        w ← w − Δ                 or, with momentum μ > 0:
        m ← μ·m + Δ,  w ← w − m    (slot "momentum"; the learning rate is inside m)

    PyTorch's ``deepnum.optim.RMSprop`` runs the same rule with ε outside the root and the
    learning rate outside the buffer.  Other arguments are those of :class:`Optimizer`.

    >>> import numpy as np
    >>> w = np.array([1.0])
    >>> RMSprop(learning_rate=0.1).apply([np.array([2.0])], [w])
    >>> w.round(4).tolist()      # 1 − 0.1·2/√(0.1·4 + 1e-7)
    [0.6838]
    """

    def __init__(self, learning_rate: Any = 0.001, rho: float = 0.9, momentum: float = 0.0,
                 epsilon: float = 1e-7, centered: bool = False, **kwargs: Any) -> None:
        super().__init__(learning_rate=learning_rate, **kwargs)
        check_number("RMSprop", "rho", rho, 0.0, 1.0, high_inclusive=True)
        check_number("RMSprop", "momentum", momentum)
        check_number("RMSprop", "epsilon", epsilon)
        self.rho, self.momentum, self.epsilon, self.centered = rho, momentum, epsilon, centered

    def _slots(self) -> list[tuple[str, float]]:
        slots = [("velocity", 0.0)]
        if self.momentum > 0:
            slots.append(("momentum", 0.0))
        if self.centered:
            slots.append(("average_gradient", 0.0))
        return slots

    def _update_step(self, i: int, g: np.ndarray, w: np.ndarray, lr: float) -> None:
        slots = self._slot_arrays
        rules.rmsprop_step(
            w, g, slots["velocity"][i], self._scratch.like(w), lr=lr, rho=self.rho,
            eps=self.epsilon, eps_inside_sqrt=True,
            avg=slots["average_gradient"][i] if self.centered else None,
            buf=slots["momentum"][i] if self.momentum > 0 else None,
            momentum=self.momentum, lr_in_buffer=True)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "rho": self.rho, "momentum": self.momentum,
                "epsilon": self.epsilon, "centered": self.centered}
