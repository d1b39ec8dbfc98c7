"""Fashion-MNIST (Xiao, Rasul & Vollgraf 2017, Zalando): 60,000 training and 10,000 test
images of clothing, a drop-in replacement for MNIST.

Each image is 28×28 uint8 grey levels 0–255; labels 0–9 name the classes in ``CLASS_NAMES``.

>>> from deepnum.datasets import fashion_mnist
>>> (x_train, y_train), (x_test, y_test) = fashion_mnist.load_data()   # doctest: +SKIP
>>> fashion_mnist.CLASS_NAMES[y_train[0]]                              # doctest: +SKIP
'Ankle boot'

On Debian and Ubuntu, ``apt-get install dataset-fashion-mnist`` puts the files in
``/usr/share/datasets/fashion-mnist/``, where ``load_data`` finds them.

The pinned SHA-256 values are those of the original gzipped files (the ones whose MD5s the
Fashion-MNIST README publishes).  Debian's copies hold the same deflate streams under a gzip
header stripped of its file name and time stamp, so their own hashes differ; system copies
are checked for structure, not hashed.
"""

from __future__ import annotations

import os

from . import _idxset
from ._download import Pinned
from ._idxset import Split

NAME = "fashion-mnist"
CLASS_NAMES: tuple[str, ...] = (
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
)

MIRRORS: list[str] = [
    "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
    "https://github.com/zalandoresearch/fashion-mnist/raw/master/data/fashion/",
]
FILES: tuple[Pinned, ...] = (
    Pinned("train-images-idx3-ubyte.gz", 26421880,
           "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84"),
    Pinned("train-labels-idx1-ubyte.gz", 29515,
           "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845"),
    Pinned("t10k-images-idx3-ubyte.gz", 4422102,
           "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073"),
    Pinned("t10k-labels-idx1-ubyte.gz", 5148,
           "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5"),
)
SYSTEM_DIRS: list[str] = ["/usr/share/datasets/fashion-mnist"]


def load_data(path: str | os.PathLike[str] | None = None) -> tuple[Split, Split]:
    """Load Fashion-MNIST as ``(x_train, y_train), (x_test, y_test)``: uint8 arrays of
    shapes (60000, 28, 28), (60000,), (10000, 28, 28), (10000,).

    ``path`` is a directory holding the four original files (gzipped or not).  Without it,
    or when it lacks them (a warning says so), the files are looked for in
    ``$DEEPNUM_DATA/fashion-mnist/``, the user cache (``~/.cache/deepnum/fashion-mnist/``),
    Debian's ``/usr/share/datasets/fashion-mnist/``, and finally downloaded into the cache
    from ``MIRRORS`` with pinned SHA-256 checks.  Set ``DEEPNUM_OFFLINE=1`` to forbid
    downloads.  Raises NotFoundError, DownloadError or FormatError as ``mnist.load_data``.
    """
    return _idxset.load(name=NAME, title="Fashion-MNIST", files=FILES, mirrors=MIRRORS,
                        system_dirs=SYSTEM_DIRS, n_classes=len(CLASS_NAMES), path=path,
                        apt_package="dataset-fashion-mnist")
