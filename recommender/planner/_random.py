"""A small compiled random generator (xorshift64*) whose whole state is one caller-owned array entry.

Keeping the state in an array makes the search reproducible for a seed no matter what else runs in the process
(numba's own generator is global per thread).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from recommender.planner._jit import jit

RandomState = NDArray[np.uint64]


def seed_state(seed: int) -> RandomState:
    """A non-zero generator state from any integer seed (splitmix64 of the seed)."""
    mask = (1 << 64) - 1
    value = (seed * 0x9E3779B97F4A7C15 + 0x9E3779B97F4A7C15) & mask
    value = ((value ^ (value >> 30)) * 0xBF58476D1CE4E5B9) & mask
    value = ((value ^ (value >> 27)) * 0x94D049BB133111EB) & mask
    value ^= value >> 31
    return np.array([value or 0x9E3779B97F4A7C15], dtype=np.uint64)


@jit
def next_random(rng: RandomState) -> np.uint64:
    """The next 64-bit output; advances ``rng[0]``."""
    state = rng[0]
    state ^= state >> np.uint64(12)
    state ^= state << np.uint64(25)
    state ^= state >> np.uint64(27)
    rng[0] = state
    return np.uint64(state * np.uint64(0x2545F4914F6CDD1D))


@jit
def uniform(rng: RandomState) -> float:
    """A float uniform in [0, 1)."""
    return float(next_random(rng) >> np.uint64(11)) * (1.0 / 9007199254740992.0)


@jit
def below(rng: RandomState, bound: int) -> int:
    """An integer uniform in ``0..bound - 1`` (``bound`` > 0)."""
    return min(int(uniform(rng) * bound), bound - 1)
