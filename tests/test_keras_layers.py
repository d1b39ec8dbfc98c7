"""Keras-door layers against PyTorch 2.13 (weights copied across: a Dense kernel is a Linear
weight transposed; BatchNormalization's momentum m is BatchNorm1d's 1 - m), float64 finite
differences of every learned layer, lazy building, and config round trips."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
import torch

import deepnum as dn
from deepnum.errors import ArgumentError, ShapeError, StateError, UnknownNameError
from deepnum.keras import backend, layers

RNG = np.random.default_rng(11)
TOL = {np.float64: 1e-10, np.float32: 1e-5}
TORCH = {np.float64: torch.float64, np.float32: torch.float32}


def _run_both(layer, module, x_np, dtype, train=False, **call):
    """Forward both on ``x_np``, backward a fixed random weighting; returns the deepnum and
    torch inputs and outputs for the caller's comparisons."""
    x_dn = dn.tensor(x_np.astype(dtype), requires_grad=True)
    x_t = torch.tensor(x_np.astype(dtype), requires_grad=True)
    out_dn = layer(x_dn, **call)
    out_t = module(x_t)
    np.testing.assert_allclose(out_dn.data, out_t.detach().numpy(), rtol=TOL[dtype],
                               atol=TOL[dtype], err_msg="forward")
    w = RNG.standard_normal(out_dn.shape).astype(dtype)
    (out_dn * dn.tensor(w)).sum().backward()
    (out_t * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(x_dn.grad, x_t.grad.numpy(), rtol=TOL[dtype], atol=TOL[dtype],
                               err_msg="input gradient")
    return out_dn, out_t


def _grad_close(param, torch_param, dtype, transpose=False):
    expected = torch_param.grad.numpy()
    np.testing.assert_allclose(param.grad, expected.T if transpose else expected,
                               rtol=TOL[dtype], atol=TOL[dtype])


def _with_weights(layer, names, **call):
    """fn(x, *weights) calling ``layer`` with the given tensors as its weights (for
    gradcheck of the weight gradients)."""
    def fn(x, *weights):
        for name, w in zip(names, weights, strict=True):
            layer._parameters[name] = w
        return layer(x, **call)
    return fn


# ----- Dense ------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("activation,torch_fn", [
    (None, lambda t: t), ("relu", torch.relu), ("softmax", lambda t: torch.softmax(t, -1)),
    ("sigmoid", torch.sigmoid), ("tanh", torch.tanh)])
@pytest.mark.parametrize("shape", [(5, 3), (2, 4, 3)], ids=str)
def test_dense_matches_torch_linear(dtype, activation, torch_fn, shape):
    layer = layers.Dense(4, activation=activation, dtype=dtype)
    layer.build((None, 3))
    linear = torch.nn.Linear(3, 4).to(TORCH[dtype])
    layer.set_weights([linear.weight.detach().numpy().T, linear.bias.detach().numpy()])
    _run_both(layer, lambda t: torch_fn(linear(t)), RNG.standard_normal(shape), dtype)
    _grad_close(layer.kernel, linear.weight, dtype, transpose=True)
    _grad_close(layer.bias, linear.bias, dtype)


def test_dense_without_bias_matches_torch():
    layer = layers.Dense(2, use_bias=False, dtype="float64")
    layer.build((None, 3))
    linear = torch.nn.Linear(3, 2, bias=False).double()
    layer.set_weights([linear.weight.detach().numpy().T])
    _run_both(layer, linear, RNG.standard_normal((4, 3)), np.float64)
    assert [w.shape for w in layer.weights] == [(3, 2)]


def test_dense_gradcheck_input_kernel_bias():
    layer = layers.Dense(3, activation="tanh", dtype="float64")
    layer.build((None, 4))
    x = dn.tensor(RNG.standard_normal((5, 4)), requires_grad=True)
    k = dn.tensor(layer.kernel.data, requires_grad=True)
    b = dn.tensor(RNG.standard_normal(3), requires_grad=True)
    assert dn.gradcheck(_with_weights(layer, ["kernel", "bias"]), [x, k, b])


def test_dense_builds_lazily_with_keras_layout_and_init():
    dn.manual_seed(0)
    layer = layers.Dense(300)
    assert not layer.built and layer.weights == []
    with pytest.raises(StateError, match="not built"):
        layer.count_params()
    layer(dn.ones(2, 400))
    assert layer.built and layer.kernel.shape == (400, 300) and layer.bias.shape == (300,)
    bound = math.sqrt(6 / (400 + 300))
    assert np.abs(layer.kernel.data).max() <= bound
    assert np.abs(layer.kernel.data).max() > 0.95 * bound
    np.testing.assert_allclose(layer.kernel.data.var(), bound**2 / 3, rtol=0.02)
    assert not layer.bias.data.any()
    assert layer.count_params() == 400 * 300 + 300
    assert layer.kernel.dtype == np.float32


