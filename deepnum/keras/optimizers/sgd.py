"""Keras's ``SGD``: gradient descent with a velocity that folds in the learning rate."""

from __future__ import annotations

from typing import Any

import numpy as np

from ...errors import ArgumentError
from ...optim import rules
from .base import Optimizer


class SGD(Optimizer):
    """Gradient descent, optionally with momentum, in Keras's convention.

    ``w ← w − lr·g`` without momentum; with momentum μ, the velocity ``m`` (slot
    "momentum") includes the learning rate and points downhill::

        m ← μ·m − lr·g
        w ← w + m                 or, Nesterov:  w ← w + μ·m − lr·g

    PyTorch's ``deepnum.optim.SGD`` keeps the learning rate out of its buffer instead; the
    two agree while the learning rate is constant.  Other arguments (``weight_decay``,
    clipping, ``use_ema``...) are those of :class:`Optimizer`.

    >>> import numpy as np
    >>> w = np.array([1.0])
    >>> opt = SGD(learning_rate=0.1, momentum=0.9)
    >>> for _ in range(2):
    ...     opt.apply([np.array([1.0])], [w])
    >>> w.round(4).tolist()      # 1 − 0.1 − (0.9·0.1 + 0.1)
    [0.71]
    """

    def __init__(self, learning_rate: Any = 0.01, momentum: float = 0.0,
                 nesterov: bool = False, **kwargs: Any) -> None:
        super().__init__(learning_rate=learning_rate, **kwargs)
        if isinstance(momentum, bool) or not isinstance(momentum, int | float) or not (
                0 <= momentum <= 1):
            raise ArgumentError(f"SGD: `momentum` must be a float between [0, 1], got "
                                f"momentum={momentum!r}")
        self.momentum, self.nesterov = float(momentum), bool(nesterov)

    def _slots(self) -> list[tuple[str, float]]:
        return [("momentum", 0.0)] if self.momentum != 0 else []

    def _update_step(self, i: int, g: np.ndarray, w: np.ndarray, lr: float) -> None:
        tmp = self._scratch.like(w)
        if self.momentum == 0:
            rules.axpy(w, -lr, g, tmp)
        else:
            rules.momentum_step(w, g, self._slot_arrays["momentum"][i], tmp,
                                momentum=self.momentum, into=-lr, out=-1.0,
                                nesterov=self.nesterov, lr=lr)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "momentum": self.momentum, "nesterov": self.nesterov}
