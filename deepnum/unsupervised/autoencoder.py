"""Autoencoders: dense, denoising (Vincent et al. 2008) and sparse (Ng 2011), one Keras model."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import tensor_math as tm
from .._tensor import Tensor, _wrap
from ..autograd import no_grad
from ..errors import ArgumentError, DataError, unknown_name
from ..keras.layers.base import _context
from ..keras.models import data as data_utils
from ..keras.models.model import Model
from ..keras.models.trainer import unpack_x_y_sample_weight
from ..nn.module import Module
from ._networks import as_network, describe, forward, int_seed, number, rebuild
from ._seeds import SeededGenerators

CORRUPTIONS = ("gaussian", "masking")
SPARSITIES = ("l1", "kl")
DEFAULT_SPARSITY_WEIGHT = {"l1": 1e-4, "kl": 3.0}  # Chollet's Keras blog; Ng's UFLDL notes


class Autoencoder(Model):
    """An autoencoder: ``x̂ = decoder(encoder(x))``, trained to give its input back.

    The code is ``h = encoder(x)`` (batch, code size).  ``compile(optimizer, loss)`` then
    ``fit(x, epochs=..., batch_size=...)`` minimise, over mini-batches of B examples,

        J = loss(x, decoder(encoder(x̃))) + Ω(h)

    where ``loss`` is the compiled one (``"mse"``: mean (x̂ - x)²; ``"binary_crossentropy"``
    for inputs in [0, 1] and a sigmoid output), x̃ the corrupted input and Ω the sparsity
    penalty — both optional, both off at inference (``encode``, ``decode``, ``reconstruct``,
    ``predict``, ``evaluate`` and validation use x̃ = x and report J with Ω).  The targets are
    the inputs: ``fit(x)``; ``fit(x, y)`` trains x → y instead.  ``validation_data`` may be
    ``x_val`` or ``(x_val, x_val)``.

    Denoising (``corruption``, drawn afresh for every training batch, seeded by ``seed``):

    - ``"gaussian"``: x̃ = x + ε, ε ~ N(0, σ²) with σ = ``noise_std``;
    - ``"masking"``: x̃ = x ⊙ m, each m_i ~ Bernoulli(1 - ν) independently, ν = ``mask_fraction``
      (the fraction of inputs forced to 0; no rescaling, unlike dropout).

    Giving ``noise_std`` or ``mask_fraction`` alone selects that corruption.

    Sparse (``sparsity``, weight λ = ``sparsity_weight``):

    - ``"l1"``: Ω = λ · (1/B) Σ_n Σ_j |h_nj|  (default λ = 1e-4);
    - ``"kl"``: with ρ̂_j = (1/B) Σ_n h_nj the mean activation of code unit j over the batch
      and ρ = ``sparsity_target``, Ω = λ Σ_j KL(ρ ‖ ρ̂_j) =
      λ Σ_j [ρ log(ρ/ρ̂_j) + (1 - ρ) log((1 - ρ)/(1 - ρ̂_j))]  (default λ = 3; codes must lie
      in [0, 1]: give the encoder a sigmoid last layer; ρ̂ is clipped to [1e-7, 1 - 1e-7]).

    Args:
        encoder, decoder: Keras layers or models, ``deepnum.nn`` modules, or lists of them
            (made into a ``keras.Sequential``, or an ``nn.Sequential`` if any is not a
            Keras layer).  Saving needs Keras layers.
        corruption: None, "gaussian" or "masking"; noise_std > 0; 0 < mask_fraction < 1.
        sparsity: None, "l1" or "kl"; sparsity_weight > 0; 0 < sparsity_target < 1.
        seed: integer or Generator for the corruption noise; None: deepnum's global
            "corruption" stream.  (The layers draw their initial weights themselves.)

    >>> from deepnum.keras import layers
    >>> ae = Autoencoder([layers.Dense(2, activation="relu")], [layers.Dense(4)],
    ...                  noise_std=0.1, seed=0)
    >>> ae.compile(optimizer="adam", loss="mse")
    >>> history = ae.fit(np.ones((8, 4)), epochs=2, batch_size=4, verbose=0)
    >>> ae.encode(np.ones((3, 4))).shape, ae.reconstruct(np.ones((3, 4))).shape
    ((3, 2), (3, 4))
    """

    def __init__(self, encoder: Any, decoder: Any, corruption: str | None = None,
                 noise_std: float | None = None, mask_fraction: float | None = None,
                 sparsity: str | None = None, sparsity_weight: float | None = None,
                 sparsity_target: float = 0.05, seed: int | np.random.Generator | None = None,
                 name: str | None = None) -> None:
        super().__init__(name=name)
        self.encoder = as_network(encoder, "Autoencoder: encoder")
        self.decoder = as_network(decoder, "Autoencoder: decoder")
        if corruption is None:
            corruption = ("gaussian" if noise_std is not None
                          else "masking" if mask_fraction is not None else None)
        if corruption is not None and corruption not in CORRUPTIONS:
            raise unknown_name("corruption", corruption, CORRUPTIONS)
        if corruption == "gaussian":
            if mask_fraction is not None:
                raise ArgumentError(f"Autoencoder: mask_fraction={mask_fraction!r} goes with "
                                    "corruption='masking', not 'gaussian'")
            noise_std = number("Autoencoder", "noise_std", noise_std, 0.0)
        elif corruption == "masking":
            if noise_std is not None:
                raise ArgumentError(f"Autoencoder: noise_std={noise_std!r} goes with "
                                    "corruption='gaussian', not 'masking'")
            mask_fraction = number("Autoencoder", "mask_fraction", mask_fraction, 0.0, 1.0)
        if sparsity is not None and sparsity not in SPARSITIES:
            raise unknown_name("sparsity", sparsity, SPARSITIES)
        if sparsity is not None:
            if sparsity_weight is None:
                sparsity_weight = DEFAULT_SPARSITY_WEIGHT[sparsity]
            sparsity_weight = number("Autoencoder", "sparsity_weight", sparsity_weight, 0.0)
        elif sparsity_weight is not None:
            raise ArgumentError(f"Autoencoder: sparsity_weight={sparsity_weight!r} needs "
                                "sparsity='l1' or 'kl'")
        sparsity_target = number("Autoencoder", "sparsity_target", sparsity_target, 0.0, 1.0)
        self.__dict__.update(corruption=corruption, noise_std=noise_std,
                             mask_fraction=mask_fraction, sparsity=sparsity,
                             sparsity_weight=sparsity_weight, sparsity_target=sparsity_target,
                             seed=seed, _noise=SeededGenerators(seed, "corruption"))

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name,
                **describe("Autoencoder", {"encoder": self.encoder, "decoder": self.decoder}),
                **{k: getattr(self, k) for k in ("corruption", "noise_std", "mask_fraction",
                                                 "sparsity", "sparsity_weight",
                                                 "sparsity_target")},
                "seed": int_seed(self.seed)}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Autoencoder:
        return cls(**rebuild(config, ("encoder", "decoder")))

    def __repr__(self) -> str:
        extra = "".join(f", {k}={getattr(self, k)!r}" for k in (
            "corruption", "noise_std", "mask_fraction", "sparsity", "sparsity_weight")
            if getattr(self, k) is not None)
        return f"Autoencoder(encoder={self.encoder!r}, decoder={self.decoder!r}{extra})"

    # ----- the network -------------------------------------------------------------------
    def call(self, inputs: Tensor, training: bool = False) -> Tensor:
        """``decoder(encoder(x))``; the sparsity penalty Ω(h) joins this call's penalties
        (``model.losses``, added to the loss by ``fit`` and ``evaluate``)."""
        code = forward(self.encoder, inputs, training)
        if self.sparsity is not None and _context.losses is not None:  # in a model call
            self.add_loss(self.sparsity_penalty(code))
        return forward(self.decoder, code, training)

    def sparsity_penalty(self, code: Tensor) -> Tensor:
        """Ω(h) of a batch of codes (batch, code size): see the class docstring."""
        weight, batch = self.sparsity_weight, code.shape[0]
        if self.sparsity == "l1":
            return tm.sum(tm.abs(code)) * (weight / batch)
        lo, hi = float(code.data.min()), float(code.data.max())
        if not (lo >= 0.0 and hi <= 1.0):
            raise DataError(f"Autoencoder: sparsity='kl' needs codes in [0, 1] (a sigmoid last "
                            f"encoder layer), got codes in [{lo:.4g}, {hi:.4g}]")
        rho, eps = self.sparsity_target, 1e-7
        mean = tm.clip(tm.mean(code, axis=0), eps, 1.0 - eps)
        kl = (rho * math.log(rho) - rho * tm.log(mean) + (1 - rho) * math.log(1 - rho)
              - (1 - rho) * tm.log(1.0 - mean))
        return tm.sum(kl) * weight

    def corrupt(self, x: Any, seed: int | np.random.Generator | None = None) -> np.ndarray:
        """x̃: ``x`` with the training corruption applied (a copy; ``x`` itself when there is
        none), as the model's float dtype."""
        arr = np.asarray(x.data if isinstance(x, Tensor) else x, self._float_dtype())
        if self.corruption is None:
            return arr
        rng = self._noise(seed)
        if self.corruption == "gaussian":
            return arr + self.noise_std * rng.standard_normal(arr.shape, arr.dtype)
        return arr * (rng.random(arr.shape, arr.dtype) >= self.mask_fraction)

    # ----- training: targets are the inputs ------------------------------------------------
    def train_step(self, data: Any) -> dict[str, float]:
        """Keras's step on (x̃, x): the corrupted input, the clean target."""
        x, y, sample_weight = unpack_x_y_sample_weight(data)
        target = x if y is None else y
        return super().train_step((_wrap(self.corrupt(x)), target, sample_weight))

    def test_step(self, data: Any) -> dict[str, float]:
        """Keras's evaluation step on (x, x): no corruption."""
        x, y, sample_weight = unpack_x_y_sample_weight(data)
        return super().test_step((x, x if y is None else y, sample_weight))

    # ----- using it ----------------------------------------------------------------------
    def _run(self, part: Module, x: Any, op: str) -> np.ndarray:
        arr = data_utils.inputs(x, self._float_dtype(), f"Autoencoder.{op}")
        with no_grad():
            return forward(part, _wrap(arr), False).data

    def encode(self, x: Any) -> np.ndarray:
        """The codes h = encoder(x), inference mode, as a NumPy array."""
        return self._run(self.encoder, x, "encode")

    def decode(self, code: Any) -> np.ndarray:
        """decoder(h), inference mode, as a NumPy array."""
        return self._run(self.decoder, code, "decode")

    def reconstruct(self, x: Any) -> np.ndarray:
        """x̂ = decoder(encoder(x)) without corruption, as a NumPy array."""
        return self._run(self, x, "reconstruct")
