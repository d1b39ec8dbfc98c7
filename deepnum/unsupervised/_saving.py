"""Saving the non-Keras models: one deepnum file, JSON config (with the class name) + arrays."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

from ..errors import ArgumentError, DataError, FormatError, ShapeError
from ..io import read_file, write_file


def write_model(path: str | os.PathLike, kind: str, config: dict[str, Any],
                arrays: dict[str, np.ndarray]) -> None:
    """Save ``arrays`` and ``config`` (JSON data) as a model of class ``kind``, atomically."""
    write_file(path, arrays, {"class": kind, **config})


def read_model(path: str | os.PathLike, kind: str) -> tuple[dict[str, np.ndarray], dict]:
    """The arrays and config of a file that :func:`write_model` wrote for class ``kind``;
    FormatError for any other file."""
    arrays, config = read_file(path)
    if not isinstance(config, dict) or config.get("class") != kind:
        found = config.get("class") if isinstance(config, dict) else type(config).__name__
        raise FormatError(f"{os.fspath(path)!r} does not hold a {kind} (found {found!r})")
    return arrays, {k: v for k, v in config.items() if k != "class"}


@contextmanager
def rebuilding(path: str | os.PathLike, kind: str) -> Iterator[None]:
    """Turn what rebuilding a model from a damaged file raises into one FormatError."""
    try:
        yield
    except (KeyError, TypeError, ShapeError, DataError, ArgumentError) as error:
        raise FormatError(f"{os.fspath(path)!r}: malformed {kind} file "
                          f"({type(error).__name__}: {error})") from None
