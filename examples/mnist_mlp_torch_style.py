"""The same 784-512-10 network, PyTorch style: modules, a loss, an optimizer, and the loop
written out (zero_grad, forward, loss, backward, step).

The code is what a PyTorch tutorial writes, with ``torch`` -> ``deepnum``.  The weights
start as Keras's do (Glorot uniform, zero biases) and RMSprop uses Keras's constants
(alpha = rho = 0.9, eps = 1e-7), so the result can be compared with mnist_mlp_keras.py.

Run:  python examples/mnist_mlp_torch_style.py [--dataset mnist|fashion-mnist|digits]
                                               [--epochs 5] [--limit N]
"""

from __future__ import annotations

import argparse

import numpy as np

import deepnum as dn
import deepnum.nn as nn
import deepnum.optim as optim
from deepnum.datasets import digits, fashion_mnist, mnist

DATASETS = {"mnist": mnist, "fashion-mnist": fashion_mnist, "digits": digits}


def make_model(pixels: int) -> nn.Sequential:
    model = nn.Sequential(nn.Linear(pixels, 512), nn.ReLU(), nn.Linear(512, 10))
    for layer in (model[0], model[2]):
        nn.init.xavier_uniform_(layer.weight)  # Keras's glorot_uniform
        nn.init.zeros_(layer.bias)
    return model


def train(model: nn.Module, images: np.ndarray, labels: np.ndarray, epochs: int,
          batch_size: int) -> None:
    criterion = nn.CrossEntropyLoss()
    optimizer = optim.RMSprop(model.parameters(), lr=1e-3, alpha=0.9, eps=1e-7)
    x_all, y_all = dn.from_numpy(images), dn.from_numpy(labels)
    for epoch in range(epochs):
        model.train()
        order = dn.random.generator("shuffle").permutation(len(images))  # torch.randperm
        total, correct = 0.0, 0
        for start in range(0, len(images), batch_size):
            index = order[start:start + batch_size]
            inputs, targets = x_all[index], y_all[index]
            optimizer.zero_grad()
            outputs = model(inputs)
            loss = criterion(outputs, targets)
            loss.backward()
            optimizer.step()
            total += loss.item() * len(index)
            correct += int((outputs.argmax(dim=1) == targets).sum().item())
        print(f"epoch {epoch + 1}/{epochs} - loss: {total / len(images):.4f} - "
              f"accuracy: {correct / len(images):.4f}")


def accuracy(model: nn.Module, images: np.ndarray, labels: np.ndarray) -> float:
    model.eval()
    with dn.no_grad():
        predicted = model(dn.from_numpy(images)).argmax(dim=1)
    return float((predicted.numpy() == labels).mean())


def main(argv: list[str] | None = None) -> float:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="mnist", choices=sorted(DATASETS))
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--limit", type=int, default=None, help="use the first N train images")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    dn.manual_seed(args.seed)

    try:
        (x_train, y_train), (x_test, y_test) = DATASETS[args.dataset].load_data()
    except dn.DeepnumError as error:
        hint = "(offline? try --dataset fashion-mnist or --dataset digits)"
        raise SystemExit(f"{error}\n{hint}") from None
    if args.limit:
        x_train, y_train = x_train[:args.limit], y_train[:args.limit]
    pixels = x_train.shape[1] * x_train.shape[2]
    x_train = x_train.reshape(len(x_train), pixels).astype(np.float32) / 255
    x_test = x_test.reshape(len(x_test), pixels).astype(np.float32) / 255
    y_train, y_test = y_train.astype(np.int64), y_test.astype(np.int64)

    model = make_model(pixels)
    print(model)
    train(model, x_train, y_train, args.epochs, args.batch_size)
    test_acc = accuracy(model, x_test, y_test)
    print(f"test accuracy: {test_acc:.4f}")
    return test_acc


if __name__ == "__main__":
    main()
