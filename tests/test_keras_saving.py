"""Saving Keras-door models to one deepnum file: round trips (predictions, compile settings,
optimizer state, history, continued training), weights only, BackupAndRestore, and files
that must be refused (pickles, torch.save output, truncated or crafted files)."""

from __future__ import annotations

import os
import pickle

import numpy as np
import pytest
import torch

import deepnum as dn
from deepnum import keras
from deepnum.errors import ArgumentError, FormatError, NotFoundError, ShapeError, StateError
from deepnum.io import read_file, write_file
from deepnum.keras import callbacks, layers

RNG = np.random.default_rng(4)
X = RNG.standard_normal((80, 6)).astype(np.float32)
Y = RNG.integers(0, 3, 80)


def _sequential():
    model = keras.Sequential([
        keras.Input(shape=(6,)),
        layers.Dense(16, activation="relu", kernel_regularizer=keras.regularizers.l2(1e-3)),
        layers.BatchNormalization(), layers.Dropout(0.2), layers.Dense(3, activation="softmax")])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=3e-3),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def _functional():
    inputs = keras.Input(shape=(6,))
    x = layers.Dense(8)(inputs)
    x = layers.LeakyReLU(0.1)(x)
    outputs = layers.Dense(3, activation="softmax")(x)
    model = keras.Model(inputs, outputs)
    model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def _same(a, b):
    return all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))


@pytest.mark.parametrize("build", [_sequential, _functional])
def test_save_load_round_trip_and_continued_training(tmp_path, build):
    dn.manual_seed(0)
    model = build()
    model.fit(X, Y, epochs=2, batch_size=16, verbose=0)
    path = tmp_path / "model.dnm"
    model.save(path)
    loaded = keras.models.load_model(path)
    assert type(loaded) is type(model) and loaded.name == model.name
    np.testing.assert_array_equal(loaded.predict(X, verbose=0), model.predict(X, verbose=0))
    assert loaded.optimizer.get_config() == model.optimizer.get_config()
    assert loaded.optimizer.iterations == model.optimizer.iterations == 10
    assert loaded.history.history == model.history.history
    assert loaded.evaluate(X, Y, verbose=0) == model.evaluate(X, Y, verbose=0)
    assert loaded.checkpoint_epoch is None
    state = dn.get_rng_state()
    model.fit(X, Y, epochs=2, batch_size=16, verbose=0)
    dn.set_rng_state(state)
    loaded.fit(X, Y, epochs=2, batch_size=16, verbose=0)  # the optimizer's slots came back
    assert _same(loaded.get_weights(), model.get_weights())


def test_the_file_is_one_safetensors_file_with_json_metadata(tmp_path):
    model = _sequential()
    model.fit(X, Y, epochs=1, verbose=0)
    model.save(tmp_path / "m.dnm")
    assert os.listdir(tmp_path) == ["m.dnm"]
    tensors, meta = read_file(tmp_path / "m.dnm")
    assert meta["deepnum"] == "keras-model" and meta["model"]["class_name"] == "Sequential"
    assert meta["weights"][:2] == ["dense/kernel", "dense/bias"]
    assert "batch_normalization/moving_variance" in meta["weights"]
    assert {"weights/dense_1/kernel", "optimizer/momentum/0", "optimizer/velocity/5"} <= set(
        tensors)
    assert meta["compile"]["loss"]["class_name"] == "SparseCategoricalCrossentropy"
    assert meta["compile"]["metrics"] == ["accuracy"]


def test_uncompiled_models_and_other_extensions(tmp_path):
    model = keras.Sequential([layers.Dense(4), layers.Dense(2)])
    model(X)
    model.save(tmp_path / "m.keras")  # a Keras 3 tutorial's file name: deepnum's format inside
    loaded = keras.models.load_model(tmp_path / "m.keras")
    assert not loaded.compiled
    np.testing.assert_array_equal(loaded.predict(X, verbose=0), model.predict(X, verbose=0))
    with pytest.raises(ArgumentError, match="exists already; pass overwrite=True"):
        model.save(tmp_path / "m.keras", overwrite=False)
    compiled = _sequential()
    compiled.save(tmp_path / "c.dnm")
    assert not keras.models.load_model(tmp_path / "c.dnm", compile=False).compiled


@keras.saving.register_keras_serializable(package="Tests")
class Registered(keras.Model):
    def __init__(self, units=4, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.hidden = layers.Dense(units, activation="tanh")
        self.out = layers.Dense(3, activation="softmax")

    def call(self, x, training=False):
        return self.out(self.hidden(x))

    def get_config(self):
        return {"units": self.units, "name": self.name}


class Unregistered(Registered):
    pass


def test_subclassed_models_save_when_registered_and_weights_only_otherwise(tmp_path):
    model = Registered(units=5)
    model.compile(loss="sparse_categorical_crossentropy")
    model.fit(X, Y, epochs=1, verbose=0)
    model.save(tmp_path / "r.dnm")
    loaded = keras.models.load_model(tmp_path / "r.dnm")
    assert type(loaded) is Registered and loaded.units == 5
    np.testing.assert_array_equal(loaded.predict(X, verbose=0), model.predict(X, verbose=0))
    plain = Unregistered()
    plain(X)
    with pytest.raises(StateError, match="not registered.*save_weights"):
        plain.save(tmp_path / "u.dnm")
    plain.save_weights(tmp_path / "u.weights.dnm")
    twin = Unregistered()
    twin(X[:1])
    twin.load_weights(tmp_path / "u.weights.dnm")
    np.testing.assert_array_equal(twin.predict(X, verbose=0), plain.predict(X, verbose=0))
    with pytest.raises(FormatError, match="holds weights only"):
        keras.models.load_model(tmp_path / "u.weights.dnm")


def test_weights_load_into_another_instance_and_mismatches_are_named(tmp_path):
    model = _functional()
    model.save_weights(tmp_path / "w.dnm")
    twin = _functional()  # other automatic layer names, same structure
    twin.load_weights(tmp_path / "w.dnm")
    assert _same(twin.get_weights(), model.get_weights())
    wider = keras.Sequential([keras.Input(shape=(6,)), layers.Dense(9), layers.Dense(3)])
    narrow = keras.Sequential([keras.Input(shape=(6,)), layers.Dense(8), layers.Dense(3)])
    narrow.save_weights(tmp_path / "n.dnm")
    with pytest.raises(ShapeError, match=r"weight 'dense/kernel' has shape \(6, 8\) in the "
                                         r"file but \(6, 9\)"):
        wider.load_weights(tmp_path / "n.dnm")
    with pytest.raises(ShapeError, match=r"missing \['dense_2/bias'"):
        keras.Sequential([keras.Input(shape=(6,)), layers.Dense(8), layers.Dense(3),
                          layers.Dense(3)]).load_weights(tmp_path / "n.dnm")
    with pytest.raises(StateError, match="not built yet"):
        keras.Sequential([layers.Dense(3)]).load_weights(tmp_path / "n.dnm")


# ----- files that must be refused -----------------------------------------------------------
class _Payload:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.makedirs, (self.marker,))


