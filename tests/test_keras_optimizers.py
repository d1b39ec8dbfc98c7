"""deepnum.keras.optimizers against a float64 reference written from Keras 3's formulas.

The reference below follows the update rules as published in keras-team/keras, commit
3422977a5e38fb2f7709aaa9a08e47f0c43d0f60: keras/src/optimizers/sgd.py, rmsprop.py, adam.py,
adamw.py, adagrad.py (``update_step``), base_optimizer.py (``apply``: clipping, then
``variable - variable * wd * lr``, then the update, then ``iterations += 1``; ``_clip_by_norm``
and ``clip_by_global_norm``) and schedules/learning_rate_schedule.py.
"""

from __future__ import annotations

import inspect
import json
import math
import re

import numpy as np
import pytest

import deepnum as dn
from deepnum import keras
from deepnum.errors import ArgumentError, ShapeError, StateError, UnknownNameError
from deepnum.keras import optimizers
from deepnum.keras.optimizers import schedules

SHAPES = [(4, 3), (3,), (5,)]
STEPS = 20


# ----- the reference: Keras 3's formulas, plain NumPy, nothing in place -------------------------
def ref_lr(lr, step):
    return lr(step) if callable(lr) else lr


def ref_clip(grads, cfg):
    if cfg.get("clipnorm"):
        c = cfg["clipnorm"]
        return [g * c / max(np.sqrt(np.sum(g * g)), c) for g in grads]
    if cfg.get("global_clipnorm"):
        c = cfg["global_clipnorm"]
        norm = np.sqrt(sum(np.sum(g * g) for g in grads))
        return [g * (c * min(1.0 / norm, 1.0 / c)) for g in grads]
    if cfg.get("clipvalue"):
        return [np.clip(g, -cfg["clipvalue"], cfg["clipvalue"]) for g in grads]
    return grads


def ref_update(name, cfg, w, g, s, lr, t):
    """One ``update_step`` of Keras's optimizer ``name``; ``s`` holds the slots, ``t`` =
    iterations + 1."""
    if name == "SGD":
        mu = cfg.get("momentum", 0.0)
        if mu == 0:
            return w - g * lr
        s["m"] = s.get("m", 0.0) * mu - g * lr
        return w + (s["m"] * mu - g * lr if cfg.get("nesterov") else s["m"])
    if name == "RMSprop":
        rho, eps, mu = cfg.get("rho", 0.9), cfg.get("epsilon", 1e-7), cfg.get("momentum", 0.0)
        s["v"] = rho * s.get("v", 0.0) + (1 - rho) * g * g
        if cfg.get("centered"):
            s["a"] = rho * s.get("a", 0.0) + (1 - rho) * g
            denominator = s["v"] - s["a"] ** 2 + eps
        else:
            denominator = s["v"] + eps
        increment = lr * g / np.sqrt(denominator)
        if mu > 0:
            s["m"] = mu * s.get("m", 0.0) + increment
            return w - s["m"]
        return w - increment
    if name in ("Adam", "AdamW"):
        b1, b2, eps = cfg.get("beta_1", 0.9), cfg.get("beta_2", 0.999), cfg.get("epsilon", 1e-7)
        alpha = lr * np.sqrt(1 - b2**t) / (1 - b1**t)
        s["m"] = s.get("m", 0.0) + (g - s.get("m", 0.0)) * (1 - b1)
        s["v"] = s.get("v", 0.0) + (g * g - s.get("v", 0.0)) * (1 - b2)
        v = s["v"]
        if cfg.get("amsgrad"):
            v = s["vhat"] = np.maximum(s.get("vhat", 0.0), s["v"])
        return w - s["m"] * alpha / (np.sqrt(v) + eps)
    assert name == "Adagrad"
    s["acc"] = s.get("acc", cfg.get("initial_accumulator_value", 0.1)) + g * g
    return w - lr * g / np.sqrt(s["acc"] + cfg.get("epsilon", 1e-7))


