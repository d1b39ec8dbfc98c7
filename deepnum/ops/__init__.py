"""Primitives: NumPy in, ``(output, backward)`` out.  No Tensor lives here.

Each primitive computes its forward value from NumPy arrays and returns it with a
``backward(g, needs)`` closure giving one gradient per array input.  ``deepnum.tensor`` wraps
them into differentiable Tensor operations; everything else is composed from those.
"""

from . import activation, elementwise, linalg, reduce, shape
from ._util import normalize_axis, unbroadcast
from .special import erf

__all__ = ["activation", "elementwise", "erf", "linalg", "normalize_axis", "reduce", "shape", "unbroadcast"]
