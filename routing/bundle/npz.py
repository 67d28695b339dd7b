"""The one ``.npz`` codec: pickle-free files of named arrays, read through typed accessors.

Every array file of the bundle (graphs, walk index, timetable, transfers, place matrices) and the recommender's
preference model is written by :func:`save_npz` and read inside :func:`read_npz`. Whatever goes wrong while
reading (a missing, truncated or foreign file, another format number, a missing array, a wrong dtype or shape,
the record's own consistency check) comes out as one error naming the file: :class:`~routing.errors.BundleError`
by default, or the caller's own error class.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol, TypeVar

import numpy as np
from numpy.lib.npyio import NpzFile
from numpy.typing import NDArray

from routing.errors import BundleError

_READ_ERRORS = (OSError, KeyError, ValueError, IndexError, TypeError, EOFError, zipfile.BadZipFile)


class Checked(Protocol):
    """A record that can verify its own arrays (raising BundleError)."""

    def check(self) -> None:
        """Raise BundleError on an inconsistency."""
        ...


_T = TypeVar("_T", bound=Checked)


class NpzRecord:
    """Typed reads from one open ``.npz``: each accessor checks what it returns (raising ``ValueError``)."""

    def __init__(self, data: NpzFile) -> None:
        self._data = data

    def __contains__(self, name: str) -> bool:
        return name in self._data.files

    def array(self, name: str, *, dtype: Any = None, ndim: int | None = None, exact: bool = False) -> NDArray[Any]:
        """Array ``name``, read into memory.

        Converted to ``dtype`` when given (with ``exact``, refused unless it already is), and refused unless it has
        ``ndim`` dimensions when given.
        """
        value = np.asarray(self._data[name])
        if dtype is not None:
            if exact and value.dtype != np.dtype(dtype):
                raise ValueError(f"array {name} has dtype {value.dtype}, expected {np.dtype(dtype)}")
            value = value.astype(dtype, copy=False)
        if ndim is not None and value.ndim != ndim:
            raise ValueError(f"array {name} has shape {value.shape}, expected {ndim} dimension(s)")
        return value

    def strings(self, name: str) -> tuple[str, ...]:
        """A one-dimensional array of text as a tuple of ``str``."""
        return tuple(str(value) for value in self.array(name, ndim=1))

    def number(self, name: str) -> float:
        """A scalar (a 0-d or one-element array) as ``float``."""
        return float(self.array(name).reshape(-1)[0])

    def integer(self, name: str) -> int:
        """A scalar (a 0-d or one-element array) as ``int``."""
        return int(self.array(name).reshape(-1)[0])

    def text(self, name: str) -> str:
        """A 0-d text array as ``str``."""
        return str(self.array(name))


def save_npz(path: Path, arrays: Mapping[str, Any], *, file_format: int | None = None) -> None:
    """Write the arrays (and the format number, when given) to one uncompressed ``.npz``, no pickles."""
    extra = {} if file_format is None else {"format": np.asarray([file_format], dtype=np.int64)}
    with Path(path).open("wb") as handle:
        np.savez(handle, allow_pickle=False, **extra, **arrays)


@contextmanager
def read_npz(
    path: Path,
    *,
    what: str,
    file_format: int | None = None,
    error: Callable[[str], Exception] = BundleError,
) -> Iterator[NpzRecord]:
    """Open ``path`` and check its format number; any failure inside the block becomes ``error`` naming the file.

    Raises
    ------
    BundleError (or ``error``)
        If the file is missing, not an ``.npz`` (truncated, foreign), of another format, or a read in the block
        fails (a missing array, a wrong dtype or shape).
    """
    try:
        with np.load(Path(path), allow_pickle=False) as data:
            record = NpzRecord(data)
            if file_format is not None:
                found = record.integer("format")
                if found != file_format:
                    raise ValueError(f"format {found}, expected {file_format}")
            yield record
    except BundleError as exc:
        raise error(f"{path}: {exc}") from exc
    except _READ_ERRORS as exc:
        raise error(f"{path}: cannot read the {what} ({exc.__class__.__name__}: {exc})") from exc


def load_npz(path: Path, *, what: str, build: Callable[[NpzRecord], _T], file_format: int | None = None) -> _T:
    """Read a record with :func:`read_npz`, build it from its arrays and let it check itself.

    Raises
    ------
    BundleError
        As :func:`read_npz`, or when the record fails its own check (the message names the file).
    """
    with read_npz(path, what=what, file_format=file_format) as record:
        loaded = build(record)
    try:
        loaded.check()
    except BundleError as exc:
        raise BundleError(f"{path}: {exc}") from exc
    return loaded