def test_a_pickle_payload_is_refused_and_never_run(tmp_path):
    marker = str(tmp_path / "pwned")
    path = tmp_path / "evil.dnm"
    path.write_bytes(pickle.dumps({"model": _Payload(marker)}))
    with pytest.raises(FormatError, match="pickle"):
        keras.models.load_model(path)
    torch.save({"w": torch.zeros(2)}, tmp_path / "torch.pt")
    with pytest.raises(FormatError, match="pickle"):
        keras.models.load_model(tmp_path / "torch.pt")
    assert not os.path.exists(marker)


def test_truncated_corrupt_and_foreign_files(tmp_path):
    model = _sequential()
    model.save(tmp_path / "m.dnm")
    data = (tmp_path / "m.dnm").read_bytes()
    (tmp_path / "cut.dnm").write_bytes(data[: len(data) // 2])
    with pytest.raises(FormatError, match="cut.dnm"):
        keras.models.load_model(tmp_path / "cut.dnm")
    broken = bytearray(data)
    broken[20] ^= 0xFF  # inside the JSON header
    (tmp_path / "bad.dnm").write_bytes(bytes(broken))
    with pytest.raises(FormatError):
        keras.models.load_model(tmp_path / "bad.dnm")
    dn.save({"w": dn.ones(2)}, tmp_path / "state.dnm")
    with pytest.raises(FormatError, match="not a saved Keras model"):
        keras.models.load_model(tmp_path / "state.dnm")
    with pytest.raises(NotFoundError):
        keras.models.load_model(tmp_path / "absent.dnm")


@pytest.mark.parametrize("edit,match", [
    (lambda meta: meta["model"].update(class_name="os.system"), "unknown layer class"),
    (lambda meta: meta["model"]["config"]["layers"][0].update(class_name="eval"),
     "unknown layer class 'eval'"),
    (lambda meta: meta["model"]["config"]["layers"][0]["config"].update(units="many"),
     "cannot rebuild"),
    (lambda meta: meta["compile"]["optimizer"].update(class_name="Evil"), "optimizer 'Evil'"),
    (lambda meta: meta.update(format_version=99), "unsupported model file version 99"),
])
def test_crafted_metadata_is_a_format_error(tmp_path, edit, match):
    model = _sequential()
    model.save(tmp_path / "m.dnm")
    tensors, meta = read_file(tmp_path / "m.dnm")
    edit(meta)
    write_file(tmp_path / "crafted.dnm", tensors, meta)
    with pytest.raises(FormatError, match=match):
        keras.models.load_model(tmp_path / "crafted.dnm")


# ----- BackupAndRestore ---------------------------------------------------------------------
class _Crash(callbacks.Callback):
    def on_epoch_begin(self, epoch, logs=None):
        if epoch == 3:
            raise KeyboardInterrupt("simulated Ctrl-C")


def test_backup_and_restore_resumes_bit_identically(tmp_path):
    def run(extra):
        model = _sequential()
        stop = callbacks.EarlyStopping(monitor="loss", patience=50)
        backup = callbacks.BackupAndRestore(tmp_path / "backup")
        history = model.fit(X, Y, epochs=6, batch_size=16, verbose=0,
                            callbacks=[backup, stop, *extra])
        return model, history, stop

    dn.manual_seed(1)
    reference, ref_history, _ = run([])
    assert not os.path.exists(tmp_path / "backup")  # deleted once fit completes

    dn.manual_seed(1)
    with pytest.raises(KeyboardInterrupt):
        run([_Crash()])
    assert os.listdir(tmp_path / "backup") == ["backup.dnm"]
    dn.manual_seed(12345)  # a new process: other random state, a fresh model
    resumed, history, stop = run([])
    assert _same(resumed.get_weights(), reference.get_weights())
    assert history.epoch == [0, 1, 2, 3, 4, 5]
    assert history.history == ref_history.history
    assert stop.best == pytest.approx(min(ref_history.history["loss"]))
    assert not os.path.exists(tmp_path / "backup")


def test_backup_and_restore_arguments():
    with pytest.raises(ArgumentError, match="empty backup_dir"):
        callbacks.BackupAndRestore("")
    with pytest.raises(ArgumentError, match="only save_freq='epoch'"):
        callbacks.BackupAndRestore("/tmp/x", save_freq=10)
