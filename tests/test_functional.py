"""``deepnum.functional`` (also ``deepnum.nn.functional``) against ``torch.nn.functional``:
linear, one_hot, pad, the normalisations with explicit running statistics, dropout; the
re-export.  Losses and activations are covered with their layers (test_nn_loss.py,
test_nn_activation.py)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as TF  # noqa: N812
from conftest import Arg, check_op

import deepnum as dn
import deepnum.functional as F
import deepnum.nn.functional as NF
from deepnum.errors import DataError, DTypeError, ShapeError, UnknownNameError


def test_nn_functional_is_the_same_module_contents():
    assert NF.cross_entropy is F.cross_entropy and NF.linear is F.linear
    assert set(NF.__all__) == set(F.__all__)
    assert dn.functional is F


@pytest.mark.parametrize("x_shape,bias", [((4, 3), True), ((2, 5, 3), True), ((3,), False)],
                         ids=str)
def test_linear(x_shape, bias):
    specs = [Arg(x_shape), Arg((2, 3))] + ([Arg((2,))] if bias else [])
    check_op(lambda lib, *t: lib.nn.functional.linear(*t), specs)


def test_linear_errors():
    with pytest.raises(ShapeError, match=r"\(4, 2\).*\(5, 3\)"):
        F.linear(dn.ones(4, 2), dn.ones(5, 3))
    with pytest.raises(DTypeError, match="int64"):
        F.linear(dn.tensor([[1, 2, 3]]), dn.ones(5, 3))


@pytest.mark.parametrize("shape,num_classes", [((5,), -1), ((2, 3), 6), ((0,), 3)], ids=str)
def test_one_hot_matches_torch(shape, num_classes):
    labels = np.random.default_rng(0).integers(0, 3, shape)
    got = F.one_hot(dn.tensor(labels), num_classes)
    want = TF.one_hot(torch.tensor(labels), num_classes)
    assert got.dtype == np.int64
    np.testing.assert_array_equal(got.numpy(), want.numpy())


def test_one_hot_errors():
    with pytest.raises(DataError, match=r"label 5 .*\[0, 3\)"):
        F.one_hot(dn.tensor([1, 5]), 3)
    with pytest.raises(DataError, match="label -1"):
        F.one_hot(dn.tensor([1, -1]))
    with pytest.raises(DTypeError, match="float32"):
        F.one_hot(dn.tensor([1.0, 2.0]))


@pytest.mark.parametrize("pad,mode", [((1, 2), "constant"), ((1, 1, 2, 0), "constant"),
                                      ((2, 1), "reflect"), ((1, 2, 1, 1), "replicate"),
                                      ((2, 1), "circular"), ((-1, 2), "constant"),
                                      ((0, 0, -1, -1), "constant")], ids=str)
def test_pad_matches_torch(pad, mode):
    check_op(lambda lib, x: lib.nn.functional.pad(x, pad, mode), [Arg((2, 3, 4))])


def test_pad_value_and_errors():
    out = F.pad(dn.ones(1, 2), (1, 1), value=7.0)
    assert out.tolist() == [[7.0, 1.0, 1.0, 7.0]]
    with pytest.raises(UnknownNameError, match="did you mean 'reflect'"):
        F.pad(dn.ones(2, 2), (1, 1), mode="reflekt")
    with pytest.raises(ShapeError, match="even number"):
        F.pad(dn.ones(2, 2), (1, 1, 1))
    with pytest.raises(ValueError, match="constant mode only"):
        F.pad(dn.ones(2, 3), (-1, 1), mode="reflect")


@pytest.mark.parametrize("training", [True, False])
def test_batch_norm_updates_running_stats_like_torch(training):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((6, 3, 2))
    rm_d, rv_d = dn.zeros(3, dtype=dn.float64), dn.ones(3, dtype=dn.float64)
    rm_t, rv_t = torch.zeros(3, dtype=torch.float64), torch.ones(3, dtype=torch.float64)
    for _ in range(3):
        got = F.batch_norm(dn.tensor(x), rm_d, rv_d, training=training, momentum=0.2)
        want = TF.batch_norm(torch.tensor(x), rm_t, rv_t, training=training, momentum=0.2)
        np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(rm_d.numpy(), rm_t.numpy(), rtol=1e-12)
    np.testing.assert_allclose(rv_d.numpy(), rv_t.numpy(), rtol=1e-12)


def test_layer_norm_function_matches_torch():
    check_op(lambda lib, x, w, b: lib.nn.functional.layer_norm(x, (3, 4), w, b, 1e-3),
             [Arg((2, 3, 4)), Arg((3, 4)), Arg((3, 4))])


def test_dropout_function():
    x = dn.ones(100, 100)
    assert F.dropout(x, 0.3, training=False) is x
    y = F.dropout(x, 0.3).numpy()
    np.testing.assert_allclose(np.unique(y), [0.0, 1 / 0.7], rtol=1e-6)
    with pytest.raises(ValueError, match="between 0 and 1"):
        F.dropout(x, 2.0)
