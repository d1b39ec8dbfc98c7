"""``deepnum train``: the classic MLP on digits, MNIST or Fashion-MNIST, resumable.

The run: load the data set (images flattened, scaled by 1/255), seed every random stream
with ``--seed``, build ``Sequential([Dense(h, activation)..., Dense(classes, softmax)])``,
compile it with the optimizer, sparse categorical cross-entropy and accuracy, ``fit`` it
(with ``BackupAndRestore`` when ``--checkpoint-dir`` is given), evaluate it on the training
and test images, save it with its settings, and print a summary.

A run killed at any moment (SIGKILL included) and resumed with ``--resume`` ends with the
same weights, bit for bit, as a run never interrupted: the backup of the last finished
epoch holds the weights, the optimizer's slots, the epoch count and the random streams.
"""

from __future__ import annotations

import math
import os
import shlex
import sys
import time
from typing import Any

from .. import __version__
from ..errors import DataError, NotFoundError, StateError
from . import modelfile
from .settings import DEFAULTS, RunDir, conflicts, describe, option, resolve

EVAL_BATCH = 128  # batch size of the final scoring, as `deepnum evaluate` by default


def _save_path(path: str) -> str:
    """``path`` made absolute, after checking a file can be written there (before training,
    not after)."""
    path = os.path.abspath(path)
    folder = os.path.dirname(path)
    if os.path.isdir(path):
        raise StateError(f"--save {path!r} is a directory; give a file name")
    if not os.path.isdir(folder):
        raise NotFoundError(f"--save {path!r}: the directory {folder!r} does not exist")
    if not os.access(folder, os.W_OK):
        raise PermissionError(13, "Permission denied (cannot save the model there)", folder)
    return path


def _plan(args: Any, parser: Any) -> tuple[dict, dict, RunDir | None, Any]:
    """The settings, the run record and the checkpoint directory (with its callback)."""
    from ..keras.callbacks import BackupAndRestore

    extra = vars(args)
    given = {k: v for k, v in extra.items() if k in DEFAULTS}
    folder = extra.get("checkpoint_dir")
    if args.resume and folder is None:
        parser.error("--resume needs --checkpoint-dir DIR, the directory of the interrupted run")
    backup = None if folder is None else BackupAndRestore(folder, delete_checkpoint=False)
    run_dir = None if folder is None else RunDir(folder, backup.path)
    if args.resume:
        record = run_dir.resumable()
        clash = conflicts(given, record["settings"])
        if clash:
            parser.error(f"--resume: settings differ from those of the interrupted run "
                         f"({run_dir.run_file}): {'; '.join(clash)}; leave them out to resume, "
                         "or start a new run in another directory")
        settings = record["settings"]
        save = _save_path(extra["save"]) if "save" in extra else record["save"]
        data_dir = extra.get("data_dir", record.get("data_dir"))
    else:
        if run_dir is not None:
            run_dir.check_new_run()
        settings = resolve(given)
        save = _save_path(extra.get("save", f"deepnum-{settings['dataset']}.dnm"))
        data_dir = extra.get("data_dir")
    if settings["dataset"] == "digits" and data_dir is not None:
        parser.error("--data-dir: the digits ship inside deepnum and take no directory")
    record = {"command": "deepnum train", "deepnum_version": __version__, "settings": settings,
              "save": save, "status": "running",
              "data_dir": None if data_dir is None else os.path.abspath(data_dir)}
    return settings, record, run_dir, backup


def _split(data: modelfile.DataSet, fraction: float) -> tuple[tuple, tuple | None]:
    """Keras's validation split: the last ``fraction`` of the training images."""
    n = len(data.x_train)
    if not fraction:
        return (data.x_train, data.y_train), None
    at = math.floor(n * (1.0 - fraction))
    if at in (0, n):
        raise DataError(f"--validation-split {fraction} of {n} training images leaves "
                        f"{'no training' if at == 0 else 'no validation'} images")
    return (data.x_train[:at], data.y_train[:at]), (data.x_train[at:], data.y_train[at:])


