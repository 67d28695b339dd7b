"""A typed wrapper around numba's ``njit`` for the planner's kernels."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

import numba

_F = TypeVar("_F", bound=Callable[..., Any])


def jit(function: _F) -> _F:
    """Compile ``function`` with numba in nopython mode, cached on disk, without the GIL.

    The cast keeps the kernel's Python signature for mypy; numba itself is untyped.
    """
    return cast(_F, numba.njit(cache=True, nogil=True)(function))
