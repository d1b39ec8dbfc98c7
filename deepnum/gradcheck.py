"""``gradcheck``: compare analytic gradients with central finite differences in float64."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from ._tensor import Tensor
from .autograd import backprop, no_grad
from .errors import GradcheckError


def gradcheck(
    fn: Callable[..., Tensor],
    inputs: Tensor | Sequence,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    seed: int = 0,
) -> bool:
    """Check the gradients of ``fn`` at ``inputs``; True, or raise naming the first mismatch.

    Every input that requires grad is copied to float64.  The output(s) of ``fn`` are reduced
    to one scalar ``L = Σ v·out`` with fixed random weights ``v`` (so every output element
    counts, each differently), and each element of the analytic gradient of ``L`` must match
    the central difference ``(L(x + eps) - L(x - eps)) / (2·eps)`` within
    ``atol + rtol·|numerical|``.

    >>> import deepnum as dn
    >>> dn.gradcheck(lambda x: (x * x).sum(), dn.randn(3, requires_grad=True))
    True
    """
    inputs = (inputs,) if isinstance(inputs, Tensor) else tuple(inputs)
    xs = [
        Tensor(x.data.astype(np.float64), requires_grad=x.requires_grad)
        if isinstance(x, Tensor) and x.dtype.kind == "f" else x
        for x in inputs
    ]
    checked = [i for i, x in enumerate(xs) if isinstance(x, Tensor) and x.requires_grad]
    if not checked:
        raise ValueError("gradcheck: none of the inputs requires grad")
    rng = np.random.default_rng(seed)
    outputs = _outputs(fn(*xs))
    weights = [rng.standard_normal(o.shape) for o in outputs]

    def objective() -> float:
        with no_grad():
            outs = _outputs(fn(*xs))
            return float(sum((o.data.astype(np.float64) * w).sum()
                             for o, w in zip(outs, weights, strict=True)))

    roots = [(o, w.astype(o.dtype))
             for o, w in zip(outputs, weights, strict=True) if o.requires_grad]
    # Collect the gradients of the inputs only: nothing's .grad is written (fn may use
    # tensors of its own that require grad, such as a model's parameters).
    found: dict[int, np.ndarray | None] = {id(xs[i]): None for i in checked}
    if roots:
        backprop([o for o, _ in roots], [w for _, w in roots], accumulate=False, sources=found)
    for i in checked:
        x = xs[i]
        g = found[id(x)]
        analytic = np.zeros(x.shape) if g is None else g
        flat = x.data.reshape(-1)  # a view: perturbing it perturbs the input
        for j in range(flat.size):
            orig = flat[j]
            flat[j] = orig + eps
            plus = objective()
            flat[j] = orig - eps
            minus = objective()
            flat[j] = orig
            numerical = (plus - minus) / (2 * eps)
            a = analytic.reshape(-1)[j]
            if not abs(a - numerical) <= atol + rtol * abs(numerical):
                index = np.unravel_index(j, x.shape) if x.ndim else ()
                raise GradcheckError(
                    f"gradcheck: input {i} (shape {x.shape}), "
                    f"index {tuple(int(k) for k in index)}: "
                    f"analytic gradient {a:.8g} but numerical {numerical:.8g} "
                    f"(atol={atol}, rtol={rtol})"
                )
    return True


def _outputs(out) -> list[Tensor]:
    outs = list(out) if isinstance(out, tuple | list) else [out]
    for o in outs:
        if not isinstance(o, Tensor):
            raise TypeError(f"gradcheck: fn must return tensors, got {type(o).__name__}")
    return outs