def test_dense_refuses_a_wrong_input_width_naming_the_layer():
    backend.clear_session()
    layers.Dense(3)
    layer = layers.Dense(10)
    layer(dn.ones(1, 784))
    with pytest.raises(ShapeError, match="Dense 'dense_1' expects 784 features, got 100"):
        layer(dn.ones(5, 100))


def test_dense_casts_integer_and_uint8_inputs_to_its_dtype():
    layer = layers.Dense(2)
    out = layer(np.full((3, 4), 255, np.uint8))
    assert out.dtype == np.float32
    np.testing.assert_allclose(out.data, (np.full((3, 4), 255.0) @ layer.kernel.data),
                               rtol=1e-6)


def test_dense_argument_errors():
    with pytest.raises(ArgumentError, match="units must be a positive integer, got 0"):
        layers.Dense(0)
    with pytest.raises(UnknownNameError, match="did you mean 'relu'"):
        layers.Dense(3, activation="rleu")
    with pytest.raises(UnknownNameError, match="did you mean 'glorot_uniform'"):
        layers.Dense(3, kernel_initializer="glorot_unifrom")
    with pytest.raises(ArgumentError, match="unrecognized keyword"):
        layers.Dense(3, kernel_size=3)


# ----- activation layers --------------------------------------------------------------------
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("make,torch_fn", [
    (lambda: layers.Activation("relu"), torch.relu),
    (lambda: layers.Activation("elu"), torch.nn.functional.elu),
    (lambda: layers.Activation("selu"), torch.selu),
    (lambda: layers.Activation("gelu"), torch.nn.functional.gelu),
    (lambda: layers.Activation("softplus"), torch.nn.functional.softplus),
    (lambda: layers.Activation("silu"), torch.nn.functional.silu),
    (lambda: layers.Activation("log_softmax"), lambda t: torch.log_softmax(t, -1)),
    (lambda: layers.ReLU(), torch.relu),
    (lambda: layers.LeakyReLU(), lambda t: torch.nn.functional.leaky_relu(t, 0.3)),
    (lambda: layers.LeakyReLU(negative_slope=0.01), torch.nn.functional.leaky_relu),
    (lambda: layers.ELU(alpha=0.7), lambda t: torch.nn.functional.elu(t, 0.7)),
    (lambda: layers.Softmax(), lambda t: torch.softmax(t, -1)),
    (lambda: layers.Softmax(axis=1), lambda t: torch.softmax(t, 1)),
], ids=lambda v: getattr(v, "__name__", None))
def test_activation_layers_match_torch(dtype, make, torch_fn):
    x = RNG.choice([-1.0, 1.0], (3, 4, 5)) * RNG.uniform(0.1, 2.0, (3, 4, 5))
    layer = make()
    layer._dtype = np.dtype(dtype)
    _run_both(layer, torch_fn, x, dtype)


def test_relu_options_follow_kerass_formula():
    x = np.array([-3.0, -1.0, 0.5, 2.0, 8.0])
    layer = layers.ReLU(max_value=6.0, negative_slope=0.1, threshold=1.0, dtype="float64")
    expected = np.minimum(np.where(x >= 1.0, x, 0.1 * (x - 1.0)), 6.0)
    np.testing.assert_allclose(layer(dn.tensor(x)).data, expected)
    t = dn.tensor([-3.0, 0.5, 2.0, 7.0], requires_grad=True)
    assert dn.gradcheck(lambda v: layer(v), [t])


def test_leaky_relu_alpha_is_deprecated_but_accepted():
    with pytest.warns(DeprecationWarning, match="alpha"):
        layer = layers.LeakyReLU(alpha=0.2)
    assert layer.negative_slope == 0.2
    with pytest.raises(ArgumentError, match="negative_slope must be a number >= 0"):
        layers.LeakyReLU(negative_slope=-1)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_prelu_matches_torch_per_feature(dtype):
    layer = layers.PReLU(dtype=dtype)
    layer.build((None, 4))
    assert layer.alpha.shape == (4,) and not layer.alpha.data.any()  # Keras: zeros
    module = torch.nn.PReLU(num_parameters=4).to(TORCH[dtype])
    with torch.no_grad():
        module.weight.uniform_(0.1, 0.5)
    layer.set_weights([module.weight.detach().numpy()])
    _run_both(layer, module, RNG.standard_normal((6, 4)), dtype)
    _grad_close(layer.alpha, module.weight, dtype)


