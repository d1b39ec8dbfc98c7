"""Activation layers of ``deepnum.nn`` against PyTorch 2.13: values, input gradients, PReLU's
slope gradient, float64 finite differences, reprs and Softmax's implicit-dim rule."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
from nn_oracle import compare_module

import deepnum as dn
import deepnum.nn as nn
import deepnum.nn.functional as F
from deepnum.errors import ShapeError

RNG = np.random.default_rng(3)
# |x| in [0.2, 2] with random signs: away from the kinks at 0
X = RNG.choice([-1.0, 1.0], (4, 3, 5)) * RNG.uniform(0.2, 2.0, (4, 3, 5))

# name: (constructor arguments) for layers that exist under the same name in both libraries
LAYERS = {
    "ReLU": [(), (True,)],
    "Sigmoid": [()],
    "Tanh": [()],
    "LeakyReLU": [(), (0.2,), (0.1, True)],
    "ELU": [(), (0.7,)],
    "SELU": [()],
    "GELU": [(), ("tanh",)],
    "Softplus": [(), (2.0, 1.0)],
    "Softmax": [(1,), (-1,), (0,)],
    "LogSoftmax": [(1,), (-1,)],
    "PReLU": [(), (3,), (3, 0.1)],
    "Identity": [()],
}
CASES = [(name, a) for name, arg_list in LAYERS.items() for a in arg_list]
# torch refuses in-place on a leaf that requires grad, so those run only in the repr test
NOT_INPLACE = [(name, a) for name, a in CASES if True not in a]


@pytest.mark.parametrize("name,args", NOT_INPLACE, ids=[f"{n}{a}" for n, a in NOT_INPLACE])
def test_activation_layer_matches_torch(name, args):
    compare_module(lambda: getattr(nn, name)(*args), lambda: getattr(torch.nn, name)(*args), [X])


@pytest.mark.parametrize("name,args", CASES, ids=[f"{n}{a}" for n, a in CASES])
def test_activation_repr_matches_torch(name, args):
    assert repr(getattr(nn, name)(*args)) == repr(getattr(torch.nn, name)(*args))


FUNCTIONS = {
    "relu": F.relu, "sigmoid": F.sigmoid, "tanh": F.tanh, "selu": F.selu,
    "leaky_relu": lambda x: F.leaky_relu(x, 0.3), "elu": lambda x: F.elu(x, 0.5),
    "gelu": F.gelu, "gelu_tanh": lambda x: F.gelu(x, approximate="tanh"),
    "softplus": lambda x: F.softplus(x, 2.0, 1.5), "softmax": lambda x: F.softmax(x, 1),
    "log_softmax": lambda x: F.log_softmax(x, -1),
}


@pytest.mark.parametrize("name", list(FUNCTIONS))
def test_functional_activation_gradcheck(name):
    assert dn.gradcheck(FUNCTIONS[name], dn.tensor(X[:2, :, :3], requires_grad=True))


@pytest.mark.parametrize("weight_shape,x_shape", [((1,), (4, 3, 5)), ((3,), (4, 3, 5)),
                                                  ((3,), (4, 3)), ((1,), (5,))], ids=str)
def test_prelu_gradcheck_input_and_slope(weight_shape, x_shape):
    x = dn.tensor(RNG.choice([-1.0, 1.0], x_shape) * RNG.uniform(0.2, 2, x_shape),
                  requires_grad=True)
    w = dn.tensor(RNG.uniform(0.1, 0.5, weight_shape), requires_grad=True)
    assert dn.gradcheck(F.prelu, [x, w])
    xt = torch.tensor(x.detach().numpy(), requires_grad=True)
    wt = torch.tensor(w.detach().numpy(), requires_grad=True)
    torch.nn.functional.prelu(xt, wt).sum().backward()
    F.prelu(x, w).sum().backward()
    np.testing.assert_allclose(w.grad, wt.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(x.grad, xt.grad.numpy(), rtol=1e-12)


def test_prelu_learns_its_slope_and_checks_channels():
    layer = nn.PReLU(3, init=0.5)
    assert [n for n, _ in layer.named_parameters()] == ["weight"]
    np.testing.assert_array_equal(layer.weight.detach().numpy(), [0.5, 0.5, 0.5])
    with pytest.raises(ShapeError, match="1 slope or one per channel"):
        layer(dn.ones(2, 4))
    with pytest.raises(ShapeError):
        layer(dn.ones(3))  # a 1-D input has one channel, as in PyTorch


@pytest.mark.parametrize("ndim,dim", [(1, 0), (2, 1), (3, 0), (4, 1)])
def test_softmax_without_dim_follows_torchs_implicit_rule_and_warns(ndim, dim):
    x = RNG.standard_normal((2, 3, 2, 2)[:ndim])
    with pytest.warns(UserWarning, match="Implicit dimension choice for softmax") as record:
        out = nn.Softmax()(dn.tensor(x))
    assert record[0].filename == __file__  # the warning points at the caller, as torch's does
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        want = torch.nn.Softmax()(torch.tensor(x)).numpy()
    np.testing.assert_allclose(out.numpy(), want, rtol=1e-12)
    np.testing.assert_allclose(out.numpy().sum(axis=dim), 1.0, rtol=1e-12)
    with pytest.warns(UserWarning, match="log_softmax"):
        F.log_softmax(dn.tensor(x))


def test_softmax_dtype_argument_and_two_class_sigmoid():
    x = dn.tensor([[0.3, -1.2]])
    assert F.softmax(x, 1, dtype=dn.float64).dtype == np.float64
    p = F.softmax(x, dim=1).numpy()
    np.testing.assert_allclose(p[0, 0], F.sigmoid(dn.tensor(1.5)).item(), rtol=1e-6)


def test_inplace_flag_is_accepted_and_input_untouched():
    x = dn.tensor([-1.0, 2.0])
    y = nn.ReLU(inplace=True)(x)
    assert y.tolist() == [0.0, 2.0] and x.tolist() == [-1.0, 2.0]
