"""The Tensor class (``deepnum._tensor``): type promotion like PyTorch, comparisons and
arg-reductions outside the graph, conversions, repr, in-place operators and their rules."""

from __future__ import annotations

import re

import numpy as np
import pytest
import torch
from conftest import torch_dtype_to_numpy

import deepnum as dn
from deepnum.errors import DTypeError, GradientError, ShapeError

I64 = [1, 2, 3]
F32 = [0.5, -1.5, 2.0]

# (name, fn(lib)): the same expression in both libraries; dtype and values must agree.
PROMOTION = [
    ("int + float scalar", lambda m: m.tensor(I64) + 2.5),
    ("float scalar + int", lambda m: 2.5 + m.tensor(I64)),
    ("int * int scalar", lambda m: m.tensor(I64) * 3),
    ("int + float32 tensor", lambda m: m.tensor(I64) + m.tensor(F32)),
    ("float32 + float64", lambda m: m.tensor(F32) + m.tensor(F32, dtype=m.float64)),
    ("int / int tensors", lambda m: m.tensor(I64) / m.tensor([2, 4, 8])),
    ("int / int scalar", lambda m: m.tensor(I64) / 2),
    ("int scalar / int", lambda m: 2 / m.tensor(I64)),
    ("float32 / int", lambda m: m.tensor(F32) / m.tensor(I64)),
    ("int32 * int64 scalar", lambda m: m.tensor(I64, dtype=m.int32) * 7),
    ("uint8 + int8", lambda m: m.tensor(I64, dtype=m.uint8) + m.tensor(I64, dtype=m.int8)),
    ("float16 * float scalar", lambda m: m.tensor(F32, dtype=m.float16) * 1.5),
    ("float64 + float scalar", lambda m: m.tensor(F32, dtype=m.float64) + 0.1),
    ("int ** 2", lambda m: m.tensor(I64) ** 2),
    ("2.0 ** int", lambda m: 2.0 ** m.tensor(I64)),
    ("float32 * np.float64", lambda m: m.tensor(F32) * np.float64(0.1)),
    ("int * np.float64", lambda m: m.tensor(I64) * np.float64(2.5)),
    ("int32 * np.int64", lambda m: m.tensor(I64, dtype=m.int32) * np.int64(2)),
    ("float32 - np.float32", lambda m: m.tensor(F32) - np.float32(0.25)),
    ("float32 + int tensor 0-d", lambda m: m.tensor(F32) + m.tensor(3)),
    ("bool + int", lambda m: m.tensor([True, False]) + 1),
    ("maximum int, float", lambda m: m.maximum(m.tensor(I64), m.tensor(F32))),
    ("int ** 0.5", lambda m: m.tensor(I64) ** 0.5),
    ("float32 + 0-d float64", lambda m: m.tensor(F32) + m.tensor(1.5, dtype=m.float64)),
    ("0-d float64 * float32", lambda m: m.tensor(1.5, dtype=m.float64) * m.tensor(F32)),
    ("int32 + 0-d int64", lambda m: m.tensor(I64, dtype=m.int32) + m.tensor(5)),
    ("uint8 + 0-d int64", lambda m: m.tensor(I64, dtype=m.uint8) + m.tensor(5)),
    ("bool + 0-d int64", lambda m: m.tensor([True, False, True]) + m.tensor(5)),
    ("int8 * 0-d float64", lambda m: m.tensor(I64, dtype=m.int8) * m.tensor(2.5, dtype=m.float64)),
    ("0-d float64 + 0-d float32", lambda m: m.tensor(1.0, dtype=m.float64) + m.tensor(2.0)),
    ("cat float32, int", lambda m: m.cat([m.tensor(F32), m.tensor(I64)])),
    ("stack int, float64", lambda m: m.stack([m.tensor(I64), m.tensor(F32, dtype=m.float64)])),
    ("cat int32, int64", lambda m: m.cat([m.tensor(I64, dtype=m.int32), m.tensor(I64)])),
    ("clamp int, float bounds", lambda m: m.clamp(m.tensor(I64), 1.5, 2.5)),
    ("clamp int, int bounds", lambda m: m.clamp(m.tensor(I64), 2)),
    ("where int, float",
     lambda m: m.where(m.tensor([True, False, True]), m.tensor(I64), m.tensor(F32))),
]


@pytest.mark.parametrize("fn", [f for _, f in PROMOTION], ids=[n for n, _ in PROMOTION])
def test_type_promotion_matches_torch(fn):
    got, want = fn(dn), fn(torch)
    assert got.dtype == torch_dtype_to_numpy(want.dtype)
    np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-6)


def test_numpy_scalars_act_like_python_scalars_on_either_side():
    x = dn.tensor(I64)
    for scalar in [np.float64(2.5), np.float32(2.5), 2.5]:
        assert (scalar * x).dtype == np.float32 and (x - scalar).dtype == np.float32
    assert (np.int64(2) * dn.tensor(I64, dtype=dn.int32)).dtype == np.int32


