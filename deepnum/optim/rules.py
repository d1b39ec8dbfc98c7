"""The arithmetic of every update rule, written once and shared by both front doors.

``deepnum.optim`` (PyTorch's conventions) and ``deepnum.keras.optimizers`` (Keras's) differ
only in where a few constants go: whether epsilon sits inside or outside the square root,
whether the learning rate is folded into the momentum buffer, how Adam's bias correction
meets epsilon.  Each rule below takes those choices as arguments, so a door is a
configuration of these functions, not a second copy of them.

Every function updates NumPy arrays IN PLACE: the parameter ``p``, its state (``buf``,
``v``...) and a scratch array ``tmp`` of the parameter's shape and dtype (its contents on
entry do not matter).  The gradient ``g`` is only read.  Scalars are Python floats, so a
float32 parameter stays float32 (NumPy's scalar promotion rules).

>>> import numpy as np
>>> p, g = np.ones(3), np.full(3, 0.5)
>>> buf, tmp = np.zeros(3), np.empty(3)
>>> momentum_step(p, g, buf, tmp, momentum=0.9, into=1.0, out=0.1)   # PyTorch's SGD
>>> p.tolist()
[0.95, 0.95, 0.95]
"""

from __future__ import annotations

import math

import numpy as np


class Scratch:
    """Scratch arrays by shape and dtype, kept between steps so that a step allocates nothing.

    ``like(a, slot)`` returns the same array for every call with ``a``'s shape and dtype
    and the same ``slot``; parameters of one shape share it (they are updated one by one).
    """

    def __init__(self) -> None:
        self._arrays: dict[tuple, np.ndarray] = {}

    def like(self, a: np.ndarray, slot: int = 0) -> np.ndarray:
        key = (a.shape, a.dtype.char, slot)
        tmp = self._arrays.get(key)
        if tmp is None:
            tmp = self._arrays[key] = np.empty_like(a)
        return tmp


def axpy(y: np.ndarray, a: float, x: np.ndarray, tmp: np.ndarray) -> None:
    """``y ← y + a·x`` in place (``tmp`` may be ``x`` itself; ``x`` is then overwritten)."""
    if a == 1.0:
        y += x
    elif a == -1.0:
        y -= x
    else:
        np.multiply(x, a, out=tmp)
        y += tmp


def ema(avg: np.ndarray, x: np.ndarray, decay: float, tmp: np.ndarray) -> None:
    """Exponential moving average ``avg ← avg + (1 − decay)·(x − avg)`` in place.

    The same number as ``decay·avg + (1 − decay)·x``, written as PyTorch's ``lerp``.
    """
    np.subtract(x, avg, out=tmp)
    tmp *= 1.0 - decay
    avg += tmp


def ema_square(avg: np.ndarray, x: np.ndarray, decay: float, tmp: np.ndarray) -> None:
    """Moving average of squares ``avg ← decay·avg + (1 − decay)·x²`` in place."""
    np.multiply(x, x, out=tmp)
    tmp *= 1.0 - decay
    avg *= decay
    avg += tmp


def root(x: np.ndarray, eps: float, eps_inside_sqrt: bool, out: np.ndarray) -> np.ndarray:
    """The denominator of the adaptive rules: ``√(x + ε)`` (Keras) or ``√x + ε`` (PyTorch)."""
    if eps_inside_sqrt:
        np.add(x, eps, out=out)
        np.sqrt(out, out=out)
    else:
        np.sqrt(x, out=out)
        out += eps
    return out


def momentum_step(
    p: np.ndarray,
    d: np.ndarray,
    buf: np.ndarray,
    tmp: np.ndarray,
    *,
    momentum: float,
    into: float,
    out: float,
    nesterov: bool = False,
    lr: float = 0.0,
) -> None:
    """Heavy-ball momentum along a direction ``d``, in one of two conventions.

    ``buf ← μ·buf + into·d`` then ``p ← p − out·buf``; with ``nesterov``,
    ``p ← p − lr·d − out·μ·buf`` instead (``d`` must then not be ``tmp``).

    * PyTorch keeps the learning rate out of the buffer: ``into = 1 − dampening``
      (1 on the first step, when the buffer starts as a copy of ``d``), ``out = lr``.
    * Keras folds it in and stores a velocity that points downhill: ``into = −lr``,
      ``out = −1`` (SGD, ``m ← μ·m − lr·g``, ``w ← w + m``), or ``into = lr, out = 1``
      (RMSprop, ``m ← μ·m + lr·g/√(v + ε)``, ``w ← w − m``).

    With a constant learning rate the conventions give the same trajectory; they part when
    the learning rate changes, because Keras's buffer remembers the old rates.
    """
    buf *= momentum
    axpy(buf, into, d, tmp)
    if nesterov:
        axpy(p, -lr, d, tmp)
        axpy(p, -out * momentum, buf, tmp)
    else:
        axpy(p, -out, buf, tmp)


