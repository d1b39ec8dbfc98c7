"""The McCulloch–Pitts neuron (1943): a binary threshold logic unit."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from ..errors import DataError, OutOfRangeError, ShapeError
from ._checks import as_samples, check_binary

_MAX_TABLE_INPUTS = 16  # a truth table has 2**n rows; 16 inputs is already 65,536


class McCullochPittsNeuron:
    """A binary threshold unit: ``y = 1 if Σᵢ wᵢxᵢ ≥ threshold and no inhibitory input is on``.

    Inputs and output are 0 or 1.  McCulloch and Pitts's formulation has two kinds of input:
    *excitatory* inputs that add their weight to a sum compared with the threshold, and
    *inhibitory* inputs (``inhibitory=`` lists their indices) with absolute veto power: if any
    of them is 1 the neuron does not fire, whatever the sum.  An inhibitory input never
    contributes to the sum (when it is 0 it adds nothing; when it is 1 the output is 0), so
    its weight does not matter.  Negative weights, a later generalisation, are also allowed.

    Args:
        weights: one weight per input, shape (n_inputs,).
        threshold: the neuron fires when the weighted sum reaches it (``≥``).
        inhibitory: indices of the inhibitory inputs.

    Shapes: ``x`` of shape (n_inputs,) gives an ``int``; (n_samples, n_inputs) gives an int64
    array of shape (n_samples,).

    Ready-made gates: :meth:`and_gate`, :meth:`or_gate`, :meth:`not_gate`.  Others by hand:

    >>> and_gate = McCullochPittsNeuron([1, 1], threshold=2)
    >>> and_gate([1, 1]), and_gate([1, 0])
    (1, 0)
    >>> # NOT: the sum is 0 ≥ 0 (fire) unless the inhibitory input is on
    >>> McCullochPittsNeuron([0], threshold=0, inhibitory=[0]).predict([[0], [1]]).tolist()
    [1, 0]
    >>> # "x₀ AND NOT x₁", with x₁ inhibitory
    >>> McCullochPittsNeuron([1, 0], threshold=1, inhibitory=[1]).truth_table().tolist()
    [[0, 0, 0], [0, 1, 0], [1, 0, 1], [1, 1, 0]]

    **Why one unit cannot compute XOR.**  Without inhibition, the unit fires exactly on one
    side of the line ``w₀x₀ + w₁x₁ = θ``; XOR would need (0,0) ↦ 0, so ``0 < θ``; (1,0) ↦ 1
    and (0,1) ↦ 1, so ``w₀ ≥ θ`` and ``w₁ ≥ θ``; and (1,1) ↦ 0, so ``w₀ + w₁ < θ``.  Adding
    the middle two gives ``w₀ + w₁ ≥ 2θ > θ`` (as θ > 0): a contradiction.  Making an input
    inhibitory does not help: if x₀ were inhibitory, (1,0) could not fire.  XOR's positive
    points (1,0), (0,1) and negative points (0,0), (1,1) are not *linearly separable*; it
    takes two layers of units (e.g. ``XOR = (x₀ OR x₁) AND NOT (x₀ AND x₁)``).
    """

    def __init__(
        self,
        weights: Sequence[float] | np.ndarray,
        threshold: float,
        inhibitory: Iterable[int] = (),
    ) -> None:
        if np.ndim(weights) != 1:
            raise ShapeError(
                f"McCullochPittsNeuron: weights must be a vector (one weight per input), got "
                f"shape {np.shape(weights)}"
            )
        w, _ = as_samples(weights, "McCullochPittsNeuron", "weights")
        try:
            threshold = float(threshold)
        except (TypeError, ValueError):
            raise DataError(
                f"McCullochPittsNeuron: threshold must be a number, got {threshold!r}"
            ) from None
        if not np.isfinite(threshold):
            raise DataError(f"McCullochPittsNeuron: threshold must be finite, got {threshold!r}")
        self.weights = w[0]
        self.threshold = threshold
        n = self.weights.shape[0]
        inhibitory = sorted({int(i) for i in inhibitory})
        for i in inhibitory:
            if not 0 <= i < n:
                raise OutOfRangeError(
                    f"McCullochPittsNeuron: inhibitory index {i} is out of range for "
                    f"{n} input(s) (valid: 0 to {n - 1})"
                )
        self.inhibitory = tuple(inhibitory)

    @property
    def n_inputs(self) -> int:
        return self.weights.shape[0]

    # ----- ready-made gates ---------------------------------------------------------------
    @classmethod
    def and_gate(cls, n_inputs: int = 2) -> McCullochPittsNeuron:
        """AND of ``n_inputs`` inputs: unit weights, threshold n (all must be on)."""
        return cls(np.ones(_count(n_inputs)), threshold=n_inputs)

    @classmethod
    def or_gate(cls, n_inputs: int = 2) -> McCullochPittsNeuron:
        """OR of ``n_inputs`` inputs: unit weights, threshold 1 (one is enough)."""
        return cls(np.ones(_count(n_inputs)), threshold=1)

    @classmethod
    def not_gate(cls, inhibitory: bool = True) -> McCullochPittsNeuron:
        """NOT: threshold 0 with one inhibitory input (McCulloch–Pitts), or, with
        ``inhibitory=False``, with weight -1 (the sum -1 is below 0 when the input is on)."""
        if inhibitory:
            return cls([0.0], threshold=0.0, inhibitory=[0])
        return cls([-1.0], threshold=0.0)

    # ----- computing --------------------------------------------------------------------
    def predict(self, x: Any) -> int | np.ndarray:
        """The output (0 or 1) for one input vector, or an array of outputs for a batch."""
        arr, single = as_samples(
            x, "McCullochPittsNeuron", "inputs", width=self.n_inputs, unit="inputs"
        )
        check_binary(arr[0] if single else arr, "McCullochPittsNeuron", "inputs")
        fires = arr @ self.weights >= self.threshold
        if self.inhibitory:
            fires &= ~arr[:, list(self.inhibitory)].any(axis=1)
        out = fires.astype(np.int64)
        return int(out[0]) if single else out

    __call__ = predict

    def truth_table(self) -> np.ndarray:
        """Every input combination and the output: int64 array of shape (2**n, n + 1).

        Rows count in binary from all zeros to all ones (the first input is the most
        significant); the last column is the output.
        """
        n = self.n_inputs
        if n > _MAX_TABLE_INPUTS:
            raise ValueError(
                f"truth_table: {n} inputs give 2**{n} rows; at most {_MAX_TABLE_INPUTS} "
                "inputs are supported"
            )
        inputs = np.array(list(itertools.product((0, 1), repeat=n)), dtype=np.int64)
        return np.column_stack([inputs, self.predict(inputs)])

    def __repr__(self) -> str:
        inhibitory = f", inhibitory={list(self.inhibitory)}" if self.inhibitory else ""
        return (
            f"McCullochPittsNeuron(weights={self.weights.tolist()}, "
            f"threshold={self.threshold:g}{inhibitory})"
        )


def _count(n_inputs: int) -> int:
    if isinstance(n_inputs, bool) or not isinstance(n_inputs, int | np.integer) or n_inputs < 1:
        raise ValueError(f"n_inputs must be a positive integer, got {n_inputs!r}")
    return int(n_inputs)
