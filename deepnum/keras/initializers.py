"""Weight initialisers of the Keras door, with Keras's fan rules for kernels (in, out).

An initializer is called with a shape and a dtype and returns a new NumPy array.  Fans
(Keras's ``compute_fans``): a (in, out) kernel has fan_in = in, fan_out = out; a kernel
(..., in, out) multiplies both by the receptive field ∏shape[:-2]; a vector has
fan_in = fan_out = its length.  ``VarianceScaling`` is the family behind Glorot, He and
LeCun: with n = fan_in, fan_out or their mean (``mode``) and s = scale/n,

    uniform            U(±√(3s))
    truncated_normal   N(0, (√s/0.8796…)²) cut at ±2 standard deviations
    untruncated_normal N(0, s)

The arrays come from deepnum.nn.init's array functions; the draws from the seeded "init"
stream, or from a private generator when ``seed=`` is an integer.

>>> import numpy as np
>>> w = get("glorot_uniform")((784, 512), "float32")
>>> bool(np.abs(w).max() <= (6 / (784 + 512)) ** 0.5), w.dtype
(True, dtype('float32'))
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import random as dn_random
from ..errors import ArgumentError, unknown_name
from ..nn import init as nn_init
from .serialization import deserialize as _deserialize
from .serialization import lookup as _lookup
from .serialization import serialize  # noqa: F401 - public here, as in Keras

_TRUNCATED_STD = 0.87962566103423978  # std of N(0, 1) cut at ±2: rescale so the variance is s


def compute_fans(shape: tuple[int, ...]) -> tuple[int, int]:
    """Keras's (fan_in, fan_out) of a weight of ``shape`` (see the module docstring)."""
    shape = tuple(shape)
    if not shape:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    field = math.prod(shape[:-2])
    return shape[-2] * field, shape[-1] * field


class Initializer:
    """Base class: ``initializer(shape, dtype) -> array``; ``get_config`` for saving."""

    def __init__(self, seed: int | None = None) -> None:
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
            raise ArgumentError(f"{type(self).__name__}: seed must be None or an integer, "
                                f"got {seed!r}")
        self.seed = seed
        self._rng = None if seed is None else dn_random.make_generator(seed, "init")

    def rng(self) -> np.random.Generator:
        return self._rng if self._rng is not None else dn_random.generator("init")

    def __call__(self, shape, dtype: Any = "float32") -> np.ndarray:
        raise NotImplementedError

    def get_config(self) -> dict[str, Any]:
        return {"seed": self.seed}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Initializer:
        return cls(**config)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


class Zeros(Initializer):
    """All zeros."""

    def __init__(self) -> None:
        super().__init__()

    def __call__(self, shape, dtype: Any = "float32") -> np.ndarray:
        return np.zeros(shape, dtype)

    def get_config(self) -> dict[str, Any]:
        return {}


class Ones(Zeros):
    """All ones."""

    def __call__(self, shape, dtype: Any = "float32") -> np.ndarray:
        return np.ones(shape, dtype)


class Constant(Initializer):
    """Every entry ``value``."""

    def __init__(self, value: float = 0.0) -> None:
        super().__init__()
        self.value = float(value)

    def __call__(self, shape, dtype: Any = "float32") -> np.ndarray:
        return np.full(shape, self.value, dtype)

    def get_config(self) -> dict[str, Any]:
        return {"value": self.value}


class RandomNormal(Initializer):
    """N(mean, stddev²)."""

    def __init__(self, mean: float = 0.0, stddev: float = 0.05, seed: int | None = None):
        super().__init__(seed)
        self.mean, self.stddev = mean, stddev

    def __call__(self, shape, dtype: Any = "float32") -> np.ndarray:
        return nn_init.normal_array(shape, self.mean, self.stddev, self.rng(), dtype)

    def get_config(self) -> dict[str, Any]:
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed}


class TruncatedNormal(RandomNormal):
    """N(mean, stddev²) with draws beyond 2 standard deviations redrawn."""

    def __call__(self, shape, dtype: Any = "float32") -> np.ndarray:
        m, s = self.mean, self.stddev
        return nn_init.truncated_normal_array(shape, m, s, m - 2 * s, m + 2 * s, self.rng(),
                                              dtype)


class RandomUniform(Initializer):
    """U(minval, maxval)."""

    def __init__(self, minval: float = -0.05, maxval: float = 0.05, seed: int | None = None):
        super().__init__(seed)
        self.minval, self.maxval = minval, maxval

    def __call__(self, shape, dtype: Any = "float32") -> np.ndarray:
        return nn_init.uniform_array(shape, self.minval, self.maxval, self.rng(), dtype)

    def get_config(self) -> dict[str, Any]:
        return {"minval": self.minval, "maxval": self.maxval, "seed": self.seed}


_MODES = ("fan_in", "fan_out", "fan_avg")
_DISTRIBUTIONS = ("truncated_normal", "untruncated_normal", "uniform")


