"""``deepnum evaluate MODEL`` (test loss and accuracy) and ``deepnum info MODEL``
(architecture, data set, settings, scores and history of a saved model)."""

from __future__ import annotations

import os
from typing import Any

from ..errors import ShapeError, StateError
from . import modelfile
from .settings import describe


def _test_set(saved: modelfile.SavedModel, name: str | None, data_dir: str | None,
              parser: Any) -> modelfile.DataSet:
    """The data set to evaluate on, checked against the images the model takes."""
    name = name or saved.info.get("dataset")
    if name is None:
        raise StateError(f"{saved.path}: the model does not record its data set (it was not "
                         "saved by deepnum train); pass --dataset")
    if name == "digits" and data_dir is not None:
        parser.error("--data-dir: the digits ship inside deepnum and take no directory")
    data = modelfile.load_dataset(name, data_dir)
    features = data.x_test.shape[1]
    expected = saved.image_shape
    if expected is not None and tuple(expected) != data.image_shape or (
            expected is None and saved.input_shape != (features,)):
        shown = "x".join(map(str, expected or saved.input_shape))
        raise ShapeError(f"{saved.path} takes {shown} inputs but the {name} images are "
                         f"{'x'.join(map(str, data.image_shape))}")
    return data


def evaluate(args: Any, parser: Any) -> int:
    saved = modelfile.load(args.model)
    data = _test_set(saved, args.dataset, args.data_dir, parser)
    modelfile.ensure_compiled(saved.model)
    logs = saved.model.evaluate(saved.inputs(data.x_test), data.y_test,
                                batch_size=args.batch_size, verbose=0, return_dict=True)
    print(f"{saved.path} on the {data.name} test set ({len(data.x_test)} images):")
    print("  test       " + "  ".join(f"{k} {v:.4f}" for k, v in _ordered(logs)))
    return 0


def _ordered(logs: dict[str, Any]) -> list[tuple[str, Any]]:
    """Loss first, then the metrics by name; the "val_" ones after, in the same order."""
    def key(name: str) -> tuple:
        base = name.removeprefix("val_")
        return (name.startswith("val_"), base != "loss", base)
    return [(k, logs[k]) for k in sorted(logs, key=key)]


def _history_table(history: dict[str, list]) -> list[str]:
    columns = [k for k, _ in _ordered(history)]
    widths = [max(len(c), 8) for c in columns]
    lines = ["  epoch" + "".join(f"  {c:>{w}}" for c, w in zip(columns, widths, strict=True))]
    for i in range(max(len(v) for v in history.values())):
        cells = []
        for c, w in zip(columns, widths, strict=True):
            values = history[c]
            cells.append(f"  {values[i]:>{w}.4f}" if i < len(values) else " " * (w + 2))
        lines.append(f"  {i + 1:>5}" + "".join(cells))
    return lines


def info(args: Any, parser: Any) -> int:
    saved = modelfile.load(args.model)
    meta = saved.info
    size = os.path.getsize(saved.path)
    print(f"Model file: {saved.path} ({size / 1024:.1f} KB)")
    if meta:
        h, w = meta["image_shape"]
        names = meta["class_names"]
        print(f"Trained by {meta.get('command')} (deepnum {meta.get('deepnum_version')}) on "
              f"{meta['dataset']}: {h}x{w} images, inputs {meta.get('input')}")
        print(f"Classes ({len(names)}): {', '.join(names)}")
        print(f"Settings: {describe(meta['settings'])}")
    else:
        print("Not saved by deepnum train: no data set or settings recorded (evaluate needs "
              "--dataset)")
    saved.model.summary(print_fn=print)
    results = meta.get("results") if meta else None
    if results:
        for part in ("train", "validation", "test"):
            if results.get(part):
                loss, accuracy = results[part]
                print(f"  {part:<10} loss {loss:.4f}  accuracy {accuracy:.4f}")
        resumed = results.get("resumed_after_epoch")
        print(f"  training took {results['seconds']:.1f} s"
              + (f" (after resuming at epoch {resumed + 1})" if resumed else ""))
    if saved.history:
        print("History per epoch:")
        print("\n".join(_history_table(saved.history)))
    else:
        print("No training history recorded.")
    return 0

