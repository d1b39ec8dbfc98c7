"""Bad input to the Keras door gets a deepnum error saying what was received (SPEC §4), and a
non-finite loss during fit names the epoch, the batch and the first layer that went
non-finite (or, with TerminateOnNaN, stops training gracefully with the same diagnosis)."""

from __future__ import annotations

import numpy as np
import pytest

import deepnum as dn
from deepnum import keras
from deepnum.errors import (
    ArgumentError,
    DataError,
    DTypeError,
    NonFiniteError,
    ShapeError,
    StateError,
    UnknownNameError,
)
from deepnum.keras import callbacks, layers

RNG = np.random.default_rng(2)
X = RNG.standard_normal((40, 5)).astype(np.float32)
Y = RNG.integers(0, 3, 40)


def _model(compiled=True, **layer_args):
    model = keras.Sequential([keras.Input(shape=(5,)), layers.Dense(4, activation="relu"),
                              layers.Dense(3, activation="softmax", **layer_args)])
    if compiled:
        model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy",
                      metrics=["accuracy"])
    return model


def test_fit_and_evaluate_before_compile_are_state_errors():
    model = _model(compiled=False)
    with pytest.raises(StateError, match="must be compiled first"):
        model.fit(X, Y, verbose=0)
    with pytest.raises(StateError, match="must be compiled first"):
        model.evaluate(X, Y, verbose=0)
    assert model.predict(X, verbose=0).shape == (40, 3)  # predict needs no compile
    model.compile(optimizer="sgd")
    with pytest.raises(StateError, match="compiled without a loss"):
        model.fit(X, Y, verbose=0)


def test_x_and_y_of_different_lengths():
    with pytest.raises(DataError, match="x has 40, y has 39"):
        _model().fit(X, Y[:39], verbose=0)
    with pytest.raises(DataError, match="x has 40, y has 39"):
        _model().evaluate(X, Y[:39], verbose=0)


def test_labels_outside_the_class_range_fail_before_any_update():
    model = _model()
    before = model.get_weights()
    bad = Y.copy()
    bad[17] = 3
    with pytest.raises(DataError, match=r"label 3 is outside the class range \[0, 3\) of model "
                                        r"'.*', which has 3 outputs"):
        model.fit(X, bad, verbose=0)
    bad[17] = -1
    with pytest.raises(DataError, match="label -1"):
        model.fit(X, bad, verbose=0)
    for a, b in zip(before, model.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf])
def test_non_finite_inputs_are_found_once_per_call(value):
    x = X.copy()
    x[3, 2] = value
    with pytest.raises(DataError, match=r"fit: x holds 1 non-finite value\(s\) .* at index "
                                        r"\(3, 2\)"):
        _model().fit(x, Y, verbose=0)
    with pytest.raises(DataError, match=r"predict: x holds 1 non-finite"):
        _model().predict(x, verbose=0)
    with pytest.raises(DataError, match=r"validation_data: x holds 1 non-finite"):
        _model().fit(X, Y, validation_data=(x, Y), verbose=0)
    with pytest.raises(DataError, match="y holds 1 non-finite"):
        model = _model(compiled=False)
        model.compile(loss="mse")
        y = RNG.standard_normal((40, 3))
        y[0, 0] = value
        model.fit(X, y, verbose=0)


def test_empty_data():
    with pytest.raises(DataError, match=r"fit: x is empty \(shape \(0, 5\)\)"):
        _model().fit(np.zeros((0, 5)), np.zeros(0, int), verbose=0)
    with pytest.raises(DataError, match="is empty"):
        _model().predict(np.zeros((0, 5)), verbose=0)
    with pytest.raises(ArgumentError, match=r"no input data given \(x=None\)"):
        _model().fit(None, Y, verbose=0)
    with pytest.raises(ArgumentError, match="targets y are needed"):
        _model().fit(X, verbose=0)


def test_wrong_input_width_names_the_model_or_layer():
    model = _model()
    with pytest.raises(ShapeError, match=r"expects inputs of shape \(None, 5\), got x of shape "
                                         r"\(40, 7\)"):
        model.fit(np.zeros((40, 7)), Y, verbose=0)
    lazy = keras.Sequential([layers.Dense(3, name="first")])
    lazy(np.zeros((2, 784)))
    with pytest.raises(ShapeError, match=r"model '.*' expects inputs of shape \(None, 784\), "
                                         r"got x of shape \(2, 100\)"):
        lazy.predict(np.zeros((2, 100)), verbose=0)
    with pytest.raises(ShapeError, match="Dense 'first' expects 784 features, got 100"):
        lazy(np.zeros((2, 100)))


def test_unknown_names_suggest_the_closest():
    model = _model(compiled=False)
    with pytest.raises(UnknownNameError, match="unknown optimizer 'rmsporp'; did you mean "
                                               "'rmsprop'"):
        model.compile(optimizer="rmsporp", loss="mse")
    with pytest.raises(UnknownNameError, match="did you mean 'categorical_crossentropy'"):
        model.compile(loss="categorical_crossentropi")
    with pytest.raises(UnknownNameError, match="unknown metric 'acuracy'; did you mean "
                                               "'accuracy'"):
        model.compile(loss="mse", metrics=["acuracy"])
    with pytest.raises(UnknownNameError, match="did you mean 'softmax'"):
        layers.Dense(3, activation="softmx")


