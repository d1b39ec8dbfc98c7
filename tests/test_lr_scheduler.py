"""deepnum.optim.lr_scheduler against torch.optim.lr_scheduler (PyTorch 2.13).

Each scheduler drives two parameter groups (lr 0.1 and 0.05) for 30 steps; the rates it
sets and reports (and OneCycleLR's momenta and betas) must equal torch's at every step,
also across a state_dict round trip.
"""

from __future__ import annotations

import doctest
import json
import math
import warnings

import numpy as np
import pytest
import torch

import deepnum as dn
from deepnum.errors import ArgumentError, StateError, UnknownNameError
from deepnum.optim import lr_scheduler as dn_sched
from deepnum.optim.lr_scheduler import compose, cycles, decay, lambdas

STEPS = 30


def half_life(epoch: int) -> float:
    return 0.5 ** (epoch / 4)


def warmup(epoch: int) -> float:
    return min(1.0, (epoch + 1) / 5)


def shrink(epoch: int) -> float:
    return 0.9 if epoch % 3 else 1.05


SCHEDULERS = {
    "StepLR": {"step_size": 7, "gamma": 0.5},
    "MultiStepLR": {"milestones": [3, 10, 10, 25], "gamma": 0.3},
    "ExponentialLR": {"gamma": 0.9},
    "CosineAnnealingLR": {"T_max": 8, "eta_min": 0.001},
    "LambdaLR": {"lr_lambda": half_life},
    "LambdaLR-per-group": {"lr_lambda": [half_life, warmup]},
    "ConstantLR": {"factor": 0.4, "total_iters": 6},
    "LinearLR": {"start_factor": 0.25, "total_iters": 8},
    "LinearLR-decay": {"start_factor": 1.0, "end_factor": 0.1, "total_iters": 11},
    "PolynomialLR": {"total_iters": 12, "power": 1.7},
    "MultiplicativeLR": {"lr_lambda": shrink},
    "MultiplicativeLR-per-group": {"lr_lambda": [shrink, half_life]},
    "CosineAnnealingWarmRestarts": {"T_0": 3, "T_mult": 2, "eta_min": 0.001},
    "CosineAnnealingWarmRestarts-T_mult-1": {"T_0": 7},
}
# Schedulers built from other schedulers (and OneCycleLR), for either library.
BUILT = {
    "OneCycleLR": lambda lib, o: lib.OneCycleLR(o, max_lr=[1.0, 0.4], total_steps=40),
    "OneCycleLR-three-phase-linear": lambda lib, o: lib.OneCycleLR(
        o, max_lr=0.8, epochs=4, steps_per_epoch=9, pct_start=0.28, anneal_strategy="linear",
        three_phase=True, base_momentum=[0.8, 0.7], max_momentum=0.9, div_factor=10.0,
        final_div_factor=100.0),
    "SequentialLR-warmup-cosine": lambda lib, o: lib.SequentialLR(
        o, [lib.LinearLR(o, start_factor=0.1, total_iters=5),
            lib.CosineAnnealingLR(o, T_max=20, eta_min=0.002)], milestones=[5]),
    "SequentialLR-three": lambda lib, o: lib.SequentialLR(
        o, [lib.ConstantLR(o, factor=0.5, total_iters=10), lib.ExponentialLR(o, gamma=0.8),
            lib.StepLR(o, step_size=4, gamma=0.5)], milestones=[4, 13]),
    "SequentialLR-restarts": lambda lib, o: lib.SequentialLR(
        o, [lib.LinearLR(o, start_factor=0.5, total_iters=6),
            lib.CosineAnnealingWarmRestarts(o, T_0=4, T_mult=2)], milestones=[6]),
    "SequentialLR-lambda-poly": lambda lib, o: lib.SequentialLR(
        o, [lib.LambdaLR(o, warmup), lib.MultiStepLR(o, [2, 5], gamma=0.5),
            lib.PolynomialLR(o, total_iters=15, power=2.0)], milestones=[5, 11]),
    "SequentialLR-chained-first": lambda lib, o: lib.SequentialLR(
        o, [lib.ChainedScheduler([lib.ConstantLR(o, factor=0.5, total_iters=3),
                                  lib.ExponentialLR(o, gamma=0.9)]),
            lib.MultiplicativeLR(o, shrink)], milestones=[10]),
    "ChainedScheduler": lambda lib, o: lib.ChainedScheduler(
        [lib.ConstantLR(o, factor=0.1, total_iters=20), lib.ExponentialLR(o, gamma=0.9)]),
    "ChainedScheduler-three": lambda lib, o: lib.ChainedScheduler(
        [lib.LinearLR(o, start_factor=0.2, total_iters=6), lib.MultiStepLR(o, [5, 15]),
         lib.CosineAnnealingLR(o, T_max=10)], optimizer=o),
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


def optimizers(kind: str = "SGD", **kwargs):
    """A deepnum and a torch optimizer with the same two groups (lr 0.1 and 0.05)."""
    p_dn = [dn.nn.Parameter(dn.ones(2)) for _ in range(2)]
    p_t = [torch.nn.Parameter(torch.ones(2)) for _ in range(2)]
    opt_dn = getattr(dn.optim, kind)([{"params": p_dn[:1]}, {"params": p_dn[1:], "lr": 0.05}],
                                     lr=0.1, **kwargs)
    opt_t = getattr(torch.optim, kind)([{"params": p_t[:1]}, {"params": p_t[1:], "lr": 0.05}],
                                       lr=0.1, **kwargs)
    return opt_dn, opt_t


def make(lib_module, opt, key: str, kwargs: dict | None = None):
    if key in BUILT:
        return BUILT[key](lib_module, opt)
    return getattr(lib_module, key.split("-")[0])(opt, **(kwargs or SCHEDULERS[key]))


def assert_same_lrs(sched_dn, opt_dn, opt_t, sched_t, where: str) -> None:
    """Rates (and the momenta and betas OneCycleLR cycles) equal torch's to 1e-12."""
    for key in ("lr", "momentum", "betas"):
        if key in opt_dn.param_groups[0]:
            np.testing.assert_allclose([g[key] for g in opt_dn.param_groups],
                                       [g[key] for g in opt_t.param_groups], rtol=1e-12,
                                       err_msg=f"{key}, {where}")
    np.testing.assert_allclose(sched_dn.get_last_lr(), sched_t.get_last_lr(), rtol=1e-12,
                               err_msg=where)


@pytest.mark.filterwarnings("ignore:Detected call of")  # torch's, for a nested ChainedScheduler
@pytest.mark.parametrize("key", list(SCHEDULERS) + list(BUILT))
def test_schedule_matches_torch(key):
    opt_dn, opt_t = optimizers()
    sched_dn = make(dn_sched, opt_dn, key)
    sched_t = make(torch.optim.lr_scheduler, opt_t, key)
    assert_same_lrs(sched_dn, opt_dn, opt_t, sched_t, "after construction")
    seen = {round(sched_dn.get_last_lr()[0], 12)}
    for epoch in range(STEPS):
        opt_dn.step()
        opt_t.step()
        sched_dn.step()
        sched_t.step()
        assert_same_lrs(sched_dn, opt_dn, opt_t, sched_t, f"epoch {epoch}")
        seen.add(round(sched_dn.get_last_lr()[0], 12))
    assert len(seen) > 1, "the schedule never changed the rate: the test would prove nothing"


@pytest.mark.parametrize("key", list(SCHEDULERS) + list(BUILT))
def test_state_dict_round_trip(key):
    opt_dn, _ = optimizers()
    sched = make(dn_sched, opt_dn, key)
    for _ in range(12):
        sched.step()
    state, opt_state = sched.state_dict(), opt_dn.state_dict()
    json.dumps(state)  # numbers only: no optimizer, no function
    later = []
    for _ in range(12, STEPS):
        sched.step()
        later.append(sched.get_last_lr())
    opt2, _ = optimizers()  # resume as PyTorch advises: scheduler, optimizer state, its state
    sched2 = make(dn_sched, opt2, key)
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


@pytest.mark.parametrize("key", ["StepLR", "MultiStepLR", "ExponentialLR", "CosineAnnealingLR",
                                 "ConstantLR", "LinearLR", "LinearLR-decay", "PolynomialLR",
                                 "CosineAnnealingWarmRestarts", "OneCycleLR"])
def test_step_with_an_epoch_uses_the_closed_form(key):
    opt_dn, opt_t = optimizers()
    sched_dn = make(dn_sched, opt_dn, key)
    sched_t = make(torch.optim.lr_scheduler, opt_t, key)
    for epoch in (5, 11, 3, 26, 6, 0):
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
    (lambda o: dn_sched.LinearLR(o, start_factor=0), ArgumentError,
     r"LinearLR: invalid start_factor: 0 \(must be in \(0, 1\]\)"),
    (lambda o: dn_sched.LinearLR(o, start_factor=1.5), ArgumentError, "start_factor: 1.5"),
    (lambda o: dn_sched.LinearLR(o, end_factor=-0.1), ArgumentError,
     r"end_factor: -0.1 \(must be in \[0, 1\]\)"),
    (lambda o: dn_sched.LinearLR(o, total_iters=0), ArgumentError, "total_iters: 0"),
    (lambda o: dn_sched.ConstantLR(o, factor=0), ArgumentError, "factor: 0 "),
    (lambda o: dn_sched.ConstantLR(o, factor=1.2), ArgumentError, "factor: 1.2"),
    (lambda o: dn_sched.PolynomialLR(o, total_iters=0), ArgumentError, "total_iters: 0"),
    (lambda o: dn_sched.PolynomialLR(o, power=-1), ArgumentError, "power: -1"),
    (lambda o: dn_sched.MultiplicativeLR(o, 0.9), TypeError,
     "lr_lambda should be a function, got float 0.9"),
    (lambda o: dn_sched.MultiplicativeLR(o, [shrink] * 3), ArgumentError,
     "expected 2 lr_lambdas"),
    (lambda o: dn_sched.OneCycleLR(o, max_lr=1.0), ArgumentError,
     "give total_steps, or both epochs and steps_per_epoch; got total_steps=None, "
     "epochs=None, steps_per_epoch=None"),
    (lambda o: dn_sched.OneCycleLR(o, 1.0, epochs=3), ArgumentError, "steps_per_epoch=None"),
    (lambda o: dn_sched.OneCycleLR(o, 1.0, total_steps=0), ArgumentError, "total_steps: 0"),
    (lambda o: dn_sched.OneCycleLR(o, 1.0, total_steps=2.5), ArgumentError,
     "total_steps: 2.5"),
    (lambda o: dn_sched.OneCycleLR(o, 1.0, epochs=0, steps_per_epoch=5), ArgumentError,
     "epochs: 0"),
    (lambda o: dn_sched.OneCycleLR(o, 1.0, 9, pct_start=1.5), ArgumentError,
     "pct_start: 1.5"),
    (lambda o: dn_sched.OneCycleLR(o, 1.0, 9, anneal_strategy="cosine"), UnknownNameError,
     "did you mean 'cos'"),
    (lambda o: dn_sched.OneCycleLR(o, [1.0], 9), ArgumentError, "expected 2 max_lrs"),
    (lambda o: dn_sched.OneCycleLR(o, 1.0, 9, base_momentum=[0.8] * 3), ArgumentError,
     "expected 2 base_momentums"),
    (lambda o: dn_sched.OneCycleLR(o, 1.0, 9, div_factor=0), ArgumentError, "div_factor: 0"),
    (lambda o: dn_sched.OneCycleLR(dn.optim.Adagrad(o.param_groups[0]["params"]), 1.0, 9),
     ArgumentError, "Adagrad has neither"),
    (lambda o: dn_sched.CosineAnnealingWarmRestarts(o, T_0=0), ArgumentError, "T_0: 0"),
    (lambda o: dn_sched.CosineAnnealingWarmRestarts(o, T_0=2.5), ArgumentError, "T_0: 2.5"),
    (lambda o: dn_sched.CosineAnnealingWarmRestarts(o, 2, T_mult=0), ArgumentError,
     "T_mult: 0"),
    (lambda o: dn_sched.CosineAnnealingWarmRestarts(o, 2, eta_min="0"), ArgumentError,
     "eta_min: '0'"),
    (lambda o: dn_sched.CosineAnnealingWarmRestarts(o, 2).step(-1), ArgumentError,
     "epoch: -1"),
    (lambda o: dn_sched.SequentialLR(o, [dn_sched.StepLR(o, 2)], [3]), ArgumentError,
     r"expected 0 milestones .* got 1: \[3\]"),
    (lambda o: dn_sched.SequentialLR(o, [dn_sched.StepLR(o, 2)] * 3, [5, 3]), ArgumentError,
     r"milestones: \[5, 3\]"),
    (lambda o: dn_sched.SequentialLR(o, [], []), ArgumentError, "at least one scheduler"),
    (lambda o: dn_sched.SequentialLR(o, [dn_sched.StepLR(o, 2), "cosine"], [3]), TypeError,
     r"schedulers\[1\] is a str"),
    (lambda o: dn_sched.SequentialLR(o, [dn_sched.ReduceLROnPlateau(o)], []), ArgumentError,
     r"schedulers\[0\] is a ReduceLROnPlateau"),
    (lambda o: dn_sched.SequentialLR(
        o, [dn_sched.StepLR(o, 2), dn_sched.StepLR(optimizers()[0], 2)], [3]), ArgumentError,
     r"schedulers\[1\] \(StepLR\) drives another optimizer"),
    (lambda o: dn_sched.SequentialLR(
        o, [dn_sched.StepLR(o, 2), dn_sched.ChainedScheduler([dn_sched.StepLR(o, 2)])], [3]),
     ArgumentError, "ChainedScheduler, which cannot restart at a milestone"),
    (lambda o: dn_sched.ChainedScheduler([]), ArgumentError, "at least one scheduler"),
    (lambda o: dn_sched.ChainedScheduler([dn_sched.ExponentialLR(o, 0.9),
                                          dn_sched.ReduceLROnPlateau(o)]), ArgumentError,
     r"schedulers\[1\] is a ReduceLROnPlateau"),
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


ONE_CYCLE_OPTIMIZERS = [("SGD", {"momentum": 0.9}), ("Adam", {"betas": (0.9, 0.99)}),
                        ("RMSprop", {}), ("Adagrad", {})]


@pytest.mark.parametrize("three_phase", [False, True])
@pytest.mark.parametrize(("kind", "kwargs"), ONE_CYCLE_OPTIMIZERS,
                         ids=[k for k, _ in ONE_CYCLE_OPTIMIZERS])
def test_one_cycle_whole_cycle_then_one_step_too_many(kind, kwargs, three_phase):
    opt_dn, opt_t = optimizers(kind, **kwargs)

    def build(lib, o):
        return lib.OneCycleLR(o, max_lr=[0.5, 0.3], total_steps=33, pct_start=0.35,
                              three_phase=three_phase, cycle_momentum=kind != "Adagrad")

    sched_dn, sched_t = build(dn_sched, opt_dn), build(torch.optim.lr_scheduler, opt_t)
    lrs = [sched_dn.get_last_lr()[0]]
    for step in range(33):  # total_steps calls are allowed: the last sets an unused rate
        opt_dn.step()
        opt_t.step()
        sched_dn.step()
        sched_t.step()
        assert_same_lrs(sched_dn, opt_dn, opt_t, sched_t, f"step {step}")
        lrs.append(sched_dn.get_last_lr()[0])
    assert math.isclose(lrs[0], 0.5 / 25)  # initial_lr = max_lr / div_factor
    assert math.isclose(max(lrs), 0.5, rel_tol=0.01)  # the peak falls between two steps
    assert math.isclose(lrs[-2], 0.5 / 25 / 1e4)  # step total_steps − 1 ends at min_lr
    with pytest.raises(ValueError, match="Tried to step 34 times"):
        sched_t.step()
    before = json.dumps(sched_dn.state_dict())
    with pytest.raises(ArgumentError,
                       match=r"step 34 is past the end of the cycle, total_steps=33"):
        sched_dn.step()
    assert json.dumps(sched_dn.state_dict()) == before  # a failed step changes nothing


@pytest.mark.filterwarnings("ignore:Detected call of")
@pytest.mark.parametrize(("kwargs", "good_steps", "phase"), [
    ({"total_steps": 10, "pct_start": 0.1}, 0, 1),  # phase 1 is the single step 0
    ({"total_steps": 10, "pct_start": 1.0}, 10, 2),  # reached only by the extra step
    ({"total_steps": 10, "pct_start": 0.55, "three_phase": True}, 10, 3),
])
def test_one_cycle_empty_phase_is_a_clear_error(kwargs, good_steps, phase):
    opt_dn, opt_t = optimizers()
    scheds = []
    for lib, opt in ((torch.optim.lr_scheduler, opt_t), (dn_sched, opt_dn)):
        with pytest.raises(ZeroDivisionError if lib is torch.optim.lr_scheduler
                           else ArgumentError) as info:
            scheds.append(lib.OneCycleLR(opt, max_lr=1.0, **kwargs))
            for _ in range(good_steps):
                scheds[-1].step()
    assert f"phase {phase} of the cycle is empty" in str(info.value)
    assert "pct_start=" in str(info.value) and "total_steps=10" in str(info.value)


@pytest.mark.parametrize("t_mult", [1, 2])
def test_warm_restarts_fractional_epochs_match_torch(t_mult):
    opt_dn, opt_t = optimizers()
    sched_dn = dn_sched.CosineAnnealingWarmRestarts(opt_dn, T_0=3, T_mult=t_mult, eta_min=0.01)
    sched_t = torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(opt_t, T_0=3, T_mult=t_mult,
                                                                   eta_min=0.01)
    per_batch = [e + i / 4 for e in range(12) for i in range(4)]
    interleaved = [5.5, None, None, 17.25, None, 2.0, None, 20.75, None]
    for epoch in per_batch + interleaved:
        for sched in (sched_dn, sched_t):
            sched.step() if epoch is None else sched.step(epoch)
        assert_same_lrs(sched_dn, opt_dn, opt_t, sched_t, f"epoch {epoch}")
        assert (sched_dn.last_epoch, sched_dn.T_i) == (sched_t.last_epoch, sched_t.T_i)


def test_warm_restarts_jump_to_a_restart_agrees_with_stepping():
    # PyTorch finds the cycle with a logarithm; log(243, 3) = 4.999…, so its step(121)
    # lands on the last point of the previous cycle (eta_min) instead of the restart.
    opt_a, _ = optimizers()
    stepped = dn_sched.CosineAnnealingWarmRestarts(opt_a, T_0=1, T_mult=3)
    for _ in range(121):
        stepped.step()
    opt_b, _ = optimizers()
    jumped = dn_sched.CosineAnnealingWarmRestarts(opt_b, T_0=1, T_mult=3)
    jumped.step(121)
    assert stepped.get_last_lr() == jumped.get_last_lr() == [0.1, 0.05]
    assert (jumped.T_cur, jumped.T_i) == (stepped.T_cur, stepped.T_i) == (0, 243)


@pytest.mark.parametrize("module", [dn_sched, decay, lambdas, cycles, compose])
def test_docstring_examples(module):
    assert doctest.testmod(module).failed == 0
