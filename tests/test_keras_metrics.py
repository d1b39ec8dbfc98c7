"""``deepnum.keras.metrics``: values against their formulas (and scikit-learn for precision
and recall), running means with sample weights, the resolution of "accuracy" from shapes,
and the look-up."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import precision_score, recall_score

import deepnum as dn
from deepnum.errors import ArgumentError, ShapeError, UnknownNameError
from deepnum.keras import metrics as M

RNG = np.random.default_rng(9)


def test_accuracies_match_their_formulas():
    probs = RNG.random((50, 5))
    labels = RNG.integers(0, 5, 50)
    right = (probs.argmax(1) == labels).mean()
    m = M.SparseCategoricalAccuracy()
    m.update_state(labels, dn.tensor(probs))
    assert m.result() == pytest.approx(right)
    m.update_state(labels[:, None], probs)  # (N, 1) labels too
    assert m.result() == pytest.approx(right)
    c = M.CategoricalAccuracy()
    c.update_state(np.eye(5)[labels], probs)
    assert c.result() == pytest.approx(right)
    b = M.BinaryAccuracy(threshold=0.3)
    y = (RNG.random((50, 1)) > 0.5) * 1.0
    b.update_state(y, probs[:, :1])
    assert b.result() == pytest.approx(((probs[:, :1] > 0.3) == y).mean())
    top = M.SparseTopKCategoricalAccuracy(k=2)
    top.update_state(labels, probs)
    in_top = [label in np.argsort(-row)[:2] for row, label in zip(probs, labels, strict=True)]
    assert top.result() == pytest.approx(np.mean(in_top))


def test_running_means_weights_and_reset():
    m = M.Mean()
    m.update_state([1.0, 2.0, 3.0])
    m.update_state([10.0], sample_weight=[2.0])
    assert m.result() == pytest.approx((1 + 2 + 3 + 20) / 5)
    m.reset_state()
    assert m.result() == 0.0
    acc = M.SparseCategoricalAccuracy()
    acc.update_state([0, 1], np.array([[0.9, 0.1], [0.9, 0.1]]), sample_weight=[3.0, 1.0])
    assert acc.result() == pytest.approx(0.75)
    with pytest.raises(ShapeError, match="sample_weight of shape"):
        m.update_state([1.0, 2.0], sample_weight=[1.0, 2.0, 3.0])


def test_errors_and_crossentropy_metrics_match_numpy():
    y, p = RNG.standard_normal((20, 3)), RNG.standard_normal((20, 3))
    mse = M.get("mse")
    mse.update_state(y, p)
    assert mse.name == "mse" and mse.result() == pytest.approx(((y - p) ** 2).mean())
    mae = M.MeanAbsoluteError()
    mae.update_state(y, p)
    assert mae.result() == pytest.approx(np.abs(y - p).mean())
    probs = RNG.dirichlet(np.ones(3), 20)
    labels = RNG.integers(0, 3, 20)
    sce = M.SparseCategoricalCrossentropy()
    sce.update_state(labels, probs)
    assert sce.result() == pytest.approx(-np.log(probs[np.arange(20), labels]).mean())


def test_precision_and_recall_match_scikit_learn():
    y = (RNG.random(200) > 0.4).astype(int)
    p = np.clip(y * 0.6 + RNG.random(200) * 0.5, 0, 1)
    pred = (p > 0.5).astype(int)
    for metric, reference in ((M.Precision(), precision_score), (M.Recall(), recall_score)):
        metric.update_state(y, p)
        assert metric.result() == pytest.approx(reference(y, pred))


@pytest.mark.parametrize("y_shape,p_shape,cls", [
    ((8,), (8, 5), M.SparseCategoricalAccuracy),
    ((8, 1), (8, 5), M.SparseCategoricalAccuracy),
    ((8, 5), (8, 5), M.CategoricalAccuracy),
    ((8, 1), (8, 1), M.BinaryAccuracy),
    ((8,), (8, 1), M.BinaryAccuracy),
])
def test_accuracy_resolves_from_shapes_like_keras_3(y_shape, p_shape, cls):
    metric = M.accuracy_for("acc", y_shape, p_shape)
    assert isinstance(metric, cls) and metric.name == "acc"


def test_lookup_serialize_and_errors():
    assert isinstance(M.get("sparse_categorical_accuracy"), M.SparseCategoricalAccuracy)
    again = M.get(M.serialize(M.BinaryAccuracy(name="bin", threshold=0.7)))
    assert again.name == "bin" and again.get_config() == {"name": "bin", "threshold": 0.7}
    with pytest.raises(UnknownNameError, match="did you mean 'precision'"):
        M.get("precison")
    with pytest.raises(ArgumentError, match="depends on the targets' shape"):
        M.get("accuracy")
    custom = M.get(lambda y, p: np.abs(np.asarray(y) - np.asarray(p)))
    custom.update_state([1.0, 2.0], [1.5, 2.0])
    assert custom.result() == pytest.approx(0.25)
