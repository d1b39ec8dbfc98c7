"""The tutorial, for real: the 784-512-10 network on Debian's Fashion-MNIST, 5 epochs of
RMSprop in batches of 128, through the Keras door, against PyTorch 2.13 on the same setup
(same initial weights, Keras's RMSprop constants, cross-entropy on the logits) and against
deepnum's PyTorch door; plus the two example scripts on a quick subset.

The real-data test is skipped when Fashion-MNIST is not installed, unless
``DEEPNUM_REQUIRE_REAL_DATA=1`` (CI sets it): then its absence is a failure.  It trains
nine networks (three seeds, three frameworks) for 5 epochs: about two minutes on two
cores.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

import deepnum as dn
from deepnum import keras
from deepnum.errors import NotFoundError
from deepnum.keras import layers

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
SEEDS = (0, 1, 2)


def _example(name):
    spec = importlib.util.spec_from_file_location(name, EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# ----- the examples -------------------------------------------------------------------------
def test_keras_example_runs_the_tutorial_code(capsys):
    acc = _example("mnist_mlp_keras").main(["--dataset", "digits", "--epochs", "3"])
    out = capsys.readouterr().out
    assert "Epoch 3/3" in out and "Total params: 38,410" in out and "test_acc: " in out
    assert "first test image: predicted" in out
    assert acc > 0.7  # 8x8 digits after 3 epochs


def test_torch_style_example_runs_the_loop(capsys):
    acc = _example("mnist_mlp_torch_style").main(["--dataset", "digits", "--epochs", "3"])
    out = capsys.readouterr().out
    assert "epoch 3/3 - loss: " in out and "Linear(in_features=64, out_features=512" in out
    assert acc > 0.7


def test_keras_example_as_a_script_saves_a_loadable_model(tmp_path):
    path = tmp_path / "digits.dnm"
    run = subprocess.run([sys.executable, str(EXAMPLES / "mnist_mlp_keras.py"), "--dataset",
                          "digits", "--epochs", "1", "--save", str(path)],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert run.stdout.count("\n") > 5 and "\r" not in run.stdout  # not a terminal
    model = keras.models.load_model(path)
    assert model.predict(np.zeros((1, 64)), verbose=0).shape == (1, 10)


# ----- the real thing -----------------------------------------------------------------------
@pytest.fixture(scope="module")
def fashion():
    old = os.environ.get("DEEPNUM_OFFLINE")
    os.environ["DEEPNUM_OFFLINE"] = "1"  # find it installed, never download it here
    try:
        (x, y), (xt, yt) = keras.datasets.fashion_mnist.load_data()
    except NotFoundError as error:
        if os.environ.get("DEEPNUM_REQUIRE_REAL_DATA") == "1":
            pytest.fail(f"Fashion-MNIST is required (DEEPNUM_REQUIRE_REAL_DATA=1): {error}")
        pytest.skip(f"Fashion-MNIST is not installed: {error}")
    finally:
        if old is None:
            del os.environ["DEEPNUM_OFFLINE"]
        else:
            os.environ["DEEPNUM_OFFLINE"] = old
    return (x.reshape(60000, 784).astype("float32") / 255, y.astype(np.int64),
            xt.reshape(10000, 784).astype("float32") / 255, yt.astype(np.int64))


def _keras(seed, x, y, xt, yt):
    dn.manual_seed(seed)
    model = keras.Sequential([layers.Dense(512, activation="relu"),
                              layers.Dense(10, activation="softmax")])
    model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    model.build((None, 784))
    start = model.get_weights()
    history = model.fit(x, y, epochs=5, batch_size=128, verbose=0)
    assert history.history["accuracy"][-1] > history.history["accuracy"][0]
    return model.evaluate(xt, yt, verbose=0)[1], start


def _torch(seed, start, x, y, xt, yt):
    dn.manual_seed(seed)  # the same batches as fit: permutations from deepnum's shuffle stream
    net = torch.nn.Sequential(torch.nn.Linear(784, 512), torch.nn.ReLU(),
                              torch.nn.Linear(512, 10))
    with torch.no_grad():
        for layer, kernel, bias in ((net[0], start[0], start[1]), (net[2], start[2], start[3])):
            layer.weight.copy_(torch.from_numpy(kernel.T.copy()))
            layer.bias.copy_(torch.from_numpy(bias))
    optimizer = torch.optim.RMSprop(net.parameters(), lr=1e-3, alpha=0.9, eps=1e-7)
    criterion = torch.nn.CrossEntropyLoss()
    xs, ys = torch.from_numpy(x), torch.from_numpy(y)
    for _ in range(5):
        order = torch.from_numpy(dn.random.generator("shuffle").permutation(len(xs)))
        for lo in range(0, len(xs), 128):
            index = order[lo:lo + 128]
            optimizer.zero_grad()
            criterion(net(xs[index]), ys[index]).backward()
            optimizer.step()
    with torch.no_grad():
        return (net(torch.from_numpy(xt)).argmax(1).numpy() == yt).mean()


def _pytorch_door(seed, start, x, y, xt, yt):
    dn.manual_seed(seed)
    net = dn.nn.Sequential(dn.nn.Linear(784, 512), dn.nn.ReLU(), dn.nn.Linear(512, 10))
    net.load_state_dict({"0.weight": start[0].T, "0.bias": start[1], "2.weight": start[2].T,
                         "2.bias": start[3]})
    optimizer = dn.optim.RMSprop(net.parameters(), lr=1e-3, alpha=0.9, eps=1e-7)
    criterion = dn.nn.CrossEntropyLoss()
    xs, ys = dn.from_numpy(x), dn.from_numpy(y)
    for _ in range(5):
        order = dn.random.generator("shuffle").permutation(len(x))
        for lo in range(0, len(x), 128):
            index = order[lo:lo + 128]
            optimizer.zero_grad()
            criterion(net(xs[index]), ys[index]).backward()
            optimizer.step()
    with dn.no_grad():
        return (net(dn.from_numpy(xt)).argmax(dim=1).numpy() == yt).mean()


def test_tutorial_on_fashion_mnist_matches_pytorch(fashion):
    """Per seed, the three runs share the initial weights and the batches, so they differ
    only by the framework (and Keras's RMSprop putting epsilon inside the square root);
    over seeds, the median difference must stay within 0.6 points."""
    x, y, xt, yt = fashion
    runs = []
    for seed in SEEDS:
        acc, start = _keras(seed, x, y, xt, yt)
        runs.append((acc, _torch(seed, start, x, y, xt, yt),
                     _pytorch_door(seed, start, x, y, xt, yt)))
    keras_acc, torch_acc, door_acc = (np.array(r) for r in zip(*runs, strict=True))
    summary = f"keras door {keras_acc}, PyTorch {torch_acc}, PyTorch door {door_acc}"
    assert np.median(keras_acc) > 0.85 and np.median(torch_acc) > 0.85, summary
    assert abs(np.median(keras_acc - torch_acc)) <= 0.006, summary
    assert abs(np.median(door_acc - keras_acc)) <= 0.006, summary
