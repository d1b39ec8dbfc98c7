"""``deepnum.keras.losses`` against their formulas and PyTorch: Keras's clipping of
probabilities, the reductions and sample weights, the fusion with the logits of a
softmax/sigmoid output, gradients, and bad targets."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import deepnum as dn
from deepnum.errors import ArgumentError, DataError, DTypeError, ShapeError, UnknownNameError
from deepnum.keras import losses

RNG = np.random.default_rng(3)
EPS = 1e-7


def _probs(n=6, c=4):
    z = RNG.standard_normal((n, c))
    return z, np.exp(z) / np.exp(z).sum(1, keepdims=True)


def _value(loss, *args, **kwargs):
    return float(loss(*args, **kwargs).data)


# ----- regression ---------------------------------------------------------------------------
def test_mse_and_mae_match_the_formulas_and_torch():
    y, p = RNG.standard_normal((5, 3)), RNG.standard_normal((5, 3))
    assert _value(losses.MeanSquaredError(), y, dn.tensor(p)) == pytest.approx(
        torch.nn.functional.mse_loss(torch.tensor(p), torch.tensor(y)).item())
    assert _value(losses.get("mae"), y, dn.tensor(p)) == pytest.approx(np.abs(p - y).mean())
    per = losses.mean_squared_error(y, dn.tensor(p))
    np.testing.assert_allclose(per.data, ((p - y) ** 2).mean(axis=-1))


def test_sample_weights_and_reductions_are_kerass():
    y, p = RNG.standard_normal((4, 2)), RNG.standard_normal((4, 2))
    w = np.array([1.0, 0.0, 2.0, 0.5])
    per = ((p - y) ** 2).mean(axis=1)
    assert _value(losses.MeanSquaredError(), y, dn.tensor(p), w) == pytest.approx(
        (per * w).sum() / 4)  # sum over batch size, not over the weights
    assert _value(losses.MeanSquaredError(reduction="sum"), y, dn.tensor(p)) == pytest.approx(
        per.sum())
    np.testing.assert_allclose(losses.MeanSquaredError(reduction=None)(y, dn.tensor(p)).data, per)
    with pytest.raises(UnknownNameError, match="reduction 'avg'"):
        losses.MeanSquaredError(reduction="avg")
    with pytest.raises(ShapeError, match=r"sample_weight of shape \(3,\)"):
        losses.MeanSquaredError()(y, dn.tensor(p), np.ones(3))


# ----- cross-entropies ----------------------------------------------------------------------
def test_sparse_categorical_crossentropy_on_probabilities_and_logits():
    z, p = _probs()
    labels = RNG.integers(0, 4, 6)
    expected = torch.nn.functional.cross_entropy(torch.tensor(z), torch.tensor(labels)).item()
    assert _value(losses.SparseCategoricalCrossentropy(), labels, dn.tensor(p)) == pytest.approx(
        expected, rel=1e-9)
    logits_loss = losses.SparseCategoricalCrossentropy(from_logits=True)
    assert _value(logits_loss, labels, dn.tensor(z)) == pytest.approx(expected, rel=1e-12)
    assert _value(logits_loss, labels[:, None], dn.tensor(z)) == pytest.approx(expected)
    assert _value(logits_loss, labels.astype(np.float32), dn.tensor(z)) == pytest.approx(expected)


def test_probabilities_are_clipped_like_keras():
    p = np.array([[0.0, 1.0], [1.0, 0.0]])
    clipped = -np.log(EPS)  # -log(1e-7) for the zero probability of the true class
    assert _value(losses.SparseCategoricalCrossentropy(), np.array([0, 0]),
                  dn.tensor(p)) == pytest.approx((clipped + -np.log(1 - EPS)) / 2)
    assert _value(losses.CategoricalCrossentropy(), np.eye(2)[[0, 0]],
                  dn.tensor(p)) == pytest.approx((clipped + -np.log(1 - EPS)) / 2)
    bce = _value(losses.BinaryCrossentropy(), np.array([[1.0, 1.0]]), dn.tensor([[0.0, 1.0]]))
    assert bce == pytest.approx((clipped - np.log(1 - EPS)) / 2)


def test_categorical_crossentropy_with_label_smoothing_matches_torch():
    z, p = _probs()
    onehot = np.eye(4)[RNG.integers(0, 4, 6)]
    for smoothing in (0.0, 0.1):
        expected = torch.nn.functional.cross_entropy(
            torch.tensor(z), torch.tensor(onehot), label_smoothing=smoothing).item()
        assert _value(losses.CategoricalCrossentropy(label_smoothing=smoothing), onehot,
                      dn.tensor(p)) == pytest.approx(expected, rel=1e-9)
        assert _value(losses.CategoricalCrossentropy(from_logits=True, label_smoothing=smoothing),
                      onehot, dn.tensor(z)) == pytest.approx(expected, rel=1e-12)


def test_binary_crossentropy_on_probabilities_and_logits_match_torch():
    z = RNG.standard_normal((5, 3))
    p = 1 / (1 + np.exp(-z))
    y = (RNG.random((5, 3)) > 0.5).astype(float)
    expected = torch.nn.functional.binary_cross_entropy(torch.tensor(p), torch.tensor(y)).item()
    assert _value(losses.BinaryCrossentropy(), y, dn.tensor(p)) == pytest.approx(expected)
    assert _value(losses.BinaryCrossentropy(from_logits=True), y, dn.tensor(z)) == pytest.approx(
        expected)
    smoothed = y * 0.8 + 0.1
    assert _value(losses.BinaryCrossentropy(label_smoothing=0.2), y, dn.tensor(p)) == \
        pytest.approx(torch.nn.functional.binary_cross_entropy(
            torch.tensor(p), torch.tensor(smoothed)).item())
    # (N,) targets fit an (N, 1) output
    assert _value(losses.BinaryCrossentropy(), y[:, 0], dn.tensor(p[:, :1])) == pytest.approx(
        torch.nn.functional.binary_cross_entropy(torch.tensor(p[:, 0]),
                                                 torch.tensor(y[:, 0])).item())


@pytest.mark.parametrize("loss,target,activation", [
    (losses.SparseCategoricalCrossentropy(), lambda: RNG.integers(0, 4, 6), "softmax"),
    (losses.CategoricalCrossentropy(), lambda: np.eye(4)[RNG.integers(0, 4, 6)], "softmax"),
    (losses.CategoricalCrossentropy(label_smoothing=0.2),
     lambda: np.eye(4)[RNG.integers(0, 4, 6)], "softmax"),
    (losses.BinaryCrossentropy(), lambda: (RNG.random((6, 4)) > 0.5) * 1.0, "sigmoid"),
])
def test_fused_logit_path_equals_the_probability_path(loss, target, activation):
    y = target()
    z = dn.tensor(RNG.standard_normal((6, 4)), requires_grad=True)
    probs = dn.softmax(z, -1) if activation == "softmax" else dn.sigmoid(z)
    plain = loss(y, probs)
    plain.backward()
    g_plain = z.grad.copy()
    z.grad = None
    probs = dn.softmax(z, -1) if activation == "softmax" else dn.sigmoid(z)
    fused = loss(y, probs, logits=(z, activation))
    fused.backward()
    assert fused.item() == pytest.approx(plain.item(), rel=1e-10)
    np.testing.assert_allclose(z.grad, g_plain, rtol=1e-8, atol=1e-12)


def test_sparse_fusion_is_one_primitive():
    z = dn.tensor(RNG.standard_normal((6, 4)), requires_grad=True)
    loss = losses.SparseCategoricalCrossentropy()
    fused = loss(RNG.integers(0, 4, 6), dn.softmax(z, -1), logits=(z, "softmax"))
    assert fused.grad_fn.name == "CrossEntropy"
    assert fused.grad_fn.parents[0] is z  # straight from the logits: softmax is skipped


def test_fusion_is_ignored_for_another_activation_or_a_logits_loss():
    z, p = _probs()
    labels = RNG.integers(0, 4, 6)
    loss = losses.SparseCategoricalCrossentropy()
    wrong = (dn.tensor(z * 10), "sigmoid")  # not the loss's activation: unused
    assert _value(loss, labels, dn.tensor(p), logits=wrong) == pytest.approx(
        _value(loss, labels, dn.tensor(p)))
    loss = losses.SparseCategoricalCrossentropy(from_logits=True)
    assert loss._activation is None


@pytest.mark.parametrize("loss,target", [
    (losses.MeanSquaredError(), lambda: RNG.standard_normal((3, 4))),
    (losses.MeanAbsoluteError(), lambda: RNG.standard_normal((3, 4))),
    (losses.SparseCategoricalCrossentropy(), lambda: RNG.integers(0, 4, 3)),
    (losses.CategoricalCrossentropy(label_smoothing=0.1), lambda: np.eye(4)[[0, 2, 3]]),
    (losses.BinaryCrossentropy(), lambda: (RNG.random((3, 4)) > 0.5) * 1.0),
    (losses.BinaryCrossentropy(from_logits=True), lambda: (RNG.random((3, 4)) > 0.5) * 1.0),
    (losses.SparseCategoricalCrossentropy(from_logits=True), lambda: RNG.integers(0, 4, 3)),
])
def test_loss_gradients_match_finite_differences(loss, target):
    y = target()
    p = dn.tensor(RNG.uniform(0.1, 0.9, (3, 4)), requires_grad=True)
    assert dn.gradcheck(lambda t: loss(y, t), [p])


def test_sparse_targets_are_checked():
    _, p = _probs()
    loss = losses.SparseCategoricalCrossentropy()
    with pytest.raises(DataError, match=r"label 4 is outside the class range \[0, 4\)"):
        loss(np.array([0, 1, 2, 3, 4, 0]), dn.tensor(p))
    with pytest.raises(DTypeError, match="integer class labels, got dtype float64 with non-int"):
        loss(np.full(6, 0.5), dn.tensor(p))
    with pytest.raises(ShapeError, match="one-hot.*categorical_crossentropy"):
        loss(np.eye(4)[[0, 1, 2, 3, 0, 1]], dn.tensor(p))
    with pytest.raises(ShapeError, match=r"labels of shape \(5,\)"):
        loss(np.zeros(5, int), dn.tensor(p))
    with pytest.raises(ShapeError, match=r"y_true of shape \(6, 3\) does not match"):
        losses.CategoricalCrossentropy()(np.zeros((6, 3)), dn.tensor(p))


def test_lookup_by_name_and_config():
    assert isinstance(losses.get("sparse_categorical_crossentropy"),
                      losses.SparseCategoricalCrossentropy)
    assert isinstance(losses.get("MSE"), losses.MeanSquaredError)
    assert isinstance(losses.get("CategoricalCrossentropy"), losses.CategoricalCrossentropy)
    spec = losses.serialize(losses.BinaryCrossentropy(from_logits=True, label_smoothing=0.1))
    again = losses.get(spec)
    assert again.from_logits and again.label_smoothing == 0.1
    with pytest.raises(UnknownNameError, match="did you mean 'sparse_categorical_crossentropy'"):
        losses.get("sparse_categorical_crossentropi")
    with pytest.raises(ArgumentError, match="could not interpret loss 3"):
        losses.get(3)
    with pytest.raises(ArgumentError, match="label_smoothing must be in"):
        losses.CategoricalCrossentropy(label_smoothing=2)
