"""The "hello world" of deep learning, Keras style: a 784-512-10 network on MNIST.

This is the classic Keras tutorial with one change, the import (``tensorflow`` ->
``deepnum``): load the images, scale them to [0, 1] as 784-vectors, stack two Dense layers,
compile with RMSprop and sparse categorical cross-entropy, fit 5 epochs in batches of 128,
then predict and evaluate.  Expect about 98.9 % train and 97.8 % test accuracy on MNIST.

Run:  python examples/mnist_mlp_keras.py [--dataset mnist|fashion-mnist|digits]
                                         [--epochs 5] [--limit N] [--save model.dnm]

MNIST is looked for locally, then downloaded; offline, ``--dataset fashion-mnist`` uses
Debian's copy (apt-get install dataset-fashion-mnist) and ``--dataset digits`` the small
set shipped with deepnum.  ``--limit N`` trains on the first N images (a quick run).
"""

from __future__ import annotations

import argparse

import deepnum as dn
from deepnum import keras
from deepnum.keras import layers
from deepnum.keras.datasets import digits, fashion_mnist, mnist

DATASETS = {"mnist": mnist, "fashion-mnist": fashion_mnist, "digits": digits}


def main(argv: list[str] | None = None) -> float:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="mnist", choices=sorted(DATASETS))
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--limit", type=int, default=None, help="use the first N train images")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--save", default=None, help="save the trained model to this file")
    args = parser.parse_args(argv)
    dn.manual_seed(args.seed)

    try:
        (train_images, train_labels), (test_images, test_labels) = \
            DATASETS[args.dataset].load_data()
    except dn.DeepnumError as error:
        hint = "(offline? try --dataset fashion-mnist or --dataset digits)"
        raise SystemExit(f"{error}\n{hint}") from None
    if args.limit:
        train_images, train_labels = train_images[:args.limit], train_labels[:args.limit]
    pixels = train_images.shape[1] * train_images.shape[2]

    model = keras.Sequential([
        layers.Dense(512, activation="relu"),
        layers.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])

    train_images = train_images.reshape((len(train_images), pixels)).astype("float32") / 255
    test_images = test_images.reshape((len(test_images), pixels)).astype("float32") / 255

    model.fit(train_images, train_labels, epochs=args.epochs, batch_size=args.batch_size)
    model.summary()

    test_digits = test_images[0:10]
    predictions = model.predict(test_digits)
    print(f"first test image: predicted {predictions[0].argmax()}, "
          f"probability {predictions[0].max():.3f}, true label {test_labels[0]}")

    test_loss, test_acc = model.evaluate(test_images, test_labels)
    print(f"test_acc: {test_acc:.4f}")
    if args.save:
        model.save(args.save)
        print(f"saved to {args.save}; reload with keras.models.load_model({args.save!r})")
    return test_acc


if __name__ == "__main__":
    main()
