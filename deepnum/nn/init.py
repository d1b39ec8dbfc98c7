"""Weight initialisation, PyTorch's ``torch.nn.init`` plus the array maths underneath.

Two levels:

* array functions (``glorot_uniform_array(shape, fan_in, fan_out, rng, dtype)`` ...) take
  the fans explicitly and return a new NumPy array, so any door can use them with its own
  fan rules (PyTorch's weight is (out, in); Keras's kernel is (in, out));
* PyTorch's in-place functions (``xavier_uniform_(tensor)`` ...) compute the fans with
  PyTorch's rule (:func:`_calculate_fan_in_and_fan_out`) and fill the tensor outside the
  graph.  They draw from ``generator`` or, by default, the seeded ``"init"`` stream.

Formulas (``gain`` from :func:`calculate_gain`):
  Glorot/Xavier uniform  U(±gain·√(6/(fan_in + fan_out)))   normal  N(0, gain²·2/(fan_in + fan_out))
  He/Kaiming   uniform   U(±gain·√(3/fan))                  normal  N(0, gain²/fan)
  LeCun (for SELU)       He with gain 1 and fan = fan_in.

>>> import deepnum as dn
>>> w = dn.empty(3, 5)
>>> _ = xavier_uniform_(w)
>>> bool((w.abs() <= (6 / 8) ** 0.5).all())
True
"""

from __future__ import annotations

import math
import numbers
import warnings

import numpy as np

from .. import random as dn_random
from .._tensor import Tensor
from ..errors import ShapeError, unknown_name


# ----- array level --------------------------------------------------------------------------
def uniform_array(shape, low: float, high: float, rng: np.random.Generator, dtype) -> np.ndarray:
    """Draws from U(low, high) of ``shape`` and ``dtype``."""
    return rng.uniform(low, high, size=shape).astype(dtype)


def normal_array(shape, mean: float, std: float, rng: np.random.Generator, dtype) -> np.ndarray:
    """Draws from N(mean, std²) of ``shape`` and ``dtype``."""
    return rng.normal(mean, std, size=shape).astype(dtype)


def truncated_normal_array(shape, mean: float, std: float, a: float, b: float,
                           rng: np.random.Generator, dtype) -> np.ndarray:
    """Draws from N(mean, std²) restricted to [a, b] (out-of-range draws are redrawn)."""
    out = rng.normal(mean, std, size=shape)
    bad = (out < a) | (out > b)
    while bad.any():
        out[bad] = rng.normal(mean, std, size=int(bad.sum()))
        bad = (out < a) | (out > b)
    return out.astype(dtype)


def glorot_uniform_array(shape, fan_in: int, fan_out: int, rng: np.random.Generator, dtype,
                         gain: float = 1.0) -> np.ndarray:
    """Glorot & Bengio (2010): U(±gain·√(6/(fan_in + fan_out)))."""
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return uniform_array(shape, -bound, bound, rng, dtype)


def glorot_normal_array(shape, fan_in: int, fan_out: int, rng: np.random.Generator, dtype,
                        gain: float = 1.0) -> np.ndarray:
    """N(0, std²) with std = gain·√(2/(fan_in + fan_out)) (PyTorch's, not truncated)."""
    return normal_array(shape, 0.0, gain * math.sqrt(2.0 / (fan_in + fan_out)), rng, dtype)


def he_uniform_array(shape, fan: int, rng: np.random.Generator, dtype,
                     gain: float = math.sqrt(2.0)) -> np.ndarray:
    """He et al. (2015): U(±gain·√(3/fan)); gain √2 suits ReLU."""
    bound = gain * math.sqrt(3.0 / fan)
    return uniform_array(shape, -bound, bound, rng, dtype)


def he_normal_array(shape, fan: int, rng: np.random.Generator, dtype,
                    gain: float = math.sqrt(2.0)) -> np.ndarray:
    """N(0, std²) with std = gain/√fan (PyTorch's, not truncated)."""
    return normal_array(shape, 0.0, gain / math.sqrt(fan), rng, dtype)


def lecun_uniform_array(shape, fan_in: int, rng: np.random.Generator, dtype) -> np.ndarray:
    """LeCun (1998): U(±√(3/fan_in)), variance 1/fan_in (for SELU)."""
    return he_uniform_array(shape, fan_in, rng, dtype, gain=1.0)


def lecun_normal_array(shape, fan_in: int, rng: np.random.Generator, dtype) -> np.ndarray:
    """N(0, 1/fan_in) (for SELU; Keras truncates its version: ``truncated_normal_array``)."""
    return he_normal_array(shape, fan_in, rng, dtype, gain=1.0)


# ----- PyTorch's rules ----------------------------------------------------------------------
_LINEAR_FNS = ("linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
               "conv_transpose3d", "sigmoid")
