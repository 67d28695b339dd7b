"""Compile the city bundle: street graphs, bus network, places snapped to the streets, one directory.

The bundle is named by a hash of every input and of the builder version, written to a temporary
directory beside its destination and renamed into place, so a reader never sees half a bundle and a
failed build leaves nothing behind.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import orjson

from routing.build.contract import build_walk_index
from routing.build.matrices import build_place_matrices
from routing.build.transit import compile_bus_network
from routing.bundle.manifest import (
    ACCESS,
    BUILDER_VERSION,
    BUNDLE_FORMAT,
    BUS_NETWORK,
    DRIVE_GRAPH,
    MANIFEST_NAME,
    MATRICES,
    PLACES,
    TIMETABLE,
    TRANSFERS,
    WALK_GRAPH,
    WALK_INDEX,
    Manifest,
    OutputFile,
    describe_inputs,
    input_hash,
    sha256_file,
)
from routing.errors import InputDataError
from routing.geo import haversine_m
from routing.graph.frozen import FrozenGraph
from routing.graph.shortest import pair_lengths_m, simple_csr
from routing.journeys import BusPlanner
from routing.streets import DEFAULT_MAX_SNAP_M, DEFAULT_WALK_SPEED_MPS
from routing.streets.components import largest_component_fraction
from routing.streets.snap import EdgeSnapper, MainComponentSnapper, SnapResult
from routing.transit import BusNetwork, Timetable, build_transfers

ProgressFn = Callable[[str, float], None]
"""Called with a stage description and the overall fraction done (0..1)."""

TEMP_PREFIX = ".building-"


@dataclass(frozen=True)
class PlaceInput:
    """A place to snap: its id and coordinates, and the record stored with it in the bundle."""

    place_id: str
    lat: float
    lon: float
    record: Mapping[str, Any]


@dataclass(frozen=True)
class BuildOptions:
    """Settings that change a bundle's content (and therefore its name)."""

    city: str = "hanoi"
    max_snap_m: float = DEFAULT_MAX_SNAP_M
    """A place or stop farther than this from every walkable street is off the network."""
    drive_snap_m: float = 300.0
    """How far a bus stop may lie from a drivable road for road distances between stops."""
    access_radius_m: float = 2_000.0
    """Off-network places list the bus stops within this straight-line distance."""
    access_stop_count: int = 5
    walk_speed_mps: float = DEFAULT_WALK_SPEED_MPS
    """Pedestrian speed used for the estimated straight-line walks of off-network places."""


@dataclass(frozen=True)
class BuildSpec:
    """Every input of a build."""

    osm_path: Path
    transit_dir: Path
    catalogue_path: Path
    places: Sequence[PlaceInput]
    options: BuildOptions = field(default_factory=BuildOptions)

    def input_roles(self) -> dict[str, Path]:
        """The files whose content names the bundle."""
        return {"osm": self.osm_path, "transit": self.transit_dir, "catalogue": self.catalogue_path}


def bundle_name(spec: BuildSpec) -> str:
    """``<city>-<16 hex>``: the directory name the inputs and builder version determine.

    Raises
    ------
    InputDataError
        If an input file or directory is missing.
    """
    _check_inputs_exist(spec)
    inputs = describe_inputs(spec.input_roles())
    return f"{spec.options.city}-{input_hash(inputs, asdict(spec.options))[:16]}"


