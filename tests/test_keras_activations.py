"""``deepnum.keras.activations``: each function against PyTorch (or its formula), its
gradient against float64 finite differences, and the string look-up."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import deepnum as dn
from deepnum.errors import ArgumentError, UnknownNameError
from deepnum.keras import activations

RNG = np.random.default_rng(5)
X = RNG.choice([-1.0, 1.0], (4, 5)) * RNG.uniform(0.1, 3.0, (4, 5))  # away from the kinks

CASES = {
    "relu": torch.relu,
    "relu6": torch.nn.functional.relu6,
    "leaky_relu": lambda t: torch.nn.functional.leaky_relu(t, 0.2),
    "elu": torch.nn.functional.elu,
    "selu": torch.selu,
    "gelu": torch.nn.functional.gelu,
    "sigmoid": torch.sigmoid,
    "hard_sigmoid": lambda t: torch.clamp(t / 6 + 0.5, 0, 1),
    "tanh": torch.tanh,
    "softmax": lambda t: torch.softmax(t, -1),
    "log_softmax": lambda t: torch.log_softmax(t, -1),
    "softplus": torch.nn.functional.softplus,
    "softsign": torch.nn.functional.softsign,
    "silu": torch.nn.functional.silu,
    "swish": torch.nn.functional.silu,
    "exponential": torch.exp,
    "mish": torch.nn.functional.mish,
    "linear": lambda t: t,
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_activation_matches_torch_and_finite_differences(name):
    fn = activations.get(name)
    x = X * 2 if name == "relu6" else X  # reach both of relu6's kinks' sides
    t = torch.tensor(x, requires_grad=True)
    expected = CASES[name](t)
    d = dn.tensor(x, requires_grad=True)
    out = fn(d)
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-10, atol=1e-12)
    w = RNG.standard_normal(x.shape)
    (out * dn.tensor(w)).sum().backward()
    (expected * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(d.grad, t.grad.numpy(), rtol=1e-9, atol=1e-12)
    assert dn.gradcheck(fn, [dn.tensor(x, requires_grad=True)])


def test_gelu_approximate_is_the_tanh_formula():
    t = torch.tensor(X)
    np.testing.assert_allclose(activations.gelu(dn.tensor(X), approximate=True).data,
                               torch.nn.functional.gelu(t, approximate="tanh").numpy(),
                               rtol=1e-12)


def test_get_resolves_names_callables_and_none():
    assert activations.get(None) is activations.linear
    assert activations.get("ReLU") is activations.relu
    assert activations.get(activations.tanh) is activations.tanh
    assert activations.get({"class_name": "sigmoid"}) is activations.sigmoid
    with pytest.raises(UnknownNameError, match="unknown activation 'sigmod'; did you mean "
                                               "'sigmoid'"):
        activations.get("sigmod")
    with pytest.raises(ArgumentError, match="could not interpret activation 3"):
        activations.get(3)


def test_serialize_names_the_function_and_refuses_anonymous_ones():
    assert activations.serialize(activations.softmax) == "softmax"
    with pytest.raises(ArgumentError, match="cannot be saved by name"):
        activations.serialize(lambda x: x)
