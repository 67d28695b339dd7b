"""Design a bus line through chosen sites: pick the sites, place the stops, order them, route the bus.

1. **Sites**: the places named explicitly, plus (for a theme) the places of the chosen categories around the
   densest part of the city: the themed site with most themed sites within ``core_radius_m`` is the centre and
   only sites that near it are kept, so a theme gives a line a bus can run, not a tour of the whole province.
   Sites closer than ``cluster_m`` share a stop; if there are more groups than ``max_stops``, farthest-point
   sampling from the centre keeps a well-spread subset (explicit places are always kept).
2. **Stops**: each group reuses the nearest existing bus stop within ``reuse_stop_m`` (straight line) that lies
   on the drive network, else gets a new stop on the nearest road of the drive graph's main component. Terminals
   (optional) get a stop the same way; a terminal farther than ``max_snap_m`` from every road is an error.
3. **Order**: a loop (a closed tour) or a line (an open path between the terminals) minimising road distance,
   solved by OR-Tools (:mod:`routing.operators.ordering`) on the drive graph's stop-to-stop distances.
4. **Route and times**: the bus follows shortest drive paths between consecutive stops (a line's return runs
   its own paths, one-way streets respected); each leg's run time is the network's speed model
   (``dwell_s + distance_m / speed_mps``), the dwell included as in the bundle's own timetable.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.sparse.csgraph import dijkstra

from routing.errors import NoRouteError, OutsideAreaError, RoutingError, TooFarFromStreetError
from routing.geo import haversine_m
from routing.graph.frozen import FrozenGraph
from routing.graph.shortest import simple_csr
from routing.operators.line import (
    LatLon,
    LineDirection,
    LineMetrics,
    LineSchedule,
    LineStop,
    check_service,
    line_metrics,
)
from routing.operators.ordering import order_stops
from routing.raptor.paths import dedupe, node_path, path_coordinates
from routing.snap import MainComponentSnapper
from routing.transit.model import BusNetwork

EXISTING_STOP_SNAP_M = 60.0
"""An existing bus stop is reused only if it is this near a road of the drive graph's main component."""


@dataclass(frozen=True)
class Site:
    """A place the line may serve (plain data: ``routing`` does not know the catalogue)."""

    place_id: str
    name: str
    lat: float
    lon: float
    categories: tuple[str, ...] = ()

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> Site:
        """From a catalogue record (``id``, ``lat``, ``lon``, ``categories``, ``name_en`` or ``name``)."""
        return cls(
            place_id=str(record["id"]),
            name=str(record.get("name_en") or record.get("name") or record["id"]),
            lat=float(record["lat"]),
            lon=float(record["lon"]),
            categories=tuple(str(c) for c in record.get("categories", ())),
        )


@dataclass(frozen=True)
class Terminal:
    """A line end given by the operator (a place or a coordinate)."""

    lat: float
    lon: float
    name: str


@dataclass(frozen=True)
class DesignOptions:
    """Service and layout settings of a line (times in seconds after midnight, distances in metres)."""

    headway_s: int = 900
    start_s: int = 6 * 3600
    end_s: int = 20 * 3600
    layover_s: float = 300.0
    cluster_m: float = 300.0
    reuse_stop_m: float = 250.0
    core_radius_m: float = 2500.0
    max_stops: int = 16
    max_snap_m: float = 250.0
    line_id: str = "heritage"
    name: str = "Heritage line"


