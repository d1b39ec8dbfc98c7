"""The argument parser of ``deepnum``: four sub-commands, one-line errors (exit code 2).

Options of ``train`` have no argparse default (``SUPPRESS``), so the command knows which
ones were given: ``--resume`` compares only those with the interrupted run's settings.
The defaults are applied in :mod:`.settings` and written in the help texts.
"""

from __future__ import annotations

import argparse
import importlib
import textwrap
from collections.abc import Callable
from typing import Any, NoReturn

from .. import __version__
from .settings import DATASETS, DEFAULT_EPOCHS, DEFAULTS

DEBUG_NOTE = ("Errors print one line; set DEEPNUM_DEBUG=1 to see the Python traceback.\n"
              "Exit codes: 0 success, 1 error, 2 wrong arguments, 130 interrupted.")


def one_line(text: Any) -> str:
    """A possibly multi-line message on one line ("Looked in:\\n  - a\\n  - b" ->
    "Looked in: a; b")."""
    lines = [s.strip().removeprefix("- ").strip() for s in str(text).splitlines()]
    out = ""
    for line in filter(None, lines):
        out = line if not out else out + (" " if out.endswith(":") else "; ") + line
    return out


class Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are ONE line on stderr (no usage block), exit code 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {one_line(message)}\n")


def _number(kind: type, name: str, low: float, high: float | None = None,
            low_open: bool = False) -> Callable[[str], Any]:
    """An argparse ``type`` accepting ``kind`` values in [low, high) (or (low, ...) when
    ``low_open``); the message says what was expected."""
    def convert(text: str) -> Any:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"invalid {name} value: {text!r}") from None
        if value != value or (value <= low if low_open else value < low) or (
                high is not None and value >= high):
            raise argparse.ArgumentTypeError(f"invalid {name} value: {text!r}")
        return value
    convert.__name__ = name
    return convert


positive_int = _number(int, "positive int", 1)
seed_int = _number(int, "seed (an int >= 0)", 0)
positive_float = _number(float, "positive float", 0.0, low_open=True)
fraction = _number(float, "fraction in [0, 1)", 0.0, 1.0)


def _command(module: str, function: str) -> Callable[..., int]:
    """``deepnum.cli.<module>.<function>(args, parser)``, imported when it runs (so
    ``--help`` stays quick)."""
    def run(args: argparse.Namespace, parser: Parser) -> int:
        return getattr(importlib.import_module(f"{__package__}.{module}"), function)(args, parser)
    return run


