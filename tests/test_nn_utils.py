"""``deepnum.nn.utils`` against ``torch.nn.utils``: gradient clipping by norm (every norm type,
returning the total norm) and by value, and flat parameter vectors."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import deepnum as dn
import deepnum.nn as nn
from deepnum.errors import NonFiniteError, ShapeError
from deepnum.nn import utils

RNG = np.random.default_rng(5)
SHAPES = [(3, 4), (4,), (2, 2, 2)]


def _pair(scale=1.0):
    grads = [RNG.standard_normal(s) * scale for s in SHAPES]
    d = [nn.Parameter(dn.zeros(*s, dtype=dn.float64)) for s in SHAPES]
    t = [torch.nn.Parameter(torch.zeros(*s, dtype=torch.float64)) for s in SHAPES]
    for pd, pt, g in zip(d, t, grads, strict=True):
        pd.grad = g.copy()
        pt.grad = torch.tensor(g)
    return d, t


@pytest.mark.parametrize("norm_type", [2, 1, 3.5, math.inf])
@pytest.mark.parametrize("max_norm", [0.5, 100.0])
def test_clip_grad_norm_matches_torch(norm_type, max_norm):
    d, t = _pair()
    total_d = utils.clip_grad_norm_(d, max_norm, norm_type)
    total_t = torch.nn.utils.clip_grad_norm_(t, max_norm, norm_type)
    np.testing.assert_allclose(total_d.item(), total_t.item(), rtol=1e-12)
    for pd, pt in zip(d, t, strict=True):
        np.testing.assert_allclose(pd.grad, pt.grad.numpy(), rtol=1e-12)


def test_clip_grad_norm_single_tensor_no_grads_and_nonfinite():
    p = nn.Parameter(dn.zeros(2))
    p.grad = np.array([3.0, 4.0], np.float32)
    assert utils.clip_grad_norm_(p, 1.0).item() == pytest.approx(5.0)
    np.testing.assert_allclose(np.linalg.norm(p.grad), 1.0, rtol=1e-5)
    assert utils.clip_grad_norm_([nn.Parameter(dn.zeros(2))], 1.0).item() == 0.0
    p.grad = np.array([np.inf, 1.0], np.float32)
    with pytest.raises(NonFiniteError, match="inf"):
        utils.clip_grad_norm_(p, 1.0, error_if_nonfinite=True)


def test_clip_grad_value_matches_torch():
    d, t = _pair(scale=3.0)
    utils.clip_grad_value_(d, 1.5)
    torch.nn.utils.clip_grad_value_(t, 1.5)
    for pd, pt in zip(d, t, strict=True):
        np.testing.assert_array_equal(pd.grad, pt.grad.numpy())


def test_parameters_vector_round_trip_matches_torch():
    tm = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.Linear(2, 1)).double()
    dm = nn.Sequential(nn.Linear(3, 2), nn.Linear(2, 1)).double()
    dm.load_state_dict({k: v.numpy() for k, v in tm.state_dict().items()})
    vd = utils.parameters_to_vector(dm.parameters())
    vt = torch.nn.utils.parameters_to_vector(tm.parameters())
    np.testing.assert_array_equal(vd.detach().numpy(), vt.detach().numpy())
    vd.sum().backward()  # differentiable, like torch's
    assert all(np.all(p.grad == 1) for p in dm.parameters())
    new = dn.arange(vd.shape[0], dtype=dn.float64)
    utils.vector_to_parameters(new, dm.parameters())
    torch.nn.utils.vector_to_parameters(torch.arange(vt.shape[0], dtype=torch.float64),
                                        tm.parameters())
    for (name, pd), pt in zip(dm.named_parameters(), tm.parameters(), strict=True):
        np.testing.assert_array_equal(pd.detach().numpy(), pt.detach().numpy(), err_msg=name)
    with pytest.raises(ShapeError, match="11 elements"):
        utils.vector_to_parameters(dn.zeros(5), dm.parameters())
    with pytest.raises(TypeError):
        utils.vector_to_parameters(np.zeros(11), dm.parameters())
