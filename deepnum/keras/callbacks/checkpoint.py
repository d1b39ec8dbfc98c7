"""Checkpoints: ``ModelCheckpoint`` (keep models along the way) and ``BackupAndRestore``
(resume an interrupted ``fit`` exactly).

Both write deepnum model files (see ``deepnum.keras.saving``) that also hold the number of
epochs done and the state of deepnum's random streams.  Resuming from the end of epoch k
(``load_model`` + ``fit(..., initial_epoch=k)``, or ``BackupAndRestore`` doing it for you)
replays the same shuffles and dropout masks, so the weights are bit-identical to those of
a run that was never interrupted.
"""

from __future__ import annotations

import contextlib
import os
import warnings
from typing import Any

from ...errors import ArgumentError, FormatError
from .base import Callback
from .monitoring import direction


class ModelCheckpoint(Callback):
    """Save the model (or its weights) during training.

    filepath: may hold ``{epoch:02d}`` (1-based) and any log entry, e.g.
        ``"ckpt-{epoch:02d}-{val_loss:.2f}.dnm"``.
    save_best_only: only when ``monitor`` improves (``mode`` "min", "max", or "auto"
        guessed from the name); the file keeps the best model.
    save_freq: "epoch", or an integer: every that many batches.
    """

    _runs_last = True  # after the other callbacks and History: it saves what they did

    def __init__(self, filepath: str | os.PathLike, monitor: str = "val_loss", verbose: int = 0,
                 save_best_only: bool = False, save_weights_only: bool = False,
                 mode: str = "auto", save_freq: Any = "epoch",
                 initial_value_threshold: float | None = None) -> None:
        super().__init__()
        if save_freq != "epoch" and (isinstance(save_freq, bool) or not isinstance(
                save_freq, int) or save_freq < 1):
            raise ArgumentError(f"ModelCheckpoint: save_freq must be 'epoch' or a positive "
                                f"integer, got {save_freq!r}")
        self.filepath, self.monitor, self.verbose = os.fspath(filepath), monitor, verbose
        self.save_best_only, self.save_weights_only = save_best_only, save_weights_only
        self.mode, self.save_freq = mode, save_freq
        self._direction = direction(monitor, mode) if save_best_only else None
        self.best = initial_value_threshold
        self._epoch, self._batches = 0, 0

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self._epoch = epoch

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        if self.save_freq == "epoch":
            return
        self._batches += 1
        if self._batches % self.save_freq == 0:
            self._save(self._epoch, batch, logs, epochs_done=self._epoch)

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        if self.save_freq == "epoch":
            self._save(epoch, None, logs, epochs_done=epoch + 1)

    def _path(self, epoch: int, batch: int | None, logs: dict) -> str:
        try:
            return self.filepath.format(epoch=epoch + 1, batch=None if batch is None
                                        else batch + 1, **logs)
        except (KeyError, IndexError, ValueError) as error:
            raise ArgumentError(f"ModelCheckpoint: cannot fill in {self.filepath!r} "
                                f"({type(error).__name__}: {error}); available keys: epoch, "
                                f"batch, {', '.join(sorted(logs))}") from None

    def _save(self, epoch: int, batch: int | None, logs: dict | None, epochs_done: int) -> None:
        from ..saving import checkpoint_data
        logs = dict(logs or {})
        path = self._path(epoch, batch, logs)
        if self.save_best_only:
            current = logs.get(self.monitor)
            if current is None:
                warnings.warn(f"ModelCheckpoint: can save best model only with {self.monitor!r}"
                              f" available in the logs, skipping (logs: {sorted(logs)})",
                              stacklevel=3)
                return
            better = self.best is None or (current < self.best if self._direction == "min"
                                           else current > self.best)
            if not better:
                if self.verbose > 0:
                    print(f"\nEpoch {epoch + 1}: {self.monitor} did not improve from "
                          f"{self.best:.5f}")
                return
            if self.verbose > 0:
                print(f"\nEpoch {epoch + 1}: {self.monitor} improved from {self.best} to "
                      f"{current:.5f}, saving model to {path}")
            self.best = float(current)
        elif self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: saving model to {path}")
        if self.save_weights_only:
            self.model.save_weights(path)
        else:
            from ..saving import save_model
            save_model(self.model, path, checkpoint=checkpoint_data(epochs_done))
            return
        from ..saving import save_weights
        save_weights(self.model, path, checkpoint=checkpoint_data(epochs_done))


