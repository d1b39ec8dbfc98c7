"""Adam (Kingma & Ba, 2014) and AdamW (Loshchilov & Hutter, 2019), as PyTorch's."""

from __future__ import annotations

from typing import Any

import numpy as np

from . import rules
from .optimizer import Optimizer, ParamsT, check_number


class Adam(Optimizer):
    r"""Adam with PyTorch's defaults and conventions.

    For each parameter ``θ`` with gradient ``g`` (``−g`` when ``maximize``), at step t::

        g ← g + λ·θ                         (weight_decay λ, an L2 penalty: Adam)
        θ ← θ·(1 − lr·λ)                    (decoupled weight decay instead: AdamW)
        m ← β1·m + (1 − β1)·g               (exp_avg)
        v ← β2·v + (1 − β2)·g²              (exp_avg_sq; amsgrad: v̂ ← max(v̂, v))
        θ ← θ − lr/(1 − β1ᵗ) · m / (√v/√(1 − β2ᵗ) + ε)

    ε is added after the bias correction of ``v`` (Algorithm 1 of the paper); Keras adds
    it before ("epsilon hat"), which the shared rule expresses by scaling ε.
    State: ``step``, ``exp_avg``, ``exp_avg_sq``, ``max_exp_avg_sq`` (amsgrad).

    >>> import deepnum as dn
    >>> w = dn.nn.Parameter(dn.tensor([1.0]))
    >>> opt = dn.optim.Adam([w], lr=0.1)
    >>> w.grad = dn.tensor([3.0]).data
    >>> opt.step()
    >>> round(w.item(), 4)      # the first step moves each weight by about lr
    0.9
    """

    _nonnegative = (("lr", "learning rate"), ("eps", "epsilon value"),
                    ("weight_decay", "weight_decay value"))

    _decoupled = False

    def __init__(self, params: ParamsT, lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, amsgrad: bool = False, *,
                 maximize: bool = False) -> None:
        defaults = {"lr": lr, "betas": tuple(betas), "eps": eps, "weight_decay": weight_decay,
                    "amsgrad": amsgrad, "maximize": maximize}
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        super()._check_group(group)
        for k in (0, 1):
            check_number(type(self).__name__, f"beta parameter at index {k}", group["betas"][k],
                         0.0, 1.0)

    def _update_group(self, group: dict[str, Any]) -> None:
        lr, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]
        wd, amsgrad, decoupled = group["weight_decay"], group["amsgrad"], self._decoupled
        state = self.state
        for p, g in self._gradients(group, 0.0 if decoupled else wd):
            s = state[p]
            if not s:
                s["step"] = 0
                s["exp_avg"] = np.zeros_like(p.data)
                s["exp_avg_sq"] = np.zeros_like(p.data)
                if amsgrad:
                    s["max_exp_avg_sq"] = np.zeros_like(p.data)
            s["step"] += 1
            if decoupled and wd:
                p.data *= 1.0 - lr * wd
            step_size, root_bc2 = rules.adam_scales(lr, beta1, beta2, s["step"])
            rules.adam_step(p.data, g, s["exp_avg"], s["exp_avg_sq"], self._tmp(p),
                            step_size=step_size, beta1=beta1, beta2=beta2, eps=eps * root_bc2,
                            v_max=s["max_exp_avg_sq"] if amsgrad else None)


class AdamW(Adam):
    r"""Adam with decoupled weight decay, PyTorch's defaults (``weight_decay=1e-2``).

    The same rule as :class:`Adam` except the decay: ``θ ← θ·(1 − lr·λ)`` before the Adam
    step, instead of adding ``λ·θ`` to the gradient (so the decay bypasses m and v).
    """

    _decoupled = True

    def __init__(self, params: ParamsT, lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 1e-2, amsgrad: bool = False, *,
                 maximize: bool = False) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, maximize=maximize)
