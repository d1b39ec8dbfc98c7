"""Input checks shared by the classic neurons: arrays of samples, binary values, labels."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import DataError, ShapeError


def _show(values: np.ndarray, limit: int = 6) -> str:
    """A short echo of some values for an error message."""
    flat = np.unique(values)
    text = ", ".join(f"{v:g}" for v in flat[:limit])
    return f"[{text}{', ...' if flat.size > limit else ''}]"


def as_samples(
    x: Any,
    op: str,
    name: str,
    width: int | None = None,
    allow_vector: bool = True,
    unit: str = "features",
) -> tuple[np.ndarray, bool]:
    """``x`` as a float64 array of shape (n_samples, n_features), and whether it was one vector.

    With ``allow_vector``, one sample may be given as a vector of shape (n_features,).
    Raises ``DataError`` for values that are not numbers, empty data, NaN or Inf, and
    ``ShapeError`` for a rank other than 1 or 2 or, when ``width`` is given, a number of
    features (called ``unit`` in the message) other than ``width``.
    """
    try:
        arr = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError) as e:
        raise DataError(
            f"{op}: {name} must be an array of numbers; could not convert the "
            f"{type(x).__name__} received ({e})"
        ) from None
    if arr.ndim != 2 and not (allow_vector and arr.ndim == 1):
        one = "one sample of shape (n_features,) or " if allow_vector else ""
        hint = "; for one feature use X.reshape(-1, 1)" if arr.ndim == 1 else ""
        raise ShapeError(
            f"{op}: {name} must be {one}a batch of shape (n_samples, n_features), got shape "
            f"{arr.shape}{hint}"
        )
    single = arr.ndim == 1
    arr = arr.reshape(1, -1) if single else arr
    if arr.size == 0:
        raise DataError(f"{op}: {name} is empty (shape {arr.shape}); it needs at least one value")
    if width is not None and arr.shape[1] != width:
        raise ShapeError(
            f"{op}: expected {width} {unit} per sample, got {name} of shape "
            f"{arr.shape[1:] if single else arr.shape}"
        )
    bad = ~np.isfinite(arr)
    if bad.any():
        where = tuple(int(i) for i in np.argwhere(bad)[0])
        raise DataError(
            f"{op}: {name} contains {int(bad.sum())} non-finite value(s) (NaN or Inf); the "
            f"first is {arr[where]} at index {where[1:] if single else where}"
        )
    return arr, single


def check_binary(arr: np.ndarray, op: str, name: str) -> None:
    """Raise ``DataError`` unless every value of ``arr`` is 0 or 1."""
    bad = (arr != 0) & (arr != 1)
    if bad.any():
        where = tuple(int(i) for i in np.argwhere(bad)[0])
        raise DataError(
            f"{op}: {name} must be binary (0 or 1), got {arr[where]:g} at index {where} "
            f"(values received: {_show(arr)})"
        )


def binary_labels(y: Any, n_samples: int, op: str) -> tuple[np.ndarray, tuple[int, int]]:
    """Labels ``y`` as 0/1 integers, with the encoding they came in: (0, 1) or (-1, 1).

    The encoding is (-1, 1) when a -1 appears and (0, 1) otherwise; the first class maps to 0.
    """
    try:
        arr = np.asarray(y, dtype=np.float64)
    except (TypeError, ValueError) as e:
        raise DataError(f"{op}: labels y must be numbers; could not convert them ({e})") from None
    if arr.ndim != 1:
        raise ShapeError(f"{op}: labels y must be a vector of shape (n_samples,), got {arr.shape}")
    if arr.shape[0] != n_samples:
        raise DataError(
            f"{op}: X has {n_samples} samples but y has {arr.shape[0]} labels; they must match"
        )
    values = set(np.unique(arr).tolist())
    if values <= {0.0, 1.0}:
        classes = (0, 1)
    elif values <= {-1.0, 1.0}:
        classes = (-1, 1)
    else:
        raise DataError(
            f"{op}: labels y must be binary, all in {{0, 1}} or all in {{-1, 1}}; got the "
            f"values {_show(arr)}"
        )
    return (arr == 1).astype(np.int64), classes
