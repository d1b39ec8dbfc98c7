"""deepnum.optim.lr_scheduler against torch.optim.lr_scheduler (PyTorch 2.13).

Each scheduler drives two parameter groups (lr 0.1 and 0.05) for 30 steps; the rates it
sets and reports must equal torch's at every step, also across a state_dict round trip.
"""

from __future__ import annotations

import json
import math
import warnings

import numpy as np
import pytest
import torch

import deepnum as dn
from deepnum.errors import ArgumentError, StateError, UnknownNameError
from deepnum.optim import lr_scheduler as dn_sched

STEPS = 30


def half_life(epoch: int) -> float:
    return 0.5 ** (epoch / 4)


def warmup(epoch: int) -> float:
    return min(1.0, (epoch + 1) / 5)


SCHEDULERS = {
    "StepLR": {"step_size": 7, "gamma": 0.5},
    "MultiStepLR": {"milestones": [3, 10, 10, 25], "gamma": 0.3},
    "ExponentialLR": {"gamma": 0.9},
    "CosineAnnealingLR": {"T_max": 8, "eta_min": 0.001},
    "LambdaLR": {"lr_lambda": half_life},
    "LambdaLR-per-group": {"lr_lambda": [half_life, warmup]},
}
# A metric with improvements, plateaus, a tiny improvement below the threshold, and noise.
METRIC = [1.0, 0.9, 0.9, 0.9, 0.9, 0.8999, 0.7, 0.71, 0.72, 0.7, 0.7, 0.69, 0.69, 0.69,
          0.69, 0.5, 0.5, 0.6, 0.6, 0.6, 0.6, 0.6] + [0.4] * 14  # the default patience is 10
PLATEAU = [
    {},
    {"patience": 2},
    {"patience": 1, "cooldown": 2, "factor": 0.5, "min_lr": [0.01, 0.02]},
    {"mode": "max", "patience": 1, "threshold": 0.05, "threshold_mode": "abs"},
    {"mode": "max", "patience": 0, "threshold": 0.01},
    {"patience": 0, "threshold_mode": "abs", "threshold": 0.0, "min_lr": 0.02},
    {"patience": 0, "factor": 0.9, "eps": 0.006},
]


def optimizers():
    """A deepnum and a torch SGD with the same two groups (lr 0.1 and 0.05)."""
    p_dn = [dn.nn.Parameter(dn.ones(2)) for _ in range(2)]
    p_t = [torch.nn.Parameter(torch.ones(2)) for _ in range(2)]
    opt_dn = dn.optim.SGD([{"params": p_dn[:1]}, {"params": p_dn[1:], "lr": 0.05}], lr=0.1)
    opt_t = torch.optim.SGD([{"params": p_t[:1]}, {"params": p_t[1:], "lr": 0.05}], lr=0.1)
    return opt_dn, opt_t


def make(lib_module, opt, key: str, kwargs: dict):
    return getattr(lib_module, key.split("-")[0])(opt, **kwargs)


def assert_same_lrs(sched_dn, opt_dn, opt_t, sched_t, where: str) -> None:
    want = [g["lr"] for g in opt_t.param_groups]
    np.testing.assert_allclose([g["lr"] for g in opt_dn.param_groups], want, rtol=1e-12,
                               err_msg=where)
    np.testing.assert_allclose(sched_dn.get_last_lr(), sched_t.get_last_lr(), rtol=1e-12,
                               err_msg=where)


@pytest.mark.parametrize("key", list(SCHEDULERS))
def test_schedule_matches_torch(key):
    opt_dn, opt_t = optimizers()
    sched_dn = make(dn_sched, opt_dn, key, SCHEDULERS[key])
    sched_t = make(torch.optim.lr_scheduler, opt_t, key, SCHEDULERS[key])
    assert_same_lrs(sched_dn, opt_dn, opt_t, sched_t, "after construction")
    seen = set()
    for epoch in range(STEPS):
        opt_dn.step()
        opt_t.step()
        sched_dn.step()
        sched_t.step()
        assert_same_lrs(sched_dn, opt_dn, opt_t, sched_t, f"epoch {epoch}")
        seen.add(round(sched_dn.get_last_lr()[0], 12))
    assert len(seen) > 2, "the schedule never changed the rate: the test would prove nothing"


@pytest.mark.parametrize("key", list(SCHEDULERS))
def test_state_dict_round_trip(key):
    opt_dn, _ = optimizers()
    sched = make(dn_sched, opt_dn, key, SCHEDULERS[key])
    for _ in range(12):
        sched.step()
    state, opt_state = sched.state_dict(), opt_dn.state_dict()
    json.dumps(state)  # numbers only: no optimizer, no function
    later = []
    for _ in range(12, STEPS):
        sched.step()
        later.append(sched.get_last_lr())
    opt2, _ = optimizers()  # resume as PyTorch advises: scheduler, optimizer state, its state
    sched2 = make(dn_sched, opt2, key, SCHEDULERS[key])
    opt2.load_state_dict(opt_state)
    sched2.load_state_dict(state)
    assert sched2.optimizer is opt2
    for want in later:
        sched2.step()
        assert sched2.get_last_lr() == want


