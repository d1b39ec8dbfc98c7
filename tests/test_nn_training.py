"""A PyTorch-tutorial training loop written against ``deepnum.nn`` learns, and follows
PyTorch's loss trajectory step for step when both start from the same weights."""

from __future__ import annotations

import numpy as np
import torch

import deepnum as dn
import deepnum.nn as nn


def _blobs(n=240, classes=3, seed=0):
    rng = np.random.default_rng(seed)
    centres = np.array([[0.0, 3.0], [3.0, -2.0], [-3.0, -2.0]])[:classes]
    y = rng.integers(0, classes, n)
    x = centres[y] + rng.normal(0, 0.7, (n, 2))
    return x.astype(np.float32), y


def _train(lib, model, x, y, epochs, lr=0.1, batch=32):
    criterion = lib.nn.CrossEntropyLoss()
    losses = []
    for _ in range(epochs):
        for i in range(0, len(x), batch):
            inputs, labels = lib.tensor(x[i:i + batch]), lib.tensor(y[i:i + batch])
            for p in model.parameters():
                p.grad = None
            loss = criterion(model(inputs), labels)
            loss.backward()
            with lib.no_grad():
                for p in model.parameters():
                    p -= lr * p.grad
            losses.append(loss.item())
    return losses


def test_tutorial_loop_decreases_the_loss_and_fits():
    dn.manual_seed(0)
    x, y = _blobs()
    model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 3))
    losses = _train(dn, model, x, y, epochs=15)
    assert np.mean(losses[-8:]) < 0.5 * np.mean(losses[:8])
    model.eval()
    with dn.no_grad():
        accuracy = (model(dn.tensor(x)).argmax(dim=1).numpy() == y).mean()
    assert accuracy > 0.85


def test_same_start_same_trajectory_as_torch():
    x, y = _blobs(96)
    torch.manual_seed(0)
    tm = torch.nn.Sequential(torch.nn.Linear(2, 8), torch.nn.Tanh(), torch.nn.Linear(8, 8),
                             torch.nn.LeakyReLU(0.1), torch.nn.Linear(8, 3)).double()
    dm = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 8), nn.LeakyReLU(0.1),
                       nn.Linear(8, 3)).double()
    dm.load_state_dict({k: v.numpy() for k, v in tm.state_dict().items()})
    x64 = x.astype(np.float64)
    ld = _train(dn, dm, x64, y, epochs=3)
    lt = _train(torch, tm, x64, y, epochs=3)
    np.testing.assert_allclose(ld, lt, rtol=1e-10)
    for (name, pd), pt in zip(dm.named_parameters(), tm.parameters(), strict=True):
        np.testing.assert_allclose(pd.detach().numpy(), pt.detach().numpy(), rtol=1e-9,
                                   err_msg=name)


def test_stacked_linear_layers_collapse_to_one_affine_map():
    first, second = nn.Linear(4, 6), nn.Linear(6, 3)
    x = dn.randn(5, 4)
    with dn.no_grad():
        deep = nn.Sequential(first, second)(x).numpy()
    w = second.weight.data @ first.weight.data
    b = second.weight.data @ first.bias.data + second.bias.data
    np.testing.assert_allclose(deep, x.numpy() @ w.T + b, rtol=1e-5, atol=1e-6)