def test_prelu_shared_axes_and_gradcheck():
    layer = layers.PReLU(alpha_initializer=layers.base.initializers.Constant(0.25),
                         shared_axes=[1, 2], dtype="float64")
    x = dn.tensor(RNG.standard_normal((2, 3, 4, 5)), requires_grad=True)
    layer(x)
    assert layer.alpha.shape == (1, 1, 5)
    a = dn.tensor(RNG.uniform(0.1, 0.4, (1, 1, 5)), requires_grad=True)
    assert dn.gradcheck(_with_weights(layer, ["alpha"]), [x, a])


# ----- BatchNormalization -------------------------------------------------------------------
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_batch_normalization_training_matches_torch(dtype):
    layer = layers.BatchNormalization(momentum=0.9, epsilon=1e-3, dtype=dtype)
    layer.build((None, 4))
    module = torch.nn.BatchNorm1d(4, eps=1e-3, momentum=1 - 0.9).to(TORCH[dtype])
    with torch.no_grad():
        module.weight.uniform_(0.5, 1.5)
        module.bias.uniform_(-0.5, 0.5)
    layer.set_weights([module.weight.detach().numpy(), module.bias.detach().numpy(),
                       np.zeros(4), np.ones(4)])
    x = RNG.standard_normal((8, 4)) * 3 + 1
    _run_both(layer, module, x, dtype, training=True)
    _grad_close(layer.gamma, module.weight, dtype)
    _grad_close(layer.beta, module.bias, dtype)
    tol = TOL[dtype]
    np.testing.assert_allclose(layer.moving_mean.data, module.running_mean.numpy(), rtol=tol,
                               atol=tol)
    # Keras moves the variance with the biased batch variance, PyTorch with the unbiased one
    np.testing.assert_allclose(layer.moving_variance.data, 0.9 + 0.1 * x.var(axis=0),
                               rtol=tol, atol=tol)


def test_batch_normalization_inference_uses_moving_statistics():
    layer = layers.BatchNormalization(dtype="float64")
    layer.build((None, 3))
    mean, var = RNG.standard_normal(3), RNG.uniform(0.5, 2.0, 3)
    layer.set_weights([np.full(3, 2.0), np.full(3, 0.5), mean, var])
    x = RNG.standard_normal((5, 3))
    expected = (x - mean) / np.sqrt(var + 1e-3) * 2.0 + 0.5
    np.testing.assert_allclose(layer(dn.tensor(x), training=False).data, expected)
    np.testing.assert_allclose(layer(dn.tensor(x)).data, expected)  # the default: inference
    assert np.array_equal(layer.moving_mean.data, mean)  # untouched
    layer.trainable = False  # a frozen layer normalizes with its moving statistics
    np.testing.assert_allclose(layer(dn.tensor(x), training=True).data, expected)


def test_batch_normalization_gradcheck_channels_last():
    layer = layers.BatchNormalization(dtype="float64")
    x = dn.tensor(RNG.standard_normal((3, 2, 4)), requires_grad=True)
    layer(x)
    gamma = dn.tensor(RNG.uniform(0.5, 1.5, 4), requires_grad=True)
    beta = dn.tensor(RNG.standard_normal(4), requires_grad=True)
    # batch statistics: the moving averages (updated by each call) do not enter the output
    assert dn.gradcheck(_with_weights(layer, ["gamma", "beta"], training=True), [x, gamma, beta])


def test_batch_normalization_weights_and_summary_counts():
    layer = layers.BatchNormalization(center=False)
    layer(dn.ones(4, 6))
    assert [w.shape for w in layer.weights] == [(6,), (6,), (6,)]
    assert len(layer.trainable_weights) == 1 and len(layer.non_trainable_weights) == 2
    assert layer.count_params() == 18
    with pytest.raises(ShapeError, match="expects inputs of rank 2 with 6 features"):
        layer(dn.ones(4, 5))


# ----- Dropout, Flatten, Reshape --------------------------------------------------------------
def test_dropout_is_identity_unless_training_and_scales_survivors():
    layer = layers.Dropout(0.25)
    x = dn.ones(400, 50)
    assert layer(x) is x and layer(x, training=False) is x
    dn.manual_seed(3)
    out = layer(x, training=True).data
    kept = out != 0
    assert abs(kept.mean() - 0.75) < 0.01
    np.testing.assert_allclose(out[kept], 1 / 0.75)
    dn.manual_seed(3)
    assert np.array_equal(layer(x, training=True).data, out)  # the seeded "dropout" stream
    a, b = layers.Dropout(0.5, seed=1), layers.Dropout(0.5, seed=1)
    assert np.array_equal(a(x, training=True).data, b(x, training=True).data)
    with pytest.raises(ArgumentError, match=r"rate must be a number in \[0, 1\], got 1.5"):
        layers.Dropout(1.5)


