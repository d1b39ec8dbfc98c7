"""Generators for the ``seed=`` arguments of the stochastic models' sampling methods."""

from __future__ import annotations

import numpy as np

from ..random import make_generator


class SeededGenerators:
    """The generator a sampling call uses, given its ``seed=`` argument.

    - ``None``: the model's own generator (made once from the model's ``seed``), or deepnum's
      global stream ``stream`` if the model had no seed (looked up at call time, so a later
      ``deepnum.manual_seed`` applies);
    - an integer: a generator made from it the *first* time this model sees that integer and
      advanced by every later call, so ``sample(n, seed=0)`` twice in a loop gives two
      different draws (scikit-learn's ``gibbs(random_state=0)`` returned the same one), while
      two models built alike answer the same sequence;
    - a NumPy ``Generator``: used as is.

    >>> gens = SeededGenerators(None, "sample")
    >>> a, b = gens(0).random(), gens(0).random()
    >>> a != b, a == SeededGenerators(None, "sample")(0).random()
    (True, True)
    """

    def __init__(self, seed: int | np.random.Generator | None, stream: str) -> None:
        self.stream = stream
        self.own = None if seed is None else make_generator(seed, stream)
        self.by_seed: dict[int, np.random.Generator] = {}

    def __call__(self, seed: int | np.random.Generator | None = None) -> np.random.Generator:
        if seed is None:
            return self.own if self.own is not None else make_generator(None, self.stream)
        if isinstance(seed, np.random.Generator):
            return seed
        generator = make_generator(seed, self.stream)  # validates the seed
        return self.by_seed.setdefault(int(seed), generator)


def second_generator(seed: int | np.random.Generator | None) -> np.random.Generator | None:
    """A second private generator for a model built with ``seed``, independent of the first
    (``make_generator(seed, ...)``): None for None, a child spawned from a Generator, else one
    made from ``[seed, 1]``."""
    if seed is None:
        return None
    if isinstance(seed, np.random.Generator):
        return seed.spawn(1)[0]
    return np.random.default_rng([int(seed), 1])
