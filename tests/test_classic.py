"""Tests of deepnum.classic: McCulloch–Pitts neurons, the perceptron, and the XOR example."""

from __future__ import annotations

import importlib.util
import itertools
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

from deepnum.classic import ConvergenceWarning, McCullochPittsNeuron, Perceptron
from deepnum.errors import DataError, OutOfRangeError, ShapeError, StateError

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "perceptron_logic_gates.py"
FOUR = np.array(list(itertools.product((0, 1), repeat=2)))
GATES = {
    "and": lambda a, b: a & b,
    "or": lambda a, b: a | b,
    "xor": lambda a, b: a ^ b,
}


def gate_labels(name: str) -> np.ndarray:
    return np.array([GATES[name](a, b) for a, b in FOUR])


# ----- McCulloch–Pitts -------------------------------------------------------------------
@pytest.mark.parametrize("n", [1, 2, 3, 4])
def test_mp_and_or_truth_tables(n):
    rows = np.array(list(itertools.product((0, 1), repeat=n)))
    for neuron, expected in [
        (McCullochPittsNeuron.and_gate(n), rows.all(axis=1)),
        (McCullochPittsNeuron.or_gate(n), rows.any(axis=1)),
    ]:
        table = neuron.truth_table()
        assert table.shape == (2**n, n + 1)
        np.testing.assert_array_equal(table[:, :n], rows)
        np.testing.assert_array_equal(table[:, n], expected.astype(int))


@pytest.mark.parametrize("inhibitory", [True, False])
def test_mp_not_gate(inhibitory):
    neuron = McCullochPittsNeuron.not_gate(inhibitory=inhibitory)
    assert neuron.truth_table().tolist() == [[0, 1 - 0], [1, 1 - 1]]
    assert (neuron.inhibitory == (0,)) == inhibitory
    assert neuron.threshold == 0


def test_mp_single_vector_and_batch_agree():
    neuron = McCullochPittsNeuron([2, -1, 1], threshold=1.5, inhibitory=[2])
    rows = np.array(list(itertools.product((0, 1), repeat=3)))
    batch = neuron.predict(rows)
    assert batch.dtype == np.int64 and batch.shape == (8,)
    singles = [neuron(r) for r in rows]
    assert all(isinstance(s, int) for s in singles)
    assert singles == batch.tolist()
    assert neuron(rows.astype(bool)).tolist() == batch.tolist()  # booleans are binary inputs
    expected = [int(2 * a - b >= 1.5 and not c) for a, b, c in rows]
    assert batch.tolist() == expected


def test_mp_inhibitory_input_vetoes_whatever_the_sum():
    # x0 AND NOT x1: the inhibitory x1 carries a huge weight, which must not matter
    neuron = McCullochPittsNeuron([1, 100], threshold=1, inhibitory=[1])
    assert neuron.truth_table()[:, 2].tolist() == [int(a and not b) for a, b in FOUR]
    # any one of several inhibitory inputs is enough to veto
    neuron = McCullochPittsNeuron([1, 1, 1, 1], threshold=1, inhibitory=[2, 3])
    rows = np.array(list(itertools.product((0, 1), repeat=4)))
    expected = [int((a or b) and not (c or d)) for a, b, c, d in rows]
    assert neuron.predict(rows).tolist() == expected


def test_mp_no_single_unit_computes_xor():
    # the docstring's argument, checked by search over a grid of weights and thresholds
    xor = gate_labels("xor").tolist()
    values = np.arange(-3, 3.5, 0.5)
    for w0, w1, theta in itertools.product(values, values, values):
        for inhibitory in ([], [0], [1], [0, 1]):
            neuron = McCullochPittsNeuron([w0, w1], theta, inhibitory=inhibitory)
            assert neuron.predict(FOUR).tolist() != xor


@pytest.mark.parametrize("bad", [[0, 2], [0.5, 1], [-1, 0], [np.nan, 1], [[1, 0], [1, 3]]])
def test_mp_rejects_non_binary_inputs(bad):
    with pytest.raises(DataError, match="binary|non-finite") as e:
        McCullochPittsNeuron.and_gate()(bad)
    assert "inputs" in str(e.value)


