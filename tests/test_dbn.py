"""DBN: greedy layer-wise pretraining (RBMs or autoencoders), the unrolled classifier,
sampling, saving, bad inputs, and the semi-supervised example's quick run."""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import fashion_mnist_or_skip
from test_rbm import bars, one_blas_thread  # noqa: F401 - fixture

import deepnum as dn
from deepnum.errors import ArgumentError, DataError, ShapeError, StateError, UnknownNameError
from deepnum.unsupervised import DBN, RBM


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def spy_on_fit(dbn: DBN, monkeypatch) -> list[np.ndarray]:
    """Record the inputs each layer's fit receives."""
    seen = []
    for model in dbn.layers:
        fit = model.fit

        def recording(x, *args, _fit=fit, **kwargs):
            seen.append(np.array(x))
            return _fit(x, *args, **kwargs)
        monkeypatch.setattr(model, "fit", recording)
    return seen


@pytest.mark.parametrize("pretraining", ["rbm", "autoencoder"])
def test_each_layer_is_trained_on_the_probabilities_of_the_one_below(pretraining, monkeypatch):
    x = bars(200)
    dbn = DBN([16, 12, 6, 3], seed=0, pretraining=pretraining)
    seen = spy_on_fit(dbn, monkeypatch)
    histories = dbn.pretrain(x, epochs=3, batch_size=10)
    assert len(histories) == 3 and all(len(next(iter(h.history.values()))) == 3
                                       for h in histories)
    np.testing.assert_array_equal(seen[0], x)
    codes = x.astype(np.float64)
    for i, (W, c) in enumerate(dbn.encoders()):
        np.testing.assert_allclose(seen[i], codes, rtol=1e-5, atol=1e-6)  # probabilities,
        assert not set(np.unique(seen[i])) <= {0.0, 1.0} or i == 0  # not binary samples
        codes = sigmoid(codes @ W + c)
    np.testing.assert_allclose(dbn.transform(x), codes, rtol=1e-5, atol=1e-6)


def test_lower_layers_are_frozen_while_the_next_one_learns(monkeypatch):
    dbn = DBN([16, 8, 4], seed=1)
    snapshots = []
    second_fit = dbn.layers[1].fit

    def recording(*args, **kwargs):
        snapshots.append(dbn.layers[0].get_weights())
        return second_fit(*args, **kwargs)
    monkeypatch.setattr(dbn.layers[1], "fit", recording)
    dbn.pretrain(bars(100), epochs=2, batch_size=10)
    for before, after in zip(snapshots[0], dbn.layers[0].get_weights(), strict=True):
        np.testing.assert_array_equal(before, after)


def test_pretraining_learns():
    x = bars(300)
    dbn = DBN([16, 10, 6], seed=0, learning_rate=0.5)
    histories = dbn.pretrain(x, epochs=10, batch_size=10)
    first = histories[0].history["reconstruction_error"]
    assert first[-1] < 0.5 * first[0]
    assert isinstance(dbn.layers[0], RBM) and dbn.layers[0].log_likelihood(x) > (
        RBM(16, 10, seed=0).log_likelihood(x) + 3)