def test_numpy_array_operand_gives_a_tensor():
    out = np.ones(3) * dn.tensor(F32, requires_grad=True)
    assert isinstance(out, dn.Tensor) and out.requires_grad


# ----- outside the graph ---------------------------------------------------------------------
OUTSIDE = [
    ("lt", lambda x: x < 0.5), ("le", lambda x: x <= 0.5), ("gt", lambda x: x > 0.5),
    ("ge", lambda x: x >= 0.5), ("eq", lambda x: x == 2.0), ("ne", lambda x: x != 2.0),
    ("eq_tensor", lambda x: x == x), ("and", lambda x: (x > 0) & (x < 1)),
    ("or", lambda x: (x > 1) | (x < 0)), ("invert", lambda x: ~(x > 0)),
    ("argmax", lambda x: x.argmax()), ("argmin", lambda x: x.argmin()),
    ("argmax_dim", lambda x: x.argmax(dim=1)),
    ("argmin_dim_keep", lambda x: x.argmin(1, keepdim=True)),
    ("isnan", lambda x: x.isnan()), ("isfinite", lambda x: x.isfinite()),
    ("max_indices", lambda x: x.max(dim=0).indices),
]


@pytest.mark.parametrize("fn", [f for _, f in OUTSIDE], ids=[n for n, _ in OUTSIDE])
def test_comparisons_and_arg_reductions_are_outside_the_graph(fn):
    a = np.array([[0.25, 2.0, -1.0], [3.0, 0.5, 2.0]])
    got = fn(dn.tensor(a, requires_grad=True))
    want = fn(torch.tensor(a, requires_grad=True))
    assert not got.requires_grad and got.is_leaf and got.grad_fn is None
    assert got.dtype == torch_dtype_to_numpy(want.dtype)
    np.testing.assert_array_equal(got.numpy(), want.numpy())


def test_comparison_shape_error_names_both_shapes():
    with pytest.raises(ShapeError, match=r"less: shapes \(2,\) and \(3,\)"):
        _ = dn.ones(2) < dn.ones(3)


def test_sign_is_outside_the_graph():
    s = dn.tensor([-2.0, 0.0, 3.0], requires_grad=True).sign()
    assert not s.requires_grad and s.tolist() == [-1.0, 0.0, 1.0]


def test_tensors_hash_by_identity_and_compare_with_none():
    a, b = dn.ones(2), dn.ones(2)
    assert len({a, b}) == 2 and (a == None) is False and (a != None) is True  # noqa: E711


# ----- conversions ---------------------------------------------------------------------------
def test_numpy_of_a_tensor_requiring_grad_raises_and_points_to_detach():
    w = dn.ones(3, requires_grad=True)
    with pytest.raises(GradientError, match=r"detach\(\)\.numpy\(\)"):
        w.numpy()
    with pytest.raises(GradientError, match="requires grad"):
        np.asarray(w * 2)
    assert w.detach().numpy().tolist() == [1.0, 1.0, 1.0]


def test_numpy_shares_memory_and_detach_shares_memory():
    x = dn.zeros(3)
    x.numpy()[0] = 5.0
    d = x.detach()
    d.numpy()[1] = 7.0
    assert x.tolist() == [5.0, 7.0, 0.0] and not d.requires_grad


def test_scalar_conversions_and_their_errors():
    t = dn.tensor([[2.5]])
    assert t.item() == 2.5 and float(t) == 2.5 and int(t) == 2 and bool(t)
    assert f"{dn.tensor(0.123456):.2f}" == "0.12"
    with pytest.raises(ShapeError, match=r"only a one-element tensor has an item, got shape"):
        dn.ones(2).item()
    with pytest.raises(ValueError, match="ambiguous"):
        bool(dn.ones(2))
    with pytest.raises(TypeError, match="len\\(\\) of a 0-d tensor"):
        len(dn.tensor(1.0))
    assert [1, 2, 3][dn.tensor(1)] == 2
    with pytest.raises(TypeError, match="only integer tensors can be used as an index"):
        [1, 2, 3][dn.tensor(1.0)]


def test_shape_properties_like_torch_and_numpy():
    x = dn.zeros(2, 3, 4)
    assert x.shape == (2, 3, 4) and x.ndim == 3 and x.dim() == 3 and x.numel() == 24
    assert x.size == 24 and x.size() == (2, 3, 4) and x.size(1) == 3 and x.size(-1) == 4
    assert len(x) == 2 and [t.shape for t in x] == [(3, 4), (3, 4)] and x.device == "cpu"


REPRS = [[1.0, 2.0], [[1.5, 2.25]], 3.0, 1.5, [1, 2], [True, False], [1e-5, 1.0],
         [123456.0, 1.0], [0.1, 0.25, -3.0], [[1.0, -2.0], [3.0, 4.0]], [np.nan, 1.5, np.inf]]


