"""Where did the NaN come from?  Run once a loss turned non-finite, never on the normal path.

The batch is run forward again (training mode, no gradient) with every layer reporting its
output through the call context; the first layer, in execution order, whose weights or
output hold NaN or Inf is named.  The random streams and the non-trainable weights (moving
averages) are restored afterwards, so the diagnosis changes nothing.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ... import autograd
from ... import random as dn_random
from ..._tensor import Tensor, _wrap
from ...errors import NonFiniteError
from ..layers.base import Layer, _context


class NonFiniteLoss(NonFiniteError):
    """Raised by ``train_step`` before the update when the loss is NaN or Inf."""

    def __init__(self, value: float) -> None:
        super().__init__(f"the loss is {value}")
        self.value = value


def _finite(array: np.ndarray) -> bool:
    return array.dtype.kind != "f" or bool(np.isfinite(array).all())


def _label(layer: Layer) -> str:
    return f"layer {layer.name!r} ({type(layer).__name__})"


def _culprit(model: Layer, watched: list) -> str:
    for layer, out in watched:
        bad = [n for n in layer._weight_names if not _finite(getattr(layer, n).data)]
        if bad:
            names = ", ".join(repr(n) for n in bad)
            return (f"the weights of {_label(layer)}: {names} hold NaN or Inf. An earlier update "
                    "made them non-finite (non-finite gradients, or a learning rate too high)")
        if isinstance(out, Tensor) and not _finite(out.data):
            inner = (" (the layers inside it gave finite outputs: look at the operations in "
                     "its call())" if layer._sublayers() else " (its inputs and weights are "
                     "finite: values too large for float32? a learning rate too high, "
                     "unscaled inputs or an overflowing activation are the usual causes)")
            return f"the output of {_label(layer)}{inner}"
    bad_weights = [i for i, w in enumerate(model.weights) if not _finite(w.data)]
    if bad_weights:
        return (f"weight #{bad_weights[0]} of model {model.name!r} (outside its Keras layers) "
                "holds NaN or Inf")
    return ("every layer's output is finite, so the loss itself is non-finite: check the "
            "targets (NaN?) and that a loss taking probabilities gets values in [0, 1]")


def diagnose(model: Layer, x: Any, value: float, where: str) -> str:
    """The message of the NonFiniteError for a loss ``value`` on the batch ``x``."""
    rng = dn_random.get_rng_state()
    private = [m._generator for m in model.modules()
               if getattr(m, "_generator", None) is not None]
    private_states = [g.bit_generator.state for g in private]
    kept = [(w, w.data.copy()) for w in model.non_trainable_weights]
    _context.watch = []
    failure = ""
    try:
        with autograd.no_grad(), np.errstate(all="ignore"):
            model(x if isinstance(x, Tensor) else _wrap(np.asarray(x)), training=True)
    except Exception as error:  # the diagnosis must not hide the original problem
        failure = f" (re-running the batch raised {type(error).__name__}: {error})"
    finally:
        watched, _context.watch = _context.watch, None
        dn_random.set_rng_state(rng)
        for g, state in zip(private, private_states, strict=True):
            g.bit_generator.state = state
        for w, data in kept:
            w.data[...] = data
    return (f"the loss became {value} at {where}; the first non-finite value is in "
            f"{_culprit(model, watched)}{failure}")
