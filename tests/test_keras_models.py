"""Keras-door models: Sequential, functional and subclassed construction, summary, compile,
and fit/evaluate/predict (fit is checked bit for bit against the hand-written loop it
stands for), History, weights, regularization, custom train_step."""

from __future__ import annotations

import numpy as np
import pytest

import deepnum as dn
from deepnum import keras
from deepnum.errors import ArgumentError, StateError
from deepnum.keras import backend, callbacks, layers, losses, optimizers

RNG = np.random.default_rng(21)


def _data(n=96, d=6, classes=3, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, d)).astype(np.float32)
    w = rng.standard_normal((d, classes))
    return x, (x @ w).argmax(1)


def _mlp(d=6, classes=3, hidden=8, **compile_args):
    model = keras.Sequential([keras.Input(shape=(d,)), layers.Dense(hidden, activation="relu"),
                              layers.Dense(classes, activation="softmax")])
    model.compile(**{"optimizer": "rmsprop", "loss": "sparse_categorical_crossentropy",
                     "metrics": ["accuracy"], **compile_args})
    return model


# ----- construction -----------------------------------------------------------------------
def test_sequential_add_pop_and_input_forms():
    model = keras.Sequential()
    model.add(layers.Dense(4, input_shape=(3,)))  # Keras 2's first-layer input_shape
    assert model.built and model.layers[0].kernel.shape == (3, 4)
    model.add(layers.Dense(2))
    assert model.layers[1].built
    popped = model.pop()
    assert popped.units == 2 and len(model.layers) == 1
    lazy = keras.Sequential([layers.Dense(5), layers.Dense(2)])
    assert not lazy.built
    assert lazy(np.ones((3, 7))).shape == (3, 2) and lazy.built
    assert lazy._build_input_shape == (None, 7)
    with pytest.raises(ArgumentError, match="distinct names"):
        keras.Sequential([layers.Dense(1, name="a"), layers.Dense(1, name="a")])
    with pytest.raises(ArgumentError, match="can only add Keras layers"):
        keras.Sequential([dn.nn.Linear(2, 2)])
    with pytest.raises(ArgumentError, match="only be the first item"):
        keras.Sequential([layers.Dense(1), keras.Input(shape=(3,))])
    with pytest.raises(StateError, match="no layer to pop"):
        keras.Sequential().pop()


def test_summary_of_the_tutorial_model(capsys):
    backend.clear_session()
    model = keras.Sequential([layers.Dense(512, activation="relu"),
                              layers.Dense(10, activation="softmax")])
    model.summary()
    unbuilt = capsys.readouterr().out
    assert "dense (Dense)" in unbuilt and "0 (unbuilt)" in unbuilt and "?" in unbuilt
    model.build((None, 784))
    lines = []
    model.summary(print_fn=lines.append)
    text = lines[0]
    assert text.startswith('Model: "sequential"')
    rows = [line.split() for line in text.splitlines()]
    assert ["dense", "(Dense)", "(None,", "512)", "401,920"] in rows
    assert ["dense_1", "(Dense)", "(None,", "10)", "5,130"] in rows
    assert " Total params: 407,050 (1.55 MB)" in text.splitlines()
    assert " Trainable params: 407,050 (1.55 MB)" in text.splitlines()
    assert " Non-trainable params: 0 (0.00 B)" in text.splitlines()
    assert sum(layer.count_params() for layer in model.layers) == model.count_params() == 407050


def test_summary_counts_non_trainable_weights():
    model = keras.Sequential([keras.Input(shape=(4,)), layers.Dense(3),
                              layers.BatchNormalization()])
    model.layers[0].trainable = False
    text = []
    model.summary(print_fn=text.append, show_trainable=True)
    assert "Total params: 27 " in text[0] and "Trainable params: 6 " in text[0]
    assert "Non-trainable params: 21 " in text[0]


def test_functional_model_replays_its_chain():
    inputs = keras.Input(shape=(6,))
    hidden = layers.Dense(8, activation="relu")
    out_layer = layers.Dense(3, activation="softmax")
    model = keras.Model(inputs, out_layer(hidden(inputs)))
    assert type(model).__name__ == "Functional" and isinstance(model, keras.Model)
    assert [type(layer).__name__ for layer in model.layers] == ["InputLayer", "Dense", "Dense"]
    x = RNG.standard_normal((4, 6)).astype(np.float32)
    np.testing.assert_array_equal(model.predict(x, verbose=0), out_layer(hidden(x)).data)
    with pytest.raises(ArgumentError, match="not computed from inputs"):
        keras.Model(keras.Input(shape=(6,)), out_layer(hidden(inputs)))
    with pytest.raises(ArgumentError, match="several inputs or outputs"):
        keras.Model([inputs, keras.Input(shape=(2,))], hidden(inputs))


