"""The ``deepnum`` command (also ``python -m deepnum``).

::

    deepnum train [--dataset digits|mnist|fashion-mnist] [--epochs N] [--hidden 512 ...] ...
    deepnum evaluate MODEL            test loss and accuracy of a saved model
    deepnum predict MODEL INPUT       top classes for a .npy array or a PNG/PGM/PPM image
    deepnum info MODEL                architecture, settings and training history

``deepnum <command> --help`` documents each command.  Exit codes: 0 success, 1 a user
mistake (a missing or corrupt file, data not found, an input of the wrong shape: one line
``deepnum: error: ...`` on stderr), 2 wrong arguments (one line from the argument parser),
130 interrupted (Ctrl-C).  ``DEEPNUM_DEBUG=1`` shows the Python traceback instead of the
one-line message.  OpenBLAS runs on one thread unless ``OPENBLAS_NUM_THREADS`` or
``OMP_NUM_THREADS`` is set (see :func:`limit_threads` and :mod:`deepnum.threads`).

>>> main(["--version"])  # doctest: +SKIP
deepnum 0.1.0
"""

from __future__ import annotations

import os
import sys
import warnings
from collections.abc import Sequence

from .. import threads
from ..errors import DeepnumError
from ._parser import build_parser, one_line

__all__ = ["main"]


def _debug() -> bool:
    return os.environ.get("DEEPNUM_DEBUG", "") not in ("", "0")


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    """Warnings (e.g. "loading the data set from another directory") as one line."""
    print(f"deepnum: warning: {one_line(message)}", file=sys.stderr)


def _error_text(error: BaseException) -> str:
    if (isinstance(error, OSError) and not isinstance(error, DeepnumError)
            and error.filename and error.strerror):
        return f"{error.filename}: {error.strerror}"
    return one_line(error) or type(error).__name__


def limit_threads() -> None:
    """One BLAS thread for the command's small products, unless the user chose a number
    with OPENBLAS_NUM_THREADS or OMP_NUM_THREADS (see ``deepnum.threads``): measured on a
    shared 2-core machine, 80 digits epochs took 2 s with one thread, 17 to 60 s with two."""
    if not threads.configured_by_environment():
        threads.set_num_threads(1)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line ``argv`` (``sys.argv[1:]`` by default); returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)  # exits 2 on wrong arguments, 0 after --help/--version
    if args.command is None:
        parser.print_help()
        return 0
    limit_threads()
    try:
        with warnings.catch_warnings():
            if not _debug():
                warnings.showwarning = _show_warning
            return args.run(args, parser=args.subparser)
    except KeyboardInterrupt:
        print("deepnum: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `deepnum info m | head`: stop quietly, as other tools do
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    except (DeepnumError, OSError) as error:
        if _debug():
            raise
        print(f"deepnum: error: {_error_text(error)}", file=sys.stderr)
        return 1