class BackupAndRestore(Callback):
    """Back up the whole training state at the end of every epoch, and restore it when
    ``fit`` starts again after an interruption (Ctrl-C, a crash, a killed process).

    The backup (``backup_dir/backup.dnm``, replaced atomically each epoch) holds the
    weights, the optimizer's state, the epochs done, the random streams, the history so far
    and the state of callbacks with ``get_state`` (EarlyStopping, ReduceLROnPlateau).  On
    restore, ``fit`` continues from the next epoch, and the final weights are bit-identical
    to an uninterrupted run.  The backup is deleted when ``fit`` completes
    (``delete_checkpoint=True``).  Backups are made per epoch (``save_freq="epoch"`` only).
    """

    _runs_last = True  # after the other callbacks and History: it saves what they did

    def __init__(self, backup_dir: str | os.PathLike, save_freq: Any = "epoch",
                 delete_checkpoint: bool = True) -> None:
        super().__init__()
        if not backup_dir:
            raise ArgumentError("BackupAndRestore: an empty backup_dir was given")
        if save_freq != "epoch":
            raise ArgumentError(f"BackupAndRestore: only save_freq='epoch' is supported (a "
                                f"backup between epochs could not resume exactly), got "
                                f"{save_freq!r}")
        self.backup_dir, self.delete_checkpoint = os.fspath(backup_dir), delete_checkpoint
        self.path = os.path.join(self.backup_dir, "backup.dnm")

    def _others(self) -> list[Callback]:
        callbacks = getattr(self.model, "_callbacks", None)
        return [cb for cb in (callbacks.callbacks if callbacks else ())
                if cb is not self and hasattr(cb, "get_state")]

    def on_train_begin(self, logs: dict | None = None) -> None:
        if not os.path.exists(self.path):
            return
        from ... import random as dn_random
        from ..saving import _read, _restore
        tensors, meta, path = _read(self.path)
        _restore(self.model, tensors, meta, path, optimizer=True)
        checkpoint = meta.get("checkpoint")
        if not checkpoint:
            raise FormatError(f"{path!r} is not a BackupAndRestore backup (no checkpoint data)")
        dn_random.set_rng_state(checkpoint["rng"])
        states = meta.get("callback_states") or {}
        for i, cb in enumerate(self._others()):
            state = states.get(f"{i}:{type(cb).__name__}")
            if state is not None:
                cb.set_state(state)
        history = self.model.history
        restored = meta.get("history")
        if restored is not None and history is not None:
            history.history = {k: list(v) for k, v in restored["history"].items()}
            history.epoch = list(restored["epoch"])
        self.model.__dict__["_initial_epoch"] = checkpoint["epoch"]

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        from ..saving import WEIGHTS, _write, checkpoint_data
        os.makedirs(self.backup_dir, exist_ok=True)
        states = {f"{i}:{type(cb).__name__}": cb.get_state() for i, cb in enumerate(self._others())}
        _write(self.model, self.path, WEIGHTS, checkpoint=checkpoint_data(epoch + 1),
               extra={"callback_states": states})

    def on_train_end(self, logs: dict | None = None) -> None:
        if self.delete_checkpoint and os.path.exists(self.path):
            os.remove(self.path)
            with contextlib.suppress(OSError):  # the directory holds other files: leave it
                os.rmdir(self.backup_dir)