def build_bundle(spec: BuildSpec, out_dir: Path, *, force: bool = False, on_progress: ProgressFn | None = None) -> Path:
    """Build the bundle for ``spec`` under ``out_dir`` and return its directory.

    An existing bundle with the same name is reused unless ``force``.

    Raises
    ------
    InputDataError
        If an input is missing or corrupt (a truncated PBF, an extract without highways, a bad transit file).
    """
    report = on_progress or (lambda _stage, _fraction: None)
    report("hashing inputs", 0.0)
    _check_inputs_exist(spec)
    inputs = describe_inputs(spec.input_roles())
    options = asdict(spec.options)
    digest = input_hash(inputs, options)
    name = f"{spec.options.city}-{digest[:16]}"
    final = out_dir / name
    if final.is_dir() and not force:
        report("bundle already built", 1.0)
        return final
    out_dir.mkdir(parents=True, exist_ok=True)
    _remove_stale_temporaries(out_dir)
    temporary = Path(tempfile.mkdtemp(prefix=f"{TEMP_PREFIX}{os.getpid()}-{name}-", dir=out_dir))
    try:
        summary, bbox = _compile_into(spec, temporary, report)
        files = {
            path.name: OutputFile(sha256=sha256_file(path), size_bytes=path.stat().st_size)
            for path in sorted(temporary.iterdir())
        }
        manifest = Manifest(
            format=BUNDLE_FORMAT,
            builder_version=BUILDER_VERSION,
            name=name,
            city=spec.options.city,
            input_hash=digest,
            created_at=datetime.now(UTC).isoformat(timespec="seconds"),
            options=options,
            inputs=inputs,
            files=files,
            bbox=bbox,
            summary=summary,
        )
        (temporary / MANIFEST_NAME).write_bytes(manifest.to_json())
        _fsync_tree(temporary)
        if final.exists():
            shutil.rmtree(final)
        temporary.rename(final)
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        raise
    report("done", 1.0)
    return final


def _check_inputs_exist(spec: BuildSpec) -> None:
    if not spec.osm_path.is_file():
        raise InputDataError(spec.osm_path, "no such OSM file")
    if not spec.transit_dir.is_dir():
        raise InputDataError(spec.transit_dir, "no such transit data directory")
    if not spec.catalogue_path.is_file():
        raise InputDataError(spec.catalogue_path, "no such place catalogue")


def _compile_into(
    spec: BuildSpec, directory: Path, report: ProgressFn
) -> tuple[dict[str, Any], tuple[float, float, float, float]]:
    """Run every build stage, writing the bundle files into ``directory``; return summary and bbox."""
    # Imported here, not at the top: they bring in osmnx (and geopandas), about 3 s of start-up that a server
    # loading a finished bundle never needs.
    from routing.build.fast_graph import frozen_network_graph  # noqa: PLC0415
    from routing.build.osm.reader import read_highways  # noqa: PLC0415

    options = spec.options
    report(f"reading {spec.osm_path.name}", 0.02)
    highways = read_highways(spec.osm_path)
    report("building the walk graph", 0.10)
    walk = frozen_network_graph(highways, "walk")
    if walk.node_count == 0:
        raise InputDataError(spec.osm_path, "has highway ways but none a pedestrian may use")
    report("building the drive graph", 0.40)
    drive = frozen_network_graph(highways, "drive")
    del highways
    walk.save(directory / WALK_GRAPH)
    report("contracting the walk graph for fast queries", 0.45)
    build_walk_index(walk).save(directory / WALK_INDEX)
    drive.save(directory / DRIVE_GRAPH)

    report("compiling the bus network", 0.65)
    bus = compile_bus_network(
        spec.transit_dir,
        leg_distance_m=_road_distance_function(drive, options.drive_snap_m),
        osm_path=spec.osm_path,
        stop_namer=_stop_namer(walk, spec.places),
    )
    (directory / BUS_NETWORK).write_bytes(orjson.dumps(bus.to_dict()))

    report("snapping places and stops to the streets", 0.85)
    snapper = MainComponentSnapper(walk)
    place_lat = np.array([p.lat for p in spec.places], dtype=np.float64)
    place_lon = np.array([p.lon for p in spec.places], dtype=np.float64)
    place_snaps = snapper.snap(place_lat, place_lon, max_distance_m=options.max_snap_m)
    stop_lat = np.array([s.lat for s in bus.stops], dtype=np.float64)
    stop_lon = np.array([s.lon for s in bus.stops], dtype=np.float64)
    stop_snaps = snapper.snap(stop_lat, stop_lon, max_distance_m=options.max_snap_m)
    stops: dict[str, Any] = {"stop_lat": stop_lat, "stop_lon": stop_lon, "options": options}
    access = {
        "places": _access_records(
            [p.place_id for p in spec.places], lat=place_lat, lon=place_lon, snaps=place_snaps, bus=bus, **stops
        ),
        "stops": _access_records(
            [s.stop_id for s in bus.stops], lat=stop_lat, lon=stop_lon, snaps=stop_snaps, bus=None, **stops
        ),
    }
    (directory / ACCESS).write_bytes(orjson.dumps(access))

    report("expanding the timetable and foot transfers", 0.88)
    timetable = Timetable.from_network(bus)
    timetable.save(directory / TIMETABLE)
    transfers = build_transfers(bus, walk, access["stops"], max_snap_m=options.max_snap_m)
    transfers.save(directory / TRANSFERS)

    report("place-to-place walk and bus matrices", 0.91)
    planner = BusPlanner(bus, timetable, transfers, walk, access["stops"])
    records = [dict(p.record) for p in spec.places]
    build_place_matrices(planner, records, access["places"], speed_mps=options.walk_speed_mps).save(
        directory / MATRICES
    )
    (directory / PLACES).write_bytes(orjson.dumps([dict(p.record) for p in spec.places]))

    report("writing the manifest", 0.97)
    bbox = (
        float(walk.node_lat.min()),
        float(walk.node_lon.min()),
        float(walk.node_lat.max()),
        float(walk.node_lon.max()),
    )
    summary = {
        "walk_graph": _graph_summary(walk),
        "drive_graph": _graph_summary(drive),
        "bus": bus.summary(),
        "places": {
            "count": len(spec.places),
            "on_network": int(place_snaps.on_network.sum()),
            "off_network": int((~place_snaps.on_network).sum()),
            "off_network_reachable_by_bus": sum(
                1 for record in access["places"].values() if record["off_network"] and record["access_stops"]
            ),
        },
        "stops": {
            "count": len(bus.stops),
            "on_network": int(stop_snaps.on_network.sum()),
            "off_network": int((~stop_snaps.on_network).sum()),
        },
    }
    return summary, bbox


