"""The planner's kernels compile the way routing's do (one wrapper around numba's ``njit``)."""

from routing.compiled import jit

__all__ = ["jit"]