def test_flatten_and_reshape_shapes_gradients_and_errors():
    x = dn.tensor(RNG.standard_normal((2, 3, 4)), requires_grad=True)
    assert layers.Flatten()(x).shape == (2, 12)
    assert layers.Reshape((4, 3))(x).shape == (2, 4, 3)
    assert layers.Reshape((-1, 2))(x).shape == (2, 6, 2)
    assert dn.gradcheck(lambda v: layers.Reshape((12,), dtype="float64")(v), [x])
    assert layers.Reshape((-1, 2)).compute_output_shape((None, 3, 4)) == (None, 6, 2)
    with pytest.raises(ShapeError, match="cannot reshape examples of shape"):
        layers.Reshape((5,))(x)
    with pytest.raises(ArgumentError, match="at most one -1"):
        layers.Reshape((-1, -1))


# ----- Input, config, naming ----------------------------------------------------------------
def test_input_is_symbolic_and_builds_the_layers_it_meets():
    x = layers.Input(shape=(784,))
    assert x.shape == (None, 784)
    dense = layers.Dense(10)
    y = dense(x)
    assert y.shape == (None, 10) and dense.built and dense.kernel.shape == (784, 10)
    with pytest.raises(TypeError, match="symbolic"):
        np.asarray(x)
    with pytest.raises(ArgumentError, match="give shape= .* or batch_shape="):
        layers.InputLayer()


LAYERS = [
    lambda: layers.Dense(3, activation="relu", kernel_regularizer="l2"),
    lambda: layers.Activation("tanh"), lambda: layers.Dropout(0.3, seed=2),
    lambda: layers.Flatten(), lambda: layers.Reshape((2, 2)),
    lambda: layers.BatchNormalization(momentum=0.8), lambda: layers.ReLU(max_value=2.0),
    lambda: layers.LeakyReLU(0.1), lambda: layers.PReLU(), lambda: layers.ELU(0.5),
    lambda: layers.Softmax(),
]


@pytest.mark.parametrize("make", LAYERS)
def test_config_round_trip_rebuilds_an_equal_layer(make):
    layer = make()
    x = dn.tensor(RNG.standard_normal((2, 4)))
    out = layer(x)
    config = layer.get_config()
    twin = type(layer).from_config(config)
    assert twin.get_config() == config
    twin(x)
    twin.set_weights(layer.get_weights())
    np.testing.assert_array_equal(twin(x).data, out.data)


def test_layer_names_are_numbered_and_clear_session_restarts_them():
    backend.clear_session()
    assert [layers.Dense(1).name, layers.Dense(1).name, layers.BatchNormalization().name] == [
        "dense", "dense_1", "batch_normalization"]
    backend.clear_session()
    assert layers.Dense(1).name == "dense"
    assert layers.Dense(1, name="head").name == "head"
    with pytest.raises(ArgumentError, match="name must be a non-empty string"):
        layers.Dense(1, name="a/b")


def test_trainable_flag_freezes_the_weights():
    layer = layers.Dense(2)
    layer(dn.ones(1, 3))
    layer.trainable = False
    assert layer.trainable_weights == [] and len(layer.non_trainable_weights) == 2
    assert not layer.kernel.requires_grad
    layer.trainable = True
    assert len(layer.trainable_weights) == 2 and layer.kernel.requires_grad


def test_a_custom_layer_builds_its_weights_lazily():
    class Scale(layers.Layer):
        def build(self, input_shape):
            self.add_weight("scale", (input_shape[-1],), "ones")

        def call(self, inputs):
            return inputs * self.scale

    layer = Scale()
    out = layer(dn.tensor([[1.0, 2.0]]))
    assert out.tolist() == [[1.0, 2.0]] and layer.count_params() == 2
    assert list(dict(layer.named_parameters())) == ["scale"]  # a deepnum.nn.Module too
    with pytest.raises(ArgumentError, match="exists already"):
        layer.add_weight("scale", (2,))


def test_set_weights_checks_count_and_shapes():
    layer = layers.Dense(2)
    layer(dn.ones(1, 3))
    with pytest.raises(ShapeError, match="has 2 weight arrays, got 1"):
        layer.set_weights([np.zeros((3, 2))])
    with pytest.raises(ShapeError, match=r"weight 0 .* shape \(3, 2\), got an array of shape"):
        layer.set_weights([np.zeros((2, 3)), np.zeros(2)])


def test_no_warnings_in_the_forward_pass():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        layers.Dense(4, activation="softmax")(dn.ones(2, 3))
