"""Schedules that decay the rate by rule: step, multi-step, exponential, cosine, constant,
linear and polynomial.

Each ``get_lr`` computes the next rate from the present one (PyTorch's chainable form, so
changes made from outside carry on), and ``_closed_form`` from the base rates (used by
``step(epoch)``).
"""

from __future__ import annotations

import bisect
import math
from collections import Counter
from collections.abc import Iterable
from typing import Any

from ..optimizer import Optimizer, check_number
from .base import LRScheduler, check_factor


class StepLR(LRScheduler):
    """Multiply the rates by ``gamma`` every ``step_size`` epochs.

    ``lr_e = base_lr · gamma^⌊e / step_size⌋``.
    """

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1,
                 last_epoch: int = -1) -> None:
        check_number("StepLR", "step_size", step_size, 1)
        self.step_size, self.gamma = step_size, gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return self._lrs()
        return [lr * self.gamma for lr in self._lrs()]

    def _closed_form(self) -> list[float]:
        return [b * self.gamma ** (self.last_epoch // self.step_size) for b in self.base_lrs]


class MultiStepLR(LRScheduler):
    """Multiply the rates by ``gamma`` at each milestone epoch (twice if listed twice).

    ``lr_e = base_lr · gamma^(number of milestones ≤ e)``.
    """

    def __init__(self, optimizer: Optimizer, milestones: Iterable[int], gamma: float = 0.1,
                 last_epoch: int = -1) -> None:
        self.milestones = Counter(milestones)
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        times = self.milestones.get(self.last_epoch, 0)
        if not times:
            return self._lrs()
        return [lr * self.gamma**times for lr in self._lrs()]

    def _closed_form(self) -> list[float]:
        passed = bisect.bisect_right(sorted(self.milestones.elements()), self.last_epoch)
        return [b * self.gamma**passed for b in self.base_lrs]

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        super().load_state_dict(state_dict)
        self.milestones = Counter(self.milestones)


class ExponentialLR(LRScheduler):
    """Multiply the rates by ``gamma`` every epoch: ``lr_e = base_lr · gamma^e``."""

    def __init__(self, optimizer: Optimizer, gamma: float, last_epoch: int = -1) -> None:
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        if self._is_initial:
            return self._lrs()
        return [lr * self.gamma for lr in self._lrs()]

    def _closed_form(self) -> list[float]:
        return [b * self.gamma**self.last_epoch for b in self.base_lrs]


class CosineAnnealingLR(LRScheduler):
    r"""Cosine annealing from ``base_lr`` to ``eta_min`` over ``T_max`` epochs (no restarts).

    ``lr_e = eta_min + (base_lr − eta_min)·(1 + cos(π·e/T_max))/2``, computed recursively
    from the present rate as PyTorch does (so outside changes to the rate carry on); past
    ``T_max`` the rate climbs back up, a cosine of period ``2·T_max``.
    """

    def __init__(self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0,  # noqa: N803
                 last_epoch: int = -1) -> None:
        check_number("CosineAnnealingLR", "T_max", T_max, 1)
        self.T_max, self.eta_min = T_max, eta_min
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        e, t, low = self.last_epoch, self.T_max, self.eta_min
        if self._is_initial:
            return self._lrs()
        if self._step_count == 1 and e > 0:
            return self._closed_form()
        if (e - 1 - t) % (2 * t) == 0:  # the trough: the ratio below would divide by zero
            return [lr + (b - low) * (1 - math.cos(math.pi / t)) / 2
                    for lr, b in zip(self._lrs(), self.base_lrs, strict=True)]
        ratio = (1 + math.cos(math.pi * e / t)) / (1 + math.cos(math.pi * (e - 1) / t))
        return [ratio * (lr - low) + low for lr in self._lrs()]

    def _closed_form(self) -> list[float]:
        cos = (1 + math.cos(math.pi * self.last_epoch / self.T_max)) / 2
        return [self.eta_min + (b - self.eta_min) * cos for b in self.base_lrs]


class ConstantLR(LRScheduler):
    """Multiply the rates by ``factor`` for the first ``total_iters`` epochs.

    ``lr_e = base_lr · factor`` for ``e < total_iters``, ``base_lr`` afterwards.  The
    factor is in (0, 1] (PyTorch allows 0, then divides by it at ``total_iters``).

    >>> import deepnum as dn
    >>> opt = dn.optim.SGD([dn.nn.Parameter(dn.zeros(1))], lr=0.9)
    >>> sched = ConstantLR(opt, factor=0.5, total_iters=2)
    >>> lrs = [opt.param_groups[0]["lr"]]
    >>> for _ in range(3):
    ...     sched.step(); lrs.append(sched.get_last_lr()[0])
    >>> lrs
    [0.45, 0.45, 0.9, 0.9]
    """

    def __init__(self, optimizer: Optimizer, factor: float = 1.0 / 3, total_iters: int = 5,
                 last_epoch: int = -1) -> None:
        check_factor("ConstantLR", "factor", factor, zero_ok=False)
        check_number("ConstantLR", "total_iters", total_iters, 1)
        self.factor, self.total_iters = factor, total_iters
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        if self.last_epoch == 0:
            return [lr * self.factor for lr in self._lrs()]
        if self.last_epoch != self.total_iters:
            return self._lrs()
        return [lr * (1.0 / self.factor) for lr in self._lrs()]

    def _closed_form(self) -> list[float]:
        factor = 1.0 if self.last_epoch >= self.total_iters else self.factor
        return [b * factor for b in self.base_lrs]


class LinearLR(LRScheduler):
    """Move the rates' factor linearly from ``start_factor`` to ``end_factor``.

    ``lr_e = base_lr · (start + (end − start) · min(e, total_iters) / total_iters)``, a
    warm-up when ``start_factor < end_factor``.  ``start_factor`` is in (0, 1],
    ``end_factor`` in [0, 1].

    >>> import deepnum as dn
    >>> opt = dn.optim.SGD([dn.nn.Parameter(dn.zeros(1))], lr=1.0)
    >>> sched = LinearLR(opt, start_factor=0.25, total_iters=3)
    >>> for _ in range(4):
    ...     sched.step()
    >>> round(sched.get_last_lr()[0], 6)
    1.0
    """

    def __init__(self, optimizer: Optimizer, start_factor: float = 1.0 / 3,
                 end_factor: float = 1.0, total_iters: int = 5, last_epoch: int = -1) -> None:
        check_factor("LinearLR", "start_factor", start_factor, zero_ok=False)
        check_factor("LinearLR", "end_factor", end_factor, zero_ok=True)
        check_number("LinearLR", "total_iters", total_iters, 1)
        self.start_factor, self.end_factor = start_factor, end_factor
        self.total_iters = total_iters
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        e, start, end = self.last_epoch, self.start_factor, self.end_factor
        if e == 0:
            return [lr * start for lr in self._lrs()]
        if self._is_initial or e > self.total_iters:
            return self._lrs()
        # factor_e / factor_(e−1), with factor_e = start + (end − start)·e/total_iters
        ratio = 1.0 + (end - start) / (self.total_iters * start + (e - 1) * (end - start))
        return [lr * ratio for lr in self._lrs()]

    def _closed_form(self) -> list[float]:
        done = min(self.total_iters, self.last_epoch) / self.total_iters
        factor = self.start_factor + (self.end_factor - self.start_factor) * done
        return [b * factor for b in self.base_lrs]


class PolynomialLR(LRScheduler):
    """Decay the rates to 0 over ``total_iters`` epochs along a polynomial.

    ``lr_e = base_lr · (1 − min(e, total_iters) / total_iters)^power``.

    >>> import deepnum as dn
    >>> opt = dn.optim.SGD([dn.nn.Parameter(dn.zeros(1))], lr=1.0)
    >>> sched = PolynomialLR(opt, total_iters=4, power=2.0)
    >>> sched.step(); sched.get_last_lr()       # (1 − 1/4)²
    [0.5625]
    """

    def __init__(self, optimizer: Optimizer, total_iters: int = 5, power: float = 1.0,
                 last_epoch: int = -1) -> None:
        check_number("PolynomialLR", "total_iters", total_iters, 1)
        check_number("PolynomialLR", "power", power)
        self.total_iters, self.power = total_iters, power
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        e, t = self.last_epoch, self.total_iters
        if self._is_initial or e > t:
            return self._lrs()
        ratio = ((1.0 - e / t) / (1.0 - (e - 1) / t)) ** self.power
        return [lr * ratio for lr in self._lrs()]

    def _closed_form(self) -> list[float]:
        left = 1.0 - min(self.total_iters, self.last_epoch) / self.total_iters
        return [b * left**self.power for b in self.base_lrs]
