"""Unsupervised and classic energy-based models.

>>> from deepnum.unsupervised import HopfieldNetwork
"""

from .autoencoder import Autoencoder
from .dbn import DBN
from .gan import GAN
from .helmholtz import HelmholtzMachine
from .hopfield import HopfieldNetwork
from .rbm import RBM
