"""Logic gates, from the McCulloch–Pitts neuron to backpropagation.

1. McCulloch–Pitts neurons (1943) compute AND, OR and NOT with hand-set weights.
2. Rosenblatt's perceptron (1958) *learns* AND and OR with the perceptron rule...
3. ...but not XOR, whose two classes no straight line separates: it warns and gives up.
4. Two layers of sigmoid-like units trained by backpropagation (1986) solve XOR.

Run:  python examples/perceptron_logic_gates.py
"""

from __future__ import annotations

import warnings

import numpy as np

import deepnum as dn
from deepnum.classic import ConvergenceWarning, McCullochPittsNeuron, Perceptron

INPUTS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
GATES = {"AND": [0, 0, 0, 1], "OR": [0, 1, 1, 1], "XOR": [0, 1, 1, 0]}


def show_mcculloch_pitts() -> None:
    print("== McCulloch-Pitts neurons (weights set by hand) ==")
    neurons = {
        "AND": McCullochPittsNeuron.and_gate(),
        "OR": McCullochPittsNeuron.or_gate(),
        "NOT": McCullochPittsNeuron.not_gate(),  # one inhibitory input, threshold 0
    }
    for name, neuron in neurons.items():
        print(f"{name}: {neuron}")
        for *x, out in neuron.truth_table().tolist():
            print(f"   {x} -> {out}")


def show_perceptron() -> None:
    print("== Perceptron (weights learned by the perceptron rule) ==")
    for name, labels in GATES.items():
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ConvergenceWarning)
            p = Perceptron(max_epochs=20).fit(INPUTS, labels)
        print(
            f"{name}: converged={p.converged_} after {p.n_epochs_} epochs, "
            f"w={p.weights.tolist()}, b={p.bias:g}, errors per epoch={p.errors_}"
        )
        print(f"   predictions {p.predict(INPUTS).tolist()} (target {labels}), "
              f"accuracy {p.score(INPUTS, labels):.0%}")
        for w in caught:
            print(f"   {w.category.__name__}: {w.message}")


def train_xor_network(
    seed: int = 0, hidden: int = 4, learning_rate: float = 0.5, epochs: int = 1000
) -> tuple[list[dn.Tensor], list[float]]:
    """A 2-``hidden``-1 network, tanh then sigmoid, trained on XOR by full-batch gradient descent.

    Forward: ``p = σ(tanh(X W₁ + b₁) W₂ + b₂)``; loss: binary cross-entropy averaged over the
    4 points; ``loss.backward()`` fills every ``.grad``; the step ``θ ← θ − η ∂loss/∂θ``
    runs under ``no_grad`` so it is not recorded.  Returns the parameters and the losses.
    """
    dn.manual_seed(seed)
    X = dn.tensor(INPUTS, dtype=dn.float32)
    y = dn.tensor(GATES["XOR"], dtype=dn.float32).reshape(4, 1)
    W1 = dn.randn(2, hidden, requires_grad=True)
    b1 = dn.zeros(hidden, requires_grad=True)
    W2 = dn.randn(hidden, 1, requires_grad=True)
    b2 = dn.zeros(1, requires_grad=True)
    params = [W1, b1, W2, b2]
    losses = []
    for _ in range(epochs):
        p = xor_network(params, X)
        loss = -(y * dn.log(p) + (1 - y) * dn.log(1 - p)).mean()
        for t in params:
            t.grad = None
        loss.backward()
        with dn.no_grad():
            for t in params:
                t -= learning_rate * t.grad
        losses.append(loss.item())
    return params, losses


def xor_network(params: list[dn.Tensor], X: dn.Tensor) -> dn.Tensor:
    """The probability of class 1 for each row of X, shape (n, 1)."""
    W1, b1, W2, b2 = params
    return dn.sigmoid(dn.tanh(X @ W1 + b1) @ W2 + b2)


def show_backprop() -> None:
    print("== Two-layer network trained by backpropagation ==")
    params, losses = train_xor_network()
    with dn.no_grad():
        probs = xor_network(params, dn.tensor(INPUTS, dtype=dn.float32)).numpy().ravel()
    predicted = (probs > 0.5).astype(int)
    accuracy = np.mean(predicted == GATES["XOR"])
    print(f"XOR: loss {losses[0]:.3f} -> {losses[-1]:.4f} in {len(losses)} steps")
    for x, pr, c in zip(INPUTS.tolist(), probs, predicted, strict=True):
        print(f"   {x} -> p={pr:.3f} -> {c}")
    print(f"XOR network accuracy: {accuracy:.0%}")


if __name__ == "__main__":
    show_mcculloch_pitts()
    show_perceptron()
    show_backprop()
