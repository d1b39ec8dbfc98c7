"""Deep belief nets (Hinton, Osindero & Teh 2006): a stack of RBMs pretrained greedily,
bottom-up, without labels; then unrolled into a classifier fine-tuned by backpropagation.
Also the stacked-autoencoder variant of the same recipe (Bengio et al. 2007)."""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from ..errors import ArgumentError, FormatError, ShapeError, StateError, unknown_name
from ..io import read_file, write_file
from ..keras import initializers, optimizers
from ..keras import layers as keras_layers
from ..keras.models import Sequential
from ._units import as_batch, bernoulli_, get_units, sigmoid_
from .rbm import RBM, Seed

PRETRAINING = ("rbm", "autoencoder")


def _layer_sizes(sizes: Any) -> list[int]:
    ok = isinstance(sizes, list | tuple) and len(sizes) >= 2 and all(
        not isinstance(n, bool) and isinstance(n, int | np.integer) and n >= 1 for n in sizes)
    if not ok:
        raise ArgumentError(f"DBN: layer_sizes must be a list of at least two positive "
                            f"integers (visible first), got {sizes!r}")
    return [int(n) for n in sizes]


def _child_seeds(seed: Seed, n: int) -> list[Seed]:
    """One seed per layer: independent integers from an integer, the same generator, or None."""
    if seed is None or isinstance(seed, np.random.Generator):
        return [seed] * n
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer):
        raise ArgumentError(f"DBN: seed must be None, an integer or a numpy Generator, "
                            f"got {seed!r}")
    return [int(s) for s in np.random.SeedSequence(int(seed)).generate_state(n)]


def _autoencoder(n_in: int, n_code: int, seed: Seed) -> Sequential:
    """One layer's autoencoder: x → σ(xW + c) → σ(hV + b), trained to give x back."""
    seeds = [None, None] if not isinstance(seed, int) else [seed, seed + 1]
    return Sequential([keras_layers.Input(shape=(n_in,)),
                       keras_layers.Dense(n_code, activation="sigmoid",
                                    kernel_initializer=initializers.GlorotUniform(seeds[0])),
                       keras_layers.Dense(n_in, activation="sigmoid",
                                    kernel_initializer=initializers.GlorotUniform(seeds[1]))])