def reference(name, cfg, ref_schedule, init, grads):
    """The weights after each of the steps, as Keras's ``apply`` would leave them."""
    default_lr = {"SGD": 0.01}.get(name, 0.001)
    lr_of = ref_schedule or cfg.get("learning_rate", default_lr)
    wd = cfg.get("weight_decay", 0.004 if name == "AdamW" else None)
    ws, slots, out = [a.copy() for a in init], [{} for _ in init], []
    for it, step_grads in enumerate(grads):
        lr = ref_lr(lr_of, it)
        step_grads = ref_clip(step_grads, cfg)
        if wd is not None:
            ws = [w - w * wd * lr for w in ws]
        ws = [ref_update(name, cfg, w, g, s, lr, it + 1)
              for w, g, s in zip(ws, step_grads, slots, strict=True)]
        out.append([w.copy() for w in ws])
    return out


def ref_restarts(lr0, first, t_mul, m_mul, alpha, steps):
    """CosineDecayRestarts at each step, walking the cycles one after another (no logs)."""
    out, start, length, i = [], 0.0, float(first), 0
    for t in range(steps):
        while t >= start + length:
            start, length, i = start + length, length * t_mul, i + 1
        peak = m_mul**i * 0.5 * (1 + math.cos(math.pi * (t - start) / length))
        out.append(lr0 * ((1 - alpha) * peak + alpha))
    return out


def ref_polynomial(lr0, decay_steps, end, power, cycle, steps):
    """PolynomialDecay at each step: with ``cycle``, the horizon of steps in
    ((k−1)·decay_steps, k·decay_steps] is k·decay_steps (decay_steps for step 0)."""
    out = []
    for t in range(steps):
        horizon = decay_steps
        while cycle and horizon < t:
            horizon += decay_steps
        out.append((lr0 - end) * (1 - min(t, horizon) / horizon) ** power + end)
    return out


SCHEDULES = {  # deepnum's schedule and the reference formula (learning_rate_schedule.py)
    "exp": (lambda: schedules.ExponentialDecay(0.1, 5, 0.5), lambda t: 0.1 * 0.5 ** (t / 5)),
    "piecewise": (lambda: schedules.PiecewiseConstantDecay([4, 10], [0.05, 0.01, 0.002]),
                  lambda t: 0.05 if t <= 4 else 0.01 if t <= 10 else 0.002),
    "cosine": (lambda: schedules.CosineDecay(0.01, 12, alpha=0.1),
               lambda t: 0.01 * (0.9 * 0.5 * (1 + math.cos(math.pi * min(t, 12) / 12)) + 0.1)),
    "poly-cycle": (lambda: schedules.PolynomialDecay(0.05, 6, 0.005, power=2.0, cycle=True),
                   lambda t: ref_polynomial(0.05, 6, 0.005, 2.0, True, STEPS)[t]),
    "restarts": (lambda: schedules.CosineDecayRestarts(0.02, 3, t_mul=2.0, m_mul=0.5, alpha=0.1),
                 lambda t: ref_restarts(0.02, 3, 2.0, 0.5, 0.1, STEPS)[t]),
}
CASES = [
    ("SGD", {}, None), ("SGD", {"momentum": 0.9}, None),
    ("SGD", {"momentum": 0.9, "nesterov": True}, "exp"),
    ("SGD", {"momentum": 0.5, "weight_decay": 0.1, "clipnorm": 1.0}, None),
    ("SGD", {"global_clipnorm": 1.5, "learning_rate": 0.1}, None),
    ("SGD", {"clipvalue": 0.5, "momentum": 0.9}, "piecewise"),
    ("SGD", {"momentum": 0.9}, "poly-cycle"),
    ("SGD", {"nesterov": True, "momentum": 0.5}, "restarts"),
    ("RMSprop", {}, None), ("RMSprop", {"centered": True, "learning_rate": 0.01}, None),
    ("RMSprop", {"momentum": 0.9, "rho": 0.8}, "cosine"),
    ("RMSprop", {"momentum": 0.5, "centered": True, "weight_decay": 0.05, "epsilon": 1e-3}, None),
    ("Adam", {}, None), ("Adam", {"amsgrad": True, "learning_rate": 0.01}, None),
    ("Adam", {"weight_decay": 0.1, "beta_1": 0.8, "beta_2": 0.99}, "piecewise"),
    ("Adam", {}, "restarts"), ("RMSprop", {"momentum": 0.5}, "poly-cycle"),
    ("AdamW", {}, None), ("AdamW", {"amsgrad": True, "weight_decay": 0.2}, "exp"),
    ("Adagrad", {}, None), ("Adagrad", {"initial_accumulator_value": 0.0, "epsilon": 1e-3}, None),
    ("Adagrad", {"learning_rate": 0.1, "clipnorm": 0.5, "weight_decay": 0.01}, "cosine"),
]
IDS = [f"{n}-{c}-{s}" for n, c, s in CASES]


