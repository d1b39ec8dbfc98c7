"""Unsupervised and classic energy-based models.

>>> from deepnum.unsupervised import HopfieldNetwork
"""

from .helmholtz import HelmholtzMachine
from .hopfield import HopfieldNetwork
from .rbm import RBM
