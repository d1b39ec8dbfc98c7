"""GAN: each phase updates only its own network, with the gradient PyTorch gives for the same
losses; the loss formulas; train_step's order; sampling and its seeds; compile, save/load,
evaluate, errors; and the Fashion-MNIST example (its Fréchet distance falls), quick."""

from __future__ import annotations

import doctest
import importlib.util
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from conftest import fashion_mnist_or_skip

import deepnum as dn
from deepnum import keras, nn, optim
from deepnum.errors import ArgumentError, NonFiniteError, ShapeError, StateError
from deepnum.keras import layers, optimizers
from deepnum.unsupervised import GAN
from deepnum.unsupervised import gan as gan_module

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "gan_fashion_mnist.py"
LR = 0.1


def tiny(seed=0, lr=LR, batch_norm=False, **options):
    """G: 2 → 5 (tanh) → 3; D: 3 → 4 (tanh) → 1 logit; SGD for both; built."""
    g = [layers.Dense(5, activation="tanh"), layers.Dense(3)]
    d = [layers.Dense(4, activation="tanh"), layers.Dense(1)]
    if batch_norm:
        g.insert(1, layers.BatchNormalization())
        d.insert(1, layers.BatchNormalization())
    gan = GAN(g, d, latent_dim=2, seed=seed, **options)
    gan.compile(optimizers.SGD(lr), optimizers.SGD(lr))
    gan.build((None, 3))
    return gan


def arrays(rng, n=6):
    return (rng.standard_normal((n, 3)).astype(np.float32),
            rng.standard_normal((n, 2)).astype(np.float32))


def leaves(network):
    return [torch.tensor(w.data.astype(np.float64), requires_grad=True)
            for w in network.weights]


def mlp(x, w):
    return torch.tanh(torch.as_tensor(x, dtype=torch.float64) @ w[0] + w[1]) @ w[2] + w[3]


def bce(out, label):
    return F.binary_cross_entropy_with_logits(out, torch.full_like(out, label))


def weights(network):
    return [w.data.copy() for w in network.weights]


def assert_same(before, network):
    for a, w in zip(before, network.weights, strict=True):
        np.testing.assert_array_equal(a, w.data)


def assert_close(got, want):
    for a, b in zip(got, want, strict=True):
        np.testing.assert_allclose(a, b.detach().numpy(), rtol=1e-5, atol=1e-7)


def test_docstring_examples():
    assert doctest.testmod(gan_module).failed == 0


# ----- the two phases against PyTorch ------------------------------------------------------------
def test_discriminator_phase_updates_only_the_discriminator():
    x, z = arrays(np.random.default_rng(0))
    gan = tiny(label_smoothing=0.1)
    g_before = weights(gan.generator)
    gw, dw = leaves(gan.generator), leaves(gan.discriminator)
    real_out, fake_out = mlp(x, dw), mlp(mlp(z, gw).detach(), dw)
    loss = bce(real_out, 0.9) + bce(fake_out, 0.0)
    loss.backward()
    value, d_real, d_fake = gan.discriminator_step(x, z)
    assert value == pytest.approx(float(loss.detach()), rel=1e-6)
    assert d_real == pytest.approx(float(torch.sigmoid(real_out).mean().detach()), rel=1e-6)
    assert d_fake == pytest.approx(float(torch.sigmoid(fake_out).mean().detach()), rel=1e-6)
    assert_close([p.grad for p in gan.discriminator.weights], [w.grad for w in dw])
    assert_close([p.data for p in gan.discriminator.weights], [w - LR * w.grad for w in dw])
    assert_same(g_before, gan.generator)  # bit-unchanged
    assert all(p.grad is None for p in gan.generator.weights)


