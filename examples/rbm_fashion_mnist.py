"""A restricted Boltzmann machine on binarized Fashion-MNIST.

Trains RBM(784, 256) by CD-1 on the 60,000 training images (pixels x/255 > 0.5), then reports
on the 10,000 test images: the reconstruction error, the exact pseudo-likelihood (on the
first 1,000), and the average log-likelihood log p(v) = -F(v) - log Z, with log Z estimated
by annealed importance sampling (100 chains, 10,000 inverse temperatures, from the base-rate
model of the training data).  Writes the filters and Gibbs samples as PNG grids.

    python examples/rbm_fashion_mnist.py [--hidden 256] [--epochs 10] [--batch-size 20]
                                         [--persistent] [--k 1] [--out rbm_fashion_mnist]
                                         [--save rbm.dnm]
    python examples/rbm_fashion_mnist.py --quick     # a small subset, seconds
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np

import deepnum as dn
from deepnum.datasets import fashion_mnist
from deepnum.unsupervised import RBM
from deepnum.utils.image import tile, write_png


def parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--hidden", type=int, default=256)
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--batch-size", type=int, default=20)
    p.add_argument("--learning-rate", type=float, default=0.1)
    p.add_argument("--k", type=int, default=1, help="Gibbs steps of CD-k")
    p.add_argument("--persistent", action="store_true", help="persistent CD")
    p.add_argument("--chains", type=int, default=100, help="AIS chains")
    p.add_argument("--betas", type=int, default=10000, help="AIS inverse temperatures")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", default="rbm_fashion_mnist", help="directory for the PNG grids")
    p.add_argument("--save", help="save the trained RBM there (keras.models.load_model)")
    p.add_argument("--quick", action="store_true", help="2,000 images, 2 epochs, short AIS")
    args = p.parse_args(argv)
    if args.quick:
        args.hidden, args.epochs, args.betas, args.chains = 32, 2, 500, 20
    return args


def main(argv: list[str] | None = None) -> dict[str, float]:
    args = parse(argv)
    (x, _), (x_test, _) = fashion_mnist.load_data()
    x = (x.reshape(len(x), -1) / 255 > 0.5).astype(np.float32)
    x_test = (x_test.reshape(len(x_test), -1) / 255 > 0.5).astype(np.float32)
    if args.quick:
        x, x_test = x[:2000], x_test[:500]
    dn.manual_seed(args.seed)
    rbm = RBM(784, args.hidden, k=args.k, persistent=args.persistent,
              learning_rate=args.learning_rate, seed=args.seed)
    print(f"{rbm} on {len(x)} binarized images, batch {args.batch_size}, "
          f"lr {args.learning_rate}")
    start = time.perf_counter()
    rbm.fit(x, epochs=args.epochs, batch_size=args.batch_size, verbose=2)
    print(f"trained in {time.perf_counter() - start:.1f} s")
    if args.save:
        rbm.save(args.save)

    results = {"reconstruction_error": rbm.reconstruction_error(x_test),
               "pseudo_likelihood": float(rbm.pseudo_likelihood(x_test[:1000], "exact").mean())}
    start = time.perf_counter()
    log_z = rbm.log_partition(n_chains=args.chains, n_betas=args.betas, seed=args.seed)
    results.update(log_z=log_z.log_z, log_z_std_error=log_z.std_error,
                   test_log_likelihood=rbm.log_likelihood(x_test, log_z),
                   train_log_likelihood=rbm.log_likelihood(x[:len(x_test)], log_z))
    print(f"test reconstruction error (mean-field, per pixel): "
          f"{results['reconstruction_error']:.4f}")
    print(f"test pseudo-likelihood (exact, first 1000): {results['pseudo_likelihood']:.2f} nats")
    print(f"AIS: log Z = {log_z.log_z:.2f} ± {log_z.std_error:.2f} (3σ interval "
          f"[{log_z.low:.2f}, {log_z.high:.2f}], {args.chains} chains, {args.betas} betas, "
          f"{log_z.effective_chains:.1f} effective chains, "
          f"{time.perf_counter() - start:.0f} s)")
    print(f"average log-likelihood: test {results['test_log_likelihood']:.2f} nats, "
          f"train {results['train_log_likelihood']:.2f} nats")

    os.makedirs(args.out, exist_ok=True)
    filters = rbm.kernel.data.T[:64].reshape(-1, 28, 28)
    lo, hi = filters.min(axis=(1, 2), keepdims=True), filters.max(axis=(1, 2), keepdims=True)
    write_png(os.path.join(args.out, "filters.png"), tile((filters - lo) / (hi - lo + 1e-12)))
    samples = rbm.sample(64, steps=1000 if not args.quick else 50, seed=args.seed)
    write_png(os.path.join(args.out, "samples.png"), tile(samples.reshape(-1, 28, 28)))
    print(f"wrote {args.out}/filters.png and {args.out}/samples.png")
    return results


if __name__ == "__main__":
    main()
