"""One training step of the classic MNIST network, deepnum.nn against torch.nn.

The model is ``Sequential(Linear(784, 512), ReLU(), Linear(512, 10))`` with
``CrossEntropyLoss`` on a batch of 128: forward, loss and backward (gradients zeroed first;
no optimizer step, which is another module's business).  Both frameworks start from the same
weights and data, run in this one process, interleaved run by run, with the same number of
threads; the script prints each side's median time per step and the median of the per-run
deepnum/PyTorch ratios (below 1.0: deepnum is faster).

    python bench/bench_mlp_step.py [--runs 15] [--steps 20] [--threads 2]
"""

from __future__ import annotations

import argparse
import os
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--steps", type=int, default=20, help="steps timed per run")
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
    x_np = rng.random((128, 784), dtype=np.float32)
    y_np = rng.integers(0, 10, 128)

    def build(lib):
        return lib.nn.Sequential(lib.nn.Linear(784, 512), lib.nn.ReLU(), lib.nn.Linear(512, 10))

    torch_model = build(torch)
    dn_model = build(dn)
    dn_model.load_state_dict({k: v.numpy() for k, v in torch_model.state_dict().items()})

    def steps(lib, model):
        criterion = lib.nn.CrossEntropyLoss()
        x, y = lib.tensor(x_np), lib.tensor(y_np)
        start = time.perf_counter()
        for _ in range(args.steps):
            model.zero_grad()
            loss = criterion(model(x), y)
            loss.backward()
        return (time.perf_counter() - start) / args.steps, loss.item()

    (_, loss_dn), (_, loss_torch) = steps(dn, dn_model), steps(torch, torch_model)  # warm-up
    assert abs(loss_dn - loss_torch) < 1e-5 * max(1.0, abs(loss_torch)), (loss_dn, loss_torch)
    times_dn, times_torch = [], []
    for _ in range(args.runs):
        times_dn.append(steps(dn, dn_model)[0])
        times_torch.append(steps(torch, torch_model)[0])
    ratios = [d / t for d, t in zip(times_dn, times_torch, strict=True)]
    print(f"deepnum {dn.__version__}, torch {torch.__version__}, numpy {np.__version__}, "
          f"threads {args.threads}, runs {args.runs} x {args.steps} steps")
    print(f"MLP 784-512-10 + CrossEntropyLoss, batch 128, forward+backward: "
          f"deepnum {np.median(times_dn) * 1e3:.2f} ms   "
          f"torch {np.median(times_torch) * 1e3:.2f} ms"
          f"   ratio {np.median(ratios):.2f} (min {min(ratios):.2f}, max {max(ratios):.2f})")


if __name__ == "__main__":
    main()