def test_generator_phase_updates_only_the_generator_with_the_non_saturating_gradient():
    _, z = arrays(np.random.default_rng(1))
    gan = tiny()
    d_before = weights(gan.discriminator)
    gw, dw = leaves(gan.generator), leaves(gan.discriminator)
    out = mlp(mlp(z, gw), dw)
    loss = -torch.log(torch.sigmoid(out)).mean()  # -log D(G(z)), not log(1 - D(G(z)))
    loss.backward()
    value = gan.generator_step(z)
    assert value == pytest.approx(float(loss.detach()), rel=1e-6)
    assert_close([p.grad for p in gan.generator.weights], [w.grad for w in gw])
    assert_close([p.data for p in gan.generator.weights], [w - LR * w.grad for w in gw])
    assert_same(d_before, gan.discriminator)
    assert all(p.grad is None for p in gan.discriminator.weights)


def test_each_phase_leaves_the_other_networks_moving_statistics_alone():
    x, z = arrays(np.random.default_rng(2))
    gan = tiny(batch_norm=True)
    g_bn, d_bn = gan.generator.layers[1], gan.discriminator.layers[1]
    g_before, d_mean = weights(gan.generator), d_bn.moving_mean.data.copy()
    gan.discriminator_step(x, z)
    assert_same(g_before, gan.generator)
    assert not np.array_equal(d_bn.moving_mean.data, d_mean)  # its own did move
    d_before, g_mean = weights(gan.discriminator), g_bn.moving_mean.data.copy()
    gan.generator_step(z)
    assert_same(d_before, gan.discriminator)
    assert not np.array_equal(g_bn.moving_mean.data, g_mean)


def test_train_step_makes_d_steps_discriminator_updates_then_one_generator_update(monkeypatch):
    rng = np.random.default_rng(3)
    x, _ = arrays(rng)
    gan = tiny(d_steps=2)
    gw, dw = leaves(gan.generator), leaves(gan.discriminator)
    drawn = []
    latent = gan._latent
    monkeypatch.setattr(gan, "_latent", lambda n: drawn.append(latent(n)) or drawn[-1])
    logs = gan.train_on_batch(x, return_dict=True)
    assert len(drawn) == 3
    for z in drawn[:2]:  # plain SGD on the same losses, in float64
        for w in gw + dw:
            w.grad = None
        (bce(mlp(x, dw), 1.0) + bce(mlp(mlp(z, gw).detach(), dw), 0.0)).backward()
        d_loss = float((bce(mlp(x, dw), 1.0) + bce(mlp(mlp(z, gw), dw), 0.0)).detach())
        with torch.no_grad():
            for w in dw:
                w -= LR * w.grad
    for w in gw + dw:
        w.grad = None
    g_loss = bce(mlp(mlp(drawn[2], gw), dw), 1.0)
    g_loss.backward()
    with torch.no_grad():
        for w in gw:
            w -= LR * w.grad
    assert_close([p.data for p in gan.discriminator.weights], dw)
    assert_close([p.data for p in gan.generator.weights], gw)
    assert sorted(logs) == ["d_fake", "d_loss", "d_real", "g_loss"]
    assert logs["g_loss"] == pytest.approx(float(g_loss.detach()), rel=1e-5)
    assert logs["d_loss"] == pytest.approx(d_loss, rel=1e-5)  # of the last D update


# ----- the losses ----------------------------------------------------------------------------
def test_loss_formulas_from_logits_and_from_probabilities():
    rng = np.random.default_rng(4)
    r, f = rng.standard_normal((7, 1)), rng.standard_normal((7, 1))
    sig = lambda a: 1 / (1 + np.exp(-a))  # noqa: E731
    gan = tiny(label_smoothing=0.2)
    d = gan.discriminator_loss(dn.tensor(r), dn.tensor(f))
    want = (-np.mean(0.8 * np.log(sig(r)) + 0.2 * np.log(1 - sig(r)))
            - np.mean(np.log(1 - sig(f))))
    assert float(d) == pytest.approx(want, rel=1e-6)
    assert float(gan.generator_loss(dn.tensor(f))) == pytest.approx(-np.mean(np.log(sig(f))),
                                                                    rel=1e-6)
    assert gan.probability(dn.tensor(r)) == pytest.approx(sig(r).mean(), rel=1e-6)
    gan.compile(optimizers.SGD(LR), optimizers.SGD(LR), loss="binary_crossentropy")
    p, q = sig(r), sig(f)  # a discriminator ending with a sigmoid
    want = -np.mean(0.8 * np.log(p) + 0.2 * np.log(1 - p)) - np.mean(np.log(1 - q))
    assert float(gan.discriminator_loss(dn.tensor(p), dn.tensor(q))) == pytest.approx(want,
                                                                                      rel=1e-5)
    assert float(gan.generator_loss(dn.tensor(q))) == pytest.approx(-np.mean(np.log(q)),
                                                                    rel=1e-5)
    assert gan.probability(dn.tensor(p)) == pytest.approx(p.mean(), rel=1e-6)


