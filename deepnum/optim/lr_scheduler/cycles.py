"""Cyclical schedules: ``OneCycleLR`` (Smith's 1cycle) and ``CosineAnnealingWarmRestarts``."""

from __future__ import annotations

import math
import numbers
from typing import Any

from ...errors import ArgumentError, unknown_name
from ..optimizer import Optimizer
from .base import LRScheduler, check_count, check_factor, check_optimizer, per_group


def _check_positive(owner: str, what: str, value: Any) -> None:
    if not isinstance(value, numbers.Real) or isinstance(value, bool) or not value > 0:
        raise ArgumentError(f"{owner}: invalid {what}: {value!r} (expected a number > 0)")


class OneCycleLR(LRScheduler):
    r"""The 1cycle policy (Smith & Topin, 2017): up to ``max_lr``, then far below the start.

    Stepped once per batch, for ``total_steps`` (or ``epochs · steps_per_epoch``) steps.
    With ``T = total_steps`` and ``p = pct_start``, the rate anneals (cosine or linear)::

        initial_lr = max_lr / div_factor  →  max_lr      over steps 0 … p·T − 1
        max_lr  →  min_lr = initial_lr / final_div_factor   up to step T − 1

    or, with ``three_phase``, ``max_lr → initial_lr`` up to step 2·p·T − 2 and then
    ``initial_lr → min_lr``.  With ``cycle_momentum`` the momentum (SGD, RMSprop) or β1
    (Adam) moves the other way, between ``max_momentum`` and ``base_momentum``.  Each
    cosine segment is ``end + (start − end)·(1 + cos(π·pct))/2``, ``pct`` the fraction of
    the phase done.  The scheduler may be stepped ``total_steps`` times (the last sets a
    rate past the cycle's end that a training loop never uses); once more is an error.

    >>> import deepnum as dn
    >>> opt = dn.optim.SGD([dn.nn.Parameter(dn.zeros(1))], lr=0.1, momentum=0.9)
    >>> sched = OneCycleLR(opt, max_lr=1.0, total_steps=10, anneal_strategy="linear")
    >>> opt.param_groups[0]["lr"], opt.param_groups[0]["momentum"]
    (0.04, 0.95)
    >>> for _ in range(2):
    ...     sched.step()
    >>> opt.param_groups[0]["lr"], opt.param_groups[0]["momentum"]   # the peak, at step 3 − 1
    (1.0, 0.85)
    """

    def __init__(self, optimizer: Optimizer, max_lr: float | list[float],
                 total_steps: int | None = None, epochs: int | None = None,
                 steps_per_epoch: int | None = None, pct_start: float = 0.3,
                 anneal_strategy: str = "cos", cycle_momentum: bool = True,
                 base_momentum: float | list[float] = 0.85,
                 max_momentum: float | list[float] = 0.95, div_factor: float = 25.0,
                 final_div_factor: float = 1e4, three_phase: bool = False,
                 last_epoch: int = -1) -> None:
        name = "OneCycleLR"
        check_optimizer(name, optimizer)
        if total_steps is not None:
            check_count(name, "total_steps", total_steps)
        elif epochs is not None and steps_per_epoch is not None:
            check_count(name, "epochs", epochs)
            check_count(name, "steps_per_epoch", steps_per_epoch)
            total_steps = epochs * steps_per_epoch
        else:
            raise ArgumentError(
                f"{name}: give total_steps, or both epochs and steps_per_epoch; got "
                f"total_steps=None, epochs={epochs!r}, steps_per_epoch={steps_per_epoch!r}")
        check_factor(name, "pct_start", pct_start, zero_ok=True)
        if anneal_strategy not in ("cos", "linear"):
            raise unknown_name(f"{name} anneal_strategy", anneal_strategy, ["cos", "linear"])
        _check_positive(name, "div_factor", div_factor)
        _check_positive(name, "final_div_factor", final_div_factor)
        self.total_steps, self.pct_start, self.three_phase = total_steps, pct_start, three_phase
        self.anneal_strategy = anneal_strategy
        groups = optimizer.param_groups
        if last_epoch == -1:
            for peak, group in zip(per_group(name, "max_lr", max_lr, optimizer), groups,
                                   strict=True):
                group["initial_lr"] = peak / div_factor
                group["max_lr"] = peak
                group["min_lr"] = group["initial_lr"] / final_div_factor
        self.cycle_momentum = cycle_momentum
        if cycle_momentum:
            if "momentum" not in optimizer.defaults and "betas" not in optimizer.defaults:
                raise ArgumentError(
                    f"{name}: cycle_momentum=True needs an optimizer with a momentum or betas, "
                    f"and {type(optimizer).__name__} has neither (pass cycle_momentum=False)")
            self.use_beta1 = "betas" in optimizer.defaults
            highs = per_group(name, "max_momentum", max_momentum, optimizer)
            lows = per_group(name, "base_momentum", base_momentum, optimizer)
            if last_epoch == -1:
                for high, low, group in zip(highs, lows, groups, strict=True):
                    self._set_momentum(group, high)
                    group["max_momentum"], group["base_momentum"] = high, low
        super().__init__(optimizer, last_epoch)

    def _phases(self) -> list[tuple[float, str, str, str, str]]:
        """(last step, start and end rate keys, start and end momentum keys) per phase."""
        t, p = self.total_steps, self.pct_start
        if self.three_phase:
            return [(float(p * t) - 1, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
                    (float(2 * p * t) - 2, "max_lr", "initial_lr", "base_momentum",
                     "max_momentum"),
                    (t - 1, "initial_lr", "min_lr", "max_momentum", "max_momentum")]
        return [(float(p * t) - 1, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
                (t - 1, "max_lr", "min_lr", "base_momentum", "max_momentum")]

    def _anneal(self, start: float, end: float, pct: float) -> float:
        if self.anneal_strategy == "cos":
            return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)
        return (end - start) * pct + start

    def _set_momentum(self, group: dict[str, Any], value: float) -> None:
        if self.use_beta1:
            group["betas"] = (value, *group["betas"][1:])
        else:
            group["momentum"] = value

    def step(self, epoch: int | None = None) -> None:
        """Advance one batch (checked against ``total_steps`` before anything changes)."""
        upcoming = self.last_epoch + 1 if epoch is None else epoch
        if upcoming > self.total_steps:
            raise ArgumentError(
                f"OneCycleLR: step {upcoming} is past the end of the cycle, total_steps="
                f"{self.total_steps} (step() may be called at most total_steps times after "
                "construction; give total_steps, or epochs and steps_per_epoch, for the whole "
                "training)")
        super().step(epoch)

    def get_lr(self) -> list[float]:
        """The rates at ``last_epoch``; sets the momenta (or β1) as a side effect."""
        now, start = self.last_epoch, 0.0
        phases = self._phases()
        for i, phase in enumerate(phases):
            if now <= phase[0] or i == len(phases) - 1:
                break
            start = phase[0]
        end, lr_from, lr_to, m_from, m_to = phase
        if end == start:  # PyTorch divides by zero here
            raise ArgumentError(
                f"OneCycleLR: phase {i + 1} of the cycle is empty (it starts and ends at step "
                f"{end:g}) with pct_start={self.pct_start!r}, total_steps={self.total_steps}"
                f"{', three_phase=True' if self.three_phase else ''}; change pct_start")
        pct = (now - start) / (end - start)
        if self.cycle_momentum:
            for group in self.optimizer.param_groups:
                self._set_momentum(group, self._anneal(group[m_from], group[m_to], pct))
        return [self._anneal(g[lr_from], g[lr_to], pct) for g in self.optimizer.param_groups]


class CosineAnnealingWarmRestarts(LRScheduler):
    r"""Cosine annealing restarted every ``T_i`` epochs (SGDR, Loshchilov & Hutter, 2016).

    ``lr = eta_min + (base_lr − eta_min)·(1 + cos(π·T_cur/T_i))/2``, where ``T_cur`` counts
    the epochs since the last restart and the cycles last ``T_0, T_0·T_mult,
    T_0·T_mult², …`` epochs.  ``step(epoch)`` accepts a fractional epoch (``epoch + i /
    batches`` to step every batch) and finds its cycle exactly; PyTorch's logarithm may land
    one cycle early when ``epoch`` is exactly a restart (e.g. T_0=1, T_mult=3, epoch=121).

    >>> import deepnum as dn
    >>> opt = dn.optim.SGD([dn.nn.Parameter(dn.zeros(1))], lr=1.0)
    >>> sched = CosineAnnealingWarmRestarts(opt, T_0=2, T_mult=2)
    >>> sched.step(1.0); sched.get_last_lr()      # half-way through the first cycle
    [0.5]
    >>> sched.step(2.0); sched.get_last_lr()      # the restart
    [1.0]
    """

    def __init__(self, optimizer: Optimizer, T_0: int, T_mult: int = 1,  # noqa: N803
                 eta_min: float = 0.0, last_epoch: int = -1) -> None:
        name = "CosineAnnealingWarmRestarts"
        check_count(name, "T_0", T_0)
        check_count(name, "T_mult", T_mult)
        if not isinstance(eta_min, numbers.Real) or isinstance(eta_min, bool):
            raise ArgumentError(f"{name}: invalid eta_min: {eta_min!r} (expected a number)")
        self.T_0, self.T_i, self.T_mult, self.eta_min = T_0, T_0, T_mult, eta_min
        self.T_cur: float = last_epoch
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        cos = 1 + math.cos(math.pi * self.T_cur / self.T_i)
        return [self.eta_min + (b - self.eta_min) * cos / 2 for b in self.base_lrs]

    def _cycle_at(self, epoch: float) -> tuple[float, int]:
        """``(T_cur, T_i)`` at ``epoch``: the cycle containing it, found without logarithms."""
        if self.T_mult == 1:
            return epoch % self.T_0, self.T_0
        start, length = 0, self.T_0
        while epoch >= start + length:
            start, length = start + length, length * self.T_mult
        return epoch - start, length

    def step(self, epoch: float | None = None) -> None:
        """Advance one epoch, or go to ``epoch`` (a float >= 0: ``step(e + i / batches)``)."""
        if epoch is None and self.last_epoch < 0:
            epoch = 0
        if epoch is None:
            epoch = self.last_epoch + 1
            self.T_cur += 1
            if self.T_cur >= self.T_i:
                self.T_cur, self.T_i = self.T_cur % self.T_i, self.T_i * self.T_mult
        else:
            if not isinstance(epoch, numbers.Real) or not epoch >= 0:
                raise ArgumentError(f"CosineAnnealingWarmRestarts: invalid epoch: {epoch!r} "
                                    "(expected a number >= 0)")
            self.T_cur, self.T_i = self._cycle_at(epoch)
        self._step_count += 1
        self.last_epoch = math.floor(epoch)
        for group, lr in zip(self.optimizer.param_groups, self.get_lr(), strict=True):
            group["lr"] = lr
        self._last_lr = self._lrs()
