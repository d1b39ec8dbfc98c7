"""The 8×8 digits shipped inside deepnum: shapes, scale, a fixed stratified split, and the
shipped files re-derived from scikit-learn's copy of the UCI data with the documented recipe."""

from __future__ import annotations

import numpy as np
import pytest

from deepnum.datasets import digits

N_TEST = 360
SEED = 0


def derive_from_sklearn() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The recipe of deepnum/datasets/data/README.md: rescale 0–16 to 0–255, then a stratified
    split with per-class test counts by largest remainder and a seeded permutation per class;
    both parts keep the original order."""
    from sklearn.datasets import load_digits

    x, y = load_digits(return_X_y=True)
    images = ((x.astype(np.int64) * 255 + 8) // 16).astype(np.uint8).reshape(-1, 8, 8)
    labels = y.astype(np.uint8)
    counts = np.bincount(labels, minlength=10)
    quota = counts * N_TEST / len(labels)
    n_test = np.floor(quota).astype(int)
    extra = N_TEST - n_test.sum()
    order = sorted(range(10), key=lambda c: (-(quota[c] - n_test[c]), c))
    n_test[order[:extra]] += 1
    rng = np.random.default_rng(SEED)
    test = np.concatenate([rng.permutation(np.flatnonzero(labels == c))[: n_test[c]]
                           for c in range(10)])
    is_test = np.zeros(len(labels), bool)
    is_test[test] = True
    return images[~is_test], labels[~is_test], images[is_test], labels[is_test]


def test_shapes_dtypes_and_scale():
    (x_train, y_train), (x_test, y_test) = digits.load_data()
    assert x_train.shape == (1437, 8, 8) and y_train.shape == (1437,)
    assert x_test.shape == (360, 8, 8) and y_test.shape == (360,)
    for a in (x_train, y_train, x_test, y_test):
        assert a.dtype == np.uint8
    pixels = np.concatenate([x_train.ravel(), x_test.ravel()])
    # Exactly the 17 levels (v*255+8)//16 of v = 0..16 occur, from 0 to 255.
    assert set(np.unique(pixels)) <= {(v * 255 + 8) // 16 for v in range(17)}
    assert pixels.min() == 0 and pixels.max() == 255
    assert digits.NAME == "digits" and "".join(digits.CLASS_NAMES) == "0123456789"


def test_split_is_stratified():
    (_, y_train), (_, y_test) = digits.load_data()
    train, test = np.bincount(y_train, minlength=10), np.bincount(y_test, minlength=10)
    assert (train > 0).all() and (test > 0).all()
    expected = (train + test) * len(y_test) / (len(y_train) + len(y_test))
    assert np.abs(test - expected).max() < 1  # largest-remainder rounding of the proportion


def test_split_is_fixed_and_arrays_are_fresh():
    (a_train, a_ytrain), (a_test, _) = digits.load_data()
    (b_train, b_ytrain), (b_test, _) = digits.load_data()
    np.testing.assert_array_equal(a_train, b_train)
    np.testing.assert_array_equal(a_ytrain, b_ytrain)
    np.testing.assert_array_equal(a_test, b_test)
    a_train[0, 0, 0] = 7  # a caller's in-place edit must not leak into the next load
    assert digits.load_data()[0][0][0, 0, 0] == b_train[0, 0, 0]


def test_shipped_files_match_the_documented_recipe():
    pytest.importorskip("sklearn")
    (x_train, y_train), (x_test, y_test) = digits.load_data()
    for ours, derived in zip((x_train, y_train, x_test, y_test), derive_from_sklearn(),
                             strict=True):
        np.testing.assert_array_equal(ours, derived)
