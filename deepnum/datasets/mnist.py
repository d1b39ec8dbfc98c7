"""MNIST handwritten digits (LeCun, Cortes & Burges): 60,000 training and 10,000 test images.

Each image is 28×28 uint8 grey levels 0–255 (0 is background); labels are the digits 0–9.

>>> from deepnum.datasets import mnist
>>> (x_train, y_train), (x_test, y_test) = mnist.load_data()       # doctest: +SKIP
>>> x_train.shape, y_train.shape, x_test.shape, y_test.shape        # doctest: +SKIP
((60000, 28, 28), (60000,), (10000, 28, 28), (10000,))

Where the files are looked for (explicit ``path``, ``$DEEPNUM_DATA/mnist``, the user cache,
``/usr/share/datasets/mnist``, then a download) is described in ``load_data``.  ``MIRRORS``,
``FILES`` and ``SYSTEM_DIRS`` are module-level so that a site can add its own mirror.

The pinned SHA-256 values are those of the original gzipped files as TensorFlow Datasets
(``url_checksums/mnist.txt``) and PyTorch's mirror users publish them.
"""

from __future__ import annotations

import os

from . import _idxset
from ._download import Pinned
from ._idxset import Split

NAME = "mnist"
CLASS_NAMES: tuple[str, ...] = tuple("0123456789")

MIRRORS: list[str] = [
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
    "http://yann.lecun.com/exdb/mnist/",
]
FILES: tuple[Pinned, ...] = (
    Pinned("train-images-idx3-ubyte.gz", 9912422,
           "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609"),
    Pinned("train-labels-idx1-ubyte.gz", 28881,
           "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c"),
    Pinned("t10k-images-idx3-ubyte.gz", 1648877,
           "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6"),
    Pinned("t10k-labels-idx1-ubyte.gz", 4542,
           "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6"),
)
SYSTEM_DIRS: list[str] = ["/usr/share/datasets/mnist"]


def load_data(path: str | os.PathLike[str] | None = None) -> tuple[Split, Split]:
    """Load MNIST as ``(x_train, y_train), (x_test, y_test)``: uint8 arrays of shapes
    (60000, 28, 28), (60000,), (10000, 28, 28), (10000,).

    ``path`` is a directory holding the four original files (``train-images-idx3-ubyte.gz``,
    ``train-labels-idx1-ubyte.gz``, ``t10k-images-idx3-ubyte.gz``,
    ``t10k-labels-idx1-ubyte.gz``, gzipped or not).  Without it, or when it lacks them (a
    warning says so), the files are looked for in ``$DEEPNUM_DATA/mnist/``, then in the user
    cache (``~/.cache/deepnum/mnist/``), then in ``/usr/share/datasets/mnist/``, and finally
    downloaded into the cache from ``MIRRORS``, each file checked against its pinned SHA-256.
    Set ``DEEPNUM_OFFLINE=1`` to forbid downloads.  Raises NotFoundError (listing every place
    looked), DownloadError (listing every URL tried) or FormatError (a corrupt file).
    """
    return _idxset.load(name=NAME, title="MNIST", files=FILES, mirrors=MIRRORS,
                        system_dirs=SYSTEM_DIRS, n_classes=len(CLASS_NAMES), path=path)
