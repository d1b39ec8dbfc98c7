"""Shared helpers for the engine tests: checking an op is one line.

``check_op(fn, [Arg(shape, domain), ...], np_fn=..., torch_fn=...)`` samples float64 inputs
in the op's domain (away from kinks and singularities) and checks, for ``fn(lib, *xs)``:

1. the forward value against the NumPy reference ``np_fn(*arrays)`` (when given);
2. ``deepnum.gradcheck`` in float64 (central finite differences);
3. forward values, dtypes and every input gradient against PyTorch 2.13, in float64
   (to 1e-10) and in float32 (to 1e-5).  ``fn`` is called with ``lib=torch`` and torch
   tensors unless a separate ``torch_fn(*xs)`` is given (for ops whose names differ).

Outputs may be one tensor or a tuple of them (split, chunk, ``max(dim)``); the gradient is
taken of ``Σ_k Σ w_k·out_k`` with fixed random weights ``w_k``, so every element counts.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pytest
import torch

import deepnum as dn

# One thread for both sides, unless the environment chose: the tests check values, not
# speed, and spinning BLAS threads on a busy machine slow small products tenfold.
torch.set_num_threads(1)
if not dn.threads.configured_by_environment():
    dn.set_num_threads(1)

# The shared family of shapes (STYLE habit 5).
UNARY_SHAPES = [(), (5,), (3, 4), (2, 3, 4)]
BINARY_SHAPES = [
    ((), ()),
    ((5,), (5,)),
    ((3, 4), (3, 4)),
    ((3, 1), (1, 4)),
    ((), (2, 3)),
    ((3, 4), ()),
    ((2, 3, 4), (4,)),
    ((2, 1, 4), (3, 1)),
]

TOL = {np.float64: 1e-10, np.float32: 1e-5}


def _real(rng, shape):
    return rng.uniform(-2.0, 2.0, shape)


def _positive(rng, shape):
    return rng.uniform(0.2, 2.0, shape)


def _nonzero(rng, shape):
    """|x| in [0.2, 2] with random sign: away from kinks at 0."""
    return rng.choice([-1.0, 1.0], shape) * rng.uniform(0.2, 2.0, shape)


def _unit(rng, shape):
    return rng.uniform(-0.9, 0.9, shape)


def _grid(rng, shape):
    """Distinct-enough values k/10 + 0.05: at least 0.05 away from 0 and from ±0.5, ±1."""
    return rng.integers(-20, 20, shape) / 10 + 0.05


DOMAINS: dict[str, Callable] = {
    "real": _real, "positive": _positive, "nonzero": _nonzero, "unit": _unit, "grid": _grid,
}


@dataclass(frozen=True)
class Arg:
    """One tensor input: its shape, where its values are drawn, whether it requires grad."""

    shape: tuple[int, ...]
    domain: str = "real"
    grad: bool = True


def args(*shapes, domain: str = "real") -> list[Arg]:
    return [Arg(tuple(s), domain) for s in shapes]


def sample(rng: np.random.Generator, arg: Arg) -> np.ndarray:
    return np.asarray(DOMAINS[arg.domain](rng, arg.shape), dtype=np.float64)


def torch_dtype_to_numpy(dtype: torch.dtype) -> np.dtype:
    return torch.empty((), dtype=dtype).numpy().dtype


def outputs(out) -> list:
    """An op's result as a list of tensors (a tuple, a namedtuple or one tensor)."""
    return list(out) if isinstance(out, tuple | list) else [out]


def _grad_or_zeros(grad, shape) -> np.ndarray:
    if grad is None:
        return np.zeros(shape)
    return grad.detach().numpy() if isinstance(grad, torch.Tensor) else grad


def _weighted_sum(lib, outs, weights):
    total = None
    for o, w in zip(outs, weights, strict=True):
        if not (o.requires_grad and o.dtype in (lib.float32, lib.float64)):
            continue
        term = (o * lib.tensor(w.astype(_np_dtype(o)))).sum()
        total = term if total is None else total + term
    return total


def _np_dtype(t) -> np.dtype:
    return torch_dtype_to_numpy(t.dtype) if isinstance(t, torch.Tensor) else t.dtype


