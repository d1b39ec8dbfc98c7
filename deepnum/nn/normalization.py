"""Normalisation and regularisation layers: ``BatchNorm1d``, ``LayerNorm``, ``Dropout``."""

from __future__ import annotations

import numpy as np

from .. import functional as F
from .._tensor import Tensor, _wrap
from ..errors import ShapeError
from ..functional.layers import _check_p
from .module import Module, factory_dtype
from .parameter import Parameter


class BatchNorm1d(Module):
    """Batch normalisation (Ioffe & Szegedy, 2015) of (N, C) or (N, C, L) inputs, per channel:

        y = (x - E[x]) / sqrt(Var[x] + eps) · weight + bias

    Training: E and Var are the batch's (biased Var), and the running estimates move as
    ``running = (1 - momentum)·running + momentum·batch`` (unbiased Var, as PyTorch);
    ``momentum=None`` gives the cumulative average 1/num_batches_tracked.  Evaluation:
    the running estimates are used.  Buffers: ``running_mean`` (zeros), ``running_var``
    (ones), ``num_batches_tracked`` (int64); parameters ``weight`` (ones), ``bias`` (zeros;
    absent with ``bias=False``), both absent with ``affine=False``.
    """

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1,
                 affine: bool = True, track_running_stats: bool = True, device=None,
                 dtype=None, *, bias: bool = True):
        super().__init__()
        dtype = factory_dtype(device, dtype)
        self.num_features = num_features
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        if affine:
            self.weight = Parameter(np.ones(num_features, dtype))
            if bias:
                self.bias = Parameter(np.zeros(num_features, dtype))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        if track_running_stats:
            self.register_buffer("running_mean", _wrap(np.zeros(num_features, dtype)))
            self.register_buffer("running_var", _wrap(np.ones(num_features, dtype)))
            self.register_buffer("num_batches_tracked", _wrap(np.array(0, np.int64)))
        else:
            for name in ("running_mean", "running_var", "num_batches_tracked"):
                self.register_buffer(name, None)

    def reset_running_stats(self) -> None:
        if self.track_running_stats:
            self.running_mean.data[...] = 0
            self.running_var.data[...] = 1
            self.num_batches_tracked.data[...] = 0

    def reset_parameters(self) -> None:
        self.reset_running_stats()
        if self.affine:
            self.weight.data[...] = 1
            if self.bias is not None:
                self.bias.data[...] = 0

    def forward(self, input) -> Tensor:  # noqa: A002 - PyTorch's name
        if input.ndim not in (2, 3):
            raise ShapeError(f"BatchNorm1d: expected 2D or 3D input (got {input.ndim}D input "
                             f"of shape {input.shape})")
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats and self.num_batches_tracked is not None:
            count = self.num_batches_tracked.data
            count += 1
            factor = 1.0 / float(count) if self.momentum is None else self.momentum
        use_batch = self.training or (self.running_mean is None and self.running_var is None)
        track = not self.training or self.track_running_stats
        return F.batch_norm(
            input,
            self.running_mean if track else None,
            self.running_var if track else None,
            self.weight, self.bias, use_batch, factor, self.eps,
        )

    def extra_repr(self) -> str:
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
                f"affine={self.affine}, bias={self.bias is not None}, "
                f"track_running_stats={self.track_running_stats}")


class LayerNorm(Module):
    """Layer normalisation (Ba et al., 2016) over the last ``len(normalized_shape)`` axes of
    each example: ``(x - mean)/sqrt(var + eps)·weight + bias`` (biased var).  ``weight``
    (ones) and ``bias`` (zeros) have ``normalized_shape`` when ``elementwise_affine``."""

    def __init__(self, normalized_shape, eps: float = 1e-5, elementwise_affine: bool = True,
                 bias: bool = True, device=None, dtype=None):
        super().__init__()
        dtype = factory_dtype(device, dtype)
        if isinstance(normalized_shape, int | np.integer):
            normalized_shape = (normalized_shape,)
        self.normalized_shape = tuple(int(n) for n in normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        if elementwise_affine:
            self.weight = Parameter(np.ones(self.normalized_shape, dtype))
            if bias:
                self.bias = Parameter(np.zeros(self.normalized_shape, dtype))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)

    def forward(self, input) -> Tensor:  # noqa: A002
        return F.layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.normalized_shape}, eps={self.eps}, "
                f"elementwise_affine={self.elementwise_affine}, bias={self.bias is not None}")


class Dropout(Module):
    """Inverted dropout: in training mode, zero each element with probability ``p`` and scale
    the survivors by 1/(1-p); in evaluation mode, the identity.  Masks come from the seeded
    "dropout" stream, so ``deepnum.manual_seed`` reproduces them."""

    def __init__(self, p: float = 0.5, inplace: bool = False):
        super().__init__()
        _check_p(p)
        self.p = p
        self.inplace = inplace

    def forward(self, input) -> Tensor:  # noqa: A002
        return F.dropout(input, self.p, self.training)

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"
