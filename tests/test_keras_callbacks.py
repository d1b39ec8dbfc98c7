"""Callbacks: the hook sequence, EarlyStopping (restoring the best weights whatever ended
training), the learning-rate callbacks, CSVLogger, LambdaCallback, ModelCheckpoint, and the
progress output on a terminal, off a terminal and silent."""

from __future__ import annotations

import csv
import io
import os
import sys

import numpy as np
import pytest

import deepnum as dn
from deepnum import keras
from deepnum.errors import ArgumentError
from deepnum.keras import callbacks, layers

RNG = np.random.default_rng(8)
X = RNG.standard_normal((64, 5)).astype(np.float32)
Y = RNG.integers(0, 3, 64)


def _model(lr=0.01):
    model = keras.Sequential([keras.Input(shape=(5,)), layers.Dense(8, activation="relu"),
                              layers.Dense(3, activation="softmax")])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=lr),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


class Script(callbacks.Callback):
    """Writes scripted values into the epoch logs (before the callbacks after it read them)
    and keeps each epoch's weights."""

    def __init__(self, key, values):
        super().__init__()
        self.key, self.values, self.weights = key, values, []

    def on_epoch_end(self, epoch, logs=None):
        logs[self.key] = self.values[epoch]
        self.weights.append(self.model.get_weights())


def _same(a, b):
    return all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))


# ----- the hooks ----------------------------------------------------------------------------
def test_hooks_are_called_in_kerass_order():
    calls = []

    def hook(name):
        def record(self, *args):
            calls.append((name, args[0]) if args and isinstance(args[0], int) else (name,))
        return record

    recorder = type("Recorder", (callbacks.Callback,), {h: hook(h) for h in callbacks.base.HOOKS})
    _model().fit(X, Y, epochs=2, batch_size=32, validation_split=0.5, verbose=0,
                 callbacks=[recorder()])

    def epoch(k):
        return [("on_epoch_begin", k), ("on_train_batch_begin", 0), ("on_train_batch_end", 0),
                ("on_test_begin",), ("on_test_batch_begin", 0), ("on_test_batch_end", 0),
                ("on_test_end",), ("on_epoch_end", k)]

    assert calls == [("on_train_begin",), *epoch(0), *epoch(1), ("on_train_end",)]


def test_callback_list_skips_empty_hooks_and_keras2_batch_names_work():
    seen = []

    class Old(callbacks.Callback):
        def on_batch_end(self, batch, logs=None):
            seen.append(batch)

    cbs = callbacks.CallbackList([callbacks.Callback(), Old()], add_history=True)
    assert len(cbs._hooks["on_train_batch_end"]) == 1
    assert cbs._hooks["on_test_batch_end"] == [] and len(cbs._hooks["on_epoch_end"]) == 1
    _model().fit(X, Y, epochs=1, batch_size=16, verbose=0, callbacks=[Old()])
    assert seen == [0, 1, 2, 3]


def test_lambda_callback():
    ends = []
    cb = callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: ends.append(
        (epoch, sorted(logs))), on_train_begin=lambda logs: ends.append("begin"))
    _model().fit(X, Y, epochs=2, verbose=0, callbacks=[cb])
    assert ends == ["begin", (0, ["accuracy", "loss"]), (1, ["accuracy", "loss"])]
    with pytest.raises(ArgumentError, match="unknown hook 'on_epoch_finish'"):
        callbacks.LambdaCallback(on_epoch_finish=print)


# ----- EarlyStopping ------------------------------------------------------------------------
def test_early_stopping_stops_after_patience_and_restores_the_best():
    script = Script("val_loss", [3.0, 1.0, 2.0, 2.5, 2.6, 0.1, 0.1])
    stop = callbacks.EarlyStopping(patience=2, restore_best_weights=True)
    model = _model()
    history = model.fit(X, Y, epochs=7, verbose=0, callbacks=[script, stop])
    assert history.epoch == [0, 1, 2, 3] and stop.stopped_epoch == 3 and stop.best_epoch == 1
    assert _same(model.get_weights(), script.weights[1])


