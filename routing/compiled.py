"""The one way routing and the planner compile their kernels with numba.

numba's on-disk cache keys a kernel on its own file only: a kernel that calls kernels of another file keeps its old
compiled code when only the callees change (seen here: the planner's search ran stale move code, twice as slow, after
its moves were edited). So every kernel is cached in a directory named by a digest of all the source files that
hold kernels (``routing/`` and ``recommender/``): any change to any kernel compiles them all afresh, once.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar, cast

import numba

_F = TypeVar("_F", bound=Callable[..., Any])
_PACKAGES = Path(__file__).resolve().parent.parent
_KERNEL_PACKAGES = ("routing", "recommender")


def kernel_sources_digest(root: Path = _PACKAGES) -> str:
    """A digest of every source file of ``routing/`` and ``recommender/`` under ``root`` that defines kernels."""
    digest = hashlib.sha256()
    for package in _KERNEL_PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            source = path.read_bytes()
            if b"@jit" in source:
                digest.update(path.relative_to(root).as_posix().encode())
                digest.update(source)
    return digest.hexdigest()[:16]


_numba_config: Any = numba.config
"""numba's settings module (untyped); ``CACHE_DIR`` is read when a kernel is decorated, so it is set here first."""
_CACHE_BASE = Path(_numba_config.CACHE_DIR or Path(__file__).resolve().parent / "__pycache__")
_numba_config.CACHE_DIR = str(_CACHE_BASE / "numba" / kernel_sources_digest())


def jit(function: _F) -> _F:
    """Compile ``function`` with numba in nopython mode, cached on disk, without the GIL.

    A typed wrapper around ``numba.njit(cache=True)`` so that mypy keeps the kernels' signatures
    (numba itself is untyped). Compiled kernels trust their inputs: numba does not check bounds.
    """
    return cast(_F, numba.njit(cache=True, nogil=True)(function))
