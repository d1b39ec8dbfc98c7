"""Autoencoder: one training step against PyTorch (plain, denoising, sparse L1 and KL, with
Keras layers and with deepnum.nn modules), corruption and its seeds, fit/evaluate/validation
with the inputs as targets, save/load_model, errors, and the Fashion-MNIST example against
PCA (cross-checked with scikit-learn)."""

from __future__ import annotations

import doctest
import importlib.util
from pathlib import Path

import numpy as np
import pytest
import torch
from conftest import fashion_mnist_or_skip

import deepnum as dn
from deepnum import keras, nn
from deepnum.errors import (
    ArgumentError,
    DataError,
    ShapeError,
    StateError,
    UnknownNameError,
)
from deepnum.keras import layers, optimizers
from deepnum.unsupervised import Autoencoder, autoencoder

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "autoencoder_fashion_mnist.py"
ACT = {"tanh": torch.tanh, "sigmoid": torch.sigmoid, "relu": torch.relu, None: lambda t: t}


def data(rng, n=8, d=6):
    return rng.random((n, d), dtype=np.float32)


def make(encoder_act="tanh", seed=None, **options):
    """A 6-3-6 autoencoder of Keras layers, built, with its weights as float64 torch leaves."""
    ae = Autoencoder([layers.Dense(3, activation=encoder_act)],
                     [layers.Dense(6, activation="sigmoid")], seed=seed, **options)
    ae.compile(optimizer=optimizers.SGD(0.5), loss="mse")
    ae.reconstruct(np.zeros((1, 6), np.float32))  # builds it
    return ae


def torch_step(weights, x_in, target, encoder_act, penalty=None, lr=0.5):
    """The loss and the weights after one SGD step, in float64 PyTorch.  ``weights`` are
    [W1, b1, W2, b2] with Keras's layout (y = x W + b)."""
    w = [torch.tensor(np.asarray(a, np.float64), requires_grad=True) for a in weights]
    h = ACT[encoder_act](torch.tensor(x_in, dtype=torch.float64) @ w[0] + w[1])
    out = torch.sigmoid(h @ w[2] + w[3])
    loss = ((out - torch.tensor(target, dtype=torch.float64)) ** 2).mean()
    if penalty is not None:
        loss = loss + penalty(h)
    loss.backward()
    return float(loss.detach()), [(p - lr * p.grad).detach().numpy() for p in w]


def check_step(ae, x, x_in, encoder_act, penalty=None):
    before = [w.data.copy() for w in ae.weights]
    loss = ae.train_on_batch(x)
    want_loss, want = torch_step(before, x_in, x, encoder_act, penalty)
    assert loss == pytest.approx(want_loss, rel=1e-5)
    for w, expected in zip(ae.weights, want, strict=True):
        np.testing.assert_allclose(w.data, expected, rtol=1e-5, atol=1e-6)


def test_docstring_examples():
    assert doctest.testmod(autoencoder).failed == 0


# ----- one step against PyTorch ----------------------------------------------------------------
def test_training_step_reconstructs_the_inputs():
    x = data(np.random.default_rng(0))
    ae = make()
    check_step(ae, x, x, "tanh")


@pytest.mark.parametrize("options", [{"noise_std": 0.3}, {"mask_fraction": 0.4},
                                     {"corruption": "gaussian", "noise_std": 0.1}])
def test_denoising_step_feeds_the_corrupted_input_and_targets_the_clean_one(options):
    x = data(np.random.default_rng(1))
    twin = make(seed=7, **options)  # the same noise stream: its first draw is the step's
    ae = make(seed=7, **options)
    ae.set_weights(twin.get_weights())
    corrupted = twin.corrupt(x)
    assert not np.allclose(corrupted, x)
    check_step(ae, x, corrupted, "tanh")


def test_sparse_l1_step():
    x = data(np.random.default_rng(2))
    ae = make("relu", sparsity="l1", sparsity_weight=0.01)
    check_step(ae, x, x, "relu", lambda h: 0.01 * h.abs().sum() / len(h))


def test_sparse_kl_step():
    x = data(np.random.default_rng(3))
    ae = make("sigmoid", sparsity="kl", sparsity_weight=0.5, sparsity_target=0.1)

    def kl(h, rho=0.1):
        mean = h.mean(dim=0)
        return 0.5 * (rho * torch.log(rho / mean)
                      + (1 - rho) * torch.log((1 - rho) / (1 - mean))).sum()
    check_step(ae, x, x, "sigmoid", kl)


