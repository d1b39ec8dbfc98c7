"""PyTorch as the oracle for modules: build the same layer in both libraries, copy torch's
weights into deepnum through ``load_state_dict`` (NumPy arrays), run both, and compare the
outputs and the gradients with respect to the inputs and to every parameter."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import torch

import deepnum as dn

TOL = {np.float64: 1e-10, np.float32: 1e-5}
TORCH_DTYPE = {np.float64: torch.float64, np.float32: torch.float32}


def copy_weights(dn_module, torch_module) -> None:
    """Load torch's state dict (as NumPy arrays) into the deepnum module."""
    dn_module.load_state_dict({k: v.detach().numpy() for k, v in torch_module.state_dict().items()})


def _inputs(arrays, dtype, lib):
    """Float arrays become float tensors of ``dtype`` that require grad; others stay as they are."""
    out = []
    for a in arrays:
        a = np.asarray(a)
        if a.dtype.kind == "f":
            out.append(lib.tensor(a.astype(dtype), requires_grad=True))
        else:
            out.append(lib.tensor(a))
    return out


def run_pair(dn_module, torch_module, arrays: Sequence, dtype, rng: np.random.Generator,
             tol: float | None = None, call: Callable | None = None) -> None:
    """One forward and backward through both modules (already holding equal weights);
    asserts equal outputs, input gradients and parameter gradients."""
    tol = TOL[dtype] if tol is None else tol
    xs_d = _inputs(arrays, dtype, dn)
    xs_t = _inputs(arrays, dtype, torch)
    call = call or (lambda m, *xs: m(*xs))
    out_d = call(dn_module, *xs_d)
    out_t = call(torch_module, *xs_t)
    assert out_d.shape == tuple(out_t.shape), f"output shape {out_d.shape} vs {tuple(out_t.shape)}"
    assert out_d.dtype == np.dtype(dtype) or out_d.dtype.kind != "f"
    np.testing.assert_allclose(out_d.detach().numpy(), out_t.detach().numpy(), rtol=tol, atol=tol,
                               err_msg="forward")
    if not out_t.requires_grad:
        return
    w = rng.standard_normal(out_d.shape).astype(dtype)
    (out_d * dn.tensor(w)).sum().backward()
    (out_t * torch.tensor(w)).sum().backward()
    for i, (xd, xt) in enumerate(zip(xs_d, xs_t, strict=True)):
        if xt.requires_grad:
            gt = np.zeros(xd.shape) if xt.grad is None else xt.grad.numpy()
            gd = np.zeros(xd.shape) if xd.grad is None else xd.grad
            np.testing.assert_allclose(gd, gt, rtol=tol, atol=tol, err_msg=f"grad of input {i}")
    params_t = dict(torch_module.named_parameters())
    params_d = dict(dn_module.named_parameters())
    assert list(params_d) == list(params_t), "parameter names differ"
    for name, pt in params_t.items():
        pd = params_d[name]
        if pt.grad is None:
            assert pd.grad is None or not pd.grad.any(), f"{name} has a gradient, torch's none"
            continue
        assert pd.grad is not None, f"{name}: no gradient"
        assert pd.grad.dtype == pd.dtype
        np.testing.assert_allclose(pd.grad, pt.grad.numpy(), rtol=tol, atol=tol,
                                   err_msg=f"grad of {name}")


def compare_module(make_dn: Callable, make_torch: Callable, arrays: Sequence, *, seed: int = 0,
                   call: Callable | None = None, dtypes=(np.float64, np.float32)) -> None:
    """Build both modules in each dtype, copy torch's weights into deepnum, compare one
    forward/backward (see ``run_pair``)."""
    rng = np.random.default_rng(seed)
    for dtype in dtypes:
        tm = make_torch().to(TORCH_DTYPE[dtype])
        dm = make_dn().to(dtype)
        copy_weights(dm, tm)
        run_pair(dm, tm, arrays, dtype, rng, call=call)
