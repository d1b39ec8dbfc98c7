"""Finding MNIST and Fashion-MNIST: search order, what is checked where, the errors, and
``deepnum.datasets.load`` by name.  Every test writes its own small IDX files."""

from __future__ import annotations

import hashlib
import shutil
import warnings
from pathlib import Path

import numpy as np
import pytest

from deepnum import datasets
from deepnum.datasets import digits, fashion_mnist, mnist, write_idx
from deepnum.datasets._download import Pinned
from deepnum.errors import (
    ArgumentError,
    DataError,
    FormatError,
    NotFoundError,
    UnknownNameError,
)

NAMES = [p.name for p in mnist.FILES]


def make_set(directory: Path, n_train: int = 50, n_test: int = 20, *, gz: bool = True,
             seed: int = 0) -> list[np.ndarray]:
    """Write four small IDX files with the original names; return the arrays written."""
    rng = np.random.default_rng(seed)
    arrays = [rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8),
              (np.arange(n_train) % 10).astype(np.uint8),
              rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8),
              rng.permutation(np.arange(n_test) % 10).astype(np.uint8)]
    directory.mkdir(parents=True, exist_ok=True)
    for name, a in zip(NAMES, arrays, strict=True):
        write_idx(directory / (name if gz else name.removesuffix(".gz")), a)
    return arrays


def pins_for(directory: Path) -> tuple[Pinned, ...]:
    """Pinned entries matching the gzipped files in ``directory``."""
    return tuple(Pinned(n, (directory / n).stat().st_size,
                        hashlib.sha256((directory / n).read_bytes()).hexdigest())
                 for n in NAMES)


def assert_loaded(result, arrays) -> None:
    (x_train, y_train), (x_test, y_test) = result
    for got, want in zip((x_train, y_train, x_test, y_test), arrays, strict=True):
        assert got.dtype == np.uint8
        np.testing.assert_array_equal(got, want)


