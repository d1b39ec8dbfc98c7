"""The real Fashion-MNIST, as Debian's ``dataset-fashion-mnist`` installs it.

Skipped when the files are absent, unless ``DEEPNUM_REQUIRE_REAL_DATA=1`` (CI sets it): then
their absence is a failure, so a broken CI image cannot pass by skipping.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import struct
from pathlib import Path

import numpy as np
import pytest

from deepnum.datasets import fashion_mnist

DEBIAN = Path("/usr/share/datasets/fashion-mnist")
NAMES = [p.name for p in fashion_mnist.FILES]


@pytest.fixture(scope="module")
def debian() -> Path:
    missing = [n for n in NAMES if not (DEBIAN / n).is_file()]
    if missing:
        why = f"Debian's Fashion-MNIST is not installed ({DEBIAN}: missing {missing})"
        if os.environ.get("DEEPNUM_REQUIRE_REAL_DATA") == "1":
            pytest.fail(f"{why}, and DEEPNUM_REQUIRE_REAL_DATA=1: apt-get install "
                        "dataset-fashion-mnist")
        pytest.skip(why)
    return DEBIAN


@pytest.fixture
def only_the_system_copy(tmp_path, monkeypatch, debian):
    """Empty cache, no DEEPNUM_DATA, no mirrors: the loader must find the Debian files."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("DEEPNUM_DATA", raising=False)
    monkeypatch.setattr(fashion_mnist, "SYSTEM_DIRS", [str(debian)])
    monkeypatch.setattr(fashion_mnist, "MIRRORS", [])


def test_real_fashion_mnist(only_the_system_copy):
    (x_train, y_train), (x_test, y_test) = fashion_mnist.load_data()
    assert x_train.shape == (60000, 28, 28) and y_train.shape == (60000,)
    assert x_test.shape == (10000, 28, 28) and y_test.shape == (10000,)
    for a in (x_train, y_train, x_test, y_test):
        assert a.dtype == np.uint8
    assert y_train.min() == 0 and y_train.max() == 9 and y_test.max() == 9
    np.testing.assert_array_equal(np.bincount(y_train, minlength=10), [6000] * 10)
    np.testing.assert_array_equal(np.bincount(y_test, minlength=10), [1000] * 10)
    assert x_train.min() == 0 and x_train.max() == 255
    assert 0.2 < x_train.mean() / 255 < 0.4  # dark background, as in the published images


# The original files were written by gzip with the file name in the header and this time
# stamp (2017-08-31); Debian's copies carry the same deflate streams behind a header stripped
# of both.  Put back, the originals must hash to the pins (and to the MD5s Zalando publishes).
ORIGINAL_MTIME = {"train": 1504176606, "t10k": 1504176627}
PUBLISHED_MD5 = {
    "train-images-idx3-ubyte.gz": "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
    "train-labels-idx1-ubyte.gz": "25c81989df183df01b3e8a0aad5dffbe",
    "t10k-images-idx3-ubyte.gz": "bef4ecab320f06d8554ea6380940ec79",
    "t10k-labels-idx1-ubyte.gz": "bb300cfdad3c16e7a12a480ee83cd310",
}


def test_pinned_hashes_match_the_debian_data(debian):
    for pinned in fashion_mnist.FILES:
        blob = (debian / pinned.name).read_bytes()
        assert blob[:4] == b"\x1f\x8b\x08\x00"  # deflate, no optional fields
        stem = pinned.name.removesuffix(".gz").encode()
        mtime = ORIGINAL_MTIME[pinned.name.split("-")[0]]
        original = (b"\x1f\x8b\x08\x08" + struct.pack("<I", mtime) + blob[8:10] + stem + b"\0"
                    + blob[10:])
        assert len(original) == pinned.size
        assert hashlib.md5(original).hexdigest() == PUBLISHED_MD5[pinned.name]
        assert hashlib.sha256(original).hexdigest() == pinned.sha256
        assert gzip.decompress(original) == gzip.decompress(blob)