def _graph_summary(graph: FrozenGraph) -> dict[str, Any]:
    return {
        "nodes": graph.node_count,
        "edges": graph.edge_count,
        "largest_component_share": round(largest_component_fraction(graph), 4),
        "length_km": round(float(graph.length_m.sum()) / 1000.0, 1),
    }


PLACE_NAME_RADIUS_M = 150.0
"""A stop no OSM source names takes the name of a catalogue place this close (metres, equirectangular)..."""
STREET_NAME_RADIUS_M = 80.0
"""...else of the nearest named street of the walk graph this close."""


def _stop_namer(walk: FrozenGraph, places: Sequence[PlaceInput]) -> Callable[[Any, Any], list[str | None]]:
    """Names for unnamed stops: the nearest catalogue place, else the nearest named street (see ``compile.py``)."""
    from scipy.spatial import cKDTree  # noqa: PLC0415

    named_places = [
        (str(name), p.lat, p.lon)
        for p in places
        if (name := p.record.get("name_vi") or p.record.get("name") or p.record.get("name_en"))
    ]
    lat0 = float(np.median(walk.node_lat)) if walk.node_count else 21.0
    scale = np.cos(np.radians(lat0)) * 111_320.0

    def xy(lat: Any, lon: Any) -> Any:
        return np.column_stack(
            [np.asarray(lon, dtype=np.float64) * scale, np.asarray(lat, dtype=np.float64) * 110_574.0]
        )

    place_tree = cKDTree(xy([p[1] for p in named_places], [p[2] for p in named_places])) if named_places else None
    tail = np.repeat(np.arange(walk.node_count), np.diff(walk.indptr))
    named_edges = np.flatnonzero(walk.name_index >= 0)
    street_nodes = np.concatenate([tail[named_edges], walk.head[named_edges]])
    street_names = np.concatenate([walk.name_index[named_edges], walk.name_index[named_edges]])
    street_tree = cKDTree(xy(walk.node_lat[street_nodes], walk.node_lon[street_nodes])) if street_nodes.size else None

    def namer(lat: Any, lon: Any) -> list[str | None]:
        points = xy(lat, lon)
        names: list[str | None] = [None] * len(points)
        if street_tree is not None:
            distance, index = street_tree.query(points)
            for i, (d, j) in enumerate(zip(distance, index, strict=True)):
                if d <= STREET_NAME_RADIUS_M:
                    names[i] = walk.names[int(street_names[int(j)])]
        if place_tree is not None:
            distance, index = place_tree.query(points)
            for i, (d, j) in enumerate(zip(distance, index, strict=True)):
                if d <= PLACE_NAME_RADIUS_M:
                    names[i] = named_places[int(j)][0]
        return names

    return namer


