"""Layers of ``deepnum.nn`` (linear, shape, dropout, normalisation) against PyTorch 2.13:
values and gradients for inputs and parameters, float64 finite differences of the layer maths,
BatchNorm's running statistics over several steps, dropout statistics and seeding."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from nn_oracle import TORCH_DTYPE, compare_module, copy_weights, run_pair

import deepnum as dn
import deepnum.nn as nn
import deepnum.nn.functional as F
from deepnum.errors import DTypeError, ShapeError, StateError

RNG = np.random.default_rng(7)


def _x(*shape):
    return RNG.standard_normal(shape)


# ----- Linear -----------------------------------------------------------------------------
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("shape", [(5, 3), (3,), (2, 4, 3)], ids=str)
def test_linear_matches_torch(bias, shape):
    compare_module(lambda: nn.Linear(3, 4, bias=bias), lambda: torch.nn.Linear(3, 4, bias=bias),
                   [_x(*shape)])


def test_linear_gradcheck_all_inputs():
    x, w, b = (dn.tensor(_x(*s), requires_grad=True) for s in [(4, 3), (2, 3), (2,)])
    assert dn.gradcheck(F.linear, [x, w, b])


def test_linear_default_init_is_pytorchs_uniform_bound():
    dn.manual_seed(1)
    layer = nn.Linear(400, 300)
    bound = 1 / math.sqrt(400)
    for p in (layer.weight, layer.bias):
        assert np.abs(p.data).max() <= bound
        assert np.abs(p.data).max() > 0.95 * bound  # fills the range
    assert layer.weight.shape == (300, 400) and layer.weight.dtype == np.float32
    np.testing.assert_allclose(layer.weight.data.var(), bound**2 / 3, rtol=0.02)


def test_linear_init_is_seeded_from_the_init_stream():
    dn.manual_seed(3)
    a = nn.Linear(5, 2).weight.data.copy()
    dn.manual_seed(3)
    dn.randn(10)  # the "tensor" stream does not disturb the "init" stream
    assert np.array_equal(nn.Linear(5, 2).weight.data, a)


def test_linear_dtype_and_errors():
    assert nn.Linear(2, 2, dtype=dn.float64).weight.dtype == np.float64
    with pytest.raises(ShapeError, match=r"\(4, 5\).*\(2, 3\)"):
        nn.Linear(3, 2)(dn.ones(4, 5))
    with pytest.raises(DTypeError, match="float64"):
        nn.Linear(3, 2)(dn.ones(4, 3, dtype=dn.float64))
    with pytest.raises(ValueError, match="in_features"):
        nn.Linear(-1, 2)
    with pytest.raises(ValueError, match="CPU"):
        nn.Linear(2, 2, device="cuda")


def test_linear_accepts_numpy_input():
    layer = nn.Linear(3, 2)
    x = np.ones((4, 3), np.float32)
    np.testing.assert_allclose(layer(x).numpy() if not layer(x).requires_grad else
                               layer(x).detach().numpy(), x @ layer.weight.data.T + layer.bias.data,
                               rtol=1e-6)


# ----- shape layers ------------------------------------------------------------------------
def test_identity_flatten_unflatten_match_torch():
    x = _x(2, 3, 4, 5)
    compare_module(lambda: nn.Identity(54, unused=1), lambda: torch.nn.Identity(54, unused=1), [x])
    compare_module(nn.Flatten, torch.nn.Flatten, [x])
    compare_module(lambda: nn.Flatten(0, 2), lambda: torch.nn.Flatten(0, 2), [x])
    compare_module(lambda: nn.Unflatten(2, (2, 2)), lambda: torch.nn.Unflatten(2, (2, 2)), [x])
    compare_module(lambda: nn.Unflatten(-1, (5, -1)), lambda: torch.nn.Unflatten(-1, (5, -1)),
                   [x])
    with pytest.raises(ShapeError):
        nn.Unflatten(1, (2, 2))(dn.ones(2, 3))


# ----- Dropout ------------------------------------------------------------------------------
@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
def test_dropout_statistics(p):
    layer = nn.Dropout(p)
    x = dn.ones(200, 500)
    y = layer(x).numpy()
    zeroed = (y == 0).mean()
    assert abs(zeroed - p) < 4 * math.sqrt(p * (1 - p) / y.size)
    np.testing.assert_allclose(np.unique(y[y != 0]), [1 / (1 - p)], rtol=1e-6)
    assert abs(y.mean() - 1) < 0.02  # inverted dropout keeps the expectation


def test_dropout_gradient_uses_the_same_mask():
    x = dn.tensor(_x(50, 40), requires_grad=True)
    y = nn.Dropout(0.3)(x)
    y.sum().backward()
    kept = y.detach().numpy() != 0
    np.testing.assert_allclose(x.grad, kept / 0.7, rtol=1e-6)


def test_dropout_reproducible_eval_identity_and_edges():
    dn.manual_seed(5)
    a = nn.Dropout()(dn.ones(10, 10)).numpy()
    dn.manual_seed(5)
    dn.randn(3)
    nn.Linear(4, 4)  # other streams do not shift the dropout masks
    b = nn.Dropout()(dn.ones(10, 10)).numpy()
    assert np.array_equal(a, b)
    c = nn.Dropout()(dn.ones(10, 10)).numpy()
    assert not np.array_equal(a, c)
    layer = nn.Dropout(0.5).eval()
    x = dn.randn(4, 4)
    assert np.array_equal(layer(x).numpy(), x.numpy())
    assert not nn.Dropout(1.0)(dn.ones(3, 3)).numpy().any()
    assert np.array_equal(nn.Dropout(0.0)(x).numpy(), x.numpy())
    gen = np.random.default_rng(0)
    d1 = F.dropout(dn.ones(5, 5), 0.5, generator=gen).numpy()
    d2 = F.dropout(dn.ones(5, 5), 0.5, generator=np.random.default_rng(0)).numpy()
    assert np.array_equal(d1, d2)
    for p in (-0.1, 1.5):
        with pytest.raises(ValueError, match="between 0 and 1"):
            nn.Dropout(p)
    assert repr(nn.Dropout(0.2)) == repr(torch.nn.Dropout(0.2))


# ----- BatchNorm1d --------------------------------------------------------------------------
BN_CASES = [
    dict(),
    dict(affine=False),
    dict(momentum=None),
    dict(momentum=0.3, eps=1e-3),
    dict(track_running_stats=False),
    dict(bias=False),
]


@pytest.mark.parametrize("kwargs", BN_CASES, ids=str)
@pytest.mark.parametrize("shape", [(6, 3), (4, 3, 5)], ids=str)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_batchnorm1d_training_steps_then_eval_match_torch(kwargs, shape, dtype):
    rng = np.random.default_rng(1)
    tm = torch.nn.BatchNorm1d(3, **kwargs).to(TORCH_DTYPE[dtype])
    with torch.no_grad():
        for p in tm.parameters():
            p.uniform_(0.5, 1.5)
    dm = nn.BatchNorm1d(3, **kwargs).to(dtype)
    copy_weights(dm, tm)
    for step in range(4):
        x = rng.standard_normal(shape) * (step + 1) + step
        run_pair(dm, tm, [x], dtype, rng)
        for (name, bd), bt in zip(dm.named_buffers(), tm.buffers(), strict=True):
            np.testing.assert_allclose(bd.numpy(), bt.numpy(), rtol=1e-6, atol=1e-6, err_msg=name)
    dm.eval()
    tm.eval()
    run_pair(dm, tm, [rng.standard_normal(shape)], dtype, rng)


def test_batchnorm_state_dict_keys_match_torch():
    assert list(nn.BatchNorm1d(4).state_dict()) == list(torch.nn.BatchNorm1d(4).state_dict())
    assert nn.BatchNorm1d(4).num_batches_tracked.dtype == np.int64
    assert repr(nn.BatchNorm1d(4, momentum=None)) == repr(torch.nn.BatchNorm1d(4, momentum=None))


def test_batch_norm_gradcheck_training_and_eval():
    x, w, b = (dn.tensor(_x(*s), requires_grad=True) for s in [(5, 3, 2), (3,), (3,)])
    rm, rv = np.zeros(3), np.ones(3)
    assert dn.gradcheck(lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True), [x, w, b])
    assert dn.gradcheck(lambda x, w, b: F.batch_norm(x, rm, rv + 1, w, b), [x, w, b])


def test_batchnorm_errors():
    with pytest.raises(ShapeError, match="2D or 3D"):
        nn.BatchNorm1d(3)(dn.ones(2, 3, 4, 5))
    with pytest.raises(ShapeError, match="more than 1 value per channel"):
        nn.BatchNorm1d(3)(dn.ones(1, 3))
    with pytest.raises(ShapeError, match=r"\(5, 3\) has 3 channels .* running_mean has 4"):
        nn.BatchNorm1d(4)(dn.ones(5, 3))
    with pytest.raises(StateError):
        F.batch_norm(dn.ones(2, 3), None, None, training=False)
    out = nn.BatchNorm1d(3).eval()(dn.ones(1, 3))  # one example is fine in eval
    assert out.shape == (1, 3)


# ----- LayerNorm ----------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs", [dict(), dict(elementwise_affine=False), dict(bias=False),
                                    dict(eps=1e-2)], ids=str)
@pytest.mark.parametrize("norm_shape,shape", [(4, (3, 4)), ((2, 4), (3, 2, 4)), (4, (4,))],
                         ids=str)
def test_layernorm_matches_torch(kwargs, norm_shape, shape):
    def make_torch():
        m = torch.nn.LayerNorm(norm_shape, **kwargs)
        with torch.no_grad():
            for p in m.parameters():
                p.uniform_(0.5, 1.5)
        return m

    compare_module(lambda: nn.LayerNorm(norm_shape, **kwargs), make_torch, [_x(*shape) * 3 + 1])


def test_layer_norm_gradcheck_repr_and_errors():
    x, w, b = (dn.tensor(_x(*s), requires_grad=True) for s in [(3, 2, 4), (2, 4), (2, 4)])
    assert dn.gradcheck(lambda x, w, b: F.layer_norm(x, (2, 4), w, b), [x, w, b])
    assert repr(nn.LayerNorm((2, 4))) == repr(torch.nn.LayerNorm((2, 4)))
    assert list(nn.LayerNorm(3, bias=False).state_dict()) == ["weight"]
    with pytest.raises(ShapeError, match=r"\(\*, 4\)"):
        nn.LayerNorm(4)(dn.ones(2, 5))
