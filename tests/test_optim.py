"""deepnum.optim against torch.optim (PyTorch 2.13): trajectories, state, checkpoints.

Every optimizer runs 20 steps on the same parameters with the same pre-generated gradients
as its torch twin, in two parameter groups with different learning rates, for every option
that changes the arithmetic; a parameter whose gradient stays None must not move.
"""

from __future__ import annotations

import copy
import inspect

import numpy as np
import pytest
import torch

import deepnum as dn
from deepnum import optim

SHAPES = [(4, 3), (3,), (2, 2), (5,)]  # the last parameter never gets a gradient
STEPS = 20
TOL = {np.float64: dict(rtol=1e-10, atol=1e-12), np.float32: dict(rtol=1e-5, atol=1e-6)}

CASES = {
    "SGD": ((0.1, 0.03), [
        {}, {"momentum": 0.9}, {"momentum": 0.9, "dampening": 0.3},
        {"momentum": 0.9, "nesterov": True}, {"weight_decay": 0.1}, {"maximize": True},
        {"momentum": 0.8, "weight_decay": 0.1, "maximize": True},
        {"momentum": 0.9, "nesterov": True, "weight_decay": 0.05, "maximize": True},
    ]),
    "RMSprop": ((0.01, 0.003), [
        {}, {"centered": True}, {"momentum": 0.9}, {"alpha": 0.9, "eps": 1e-3},
        {"momentum": 0.9, "centered": True, "weight_decay": 0.1},
        {"weight_decay": 0.1, "maximize": True},
    ]),
    "Adam": ((0.01, 0.05), [
        {}, {"amsgrad": True}, {"weight_decay": 0.1}, {"betas": (0.8, 0.99), "eps": 1e-6},
        {"amsgrad": True, "weight_decay": 0.1, "maximize": True},
    ]),
    "AdamW": ((0.01, 0.05), [
        {}, {"amsgrad": True}, {"weight_decay": 0.1, "maximize": True},
    ]),
    "Adagrad": ((0.1, 0.3), [
        {}, {"lr_decay": 0.1}, {"initial_accumulator_value": 0.5}, {"eps": 1e-3},
        {"weight_decay": 0.1, "lr_decay": 0.05, "initial_accumulator_value": 0.2,
         "maximize": True},
    ]),
}
PARAMS = [(name, kw) for name, (_, kws) in CASES.items() for kw in kws]
IDS = [f"{name}-{kw}" for name, kw in PARAMS]
TORCH_ONLY_KEYS = {"foreach", "fused", "differentiable", "capturable", "decoupled_weight_decay"}


def make_data(dtype, seed: int = 0):
    """Initial parameter values and a gradient for each step and parameter (None: frozen)."""
    rng = np.random.default_rng(seed)
    init = [rng.standard_normal(s).astype(dtype) for s in SHAPES]
    grads = [[rng.standard_normal(s).astype(dtype) for s in SHAPES[:-1]] + [None]
             for _ in range(STEPS)]
    return init, grads


def build(lib, name: str, init, kwargs: dict):
    """Parameters and an optimizer of ``lib`` (deepnum or torch), in two groups."""
    lrs = CASES[name][0]
    if lib is dn:
        params = [dn.nn.Parameter(dn.tensor(a.copy())) for a in init]
        cls = getattr(optim, name)
    else:
        params = [torch.nn.Parameter(torch.tensor(a.copy())) for a in init]
        cls = getattr(torch.optim, name)
    groups = [{"params": params[:2]}, {"params": params[2:], "lr": lrs[1]}]
    return params, cls(groups, lr=lrs[0], **kwargs)


def set_grads(params, grads, lib) -> None:
    for p, g in zip(params, grads, strict=True):
        if g is None:
            p.grad = None
        else:
            p.grad = g.copy() if lib is dn else torch.tensor(g.copy())


def as_numpy(x):
    return x.detach().numpy() if isinstance(x, torch.Tensor) else np.asarray(x)


