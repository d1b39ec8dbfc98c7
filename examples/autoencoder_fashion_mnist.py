"""An autoencoder compresses Fashion-MNIST better than PCA with as many components.

A 784-256-32-256-784 autoencoder (ReLU hidden layers, a linear 32-unit code, a sigmoid
output) is trained with Adam on the mean squared error to give back the 60,000 training
images (pixels scaled to [0, 1]).  Its reconstruction error on the 10,000 test images is
compared with that of PCA with 32 components (a linear autoencoder, the best one in squared
error) fitted on the training images by NumPy's SVD.  ``--noise-std`` or ``--mask-fraction``
trains a denoising autoencoder, ``--sparsity l1|kl`` a sparse one (the KL variant makes the
code a sigmoid layer).  Saves test images and both reconstructions as a PNG.

Run:  python examples/autoencoder_fashion_mnist.py [--epochs 20] [--out reconstructions.png]
      python examples/autoencoder_fashion_mnist.py --quick     # 5,000 images: seconds
(On a busy machine, OPENBLAS_NUM_THREADS=1 can be much faster.)
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import deepnum as dn
from deepnum.datasets import fashion_mnist
from deepnum.keras import layers, optimizers
from deepnum.unsupervised import Autoencoder
from deepnum.utils.image import tile, write_png


def pca_reconstruction(x_train: np.ndarray, x_test: np.ndarray, k: int) -> np.ndarray:
    """``x_test`` projected on the first ``k`` principal components of ``x_train`` and back:
    x̂ = μ + (x - μ) V_kᵀ V_k, with V_k the top right-singular vectors of x_train - μ."""
    mean = x_train.mean(axis=0, dtype=np.float64)
    _, _, vt = np.linalg.svd(x_train - mean, full_matrices=False)
    v = vt[:k]
    return mean + ((x_test - mean) @ v.T) @ v


def autoencoder(args: argparse.Namespace) -> Autoencoder:
    code = "sigmoid" if args.sparsity == "kl" else None
    encoder = [layers.Dense(args.hidden, activation="relu"),
               layers.Dense(args.code, activation=code)]
    decoder = [layers.Dense(args.hidden, activation="relu"),
               layers.Dense(784, activation="sigmoid")]
    return Autoencoder(encoder, decoder, noise_std=args.noise_std,
                       mask_fraction=args.mask_fraction, sparsity=args.sparsity,
                       seed=args.seed)


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--hidden", type=int, default=256)
    parser.add_argument("--code", type=int, default=32, help="code units = PCA components")
    parser.add_argument("--learning-rate", type=float, default=1e-3)
    parser.add_argument("--noise-std", type=float, default=None)
    parser.add_argument("--mask-fraction", type=float, default=None)
    parser.add_argument("--sparsity", choices=["l1", "kl"], default=None)
    parser.add_argument("--train", type=int, default=None, help="use the first N images")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default="reconstructions.png")
    parser.add_argument("--save", default=None, help="save the trained model (.dnm)")
    parser.add_argument("--quick", action="store_true", help="5,000 images, 3 epochs")
    args = parser.parse_args(argv)
    if args.quick:
        args.train, args.epochs = 5000, 3

    start = time.perf_counter()
    dn.manual_seed(args.seed)  # initial weights and fit's shuffling
    (x, _), (xt, _) = fashion_mnist.load_data()
    x = x[:args.train].reshape(-1, 784) / np.float32(255)
    xt = xt.reshape(-1, 784) / np.float32(255)
    print(f"Fashion-MNIST: {len(x)} training images, {len(xt)} test images")

    pca = pca_reconstruction(x, xt, args.code)
    pca_mse = float(((pca - xt) ** 2).mean())
    print(f"PCA, {args.code} components: test MSE {pca_mse:.5f}")

    ae = autoencoder(args)
    ae.compile(optimizer=optimizers.Adam(args.learning_rate), loss="mse")
    ae.fit(x, epochs=args.epochs, batch_size=args.batch_size, validation_data=xt, verbose=2)
    ae_reconstructions = ae.reconstruct(xt)
    ae_mse = float(((ae_reconstructions - xt) ** 2).mean())
    print(f"{ae!r}\n784-{args.hidden}-{args.code}-{args.hidden}-784 autoencoder: test MSE "
          f"{ae_mse:.5f} ({'lower' if ae_mse < pca_mse else 'NOT lower'} than PCA's "
          f"{pca_mse:.5f}, ratio {ae_mse / pca_mse:.3f})")
    if args.save:
        ae.save(args.save)
    rows = np.concatenate([xt[:10], ae_reconstructions[:10], pca[:10]]).reshape(-1, 28, 28)
    write_png(args.out, tile(rows, columns=10))
    seconds = time.perf_counter() - start
    print(f"rows: test images, autoencoder, PCA -> {args.out}; {seconds:.0f} s in all")
    return {"pca_mse": pca_mse, "autoencoder_mse": ae_mse, "seconds": seconds}


if __name__ == "__main__":
    main()
