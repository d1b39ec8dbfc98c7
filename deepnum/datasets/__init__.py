"""Data sets: the IDX format, MNIST, Fashion-MNIST and the 8×8 digits shipped inside deepnum.

Each data-set module has ``NAME``, ``CLASS_NAMES`` and a Keras-style ``load_data()``
returning ``(x_train, y_train), (x_test, y_test)`` as uint8 NumPy arrays, pixels 0–255.
:func:`load` picks one by name.

>>> from deepnum import datasets
>>> (x_train, y_train), (x_test, y_test) = datasets.load("digits")
>>> x_train.shape
(1437, 8, 8)
>>> datasets.load("mnsit")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
deepnum.errors.UnknownNameError: unknown data set 'mnsit'; did you mean 'mnist'? (valid: ...)
"""

from __future__ import annotations

import os

from ..errors import ArgumentError, unknown_name
from . import digits, fashion_mnist, idx, mnist
from ._idxset import Split
from .idx import read_idx, write_idx

__all__ = ["digits", "fashion_mnist", "idx", "load", "mnist", "read_idx", "write_idx"]

_MODULES = {
    "digits": digits,
    "mnist": mnist,
    "fashion-mnist": fashion_mnist,
    "fashion_mnist": fashion_mnist,
}


def load(name: str, path: str | os.PathLike[str] | None = None) -> tuple[Split, Split]:
    """``(x_train, y_train), (x_test, y_test)`` of the data set called ``name``: "digits",
    "mnist" or "fashion-mnist" (also "fashion_mnist"; any case).  ``path`` is a directory
    holding the IDX files of MNIST or Fashion-MNIST (see their ``load_data``); the digits
    ship inside the package and take no path."""
    module = _MODULES.get(name.lower()) if isinstance(name, str) else None
    if module is None:
        raise unknown_name("data set", name, _MODULES)
    if module is digits:
        if path is not None:
            raise ArgumentError(f"load('digits'): the digits ship inside deepnum and take no "
                            f"path; got path={path!r}")
        return digits.load_data()
    return module.load_data(path)