@pytest.mark.parametrize("kwargs", PLATEAU, ids=[str(k) for k in PLATEAU])
def test_reduce_on_plateau_matches_torch(kwargs):
    opt_dn, opt_t = optimizers()
    sched_dn = dn_sched.ReduceLROnPlateau(opt_dn, **kwargs)
    sched_t = torch.optim.lr_scheduler.ReduceLROnPlateau(opt_t, **kwargs)
    values = set()
    for epoch, metric in enumerate(METRIC):
        sched_dn.step(metric)
        sched_t.step(metric)
        assert_same_lrs(sched_dn, opt_dn, opt_t, sched_t, f"epoch {epoch}, metric {metric}")
        assert sched_dn.num_bad_epochs == sched_t.num_bad_epochs
        values.add(opt_dn.param_groups[0]["lr"])
    assert len(values) > 1


def test_reduce_on_plateau_state_dict_and_tensor_metric():
    opt_dn, _ = optimizers()
    sched = dn_sched.ReduceLROnPlateau(opt_dn, patience=1, cooldown=1)
    for metric in METRIC[:12]:
        sched.step(dn.tensor(metric))
    state = sched.state_dict()
    assert state["mode_worse"] == math.inf and "optimizer" not in state
    opt2, _ = optimizers()
    opt2.load_state_dict(opt_dn.state_dict())
    sched2 = dn_sched.ReduceLROnPlateau(opt2, mode="max")
    sched2.load_state_dict(state)
    for metric in METRIC[12:]:
        sched.step(metric)
        sched2.step(metric)
        assert sched2.get_last_lr() == sched.get_last_lr()
        assert sched2.num_bad_epochs == sched.num_bad_epochs


@pytest.mark.parametrize("key", ["StepLR", "MultiStepLR", "ExponentialLR", "CosineAnnealingLR"])
def test_step_with_an_epoch_uses_the_closed_form(key):
    opt_dn, opt_t = optimizers()
    sched_dn = make(dn_sched, opt_dn, key, SCHEDULERS[key])
    sched_t = make(torch.optim.lr_scheduler, opt_t, key, SCHEDULERS[key])
    for epoch in (5, 11, 3, 26):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            sched_t.step(epoch)
        sched_dn.step(epoch)
        assert_same_lrs(sched_dn, opt_dn, opt_t, sched_t, f"jump to epoch {epoch}")


def test_resuming_with_last_epoch_needs_initial_lr():
    opt_dn, _ = optimizers()
    with pytest.raises(StateError, match=r"param_groups\[0\] has no 'initial_lr'"):
        dn_sched.StepLR(opt_dn, step_size=3, last_epoch=4)


@pytest.mark.parametrize(("make_bad", "error", "echo"), [
    (lambda o: dn_sched.StepLR(o, step_size=0), ArgumentError, "step_size: 0"),
    (lambda o: dn_sched.CosineAnnealingLR(o, T_max=0), ArgumentError, "T_max: 0"),
    (lambda o: dn_sched.LambdaLR(o, [half_life]), ArgumentError, "expected 2 lr_lambdas"),
    (lambda o: dn_sched.ReduceLROnPlateau(o, factor=1.5), ArgumentError, "got 1.5"),
    (lambda o: dn_sched.ReduceLROnPlateau(o, mode="mni"), UnknownNameError, "'min'"),
    (lambda o: dn_sched.ReduceLROnPlateau(o, threshold_mode="relative"), UnknownNameError,
     "'rel'"),
    (lambda o: dn_sched.ReduceLROnPlateau(o, min_lr=[0.1]), ArgumentError, "expected 2"),
    (lambda o: dn_sched.ReduceLROnPlateau(o, patience=-1), ArgumentError, "patience: -1"),
    (lambda o: dn_sched.StepLR(object(), step_size=2), TypeError, "not an Optimizer"),
])
def test_bad_arguments(make_bad, error, echo):
    opt_dn, _ = optimizers()
    with pytest.raises(error, match=echo):
        make_bad(opt_dn)


def test_scheduler_state_survives_a_checkpoint_file(tmp_path):
    opt_dn, _ = optimizers()
    sched = dn_sched.MultiStepLR(opt_dn, milestones=[2, 4, 4], gamma=0.5)
    plateau = dn_sched.ReduceLROnPlateau(opt_dn, patience=0)
    for metric in (1.0, 1.0, 0.5):
        sched.step()
        plateau.step(metric)
    dn.save({"sched": sched.state_dict(), "plateau": plateau.state_dict(),
             "opt": opt_dn.state_dict()}, tmp_path / "ckpt.dnm")
    ckpt = dn.load(tmp_path / "ckpt.dnm")
    opt2, _ = optimizers()
    sched2 = dn_sched.MultiStepLR(opt2, milestones=[2, 4, 4], gamma=0.5)
    plateau2 = dn_sched.ReduceLROnPlateau(opt2, patience=0)
    opt2.load_state_dict(ckpt["opt"])
    sched2.load_state_dict(ckpt["sched"])
    plateau2.load_state_dict(ckpt["plateau"])
    for metric in (0.5, 0.5, 0.1, 0.1):
        for s, p in ((sched, plateau), (sched2, plateau2)):
            s.step()
            p.step(metric)
        assert opt2.param_groups[0]["lr"] == opt_dn.param_groups[0]["lr"]
        assert plateau2.best == plateau.best
