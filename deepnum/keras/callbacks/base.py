"""``Callback`` (Keras's hook names), ``CallbackList``, ``History``, ``LambdaCallback`` and
``TerminateOnNaN``.

``fit`` calls every hook through a ``CallbackList``, which keeps, per hook, only the
callbacks that override it: a callback with empty batch hooks costs nothing per batch.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from ...errors import ArgumentError

HOOKS = ("on_train_begin", "on_train_end", "on_epoch_begin", "on_epoch_end",
         "on_train_batch_begin", "on_train_batch_end", "on_test_begin", "on_test_end",
         "on_test_batch_begin", "on_test_batch_end", "on_predict_begin", "on_predict_end",
         "on_predict_batch_begin", "on_predict_batch_end")


class Callback:
    """Base class: override the hooks you need.  ``self.model`` is the model being trained,
    ``self.params`` holds ``verbose``, ``epochs`` and ``steps`` (batches per epoch).
    ``on_train_batch_begin/end`` call Keras 2's ``on_batch_begin/end`` by default."""

    def __init__(self) -> None:
        self.params: dict[str, Any] = {}
        self._model = None

    def set_params(self, params: dict[str, Any]) -> None:
        self.params = params

    def set_model(self, model: Any) -> None:
        self._model = model

    @property
    def model(self) -> Any:
        return self._model

    def on_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        """Keras 2's name for ``on_train_batch_begin``."""

    def on_batch_end(self, batch: int, logs: dict | None = None) -> None:
        """Keras 2's name for ``on_train_batch_end``."""

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        """At the start of epoch ``epoch`` (0-based)."""

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        """At the end of an epoch; ``logs`` holds the epoch's metrics and "val_" ones."""

    def on_train_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        self.on_batch_begin(batch, logs)

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        """After a training batch; ``logs`` holds the running means over the epoch."""
        self.on_batch_end(batch, logs)

    def on_test_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        pass

    def on_test_batch_end(self, batch: int, logs: dict | None = None) -> None:
        pass

    def on_predict_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        pass

    def on_predict_batch_end(self, batch: int, logs: dict | None = None) -> None:
        pass

    def on_train_begin(self, logs: dict | None = None) -> None:
        pass

    def on_train_end(self, logs: dict | None = None) -> None:
        """At the end of ``fit``, whatever ended it (the last epoch, or ``stop_training``)."""

    def on_test_begin(self, logs: dict | None = None) -> None:
        pass

    def on_test_end(self, logs: dict | None = None) -> None:
        pass

    def on_predict_begin(self, logs: dict | None = None) -> None:
        pass

    def on_predict_end(self, logs: dict | None = None) -> None:
        pass


_ALIASES = {"on_train_batch_begin": "on_batch_begin", "on_train_batch_end": "on_batch_end"}


def _overrides(callback: Callback, hook: str) -> bool:
    names = (hook, _ALIASES[hook]) if hook in _ALIASES else (hook,)
    return any(name in callback.__dict__ or getattr(type(callback), name)
               is not getattr(Callback, name) for name in names)


class CallbackList:
    """The callbacks of one ``fit``/``evaluate``/``predict`` call, plus the default ones:
    a ``ProgbarLogger`` first (when ``add_progbar``), then the given callbacks in order, the
    ``History``, and last the checkpointing ones (``ModelCheckpoint``, ``BackupAndRestore``),
    so what they save includes what every other callback did in that epoch."""

    def __init__(self, callbacks: list | None = None, add_history: bool = False,
                 add_progbar: bool = False, model: Any = None, **params: Any) -> None:
        from .progbar import ProgbarLogger

        callbacks = list(callbacks or [])
        for cb in callbacks:
            if not isinstance(cb, Callback):
                raise ArgumentError(f"callbacks must be keras.callbacks.Callback objects, got "
                                    f"{type(cb).__name__} {cb!r:.60}")
        if add_progbar and not any(isinstance(cb, ProgbarLogger) for cb in callbacks):
            callbacks.insert(0, ProgbarLogger())
        self.history = History() if add_history else None
        last = [cb for cb in callbacks if getattr(cb, "_runs_last", False)]
        callbacks = [cb for cb in callbacks if not getattr(cb, "_runs_last", False)]
        callbacks += ([self.history] if self.history is not None else []) + last
        self.callbacks, self.params = callbacks, params
        for cb in callbacks:
            cb.set_params(params)
            if model is not None:
                cb.set_model(model)
        self._hooks = {hook: [getattr(cb, hook) for cb in callbacks if _overrides(cb, hook)]
                       for hook in HOOKS}

    def _run(self, hook: str, *args: Any) -> None:
        for fn in self._hooks[hook]:
            fn(*args)

    def on_train_begin(self, logs: dict | None = None) -> None:
        self._run("on_train_begin", logs)

    def on_train_end(self, logs: dict | None = None) -> None:
        self._run("on_train_end", logs)

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self._run("on_epoch_begin", epoch, logs)

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        self._run("on_epoch_end", epoch, logs)

    def on_train_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        self._run("on_train_batch_begin", batch, logs)

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        self._run("on_train_batch_end", batch, logs)

    def on_test_begin(self, logs: dict | None = None) -> None:
        self._run("on_test_begin", logs)

    def on_test_end(self, logs: dict | None = None) -> None:
        self._run("on_test_end", logs)

    def on_test_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        self._run("on_test_batch_begin", batch, logs)

    def on_test_batch_end(self, batch: int, logs: dict | None = None) -> None:
        self._run("on_test_batch_end", batch, logs)

    def on_predict_begin(self, logs: dict | None = None) -> None:
        self._run("on_predict_begin", logs)

    def on_predict_end(self, logs: dict | None = None) -> None:
        self._run("on_predict_end", logs)

    def on_predict_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        self._run("on_predict_batch_begin", batch, logs)

    def on_predict_batch_end(self, batch: int, logs: dict | None = None) -> None:
        self._run("on_predict_batch_end", batch, logs)


class History(Callback):
    """Records every epoch's logs: ``history.history["val_loss"][k]`` is epoch k's."""

    def __init__(self) -> None:
        super().__init__()
        self.history: dict[str, list[float]] = {}
        self.epoch: list[int] = []

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        self.epoch.append(epoch)
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(value)


class LambdaCallback(Callback):
    """A callback from functions: ``LambdaCallback(on_epoch_end=lambda epoch, logs: ...)``.
    Any hook name is accepted (``on_train_batch_end``, ``on_batch_end``, ...)."""

    def __init__(self, **hooks: Callable) -> None:
        super().__init__()
        for name, fn in hooks.items():
            if name not in HOOKS and name not in ("on_batch_begin", "on_batch_end"):
                raise ArgumentError(f"LambdaCallback: unknown hook {name!r} (hooks: "
                                    f"{', '.join(HOOKS)}, on_batch_begin, on_batch_end)")
            if not callable(fn):
                raise ArgumentError(f"LambdaCallback: {name} must be callable, got {fn!r}")
            setattr(self, name, fn)


class TerminateOnNaN(Callback):
    """Stop training (gracefully, no exception) when the loss becomes NaN or Inf, printing
    which layer produced the first non-finite value."""

    def on_batch_end(self, batch: int, logs: dict | None = None) -> None:
        loss = (logs or {}).get("loss")
        if loss is None or math.isfinite(float(loss)):
            return
        print(f"Batch {batch}: Invalid loss, terminating training")
        report = getattr(self.model, "__dict__", {}).get("_nan_report")
        if report:
            print(report)
        self.model.stop_training = True
