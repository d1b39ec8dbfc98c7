"""A Helmholtz machine learns handwritten digits by the wake-sleep algorithm.

Binarizes the 8×8 digits shipped with deepnum (pixel > 50 %), trains a [64, 32, 16]
Helmholtz machine, and prints the importance-sampled log-likelihood of the *test* images
before and after training, next to the baseline of independent pixels.  Saves a grid of
samples dreamed by the generative model as a PNG (deepnum.utils.image: no extra dependency).
With ``--dataset fashion-mnist`` it uses Debian's Fashion-MNIST and a [784, 200, 50] machine.

Run:  python examples/wake_sleep.py [--epochs 100] [--dataset digits|fashion-mnist]
"""

from __future__ import annotations

import argparse

import numpy as np

import deepnum as dn
from deepnum import datasets
from deepnum.unsupervised import HelmholtzMachine
from deepnum.unsupervised.helmholtz import binarize
from deepnum.utils.image import tile, write_png


def independent_pixels(x_train: np.ndarray, x_test: np.ndarray) -> float:
    """Mean log-likelihood of the test images under independent Bernoulli pixels."""
    p = (x_train.sum(axis=0) + 1) / (len(x_train) + 2)
    return float((x_test * np.log(p) + (1 - x_test) * np.log(1 - p)).sum(axis=1).mean())


def load(name: str, n_test: int) -> tuple[np.ndarray, np.ndarray, list[int], int]:
    """Binarized, flattened train and test images, the layer sizes and the image side."""
    (x_train, _), (x_test, _) = datasets.load(name)
    side = x_train.shape[1]
    sizes = [64, 32, 16] if name == "digits" else [784, 200, 50]
    x_train = binarize(x_train.reshape(len(x_train), -1))
    x_test = binarize(x_test.reshape(len(x_test), -1))[:n_test]
    return x_train, x_test, sizes, side


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="digits", choices=["digits", "fashion-mnist"])
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument("--batch-size", type=int, default=10)
    parser.add_argument("--learning-rate", type=float, default=0.1)
    parser.add_argument("--samples", type=int, default=500, help="K of the log p(x) estimate")
    parser.add_argument("--test", type=int, default=1000, help="test images to evaluate")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default="wake_sleep_samples.png")
    args = parser.parse_args()

    dn.manual_seed(args.seed)  # fit's shuffling
    x_train, x_test, sizes, side = load(args.dataset, args.test)
    hm = HelmholtzMachine(sizes, learning_rate=args.learning_rate, seed=args.seed,
                          log_likelihood_samples=100)
    print(f"{args.dataset}: {len(x_train)} training and {len(x_test)} test images, "
          f"binarized at 50 %; HelmholtzMachine({sizes}, learning_rate={args.learning_rate})")
    before = hm.log_likelihood(x_test, n_samples=args.samples, seed=0).mean()
    history = hm.fit(x_train, epochs=args.epochs, batch_size=args.batch_size,
                     validation_data=(x_test, None),
                     validation_freq=max(1, args.epochs // 5), verbose=2)
    after = hm.log_likelihood(x_test, n_samples=args.samples, seed=0).mean()
    print(f"\nlog p(x) of the test images, nats per image (importance sampling, "
          f"K = {args.samples}):")
    rows = {"before training": before, f"after {args.epochs} epochs of wake-sleep": after,
            "independent pixels (baseline)": independent_pixels(x_train, x_test)}
    for label, value in rows.items():
        print(f"  {label:<36} {value:8.2f}")
    print("validation estimates (K = 100) during training:",
          ", ".join(f"{v:.2f}" for v in history.history["val_log_likelihood"]))
    dreams = hm.sample(50, seed=0, probabilities=True).reshape(-1, side, side)
    zoomed = np.kron(dreams, np.ones((1, 4, 4)))  # pixels 4× bigger
    write_png(args.out, 1.0 - tile(zoomed, columns=10))  # dark strokes on white
    print(f"50 dreamed samples, p(pixel on), saved to {args.out}")


if __name__ == "__main__":
    main()