def test_mp_rejects_wrong_widths_and_ranks():
    neuron = McCullochPittsNeuron.and_gate(2)
    with pytest.raises(ShapeError, match=r"expected 2 inputs.*shape \(3,\)"):
        neuron([1, 0, 1])
    with pytest.raises(ShapeError, match=r"expected 2 inputs.*shape \(4, 3\)"):
        neuron(np.zeros((4, 3)))
    with pytest.raises(ShapeError, match=r"shape \(1, 2, 2\)"):
        neuron(np.zeros((1, 2, 2)))
    with pytest.raises(DataError, match="empty"):
        neuron(np.zeros((0, 2)))
    with pytest.raises(DataError, match="numbers"):
        neuron(["a", "b"])


def test_mp_rejects_bad_configuration():
    with pytest.raises(OutOfRangeError, match="inhibitory index 2"):
        McCullochPittsNeuron([1, 1], 1, inhibitory=[2])
    with pytest.raises(OutOfRangeError, match="inhibitory index -1"):
        McCullochPittsNeuron([1, 1], 1, inhibitory=[-1])
    with pytest.raises(ShapeError, match=r"weights must be a vector.*\(2, 2\)"):
        McCullochPittsNeuron([[1, 1], [1, 1]], 1)
    with pytest.raises(DataError, match="weights is empty"):
        McCullochPittsNeuron([], 1)
    with pytest.raises(DataError, match="threshold must be finite"):
        McCullochPittsNeuron([1], float("nan"))
    with pytest.raises(DataError, match="threshold must be a number"):
        McCullochPittsNeuron([1], "high")
    with pytest.raises(ValueError, match="n_inputs"):
        McCullochPittsNeuron.and_gate(0)
    with pytest.raises(ValueError, match="at most 16"):
        McCullochPittsNeuron(np.ones(17), 1).truth_table()


# ----- Perceptron: learning the gates -------------------------------------------------------
@pytest.mark.parametrize("gate", ["and", "or"])
def test_perceptron_learns_linearly_separable_gates(gate):
    y = gate_labels(gate)
    p = Perceptron().fit(FOUR, y)
    assert p.converged_ and p.errors_[-1] == 0 and all(e > 0 for e in p.errors_[:-1])
    assert p.n_epochs_ == len(p.errors_)
    assert p.predict(FOUR).tolist() == y.tolist()
    assert p.score(FOUR, y) == 1.0
    assert p.weights.dtype == np.float64 and isinstance(p.bias, float)
    separator = np.array([1.0, 1.0, -1.5 if gate == "and" else -0.5])
    assert sum(p.errors_) <= novikoff_bound(FOUR, y, separator)


def test_perceptron_does_not_converge_on_xor():
    y = gate_labels("xor")
    with pytest.warns(ConvergenceWarning, match="did not converge.*max_epochs=30") as rec:
        p = Perceptron(max_epochs=30).fit(FOUR, y)
    assert issubclass(rec[0].category, UserWarning)
    assert rec[0].filename == __file__  # the warning points at the caller of fit
    assert not p.converged_ and p.n_epochs_ == 30 == len(p.errors_)
    assert min(p.errors_) > 0
    assert p.score(FOUR, y) < 1.0


def novikoff_bound(X, y, separator):
    """(R/γ)² for the augmented points (x, 1) and the unit vector along ``separator``."""
    Xa = np.column_stack([X, np.ones(len(X))])
    u = separator / np.linalg.norm(separator)
    signed = np.where(y == 1, 1.0, -1.0)
    gamma = np.min(signed * (Xa @ u))
    assert gamma > 0, "the separator must separate the data"
    R = np.max(np.linalg.norm(Xa, axis=1))
    return (R / gamma) ** 2


def separable_set(n, d, margin, seed):
    """n points in [-1, 1]^d at least ``margin`` from a random hyperplane, and the plane."""
    rng = np.random.default_rng(seed)
    separator = rng.standard_normal(d + 1)
    separator[-1] *= 0.3  # keep the plane through the cube
    u = separator / np.linalg.norm(separator)
    X = np.empty((0, d))
    while len(X) < n:
        cand = rng.uniform(-1, 1, size=(4 * n, d))
        dist = cand @ u[:-1] + u[-1]
        X = np.vstack([X, cand[np.abs(dist) >= margin]])
    X = X[:n]
    y = (X @ u[:-1] + u[-1] > 0).astype(int)
    return X, y, separator


