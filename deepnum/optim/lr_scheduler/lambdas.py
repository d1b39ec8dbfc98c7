"""Schedules given by the user's functions of the epoch: ``LambdaLR``, ``MultiplicativeLR``."""

from __future__ import annotations

import copy
import types
from collections.abc import Callable
from typing import Any

from ..optimizer import Optimizer
from .base import LRScheduler, check_optimizer, per_group

LrLambda = Callable[[int], float]


class _LambdaScheduler(LRScheduler):
    """One function of the epoch per parameter group (one given for all, or a list).

    The functions are not part of ``state_dict()`` (a plain function is saved as None,
    a callable object as its attribute dict): re-create them when resuming.
    """

    def __init__(self, optimizer: Optimizer, lr_lambda: LrLambda | list[LrLambda],
                 last_epoch: int = -1) -> None:
        name = type(self).__name__
        check_optimizer(name, optimizer)
        self.lr_lambdas = per_group(name, "lr_lambda", lr_lambda, optimizer)
        for f in self.lr_lambdas:
            if not callable(f):
                raise TypeError(f"{name}: lr_lambda should be a function, got "
                                f"{type(f).__name__} {f!r}")
        super().__init__(optimizer, last_epoch)

    def state_dict(self) -> dict[str, Any]:
        state = {k: copy.deepcopy(v) for k, v in self.__dict__.items()
                 if k not in ("optimizer", "lr_lambdas")}
        state["lr_lambdas"] = [None if isinstance(f, types.FunctionType)
                               else copy.deepcopy(f.__dict__) for f in self.lr_lambdas]
        return state

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        state = {k: v for k, v in state_dict.items() if k != "lr_lambdas"}
        super().load_state_dict(state)
        for f, saved in zip(self.lr_lambdas, state_dict.get("lr_lambdas", ()), strict=False):
            if saved is not None:
                f.__dict__.update(copy.deepcopy(saved))


class LambdaLR(_LambdaScheduler):
    """Set each rate to ``base_lr · lr_lambda(epoch)`` (one function, or one per group).

    The functions are not part of ``state_dict()``: re-create them when resuming.
    """

    def get_lr(self) -> list[float]:
        return [b * f(self.last_epoch)
                for f, b in zip(self.lr_lambdas, self.base_lrs, strict=True)]


class MultiplicativeLR(_LambdaScheduler):
    """Multiply each rate by ``lr_lambda(epoch)`` at every step after the first.

    ``lr_e = lr_(e−1) · lr_lambda(e)``, so ``lr_e = base_lr · Π_{k=1..e} lr_lambda(k)``.
    The functions are not part of ``state_dict()``: re-create them when resuming.

    >>> import deepnum as dn
    >>> opt = dn.optim.SGD([dn.nn.Parameter(dn.zeros(1))], lr=1.0)
    >>> sched = MultiplicativeLR(opt, lambda epoch: 0.5)
    >>> sched.step(); sched.step(); sched.get_last_lr()
    [0.25]
    """

    def get_lr(self) -> list[float]:
        if self._is_initial:
            return self._lrs()
        return [lr * f(self.last_epoch)
                for f, lr in zip(self.lr_lambdas, self._lrs(), strict=True)]
