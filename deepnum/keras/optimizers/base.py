"""``Optimizer``, the base of the Keras-style optimizers (Keras 3's ``BaseOptimizer``).

An optimizer is built on a list of variables (deepnum tensors, updated in place through
``.data``, or NumPy arrays) and keeps one array per variable for each of its slots
("momentum", "velocity"...).  ``apply(grads, variables)`` does, in Keras's order: drop
variables whose gradient is None, unscale (``loss_scale_factor``), clip (``clipnorm``,
``global_clipnorm`` or ``clipvalue``), decay the weights (``w ← w − w·wd·lr``, decoupled),
run the rule of the subclass, update the moving average of the weights (``use_ema``), and
count the iteration.  Learning-rate schedules are evaluated at ``iterations`` before the
update.  The rules' arithmetic is :mod:`deepnum.optim.rules`, shared with PyTorch's door.
"""

from __future__ import annotations

import math
import re
import warnings
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np

from ..._tensor import Tensor
from ...errors import ArgumentError, ShapeError, StateError
from ...optim.optimizer import check_number
from ...optim.rules import Scratch
from . import schedules

_name_counts: defaultdict[str, int] = defaultdict(int)


def auto_name(class_name: str) -> str:
    """Keras's default names: "AdamW" → "adam_w", then "adam_w_1", "adam_w_2"..."""
    snake = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", class_name)
    snake = re.sub("([a-z])([A-Z])", r"\1_\2", snake).lower()
    count = _name_counts[snake]
    _name_counts[snake] += 1
    return f"{snake}_{count}" if count else snake


def _array(x: Any) -> np.ndarray:
    return x.data if isinstance(x, Tensor) else np.asarray(x)


