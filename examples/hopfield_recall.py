"""Associative memory with a Hopfield network.

1. Store the average shape of five handwritten digits (8×8, the data set shipped with
   deepnum) as ±1 patterns of 64 units, corrupt each, and let the network clean them up.
   Digit shapes overlap a lot: the Hebbian rule mixes them up, the pseudo-inverse rule keeps
   them apart.  The energy falls at every sweep of asynchronous updates.
2. Measure the Hebbian capacity with random patterns (the table from
   bench/hopfield_capacity.py, with fewer seeds): recall breaks down near P ≈ 0.14 N.

Run:  python examples/hopfield_recall.py
"""

from __future__ import annotations

import runpy
from pathlib import Path

import numpy as np

from deepnum.datasets import digits
from deepnum.unsupervised import HopfieldNetwork

DIGITS = (0, 1, 3, 4, 7)


def prototypes() -> np.ndarray:
    """The mean image of each digit in DIGITS, thresholded at its median: (5, 64) of ±1."""
    (x, y), _ = digits.load_data()
    means = np.stack([x[y == d].reshape(-1, 64).mean(axis=0) for d in DIGITS])
    return np.where(means > np.median(means, axis=1, keepdims=True), 1, -1).astype(np.int8)


def picture(*states: np.ndarray) -> str:
    """8×8 states side by side, '#' for +1 and '.' for -1."""
    rows = []
    for r in range(8):
        rows.append("   ".join("".join("#" if v > 0 else "." for v in s[8 * r:8 * r + 8])
                               for s in states))
    return "\n".join(rows)


def show_digits() -> None:
    patterns = prototypes()
    rng = np.random.default_rng(0)
    noisy = patterns.copy()
    for row in noisy:  # flip 10 of the 64 pixels of each
        row[rng.choice(64, size=10, replace=False)] *= -1
    print(f"stored digits {DIGITS}:\n{picture(*patterns)}\n")
    print(f"corrupted (10 of 64 pixels flipped):\n{picture(*noisy)}")
    for rule in ("hebbian", "pseudo-inverse"):
        net = HopfieldNetwork(64, rule=rule, seed=0)
        net.store(patterns)
        fixed = (net.update(patterns) == patterns).all(axis=1).sum()
        result = net.recall(noisy, mode="async")
        right = (result.state == patterns).all(axis=1).sum()
        print(f"\nrecalled, rule={rule!r}: {right} of {len(patterns)} exact "
              f"({fixed} stored patterns are fixed points)\n{picture(*result.state)}")
    state = noisy[0]
    energies = [net.energy(state)]
    while True:  # one sweep at a time, to watch the energy fall
        step = net.recall(state, steps=1, seed=1)
        state = step.state
        energies.append(net.energy(state))
        if step.converged:
            break
    print("\nenergy after each sweep (pseudo-inverse, first digit):",
          ", ".join(f"{e:.2f}" for e in energies))


def show_capacity() -> None:
    bench = runpy.run_path(str(Path(__file__).resolve().parent.parent / "bench" /
                               "hopfield_capacity.py"))
    rows = bench["capacity_table"](100, seeds=3)
    bench["print_table"](100, rows, noise=0.1, rule="hebbian", seeds=3)


if __name__ == "__main__":
    show_digits()
    show_capacity()