def check_states(ours, theirs, params_dn, params_t, tol) -> None:
    for pd, pt in zip(params_dn, params_t, strict=True):
        mine, ref = ours.state.get(pd, {}), theirs.state.get(pt, {})
        assert set(mine) == set(ref), f"state keys {set(mine)} vs torch {set(ref)}"
        for key, value in ref.items():
            np.testing.assert_allclose(as_numpy(mine[key]), as_numpy(value), **tol,
                                       err_msg=f"state {key!r}")


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["f64", "f32"])
@pytest.mark.parametrize(("name", "kwargs"), PARAMS, ids=IDS)
def test_trajectory_matches_torch(name, kwargs, dtype):
    init, grads = make_data(dtype)
    params_dn, opt_dn = build(dn, name, init, kwargs)
    params_t, opt_t = build(torch, name, init, kwargs)
    for k in range(STEPS):
        set_grads(params_dn, grads[k], dn)
        set_grads(params_t, grads[k], torch)
        opt_dn.step()
        opt_t.step()
        for i, (pd, pt) in enumerate(zip(params_dn, params_t, strict=True)):
            assert pd.dtype == dtype, f"parameter {i} became {pd.dtype}"
            np.testing.assert_allclose(pd.data, pt.detach().numpy(), **TOL[dtype],
                                       err_msg=f"parameter {i} after step {k + 1}")
    np.testing.assert_array_equal(params_dn[-1].data, init[-1])  # grad None: untouched
    check_states(opt_dn, opt_t, params_dn, params_t, TOL[dtype])


@pytest.mark.parametrize(("name", "kwargs"), PARAMS, ids=IDS)
def test_state_dict_resumes_identically(name, kwargs):
    init, grads = make_data(np.float64, seed=1)
    params, opt = build(dn, name, init, kwargs)
    for k in range(10):
        set_grads(params, grads[k], dn)
        opt.step()
    saved = opt.state_dict()
    frozen = copy.deepcopy(saved)
    at_10 = [p.data.copy() for p in params]
    params2, opt2 = build(dn, name, at_10, kwargs)
    opt2.param_groups[1]["lr"] = 123.0  # overwritten by the loaded groups
    opt2.load_state_dict(saved)
    for k in range(10, STEPS):
        set_grads(params, grads[k], dn)
        set_grads(params2, grads[k], dn)
        opt.step()
        opt2.step()
        for p, q in zip(params, params2, strict=True):
            np.testing.assert_array_equal(q.data, p.data)
    # later steps did not write into the saved dict, and loading copied it
    for i, buffers in frozen["state"].items():
        for key, value in buffers.items():
            np.testing.assert_array_equal(saved["state"][i][key], value)
            if isinstance(value, np.ndarray):
                assert opt2.state[params2[i]][key] is not saved["state"][i][key]


@pytest.mark.parametrize(("name", "kwargs"), PARAMS[::3], ids=IDS[::3])
def test_state_dict_layout_matches_torch(name, kwargs):
    init, grads = make_data(np.float64)
    params_dn, opt_dn = build(dn, name, init, kwargs)
    params_t, opt_t = build(torch, name, init, kwargs)
    for k in range(2):
        set_grads(params_dn, grads[k], dn)
        set_grads(params_t, grads[k], torch)
        opt_dn.step()
        opt_t.step()
    ours, theirs = opt_dn.state_dict(), opt_t.state_dict()
    assert sorted(ours["state"]) == sorted(theirs["state"])
    for i in theirs["state"]:
        assert set(ours["state"][i]) == set(theirs["state"][i])
    for g_dn, g_t in zip(ours["param_groups"], theirs["param_groups"], strict=True):
        assert set(g_dn) == set(g_t) - TORCH_ONLY_KEYS
        for key in g_dn:
            assert g_dn[key] == g_t[key], key


def test_state_dict_casts_to_the_parameter_dtype():
    init, grads = make_data(np.float64)
    params, opt = build(dn, "Adam", init, {})
    set_grads(params, grads[0], dn)
    opt.step()
    params32, opt32 = build(dn, "Adam", [a.astype(np.float32) for a in init], {})
    opt32.load_state_dict(opt.state_dict())
    assert opt32.state[params32[0]]["exp_avg"].dtype == np.float32
    assert opt32.state[params32[0]]["step"] == 1


@pytest.mark.parametrize("name", list(CASES))
def test_defaults_equal_torch(name):
    ours = inspect.signature(getattr(optim, name)).parameters
    theirs = inspect.signature(getattr(torch.optim, name)).parameters
    for arg, p in ours.items():
        assert arg in theirs, f"{name} has no {arg!r} in torch"
        assert p.default == theirs[arg].default, f"{name}({arg}=...) default"