# ----- sampling and seeds --------------------------------------------------------------------
def test_sample_shapes_and_seeds():
    dn.manual_seed(0)
    a = tiny(seed=3)
    dn.manual_seed(0)
    b = tiny(seed=3)  # built alike: same weights, same seed
    assert a.sample(4).shape == (4, 3) and a.sample(1).dtype == np.float32
    first, second = a.sample(5, seed=0), a.sample(5, seed=0)
    assert not np.array_equal(first, second)  # the integer's generator advanced
    np.testing.assert_array_equal(b.sample(5, seed=0), first)
    np.testing.assert_array_equal(b.sample(5, seed=0), second)
    np.testing.assert_array_equal(a.sample(5, seed=np.random.default_rng(9)),
                                  a.sample(5, seed=np.random.default_rng(9)))
    c, d = tiny(seed=4), tiny(seed=4)
    d.set_weights(c.get_weights())
    np.testing.assert_array_equal(c.sample(3), d.sample(3))  # seed=None: the model's own
    assert not np.array_equal(c.sample(3), c.sample(3))
    e, f = tiny(seed=None), tiny(seed=None)
    f.set_weights(e.get_weights())
    dn.manual_seed(5)
    e_samples = e.sample(3)
    dn.manual_seed(5)
    np.testing.assert_array_equal(f.sample(3), e_samples)  # the global "sample" stream


def test_sampling_never_changes_the_course_of_training():
    x = np.random.default_rng(5).standard_normal((24, 3)).astype(np.float32)
    results = []
    for monitor in (False, True):
        dn.manual_seed(0)
        gan = tiny(seed=7)
        gan.fit(x, epochs=1, batch_size=8, verbose=0)
        if monitor:
            gan.sample(10)
            gan.sample(10, seed=1)
        gan.fit(x, epochs=1, batch_size=8, verbose=0)
        results.append(gan.get_weights())
    for a, b in zip(*results, strict=True):
        np.testing.assert_array_equal(a, b)


def test_a_generator_optimizer_with_use_ema_gives_averaged_samples():
    """sample() draws from G with g_optimizer's moving averages swapped in (and out again);
    fit ends with each network holding its averaged weights (Keras 3's finalization)."""
    x = np.random.default_rng(5).standard_normal((24, 3)).astype(np.float32)
    dn.manual_seed(0)
    gan = tiny(seed=7)
    gan.compile(optimizers.SGD(LR), optimizers.SGD(LR, use_ema=True, ema_momentum=0.9))
    raw = []
    record = keras.callbacks.LambdaCallback(
        on_train_batch_end=lambda batch, logs: raw.append(weights(gan.generator)))
    gan.fit(x, epochs=1, batch_size=8, verbose=0, callbacks=[record])
    average = raw[0]
    for ws in raw[1:]:
        average = [0.9 * a + 0.1 * w for a, w in zip(average, ws, strict=True)]
    for got, want in zip(weights(gan.generator), average, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-6)  # finalized at the end of fit
    gan.generator.set_weights(raw[-1])  # back to the last iterate: sample must swap
    z = gan._latent(4, np.random.default_rng(1), "sample")
    averaged = gan.sample(4, seed=np.random.default_rng(1))
    assert_same(raw[-1], gan.generator)
    last = gan.sample(4, seed=np.random.default_rng(1), averaged=False)
    np.testing.assert_array_equal(last, gan.generator(z).detach().numpy())
    gan.generator.set_weights(average)
    np.testing.assert_allclose(averaged, gan.generator(z).detach().numpy(), rtol=1e-6)
    assert not np.allclose(averaged, last)


