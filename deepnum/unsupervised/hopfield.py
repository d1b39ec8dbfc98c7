"""Hopfield's associative memory (1982): binary threshold units with symmetric weights."""

from __future__ import annotations

import os
from typing import Any, NamedTuple

import numpy as np

from ..classic._checks import _show, as_samples
from ..errors import ArgumentError, DataError, ShapeError, unknown_name
from ._saving import read_model, rebuilding, write_model
from ._seeds import SeededGenerators

RULES = ("hebbian", "pseudo-inverse", "storkey")
MODES = ("async", "sync")


class Recall(NamedTuple):
    """What :meth:`HopfieldNetwork.recall` returns (one value, or one per row for a batch).

    ``state``: the final states, int8 ±1, shaped like the input.  ``converged``: the state is
    a fixed point (no unit changes when updated).  ``period``: 1 for a fixed point, 2 for a
    two-cycle of synchronous updates, 0 if ``steps`` ran out first.  ``steps``: the number
    of sweeps (async) or synchronous updates made.
    """

    state: np.ndarray
    converged: bool | np.ndarray
    period: int | np.ndarray
    steps: int


def _positive_int(value: Any, op: str, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        raise ArgumentError(f"{op}: {name} must be a positive integer, got {value!r}")
    return int(value)


def _bipolar(x: Any, width: int, op: str, name: str) -> tuple[np.ndarray, bool]:
    """States given as ±1 or 0/1 as an int8 ±1 array (batch, width), and whether it was one."""
    arr, single = as_samples(x, op, name, width=width, unit="units")
    values = set(np.unique(arr).tolist())
    if values <= {-1.0, 1.0}:
        pass
    elif values <= {0.0, 1.0}:
        arr = 2.0 * arr - 1.0  # 0 -> -1, 1 -> +1
    else:
        raise DataError(f"{op}: {name} must be bipolar (all values -1 or +1) or binary (all 0 "
                        f"or 1); got the values {_show(arr)}")
    return arr.astype(np.int8), single


class HopfieldNetwork:
    """A Hopfield network of ``n_units`` bipolar threshold units (Hopfield, 1982).

    A state is a vector ``s`` of ±1.  Patterns and states may also be given as 0/1: the whole
    array is read as binary when its values are all 0 or 1 (0 means -1, 1 means +1); states
    come back as int8 ±1 (``(s + 1) // 2`` turns them into 0/1).

    Dynamics: unit i looks at its local field ``h_i = Σ_j W_ij s_j`` and sets
    ``s_i = +1 if h_i > θ_i, -1 if h_i < θ_i`` (and keeps its state on a tie).  With W
    symmetric and zero on the diagonal, each such single-unit (asynchronous) update can only
    lower the energy ::

        E(s) = -½ sᵀ W s + θᵀ s

    so asynchronous recall always ends in a fixed point, a local minimum of E.  Updating every
    unit at once (synchronous) may instead end in a two-cycle between two states; recall
    detects both.

    Learning rules (``store`` adds patterns ξ to the memory; P patterns in all):

    - ``"hebbian"``: ``W = (1/N) Σ_μ ξ^μ ξ^μᵀ``, diagonal set to 0.  Random patterns are
      recalled while P stays below about 0.14 N (Amit, Gutfreund & Sompolinsky, 1985).
    - ``"pseudo-inverse"`` (the projection rule, Personnaz et al. 1985; Kanter & Sompolinsky
      1987): ``W = Ξᵀ (Ξ Ξᵀ)⁺ Ξ`` for the P×N matrix Ξ of all stored patterns, the orthogonal
      projection onto their span, so W ξ = ξ for every stored pattern even when they are
      correlated, up to P = N linearly independent patterns.  The diagonal is then set to 0
      (Kanter & Sompolinsky's variant): the field becomes ``(1 - W_ii) ξ_i``, still of the sign
      of ξ_i since a projection's diagonal lies in [0, 1], and the self-coupling no longer
      freezes states, which widens the basins of attraction.
    - ``"storkey"`` (Storkey, 1997): incremental and local, ``W += (1/N)(ξξᵀ - ξ hᵀ - h ξᵀ)``
      with ``h_ij = Σ_{k≠i,j} W_ik ξ_k``; stores about 1.5 times as many random patterns as
      the Hebbian rule.

    Args:
        n_units: N, the number of units.
        rule: "hebbian", "pseudo-inverse" or "storkey".
        threshold: θ, a number or a vector of N numbers (default 0).
        seed: for the random order of asynchronous updates (an integer, a NumPy Generator, or
            None for deepnum's global "sample" stream); see :meth:`recall`.

    Shapes: ``weights`` (N, N) float64, ``threshold`` (N,) float64, ``patterns`` (P, N) int8.

    >>> net = HopfieldNetwork(6)
    >>> net.store([[1, 1, 1, -1, -1, -1], [1, -1, 1, -1, 1, -1]])
    >>> result = net.recall([1, 1, 1, -1, -1, 1], seed=0)   # the first pattern, last bit flipped
    >>> result.state.tolist(), bool(result.converged)
    ([1, 1, 1, -1, -1, -1], True)
    """

    def __init__(
        self,
        n_units: int,
        rule: str = "hebbian",
        threshold: Any = 0.0,
        seed: int | np.random.Generator | None = None,
    ) -> None:
        self.n_units = _positive_int(n_units, "HopfieldNetwork", "n_units")
        if rule not in RULES:
            raise unknown_name("Hopfield learning rule", rule, RULES)
        self.rule = rule
        if np.ndim(threshold) == 0:
            threshold = np.full(self.n_units, threshold)
        theta, single = as_samples(threshold, "HopfieldNetwork", "threshold",
                                   width=self.n_units, unit="units")
        if not single:
            raise ShapeError(f"HopfieldNetwork: threshold must be a number or a vector of "
                             f"{self.n_units} numbers, got shape {np.shape(threshold)}")
        self.threshold = theta[0]
        self.weights = np.zeros((self.n_units, self.n_units))
        self.patterns = np.zeros((0, self.n_units), dtype=np.int8)
        self._generators = SeededGenerators(seed, "sample")

    def __repr__(self) -> str:
        return (f"HopfieldNetwork(n_units={self.n_units}, rule={self.rule!r}, "
                f"patterns={len(self.patterns)})")

    # ----- learning -------------------------------------------------------------------------
    def store(self, patterns: Any) -> None:
        """Add one pattern (N,) or a batch (P, N), ±1 or 0/1, to the memory (see the rules)."""
        xi, _ = _bipolar(patterns, self.n_units, "HopfieldNetwork.store", "patterns")
        self.patterns = np.concatenate([self.patterns, xi])
        n = self.n_units
        if self.rule == "hebbian":
            x = xi.astype(np.float64)
            self.weights += x.T @ x / n
        elif self.rule == "storkey":
            for x in xi.astype(np.float64):
                w = self.weights
                # h_ij = Σ_{k≠i,j} W_ik x_k = h_i - W_ij x_j, as W_ii = 0
                h = (w @ x)[:, None] - w * x[None, :]
                self.weights = w + (np.outer(x, x) - x[:, None] * h.T - h * x[None, :]) / n
                np.fill_diagonal(self.weights, 0.0)
        else:
            x = self.patterns.astype(np.float64)
            self.weights = x.T @ np.linalg.pinv(x @ x.T) @ x
        np.fill_diagonal(self.weights, 0.0)

    def clear(self) -> None:
        """Forget every stored pattern (weights back to zero)."""
        self.weights = np.zeros((self.n_units, self.n_units))
        self.patterns = self.patterns[:0]

    # ----- dynamics -------------------------------------------------------------------------
    def energy(self, state: Any) -> float | np.ndarray:
        """``E(s) = -½ sᵀWs + θᵀs`` of one state (a float) or of each row of a batch."""
        s, single = _bipolar(state, self.n_units, "HopfieldNetwork.energy", "state")
        s = s.astype(np.float64)
        e = -0.5 * np.einsum("bi,ij,bj->b", s, self.weights, s) + s @ self.threshold
        return float(e[0]) if single else e

    def _decide(self, field: np.ndarray, current: np.ndarray, units: Any = slice(None)):
        """New states of ``units`` given their fields: the sign of h - θ, ties keep ``current``."""
        gap = field - self.threshold[units]
        return np.where(gap > 0, 1, np.where(gap < 0, -1, current)).astype(np.int8)

    def update(self, state: Any, units: int | Any | None = None) -> np.ndarray:
        """One update of ``state`` (N,) or (batch, N); returns the new states as int8 ±1.

        ``units=None``: every unit at once (synchronous), ``s ← sign(W s - θ)``.  An index or
        a sequence of indices: those units one after the other (asynchronous), each seeing the
        changes of the ones before.  A tie (``h_i = θ_i``) leaves a unit as it was.
        """
        s, single = _bipolar(state, self.n_units, "HopfieldNetwork.update", "state")
        if units is None:
            s = self._decide(s @ self.weights, s)
        else:
            order = np.atleast_1d(np.asarray(units))
            if order.dtype.kind not in "iu" or order.ndim != 1:
                raise ArgumentError(f"HopfieldNetwork.update: units must be None, an integer "
                                    f"or a sequence of integers, got {units!r}")
            if ((order < -self.n_units) | (order >= self.n_units)).any():
                raise ArgumentError(f"HopfieldNetwork.update: units must lie in "
                                    f"[0, {self.n_units}), got {units!r}")
            for i in order:
                s[:, i] = self._decide(s @ self.weights[:, i], s[:, i], i)
        return s[0] if single else s

    def recall(
        self,
        pattern: Any,
        steps: int = 100,
        mode: str = "async",
        seed: int | np.random.Generator | None = None,
    ) -> Recall:
        """Run the dynamics from ``pattern`` (N,) or (batch, N) until nothing changes.

        ``mode="async"``: each step is a sweep updating every unit once, one at a time, in a
        random order drawn from the generator that ``seed`` selects (the same order for every
        row of a batch).  A row has converged when a whole sweep changes none of its units.
        ``seed=None`` uses the network's own generator; an integer seed's generator is made
        on first use and advances with every call (two calls with ``seed=0`` use different
        orders; two networks built alike use the same ones).

        ``mode="sync"``: each step updates all units at once.  A row has converged when a step
        changes nothing; it is in a two-cycle (``period`` 2) when a step returns it to where it
        was two steps before.  Runs until every row has converged or cycles, at most ``steps``
        steps.  Returns a :class:`Recall` (state, converged, period, steps).
        """
        op = "HopfieldNetwork.recall"
        s, single = _bipolar(pattern, self.n_units, op, "pattern")
        steps = _positive_int(steps, op, "steps")
        if mode not in MODES:
            raise unknown_name("recall mode", mode, MODES)
        period = np.zeros(len(s), dtype=np.int64)
        done = 0
        if mode == "async":
            rng = self._generators(seed)
            while done < steps and not period.all():
                before = s.copy()
                for i in rng.permutation(self.n_units):
                    s[:, i] = self._decide(s @ self.weights[:, i], s[:, i], i)
                done += 1
                period[(s == before).all(axis=1)] = 1
        else:
            previous = None
            while done < steps and not period.all():
                new = self._decide(s @ self.weights, s)
                done += 1
                period[(new == s).all(axis=1)] = 1
                if previous is not None:
                    cycling = (new == previous).all(axis=1) & (period == 0)
                    period[cycling] = 2
                previous, s = s, new
        converged = period == 1
        if single:
            return Recall(s[0], bool(converged[0]), int(period[0]), done)
        return Recall(s, converged, period, done)

    # ----- saving ---------------------------------------------------------------------------
    def save(self, path: str | os.PathLike) -> None:
        """Save the network to ``path``: config as JSON, weights, θ and patterns as arrays."""
        write_model(path, "HopfieldNetwork", {"n_units": self.n_units, "rule": self.rule},
                    {"weights": self.weights, "threshold": self.threshold,
                     "patterns": self.patterns})

    @classmethod
    def load(cls, path: str | os.PathLike) -> HopfieldNetwork:
        """A network saved by :meth:`save` (never runs code from the file)."""
        arrays, config = read_model(path, "HopfieldNetwork")
        with rebuilding(path, "HopfieldNetwork"):
            net = cls(config["n_units"], config["rule"], arrays["threshold"])
            n, p = net.n_units, arrays["patterns"]
            if arrays["weights"].shape != (n, n) or p.ndim != 2 or p.shape[1] != n:
                raise ShapeError(f"weights {arrays['weights'].shape}, patterns {p.shape}")
        net.weights = arrays["weights"].astype(np.float64)
        net.patterns = p.astype(np.int8)
        return net