@pytest.mark.parametrize("value", REPRS, ids=str)
def test_repr_looks_like_pytorch(value):
    assert repr(dn.tensor(value)) == repr(torch.tensor(value))
    if isinstance(np.asarray(value).flat[0], float):
        assert repr(dn.tensor(value, requires_grad=True)) == repr(
            torch.tensor(value, requires_grad=True))


def test_repr_names_dtype_grad_fn_and_empty_size():
    assert repr(dn.tensor([1.0], dtype=dn.float64)) == "tensor([1.], dtype=float64)"
    assert repr(dn.zeros(2, 0)) == repr(torch.zeros(2, 0))
    assert re.fullmatch(r"tensor\(\[2\.7183, 2\.7183\], grad_fn=<exp\w*>\)",
                        repr(dn.ones(2, requires_grad=True).exp()), re.IGNORECASE)


# ----- in-place operators --------------------------------------------------------------------
def test_inplace_on_a_leaf_requiring_grad_raises():
    w = dn.ones(3, requires_grad=True)
    for op in [lambda: w.__iadd__(1.0), lambda: w.add_(1.0), lambda: w.mul_(2.0)]:
        with pytest.raises(GradientError, match="in-place operation on a leaf tensor that"):
            op()


def test_inplace_on_a_non_leaf_gives_correct_gradients():
    a = np.array([1.0, -2.0, 3.0])
    x, xt = dn.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    for lib, v in [(dn, x), (torch, xt)]:
        y = v * 2
        y += v
        y *= v
        y -= 1.0
        y /= lib.tensor([1.0, 2.0, 4.0], dtype=v.dtype)
        y.sum().backward()
    np.testing.assert_allclose(x.grad, xt.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(x.grad, 6 * a / [1.0, 2.0, 4.0], rtol=1e-12)


def test_inplace_under_no_grad_mutates_the_same_memory():
    w = dn.ones(3, requires_grad=True)
    memory = w.data
    with dn.no_grad():
        w -= 0.5 * dn.tensor([1.0, 2.0, 3.0])
        w.mul_(2.0)
        w.add_(dn.ones(3), alpha=3)
    assert w.data is memory and w.is_leaf and w.requires_grad
    assert w.tolist() == [4.0, 3.0, 2.0]


def test_inplace_on_a_plain_tensor_mutates_and_keeps_its_dtype():
    x = dn.zeros(2, 3)
    same = x
    x += dn.ones(3)
    x.sub_(0.5)
    x.div_(2)
    assert x is same and x.dtype == np.float32 and x.tolist() == [[0.25] * 3] * 2
    x.zero_()
    assert x.tolist() == [[0.0] * 3] * 2
    x.fill_(2.0)
    x.copy_(dn.tensor([1.0, 2.0, 3.0]))
    assert x.tolist() == [[1.0, 2.0, 3.0]] * 2
    with pytest.raises(ShapeError, match=r"add_: .*\(tensor of shape \(2, 3\)\)"):
        x += dn.ones(4)
    with pytest.raises(DTypeError, match="add_"):
        y = dn.tensor([1, 2])
        y += 1.5  # as PyTorch: a float result cannot be stored in an integer tensor


def test_plain_tensor_plus_requiring_grad_in_place_is_rebound_into_the_graph():
    w = dn.tensor([1.0, 2.0], requires_grad=True)
    acc = dn.zeros(2)
    acc += w * 3
    assert acc.requires_grad
    acc.sum().backward()
    assert w.grad.tolist() == [3.0, 3.0]


def test_inplace_methods_on_a_non_leaf_change_that_tensor_like_torch():
    a = np.array([1.0, -2.0, 3.0])
    x, xt = dn.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    results = []
    for lib, v in [(dn, x), (torch, xt)]:
        y = v * 2
        before = y + 0  # a consumer of the old value
        y.add_(v)  # the method form: no name is rebound, y itself must change
        y.mul_(lib.tensor([1.0, 0.5, 2.0], dtype=v.dtype))
        (y * before).sum().backward()
        results.append(y.detach().numpy().copy())
    np.testing.assert_allclose(results[0], results[1])
    np.testing.assert_allclose(x.grad, xt.grad.numpy(), rtol=1e-12)
    acc, acct = dn.zeros(3), torch.zeros(3)
    acc.add_(x * 3)
    acct.add_(xt * 3)
    assert acc.requires_grad and not acc.is_leaf and acc.tolist() == acct.tolist()


def test_zero_dim_operand_does_not_widen_gradients_either():
    x = dn.tensor(F32, requires_grad=True)
    s = dn.tensor(2.0, dtype=dn.float64, requires_grad=True)
    y = x * s
    assert y.dtype == np.float32
    y.sum().backward()
    assert x.grad.dtype == np.float32 and s.grad.dtype == np.float64
    assert s.grad.item() == pytest.approx(sum(F32))
