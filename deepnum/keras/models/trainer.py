"""``fit``, ``evaluate`` and ``predict``: one loop of callbacks around an overridable step.

``fit`` (STYLE habit 9) converts and checks the data once, then for each epoch and batch
calls ``callbacks.on_train_batch_begin``, ``train_step(data) -> logs`` and
``callbacks.on_train_batch_end``; validation runs ``test_step`` at the end of each epoch.
An autoencoder, a GAN or an RBM overrides ``train_step`` only.  ``data`` is what Keras
passes: ``x`` alone, ``(x, y)`` or ``(x, y, sample_weight)``, as tensors.

A non-finite loss stops training with a ``NonFiniteError`` naming the epoch, the batch and
the first layer whose output or weights went non-finite (the batch is re-run layer by layer
only then); with a ``TerminateOnNaN`` callback, training stops gracefully instead, printing
the same diagnosis.  Keras prints with ``verbose``: 0 silent, 1 a progress bar (one line
updated in place on a terminal), 2 one line per epoch; "auto" is 1 on a terminal, 2 otherwise.
"""

from __future__ import annotations

import math
import sys
from typing import Any

import numpy as np

from ... import autograd
from ..._tensor import Tensor, _wrap
from ...errors import ArgumentError, DataError, NonFiniteError, StateError
from ..callbacks.base import CallbackList, TerminateOnNaN
from ..losses import SparseCategoricalCrossentropy
from . import data as data_utils
from .diagnose import NonFiniteLoss, diagnose


def pack_x_y_sample_weight(x: Any, y: Any = None, sample_weight: Any = None) -> Any:
    """Keras's packing: ``x`` alone, ``(x, y)`` or ``(x, y, sample_weight)``."""
    if y is None and sample_weight is None:
        return x
    return (x, y) if sample_weight is None else (x, y, sample_weight)


def unpack_x_y_sample_weight(data: Any) -> tuple[Any, Any, Any]:
    """``(x, y, sample_weight)`` from what ``train_step`` receives (missing ones None)."""
    if isinstance(data, list):
        data = tuple(data)
    if not isinstance(data, tuple):
        return data, None, None
    if not 1 <= len(data) <= 3:
        raise ArgumentError(f"data must be x, (x,), (x, y) or (x, y, sample_weight), got a "
                            f"tuple of {len(data)}")
    return (*data, *(None,) * (3 - len(data)))


def _tensor(a: Any) -> Any:
    return None if a is None else _wrap(a)


def resolve_verbose(verbose: Any) -> int:
    if verbose == "auto":
        stream = sys.stdout
        return 1 if getattr(stream, "isatty", None) and stream.isatty() else 2
    if verbose not in (0, 1, 2) or isinstance(verbose, bool):
        raise ArgumentError(f"verbose must be 0, 1, 2 or 'auto', got {verbose!r}")
    return int(verbose)


