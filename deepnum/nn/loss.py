"""Loss layers: each stores its options and calls the function of ``deepnum.functional``.

``reduction`` is "mean" (default), "sum" or "none"; PyTorch's deprecated ``size_average``
and ``reduce`` are translated (with its warning).  Class weights are registered as buffers,
so they appear in ``state_dict`` as in PyTorch.
"""

from __future__ import annotations

from .. import functional as F
from .._tensor import Tensor
from ..creation import as_tensor
from ..functional.loss import _reduction
from .module import Module


class _Loss(Module):
    def __init__(self, size_average=None, reduce=None, reduction: str = "mean"):
        super().__init__()
        self.reduction = _reduction(reduction, size_average, reduce)


class _WeightedLoss(_Loss):
    def __init__(self, weight=None, size_average=None, reduce=None, reduction: str = "mean"):
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", None if weight is None else as_tensor(weight))


class MSELoss(_Loss):
    """Mean squared error ``(x - y)²``, reduced.

    >>> import deepnum as dn
    >>> MSELoss()(dn.tensor([1., 3.]), dn.tensor([1., 1.])).item()
    2.0
    """

    def forward(self, input, target) -> Tensor:  # noqa: A002 - PyTorch's name
        return F.mse_loss(input, target, reduction=self.reduction)


class L1Loss(_Loss):
    """Mean absolute error ``|x - y|``, reduced."""

    def forward(self, input, target) -> Tensor:  # noqa: A002
        return F.l1_loss(input, target, reduction=self.reduction)


class BCELoss(_WeightedLoss):
    """Binary cross-entropy of probabilities (after a sigmoid), logs clamped at -100; ``weight``
    rescales each element's loss (broadcast against the input)."""

    def forward(self, input, target) -> Tensor:  # noqa: A002
        return F.binary_cross_entropy(input, target, weight=self.weight, reduction=self.reduction)


class BCEWithLogitsLoss(_Loss):
    """Sigmoid and binary cross-entropy in one stable step; ``pos_weight`` (one per class)
    weighs the positive examples, ``weight`` each element."""

    def __init__(self, weight=None, size_average=None, reduce=None, reduction: str = "mean",
                 pos_weight=None):
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", None if weight is None else as_tensor(weight))
        self.register_buffer("pos_weight", None if pos_weight is None else as_tensor(pos_weight))

    def forward(self, input, target) -> Tensor:  # noqa: A002
        return F.binary_cross_entropy_with_logits(input, target, self.weight,
                                                  pos_weight=self.pos_weight,
                                                  reduction=self.reduction)


class NLLLoss(_WeightedLoss):
    """Negative log-likelihood of log-probabilities (after ``LogSoftmax``) at integer labels;
    labels equal to ``ignore_index`` are skipped."""

    def __init__(self, weight=None, size_average=None, ignore_index: int = -100, reduce=None,
                 reduction: str = "mean"):
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = ignore_index

    def forward(self, input, target) -> Tensor:  # noqa: A002
        return F.nll_loss(input, target, weight=self.weight, ignore_index=self.ignore_index,
                          reduction=self.reduction)


class CrossEntropyLoss(_WeightedLoss):
    """Cross-entropy of raw logits (N, C) or (N, C, d1, ...) against integer labels (N, d1, ...)
    or class probabilities (the input's shape), with optional class ``weight``,
    ``ignore_index`` and ``label_smoothing`` — PyTorch's semantics, computed stably.

    >>> import deepnum as dn
    >>> loss = CrossEntropyLoss()(dn.tensor([[2.0, 0.5, -1.0]]), dn.tensor([0]))
    >>> round(loss.item(), 4)
    0.2413
    """

    def __init__(self, weight=None, size_average=None, ignore_index: int = -100, reduce=None,
                 reduction: str = "mean", label_smoothing: float = 0.0):
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = ignore_index
        self.label_smoothing = label_smoothing

    def forward(self, input, target) -> Tensor:  # noqa: A002
        return F.cross_entropy(input, target, weight=self.weight, ignore_index=self.ignore_index,
                               reduction=self.reduction, label_smoothing=self.label_smoothing)