_GAINS = (*_LINEAR_FNS, "tanh", "relu", "leaky_relu", "selu")


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The recommended gain for ``nonlinearity`` (PyTorch's table): 1 for linear, conv and
    sigmoid; 5/3 for tanh; √2 for relu; √(2/(1 + slope²)) for leaky_relu (slope ``param``,
    0.01 by default); 3/4 for selu.

    >>> round(calculate_gain("leaky_relu", 0.2), 4)
    1.3868
    """
    if nonlinearity in _LINEAR_FNS:
        return 1
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            param = 0.01
        elif isinstance(param, bool) or not isinstance(param, numbers.Real):
            raise ValueError(f"negative_slope {param} not a valid number")
        return math.sqrt(2.0 / (1 + param**2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise unknown_name("nonlinearity", nonlinearity, _GAINS)


def _calculate_fan_in_and_fan_out(tensor) -> tuple[int, int]:
    """PyTorch's fans of a weight (out, in, *kernel): fan_in = in·Πkernel,
    fan_out = out·Πkernel."""
    shape = tuple(tensor.shape)
    if len(shape) < 2:
        raise ShapeError(
            "Fan in and fan out can not be computed for tensor with fewer than 2 dimensions "
            f"(got shape {shape})"
        )
    receptive = math.prod(shape[2:])
    return shape[1] * receptive, shape[0] * receptive


def _calculate_correct_fan(tensor, mode: str) -> int:
    if mode.lower() not in ("fan_in", "fan_out"):
        raise unknown_name("fan mode", mode, ("fan_in", "fan_out"))
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode.lower() == "fan_in" else fan_out


# ----- in place, on tensors -----------------------------------------------------------------
def _rng(generator) -> np.random.Generator:
    return generator if generator is not None else dn_random.generator("init")


def _fill(tensor: Tensor, values) -> Tensor:
    tensor.data[...] = values  # outside the graph, keeping the tensor's identity and memory
    return tensor


def _empty(tensor: Tensor) -> bool:
    if tensor.data.size == 0:
        warnings.warn("Initializing zero-element tensors is a no-op", stacklevel=3)
        return True
    return False


def uniform_(tensor: Tensor, a: float = 0.0, b: float = 1.0, generator=None) -> Tensor:
    """Fill with draws from U(a, b)."""
    return _fill(tensor, uniform_array(tensor.shape, a, b, _rng(generator), tensor.dtype))


def normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0, generator=None) -> Tensor:
    """Fill with draws from N(mean, std²)."""
    return _fill(tensor, normal_array(tensor.shape, mean, std, _rng(generator), tensor.dtype))


def trunc_normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0, a: float = -2.0,
                  b: float = 2.0, generator=None) -> Tensor:
    """Fill with draws from N(mean, std²) restricted to [a, b] (absolute bounds)."""
    arr = truncated_normal_array(tensor.shape, mean, std, a, b, _rng(generator), tensor.dtype)
    return _fill(tensor, arr)


def constant_(tensor: Tensor, val: float) -> Tensor:
    """Fill with ``val``."""
    return _fill(tensor, val)


def ones_(tensor: Tensor) -> Tensor:
    return _fill(tensor, 1)


def zeros_(tensor: Tensor) -> Tensor:
    return _fill(tensor, 0)


def eye_(tensor: Tensor) -> Tensor:
    """Fill a matrix with the identity (ones on the diagonal of a rectangle too)."""
    if tensor.ndim != 2:
        raise ShapeError(f"eye_: only 2-D tensors are supported, got shape {tensor.shape}")
    return _fill(tensor, np.eye(*tensor.shape, dtype=tensor.dtype))


def xavier_uniform_(tensor: Tensor, gain: float = 1.0, generator=None) -> Tensor:
    """Glorot uniform with PyTorch's fans."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    arr = glorot_uniform_array(tensor.shape, fan_in, fan_out, _rng(generator), tensor.dtype, gain)
    return _fill(tensor, arr)


def xavier_normal_(tensor: Tensor, gain: float = 1.0, generator=None) -> Tensor:
    """Glorot normal with PyTorch's fans."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    arr = glorot_normal_array(tensor.shape, fan_in, fan_out, _rng(generator), tensor.dtype, gain)
    return _fill(tensor, arr)


def kaiming_uniform_(tensor: Tensor, a: float = 0, mode: str = "fan_in",
                     nonlinearity: str = "leaky_relu", generator=None) -> Tensor:
    """He uniform: U(±gain·√(3/fan)), gain = ``calculate_gain(nonlinearity, a)``, fan by
    ``mode``.  ``Linear``'s default is ``a=√5``, which gives U(±1/√fan_in)."""
    if _empty(tensor):
        return tensor
    fan = _calculate_correct_fan(tensor, mode)
    gain = calculate_gain(nonlinearity, a)
    return _fill(tensor, he_uniform_array(tensor.shape, fan, _rng(generator), tensor.dtype, gain))


def kaiming_normal_(tensor: Tensor, a: float = 0, mode: str = "fan_in",
                    nonlinearity: str = "leaky_relu", generator=None) -> Tensor:
    """He normal: N(0, gain²/fan)."""
    if _empty(tensor):
        return tensor
    fan = _calculate_correct_fan(tensor, mode)
    gain = calculate_gain(nonlinearity, a)
    return _fill(tensor, he_normal_array(tensor.shape, fan, _rng(generator), tensor.dtype, gain))


def lecun_uniform_(tensor: Tensor, generator=None) -> Tensor:
    """LeCun uniform, U(±√(3/fan_in)) (for SELU networks)."""
    fan_in, _ = _calculate_fan_in_and_fan_out(tensor)
    return _fill(tensor, lecun_uniform_array(tensor.shape, fan_in, _rng(generator), tensor.dtype))


def lecun_normal_(tensor: Tensor, generator=None) -> Tensor:
    """LeCun normal, N(0, 1/fan_in) (for SELU networks)."""
    fan_in, _ = _calculate_fan_in_and_fan_out(tensor)
    return _fill(tensor, lecun_normal_array(tensor.shape, fan_in, _rng(generator), tensor.dtype))


glorot_uniform_ = xavier_uniform_
glorot_normal_ = xavier_normal_
he_uniform_ = kaiming_uniform_
he_normal_ = kaiming_normal_
