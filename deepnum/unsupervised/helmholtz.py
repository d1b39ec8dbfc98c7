"""The Helmholtz machine trained by the wake-sleep algorithm (Hinton, Dayan, Frey & Neal 1995)."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np

from .._tensor import Tensor, _wrap
from ..classic._checks import _show
from ..errors import ArgumentError, DataError, ShapeError
from ..keras.metrics import Mean
from ..keras.models.model import Model
from ..keras.models.trainer import unpack_x_y_sample_weight
from ..random import make_generator
from ._seeds import SeededGenerators, second_generator


def binarize(x: Any, threshold: float = 0.5) -> np.ndarray:
    """``x > threshold`` as float32 0/1; uint8 images are first scaled to [0, 1] (÷ 255).

    >>> binarize(np.array([[0, 100, 200]], dtype=np.uint8)).tolist()
    [[0.0, 0.0, 1.0]]
    """
    arr = np.asarray(x)
    if arr.dtype == np.uint8:
        arr = arr / 255.0
    return (arr > threshold).astype(np.float32)


def _bernoulli(p: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One binary sample per probability: 1 with probability p."""
    return (rng.random(p.shape, dtype=p.dtype) < p).astype(p.dtype)


def _sigmoid(a: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * a))  # never overflows


def _log_bernoulli(s: np.ndarray, logits: np.ndarray) -> np.ndarray:
    """``Σ_i log P(s_i)`` over the last axis for independent units with P(s_i = 1) = σ(a_i)."""
    return (s * logits - np.logaddexp(0.0, logits)).sum(axis=-1)


