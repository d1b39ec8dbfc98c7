"""RBM: the mathematics on tiny machines enumerated exactly, sampling, CD-k/PCD-k, AIS,
pseudo-likelihood, bad inputs; then training against scikit-learn's BernoulliRBM."""

from __future__ import annotations

import itertools
import math
import os
import runpy

import numpy as np
import pytest
from conftest import fashion_mnist_or_skip

import deepnum as dn
from deepnum.errors import ArgumentError, DataError, ShapeError, StateError, UnknownNameError
from deepnum.unsupervised import RBM


@pytest.fixture(autouse=True, scope="module")
def one_blas_thread():
    """One BLAS thread: on a busy 2-core machine, OpenBLAS threads spinning for small matrix
    products made these tests (and any fit loop) over ten times slower."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # scikit-learn brings it; without it, run as configured
        yield
        return
    with threadpool_limits(1, user_api="blas"):
        yield


def states(n: int) -> np.ndarray:
    return np.array(list(itertools.product([0.0, 1.0], repeat=n)))


def random_rbm(n_visible=6, n_hidden=4, visible="bernoulli", scale=1.0, seed=1, **kw) -> RBM:
    """An RBM with O(1) random parameters (a fresh one has W ~ N(0, 0.01²): too easy)."""
    rbm = RBM(n_visible, n_hidden, visible=visible, seed=0, **kw)
    rng = np.random.default_rng(seed)
    rbm.kernel.data[...] = rng.normal(0, scale, (n_visible, n_hidden))
    rbm.visible_bias.data[...] = rng.normal(0, 1, n_visible)
    rbm.hidden_bias.data[...] = rng.normal(0, 1, n_hidden)
    return rbm


def params64(rbm: RBM):
    return (rbm.kernel.data.astype(np.float64), rbm.visible_bias.data.astype(np.float64),
            rbm.hidden_bias.data.astype(np.float64))


def joint_energy(rbm: RBM) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """E(v, h) over all binary states: (V states, H states) table, and the states."""
    W, b, c = params64(rbm)
    V, H = states(rbm.n_visible), states(rbm.n_hidden)
    return -(V @ b)[:, None] - (H @ c)[None, :] - V @ W @ H.T, V, H


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


# ----- energies, free energy, partition function ----------------------------------------
def test_free_energy_is_minus_log_sum_over_hidden_states():
    rbm = random_rbm()
    E, V, _ = joint_energy(rbm)
    F = -np.log(np.exp(-E).sum(axis=1))
    np.testing.assert_allclose(rbm.free_energy(V), F, rtol=1e-12, atol=1e-12)


def test_gaussian_free_energy_by_enumerating_hidden_states():
    rbm = random_rbm(3, 4, visible="gaussian", scale=0.5)
    W, b, c = params64(rbm)
    v = np.random.default_rng(2).normal(size=(5, 3))
    H = states(4)
    E = 0.5 * ((v - b) ** 2).sum(1)[:, None] - (H @ c)[None] - v @ W @ H.T
    np.testing.assert_allclose(rbm.free_energy(v), -np.log(np.exp(-E).sum(1)), rtol=1e-12)


@pytest.mark.parametrize("shape", [(6, 4), (4, 7)])  # enumerate hidden, then visible states
def test_exact_log_partition_by_brute_force(shape):
    rbm = random_rbm(*shape)
    E, _, _ = joint_energy(rbm)
    assert rbm.exact_log_partition() == pytest.approx(math.log(np.exp(-E).sum()), abs=1e-12)


def test_gaussian_log_partition_by_quadrature():
    rbm = random_rbm(2, 3, visible="gaussian", scale=0.5)
    W, b, c = params64(rbm)
    grid = np.linspace(-12, 12, 1201)
    v = np.stack(np.meshgrid(grid, grid, indexing="ij"), -1).reshape(-1, 2)
    H = states(3)
    E = 0.5 * ((v - b) ** 2).sum(1)[:, None] - (H @ c)[None] - v @ W @ H.T
    z = np.exp(-E).sum() * (grid[1] - grid[0]) ** 2
    assert rbm.exact_log_partition() == pytest.approx(math.log(z), abs=1e-6)


def test_exact_log_partition_refuses_large_layers():
    with pytest.raises(ArgumentError, match="2\\^30"):
        RBM(30, 40).exact_log_partition()


@pytest.mark.parametrize("visible", ["bernoulli", "gaussian"])
def test_ais_matches_the_exact_log_partition(visible):
    rbm = random_rbm(6, 4, visible=visible, scale=0.7)
    exact = rbm.exact_log_partition()
    est = rbm.log_partition(n_chains=100, n_betas=5000, seed=0)
    # 100 chains give a standard error of a few thousandths: 4 of them bound the error
    assert est.std_error < 0.02
    assert abs(est.log_z - exact) < 4 * est.std_error, (est, exact)
    assert est.low <= est.log_z <= est.high
    assert est.log_weights.shape == (100,)
    w = np.exp(est.log_weights - est.log_weights.max())
    assert est.effective_chains == pytest.approx(w.sum() ** 2 / (w @ w))
    assert 50 < est.effective_chains <= 100  # an easy model: most chains count
    assert rbm.log_partition("exact") == (exact, 0.0, exact, exact, pytest.approx([]), math.inf)


def test_ais_from_the_training_marginals_and_log_likelihood():
    rbm = random_rbm(8, 5, scale=0.5)
    x = (np.random.default_rng(3).random((50, 8)) < 0.3).astype(np.float32)
    est = rbm.log_partition(n_chains=50, n_betas=2000, seed=1, data=x)
    exact = rbm.exact_log_partition()
    assert abs(est.log_z - exact) < max(4 * est.std_error, 0.01)
    E, V, _ = joint_energy(rbm)
    p = np.exp(-E).sum(1) / np.exp(-E).sum()
    index = (x.astype(int) @ (2 ** np.arange(7, -1, -1)))
    assert rbm.log_likelihood(x) == pytest.approx(np.log(p[index]).mean(), abs=1e-10)
    assert rbm.log_likelihood(x, log_z=est) == pytest.approx(
        rbm.log_likelihood(x) + exact - est.log_z, abs=1e-10)


# ----- pseudo-likelihood --------------------------------------------------------------------
def test_exact_pseudo_likelihood_is_the_sum_of_conditionals():
    rbm = random_rbm()
    E, V, _ = joint_energy(rbm)
    p = np.exp(-E).sum(1)  # unnormalised p(v) of every state
    x = V[[3, 17, 40, 63]]
    want = []
    for row in x.astype(int):
        total = 0.0
        for i in range(6):
            flipped = row.copy()
            flipped[i] = 1 - flipped[i]
            a, b = p[int("".join(map(str, row)), 2)], p[int("".join(map(str, flipped)), 2)]
            total += math.log(a / (a + b))
        want.append(total)
    np.testing.assert_allclose(rbm.pseudo_likelihood(x, method="exact"), want, rtol=1e-10)


def test_stochastic_pseudo_likelihood_is_scikit_learns_estimator():
    sklearn = pytest.importorskip("sklearn.neural_network")
    rbm = random_rbm(10, 5)
    x = (np.random.default_rng(4).random((20, 10)) < 0.5).astype(np.float64)
    sk = sklearn.BernoulliRBM(n_components=5, random_state=7)
    sk.components_ = rbm.kernel.data.T.astype(np.float64)
    sk.intercept_hidden_ = rbm.hidden_bias.data.astype(np.float64)
    sk.intercept_visible_ = rbm.visible_bias.data.astype(np.float64)
    sk.n_features_in_ = 10
    unit = np.random.RandomState(7).randint(0, 10, 20)  # the units scikit-learn flips
    terms = []
    for i in range(10):  # n · log p(v_i | v_-i) for every unit, from the exact estimator
        one = x.copy()
        one[:, i] = 1 - one[:, i]
        terms.append(-10 * np.logaddexp(0, rbm.free_energy(x) - rbm.free_energy(one)))
    np.testing.assert_allclose(sk.score_samples(x), np.array(terms).T[np.arange(20), unit],
                               rtol=1e-6)
    # and ours is unbiased for the exact sum over units
    draws = np.mean([rbm.pseudo_likelihood(x) for _ in range(1000)], axis=0)
    exact = rbm.pseudo_likelihood(x, method="exact")
    spread = np.array(terms).T.std(axis=1) / math.sqrt(1000)
    assert np.all(np.abs(draws - exact) < 5 * spread + 1e-9)


def test_pseudo_likelihood_needs_bernoulli_units_and_a_known_method():
    with pytest.raises(StateError, match="gaussian"):
        RBM(3, 2, visible="gaussian").pseudo_likelihood(np.zeros((1, 3)))
    with pytest.raises(ArgumentError, match="'exactly'"):
        RBM(3, 2).pseudo_likelihood(np.zeros((1, 3)), method="exactly")


# ----- conditionals and Gibbs sampling -----------------------------------------------------
def test_conditionals_match_the_joint():
    rbm = random_rbm()
    E, V, H = joint_energy(rbm)
    joint = np.exp(-E)
    v = V[[5, 50]]
    probs, h = rbm.sample_hidden(v, seed=0)
    want = np.stack([(joint[i] @ H) / joint[i].sum() for i in (5, 50)])  # E[h | v]
    np.testing.assert_allclose(probs, want, rtol=1e-5)
    means, _ = rbm.sample_visible(H[[2, 9]], seed=0)
    want = np.stack([(joint[:, j] @ V) / joint[:, j].sum() for j in (2, 9)])
    np.testing.assert_allclose(means, want, rtol=1e-5)
    np.testing.assert_allclose(rbm.transform(v), probs)
    assert set(np.unique(h)) <= {0.0, 1.0} and h.dtype == np.float32


def test_gaussian_visible_conditional_is_unit_variance_around_b_plus_Wh():
    rbm = random_rbm(3, 4, visible="gaussian")
    W, b, _ = params64(rbm)
    h = np.array([[1, 0, 1, 1]] * 20000, np.float32)
    mean, v = rbm.sample_visible(h, seed=0)
    np.testing.assert_allclose(mean[0], b + W @ h[0], rtol=1e-6)
    np.testing.assert_allclose(v.mean(0), b + W @ h[0], atol=0.03)
    np.testing.assert_allclose(v.var(0), 1.0, atol=0.04)


@pytest.mark.parametrize("steps", [1, 5])
def test_gibbs_chains_keep_shapes_and_binary_values(steps):
    rbm = random_rbm()
    v = (np.random.default_rng(0).random((7, 6)) < 0.5).astype(np.float32)
    out = rbm.gibbs(v, steps=steps, seed=1)
    assert out.shape == (7, 6) and out.dtype == np.float32
    assert set(np.unique(out)) <= {0.0, 1.0}
    samples = rbm.sample(9, steps=20, seed=2)
    assert samples.shape == (9, 6) and set(np.unique(samples)) <= {0.0, 1.0}


def test_long_gibbs_chains_sample_the_model_distribution():
    rbm = random_rbm(4, 3, scale=0.5)
    E, V, _ = joint_energy(rbm)
    p = np.exp(-E).sum(1)
    p /= p.sum()
    x = rbm.sample(20000, steps=30, seed=0).astype(int)
    counts = np.bincount(x @ (2 ** np.arange(3, -1, -1)), minlength=16) / 20000
    np.testing.assert_allclose(counts, p, atol=0.012)


def test_same_integer_seed_in_a_loop_gives_new_samples_but_models_agree():
    a, b = random_rbm(), random_rbm()
    v = np.ones((50, 6), np.float32)
    first, second = a.gibbs(v, seed=0), a.gibbs(v, seed=0)
    assert not np.array_equal(first, second)  # scikit-learn returned the same twice
    np.testing.assert_array_equal(first, b.gibbs(v, seed=0))
    s1, s2 = a.sample(20, steps=3, seed=5), a.sample(20, steps=3, seed=5)
    assert not np.array_equal(s1, s2)
    np.testing.assert_array_equal(s1, b.sample(20, steps=3, seed=5))


# ----- contrastive divergence ----------------------------------------------------------------
def hand_cd(rbm: RBM, v0, k: int, rng, chains=None, persistent=False):
    """CD-k / PCD-k by hand in float64, drawing the same uniforms in the same order as the
    model; returns the three gradients (minus the estimate) and the final hidden states."""
    W, b, c = params64(rbm)
    v0 = v0.astype(np.float64)
    p0 = sigmoid(v0 @ W + c)

    def bern(p):
        return (rng.random(p.shape, dtype=np.float32) < p).astype(np.float64)

    if chains is None:
        h = bern(p0)
    else:
        bern(p0)  # the data's h⁰, drawn for the reconstruction error PCD logs
        h = chains.astype(np.float64)
    for step in range(k):
        v = bern(sigmoid(h @ W.T + b))
        pk = sigmoid(v @ W + c)
        if step < k - 1 or persistent:
            h = bern(pk)
    n, m = len(v0), len(v)
    grads = (-(v0.T @ p0 / n - v.T @ pk / m), -(v0.mean(0) - v.mean(0)),
             -(p0.mean(0) - pk.mean(0)))
    return grads, h


@pytest.mark.parametrize("k", [1, 3])
def test_cd_k_update_is_data_minus_model_statistics_of_the_same_samples(k):
    rbm = random_rbm(k=k)
    v0 = (np.random.default_rng(5).random((9, 6)) < 0.5).astype(np.float32)
    error = rbm.cd_gradients(v0, np.random.default_rng(11))
    want, _ = hand_cd(rbm, v0, k, np.random.default_rng(11))
    for p, g in zip((rbm.kernel, rbm.visible_bias, rbm.hidden_bias), want, strict=True):
        np.testing.assert_allclose(p.grad, g, rtol=1e-5, atol=1e-6)
    assert 0 < error < 1
    assert rbm.persistent_chains is None


def test_gaussian_cd_update_by_hand():
    rbm = random_rbm(3, 4, visible="gaussian", scale=0.5)
    v0 = np.random.default_rng(5).normal(size=(6, 3)).astype(np.float32)
    rbm.cd_gradients(v0, np.random.default_rng(2))
    rng = np.random.default_rng(2)
    W, b, c = params64(rbm)
    p0 = sigmoid(v0 @ W + c)
    h = (rng.random(p0.shape, dtype=np.float32) < p0).astype(np.float64)
    v1 = (h @ W.T + b) + rng.standard_normal(v0.shape, dtype=np.float32)  # N(b + Wh, 1)
    p1 = sigmoid(v1 @ W + c)
    np.testing.assert_allclose(rbm.kernel.grad, -(v0.T @ p0 - v1.T @ p1) / 6, rtol=1e-5,
                               atol=1e-6)
    np.testing.assert_allclose(rbm.visible_bias.grad, -(v0 - v1).mean(0), rtol=1e-5,
                               atol=1e-6)


def test_gaussian_rbm_fits_real_valued_data():
    rng = np.random.default_rng(0)
    centres = rng.normal(0, 2, (3, 8))
    x = (centres[rng.integers(0, 3, 600)] + rng.normal(0, 0.3, (600, 8))).astype(np.float32)
    rbm = RBM(8, 6, visible="gaussian", seed=0, learning_rate=0.01)
    logs = rbm.fit(x, epochs=20, batch_size=20, verbose=0).history
    assert set(logs) == {"reconstruction_error"}
    assert logs["reconstruction_error"][-1] < 0.5 * logs["reconstruction_error"][0]
    before = RBM(8, 6, visible="gaussian", seed=0)
    assert rbm.log_likelihood(x) > before.log_likelihood(x) + 5  # exact over 2^6 states


def test_persistent_chains_persist_across_batches():
    rbm = random_rbm(k=2, persistent=True)
    data = (np.random.default_rng(6).random((3, 8, 6)) < 0.5).astype(np.float32)
    rng, hand = np.random.default_rng(12), np.random.default_rng(12)
    chains = None
    for batch in data:
        before = None if rbm.persistent_chains is None else rbm.persistent_chains.copy()
        if before is not None:
            np.testing.assert_array_equal(before, chains)  # the chains carried over
        rbm.cd_gradients(batch, rng)
        want, chains = hand_cd(rbm, batch, 2, hand, chains, persistent=True)
        np.testing.assert_allclose(rbm.kernel.grad, want[0], rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(rbm.visible_bias.grad, want[1], rtol=1e-5, atol=1e-6)
        assert rbm.persistent_chains.shape == (8, 4)
        assert set(np.unique(rbm.persistent_chains)) <= {0.0, 1.0}
    # a smaller batch keeps the 8 chains: negative statistics average over them
    rbm.cd_gradients(data[0, :3], rng)
    want, _ = hand_cd(rbm, data[0, :3], 2, hand, chains, persistent=True)
    np.testing.assert_allclose(rbm.hidden_bias.grad, want[2], rtol=1e-5, atol=1e-6)
    assert rbm.persistent_chains.shape == (8, 4)


def exact_gradient(rbm: RBM, x: np.ndarray) -> np.ndarray:
    """Minus the gradient of the mean log-likelihood wrt W, by enumeration."""
    E, V, H = joint_energy(rbm)
    joint = np.exp(-E) / np.exp(-E).sum()
    W, _, c = params64(rbm)
    return -(x.T @ sigmoid(x @ W + c) / len(x) - V.T @ joint @ H)


def test_exact_gradient_is_the_derivative_of_the_log_likelihood():
    rbm = random_rbm()
    x = states(6)[[1, 7, 12, 30, 45]]
    rbm.kernel.data = rbm.kernel.data.astype(np.float64)
    eps, fd = 1e-6, np.zeros((6, 4))
    for i, j in itertools.product(range(6), range(4)):
        for sign in (1, -1):
            rbm.kernel.data[i, j] += sign * eps
            fd[i, j] -= sign * rbm.log_likelihood(x) / (2 * eps)
            rbm.kernel.data[i, j] -= sign * eps
    np.testing.assert_allclose(fd, exact_gradient(rbm, x), atol=1e-7)


def test_expected_cd_update_approaches_the_exact_gradient_as_k_grows():
    x = states(6)[[1, 7, 12, 30, 33, 45, 50, 62]]
    batch = np.repeat(x, 4000, axis=0)  # the batch mean estimates the expected update
    errors = {}
    for k in (1, 50):
        rbm = random_rbm(k=k, scale=1.5)
        rbm.cd_gradients(batch, np.random.default_rng(0))
        errors[k] = np.abs(rbm.kernel.grad - exact_gradient(rbm, x)).max()
    assert errors[50] < 0.012  # Monte Carlo noise of 32,000 chains
    assert errors[1] > 3 * errors[50]  # CD-1 is biased


# ----- bad inputs ----------------------------------------------------------------------------
@pytest.mark.parametrize("value, shown", [(255, "255"), (-0.5, "-0.5"), (1.25, "1.25"),
                                          (np.nan, "nan")])
def test_bernoulli_rbm_rejects_values_outside_the_unit_interval(value, shown):
    rbm = RBM(4, 3)
    x = np.zeros((2, 4))
    x[1, 2] = value
    for call in (rbm.transform, rbm.free_energy, rbm.cd_gradients, rbm.pseudo_likelihood):
        with pytest.raises(DataError, match=rf"{shown} at index \(1, 2\)"):
            call(x)
    with pytest.raises(DataError, match="x / 255"):
        rbm.transform(np.full((1, 4), 255, np.uint8))


def test_mean_field_inputs_in_the_unit_interval_are_accepted():
    rbm = RBM(4, 3, seed=0)
    x = np.array([[0.0, 0.25, 0.5, 1.0]])
    assert rbm.transform(x).shape == (1, 3)
    rbm.cd_gradients(x)
    assert np.isfinite(rbm.kernel.grad).all()


def test_gaussian_rbm_rejects_non_finite_values_only():
    rbm = RBM(3, 2, visible="gaussian")
    assert rbm.transform(np.array([[-7.0, 0.0, 300.0]])).shape == (1, 2)
    with pytest.raises(DataError, match="inf at index \\(0, 1\\)"):
        rbm.transform(np.array([[0.0, np.inf, 1.0]]))


def test_mismatched_widths_name_both_sizes():
    rbm = RBM(784, 16)
    with pytest.raises(ShapeError, match="784.*100"):
        rbm.transform(np.zeros((5, 100)))
    with pytest.raises(ShapeError, match="16.*10"):
        rbm.sample_visible(np.zeros((5, 10)))
    with pytest.raises(ShapeError, match="reshape"):
        rbm.transform(np.zeros((5, 28, 28)))
    with pytest.raises(DataError, match="empty"):
        rbm.transform(np.zeros((0, 784)))


def test_bad_configuration():
    with pytest.raises(UnknownNameError, match="did you mean 'gaussian'"):
        RBM(3, 2, visible="gausian")
    for kwargs in ({"k": 0}, {"learning_rate": -1.0}, {"n_hidden": 0}):
        with pytest.raises(ArgumentError):
            RBM(**{"n_visible": 3, "n_hidden": 2, **kwargs})
    with pytest.raises(ArgumentError, match="steps"):
        RBM(3, 2).gibbs(np.zeros((1, 3)), steps=0)
    with pytest.raises(ArgumentError, match="'ais' or 'exact'"):
        RBM(3, 2).log_partition(method="mcmc")


# ----- training through keras.Model.fit ---------------------------------------------------------
def bars(n: int, seed: int = 0) -> np.ndarray:
    """4x4 images of one horizontal or vertical bar: structure an RBM learns quickly."""
    rng = np.random.default_rng(seed)
    out = np.zeros((n, 4, 4), np.float32)
    for img, vertical, k in zip(out, rng.random(n) < 0.5, rng.integers(0, 4, n), strict=True):
        if vertical:
            img[:, k] = 1
        else:
            img[k, :] = 1
    return out.reshape(n, 16)


def test_fit_returns_a_history_of_improving_scores():
    x = bars(400)
    rbm = RBM(16, 8, seed=0, learning_rate=0.5)
    history = rbm.fit(x, epochs=12, batch_size=10, verbose=0, validation_split=0.25)
    logs = history.history
    assert set(logs) == {"reconstruction_error", "pseudo_likelihood",
                         "val_reconstruction_error", "val_pseudo_likelihood"}
    assert all(len(v) == 12 for v in logs.values())
    assert logs["reconstruction_error"][-1] < 0.4 * logs["reconstruction_error"][0]
    assert logs["val_pseudo_likelihood"][-1] > logs["val_pseudo_likelihood"][0] + 3
    ll_before = RBM(16, 8, seed=0).log_likelihood(x)
    assert rbm.log_likelihood(x) > ll_before + 5  # exact (8 hidden units): really learned


def test_a_train_step_is_one_sgd_step_along_minus_the_cd_estimate():
    x = bars(10)
    a, b = RBM(16, 8, seed=3, learning_rate=0.05), RBM(16, 8, seed=3, learning_rate=0.05)
    a._generators.own, b._generators.own = np.random.default_rng(0), np.random.default_rng(0)
    before = a.get_weights()
    logs = a.train_on_batch(x, return_dict=True)
    b._generators.own.integers(0, 16, 10)  # the units the pseudo-likelihood monitor flipped
    b.cd_gradients(x)
    for w0, p, q in zip(before, a.trainable_weights, b.trainable_weights, strict=False):
        np.testing.assert_allclose(p.data, w0 - 0.05 * q.grad, rtol=1e-6, atol=1e-8)
    assert set(logs) == {"reconstruction_error", "pseudo_likelihood"}


def test_compile_chooses_the_optimizer():
    rbm = RBM(16, 8, seed=0)
    rbm.compile(optimizer=dn.keras.optimizers.SGD(learning_rate=0.05, momentum=0.9))
    rbm.fit(bars(50), epochs=1, batch_size=10, verbose=0)
    assert rbm.optimizer.iterations == 5
    assert [a.shape for a in rbm.optimizer._slot_arrays["momentum"]] == [(16, 8), (16,), (8,)]


def test_same_seeds_give_the_same_training_run():
    runs = []
    for _ in range(2):
        dn.manual_seed(7)  # fit shuffles with the global stream
        rbm = RBM(16, 8, seed=1, persistent=True)
        rbm.fit(bars(60), epochs=2, batch_size=10, verbose=0)
        runs.append(rbm.get_weights())
    for a, b in zip(*runs, strict=True):
        np.testing.assert_array_equal(a, b)


def test_save_and_load_model(tmp_path):
    rbm = RBM(16, 8, k=2, persistent=True, seed=0)
    rbm.compile(optimizer=dn.keras.optimizers.SGD(learning_rate=0.05, momentum=0.5))
    rbm.fit(bars(50), epochs=2, batch_size=10, verbose=0)
    rbm.save(tmp_path / "rbm.dnm")
    back = dn.keras.models.load_model(tmp_path / "rbm.dnm")
    assert isinstance(back, RBM) and (back.k, back.persistent) == (2, True)
    for a, b in zip(rbm.get_weights(), back.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    assert back.optimizer.iterations == 10 and back.optimizer.momentum == 0.5
    np.testing.assert_array_equal(back.predict(bars(5), verbose=0), rbm.transform(bars(5)))
    np.testing.assert_allclose(back._base_bias(None), rbm._base_bias(None))


def test_fit_rejects_bad_data_with_the_value():
    rbm = RBM(16, 8)
    with pytest.raises(DataError, match="255"):
        rbm.fit(np.full((20, 16), 255, np.uint8), verbose=0)
    with pytest.raises(ShapeError, match="16.*10|10.*16"):
        rbm.fit(np.zeros((20, 10)), verbose=0)


# ----- the real Fashion-MNIST (Debian's copy) ---------------------------------------------------
@pytest.fixture(scope="module")
def binarized():
    (x, _), (xt, _) = fashion_mnist_or_skip()
    x, xt = x[:5000].reshape(-1, 784), xt[:300].reshape(-1, 784)
    return (x / 255 > 0.5).astype(np.float32), (xt / 255 > 0.5).astype(np.float32)


def test_pseudo_likelihood_at_least_scikit_learns_on_fashion_mnist(binarized):
    sklearn = pytest.importorskip("sklearn.neural_network")
    x, x_test = binarized
    ours = RBM(784, 64, seed=0, learning_rate=0.1)
    ours.fit(x, epochs=1, batch_size=10, verbose=0)
    sk = sklearn.BernoulliRBM(n_components=64, learning_rate=0.1, batch_size=10, n_iter=1,
                              random_state=0).fit(x.astype(np.float64))
    theirs = RBM(784, 64)  # scikit-learn's weights, scored by the same estimator
    theirs.set_weights([sk.components_.T, sk.intercept_visible_, sk.intercept_hidden_,
                        *theirs.get_weights()[3:]])
    ours_pl = ours.pseudo_likelihood(x_test, method="exact").mean()
    theirs_pl = theirs.pseudo_likelihood(x_test, method="exact").mean()
    assert ours_pl >= theirs_pl, (ours_pl, theirs_pl)
    assert ours_pl > -300  # and far better than chance (784·log 2 = 543 nats)


def test_ais_on_a_trained_fashion_mnist_rbm_matches_enumeration(binarized):
    x, x_test = binarized
    rbm = RBM(784, 12, seed=0)
    rbm.fit(x, epochs=2, batch_size=10, verbose=0)
    exact = rbm.exact_log_partition()  # 2^12 hidden states
    est = rbm.log_partition(n_chains=100, n_betas=2000, seed=0)
    assert est.std_error < 0.2
    assert abs(est.log_z - exact) < 4 * est.std_error + 1e-3, (est.log_z, exact)
    assert rbm.log_likelihood(x_test, log_z=est) == pytest.approx(
        rbm.log_likelihood(x_test), abs=4 * est.std_error + 1e-3)


def test_fashion_mnist_example_quick_run(binarized, tmp_path, capsys):
    example = os.path.join(os.path.dirname(__file__), "..", "examples", "rbm_fashion_mnist.py")
    namespace = runpy.run_path(example, run_name="example")
    results = namespace["main"](["--quick", "--out", str(tmp_path)])
    coin_flips = -784 * math.log(2)  # log-likelihood of the uniform model
    assert coin_flips < results["test_log_likelihood"] < 0
    assert coin_flips < results["pseudo_likelihood"] < 0
    assert (tmp_path / "filters.png").stat().st_size > 0
    assert (tmp_path / "samples.png").stat().st_size > 0
    assert "AIS: log Z" in capsys.readouterr().out
