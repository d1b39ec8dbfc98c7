"""Keras's ``Adam`` and ``AdamW``: bias correction folded into the step size."""

from __future__ import annotations

from typing import Any

import numpy as np

from ...errors import ArgumentError
from ...optim import rules
from ...optim.optimizer import check_number
from .base import Optimizer


class Adam(Optimizer):
    """Adam with Keras's defaults and conventions.

    For a variable ``w`` with gradient ``g``, at step ``t = iterations + 1``::

        m ← m + (1 − β1)·(g − m)                  (slot "momentum")
        v ← v + (1 − β2)·(g² − v)                 (slot "velocity"; amsgrad: v̂ ← max(v̂, v))
        α = lr·√(1 − β2ᵗ)/(1 − β1ᵗ)
        w ← w − α·m / (√v + ε)                    (ε is "epsilon hat", after the correction)

    PyTorch's ``deepnum.optim.Adam`` runs the same rule with ε scaled by ``√(1 − β2ᵗ)``.
    A ``weight_decay`` is decoupled (``w ← w − w·wd·lr`` first), as for every Keras
    optimizer; :class:`AdamW` only changes its default.

    >>> import numpy as np
    >>> w = np.array([1.0])
    >>> Adam(learning_rate=0.1).apply([np.array([3.0])], [w])
    >>> w.round(4).tolist()      # the first step moves each weight by about lr
    [0.9]
    """

    def __init__(self, learning_rate: Any = 0.001, beta_1: float = 0.9, beta_2: float = 0.999,
                 epsilon: float = 1e-7, amsgrad: bool = False, **kwargs: Any) -> None:
        super().__init__(learning_rate=learning_rate, **kwargs)
        owner = type(self).__name__
        check_number(owner, "beta_1", beta_1, 0.0, 1.0)
        check_number(owner, "beta_2", beta_2, 0.0, 1.0)
        check_number(owner, "epsilon", epsilon)
        self.beta_1, self.beta_2, self.epsilon, self.amsgrad = beta_1, beta_2, epsilon, amsgrad

    def _slots(self) -> list[tuple[str, float]]:
        slots = [("momentum", 0.0), ("velocity", 0.0)]
        return slots + [("velocity_hat", 0.0)] if self.amsgrad else slots

    def _update_step(self, i: int, g: np.ndarray, w: np.ndarray, lr: float) -> None:
        slots = self._slot_arrays
        alpha, _ = rules.adam_scales(lr, self.beta_1, self.beta_2, self.iterations + 1)
        rules.adam_step(w, g, slots["momentum"][i], slots["velocity"][i], self._scratch.like(w),
                        step_size=alpha, beta1=self.beta_1, beta2=self.beta_2, eps=self.epsilon,
                        v_max=slots["velocity_hat"][i] if self.amsgrad else None)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon, "amsgrad": self.amsgrad}


class AdamW(Adam):
    """Adam with decoupled weight decay on by default (``weight_decay=0.004``).

    Each update first shrinks the weights, ``w ← w − w·weight_decay·lr``, then takes the
    :class:`Adam` step; the decay never enters the moment estimates.
    """

    def __init__(self, learning_rate: Any = 0.001, weight_decay: float = 0.004,
                 beta_1: float = 0.9, beta_2: float = 0.999, epsilon: float = 1e-7,
                 amsgrad: bool = False, **kwargs: Any) -> None:
        if weight_decay is None:
            raise ArgumentError("AdamW: argument `weight_decay` must be a float, got "
                                "weight_decay=None")
        super().__init__(learning_rate=learning_rate, beta_1=beta_1, beta_2=beta_2,
                         epsilon=epsilon, amsgrad=amsgrad, weight_decay=weight_decay, **kwargs)