class DBN:
    """A deep belief net over ``layer_sizes = [n_0, n_1, …, n_L]`` (n_0 inputs in [0, 1]).

    ``pretrain(x)`` is greedy and bottom-up: the RBM (n_0, n_1) is trained on x, then the RBM
    (n_1, n_2) on the hidden PROBABILITIES p(h_1 = 1 | x) of the one below (mean-field values
    in [0, 1], which a Bernoulli RBM takes as inputs), and so on; each layer is trained once,
    then frozen while the next one learns.  With ``pretraining="autoencoder"`` each layer is
    instead a small autoencoder ``x → σ(xW + c) → σ(hV + b)`` trained by binary
    cross-entropy on the previous layer's codes σ(xW + c).

    ``to_classifier(n_classes)`` unrolls the stack into a ``keras.Sequential`` of sigmoid
    ``Dense`` layers whose kernels and biases are the pretrained W_l and hidden biases c_l,
    topped by a softmax ``Dense(n_classes)``: compile and fit it with labels to fine-tune the
    whole stack by backpropagation.  ``transform(x)`` gives the top layer's probabilities.

    Args:
        layer_sizes: at least two positive integers, visible first.
        k, persistent, learning_rate: each RBM's CD-k settings (see :class:`RBM`).
        seed: an integer (independent seeds for the layers), a Generator, or None (global
            streams).
        pretraining: "rbm" or "autoencoder".

    >>> dbn = DBN([6, 4, 2], seed=0)
    >>> [type(m).__name__ for m in dbn.layers], dbn.transform(np.ones((3, 6))).shape
    (['RBM', 'RBM'], (3, 2))
    """

    def __init__(self, layer_sizes: Any, k: int = 1, learning_rate: float = 0.1,
                 seed: Seed = None, pretraining: str = "rbm", persistent: bool = False) -> None:
        self.layer_sizes = _layer_sizes(layer_sizes)
        if pretraining not in PRETRAINING:
            raise unknown_name("pretraining", pretraining, PRETRAINING)
        self.pretraining, self.k, self.persistent = pretraining, k, persistent
        self.learning_rate, self.seed = learning_rate, seed
        pairs = list(zip(self.layer_sizes[:-1], self.layer_sizes[1:], strict=True))
        seeds = _child_seeds(seed, len(pairs))
        if pretraining == "rbm":
            self.layers: list = [RBM(a, b, k=k, persistent=persistent,
                                     learning_rate=learning_rate, seed=s)
                                 for (a, b), s in zip(pairs, seeds, strict=True)]
        else:
            self.layers = [_autoencoder(a, b, s) for (a, b), s in zip(pairs, seeds, strict=True)]
        self._out_seed = None if not isinstance(seed, int) else _child_seeds(seed + 1, 1)[0]

    def __repr__(self) -> str:
        return f"DBN(layer_sizes={self.layer_sizes}, pretraining={self.pretraining!r})"

    def _inputs(self, x: Any, op: str) -> np.ndarray:
        arr = as_batch(x, self.layer_sizes[0], f"DBN.{op}", "x")
        get_units("bernoulli").check(arr, f"DBN.{op}", "x")
        return arr

    def encoders(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """The (W_l, c_l) of every layer's bottom-up map x ↦ σ(x W_l + c_l)."""
        if self.pretraining == "rbm":
            return [(r.kernel.data, r.hidden_bias.data) for r in self.layers]
        return [(ae.layers[0].kernel.data, ae.layers[0].bias.data) for ae in self.layers]

    def _up(self, x: np.ndarray, depth: int) -> np.ndarray:
        for W, c in self.encoders()[:depth]:
            x = sigmoid_(x @ W + c)
        return x

    def transform(self, x: Any) -> np.ndarray:
        """The top layer's probabilities (mean-field, bottom-up), (batch, n_L) float32."""
        return self._up(self._inputs(x, "transform"), len(self.layers))

    def pretrain(self, x: Any, epochs: int = 10, batch_size: int | None = None,
                 verbose: Any = 0, optimizer: Any = None, **fit_kwargs: Any) -> list:
        """Train the layers one after the other, bottom-up, on x and then on the codes of
        the layer below.  ``optimizer`` (a name or config dict; None: each RBM's SGD with
        ``learning_rate``, Adam for autoencoders) is made afresh for every layer; other
        keyword arguments go to each layer's ``fit``.  Returns one History per layer."""
        codes = self._inputs(x, "pretrain")
        histories = []
        for i, model in enumerate(self.layers):
            if self.pretraining == "rbm":
                if optimizer is not None:
                    model.compile(optimizer=optimizers.get(optimizer))
                targets = None
            else:
                model.compile(optimizer=optimizers.get(optimizer or "adam"),
                              loss="binary_crossentropy")
                targets = codes
            histories.append(model.fit(codes, targets, epochs=epochs, batch_size=batch_size,
                                       verbose=verbose, **fit_kwargs))
            W, c = self.encoders()[i]
            codes = sigmoid_(codes @ W + c)
        return histories

    def to_classifier(self, n_classes: int, output_activation: str = "softmax") -> Sequential:
        """A ``keras.Sequential``: Input(n_0), then ``Dense(n_l, "sigmoid")`` with kernel W_l
        and bias c_l for every pretrained layer, then ``Dense(n_classes, output_activation)``
        (Glorot-initialised).  Not compiled: compile it, then ``fit`` on labelled data to
        fine-tune every layer by backpropagation."""
        if isinstance(n_classes, bool) or not isinstance(n_classes, int | np.integer) or (
                n_classes < 1):
            raise ArgumentError(f"DBN.to_classifier: n_classes must be a positive integer, "
                                f"got {n_classes!r}")
        hidden = [keras_layers.Dense(n, activation="sigmoid") for n in self.layer_sizes[1:]]
        head = keras_layers.Dense(int(n_classes), activation=output_activation,
                            kernel_initializer=initializers.GlorotUniform(self._out_seed))
        model = Sequential([keras_layers.Input(shape=(self.layer_sizes[0],)), *hidden, head])
        for dense, (W, c) in zip(hidden, self.encoders(), strict=True):
            dense.set_weights([W, c])
        return model

    def sample(self, n: int, steps: int = 1000, seed: Seed = None,
               probabilities: bool = False) -> np.ndarray:
        """``n`` samples of the visible layer: ``steps`` Gibbs steps in the top RBM, then one
        top-down pass through the directed layers, v_l ~ σ(v_l+1 W_lᵀ + b_l).  With
        ``probabilities``, the bottom layer's probabilities instead of 0/1 draws."""
        if self.pretraining != "rbm":
            raise StateError("DBN.sample: a stack of autoencoders is not a generative model; "
                             "sampling needs pretraining='rbm'")
        top = self.layers[-1]
        rng = top._generators(seed)
        state = top.sample(n, steps, seed=rng)
        for rbm in self.layers[-2::-1]:
            p = sigmoid_(state @ rbm.kernel.data.T + rbm.visible_bias.data)
            state = p if probabilities and rbm is self.layers[0] else bernoulli_(
                p, rng, np.empty_like(p))
        return state

    # ----- saving -------------------------------------------------------------------------
    def save(self, path: str | os.PathLike) -> None:
        """Configuration as JSON, every layer's weights as arrays (no pickle)."""
        seed = self.seed if isinstance(self.seed, int) else None
        config = {"class": "DBN", "layer_sizes": self.layer_sizes, "k": self.k,
                  "learning_rate": self.learning_rate, "seed": seed,
                  "pretraining": self.pretraining, "persistent": self.persistent}
        arrays = {f"layer{i}/{j}": w for i, model in enumerate(self.layers)
                  for j, w in enumerate(model.get_weights())}
        write_file(path, arrays, config)

    @classmethod
    def load(cls, path: str | os.PathLike) -> DBN:
        """A DBN saved by :meth:`save` (never runs code from the file)."""
        arrays, config = read_file(path)
        where = os.fspath(path)
        if not isinstance(config, dict) or config.get("class") != "DBN":
            found = config.get("class") if isinstance(config, dict) else type(config).__name__
            raise FormatError(f"{where!r} does not hold a DBN (found {found!r})")
        try:
            dbn = cls(**{k: v for k, v in config.items() if k != "class"})
            for i, model in enumerate(dbn.layers):
                model.set_weights([arrays[f"layer{i}/{j}"]
                                   for j in range(len(model.get_weights()))])
        except (KeyError, TypeError, ShapeError, ArgumentError) as error:
            raise FormatError(f"{where!r}: malformed DBN file ({error})") from None
        return dbn