class VarianceScaling(Initializer):
    """Draws of variance ``scale / n`` (see the module docstring for n and the three
    distributions)."""

    def __init__(self, scale: float = 1.0, mode: str = "fan_in",
                 distribution: str = "truncated_normal", seed: int | None = None) -> None:
        super().__init__(seed)
        if not scale > 0:
            raise ArgumentError(f"VarianceScaling: scale must be > 0, got {scale!r}")
        if mode not in _MODES:
            raise unknown_name("VarianceScaling mode", mode, _MODES)
        distribution = "truncated_normal" if distribution == "normal" else distribution
        if distribution not in _DISTRIBUTIONS:
            raise unknown_name("VarianceScaling distribution", distribution, _DISTRIBUTIONS)
        self.scale, self.mode, self.distribution = scale, mode, distribution

    def __call__(self, shape, dtype: Any = "float32") -> np.ndarray:
        fan_in, fan_out = compute_fans(shape)
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[self.mode]
        s = self.scale / max(1.0, n)
        rng = self.rng()
        if self.distribution == "uniform":
            limit = math.sqrt(3.0 * s)
            return nn_init.uniform_array(shape, -limit, limit, rng, dtype)
        if self.distribution == "untruncated_normal":
            return nn_init.normal_array(shape, 0.0, math.sqrt(s), rng, dtype)
        std = math.sqrt(s) / _TRUNCATED_STD
        return nn_init.truncated_normal_array(shape, 0.0, std, -2 * std, 2 * std, rng, dtype)

    def get_config(self) -> dict[str, Any]:
        return {"scale": self.scale, "mode": self.mode, "distribution": self.distribution,
                "seed": self.seed}


def _preset(name: str, scale: float, mode: str, distribution: str, doc: str) -> type:
    def __init__(self, seed: int | None = None) -> None:  # noqa: N807
        VarianceScaling.__init__(self, scale, mode, distribution, seed)

    def get_config(self) -> dict[str, Any]:
        return {"seed": self.seed}

    return type(name, (VarianceScaling,), {"__init__": __init__, "get_config": get_config,
                                           "__doc__": doc})


GlorotUniform = _preset("GlorotUniform", 1.0, "fan_avg", "uniform",
                        "Glorot & Bengio (2010): U(±√(6/(fan_in + fan_out))).")
GlorotNormal = _preset("GlorotNormal", 1.0, "fan_avg", "truncated_normal",
                       "Truncated normal of variance 2/(fan_in + fan_out).")
HeUniform = _preset("HeUniform", 2.0, "fan_in", "uniform", "He et al. (2015): U(±√(6/fan_in)).")
HeNormal = _preset("HeNormal", 2.0, "fan_in", "truncated_normal",
                   "Truncated normal of variance 2/fan_in (for ReLU).")
LecunUniform = _preset("LecunUniform", 1.0, "fan_in", "uniform", "U(±√(3/fan_in)) (for SELU).")
LecunNormal = _preset("LecunNormal", 1.0, "fan_in", "truncated_normal",
                      "Truncated normal of variance 1/fan_in (for SELU).")


class Orthogonal(Initializer):
    """A (semi-)orthogonal matrix times ``gain``: the Q of the QR decomposition of a normal
    draw of shape (∏shape[:-1], shape[-1]) (Saxe et al., 2014)."""

    def __init__(self, gain: float = 1.0, seed: int | None = None) -> None:
        super().__init__(seed)
        self.gain = gain

    def __call__(self, shape, dtype: Any = "float32") -> np.ndarray:
        if len(shape) < 2:
            raise ArgumentError(f"Orthogonal: needs a shape of rank >= 2, got {tuple(shape)}")
        rows, cols = math.prod(shape[:-1]), shape[-1]
        a = self.rng().standard_normal((max(rows, cols), min(rows, cols)))
        q, r = np.linalg.qr(a)
        q *= np.sign(np.diag(r))
        if rows < cols:
            q = q.T
        return (self.gain * q).reshape(shape).astype(dtype)

    def get_config(self) -> dict[str, Any]:
        return {"gain": self.gain, "seed": self.seed}


class Identity(Initializer):
    """``gain`` times the identity matrix (2-D shapes only)."""

    def __init__(self, gain: float = 1.0) -> None:
        super().__init__()
        self.gain = gain

    def __call__(self, shape, dtype: Any = "float32") -> np.ndarray:
        if len(shape) != 2:
            raise ArgumentError(f"Identity: needs a 2-D shape, got {tuple(shape)}")
        return (self.gain * np.eye(*shape)).astype(dtype)

    def get_config(self) -> dict[str, Any]:
        return {"gain": self.gain}


ALL_OBJECTS = {cls.__name__: cls for cls in (
    Zeros, Ones, Constant, RandomNormal, RandomUniform, TruncatedNormal, VarianceScaling,
    GlorotUniform, GlorotNormal, HeUniform, HeNormal, LecunUniform, LecunNormal, Orthogonal,
    Identity)}
_ALIASES = {"zeros": Zeros, "ones": Ones, "constant": Constant, "random_normal": RandomNormal,
            "random_uniform": RandomUniform, "truncated_normal": TruncatedNormal,
            "variance_scaling": VarianceScaling, "glorot_uniform": GlorotUniform,
            "glorot_normal": GlorotNormal, "he_uniform": HeUniform, "he_normal": HeNormal,
            "lecun_uniform": LecunUniform, "lecun_normal": LecunNormal,
            "orthogonal": Orthogonal, "identity": Identity}
_BY_NAME = {**_ALIASES, **{name.lower(): cls for name, cls in ALL_OBJECTS.items()}}


def get(identifier: Any) -> Initializer:
    """An initializer from a name ("glorot_uniform", "GlorotUniform"), a ``serialize`` dict,
    or an instance (returned as is)."""
    if isinstance(identifier, Initializer):
        return identifier
    if isinstance(identifier, dict):
        return _deserialize("initializer", identifier, _BY_NAME, _ALIASES)
    if isinstance(identifier, str):
        return _lookup("initializer", identifier, _BY_NAME, _ALIASES)()
    if callable(identifier):
        raise ArgumentError("a plain function cannot be used as a Keras initializer here "
                            "(it could not be saved); subclass keras.initializers.Initializer")
    raise ArgumentError(f"could not interpret initializer {identifier!r}")