def _road_distance_function(drive: FrozenGraph, drive_snap_m: float) -> Callable[[Any], Any]:
    """Distances along the drive graph between stop coordinates, for the bus speed model."""
    snapper = EdgeSnapper(drive)
    matrix = simple_csr(drive)

    def leg_distance_m(pairs: Any) -> Any:
        pairs = np.asarray(pairs, dtype=np.float64).reshape(-1, 4)
        result = np.full(pairs.shape[0], np.nan)
        if pairs.shape[0] == 0 or drive.node_count == 0:
            return result
        start = snapper.snap(pairs[:, 0], pairs[:, 1], max_distance_m=drive_snap_m)
        end = snapper.snap(pairs[:, 2], pairs[:, 3], max_distance_m=drive_snap_m)
        usable = start.on_network & end.on_network
        straight = haversine_m(pairs[:, 0], pairs[:, 1], pairs[:, 2], pairs[:, 3])
        # A bus leg longer than 3x the straight line plus 2 km is a snapping accident, not a route.
        limit = 3.0 * straight + 2_000.0
        index = np.flatnonzero(usable)
        if index.size:
            lengths = pair_lengths_m(matrix, start.node[index], end.node[index], limit_m=limit[index])
            lengths = lengths + start.distance_m[index] + end.distance_m[index]
            result[index] = lengths
        return result

    return leg_distance_m


def _access_records(
    ids: Sequence[str],
    *,
    lat: Any,
    lon: Any,
    snaps: SnapResult,
    bus: BusNetwork | None,
    stop_lat: Any,
    stop_lon: Any,
    options: BuildOptions,
) -> dict[str, dict[str, Any]]:
    """How each point meets the walk network; off-network places also list nearby stops."""
    records: dict[str, dict[str, Any]] = {}
    for index, point_id in enumerate(ids):
        on = bool(snaps.on_network[index])
        record: dict[str, Any] = {
            "off_network": not on,
            "edge": int(snaps.edge[index]) if on else None,
            "fraction": round(float(snaps.fraction[index]), 6) if on else None,
            "node": int(snaps.node[index]) if on else None,
            "snap_distance_m": round(float(snaps.distance_m[index]), 2) if on else None,
        }
        if bus is not None:
            record["access_stops"] = (
                []
                if on
                else _nearest_stops(
                    lat[index], lon[index], bus=bus, stop_lat=stop_lat, stop_lon=stop_lon, options=options
                )
            )
        records[point_id] = record
    return records


def _nearest_stops(
    lat: float, lon: float, *, bus: BusNetwork, stop_lat: Any, stop_lon: Any, options: BuildOptions
) -> list[dict[str, Any]]:
    """Bus stops within the access radius, reached by an estimated straight-line walk."""
    if len(bus.stops) == 0:
        return []
    distance = haversine_m(lat, lon, stop_lat, stop_lon)
    order = np.argsort(distance)[: options.access_stop_count]
    return [
        {
            "stop_id": bus.stops[int(i)].stop_id,
            "distance_m": round(float(distance[i]), 1),
            "walk_s": round(float(distance[i]) / options.walk_speed_mps, 1),
            "estimated": True,
        }
        for i in order
        if distance[i] <= options.access_radius_m
    ]


def _remove_stale_temporaries(out_dir: Path) -> None:
    """Delete temporary directories that a killed build left behind (their owner process is gone)."""
    for path in out_dir.glob(f"{TEMP_PREFIX}*"):
        owner = path.name.removeprefix(TEMP_PREFIX).split("-", 1)[0]
        if path.is_dir() and not (owner.isdigit() and _process_alive(int(owner))):
            shutil.rmtree(path, ignore_errors=True)


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _fsync_tree(directory: Path) -> None:
    """Flush the bundle's files to disk before the rename makes them visible."""
    for path in directory.iterdir():
        with path.open("rb") as handle:
            os.fsync(handle.fileno())


__all__ = ["BuildOptions", "BuildSpec", "PlaceInput", "ProgressFn", "build_bundle", "bundle_name"]
