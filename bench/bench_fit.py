"""The cost of Keras-style ``fit`` over a hand-written loop, and deepnum against PyTorch.

Workload: the tutorial MLP (784-512-10, ReLU, softmax output), RMSprop (lr 1e-3, rho 0.9,
eps 1e-7), sparse categorical cross-entropy, batch 128, one epoch over 60,000 images
(real Fashion-MNIST when installed, else random ones; ``--random`` forces those).  Three
loops run interleaved in this one process, with the same threads, from the same initial
weights and the same shuffled batches:

- fit:    ``model.fit(x, y, epochs=1, batch_size=128, verbose=0)`` (with "accuracy");
- model:  a hand-written loop on the same Keras model (zero grads, ``model(x,
          training=True)``, ``model.compute_loss`` (fused cross-entropy on the logits),
          backward, ``optimizer.apply``): fit minus its bookkeeping (data, metrics,
          callbacks, logs);
- nn:     the same loop written with the PyTorch door (``nn.Sequential`` of ``nn.Linear``,
          ``F.cross_entropy`` on the logits, the same RMSprop update code);
- torch:  the same loop in PyTorch (CrossEntropyLoss on the logits, torch.optim.RMSprop).

Prints the median epoch time of each (wall clock, and process CPU time, steadier on a
shared machine) and the medians of the per-run ratios: fit/model and fit/nn (the cost of
fit's bookkeeping: target <= 1.10), nn/torch and fit/torch (below 1.0: deepnum faster).

    python bench/bench_fit.py [--runs 5] [--threads 2] [--random]
"""

from __future__ import annotations

import argparse
import os
import time
from typing import Any


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--random", action="store_true", help="random images, not Fashion-MNIST")
    args = parser.parse_args()
    # Same threads on both sides: OpenBLAS (NumPy) reads this before NumPy is imported.
    os.environ["OPENBLAS_NUM_THREADS"] = str(args.threads)
    os.environ["OMP_NUM_THREADS"] = str(args.threads)
    import numpy as np
    import torch

    import deepnum as dn
    from deepnum import keras
    from deepnum.keras import layers

    torch.set_num_threads(args.threads)
    source = "random"
    if not args.random:
        try:
            (x, y), _ = keras.datasets.fashion_mnist.load_data()
            source = "Fashion-MNIST"
        except dn.DeepnumError:
            pass
    if source == "random":
        rng = np.random.default_rng(0)
        x, y = rng.integers(0, 256, (60000, 28, 28)), rng.integers(0, 10, 60000)
    x = (x.reshape(-1, 784) / 255).astype(np.float32)
    y = y.astype(np.int64)
    n, batch = len(x), 128

    dn.manual_seed(0)
    model = keras.Sequential([keras.Input(shape=(784,)), layers.Dense(512, activation="relu"),
                              layers.Dense(10, activation="softmax")])
    initial = model.get_weights()  # kernel1, bias1, kernel2, bias2; kernels (in, out)
    hand = dn.nn.Sequential(dn.nn.Linear(784, 512), dn.nn.ReLU(), dn.nn.Linear(512, 10))
    net = torch.nn.Sequential(torch.nn.Linear(784, 512), torch.nn.ReLU(),
                              torch.nn.Linear(512, 10))

    def reset(seed: int) -> None:
        model.set_weights(initial)
        model.compile(optimizer=keras.optimizers.RMSprop(), loss="sparse_categorical_crossentropy",
                      metrics=["accuracy"])
        state = {"0.weight": initial[0].T, "0.bias": initial[1], "2.weight": initial[2].T,
                 "2.bias": initial[3]}
        hand.load_state_dict(state)
        net.load_state_dict({k: torch.tensor(np.ascontiguousarray(v)) for k, v in state.items()})
        dn.manual_seed(seed)

    def run_fit(seed: int) -> None:
        reset(seed)
        model.fit(x, y, epochs=1, batch_size=batch, verbose=0)

    def hand_loop(params: list, opt: Any, loss_of: Any) -> None:
        """One epoch written out: fit's shuffled batches, backward, the optimizer's apply."""
        order = dn.random.generator("shuffle").permutation(n)
        for lo in range(0, n, batch):
            index = order[lo:lo + batch]
            xb, yb = dn.from_numpy(x[index]), y[index]
            for p in params:
                p.grad = None
            loss = loss_of(xb, yb)
            loss.backward()
            opt.apply([p.grad for p in params], params)

    def run_model(seed: int) -> None:
        reset(seed)
        hand_loop(model.trainable_weights, model.optimizer,
                  lambda xb, yb: model.compute_loss(y=yb, y_pred=model(xb, training=True)))

    def run_nn(seed: int) -> None:
        reset(seed)
        hand_loop(list(hand.parameters()), keras.optimizers.RMSprop(),
                  lambda xb, yb: dn.nn.functional.cross_entropy(hand(xb), yb))

    def run_torch(seed: int) -> None:
        reset(seed)
        opt = torch.optim.RMSprop(net.parameters(), lr=1e-3, alpha=0.9, eps=1e-7)
        criterion = torch.nn.CrossEntropyLoss()
        xt, yt = torch.from_numpy(x), torch.from_numpy(y)
        order = torch.from_numpy(dn.random.generator("shuffle").permutation(n))
        for lo in range(0, n, batch):
            index = order[lo:lo + batch]
            opt.zero_grad()
            loss = criterion(net(xt[index]), yt[index])
            loss.backward()
            opt.step()

    runs = {"fit": run_fit, "model": run_model, "nn": run_nn, "torch": run_torch}
    wall: dict[str, list[float]] = {k: [] for k in runs}
    cpu: dict[str, list[float]] = {k: [] for k in runs}
    for fn in runs.values():  # warm-up: first-touch memory, caches, BLAS threads
        fn(0)
    for r in range(args.runs):
        for name, fn in runs.items():
            w, c = time.perf_counter(), time.process_time()
            fn(r + 1)
            wall[name].append(time.perf_counter() - w)
            cpu[name].append(time.process_time() - c)

    def ratio(times: dict, a: str, b: str) -> str:
        rs = [p / q for p, q in zip(times[a], times[b], strict=True)]
        return f"{np.median(rs):.3f} [{min(rs):.3f}, {max(rs):.3f}]"

    print(f"deepnum {dn.__version__}, torch {torch.__version__}, numpy {np.__version__}, "
          f"threads {args.threads}, runs {args.runs}, data {source} ({n} x 784), batch {batch}")
    print("epoch (median)   wall       cpu")
    for name in runs:
        print(f"  {name:6s}      {np.median(wall[name]):6.3f} s  {np.median(cpu[name]):6.3f} s")
    print("ratio (median [min, max])   wall                   cpu")
    for a, b, note in (("fit", "model", "fit's bookkeeping; target <= 1.10"),
                       ("fit", "nn", "fit against a PyTorch-door loop"),
                       ("nn", "torch", "deepnum against PyTorch"), ("fit", "torch", "")):
        print(f"  {a + ' / ' + b:12s}  {ratio(wall, a, b):22s} {ratio(cpu, a, b):22s} {note}")


if __name__ == "__main__":
    main()
