"""One way the timetable and the transfers go to and from the bundle: a versioned, pickle-free ``.npz``."""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Protocol, TypeVar

import numpy as np
from numpy.lib.npyio import NpzFile

from routing.errors import BundleError


class Checked(Protocol):
    """Anything that can verify its own arrays (raising BundleError)."""

    def check(self) -> None:
        """Raise BundleError on an inconsistency."""
        ...


_T = TypeVar("_T", bound=Checked)
_READ_ERRORS = (OSError, KeyError, ValueError, IndexError, TypeError, EOFError, zipfile.BadZipFile)


def save_npz(path: Path, *, file_format: int, arrays: Mapping[str, Any]) -> None:
    """Write the arrays and the format number to one uncompressed ``.npz``."""
    with path.open("wb") as handle:
        np.savez(handle, allow_pickle=False, format=np.asarray([file_format], dtype=np.int64), **arrays)


def load_npz(path: Path, *, what: str, file_format: int, build: Callable[[NpzFile], _T]) -> _T:
    """Read a file of :func:`save_npz`, build the object from its arrays and let it check itself.

    Raises
    ------
    BundleError
        If the file is missing, unreadable, of another format, lacks an array, or the object fails its check
        (the message names the file).
    """
    try:
        with np.load(path, allow_pickle=False) as data:
            found = int(data["format"][0])
            if found != file_format:
                raise BundleError(f"{path}: {what} format {found}, expected {file_format}")
            loaded = build(data)
    except _READ_ERRORS as exc:
        raise BundleError(f"{path}: cannot read the {what} ({exc.__class__.__name__}: {exc})") from exc
    try:
        loaded.check()
    except BundleError as exc:
        raise BundleError(f"{path}: {exc}") from exc
    return loaded
