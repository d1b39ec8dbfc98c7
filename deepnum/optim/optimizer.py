"""``Optimizer``: parameter groups, per-parameter state, and PyTorch's checkpoint layout.

A subclass validates its hyperparameters in ``_check_group`` and updates one group in
``_update_group``; the arithmetic lives in :mod:`deepnum.optim.rules`.  Updates happen in
place on ``p.data``, with scratch arrays kept between steps, so a step allocates nothing.
"""

from __future__ import annotations

import copy
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import numpy as np

from .._tensor import Tensor
from ..autograd import enable_grad
from ..errors import ArgumentError, DTypeError, ShapeError
from .rules import Scratch

ParamsT = Iterable[Tensor] | Iterable[dict[str, Any]] | Iterable[tuple[str, Tensor]]


def check_number(owner: str, what: str, value: Any, low: float = 0.0,
                 high: float | None = None, high_inclusive: bool = False) -> None:
    """Raise ``ArgumentError`` unless ``low <= value`` (and ``value < high``, or ``<=``).

    >>> check_number("SGD", "learning rate", -1)
    Traceback (most recent call last):
    ...
    deepnum.errors.ArgumentError: SGD: invalid learning rate: -1 (must be >= 0.0)
    """
    try:
        ok = low <= value and (
            high is None or (value <= high if high_inclusive else value < high))
    except TypeError:
        raise ArgumentError(f"{owner}: invalid {what}: {value!r} (expected a number)") from None
    if not ok or isinstance(value, bool):
        bound = "" if high is None else f" and {'<=' if high_inclusive else '<'} {high}"
        raise ArgumentError(f"{owner}: invalid {what}: {value!r} (must be >= {low}{bound})")


