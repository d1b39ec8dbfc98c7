"""Primitives: NumPy in, NumPy out.  No Tensor lives here.

Each primitive is a ``deepnum.autograd.Function`` subclass with ``forward`` and ``backward``
side by side (tinygrad's style): ``forward`` computes from NumPy arrays and keeps what the
gradient needs, ``backward(g, needs)`` gives one gradient per array input.  ``deepnum._tensor``
runs them on tensors (``apply``, ``apply_n``, ``binary``); everything else is composed.
"""

from . import activation, elementwise, linalg, reduce, shape
from ._util import normalize_axis, unbroadcast
from .special import erf

__all__ = ["activation", "elementwise", "erf", "linalg", "normalize_axis", "reduce", "shape",
           "unbroadcast"]
