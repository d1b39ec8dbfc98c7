"""Activations (``deepnum.ops.activation``): one line per function, over the shared shapes,
against NumPy formulas, float64 finite differences and PyTorch; exact tests at the kinks."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F  # noqa: N812 - the usual name
from conftest import UNARY_SHAPES, Arg, check_exact, check_op

import deepnum as dn

SELU_A, SELU_L = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946
_erf = np.vectorize(math.erf)
C_TANH = math.sqrt(2 / math.pi)


def _softmax(a, axis=-1):
    e = np.exp(a - a.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


# name: (deepnum fn, torch fn, domain, NumPy reference)
ACTIVATIONS = {
    "relu": (dn.relu, torch.relu, "nonzero", lambda a: np.maximum(a, 0)),
    "relu_method": (lambda x: x.relu(), lambda x: x.relu(), "nonzero", lambda a: np.maximum(a, 0)),
    "leaky_relu": (dn.leaky_relu, F.leaky_relu, "nonzero", lambda a: np.where(a > 0, a, 0.01 * a)),
    "leaky_relu_0.2": (lambda x: dn.leaky_relu(x, 0.2), lambda x: F.leaky_relu(x, 0.2), "nonzero",
                       lambda a: np.where(a > 0, a, 0.2 * a)),
    "elu": (dn.elu, F.elu, "nonzero", lambda a: np.where(a > 0, a, np.expm1(a))),
    "elu_0.7": (lambda x: dn.elu(x, 0.7), lambda x: F.elu(x, 0.7), "nonzero",
                lambda a: np.where(a > 0, a, 0.7 * np.expm1(a))),
    "selu": (dn.selu, F.selu, "nonzero",
             lambda a: SELU_L * np.where(a > 0, a, SELU_A * np.expm1(a))),
    "gelu": (dn.gelu, F.gelu, "real", lambda a: a * 0.5 * (1 + _erf(a / math.sqrt(2)))),
    "gelu_tanh": (lambda x: dn.gelu(x, approximate="tanh"), lambda x: F.gelu(x, approximate="tanh"),
                  "real", lambda a: 0.5 * a * (1 + np.tanh(C_TANH * (a + 0.044715 * a**3)))),
    "softplus": (dn.softplus, F.softplus, "real", lambda a: np.log1p(np.exp(a))),
    "softplus_beta": (lambda x: dn.softplus(x, beta=10, threshold=5),
                      lambda x: F.softplus(x, 10, 5),
                      "nonzero", lambda a: np.where(10 * a > 5, a, np.log1p(np.exp(10 * a)) / 10)),
    "sigmoid": (dn.sigmoid, torch.sigmoid, "real", lambda a: 1 / (1 + np.exp(-a))),
    "tanh": (dn.tanh, torch.tanh, "real", np.tanh),
    "softmax": (dn.softmax, lambda x: torch.softmax(x, -1), "real", _softmax),
    "softmax_dim0": (lambda x: dn.softmax(x, dim=0), lambda x: torch.softmax(x, 0), "real",
                     lambda a: _softmax(a, 0)),
    "softmax_axis0": (lambda x: dn.softmax(x, axis=0), lambda x: torch.softmax(x, 0), "real",
                      lambda a: _softmax(a, 0)),
    "log_softmax": (dn.log_softmax, lambda x: torch.log_softmax(x, -1), "real",
                    lambda a: np.log(_softmax(a))),
    "log_softmax_dim0": (lambda x: dn.log_softmax(x, 0), lambda x: torch.log_softmax(x, 0), "real",
                         lambda a: np.log(_softmax(a, 0))),
}


@pytest.mark.parametrize("shape", UNARY_SHAPES, ids=str)
@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_activation(name, shape):
    fn, torch_fn, domain, ref = ACTIVATIONS[name]
    check_op(lambda m, x: fn(x), [Arg(shape, domain)], torch_fn=torch_fn, np_fn=ref)


@pytest.mark.parametrize("name", ["relu", "leaky_relu", "elu_0.7", "selu", "gelu", "gelu_tanh",
                                  "softplus", "sigmoid", "tanh", "softmax", "log_softmax"])
def test_activation_matches_torch_on_large_inputs(name):
    """Saturated regions (|x| up to 100): no overflow, no NaN, the same values and gradients."""
    fn, torch_fn, _, _ = ACTIVATIONS[name]
    values = [-100.0, -30.0, -5.5, 5.5, 30.0, 100.0]
    xd, xt = dn.tensor(values, dtype=dn.float64, requires_grad=True), torch.tensor(
        values, dtype=torch.float64, requires_grad=True)
    out_d, out_t = fn(xd), torch_fn(xt)
    np.testing.assert_allclose(out_d.detach().numpy(), out_t.detach().numpy(),
                               rtol=1e-12, atol=1e-15)
    w = np.linspace(-1, 1, len(values))
    (out_d * dn.tensor(w)).sum().backward()
    (out_t * torch.tensor(w)).sum().backward()
    assert np.isfinite(xd.grad).all()
    np.testing.assert_allclose(xd.grad, xt.grad.numpy(), rtol=1e-12, atol=1e-15)


# ----- the kinks: the derivative PyTorch uses at 0 -------------------------------------------
@pytest.mark.parametrize("name", ["relu", "leaky_relu", "leaky_relu_0.2", "elu", "elu_0.7", "selu"])
def test_kink_at_zero_matches_torch(name):
    fn, torch_fn, _, _ = ACTIVATIONS[name]
    check_exact(lambda m, x: fn(x), [-1.0, 0.0, 1.0], torch_fn=torch_fn, rtol=1e-15)


def test_kink_values_at_zero():
    grad = {}
    for name, fn in [("relu", dn.relu), ("leaky", lambda x: dn.leaky_relu(x, 0.2)),
                     ("elu", lambda x: dn.elu(x, 0.7)), ("selu", dn.selu)]:
        x = dn.tensor(0.0, dtype=dn.float64, requires_grad=True)
        fn(x).backward()
        grad[name] = x.grad.item()
    assert grad == {"relu": 0.0, "leaky": 0.2, "elu": 0.7, "selu": SELU_L * SELU_A}


def test_relu_of_minus_inf_is_zero():
    assert dn.relu(dn.tensor([-np.inf, np.inf])).tolist() == [0.0, np.inf]


def test_relu_keeps_integer_dtype():
    out = dn.relu(dn.tensor([-2, 0, 3]))
    assert out.dtype == np.int64 and out.tolist() == torch.relu(torch.tensor([-2, 0, 3])).tolist()


def test_softmax_sums_to_one_and_two_classes_reduce_to_sigmoid():
    x = dn.randn(4, 7)
    np.testing.assert_allclose(dn.softmax(x, dim=1).sum(dim=1).numpy(), np.ones(4), rtol=1e-6)
    z = dn.randn(5)
    two = dn.softmax(dn.stack([z, dn.zeros(5)], dim=1), dim=1)[:, 0]
    np.testing.assert_allclose(two.numpy(), dn.sigmoid(z).numpy(), rtol=1e-6)


def test_log_softmax_is_stable_for_huge_logits():
    x = dn.tensor([[1000.0, 0.0, -1000.0]])
    out = dn.log_softmax(x, dim=1)
    np.testing.assert_allclose(out.numpy(), torch.log_softmax(torch.tensor(x.numpy()), 1).numpy())
    assert np.isfinite(out.numpy()).all()


def test_gelu_rejects_unknown_approximation():
    with pytest.raises(ValueError, match="approximate must be 'none' or 'tanh', got 'fast'"):
        dn.gelu(dn.ones(2), approximate="fast")
