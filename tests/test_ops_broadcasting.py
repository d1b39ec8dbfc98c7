"""Property tests (hypothesis) for broadcasting: for random broadcastable shape pairs, binary
ops give NumPy's result shape, gradients with the inputs' shapes, and PyTorch's values."""

from __future__ import annotations

import numpy as np
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import broadcastable_shapes, mutually_broadcastable_shapes

import deepnum as dn

OPS = {
    "add": lambda m, a, b: a + b,
    "sub": lambda m, a, b: a - b,
    "mul": lambda m, a, b: a * b,
    "div": lambda m, a, b: a / b,
    "maximum": lambda m, a, b: m.maximum(a, b),
    "minimum": lambda m, a, b: m.minimum(a, b),
    "where": lambda m, a, b: m.where(a > b, a, b * 2),
}

pairs = mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=4, max_side=3)


def _values(seed: int, shape) -> np.ndarray:
    """Distinct values away from 0 (div) that never tie (maximum, where)."""
    rng = np.random.default_rng(seed)
    return rng.choice([-1.0, 1.0], shape) * rng.uniform(0.5, 2.0, shape)


@settings(max_examples=25, deadline=None)
@given(shapes=pairs, name=st.sampled_from(sorted(OPS)), seed=st.integers(0, 2**16))
def test_binary_broadcasting_matches_numpy_shapes_and_torch_gradients(shapes, name, seed):
    (sa, sb), out_shape = shapes.input_shapes, shapes.result_shape
    a, b = _values(seed, sa), _values(seed + 1, sb)
    fn = OPS[name]
    x, y = dn.tensor(a, requires_grad=True), dn.tensor(b, requires_grad=True)
    xt, yt = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
    out, out_t = fn(dn, x, y), fn(torch, xt, yt)
    assert out.shape == out_shape == np.broadcast_shapes(sa, sb)
    np.testing.assert_allclose(out.detach().numpy(), out_t.detach().numpy(), rtol=1e-12)
    w = _values(seed + 2, out_shape)
    (out * dn.tensor(w)).sum().backward()
    (out_t * torch.tensor(w)).sum().backward()
    assert x.grad.shape == sa and y.grad.shape == sb
    np.testing.assert_allclose(x.grad, xt.grad.numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(y.grad, yt.grad.numpy(), rtol=1e-12, atol=1e-12)


@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_broadcast_to_and_back(data):
    """broadcast_to any compatible target; its gradient sums back to the input's shape."""
    shape = data.draw(st.lists(st.integers(1, 3), min_size=0, max_size=3).map(tuple))
    target = data.draw(broadcastable_shapes(shape, min_dims=len(shape), max_dims=4, max_side=3)
                       .map(lambda s: np.broadcast_shapes(s, shape)))
    a = _values(len(target), shape)
    x, xt = dn.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    out = dn.broadcast_to(x, target)
    assert out.shape == target
    w = _values(7, target)
    (out * dn.tensor(w)).sum().backward()
    (xt.expand(target) * torch.tensor(w)).sum().backward()
    assert x.grad.shape == shape
    np.testing.assert_allclose(x.grad, xt.grad.numpy(), rtol=1e-12)


@settings(max_examples=20, deadline=None)
@given(shape=st.lists(st.integers(2, 3), min_size=1, max_size=3).map(tuple),
       axis=st.integers(0, 2), lead=st.integers(0, 2))
def test_incompatible_shapes_raise_a_shape_error_naming_both(shape, axis, lead):
    """One axis of size n against n + 1 (neither is 1): no broadcast, whatever else agrees."""
    axis %= len(shape)
    other = (2,) * lead + tuple(n + 1 if i == axis else n for i, n in enumerate(shape))
    for name, fn in [("add", dn.add), ("mul", dn.mul), ("maximum", dn.maximum)]:
        try:
            fn(dn.ones(shape), dn.ones(other))
        except dn.errors.ShapeError as e:
            assert str(e) == f"{name}: shapes {shape} and {other} cannot be broadcast together"
        else:
            raise AssertionError(f"{shape} and {other} should not broadcast")