@pytest.fixture
def isolated(tmp_path, monkeypatch):
    """No real data anywhere: HOME and XDG_CACHE_HOME in tmp, no DEEPNUM_DATA, no system
    copies, no mirrors (so nothing touches the network)."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("DEEPNUM_DATA", raising=False)
    monkeypatch.delenv("DEEPNUM_OFFLINE", raising=False)
    for module in (mnist, fashion_mnist):
        monkeypatch.setattr(module, "SYSTEM_DIRS", [])
        monkeypatch.setattr(module, "MIRRORS", [])
    return tmp_path


@pytest.mark.parametrize("module", [mnist, fashion_mnist])
def test_search_order(isolated, monkeypatch, module):
    explicit = make_set(isolated / "explicit", 50, seed=1)
    env = make_set(isolated / "env" / module.NAME, 40, seed=2)
    cache = make_set(isolated / "xdg" / "deepnum" / module.NAME, 30, seed=3)
    system = make_set(isolated / "system", 20, seed=4)
    monkeypatch.setattr(module, "FILES", pins_for(isolated / "xdg" / "deepnum" / module.NAME))
    monkeypatch.setattr(module, "SYSTEM_DIRS", [str(isolated / "nowhere"),
                                                str(isolated / "system")])
    monkeypatch.setenv("DEEPNUM_DATA", str(isolated / "env"))
    assert_loaded(module.load_data(path=isolated / "explicit"), explicit)
    assert_loaded(module.load_data(), env)
    monkeypatch.delenv("DEEPNUM_DATA")
    assert_loaded(module.load_data(), cache)
    shutil.rmtree(isolated / "xdg")
    assert_loaded(module.load_data(), system)


def test_cache_defaults_to_home_dot_cache(isolated, monkeypatch):
    monkeypatch.delenv("XDG_CACHE_HOME")
    cache = isolated / "home" / ".cache" / "deepnum" / "mnist"
    arrays = make_set(cache)
    monkeypatch.setattr(mnist, "FILES", pins_for(cache))
    assert_loaded(mnist.load_data(), arrays)


def test_user_files_may_be_raw_a_subset_or_in_a_named_subfolder(isolated):
    """Files the user points to are checked for structure, not hashed: a 50-image subset in
    un-gzipped files loads, from the directory itself or from its <name>/ subfolder."""
    arrays = make_set(isolated / "mine", gz=False)
    assert_loaded(mnist.load_data(path=isolated / "mine"), arrays)
    arrays = make_set(isolated / "parent" / "fashion-mnist")
    assert_loaded(datasets.load("fashion-mnist", path=isolated / "parent"), arrays)


def test_explicit_path_without_the_files_warns_and_moves_on(isolated, monkeypatch):
    arrays = make_set(isolated / "env" / "mnist")
    monkeypatch.setenv("DEEPNUM_DATA", str(isolated / "env"))
    (isolated / "empty").mkdir()
    with pytest.warns(UserWarning, match="does not hold the data set") as record:
        result = mnist.load_data(path=isolated / "empty")
    assert_loaded(result, arrays)
    assert str(isolated / "env" / "mnist") in str(record[0].message)


def test_cache_files_must_match_the_pinned_hashes(isolated, monkeypatch):
    cache = isolated / "xdg" / "deepnum" / "mnist"
    make_set(cache)
    monkeypatch.setattr(mnist, "FILES", pins_for(cache))
    make_set(cache, seed=9)  # same names and sizes, other bytes: not what was pinned
    with pytest.raises(NotFoundError, match="fails its SHA-256 check"):
        mnist.load_data()


@pytest.mark.parametrize("module,apt", [(mnist, False), (fashion_mnist, True)])
def test_not_found_lists_every_place_and_how_to_supply(isolated, monkeypatch, module, apt):
    monkeypatch.setattr(module, "SYSTEM_DIRS", [str(isolated / "sys1"), str(isolated / "sys2")])
    with pytest.raises(NotFoundError) as info:
        module.load_data(path=isolated / "given")
    text = str(info.value)
    for place in [isolated / "given", isolated / "given" / module.NAME,
                  isolated / "xdg" / "deepnum" / module.NAME,
                  isolated / "sys1", isolated / "sys2"]:
        assert f"{place}: does not exist" in text
    assert "$DEEPNUM_DATA: not set" in text
    assert "no download mirrors" in text
    assert "path=DIR" in text and f"$DEEPNUM_DATA/{module.NAME}/" in text
    assert all(name in text for name in NAMES)
    assert ("apt-get install dataset-fashion-mnist" in text) == apt


def test_offline_mode_does_not_download(isolated, monkeypatch):
    monkeypatch.setenv("DEEPNUM_OFFLINE", "1")
    monkeypatch.setattr(mnist, "MIRRORS", ["http://127.0.0.1:9/never-contacted/"])
    monkeypatch.setenv("DEEPNUM_DATA", str(isolated / "env"))
    with pytest.raises(NotFoundError, match="DEEPNUM_OFFLINE is set") as info:
        mnist.load_data()
    assert f"{isolated / 'env' / 'mnist'}: does not exist" in str(info.value)


def test_partial_set_is_reported_file_by_file(isolated):
    make_set(isolated / "mine")
    (isolated / "mine" / NAMES[3]).unlink()
    with pytest.raises(NotFoundError) as info:
        mnist.load_data(path=isolated / "mine")
    assert f"{NAMES[3]} missing" in str(info.value)


def test_never_falls_back_to_another_data_set(isolated, monkeypatch):
    make_set(isolated / "env" / "mnist")
    monkeypatch.setenv("DEEPNUM_DATA", str(isolated / "env"))
    with pytest.raises(NotFoundError, match="Fashion-MNIST not found"):
        fashion_mnist.load_data()


# --- structure checks of files the user supplies -------------------------------------------

def test_count_mismatch_names_both_files(isolated):
    make_set(isolated / "d")
    write_idx(isolated / "d" / NAMES[1], np.zeros(49, np.uint8))
    with pytest.raises(DataError, match="50 images but .* 49 labels") as info:
        mnist.load_data(path=isolated / "d")
    assert NAMES[0] in str(info.value) and NAMES[1] in str(info.value)


@pytest.mark.parametrize("index,array,error,message", [
    (3, np.full(20, 10, np.uint8), DataError, "label 10 outside the class range 0..9"),
    (0, np.zeros((50, 784), np.uint8), FormatError, r"shape \(n, rows, cols\)"),
    (2, np.zeros((20, 28, 28), np.float32), FormatError, "got float32"),
    (1, np.zeros((50, 1), np.uint8), FormatError, r"labels as uint8 of shape \(n,\)"),
    (2, np.zeros((20, 8, 8), np.uint8), DataError, r"training images are \(28, 28\)"),
])
def test_malformed_user_sets(isolated, index, array, error, message):
    make_set(isolated / "d")
    write_idx(isolated / "d" / NAMES[index], array)
    with pytest.raises(error, match=message):
        mnist.load_data(path=isolated / "d")


def test_a_corrupt_user_file_is_an_error_not_a_reason_to_look_elsewhere(isolated, monkeypatch):
    make_set(isolated / "d")
    make_set(isolated / "env" / "mnist")
    monkeypatch.setenv("DEEPNUM_DATA", str(isolated / "env"))
    blob = (isolated / "d" / NAMES[0]).read_bytes()
    (isolated / "d" / NAMES[0]).write_bytes(blob[: len(blob) // 2])
    with pytest.raises(FormatError, match="truncated") as info:
        mnist.load_data(path=isolated / "d")
    assert NAMES[0] in str(info.value)


# --- load by name and module constants ------------------------------------------------------

@pytest.mark.parametrize("name", ["mnist", "MNIST", "fashion-mnist", "fashion_mnist",
                                  "Fashion-MNIST"])
def test_load_by_name(isolated, name):
    arrays = make_set(isolated / "d", seed=5)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert_loaded(datasets.load(name, path=isolated / "d"), arrays)


def test_load_digits_by_name():
    (x_train, y_train), (x_test, y_test) = datasets.load("digits")
    (a, b), (c, d) = digits.load_data()
    for got, want in zip((x_train, y_train, x_test, y_test), (a, b, c, d), strict=True):
        np.testing.assert_array_equal(got, want)
    with pytest.raises(ArgumentError, match="take no path"):
        datasets.load("digits", path="/tmp")


@pytest.mark.parametrize("name,hint", [("mnsit", "did you mean 'mnist'"),
                                       ("fashion", "did you mean 'fashion"),
                                       ("digit", "did you mean 'digits'"),
                                       (3, "unknown data set 3")])
def test_unknown_names_suggest_the_closest(name, hint):
    with pytest.raises(UnknownNameError, match=hint):
        datasets.load(name)


def test_module_constants():
    assert (mnist.NAME, fashion_mnist.NAME, digits.NAME) == ("mnist", "fashion-mnist", "digits")
    assert list(mnist.CLASS_NAMES) == [str(i) for i in range(10)]
    assert fashion_mnist.CLASS_NAMES[0] == "T-shirt/top"
    assert fashion_mnist.CLASS_NAMES[9] == "Ankle boot" and len(fashion_mnist.CLASS_NAMES) == 10
    assert [p.name for p in fashion_mnist.FILES] == NAMES
    assert datasets.read_idx is datasets.idx.read_idx
    assert datasets.write_idx is datasets.idx.write_idx
