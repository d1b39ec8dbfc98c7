"""HopfieldNetwork: learning rules, energy descent, recall, sync two-cycles, errors, saving."""

from __future__ import annotations

import numpy as np
import pytest

import deepnum as dn
from deepnum.unsupervised import HopfieldNetwork


def random_patterns(rng, p, n):
    return rng.choice(np.array([-1, 1], dtype=np.int8), size=(p, n))


def corrupt(rng, patterns, fraction):
    out = patterns.copy()
    for row in out:
        row[rng.choice(row.size, size=int(round(fraction * row.size)), replace=False)] *= -1
    return out


def random_network(rng, n):
    """A network with random symmetric weights (zero diagonal) and random thresholds."""
    net = HopfieldNetwork(n, threshold=rng.normal(0, 0.3, n))
    w = rng.normal(size=(n, n))
    net.weights = np.triu(w, 1) + np.triu(w, 1).T
    return net


# ----- learning rules against their formulas written out ------------------------------------
def test_hebbian_weights_are_the_mean_outer_product_with_zero_diagonal():
    rng = np.random.default_rng(0)
    xi = random_patterns(rng, 5, 12)
    net = HopfieldNetwork(12)
    net.store(xi[:2])
    net.store(xi[2:])  # storing in two calls adds up
    want = np.zeros((12, 12))
    for i in range(12):
        for j in range(12):
            if i != j:
                want[i, j] = sum(int(x[i]) * int(x[j]) for x in xi) / 12
    np.testing.assert_allclose(net.weights, want, atol=1e-15)
    assert net.patterns.shape == (5, 12) and net.patterns.dtype == np.int8


def test_storkey_weights_follow_the_incremental_rule():
    rng = np.random.default_rng(1)
    n = 8
    xi = random_patterns(rng, 4, n).astype(float)
    w = np.zeros((n, n))
    for x in xi:
        h = np.array([[sum(w[i, k] * x[k] for k in range(n) if k not in (i, j))
                       for j in range(n)] for i in range(n)])
        new = w.copy()
        for i in range(n):
            for j in range(n):
                new[i, j] += (x[i] * x[j] - x[i] * h[j, i] - h[i, j] * x[j]) / n
        np.fill_diagonal(new, 0.0)
        w = new
    net = HopfieldNetwork(n, rule="storkey")
    net.store(xi)
    np.testing.assert_allclose(net.weights, w, atol=1e-12)


def test_pseudo_inverse_weights_are_the_projection_onto_the_patterns():
    rng = np.random.default_rng(2)
    xi = random_patterns(rng, 6, 20)
    net = HopfieldNetwork(20, rule="pseudo-inverse")
    net.store(xi[:3])
    net.store(xi[3:])  # recomputed from all six
    basis, _ = np.linalg.qr(xi.T.astype(float))  # orthonormal basis of the patterns' span
    projection = basis @ basis.T
    off = ~np.eye(20, dtype=bool)
    np.testing.assert_allclose(net.weights[off], projection[off], atol=1e-10)
    assert (np.diag(net.weights) == 0).all()
    np.testing.assert_allclose(net.weights, net.weights.T, atol=1e-12)


