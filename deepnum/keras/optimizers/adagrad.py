"""Keras's ``Adagrad``: epsilon inside the root, a non-zero starting accumulator."""

from __future__ import annotations

from typing import Any

import numpy as np

from ...optim import rules
from ...optim.optimizer import check_number
from .base import Optimizer


class Adagrad(Optimizer):
    """Adagrad with Keras's defaults and conventions.

    For a variable ``w`` with gradient ``g``::

        s ← s + g²                     (slot "accumulator", from initial_accumulator_value)
        w ← w − lr·g / √(s + ε)        (ε inside the root)

    PyTorch's ``deepnum.optim.Adagrad`` runs the same rule with ε outside the root (and an
    optional ``lr_decay``).  Other arguments are those of :class:`Optimizer`.

    >>> import numpy as np
    >>> w = np.array([1.0])
    >>> Adagrad(learning_rate=0.5, initial_accumulator_value=0.0).apply([np.array([2.0])], [w])
    >>> w.round(4).tolist()      # 1 − 0.5·2/√(4 + 1e-7)
    [0.5]
    """

    def __init__(self, learning_rate: Any = 0.001, initial_accumulator_value: float = 0.1,
                 epsilon: float = 1e-7, **kwargs: Any) -> None:
        super().__init__(learning_rate=learning_rate, **kwargs)
        check_number("Adagrad", "initial_accumulator_value", initial_accumulator_value)
        check_number("Adagrad", "epsilon", epsilon)
        self.initial_accumulator_value, self.epsilon = initial_accumulator_value, epsilon

    def _slots(self) -> list[tuple[str, float]]:
        return [("accumulator", self.initial_accumulator_value)]

    def _update_step(self, i: int, g: np.ndarray, w: np.ndarray, lr: float) -> None:
        rules.adagrad_step(w, g, self._slot_arrays["accumulator"][i], self._scratch.like(w),
                           lr=lr, eps=self.epsilon, eps_inside_sqrt=True)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(),
                "initial_accumulator_value": self.initial_accumulator_value,
                "epsilon": self.epsilon}
