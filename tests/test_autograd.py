"""Reverse-mode autodiff semantics (``deepnum.autograd`` and ``Tensor.backward``): accumulation,
shared nodes, errors, deep graphs, grad-mode switches, leaves, detach and retain_grad; every
gradient checked against PyTorch."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import deepnum as dn
from deepnum.errors import DTypeError, GradientError, ShapeError

A = np.array([[0.5, -1.25, 2.0], [1.5, 0.75, -0.5]])


def both(fn, *arrays):
    """Run ``fn(lib, *leaves)`` and backward of its sum in both libraries; return the leaves."""
    out = []
    for lib in (dn, torch):
        leaves = [lib.tensor(a, requires_grad=True) for a in arrays]
        fn(lib, *leaves).sum().backward()
        out.append(leaves)
    return out


def assert_grads_match(dn_leaves, torch_leaves):
    for d, t in zip(dn_leaves, torch_leaves, strict=True):
        np.testing.assert_allclose(d.grad, t.grad.numpy(), rtol=1e-12, atol=1e-12)


# ----- gradients add up ----------------------------------------------------------------------
def test_two_backward_calls_accumulate_not_overwrite():
    x = dn.tensor(A, requires_grad=True)
    (x * x).sum().backward()
    first = x.grad.copy()
    (x * 3).sum().backward()
    np.testing.assert_allclose(first, 2 * A)
    np.testing.assert_allclose(x.grad, 2 * A + 3)


@pytest.mark.parametrize("name,fn", [
    ("x*x", lambda m, x: x * x),
    ("x+x", lambda m, x: x + x),
    ("x/x*x", lambda m, x: x / x * x),
    ("diamond", lambda m, x: (x * 2).exp() * (x * 3).sin()),
    ("reused_intermediate", lambda m, x: (lambda h: h * h + h.sum() * h)(m.tanh(x))),
    ("matmul_with_itself", lambda m, x: x @ x.T),
    ("sliced_twice", lambda m, x: x[0] * x[1] + x[:, 1].sum()),
])
def test_a_tensor_used_twice_gets_both_contributions(name, fn):
    assert_grads_match(*both(fn, A))


def test_two_inputs_sharing_subgraphs():
    b = np.array([0.25, 2.0, 1.0])
    assert_grads_match(*both(lambda m, x, y: (x * y + y).log1p() * (x - y) ** 2,
                             np.abs(A) + 0.1, b))


def test_deep_chain_of_100000_ops_backpropagates_without_recursion():
    c = 1.00001
    x = dn.tensor(1.0, dtype=dn.float64, requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y * c
    y.backward()
    assert math.isclose(x.grad.item(), c**100_000, rel_tol=1e-9)


def test_wide_fan_out_and_fan_in():
    x = dn.tensor(A, requires_grad=True)
    total = sum(x * float(k) for k in range(200))
    total.sum().backward()
    np.testing.assert_allclose(x.grad, np.full(A.shape, sum(range(200))))


# ----- errors --------------------------------------------------------------------------------
def test_backward_on_a_non_scalar_without_grad_is_a_clear_error():
    y = dn.tensor(A, requires_grad=True) * 2
    with pytest.raises(GradientError, match=r"grad can be omitted only for a one-element output.*"
                                            r"shape \(2, 3\)"):
        y.backward()


def test_backward_with_a_grad_of_the_wrong_shape_is_a_shape_error():
    y = dn.tensor(A, requires_grad=True) * 2
    with pytest.raises(ShapeError, match=r"grad has shape \(3,\) but the output has shape"):
        y.backward(dn.ones(3))


def test_backward_with_an_explicit_grad_matches_torch():
    g = np.arange(6.0).reshape(2, 3)
    x, xt = dn.tensor(A, requires_grad=True), torch.tensor(A, requires_grad=True)
    (x.sin() * 2).backward(dn.tensor(g))
    (xt.sin() * 2).backward(torch.tensor(g))
    np.testing.assert_allclose(x.grad, xt.grad.numpy(), rtol=1e-12)


def test_second_backward_without_retain_graph_is_a_clear_error():
    x = dn.tensor(A, requires_grad=True)
    y = (x.exp() * x).sum()
    y.backward()
    with pytest.raises(GradientError, match=r"a second time.*retain_graph=True"):
        y.backward()


def test_retain_graph_allows_a_second_backward_that_accumulates():
    x = dn.tensor(A, requires_grad=True)
    y = (x.exp() * x).sum()
    y.backward(retain_graph=True)
    once = x.grad.copy()
    y.backward()
    np.testing.assert_allclose(x.grad, 2 * once)
    np.testing.assert_allclose(once, np.exp(A) * (A + 1))


def test_backward_on_a_tensor_outside_the_graph_and_create_graph_are_errors():
    with pytest.raises(GradientError, match="does not require grad"):
        dn.ones(1).backward()
    with pytest.raises(GradientError, match="higher-order gradients are not supported"):
        (dn.ones(1, requires_grad=True) * 2).sum().backward(create_graph=True)


def test_integer_tensors_cannot_require_grad():
    for make in [lambda: dn.tensor([1, 2], requires_grad=True),
                 lambda: dn.tensor([1, 2]).requires_grad_(),
                 lambda: dn.zeros(2, dtype=dn.int64, requires_grad=True),
                 lambda: dn.arange(3, requires_grad=True)]:
        with pytest.raises(DTypeError, match="only floating-point tensors can require gradients"):
            make()


# ----- grad mode -----------------------------------------------------------------------------
def test_no_grad_as_context_manager():
    w = dn.ones(2, requires_grad=True)
    with dn.no_grad():
        assert not dn.is_grad_enabled()
        y = w * 2
        with dn.enable_grad():
            z = w * 2
    assert dn.is_grad_enabled()
    assert not y.requires_grad and y.is_leaf and z.requires_grad


@pytest.mark.parametrize("decorate", [lambda f: dn.no_grad()(f), lambda f: dn.no_grad(f)],
                         ids=["@no_grad()", "@no_grad"])
def test_no_grad_as_decorator(decorate):
    w = dn.ones(2, requires_grad=True)

    @decorate
    def step(scale):
        """Doubles."""
        return w * scale, dn.is_grad_enabled()

    out, enabled = step(2.0)
    assert not enabled and not out.requires_grad and dn.is_grad_enabled()
    assert step.__doc__ == "Doubles." and step.__name__ == "step"


def test_enable_grad_as_decorator_inside_no_grad():
    @dn.enable_grad()
    def inner():
        return dn.is_grad_enabled()

    with dn.no_grad():
        assert inner() and not dn.is_grad_enabled()


def test_set_grad_enabled_call_context_and_decorator():
    with dn.set_grad_enabled(False):
        assert not dn.is_grad_enabled()
    assert dn.is_grad_enabled()
    with dn.no_grad(), dn.set_grad_enabled(True):
        assert dn.is_grad_enabled()

    @dn.set_grad_enabled(False)
    def f():
        return dn.is_grad_enabled()

    assert dn.is_grad_enabled() and f() is False and dn.is_grad_enabled()
    dn.set_grad_enabled(mode=False)
    assert not dn.is_grad_enabled()
    dn.set_grad_enabled(True)
    assert dn.is_grad_enabled()


def test_grad_mode_is_restored_after_an_exception():
    with pytest.raises(ZeroDivisionError), dn.no_grad():
        1 / 0  # noqa: B018
    assert dn.is_grad_enabled()


# ----- leaves, .grad, detach, retain_grad ----------------------------------------------------
def test_grad_is_an_independent_writable_array():
    a = dn.tensor(A, requires_grad=True)
    b = dn.tensor(A, requires_grad=True)
    c = dn.tensor(1.0, dtype=dn.float64, requires_grad=True)
    (a + b + c).sum().backward()
    a.grad += 1.0
    a.grad[0, 0] = 100.0
    assert b.grad.tolist() == np.ones(A.shape).tolist()
    c.grad[...] = 0.0  # the gradient of a broadcast input is writable too
    x = dn.tensor([1.0, 2.0], requires_grad=True)
    seed = np.array([3.0, 4.0])
    x.backward(seed)
    x.grad[0] = 0.0
    assert seed.tolist() == [3.0, 4.0]


def test_detach_shares_memory_and_stops_gradients():
    x, xt = dn.tensor(A, requires_grad=True), torch.tensor(A, requires_grad=True)
    d = x.detach()
    assert not d.requires_grad and d.is_leaf and np.shares_memory(d.numpy(), x.data)
    (x * x.detach()).sum().backward()
    (xt * xt.detach()).sum().backward()
    np.testing.assert_allclose(x.grad, xt.grad.numpy())
    np.testing.assert_allclose(x.grad, A)


def test_retain_grad_keeps_the_gradient_of_a_non_leaf():
    x, xt = dn.tensor(A, requires_grad=True), torch.tensor(A, requires_grad=True)
    hs = []
    for v in (x, xt):
        h = v * 2
        h.retain_grad()
        g = v.exp()  # not retained
        (h.sin() * g).sum().backward()
        hs.append((h, g))
    (h, g), (ht, _) = hs
    np.testing.assert_allclose(h.grad, ht.grad.numpy(), rtol=1e-12)
    assert g.grad is None
    with pytest.raises(GradientError, match="retain_grad on a tensor that does not require grad"):
        dn.ones(2).retain_grad()


def test_requires_grad_leaves_and_grad_fn():
    x = dn.tensor(A)
    assert x.is_leaf and not x.requires_grad and x.grad_fn is None
    assert x.requires_grad_() is x and x.requires_grad and x.is_leaf
    y = x * 2
    assert y.requires_grad and not y.is_leaf and y.grad_fn is not None
    assert (dn.tensor(A) * 2).is_leaf  # ops on tensors outside the graph make leaves
    with pytest.raises(GradientError, match=r"use \.detach\(\) instead"):
        y.requires_grad_(False)
    x.requires_grad_(False)
    assert not (x * 2).requires_grad


def test_unused_leaf_keeps_grad_none_and_zero_grad_clears():
    x = dn.tensor(A, requires_grad=True)
    unused = dn.tensor(A, requires_grad=True)
    (x * 2).sum().backward()
    assert unused.grad is None
    x.zero_grad()
    assert x.grad is None


def test_float32_graph_gives_float32_grads_even_with_float64_seed():
    x = dn.tensor([1.0, 2.0], requires_grad=True)
    (x * x).backward(np.array([1.0, 1.0], dtype=np.float64))
    assert x.grad.dtype == np.float32 and x.grad.tolist() == [2.0, 4.0]


def test_mixed_precision_graph_casts_each_grad_to_its_leaf():
    x32 = dn.tensor([1.0, 2.0], requires_grad=True)
    x64 = dn.tensor([3.0, 4.0], dtype=dn.float64, requires_grad=True)
    (x32 * x64).sum().backward()
    assert x32.grad.dtype == np.float32 and x64.grad.dtype == np.float64
    assert x32.grad.tolist() == [3.0, 4.0] and x64.grad.tolist() == [1.0, 2.0]


# ----- random programs: any DAG of ops gives PyTorch's gradients ------------------------------
STEPS = [
    lambda m, a, b: a + b,
    lambda m, a, b: a - b,
    lambda m, a, b: a * m.tanh(b),
    lambda m, a, b: a / (b * b + 1),
    lambda m, a, b: m.tanh(a) * 2 + b,
    lambda m, a, b: m.maximum(a, b * 0.5),
    lambda m, a, b: a.sum(dim=-1, keepdim=True) * b,
    lambda m, a, b: m.tanh(a * b).exp() - b,
    lambda m, a, b: a[..., [0, 0, 2]] + b,
    lambda m, a, b: m.where(a > b, a, m.sin(b)),
]


@settings(max_examples=40, deadline=None)
@given(program=st.lists(st.tuples(st.integers(0, len(STEPS) - 1), st.integers(0, 99),
                                  st.integers(0, 99)), min_size=1, max_size=12),
       seed=st.integers(0, 1000))
def test_random_programs_match_torch(program, seed):
    """Each step applies an op to two values drawn from everything computed so far (leaves of
    shapes (3,) and (2, 3) included), so values are reused, fan out and broadcast.  The ops
    keep values bounded (no overflow, whatever the program)."""
    rng = np.random.default_rng(seed)
    arrays = [rng.uniform(-1, 1, (3,)), rng.uniform(-1, 1, (2, 3)), rng.uniform(-1, 1, (3,))]
    results = []
    for lib in (dn, torch):
        leaves = [lib.tensor(a, requires_grad=True) for a in arrays]
        pool = list(leaves)
        for op, i, j in program:
            pool.append(STEPS[op](lib, pool[i % len(pool)], pool[j % len(pool)]))
        sum(v.sum() for v in pool[len(leaves):]).backward()
        if lib is dn:  # every .grad is its own writable array
            grads = [v.grad for v in leaves if v.grad is not None]
            assert all(g.flags.writeable for g in grads)
            assert not any(np.shares_memory(g, h) for k, g in enumerate(grads)
                           for h in grads[k + 1:])
            assert not any(np.shares_memory(g, v.data) for g in grads for v in pool)
        results.append([np.zeros(a.shape) if v.grad is None else np.asarray(v.grad)
                        for v, a in zip(leaves, arrays, strict=True)])
    for got, want in zip(*results, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)
