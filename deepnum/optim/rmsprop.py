"""RMSprop (Hinton's lecture 6e), as PyTorch's ``RMSprop``."""

from __future__ import annotations

from typing import Any

import numpy as np

from . import rules
from .optimizer import Optimizer, ParamsT


class RMSprop(Optimizer):
    r"""RMSprop with PyTorch's defaults and conventions.

    For each parameter ``θ`` with gradient ``g`` (``−g`` when ``maximize``)::

        g ← g + λ·θ                         (weight_decay λ, an L2 penalty)
        v ← α·v + (1 − α)·g²                (square_avg; alpha α)
        centered:  a ← α·a + (1 − α)·g,  v̄ = v − a²   (grad_avg)   else v̄ = v
        d = g / (√v̄ + ε)                    (ε outside the root; Keras puts it inside)
        θ ← θ − lr·d                        or, with momentum μ > 0:
        b ← μ·b + d,  θ ← θ − lr·b          (lr outside the buffer; Keras folds it in)

    State: ``step``, ``square_avg``, ``momentum_buffer`` (μ > 0), ``grad_avg`` (centered).
    Keras's ``RMSprop`` is the same rule with ``ε`` inside the root and other defaults
    (``deepnum.keras.optimizers.RMSprop``).

    >>> import deepnum as dn
    >>> w = dn.nn.Parameter(dn.tensor([1.0]))
    >>> opt = dn.optim.RMSprop([w], lr=0.01)
    >>> w.grad = dn.tensor([2.0]).data
    >>> opt.step()
    >>> round(w.item(), 4)      # 1 − 0.01·2/√(0.01·4)
    0.9
    """

    _nonnegative = (("lr", "learning rate"), ("eps", "epsilon value"),
                    ("momentum", "momentum value"), ("weight_decay", "weight_decay value"),
                    ("alpha", "alpha value"))

    def __init__(self, params: ParamsT, lr: float = 1e-2, alpha: float = 0.99,
                 eps: float = 1e-8, weight_decay: float = 0, momentum: float = 0,
                 centered: bool = False, *, maximize: bool = False) -> None:
        defaults = {"lr": lr, "alpha": alpha, "eps": eps, "weight_decay": weight_decay,
                    "momentum": momentum, "centered": centered, "maximize": maximize}
        super().__init__(params, defaults)

    def _update_group(self, group: dict[str, Any]) -> None:
        lr, alpha, eps, mu = group["lr"], group["alpha"], group["eps"], group["momentum"]
        centered = group["centered"]
        state = self.state
        for p, g in self._gradients(group, group["weight_decay"]):
            s = state[p]
            if not s:
                s["step"] = 0
                s["square_avg"] = np.zeros_like(p.data)
                if mu > 0:
                    s["momentum_buffer"] = np.zeros_like(p.data)
                if centered:
                    s["grad_avg"] = np.zeros_like(p.data)
            s["step"] += 1
            rules.rmsprop_step(
                p.data, g, s["square_avg"], self._tmp(p), lr=lr, rho=alpha, eps=eps,
                eps_inside_sqrt=False, avg=s["grad_avg"] if centered else None,
                buf=s["momentum_buffer"] if mu > 0 else None, momentum=mu)
