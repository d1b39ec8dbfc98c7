"""RBM training time and pseudo-likelihood: deepnum's RBM vs scikit-learn's BernoulliRBM.

Binarized Fashion-MNIST (x/255 > 0.5, Debian's copy), 784 visible × ``--hidden`` hidden units,
learning rate 0.1, the same batch size and number of epochs for both.  scikit-learn's
BernoulliRBM trains by persistent CD-1 and keeps the dtype of its input: it is timed on
float64 data (what ``x / 255`` gives, its usual case) and on float32 data.  deepnum trains in
float32, by CD-1 (its default) and by persistent CD-1 (scikit-learn's algorithm).  Runs are
interleaved in one process (machine load hits all alike); medians over ``--rounds`` runs are
printed with the ratios deepnum / scikit-learn (below 1: deepnum is faster).  BLAS gets
``--threads`` threads (1 by default: the machine is shared, and two busy-waiting OpenBLAS
threads on two shared cores are erratic).

Then every model trained is scored on the first ``--test`` test images with the same
estimator: the exact pseudo-likelihood (sum over all 784 units of log p(v_i | v_-i)),
computed by deepnum's RBM after loading scikit-learn's weights into one; the median over the
rounds (each round has its own seed) is printed, with every round's value.

    python bench/bench_rbm.py [--train 60000] [--epochs 1] [--batch-sizes 10 100]
                              [--rounds 3] [--hidden 256] [--test 1000] [--threads 1]
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
from sklearn.neural_network import BernoulliRBM
from threadpoolctl import threadpool_limits

import deepnum as dn
from deepnum.datasets import fashion_mnist
from deepnum.unsupervised import RBM


def binarized() -> tuple[np.ndarray, np.ndarray]:
    (x, _), (xt, _) = fashion_mnist.load_data()
    return ((x.reshape(len(x), -1) / 255 > 0.5).astype(np.float32),
            (xt.reshape(len(xt), -1) / 255 > 0.5).astype(np.float32))


def train_deepnum(x, hidden, batch_size, epochs, persistent, seed):
    dn.manual_seed(seed)
    rbm = RBM(x.shape[1], hidden, persistent=persistent, learning_rate=0.1, seed=seed)
    start = time.perf_counter()
    rbm.fit(x, epochs=epochs, batch_size=batch_size, verbose=0)
    return time.perf_counter() - start, rbm


def train_sklearn(x, hidden, batch_size, epochs, dtype, seed):
    rbm = BernoulliRBM(n_components=hidden, learning_rate=0.1, batch_size=batch_size,
                       n_iter=epochs, random_state=seed)
    data = x.astype(dtype)
    start = time.perf_counter()
    rbm.fit(data)
    return time.perf_counter() - start, rbm


def as_deepnum(sk: BernoulliRBM) -> RBM:
    """scikit-learn's weights in a deepnum RBM (float32, as deepnum evaluates its own)."""
    rbm = RBM(sk.components_.shape[1], sk.components_.shape[0])
    rbm.kernel.data[...] = sk.components_.T
    rbm.visible_bias.data[...] = sk.intercept_visible_
    rbm.hidden_bias.data[...] = sk.intercept_hidden_
    return rbm


CASES = {  # name: trainer(x, hidden, batch_size, epochs, seed)
    "deepnum CD-1 float32": lambda *a: train_deepnum(*a[:4], False, a[4]),
    "deepnum PCD-1 float32": lambda *a: train_deepnum(*a[:4], True, a[4]),
    "sklearn PCD-1 float64": lambda *a: train_sklearn(*a[:4], np.float64, a[4]),
    "sklearn PCD-1 float32": lambda *a: train_sklearn(*a[:4], np.float32, a[4]),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--train", type=int, default=60000)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--batch-sizes", type=int, nargs="+", default=[10, 100])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--hidden", type=int, default=256)
    parser.add_argument("--test", type=int, default=1000)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    x, x_test = binarized()
    x, x_test = x[:args.train], x_test[:args.test]
    print(f"binarized Fashion-MNIST: {len(x)} training images, 784 x {args.hidden} RBM, "
          f"lr 0.1, {args.epochs} epoch(s), {args.rounds} interleaved rounds, "
          f"{args.threads} BLAS thread(s)")
    with threadpool_limits(args.threads):
        for batch_size in args.batch_sizes:
            times: dict[str, list[float]] = {name: [] for name in CASES}
            scores: dict[str, list[float]] = {name: [] for name in CASES}
            for r in range(args.rounds):
                for name, train in CASES.items():
                    seconds, model = train(x, args.hidden, batch_size, args.epochs, r)
                    times[name].append(seconds)
                    rbm = model if isinstance(model, RBM) else as_deepnum(model)
                    scores[name].append(rbm.pseudo_likelihood(x_test, method="exact").mean())
            print(f"\nbatch_size={batch_size}: median seconds per fit "
                  f"(ratio deepnum / sklearn float64, / sklearn float32)")
            sk64 = statistics.median(times["sklearn PCD-1 float64"])
            sk32 = statistics.median(times["sklearn PCD-1 float32"])
            for name, ts in times.items():
                med = statistics.median(ts)
                ratios = f"  {med / sk64:.2f}x  {med / sk32:.2f}x" if name.startswith("deep") \
                    else ""
                print(f"  {name:24s} {med:8.2f} s  (runs: "
                      f"{', '.join(f'{t:.2f}' for t in ts)}){ratios}")
            print(f"  exact pseudo-likelihood on {len(x_test)} test images (mean over images, "
                  "nats; median over rounds):")
            for name, pls in scores.items():
                print(f"  {name:24s} {statistics.median(pls):9.2f}  (rounds: "
                      f"{', '.join(f'{p:.2f}' for p in pls)})")


if __name__ == "__main__":
    main()
