"""Load a city bundle and verify it is whole: every file present, unaltered, and consistent."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from routing.bundle import manifest as files
from routing.bundle.manifest import BUILDER_VERSION, Manifest, sha256_file
from routing.bundle.matrices import PlaceMatrices
from routing.errors import BundleError
from routing.graph.frozen import FrozenGraph
from routing.transit import BusNetwork, Timetable, Transfers
from routing.walk import WalkIndex


@dataclass(frozen=True)
class CityBundle:
    """Everything the routers and the planner read, loaded once at start-up."""

    path: Path
    manifest: Manifest
    walk: FrozenGraph
    drive: FrozenGraph
    bus: BusNetwork
    places: tuple[dict[str, Any], ...]
    place_access: dict[str, dict[str, Any]]
    stop_access: dict[str, dict[str, Any]]
    timetable: Timetable
    transfers: Transfers
    walk_index: WalkIndex
    matrices: PlaceMatrices

    @property
    def name(self) -> str:
        """The bundle's directory name, ``<city>-<input hash>``."""
        return self.manifest.name


def load_bundle(path: Path, *, verify_hashes: bool = True) -> CityBundle:
    """Load and verify the bundle in directory ``path``.

    Parameters
    ----------
    path
        A directory written by :func:`routing.build.bundle.build_bundle`.
    verify_hashes
        Check every file against the SHA-256 in the manifest (a few tens of milliseconds).

    Raises
    ------
    BundleError
        If the bundle is missing, incomplete, altered, or built by another builder version.
    """
    manifest = Manifest.read(path)
    if manifest.builder_version != BUILDER_VERSION:
        raise BundleError(
            f"{path}: built by builder {manifest.builder_version}, this is {BUILDER_VERSION}; "
            "rebuild it with `heritage build`"
        )
    for name in files.BUNDLE_FILES:
        if name not in manifest.files:
            raise BundleError(f"{path}: manifest does not list {name}")
    for name, expected in manifest.files.items():
        file = path / name
        if not file.is_file():
            raise BundleError(f"{path}: {name} is missing")
        if file.stat().st_size != expected.size_bytes or (verify_hashes and sha256_file(file) != expected.sha256):
            raise BundleError(f"{path}: {name} does not match its manifest hash (altered or truncated)")
    try:
        bus = BusNetwork.from_dict(orjson.loads((path / files.BUS_NETWORK).read_bytes()))
        places = tuple(orjson.loads((path / files.PLACES).read_bytes()))
        access = orjson.loads((path / files.ACCESS).read_bytes())
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
        raise BundleError(f"{path}: cannot read bundle data ({exc})") from exc
    bundle = CityBundle(
        path=path,
        manifest=manifest,
        walk=FrozenGraph.load(path / files.WALK_GRAPH),
        drive=FrozenGraph.load(path / files.DRIVE_GRAPH),
        bus=bus,
        places=places,
        place_access=access["places"],
        stop_access=access["stops"],
        timetable=Timetable.load(path / files.TIMETABLE),
        transfers=Transfers.load(path / files.TRANSFERS),
        walk_index=WalkIndex.load(path / files.WALK_INDEX),
        matrices=PlaceMatrices.load(path / files.MATRICES),
    )
    missing = [str(p.get("id")) for p in places if p.get("id") not in bundle.place_access]
    if missing:
        raise BundleError(f"{path}: places without access records: {', '.join(missing[:5])}")
    return bundle