def test_image_shaped_data_and_pytorch_door_networks_and_optimizers():
    x = np.random.default_rng(6).standard_normal((16, 2, 2)).astype(np.float32)
    gan = GAN([layers.Dense(4), layers.Reshape((2, 2))], [layers.Flatten(), layers.Dense(1)],
              latent_dim=3, seed=0)
    gan.compile()
    assert gan.fit(x, epochs=1, batch_size=8, verbose=0).history["g_loss"]
    assert gan.sample(5).shape == (5, 2, 2)
    runs = []
    for torch_door in (False, True):
        dn.manual_seed(1)
        g, d = nn.Sequential(nn.Linear(2, 5), nn.Tanh(), nn.Linear(5, 3)), nn.Linear(3, 1)
        model = GAN(g, d, latent_dim=2, seed=0)
        if torch_door:
            model.compile(optim.SGD(d.parameters(), lr=LR), optim.SGD(g.parameters(), lr=LR))
        else:
            model.compile(optimizers.SGD(LR), optimizers.SGD(LR))
        model.fit(x.reshape(-1, 4)[:, :3], epochs=2, batch_size=4, verbose=0)
        runs.append([p.data.copy() for p in model.parameters()])
    for a, b in zip(*runs, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)


# ----- the Keras model: evaluate, save, errors ----------------------------------------------
def test_evaluate_reports_without_updating():
    x, _ = arrays(np.random.default_rng(7), 12)
    gan = tiny()
    before = gan.get_weights()
    logs = gan.evaluate(x, verbose=0, return_dict=True)
    assert sorted(logs) == ["d_fake", "d_loss", "d_real", "g_loss"]
    out = gan.predict(x, verbose=0)  # the discriminator's logits
    assert logs["d_real"] == pytest.approx(float((1 / (1 + np.exp(-out))).mean()), rel=1e-5)
    for a, b in zip(before, gan.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    history = gan.fit(x, epochs=2, batch_size=4, validation_data=(x, None), verbose=0).history
    assert len(history["val_d_loss"]) == 2


def test_save_and_load_model_round_trip(tmp_path):
    x, _ = arrays(np.random.default_rng(8), 16)
    dn.manual_seed(0)
    gan = GAN([layers.Dense(5, activation="relu"), layers.Dense(3)],
              [layers.Dense(4), layers.LeakyReLU(0.2), layers.Dense(1)], latent_dim=2,
              d_steps=2, label_smoothing=0.1, seed=11)
    gan.compile(optimizers.Adam(1e-3, beta_1=0.5), optimizers.RMSprop(1e-3))
    gan.fit(x, epochs=2, batch_size=8, verbose=0)
    gan.save(tmp_path / "gan.dnm")
    loaded = keras.models.load_model(tmp_path / "gan.dnm")
    assert isinstance(loaded, GAN) and loaded.get_config() == gan.get_config()
    assert (loaded.latent_dim, loaded.d_steps, loaded.label_smoothing) == (2, 2, 0.1)
    assert type(loaded.g_optimizer).__name__ == "RMSprop"
    assert loaded.d_optimizer.get_config()["beta_1"] == 0.5
    for a, b in zip(gan.get_weights(), loaded.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(loaded.sample(4, seed=np.random.default_rng(0)),
                                  gan.sample(4, seed=np.random.default_rng(0)))
    assert loaded.fit(x, epochs=1, batch_size=8, verbose=0).history["d_loss"]
    torch_door = GAN(nn.Linear(2, 3), nn.Linear(3, 1), latent_dim=2)
    with pytest.raises(StateError, match="the generator is a deepnum.nn module"):
        torch_door.save(tmp_path / "no.dnm")


def test_a_checkpoint_holds_both_optimizers_and_resumes_exactly(tmp_path):
    """ModelCheckpoint saves both Adam states (moments, iteration counts) and the random
    streams: training resumed from the file matches training that went on in memory."""
    x = np.random.default_rng(8).standard_normal((32, 3)).astype(np.float32)
    dn.manual_seed(0)
    gan = GAN([layers.Dense(5, activation="relu"), layers.Dense(3)],
              [layers.Dense(4), layers.LeakyReLU(0.2), layers.Dense(1)], latent_dim=2)
    gan.compile(optimizers.Adam(1e-2, beta_1=0.5), optimizers.Adam(1e-2, amsgrad=True))
    path = tmp_path / "ckpt.dnm"
    gan.fit(x, epochs=2, batch_size=8, verbose=0,
            callbacks=[keras.callbacks.ModelCheckpoint(path)])
    loaded = keras.models.load_model(path)  # restores the global random streams too
    for name in ("d_optimizer", "g_optimizer"):
        want, got = getattr(gan, name).state_dict(), getattr(loaded, name).state_dict()
        assert got["iterations"] == want["iterations"] == 8
    gan.fit(x, epochs=3, initial_epoch=2, batch_size=8, verbose=0)
    keras.models.load_model(path)  # the same streams again for the resumed run
    loaded.fit(x, epochs=3, initial_epoch=2, batch_size=8, verbose=0)
    for a, b in zip(gan.get_weights(), loaded.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_errors():
    g, d = [layers.Dense(3)], [layers.Dense(1)]
    with pytest.raises(ArgumentError, match="latent_dim must be a positive integer, got 0"):
        GAN(g, d, latent_dim=0)
    with pytest.raises(ArgumentError, match="d_steps must be a positive integer, got 1.5"):
        GAN(g, d, latent_dim=2, d_steps=1.5)
    with pytest.raises(ArgumentError, match=r"label_smoothing must be a number in \[0, 1\)"):
        GAN(g, d, latent_dim=2, label_smoothing=1.0)
    with pytest.raises(ArgumentError, match="generator must be a Keras layer.*got int"):
        GAN(3, d, latent_dim=2)
    gan = GAN(g, d, latent_dim=2)
    x = np.zeros((4, 5), np.float32)
    with pytest.raises(StateError, match="must be compiled first"):
        gan.fit(x, verbose=0)
    adam = optimizers.Adam()
    with pytest.raises(ArgumentError, match="two optimizers.*the same Adam twice"):
        gan.compile(adam, adam)
    with pytest.raises(ArgumentError, match="could not interpret optimizer"):
        gan.compile(d_optimizer=3)
    gan.compile()
    with pytest.raises(ShapeError, match=r"generator makes samples of shape \(None, 3\) but the "
                                         r"data have shape \(None, 5\)"):
        gan.fit(x, verbose=0)
    with pytest.raises(ArgumentError, match="GAN.sample: n must be a positive integer, got 0"):
        gan.sample(0)


def test_a_non_finite_loss_stops_training():
    x, _ = arrays(np.random.default_rng(9), 8)
    gan = tiny()
    gan.discriminator.layers[1].kernel.data[0, 0] = np.nan
    before = weights(gan.generator)
    with np.errstate(invalid="ignore"), pytest.raises(
            NonFiniteError, match="the loss became nan at epoch 1/1, batch 1/1"):
        gan.fit(x, epochs=1, batch_size=8, verbose=0)
    assert_same(before, gan.generator)


# ----- the real Fashion-MNIST: the example, quick ----------------------------------------------
def test_example_quick_the_frechet_distance_falls(tmp_path):
    fashion_mnist_or_skip()
    spec = importlib.util.spec_from_file_location("gan_fashion_mnist", EXAMPLE)
    example = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(example)
    out = tmp_path / "samples.png"
    result = example.main(["--quick", "--out", str(out)])
    fid = result["fid"]
    assert result["epochs"] == [0, 1, 2, 3]
    assert fid[-1] < 0.7 * fid[0]  # trained: well below the untrained generator
    assert fid[-1] < fid[1]  # and still falling
    assert out.read_bytes().startswith(b"\x89PNG")
