"""Rosenblatt's perceptron (1958) and the perceptron learning rule."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from ..errors import DataError, StateError
from ..random import make_generator
from ._checks import as_samples, binary_labels


class ConvergenceWarning(UserWarning):
    """Training stopped at its epoch limit before the training data were classified exactly."""


class Perceptron:
    """A linear threshold unit ``f(x) = 1 if w·x + b > 0 else 0`` trained by the perceptron rule.

    Training visits the examples one at a time (in order, or reshuffled every epoch with
    ``shuffle=True``), starting from ``w = 0, b = 0``, and after each prediction ŷ of label y::

        w ← w + η (y − ŷ) x
        b ← b + η (y − ŷ)

    so nothing changes when the prediction is right, and a mistake moves the boundary toward
    the misclassified example.  Training stops after the first epoch without a mistake
    (``converged_ = True``).  If the classes are linearly separable with margin γ by a unit
    vector, and every ``(x, 1)`` has norm at most R, this happens after at most (R/γ)²
    mistakes whatever η is (Novikoff, 1962).  Otherwise (XOR) it never happens: after
    ``max_epochs`` training stops with ``converged_ = False`` and a :class:`ConvergenceWarning`.

    Labels may be 0/1 or -1/1 (Rosenblatt's convention): -1 is treated as 0, and ``predict``
    answers in the encoding ``fit`` received (``classes_``, (0, 1) or (-1, 1)).

    Args:
        learning_rate: η > 0.  From zero weights it only scales w and b (the predictions and
            the number of epochs do not depend on it).
        max_epochs: the most passes over the training data.
        shuffle: visit the examples in a new random order every epoch.
        seed: for the shuffling (an integer, a NumPy Generator, or None for deepnum's global
            "shuffle" stream).

    Shapes: X (n_samples, n_features), y (n_samples,); ``weights`` (n_features,) float64.

    >>> p = Perceptron().fit([[0, 0], [0, 1], [1, 0], [1, 1]], [0, 0, 0, 1])   # AND
    >>> p.predict([[0, 0], [0, 1], [1, 0], [1, 1]]).tolist(), p.converged_
    ([0, 0, 0, 1], True)
    >>> p.weights.tolist(), p.bias, p.errors_
    ([2.0, 1.0], -2.0, [1, 3, 3, 2, 1, 0])
    """

    def __init__(
        self,
        learning_rate: float = 1.0,
        max_epochs: int = 100,
        shuffle: bool = False,
        seed: int | np.random.Generator | None = None,
    ) -> None:
        if isinstance(learning_rate, bool) or not (
            isinstance(learning_rate, int | float | np.number)
            and np.isfinite(learning_rate)
            and learning_rate > 0
        ):
            raise ValueError(
                f"Perceptron: learning_rate must be a positive number, got {learning_rate!r}"
            )
        if (
            isinstance(max_epochs, bool)
            or not isinstance(max_epochs, int | np.integer)
            or max_epochs < 1
        ):
            raise ValueError(
                f"Perceptron: max_epochs must be a positive integer, got {max_epochs!r}"
            )
        self.learning_rate = float(learning_rate)
        self.max_epochs = int(max_epochs)
        self.shuffle = bool(shuffle)
        self.seed = seed
        # an integer seed gets a private generator now; None means the global stream, looked
        # up at fit time so that a later deepnum.manual_seed still applies
        self._rng = None if seed is None else make_generator(seed, "shuffle")
        self.weights: np.ndarray | None = None
        self.bias: float | None = None

    def fit(self, X: Any, y: Any) -> Perceptron:
        """Train from zero weights on X (n_samples, n_features) and labels y; returns self."""
        X, _ = as_samples(X, "Perceptron.fit", "X", allow_vector=False)
        targets, self.classes_ = binary_labels(y, X.shape[0], "Perceptron.fit")
        eta = self.learning_rate
        w = np.zeros(X.shape[1], dtype=np.float64)
        b = 0.0
        self.errors_: list[int] = []
        self.converged_ = False
        order = np.arange(X.shape[0])
        rng = self._rng
        if self.shuffle and rng is None:
            rng = make_generator(None, "shuffle")
        for _ in range(self.max_epochs):
            if self.shuffle:
                order = rng.permutation(X.shape[0])
            mistakes = 0
            for i in order:
                predicted = 1 if X[i] @ w + b > 0 else 0
                change = targets[i] - predicted
                if change:
                    w += (eta * change) * X[i]
                    b += eta * change
                    mistakes += 1
            self.errors_.append(mistakes)
            if mistakes == 0:
                self.converged_ = True
                break
        self.weights, self.bias = w, float(b)
        self.n_epochs_ = len(self.errors_)
        self.n_features_in_ = X.shape[1]
        if not self.converged_:
            warnings.warn(
                f"Perceptron did not converge: {self.errors_[-1]} of {X.shape[0]} training "
                f"examples were still misclassified in the last of max_epochs={self.max_epochs} "
                "epochs. The classes may not be linearly separable (as XOR's are not); "
                "otherwise increase max_epochs.",
                ConvergenceWarning,
                stacklevel=2,
            )
        return self

    def decision_function(self, X: Any) -> float | np.ndarray:
        """``w·x + b`` for one sample (a float) or each row of a batch (an array)."""
        return self._scores(X, "Perceptron.decision_function")

    def _scores(self, X: Any, op: str) -> float | np.ndarray:
        if self.weights is None:
            raise StateError(f"{op}: this Perceptron is not fitted yet; call fit(X, y) first")
        arr, single = as_samples(X, op, "X", width=self.n_features_in_)
        scores = arr @ self.weights + self.bias
        return float(scores[0]) if single else scores

    def predict(self, X: Any) -> int | np.ndarray:
        """The label (in ``classes_``) of one sample, or an int64 array for a batch."""
        scores = self._scores(X, "Perceptron.predict")
        labels = np.where(np.asarray(scores) > 0, self.classes_[1], self.classes_[0])
        return int(labels) if np.ndim(scores) == 0 else labels.astype(np.int64)

    def score(self, X: Any, y: Any) -> float:
        """Accuracy: the fraction of the samples of X whose predicted label equals y."""
        predicted = np.atleast_1d(self.predict(X))
        labels = np.atleast_1d(np.asarray(y))
        if labels.shape != predicted.shape:
            raise DataError(
                f"Perceptron.score: X has {predicted.shape[0]} samples but y has shape "
                f"{labels.shape}; expected ({predicted.shape[0]},)"
            )
        unknown = ~np.isin(labels, self.classes_)
        if unknown.any():
            raise DataError(
                f"Perceptron.score: labels must be in classes_ {self.classes_} (the encoding fit "
                f"received), got {labels[unknown][0].item()!r}"
            )
        return float(np.mean(predicted == labels))

    def __repr__(self) -> str:
        return (
            f"Perceptron(learning_rate={self.learning_rate:g}, max_epochs={self.max_epochs}, "
            f"shuffle={self.shuffle}, seed={self.seed!r})"
        )