def test_binary_patterns_map_0_to_minus_1():
    rng = np.random.default_rng(3)
    xi = random_patterns(rng, 3, 10)
    a, b = HopfieldNetwork(10), HopfieldNetwork(10)
    a.store(xi)
    b.store((xi + 1) // 2)
    np.testing.assert_array_equal(a.weights, b.weights)
    np.testing.assert_array_equal(b.patterns, xi)
    assert b.update((xi[0] + 1) // 2).tolist() == a.update(xi[0]).tolist()


# ----- energy -------------------------------------------------------------------------------
def test_energy_formula_with_thresholds():
    rng = np.random.default_rng(4)
    net = random_network(rng, 7)
    s = random_patterns(rng, 3, 7)
    want = [-0.5 * sum(net.weights[i, j] * x[i] * x[j] for i in range(7) for j in range(7))
            + sum(net.threshold[i] * x[i] for i in range(7)) for x in s]
    np.testing.assert_allclose(net.energy(s), want, rtol=1e-12)
    assert isinstance(net.energy(s[0]), float)


@pytest.mark.parametrize("rule", ["random", "hebbian", "storkey", "pseudo-inverse"])
def test_energy_never_increases_under_single_unit_updates(rule):
    rng = np.random.default_rng(5)
    for trial in range(5):
        n = 16
        if rule == "random":
            net = random_network(rng, n)
        else:
            net = HopfieldNetwork(n, rule=rule)
            net.store(random_patterns(rng, 5, n))
        state = random_patterns(rng, 1, n)[0]
        energy = net.energy(state)
        for i in rng.integers(0, n, size=200):
            state = net.update(state, i)
            new = net.energy(state)
            assert new <= energy + 1e-12, f"trial {trial}: unit {i} raised E {energy} -> {new}"
            energy = new


def test_async_recall_ends_in_a_local_minimum():
    rng = np.random.default_rng(6)
    net = random_network(rng, 20)
    result = net.recall(random_patterns(rng, 8, 20), seed=0)
    assert result.converged.all()
    for s in result.state:  # flipping any one unit cannot lower the energy
        for i in range(20):
            flipped = s.copy()
            flipped[i] *= -1
            assert net.energy(flipped) >= net.energy(s) - 1e-12


# ----- update and recall --------------------------------------------------------------------
def test_update_synchronous_and_sequential():
    rng = np.random.default_rng(7)
    net = random_network(rng, 6)
    s = random_patterns(rng, 1, 6)[0]
    h = net.weights @ s - net.threshold
    assert net.update(s).tolist() == np.where(h > 0, 1, -1).tolist()
    step = s.copy()
    for i in (4, 1):  # one after the other: unit 1 sees unit 4's new state
        step[i] = 1 if net.weights[i] @ step > net.threshold[i] else -1
    assert net.update(s, [4, 1]).tolist() == step.tolist()


def test_ties_keep_the_current_state():
    net = HopfieldNetwork(3)  # no patterns: every field is 0 = θ
    s = np.array([1, -1, 1])
    assert net.update(s).tolist() == s.tolist()
    assert net.recall(s, mode="sync").converged


@pytest.mark.parametrize("rule", ["hebbian", "storkey", "pseudo-inverse"])
def test_stored_patterns_are_fixed_points(rule):
    rng = np.random.default_rng(8)
    xi = random_patterns(rng, 5, 100)
    net = HopfieldNetwork(100, rule=rule)
    net.store(xi)
    np.testing.assert_array_equal(net.update(xi), xi)
    result = net.recall(xi, mode="async", seed=0)
    assert result.converged.all() and result.steps == 1
    np.testing.assert_array_equal(result.state, xi)


@pytest.mark.parametrize("mode", ["async", "sync"])
@pytest.mark.parametrize("fraction", [0.1, 0.2])
def test_corrupted_patterns_are_restored(mode, fraction):
    rng = np.random.default_rng(9)
    xi = random_patterns(rng, 4, 100)  # 4 patterns: none of 200 seeds failed at 20 % noise
    net = HopfieldNetwork(100, seed=0)
    net.store(xi)
    noisy = corrupt(rng, xi, fraction)
    result = net.recall(noisy, mode=mode)
    np.testing.assert_array_equal(result.state, xi)
    assert result.converged.all() and (result.period == 1).all()
    one = net.recall(noisy[0], mode=mode)  # a single pattern gives plain values
    assert one.state.shape == (100,) and one.converged is True and one.period == 1


def test_sync_detects_a_two_cycle_that_async_avoids():
    net = HopfieldNetwork(2)
    net.store([1, -1])  # W = [[0, -1/2], [-1/2, 0]]
    sync = net.recall([1, 1], mode="sync")
    assert (sync.converged, sync.period, sync.steps) == (False, 2, 2)
    assert sync.state.tolist() == [1, 1]  # [1, 1] -> [-1, -1] -> [1, 1]
    asynchronous = net.recall([1, 1], mode="async", seed=0)
    assert asynchronous.converged and asynchronous.state.tolist() in ([1, -1], [-1, 1])
    assert net.energy(asynchronous.state) < net.energy([1, 1])


def test_sync_runs_out_of_steps_without_a_verdict():
    net = HopfieldNetwork(2)
    net.store([1, -1])
    result = net.recall([1, 1], mode="sync", steps=1)
    assert (result.period, result.steps, result.converged) == (0, 1, False)


def test_async_order_comes_from_the_seed_and_advances():
    rng = np.random.default_rng(10)
    xi = random_patterns(rng, 25, 40)  # overloaded: where recall ends depends on the order
    start = random_patterns(rng, 30, 40)
    a, b = HopfieldNetwork(40), HopfieldNetwork(40)
    a.store(xi)
    b.store(xi)
    first = a.recall(start, seed=3).state
    np.testing.assert_array_equal(first, b.recall(start, seed=3).state)
    assert not np.array_equal(first, a.recall(start, seed=3).state)
    c, d = HopfieldNetwork(40, seed=5), HopfieldNetwork(40, seed=5)
    c.store(xi)
    d.store(xi)
    np.testing.assert_array_equal(c.recall(start).state, d.recall(start).state)


def test_pseudo_inverse_stores_correlated_patterns_that_hebbian_cannot():
    rng = np.random.default_rng(11)
    prototype = random_patterns(rng, 1, 100)
    xi = corrupt(rng, np.repeat(prototype, 12, axis=0), 0.15)  # 12 patterns, overlap ~0.7
    fixed = {}
    for rule in ("hebbian", "pseudo-inverse"):
        net = HopfieldNetwork(100, rule=rule)
        net.store(xi)
        fixed[rule] = (net.update(xi) == xi).all(axis=1).mean()
    assert fixed["pseudo-inverse"] == 1.0
    assert fixed["hebbian"] <= 0.25, fixed


# ----- errors -------------------------------------------------------------------------------
def test_wrong_width_names_the_expected_and_received_shapes():
    net = HopfieldNetwork(10)
    with pytest.raises(dn.errors.ShapeError, match=r"10 units.*\(3, 9\)"):
        net.store(np.ones((3, 9)))
    with pytest.raises(dn.errors.ShapeError, match=r"10 units.*\(11,\)"):
        net.recall(np.ones(11))
    with pytest.raises(dn.errors.ShapeError, match=r"shape \(2, 2, 10\)"):
        net.energy(np.ones((2, 2, 10)))


@pytest.mark.parametrize("bad, echoed", [([0.5] * 4, "0.5"), ([-1, 0, 1, 1], "-1, 0, 1"),
                                         ([2, 1, 1, 1], "1, 2")])
def test_non_binary_values_are_refused_and_echoed(bad, echoed):
    net = HopfieldNetwork(4)
    with pytest.raises(dn.errors.DataError, match=rf"bipolar.*\[{echoed}\]"):
        net.store(bad)
    with pytest.raises(ValueError):  # a DataError is also a ValueError
        net.recall(bad)


def test_nan_and_empty_input_are_data_errors():
    net = HopfieldNetwork(3)
    with pytest.raises(dn.errors.DataError, match="non-finite"):
        net.recall([1.0, np.nan, 1.0])
    with pytest.raises(dn.errors.DataError, match="empty"):
        net.store(np.zeros((0, 3)))


def test_bad_arguments():
    with pytest.raises(dn.errors.UnknownNameError, match="did you mean 'hebbian'"):
        HopfieldNetwork(4, rule="hebian")
    with pytest.raises(dn.errors.ArgumentError, match="n_units.*got 0"):
        HopfieldNetwork(0)
    with pytest.raises(dn.errors.ShapeError, match="threshold.*shape \\(3,\\)"):
        HopfieldNetwork(4, threshold=[0, 0, 0])
    net = HopfieldNetwork(4)
    with pytest.raises(dn.errors.UnknownNameError, match="did you mean 'sync'"):
        net.recall([1, 1, 1, 1], mode="synch")
    with pytest.raises(dn.errors.ArgumentError, match="steps.*got 0"):
        net.recall([1, 1, 1, 1], steps=0)
    with pytest.raises(dn.errors.ArgumentError, match=r"\[0, 4\).*got 4"):
        net.update([1, 1, 1, 1], 4)
    with pytest.raises(dn.errors.ArgumentError, match="integer"):
        net.update([1, 1, 1, 1], 1.5)


# ----- saving -------------------------------------------------------------------------------
def test_save_and_load_round_trip(tmp_path):
    rng = np.random.default_rng(12)
    net = HopfieldNetwork(30, rule="storkey", threshold=rng.normal(0, 0.1, 30))
    net.store(random_patterns(rng, 4, 30))
    net.save(tmp_path / "net.dnm")
    back = HopfieldNetwork.load(tmp_path / "net.dnm")
    assert (back.n_units, back.rule) == (30, "storkey")
    np.testing.assert_array_equal(back.weights, net.weights)
    np.testing.assert_array_equal(back.threshold, net.threshold)
    np.testing.assert_array_equal(back.patterns, net.patterns)
    back.store(random_patterns(rng, 1, 30))  # and it keeps learning with the same rule
    assert len(back.patterns) == 5


def test_load_refuses_other_files(tmp_path):
    dn.save({"w": dn.ones(2)}, tmp_path / "other.dnm")
    with pytest.raises(dn.errors.FormatError, match="HopfieldNetwork"):
        HopfieldNetwork.load(tmp_path / "other.dnm")
    dn.io.write_file(tmp_path / "bad.dnm", {"weights": np.zeros((3, 3))},
                     {"class": "HopfieldNetwork", "n_units": 4, "rule": "hebbian"})
    with pytest.raises(dn.errors.FormatError, match="malformed"):
        HopfieldNetwork.load(tmp_path / "bad.dnm")
