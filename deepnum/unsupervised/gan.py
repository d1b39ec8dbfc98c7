"""Generative adversarial networks (Goodfellow et al. 2014), trained with the non-saturating
generator loss and separate optimizers, as one Keras model."""

from __future__ import annotations

import math
from contextlib import nullcontext
from typing import Any

import numpy as np

from .._tensor import Tensor, _wrap
from ..autograd import no_grad
from ..errors import ArgumentError, ShapeError
from ..keras import losses as losses_module
from ..keras import optimizers as optimizers_module
from ..keras.layers.base import isolated_call, positive_int
from ..keras.metrics import Mean
from ..keras.models.compile_utils import resolve_loss
from ..keras.models.diagnose import NonFiniteLoss
from ..keras.models.model import Model
from ..keras.models.trainer import unpack_x_y_sample_weight
from ._networks import as_network, describe, forward, held, int_seed, number, rebuild, trainable
from ._seeds import SeededGenerators, second_generator

Seed = int | np.random.Generator | None
LOGS = ("d_loss", "g_loss", "d_real", "d_fake")


def _optimizer(spec: Any, what: str) -> Any:
    """A Keras optimizer (name, config or instance; default Adam(2e-4, β₁ = 0.5) as in
    Radford et al. 2015), or a PyTorch-door optimizer built on the network's parameters."""
    if spec is None:
        return optimizers_module.Adam(learning_rate=2e-4, beta_1=0.5)
    if hasattr(spec, "step") and hasattr(spec, "zero_grad"):
        return spec
    opt = optimizers_module.get(spec)
    if opt is None:
        raise ArgumentError(f"GAN.compile: {what} must be an optimizer, got {spec!r}")
    return opt


def _step(optimizer: Any, params: list[Tensor]) -> None:
    """Apply each parameter's ``.grad`` with a Keras or a PyTorch-door optimizer."""
    if hasattr(optimizer, "apply"):
        optimizer.apply([p.grad for p in params], params)
    else:
        optimizer.step()