@pytest.mark.parametrize("pretraining", ["rbm", "autoencoder"])
def test_to_classifier_unrolls_the_stack_and_fine_tunes_every_layer(pretraining):
    x = bars(200)
    labels = (x.reshape(-1, 4, 4)[:, 0, :].sum(1) == 4).astype(int)  # horizontal bar on top
    dbn = DBN([16, 10, 6], seed=0, pretraining=pretraining)
    dbn.pretrain(x, epochs=2, batch_size=10)
    model = dbn.to_classifier(2)
    dense = model.layers
    assert [layer.units for layer in dense] == [10, 6, 2]
    assert [layer.activation.__name__ for layer in dense] == ["sigmoid", "sigmoid", "softmax"]
    for layer, (W, c) in zip(dense, dbn.encoders(), strict=False):
        np.testing.assert_array_equal(layer.kernel.data, W)
        np.testing.assert_array_equal(layer.bias.data, c)
    hidden = dn.keras.Sequential([dn.keras.Input(shape=(16,)), *dense[:2]])
    np.testing.assert_allclose(hidden.predict(x, verbose=0), dbn.transform(x), rtol=1e-5,
                               atol=1e-6)
    before = model.get_weights()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    history = model.fit(x, labels, epochs=15, batch_size=20, verbose=0)
    assert all(not np.array_equal(a, b) for a, b in zip(before, model.get_weights(),
                                                         strict=True))  # the whole stack
    assert history.history["accuracy"][-1] > 0.9
    # the pretrained DBN itself is untouched: the classifier has its own copies
    np.testing.assert_array_equal(dbn.encoders()[0][0], before[0])


def test_sampling_goes_down_the_directed_layers():
    dbn = DBN([16, 8, 4], seed=0)
    dbn.pretrain(bars(100), epochs=2, batch_size=10)
    v = dbn.sample(7, steps=5, seed=1)
    assert v.shape == (7, 16) and set(np.unique(v)) <= {0.0, 1.0}
    p = dbn.sample(7, steps=5, seed=1, probabilities=True)
    assert p.shape == (7, 16) and p.min() >= 0 and p.max() <= 1
    assert not np.array_equal(dbn.sample(7, steps=5, seed=2), dbn.sample(7, steps=5, seed=2))
    with pytest.raises(StateError, match="autoencoder"):
        DBN([16, 8], pretraining="autoencoder").sample(3)


@pytest.mark.parametrize("pretraining", ["rbm", "autoencoder"])
def test_save_and_load(tmp_path, pretraining):
    dbn = DBN([16, 8, 4], seed=3, pretraining=pretraining)
    dbn.pretrain(bars(60), epochs=1, batch_size=10)
    dbn.save(tmp_path / "dbn.dnm")
    back = DBN.load(tmp_path / "dbn.dnm")
    assert back.layer_sizes == [16, 8, 4] and back.pretraining == pretraining
    np.testing.assert_array_equal(back.transform(bars(5)), dbn.transform(bars(5)))
    RBM(4, 2).save(tmp_path / "rbm.dnm")
    with pytest.raises(dn.errors.FormatError):
        DBN.load(tmp_path / "rbm.dnm")


def test_bad_inputs_and_configuration():
    dbn = DBN([784, 20, 10])
    with pytest.raises(ShapeError, match="784.*100"):
        dbn.pretrain(np.zeros((5, 100)))
    with pytest.raises(ShapeError, match="784.*100"):
        dbn.transform(np.zeros((5, 100)))
    with pytest.raises(DataError, match="255"):
        dbn.pretrain(np.full((5, 784), 255.0))
    with pytest.raises(ArgumentError, match="layer_sizes"):
        DBN([784])
    with pytest.raises(ArgumentError, match="layer_sizes"):
        DBN([784, 0])
    with pytest.raises(UnknownNameError, match="did you mean 'autoencoder'"):
        DBN([4, 2], pretraining="autoencoders")
    with pytest.raises(ArgumentError, match="n_classes"):
        dbn.to_classifier(0)


def test_semi_supervised_example_quick_run(monkeypatch, capsys):
    fashion_mnist_or_skip()
    example = Path(__file__).parent.parent / "examples" / "dbn_semi_supervised.py"
    monkeypatch.setattr(sys, "argv", [str(example), "--quick"])
    namespace = runpy.run_path(str(example), run_name="example")
    results = namespace["main"](["--quick"])
    out = capsys.readouterr().out
    assert "seed 0: pretrained" in out and "pretraining wins in" in out
    assert len(results) == 1
    assert results[0]["pretrained"] > 0.5 and results[0]["random"] > 0.5  # chance: 0.1