def test_early_stopping_restores_the_best_when_the_epochs_run_out():
    script = Script("val_loss", [3.0, 1.0, 2.0, 2.5])
    stop = callbacks.EarlyStopping(patience=10, restore_best_weights=True)
    model = _model()
    history = model.fit(X, Y, epochs=4, verbose=0, callbacks=[script, stop])
    assert history.epoch == [0, 1, 2, 3] and stop.stopped_epoch == 0
    assert _same(model.get_weights(), script.weights[1])


def test_early_stopping_restores_the_best_when_another_callback_stops_training():
    class StopAt(callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 2:
                self.model.stop_training = True

    script = Script("val_loss", [3.0, 1.0, 2.0, 0.5, 0.4])
    stop = callbacks.EarlyStopping(patience=10, restore_best_weights=True)
    model = _model()
    history = model.fit(X, Y, epochs=5, verbose=0, callbacks=[script, stop, StopAt()])
    assert history.epoch == [0, 1, 2]
    assert _same(model.get_weights(), script.weights[1])


def test_early_stopping_modes_min_delta_baseline_and_start_epoch():
    script = Script("val_accuracy", [0.5, 0.55, 0.56, 0.9, 0.9])
    stop = callbacks.EarlyStopping(monitor="val_accuracy", min_delta=0.02, patience=1)
    assert _model().fit(X, Y, epochs=5, verbose=0, callbacks=[script, stop]).epoch == [0, 1, 2]
    script = Script("val_loss", [1.0, 1.1, 1.2, 1.3])
    stop = callbacks.EarlyStopping(patience=2)
    assert _model().fit(X, Y, epochs=4, verbose=0, callbacks=[script, stop]).epoch == [0, 1, 2]
    stop = callbacks.EarlyStopping(patience=2, baseline=0.5)  # epoch 0 not good enough either
    assert _model().fit(X, Y, epochs=4, verbose=0, callbacks=[script, stop]).epoch == [0, 1]
    script = Script("val_loss", [1.0, 2.0, 3.0, 4.0])
    stop = callbacks.EarlyStopping(patience=0, start_from_epoch=2)
    assert _model().fit(X, Y, epochs=4, verbose=0, callbacks=[script, stop]).epoch == [0, 1, 2, 3]
    with pytest.raises(ArgumentError, match="maximized or minimized"):
        callbacks.EarlyStopping(monitor="val_thing")
    with pytest.warns(UserWarning, match="'val_loss' is not in the logs"):
        _model().fit(X, Y, epochs=1, verbose=0, callbacks=[callbacks.EarlyStopping()])


# ----- learning rate ------------------------------------------------------------------------
def test_learning_rate_scheduler_sets_the_optimizer_rate(capsys):
    rates = []
    model = _model(lr=0.1)
    sched = callbacks.LearningRateScheduler(lambda epoch, lr: lr * 0.5, verbose=1)
    spy = callbacks.LambdaCallback(on_epoch_begin=lambda e, logs: rates.append(
        model.optimizer.learning_rate))
    history = model.fit(X, Y, epochs=3, verbose=0, callbacks=[sched, spy])
    assert rates == pytest.approx([0.05, 0.025, 0.0125])
    assert history.history["learning_rate"] == pytest.approx([0.05, 0.025, 0.0125])
    assert "Epoch 2: LearningRateScheduler setting learning rate to 0.025." in \
        capsys.readouterr().out
    one_arg = callbacks.LearningRateScheduler(lambda epoch: 0.1 / (epoch + 1))
    model.fit(X, Y, epochs=2, verbose=0, callbacks=[one_arg])
    assert model.optimizer.learning_rate == pytest.approx(0.05)
    with pytest.raises(ArgumentError, match="learning rate must be a finite number"):
        model.fit(X, Y, epochs=1, verbose=0,
                  callbacks=[callbacks.LearningRateScheduler(lambda e: -1.0)])


def test_reduce_lr_on_plateau_with_patience_cooldown_and_floor():
    model = _model(lr=1.0)
    script = Script("val_loss", [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0])
    reduce = callbacks.ReduceLROnPlateau(factor=0.5, patience=2, cooldown=1, min_lr=0.2)
    history = model.fit(X, Y, epochs=7, verbose=0, callbacks=[script, reduce])
    # the rate logged at each epoch's end, before that epoch's reduction
    assert history.history["learning_rate"] == pytest.approx(
        [1.0, 1.0, 1.0, 0.5, 0.5, 0.25, 0.25])
    assert model.optimizer.learning_rate == pytest.approx(0.2)  # 0.125 would be below min_lr
    model.fit(X, Y, epochs=7, verbose=0, callbacks=[script, reduce])
    assert model.optimizer.learning_rate == pytest.approx(0.2)


# ----- CSVLogger, ModelCheckpoint -----------------------------------------------------------
def test_csv_logger_writes_one_row_per_epoch_and_appends(tmp_path):
    path = tmp_path / "log.csv"
    model = _model()
    history = model.fit(X, Y, epochs=2, validation_split=0.25, verbose=0,
                        callbacks=[callbacks.CSVLogger(path)])
    rows = list(csv.reader(path.read_text().splitlines()))
    assert rows[0] == ["epoch", "accuracy", "loss", "val_accuracy", "val_loss"]
    assert [r[0] for r in rows[1:]] == ["0", "1"]
    assert float(rows[2][2]) == pytest.approx(history.history["loss"][1])
    model.fit(X, Y, epochs=1, validation_split=0.25, verbose=0,
              callbacks=[callbacks.CSVLogger(path, separator=";", append=True)])
    lines = path.read_text().splitlines()
    assert len(lines) == 4 and lines[3].startswith("0;")


def test_model_checkpoint_formats_names_and_keeps_the_best(tmp_path):
    script = Script("val_loss", [0.5, 0.3, 0.4, 0.2])
    pattern = str(tmp_path / "ckpt-{epoch:02d}-{val_loss:.2f}.dnm")
    model = _model()
    model.fit(X, Y, epochs=4, verbose=0, callbacks=[
        script, callbacks.ModelCheckpoint(pattern, save_best_only=True)])
    assert sorted(os.listdir(tmp_path)) == ["ckpt-01-0.50.dnm", "ckpt-02-0.30.dnm",
                                            "ckpt-04-0.20.dnm"]
    best = keras.models.load_model(tmp_path / "ckpt-02-0.30.dnm")
    assert _same(best.get_weights(), script.weights[1])
    assert best.checkpoint_epoch == 2
    single = str(tmp_path / "best.weights.dnm")
    model.fit(X, Y, epochs=4, verbose=0, callbacks=[script, callbacks.ModelCheckpoint(
        single, save_best_only=True, save_weights_only=True)])
    twin = _model()
    twin.load_weights(single)
    assert _same(twin.get_weights(), script.weights[-1])


def test_model_checkpoint_by_batches_and_bad_patterns(tmp_path):
    pattern = str(tmp_path / "b-{epoch}-{batch}.dnm")
    _model().fit(X, Y, epochs=2, batch_size=16, verbose=0,
                 callbacks=[callbacks.ModelCheckpoint(pattern, save_freq=3)])
    assert sorted(os.listdir(tmp_path)) == ["b-1-3.dnm", "b-2-2.dnm"]
    with pytest.raises(ArgumentError, match=r"cannot fill in .*\{val_acc\}.*available keys"):
        _model().fit(X, Y, verbose=0, callbacks=[callbacks.ModelCheckpoint(
            str(tmp_path / "{val_acc}.dnm"))])
    with pytest.raises(ArgumentError, match="save_freq must be 'epoch' or a positive integer"):
        callbacks.ModelCheckpoint("x.dnm", save_freq="batch")


# ----- progress output ----------------------------------------------------------------------
class FakeStream(io.StringIO):
    def __init__(self, tty):
        super().__init__()
        self.tty = tty

    def isatty(self):
        return self.tty


@pytest.fixture
def stdout(monkeypatch):
    def use(tty):
        stream = FakeStream(tty)
        monkeypatch.setattr(sys, "stdout", stream)
        return stream
    return use


def test_not_a_terminal_gets_exactly_one_line_per_epoch(stdout):
    out = stdout(False)
    _model().fit(X, Y, epochs=3, batch_size=4, validation_split=0.25, callbacks=[])
    lines = out.getvalue().split("\n")
    assert lines[-1] == "" and len(lines) == 4 and "\r" not in out.getvalue()
    assert lines[0].startswith("Epoch 1/3 - 12/12 - ")
    assert "ms/step" in lines[0] or "us/step" in lines[0]
    assert " - accuracy: " in lines[0] and " - loss: " in lines[0] and " - val_loss: " in lines[0]


def test_a_terminal_gets_one_line_redrawn_in_place(stdout):
    out = stdout(True)
    model = _model()
    slow = callbacks.LambdaCallback(on_train_batch_end=lambda b, logs: __import__("time").sleep(
        0.06))  # past the 0.05 s throttle: every batch redraws
    model.fit(X, Y, epochs=2, batch_size=16, callbacks=[slow])
    text = out.getvalue()
    assert text.count("\n") == 4  # per epoch: the "Epoch i/n" header and the finished bar
    assert text.count("\r") >= 2 * 4
    last = text.split("\n")[1].split("\r")[-1]
    assert last.startswith("4/4 [==============================] - ")
    assert " - ETA: " in text


def test_terminal_updates_are_throttled(stdout):
    out = stdout(True)
    _model().fit(X, Y, epochs=1, batch_size=1)
    assert out.getvalue().count("\r") < 64  # 64 batches, far fewer redraws


def test_verbose_zero_is_silent_and_two_is_one_line_per_epoch(stdout):
    out = stdout(True)
    model = _model()
    model.fit(X, Y, epochs=2, verbose=0)
    model.evaluate(X, Y, verbose=0)
    model.predict(X, verbose=0)
    assert out.getvalue() == ""
    model.fit(X, Y, epochs=2, verbose=2)
    lines = out.getvalue().splitlines()
    assert len(lines) == 2 and lines[1].startswith("Epoch 2/2 - 2/2 - ")
    assert "\r" not in out.getvalue()


def test_evaluate_and_predict_report_one_line_off_a_terminal(stdout):
    out = stdout(False)
    model = _model()
    model.evaluate(X, Y, batch_size=16)
    model.predict(X, batch_size=16)
    lines = out.getvalue().splitlines()
    assert len(lines) == 2 and lines[0].startswith("4/4 - ") and "loss: " in lines[0]
    assert lines[1].startswith("4/4 - ")


def test_evaluate_on_a_terminal_counts_its_own_batches(stdout):
    out = stdout(True)
    _model().evaluate(X, Y, batch_size=16)
    final = out.getvalue().split("\r")[-1]
    assert final.startswith("4/4 [==============================] - ") and final.endswith("\n")


def test_progbar_formats_values_like_keras():
    stream = FakeStream(False)
    bar = callbacks.Progbar(10, verbose=2, stream=stream)
    bar.update(10, {"loss": 0.123456, "tiny": 1e-5, "nan": float("nan")})
    text = stream.getvalue()
    assert "loss: 0.1235" in text and "tiny: 1.0000e-05" in text and "nan: nan" in text


def test_resume_reuses_the_seeded_streams(tmp_path):
    """A ModelCheckpoint written at the end of epoch k resumes exactly (shuffles and dropout
    masks replayed from the saved random streams): bit-identical final weights."""
    def build():
        model = keras.Sequential([keras.Input(shape=(5,)), layers.Dense(16, activation="relu"),
                                  layers.Dropout(0.3), layers.Dense(3, activation="softmax")])
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                      metrics=["accuracy"])
        return model

    dn.manual_seed(5)
    model = build()
    pattern = str(tmp_path / "ckpt-{epoch}.dnm")
    model.fit(X, Y, epochs=4, batch_size=8, verbose=0,
              callbacks=[callbacks.ModelCheckpoint(pattern)])
    final = model.get_weights()
    dn.manual_seed(999)  # whatever happened since: the checkpoint brings the streams back
    resumed = keras.models.load_model(tmp_path / "ckpt-2.dnm")
    assert resumed.checkpoint_epoch == 2
    resumed.fit(X, Y, epochs=4, batch_size=8, verbose=0, initial_epoch=2)
    assert _same(resumed.get_weights(), final)