def test_models_nest_as_layers():
    encoder = keras.Sequential([layers.Dense(4, activation="relu"), layers.Dense(2)])
    inputs = keras.Input(shape=(6,))
    code = encoder(inputs)
    assert code.shape == (None, 2)
    model = keras.Model(inputs, layers.Dense(3, activation="softmax")(code))
    x = RNG.standard_normal((5, 6)).astype(np.float32)
    assert model.predict(x, verbose=0).shape == (5, 3)
    assert len(model.trainable_weights) == 6
    outer = keras.Sequential([keras.Input(shape=(6,)), encoder, layers.Dense(1)])
    assert outer.predict(x, verbose=0).shape == (5, 1)


class _Net(keras.Model):
    def __init__(self):
        super().__init__()
        self.hidden = layers.Dense(8, activation="relu")
        self.drop = layers.Dropout(0.5)
        self.out = layers.Dense(3, activation="softmax")
        self.seen: list = []

    def call(self, x, training=False):
        self.seen.append(training)
        return self.out(self.drop(self.hidden(x)))


def test_subclassed_model_trains_and_passes_the_training_flag():
    x, y = _data()
    model = _Net()
    model.compile(loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x, y, epochs=1, batch_size=32, verbose=0)
    assert [layer.name for layer in model.layers] == [model.hidden.name, model.drop.name,
                                                      model.out.name]
    assert len(model.trainable_weights) == 4
    assert model.seen.count(True) == 3  # 3 training batches
    model.seen.clear()
    model.predict(x, verbose=0)
    assert model.seen and not any(model.seen)
    out = model(x, training=True).data  # dropout on: differs from inference
    assert not np.allclose(out, model(x).data)


# ----- compile ----------------------------------------------------------------------------
def test_compile_resolves_strings_with_keras_defaults():
    model = _mlp()
    assert isinstance(model.optimizer, optimizers.RMSprop)
    assert (model.optimizer.learning_rate, model.optimizer.rho, model.optimizer.epsilon) == (
        0.001, 0.9, 1e-7)
    assert isinstance(model.loss, losses.SparseCategoricalCrossentropy)
    assert model.metrics_names == ["loss", "accuracy"]


@pytest.mark.parametrize("y_of,metric_cls", [
    (lambda y: y, "SparseCategoricalAccuracy"),
    (lambda y: y[:, None], "SparseCategoricalAccuracy"),
    (lambda y: keras.utils.to_categorical(y, 3), "CategoricalAccuracy"),
])
def test_accuracy_resolves_from_the_targets_like_keras(y_of, metric_cls):
    x, y = _data()
    loss = "categorical_crossentropy" if metric_cls == "CategoricalAccuracy" else \
        "sparse_categorical_crossentropy"
    model = _mlp(loss=loss)
    history = model.fit(x, y_of(y), epochs=1, verbose=0)
    assert type(model.metrics[1]).__name__ == metric_cls
    probs = model.predict(x, verbose=0)
    assert model.evaluate(x, y_of(y), verbose=0)[1] == pytest.approx(
        (probs.argmax(1) == y).mean())
    assert set(history.history) == {"loss", "accuracy"}


def test_binary_accuracy_for_a_sigmoid_output():
    x, y = _data(classes=2)
    model = keras.Sequential([layers.Dense(1, activation="sigmoid")])
    model.compile(loss="binary_crossentropy", metrics=["acc"])
    model.fit(x, y, epochs=2, verbose=0)
    p = model.predict(x, verbose=0)
    assert type(model.metrics[1]).__name__ == "BinaryAccuracy"
    assert model.evaluate(x, y, verbose=0, return_dict=True)["acc"] == pytest.approx(
        ((p[:, 0] > 0.5) == y).mean())


