"""The planner's kernels compile the way routing's do (one wrapper around numba's ``njit``)."""

from routing import jit

__all__ = ["jit"]