@pytest.mark.parametrize(("n", "d", "seed"), [(10, 2, 0), (50, 3, 1), (200, 5, 2), (400, 10, 3)])
def test_perceptron_converges_within_the_novikoff_bound(n, d, seed):
    X, y, separator = separable_set(n, d, margin=0.1, seed=seed)
    assert 0 < y.sum() < n  # both classes present
    bound = novikoff_bound(X, y, separator)
    p = Perceptron(max_epochs=int(bound) + 2).fit(X, y)
    assert p.converged_
    assert p.score(X, y) == 1.0
    assert sum(p.errors_) <= bound  # mistakes, hence also epochs with a mistake
    assert p.n_epochs_ <= bound + 1


def test_learning_rate_only_scales_the_weights():
    X, y, _ = separable_set(60, 4, margin=0.05, seed=7)
    base = Perceptron().fit(X, y)
    for eta in (0.25, 8.0):  # powers of two: the scaling is exact in floating point
        p = Perceptron(learning_rate=eta).fit(X, y)
        assert p.errors_ == base.errors_
        np.testing.assert_array_equal(p.weights, eta * base.weights)
        assert p.bias == eta * base.bias


def test_minus_one_labels_are_mapped_to_zero():
    X, y, _ = separable_set(40, 3, margin=0.1, seed=4)
    signed = 2 * y - 1
    p01, pm = Perceptron().fit(X, y), Perceptron().fit(X, signed)
    assert p01.classes_ == (0, 1) and pm.classes_ == (-1, 1)
    np.testing.assert_array_equal(p01.weights, pm.weights)
    assert pm.predict(X).tolist() == signed.tolist()
    assert pm.predict(X[0]) == signed[0] and isinstance(pm.predict(X[0]), int)
    assert pm.score(X, signed) == 1.0
    with pytest.raises(DataError, match=r"classes_ \(-1, 1\).*got 0"):
        pm.score(X, y)


def test_shuffle_is_seeded_and_still_converges():
    X, y, _ = separable_set(80, 3, margin=0.1, seed=5)
    a = Perceptron(shuffle=True, seed=11, max_epochs=1000).fit(X, y)
    b = Perceptron(shuffle=True, seed=11, max_epochs=1000).fit(X, y)
    c = Perceptron(shuffle=True, seed=12, max_epochs=1000).fit(X, y)
    assert a.converged_ and c.converged_
    np.testing.assert_array_equal(a.weights, b.weights)
    assert a.errors_ == b.errors_
    assert not np.array_equal(a.weights, c.weights)


def test_shuffle_without_seed_follows_deepnum_manual_seed():
    import deepnum as dn

    X, y, _ = separable_set(80, 3, margin=0.1, seed=5)
    p = Perceptron(shuffle=True, max_epochs=1000)  # built before seeding: the seed still applies
    dn.manual_seed(21)
    a = p.fit(X, y).weights
    dn.manual_seed(21)
    b = Perceptron(shuffle=True, max_epochs=1000).fit(X, y).weights
    np.testing.assert_array_equal(a, b)


def test_decision_function_is_w_dot_x_plus_b():
    X, y, _ = separable_set(30, 2, margin=0.1, seed=6)
    p = Perceptron().fit(X, y)
    np.testing.assert_allclose(p.decision_function(X), X @ p.weights + p.bias)
    assert p.predict(X).tolist() == (p.decision_function(X) > 0).astype(int).tolist()


