"""``deepnum train --dataset fashion-mnist`` on the real data (Debian's
``dataset-fashion-mnist``); skipped without it, failed when DEEPNUM_REQUIRE_REAL_DATA=1."""

from __future__ import annotations

import numpy as np
from cli_support import run, scores
from conftest import fashion_mnist_or_skip

from deepnum.datasets import fashion_mnist
from deepnum.utils.image import write_png


def test_one_epoch_of_fashion_mnist(tmp_path):
    (_, _), (x_test, y_test) = fashion_mnist_or_skip()
    empty = tmp_path / "empty"
    empty.mkdir()
    # an empty --data-dir: a one-line warning, then the data set from where it is installed
    result = run("train", "--dataset", "fashion-mnist", "--epochs", "1", "--seed", "0",
                 "--data-dir", empty, "--save", "fashion.dnm", cwd=tmp_path,
                 env={"XDG_CACHE_HOME": str(tmp_path / "cache"), "DEEPNUM_OFFLINE": "1"})
    assert result.returncode == 0, result.stderr
    warning = result.stderr.splitlines()
    assert len(warning) == 1 and warning[0].startswith("deepnum: warning: Fashion-MNIST: path=")
    out = result.stdout
    assert out.startswith("fashion-mnist: 60000 training, 0 validation and 10000 test images "
                          "of 28x28, 10 classes\n")
    assert "MLP 784-512-10: dataset fashion-mnist, epochs 1, batch size 128" in out
    loss, accuracy = scores(out, "test")
    assert 0.75 <= accuracy < 1 and loss < 0.7  # one epoch: about 0.82

    evaluated = run("evaluate", tmp_path / "fashion.dnm")
    assert evaluated.returncode == 0, evaluated.stderr
    assert f"  test       loss {loss:.4f}  accuracy {accuracy:.4f}" in evaluated.stdout

    # a garment as a light-on-dark PNG (as the data set): kept, named with its class
    write_png(tmp_path / "item.png", x_test[0])
    predicted = run("predict", tmp_path / "fashion.dnm", tmp_path / "item.png", "--top", "10")
    assert predicted.returncode == 0, predicted.stderr
    assert "28x28 image, dark background" in predicted.stdout
    assert "inverted" not in predicted.stdout
    names = [f"{name} (class {c})" for c, name in enumerate(fashion_mnist.CLASS_NAMES)]
    listed = [line.split(". ", 1)[1].rsplit(" ", 1)[0].strip()
              for line in predicted.stdout.splitlines()[1:]]
    assert sorted(listed) == sorted(names)
    np.save(tmp_path / "items.npy", x_test[:200])
    batch = run("predict", tmp_path / "fashion.dnm", tmp_path / "items.npy", "--top", "1")
    tops = [line.split(". ", 1)[1] for line in batch.stdout.splitlines() if "1. " in line]
    right = [top.split(" (class ")[1].split(")")[0] == str(y) for top, y in zip(
        tops, y_test[:200], strict=True)]
    assert np.mean(right) >= 0.7
