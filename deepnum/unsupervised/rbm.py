"""The restricted Boltzmann machine, trained by contrastive divergence (Hinton 2002)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import random as dn_random
from .._tensor import Tensor, _wrap
from ..errors import ArgumentError, StateError
from ..keras.metrics import Mean
from ..keras.models.model import Model
from ..keras.models.trainer import unpack_x_y_sample_weight
from ..keras.optimizers import SGD
from . import _partition, _scores
from ._contrastive import ContrastiveDivergence
from ._partition import LogPartition
from ._seeds import SeededGenerators
from ._units import as_batch, bernoulli_, get_units, sigmoid_

Seed = int | np.random.Generator | None


def _positive_int(owner: str, name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        raise ArgumentError(f"{owner}: {name} must be a positive integer, got {value!r}")
    return int(value)


class RBM(Model):
    """A restricted Boltzmann machine: n_visible visible units v, n_hidden binary hidden units
    h, weights W = ``kernel`` (n_visible, n_hidden), visible bias b, hidden bias c::

        Bernoulli visible:  E(v, h) = -bᵀv - cᵀh - vᵀWh            v ∈ {0, 1}ⁿ
        Gaussian visible:   E(v, h) = Σ_i (v_i - b_i)²/2 - cᵀh - vᵀWh   v ∈ ℝⁿ (unit variance)
        p(v, h) = e^(-E(v, h))/Z,   Z = Σ_v Σ_h e^(-E(v, h))

    Conditionals (the units of a layer are independent given the other layer)::

        p(h_j = 1 | v) = σ(c_j + vᵀW_:j)
        p(v_i = 1 | h) = σ(b_i + W_i:h)        (Gaussian: v_i | h ~ N(b_i + W_i:h, 1))

    Free energy, ``p(v) = e^(-F(v))/Z``::

        F(v) = -bᵀv - Σ_j softplus(c_j + vᵀW_:j)     (Gaussian: Σ_i (v_i - b_i)²/2 - Σ_j …)

    Learning ascends the mean log-likelihood, whose gradient is data minus model statistics,
    ``∂ log p(v)/∂W = v p(h|v)ᵀ - E_model[v hᵀ]`` (c: p(h|v) - E[h]; b: v - E[v]).  CD-k
    estimates the model term with k Gibbs steps started at the data; persistent CD
    (``persistent=True``) continues chains kept across batches (see ``_contrastive``).
    ``fit(x, epochs=, batch_size=)`` is Keras's loop around :meth:`train_step`, which sets each
    parameter's ``.grad`` to minus that estimate (averaged over the batch) and lets the
    optimizer step: ``keras.optimizers.SGD(learning_rate)`` by default, as scikit-learn's
    BernoulliRBM; ``compile(optimizer=...)`` for momentum, weight decay, Adam...  The History
    logs per epoch the running means of ``reconstruction_error`` (squared error of each
    batch's one-step reconstruction) and ``pseudo_likelihood`` (scikit-learn's estimator on
    every tenth batch, before its update); with validation data, ``val_`` ones.

    Data: a Bernoulli RBM takes values in [0, 1] — binary, or grey levels as mean-field
    probabilities (as scikit-learn); a value outside [0, 1] or a NaN raises a DataError naming
    it.  Gaussian units take any finite values (standardise them first).  Shapes are
    (batch, n_visible) and (batch, n_hidden); a width that does not match raises a ShapeError
    naming both sizes.

    Saving: ``save(path)`` / ``keras.models.load_model(path)`` keep the weights, the
    training data's marginals (for AIS and ``sample``), the optimizer state and the History;
    persistent chains are not saved (they restart from the next batch), nor is the state of
    the private generator of an integer ``seed`` (it restarts from the seed).

    Randomness: ``seed`` (an integer or a Generator) makes one private generator that draws the
    initial weights W ~ N(0, 0.01²) and then every training sample; None uses deepnum's global
    "init" and "sample" streams (fit shuffles with the global "shuffle" stream).  The sampling
    methods take their own ``seed=``: None uses the model's generator; an integer's generator
    is made once per model and then advances, so two calls with the same integer in a loop
    give different samples, while two models built alike give the same ones.

    >>> rbm = RBM(6, 4, seed=0)
    >>> probs, h = rbm.sample_hidden(np.ones((2, 6)))
    >>> probs.shape, h.shape, rbm.free_energy(np.ones((2, 6))).shape
    ((2, 4), (2, 4), (2,))
    """

    def __init__(self, n_visible: int, n_hidden: int, k: int = 1, persistent: bool = False,
                 learning_rate: float = 0.1, visible: str = "bernoulli", seed: Seed = None,
                 name: str | None = None) -> None:
        super().__init__(name=name)
        self.n_visible = _positive_int("RBM", "n_visible", n_visible)
        self.n_hidden = _positive_int("RBM", "n_hidden", n_hidden)
        self.k = _positive_int("RBM", "k (Gibbs steps)", k)
        self.learning_rate = learning_rate  # of the default optimizer, checked by it
        self.units = get_units(visible)
        self.persistent = bool(persistent)
        self.seed = seed
        self._rng = None if seed is None else dn_random.make_generator(seed, "sample")
        self._generators = SeededGenerators(self._rng, "sample")
        init = self._rng if self._rng is not None else dn_random.generator("init")
        n, m = self.n_visible, self.n_hidden
        kernel = self.add_weight("kernel", (n, m), "zeros")
        kernel.data[...] = 0.01 * init.standard_normal((n, m))
        self.add_weight("visible_bias", (n,), "zeros")
        self.add_weight("hidden_bias", (m,), "zeros")
        # column sums and count of the training data: the base-rate model of AIS and sample()
        self.add_weight("data_sum", (n,), "zeros", dtype="float64", trainable=False)
        self.add_weight("data_count", (), "zeros", dtype="float64", trainable=False)
        self._build_on((None, n))
        self.__dict__["_trained"] = (kernel, self.visible_bias, self.hidden_bias)
        self._batches = 0  # of the epoch: the pseudo-likelihood is logged on every tenth
        self._cd = ContrastiveDivergence(self.k, self.persistent)
        self._reconstruction = Mean(name="reconstruction_error")
        self._pseudo_likelihood = Mean(name="pseudo_likelihood")
        self.compile(optimizer=SGD(learning_rate=learning_rate))

    def get_config(self) -> dict[str, Any]:
        seed = int(self.seed) if isinstance(self.seed, int | np.integer) else None
        return {"name": self.name, "n_visible": self.n_visible, "n_hidden": self.n_hidden,
                "k": self.k, "persistent": self.persistent, "learning_rate": self.learning_rate,
                "visible": self.units.name, "seed": seed}

    def __repr__(self) -> str:
        return (f"RBM(n_visible={self.n_visible}, n_hidden={self.n_hidden}, k={self.k}, "
                f"persistent={self.persistent}, visible={self.units.name!r})")

    # ----- inputs ---------------------------------------------------------------------------
    def _visible(self, v: Any, op: str, dtype=np.float32) -> np.ndarray:
        arr = as_batch(v, self.n_visible, f"RBM.{op}", "v", dtype)
        self.units.check(arr, f"RBM.{op}", "v")
        return arr

    def _params(self, dtype=np.float64) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return (self.kernel.data.astype(dtype), self.visible_bias.data.astype(dtype),
                self.hidden_bias.data.astype(dtype))

    @property
    def persistent_chains(self) -> np.ndarray | None:
        """The hidden states of the persistent chains (None before the first PCD batch)."""
        return self._cd.chains

    # ----- conditionals and sampling ------------------------------------------------------------
    def _hidden_probs(self, v: np.ndarray) -> np.ndarray:
        return sigmoid_(v @ self.kernel.data + self.hidden_bias.data)

    def _visible_means(self, h: np.ndarray) -> np.ndarray:
        return self.units.mean_(h @ self.kernel.data.T + self.visible_bias.data)

    def transform(self, v: Any) -> np.ndarray:
        """The hidden probabilities p(h = 1 | v), (batch, n_hidden): the features of v."""
        return self._hidden_probs(self._visible(v, "transform"))

    def call(self, inputs: Tensor, training: bool = False) -> Tensor:
        """``model(x)`` and ``predict(x)``: :meth:`transform`, outside the autodiff graph."""
        return _wrap(self.transform(inputs))

    def sample_hidden(self, v: Any, seed: Seed = None) -> tuple[np.ndarray, np.ndarray]:
        """``(p(h = 1 | v), h ~ p(h | v))``, both (batch, n_hidden) float32."""
        p = self._hidden_probs(self._visible(v, "sample_hidden"))
        return p, bernoulli_(p, self._generators(seed), np.empty_like(p))

    def sample_visible(self, h: Any, seed: Seed = None) -> tuple[np.ndarray, np.ndarray]:
        """``(E[v | h], v ~ p(v | h))``, both (batch, n_visible): probabilities for Bernoulli
        units, means b + Wh for Gaussian units (whose samples add N(0, 1) noise)."""
        h = as_batch(h, self.n_hidden, "RBM.sample_visible", "h")
        mean = self._visible_means(h)
        return mean, self.units.sample_(mean, self._generators(seed), np.empty_like(mean))

    def _gibbs(self, v: np.ndarray, steps: int, rng: np.random.Generator) -> np.ndarray:
        h = np.empty((len(v), self.n_hidden), np.float32)
        for _ in range(steps):
            bernoulli_(self._hidden_probs(v), rng, h)
            mean = self._visible_means(h)
            v = self.units.sample_(mean, rng, np.empty_like(mean))
        return v

    def gibbs(self, v: Any, steps: int = 1, seed: Seed = None) -> np.ndarray:
        """Visible samples after ``steps`` Gibbs steps v → h → v started at ``v``."""
        steps = _positive_int("RBM.gibbs", "steps", steps)
        return self._gibbs(self._visible(v, "gibbs"), steps, self._generators(seed))

    def sample(self, n: int, steps: int = 1000, seed: Seed = None) -> np.ndarray:
        """``n`` samples of v from ``steps`` Gibbs steps, each chain started from the
        base-rate model (independent units with the training data's marginals)."""
        n = _positive_int("RBM.sample", "n", n)
        steps = _positive_int("RBM.sample", "steps", steps)
        rng = self._generators(seed)
        v0 = self.units.base_sample(self._base_bias(None), n, rng).astype(np.float32)
        return self._gibbs(v0, steps, rng)

    # ----- scores ---------------------------------------------------------------------------
    def free_energy(self, v: Any) -> np.ndarray:
        """F(v) per example, (batch,) float64 (see the class docstring)."""
        v = self._visible(v, "free_energy", np.float64)
        return _scores.free_energy(v, *self._params(), self.units)

    def reconstruction_error(self, v: Any) -> float:
        """Mean over examples and units of (v - E[v | h = p(h|v)])², the mean-field
        reconstruction (deterministic; ``fit`` logs the sampled one of its batches)."""
        v = self._visible(v, "reconstruction_error")
        d = self._visible_means(self._hidden_probs(v)) - v
        return float(np.vdot(d, d)) / d.size

    def pseudo_likelihood(self, v: Any, method: str = "stochastic", seed: Seed = None,
                          chunk: int = 1 << 22) -> np.ndarray:
        """Log pseudo-likelihood per example, (batch,) float64 (Bernoulli units only)::

            PL(v) = Σ_i log p(v_i | v_-i) = Σ_i log σ(F(ṽ⁽ⁱ⁾) - F(v))

        where ṽ⁽ⁱ⁾ is v with unit i flipped (v_i → 1 - v_i).  ``method="stochastic"`` is
        scikit-learn's ``score_samples``: one random unit i per example,
        ``n_visible · log σ(F(ṽ⁽ⁱ⁾) - F(v))`` (unbiased); ``"exact"`` sums over all units
        (cost batch × n_visible × n_hidden, in chunks of ``chunk`` elements).
        """
        if self.units.name != "bernoulli":
            raise StateError("RBM.pseudo_likelihood: defined for Bernoulli visible units; "
                             f"this RBM has {self.units.name!r} units")
        if method not in ("stochastic", "exact"):
            raise ArgumentError(f"RBM.pseudo_likelihood: method must be 'stochastic' or "
                                f"'exact', got {method!r}")
        v = self._visible(v, "pseudo_likelihood", np.float64)
        W, b, c = self._params()
        x = v @ W + c
        if method == "stochastic":
            return _scores.stochastic_pseudo_likelihood(v, x, W, b, self._generators(seed))
        return _scores.exact_pseudo_likelihood(v, x, W, b, chunk)

    # ----- the partition function ----------------------------------------------------------
    def _base_bias(self, data: Any) -> np.ndarray:
        """Biases of the base-rate model: from ``data``, else from the training data's
        marginals, else (never trained) the visible biases."""
        if data is not None:
            data = self._visible(data, "log_partition", np.float64)
            return self.units.base_bias(data.sum(axis=0), len(data))
        count = float(self.data_count.data)
        if count:
            return self.units.base_bias(self.data_sum.data, count)
        return self.visible_bias.data.astype(np.float64)

    def exact_log_partition(self) -> float:
        """log Z by enumerating the 2^m states of the smaller layer (m ≤ 20; Gaussian visible
        units: the hidden layer)."""
        return _partition.exact_log_partition(*self._params(), self.units)

    def log_partition(self, method: str = "ais", n_chains: int = 100, n_betas: int = 10000,
                      seed: Seed = None, data: Any = None) -> LogPartition:
        """Estimate log Z by annealed importance sampling (``method="ais"``, Salakhutdinov &
        Murray 2008) from the base-rate model — independent visible units fit to the
        marginals of ``data`` (default: of the data this RBM was trained on) — through
        ``n_betas`` inverse temperatures, with ``n_chains`` chains; or exactly
        (``method="exact"``).  Returns a :class:`LogPartition` (log_z, std_error, low, high,
        log_weights, effective_chains: see it for how to read the spread); the algorithm is
        ``deepnum.unsupervised._partition.ais``.
        """
        if method == "exact":
            log_z = self.exact_log_partition()
            return LogPartition(log_z, 0.0, log_z, log_z, np.zeros(0), math.inf)
        if method != "ais":
            raise ArgumentError(f"RBM.log_partition: method must be 'ais' or 'exact', "
                                f"got {method!r}")
        n_chains = _positive_int("RBM.log_partition", "n_chains", n_chains)
        return _partition.ais(*self._params(), self.units, self._base_bias(data), n_chains,
                              n_betas, self._generators(seed))

    def log_likelihood(self, v: Any, log_z: float | LogPartition | None = None) -> float:
        """Mean log p(v) = mean(-F(v)) - log Z.  Without ``log_z``: exact when the smaller
        layer has at most 20 units, else AIS with the defaults of :meth:`log_partition`."""
        if log_z is None:
            small = min(self.n_visible, self.n_hidden) if self.units.name == "bernoulli" \
                else self.n_hidden
            log_z = self.log_partition("exact" if small <= _partition.MAX_ENUMERATED else "ais")
        if isinstance(log_z, LogPartition):
            log_z = log_z.log_z
        return float(-self.free_energy(v).mean() - log_z)

    # ----- training -------------------------------------------------------------------------
    def cd_gradients(self, v: Any, rng: np.random.Generator | None = None) -> float:
        """Set ``.grad`` of the kernel and both biases to minus the CD-k (or PCD-k) estimate
        of the mean log-likelihood gradient on the batch ``v``; returns the batch's sampled
        reconstruction error (see ``_contrastive``).  No update: that is the optimizer's."""
        return self._cd_step(self._visible(v, "cd_gradients"), rng or self._generators(None))

    def _cd_step(self, v0: np.ndarray, rng: np.random.Generator) -> float:
        params = self._trained
        for p in params:
            if p.grad is None:
                p.grad = np.zeros_like(p.data)
        self.data_sum.data += np.add.reduce(v0, axis=0)
        self.data_count.data += len(v0)
        return self._cd(v0, *(p.data for p in params), self.units, rng,
                        *(p.grad for p in params))

    def train_step(self, data: Any) -> dict[str, float]:
        """One CD-k (PCD-k) update on the batch ``data``.  Logs the running means of the
        reconstruction error and, on every tenth batch of an epoch (before its update, as
        Keras's training loss), of the pseudo-likelihood."""
        v, _, _ = unpack_x_y_sample_weight(data)
        v = self._visible(v, "fit")
        rng = self._generators(None)
        kernel, visible_bias, hidden_bias = self._trained
        if self._batches % 10 == 0 and self.units.name == "bernoulli":
            x = v @ kernel.data + hidden_bias.data
            self._pseudo_likelihood.update_state(_scores.stochastic_pseudo_likelihood(
                v, x, kernel.data, visible_bias.data, rng))
        self._batches += 1
        error = self._cd_step(v, rng)
        self.apply_gradients(list(self._trained))
        self._reconstruction.add(error, len(v))
        return self._logs()

    def test_step(self, data: Any) -> dict[str, float]:
        """The mean-field reconstruction error and the pseudo-likelihood of a batch."""
        v, _, _ = unpack_x_y_sample_weight(data)
        v = self._visible(v, "evaluate")
        self._reconstruction.add(self.reconstruction_error(v), len(v))
        if self.units.name == "bernoulli":
            self._pseudo_likelihood.update_state(self.pseudo_likelihood(v))
        return self._logs()

    def _logs(self) -> dict[str, float]:
        logs = {"reconstruction_error": self._reconstruction.result()}
        if self.units.name == "bernoulli":
            logs["pseudo_likelihood"] = self._pseudo_likelihood.result()
        return logs

    @property
    def metrics(self) -> list:
        return [self._reconstruction, self._pseudo_likelihood]

    def reset_metrics(self) -> None:
        """At each epoch's start (and before evaluating): restart the running means and the
        count of batches (which decides when to score the pseudo-likelihood)."""
        super().reset_metrics()
        self._batches = 0
