"""Stochastic gradient descent, optionally with (Nesterov) momentum, as PyTorch's ``SGD``."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import ArgumentError
from . import rules
from .optimizer import Optimizer, ParamsT


class SGD(Optimizer):
    r"""Stochastic gradient descent with PyTorch's momentum convention.

    For each parameter ``θ`` with gradient ``g`` (``−g`` when ``maximize``)::

        g ← g + λ·θ                          (weight_decay λ, an L2 penalty)
        b ← g                  at the first step,
        b ← μ·b + (1 − τ)·g    afterwards     (momentum μ, dampening τ)
        θ ← θ − lr·b           or, Nesterov:  θ ← θ − lr·(g + μ·b)

    The learning rate multiplies the buffer when it is applied (PyTorch's convention),
    unlike Sutskever et al. and Keras, which fold it into the velocity
    ``v ← μ·v − lr·g; θ ← θ + v``; the two agree while the learning rate is constant.
    The buffer starts as the first gradient, so dampening applies from the second step.
    State: ``momentum_buffer`` (when μ ≠ 0).

    >>> import deepnum as dn
    >>> w = dn.nn.Parameter(dn.tensor([1.0]))
    >>> opt = dn.optim.SGD([w], lr=0.1, momentum=0.9)
    >>> for _ in range(2):
    ...     w.grad = dn.ones(1).data
    ...     opt.step()
    >>> round(w.item(), 4)       # 1 − 0.1·1 − 0.1·(0.9 + 1)
    0.71
    """

    _nonnegative = (("lr", "learning rate"), ("momentum", "momentum value"),
                    ("weight_decay", "weight_decay value"))

    def __init__(self, params: ParamsT, lr: float = 1e-3, momentum: float = 0,
                 dampening: float = 0, weight_decay: float = 0, nesterov: bool = False,
                 *, maximize: bool = False) -> None:
        defaults = {"lr": lr, "momentum": momentum, "dampening": dampening,
                    "weight_decay": weight_decay, "nesterov": nesterov, "maximize": maximize}
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        super()._check_group(group)
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ArgumentError(
                "SGD: Nesterov momentum requires a momentum > 0 and zero dampening, got "
                f"momentum={group['momentum']!r}, dampening={group['dampening']!r}")

    def _update_group(self, group: dict[str, Any]) -> None:
        lr, mu, nesterov = group["lr"], group["momentum"], group["nesterov"]
        into = 1.0 - group["dampening"]
        state = self.state
        for p, g in self._gradients(group, group["weight_decay"]):
            tmp = self._tmp(p)
            if mu == 0:
                rules.axpy(p.data, -lr, g, tmp)
                continue
            s = state[p]
            buf = s.get("momentum_buffer")
            first = buf is None  # PyTorch starts the buffer at the first gradient, undamped
            if first:
                buf = s["momentum_buffer"] = np.zeros_like(p.data)
            rules.momentum_step(p.data, g, buf, tmp, momentum=mu, into=1.0 if first else into,
                                out=lr, nesterov=nesterov, lr=lr)
