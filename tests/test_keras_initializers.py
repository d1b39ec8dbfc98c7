"""``deepnum.keras.initializers`` (Keras's fan rules and distributions, seeding, look-up) and
``deepnum.keras.regularizers`` (penalty values and gradients, look-up)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import deepnum as dn
from deepnum.errors import ArgumentError, UnknownNameError
from deepnum.keras import initializers as I
from deepnum.keras import regularizers as R


def test_fans_follow_keras_for_kernels_in_out():
    assert I.compute_fans((784, 512)) == (784, 512)
    assert I.compute_fans((3, 3, 16, 32)) == (9 * 16, 9 * 32)
    assert I.compute_fans((7,)) == (7, 7)
    assert I.compute_fans(()) == (1, 1)


@pytest.mark.parametrize("name,var,kind", [
    ("glorot_uniform", 2 / (600 + 400), "uniform"),
    ("glorot_normal", 2 / (600 + 400), "truncated"),
    ("he_uniform", 2 / 600, "uniform"),
    ("he_normal", 2 / 600, "truncated"),
    ("lecun_uniform", 1 / 600, "uniform"),
    ("lecun_normal", 1 / 600, "truncated"),
])
def test_variance_scaling_presets_have_kerass_variance_and_support(name, var, kind):
    dn.manual_seed(0)
    w = I.get(name)((600, 400), "float32")
    assert w.shape == (600, 400) and w.dtype == np.float32
    np.testing.assert_allclose(w.var(), var, rtol=0.02)
    if kind == "uniform":
        bound = math.sqrt(3 * var)
        assert np.abs(w).max() <= bound and np.abs(w).max() > 0.99 * bound
    else:  # cut at two standard deviations of the untruncated normal
        std = math.sqrt(var) / 0.87962566103423978
        assert np.abs(w).max() <= 2 * std and np.abs(w).max() > 1.9 * std


def test_plain_distributions_and_constants():
    dn.manual_seed(0)
    n = I.RandomNormal(mean=1.0, stddev=0.5)((200, 200))
    np.testing.assert_allclose([n.mean(), n.std()], [1.0, 0.5], rtol=0.02)
    u = I.RandomUniform(-0.1, 0.3)((200, 200))
    assert u.min() >= -0.1 and u.max() <= 0.3 and abs(u.mean() - 0.1) < 0.005
    t = I.TruncatedNormal(stddev=0.05)((200, 200))
    assert np.abs(t).max() <= 0.1
    assert not I.Zeros()((3,)).any() and (I.Ones()((3,)) == 1).all()
    assert (I.Constant(2.5)((2, 2)) == 2.5).all()
    np.testing.assert_array_equal(I.Identity(gain=2.0)((2, 3)), 2 * np.eye(2, 3))


@pytest.mark.parametrize("shape", [(6, 4), (4, 6), (2, 3, 5)])
def test_orthogonal_gives_orthonormal_rows_or_columns(shape):
    w = I.Orthogonal(gain=1.0, seed=3)(shape, "float64").reshape(-1, shape[-1])
    gram = w.T @ w if w.shape[0] >= w.shape[1] else w @ w.T
    np.testing.assert_allclose(gram, np.eye(len(gram)), atol=1e-12)


def test_glorot_uniform_matches_torchs_xavier_bound_with_transposed_fans():
    w = I.GlorotUniform()((784, 512))
    t = torch.empty(512, 784)
    torch.nn.init.xavier_uniform_(t)
    bound = math.sqrt(6 / (784 + 512))
    assert np.abs(w).max() <= bound and t.abs().max().item() <= bound


def test_seeds_give_private_reproducible_streams_and_none_the_global_one():
    a, b = I.HeNormal(seed=7), I.HeNormal(seed=7)
    assert np.array_equal(a((5, 5)), b((5, 5)))
    assert not np.array_equal(a((5, 5)), a((5, 5)))  # successive draws differ
    dn.manual_seed(1)
    x = I.GlorotUniform()((3, 3))
    dn.manual_seed(1)
    dn.randn(4)  # another stream: does not move "init"
    assert np.array_equal(I.GlorotUniform()((3, 3)), x)


def test_lookup_serialize_and_errors():
    assert isinstance(I.get("he_normal"), I.HeNormal)
    assert isinstance(I.get("HeNormal"), I.HeNormal)
    spec = I.serialize(I.VarianceScaling(2.0, "fan_out", "uniform", seed=4))
    assert spec == {"class_name": "VarianceScaling", "config": {
        "scale": 2.0, "mode": "fan_out", "distribution": "uniform", "seed": 4}}
    assert I.get(spec).get_config() == spec["config"]
    with pytest.raises(UnknownNameError, match="did you mean 'he_normal'"):
        I.get("he_normall")
    with pytest.raises(UnknownNameError, match="VarianceScaling mode 'fan_sum'"):
        I.VarianceScaling(mode="fan_sum")
    with pytest.raises(ArgumentError, match="plain function"):
        I.get(lambda shape, dtype: np.zeros(shape))
    with pytest.raises(ArgumentError, match="seed must be None or an integer"):
        I.GlorotUniform(seed=1.5)


# ----- regularizers ------------------------------------------------------------------------
def test_regularizer_values_and_gradients():
    w = np.array([[1.0, -2.0], [0.5, 0.0]])
    assert R.L1(0.1)(dn.tensor(w)).item() == pytest.approx(0.1 * 3.5)
    assert R.L2(0.1)(dn.tensor(w)).item() == pytest.approx(0.1 * 5.25)
    assert R.L1L2(0.1, 0.2)(dn.tensor(w)).item() == pytest.approx(0.35 + 0.2 * 5.25)
    assert R.l1_l2().get_config() == {"l1": 0.01, "l2": 0.01}
    t = dn.tensor([[1.0, -2.0], [0.5, 0.3]], dtype=dn.float64, requires_grad=True)
    assert dn.gradcheck(R.L1L2(0.1, 0.2), [t])
    assert R.L1L2()(dn.tensor(w)).item() == 0.0


def test_regularizer_lookup_and_errors():
    assert isinstance(R.get("l2"), R.L2) and R.get("l2").l2 == 0.01
    assert R.get(None) is None
    assert isinstance(R.get(R.serialize(R.L1(0.3))), R.L1)
    with pytest.raises(UnknownNameError, match="did you mean 'l1_l2'"):
        R.get("l1_l3")
    with pytest.raises(ArgumentError, match="l2 must be a number >= 0, got -1"):
        R.L2(-1)