class GAN(Model):
    """A generator G (latent z → sample) and a discriminator D (sample → real or fake) trained
    against each other.  With D(·) the discriminator's probability that its input is real
    (σ of its output under the default loss: D's last layer gives logits), s the one-sided
    label smoothing and B examples per batch, each training step on real data x is:

    1. ``d_steps`` times, with fresh z ~ N(0, I) and fakes G(z) (G held fixed), one update of
       D's weights by ``d_optimizer`` on the binary cross-entropy of real (label 1 - s) and
       fake (label 0) examples::

           L_D = -(1/B) Σ_n [(1 - s) log D(x_n) + s log(1 - D(x_n))]
                 -(1/B) Σ_n log(1 - D(G(z_n)))

    2. with fresh z, one update of G's weights by ``g_optimizer`` on the non-saturating
       loss (Goodfellow et al. 2014, §3: its gradient stays large while D rejects the fakes,
       unlike that of log(1 - D(G(z))))::

           L_G = -(1/B) Σ_n log D(G(z_n))

    Each phase changes only its own network: the other one's parameters get no gradient,
    and its non-trainable state (BatchNormalization's moving statistics) is restored.  Both
    networks run in training mode in both phases (dropout, batch statistics).  ``fit(x)``
    logs the epoch's running means of ``d_loss`` (L_D), ``g_loss`` (L_G), ``d_real`` (mean
    D(x)) and ``d_fake`` (mean D(G(z))), each measured before its update (for D, the last
    of the ``d_steps``); ``evaluate(x)`` and validation compute the same without updating,
    in inference mode.

    Args:
        generator, discriminator: Keras layers or models, ``deepnum.nn`` modules, or lists of
            them.  G maps (batch, latent_dim) to samples shaped like the data (scale the data
            to G's output range, e.g. [-1, 1] for tanh); D maps them to (batch, 1).
        latent_dim: the size of z.
        d_steps: discriminator updates per generator update (on the same real batch).
        label_smoothing: s in [0, 1); real examples get the label 1 - s (Salimans et al. 2016).
        seed: integer or Generator: one private generator for the training noise, another
            for ``sample(seed=None)`` (sampling never changes the course of training); None:
            deepnum's global "latent" and "sample" streams.  The layers draw their initial
            weights themselves (``deepnum.manual_seed`` seeds them).

    ``compile(d_optimizer, g_optimizer, loss)``: two distinct optimizers (default
    ``keras.optimizers.Adam(2e-4, beta_1=0.5)`` each); ``loss`` a Keras loss applied as
    ``loss(labels, D's output)``, default ``BinaryCrossentropy(from_logits=True)``; pass
    ``"binary_crossentropy"`` if D ends with a sigmoid.  A Keras optimizer with
    ``use_ema=True`` also keeps a moving average of its network's weights: ``sample`` then
    draws from the averaged generator, and ``fit`` ends with each such network holding its
    averages (as Keras 3's ``fit`` does).  ``gan(x)`` and ``predict(x)`` give D's outputs.
    ``sample(n)`` draws G(z) in inference mode.

    >>> from deepnum.keras import layers
    >>> gan = GAN([layers.Dense(8, activation="relu"), layers.Dense(4)],
    ...           [layers.Dense(8), layers.LeakyReLU(0.2), layers.Dense(1)], latent_dim=2, seed=0)
    >>> gan.compile()
    >>> sorted(gan.fit(np.ones((16, 4)), epochs=1, batch_size=8, verbose=0).history)
    ['d_fake', 'd_loss', 'd_real', 'g_loss']
    >>> gan.sample(3, seed=0).shape
    (3, 4)
    """

    def __init__(self, generator: Any, discriminator: Any, latent_dim: int, d_steps: int = 1,
                 label_smoothing: float = 0.0, seed: Seed = None, name: str | None = None) -> None:
        super().__init__(name=name)
        self.generator = as_network(generator, "GAN: generator")
        self.discriminator = as_network(discriminator, "GAN: discriminator")
        self.__dict__.update(
            latent_dim=positive_int("GAN", "latent_dim", latent_dim),
            d_steps=positive_int("GAN", "d_steps", d_steps),
            label_smoothing=number("GAN", "label_smoothing", label_smoothing, 0.0, 1.0, True),
            seed=seed, _latents=SeededGenerators(seed, "latent"),
            _samples=SeededGenerators(second_generator(seed), "sample"), d_optimizer=None,
            g_optimizer=None, gan_loss=None, _trackers={name: Mean(name=name) for name in LOGS})

    def compile(self, d_optimizer: Any = None, g_optimizer: Any = None,
                loss: Any = None) -> None:
        """Choose the two optimizers and the loss (see the class docstring)."""
        d_opt, g_opt = _optimizer(d_optimizer, "d_optimizer"), _optimizer(g_optimizer,
                                                                           "g_optimizer")
        if d_opt is g_opt:
            raise ArgumentError("GAN.compile: d_optimizer and g_optimizer must be two "
                                "optimizers (each keeps the state of its own network's weights)"
                                f", got the same {type(d_opt).__name__} twice")
        loss = resolve_loss(loss if loss is not None
                            else losses_module.BinaryCrossentropy(from_logits=True))
        self.__dict__.update(d_optimizer=d_opt, g_optimizer=g_opt, gan_loss=loss, compiled=True)

    def get_config(self) -> dict[str, Any]:
        config = {"name": self.name, **describe("GAN", {"generator": self.generator,
                                                         "discriminator": self.discriminator}),
                  "latent_dim": self.latent_dim, "d_steps": self.d_steps,
                  "label_smoothing": self.label_smoothing, "seed": int_seed(self.seed)}
        if self.compiled and hasattr(self.d_optimizer, "get_config") and hasattr(
                self.g_optimizer, "get_config"):
            config["compile"] = {"d_optimizer": optimizers_module.serialize(self.d_optimizer),
                                 "g_optimizer": optimizers_module.serialize(self.g_optimizer),
                                 "loss": losses_module.serialize(self.gan_loss)}
        return config

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> GAN:
        config = rebuild(config, ("generator", "discriminator"))
        settings = config.pop("compile", None)
        gan = cls(**config)
        if settings is not None:
            gan.compile(optimizers_module.deserialize(settings["d_optimizer"]),
                        optimizers_module.deserialize(settings["g_optimizer"]),
                        losses_module.get(settings["loss"]))
        return gan

    def __repr__(self) -> str:
        return (f"GAN(generator={self.generator!r}, discriminator={self.discriminator!r}, "
                f"latent_dim={self.latent_dim}, d_steps={self.d_steps})")

    # ----- the networks ------------------------------------------------------------------
    def build(self, input_shape: tuple) -> None:
        """Build G on latent vectors and D on G's samples; G's samples must have the data's
        shape ``input_shape``."""
        with isolated_call():
            fake = forward(self.generator, _wrap(np.zeros((1, self.latent_dim), np.float32)),
                           False)
            if fake.shape[1:] != tuple(input_shape[1:]):
                raise ShapeError(f"GAN {self.name!r}: the generator makes samples of shape "
                                 f"{(None, *fake.shape[1:])} but the data have shape "
                                 f"{tuple(input_shape)}")
            forward(self.discriminator, fake, False)

    def call(self, inputs: Tensor, training: bool = False) -> Tensor:
        """D's outputs for ``inputs``."""
        return forward(self.discriminator, inputs, training)

    def _latent(self, n: int, seed: Seed = None, stream: str = "latent") -> np.ndarray:
        gens = self._latents if stream == "latent" else self._samples
        return gens(seed).standard_normal((n, self.latent_dim), np.float32)

    def sample(self, n: int, seed: Seed = None, averaged: bool = True) -> np.ndarray:
        """``n`` samples G(z), z ~ N(0, I), inference mode, as a NumPy array.  ``seed``: None
        for the model's sampling generator; an integer's generator is made on first use and
        then advances (two calls with the same integer differ; two GANs built alike agree);
        a Generator is used as is.  ``averaged``: if ``g_optimizer`` keeps a moving average
        of G's weights (a Keras optimizer with ``use_ema=True``), sample from G with those
        averaged weights (Yazıcı et al. 2019: steadier samples than the last iterate);
        ``False`` for G's current weights.  G's weights are unchanged afterwards."""
        z = self._latent(positive_int("GAN.sample", "n", n), seed, "sample")
        swap = getattr(self.g_optimizer, "averaged_variables", None)
        with no_grad(), (swap() if averaged and swap is not None else nullcontext()):
            return forward(self.generator, _wrap(z), False).data

    # ----- the losses --------------------------------------------------------------------
    def _against(self, out: Tensor, label: float) -> Tensor:
        return self.gan_loss(np.full(out.shape, label, out.dtype), out)

    def discriminator_loss(self, real_out: Tensor, fake_out: Tensor) -> Tensor:
        """L_D from D's outputs on real and fake examples."""
        return self._against(real_out, 1.0 - self.label_smoothing) + self._against(fake_out,
                                                                                   0.0)

    def generator_loss(self, fake_out: Tensor) -> Tensor:
        """L_G = loss(1, D(G(z))), the non-saturating loss, from D's outputs on fakes."""
        return self._against(fake_out, 1.0)

    def probability(self, out: Tensor) -> float:
        """The mean probability of "real" that D's outputs say (σ of logits)."""
        a = out.data.astype(np.float64)
        if getattr(self.gan_loss, "from_logits", False):
            a = 0.5 * (1.0 + np.tanh(0.5 * a))
        return float(a.mean())

    # ----- the two phases ----------------------------------------------------------------
    def discriminator_step(self, real: Any, z: Any) -> tuple[float, float, float]:
        """One update of D on real examples and fakes G(z); returns (L_D, mean D(x),
        mean D(G(z))) before the update.  G is unchanged."""
        with no_grad(), held(self.generator):
            fake = forward(self.generator, _wrap(z), True)
        params = trainable(self.discriminator)
        for p in params:
            p.grad = None
        real_out = forward(self.discriminator, _wrap(real), True)
        fake_out = forward(self.discriminator, fake, True)
        loss = self.discriminator_loss(real_out, fake_out)
        value = float(loss.data)
        if not math.isfinite(value):
            raise NonFiniteLoss(value)
        loss.backward()
        _step(self.d_optimizer, params)
        return value, self.probability(real_out), self.probability(fake_out)

    def generator_step(self, z: Any) -> float:
        """One update of G on the non-saturating loss of G(z); returns L_G before the update.
        D is unchanged."""
        params = trainable(self.generator)
        for p in params:
            p.grad = None
        with held(self.discriminator):
            loss = self.generator_loss(forward(self.discriminator,
                                               forward(self.generator, _wrap(z), True), True))
        value = float(loss.data)
        if not math.isfinite(value):
            raise NonFiniteLoss(value)
        loss.backward()
        _step(self.g_optimizer, params)
        return value

    def train_step(self, data: Any) -> dict[str, float]:
        """``d_steps`` discriminator updates, then one generator update, on the real batch."""
        x = unpack_x_y_sample_weight(data)[0]
        real = np.asarray(x.data if isinstance(x, Tensor) else x, self._float_dtype())
        n, logs = len(real), self._trackers
        for _ in range(self.d_steps):
            d_loss, d_real, d_fake = self.discriminator_step(real, self._latent(n))
        for name, value in (("d_loss", d_loss), ("d_real", d_real), ("d_fake", d_fake),
                            ("g_loss", self.generator_step(self._latent(n)))):
            logs[name].add(value, n)
        return self._logs()

    def test_step(self, data: Any) -> dict[str, float]:
        """The four logged values on a batch, inference mode, no update (fakes from the
        sampling generator)."""
        x = unpack_x_y_sample_weight(data)[0]
        n, logs = len(x), self._trackers
        fake = forward(self.generator, _wrap(self._latent(n, None, "sample")), False)
        real_out = forward(self.discriminator, x, False)
        fake_out = forward(self.discriminator, fake, False)
        for name, value in (("d_loss", float(self.discriminator_loss(real_out, fake_out).data)),
                            ("g_loss", float(self.generator_loss(fake_out).data)),
                            ("d_real", self.probability(real_out)),
                            ("d_fake", self.probability(fake_out))):
            logs[name].add(value, n)
        return self._logs()

    def named_optimizers(self) -> dict[str, tuple[Any, list[Tensor]]]:
        """The two optimizers with the weights each updates: saved files and checkpoints keep
        both states (Adam's moments...), so training resumes exactly, and at the end of
        ``fit`` each one with ``use_ema`` leaves its network the averaged weights."""
        return {"d_optimizer": (self.d_optimizer, trainable(self.discriminator)),
                "g_optimizer": (self.g_optimizer, trainable(self.generator))}

    def _logs(self) -> dict[str, float]:
        return {name: tracker.result() for name, tracker in self._trackers.items()}

    @property
    def metrics(self) -> list[Mean]:
        """The running means that ``fit`` and ``evaluate`` log (reset every epoch)."""
        return list(self._trackers.values())

