"""HelmholtzMachine: the wake and sleep delta rules, importance-sampled log p(x) against exact
enumeration, sampling and its seeds, training on data, input errors."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import deepnum as dn
from deepnum import keras
from deepnum.unsupervised import HelmholtzMachine
from deepnum.unsupervised.helmholtz import binarize


def sigmoid(a):
    return 1.0 / (1.0 + np.exp(-np.asarray(a, dtype=np.float64)))


def randomize(hm, rng, scale=1.0):
    """Give a machine large random weights and biases, so that its posteriors are not flat."""
    for group in ("recognition_weights", "recognition_biases", "generative_weights",
                  "generative_biases"):
        for a in getattr(hm, group):  # the Parameters' arrays, written in place
            a[...] = scale * rng.standard_normal(a.shape)
    hm.prior_bias.data[...] = scale * rng.standard_normal(hm.prior_bias.shape)
    return hm


def binary(rng, shape, p=0.5):
    return (rng.random(shape) < p).astype(np.float32)


def copy_weights(hm):
    return {g: [np.array(a, dtype=np.float64) for a in getattr(hm, g)] for g in (
        "recognition_weights", "recognition_biases", "generative_weights", "generative_biases")
            } | {"prior_bias": np.array(hm.prior_bias.data, dtype=np.float64)}


# ----- the local delta rules, computed by hand from the same samples ------------------------
def delta_rule_by_hand(causes, targets, w, b, eta):
    """w, b after one batch of the local delta rule, one example and unit at a time:
    for each target unit i, p = σ(Σ_j causes_j w_ji + b_i), Δw_ji = η/B causes_j (target_i - p),
    Δb_i = η/B (target_i - p)."""
    batch = len(causes)
    new_w, new_b = w.copy(), b.copy()
    for n in range(batch):
        for i in range(targets.shape[1]):
            p = sigmoid(sum(causes[n, j] * w[j, i] for j in range(causes.shape[1])) + b[i])
            new_b[i] += eta / batch * (targets[n, i] - p)
            for j in range(causes.shape[1]):
                new_w[j, i] += eta / batch * causes[n, j] * (targets[n, i] - p)
    return new_w, new_b


def test_wake_update_is_the_generative_delta_rule():
    rng = np.random.default_rng(0)
    hm = randomize(HelmholtzMachine([5, 4, 3], learning_rate=0.3, seed=0), rng)
    states = [np.array(s, dtype=np.float64) for s in hm.recognize(binary(rng, (7, 5)), seed=1)]
    before = copy_weights(hm)
    hm.wake_update([s.astype(np.float32) for s in states])
    for l in range(2):  # each layer reconstructed from the one above
        want_g, want_c = delta_rule_by_hand(states[l + 1], states[l],
                                            before["generative_weights"][l],
                                            before["generative_biases"][l], 0.3)
        np.testing.assert_allclose(hm.generative_weights[l], want_g, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(hm.generative_biases[l], want_c, rtol=1e-5, atol=1e-6)
        # the wake phase leaves the recognition weights alone
        np.testing.assert_array_equal(hm.recognition_weights[l],
                                      before["recognition_weights"][l].astype(np.float32))
    want_b = before["prior_bias"] + 0.3 * (states[2] - sigmoid(before["prior_bias"])).mean(0)
    np.testing.assert_allclose(hm.prior_bias.data, want_b, rtol=1e-5, atol=1e-6)


def test_sleep_update_is_the_recognition_delta_rule():
    rng = np.random.default_rng(1)
    hm = randomize(HelmholtzMachine([5, 4, 3], learning_rate=0.2, seed=0), rng)
    dreams = [np.array(s, dtype=np.float64) for s in hm.dream(6, seed=2)]
    before = copy_weights(hm)
    hm.sleep_update([s.astype(np.float32) for s in dreams])
    for l in range(2):  # each layer's causes recovered from the layer below
        want_r, want_b = delta_rule_by_hand(dreams[l], dreams[l + 1],
                                            before["recognition_weights"][l],
                                            before["recognition_biases"][l], 0.2)
        np.testing.assert_allclose(hm.recognition_weights[l], want_r, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(hm.recognition_biases[l], want_b, rtol=1e-5, atol=1e-6)
        np.testing.assert_array_equal(hm.generative_weights[l],
                                      before["generative_weights"][l].astype(np.float32))
    np.testing.assert_array_equal(hm.prior_bias.data, before["prior_bias"].astype(np.float32))


def test_train_step_is_a_wake_phase_then_a_sleep_phase_from_the_machines_generator():
    x = binary(np.random.default_rng(2), (8, 6))
    auto = HelmholtzMachine([6, 4, 2], learning_rate=0.1, seed=np.random.default_rng(7))
    rng = np.random.default_rng(7)
    manual = HelmholtzMachine([6, 4, 2], learning_rate=0.1, seed=rng)  # same initial draws
    logs = auto.train_step(x)
    wake = manual.wake_update(manual.recognize(x, seed=rng))
    sleep = manual.sleep_update(manual.dream(8, seed=rng))
    assert logs == {"wake_loss": wake, "sleep_loss": sleep}
    mine, theirs = copy_weights(auto), copy_weights(manual)
    for group in mine:
        for a, b in zip(mine[group], theirs[group], strict=True):
            np.testing.assert_array_equal(a, b)


def test_wake_step_raises_log_p_of_the_wake_states_and_sleep_raises_log_q_of_dreams():
    rng = np.random.default_rng(3)
    wake_gain, sleep_gain = [], []
    for trial in range(20):
        hm = randomize(HelmholtzMachine([8, 5, 3], learning_rate=0.05, seed=trial), rng, 0.5)
        states = hm.recognize(binary(rng, (16, 8)), seed=trial)
        before = hm.generative_log_prob(states).mean()
        loss = hm.wake_update(states)
        assert loss == pytest.approx(-before, rel=1e-6)
        wake_gain.append(hm.generative_log_prob(states).mean() - before)
        dreams = hm.dream(16, seed=trial)
        before = hm.recognition_log_prob(dreams).mean()
        assert hm.sleep_update(dreams) == pytest.approx(-before, rel=1e-6)
        sleep_gain.append(hm.recognition_log_prob(dreams).mean() - before)
    assert min(wake_gain) > 0 and min(sleep_gain) > 0, (wake_gain, sleep_gain)


# ----- log p(x): importance sampling against exact enumeration -------------------------------
def exact_log_px(hm, x):
    """log p(x) = log Σ_h1 Σ_h2 p(h2) p(h1|h2) p(x|h1) for a [6, 4, 2] machine, by brute force."""
    g1, g2 = (np.asarray(w, np.float64) for w in hm.generative_weights)
    c1, c2 = (np.asarray(c, np.float64) for c in hm.generative_biases)
    b = np.asarray(hm.prior_bias.data, np.float64)

    def prob(s, p):  # Π_i p_i^s_i (1-p_i)^(1-s_i)
        return np.prod(np.where(s == 1, p, 1 - p), axis=-1)

    out = []
    for v in np.asarray(x, np.float64):
        total = 0.0
        for h2 in itertools.product([0, 1], repeat=2):
            for h1 in itertools.product([0, 1], repeat=4):
                h1, h2 = np.array(h1, float), np.array(h2, float)
                total += (prob(h2, sigmoid(b)) * prob(h1, sigmoid(h2 @ g2 + c2))
                          * prob(v, sigmoid(h1 @ g1 + c1)))
        out.append(np.log(total))
    return np.array(out)


def is_errors(hm, x, exact, sizes):
    """Mean |estimate - exact| over the examples and 4 seeds, for each number of samples."""
    errors = {}
    for k in sizes:
        runs = np.stack([hm.log_likelihood(x, n_samples=k, seed=s) for s in range(4)])
        errors[k] = np.abs(runs - exact).mean()
        if k == 1:  # one sample: an unbiased estimate of the ELBO, below log p(x)
            assert runs.mean() < exact.mean()
    return errors


def test_importance_sampled_log_likelihood_converges_to_the_exact_value():
    rng = np.random.default_rng(4)
    hm = randomize(HelmholtzMachine([6, 4, 2], seed=0), rng, 1.0)
    x = binary(rng, (5, 6))
    exact = exact_log_px(hm, x)
    assert np.isfinite(exact).all() and (exact < 0).all()
    sizes = (1, 10, 100, 1000, 20_000)
    random_q = is_errors(hm, x, exact, sizes)
    assert all(random_q[a] > random_q[b] for a, b in itertools.pairwise(sizes)), random_q
    for _ in range(300):  # sleep phases alone: q learns the generative model's posterior
        hm.sleep_update(hm.dream(50))
    assert np.array_equal(exact_log_px(hm, x), exact)  # p is unchanged
    learned_q = is_errors(hm, x, exact, sizes)
    assert all(learned_q[a] > learned_q[b] for a, b in itertools.pairwise(sizes)), learned_q
    assert all(learned_q[k] < random_q[k] for k in sizes), (learned_q, random_q)
    assert learned_q[20_000] < 0.03, learned_q


def test_log_likelihood_is_stable_when_probabilities_underflow():
    rng = np.random.default_rng(5)
    hm = randomize(HelmholtzMachine([6, 4, 2], seed=0), rng, 40.0)  # saturated units
    ll = hm.log_likelihood(binary(rng, (4, 6)), n_samples=50, seed=0)
    assert ll.shape == (4,) and ll.dtype == np.float64
    assert np.isfinite(ll).all() and (ll <= 1e-9).all()


# ----- sampling -----------------------------------------------------------------------------
def test_samples_dreams_and_recognitions_have_the_right_shapes_and_values():
    hm = HelmholtzMachine([64, 32, 16], seed=0)
    s = hm.sample(5)
    assert s.shape == (5, 64) and s.dtype == np.float32 and set(np.unique(s)) <= {0.0, 1.0}
    p = hm.sample(5, probabilities=True)
    assert p.shape == (5, 64) and ((p > 0) & (p < 1)).all()
    assert [d.shape for d in hm.dream(3)] == [(3, 64), (3, 32), (3, 16)]
    x = binary(np.random.default_rng(6), (4, 64))
    states = hm.recognize(x)
    assert [r.shape for r in states] == [(4, 64), (4, 32), (4, 16)]
    assert all(set(np.unique(r)) <= {0.0, 1.0} for r in states)
    np.testing.assert_array_equal(states[0], x)
    top = hm.transform(x)
    assert top.shape == (4, 16) and ((top > 0) & (top < 1)).all()


def test_same_integer_seed_advances_on_one_machine_and_agrees_across_machines():
    a, b = HelmholtzMachine([20, 8, 4], seed=1), HelmholtzMachine([20, 8, 4], seed=1)
    first = [a.sample(10, seed=3) for _ in range(2)]
    assert not np.array_equal(first[0], first[1])
    np.testing.assert_array_equal(first[0], b.sample(10, seed=3))
    np.testing.assert_array_equal(first[1], b.sample(10, seed=3))
    np.testing.assert_array_equal(a.sample(10), b.sample(10))  # the machines' own generators


def test_two_machines_with_one_seed_train_identically():
    x = binary(np.random.default_rng(7), (32, 10))
    a, b = HelmholtzMachine([10, 6, 3], seed=4), HelmholtzMachine([10, 6, 3], seed=4)
    for start in range(0, 32, 8):
        assert a.train_step(x[start:start + 8]) == b.train_step(x[start:start + 8])
    np.testing.assert_array_equal(a.generative_weights[0], b.generative_weights[0])


# ----- learning on data ---------------------------------------------------------------------
def test_wake_sleep_training_raises_the_log_likelihood_of_held_out_data():
    rng = np.random.default_rng(8)
    prototypes = binary(rng, (3, 16))
    x, held = prototypes_data(rng, 600, prototypes), prototypes_data(rng, 200, prototypes)
    hm = HelmholtzMachine([16, 8, 4], learning_rate=0.1, seed=0)
    before = hm.log_likelihood(held, n_samples=50, seed=0).mean()
    for _ in range(15):
        for start in range(0, len(x), 10):
            hm.train_step(x[start:start + 10])
    after = hm.log_likelihood(held, n_samples=50, seed=0).mean()
    independent_bits = 16 * np.log(0.5)
    assert before < independent_bits + 1 and after > before + 4, (before, after)


def prototypes_data(rng, n, prototypes):
    """Copies of random prototypes with 5 % of their bits flipped."""
    picks = prototypes[rng.integers(0, len(prototypes), n)]
    return np.abs(picks - (rng.random(picks.shape) < 0.05)).astype(np.float32)


def test_fit_logs_the_losses_every_epoch_and_the_log_likelihood_every_few():
    rng = np.random.default_rng(9)
    prototypes = binary(rng, (3, 16))
    x, held = prototypes_data(rng, 400, prototypes), prototypes_data(rng, 100, prototypes)
    hm = HelmholtzMachine([16, 8, 4], learning_rate=0.1, seed=0, log_likelihood_samples=50)
    before = hm.evaluate(held, verbose=0)
    history = hm.fit(x, epochs=6, batch_size=10, validation_data=(held, None),
                     validation_freq=3, verbose=0)
    logs = history.history
    assert sorted(logs) == ["sleep_loss", "val_log_likelihood", "wake_loss"]
    assert len(logs["wake_loss"]) == len(logs["sleep_loss"]) == 6
    assert len(logs["val_log_likelihood"]) == 2  # after epochs 3 and 6
    assert logs["wake_loss"][-1] < logs["wake_loss"][0]
    assert before < logs["val_log_likelihood"][0] < logs["val_log_likelihood"][1]
    estimate = hm.log_likelihood(held, n_samples=50, seed=0).mean()
    assert hm.evaluate(held, verbose=0) == pytest.approx(estimate, abs=0.5)


def test_epoch_logs_are_means_over_the_epoch():
    x = binary(np.random.default_rng(10), (40, 6))
    a, b = HelmholtzMachine([6, 3], seed=2), HelmholtzMachine([6, 3], seed=2)
    history = a.fit(x, epochs=2, batch_size=10, shuffle=False, verbose=0).history
    for epoch in range(2):
        steps = [b.train_step(x[i:i + 10]) for i in range(0, 40, 10)]
        b.reset_metrics()
        # each step's log is the running mean so far; equal batches: the last is the mean
        assert history["wake_loss"][epoch] == pytest.approx(steps[-1]["wake_loss"])
    assert history["wake_loss"][1] != history["wake_loss"][0]


def test_the_machine_is_a_keras_model():
    hm = HelmholtzMachine([6, 4, 2], seed=0)
    x = binary(np.random.default_rng(11), (3, 6))
    np.testing.assert_array_equal(hm(x).numpy(), hm.transform(x))
    assert len(hm.weights) == 2 * 4 + 1  # R, r, G, c per pair of layers, and the prior
    assert hm.count_params() == 2 * (24 + 8) + (4 + 6) + (2 + 4) + 2
    config = hm.get_config()
    assert config["layer_sizes"] == [6, 4, 2] and config["seed"] == 0
    twin = HelmholtzMachine.from_config(config)
    for w, v in zip(hm.weights, twin.weights, strict=True):
        np.testing.assert_array_equal(w.data, v.data)


def test_save_and_load_model_round_trip(tmp_path):
    x = binary(np.random.default_rng(12), (20, 6))
    hm = HelmholtzMachine([6, 4, 2], learning_rate=0.2, seed=0)
    hm.fit(x, epochs=2, batch_size=5, verbose=0)
    hm.save(tmp_path / "hm.dnm")
    back = keras.models.load_model(tmp_path / "hm.dnm")
    assert type(back) is HelmholtzMachine and back.layer_sizes == [6, 4, 2]
    assert back.learning_rate == 0.2
    for w, v in zip(hm.weights, back.weights, strict=True):
        np.testing.assert_array_equal(w.data, v.data)
    np.testing.assert_array_equal(back.log_likelihood(x, 20, seed=1),
                                  hm.log_likelihood(x, 20, seed=1))


# ----- errors -------------------------------------------------------------------------------
def test_non_binary_data_are_refused_with_a_hint():
    hm = HelmholtzMachine([4, 2])
    with pytest.raises(dn.errors.DataError, match=r"binary.*0\.5 at index \(0, 1\).*binarize"):
        hm.train_step(np.array([[0, 0.5, 1, 1]]))
    with pytest.raises(dn.errors.DataError, match="binary"):
        hm.log_likelihood(np.full((1, 4), np.nan))
    with pytest.raises(dn.errors.DataError, match="numbers"):
        hm.recognize(np.array([["a", "b", "c", "d"]]))
    with pytest.raises(dn.errors.DataError, match="empty"):
        hm.transform(np.zeros((0, 4)))


def test_mismatched_sizes_name_both():
    hm = HelmholtzMachine([64, 32, 16])
    with pytest.raises(dn.errors.ShapeError, match=r"64 units.*63 features.*\(2, 63\)"):
        hm.train_step(np.zeros((2, 63)))
    with pytest.raises(dn.errors.ShapeError, match=r"\(3, 8, 8\).*reshape"):
        hm.log_likelihood(np.zeros((3, 8, 8)))


@pytest.mark.parametrize("sizes", [[64], [64, 0], [64, 2.5], "64, 32", [True, 3]])
def test_bad_layer_sizes(sizes):
    with pytest.raises(dn.errors.ArgumentError, match="layer_sizes"):
        HelmholtzMachine(sizes)


def test_bad_arguments():
    with pytest.raises(dn.errors.ArgumentError, match="learning_rate.*-1"):
        HelmholtzMachine([4, 2], learning_rate=-1)
    hm = HelmholtzMachine([4, 2])
    with pytest.raises(dn.errors.ArgumentError, match="positive integer.*0"):
        hm.sample(0)
    with pytest.raises(dn.errors.ArgumentError, match="positive integer.*2.5"):
        hm.log_likelihood(np.zeros((1, 4)), n_samples=2.5)
    with pytest.raises(TypeError, match="seed"):
        hm.sample(2, seed="zero")


def test_binarize():
    images = np.array([[0, 127, 128, 255]], dtype=np.uint8)
    assert binarize(images).tolist() == [[0, 0, 1, 1]]
    assert binarize(images, threshold=0.1).tolist() == [[0, 1, 1, 1]]
    assert binarize([[0.2, 0.7]]).dtype == np.float32
