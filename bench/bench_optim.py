"""Optimizer step time: deepnum vs torch.optim on the classic MNIST MLP's parameters.

Parameters 784×512 + 512 + 512×10 + 10 (float32), fixed gradients.  deepnum's and torch's
runs are interleaved (so drifts in machine load hit both), each run times ``--steps`` steps,
and the medians over ``--rounds`` runs are printed with the ratio torch / deepnum (above 1:
deepnum is faster).  NumPy's ufuncs use one thread, so torch gets one too unless
``--torch-threads`` says otherwise.

    python bench/bench_optim.py [--rounds 15] [--steps 20] [--torch-threads 1]
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import torch

import deepnum as dn
from deepnum.keras import optimizers as keras_optimizers

SHAPES = [(784, 512), (512,), (512, 10), (10,)]

CASES = {  # name: (deepnum factory, torch factory)
    "SGD momentum=0.9": (lambda ps: dn.optim.SGD(ps, lr=0.01, momentum=0.9),
                         lambda ps: torch.optim.SGD(ps, lr=0.01, momentum=0.9)),
    "RMSprop": (lambda ps: dn.optim.RMSprop(ps, lr=0.001),
                lambda ps: torch.optim.RMSprop(ps, lr=0.001)),
    "RMSprop (keras door)": (lambda ps: _KerasStep(keras_optimizers.RMSprop(), ps),
                             lambda ps: torch.optim.RMSprop(ps, lr=0.001, alpha=0.9)),
    "Adam": (lambda ps: dn.optim.Adam(ps, lr=0.001), lambda ps: torch.optim.Adam(ps, lr=0.001)),
    "AdamW": (lambda ps: dn.optim.AdamW(ps), lambda ps: torch.optim.AdamW(ps)),
}


class _KerasStep:
    """A Keras-door optimizer called as the fit loop calls it: ``step(params)``."""

    def __init__(self, opt, params):
        self.opt, self.params = opt, params

    def step(self):
        self.opt.step(self.params)


def setup(lib, factory, arrays, grads):
    if lib is dn:
        params = [dn.nn.Parameter(dn.tensor(a.copy())) for a in arrays]
        for p, g in zip(params, grads, strict=True):
            p.grad = g.copy()
    else:
        params = [torch.nn.Parameter(torch.tensor(a.copy())) for a in arrays]
        for p, g in zip(params, grads, strict=True):
            p.grad = torch.tensor(g.copy())
    opt = factory(params)
    opt.step()  # create the state outside the timing
    return opt


def time_run(opt, steps: int) -> float:
    start = time.perf_counter()
    for _ in range(steps):
        opt.step()
    return (time.perf_counter() - start) / steps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--torch-threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.torch_threads)
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal(s).astype(np.float32) * 0.05 for s in SHAPES]
    grads = [rng.standard_normal(s).astype(np.float32) * 0.01 for s in SHAPES]
    n = sum(a.size for a in arrays)
    print(f"{n:,} float32 parameters; torch threads: {torch.get_num_threads()}; "
          f"{args.rounds} interleaved runs of {args.steps} steps; median time per step")
    print(f"{'optimizer':24s} {'deepnum':>10s} {'torch':>10s} {'torch/deepnum':>14s}")
    for name, (make_dn, make_torch) in CASES.items():
        opt_dn = setup(dn, make_dn, arrays, grads)
        opt_t = setup(torch, make_torch, arrays, grads)
        times_dn, times_t = [], []
        for _ in range(args.rounds):
            times_dn.append(time_run(opt_dn, args.steps))
            times_t.append(time_run(opt_t, args.steps))
        t_dn, t_t = statistics.median(times_dn), statistics.median(times_t)
        print(f"{name:24s} {t_dn * 1e6:8.0f}µs {t_t * 1e6:8.0f}µs {t_t / t_dn:13.2f}x")


if __name__ == "__main__":
    main()
