"""A GAN learns Fashion-MNIST; its Fréchet distance to the test images falls as it trains.

Multilayer perceptrons for both networks (the generator ends with tanh, so the images are
scaled to [-1, 1]; the discriminator has dropout), trained with the non-saturating loss and
Adam(2e-4, β₁ = 0.5), both learning rates decaying to 0 along a cosine over the run; the
generator's weights are also averaged over the updates (an exponential moving average,
momentum 0.999), and the averaged generator is the one scored and sampled.  The score is
the Fréchet distance between Gaussians fitted to features of real test images and of
generated ones (FID, with a deepnum classifier in place of Inception): the features are the
last hidden layer of an MLP trained here, with the Keras door, to classify the same images.
It is printed for the untrained generator and after every ``--every`` epochs, always on the
same latent vectors.  A grid of samples is saved as a PNG.

Run:  python examples/gan_fashion_mnist.py [--epochs 20] [--out gan_samples.png]
      python examples/gan_fashion_mnist.py --quick      # 5,000 images, 3 epochs: seconds
(On a busy machine, OPENBLAS_NUM_THREADS=1 can be much faster.)
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import deepnum as dn
from deepnum import datasets, keras
from deepnum.keras import layers
from deepnum.unsupervised import GAN
from deepnum.unsupervised.fid import feature_distance
from deepnum.utils.image import tile, write_png


def load(n_train: int | None, n_test: int | None) -> tuple:
    """Fashion-MNIST flattened and scaled to [-1, 1], with the labels."""
    (x, y), (xt, yt) = datasets.fashion_mnist.load_data()
    x = (x[:n_train].reshape(-1, 784) / np.float32(127.5) - 1).astype(np.float32)
    xt = (xt[:n_test].reshape(-1, 784) / np.float32(127.5) - 1).astype(np.float32)
    return x, y[:n_train], xt, yt[:n_test]


def feature_network(x: np.ndarray, y: np.ndarray, xt: np.ndarray, yt: np.ndarray,
                    width: int, epochs: int = 5) -> keras.Sequential:
    """The MLP whose last hidden layer gives the features; prints its test accuracy."""
    features = keras.Sequential([keras.Input(shape=(x.shape[1],)),
                                 layers.Dense(2 * width, activation="relu"),
                                 layers.Dense(width, activation="relu")])
    classifier = keras.Sequential([features, layers.Dense(10, activation="softmax")])
    classifier.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                       metrics=["accuracy"])
    classifier.fit(x, y, epochs=epochs, batch_size=128, verbose=0)
    _, accuracy = classifier.evaluate(xt, yt, verbose=0)
    print(f"feature network: test accuracy {accuracy:.4f} (features: its {width}-unit "
          "last hidden layer)")
    return features


def networks(n_pixels: int, latent: int, width: int) -> tuple[list, list]:
    generator = [layers.Dense(width, input_shape=(latent,)), layers.LeakyReLU(0.2),
                 layers.Dense(2 * width), layers.LeakyReLU(0.2),
                 layers.Dense(n_pixels, activation="tanh")]
    # Dropout in D: without it D overfits and G drops modes after ~10 epochs (trousers fall
    # to 1 % of the samples and the Fréchet distance rises again from 29 to 35-43).
    discriminator = [layers.Dense(2 * width), layers.LeakyReLU(0.2), layers.Dropout(0.3),
                     layers.Dense(width), layers.LeakyReLU(0.2), layers.Dropout(0.3),
                     layers.Dense(1)]
    return generator, discriminator


class FrechetScore(keras.callbacks.Callback):
    """Adds "fid" to the logs every ``every`` epochs: the Fréchet distance between the
    features of the real images and of ``n`` samples from the same latent vectors."""

    def __init__(self, features: keras.Sequential, real: np.ndarray, n: int, every: int) -> None:
        super().__init__()
        self.features, self.n, self.every = features, n, every
        self.real = features.predict(real, batch_size=1000, verbose=0)

    def score(self, gan: GAN) -> float:
        fakes = gan.sample(self.n, seed=np.random.default_rng(1234))  # the same z every time
        generated = self.features.predict(fakes, batch_size=1000, verbose=0)
        return feature_distance(self.real, generated)

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        if (epoch + 1) % self.every == 0 and logs is not None:
            logs["fid"] = self.score(self.model)
            print(f"Fréchet distance after epoch {epoch + 1}: {logs['fid']:.2f}")


def main(argv: list[str] | None = None) -> dict[str, list]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--latent", type=int, default=64)
    parser.add_argument("--width", type=int, default=256, help="hidden units (and twice that)")
    parser.add_argument("--every", type=int, default=2, help="epochs between two scores")
    parser.add_argument("--train", type=int, default=None, help="use the first N images")
    parser.add_argument("--test", type=int, default=None,
                        help="score against the first N test images (as many samples)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--ema", type=float, default=None,
                        help="momentum of the moving average of G's weights (0: none; "
                             "default 0.999, 0.99 with --quick)")
    parser.add_argument("--out", default="gan_samples.png")
    parser.add_argument("--no-decay", action="store_true",
                        help="constant learning rates (default: cosine decay to 0)")
    parser.add_argument("--quick", action="store_true",
                        help="5,000 images, smaller networks, 3 epochs, constant rates, "
                             "EMA momentum 0.99")
    args = parser.parse_args(argv)
    if args.ema is None:
        args.ema = 0.99 if args.quick else 0.999
    if args.quick:
        args.train, args.test, args.epochs, args.every = 5000, 1000, 3, 1
        args.width, args.latent, args.batch_size, args.no_decay = 128, 32, 32, True

    start = time.perf_counter()
    dn.manual_seed(args.seed)  # initial weights and fit's shuffling
    x, y, xt, yt = load(args.train, args.test)
    print(f"Fashion-MNIST: {len(x)} training images, {len(xt)} test images")
    features = feature_network(x, y, xt, yt, args.width // 2)
    score = FrechetScore(features, xt, len(xt), args.every)

    generator, discriminator = networks(x.shape[1], args.latent, args.width)
    gan = GAN(generator, discriminator, latent_dim=args.latent, seed=args.seed)
    # G's weights are also averaged (EMA, Yazıcı et al. 2019); the scores and the grid
    # sample from the averaged generator (--ema 0: the last iterate).
    # Both learning rates decay to 0 along a cosine over the run (--no-decay: constant).
    steps = args.epochs * -(-len(x) // args.batch_size)

    def rate() -> float | keras.optimizers.schedules.CosineDecay:
        return 2e-4 if args.no_decay else keras.optimizers.schedules.CosineDecay(2e-4, steps)

    d_optimizer = keras.optimizers.Adam(rate(), beta_1=0.5)
    g_optimizer = keras.optimizers.Adam(rate(), beta_1=0.5, use_ema=args.ema > 0,
                                        ema_momentum=args.ema or 0.99)
    gan.compile(d_optimizer, g_optimizer)
    untrained = score.score(gan)
    print(f"Fréchet distance of the untrained generator: {untrained:.2f}")
    history = gan.fit(x, epochs=args.epochs, batch_size=args.batch_size, verbose=2,
                      callbacks=[score]).history
    scored = [((i + 1) * args.every, f) for i, f in enumerate(history.get("fid", []))]
    print("Fréchet distance per epoch: " + ", ".join(f"{e}: {f:.2f}" for e, f in
                                                     [(0, untrained), *scored]))
    samples = gan.sample(64, seed=np.random.default_rng(1234))
    write_png(args.out, tile((samples.reshape(-1, 28, 28) + 1) / 2, columns=8))
    print(f"saved 64 samples to {args.out}; {time.perf_counter() - start:.0f} s in all")
    return {"epochs": [0, *(e for e, _ in scored)],
            "fid": [untrained, *(f for _, f in scored)]}


if __name__ == "__main__":
    main()
