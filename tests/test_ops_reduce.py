"""Reductions (``deepnum.ops.reduce``): sum, mean, var, std, max/min, amax/amin, logsumexp
over every axis variant (None, one axis, negative axes, tuples, keepdim), against NumPy,
float64 finite differences and PyTorch; ties at max/min follow PyTorch's choices."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from conftest import Arg, check_exact, check_op

import deepnum as dn

# (shape, dim, keepdim): dim None is the full reduction.
AXES = [
    ((), None, False),
    ((5,), None, False),
    ((5,), 0, True),
    ((5,), -1, False),
    ((3, 4), None, True),
    ((3, 4), 0, False),
    ((3, 4), 1, True),
    ((3, 4), -1, False),
    ((3, 4), (0, 1), False),
    ((2, 3, 4), None, False),
    ((2, 3, 4), 1, False),
    ((2, 3, 4), (0, 2), True),
    ((2, 3, 4), (-1, 0), False),
    ((2, 3, 4), (-2,), True),
]


def _all(dim, shape):
    """torch spells the full reduction of logsumexp as every dim."""
    return tuple(range(len(shape))) if dim is None else dim


def _np_axis(dim):
    return tuple(dim) if isinstance(dim, list) else dim


# name: fn(lib, x, dim, keepdim, shape) -> tensor; NumPy reference ref(a, axis, keepdims)
REDUCTIONS = {
    "sum": (lambda m, x, d, k, s: m.sum(x, dim=d, keepdim=k) if d is not None else
            (m.sum(x) if not k else x.sum(dim=_all(d, s), keepdim=True)), np.sum),
    "sum_method": (lambda m, x, d, k, s: x.sum(_all(d, s), keepdim=k), np.sum),
    "mean": (lambda m, x, d, k, s: m.mean(x, dim=_all(d, s), keepdim=k), np.mean),
    "var": (lambda m, x, d, k, s: m.var(x, dim=_all(d, s), keepdim=k),
            lambda a, axis, keepdims: np.var(a, axis=axis, keepdims=keepdims, ddof=1)),
    "var_biased": (lambda m, x, d, k, s: m.var(x, dim=_all(d, s), keepdim=k, correction=0),
                   np.var),
    "var_unbiased_false": (lambda m, x, d, k, s: m.var(x, _all(d, s), False, k), np.var),
    "std": (lambda m, x, d, k, s: m.std(x, dim=_all(d, s), keepdim=k),
            lambda a, axis, keepdims: np.std(a, axis=axis, keepdims=keepdims, ddof=1)),
    "amax": (lambda m, x, d, k, s: m.amax(x, dim=_all(d, s), keepdim=k), np.max),
    "amin": (lambda m, x, d, k, s: m.amin(x, dim=_all(d, s), keepdim=k), np.min),
    "logsumexp": (lambda m, x, d, k, s: m.logsumexp(x, dim=_all(d, s), keepdim=k),
                  lambda a, axis, keepdims: np.log(np.exp(a).sum(axis=axis, keepdims=keepdims))),
}


def _count(shape, dim) -> int:
    return int(np.prod([shape[a] for a in np.atleast_1d(_all(dim, shape))])) if shape else 1


# the unbiased variance of one element is undefined (n - 1 = 0): those pairs are left out
CASES = [(name, case) for name in REDUCTIONS for case in AXES
         if not (name in ("var", "std") and _count(case[0], case[1]) < 2)]


@pytest.mark.parametrize("name,case", CASES, ids=[f"{n}-{c}" for n, c in CASES])
def test_reduction(name, case):
    shape, dim, keepdim = case
    fn, ref = REDUCTIONS[name]
    check_op(lambda m, x: fn(m, x, dim, keepdim, shape), [Arg(shape)],
             np_fn=lambda a: ref(a, axis=_np_axis(_all(dim, shape)), keepdims=keepdim))


@pytest.mark.parametrize("case", [c for c in AXES if not isinstance(c[1], tuple)], ids=str)
@pytest.mark.parametrize("name", ["max", "min"])
def test_max_min(name, case):
    """``max()`` is the full reduction; ``max(dim)`` gives (values, indices)."""
    shape, dim, keepdim = case
    if dim is None:
        def fn(m, x):
            return getattr(m, name)(x)
    else:
        def fn(m, x):
            return tuple(getattr(x, name)(dim, keepdim=keepdim))
    np_fn = getattr(np, name) if dim is None else (
        lambda a: (getattr(np, name)(a, axis=dim, keepdims=keepdim),
                   getattr(np, "arg" + name)(a, axis=dim, keepdims=keepdim)))
    check_op(fn, [Arg(shape)], np_fn=np_fn)


def test_numpy_spelling_axis_keepdims():
    a = np.random.default_rng(1).standard_normal((2, 3, 4))
    x = dn.tensor(a)
    for name in ["sum", "mean", "amax", "amin"]:
        got = getattr(dn, name)(x, axis=(0, -1), keepdims=True)
        np.testing.assert_allclose(got.numpy(), getattr(np, name.lstrip("a") if name[0] == "a"
                                                        else name)(a, axis=(0, -1), keepdims=True))
    np.testing.assert_allclose(dn.var(x, axis=1, ddof=0).numpy(), np.var(a, axis=1))
    np.testing.assert_allclose(x.max(axis=2).values.numpy(), a.max(axis=2))


def test_integer_sum_is_int64_and_mean_of_int_is_refused():
    t = dn.tensor(np.array([200, 100], dtype=np.uint8))
    assert t.sum().dtype == np.int64 and t.sum().item() == 300
    assert t.sum().dtype == torch.tensor([200, 100], dtype=torch.uint8).sum().numpy().dtype
    with pytest.raises(TypeError, match="mean: expected a floating-point tensor, got int64"):
        dn.mean(dn.tensor([1, 2]))


# ----- ties: PyTorch spreads the full max()/amax() evenly, max(dim) picks the first index -----
def test_full_max_and_min_share_ties_evenly():
    (g,) = check_exact(lambda m, x: m.max(x), [1.0, 3.0, 3.0, 2.0])
    assert g.tolist() == [0.0, 0.5, 0.5, 0.0]
    (g,) = check_exact(lambda m, x: m.min(x), [[1.0, 1.0], [1.0, 3.0]])
    np.testing.assert_array_equal(g, [[1 / 3, 1 / 3], [1 / 3, 0.0]])


def test_amax_amin_share_ties_evenly_per_slice():
    (g,) = check_exact(lambda m, x: m.amax(x, dim=1), [[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]])
    np.testing.assert_array_equal(g, [[0, 0.5, 0.5], [1 / 3, 1 / 3, 1 / 3]])
    check_exact(lambda m, x: m.amin(x, dim=0), [[1.0, 3.0, 3.0], [1.0, 2.0, 3.0]])


@pytest.mark.parametrize("name", ["max", "min"])
def test_max_dim_tie_goes_to_first_index(name):
    (g,) = check_exact(lambda m, x: getattr(x, name)(dim=1).values,
                       [[5.0, 5.0, 1.0], [1.0, 1.0, 1.0]])
    xd = dn.tensor([[5.0, 5.0, 1.0], [1.0, 1.0, 1.0]])
    indices = getattr(xd, name)(dim=1).indices
    want = getattr(torch.tensor(xd.numpy()), name)(dim=1).indices
    assert indices.tolist() == want.tolist()
    if name == "max":
        np.testing.assert_array_equal(g, [[1, 0, 0], [1, 0, 0]])


def test_logsumexp_is_stable():
    x = dn.tensor([[1000.0, 1000.0], [-1000.0, -np.inf]], dtype=dn.float64, requires_grad=True)
    out = dn.logsumexp(x, dim=1)
    np.testing.assert_allclose(out.detach().numpy(), [1000 + np.log(2), -1000.0])
    out.sum().backward()
    np.testing.assert_allclose(x.grad, [[0.5, 0.5], [1.0, 0.0]])


def test_reduction_errors():
    x = dn.ones(2, 3)
    with pytest.raises(IndexError, match="axis 2 is out of range for a tensor of rank 2"):
        x.sum(dim=2)
    with pytest.raises(ValueError, match="repeated axis"):
        x.sum(dim=(1, -1))
    with pytest.raises(TypeError, match="max: dim must be one int"):
        x.max(dim=(0, 1))
    with pytest.raises(dn.errors.ShapeError, match=r"max: reduction over an empty .* \(0,\)"):
        dn.zeros(0).max()
    with pytest.raises(TypeError, match="either dim or axis"):
        x.sum(dim=0, axis=1)


def test_reduction_over_dim_zero_of_a_scalar_is_identity_like_torch():
    t = torch.tensor(2.5)
    for name in ["sum", "mean", "amax", "logsumexp"]:
        got = getattr(dn, name)(dn.tensor(2.5), dim=0)
        assert got.shape == () and got.item() == getattr(torch, name)(t, 0).item()
