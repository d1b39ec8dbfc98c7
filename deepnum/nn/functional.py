"""``import deepnum.nn.functional as F``: the functions of :mod:`deepnum.functional`."""

from ..functional import *  # noqa: F403 - a re-export, as torch.nn.functional
from ..functional import __all__  # noqa: F401