# ----- Perceptron against scikit-learn ---------------------------------------------------------
def test_perceptron_matches_sklearn_epoch_by_epoch():
    # sklearn's Perceptron is SGD on the loss max(0, -y p) with y in {-1, 1}: it updates
    # w += eta0 * y * x whenever y * p <= 0.  That is our rule, w += eta (t - t_hat) x, except
    # at a tie p == 0 exactly: we predict 0 there, so a negative example with p == 0 is
    # correct for us but an update for sklearn.  From zero weights the first example always has
    # p == 0, so we put a positive example first; with random real-valued inputs no later tie
    # happens.  Each sklearn fit with max_iter=k (tol=None so it runs all k epochs) is compared
    # with our fit limited to k epochs.
    sklearn = pytest.importorskip("sklearn.linear_model")
    X, y, _ = separable_set(60, 4, margin=0.02, seed=8)
    first = int(np.argmax(y == 1))
    order = np.r_[first, np.delete(np.arange(len(y)), first)]
    X, y = X[order], y[order]
    full = Perceptron(max_epochs=1000).fit(X, y)
    assert full.converged_ and full.n_epochs_ >= 3  # several epochs, so the comparison bites
    for k in range(1, full.n_epochs_ + 2):
        ref = sklearn.Perceptron(
            eta0=1.0, penalty=None, shuffle=False, fit_intercept=True, tol=None, max_iter=k
        ).fit(X, y)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            ours = Perceptron(learning_rate=1.0, max_epochs=k).fit(X, y)
        np.testing.assert_allclose(ours.weights, ref.coef_[0], rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(ours.bias, ref.intercept_[0], rtol=1e-12, atol=1e-12)
        np.testing.assert_array_equal(ours.predict(X), ref.predict(X))


# ----- Perceptron: bad input -----------------------------------------------------------------
def test_perceptron_bad_input():
    X, y = FOUR, gate_labels("and")
    with pytest.raises(DataError, match="X has 4 samples but y has 3 labels"):
        Perceptron().fit(X, y[:3])
    for bad in (np.nan, np.inf):
        Xb = X.astype(float)
        Xb[2, 1] = bad
        with pytest.raises(DataError, match=r"non-finite.*index \(2, 1\)"):
            Perceptron().fit(Xb, y)
    for labels in ([0, 1, 2, 1], [0, 0.5, 1, 1], [-1, 0, 1, 1]):
        with pytest.raises(DataError, match="labels y must be binary"):
            Perceptron().fit(X, labels)
    with pytest.raises(DataError, match="empty"):
        Perceptron().fit(np.zeros((0, 2)), [])
    with pytest.raises(ShapeError, match=r"got shape \(4,\); for one feature"):
        Perceptron().fit([0, 1, 2, 3], y)
    with pytest.raises(ShapeError, match=r"labels y must be a vector.*\(4, 1\)"):
        Perceptron().fit(X, y.reshape(4, 1))
    with pytest.raises(StateError, match="not fitted"):
        Perceptron().predict(X)
    with pytest.raises(StateError, match="not fitted"):
        Perceptron().score(X, y)
    p = Perceptron().fit(X, y)
    with pytest.raises(ShapeError, match=r"expected 2 features.*shape \(4, 3\)"):
        p.predict(np.zeros((4, 3)))
    with pytest.raises(ShapeError, match=r"expected 2 features.*shape \(1,\)"):
        p.predict([1.0])
    with pytest.raises(DataError, match="non-finite"):
        p.predict([[np.nan, 0]])
    with pytest.raises(DataError, match="X has 4 samples but y has shape"):
        p.score(X, y[:2])


@pytest.mark.parametrize(
    "kwargs", [{"learning_rate": 0}, {"learning_rate": -1}, {"learning_rate": float("nan")},
               {"max_epochs": 0}, {"max_epochs": 2.5}, {"max_epochs": True}]
)
def test_perceptron_rejects_bad_hyperparameters(kwargs):
    with pytest.raises(ValueError, match=next(iter(kwargs))):
        Perceptron(**kwargs)


# ----- beyond one unit: backprop solves XOR ----------------------------------------------------
def load_example():
    spec = importlib.util.spec_from_file_location("perceptron_logic_gates", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("seed", [0, 1])
def test_two_layer_backprop_network_solves_xor(seed):
    import deepnum as dn

    example = load_example()
    params, losses = example.train_xor_network(seed=seed)
    assert all(t.grad is not None and t.grad.shape == t.shape for t in params)
    assert losses[-1] < 0.05 < losses[0]
    with dn.no_grad():
        probs = example.xor_network(params, dn.tensor(FOUR, dtype=dn.float32)).numpy().ravel()
    assert ((probs > 0.5).astype(int) == gate_labels("xor")).all()


def test_example_script_runs():
    result = subprocess.run(
        [sys.executable, str(EXAMPLE)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "AND: converged=True" in out and "OR: converged=True" in out
    assert "XOR: converged=False after 20 epochs" in out
    assert "ConvergenceWarning: Perceptron did not converge" in out
    assert "XOR network accuracy: 100%" in out