def test_pytorch_door_modules_as_encoder_and_decoder():
    rng = np.random.default_rng(4)
    x = data(rng)
    ae = Autoencoder(nn.Sequential(nn.Linear(6, 3), nn.Tanh()), [nn.Linear(3, 6), nn.Sigmoid()])
    assert isinstance(ae.decoder, nn.Sequential)
    ae.compile(optimizer=optimizers.SGD(0.5), loss="mse")
    enc, dec = ae.encoder[0], ae.decoder[0]
    keras_layout = [a.copy() for a in (enc.weight.data.T, enc.bias.data, dec.weight.data.T,
                                       dec.bias.data)]
    loss = ae.train_on_batch(x)
    want_loss, want = torch_step(keras_layout, x, x, "tanh")
    assert loss == pytest.approx(want_loss, rel=1e-5)
    for got, expected in zip([enc.weight.data.T, enc.bias.data, dec.weight.data.T,
                              dec.bias.data], want, strict=True):
        np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)
    assert ae.encode(x).shape == (8, 3)
    with pytest.raises(StateError, match="deepnum.nn module.*save_weights"):
        ae.save("never.dnm")


def test_pytorch_door_dropout_follows_the_training_flag():
    ae = Autoencoder([nn.Linear(6, 6), nn.Dropout(0.5)], [nn.Linear(6, 6)])
    ae.compile(optimizer="adam", loss="mse")
    x = data(np.random.default_rng(5))
    np.testing.assert_array_equal(ae.reconstruct(x), ae.reconstruct(x))  # eval: no dropout
    without_dropout = ae.evaluate(x, verbose=0)
    assert ae.train_on_batch(x) != without_dropout  # measured before the update, with dropout
    assert ae.encoder.training is True
    np.testing.assert_array_equal(ae.reconstruct(x), ae.reconstruct(x))
    assert ae.encoder.training is False


# ----- corruption ----------------------------------------------------------------------------
def test_corruption_statistics_and_seeds():
    x = np.ones((400, 50), np.float32)
    masked = make(mask_fraction=0.3, seed=0).corrupt(x)
    assert set(np.unique(masked)) == {0.0, 1.0}
    assert abs((masked == 0).mean() - 0.3) < 0.01  # 20,000 draws: 4.5 standard errors
    ae = make(noise_std=0.2, seed=0)
    noise = ae.corrupt(x) - x
    assert abs(noise.mean()) < 0.01 and abs(noise.std() - 0.2) < 0.01
    assert not np.array_equal(ae.corrupt(x), ae.corrupt(x))  # fresh noise every batch
    np.testing.assert_array_equal(make(noise_std=0.2, seed=3).corrupt(x),
                                  make(noise_std=0.2, seed=3).corrupt(x))
    np.testing.assert_array_equal(make().corrupt(x), x)  # no corruption


def test_corruption_is_for_training_only():
    rng = np.random.default_rng(6)
    x = data(rng, 32)
    ae, twin = make(noise_std=0.5, seed=1), make(noise_std=0.5, seed=1)
    loss = ae.evaluate(x, verbose=0)
    assert loss == pytest.approx(float(((ae.reconstruct(x) - x) ** 2).mean()), rel=1e-6)
    assert ae.evaluate(x, verbose=0) == loss
    # evaluation and reconstruction drew no noise: the next draw is the twin's first
    np.testing.assert_array_equal(ae.corrupt(x), twin.corrupt(x))


# ----- fit, evaluate, validation -------------------------------------------------------------
def test_fit_learns_low_rank_data_and_returns_the_history():
    rng = np.random.default_rng(7)
    x = (rng.standard_normal((256, 2)) @ rng.standard_normal((2, 10)) * 0.2 + 0.5)
    x = x.clip(0, 1).astype(np.float32)
    dn.manual_seed(0)
    ae = Autoencoder([layers.Dense(16, activation="relu"), layers.Dense(2)],
                     [layers.Dense(16, activation="relu"), layers.Dense(10)])
    ae.compile(optimizer=optimizers.Adam(0.01), loss="mse")
    history = ae.fit(x, epochs=30, batch_size=32, verbose=0)
    assert isinstance(history, keras.callbacks.History)
    losses = history.history["loss"]
    assert len(losses) == 30 and losses[-1] < 0.1 * losses[0]
    assert ae.evaluate(x, verbose=0) == pytest.approx(
        float(((ae.reconstruct(x) - x) ** 2).mean()), rel=1e-5)
    np.testing.assert_allclose(ae.decode(ae.encode(x)), ae.reconstruct(x), atol=1e-6)
    np.testing.assert_allclose(ae.predict(x, verbose=0), ae.reconstruct(x), atol=1e-6)