def compare_with_torch(fn, torch_fn, specs, arrays, dtype, rng) -> None:
    """Forward values/dtypes/shapes and all input gradients of deepnum vs torch in ``dtype``."""
    tol = TOL[dtype]
    pairs = list(zip(specs, arrays, strict=True))
    xs_dn = [dn.tensor(a.astype(dtype), requires_grad=s.grad) for s, a in pairs]
    xs_t = [torch.tensor(a.astype(dtype), requires_grad=s.grad) for s, a in pairs]
    outs_dn = outputs(fn(dn, *xs_dn))
    outs_t = outputs(torch_fn(*xs_t))
    assert len(outs_dn) == len(outs_t), f"{len(outs_dn)} outputs, torch gives {len(outs_t)}"
    for k, (od, ot) in enumerate(zip(outs_dn, outs_t, strict=True)):
        assert od.shape == tuple(ot.shape), f"output {k}: {od.shape} vs torch {tuple(ot.shape)}"
        assert od.dtype == torch_dtype_to_numpy(ot.dtype), f"output {k}: {od.dtype} vs {ot.dtype}"
        np.testing.assert_allclose(od.detach().numpy(), ot.detach().numpy(), rtol=tol, atol=tol,
                                   err_msg=f"forward output {k} ({np.dtype(dtype)})")
    weights = [rng.standard_normal(o.shape) for o in outs_dn]
    loss_dn = _weighted_sum(dn, outs_dn, weights)
    loss_t = _weighted_sum(torch, outs_t, weights)
    assert (loss_dn is None) == (loss_t is None), "one library's output needs no gradient"
    if loss_dn is None:
        return
    loss_dn.backward()
    loss_t.backward()
    for i, (xd, xt) in enumerate(zip(xs_dn, xs_t, strict=True)):
        if not specs[i].grad:
            continue
        gd = _grad_or_zeros(xd.grad, xd.shape)
        gt = _grad_or_zeros(xt.grad, xd.shape)
        assert gd.shape == xd.shape, f"grad of input {i} has shape {gd.shape}, input {xd.shape}"
        assert gd.dtype == xd.dtype, f"grad of input {i} is {gd.dtype}, input {xd.dtype}"
        np.testing.assert_allclose(gd, gt, rtol=tol, atol=tol,
                                   err_msg=f"gradient of input {i} ({np.dtype(dtype)})")


def check_op(
    fn: Callable,
    specs: Sequence[Arg],
    *,
    np_fn: Callable | None = None,
    torch_fn: Callable | None = None,
    seed: int = 0,
    gradcheck: bool = True,
    against_torch: bool = True,
) -> None:
    """Check ``fn(lib, *tensors)`` against NumPy, finite differences and PyTorch (see module).
    ``against_torch=False`` for the few ops PyTorch lacks (NumPy's symmetric padding)."""
    rng = np.random.default_rng(seed)
    arrays = [sample(rng, s) for s in specs]
    if torch_fn is None:
        def torch_fn(*xs):
            return fn(torch, *xs)
    if np_fn is not None:
        with dn.no_grad():
            got = outputs(fn(dn, *[dn.tensor(a) for a in arrays]))
        want = outputs(np_fn(*arrays))
        assert len(got) == len(want)
        for g, w in zip(got, want, strict=True):
            assert g.shape == np.shape(w), f"shape {g.shape}, NumPy gives {np.shape(w)}"
            np.testing.assert_allclose(g.numpy(), w, rtol=1e-12, atol=1e-12, err_msg="vs NumPy")
    if gradcheck and any(s.grad for s in specs):
        xs = [dn.tensor(a, requires_grad=s.grad) for s, a in zip(specs, arrays, strict=True)]
        assert dn.gradcheck(lambda *t: fn(dn, *t), xs)
    for dtype in (np.float64, np.float32) if against_torch else ():
        compare_with_torch(fn, torch_fn, specs, arrays, dtype, rng)


def check_exact(fn: Callable, *values, torch_fn: Callable | None = None, dtype=np.float64,
                rtol: float = 0.0):
    """At special points (kinks, ties, bounds): forward and gradients equal torch's exactly
    (or to ``rtol``, for values off the special points).  Returns deepnum's input gradients,
    for the caller's own analytic assertions."""
    arrays = [np.asarray(v, dtype=dtype) for v in values]
    xs_dn = [dn.tensor(a, requires_grad=True) for a in arrays]
    xs_t = [torch.tensor(a, requires_grad=True) for a in arrays]
    out_dn = fn(dn, *xs_dn)
    out_t = (torch_fn or (lambda *t: fn(torch, *t)))(*xs_t)
    np.testing.assert_allclose(out_dn.detach().numpy(), out_t.detach().numpy(), rtol=rtol, atol=0)
    out_dn.sum().backward()
    out_t.sum().backward()
    grads = [_grad_or_zeros(x.grad, x.shape) for x in xs_dn]
    for gd, xt in zip(grads, xs_t, strict=True):
        np.testing.assert_allclose(gd, _grad_or_zeros(xt.grad, gd.shape), rtol=rtol, atol=0)
    return grads


@pytest.fixture(autouse=True)
def _seeded_and_grad_enabled():
    """Every test starts from seed 0 with recording on, and must leave recording on."""
    dn.manual_seed(0)
    assert dn.is_grad_enabled()
    yield
    enabled = dn.is_grad_enabled()
    dn.set_grad_enabled(True)
    assert enabled, "the test left grad mode disabled"


def fashion_mnist_or_skip() -> tuple:
    """Debian's real Fashion-MNIST, ``(x_train, y_train), (x_test, y_test)`` as uint8 arrays;
    the test is skipped when it is absent, unless DEEPNUM_REQUIRE_REAL_DATA=1 (CI): then it
    fails."""
    from deepnum.datasets import fashion_mnist
    from deepnum.errors import NotFoundError
    try:
        return fashion_mnist.load_data()
    except NotFoundError as error:
        if os.environ.get("DEEPNUM_REQUIRE_REAL_DATA") == "1":
            pytest.fail(f"Fashion-MNIST is missing and DEEPNUM_REQUIRE_REAL_DATA=1: {error}")
        pytest.skip(f"Fashion-MNIST is not installed ({error})")
