"""What ``compile`` resolves: the loss (with its weight) and the metrics.

``CompiledLoss`` calls the loss object, passing the logits of a softmax/sigmoid output when
the model's last call recorded them (see ``keras.losses``).  ``CompiledMetrics`` resolves
its names on the first batch, when the shapes of targets and predictions are known
("accuracy" depends on them), and updates every metric with NumPy.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..._tensor import Tensor
from ...errors import ArgumentError
from .. import losses as losses_module
from .. import metrics as metrics_module


class FunctionLoss(losses_module.Loss):
    """A plain function ``fn(y_true, y_pred) -> per-example losses`` used as a loss."""

    def __init__(self, fn: Callable, name: str | None = None) -> None:
        super().__init__(name=name or getattr(fn, "__name__", "loss"))
        self.fn = fn

    def call(self, y_true: Any, y_pred: Tensor) -> Tensor:
        return self.fn(y_true, y_pred)

    def get_config(self) -> dict[str, Any]:
        raise ArgumentError(f"the loss function {self.name!r} is a plain function, which a "
                            "saved model cannot name; use a keras.losses object to save it")


def resolve_loss(loss: Any) -> losses_module.Loss:
    if loss is None:
        raise ArgumentError("compile: a loss is needed to train or evaluate, got loss=None "
                            "(e.g. loss='sparse_categorical_crossentropy')")
    if callable(loss) and not isinstance(loss, losses_module.Loss | type):
        return FunctionLoss(loss)
    return losses_module.get(loss)


def _single(value: Any, what: str) -> Any:
    """Keras takes per-output lists/dicts; deepnum's models have one output."""
    if isinstance(value, dict | list | tuple) and what != "metrics":
        if len(value) != 1:
            raise ArgumentError(f"compile: {what} for several outputs ({value!r}); deepnum's "
                                "Keras models have a single output")
        return next(iter(value.values())) if isinstance(value, dict) else value[0]
    return value


class CompiledLoss:
    """``loss_weight · loss(y, y_pred, sample_weight)``."""

    def __init__(self, loss: Any, loss_weights: Any = None) -> None:
        self.loss = resolve_loss(_single(loss, "loss"))
        weight = _single(loss_weights, "loss_weights")
        if weight is not None and (isinstance(weight, bool) or not isinstance(weight, int | float)):
            raise ArgumentError(f"compile: loss_weights must be a number, got {loss_weights!r}")
        self.weight = None if weight is None or weight == 1 else float(weight)

    @property
    def activation(self) -> str | None:
        """The output activation whose logits this loss can use ("softmax"/"sigmoid")."""
        return self.loss._activation

    def __call__(self, y: Any, y_pred: Tensor, sample_weight: Any = None,
                 logits: tuple | None = None) -> Tensor:
        value = self.loss(y, y_pred, sample_weight, logits=logits)
        return value if self.weight is None else value * self.weight


class CompiledMetrics:
    """The compiled metrics (unweighted) and weighted metrics, resolved on first use."""

    def __init__(self, metrics: Any = None, weighted_metrics: Any = None) -> None:
        self.specs = [(m, False) for m in _as_list(metrics, "metrics")]
        self.specs += [(m, True) for m in _as_list(weighted_metrics, "weighted_metrics")]
        for spec, _ in self.specs:  # unknown names fail at compile time, not mid-fit
            if isinstance(spec, str) and spec.lower() not in ("accuracy", "acc"):
                metrics_module.get(spec)
        self.metrics: list[tuple[metrics_module.Metric, bool]] | None = None

    def build(self, y: Any, y_pred: Any) -> None:
        built = []
        for spec, weighted in self.specs:
            if isinstance(spec, str) and spec.lower() in ("accuracy", "acc"):
                metric = metrics_module.accuracy_for(spec, _shape(y), _shape(y_pred))
            else:
                metric = metrics_module.get(spec)
            built.append((metric, weighted))
        names = [m.name for m, _ in built]
        if len(set(names)) != len(names) or "loss" in names:
            raise ArgumentError(f"compile: metric names must be distinct and not 'loss', got "
                                f"{names}")
        self.metrics = built

    def update(self, y: Any, y_pred: Any, sample_weight: Any = None) -> None:
        if self.metrics is None:
            self.build(y, y_pred)
        for metric, weighted in self.metrics:
            metric.update_state(y, y_pred, sample_weight if weighted else None)

    def reset(self) -> None:
        for metric, _ in self.metrics or ():
            metric.reset_state()

    def results(self) -> dict[str, float]:
        return {m.name: float(m.result()) for m, _ in self.metrics or ()}

    def names(self) -> list[str]:
        if self.metrics is not None:
            return [m.name for m, _ in self.metrics]
        return [s if isinstance(s, str) else getattr(s, "name", str(s)) for s, _ in self.specs]

    def get_config(self) -> dict[str, Any]:
        def one(spec: Any) -> Any:
            return spec if isinstance(spec, str) else metrics_module.serialize(spec)
        return {"metrics": [one(s) for s, w in self.specs if not w],
                "weighted_metrics": [one(s) for s, w in self.specs if w]}


def _as_list(value: Any, what: str) -> list:
    if value is None:
        return []
    if isinstance(value, dict):
        if len(value) != 1:
            raise ArgumentError(f"compile: {what} for several outputs; deepnum's Keras models "
                                "have a single output")
        value = next(iter(value.values()))
    return list(value) if isinstance(value, list | tuple) else [value]


def _shape(a: Any) -> tuple:
    return tuple(getattr(a, "shape", ()))
