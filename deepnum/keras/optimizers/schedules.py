"""Learning-rate schedules of the Keras door: functions of the optimizer's step count.

A ``LearningRateSchedule`` passed as ``learning_rate`` is evaluated at the optimizer's
``iterations`` (the number of updates applied so far, 0 for the first).  Formulas follow
Keras 3 (``keras/src/optimizers/schedules/learning_rate_schedule.py``); they are computed
in float64.

>>> from deepnum.keras.optimizers import schedules
>>> s = schedules.ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5, staircase=True)
>>> [s(0), s(9), s(10), s(25)]
[0.1, 0.1, 0.05, 0.025]
"""

from __future__ import annotations

import bisect
import math
from typing import Any

from ...errors import ArgumentError
from ..serialization import deserialize as _deserialize
from ..serialization import serialize  # noqa: F401 - public here, as in Keras


class LearningRateSchedule:
    """Base class: ``schedule(step) -> learning rate``; ``get_config`` makes it saveable."""

    def __call__(self, step: int) -> float:
        raise NotImplementedError(f"{type(self).__name__} must define __call__(step)")

    def get_config(self) -> dict[str, Any]:
        raise NotImplementedError(f"{type(self).__name__} must define get_config()")

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> LearningRateSchedule:
        return cls(**config)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


def _check_steps(owner: str, name: str, value: Any) -> None:
    if not value > 0:
        raise ArgumentError(f"{owner}: {name} must be > 0, got {value!r}")


class _RateDecay(LearningRateSchedule):
    """The arguments shared by the exponential and the inverse-time decay."""

    def __init__(self, initial_learning_rate: float, decay_steps: int, decay_rate: float,
                 staircase: bool = False, name: str | None = None) -> None:
        _check_steps(type(self).__name__, "decay_steps", decay_steps)
        self.initial_learning_rate, self.decay_steps = initial_learning_rate, decay_steps
        self.decay_rate, self.staircase = decay_rate, staircase
        self.name = name or type(self).__name__

    def _progress(self, step: int) -> float:
        """``step / decay_steps``, floored with ``staircase``."""
        p = step / self.decay_steps
        return math.floor(p) if self.staircase else p

    def get_config(self) -> dict[str, Any]:
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "decay_rate": self.decay_rate,
                "staircase": self.staircase, "name": self.name}


class ExponentialDecay(_RateDecay):
    """``lr(step) = initial_learning_rate · decay_rate^(step / decay_steps)``.

    With ``staircase=True`` the exponent is ``⌊step / decay_steps⌋``.
    """

    def __call__(self, step: int) -> float:
        return self.initial_learning_rate * self.decay_rate ** self._progress(step)


class PiecewiseConstantDecay(LearningRateSchedule):
    """``values[0]`` while ``step <= boundaries[0]``, ``values[i]`` while
    ``boundaries[i-1] < step <= boundaries[i]``, ``values[-1]`` after the last boundary."""

    def __init__(self, boundaries: list[float], values: list[float],
                 name: str = "PiecewiseConstant") -> None:
        if len(boundaries) != len(values) - 1:
            raise ArgumentError(
                "PiecewiseConstantDecay: the length of boundaries should be 1 less than the "
                f"length of values, got boundaries={boundaries} of length {len(boundaries)} "
                f"and values={values} of length {len(values)}")
        if any(b >= c for b, c in zip(boundaries, boundaries[1:], strict=False)):
            raise ArgumentError(f"PiecewiseConstantDecay: boundaries must increase strictly, "
                                f"got {boundaries}")
        self.boundaries, self.values, self.name = list(boundaries), list(values), name

    def __call__(self, step: int) -> float:
        return self.values[bisect.bisect_left(self.boundaries, step)]

    def get_config(self) -> dict[str, Any]:
        return {"boundaries": self.boundaries, "values": self.values, "name": self.name}


class CosineDecay(LearningRateSchedule):
    """Cosine decay from the initial rate to ``alpha`` times it over ``decay_steps``.

    ``lr(step) = lr0·((1 − alpha)·(1 + cos(π·min(step, decay_steps)/decay_steps))/2 + alpha)``.
    With ``warmup_target``, the rate first rises linearly from ``initial_learning_rate`` to
    ``warmup_target`` over ``warmup_steps``, then decays from ``warmup_target``.
    """

    def __init__(self, initial_learning_rate: float, decay_steps: int, alpha: float = 0.0,
                 name: str = "CosineDecay", warmup_target: float | None = None,
                 warmup_steps: int = 0) -> None:
        _check_steps("CosineDecay", "decay_steps", decay_steps)
        self.initial_learning_rate, self.decay_steps, self.alpha = (
            initial_learning_rate, decay_steps, alpha)
        self.name, self.warmup_target, self.warmup_steps = name, warmup_target, warmup_steps

    def _decay(self, step: float, start: float) -> float:
        cosine = 0.5 * (1.0 + math.cos(math.pi * step / self.decay_steps))
        return start * ((1 - self.alpha) * cosine + self.alpha)

    def __call__(self, step: int) -> float:
        if self.warmup_target is None:
            return self._decay(min(step, self.decay_steps), self.initial_learning_rate)
        step = min(step, self.decay_steps + self.warmup_steps)
        if step < self.warmup_steps:
            delta = self.warmup_target - self.initial_learning_rate
            return delta * step / self.warmup_steps + self.initial_learning_rate
        return self._decay(step - self.warmup_steps, self.warmup_target)

    def get_config(self) -> dict[str, Any]:
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "alpha": self.alpha, "name": self.name,
                "warmup_target": self.warmup_target, "warmup_steps": self.warmup_steps}


