"""Schedules made of schedules: ``SequentialLR`` (one after another), ``ChainedScheduler``
(all at once)."""

from __future__ import annotations

import bisect
import copy
import itertools
import numbers
from collections.abc import Sequence
from typing import Any

from ...errors import ArgumentError
from ..optimizer import Optimizer
from .base import LRScheduler, check_optimizer
from .plateau import ReduceLROnPlateau


class _Composite(LRScheduler):
    """Holds ``_schedulers`` of one optimizer; saves their states inside its own."""

    _schedulers: list[LRScheduler]

    def _adopt(self, optimizer: Optimizer, schedulers: Sequence[LRScheduler]) -> None:
        name = type(self).__name__
        schedulers = list(schedulers)
        if not schedulers:
            raise ArgumentError(f"{name}: expected at least one scheduler, got none")
        for i, s in enumerate(schedulers):
            if not isinstance(s, LRScheduler):
                raise TypeError(f"{name}: schedulers[{i}] is a {type(s).__name__}, not a "
                                "learning-rate scheduler")
            if isinstance(s, ReduceLROnPlateau):
                raise ArgumentError(f"{name}: schedulers[{i}] is a ReduceLROnPlateau, whose "
                                    "step() needs a metric; step it on its own")
            if s.optimizer is not optimizer:
                raise ArgumentError(f"{name}: schedulers[{i}] ({type(s).__name__}) drives "
                                    "another optimizer; every scheduler must drive the same")
        self.optimizer, self._schedulers = optimizer, schedulers

    def _undo_initial_step(self) -> None:
        for s in self._schedulers:
            s._undo_initial_step()

    def state_dict(self) -> dict[str, Any]:
        """Its own attributes, and each scheduler's ``state_dict()`` under ``_schedulers``."""
        state = {k: copy.deepcopy(v) for k, v in self.__dict__.items()
                 if k not in ("optimizer", "_schedulers")}
        state["_schedulers"] = [s.state_dict() for s in self._schedulers]
        return state

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        self.__dict__.update(copy.deepcopy({k: v for k, v in state_dict.items()
                                            if k != "_schedulers"}))
        for s, saved in zip(self._schedulers, state_dict["_schedulers"], strict=True):
            s.load_state_dict(saved)


class SequentialLR(_Composite):
    """Run ``schedulers[0]`` until ``milestones[0]``, then ``schedulers[1]``, and so on.

    At each milestone the rates go back to the base rates and the next scheduler starts
    from its epoch 0, as if constructed then (e.g. a linear warm-up, then cosine decay).

    >>> import deepnum as dn
    >>> from deepnum.optim.lr_scheduler import ConstantLR, ExponentialLR
    >>> opt = dn.optim.SGD([dn.nn.Parameter(dn.zeros(1))], lr=1.0)
    >>> warm = ConstantLR(opt, factor=0.5, total_iters=2)
    >>> decay = ExponentialLR(opt, gamma=0.5)
    >>> sched = SequentialLR(opt, [warm, decay], milestones=[2])
    >>> lrs = [opt.param_groups[0]["lr"]]
    >>> for _ in range(4):
    ...     sched.step(); lrs.append(sched.get_last_lr()[0])
    >>> lrs
    [0.5, 0.5, 1.0, 0.5, 0.25]
    """

    def __init__(self, optimizer: Optimizer, schedulers: Sequence[LRScheduler],
                 milestones: Sequence[int], last_epoch: int = -1) -> None:
        check_optimizer("SequentialLR", optimizer)
        self._adopt(optimizer, schedulers)
        milestones = list(milestones)
        if len(milestones) != len(self._schedulers) - 1:
            raise ArgumentError(
                f"SequentialLR: expected {len(self._schedulers) - 1} milestones (one fewer "
                f"than the {len(self._schedulers)} schedulers), got {len(milestones)}: "
                f"{milestones!r}")
        if (any(not isinstance(m, numbers.Integral) or isinstance(m, bool) for m in milestones)
                or any(a >= b for a, b in itertools.pairwise(milestones))):
            raise ArgumentError(f"SequentialLR: invalid milestones: {milestones!r} (expected "
                                "integers in increasing order)")
        for i, s in enumerate(self._schedulers[1:], 1):
            if isinstance(s, _Composite):  # PyTorch fails at the milestone, in get_lr
                raise ArgumentError(f"SequentialLR: schedulers[{i}] is a {type(s).__name__}, "
                                    "which cannot restart at a milestone (only the first "
                                    "scheduler may be a composite)")
        self._milestones = milestones
        self.last_epoch = last_epoch + 1
        for group in optimizer.param_groups:
            group["lr"] = group["initial_lr"]
        self._undo_initial_step()  # the first scheduler takes step 0 again, the others later
        first = self._schedulers[bisect.bisect_right(milestones, 0)]
        first._initial_step()
        self._last_lr = first.get_last_lr()

    def step(self) -> None:  # type: ignore[override]
        """Step the scheduler whose turn it is (starting it afresh at its milestone)."""
        self.last_epoch += 1
        idx = bisect.bisect_right(self._milestones, self.last_epoch)
        scheduler = self._schedulers[idx]
        if idx > 0 and self._milestones[idx - 1] == self.last_epoch:
            scheduler._update_lr(0)
        else:
            scheduler.step()
        self._last_lr = scheduler.get_last_lr()


class ChainedScheduler(_Composite):
    """Step every scheduler at each ``step()``, in order, so that their effects compound.

    Only chainable schedulers (those that scale the present rate, not ``LambdaLR``'s
    ``base_lr · f(e)``) combine meaningfully.

    >>> import deepnum as dn
    >>> from deepnum.optim.lr_scheduler import ConstantLR, ExponentialLR
    >>> opt = dn.optim.SGD([dn.nn.Parameter(dn.zeros(1))], lr=1.0)
    >>> sched = ChainedScheduler([ConstantLR(opt, factor=0.5, total_iters=2),
    ...                           ExponentialLR(opt, gamma=0.5)])
    >>> lrs = [opt.param_groups[0]["lr"]]
    >>> for _ in range(3):
    ...     sched.step(); lrs.append(sched.get_last_lr()[0])
    >>> lrs
    [0.5, 0.25, 0.25, 0.125]
    """

    def __init__(self, schedulers: Sequence[LRScheduler],
                 optimizer: Optimizer | None = None) -> None:
        if optimizer is None and schedulers and isinstance(schedulers[0], LRScheduler):
            optimizer = schedulers[0].optimizer
        if optimizer is not None:
            check_optimizer("ChainedScheduler", optimizer)
        self._adopt(optimizer, schedulers)
        self._last_lr = self._lrs()

    def step(self) -> None:  # type: ignore[override]
        """Step each scheduler once."""
        for s in self._schedulers:
            s.step()
        self._last_lr = self._lrs()