def make_data(seed: int = 0):
    rng = np.random.default_rng(seed)
    init = [rng.standard_normal(s) for s in SHAPES]
    grads = [[rng.standard_normal(s) for s in SHAPES] for _ in range(STEPS)]
    return init, grads


def make_opt(name, cfg, schedule):
    kwargs = dict(cfg)
    if schedule:
        kwargs["learning_rate"] = SCHEDULES[schedule][0]()
    return getattr(optimizers, name)(**kwargs)


@pytest.mark.parametrize(("name", "cfg", "schedule"), CASES, ids=IDS)
def test_trajectory_matches_the_keras_formulas(name, cfg, schedule):
    init, grads = make_data()
    want = reference(name, cfg, SCHEDULES[schedule][1] if schedule else None, init, grads)
    opt = make_opt(name, cfg, schedule)
    ws = [dn.nn.Parameter(dn.tensor(a.copy())) for a in init]
    for k in range(STEPS):
        if k % 2:
            opt.apply_gradients(zip([g.copy() for g in grads[k]], ws, strict=True))
        else:
            opt.apply([dn.tensor(g) for g in grads[k]], ws)
        assert opt.iterations == k + 1
        for i, (w, ref) in enumerate(zip(ws, want[k], strict=True)):
            np.testing.assert_allclose(w.data, ref, rtol=1e-10, atol=1e-13,
                                       err_msg=f"variable {i} after step {k + 1}")


@pytest.mark.parametrize(("name", "cfg", "schedule"), CASES[::2], ids=IDS[::2])
def test_float32_stays_float32_and_close(name, cfg, schedule):
    init, grads = make_data()
    want = reference(name, cfg, SCHEDULES[schedule][1] if schedule else None, init, grads)
    opt = make_opt(name, cfg, schedule)
    ws = [a.astype(np.float32) for a in init]
    for k in range(STEPS):
        opt.apply([g.astype(np.float32) for g in grads[k]], ws)
    for w, ref in zip(ws, want[-1], strict=True):
        assert w.dtype == np.float32
        np.testing.assert_allclose(w, ref, rtol=2e-4, atol=2e-5)


@pytest.mark.parametrize(("name", "cfg", "schedule"), CASES[1::3], ids=IDS[1::3])
def test_state_dict_resumes_identically(name, cfg, schedule):
    init, grads = make_data(1)
    opt = make_opt(name, cfg, schedule)
    ws = [a.copy() for a in init]
    for k in range(10):
        opt.apply(grads[k], ws)
    state = opt.state_dict()
    json.dumps(state["config"])  # hyperparameters are JSON; the slots are arrays
    ws2 = [w.copy() for w in ws]
    opt2 = optimizers.get({"class_name": name, "config": state["config"]})
    opt2.load_state_dict(state)  # before build: the slots wait for the variables
    opt3 = make_opt(name, cfg, schedule)
    ws3 = [w.copy() for w in ws]
    opt3.build(ws3)
    opt3.load_state_dict(state)  # after build
    for k in range(10, STEPS):
        for o, vs in ((opt, ws), (opt2, ws2), (opt3, ws3)):
            o.apply(grads[k], vs)
        for a, b, c in zip(ws, ws2, ws3, strict=True):
            np.testing.assert_array_equal(b, a)
            np.testing.assert_array_equal(c, a)
    assert opt2.iterations == opt3.iterations == STEPS


