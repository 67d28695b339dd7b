"""The bundle manifest: what went in (content hashes), what came out (file hashes, counts)."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import orjson
from pydantic import BaseModel, ConfigDict, ValidationError

from routing.errors import BundleError

BUNDLE_FORMAT = 1
BUILDER_VERSION = "0.7.0"
"""Bump whenever the builder's output changes for the same inputs: it is part of every bundle's name."""

MANIFEST_NAME = "manifest.json"
# The bundle's files (the builder writes them, the loader reads them).
WALK_GRAPH = "walk_graph.npz"
DRIVE_GRAPH = "drive_graph.npz"
BUS_NETWORK = "bus_network.json"
PLACES = "places.json"
ACCESS = "access.json"
TIMETABLE = "timetable.npz"
TRANSFERS = "transfers.npz"
WALK_INDEX = "walk_index.npz"
MATRICES = "matrices.npz"
BUNDLE_FILES = (WALK_GRAPH, DRIVE_GRAPH, BUS_NETWORK, PLACES, ACCESS, TIMETABLE, TRANSFERS, WALK_INDEX, MATRICES)
"""Every file a bundle must have (the loader refuses a manifest that does not list one)."""
_CHUNK = 1 << 20


class InputFile(BaseModel):
    """One input file, named relative to its role's root so a bundle's name does not depend on paths."""

    model_config = ConfigDict(frozen=True)

    role: str
    name: str
    sha256: str
    size_bytes: int


class OutputFile(BaseModel):
    """One file of the bundle with the hash the loader checks."""

    model_config = ConfigDict(frozen=True)

    sha256: str
    size_bytes: int


class Manifest(BaseModel):
    """Everything a loader needs to trust a bundle, and a summary for ``heritage info``."""

    model_config = ConfigDict(frozen=True)

    format: int
    builder_version: str
    name: str
    city: str
    input_hash: str
    created_at: str
    options: dict[str, Any]
    inputs: tuple[InputFile, ...]
    files: dict[str, OutputFile]
    bbox: tuple[float, float, float, float]
    summary: dict[str, Any]

    def to_json(self) -> bytes:
        """Indented JSON, stable key order."""
        return orjson.dumps(self.model_dump(mode="json"), option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS)

    @classmethod
    def read(cls, bundle_dir: Path) -> Manifest:
        """Read and validate ``manifest.json`` of a bundle directory.

        Raises
        ------
        BundleError
            If the directory or manifest is missing, unreadable, or of another format version.
        """
        path = bundle_dir / MANIFEST_NAME
        if not bundle_dir.is_dir():
            raise BundleError(f"{bundle_dir}: no such bundle directory")
        try:
            raw = orjson.loads(path.read_bytes())
            manifest = cls.model_validate(raw)
        except FileNotFoundError as exc:
            raise BundleError(f"{bundle_dir}: not a city bundle (no {MANIFEST_NAME})") from exc
        except (OSError, orjson.JSONDecodeError, ValidationError) as exc:
            raise BundleError(f"{path}: corrupt manifest ({exc})") from exc
        if manifest.format != BUNDLE_FORMAT:
            raise BundleError(
                f"{bundle_dir}: bundle format {manifest.format}, this program reads format {BUNDLE_FORMAT}; "
                "rebuild it with `heritage build`"
            )
        return manifest


def sha256_file(path: Path) -> str:
    """Hex SHA-256 of a file's bytes, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def describe_inputs(roles: dict[str, Path]) -> tuple[InputFile, ...]:
    """Hash every input: a file role is one file, a directory role is every file below it (sorted)."""
    described: list[InputFile] = []
    for role, root in sorted(roles.items()):
        files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
        for path in files:
            name = path.name if path == root else path.relative_to(root).as_posix()
            described.append(InputFile(role=role, name=name, sha256=sha256_file(path), size_bytes=path.stat().st_size))
    return tuple(described)


def input_hash(inputs: tuple[InputFile, ...], options: dict[str, Any]) -> str:
    """The hash that names a bundle: builder version, format, options and every input's content hash."""
    payload = {
        "format": BUNDLE_FORMAT,
        "builder_version": BUILDER_VERSION,
        "options": options,
        "inputs": [item.model_dump() for item in inputs],
    }
    return hashlib.sha256(orjson.dumps(payload, option=orjson.OPT_SORT_KEYS)).hexdigest()
