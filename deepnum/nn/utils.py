"""Gradient clipping and flat parameter vectors (``torch.nn.utils``)."""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

from .._tensor import Tensor, _wrap
from ..errors import NonFiniteError, ShapeError
from ..tensor_shape import cat, reshape


def _params(parameters) -> list[Tensor]:
    return [parameters] if isinstance(parameters, Tensor) else list(parameters)


def clip_grad_norm_(parameters: Tensor | Iterable[Tensor], max_norm: float,
                    norm_type: float = 2.0, error_if_nonfinite: bool = False) -> Tensor:
    """Scale all gradients together so their joint ``norm_type``-norm is at most ``max_norm``:
    ``g ← g·min(1, max_norm/(total + 1e-6))``, total = ‖(‖g₁‖, ‖g₂‖, ...)‖ (``inf``: the
    largest |g|).  Returns the total norm before clipping, as PyTorch.

    >>> import deepnum as dn
    >>> w = dn.nn.Parameter(dn.zeros(2)); w.grad = dn.tensor([3., 4.]).numpy()
    >>> clip_grad_norm_([w], 1.0).item()
    5.0
    """
    params = [p for p in _params(parameters) if p.grad is not None]
    if not params:
        return _wrap(np.array(0.0, np.float32))
    norm_type = float(norm_type)
    if norm_type == math.inf:
        norms = [np.abs(p.grad).max(initial=0.0) for p in params]
        total = np.max(norms)
    else:
        norms = [np.sum(np.abs(p.grad.astype(np.float64)) ** norm_type) for p in params]
        total = np.sum(norms) ** (1.0 / norm_type)
    if error_if_nonfinite and not np.isfinite(total):
        raise NonFiniteError(
            f"clip_grad_norm_: the total norm of order {norm_type} of the gradients is {total}; "
            "set error_if_nonfinite=False to clip anyway"
        )
    coef = min(max_norm / (total + 1e-6), 1.0)
    for p in params:
        p.grad = p.grad * np.asarray(coef, p.grad.dtype)
    return _wrap(np.asarray(total, params[0].grad.dtype))


def clip_grad_value_(parameters: Tensor | Iterable[Tensor], clip_value: float) -> None:
    """Clamp every gradient element into ``[-clip_value, clip_value]``."""
    for p in _params(parameters):
        if p.grad is not None:
            p.grad = np.clip(p.grad, -clip_value, clip_value)


def parameters_to_vector(parameters: Iterable[Tensor]) -> Tensor:
    """All parameters flattened and joined into one vector (differentiable)."""
    return cat([reshape(p, (-1,)) for p in parameters])


def vector_to_parameters(vec: Tensor, parameters: Iterable[Tensor]) -> None:
    """Copy consecutive slices of ``vec`` into the parameters (the inverse of
    :func:`parameters_to_vector`)."""
    if not isinstance(vec, Tensor):
        raise TypeError(f"expected a deepnum Tensor, but got: {type(vec).__name__}")
    params = list(parameters)
    total = sum(p.data.size for p in params)
    if vec.ndim != 1 or vec.shape[0] != total:
        raise ShapeError(
            f"vector_to_parameters: vec of shape {vec.shape} does not hold the {total} "
            "elements of the parameters"
        )
    start = 0
    for p in params:
        p.data[...] = vec.data[start:start + p.data.size].reshape(p.shape)
        start += p.data.size
