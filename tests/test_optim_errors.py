"""deepnum.optim: bad hyperparameters and misuse raise deepnum errors that echo the value."""

from __future__ import annotations

import numpy as np
import pytest

import deepnum as dn
from deepnum import optim
from deepnum.errors import ArgumentError, DeepnumError, DTypeError, ShapeError


def param(n: int = 3) -> dn.nn.Parameter:
    return dn.nn.Parameter(dn.ones(n))


@pytest.mark.parametrize(("cls", "kwargs", "echo"), [
    (optim.SGD, {"lr": -1}, "invalid learning rate: -1"),
    (optim.SGD, {"lr": float("nan")}, "invalid learning rate: nan"),
    (optim.SGD, {"lr": "0.1"}, "invalid learning rate: '0.1'"),
    (optim.SGD, {"momentum": -0.5}, "invalid momentum value: -0.5"),
    (optim.SGD, {"weight_decay": -0.01}, "invalid weight_decay value: -0.01"),
    (optim.SGD, {"nesterov": True}, "momentum=0"),
    (optim.SGD, {"nesterov": True, "momentum": 0.9, "dampening": 0.1}, "dampening=0.1"),
    (optim.RMSprop, {"alpha": -0.9}, "invalid alpha value: -0.9"),
    (optim.RMSprop, {"eps": -1e-8}, "invalid epsilon value: -1e-08"),
    (optim.RMSprop, {"momentum": -1}, "invalid momentum value: -1"),
    (optim.Adam, {"betas": (1.0, 0.999)}, "beta parameter at index 0: 1.0"),
    (optim.Adam, {"betas": (0.9, -0.1)}, "beta parameter at index 1: -0.1"),
    (optim.Adam, {"lr": -0.001}, "invalid learning rate: -0.001"),
    (optim.AdamW, {"weight_decay": -1}, "invalid weight_decay value: -1"),
    (optim.AdamW, {"eps": -1}, "invalid epsilon value: -1"),
    (optim.Adagrad, {"lr_decay": -0.1}, "invalid lr_decay value: -0.1"),
    (optim.Adagrad, {"initial_accumulator_value": -2}, "initial_accumulator_value value: -2"),
])
def test_invalid_hyperparameters_echo_the_value(cls, kwargs, echo):
    with pytest.raises(ArgumentError, match=cls.__name__) as info:
        cls([param()], **kwargs)
    assert echo in str(info.value)
    assert isinstance(info.value, ValueError) and isinstance(info.value, DeepnumError)


def test_group_hyperparameters_are_checked_too():
    opt = optim.SGD([param()], lr=0.1)
    with pytest.raises(ArgumentError, match="invalid learning rate: -5"):
        opt.add_param_group({"params": [param()], "lr": -5})
    assert len(opt.param_groups) == 1


def test_bad_parameter_lists():
    w = param()
    with pytest.raises(ArgumentError, match="empty parameter list"):
        optim.SGD([])
    with pytest.raises(TypeError, match="single Tensor"):
        optim.SGD(w)
    with pytest.raises(TypeError, match="set"):
        optim.SGD([{"params": {w}}])
    with pytest.raises(TypeError, match="ndarray"):
        optim.SGD([np.ones(3)])
    with pytest.raises(ArgumentError, match="non-leaf"):
        optim.SGD([w * 2])
    with pytest.raises(DTypeError, match="int64"):
        optim.SGD([dn.nn.Parameter(np.arange(3), requires_grad=False)])
    with pytest.raises(ArgumentError, match="more than one group"):
        optim.SGD([{"params": [w]}, {"params": [w]}])


def test_gradient_of_the_wrong_shape():
    w = param(3)
    opt = optim.Adam([w])
    w.grad = np.ones(1, np.float32)  # would broadcast silently
    with pytest.raises(ShapeError, match=r"gradient of shape \(1,\) for a parameter of shape "
                                         r"\(3,\)"):
        opt.step()


def test_load_state_dict_that_does_not_fit():
    a, b = param(), param()
    one_group = optim.SGD([a, b], lr=0.1).state_dict()
    two_groups = optim.SGD([{"params": [a]}, {"params": [b]}], lr=0.1).state_dict()
    with pytest.raises(ArgumentError, match="2 parameter groups, the optimizer 1"):
        optim.SGD([a], lr=0.1).load_state_dict(two_groups)
    with pytest.raises(ArgumentError, match=r"group sizes \[2\].*\[1\]"):
        optim.SGD([a], lr=0.1).load_state_dict(one_group)
