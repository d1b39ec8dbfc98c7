"""Unsupervised and classic energy-based models.

>>> from deepnum.unsupervised import HopfieldNetwork
"""

from .hopfield import HopfieldNetwork