def test_defaults_equal_keras_3():
    # keras/src/optimizers/{sgd,rmsprop,adam,adamw,adagrad}.py __init__ signatures
    expected = {
        "SGD": {"learning_rate": 0.01, "momentum": 0.0, "nesterov": False},
        "RMSprop": {"learning_rate": 0.001, "rho": 0.9, "momentum": 0.0, "epsilon": 1e-7,
                    "centered": False},
        "Adam": {"learning_rate": 0.001, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7,
                 "amsgrad": False},
        "AdamW": {"learning_rate": 0.001, "weight_decay": 0.004, "beta_1": 0.9, "beta_2": 0.999,
                  "epsilon": 1e-7, "amsgrad": False},
        "Adagrad": {"learning_rate": 0.001, "initial_accumulator_value": 0.1, "epsilon": 1e-7},
    }
    base = {"weight_decay": None, "clipnorm": None, "global_clipnorm": None, "clipvalue": None,
            "use_ema": False, "ema_momentum": 0.99, "ema_overwrite_frequency": None,
            "loss_scale_factor": None, "gradient_accumulation_steps": None}
    for name, args in expected.items():
        cls = getattr(optimizers, name)
        sig = inspect.signature(cls).parameters
        assert {k: sig[k].default for k in args} == args
        config = cls().get_config()
        assert config == {"name": config["name"], **base, **args}
    assert list(optimizers.Adam().get_config())[:3] == ["name", "learning_rate", "weight_decay"]


def test_get_by_name_instance_and_config():
    for name in ("sgd", "RMSprop", "ADAM", "adamw", "Adagrad"):
        assert type(optimizers.get(name)).__name__.lower() == name.lower()
    opt = optimizers.RMSprop(learning_rate=0.01, momentum=0.5)
    assert optimizers.get(opt) is opt
    assert optimizers.get(None) is None
    copy = optimizers.get(optimizers.serialize(opt))
    assert type(copy) is optimizers.RMSprop and copy is not opt
    assert copy.get_config() == opt.get_config()
    sched = optimizers.SGD(learning_rate=SCHEDULES["exp"][0]())
    again = optimizers.get(json.loads(json.dumps(optimizers.serialize(sched))))
    assert isinstance(again._learning_rate, schedules.ExponentialDecay)
    assert again.get_config() == sched.get_config()


def test_unknown_name_suggests_the_closest():
    with pytest.raises(UnknownNameError, match="'rmsporp'; did you mean 'rmsprop'"):
        optimizers.get("rmsporp")
    with pytest.raises(UnknownNameError, match="did you mean 'adam'"):
        optimizers.get({"class_name": "Adma", "config": {}})
    with pytest.raises(ArgumentError, match="could not interpret optimizer identifier: 3"):
        optimizers.get(3)


