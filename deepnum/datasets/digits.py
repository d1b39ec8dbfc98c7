"""The 8×8 handwritten digits shipped inside deepnum: 1,797 images, 1,437 train / 360 test.

These are the UCI "Optical Recognition of Handwritten Digits" images (Alpaydin & Kaynak,
1998; CC BY 4.0) in the version scikit-learn ships as ``load_digits``: each image counts the
on-pixels of a 32×32 bitmap in 4×4 blocks, so grey levels run 0–16.  deepnum rescales them
to uint8 0–255 with ``(v * 255 + 8) // 16`` (0 → 0, 8 → 128, 16 → 255) so that all three
data sets share one scale and tutorial code that divides by 255 works unchanged.

The train/test split is stratified (every digit in both parts in proportion, within one
image) and fixed: it was drawn once with a seeded generator and stored in
``deepnum/datasets/data/`` as gzipped IDX files, so it never changes between calls,
versions or machines.  ``data/README.md`` gives the exact recipe.

>>> from deepnum.datasets import digits
>>> (x_train, y_train), (x_test, y_test) = digits.load_data()
>>> x_train.shape, y_train.shape, x_test.shape, y_test.shape
((1437, 8, 8), (1437,), (360, 8, 8), (360,))
>>> int(x_train.max()), x_train.dtype.name
(255, 'uint8')
"""

from __future__ import annotations

from importlib import resources

from ._idxset import Split
from .idx import read_idx

NAME = "digits"
CLASS_NAMES: tuple[str, ...] = tuple("0123456789")

FILES = (
    "digits-train-images-idx3-ubyte.gz",
    "digits-train-labels-idx1-ubyte.gz",
    "digits-test-images-idx3-ubyte.gz",
    "digits-test-labels-idx1-ubyte.gz",
)


def load_data() -> tuple[Split, Split]:
    """Load the shipped digits as ``(x_train, y_train), (x_test, y_test)``: uint8 arrays of
    shapes (1437, 8, 8), (1437,), (360, 8, 8), (360,); pixels 0–255, labels 0–9."""
    folder = resources.files(__package__).joinpath("data")
    arrays = []
    for name in FILES:
        with folder.joinpath(name).open("rb") as f:
            arrays.append(read_idx(f))
    x_train, y_train, x_test, y_test = arrays
    return (x_train, y_train), (x_test, y_test)
