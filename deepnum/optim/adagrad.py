"""Adagrad (Duchi, Hazan & Singer, 2011), as PyTorch's ``Adagrad``."""

from __future__ import annotations

from typing import Any

import numpy as np

from . import rules
from .optimizer import Optimizer, ParamsT


class Adagrad(Optimizer):
    r"""Adagrad with PyTorch's defaults and conventions.

    For each parameter ``θ`` with gradient ``g`` (``−g`` when ``maximize``), at step t::

        g ← g + λ·θ                         (weight_decay λ, an L2 penalty)
        lr_t = lr / (1 + (t − 1)·lr_decay)
        s ← s + g²                          (sum, starting at initial_accumulator_value)
        θ ← θ − lr_t · g / (√s + ε)         (ε outside the root; Keras puts it inside)

    The state (``step``, ``sum``) is created for every parameter at construction, as
    PyTorch does.

    >>> import deepnum as dn
    >>> w = dn.nn.Parameter(dn.tensor([1.0]))
    >>> opt = dn.optim.Adagrad([w], lr=0.5)
    >>> w.grad = dn.tensor([2.0]).data
    >>> opt.step()
    >>> round(w.item(), 4)      # 1 − 0.5·2/√4
    0.5
    """

    _nonnegative = (("lr", "learning rate"), ("lr_decay", "lr_decay value"),
                    ("weight_decay", "weight_decay value"),
                    ("initial_accumulator_value", "initial_accumulator_value value"),
                    ("eps", "epsilon value"))

    def __init__(self, params: ParamsT, lr: float = 1e-2, lr_decay: float = 0,
                 weight_decay: float = 0, initial_accumulator_value: float = 0,
                 eps: float = 1e-10, *, maximize: bool = False) -> None:
        defaults = {"lr": lr, "lr_decay": lr_decay, "eps": eps, "weight_decay": weight_decay,
                    "initial_accumulator_value": initial_accumulator_value,
                    "maximize": maximize}
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                self._init_state(p, group)

    def _init_state(self, p, group: dict[str, Any]) -> dict[str, Any]:
        s = self.state[p]
        s["step"] = 0
        s["sum"] = np.full_like(p.data, group["initial_accumulator_value"])
        return s

    def _update_group(self, group: dict[str, Any]) -> None:
        lr, lr_decay, eps = group["lr"], group["lr_decay"], group["eps"]
        state = self.state
        for p, g in self._gradients(group, group["weight_decay"]):
            s = state[p] or self._init_state(p, group)
            s["step"] += 1
            rules.adagrad_step(p.data, g, s["sum"], self._tmp(p),
                               lr=lr / (1 + (s["step"] - 1) * lr_decay), eps=eps,
                               eps_inside_sqrt=False)