def test_schedules_follow_their_formulas_and_round_trip():
    cases = [
        (schedules.ExponentialDecay(0.1, 10, 0.5, staircase=True),
         lambda t: 0.1 * 0.5 ** (t // 10)),
        (schedules.PiecewiseConstantDecay([3, 7], [1.0, 0.5, 0.1]),
         lambda t: 1.0 if t <= 3 else 0.5 if t <= 7 else 0.1),
        (schedules.CosineDecay(0.0, 10, warmup_target=0.2, warmup_steps=5),
         lambda t: 0.2 * t / 5 if t < 5 else
         0.2 * 0.5 * (1 + math.cos(math.pi * min(t - 5, 10) / 10))),
        (schedules.InverseTimeDecay(0.1, 4, 0.5), lambda t: 0.1 / (1 + 0.5 * t / 4)),
    ]
    for sched, formula in cases:
        for t in range(25):
            assert sched(t) == pytest.approx(formula(t), rel=1e-12, abs=1e-15), (sched, t)
        again = schedules.deserialize(json.loads(json.dumps(schedules.serialize(sched))))
        assert [again(t) for t in range(25)] == [sched(t) for t in range(25)]
    opt = optimizers.SGD(learning_rate=cases[1][0])
    seen, w = [], np.zeros(2)
    for _ in range(10):
        seen.append(opt.learning_rate)
        opt.apply([np.zeros(2)], [w])
    assert seen == [1.0] * 4 + [0.5] * 4 + [0.1] * 2
    with pytest.raises(TypeError, match="LearningRateSchedule"):
        opt.learning_rate = 0.1
    with pytest.raises(ArgumentError, match="decay_steps must be > 0, got 0"):
        schedules.ExponentialDecay(0.1, 0, 0.5)
    with pytest.raises(ArgumentError, match="boundaries=.*of length 2.*of length 2"):
        schedules.PiecewiseConstantDecay([1, 2], [0.1, 0.2])
    with pytest.raises(UnknownNameError, match="ExponentialDecay"):
        schedules.deserialize({"class_name": "ExponentialDekay", "config": {}})


RESTARTS = [  # (lr0, first_decay_steps, t_mul, m_mul, alpha)
    (0.1, 5, 2.0, 0.5, 0.1), (0.1, 4, 1.0, 0.7, 0.0), (1.0, 1, 3.0, 0.9, 0.05),
    (0.3, 8, 1.5, 1.0, 0.2), (0.05, 10, 0.5, 1.0, 0.0),
]
POLYNOMIALS = [  # (lr0, decay_steps, end_learning_rate, power, cycle)
    (0.1, 4, 0.01, 1.0, True), (0.1, 4, 0.01, 1.0, False), (1.0, 7, 0.0, 0.5, True),
    (0.2, 10, 0.0001, 3.0, False), (0.5, 1, 0.1, 2.0, True),
]


@pytest.mark.parametrize("args", RESTARTS, ids=[str(a) for a in RESTARTS])
def test_cosine_decay_restarts_follows_its_cycles(args):
    sched = schedules.CosineDecayRestarts(*args)
    steps = 19 if args[2] < 1 else 130  # t_mul < 1: the cycles add up to 20 steps
    want = ref_restarts(*args, steps)
    got = [sched(t) for t in range(steps)]
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)
    again = schedules.deserialize(json.loads(json.dumps(schedules.serialize(sched))))
    assert type(again) is schedules.CosineDecayRestarts
    assert again.get_config() == sched.get_config() == dict(zip(
        ["initial_learning_rate", "first_decay_steps", "t_mul", "m_mul", "alpha", "name"],
        [*args, "SGDRDecay"], strict=True))
    assert [again(t) for t in range(steps)] == got


def test_cosine_decay_restarts_at_the_restarts():
    # first_decay_steps=5, t_mul=2: cycles of 5, 10, 20, 40 steps restart at 5, 15, 35, 75,
    # each at m_mul^i of the first peak above the floor alpha·lr0 = 0.01.
    sched = schedules.CosineDecayRestarts(0.1, 5, t_mul=2.0, m_mul=0.5, alpha=0.1)
    peaks = {0: 0.1, 5: 0.055, 15: 0.0325, 35: 0.02125, 75: 0.015625}
    for step, peak in peaks.items():
        assert sched(step) == pytest.approx(peak, rel=1e-12)
        if step:  # the previous cycle ends lower, above the floor; the new one decays
            assert 0.01 < sched(step - 1) < peak and sched(step + 1) < peak
    # Keras's float64 logarithm puts restart 5 of t_mul=3 one cycle early
    # (log(243)/log(3) = 4.999…); here step 121 starts cycle 5, as steps 0, 1, 4, … start theirs.
    sched = schedules.CosineDecayRestarts(1.0, 1, t_mul=3.0, m_mul=0.5)
    assert sched(121) == pytest.approx(0.5**5, rel=1e-12)
    assert sched(120) < 1e-3


@pytest.mark.parametrize("args", POLYNOMIALS, ids=[str(a) for a in POLYNOMIALS])
def test_polynomial_decay_follows_its_formula(args):
    sched = schedules.PolynomialDecay(*args)
    want = ref_polynomial(*args, 40)
    np.testing.assert_allclose([sched(t) for t in range(40)], want, rtol=1e-12, atol=1e-15)
    again = schedules.deserialize(json.loads(json.dumps(schedules.serialize(sched))))
    assert again.get_config() == sched.get_config()
    assert [again(t) for t in range(40)] == [sched(t) for t in range(40)]


def test_polynomial_decay_by_hand():
    # lr0 0.1 → end 0.01 over 4 steps, linearly: cycling restarts each decay from a lower
    # point, the horizon growing to 8, 12, … (step 5: 0.09·(1 − 5/8) + 0.01).
    cyc = schedules.PolynomialDecay(0.1, 4, end_learning_rate=0.01, cycle=True)
    once = schedules.PolynomialDecay(0.1, 4, end_learning_rate=0.01)
    want_cyc = {0: 0.1, 2: 0.055, 4: 0.01, 5: 0.04375, 8: 0.01, 9: 0.0325, 12: 0.01}
    want_once = {0: 0.1, 2: 0.055, 4: 0.01, 5: 0.01, 100: 0.01}
    assert {t: cyc(t) for t in want_cyc} == pytest.approx(want_cyc, rel=1e-12)
    assert {t: once(t) for t in want_once} == pytest.approx(want_once, rel=1e-12)
    assert schedules.PolynomialDecay(1.0, 10).get_config() == {
        "initial_learning_rate": 1.0, "decay_steps": 10, "end_learning_rate": 0.0001,
        "power": 1.0, "cycle": False, "name": "PolynomialDecay"}


@pytest.mark.parametrize(("make_bad", "echo"), [
    (lambda: schedules.PolynomialDecay(0.1, 0), "PolynomialDecay: decay_steps must be > 0, got 0"),
    (lambda: schedules.PolynomialDecay(0.1, -3, cycle=True), "decay_steps must be > 0, got -3"),
    (lambda: schedules.CosineDecayRestarts(0.1, 0), "first_decay_steps must be > 0, got 0"),
    (lambda: schedules.CosineDecayRestarts(0.1, -1.5), "first_decay_steps must be > 0, got -1.5"),
    (lambda: schedules.CosineDecayRestarts(0.1, 5, t_mul=0), "t_mul must be > 0, got 0"),
    (lambda: schedules.CosineDecayRestarts(0.1, 10, t_mul=0.5)(20),
     "with t_mul=0.5 < 1 the cycles add up to 20 steps; step 20 is past them all"),
])
def test_new_schedules_reject_bad_steps(make_bad, echo):
    with pytest.raises(ArgumentError, match=re.escape(echo)):
        make_bad()


@pytest.mark.parametrize("schedule", ["poly-cycle", "restarts"])
def test_a_model_saves_and_loads_its_schedule(schedule, tmp_path):
    rng = np.random.default_rng(5)
    x, y = rng.standard_normal((24, 3)), rng.integers(0, 2, 24)
    dn.manual_seed(3)
    model = keras.Sequential([keras.layers.Dense(4, activation="relu"),
                              keras.layers.Dense(2, activation="softmax")])
    model.compile(optimizer=optimizers.SGD(learning_rate=SCHEDULES[schedule][0](),
                                           momentum=0.9),
                  loss="sparse_categorical_crossentropy")
    model.fit(x, y, batch_size=4, epochs=2, verbose=0, shuffle=False)  # 12 steps
    model.save(tmp_path / "m.dnm")
    loaded = keras.models.load_model(tmp_path / "m.dnm")
    sched = loaded.optimizer._learning_rate
    assert type(sched) is type(model.optimizer._learning_rate)
    assert sched.get_config() == model.optimizer._learning_rate.get_config()
    assert loaded.optimizer.iterations == 12
    assert loaded.optimizer.learning_rate == SCHEDULES[schedule][1](12)
    for m in (model, loaded):
        m.fit(x, y, batch_size=4, epochs=1, verbose=0, shuffle=False)
    for a, b in zip(model.get_weights(), loaded.get_weights(), strict=True):
        np.testing.assert_array_equal(b, a)


def test_learning_rate_is_settable_and_a_callable_works():
    opt = optimizers.Adam()
    opt.learning_rate = 0.5
    assert opt.learning_rate == 0.5 and opt.get_config()["learning_rate"] == 0.5
    w = np.ones(2)
    opt = optimizers.SGD(learning_rate=lambda: 0.25)
    opt.apply([np.ones(2)], [w])
    assert w.tolist() == [0.75, 0.75]
    with pytest.raises(StateError, match="callable"):
        opt.get_config()


def test_missing_gradients_unknown_variables_and_step():
    a, b = dn.nn.Parameter(dn.ones(2)), dn.nn.Parameter(dn.ones(3))
    opt = optimizers.SGD(learning_rate=0.5)
    with pytest.raises(StateError, match="build"):
        opt.apply([np.ones(2)])
    a.grad, b.grad = np.ones(2, np.float32), None
    opt.step([a, b])  # b has no gradient: skipped, not an error
    assert a.tolist() == [0.5, 0.5] and b.tolist() == [1.0] * 3
    opt.apply([np.ones(2), np.ones(3)])  # built: the variables may be left out
    assert b.tolist() == [0.5] * 3 and opt.iterations == 2
    with pytest.raises(ArgumentError, match="no gradients provided"):
        opt.apply([None], [a])
    with pytest.raises(ArgumentError, match="unknown variable of shape"):
        opt.apply([np.ones(2)], [np.ones(2)])
    with pytest.raises(ShapeError, match=r"gradient of shape \(3,\) for a variable of shape"):
        opt.apply([np.ones(3)], [a])
    assert opt.apply_gradients([(np.ones(2), a)]) == 3


@pytest.mark.parametrize(("make_bad", "echo"), [
    (lambda: optimizers.SGD(momentum=1.5), "momentum=1.5"),
    (lambda: optimizers.SGD(learning_rate=-1.0), "learning_rate: -1.0"),
    (lambda: optimizers.SGD(clipnorm=1.0, clipvalue=0.5), "only one of"),
    (lambda: optimizers.SGD(clipnorm=-1.0), "clipnorm: -1.0"),
    (lambda: optimizers.SGD(lr=0.1), "not recognized: {'lr': 0.1}"),
    (lambda: optimizers.AdamW(weight_decay=None), "weight_decay=None"),
    (lambda: optimizers.RMSprop(rho=1.5), "rho: 1.5"),
    (lambda: optimizers.Adam(beta_1=1.0), "beta_1: 1.0"),
    (lambda: optimizers.Adam(epsilon=-1e-7), "epsilon: -1e-07"),
    (lambda: optimizers.Adagrad(initial_accumulator_value=-0.1), "value: -0.1"),
    (lambda: optimizers.Adam(gradient_accumulation_steps=1), "gradient_accumulation_steps"),
    (lambda: optimizers.Adam(use_ema=True, ema_momentum=2.0), "ema_momentum: 2.0"),
])
def test_invalid_arguments_echo_the_value(make_bad, echo):
    with pytest.raises(ArgumentError) as info:
        make_bad()
    assert echo in str(info.value)


def test_weight_decay_exclusions_and_state_checks():
    a, b = np.ones(2), np.ones(2)
    opt = optimizers.SGD(learning_rate=0.1, weight_decay=0.5)
    opt.exclude_from_weight_decay(var_list=[b])
    opt.apply([np.zeros(2), np.zeros(2)], [a, b])
    assert a.tolist() == [0.95, 0.95] and b.tolist() == [1.0, 1.0]
    with pytest.raises(StateError, match="before the optimizer is built"):
        opt.exclude_from_weight_decay(var_names=["bias"])
    with pytest.raises(ArgumentError, match="state is of a 'SGD', not of a 'Adam'"):
        optimizers.Adam().load_state_dict(opt.state_dict())
    other = optimizers.SGD(momentum=0.9)
    other.apply([np.ones(3)], [np.ones(3)])
    fresh = optimizers.SGD(momentum=0.9)
    fresh.build([np.ones(4)])
    with pytest.raises(ShapeError, match=r"has shape \(3,\), the variable \(4,\)"):
        fresh.load_state_dict(other.state_dict())


def test_ema_and_variables():
    w = np.zeros(2)
    opt = optimizers.SGD(learning_rate=1.0, use_ema=True, ema_momentum=0.5)
    for _ in range(3):
        opt.apply([-np.ones(2)], [w])  # w: 1, 2, 3; average: 1, 1.5, 2.25
    assert w.tolist() == [3.0, 3.0]
    opt.finalize_variable_values([w])
    assert w.tolist() == [2.25, 2.25]
    names = [v.shape for v in optimizers.RMSprop(momentum=0.9).variables]
    assert names == [(), ()]  # iterations and the learning rate before build
    opt = optimizers.RMSprop(momentum=0.9)
    opt.build([np.ones(3)])
    assert [v.shape for v in opt.variables] == [(), (), (3,), (3,)]
    assert opt.variables[0] == 0 and opt.variables[1] == np.float32(0.001)


def test_averaged_variables_swaps_the_averages_in_and_back_out():
    w = np.zeros(2)
    opt = optimizers.SGD(learning_rate=1.0, use_ema=True, ema_momentum=0.5)
    with opt.averaged_variables():  # not built yet: nothing to swap
        assert w.tolist() == [0.0, 0.0]
    for _ in range(3):
        opt.apply([-np.ones(2)], [w])
    with opt.averaged_variables():
        assert w.tolist() == [2.25, 2.25]
        opt_average = opt.state_dict()["slots"]["average"][0].copy()
    assert w.tolist() == [3.0, 3.0] and opt_average.tolist() == [2.25, 2.25]
    with pytest.raises(RuntimeError), opt.averaged_variables():
        raise RuntimeError("restored even on an error")
    assert w.tolist() == [3.0, 3.0]
    plain = optimizers.SGD(learning_rate=1.0)
    plain.apply([-np.ones(2)], [w])
    with plain.averaged_variables():
        assert w.tolist() == [4.0, 4.0]
    plain.finalize_variable_values()
    assert w.tolist() == [4.0, 4.0]


def test_fit_ends_with_the_averaged_weights_as_keras_3_does():
    """Keras 3's fit calls optimizer.finalize_variable_values at the end: with use_ema the
    model keeps the moving averages.  The averages are recomputed here from the weights
    seen after each batch (what callbacks see: the raw iterates)."""
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((40, 3)), rng.standard_normal((40, 1))
    dn.manual_seed(0)
    model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(1)])
    model.compile(optimizers.SGD(0.1, use_ema=True, ema_momentum=0.8), "mse")
    seen = []
    record = keras.callbacks.LambdaCallback(
        on_train_batch_end=lambda batch, logs: seen.append(model.get_weights()))
    model.fit(x, y, batch_size=8, epochs=2, verbose=0, shuffle=False, callbacks=[record])
    average = seen[0]
    for ws in seen[1:]:
        average = [0.8 * a + 0.2 * w for a, w in zip(average, ws, strict=True)]
    for got, want in zip(model.get_weights(), average, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-6)
    assert not np.allclose(model.get_weights()[0], seen[-1][0])
    last = model.get_weights()
    model.fit(x, y, epochs=2, initial_epoch=2, verbose=0)  # no epoch run: nothing changes
    for got, want in zip(model.get_weights(), last, strict=True):
        np.testing.assert_array_equal(got, want)


def test_state_survives_a_checkpoint_file(tmp_path):
    init, grads = make_data(2)
    opt = optimizers.Adam(learning_rate=SCHEDULES["cosine"][0](), amsgrad=True, use_ema=True)
    ws = [a.copy() for a in init]
    for k in range(5):
        opt.apply(grads[k], ws)
    dn.save({"optimizer": opt.state_dict(), "weights": ws}, tmp_path / "ckpt.dnm")
    ckpt = dn.load(tmp_path / "ckpt.dnm")
    opt2 = optimizers.get({"class_name": "adam", "config": ckpt["optimizer"]["config"]})
    opt2.load_state_dict(ckpt["optimizer"])
    ws2 = ckpt["weights"]
    for k in range(5, 10):
        opt.apply(grads[k], ws)
        opt2.apply(grads[k], ws2)
    for a, b in zip(ws, ws2, strict=True):
        np.testing.assert_array_equal(b, a)
