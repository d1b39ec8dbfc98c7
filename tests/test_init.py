"""``deepnum.nn.init``: fan rules and gains equal PyTorch's; every initialiser's shape, dtype,
bounds and variance against its formula; seeding; the array-level functions."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import deepnum as dn
import deepnum.nn as nn
from deepnum.errors import ShapeError, UnknownNameError
from deepnum.nn import init

SHAPES = [(300, 200), (64, 16, 3, 3), (50, 40, 7)]


@pytest.mark.parametrize("shape", SHAPES + [(1, 1), (0, 3)], ids=str)
def test_fans_equal_torch(shape):
    assert init._calculate_fan_in_and_fan_out(dn.empty(*shape)) == \
        torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(*shape))


def test_fans_need_two_dimensions():
    with pytest.raises(ShapeError, match="fewer than 2 dimensions"):
        init._calculate_fan_in_and_fan_out(dn.empty(5))
    with pytest.raises(UnknownNameError, match="did you mean 'fan_in'"):
        init.kaiming_uniform_(dn.empty(3, 3), mode="fan_inn")


@pytest.mark.parametrize("name,param", [("linear", None), ("conv2d", None), ("sigmoid", None),
                                        ("tanh", None), ("relu", None), ("leaky_relu", None),
                                        ("leaky_relu", 0.2), ("leaky_relu", 1), ("selu", None)])
def test_gain_equals_torch(name, param):
    assert init.calculate_gain(name, param) == pytest.approx(
        torch.nn.init.calculate_gain(name, param), rel=1e-15)


def test_gain_errors():
    with pytest.raises(UnknownNameError, match="did you mean 'tanh'"):
        init.calculate_gain("tahn")
    with pytest.raises(ValueError, match="negative_slope"):
        init.calculate_gain("leaky_relu", True)


def _check_uniform(values, bound):
    assert np.abs(values).max() <= bound * (1 + 1e-6)
    assert np.abs(values).max() > 0.98 * bound
    np.testing.assert_allclose(values.mean(), 0, atol=4 * bound / math.sqrt(3 * values.size))
    np.testing.assert_allclose(values.var(), bound**2 / 3, rtol=0.05)


def _check_normal(values, std):
    np.testing.assert_allclose(values.mean(), 0, atol=4 * std / math.sqrt(values.size))
    np.testing.assert_allclose(values.std(), std, rtol=0.05)


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("gain", [1.0, 2.0])
def test_xavier(shape, gain):
    fan_in, fan_out = init._calculate_fan_in_and_fan_out(dn.empty(*shape))
    _check_uniform(init.xavier_uniform_(dn.empty(*shape), gain).numpy(),
                   gain * math.sqrt(6 / (fan_in + fan_out)))
    _check_normal(init.xavier_normal_(dn.empty(*shape), gain).numpy(),
                  gain * math.sqrt(2 / (fan_in + fan_out)))


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("a,mode,nonlinearity", [(0, "fan_in", "leaky_relu"),
                                                 (math.sqrt(5), "fan_in", "leaky_relu"),
                                                 (0, "fan_out", "relu"), (0, "fan_in", "tanh")])
def test_kaiming(shape, a, mode, nonlinearity):
    fan = init._calculate_correct_fan(dn.empty(*shape), mode)
    std = init.calculate_gain(nonlinearity, a) / math.sqrt(fan)
    w = dn.empty(*shape)
    _check_uniform(init.kaiming_uniform_(w, a, mode, nonlinearity).numpy(), math.sqrt(3) * std)
    _check_normal(init.kaiming_normal_(w, a, mode, nonlinearity).numpy(), std)


def test_lecun_and_aliases():
    w = dn.empty(400, 100)
    _check_uniform(init.lecun_uniform_(w).numpy(), math.sqrt(3 / 100))
    _check_normal(init.lecun_normal_(w).numpy(), 1 / math.sqrt(100))
    assert init.glorot_uniform_ is init.xavier_uniform_ and init.he_normal_ is init.kaiming_normal_
    assert init.glorot_normal_ is init.xavier_normal_ and init.he_uniform_ is init.kaiming_uniform_


def test_simple_fills_match_torch():
    for name, args in [("constant_", (0.3,)), ("ones_", ()), ("zeros_", ()), ("eye_", ())]:
        got = getattr(init, name)(dn.empty(3, 5), *args).numpy()
        want = getattr(torch.nn.init, name)(torch.empty(3, 5), *args).numpy()
        np.testing.assert_array_equal(got, want)
    with pytest.raises(ShapeError):
        init.eye_(dn.empty(2, 2, 2))
    _check_uniform(init.uniform_(dn.empty(200, 100), -0.3, 0.3).numpy(), 0.3)
    v = init.normal_(dn.empty(200, 100), 1.0, 0.5).numpy()
    _check_normal(v - 1.0, 0.5)
    t = init.trunc_normal_(dn.empty(200, 100), 0.0, 1.0, -0.5, 1.0).numpy()
    assert t.min() >= -0.5 and t.max() <= 1.0 and t.std() > 0.3


def test_in_place_on_parameters_keeps_identity_dtype_and_leaf():
    p = nn.Parameter(dn.zeros(4, 3, dtype=dn.float64))
    array = p.data
    assert init.xavier_uniform_(p) is p
    assert p.data is array and p.dtype == np.float64 and p.is_leaf and p.requires_grad
    assert p.data.any()


def test_seeded_from_the_init_stream_and_generator():
    dn.manual_seed(4)
    a = init.kaiming_normal_(dn.empty(5, 5)).numpy().copy()
    dn.manual_seed(4)
    dn.randn(7)  # the tensor stream is independent of the init stream
    b = init.kaiming_normal_(dn.empty(5, 5)).numpy()
    np.testing.assert_array_equal(a, b)
    c = init.uniform_(dn.empty(3), generator=np.random.default_rng(1)).numpy()
    d = init.uniform_(dn.empty(3), generator=np.random.default_rng(1)).numpy()
    np.testing.assert_array_equal(c, d)


def test_zero_element_tensor_warns_like_torch():
    with pytest.warns(UserWarning, match="no-op"):
        init.kaiming_uniform_(dn.empty(0, 3))


def test_array_level_functions_take_explicit_fans():
    rng = np.random.default_rng(0)
    k = init.glorot_uniform_array((300, 100), 300, 100, rng, np.float32)  # Keras (in, out)
    assert k.shape == (300, 100) and k.dtype == np.float32
    _check_uniform(k, math.sqrt(6 / 400))
    _check_normal(init.glorot_normal_array((300, 100), 300, 100, rng, np.float64),
                  math.sqrt(2 / 400))
    _check_uniform(init.he_uniform_array((300, 100), 300, rng, np.float64), math.sqrt(6 / 300))
    _check_normal(init.he_normal_array((300, 100), 300, rng, np.float64), math.sqrt(2 / 300))
    _check_uniform(init.lecun_uniform_array((300, 100), 300, rng, np.float64), math.sqrt(3 / 300))
    _check_normal(init.lecun_normal_array((300, 100), 300, rng, np.float64), math.sqrt(1 / 300))
    t = init.truncated_normal_array((10000,), 0.0, 1.0, -2.0, 2.0, rng, np.float32)
    assert t.dtype == np.float32 and np.abs(t).max() <= 2.0
    np.testing.assert_allclose(t.std(), 0.8796, rtol=0.03)  # the std of N(0,1) cut at ±2
