"""Argument checks shared by nnlib's modules; each raises ValueError saying what was expected."""
from __future__ import annotations

import numpy as np


def check_generator(rng, name: str = "rng") -> np.random.Generator:
    """Return ``rng`` if it is a ``numpy.random.Generator``; ValueError otherwise."""
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"{name} must be a numpy.random.Generator, e.g. np.random.default_rng(0); "
                         f"got {type(rng).__name__}")
    return rng


def check_positive_int(value, name: str, minimum: int = 1) -> int:
    """Return ``value`` as int if it is an integer (not bool) of at least ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name} must be an integer of at least {minimum}, got {value!r}")
    return int(value)