def _add(sub: Any, name: str, module: str, summary: str, description: str,
         epilog: str) -> Parser:
    """The sub-command ``name``, run by ``deepnum.cli.<module>.<name>``."""
    parser = sub.add_parser(name, help=summary, description=textwrap.fill(description, 79),
                            epilog=f"{epilog}\n\n{DEBUG_NOTE}",
                            formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.set_defaults(run=_command(module, name), subparser=parser)
    return parser


def _add_train(sub: Any) -> None:
    from ..keras.activations import ALL_ACTIVATIONS
    from ..keras.optimizers import ALL_OBJECTS

    epochs = ", ".join(f"{k} {v}" for k, v in DEFAULT_EPOCHS.items())
    p = _add(sub, "train", "train", "train the classic MLP on a data set",
             "Train the classic multilayer perceptron: Dense(h, activation) for each --hidden "
             "size, then Dense(classes, softmax), on images flattened and scaled by 1/255, "
             "with sparse categorical cross-entropy; then report train and test loss and "
             "accuracy, the time taken and where the model was saved.",
             "examples:\n"
             "  deepnum train                                   # 8x8 digits, shipped: works "
             "offline\n"
             "  deepnum train --dataset fashion-mnist --epochs 5 --seed 0\n"
             "  deepnum train --checkpoint-dir run1 --seed 0    # killed or Ctrl-C? then:\n"
             "  deepnum train --checkpoint-dir run1 --resume    # same final weights, bit for "
             "bit\n\n"
             "The saved model records the data set, class names, image shape, settings and\n"
             "history (see `deepnum info MODEL`).\n\n"
             "deepnum runs OpenBLAS on one thread: these small matrix products gain little\n"
             "from more, and lose 4-10x on a busy machine. Set OPENBLAS_NUM_THREADS to choose.")
    S = argparse.SUPPRESS
    p.add_argument("--dataset", choices=DATASETS, default=S,
                   help=f"data set (default: {DEFAULTS['dataset']}, shipped with deepnum)")
    p.add_argument("--data-dir", metavar="DIR", default=S,
                   help="directory holding the IDX files of mnist or fashion-mnist (default: "
                        "$DEEPNUM_DATA, the user cache, /usr/share/datasets, then download)")
    p.add_argument("--epochs", type=positive_int, metavar="N", default=S,
                   help=f"passes over the training data (default: {epochs})")
    p.add_argument("--batch-size", type=positive_int, metavar="N", default=S,
                   help=f"examples per update (default: {DEFAULTS['batch_size']})")
    p.add_argument("--hidden", type=positive_int, nargs="+", metavar="UNITS", default=S,
                   help="units of each hidden layer (default: 512; e.g. --hidden 256 128)")
    p.add_argument("--activation", choices=sorted(ALL_ACTIVATIONS), metavar="NAME", default=S,
                   help=f"activation of the hidden layers (default: {DEFAULTS['activation']};"
                        f" one of {', '.join(sorted(ALL_ACTIVATIONS))})")
    p.add_argument("--optimizer", choices=sorted(ALL_OBJECTS), default=S,
                   help=f"Keras optimizer with Keras's defaults (default: "
                        f"{DEFAULTS['optimizer']})")
    p.add_argument("--lr", type=positive_float, metavar="LR", default=S,
                   help="learning rate (default: the optimizer's, 0.001 for rmsprop)")
    p.add_argument("--seed", type=seed_int, metavar="S", default=S,
                   help="seed of every random stream: the same seed gives the same weights "
                        "bit for bit (default: drawn at random, printed and recorded)")
    p.add_argument("--validation-split", type=fraction, metavar="F", default=S,
                   help="last fraction F of the training images held out for validation "
                        "(val_loss, val_accuracy per epoch; default: 0)")
    p.add_argument("--save", metavar="PATH", default=S,
                   help="where to save the model (default: deepnum-<dataset>.dnm in the "
                        "current directory; replaced if it exists)")
    p.add_argument("--checkpoint-dir", metavar="DIR", default=S,
                   help="back up the training state to DIR every epoch and record the "
                        "settings there (run.json), so an interrupted run can be resumed")
    p.add_argument("--resume", action="store_true",
                   help="continue the interrupted run in --checkpoint-dir with its recorded "
                        "settings (give no other settings, or the same ones)")
    p.add_argument("--verbose", type=int, choices=(0, 1, 2), default=S,
                   help="0 quiet, 1 progress bar, 2 one line per epoch (default: 1 on a "
                        "terminal, 2 otherwise)")


def _add_model_commands(sub: Any) -> None:
    p = _add(sub, "evaluate", "report", "test loss and accuracy of a saved model",
             "Evaluate a saved model on the test images of its data set (recorded in the "
             "model by `deepnum train`) or of --dataset.",
             "example:\n  deepnum evaluate deepnum-digits.dnm")
    p.add_argument("model", metavar="MODEL", help="a model saved by deepnum (.dnm)")
    p.add_argument("--dataset", choices=DATASETS,
                   help="data set to test on (default: the one the model was trained on)")
    p.add_argument("--data-dir", metavar="DIR", help="directory holding the IDX files")
    p.add_argument("--batch-size", type=positive_int, metavar="N", default=128,
                   help="examples per batch (default: 128)")

    p = _add(sub, "predict", "predict", "classify images with a saved model",
             "Print the top K classes, with their names and probabilities, for each image "
             "in INPUT.",
             "INPUT is either\n"
             "  * a .npy array: one image (H, W), a batch (N, H, W), one flat image (H*W,) or\n"
             "    a flat batch (N, H*W), in the model's image shape (see `deepnum info`).\n"
             "    Integer arrays are pixel values 0-255; float arrays whose values all lie in\n"
             "    [0, 1] are taken as already scaled, other float arrays as 0-255.  Arrays are\n"
             "    used as they are (white on black, as the data sets) unless --invert.\n"
             "  * a PNG, PGM or PPM image of any size, read as greyscale and resized (area\n"
             "    averaging) to the model's image shape.  An image with a light background\n"
             "    (median of its border pixels above 0.5: dark ink on paper) is inverted to\n"
             "    the data sets' light-on-dark; --invert / --no-invert force the choice.\n\n"
             "examples:\n  deepnum predict deepnum-digits.dnm three.png --top 3\n"
             "  deepnum predict deepnum-fashion-mnist.dnm batch.npy")
    p.add_argument("model", metavar="MODEL", help="a model saved by deepnum (.dnm)")
    p.add_argument("input", metavar="INPUT", help="a .npy array or a PNG/PGM/PPM image")
    p.add_argument("--top", type=positive_int, metavar="K", default=3,
                   help="how many classes to show per image (default: 3)")
    p.add_argument("--invert", action=argparse.BooleanOptionalAction, default=None,
                   help="invert the grey levels (1 - x) before predicting (default: only "
                        "images with a light background)")

    p = _add(sub, "info", "report", "architecture, settings and history of a saved model",
             "Show a saved model's layers (output shapes, parameter counts), its data set "
             "and training settings, its final scores and its history per epoch.",
             "example:\n  deepnum info deepnum-digits.dnm")
    p.add_argument("model", metavar="MODEL", help="a model saved by deepnum (.dnm)")


def build_parser() -> Parser:
    """The parser of the whole command line."""
    parser = Parser(prog="deepnum", description="deepnum: deep learning from first "
                    "principles, on NumPy. Train, evaluate and use the classic MLP.",
                    epilog=f"`deepnum COMMAND --help` documents each command. {DEBUG_NOTE}")
    parser.add_argument("--version", action="version", version=f"deepnum {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    _add_train(sub)
    _add_model_commands(sub)
    return parser

