"""``LRScheduler``, the base of every schedule, and the argument checks they share."""

from __future__ import annotations

import copy
import numbers
from typing import Any

from ...errors import ArgumentError, StateError
from ..optimizer import Optimizer


def check_optimizer(owner: str, optimizer: Any) -> None:
    """Raise ``TypeError`` unless ``optimizer`` is a deepnum ``Optimizer``."""
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"{owner}: {type(optimizer).__name__} is not an Optimizer")


def check_factor(owner: str, what: str, value: Any, zero_ok: bool) -> None:
    """Raise ``ArgumentError`` unless ``value`` is in [0, 1] (or (0, 1] without ``zero_ok``)."""
    try:
        ok = (value >= 0 if zero_ok else value > 0) and value <= 1
    except TypeError:
        ok = False
    if not ok or isinstance(value, bool):
        span = "[0, 1]" if zero_ok else "(0, 1]"
        raise ArgumentError(f"{owner}: invalid {what}: {value!r} (must be in {span})")


def check_count(owner: str, what: str, value: Any) -> None:
    """Raise ``ArgumentError`` unless ``value`` is an integer >= 1."""
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < 1:
        raise ArgumentError(f"{owner}: invalid {what}: {value!r} (expected an integer >= 1)")


def per_group(owner: str, what: str, value: Any, optimizer: Optimizer) -> list[Any]:
    """``value`` for each parameter group: a list of one per group, or one value for all."""
    n = len(optimizer.param_groups)
    if isinstance(value, list | tuple):
        if len(value) != n:
            raise ArgumentError(f"{owner}: expected {n} {what}s (one per parameter group), "
                                f"got {len(value)}: {list(value)!r}")
        return list(value)
    return [value] * n


class LRScheduler:
    """Base class: subclasses give the next rates in ``get_lr`` (and a closed form).

    ``last_epoch`` counts the steps taken (-1 before the constructor's step 0); the
    ``base_lrs`` are the groups' ``initial_lr``.
    """

    def __init__(self, optimizer: Optimizer, last_epoch: int = -1) -> None:
        check_optimizer(type(self).__name__, optimizer)
        self.optimizer = optimizer
        for i, group in enumerate(optimizer.param_groups):
            if last_epoch == -1:
                group.setdefault("initial_lr", group["lr"])
            elif "initial_lr" not in group:
                raise StateError(
                    f"{type(self).__name__}: param_groups[{i}] has no 'initial_lr', needed to "
                    f"resume at last_epoch={last_epoch}; load the optimizer's state first")
        self.base_lrs = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        self._is_initial = False
        self._initial_step()

    def _initial_step(self) -> None:
        """Step 0, taken by the constructor (and by ``SequentialLR`` when it starts)."""
        self._step_count = 0
        self._is_initial = True
        try:
            self.step()
        finally:
            self._is_initial = False

    def _undo_initial_step(self) -> None:
        """Take back the constructor's step, so that ``SequentialLR`` can start later."""
        self.last_epoch -= 1

    def get_lr(self) -> list[float]:
        """The rates for the current ``last_epoch``, from the groups' present rates."""
        raise NotImplementedError

    def _closed_form(self) -> list[float] | None:
        """The rates at ``last_epoch`` from the base rates, or None without a closed form."""
        return None

    def _lrs(self) -> list[float]:
        return [group["lr"] for group in self.optimizer.param_groups]

    def step(self, epoch: int | None = None) -> None:
        """Advance one step (or jump to ``epoch``, with the closed form where there is one)."""
        self._step_count += 1
        self._update_lr(epoch)

    def _update_lr(self, epoch: int | None = None) -> None:
        if epoch is None:
            self.last_epoch += 1
            values = self.get_lr()
        else:
            self.last_epoch = epoch
            values = self._closed_form() or self.get_lr()
        for group, lr in zip(self.optimizer.param_groups, values, strict=True):
            group["lr"] = lr
        self._last_lr = self._lrs()

    def get_last_lr(self) -> list[float]:
        """The learning rates the last ``step`` set, one per parameter group."""
        return list(self._last_lr)

    def state_dict(self) -> dict[str, Any]:
        """Every attribute except the optimizer, deep-copied."""
        return {k: copy.deepcopy(v) for k, v in self.__dict__.items() if k != "optimizer"}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore a ``state_dict()`` (the optimizer's own state is loaded separately)."""
        self.__dict__.update(copy.deepcopy(state_dict))