@dataclass(frozen=True)
class DesignedLine:
    """A proposed line: its schedule, what it costs, the sites it was designed for."""

    schedule: LineSchedule
    metrics: LineMetrics
    sites: tuple[Site, ...]
    options: DesignOptions = field(default_factory=DesignOptions)
    skipped_sites: tuple[Site, ...] = ()
    """Themed sites left out because no road a bus can use is near them."""

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON summary: stops in order with names, round trip, fleet, vehicle-km/h per day."""
        schedule, metrics = self.schedule, self.metrics
        stops = schedule.stop_by_id()
        first = schedule.directions[0]
        order = first.stop_ids[:-1] if schedule.kind == "loop" else first.stop_ids
        return {
            "line_id": schedule.line_id,
            "name": schedule.name,
            "kind": schedule.kind,
            "headway_min": schedule.headway_s / 60,
            "service_hours": [_clock(schedule.start_s), _clock(schedule.end_s)],
            "stops": [
                {
                    "order": index,
                    "stop_id": stop_id,
                    "name": stops[stop_id].name,
                    "lat": round(stops[stop_id].lat, 6),
                    "lon": round(stops[stop_id].lon, 6),
                    "new": stops[stop_id].is_new,
                    "sites": list(stops[stop_id].sites),
                }
                for index, stop_id in enumerate(order)
            ],
            "directions": [
                {
                    "direction": d.direction,
                    "stop_ids": list(d.stop_ids),
                    "length_km": round(d.length_m / 1000.0, 3),
                    "run_time_min": round(d.run_time_s / 60.0, 1),
                }
                for d in schedule.directions
            ],
            "round_trip_min": round(metrics.round_trip_s / 60.0, 1),
            "layover_min_per_terminal": round(metrics.layover_s / 60.0, 1),
            "dwell_s_per_stop": round(metrics.dwell_s, 1),
            "fleet_size": metrics.fleet_size,
            "trips_per_day": metrics.trips_per_day,
            "vehicle_km_per_day": round(metrics.vehicle_km_per_day, 1),
            "vehicle_hours_per_day": round(metrics.vehicle_hours_per_day, 1),
            "designed_for": [site.place_id for site in self.sites],
            "skipped_sites": [site.place_id for site in self.skipped_sites],
        }


def _clock(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"


def select_sites(
    sites: Sequence[Site],
    *,
    interests: Collection[str] = (),
    place_ids: Sequence[str] = (),
    core_radius_m: float = 2500.0,
    cluster_m: float = 300.0,
    max_stops: int = 16,
) -> list[list[Site]]:
    """Choose the sites and group those close enough to share a stop (see the module docstring).

    Returns
    -------
    list[list[Site]]
        Groups of sites, explicit places' groups first, then the themed ones in sampling order.

    Raises
    ------
    RoutingError
        If a place id is unknown, nothing was asked for, or nothing matches the interests.
    """
    by_id = {site.place_id: site for site in sites}
    unknown = [place_id for place_id in place_ids if place_id not in by_id]
    if unknown:
        raise RoutingError(f"unknown place {unknown[0]!r}" + (f" (and {len(unknown) - 1} more)" if unknown[1:] else ""))
    if not interests and not place_ids:
        raise RoutingError("give interests (categories) or places for the line to serve")
    explicit = list(dict.fromkeys(by_id[place_id] for place_id in place_ids))
    wanted = set(interests)
    themed = [site for site in sites if wanted & set(site.categories) and site not in explicit]
    if wanted and not themed and not explicit:
        raise RoutingError(f"no place in the catalogue has the categories {sorted(wanted)}")
    if themed:
        lat = np.array([s.lat for s in themed])
        lon = np.array([s.lon for s in themed])
        distance = haversine_m(lat[:, None], lon[:, None], lat[None, :], lon[None, :])
        centre = int(np.argmax((distance <= core_radius_m).sum(axis=1)))
        themed = [site for site, d in zip(themed, distance[centre], strict=True) if d <= core_radius_m]
        themed.sort(key=lambda s: float(haversine_m(s.lat, s.lon, lat[centre], lon[centre])))
    explicit_groups = _cluster(explicit, cluster_m)
    themed_groups = _cluster(themed, cluster_m, seeds=explicit_groups)
    room = max(max_stops - len(explicit_groups), 0)
    if len(themed_groups) > room:
        themed_groups = _spread(themed_groups, room, anchors=explicit_groups)
    return explicit_groups + themed_groups


def _centroid(group: Sequence[Site]) -> LatLon:
    return float(np.mean([s.lat for s in group])), float(np.mean([s.lon for s in group]))


def _cluster(sites: Sequence[Site], cluster_m: float, *, seeds: Sequence[list[Site]] = ()) -> list[list[Site]]:
    """Greedy grouping: a site joins the first group whose first site is within ``cluster_m`` (seeds absorb too)."""
    seed_heads = [group[0] for group in seeds]
    groups: list[list[Site]] = []
    for site in sites:
        if any(haversine_m(site.lat, site.lon, head.lat, head.lon) <= cluster_m for head in seed_heads):
            continue  # already served by an explicit place's stop
        for group in groups:
            if haversine_m(site.lat, site.lon, group[0].lat, group[0].lon) <= cluster_m:
                group.append(site)
                break
        else:
            groups.append([site])
    return groups


def _spread(groups: list[list[Site]], count: int, *, anchors: Sequence[list[Site]]) -> list[list[Site]]:
    """Farthest-point sampling of ``count`` groups, starting from the first (the centre) or the anchors."""
    if count <= 0:
        return []
    points = np.array([_centroid(g) for g in groups])
    chosen: list[int] = []
    best = np.full(len(groups), np.inf)
    for anchor in anchors:
        lat, lon = _centroid(anchor)
        best = np.minimum(best, haversine_m(points[:, 0], points[:, 1], lat, lon))
    if not anchors:
        chosen.append(0)
        best = np.minimum(best, haversine_m(points[:, 0], points[:, 1], points[0, 0], points[0, 1]))
    while len(chosen) < count:
        candidate = int(np.argmax(np.where(np.isin(np.arange(len(groups)), chosen), -1.0, best)))
        chosen.append(candidate)
        best = np.minimum(best, haversine_m(points[:, 0], points[:, 1], points[candidate, 0], points[candidate, 1]))
    return [groups[i] for i in chosen]


class _StopPlacer:
    """Reuse an existing bus stop near a point, else put a new one on the nearest road of the drive graph."""

    def __init__(self, drive: FrozenGraph, bus: BusNetwork, options: DesignOptions) -> None:
        self.drive = drive
        self.options = options
        self.snapper = MainComponentSnapper(drive)
        self.main = self.snapper.main_node
        self.bus_stops = bus.stops
        self.stop_lat = np.array([s.lat for s in bus.stops], dtype=np.float64)
        self.stop_lon = np.array([s.lon for s in bus.stops], dtype=np.float64)
        self.new_count = 0

    def _snap_main(self, lat: NDArray[np.float64], lon: NDArray[np.float64], max_m: float) -> Any:
        return self.snapper._main.snap(lat, lon, max_distance_m=max_m)

    def place(self, lat: float, lon: float, *, name: str, reuse_m: float, what: str) -> tuple[LineStop, int]:
        """A stop for a point and its drive-graph node.

        Raises
        ------
        TooFarFromStreetError
            If no road of the drive network's main component lies within ``max_snap_m``.
        """
        if self.stop_lat.size:
            distance = haversine_m(lat, lon, self.stop_lat, self.stop_lon)
            near = np.flatnonzero(distance <= reuse_m)
            near = near[np.argsort(distance[near], kind="stable")]
            if near.size:
                snap = self._snap_main(self.stop_lat[near], self.stop_lon[near], EXISTING_STOP_SNAP_M)
                on = np.flatnonzero(snap.on_network)
                if on.size:
                    known = self.bus_stops[int(near[on[0]])]
                    reused = LineStop(known.stop_id, known.name, known.lat, known.lon, is_new=False)
                    return reused, int(snap.node[on[0]])
        point = np.array([lat]), np.array([lon])
        snap = self._snap_main(*point, self.options.max_snap_m)
        if not snap.on_network[0]:
            raise TooFarFromStreetError(
                f"{what} ({lat:.6f}, {lon:.6f}) is off the drive network: "
                f"no road a bus can use within {self.options.max_snap_m:g} m"
            )
        self.new_count += 1
        stop_id = f"{self.options.line_id}:{self.new_count}"
        stop = LineStop(stop_id, name, float(snap.lat[0]), float(snap.lon[0]), is_new=True)
        return stop, int(snap.node[0])


def design_line(
    drive: FrozenGraph,
    bus: BusNetwork,
    sites: Sequence[Site],
    *,
    interests: Collection[str] = (),
    place_ids: Sequence[str] = (),
    start: Terminal | None = None,
    end: Terminal | None = None,
    options: DesignOptions | None = None,
) -> DesignedLine:
    """Propose a loop (no ``end``) or a line from ``start`` to ``end`` serving the chosen sites.

    Parameters
    ----------
    drive
        The drive graph the bus runs on.
    bus
        Today's bus network (its stops are reused, its speed model times the legs).
    sites
        Every place the line may serve (the catalogue as plain records).
    interests, place_ids
        A theme (categories) and/or explicit places (see :func:`select_sites`).
    start, end
        Terminals; ``end`` makes a two-way line, ``start`` alone a loop starting there.
    options
        Service hours, headway, layover and layout settings.

    Returns
    -------
    DesignedLine

    Raises
    ------
    RoutingError
        For an unknown place, an empty theme, a bad headway or service span, ``end`` without ``start``, or
        fewer than two distinct stops.
    OutsideAreaError
        If a terminal lies outside the drive graph's area.
    TooFarFromStreetError
        If a terminal or a site is off the drive network.
    NoRouteError
        If the stops cannot be joined on the drive network (one-way streets, disconnected roads).
    """
    options = options or DesignOptions()
    check_service(options.headway_s, options.start_s, options.end_s)
    if options.headway_s != int(options.headway_s):
        raise RoutingError("the headway must be a whole number of seconds")
    if end is not None and start is None:
        raise RoutingError("a line with an end terminal needs a start terminal too")
    if drive.node_count == 0:
        raise RoutingError("the drive graph is empty")
    _check_area(drive, start, end)
    groups = select_sites(
        sites,
        interests=interests,
        place_ids=place_ids,
        core_radius_m=options.core_radius_m,
        cluster_m=options.cluster_m,
        max_stops=options.max_stops,
    )
    placer = _StopPlacer(drive, bus, options)
    stops: list[LineStop] = []
    nodes: list[int] = []

    def add(stop: LineStop, node: int, served: Sequence[str]) -> int:
        for index, known in enumerate(stops):
            if known.stop_id == stop.stop_id:
                stops[index] = LineStop(
                    known.stop_id, known.name, known.lat, known.lon, known.is_new, (*known.sites, *served)
                )
                return index
        stops.append(LineStop(stop.stop_id, stop.name, stop.lat, stop.lon, stop.is_new, tuple(served)))
        nodes.append(node)
        return len(stops) - 1

    start_index = 0
    end_index: int | None = None
    if start is not None:
        stop, node = placer.place(start.lat, start.lon, name=start.name, reuse_m=150.0, what="the start terminal")
        start_index = add(stop, node, ())
    if end is not None:
        stop, node = placer.place(end.lat, end.lon, name=end.name, reuse_m=150.0, what="the end terminal")
        end_index = add(stop, node, ())
    explicit = set(place_ids)
    skipped: list[Site] = []
    for group in groups:
        lat, lon = _centroid(group)
        names = ", ".join(site.place_id for site in group)
        try:
            stop, node = placer.place(lat, lon, name=group[0].name, reuse_m=options.reuse_stop_m, what=f"site {names}")
        except TooFarFromStreetError:
            if explicit & {site.place_id for site in group}:
                raise
            skipped.extend(group)  # a themed site the bus cannot reach is left out, and reported
            continue
        add(stop, node, [site.place_id for site in group])
    if len(stops) < 2:
        raise RoutingError("the line needs at least two distinct stops; add places or terminals")
    if end_index is not None and end_index == start_index:
        raise RoutingError("the two terminals share one stop; use --loop for a round line")

    distance, predecessors = _drive_distances(drive, nodes)
    order = order_stops(distance, start=start_index, end=end_index)
    model = bus.speed_model
    period = next(iter(model.speed_mps))
    dwell_s = float(model.dwell_s[period])

    def direction(number: int, sequence: list[int]) -> LineDirection:
        legs: list[float] = []
        shape: list[LatLon] = []
        for a, b in itertools.pairwise(sequence):
            if not math.isfinite(distance[a, b]):
                raise NoRouteError(f"the bus cannot drive from {stops[a].name} to {stops[b].name} on the road network")
            legs.append(float(distance[a, b]))
            path = node_path(predecessors[a], nodes[a], nodes[b]) or [nodes[a]]
            shape.extend([(stops[a].lat, stops[a].lon), *path_coordinates(drive, path), (stops[b].lat, stops[b].lon)])
        runs = model.run_times_s(np.asarray(legs), period)
        return LineDirection(
            direction=number,
            stop_ids=tuple(stops[i].stop_id for i in sequence),
            leg_distance_m=tuple(round(leg, 1) for leg in legs),
            leg_run_time_s=tuple(round(float(run), 1) for run in runs),
            shape=dedupe([(round(lat, 7), round(lon, 7)) for lat, lon in shape]),
        )

    if end_index is None:
        directions: tuple[LineDirection, ...] = (direction(0, [*order, order[0]]),)
    else:
        directions = (direction(0, order), direction(1, order[::-1]))
    schedule = LineSchedule(
        line_id=options.line_id,
        name=options.name,
        stops=tuple(stops),
        directions=directions,
        headway_s=int(options.headway_s),
        start_s=options.start_s,
        end_s=options.end_s,
    )
    chosen = tuple(site for group in groups for site in group if site not in skipped)
    return DesignedLine(
        schedule=schedule,
        metrics=line_metrics(schedule, layover_s=options.layover_s, dwell_s=dwell_s),
        sites=chosen,
        options=options,
        skipped_sites=tuple(skipped),
    )


def _check_area(drive: FrozenGraph, *terminals: Terminal | None) -> None:
    south, north = float(drive.node_lat.min()), float(drive.node_lat.max())
    west, east = float(drive.node_lon.min()), float(drive.node_lon.max())
    for terminal in terminals:
        if terminal is None:
            continue
        lat, lon = terminal.lat, terminal.lon
        if not (math.isfinite(lat) and math.isfinite(lon) and south <= lat <= north and west <= lon <= east):
            raise OutsideAreaError(
                f"terminal {terminal.name} ({lat:.6f}, {lon:.6f}) is off the drive network: outside the area it "
                f"covers ({south:.4f}..{north:.4f} N, {west:.4f}..{east:.4f} E)"
            )


def _drive_distances(drive: FrozenGraph, nodes: Sequence[int]) -> tuple[NDArray[np.float64], NDArray[np.int32]]:
    """Road distances between the stops' drive nodes (``inf`` where unreachable) and the Dijkstra predecessors."""
    matrix = simple_csr(drive)
    index = np.asarray(nodes, dtype=np.int64)
    distance, predecessors = dijkstra(matrix, directed=True, indices=index, return_predecessors=True)
    return np.asarray(distance[:, index], dtype=np.float64), np.asarray(predecessors, dtype=np.int32)