def _count(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 0:
        raise ArgumentError(f"{what} must be a non-negative integer, got {value!r}")
    return int(value)


class Trainer:
    """The training loops of ``keras.Model`` (a mixin: ``Model(Trainer, Layer)``)."""

    # ----- the steps: override these ---------------------------------------------------------
    def train_step(self, data: Any) -> dict[str, float]:
        """One update on one batch: forward, loss, backward, optimizer; returns the logs."""
        x, y, sample_weight = unpack_x_y_sample_weight(data)
        params = self._fit_params or self.trainable_weights
        for p in params:
            p.grad = None
        y_pred = self(x, training=True)
        loss = self.compute_loss(x, y, y_pred, sample_weight)
        value = float(loss.data)
        if not math.isfinite(value):
            raise NonFiniteLoss(value)
        self._loss_tracker.add(value, len(y_pred))
        loss.backward()
        self.apply_gradients(params)
        return self.compute_metrics(x, y, y_pred, sample_weight)

    def test_step(self, data: Any) -> dict[str, float]:
        """Loss and metrics on one batch, without updating anything."""
        x, y, sample_weight = unpack_x_y_sample_weight(data)
        y_pred = self(x, training=False)
        loss = self.compute_loss(x, y, y_pred, sample_weight, training=False)
        self._loss_tracker.add(float(loss.data), len(y_pred))
        return self.compute_metrics(x, y, y_pred, sample_weight)

    def predict_step(self, data: Any) -> Tensor:
        x, _, _ = unpack_x_y_sample_weight(data)
        return self(x, training=False)

    def compute_loss(self, x: Any = None, y: Any = None, y_pred: Any = None,
                     sample_weight: Any = None, training: bool = True) -> Tensor:
        """The compiled loss of (y, y_pred) plus ``self.losses`` (regularization)."""
        fused = self._fused
        logits = fused[1] if fused is not None and fused[0] is y_pred else None
        total = None
        if self._compiled_loss is not None:
            if y is None:
                raise ArgumentError(f"model {self.name!r}: the compiled loss needs targets y")
            total = self._compiled_loss(y, y_pred, sample_weight, logits)
        for penalty in self._call_losses if self._fit_params else self.losses:
            total = penalty if total is None else total + penalty
        if total is None:
            raise StateError(f"model {self.name!r} has no loss: compile(loss=...)")
        return total

    def compute_metrics(self, x: Any, y: Any, y_pred: Any, sample_weight: Any = None
                        ) -> dict[str, float]:
        """Update the compiled metrics; return every metric's current value."""
        if self._compiled_metrics is not None and y is not None:
            self._compiled_metrics.update(y, y_pred, sample_weight)
        return self.get_metrics_result()

    def apply_gradients(self, params: list[Tensor]) -> None:
        """Let the optimizer apply each parameter's ``.grad`` (Keras or PyTorch-door)."""
        opt = self.optimizer
        if hasattr(opt, "apply"):
            opt.apply([p.grad for p in params], params)
        else:
            opt.step()

    # ----- data ----------------------------------------------------------------------------
    def _float_dtype(self) -> np.dtype:
        weights = self.weights if self.built else []
        return weights[0].data.dtype if weights else np.dtype(np.float32)

    def _arrays(self, x: Any, y: Any, sample_weight: Any, class_weight: Any, where: str
                ) -> tuple:
        dtype = self._float_dtype()
        xs = data_utils.inputs(x, dtype, where)
        if y is None:
            if self._compiled_loss is not None and type(self).train_step is Trainer.train_step:
                raise ArgumentError(f"{where}: targets y are needed for the compiled loss "
                                    "(got y=None)")
            ys = None
        else:
            sparse = isinstance(self.loss, SparseCategoricalCrossentropy)
            ys = data_utils.targets(y, len(xs), sparse, dtype, where)
        sw = data_utils.sample_weights(sample_weight, class_weight, ys, len(xs)) if (
            sample_weight is not None or class_weight is not None) else None
        data_utils.check_width(xs, self._build_input_shape if self.built else None, self.name)
        return xs, ys, sw

    def _dry_run(self, xs: np.ndarray, ys: np.ndarray | None) -> None:
        """Build the model and its metrics on two examples (no gradient, no randomness), and
        check sparse labels against the number of outputs once for the whole data."""
        with autograd.no_grad():
            y_pred = self(_wrap(xs[:2]), training=False)
        if ys is None or not isinstance(y_pred, Tensor):
            return
        if isinstance(self.loss, SparseCategoricalCrossentropy) and ys.size:
            classes = y_pred.shape[-1]
            lo, hi = int(ys.min()), int(ys.max())
            if lo < 0 or hi >= classes:
                bad = lo if lo < 0 else hi
                raise DataError(
                    f"y: label {bad} is outside the class range [0, {classes}) of model "
                    f"{self.name!r}, which has {classes} outputs")
        if self._compiled_metrics is not None and self._compiled_metrics.metrics is None:
            self._compiled_metrics.build(ys[:2], y_pred)

    def _ready(self, xs: np.ndarray, ys: np.ndarray | None) -> None:
        """The dry run, only when something is still unbuilt (``*_on_batch`` run in loops;
        their losses check labels batch by batch anyway)."""
        metrics = self._compiled_metrics
        if not self.built or (metrics is not None and metrics.metrics is None):
            self._dry_run(xs, ys)

    # ----- fit -----------------------------------------------------------------------------
    def fit(self, x: Any = None, y: Any = None, batch_size: int | None = None, epochs: int = 1,
            verbose: Any = "auto", callbacks: list | None = None, validation_split: float = 0.0,
            validation_data: Any = None, shuffle: bool = True, class_weight: Any = None,
            sample_weight: Any = None, initial_epoch: int = 0, steps_per_epoch: int | None = None,
            validation_steps: int | None = None, validation_batch_size: int | None = None,
            validation_freq: int = 1) -> Any:
        """Train for ``epochs`` passes over (x, y) in batches of ``batch_size`` (32); returns
        the ``History`` (``history.history``: "loss", each metric, and "val_" entries)."""
        self._require_compiled("fit")
        batch_size = data_utils.batch_size_arg(batch_size)
        epochs, initial_epoch = _count(epochs, "epochs"), _count(initial_epoch, "initial_epoch")
        validation_freq = data_utils.batch_size_arg(validation_freq)
        verbose = resolve_verbose(verbose)
        arrays = self._arrays(x, y, sample_weight, class_weight, "fit")
        val = None
        if validation_data is not None:
            vx, vy, vsw = data_utils.validation_tuple(validation_data)
            val = self._arrays(vx, vy, vsw, None, "fit: validation_data")
        elif validation_split:
            arrays, val = data_utils.split(arrays, validation_split)
        steps = data_utils.num_steps(len(arrays[0]), batch_size, steps_per_epoch)
        val_batch_size = data_utils.batch_size_arg(validation_batch_size or batch_size)
        val_steps = None if val is None else data_utils.num_steps(
            len(val[0]), val_batch_size, validation_steps, "validation_steps")
        self._dry_run(arrays[0], arrays[1])
        cbs = CallbackList(callbacks, add_history=True, add_progbar=verbose != 0, model=self,
                           verbose=verbose, epochs=epochs, steps=steps)
        self.__dict__.update(history=cbs.history, _callbacks=cbs, _initial_epoch=None,
                             stop_training=False)
        batches = data_utils.Batches(arrays, batch_size, steps, shuffle)
        try:
            return self._fit_loop(cbs, batches, val, initial_epoch, epochs, steps,
                                  val_batch_size, val_steps, validation_freq)
        finally:
            self.__dict__.update(_callbacks=None, _fit_params=None)

    def _fit_loop(self, cbs: CallbackList, batches: Any, val: tuple | None, initial_epoch: int,
                  epochs: int, steps: int, val_batch_size: int, val_steps: int | None,
                  validation_freq: int) -> Any:
        cbs.on_train_begin()
        # Fixed for the fit (as in Keras, where trainable changes need a recompile): the
        # trainable weights, and whether any has a regularizer (else only activity ones).
        self.__dict__["_fit_params"] = None if self._weight_penalties() else (
            self.trainable_weights or None)
        start = initial_epoch if self._initial_epoch is None else self._initial_epoch
        epoch_logs: dict[str, float] = {}
        for epoch in range(start, epochs):
            self.reset_metrics()
            cbs.on_epoch_begin(epoch)
            logs: dict[str, float] = {}
            for step, (xb, yb, wb) in enumerate(batches):
                cbs.on_train_batch_begin(step)
                batch = pack_x_y_sample_weight(_wrap(xb), _tensor(yb), _tensor(wb))
                logs = self._checked_train_step(batch, xb, epoch, epochs, step, steps, cbs)
                cbs.on_train_batch_end(step, logs)
                if self.stop_training:
                    break
            epoch_logs = dict(logs)
            if val is not None and (epoch + 1) % validation_freq == 0:
                val_logs = self._evaluate_arrays(val, val_batch_size, val_steps, cbs)
                epoch_logs.update({"val_" + k: v for k, v in val_logs.items()})
            cbs.on_epoch_end(epoch, epoch_logs)
            if self.stop_training:
                break
        if start < epochs:  # as Keras 3: an optimizer with use_ema leaves the averages
            for opt, _ in self.named_optimizers().values():
                if hasattr(opt, "finalize_variable_values"):
                    opt.finalize_variable_values()
        cbs.on_train_end(epoch_logs)
        return self.history

    def named_optimizers(self) -> dict[str, tuple[Any, list]]:
        """Each optimizer by name, with the weights it updates: the end of ``fit`` finalizes
        them and saved files keep their states.  Models with several optimizers (the GAN)
        override this."""
        return {"optimizer": (self.optimizer, self.trainable_weights)}

    def _checked_train_step(self, batch: Any, xb: np.ndarray, epoch: int, epochs: int,
                            step: int, steps: int, cbs: CallbackList) -> dict[str, float]:
        try:
            logs = self.train_step(batch)
        except NonFiniteLoss as error:
            value = error.value
        else:
            loss = logs.get("loss")
            if loss is None or math.isfinite(float(loss)):
                return logs
            value = float(loss)
        where = f"epoch {epoch + 1}/{epochs}, batch {step + 1}/{steps}"
        report = diagnose(self, xb, value, where)
        if not any(isinstance(cb, TerminateOnNaN) for cb in cbs.callbacks):
            raise NonFiniteError(report)
        self.__dict__["_nan_report"] = report
        self._loss_tracker.add(value, len(xb))
        return {**self.get_metrics_result(), "loss": value}

    # ----- evaluate and predict ---------------------------------------------------------------
    def _evaluate_arrays(self, arrays: tuple, batch_size: int, steps: int,
                         cbs: CallbackList) -> dict[str, float]:
        self.reset_metrics()
        cbs.on_test_begin()
        logs: dict[str, float] = {}
        with autograd.no_grad():
            for step, (xb, yb, wb) in enumerate(data_utils.Batches(arrays, batch_size, steps,
                                                                   False)):
                cbs.on_test_batch_begin(step)
                logs = self.test_step(pack_x_y_sample_weight(_wrap(xb), _tensor(yb),
                                                             _tensor(wb)))
                cbs.on_test_batch_end(step, logs)
        logs = dict(logs)
        cbs.on_test_end(logs)
        return logs

    def evaluate(self, x: Any = None, y: Any = None, batch_size: int | None = None,
                 verbose: Any = "auto", sample_weight: Any = None, steps: int | None = None,
                 callbacks: list | None = None, return_dict: bool = False) -> Any:
        """Loss and metrics on (x, y): the loss alone, ``[loss, metric1, ...]`` in compile
        order, or a dict with ``return_dict=True``."""
        self._require_compiled("evaluate")
        verbose = resolve_verbose(verbose)
        batch_size = data_utils.batch_size_arg(batch_size)
        arrays = self._arrays(x, y, sample_weight, None, "evaluate")
        steps = data_utils.num_steps(len(arrays[0]), batch_size, steps, "steps")
        self._dry_run(arrays[0], arrays[1])
        cbs = CallbackList(callbacks, add_progbar=verbose != 0, model=self, verbose=verbose,
                           epochs=1, steps=steps)
        logs = self._evaluate_arrays(arrays, batch_size, steps, cbs)
        return logs if return_dict else self._in_order(logs)

    def _in_order(self, logs: dict[str, float]) -> Any:
        names = self.metrics_names
        results = [logs[n] for n in names if n in logs]
        results += [logs[k] for k in sorted(logs) if k not in names]
        return results[0] if len(results) == 1 else results

    def predict(self, x: Any, batch_size: int | None = None, verbose: Any = "auto",
                steps: int | None = None, callbacks: list | None = None) -> np.ndarray:
        """The model's outputs for ``x``, batch by batch, as one NumPy array."""
        verbose = resolve_verbose(verbose)
        batch_size = data_utils.batch_size_arg(batch_size)
        xs = data_utils.inputs(x, self._float_dtype(), "predict")
        data_utils.check_width(xs, self._build_input_shape if self.built else None, self.name)
        steps = data_utils.num_steps(len(xs), batch_size, steps, "steps")
        cbs = CallbackList(callbacks, add_progbar=verbose != 0, model=self, verbose=verbose,
                           epochs=1, steps=steps)
        outputs = []
        cbs.on_predict_begin()
        with autograd.no_grad():
            for step, (xb,) in enumerate(data_utils.Batches((xs,), batch_size, steps, False)):
                cbs.on_predict_batch_begin(step)
                out = self.predict_step(_wrap(xb))
                outputs.append(out.data if isinstance(out, Tensor) else np.asarray(out))
                cbs.on_predict_batch_end(step, {"outputs": outputs[-1]})
        cbs.on_predict_end()
        return np.concatenate(outputs)

    # ----- one batch -----------------------------------------------------------------------------
    def train_on_batch(self, x: Any, y: Any = None, sample_weight: Any = None,
                       class_weight: Any = None, return_dict: bool = False) -> Any:
        """One ``train_step`` on one batch (metrics keep accumulating until
        ``reset_metrics``)."""
        self._require_compiled("train_on_batch")
        xs, ys, sw = self._arrays(x, y, sample_weight, class_weight, "train_on_batch")
        self._ready(xs, ys)
        batch = pack_x_y_sample_weight(_wrap(xs), _tensor(ys), _tensor(sw))
        try:
            logs = self.train_step(batch)
        except NonFiniteLoss as error:
            raise NonFiniteError(diagnose(self, xs, error.value, "train_on_batch")) from None
        return dict(logs) if return_dict else self._in_order(logs)

    def test_on_batch(self, x: Any, y: Any = None, sample_weight: Any = None,
                      return_dict: bool = False) -> Any:
        self._require_compiled("test_on_batch")
        xs, ys, sw = self._arrays(x, y, sample_weight, None, "test_on_batch")
        self._ready(xs, ys)
        with autograd.no_grad():
            logs = self.test_step(pack_x_y_sample_weight(_wrap(xs), _tensor(ys), _tensor(sw)))
        return dict(logs) if return_dict else self._in_order(logs)

    def predict_on_batch(self, x: Any) -> np.ndarray:
        xs = data_utils.inputs(x, self._float_dtype(), "predict_on_batch")
        with autograd.no_grad():
            out = self.predict_step(_wrap(xs))
        return out.data if isinstance(out, Tensor) else np.asarray(out)