def test_validation_data_may_be_the_inputs_alone():
    rng = np.random.default_rng(8)
    x, x_val = data(rng, 40), data(rng, 12)
    histories = []
    for validation in (x_val, (x_val, x_val)):
        dn.manual_seed(1)
        ae = make(noise_std=0.1, seed=2)
        histories.append(ae.fit(x, epochs=3, batch_size=8, validation_data=validation,
                                verbose=0).history)
    assert histories[0] == histories[1]
    assert len(histories[0]["val_loss"]) == 3


def test_fit_with_other_targets_trains_x_to_y():
    rng = np.random.default_rng(9)
    x, y = data(rng), data(rng)
    ae = make()
    before = ae.get_weights()
    loss = ae.train_on_batch(x, y)
    want_loss, want = torch_step(before, x, y, "tanh")
    assert loss == pytest.approx(want_loss, rel=1e-5)
    np.testing.assert_allclose(ae.get_weights()[0], want[0], rtol=1e-5, atol=1e-6)


def test_sparsity_target_pulls_the_mean_code_activation():
    rng = np.random.default_rng(10)
    x = data(rng, 200, 12)
    means = {}
    for sparsity in (None, "kl"):
        dn.manual_seed(3)
        ae = Autoencoder([layers.Dense(8, activation="sigmoid")],
                         [layers.Dense(12, activation="sigmoid")], sparsity=sparsity,
                         sparsity_target=0.05)
        ae.compile(optimizer=optimizers.Adam(0.02), loss="mse")
        ae.fit(x, epochs=40, batch_size=50, verbose=0)
        means[sparsity] = ae.encode(x).mean()
    assert means["kl"] < 0.1 < means[None]


