"""Seeded random streams.

One call to :func:`manual_seed` makes a whole run reproducible.  Each consumer draws from its
own named stream (``"init"`` for weight initialisers, ``"dropout"``, ``"shuffle"``,
``"sample"`` for generative samplers, ``"tensor"`` for ``randn``/``rand``...), so adding a
dropout layer does not change the initial weights, and shuffling does not change the dropout
masks.  Every stream is a NumPy ``Generator`` (PCG64) derived from the seed and the stream name
with ``SeedSequence``, which guarantees independent streams.

>>> import deepnum as dn
>>> dn.manual_seed(0); a = dn.randn(3)
>>> dn.manual_seed(0); b = dn.randn(3)
>>> bool((a == b).all())
True
"""

from __future__ import annotations

import zlib
from typing import Any

import numpy as np

_seed: int | None = None
_streams: dict[str, np.random.Generator] = {}


def _new_seed() -> int:
    return int(np.random.SeedSequence().entropy % (2**63))


def manual_seed(seed: int) -> None:
    """Seed every random stream of deepnum from one integer (like ``torch.manual_seed``)."""
    global _seed
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer):
        raise TypeError(f"manual_seed: seed must be an integer, got {seed!r}")
    if seed < 0:
        raise ValueError(f"manual_seed: seed must be non-negative, got {seed}")
    _seed = int(seed)
    _streams.clear()


def initial_seed() -> int:
    """The seed the streams were derived from (drawn from the OS if none was set)."""
    global _seed
    if _seed is None:
        _seed = _new_seed()
    return _seed


def generator(name: str) -> np.random.Generator:
    """The NumPy generator of stream ``name``, created from the global seed on first use."""
    gen = _streams.get(name)
    if gen is None:
        key = zlib.crc32(name.encode())
        seq = np.random.SeedSequence(initial_seed(), spawn_key=(key,))
        gen = np.random.Generator(np.random.PCG64(seq))
        _streams[name] = gen
    return gen


def make_generator(seed: int | np.random.Generator | None, name: str) -> np.random.Generator:
    """A generator for an object that takes a ``seed=`` argument.

    ``None`` gives the global stream ``name``; a ``Generator`` is used as is; an integer gives
    a private generator seeded with it (so two objects built with the same seed agree, while
    successive draws from one object differ).
    """
    if seed is None:
        return generator(name)
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer):
        raise TypeError(f"seed must be None, an integer or a numpy Generator, got {seed!r}")
    return np.random.default_rng(int(seed))


def get_rng_state() -> dict[str, Any]:
    """Everything needed to continue every stream exactly: JSON-serialisable."""
    return {
        "seed": initial_seed(),
        "streams": {name: gen.bit_generator.state for name, gen in _streams.items()},
    }


def set_rng_state(state: dict[str, Any]) -> None:
    """Restore what :func:`get_rng_state` returned."""
    manual_seed(int(state["seed"]))
    for name, bit_state in state["streams"].items():
        generator(name).bit_generator.state = bit_state
