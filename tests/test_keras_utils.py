"""``deepnum.keras.utils`` (to_categorical, set_random_seed, packing helpers), the
``deepnum.keras.datasets`` re-export and ``deepnum.keras.backend``."""

from __future__ import annotations

import numpy as np
import pytest

import deepnum as dn
from deepnum import datasets, keras
from deepnum.errors import DataError, DTypeError
from deepnum.keras import utils


def test_to_categorical_like_keras():
    out = utils.to_categorical([2, 0, 1])
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, np.eye(3)[[2, 0, 1]])
    assert utils.to_categorical(np.array([[1], [3]]), num_classes=5).shape == (2, 5)
    assert utils.to_categorical(np.zeros((2, 3), int), 4).shape == (2, 3, 4)
    np.testing.assert_array_equal(utils.to_categorical([1.0, 0.0]), [[0, 1], [1, 0]])
    with pytest.raises(DataError, match=r"label 3 is outside \[0, 3\)"):
        utils.to_categorical([0, 3], num_classes=3)
    with pytest.raises(DTypeError, match="labels must be integers"):
        utils.to_categorical([0.5])


def test_set_random_seed_and_packing():
    utils.set_random_seed(3)
    a = dn.randn(2)
    dn.manual_seed(3)
    assert np.array_equal(a.data, dn.randn(2).data)
    assert utils.unpack_x_y_sample_weight((1, 2)) == (1, 2, None)
    assert utils.unpack_x_y_sample_weight(5) == (5, None, None)
    assert utils.pack_x_y_sample_weight(1) == 1
    assert utils.pack_x_y_sample_weight(1, 2, 3) == (1, 2, 3)


def test_datasets_are_deepnums_and_the_tutorial_import_works():
    from deepnum.keras.datasets import digits, fashion_mnist, mnist

    assert mnist is datasets.mnist and fashion_mnist is datasets.fashion_mnist
    (x_train, y_train), _ = digits.load_data()
    assert x_train.dtype == np.uint8 and x_train.shape == (1437, 8, 8)
    assert keras.models.load_model is keras.saving.load_model


def test_backend_constants():
    assert keras.backend.epsilon() == 1e-7 and keras.backend.floatx() == "float32"


def test_layers_follow_a_model_converted_to_float64():
    model = keras.Sequential([keras.layers.Dense(3, activation="relu"), keras.layers.Dense(2)])
    model(np.ones((1, 4)))
    model.to(dn.float64)
    out = model(np.ones((2, 4)))
    assert out.dtype == np.float64 and all(w.dtype == np.float64 for w in model.weights)
