"""Learning-rate schedules that rewrite ``group["lr"]``, as ``torch.optim.lr_scheduler``.

A scheduler is stepped once per epoch (or per batch), after ``optimizer.step()``.
Constructing it performs step 0, which records ``initial_lr`` in every group and may
already change the learning rate.  ``state_dict()`` holds numbers (and names) only, never
the optimizer nor a function, so it can be saved as JSON with a checkpoint.

- by rule: :class:`StepLR`, :class:`MultiStepLR`, :class:`ExponentialLR`,
  :class:`CosineAnnealingLR`, :class:`ConstantLR`, :class:`LinearLR`, :class:`PolynomialLR`
- by the user's function: :class:`LambdaLR`, :class:`MultiplicativeLR`
- cyclical: :class:`OneCycleLR`, :class:`CosineAnnealingWarmRestarts`
- by a metric: :class:`ReduceLROnPlateau`
- composed: :class:`SequentialLR`, :class:`ChainedScheduler`

>>> import deepnum as dn
>>> opt = dn.optim.SGD([dn.nn.Parameter(dn.zeros(1))], lr=1.0)
>>> sched = dn.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
>>> lrs = []
>>> for epoch in range(5):
...     opt.step(); sched.step(); lrs.append(sched.get_last_lr()[0])
>>> lrs
[1.0, 0.5, 0.5, 0.25, 0.25]
"""

from .base import LRScheduler
from .compose import ChainedScheduler, SequentialLR
from .cycles import CosineAnnealingWarmRestarts, OneCycleLR
from .decay import (
    ConstantLR,
    CosineAnnealingLR,
    ExponentialLR,
    LinearLR,
    MultiStepLR,
    PolynomialLR,
    StepLR,
)
from .lambdas import LambdaLR, MultiplicativeLR
from .plateau import ReduceLROnPlateau

__all__ = ["LRScheduler", "StepLR", "MultiStepLR", "ExponentialLR", "CosineAnnealingLR",
           "ConstantLR", "LinearLR", "PolynomialLR", "LambdaLR", "MultiplicativeLR",
           "OneCycleLR", "CosineAnnealingWarmRestarts", "ReduceLROnPlateau", "SequentialLR",
           "ChainedScheduler"]
