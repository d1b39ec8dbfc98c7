"""Progress output: ``Progbar`` and the ``ProgbarLogger`` that ``fit`` adds when ``verbose``.

On a terminal (``sys.stdout.isatty()``) with ``verbose=1``, one line is redrawn in place
with ``\\r`` (never more often than every ``interval`` seconds) and ends with a newline when
the epoch ends::

    Epoch 1/5
    469/469 [==============================] - 3s 6ms/step - accuracy: 0.8782 - loss: 0.4276

When the output is not a terminal (a log file, CI, a pipe, an IDE console), and always with
``verbose=2``, exactly one line per epoch is written, at its end::

    Epoch 1/5 - 469/469 - 3s - 6ms/step - accuracy: 0.8782 - loss: 0.4276 - val_loss: 0.39

The bar is plain ASCII so every console can show it.  No dependency.
"""

from __future__ import annotations

import sys
import time
from typing import Any

from .base import Callback


def _format_value(value: Any) -> str:
    try:
        value = float(value)
    except (TypeError, ValueError):
        return str(value)
    return f"{value:.4f}" if abs(value) > 1e-3 or value != value else f"{value:.4e}"


def _format_duration(seconds: float) -> str:
    if seconds > 3600:
        return f"{int(seconds // 3600)}:{int(seconds % 3600 // 60):02d}:{int(seconds % 60):02d}"
    if seconds > 60:
        return f"{int(seconds // 60)}:{int(seconds % 60):02d}"
    return f"{seconds:.0f}s"


def _format_rate(seconds: float, unit: str) -> str:
    if seconds >= 1 or seconds == 0:
        return f"{seconds:.0f}s/{unit}"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.0f}ms/{unit}"
    return f"{seconds * 1e6:.0f}us/{unit}"


class Progbar:
    """A progress bar over ``target`` steps (see the module docstring).

    ``update(current, values)`` with ``values`` a dict or (name, value) pairs, shown as
    given (fit's logs are already running means).  ``prefix`` starts the one-line-per-
    epoch form ("Epoch 1/5").
    """

    def __init__(self, target: int | None, width: int = 30, verbose: int = 1,
                 interval: float = 0.05, unit_name: str = "step", prefix: str = "",
                 stream: Any = None) -> None:
        self.target, self.width, self.verbose = target, width, verbose
        self.interval, self.unit_name, self.prefix = interval, unit_name, prefix
        self.stream = sys.stdout if stream is None else stream
        isatty = getattr(self.stream, "isatty", None)
        self.dynamic = verbose == 1 and bool(isatty and isatty())
        self._start = time.perf_counter()
        self._last_update = 0.0
        self._first: tuple[float, int] | None = None  # time and count after the first step
        self._prev_width = 0

    def _per_step(self, current: int, now: float) -> float:
        if not current:
            return 0.0
        if self._first is None:
            self._first = (now, current)
        t1, n1 = self._first
        return (now - t1) / (current - n1) if current > n1 else (now - self._start) / current

    def _metrics(self, values: Any) -> str:
        items = values.items() if isinstance(values, dict) else (values or ())
        return "".join(f" - {k}: {_format_value(v)}" for k, v in items)

    def update(self, current: int, values: Any = None, finalize: bool | None = None) -> None:
        """Show progress ``current`` of ``target``; the last update (``finalize``, by default
        when current reaches target) ends the line."""
        if finalize is None:
            finalize = self.target is not None and current >= self.target
        now = time.perf_counter()
        per_step = self._per_step(current, now)
        if not self.verbose or (not finalize and (
                not self.dynamic or now - self._last_update < self.interval)):
            return
        elapsed = now - self._start
        target = self.target if self.target is not None else current
        count = f"{current:>{len(str(target))}}/{target}"
        if self.dynamic:
            done = int(self.width * min(current / target, 1.0)) if target else self.width
            bar = "=" * done if done >= self.width else "=" * max(done - 1, 0) + ">" + "." * (
                self.width - max(done, 1))
            info = (f" - {elapsed:.0f}s {_format_rate(per_step, self.unit_name)}" if finalize
                    else f" - ETA: {_format_duration(per_step * (target - current))}")
            line = f"{count} [{bar}]{info}{self._metrics(values)}"
            pad = " " * max(self._prev_width - len(line), 0)
            self.stream.write("\r" + line + pad + ("\n" if finalize else ""))
            self._prev_width = len(line)
        else:
            head = f"{self.prefix} - " if self.prefix else ""
            self.stream.write(f"{head}{count} - {elapsed:.0f}s - "
                              f"{_format_rate(per_step, self.unit_name)}"
                              f"{self._metrics(values)}\n")
        self.stream.flush()
        self._last_update = now


class ProgbarLogger(Callback):
    """Prints fit's progress (added by ``fit``/``evaluate``/``predict`` when ``verbose``)."""

    def __init__(self) -> None:
        super().__init__()
        self.progbar: Progbar | None = None
        self._in_fit = False
        self._seen = 0

    def _new(self, prefix: str = "") -> None:
        self._seen = 0
        self.progbar = Progbar(self.params.get("steps"), verbose=self.params.get("verbose", 1),
                               prefix=prefix)

    def on_train_begin(self, logs: dict | None = None) -> None:
        self._in_fit = True

    def on_train_end(self, logs: dict | None = None) -> None:
        self._in_fit = False

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        epochs = self.params.get("epochs", 1)
        prefix = f"Epoch {epoch + 1}/{epochs}" if epochs > 1 else ""
        self._new(prefix)
        if prefix and self.progbar.dynamic:
            self.progbar.stream.write(prefix + "\n")

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        self._seen = batch + 1
        if self.progbar.dynamic:
            self.progbar.update(batch + 1, logs, finalize=False)

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        self.progbar.update(self._seen, logs, finalize=True)

    def on_test_begin(self, logs: dict | None = None) -> None:
        if not self._in_fit:
            self._new()

    def on_test_batch_end(self, batch: int, logs: dict | None = None) -> None:
        if not self._in_fit:
            self._seen = batch + 1
            if self.progbar.dynamic:
                self.progbar.update(batch + 1, logs, finalize=False)

    def on_test_end(self, logs: dict | None = None) -> None:
        if not self._in_fit:
            self.progbar.update(self._seen, logs, finalize=True)

    def on_predict_begin(self, logs: dict | None = None) -> None:
        self._new()

    def on_predict_batch_end(self, batch: int, logs: dict | None = None) -> None:
        self._seen = batch + 1
        if self.progbar.dynamic:
            self.progbar.update(batch + 1, finalize=False)

    def on_predict_end(self, logs: dict | None = None) -> None:
        self.progbar.update(self._seen, finalize=True)