def rmsprop_step(
    p: np.ndarray,
    g: np.ndarray,
    v: np.ndarray,
    tmp: np.ndarray,
    *,
    lr: float,
    rho: float,
    eps: float,
    eps_inside_sqrt: bool,
    avg: np.ndarray | None = None,
    buf: np.ndarray | None = None,
    momentum: float = 0.0,
    lr_in_buffer: bool = False,
) -> None:
    """RMSprop: divide the gradient by a running root mean square.

    ``v ← ρ·v + (1 − ρ)·g²``; centered (``avg`` given): ``a ← ρ·a + (1 − ρ)·g`` and the
    mean square becomes the variance ``v − a²``; ``d = g / root(·)`` (see :func:`root`);
    then ``p ← p − lr·d``, or, with a momentum buffer, :func:`momentum_step` along ``d``
    with the learning rate outside the buffer (PyTorch) or inside it (``lr_in_buffer``,
    Keras).
    """
    ema_square(v, g, rho, tmp)
    source = v
    if avg is not None:
        ema(avg, g, rho, tmp)
        np.multiply(avg, avg, out=tmp)
        np.subtract(v, tmp, out=tmp)
        source = tmp
    root(source, eps, eps_inside_sqrt, out=tmp)
    np.divide(g, tmp, out=tmp)
    if buf is None:
        axpy(p, -lr, tmp, tmp)
    elif lr_in_buffer:
        momentum_step(p, tmp, buf, tmp, momentum=momentum, into=lr, out=1.0)
    else:
        momentum_step(p, tmp, buf, tmp, momentum=momentum, into=1.0, out=lr)


def adam_scales(lr: float, beta1: float, beta2: float, step: int) -> tuple[float, float]:
    """Adam's step size ``α = lr·√(1 − β2ᵗ)/(1 − β1ᵗ)`` and ``√(1 − β2ᵗ)``, at step ``t ≥ 1``."""
    root_bc2 = math.sqrt(1.0 - beta2**step)
    return lr * root_bc2 / (1.0 - beta1**step), root_bc2


def adam_step(
    p: np.ndarray,
    g: np.ndarray,
    m: np.ndarray,
    v: np.ndarray,
    tmp: np.ndarray,
    *,
    step_size: float,
    beta1: float,
    beta2: float,
    eps: float,
    v_max: np.ndarray | None = None,
) -> None:
    """Adam: ``m ← m + (1 − β1)(g − m)``, ``v ← β2·v + (1 − β2)·g²``, ``p ← p − α·m/(√v + ε)``.

    With ``v_max`` (AMSGrad) the running maximum ``v̂ ← max(v̂, v)`` replaces ``v`` in the
    denominator.  The caller folds both bias corrections into ``α = step_size =
    lr·√(1 − β2ᵗ)/(1 − β1ᵗ)``.  Keras passes its ε as is; PyTorch, whose denominator is
    ``√v/√(1 − β2ᵗ) + ε``, passes ``ε·√(1 − β2ᵗ)`` (the same number, rearranged).
    """
    ema(m, g, beta1, tmp)
    ema_square(v, g, beta2, tmp)
    if v_max is not None:
        np.maximum(v_max, v, out=v_max)
        v = v_max
    root(v, eps, False, out=tmp)
    np.divide(m, tmp, out=tmp)
    axpy(p, -step_size, tmp, tmp)


def adagrad_step(
    p: np.ndarray,
    g: np.ndarray,
    acc: np.ndarray,
    tmp: np.ndarray,
    *,
    lr: float,
    eps: float,
    eps_inside_sqrt: bool,
) -> None:
    """Adagrad: ``acc ← acc + g²``, ``p ← p − lr·g / root(acc)`` (see :func:`root`)."""
    np.multiply(g, g, out=tmp)
    acc += tmp
    root(acc, eps, eps_inside_sqrt, out=tmp)
    np.divide(g, tmp, out=tmp)
    axpy(p, -lr, tmp, tmp)
