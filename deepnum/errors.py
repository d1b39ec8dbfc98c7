"""The errors deepnum raises.

Every error is a :class:`DeepnumError`, and also the built-in exception a Python user would
expect (a shape mismatch is a ``ValueError``, a wrong dtype a ``TypeError``), so both
``except deepnum.DeepnumError`` and ``except ValueError`` catch it.  Messages say what was
wrong and echo what was received.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class DeepnumError(Exception):
    """Base class of every error raised by deepnum."""


class ShapeError(DeepnumError, ValueError):
    """Shapes that do not fit an operation; the message names the op and the shapes."""


class DTypeError(DeepnumError, TypeError):
    """A dtype that an operation cannot take (e.g. an integer tensor asked to require grad)."""


class OutOfRangeError(DeepnumError, IndexError):
    """An index outside a tensor's bounds; the message names the index and the shape."""


class GradientError(DeepnumError, RuntimeError):
    """Misuse of automatic differentiation (backward twice, non-scalar output without grad...)."""


class GradcheckError(GradientError):
    """An analytic gradient that disagrees with central finite differences."""


class UnknownNameError(DeepnumError, ValueError):
    """A string name ("rmsprop", "relu"...) that does not resolve; suggests the closest one."""


class ArgumentError(DeepnumError, ValueError):
    """An argument outside its valid range (a negative learning rate, betas not in [0, 1)...)."""


class DataError(DeepnumError, ValueError):
    """Bad data: NaN or Inf, empty arrays, labels outside the class range, mismatched lengths."""


class FormatError(DeepnumError, ValueError):
    """A file that is not what it claims: bad magic number, truncated, corrupt."""


class ChecksumError(FormatError):
    """A file whose SHA-256 does not match the pinned value."""


class NotFoundError(DeepnumError, FileNotFoundError):
    """Data or a model that could not be found; the message lists every place looked."""


class DownloadError(DeepnumError, OSError):
    """Every mirror failed; the message lists what was tried and why each failed."""


class StateError(DeepnumError, RuntimeError):
    """An object used in the wrong state, e.g. ``fit`` before ``compile``."""


class NonFiniteError(DeepnumError, FloatingPointError):
    """A NaN or Inf appeared during training; the message says where it first appeared."""


def unknown_name(kind: str, name: object, valid: Iterable[str]) -> UnknownNameError:
    """Build the error for an unknown ``name`` of ``kind``, suggesting the closest valid name.

    >>> str(unknown_name("optimizer", "rmsporp", ["sgd", "rmsprop", "adam"]))
    "unknown optimizer 'rmsporp'; did you mean 'rmsprop'? (valid: adam, rmsprop, sgd)"
    """
    valid = sorted(valid)
    by_lower = {v.lower(): v for v in valid}  # compare without case, suggest as spelled
    close = difflib.get_close_matches(str(name).lower(), list(by_lower), n=1, cutoff=0.5)
    hint = f"; did you mean {by_lower[close[0]]!r}?" if close else ""
    return UnknownNameError(f"unknown {kind} {name!r}{hint} (valid: {', '.join(valid)})")
