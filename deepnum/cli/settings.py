"""The settings of a ``deepnum train`` run, and its checkpoint directory.

A run's settings are the arguments that decide its weights (data set, epochs, batch size,
hidden sizes, activation, optimizer, learning rate, seed, validation split).  Resolved
(defaults filled in, a random seed drawn) they are recorded in the saved model and, with
``--checkpoint-dir DIR``, in ``DIR/run.json`` next to the ``BackupAndRestore`` backup
(``DIR/backup.dnm``), so that ``deepnum train --checkpoint-dir DIR --resume`` needs
nothing else.  ``--save``, ``--data-dir`` and ``--verbose`` may be given again on resume
(they do not change the weights).

>>> resolve({"dataset": "mnist", "seed": 3})["epochs"]
5
>>> conflicts({"epochs": 9, "seed": 3}, {**resolve({"seed": 3}), "epochs": 80})
['--epochs 9 (the run used 80)']
"""

from __future__ import annotations

import json
import os
import secrets
from typing import Any

from ..errors import FormatError, StateError
from ..io.atomic import atomic_write

DATASETS = ("digits", "mnist", "fashion-mnist")
# 5 epochs as in the tutorial; the 1,437 digits need more: about 0.90 test accuracy after 5
# epochs, 0.94-0.96 after 30 to 60, and 0.956-0.975 after 80 (seeds 0-31), in seconds.
DEFAULT_EPOCHS = {"digits": 80, "mnist": 5, "fashion-mnist": 5}
DEFAULTS: dict[str, Any] = {
    "dataset": "digits", "epochs": None, "batch_size": 128, "hidden": [512],
    "activation": "relu", "optimizer": "rmsprop", "lr": None, "seed": None,
    "validation_split": 0.0,
}
RUN_FILE = "run.json"


def option(key: str) -> str:
    """The command-line option of a settings key: "batch_size" -> "--batch-size"."""
    return "--" + key.replace("_", "-")


def _shown(value: Any) -> str:
    return " ".join(map(str, value)) if isinstance(value, list) else str(value)


def resolve(given: dict[str, Any]) -> dict[str, Any]:
    """The full settings from those ``given``: defaults filled in, the epochs of the data
    set, the optimizer's default learning rate, and a random seed when none was given."""
    from ..keras import optimizers

    settings = {**DEFAULTS, **{k: v for k, v in given.items() if k in DEFAULTS}}
    settings["hidden"] = list(settings["hidden"])
    if settings["epochs"] is None:
        settings["epochs"] = DEFAULT_EPOCHS[settings["dataset"]]
    if settings["lr"] is None:
        settings["lr"] = float(optimizers.get(settings["optimizer"]).learning_rate)
    if settings["seed"] is None:
        settings["seed"] = secrets.randbelow(2**31)
    return settings


def conflicts(given: dict[str, Any], recorded: dict[str, Any]) -> list[str]:
    """The ``given`` settings that differ from the ``recorded`` ones, as "--opt value (the
    run used other)"."""
    return [f"{option(k)} {_shown(v)} (the run used {_shown(recorded.get(k))})"
            for k, v in given.items() if k in DEFAULTS and v != recorded.get(k)]


def describe(settings: dict[str, Any]) -> str:
    """One line: "epochs 80, batch size 128, hidden 512, ..."."""
    return ", ".join(f"{k.replace('_', ' ')} {_shown(settings[k])}"
                     for k in DEFAULTS if k in settings)


class RunDir:
    """The checkpoint directory of a run: ``run.json`` (settings, model path, status) and
    the backup file of ``BackupAndRestore`` (``backup_path``)."""

    def __init__(self, path: str, backup_path: str) -> None:
        self.path, self.backup_path = path, backup_path
        self.run_file = os.path.join(path, RUN_FILE)
        if os.path.exists(path) and not os.path.isdir(path):
            raise StateError(f"--checkpoint-dir {path!r} exists and is not a directory")

    def read(self) -> dict[str, Any] | None:
        """The recorded run, or None if there is none."""
        try:
            with open(self.run_file, encoding="utf-8") as f:
                record = json.load(f)
        except FileNotFoundError:
            return None
        except (ValueError, UnicodeDecodeError) as error:
            raise FormatError(f"{self.run_file}: not a valid run record ({error}); delete "
                              "the directory to start over") from None
        if not isinstance(record, dict) or not isinstance(record.get("settings"), dict) or (
                set(DEFAULTS) - set(record["settings"])):
            raise FormatError(f"{self.run_file}: not a run record of deepnum train (settings "
                              "missing); delete the directory to start over")
        return record

    def write(self, record: dict[str, Any]) -> None:
        os.makedirs(self.path, exist_ok=True)
        with atomic_write(self.run_file) as f:
            f.write(json.dumps(record, indent=2).encode())

    def backup_epoch(self) -> int | None:
        """Epochs done according to the backup, or None without a backup."""
        if not os.path.exists(self.backup_path):
            return None
        from ..io import read_file
        _, meta = read_file(self.backup_path)
        checkpoint = meta.get("checkpoint") if isinstance(meta, dict) else None
        if not isinstance(checkpoint, dict) or not isinstance(checkpoint.get("epoch"), int):
            raise FormatError(f"{self.backup_path}: not a backup of deepnum train (no epoch "
                              "count); delete the directory to start over")
        return checkpoint["epoch"]

    def check_new_run(self) -> None:
        """A new run must not overwrite the backup of an interrupted one."""
        if os.path.exists(self.backup_path):
            raise StateError(f"{self.path} holds the backup of an interrupted run: pass "
                             f"--resume to continue it, or delete the directory to start over")

    def resumable(self) -> dict[str, Any]:
        """The record of the interrupted run to resume; StateError if there is none."""
        record = self.read()
        if record is None:
            what = "does not exist" if not os.path.isdir(self.path) else f"has no {RUN_FILE}"
            raise StateError(f"--resume: nothing to resume: {self.path} {what}; start a run "
                             f"with deepnum train --checkpoint-dir {self.path}")
        if record.get("status") == "finished" and not os.path.exists(self.backup_path):
            raise StateError(f"--resume: nothing to resume: the run in {self.path} finished "
                             f"(its model was saved to {record.get('save')})")
        return record

    def finish(self, record: dict[str, Any]) -> None:
        """Mark the run finished (after its model was saved) and remove the backup."""
        self.write({**record, "status": "finished"})
        if os.path.exists(self.backup_path):
            os.remove(self.backup_path)