def _model(settings: dict, data: modelfile.DataSet) -> Any:
    from .. import random
    from ..keras import optimizers

    random.manual_seed(settings["seed"])
    model = modelfile.build_mlp(data.x_train.shape[1], settings["hidden"],
                                settings["activation"], len(data.class_names))
    optimizer = optimizers.get({"class_name": settings["optimizer"],
                                "config": {"learning_rate": settings["lr"]}})
    model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def _line(name: str, loss: float, accuracy: float, n: int | None = None) -> str:
    count = "" if n is None else f"  ({n} images)"
    return f"  {name:<10} loss {loss:.4f}  accuracy {accuracy:.4f}{count}"


def _announce(data: modelfile.DataSet, settings: dict, validation: int) -> None:
    h, w = data.image_shape
    sizes = "-".join(map(str, [h * w, *settings["hidden"], len(data.class_names)]))
    print(f"{data.name}: {len(data.x_train) - validation} training, {validation} validation"
          f" and {len(data.x_test)} test images of {h}x{w}, {len(data.class_names)} classes")
    print(f"MLP {sizes}: {describe(settings)}")


def _report(info: dict, start: int, counts: list[int], record: dict, replaced: bool) -> None:
    results, epochs = info["results"], info["settings"]["epochs"]
    done = epochs - start
    if done:
        print(f"Trained {done} epoch{'s' * (done != 1)}"
              + (f" (epochs {start + 1}-{epochs}, resumed)" if start else "")
              + f" in {results['seconds']:.1f} s")
    else:
        print(f"All {epochs} epochs were done before the interruption")
    for part, n in zip(("train", "validation", "test"), counts, strict=True):
        if results[part] is not None:
            print(_line(part, *results[part], n))
    print(f"Model saved to {record['save']}" + (" (replaced the previous file)" if replaced
                                                else ""))


def train(args: Any, parser: Any) -> int:
    """Run ``deepnum train`` (see the module docstring); returns the exit code."""
    settings, record, run_dir, backup = _plan(args, parser)
    data = modelfile.load_dataset(settings["dataset"], record["data_dir"])
    (x_fit, y_fit), val = _split(data, settings["validation_split"])
    model = _model(settings, data)
    _announce(data, settings, 0 if val is None else len(val[0]))
    start = 0
    if run_dir is not None:
        start = (run_dir.backup_epoch() or 0) if args.resume else 0
        run_dir.write(record)
        print(f"Backing up every epoch to {run_dir.path}" + (
            f"; resuming after epoch {start}" if start else "; no backup yet: starting again"
            if args.resume else ""))
    try:
        began = time.perf_counter()
        history = model.fit(x_fit, y_fit, epochs=settings["epochs"],
                            batch_size=settings["batch_size"], validation_data=val,
                            verbose=vars(args).get("verbose", "auto"),
                            callbacks=None if backup is None else [backup])
        seconds = time.perf_counter() - began
        last = {k: v[-1] for k, v in history.history.items() if v}
        results = {
            "train": model.evaluate(x_fit, y_fit, batch_size=EVAL_BATCH, verbose=0),
            "validation": [last["val_loss"], last["val_accuracy"]] if "val_loss" in last
            else None,
            "test": model.evaluate(data.x_test, data.y_test, batch_size=EVAL_BATCH, verbose=0),
            "seconds": seconds, "resumed_after_epoch": start}
        info = {"command": "deepnum train", "deepnum_version": __version__,
                "dataset": data.name, "class_names": data.class_names,
                "image_shape": list(data.image_shape),
                "input": "flattened, pixels scaled by 1/255", "settings": settings,
                "results": results}
        replaced = os.path.exists(record["save"])
        modelfile.save(model, record["save"], info)
        if run_dir is not None:
            run_dir.finish(record)
    except KeyboardInterrupt:
        if sys.stdout.isatty():
            print()  # end the progress bar's line
        hint = ("nothing was saved (pass --checkpoint-dir DIR to be able to resume)"
                if run_dir is None else "resume with: deepnum train --checkpoint-dir "
                f"{shlex.quote(run_dir.path)} --resume")
        print(f"deepnum: interrupted; {hint}", file=sys.stderr)
        return 130
    _report(info, start, [len(x_fit), 0 if val is None else len(val[0]), len(data.x_test)],
            record, replaced)
    if "seed" not in vars(args) and not args.resume:
        print(f"(seed {settings['seed']} was drawn at random; {option('seed')} "
              f"{settings['seed']} repeats this run)")
    return 0
