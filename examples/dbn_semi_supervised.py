"""Semi-supervised learning with a deep belief net on Fashion-MNIST.

A DBN [784, 500, 500] is pretrained greedily, layer by layer, on all 60,000 training images
WITHOUT their labels (each RBM by CD-1 on the hidden probabilities of the one below); it is
then unrolled into a sigmoid network with a softmax output and fine-tuned by backpropagation
on only 1,000 labelled images (100 per class).  The same network trained from a random
(Glorot) initialisation on the same 1,000 labels, with the same optimizer and epochs, is the
baseline.  Test accuracy on the 10,000 test images, for each seed:

    python examples/dbn_semi_supervised.py                 # the full run (minutes per seed)
    python examples/dbn_semi_supervised.py --pretraining autoencoder
    python examples/dbn_semi_supervised.py --quick         # a small subset, seconds

Images are grey levels scaled to [0, 1], which the RBMs take as mean-field probabilities.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

import numpy as np

import deepnum as dn
from deepnum import keras
from deepnum.datasets import fashion_mnist
from deepnum.keras import layers
from deepnum.unsupervised import DBN

FULL = {"seeds": [0, 1, 2], "labels": 1000, "hidden": [500, 500], "pretrain_epochs": 10,
        "finetune_epochs": 30}
QUICK = {"seeds": [0], "labels": 200, "hidden": [200, 200], "pretrain_epochs": 10,
         "finetune_epochs": 20}  # 3,000 unlabelled images, 1,000 test images


def parse(argv: list[str] | None) -> argparse.Namespace:
    quick = "--quick" in (sys.argv[1:] if argv is None else argv)
    d = QUICK if quick else FULL
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--quick", action="store_true", help="a small subset, for a smoke test")
    p.add_argument("--seeds", type=int, nargs="+", default=d["seeds"])
    p.add_argument("--labels", type=int, default=d["labels"], help="labelled training images")
    p.add_argument("--hidden", type=int, nargs="+", default=d["hidden"])
    p.add_argument("--pretraining", choices=["rbm", "autoencoder"], default="rbm")
    p.add_argument("--pretrain-epochs", type=int, default=d["pretrain_epochs"])
    p.add_argument("--pretrain-batch-size", type=int, default=20)
    p.add_argument("--pretrain-learning-rate", type=float, default=0.1, help="RBMs' CD-1")
    p.add_argument("--finetune-epochs", type=int, default=d["finetune_epochs"])
    p.add_argument("--finetune-learning-rate", type=float, default=0.001, help="Adam")
    return p.parse_args(argv)


def load(quick: bool) -> tuple:
    (x, y), (x_test, y_test) = fashion_mnist.load_data()
    x = x.reshape(len(x), -1).astype(np.float32) / 255
    x_test = x_test.reshape(len(x_test), -1).astype(np.float32) / 255
    if quick:
        x, y, x_test, y_test = x[:3000], y[:3000], x_test[:1000], y_test[:1000]
    return x, y, x_test, y_test


def labelled_subset(y: np.ndarray, n: int, seed: int) -> np.ndarray:
    """``n // 10`` random indices of each of the 10 classes."""
    rng = np.random.default_rng(seed)
    return np.concatenate([rng.choice(np.flatnonzero(y == c), n // 10, replace=False)
                           for c in range(10)])


def finetune(model: keras.Model, x, y, x_test, y_test, args) -> float:
    model.compile(optimizer=keras.optimizers.Adam(args.finetune_learning_rate),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x, y, epochs=args.finetune_epochs, batch_size=32, verbose=0)
    return float(model.evaluate(x_test, y_test, verbose=0)[1])


def run_seed(seed: int, data: tuple, args) -> dict[str, float]:
    x, y, x_test, y_test = data
    chosen = labelled_subset(y, args.labels, seed)
    sizes = [x.shape[1], *args.hidden]
    dn.manual_seed(seed)
    start = time.perf_counter()
    dbn = DBN(sizes, learning_rate=args.pretrain_learning_rate, seed=seed,
              pretraining=args.pretraining)
    dbn.pretrain(x, epochs=args.pretrain_epochs, batch_size=args.pretrain_batch_size)  # no y
    pretrain_seconds = time.perf_counter() - start
    pretrained = finetune(dbn.to_classifier(10), x[chosen], y[chosen], x_test, y_test, args)
    dn.manual_seed(seed)
    random_init = keras.Sequential([layers.Input(shape=(sizes[0],)),
                                    *[layers.Dense(n, activation="sigmoid") for n in sizes[1:]],
                                    layers.Dense(10, activation="softmax")])
    baseline = finetune(random_init, x[chosen], y[chosen], x_test, y_test, args)
    return {"pretrained": pretrained, "random": baseline, "pretrain_seconds": pretrain_seconds}


def main(argv: list[str] | None = None) -> list[dict[str, float]]:
    args = parse(argv)
    data = load(args.quick)
    print(f"DBN {[784, *args.hidden]} ({args.pretraining} pretraining, "
          f"{args.pretrain_epochs} epochs on {len(data[0])} unlabelled images), fine-tuned "
          f"with Adam({args.finetune_learning_rate}) for {args.finetune_epochs} epochs on "
          f"{args.labels} labels; test accuracy on {len(data[2])} images")
    results = []
    for seed in args.seeds:
        r = run_seed(seed, data, args)
        results.append(r)
        print(f"  seed {seed}: pretrained {r['pretrained']:.4f}   random init "
              f"{r['random']:.4f}   (pretraining {r['pretrain_seconds']:.0f} s)", flush=True)
    for key in ("pretrained", "random"):
        values = [r[key] for r in results]
        spread = statistics.stdev(values) if len(values) > 1 else 0.0
        print(f"  {key:10s} mean {statistics.mean(values):.4f} ± {spread:.4f}")
    wins = sum(r["pretrained"] > r["random"] for r in results)
    print(f"  pretraining wins in {wins} of {len(results)} seeds")
    return results


if __name__ == "__main__":
    main()