# ----- saving --------------------------------------------------------------------------------
def test_save_and_load_model_round_trip(tmp_path):
    rng = np.random.default_rng(11)
    x = data(rng, 32)
    dn.manual_seed(4)
    ae = Autoencoder([layers.Dense(4, activation="sigmoid")],
                     [layers.Dense(6, activation="sigmoid")], sparsity="kl",
                     sparsity_weight=0.2, sparsity_target=0.2, seed=5)
    ae.compile(optimizer="adam", loss="binary_crossentropy")
    ae.fit(x, epochs=2, batch_size=8, verbose=0)
    path = tmp_path / "ae.dnm"
    ae.save(path)
    loaded = keras.models.load_model(path)
    assert isinstance(loaded, Autoencoder)
    assert loaded.get_config() == ae.get_config()
    np.testing.assert_array_equal(loaded.reconstruct(x), ae.reconstruct(x))
    np.testing.assert_array_equal(loaded.encode(x), ae.encode(x))
    assert loaded.history.history == ae.history.history
    # the optimizer state came along: one more step agrees exactly
    ae.train_on_batch(x)
    loaded.train_on_batch(x)
    for a, b in zip(ae.get_weights(), loaded.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_denoising_options_survive_saving(tmp_path):
    ae = make(mask_fraction=0.25, seed=9)
    ae.save(tmp_path / "d.dnm")
    loaded = keras.models.load_model(tmp_path / "d.dnm")
    assert (loaded.corruption, loaded.mask_fraction, loaded.seed) == ("masking", 0.25, 9)
    x = np.ones((5, 6), np.float32)
    np.testing.assert_array_equal(loaded.corrupt(x), make(mask_fraction=0.25, seed=9).corrupt(x))


# ----- errors --------------------------------------------------------------------------------
def test_argument_errors():
    enc, dec = [layers.Dense(2)], [layers.Dense(4)]
    with pytest.raises(UnknownNameError, match="did you mean 'gaussian'"):
        Autoencoder(enc, dec, corruption="gausian", noise_std=0.1)
    with pytest.raises(ArgumentError, match="noise_std must be a number > 0, got -0.1"):
        Autoencoder(enc, dec, noise_std=-0.1)
    with pytest.raises(ArgumentError, match="noise_std must be a number > 0, got None"):
        Autoencoder(enc, dec, corruption="gaussian")
    with pytest.raises(ArgumentError, match=r"mask_fraction must be a number in \(0, 1\), "
                                            "got 1.5"):
        Autoencoder(enc, dec, mask_fraction=1.5)
    with pytest.raises(ArgumentError, match="noise_std=0.1 goes with corruption='gaussian'"):
        Autoencoder(enc, dec, corruption="masking", mask_fraction=0.5, noise_std=0.1)
    with pytest.raises(ArgumentError, match="mask_fraction=0.5 goes with corruption='masking'"):
        Autoencoder(enc, dec, noise_std=0.1, mask_fraction=0.5)
    with pytest.raises(UnknownNameError, match="did you mean 'kl'"):
        Autoencoder(enc, dec, sparsity="kld")
    with pytest.raises(ArgumentError, match="sparsity_weight=0.1 needs sparsity"):
        Autoencoder(enc, dec, sparsity_weight=0.1)
    with pytest.raises(ArgumentError, match=r"sparsity_target must be a number in \(0, 1\)"):
        Autoencoder(enc, dec, sparsity="kl", sparsity_target=0)
    with pytest.raises(ArgumentError, match="encoder must be a Keras layer.*got str"):
        Autoencoder("dense", dec)
    with pytest.raises(ArgumentError, match=r"decoder must be a non-empty list.*\['int'\]"):
        Autoencoder(enc, [3])


def test_data_errors():
    x = data(np.random.default_rng(12))
    ae = make("relu", sparsity="kl")
    with pytest.raises(DataError, match=r"sparsity='kl' needs codes in \[0, 1\]"):
        ae.train_on_batch(x * 100 - 50)
    bad = x.copy()
    bad[2, 3] = np.nan
    with pytest.raises(DataError, match=r"Autoencoder.encode: x holds 1 non-finite.*\(2, 3\)"):
        ae.encode(bad)
    with pytest.raises(DataError, match="fit: x holds 1 non-finite"):
        ae.fit(bad, verbose=0)
    narrow = Autoencoder([layers.Dense(2)], [layers.Dense(5)])
    narrow.compile(optimizer="adam", loss="mse")
    with pytest.raises(ShapeError, match=r"y_true of shape \(8, 6\) does not match y_pred of "
                                         r"shape \(8, 5\)"):
        narrow.fit(x, verbose=0)
    with pytest.raises(StateError, match="must be compiled first"):
        Autoencoder([layers.Dense(2)], [layers.Dense(6)]).fit(x, verbose=0)


# ----- the real Fashion-MNIST: the example, quick ----------------------------------------------
def load_example():
    spec = importlib.util.spec_from_file_location("autoencoder_fashion_mnist", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_example_quick_and_pca_against_scikit_learn(tmp_path):
    (x, _), (xt, _) = fashion_mnist_or_skip()
    decomposition = pytest.importorskip("sklearn.decomposition")
    example = load_example()
    out = tmp_path / "r.png"
    result = example.main(["--quick", "--out", str(out), "--save", str(tmp_path / "ae.dnm")])
    x = x[:5000].reshape(-1, 784) / np.float32(255)
    xt = xt.reshape(-1, 784) / np.float32(255)
    pca = decomposition.PCA(n_components=32, svd_solver="full").fit(x)
    sklearn_mse = float(((pca.inverse_transform(pca.transform(xt)) - xt) ** 2).mean())
    assert result["pca_mse"] == pytest.approx(sklearn_mse, rel=1e-5)
    np.testing.assert_allclose(example.pca_reconstruction(x, xt[:50], 32),
                               pca.inverse_transform(pca.transform(xt[:50])), atol=1e-5)
    mean_image_mse = float(((x.mean(axis=0) - xt) ** 2).mean())
    assert result["autoencoder_mse"] < 0.5 * mean_image_mse  # it learned something in 3 epochs
    assert out.read_bytes().startswith(b"\x89PNG")
    loaded = keras.models.load_model(tmp_path / "ae.dnm")
    assert float(((loaded.reconstruct(xt) - xt) ** 2).mean()) == pytest.approx(
        result["autoencoder_mse"], rel=1e-6)
