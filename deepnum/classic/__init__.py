"""The classic neurons that came before backpropagation, in plain NumPy.

- :class:`McCullochPittsNeuron` (1943): a fixed binary threshold logic gate.
- :class:`Perceptron` (Rosenblatt, 1958): a threshold unit that learns its weights with the
  perceptron rule, and :class:`ConvergenceWarning` when it cannot (XOR).

>>> from deepnum.classic import McCullochPittsNeuron, Perceptron
>>> McCullochPittsNeuron.or_gate()([0, 1])
1
"""

from .mcculloch_pitts import McCullochPittsNeuron
from .perceptron import ConvergenceWarning, Perceptron

__all__ = ["ConvergenceWarning", "McCullochPittsNeuron", "Perceptron"]