class Optimizer:
    """Keras 3's optimizer base: see the module docstring for what one update does.

    Subclasses list their slots in ``_slots(self) -> [(name, initial value)]`` and update
    one variable in ``_update_step(i, g, w, lr)``.  ``step(params)`` is the entry point of
    deepnum's ``fit`` loop: it applies the ``.grad`` of each parameter.
    """

    def __init__(self, learning_rate: Any, weight_decay: float | None = None,
                 clipnorm: float | None = None, clipvalue: float | None = None,
                 global_clipnorm: float | None = None, use_ema: bool = False,
                 ema_momentum: float = 0.99, ema_overwrite_frequency: int | None = None,
                 loss_scale_factor: float | None = None,
                 gradient_accumulation_steps: int | None = None, name: str | None = None,
                 **kwargs: Any) -> None:
        owner = type(self).__name__
        if kwargs.pop("decay", None) is not None:
            warnings.warn("Argument `decay` is no longer supported and will be ignored.",
                          stacklevel=3)
        if kwargs:
            raise ArgumentError(f"{owner}: argument(s) not recognized: {kwargs}")
        for arg, value in (("weight_decay", weight_decay), ("clipnorm", clipnorm),
                           ("clipvalue", clipvalue), ("global_clipnorm", global_clipnorm)):
            if value is not None:
                check_number(owner, arg, value)
        clips = {"clipnorm": clipnorm, "clipvalue": clipvalue, "global_clipnorm": global_clipnorm}
        if sum(v is not None for v in clips.values()) > 1:
            raise ArgumentError(f"{owner}: only one of `clipnorm`, `clipvalue` and "
                                f"`global_clipnorm` can be set, got {clips}")
        if gradient_accumulation_steps is not None:
            check_number(owner, "gradient_accumulation_steps (an integer >= 2)",
                         gradient_accumulation_steps, 2)
        if use_ema:
            check_number(owner, "ema_momentum", ema_momentum, 0.0, 1.0, high_inclusive=True)
            if ema_overwrite_frequency is not None:
                check_number(owner, "ema_overwrite_frequency", ema_overwrite_frequency, 1)
        self.name = name or auto_name(owner)
        self.weight_decay, self.clipnorm, self.clipvalue = weight_decay, clipnorm, clipvalue
        self.global_clipnorm, self.loss_scale_factor = global_clipnorm, loss_scale_factor
        self.use_ema, self.ema_momentum = use_ema, ema_momentum
        self.ema_overwrite_frequency = ema_overwrite_frequency
        self.gradient_accumulation_steps = gradient_accumulation_steps
        self._iterations = 0
        self._learning_rate: Any = None
        self.learning_rate = learning_rate
        self.built = False
        self._variables: list[Any] = []
        self._index: dict[int, int] = {}
        self._slot_arrays: dict[str, list[np.ndarray]] = {}
        self._pending: dict[str, list[np.ndarray]] | None = None
        self._exclude_ids: set[int] = set()
        self._exclude_pattern: re.Pattern | None = None
        self._scratch = Scratch()

    # ----- hyperparameters ---------------------------------------------------------------
    @property
    def iterations(self) -> int:
        """Updates applied so far (with gradient accumulation: accumulated updates)."""
        if self.gradient_accumulation_steps:
            return self._iterations // self.gradient_accumulation_steps
        return self._iterations

    @property
    def learning_rate(self) -> float:
        """The current learning rate (a schedule is evaluated at the real step count)."""
        lr = self._learning_rate
        if isinstance(lr, schedules.LearningRateSchedule):
            return float(lr(self._iterations))
        return float(lr()) if callable(lr) else lr

    @learning_rate.setter
    def learning_rate(self, value: Any) -> None:
        if isinstance(value, schedules.LearningRateSchedule) or callable(value):
            self._learning_rate = value
            return
        if isinstance(self._learning_rate, schedules.LearningRateSchedule):
            raise TypeError(f"{type(self).__name__}: this optimizer was created with a "
                            "LearningRateSchedule, so its learning rate is not settable to "
                            f"{value!r}; create it with a float learning_rate instead")
        check_number(type(self).__name__, "learning_rate", value)
        self._learning_rate = float(value)

    def _slots(self) -> list[tuple[str, float]]:
        """The slots of the rule: (name, initial value) pairs."""
        return []

    # ----- building ----------------------------------------------------------------------
    def build(self, variables: Sequence[Any]) -> None:
        """Create the slots for ``variables`` (done by the first ``apply``)."""
        variables = list(variables)
        for v in variables:
            if not isinstance(v, Tensor | np.ndarray):
                raise TypeError(f"{type(self).__name__}: can only optimize deepnum tensors or "
                                f"NumPy arrays, got {type(v).__name__}")
        names = list(self._slots())
        if self.use_ema:
            names.append(("average", None))
        if self.gradient_accumulation_steps:
            names.append(("gradient_accumulator", 0.0))
        self._variables = variables
        self._index = {id(v): i for i, v in enumerate(variables)}
        self._slot_arrays = {}
        for slot, init in names:
            self._slot_arrays[slot] = [_array(v).copy() if init is None
                                       else np.full_like(_array(v), init) for v in variables]
        self.built = True
        if self._pending is not None:
            pending, self._pending = self._pending, None
            self._restore_slots(pending)

    def exclude_from_weight_decay(self, var_list: Iterable[Any] | None = None,
                                  var_names: Iterable[str] | None = None) -> None:
        """Skip weight decay for these variables, or those whose name contains a string."""
        if self.built:
            raise StateError(f"{type(self).__name__}: exclude_from_weight_decay() must be "
                             "called before the optimizer is built")
        self._exclude_ids = {id(v) for v in var_list or ()}
        names = list(var_names or ())
        self._exclude_pattern = re.compile("|".join(map(re.escape, names))) if names else None

    def _decays(self, variable: Any) -> bool:
        if id(variable) in self._exclude_ids:
            return False
        pattern = self._exclude_pattern
        return pattern is None or not pattern.search(getattr(variable, "name", "") or "")

    @property
    def variables(self) -> list[np.ndarray]:
        """The iteration count, the learning rate (unless a schedule), then the slot arrays."""
        out = [np.array(self._iterations, np.int64)]
        if not callable(self._learning_rate):
            out.append(np.array(self._learning_rate, np.float32))
        return out + [a for arrays in self._slot_arrays.values() for a in arrays]

    # ----- updating ----------------------------------------------------------------------
    def apply_gradients(self, grads_and_vars: Iterable[tuple[Any, Any]]) -> int:
        """Apply ``(gradient, variable)`` pairs; returns the iteration count."""
        pairs = list(grads_and_vars)
        self.apply([g for g, _ in pairs], [v for _, v in pairs])
        return self._iterations

    def step(self, params: Sequence[Tensor]) -> None:
        """Apply each parameter's ``.grad`` (deepnum's ``fit`` loop calls this after backward).

        Parameters whose ``.grad`` is None are skipped, as Keras skips missing gradients.
        """
        params = list(params)
        self.apply([p.grad for p in params], params)

    def apply(self, grads: Sequence[Any], trainable_variables: Sequence[Any] | None = None) -> None:
        """Update the variables with their gradients (one update: ``iterations`` += 1)."""
        grads = list(grads)
        if not grads:
            return
        if trainable_variables is None:
            if not self.built:
                raise StateError(f"{type(self).__name__}: pass the variables with the "
                                 "gradients, or call build(variables) first")
            variables = self._variables
        else:
            variables = list(trainable_variables)
            if not self.built:
                self.build(variables)
        if len(grads) != len(variables):
            raise ArgumentError(f"{type(self).__name__}: got {len(grads)} gradients for "
                                f"{len(variables)} variables")
        index = self._index
        items = []
        for g, v in zip(grads, variables, strict=True):
            i = index.get(id(v))
            if i is None:
                raise ArgumentError(
                    f"{type(self).__name__}: unknown variable of shape {_array(v).shape}; an "
                    "optimizer updates only the variables it was built with (make a new one)")
            if g is not None:
                items.append((i, _array(g), _array(v)))
        if not items:
            raise ArgumentError(f"{type(self).__name__}: no gradients provided for any variable")
        for i, g, w in items:
            if g.shape != w.shape:
                raise ShapeError(f"{type(self).__name__}: gradient of shape {g.shape} for a "
                                 f"variable of shape {w.shape} (variable {i})")
        if self.loss_scale_factor is not None:
            items = [(i, g / self.loss_scale_factor, w) for i, g, w in items]
        if self.gradient_accumulation_steps:
            self._accumulate(items)
        else:
            self._update(items)
        if self.use_ema:
            self._update_average()
        self._iterations += 1

    def _update(self, items: list[tuple[int, np.ndarray, np.ndarray]]) -> None:
        lr = self.learning_rate
        items = self._clip(items)
        wd = self.weight_decay
        if wd:
            for i, _, w in items:
                if self._decays(self._variables[i]):
                    w *= 1.0 - lr * wd
        for i, g, w in items:
            self._update_step(i, g, w, lr)

    def _update_step(self, i: int, g: np.ndarray, w: np.ndarray, lr: float) -> None:
        raise NotImplementedError

    def _clip(self, items: list) -> list:
        if self.clipnorm:
            out = []
            for i, g, w in items:
                norm = math.sqrt(float(np.vdot(g, g)))
                if norm > self.clipnorm:
                    g = np.multiply(g, self.clipnorm / norm, out=self._clip_buffer(i, w))
                out.append((i, g, w))
            return out
        if self.global_clipnorm:
            norm = math.sqrt(sum(float(np.vdot(g, g)) for _, g, _ in items))
            if norm <= self.global_clipnorm:
                return items
            scale = self.global_clipnorm / norm if math.isfinite(norm) else math.nan
            return [(i, np.multiply(g, scale, out=self._clip_buffer(i, w)), w)
                    for i, g, w in items]
        if self.clipvalue:
            c = self.clipvalue
            return [(i, np.clip(g, -c, c, out=self._clip_buffer(i, w)), w) for i, g, w in items]
        return items

    def _clip_buffer(self, i: int, w: np.ndarray) -> np.ndarray:
        """Variable ``i``'s own scratch array for its clipped gradient (all live at once)."""
        return self._scratch.like(w, ("clip", i))

    def _accumulate(self, items: list) -> None:
        """Gradient accumulation: update with the mean gradient every N calls."""
        steps = self.gradient_accumulation_steps
        acc = self._slot_arrays["gradient_accumulator"]
        if (self._iterations + 1) % steps:
            for i, g, _ in items:
                acc[i] += g
            return
        self._update([(i, (g + acc[i]) / steps, w) for i, g, w in items])
        for a in acc:
            a.fill(0)

    def _update_average(self) -> None:
        """``average ← m·average + (1 − m)·w`` (m = 0 at the first update), maybe copied back."""
        m = self.ema_momentum if self.iterations != 0 else 0.0
        for v, avg in zip(self._variables, self._slot_arrays["average"], strict=True):
            avg *= m
            avg += (1.0 - m) * _array(v)
        freq = self.ema_overwrite_frequency
        if freq and (self.iterations + 1) % freq == 0:
            self.finalize_variable_values(self._variables)

    def finalize_variable_values(self, var_list: Sequence[Any] | None = None) -> None:
        """With ``use_ema``, overwrite the variables (default: those the optimizer was built
        on) with their moving averages; ``fit`` calls this when training ends, as Keras 3's
        does.  Without ``use_ema``, or before the first update, nothing changes."""
        if self.use_ema and self.built:
            var_list = self._variables if var_list is None else var_list
            for v, avg in zip(var_list, self._slot_arrays["average"], strict=True):
                _array(v)[...] = avg

    @contextmanager
    def averaged_variables(self) -> Iterator[None]:
        """Inside, the variables hold their moving averages (``use_ema``); on leaving, their
        own values again.  E.g. evaluate or sample from the averaged weights mid-training.
        Without ``use_ema``, or before the first update, the variables are left as they are."""
        if not (self.use_ema and self.built):
            yield
            return
        own = [_array(v).copy() for v in self._variables]
        self.finalize_variable_values()
        try:
            yield
        finally:
            for v, saved in zip(self._variables, own, strict=True):
                _array(v)[...] = saved

    def scale_loss(self, loss: Any) -> Any:
        """Multiply a loss by ``loss_scale_factor`` (when set) before computing gradients."""
        return loss if self.loss_scale_factor is None else loss * self.loss_scale_factor

    # ----- configuration and checkpoints --------------------------------------------------
    def get_config(self) -> dict[str, Any]:
        """The hyperparameters, JSON-able (a schedule is serialized); no state."""
        lr = self._learning_rate
        if isinstance(lr, schedules.LearningRateSchedule):
            lr = schedules.serialize(lr)
        elif callable(lr):
            raise StateError(f"{type(self).__name__}: a learning_rate given as a plain callable "
                             "cannot be serialized; use a LearningRateSchedule")
        return {"name": self.name, "learning_rate": lr, "weight_decay": self.weight_decay,
                "clipnorm": self.clipnorm, "global_clipnorm": self.global_clipnorm,
                "clipvalue": self.clipvalue, "use_ema": self.use_ema,
                "ema_momentum": self.ema_momentum,
                "ema_overwrite_frequency": self.ema_overwrite_frequency,
                "loss_scale_factor": self.loss_scale_factor,
                "gradient_accumulation_steps": self.gradient_accumulation_steps}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Optimizer:
        """A new optimizer (without state) from ``get_config()``."""
        config = dict(config)
        if isinstance(config.get("learning_rate"), dict):
            config["learning_rate"] = schedules.deserialize(config["learning_rate"])
        return cls(**config)

    def state_dict(self) -> dict[str, Any]:
        """Everything needed to resume: config (JSON-able), iteration count, slot arrays."""
        return {"class_name": type(self).__name__, "config": self.get_config(),
                "iterations": self._iterations,
                "slots": {k: [a.copy() for a in v] for k, v in self._slot_arrays.items()}}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore a ``state_dict()``; before ``build``, the slots wait for the variables."""
        owner = type(self).__name__
        if state.get("class_name") != owner:
            raise ArgumentError(f"{owner}.load_state_dict: the state is of a "
                                f"{state.get('class_name')!r}, not of a {owner!r}")
        fresh = type(self).from_config(state["config"])
        keep = {k: self.__dict__[k] for k in ("built", "_variables", "_exclude_ids",
                                              "_exclude_pattern")}
        self.__dict__.update(fresh.__dict__)
        self.__dict__.update(keep)
        self._iterations = int(state["iterations"])
        if self.built:
            self.build(self._variables)
            self._restore_slots(state["slots"])
        else:
            self._pending = state["slots"]

    def _restore_slots(self, slots: dict[str, list[np.ndarray]]) -> None:
        owner = type(self).__name__
        if set(slots) != set(self._slot_arrays):
            raise ArgumentError(f"{owner}.load_state_dict: saved slots {sorted(slots)} do not "
                                f"match this optimizer's {sorted(self._slot_arrays)}")
        for name, arrays in self._slot_arrays.items():
            saved = slots[name]
            if len(saved) != len(arrays):
                raise ArgumentError(f"{owner}.load_state_dict: {len(saved)} saved {name!r} "
                                    f"arrays for {len(arrays)} variables")
            for i, (a, s) in enumerate(zip(arrays, saved, strict=True)):
                s = _array(s)
                if s.shape != a.shape:
                    raise ShapeError(f"{owner}.load_state_dict: saved {name!r} of variable {i} "
                                     f"has shape {s.shape}, the variable {a.shape}")
                a[...] = s

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name!r} learning_rate={self._learning_rate!r}>"
