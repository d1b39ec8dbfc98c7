"""Hopfield network capacity: recall against the number of stored random patterns.

For each network size N and load α = P/N, stores P random ±1 patterns (each bit ±1 with
probability ½) and measures, averaged over patterns and seeds:

- fixed: the fraction of stored patterns that are fixed points of the dynamics;
- recovered: the fraction recalled exactly (asynchronous updates until nothing changes) from a
  copy with ``noise``·N bits flipped at random positions;
- overlap: the mean overlap m = ξ·s/N between each pattern and the state recalled from its
  corrupted copy (1 = perfect; random states give about 0).

Theory for the Hebbian rule (Amit, Gutfreund & Sompolinsky, 1985): retrieval states with
m ≈ 0.97 exist up to α_c ≈ 0.138 and vanish above it, where m drops abruptly; *exact* fixed
points need the lower load of about 1/(2 ln N) (McEliece et al., 1987).  Finite N smooths
the transition.  Every number comes from the seeds below, so a run reproduces bit for bit.

Run:  python bench/hopfield_capacity.py [--sizes 100 200] [--seeds 10] [--rule hebbian]
"""

from __future__ import annotations

import argparse

import numpy as np

from deepnum.unsupervised import HopfieldNetwork

LOADS = (0.02, 0.04, 0.06, 0.08, 0.10, 0.12, 0.14, 0.16, 0.18, 0.20, 0.25, 0.30)


def measure(n_units: int, n_patterns: int, seed: int, noise: float = 0.1,
            rule: str = "hebbian") -> tuple[float, float, float]:
    """(fixed, recovered, overlap) for one network of ``n_units`` storing ``n_patterns``."""
    rng = np.random.default_rng([n_units, n_patterns, seed])
    patterns = rng.choice(np.array([-1, 1], dtype=np.int8), size=(n_patterns, n_units))
    net = HopfieldNetwork(n_units, rule=rule, seed=seed)
    net.store(patterns)
    fixed = (net.update(patterns) == patterns).all(axis=1).mean()
    flips = int(round(noise * n_units))
    corrupted = patterns.copy()
    for row in corrupted:
        row[rng.choice(n_units, size=flips, replace=False)] *= -1
    state = net.recall(corrupted, steps=100, mode="async").state
    recovered = (state == patterns).all(axis=1).mean()
    overlap = (state.astype(np.float64) * patterns).sum(axis=1).mean() / n_units
    return float(fixed), float(recovered), float(overlap)


def capacity_table(n_units: int, loads=LOADS, seeds: int = 10, noise: float = 0.1,
                   rule: str = "hebbian") -> list[tuple[float, int, float, float, float]]:
    """Rows (α, P, fixed, recovered, overlap), each averaged over ``seeds`` networks."""
    rows = []
    for alpha in loads:
        n_patterns = max(1, int(round(alpha * n_units)))
        runs = np.array([measure(n_units, n_patterns, s, noise, rule) for s in range(seeds)])
        rows.append((n_patterns / n_units, n_patterns, *runs.mean(axis=0)))
    return rows


def print_table(n_units: int, rows, noise: float, rule: str, seeds: int) -> None:
    print(f"\nN = {n_units}, rule = {rule}, {seeds} seeds, {noise:.0%} of bits flipped")
    print("| α = P/N | P | fixed points | recovered exactly | mean overlap |")
    print("|---:|---:|---:|---:|---:|")
    for alpha, p, fixed, recovered, overlap in rows:
        print(f"| {alpha:.2f} | {p} | {fixed:.3f} | {recovered:.3f} | {overlap:.3f} |")
    half = [alpha for alpha, *_, recovered, _ in rows if recovered >= 0.5]
    if half:
        print(f"largest load with at least half the patterns recovered: α = {max(half):.2f} "
              f"(P = {round(max(half) * n_units)})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 200])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--noise", type=float, default=0.1)
    parser.add_argument("--rule", default="hebbian")
    args = parser.parse_args()
    for n_units in args.sizes:
        rows = capacity_table(n_units, LOADS, args.seeds, args.noise, args.rule)
        print_table(n_units, rows, args.noise, args.rule, args.seeds)


if __name__ == "__main__":
    main()