class HelmholtzMachine(Model):
    """A Helmholtz machine: a stack of binary stochastic layers with two sets of weights.

    ``layer_sizes = [n_0, n_1, ..., n_L]``: n_0 visible units, then hidden layers up to the
    top layer L.  States s_l are 0/1 vectors.  For l = 0 … L-1:

    - generative (top-down) model p:  ``p(s_L,i = 1) = σ(b_i)`` (the prior, ``prior_bias``),
      ``p(s_l,i = 1 | s_l+1) = σ(s_l+1 G_l + c_l)_i`` with G_l (n_l+1, n_l), c_l (n_l,);
    - recognition (bottom-up) model q: ``q(s_l+1,j = 1 | s_l) = σ(s_l R_l + r_l)_j`` with
      R_l (n_l, n_l+1), r_l (n_l+1,).

    Each training step on a mini-batch of B examples makes two phases (wake, then sleep; the
    sleep phase already dreams with the updated generative weights), each a local delta rule
    averaged over the batch, with learning rate η:

    WAKE — the recognition weights drive: s_0 = x, s_l+1 ~ q(·|s_l); the generative weights
    learn to reconstruct each layer from the one above, with p_l = σ(s_l+1 G_l + c_l)::

        ΔG_l = η s_l+1ᵀ (s_l - p_l) / B,   Δc_l = η mean(s_l - p_l),   Δb = η mean(s_L - σ(b))

    SLEEP — the generative model dreams: s_L ~ p(s_L), s_l ~ p(·|s_l+1) down to s_0; the
    recognition weights learn to recover each layer's causes, with q_l+1 = σ(s_l R_l + r_l)::

        ΔR_l = η s_lᵀ (s_l+1 - q_l+1) / B,   Δr_l = η mean(s_l+1 - q_l+1)

    Each is a stochastic gradient step: the wake step ascends log p(s_0, …, s_L) of the wake
    states, the sleep step ascends log q(s_1, …, s_L | s_0) of the dreams.

    A Keras model: ``fit(x, epochs=..., batch_size=...)`` runs :meth:`train_step` (logs
    "wake_loss", "sleep_loss": the mean -log p(x, h) and -log q(h | x) of the sampled states,
    running means over the epoch); ``fit(..., validation_data=x_held, validation_freq=5)``
    and ``evaluate(x)`` report the importance-sampled "log_likelihood" (see
    :meth:`log_likelihood`, with ``log_likelihood_samples`` samples).  The machine compiles
    itself: the delta rules need no optimizer or loss.  Calling it, ``hm(x)``, gives
    :meth:`transform`.

    Data must be binary: every input value 0 or 1, else a DataError; use
    :func:`binarize` (``x > 0.5`` after scaling uint8 by 1/255) to make them so.

    Args:
        layer_sizes: at least two positive integers, visible first.
        learning_rate: η > 0.
        seed: an integer (one private generator for the initial weights and the training
            samples, another for the log-likelihood estimates), a NumPy Generator, or None
            for deepnum's global streams.  ``fit`` shuffles with deepnum's "shuffle" stream.
        log_likelihood_samples: K for the estimates of ``evaluate`` and validation.

    Weights start as N(0, 0.01²), biases at 0 — stochastic units break the symmetry.
    The weights are Parameters (``hm.weights``; saved by ``save``); the properties
    ``recognition_weights`` etc. give lists of their arrays, updated in place.

    >>> hm = HelmholtzMachine([6, 4, 2], seed=0)
    >>> [s.shape for s in hm.dream(3)]
    [(3, 6), (3, 4), (3, 2)]
    """

    def __init__(self, layer_sizes: Any, learning_rate: float = 0.01,
                 seed: int | np.random.Generator | None = None,
                 log_likelihood_samples: int = 100, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        sizes = list(layer_sizes) if isinstance(layer_sizes, list | tuple) else None
        if (sizes is None or len(sizes) < 2 or any(
                isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1
                for n in sizes)):
            raise ArgumentError(f"HelmholtzMachine: layer_sizes must be a list of at least two "
                                f"positive integers (visible first), got {layer_sizes!r}")
        number = isinstance(learning_rate, int | float | np.number)
        if isinstance(learning_rate, bool) or not number or not (
                np.isfinite(learning_rate) and learning_rate > 0):
            raise ArgumentError(f"HelmholtzMachine: learning_rate must be a positive number, "
                                f"got {learning_rate!r}")
        d = self.__dict__
        d["layer_sizes"] = [int(n) for n in sizes]
        d["learning_rate"] = float(learning_rate)
        d["log_likelihood_samples"] = self._count(log_likelihood_samples, "HelmholtzMachine")
        d["seed"] = seed
        rng = None if seed is None else make_generator(seed, "sample")
        d["_generators"] = SeededGenerators(rng, "sample")
        d["_evaluation"] = SeededGenerators(second_generator(seed), "sample")
        init = rng if rng is not None else make_generator(None, "init")
        for l, (a, b) in enumerate(itertools.pairwise(self.layer_sizes)):
            for name, shape in ((f"recognition_weight_{l}", (a, b)),
                                (f"recognition_bias_{l}", (b,)),
                                (f"generative_weight_{l}", (b, a)),
                                (f"generative_bias_{l}", (a,))):
                weight = self.add_weight(name, shape, initializer="zeros")
                if len(shape) == 2:
                    weight.data[...] = 0.01 * init.standard_normal(shape)
        self.add_weight("prior_bias", (self.layer_sizes[-1],), initializer="zeros")
        d["_trackers"] = [Mean(name=n) for n in ("wake_loss", "sleep_loss", "log_likelihood")]
        # fit and evaluate need a compiled model; the delta rules use no optimizer or loss
        self.compile(optimizer="sgd")

    def _arrays_of(self, kind: str) -> list[np.ndarray]:
        return [getattr(self, f"{kind}_{l}").data for l in range(len(self.layer_sizes) - 1)]

    @property
    def recognition_weights(self) -> list[np.ndarray]:
        """R_l, (n_l, n_l+1), for l = 0 … L-1 (the Parameters' arrays)."""
        return self._arrays_of("recognition_weight")

    @property
    def recognition_biases(self) -> list[np.ndarray]:
        """r_l, (n_l+1,)."""
        return self._arrays_of("recognition_bias")

    @property
    def generative_weights(self) -> list[np.ndarray]:
        """G_l, (n_l+1, n_l)."""
        return self._arrays_of("generative_weight")

    @property
    def generative_biases(self) -> list[np.ndarray]:
        """c_l, (n_l,)."""
        return self._arrays_of("generative_bias")

    def get_config(self) -> dict[str, Any]:
        seed = self.seed if isinstance(self.seed, int | np.integer) else None
        return {**super().get_config(), "layer_sizes": list(self.layer_sizes),
                "learning_rate": self.learning_rate, "seed": None if seed is None else int(seed),
                "log_likelihood_samples": self.log_likelihood_samples}

    def __repr__(self) -> str:
        return (f"HelmholtzMachine(layer_sizes={self.layer_sizes}, "
                f"learning_rate={self.learning_rate})")

    # ----- checks ---------------------------------------------------------------------------
    def _visible(self, x: Any, op: str) -> np.ndarray:
        """``x`` (batch, n_0) of 0/1 values as float32, or an error saying what is wrong."""
        arr = np.asarray(x)
        if arr.dtype.kind not in "biuf":
            raise DataError(f"{op}: x must be an array of numbers, got dtype {arr.dtype}")
        n0 = self.layer_sizes[0]
        if arr.ndim != 2:
            raise ShapeError(f"{op}: x must have shape (batch, {n0}), got shape {arr.shape}"
                             + ("; flatten images with x.reshape(len(x), -1)"
                                if arr.ndim > 2 else ""))
        if arr.shape[1] != n0:
            raise ShapeError(f"{op}: the visible layer has {n0} units (layer_sizes[0]) but x "
                             f"has {arr.shape[1]} features per example (shape {arr.shape})")
        if arr.shape[0] == 0:
            raise DataError(f"{op}: x is empty (shape {arr.shape})")
        bad = (arr != 0) & (arr != 1)
        if bad.any():
            where = tuple(int(i) for i in np.argwhere(bad)[0])
            raise DataError(f"{op}: x must be binary (0 or 1), got {arr[where]:g} at index "
                            f"{where} (values received: {_show(arr)}); binarize it first, "
                            "e.g. deepnum.unsupervised.helmholtz.binarize(x, 0.5)")
        return arr.astype(np.float32, copy=False)

    def _count(self, n: Any, op: str) -> int:
        if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
            raise ArgumentError(f"{op}: the number of samples must be a positive integer, "
                                f"got {n!r}")
        return int(n)

    # ----- the two models -------------------------------------------------------------------
    def _up(self, x: np.ndarray, rng: np.random.Generator | None) -> list[np.ndarray]:
        """Bottom-up pass: sampled states (or mean-field probabilities if ``rng`` is None)."""
        states = [x]
        for w, b in zip(self.recognition_weights, self.recognition_biases, strict=True):
            q = _sigmoid(states[-1] @ w + b)
            states.append(q if rng is None else _bernoulli(q, rng))
        return states

    def recognize(self, x: Any, seed: int | np.random.Generator | None = None) -> list:
        """Sample every layer bottom-up from q: ``[x, s_1, …, s_L]``, each (batch, n_l) 0/1."""
        x = self._visible(x, "HelmholtzMachine.recognize")
        return self._up(x, self._generators(seed))

    def transform(self, x: Any) -> np.ndarray:
        """Top-layer features: the recognition probabilities q(s_L = 1), propagated as
        mean-field probabilities instead of samples; (batch, n_L)."""
        return self._up(self._visible(x, "HelmholtzMachine.transform"), None)[-1]

    def _down(self, n: int, rng: np.random.Generator) -> tuple[list[np.ndarray], np.ndarray]:
        """Ancestral sampling top-down; also returns the visible probabilities."""
        top = np.broadcast_to(_sigmoid(self.prior_bias.data), (n, self.layer_sizes[-1]))
        states = [_bernoulli(np.ascontiguousarray(top), rng)]
        for w, c in zip(self.generative_weights[::-1], self.generative_biases[::-1],
                        strict=True):
            p = _sigmoid(states[0] @ w + c)
            states.insert(0, _bernoulli(p, rng))
        return states, p

    def dream(self, n: int, seed: int | np.random.Generator | None = None) -> list:
        """``n`` ancestral samples of every layer: ``[s_0, s_1, …, s_L]``, each (n, n_l) 0/1."""
        n = self._count(n, "HelmholtzMachine.dream")
        return self._down(n, self._generators(seed))[0]

    def sample(self, n: int, seed: int | np.random.Generator | None = None,
               probabilities: bool = False) -> np.ndarray:
        """``n`` samples of the visible layer from the generative model, (n, n_0) float32.

        ``probabilities=True`` returns p(s_0 = 1 | s_1) of the sampled s_1 instead of a 0/1
        draw from it (smoother pictures).  ``seed``: None for the machine's own generator; an
        integer's generator is made on first use and then advances, so two calls with the
        same integer give different samples, while two machines built alike agree.
        """
        n = self._count(n, "HelmholtzMachine.sample")
        states, p = self._down(n, self._generators(seed))
        return p if probabilities else states[0]

    def generative_log_prob(self, states: list) -> np.ndarray:
        """``log p(s_0, …, s_L)`` of each example of a list of layer states; (batch,)."""
        logp = _log_bernoulli(states[-1], self.prior_bias.data)
        for l, (w, c) in enumerate(zip(self.generative_weights, self.generative_biases,
                                       strict=True)):
            logp = logp + _log_bernoulli(states[l], states[l + 1] @ w + c)
        return logp

    def recognition_log_prob(self, states: list) -> np.ndarray:
        """``log q(s_1, …, s_L | s_0)`` of each example of a list of layer states; (batch,)."""
        logq = 0.0
        for l, (w, b) in enumerate(zip(self.recognition_weights, self.recognition_biases,
                                       strict=True)):
            logq = logq + _log_bernoulli(states[l + 1], states[l] @ w + b)
        return logq

    # ----- learning -------------------------------------------------------------------------
    def wake_update(self, states: list) -> float:
        """Apply the wake delta rule to the generative weights, given the wake states
        ``[s_0, …, s_L]`` (from :meth:`recognize`).  Returns the mean -log p(s_0, …, s_L)
        before the update."""
        eta, batch = self.learning_rate, len(states[0])
        loss = -self.generative_log_prob(states)
        b = self.prior_bias.data
        b += eta * (states[-1] - _sigmoid(b)).mean(axis=0)
        for l, (w, c) in enumerate(zip(self.generative_weights, self.generative_biases,
                                       strict=True)):
            error = states[l] - _sigmoid(states[l + 1] @ w + c)
            w += (eta / batch) * (states[l + 1].T @ error)
            c += eta * error.mean(axis=0)
        return float(loss.mean())

    def sleep_update(self, states: list) -> float:
        """Apply the sleep delta rule to the recognition weights, given dreamed states
        ``[s_0, …, s_L]`` (from :meth:`dream`).  Returns the mean -log q(s_1, …, s_L | s_0)
        before the update."""
        eta, batch = self.learning_rate, len(states[0])
        loss = -self.recognition_log_prob(states)
        for l, (w, r) in enumerate(zip(self.recognition_weights, self.recognition_biases,
                                       strict=True)):
            error = states[l + 1] - _sigmoid(states[l] @ w + r)
            w += (eta / batch) * (states[l].T @ error)
            r += eta * error.mean(axis=0)
        return float(loss.mean())

    @property
    def metrics(self) -> list[Mean]:
        """The running means that ``fit`` and ``evaluate`` log (reset every epoch)."""
        return list(self._trackers)

    def train_step(self, data: Any) -> dict[str, float]:
        """One wake phase and one sleep phase on the mini-batch ``data`` (batch, n_0) of 0/1
        (or Keras's ``(x,)``), with the machine's own generator.

        Returns ``{"wake_loss": mean -log p(x, h), "sleep_loss": mean -log q(h | x)}`` of the
        states each phase sampled, measured before that phase's update, averaged over the
        epoch so far.
        """
        x = self._visible(unpack_x_y_sample_weight(data)[0], "HelmholtzMachine.train_step")
        rng = self._generators(None)
        wake_tracker, sleep_tracker, _ = self._trackers
        wake_tracker.add(self.wake_update(self._up(x, rng)), len(x))
        sleep_tracker.add(self.sleep_update(self._down(len(x), rng)[0]), len(x))
        return {"sleep_loss": sleep_tracker.result(), "wake_loss": wake_tracker.result()}

    def test_step(self, data: Any) -> dict[str, float]:
        """``{"log_likelihood": mean estimate}`` (see :meth:`log_likelihood`) on a batch, with
        ``log_likelihood_samples`` samples from the machine's evaluation generator."""
        x = unpack_x_y_sample_weight(data)[0]
        tracker = self._trackers[2]
        tracker.update_state(self.log_likelihood(x, self.log_likelihood_samples,
                                                 self._evaluation(None)))
        return {"log_likelihood": tracker.result()}

    def call(self, inputs: Tensor, training: bool = False) -> Tensor:
        return _wrap(self.transform(inputs))

    # ----- evaluation -----------------------------------------------------------------------
    def log_likelihood(self, x: Any, n_samples: int = 100,
                       seed: int | np.random.Generator | None = None) -> np.ndarray:
        """Importance-sampled estimate of log p(x) per example, (batch,) float64.

        The recognition model is the proposal: with h_k ~ q(·|x), k = 1 … K::

            log p(x) ≈ log (1/K) Σ_k p(x, h_k) / q(h_k | x)

        computed with log-sum-exp.  The estimate is a lower bound in expectation (Jensen) that
        tightens as K grows, and exact for K → ∞ (q is never zero).  K = 1 is the ELBO sample.
        """
        op = "HelmholtzMachine.log_likelihood"
        x = self._visible(x, op)
        k = self._count(n_samples, op)
        rng = self._generators(seed)
        chunk = max(1, 20_000 // k)  # examples per pass: bounds memory at ~20,000 rows
        out = []
        for start in range(0, len(x), chunk):
            rows = np.repeat(x[start:start + chunk].astype(np.float64), k, axis=0)
            states = self._up(rows, rng)
            log_w = (self.generative_log_prob(states) - self.recognition_log_prob(states))
            log_w = log_w.reshape(-1, k)
            top = log_w.max(axis=1, keepdims=True)
            out.append(top[:, 0] + np.log(np.exp(log_w - top).mean(axis=1)))
        return np.concatenate(out)