def test_add_param_group_matches_torch():
    init, grads = make_data(np.float64)
    extra = np.linspace(-1.0, 1.0, 6)
    runs = []
    for lib in (dn, torch):
        params, opt = build(lib, "SGD", init, {"momentum": 0.9})
        new = dn.nn.Parameter(dn.tensor(extra)) if lib is dn else torch.nn.Parameter(
            torch.tensor(extra))
        runs.append((lib, params + [new], opt))
    for k in range(STEPS):
        for lib, params, opt in runs:
            if k == 5:
                opt.add_param_group({"params": [params[-1]], "lr": 0.2, "nesterov": True})
            set_grads(params, grads[k] + [np.cos(extra * k)], lib)
            opt.step()
    (_, params_dn, opt_dn), (_, params_t, _) = runs
    for pd, pt in zip(params_dn, params_t, strict=True):
        np.testing.assert_allclose(pd.data, pt.detach().numpy(), rtol=1e-10)
    assert opt_dn.param_groups[2]["momentum"] == 0.9  # filled from the defaults


def test_step_runs_the_closure_with_grad_enabled():
    w = dn.nn.Parameter(dn.tensor([2.0, -1.0]))
    opt = optim.SGD([w], lr=0.1)
    calls = []

    def closure():
        opt.zero_grad()
        calls.append(dn.is_grad_enabled())
        loss = (w * w).sum()
        loss.backward()
        return loss

    with dn.no_grad():
        loss = opt.step(closure)
    assert calls == [True]
    assert loss.item() == 5.0
    np.testing.assert_allclose(w.data, [1.6, -0.8], rtol=1e-6)


def test_zero_grad():
    w = dn.nn.Parameter(dn.ones(3))
    opt = optim.Adam([w])
    w.grad = np.ones(3, np.float32)
    kept = w.grad
    opt.zero_grad(set_to_none=False)
    assert w.grad is kept and not w.grad.any()
    opt.zero_grad()
    assert w.grad is None


def test_named_parameters_and_repr():
    w = dn.nn.Parameter(dn.ones(2))
    opt = optim.RMSprop([("layer.weight", w)], lr=0.5)
    assert opt.param_groups[0]["params"][0] is w
    assert opt.state_dict()["param_groups"][0]["param_names"] == ["layer.weight"]
    text = repr(opt)
    assert text.startswith("RMSprop (") and "Parameter Group 0" in text and "lr: 0.5" in text


def test_float32_step_allocates_no_float64():
    w = dn.nn.Parameter(dn.ones(4))
    opt = optim.RMSprop([w], momentum=0.9, centered=True, weight_decay=0.1)
    w.grad = np.full(4, 0.5, np.float32)
    opt.step()
    assert w.dtype == np.float32
    assert all(v.dtype == np.float32 for v in opt.state[w].values() if isinstance(v, np.ndarray))


@pytest.mark.parametrize("name", ["SGD", "RMSprop", "Adam"])
def test_training_a_model_matches_torch(name):
    """backward() fills the gradients, the optimizer steps: 15 steps of a small MLP."""
    rng = np.random.default_rng(3)
    x, y = rng.standard_normal((16, 3)), rng.standard_normal((16, 1))
    def mlp(lib):
        return lib.nn.Sequential(lib.nn.Linear(3, 8), lib.nn.Tanh(), lib.nn.Linear(8, 1))

    models = {dn: mlp(dn), torch: mlp(torch).double()}
    for p_dn, p_t in zip(models[dn].parameters(), models[torch].parameters(), strict=True):
        p_dn.data = p_t.detach().numpy().copy()
    kwargs = {"lr": 0.05, "momentum": 0.9} if name == "SGD" else {"lr": 0.01}
    opts = {lib: getattr(lib.optim, name)(models[lib].parameters(), **kwargs)
            for lib in (dn, torch)}
    for _ in range(15):
        for lib in (dn, torch):
            opts[lib].zero_grad()
            loss = lib.nn.MSELoss()(models[lib](lib.tensor(x)), lib.tensor(y))
            loss.backward()
            opts[lib].step()
    for p_dn, p_t in zip(models[dn].parameters(), models[torch].parameters(), strict=True):
        np.testing.assert_allclose(p_dn.data, p_t.detach().numpy(), rtol=1e-9, atol=1e-12)
