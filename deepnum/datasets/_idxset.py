"""Find, check and load a data set kept as the four original IDX files (MNIST, Fashion-MNIST).

Search order, first hit wins:

1. ``path=`` given by the caller: the directory itself, then ``path/<name>/``;
2. ``$DEEPNUM_DATA/<name>/``;
3. the user cache, ``$XDG_CACHE_HOME/deepnum/<name>/`` or ``~/.cache/deepnum/<name>/``;
4. system copies (Debian's ``dataset-fashion-mnist`` installs ``/usr/share/datasets/...``);
5. a download from the mirrors into the user cache.

Files in the cache (which deepnum wrote) must match the pinned SHA-256; files a user or the
system provides are checked only for IDX structure and matching image and label counts, so a
subset in the same format loads.  Nothing falls back silently to another data set.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ..errors import DataError, DownloadError, FormatError, NotFoundError
from ._download import Pinned, download
from ._files import cache_dir, sha256_file
from .idx import read_idx

Split = tuple[np.ndarray, np.ndarray]


def load(
    *,
    name: str,
    title: str,
    files: Sequence[Pinned],
    mirrors: Sequence[str],
    system_dirs: Sequence[str],
    n_classes: int,
    path: str | os.PathLike[str] | None = None,
    apt_package: str | None = None,
) -> tuple[Split, Split]:
    """``(x_train, y_train), (x_test, y_test)`` from the first place that holds all four
    ``files`` (in the order train images, train labels, test images, test labels)."""
    looked: list[str] = []  # one line per place, for the NotFoundError
    candidates: list[tuple[Path | str, bool]] = []  # (directory or why skipped, hashed)
    if path is not None:
        candidates += [(Path(path), False), (Path(path) / name, False)]
    env = os.environ.get("DEEPNUM_DATA", "")
    candidates.append((Path(env) / name, False) if env else ("$DEEPNUM_DATA: not set", False))
    cache = cache_dir(name)
    candidates.append((cache, True))
    candidates += [(Path(d), False) for d in system_dirs]

    for i, (directory, hashed) in enumerate(candidates):
        if isinstance(directory, str):
            looked.append(directory)
            continue
        found, why = _locate(directory, files, hashed)
        if found is None:
            looked.append(f"{directory}: {why}")
            continue
        if path is not None and i >= 2:
            warnings.warn(
                f"{title}: path={os.fspath(path)!r} does not hold the data set "
                f"({looked[0]}; {looked[1]}); loading it from {directory} instead",
                stacklevel=3,
            )
        return _read_set(found, n_classes)

    _download_all(title, name, files, mirrors, cache, looked, apt_package)
    found, why = _locate(cache, files, hashed=True)
    if found is None:  # only if the cache changed under us
        raise NotFoundError(f"{title}: downloaded files vanished from {cache}: {why}")
    return _read_set(found, n_classes)


def _locate(
    directory: Path, files: Sequence[Pinned], hashed: bool
) -> tuple[list[Path] | None, str]:
    """The paths of all ``files`` in ``directory`` (gzipped or not, unless ``hashed``), or
    None and what was wrong."""
    if not directory.is_dir():
        return None, "does not exist" if not directory.exists() else "not a directory"
    paths, problems = [], []
    for pinned in files:
        gz, raw = directory / pinned.name, directory / pinned.name.removesuffix(".gz")
        if gz.is_file():
            p = gz
        elif raw.is_file() and not hashed:
            p = raw
        else:
            problems.append(f"{pinned.name} missing")
            continue
        if hashed and sha256_file(p) != pinned.sha256:
            problems.append(f"{pinned.name} fails its SHA-256 check")
            continue
        paths.append(p)
    return (None, "; ".join(problems)) if problems else (paths, "")


def _read_set(paths: list[Path], n_classes: int) -> tuple[Split, Split]:
    x_train, y_train, x_test, y_test = (read_idx(p) for p in paths)
    for x, y, xp, yp in ((x_train, y_train, *paths[:2]), (x_test, y_test, *paths[2:])):
        if x.dtype != np.uint8 or x.ndim != 3:
            raise FormatError(f"{xp}: expected images as uint8 of shape (n, rows, cols), "
                              f"got {x.dtype} of shape {x.shape}")
        if y.dtype != np.uint8 or y.ndim != 1:
            raise FormatError(f"{yp}: expected labels as uint8 of shape (n,), "
                              f"got {y.dtype} of shape {y.shape}")
        if len(x) != len(y):
            raise DataError(f"{xp} holds {len(x)} images but {yp} holds {len(y)} labels")
        if y.size and int(y.max()) >= n_classes:
            raise DataError(f"{yp}: label {int(y.max())} outside the class range "
                            f"0..{n_classes - 1}")
    if x_train.shape[1:] != x_test.shape[1:]:
        raise DataError(f"training images are {x_train.shape[1:]} but test images are "
                        f"{x_test.shape[1:]} ({paths[0]}, {paths[2]})")
    return (x_train, y_train), (x_test, y_test)


def _download_all(
    title: str,
    name: str,
    files: Sequence[Pinned],
    mirrors: Sequence[str],
    cache: Path,
    looked: list[str],
    apt_package: str | None,
) -> None:
    """Download into ``cache`` every file not already there with the right hash; raise
    NotFoundError when offline, DownloadError when mirrors answered with the wrong thing."""
    names = ", ".join(p.name for p in files)
    how = (f"To supply the files, put {names} (gzipped or not) in a directory DIR and call "
           f"load_data(path=DIR), or put them in $DEEPNUM_DATA/{name}/")
    how += f", or install them with `apt-get install {apt_package}`." if apt_package else "."
    places = "\n".join(f"  - {line}" for line in looked)

    def not_found(reason: str) -> NotFoundError:
        return NotFoundError(f"{title} not found. Looked in:\n{places}\n{reason}\n{how}")

    if os.environ.get("DEEPNUM_OFFLINE", "") not in ("", "0"):
        raise not_found("Not downloaded: DEEPNUM_OFFLINE is set.")
    if not mirrors:
        raise not_found("Not downloaded: no download mirrors are configured.")
    try:
        cache.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise not_found(f"Not downloaded: cannot create the cache directory {cache} ({e}).") \
            from e
    for pinned in files:
        target = cache / pinned.name
        if target.is_file() and sha256_file(target) == pinned.sha256:
            continue
        try:
            download(pinned, list(mirrors), cache, name)
        except DownloadError as e:
            if getattr(e, "unreachable", False):
                raise not_found(f"Download failed, no mirror could be reached:\n{e}") from None
            raise DownloadError(f"{title} not found locally. Looked in:\n{places}\n"
                                f"Download failed: {e}\n{how}") from None