def test_argument_errors_of_fit():
    model = _model()
    for fraction in (1.0, -0.1, 1.5):
        with pytest.raises(ArgumentError, match=rf"validation_split must be a number in \[0, 1\), "
                                                rf"got {fraction}"):
            model.fit(X, Y, validation_split=fraction, verbose=0)
    with pytest.raises(ArgumentError, match="batch_size must be a positive integer, got 0"):
        model.fit(X, Y, batch_size=0, verbose=0)
    with pytest.raises(ArgumentError, match="epochs must be a non-negative integer, got -1"):
        model.fit(X, Y, epochs=-1, verbose=0)
    with pytest.raises(ArgumentError, match="verbose must be 0, 1, 2 or 'auto', got 3"):
        model.fit(X, Y, verbose=3)
    with pytest.raises(ArgumentError, match=r"validation_data: targets y are needed"):
        model.fit(X, Y, validation_data=X, verbose=0)  # x alone: only for models without y
    with pytest.raises(ArgumentError, match=r"validation_data must be x_val, .*length 4"):
        model.fit(X, Y, validation_data=(X, Y, None, None), verbose=0)
    with pytest.raises(DataError, match="of 1 examples leaves no training examples"):
        model.fit(X[:1], Y[:1], validation_split=0.5, verbose=0)
    with pytest.raises(DataError, match=r"class_weight has no weight for class\(es\) \[2\]"):
        model.fit(X, Y, class_weight={0: 1.0, 1: 1.0}, verbose=0)
    with pytest.raises(ArgumentError, match="callbacks must be keras.callbacks.Callback"):
        model.fit(X, Y, callbacks=[print], verbose=0)


def test_targets_of_the_wrong_dtype_for_a_sparse_loss():
    with pytest.raises(DTypeError, match="integer class labels, got dtype float64 with "
                                         "non-integer values"):
        _model().fit(X, Y + 0.5, verbose=0)
    with pytest.raises(ShapeError, match="one-hot"):
        _model().fit(X, keras.utils.to_categorical(Y), verbose=0)
    with pytest.raises(DTypeError, match="expected numbers, got an array of dtype <U1"):
        _model().fit(X, np.array(["a"] * 40), verbose=0)
    model = _model()
    model.fit(X, Y.astype(np.float32), epochs=1, verbose=0)  # integral floats are labels


# ----- non-finite losses --------------------------------------------------------------------
def test_a_non_finite_layer_output_is_named_with_epoch_and_batch():
    model = keras.Sequential([keras.Input(shape=(5,)), layers.Dense(4, name="ok"),
                              layers.Dense(4, activation="exponential", name="blows_up"),
                              layers.Dense(3, activation="softmax", name="head")])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.0), loss=
                  "sparse_categorical_crossentropy")
    model.layers[0].set_weights([np.full((5, 4), 0.1, np.float32), np.zeros(4, np.float32)])
    model.layers[1].set_weights([np.ones((4, 4), np.float32), np.zeros(4, np.float32)])
    x = np.abs(X) + 1
    x[20:] *= 100  # the batches from 20 on overflow exp()
    before = model.get_weights()
    with np.errstate(all="ignore"), pytest.raises(NonFiniteError) as info:
        model.fit(x, Y, batch_size=10, epochs=2, shuffle=False, verbose=0)
    message = str(info.value)
    assert "epoch 1/2, batch 3/4" in message
    assert "the output of layer 'blows_up' (Dense)" in message
    for a, b in zip(before, model.get_weights(), strict=True):  # the bad update never happened
        np.testing.assert_array_equal(a, b)


def test_non_finite_weights_are_named():
    model = _model()
    kernel = model.layers[1].kernel.data
    kernel[0, 0] = np.nan
    with pytest.raises(NonFiniteError, match=r"epoch 1/1, batch 1/2; .* weights of layer "
                                             r"'dense_\d+' \(Dense\): 'kernel' hold NaN"):
        model.fit(X, Y, batch_size=32, verbose=0)


def test_a_non_finite_loss_with_finite_outputs_blames_the_loss():
    model = _model(compiled=False)

    def broken(y_true, y_pred):
        return dn.log(y_pred.sum(axis=-1) - 1.0)  # log(0): -inf
    model.compile(loss=broken)
    with np.errstate(all="ignore"), pytest.raises(NonFiniteError,
                                                  match="the loss itself is non-finite"):
        model.fit(X, Y.astype(np.float32), verbose=0)


def test_diagnosis_changes_no_random_state_and_no_moving_average():
    model = keras.Sequential([keras.Input(shape=(5,)), layers.BatchNormalization(),
                              layers.Dropout(0.5), layers.Dense(3, activation="softmax")])
    model.compile(loss="sparse_categorical_crossentropy")
    from deepnum.keras.models.diagnose import diagnose

    dn.manual_seed(3)
    state = dn.get_rng_state()
    stats = [w.data.copy() for w in model.non_trainable_weights]
    report = diagnose(model, X, float("nan"), "here")
    assert "the loss itself" in report
    assert dn.get_rng_state() == state
    for a, w in zip(stats, model.non_trainable_weights, strict=True):
        np.testing.assert_array_equal(a, w.data)


def test_terminate_on_nan_stops_gracefully_with_the_same_diagnosis(capsys):
    model = _model()
    kernel = model.layers[0].kernel.data
    model.fit(X, Y, epochs=1, verbose=0)
    kernel[1, 1] = np.inf
    with np.errstate(all="ignore"):
        history = model.fit(X, Y, epochs=3, batch_size=8, verbose=0,
                            callbacks=[callbacks.TerminateOnNaN()])
    out = capsys.readouterr().out
    assert "Batch 0: Invalid loss, terminating training" in out
    assert "the loss became nan at epoch 1/3, batch 1/5" in out and "'kernel' hold" in out
    assert history.epoch == [0] and np.isnan(history.history["loss"][0])