class PolynomialDecay(LearningRateSchedule):
    """Polynomial decay from ``initial_learning_rate`` to ``end_learning_rate``.

    ``lr(step) = (lr0 − end)·(1 − min(step, decay_steps)/decay_steps)^power + end``.  With
    ``cycle=True`` the horizon becomes the first multiple of ``decay_steps`` at or above
    ``step`` (``decay_steps`` itself at step 0), so past ``decay_steps`` each cycle decays
    again to ``end`` from a lower start: ``(lr0 − end)·(1/(k+1))^power + end`` just after
    ``k·decay_steps``.

    >>> s = PolynomialDecay(1.0, decay_steps=4, end_learning_rate=0.0, power=2.0)
    >>> [s(0), s(2), s(4), s(9)]
    [1.0, 0.25, 0.0, 0.0]
    """

    def __init__(self, initial_learning_rate: float, decay_steps: int,
                 end_learning_rate: float = 0.0001, power: float = 1.0, cycle: bool = False,
                 name: str = "PolynomialDecay") -> None:
        _check_steps("PolynomialDecay", "decay_steps", decay_steps)
        self.initial_learning_rate, self.decay_steps = initial_learning_rate, decay_steps
        self.end_learning_rate, self.power, self.cycle = end_learning_rate, power, cycle
        self.name = name

    def __call__(self, step: int) -> float:
        horizon = self.decay_steps
        if self.cycle:
            horizon *= max(1, math.ceil(step / self.decay_steps))
        else:
            step = min(step, horizon)
        span = self.initial_learning_rate - self.end_learning_rate
        return span * (1 - step / horizon) ** self.power + self.end_learning_rate

    def get_config(self) -> dict[str, Any]:
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "end_learning_rate": self.end_learning_rate,
                "power": self.power, "cycle": self.cycle, "name": self.name}


class CosineDecayRestarts(LearningRateSchedule):
    """Cosine decay with warm restarts (SGDR): cycle ``i`` lasts ``first_decay_steps·t_mul^i``.

    Within cycle ``i``, at fraction ``f`` of it::

        lr = lr0 · ((1 − alpha) · m_mul^i · (1 + cos(π·f))/2 + alpha)

    so each restart begins at ``m_mul^i`` times the first peak (the floor ``alpha·lr0``
    stays).  Keras finds ``i`` with a logarithm, which in floating point can put an exact
    restart one cycle early (t_mul=3 at the 6th restart); here ``i`` is corrected so that a
    restart step always starts the new cycle, as with ``t_mul=1``.

    >>> s = CosineDecayRestarts(1.0, first_decay_steps=2, t_mul=2.0, m_mul=0.5)
    >>> [s(0), s(1), s(2), s(4), s(6)]       # restarts at steps 2 and 6
    [1.0, 0.5, 0.5, 0.25, 0.25]
    """

    def __init__(self, initial_learning_rate: float, first_decay_steps: int,
                 t_mul: float = 2.0, m_mul: float = 1.0, alpha: float = 0.0,
                 name: str = "SGDRDecay") -> None:
        _check_steps("CosineDecayRestarts", "first_decay_steps", first_decay_steps)
        _check_steps("CosineDecayRestarts", "t_mul", t_mul)
        self.initial_learning_rate, self.first_decay_steps = (
            initial_learning_rate, first_decay_steps)
        self.t_mul, self.m_mul, self.alpha, self.name = t_mul, m_mul, alpha, name

    def _cycle(self, done: float) -> tuple[int, float]:
        """``(i, f)``: the cycle index and the fraction of it done, ``done`` counted in
        first cycles."""
        t = self.t_mul
        if t == 1.0:
            i = math.floor(done)
            return i, done - i

        def start(k: int) -> float:  # where cycle k begins, in first cycles
            return (1.0 - t**k) / (1.0 - t)

        if t < 1.0 and done >= 1.0 / (1.0 - t):  # Keras returns NaN
            raise ArgumentError(
                f"CosineDecayRestarts: with t_mul={t!r} < 1 the cycles add up to "
                f"{self.first_decay_steps / (1.0 - t):g} steps; step "
                f"{done * self.first_decay_steps:g} is past them all")
        i = math.floor(math.log(1.0 - done * (1.0 - t)) / math.log(t))
        while i > 0 and start(i) > done:  # undo the logarithm's rounding, either way
            i -= 1
        while start(i + 1) <= done:
            i += 1
        return i, (done - start(i)) / t**i

    def __call__(self, step: int) -> float:
        i, fraction = self._cycle(step / self.first_decay_steps)
        cosine = 0.5 * self.m_mul**i * (1.0 + math.cos(math.pi * fraction))
        return self.initial_learning_rate * ((1 - self.alpha) * cosine + self.alpha)

    def get_config(self) -> dict[str, Any]:
        return {"initial_learning_rate": self.initial_learning_rate,
                "first_decay_steps": self.first_decay_steps, "t_mul": self.t_mul,
                "m_mul": self.m_mul, "alpha": self.alpha, "name": self.name}


class InverseTimeDecay(_RateDecay):
    """``lr(step) = initial_learning_rate / (1 + decay_rate · step / decay_steps)``.

    With ``staircase=True`` the ratio ``step / decay_steps`` is floored.
    """

    def __call__(self, step: int) -> float:
        return self.initial_learning_rate / (1 + self.decay_rate * self._progress(step))


ALL_SCHEDULES = {cls.__name__.lower(): cls for cls in (
    ExponentialDecay, PiecewiseConstantDecay, PolynomialDecay, CosineDecay, CosineDecayRestarts,
    InverseTimeDecay)}


def deserialize(config: dict[str, Any]) -> LearningRateSchedule:
    """The schedule that :func:`serialize` described."""
    return _deserialize("learning-rate schedule", config, ALL_SCHEDULES,
                        [cls.__name__ for cls in ALL_SCHEDULES.values()])