# ----- fit is the hand-written loop, plus bookkeeping ------------------------------------------
def test_fit_equals_the_hand_written_loop_bit_for_bit():
    x, y = _data(n=100)
    dn.manual_seed(4)
    model = _mlp()
    start = model.get_weights()
    dn.manual_seed(7)
    history = model.fit(x, y, epochs=2, batch_size=32, verbose=0)

    twin = _mlp()
    twin.set_weights(start)
    opt = optimizers.RMSprop()
    params = twin.trainable_weights
    dn.manual_seed(7)
    batch_losses = []
    for _ in range(2):
        order = dn.random.generator("shuffle").permutation(100)
        epoch = []
        for lo in range(0, 100, 32):
            idx = order[lo:lo + 32]
            for p in params:
                p.grad = None
            h = dn.relu(dn.tensor(x[idx]) @ params[0] + params[1])
            loss = dn.nn.functional.cross_entropy(h @ params[2] + params[3], y[idx])
            loss.backward()
            opt.apply([p.grad for p in params], params)
            epoch.append((loss.item(), len(idx)))
        batch_losses.append(sum(v * n for v, n in epoch) / 100)
    for a, b in zip(model.get_weights(), twin.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_allclose(history.history["loss"], batch_losses, rtol=1e-6)
    assert history.epoch == [0, 1]
    assert history.params == {"verbose": 0, "epochs": 2, "steps": 4}


def test_history_records_train_and_validation_and_shows_the_gap():
    x, y = _data(n=200, seed=1)
    y = np.where(RNG.random(200) < 0.3, RNG.integers(0, 3, 200), y)  # label noise: memorize
    dn.manual_seed(0)
    model = _mlp(hidden=128, optimizer=optimizers.Adam(learning_rate=0.01))
    history = model.fit(x[:60], y[:60], epochs=60, batch_size=20, verbose=0,
                        validation_data=(x[60:], y[60:]))
    h = history.history
    assert set(h) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert all(len(v) == 60 for v in h.values())
    assert h["accuracy"][-1] > 0.95 and h["accuracy"][-1] - h["val_accuracy"][-1] > 0.2
    assert h["val_loss"][-1] > h["loss"][-1]
    assert model.history is history


def test_validation_split_takes_the_last_examples_and_freq():
    x, y = _data(n=100)
    model = _mlp()
    seen = []
    record = callbacks.LambdaCallback(on_test_batch_begin=lambda batch, logs: seen.append(batch))
    history = model.fit(x, y, epochs=4, validation_split=0.25, batch_size=10, verbose=0,
                        validation_freq=2, callbacks=[record])
    assert history.params["steps"] == 8  # 75 training examples
    assert len(history.history["val_loss"]) == 2 and len(seen) == 2 * 3
    expected = model.evaluate(x[75:], y[75:], batch_size=10, verbose=0)
    assert history.history["val_loss"][-1] == pytest.approx(expected[0])


def test_evaluate_predict_and_batch_methods():
    x, y = _data()
    model = _mlp()
    loss, acc = model.evaluate(x, y, verbose=0)
    probs = model.predict(x, batch_size=7, verbose=0)
    assert probs.shape == (96, 3) and probs.dtype == np.float32
    np.testing.assert_allclose(probs, model(x).data, rtol=1e-6)
    expected = -np.log(np.clip(probs[np.arange(96), y], 1e-7, 1)).mean()
    assert loss == pytest.approx(expected, rel=1e-5)
    assert acc == pytest.approx((probs.argmax(1) == y).mean())
    assert model.evaluate(x, y, return_dict=True, verbose=0) == pytest.approx(
        {"loss": loss, "accuracy": acc})
    only_loss = _mlp(metrics=None)
    assert isinstance(only_loss.evaluate(x, y, verbose=0), float)
    np.testing.assert_allclose(model.predict_on_batch(x[:5]), probs[:5], rtol=1e-6)
    test = model.test_on_batch(x, y, return_dict=True)
    assert test["loss"] == pytest.approx(loss, rel=1e-6)
    before = model.get_weights()
    logs = model.train_on_batch(x, y)
    assert len(logs) == 2 and not np.array_equal(before[0], model.get_weights()[0])


def test_stop_training_flag_ends_fit_after_the_batch():
    x, y = _data()

    class Stop(callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            if batch == 1:
                self.model.stop_training = True

    model = _mlp()
    history = model.fit(x, y, epochs=5, batch_size=16, verbose=0, callbacks=[Stop()])
    assert history.epoch == [0] and model.optimizer.iterations == 2


def test_sample_weight_class_weight_and_loss_weights():
    x, y = _data(n=40)
    model = _mlp(metrics=None)
    probs = model.predict(x, verbose=0)
    per = -np.log(probs[np.arange(40), y])
    w = RNG.uniform(0, 2, 40)
    assert model.evaluate(x, y, sample_weight=w, batch_size=40, verbose=0) == pytest.approx(
        (per * w).mean(), rel=1e-5)
    cw = {0: 1.0, 1: 2.0, 2: 0.5}
    dn.manual_seed(1)
    weighted = _mlp(metrics=None)
    start = weighted.get_weights()
    weighted.fit(x, y, class_weight=cw, batch_size=40, epochs=1, verbose=0)
    twin = _mlp(metrics=None)
    twin.set_weights(start)
    twin.fit(x, y, sample_weight=np.array([cw[int(k)] for k in y]), batch_size=40, epochs=1,
             verbose=0)
    np.testing.assert_array_equal(weighted.get_weights()[0], twin.get_weights()[0])
    scaled = _mlp(metrics=None, loss_weights=3.0)
    scaled.set_weights(model.get_weights())
    assert scaled.evaluate(x, y, verbose=0) == pytest.approx(3 * per.mean(), rel=1e-5)


def test_regularization_penalties_join_the_loss():
    x, y = _data(n=32)
    model = keras.Sequential([
        layers.Dense(5, kernel_regularizer=keras.regularizers.l2(0.1), activation="relu",
                     activity_regularizer=keras.regularizers.L1(0.01)),
        layers.Dense(3, activation="softmax")])
    model.compile(loss="sparse_categorical_crossentropy")
    model(x)
    kernel = model.layers[0].kernel.data
    hidden = np.maximum(x @ kernel, 0)
    probs = model.predict(x, verbose=0)
    data_loss = -np.log(probs[np.arange(32), y]).mean()
    penalty = 0.1 * (kernel**2).sum() + 0.01 * np.abs(hidden).sum()
    assert model.evaluate(x, y, batch_size=32, verbose=0) == pytest.approx(
        data_loss + penalty, rel=1e-5)
    assert len(model.losses) == 2


def test_a_custom_train_step_is_all_an_autoencoder_needs():
    class AutoEncoder(keras.Model):
        def __init__(self):
            super().__init__()
            self.encode = layers.Dense(2, activation="tanh")
            self.decode = layers.Dense(6)
            self.tracker = keras.metrics.Mean(name="reconstruction")

        def call(self, x, training=False):
            return self.decode(self.encode(x))

        def train_step(self, data):
            x = data  # fit(x) with no y: the batch itself, as Keras passes it
            for p in self.trainable_weights:
                p.grad = None
            loss = dn.mean((self(x, training=True) - x) ** 2)
            loss.backward()
            self.apply_gradients(self.trainable_weights)
            self.tracker.update_state(loss.item())
            return {"reconstruction": self.tracker.result()}

    x, _ = _data(n=64)
    model = AutoEncoder()
    model.compile(optimizer=optimizers.Adam(learning_rate=0.05))
    history = model.fit(x, epochs=15, batch_size=16, verbose=0)
    r = history.history["reconstruction"]
    assert len(r) == 15 and r[-1] < r[0]


def test_a_pytorch_door_optimizer_can_be_compiled_in():
    x, y = _data()
    model = _mlp()
    model.compile(optimizer=dn.optim.SGD(model.parameters(), lr=0.1),
                  loss="sparse_categorical_crossentropy")
    before = model.evaluate(x, y, verbose=0)
    model.fit(x, y, epochs=5, verbose=0)
    assert model.evaluate(x, y, verbose=0) < before


def test_same_seed_same_run_and_uint8_inputs_train():
    x = RNG.integers(0, 256, (64, 6)).astype(np.uint8)
    y = RNG.integers(0, 3, 64)
    runs = []
    for _ in range(2):
        dn.manual_seed(12)
        model = keras.Sequential([layers.Dense(8, activation="relu"), layers.Dropout(0.3),
                                  layers.Dense(3, activation="softmax")])
        model.compile(loss="sparse_categorical_crossentropy")
        model.fit(x, y, epochs=2, batch_size=16, verbose=0)
        runs.append(model.get_weights())
    for a, b in zip(*runs, strict=True):
        np.testing.assert_array_equal(a, b)


def test_steps_per_epoch_limits_the_batches():
    x, y = _data(n=100)
    model = _mlp()
    history = model.fit(x, y, epochs=2, batch_size=10, steps_per_epoch=3, verbose=0)
    assert history.params["steps"] == 3 and model.optimizer.iterations == 6
    with pytest.raises(ArgumentError, match="more batches than the data holds"):
        model.fit(x, y, batch_size=10, steps_per_epoch=11, verbose=0)


def test_get_layer_and_set_weights_on_models():
    model = _mlp()
    assert model.get_layer(index=-1) is model.layers[-1]
    assert model.get_layer(model.layers[0].name) is model.layers[0]
    with pytest.raises(ArgumentError, match="no layer named 'nope'"):
        model.get_layer("nope")
    twin = _mlp()
    twin.set_weights(model.get_weights())
    x, _ = _data(n=5)
    np.testing.assert_array_equal(twin.predict(x, verbose=0), model.predict(x, verbose=0))
