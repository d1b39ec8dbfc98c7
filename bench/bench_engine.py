"""Engine overhead against PyTorch: many small element-wise ops, and one matmul step.

Both frameworks run the same workload in this one process, interleaved run by run, with the
same number of threads; the script prints each side's median time and the median of the
per-run deepnum/PyTorch ratios (below 1.0: deepnum is faster).

    python bench/bench_engine.py [--runs 15] [--threads 2]

Workloads
- small-ops: 10,000 element-wise ops (mul, add, relu, sub, scalar mul/div/add, neg) on
  (128, 128) float32 tensors that require grad, then backward through all of them.
- matmul: y = x @ W with x (128, 784) and W (784, 512) requiring grad, then
  y.backward(G): the first layer of the MNIST network, forward and backward.
"""

from __future__ import annotations

import argparse
import os
import sys
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    # Same threads on both sides: OpenBLAS (NumPy) reads this before NumPy is imported.
    os.environ["OPENBLAS_NUM_THREADS"] = str(args.threads)
    os.environ["OMP_NUM_THREADS"] = str(args.threads)
    import numpy as np
    import torch

    import deepnum as dn

    torch.set_num_threads(args.threads)
    rng = np.random.default_rng(0)
    a_np = rng.uniform(0.5, 1.0, (128, 128)).astype(np.float32)
    b_np = rng.standard_normal((128, 128)).astype(np.float32)
    x_np = rng.standard_normal((128, 128)).astype(np.float32)
    xm_np = rng.random((128, 784), dtype=np.float32)
    w_np = (rng.standard_normal((784, 512)) * 0.05).astype(np.float32)
    g_np = rng.standard_normal((128, 512)).astype(np.float32)

    def small_ops(lib, relu):
        a = lib.tensor(a_np, requires_grad=True)
        b = lib.tensor(b_np, requires_grad=True)
        x = lib.tensor(x_np, requires_grad=True)
        start = time.perf_counter()
        for _ in range(1000):  # 10 ops per block
            x = x * a
            x = x + b
            x = relu(x)
            x = x - b
            x = x * 0.5
            x = x + a
            x = -x
            x = x / 2.0
            x = x * a
            x = x + 1.0
        x.sum().backward()
        return time.perf_counter() - start

    def matmul_step(lib):
        x = lib.tensor(xm_np)
        w = lib.tensor(w_np, requires_grad=True)
        g = lib.tensor(g_np)
        start = time.perf_counter()
        for _ in range(20):
            w.grad = None
            (x @ w).backward(g)
        return (time.perf_counter() - start) / 20

    workloads = {
        "small-ops (10k ops + backward)": (lambda: small_ops(dn, dn.relu),
                                           lambda: small_ops(torch, torch.relu)),
        "matmul (128x784 @ 784x512 + backward)": (lambda: matmul_step(dn),
                                                  lambda: matmul_step(torch)),
    }
    print(f"deepnum {dn.__version__}, torch {torch.__version__}, numpy {np.__version__}, "
          f"threads {args.threads}, runs {args.runs}")
    for name, (run_dn, run_torch) in workloads.items():
        run_dn(), run_torch()  # warm-up: first-touch memory, caches
        times_dn, times_torch = [], []
        for _ in range(args.runs):
            times_dn.append(run_dn())
            times_torch.append(run_torch())
        ratios = [d / t for d, t in zip(times_dn, times_torch, strict=True)]
        print(f"{name:40s} deepnum {np.median(times_dn) * 1e3:8.2f} ms   "
              f"torch {np.median(times_torch) * 1e3:8.2f} ms   "
              f"ratio {np.median(ratios):.2f} (min {min(ratios):.2f}, max {max(ratios):.2f})")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