class Optimizer:
    """Base class of the PyTorch-style optimizers.

    ``param_groups`` is a list of dicts, each with ``"params"`` (a list of tensors) and
    the hyperparameters (missing ones come from ``defaults``); ``state`` maps a parameter
    to its dict of buffers.  ``step()`` updates every parameter whose ``.grad`` is not
    None; the others (and their state) are left untouched.

    >>> import deepnum as dn
    >>> w = dn.nn.Parameter(dn.ones(2))
    >>> opt = dn.optim.SGD([w], lr=0.5)
    >>> w.grad = dn.ones(2).data
    >>> opt.step(); w.tolist()
    [0.5, 0.5]
    """

    def __init__(self, params: ParamsT, defaults: dict[str, Any]) -> None:
        if isinstance(params, Tensor):
            raise TypeError(
                f"{type(self).__name__}: params should be an iterable of tensors or dicts, "
                "got a single Tensor (wrap it in a list)")
        self.defaults = defaults
        self.state: defaultdict[Tensor, dict[str, Any]] = defaultdict(dict)
        self.param_groups: list[dict[str, Any]] = []
        self._scratch = Scratch()
        groups = list(params)
        if not groups:
            raise ArgumentError(f"{type(self).__name__}: got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    # ----- parameter groups -------------------------------------------------------------
    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group of parameters, with its own hyperparameters, to ``param_groups``."""
        name = type(self).__name__
        if not isinstance(param_group, dict):
            raise TypeError(f"{name}: param_group must be a dict, got {type(param_group)}")
        group = dict(param_group)
        params = group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, set):
            raise TypeError(f"{name}: parameters must be an ordered collection (a list), "
                            "not a set, whose order changes between runs")
        params = list(params)
        if params and all(isinstance(p, tuple) for p in params):
            group["param_names"] = [n for n, _ in params]
            params = [p for _, p in params]
        for p in params:
            if not isinstance(p, Tensor):
                raise TypeError(f"{name} can only optimize Tensors, but one of the params "
                                f"is {type(p).__name__}")
            if not p.is_leaf:
                raise ArgumentError(f"{name}: can't optimize a non-leaf Tensor")
            if p.dtype.kind != "f":
                raise DTypeError(f"{name}: can only optimize floating-point tensors, got "
                                 f"one of dtype {p.dtype}")
        group["params"] = params
        for key, default in self.defaults.items():
            group.setdefault(key, default)
        self._check_group(group)
        seen = {id(p) for g in self.param_groups for p in g["params"]}
        if any(id(p) in seen for p in params):
            raise ArgumentError(f"{name}: some parameters appear in more than one group")
        self.param_groups.append(group)

    _nonnegative: tuple[tuple[str, str], ...] = ()  # (group key, its name in messages)

    def _check_group(self, group: dict[str, Any]) -> None:
        """Validate a group's hyperparameters (the ``_nonnegative`` ones, and more in
        subclasses)."""
        for key, what in self._nonnegative:
            check_number(type(self).__name__, what, group[key])

    # ----- the step ---------------------------------------------------------------------
    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset the gradients: to None (the default, as PyTorch), or to zeros in place."""
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is not None:
                    if set_to_none:
                        p.grad = None
                    else:
                        p.grad.fill(0)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update every parameter that has a gradient; returns ``closure()`` if given.

        The closure (re-evaluating the model and calling ``backward``) runs first, with
        gradient recording on.
        """
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        for group in self.param_groups:
            self._update_group(group)
        return loss

    def _update_group(self, group: dict[str, Any]) -> None:
        raise NotImplementedError

    def _gradients(self, group: dict[str, Any],
                   weight_decay: float = 0.0) -> Iterator[tuple[Tensor, np.ndarray]]:
        """``(p, g)`` for each parameter of ``group`` with a gradient; see :meth:`_grad`."""
        maximize = group["maximize"]
        for p in group["params"]:
            if p.grad is not None:
                yield p, self._grad(p, weight_decay, maximize)

    def _tmp(self, p: Tensor, slot: int = 0) -> np.ndarray:
        """A scratch array of ``p``'s shape and dtype, kept between steps."""
        return self._scratch.like(p.data, slot)

    def _grad(self, p: Tensor, weight_decay: float = 0.0, maximize: bool = False) -> np.ndarray:
        """``p``'s gradient, negated when maximizing, plus ``weight_decay·p`` (L2)."""
        g = p.grad
        if g.shape != p.data.shape:
            raise ShapeError(f"{type(self).__name__}: gradient of shape {g.shape} for a "
                             f"parameter of shape {p.data.shape}")
        if not weight_decay and not maximize:
            return g
        out = self._tmp(p, 1)
        if weight_decay:
            np.multiply(p.data, weight_decay, out=out)
            if maximize:
                out -= g
            else:
                out += g
        else:
            np.negative(g, out=out)
        return out

    # ----- checkpoints ------------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        """The optimizer's state in PyTorch's layout, as a deep copy.

        ``{"state": {index: {name: buffer}}, "param_groups": [{hyperparameters...,
        "params": [index...]}]}``, parameters numbered in order across the groups.
        """
        index: dict[int, int] = {}
        groups = []
        for group in self.param_groups:
            packed = {k: copy.deepcopy(v) for k, v in group.items() if k != "params"}
            packed["params"] = [index.setdefault(id(p), len(index)) for p in group["params"]]
            groups.append(packed)
        state = {index[id(p)]: copy.deepcopy(s) for p, s in self.state.items()
                 if id(p) in index}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore a ``state_dict()``: buffers are copied and cast to each parameter's dtype."""
        name = type(self).__name__
        saved = state_dict["param_groups"]
        if len(saved) != len(self.param_groups):
            raise ArgumentError(
                f"{name}.load_state_dict: the state dict has {len(saved)} parameter groups, "
                f"the optimizer {len(self.param_groups)}")
        sizes = [len(g["params"]) for g in self.param_groups]
        saved_sizes = [len(g["params"]) for g in saved]
        if sizes != saved_sizes:
            raise ArgumentError(
                f"{name}.load_state_dict: group sizes {saved_sizes} in the state dict do not "
                f"match the optimizer's {sizes}")
        params = {i: p for g_saved, g in zip(saved, self.param_groups, strict=True)
                  for i, p in zip(g_saved["params"], g["params"], strict=True)}
        state: defaultdict[Tensor, dict[str, Any]] = defaultdict(dict)
        for i, buffers in state_dict["state"].items():
            p = params[i]
            state[p] = {k: _cast(v, p, k) for k, v in buffers.items()}
        groups = []
        for g_saved, g in zip(saved, self.param_groups, strict=True):
            new = copy.deepcopy({k: v for k, v in g_saved.items() if k != "params"})
            new["params"] = g["params"]
            groups.append(new)
        self.state, self.param_groups = state, groups

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines += [f"    {k}: {group[k]}" for k in sorted(group) if k != "params"]
        return "\n".join(lines) + "\n)"


def _cast(value: Any, p: Tensor, key: str) -> Any:
    """A copy of a saved buffer, as an array of ``p``'s dtype (``step`` stays a number)."""
    if isinstance(value, np.ndarray | Tensor) and key != "step":
        return np.array(value.data if isinstance(value, Tensor) else value, dtype=p.dtype)
    return copy.deepcopy(value)
