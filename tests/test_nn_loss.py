"""Losses of ``deepnum.nn`` (modules and functions) against PyTorch 2.13: every reduction,
class weights, ignore_index, label smoothing, probability targets, (N, C, d...) shapes;
gradients for inputs (and soft targets) in float64 and float32; finite differences; stability
at extreme logits; the errors of bad labels, shapes and dtypes."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
from nn_oracle import compare_module

import deepnum as dn
import deepnum.nn as nn
import deepnum.nn.functional as F
from deepnum.errors import DataError, DTypeError, ShapeError, UnknownNameError

RNG = np.random.default_rng(11)
REDUCTIONS = ["mean", "sum", "none"]
C = 5
W = RNG.uniform(0.2, 2.0, C)


def _labels(shape, ignore=False):
    y = RNG.integers(0, C, shape)
    if ignore:
        y.flat[::3] = -100
    return y


def _both(name, **kwargs):
    """Constructors of the same loss in deepnum and torch (weights as each one's tensors)."""
    def make(lib):
        kw = {k: (lib.tensor(v) if isinstance(v, np.ndarray) else v) for k, v in kwargs.items()}
        return lambda: getattr(lib.nn, name)(**kw)
    return make(dn), make(torch)


CE_CASES = [
    dict(),
    dict(weight=W),
    dict(label_smoothing=0.2),
    dict(weight=W, label_smoothing=0.1),
    dict(ignore_index=-100),
]


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("kwargs", CE_CASES, ids=lambda k: ",".join(k) or "plain")
@pytest.mark.parametrize("shape", [(6, C), (3, C, 4), (2, C, 3, 2), (C,)], ids=str)
def test_cross_entropy_with_labels_matches_torch(reduction, kwargs, shape):
    label_shape = shape[:1] + shape[2:] if len(shape) > 1 else ()
    y = _labels(label_shape, ignore=bool(kwargs) and len(shape) > 1)
    make_dn, make_t = _both("CrossEntropyLoss", reduction=reduction, **kwargs)
    compare_module(make_dn, make_t, [RNG.standard_normal(shape) * 2, y])


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("kwargs", [dict(), dict(weight=W), dict(label_smoothing=0.3)],
                         ids=lambda k: ",".join(k) or "plain")
@pytest.mark.parametrize("shape", [(4, C), (2, C, 3)], ids=str)
def test_cross_entropy_with_probabilities_matches_torch(reduction, kwargs, shape):
    target = RNG.dirichlet(np.ones(C), size=np.prod(shape) // C)
    target = np.moveaxis(target.reshape(shape[:1] + shape[2:] + (C,)), -1, 1)
    make_dn, make_t = _both("CrossEntropyLoss", reduction=reduction, **kwargs)
    compare_module(make_dn, make_t, [RNG.standard_normal(shape), target])  # target grads too


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("kwargs", [dict(), dict(weight=W), dict(ignore_index=2)],
                         ids=lambda k: ",".join(k) or "plain")
@pytest.mark.parametrize("shape", [(6, C), (3, C, 4)], ids=str)
def test_nll_loss_matches_torch(reduction, kwargs, shape):
    y = _labels(shape[:1] + shape[2:])
    make_dn, make_t = _both("NLLLoss", reduction=reduction, **kwargs)
    compare_module(make_dn, make_t, [-RNG.uniform(0.1, 3, shape), y])


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("with_weight", [False, True])
def test_bce_matches_torch(reduction, with_weight):
    kwargs = dict(weight=RNG.uniform(0.5, 2, (3,))) if with_weight else {}
    make_dn, make_t = _both("BCELoss", reduction=reduction, **kwargs)
    p = RNG.uniform(0.05, 0.95, (4, 3))
    compare_module(make_dn, make_t, [p, RNG.uniform(0, 1, (4, 3))])


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("kwargs", [dict(), dict(weight=RNG.uniform(0.5, 2, (3,))),
                                    dict(pos_weight=RNG.uniform(0.5, 3, (3,))),
                                    dict(weight=RNG.uniform(0.5, 2, (4, 1)),
                                         pos_weight=RNG.uniform(0.5, 3, (3,)))],
                         ids=lambda k: ",".join(k) or "plain")
def test_bce_with_logits_matches_torch(reduction, kwargs):
    make_dn, make_t = _both("BCEWithLogitsLoss", reduction=reduction, **kwargs)
    compare_module(make_dn, make_t, [RNG.standard_normal((4, 3)) * 3, RNG.uniform(0, 1, (4, 3))])


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", ["MSELoss", "L1Loss"])
def test_regression_losses_match_torch(reduction, name):
    make_dn, make_t = _both(name, reduction=reduction)
    compare_module(make_dn, make_t, [RNG.standard_normal((4, 3)), RNG.standard_normal((4, 3))])


def test_weighted_mse_and_l1_match_torch():
    x, y, w = (RNG.standard_normal((4, 3)) for _ in range(3))
    w = np.abs(w)
    for red in REDUCTIONS:
        for fn in ("mse_loss", "l1_loss"):
            got = getattr(F, fn)(dn.tensor(x), dn.tensor(y), reduction=red, weight=dn.tensor(w))
            want = getattr(torch.nn.functional, fn)(torch.tensor(x), torch.tensor(y),
                                                    reduction=red, weight=torch.tensor(w))
            np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-12)


def _t(shape, lo=-2.0, hi=2.0):
    return dn.tensor(RNG.uniform(lo, hi, shape), requires_grad=True)


Y_ND = dn.tensor(_labels((2, 3)))
GRADCHECKS = {
    "cross_entropy": lambda: (lambda x: F.cross_entropy(x, dn.tensor([0, 3, -100, 1]),
                                                        weight=dn.tensor(W),
                                                        label_smoothing=0.2), [_t((4, C))]),
    "cross_entropy_nd": lambda: (lambda x: F.cross_entropy(x, Y_ND),
                                 [_t((2, C, 3))]),
    "cross_entropy_probs": lambda: (lambda x, t: F.cross_entropy(x, t, label_smoothing=0.1),
                                    [_t((3, C)), _t((3, C), 0, 1)]),
    "nll_loss": lambda: (lambda x: F.nll_loss(x, dn.tensor([1, 0, 4]), weight=dn.tensor(W)),
                         [_t((3, C))]),
    "bce": lambda: (lambda p, y: F.binary_cross_entropy(p, y, weight=dn.tensor([1.0, 2.0])),
                    [_t((3, 2), 0.1, 0.9), _t((3, 2), 0, 1)]),
    "bce_logits": lambda: (lambda x, y: F.binary_cross_entropy_with_logits(
        x, y, pos_weight=dn.tensor([0.5, 3.0])), [_t((3, 2)), _t((3, 2), 0, 1)]),
    "mse": lambda: (F.mse_loss, [_t((3, 2)), _t((3, 2))]),
    "l1": lambda: (F.l1_loss, [_t((3, 2)), _t((3, 2)) + 5]),
}


@pytest.mark.parametrize("name", list(GRADCHECKS))
def test_loss_gradcheck_float64(name):
    fn, inputs = GRADCHECKS[name]()
    inputs = [x.detach().requires_grad_() if x.requires_grad else x for x in inputs]
    assert dn.gradcheck(fn, inputs)


def test_cross_entropy_backward_is_softmax_minus_onehot_over_n():
    x = dn.tensor(RNG.standard_normal((4, C)), requires_grad=True)
    y = np.array([0, 2, 4, 1])
    F.cross_entropy(x, dn.tensor(y)).backward()
    p = np.exp(x.data) / np.exp(x.data).sum(1, keepdims=True)
    np.testing.assert_allclose(x.grad, (p - np.eye(C)[y]) / 4, rtol=1e-12)


def test_losses_stay_finite_at_extreme_values():
    x = np.array([[1e4, -1e4, 0.0], [-3e4, 2e4, 1e4]])
    got = F.cross_entropy(dn.tensor(x), dn.tensor([1, 0]), reduction="none").numpy()
    want = torch.nn.functional.cross_entropy(torch.tensor(x), torch.tensor([1, 0]),
                                             reduction="none").numpy()
    np.testing.assert_allclose(got, want, rtol=1e-12)
    z = np.array([-1000.0, -30.0, 0.0, 30.0, 1000.0])
    y = np.array([1.0, 0.0, 1.0, 1.0, 0.0])
    xd = dn.tensor(z, requires_grad=True)
    xt = torch.tensor(z, requires_grad=True)
    ld = F.binary_cross_entropy_with_logits(xd, dn.tensor(y), reduction="sum")
    lt = torch.nn.functional.binary_cross_entropy_with_logits(xt, torch.tensor(y), reduction="sum")
    ld.backward()
    lt.backward()
    np.testing.assert_allclose(ld.item(), lt.item(), rtol=1e-12)
    np.testing.assert_allclose(xd.grad, xt.grad.numpy(), rtol=1e-12)
    p = np.array([0.0, 1.0, 0.5])
    t = np.array([1.0, 0.0, 0.5])
    got = F.binary_cross_entropy(dn.tensor(p), dn.tensor(t), reduction="none").numpy()
    want = torch.nn.functional.binary_cross_entropy(torch.tensor(p), torch.tensor(t),
                                                    reduction="none").numpy()
    np.testing.assert_allclose(got, want, rtol=1e-12)  # log clamped at -100: [100, 100, ln 2]


def test_all_labels_ignored_gives_nan_like_torch():
    out = F.cross_entropy(dn.randn(2, 3), dn.tensor([-100, -100]))
    assert np.isnan(out.item())
    assert F.cross_entropy(dn.randn(2, 3), dn.tensor([-100, -100]), reduction="sum").item() == 0


def test_label_errors():
    x = dn.randn(3, 4)
    with pytest.raises(DataError, match=r"label 7 .*\[0, 4\).*C=4"):
        F.cross_entropy(x, dn.tensor([0, 7, 1]))
    with pytest.raises(DataError, match="label -1"):
        nn.NLLLoss()(x, dn.tensor([0, -1, 1]))
    with pytest.raises(DTypeError, match="integers.*float32"):
        F.cross_entropy(x, dn.tensor([0.0, 1.0, 2.0]))
    with pytest.raises(ShapeError, match=r"\(3, 4\).*\(2,\)"):
        F.cross_entropy(x, dn.tensor([0, 1]))
    with pytest.raises(ShapeError, match=r"weight.*\(4,\)"):
        F.cross_entropy(x, dn.tensor([0, 1, 2]), weight=dn.ones(3))
    with pytest.raises(ValueError, match="label_smoothing"):
        F.cross_entropy(x, dn.tensor([0, 1, 2]), label_smoothing=1.5)
    assert F.cross_entropy(x, dn.tensor([0, 9, 1]), ignore_index=9).shape == ()


def test_binary_target_and_input_errors():
    p = dn.tensor([0.2, 0.7])
    with pytest.raises(DataError, match="targets must lie in \\[0, 1\\].*2.0"):
        F.binary_cross_entropy(p, dn.tensor([0.0, 2.0]))
    with pytest.raises(DataError, match="input probabilities"):
        nn.BCELoss()(dn.tensor([0.2, 1.5]), dn.tensor([0.0, 1.0]))
    with pytest.raises(DataError, match="targets"):
        nn.BCEWithLogitsLoss()(p, dn.tensor([-1.0, 1.0]))
    with pytest.raises(ShapeError, match=r"\(3,\).*\(2,\)"):
        F.binary_cross_entropy_with_logits(p, dn.tensor([0.0, 1.0, 1.0]))
    assert F.binary_cross_entropy(p, dn.tensor([0, 1])).dtype == np.float32  # 0/1 ints are fine


def test_reduction_names_and_legacy_flags():
    with pytest.raises(UnknownNameError, match="did you mean 'mean'"):
        nn.MSELoss(reduction="maen")
    x, y = dn.tensor([1.0, 3.0]), dn.tensor([0.0, 0.0])
    with pytest.warns(UserWarning, match="reduction='sum'"):
        assert F.mse_loss(x, y, size_average=False).item() == 10.0
    with pytest.warns(UserWarning, match="reduction='none'"):
        assert nn.L1Loss(reduce=False)(x, y).tolist() == [1.0, 3.0]


def test_mse_warns_on_broadcast_like_torch():
    with pytest.warns(UserWarning, match="different to the input size"):
        F.mse_loss(dn.ones(3, 1), dn.ones(3))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        F.mse_loss(dn.ones(3), dn.ones(3))


def test_loss_weights_are_buffers_like_torch():
    for name, kw in [("CrossEntropyLoss", {"weight": W}), ("NLLLoss", {"weight": W}),
                     ("BCEWithLogitsLoss", {"pos_weight": W})]:
        make_dn, make_t = _both(name, **kw)
        assert list(make_dn().state_dict()) == list(make_t().state_dict())
        assert repr(make_dn()) == repr(make_t())
