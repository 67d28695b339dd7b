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

import dataclasses
import itertools
import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, TypedDict, Unpack

import numpy as np
from numpy.typing import NDArray
from scipy.sparse.csgraph import dijkstra

from routing.clock import format_clock
from routing.errors import NoRouteError, RoutingError, TooFarFromStreetError
from routing.geo import haversine_m
from routing.graph.frozen import FrozenGraph
from routing.graph.shortest import simple_csr
from routing.journeys.paths import dedupe, node_path, path_coordinates
from routing.operators.errors import LineDesignError, TerminalOutsideAreaError
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
from routing.streets import DEFAULT_MAX_SNAP_M
from routing.streets.components import largest_strong_component
from routing.streets.snap import EdgeSnapper
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
    popularity: float = 0.5
    """0..1, the catalogue's popularity (weights the visitor objective and the choice of a theme's centre)."""

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> Site:
        """From a catalogue record (``id``, ``lat``, ``lon``, ``categories``, ``name_en`` or ``name``)."""
        return cls(
            place_id=str(record["id"]),
            name=str(record.get("name_en") or record.get("name") or record["id"]),
            lat=float(record["lat"]),
            lon=float(record["lon"]),
            categories=tuple(str(c) for c in record.get("categories", ())),
            popularity=float(record.get("popularity") or 0.5),
        )


@dataclass(frozen=True)
class Terminal:
    """A line end given by the operator (a place or a coordinate)."""

    lat: float
    lon: float
    name: str


class LineAsk(TypedDict, total=False):
    """What the operator asks a line to serve: a theme (categories), places, terminals (all optional)."""

    interests: Collection[str]
    place_ids: Sequence[str]
    start: Terminal | None
    end: Terminal | None


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
    max_snap_m: float = DEFAULT_MAX_SNAP_M
    line_id: str = "heritage"
    name: str = "Heritage line"
    kind: Literal["any", "loop", "line"] = "any"
    """The search's line shapes: loops, two-way lines, or both (``any``: both scored, the line returned is two-way,
    a loop only if no two-way line fits the fleet cap; see :mod:`routing.operators.search`)."""
    max_fleet: int | None = None
    """Most buses the operator can put on the line (None: no cap)."""
    min_stops: int = 4
    """Fewest stops of the line the search returns as the best (smaller candidates stay in the Pareto set)."""
    pool_radius_m: float = 8000.0
    """The search's candidate stops come from the theme's popular sites this far from its centre (a walkable
    core gains little from a bus; the line earns its buses between districts)."""
    pool_cluster_m: float = 1000.0
    """The search's sites closer than this share a candidate stop: an express line's stop spacing (about 1 km),
    one stop per district of sites, so that no candidate stops every few hundred metres in a walkable core."""
    max_walk_leg_m: float = 3000.0
    """A site farther than ``max_snap_m`` from every usable road gets a stop at the nearest one within this
    distance, and the last leg is walked (and stated)."""
    search_time_s: float = 40.0
    """Wall-clock budget of the local search (the first candidates are always scored)."""
    vnd_per_vehicle_km: float = 12_000.0
    """Operating cost per vehicle-km (fuel, tyres, maintenance), VND; ``estimated`` (docs/DATA.md)."""
    vnd_per_vehicle_hour: float = 220_000.0
    """Operating cost per vehicle-hour (driver and conductor, overheads), VND; ``estimated`` (docs/DATA.md)."""


@dataclass(frozen=True)
class DesignedLine:
    """A proposed line: its schedule, what it costs, the sites it was designed for."""

    schedule: LineSchedule
    metrics: LineMetrics
    sites: tuple[Site, ...]
    options: DesignOptions = field(default_factory=DesignOptions)
    skipped_sites: tuple[Site, ...] = ()
    """Themed sites left out because no road a bus can use is near them."""
    skipped_reasons: tuple[tuple[str, str], ...] = ()
    alternatives: tuple[dict[str, Any], ...] = ()
    """The Pareto set of the search (fleet vs benefit), the chosen line marked."""
    search: dict[str, Any] = field(default_factory=dict)

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
            "service_hours": [format_clock(schedule.start_s), format_clock(schedule.end_s)],
            "stops": [
                {
                    "order": index,
                    "stop_id": stop_id,
                    "name": stops[stop_id].name,
                    "lat": round(stops[stop_id].lat, 6),
                    "lon": round(stops[stop_id].lon, 6),
                    "new": stops[stop_id].is_new,
                    "sites": list(stops[stop_id].sites),
                    "walk_m": stops[stop_id].walk_m,
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
            "operating_cost": operating_cost(metrics, self.options),
            "walked_last_legs": [
                {"stop_id": stop.stop_id, "name": stop.name, "sites": list(stop.sites), "walk_m": stop.walk_m}
                for stop in schedule.stops
                if stop.walk_m
            ],
            "designed_for": [site.place_id for site in self.sites],
            "skipped_sites": [site.place_id for site in self.skipped_sites],
            "skipped_reasons": [{"place_id": p, "reason": why} for p, why in self.skipped_reasons],
            "alternatives": list(self.alternatives),
            "search": dict(self.search) or None,
        }


def operating_cost(metrics: LineMetrics, options: DesignOptions) -> dict[str, float | str]:
    """Daily operating cost from the unit costs (VND per vehicle-km and per vehicle-hour)."""
    per_km = metrics.vehicle_km_per_day * options.vnd_per_vehicle_km
    per_hour = metrics.vehicle_hours_per_day * options.vnd_per_vehicle_hour
    return {
        "vnd_per_vehicle_km": options.vnd_per_vehicle_km,
        "vnd_per_vehicle_hour": options.vnd_per_vehicle_hour,
        "vnd_per_day": round(per_km + per_hour),
        "vnd_per_year": round((per_km + per_hour) * 365),
        "unit_costs": "estimated",
    }


def select_sites(
    sites: Sequence[Site],
    *,
    interests: Collection[str] = (),
    place_ids: Sequence[str] = (),
    core_radius_m: float = 2500.0,
    cluster_m: float = 300.0,
    max_stops: int = 16,
    spread: bool = True,
    pool_radius_m: float | None = None,
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
        raise LineDesignError(
            "place_ids",
            f"unknown place {unknown[0]!r}" + (f" (and {len(unknown) - 1} more)" if unknown[1:] else ""),
        )
    if not interests and not place_ids:
        raise LineDesignError("interests", "give interests (categories) or places for the line to serve")
    explicit = list(dict.fromkeys(by_id[place_id] for place_id in place_ids))
    wanted = set(interests)
    if not wanted and len(explicit) < 2:
        raise LineDesignError("place_ids", "give at least two distinct places (or interests) for a line")
    themed = [site for site in sites if wanted & set(site.categories) and site not in explicit]
    if wanted and not themed and not explicit:
        raise LineDesignError("interests", f"no place in the catalogue has the categories {sorted(wanted)}")
    if themed:
        themed = _core(
            themed,
            explicit,
            core_radius_m=core_radius_m,
            cluster_m=cluster_m,
            pool_radius_m=pool_radius_m if pool_radius_m is not None else core_radius_m,
        )
    explicit_groups = _cluster(explicit, cluster_m)
    themed_groups = _cluster(themed, cluster_m, seeds=explicit_groups)
    room = max(max_stops - len(explicit_groups), 0)
    if len(themed_groups) > room and not spread:
        themed_groups = themed_groups[:room]  # the most popular first (the core is sorted so)
    if len(themed_groups) > room:
        themed_groups = _spread(themed_groups, room, anchors=explicit_groups)
    return explicit_groups + themed_groups


def _core(
    themed: list[Site], explicit: list[Site], *, core_radius_m: float, cluster_m: float, pool_radius_m: float
) -> list[Site]:
    """The themed sites around the theme's centre.

    The centre is the site with most popularity within ``core_radius_m`` (with explicit places, one within
    that distance of them). Sites within ``pool_radius_m`` of it are kept; the radius doubles (up to 8 times)
    until they make three stops with the explicit places: craft villages lie kilometres apart, heritage sites
    a few hundred metres. Sorted by popularity, then distance to the centre.
    """
    lat = np.array([s.lat for s in themed])
    lon = np.array([s.lon for s in themed])
    popularity = np.array([s.popularity for s in themed])
    distance = haversine_m(lat[:, None], lon[:, None], lat[None, :], lon[None, :])
    density = ((distance <= core_radius_m) * popularity[None, :]).sum(axis=1)
    if explicit:
        to_explicit = haversine_m(
            lat[:, None], lon[:, None], np.array([e.lat for e in explicit]), np.array([e.lon for e in explicit])
        ).min(axis=1)
        near = to_explicit <= max(core_radius_m, float(to_explicit.min()))
        density = np.where(near, density, -1.0)  # the core holds the places asked for
    centre = int(np.argmax(density))
    radius = pool_radius_m
    while True:
        core = [site for site, d in zip(themed, distance[centre], strict=True) if d <= radius]
        if len(_cluster([*explicit, *core], cluster_m)) >= 3 or radius >= 8 * pool_radius_m:
            break
        radius *= 2
    core.sort(key=lambda s: (-s.popularity, float(haversine_m(s.lat, s.lon, lat[centre], lon[centre]))))
    return core


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
        main_node = largest_strong_component(drive)
        self.main_snapper = EdgeSnapper(drive).restricted(main_node[drive.tail()] & main_node[drive.head])
        self.bus_stops = bus.stops
        self.stop_lat = np.array([s.lat for s in bus.stops], dtype=np.float64)
        self.stop_lon = np.array([s.lon for s in bus.stops], dtype=np.float64)
        self.new_count = 0

    def _snap_main(self, lat: NDArray[np.float64], lon: NDArray[np.float64], max_m: float) -> Any:
        return self.main_snapper.snap(lat, lon, max_distance_m=max_m)

    def place(
        self, lat: float, lon: float, *, name: str, reuse_m: float, what: str, walk_leg: bool = False
    ) -> tuple[LineStop, int]:
        """A stop for a point and its drive-graph node.

        With ``walk_leg``, a point farther than ``max_snap_m`` from every usable road gets a new stop on the
        nearest one within ``max_walk_leg_m`` (the stop's ``walk_m`` says how far the rider walks on).

        Raises
        ------
        TooFarFromStreetError
            If no road of the drive network's main component lies within the limit.
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
        limit = self.options.max_walk_leg_m if walk_leg else self.options.max_snap_m
        snap = self._snap_main(*point, limit)
        if not snap.on_network[0]:
            raise TooFarFromStreetError(
                f"{what} ({lat:.6f}, {lon:.6f}) is off the drive network: no road a bus can use within {limit:g} m"
            )
        self.new_count += 1
        stop_id = f"{self.options.line_id}:{self.new_count}"
        snapped_m = float(snap.distance_m[0])
        walk_m = round(snapped_m) if snapped_m > self.options.max_snap_m else 0
        stop = LineStop(stop_id, name, float(snap.lat[0]), float(snap.lon[0]), is_new=True, walk_m=walk_m)
        return stop, int(snap.node[0])


@dataclass(frozen=True)
class StopPlan:
    """The stops a line may use, their drive nodes, and the road distances and paths between them."""

    stops: tuple[LineStop, ...]
    nodes: tuple[int, ...]
    start_index: int | None
    end_index: int | None
    explicit: frozenset[int]
    """Stops serving an explicit place or a terminal: every candidate line keeps them."""
    sites: tuple[Site, ...]
    skipped: tuple[tuple[Site, str], ...]
    """Themed sites left out, with why."""
    distance_m: NDArray[np.float64]
    predecessors: NDArray[np.int32]

    def weight(self, index: int, popularity: Mapping[str, float]) -> float:
        """Popularity served by a stop (the sum over its sites)."""
        return float(sum(popularity.get(place_id, 0.5) for place_id in self.stops[index].sites))


def plan_stops(
    drive: FrozenGraph,
    bus: BusNetwork,
    sites: Sequence[Site],
    *,
    options: DesignOptions,
    spread: bool = True,
    **ask: Unpack[LineAsk],
) -> StopPlan:
    """Choose the sites (:func:`select_sites`), place a stop for each group and the terminals, measure the roads.

    Raises
    ------
    LineDesignError
        For an unknown place, an empty theme, terminals off the network or sharing a stop, explicit places the
        bus cannot reach, or fewer than two distinct stops (naming the places that block the line).
    """
    interests, place_ids = ask.get("interests", ()), ask.get("place_ids", ())
    start, end = ask.get("start"), ask.get("end")
    check_service(options.headway_s, options.start_s, options.end_s)
    if options.headway_s != int(options.headway_s):
        raise LineDesignError("headway_min", "the headway must be a whole number of seconds")
    if end is not None and start is None:
        raise LineDesignError("end", "a line with an end terminal needs a start terminal too")
    if drive.node_count == 0:
        raise RoutingError("the drive graph is empty")
    _check_area(drive, start, end)
    placer = _StopPlacer(drive, bus, options)
    pool_radius = options.pool_radius_m if not spread else None
    unreachable: dict[str, tuple[Site, str]] = {}
    for _attempt in range(3):
        groups = select_sites(
            [site for site in sites if site.place_id not in unreachable],
            interests=interests,
            place_ids=place_ids,
            core_radius_m=options.core_radius_m,
            cluster_m=options.cluster_m,
            max_stops=options.max_stops,
            spread=spread,
            pool_radius_m=pool_radius,
        )
        known = len(unreachable)
        stops, nodes, start_index, end_index, explicit = _place_all(
            placer, groups, unreachable, place_ids=place_ids, start=start, end=end, options=options
        )
        # A search pool whose sites the bus cannot reach widens (craft villages off the drive graph).
        if (
            pool_radius is None
            or len(stops) - len(explicit & {start_index, end_index}) >= 3
            or len(unreachable) == known
        ):
            break
        pool_radius *= 2
    skipped = list(unreachable.values())
    if len(stops) < 2:
        blocking = tuple((site.place_id, why) for site, why in skipped) + tuple(
            (place_id, f"shares the only stop {stops[0].name}") for place_id in (stops[0].sites if stops else ())
        )
        field_name = "place_ids" if place_ids and not interests else "interests"
        raise LineDesignError(
            field_name,
            "the places give fewer than two distinct stops (all in one spot, or off every road a bus can use): "
            + "; ".join(f"{place_id}: {why}" for place_id, why in blocking),
            blocking=blocking,
        )
    if end_index is not None and end_index == start_index:
        raise LineDesignError("end", "the two terminals share one stop; make a loop instead")
    distance, predecessors = _drive_distances(drive, nodes)
    chosen = tuple(site for group in groups for site in group if site not in {s for s, _ in skipped})
    return StopPlan(
        stops=tuple(stops),
        nodes=tuple(nodes),
        start_index=start_index,
        end_index=end_index,
        explicit=frozenset(explicit),
        sites=chosen,
        skipped=tuple(skipped),
        distance_m=distance,
        predecessors=predecessors,
    )


def _place_all(
    placer: _StopPlacer,
    groups: Sequence[Sequence[Site]],
    unreachable: dict[str, tuple[Site, str]],
    *,
    place_ids: Sequence[str],
    start: Terminal | None,
    end: Terminal | None,
    options: DesignOptions,
) -> tuple[list[LineStop], list[int], int | None, int | None, set[int]]:
    """Stops for the terminals and the site groups (themed sites the bus cannot reach go to ``unreachable``)."""
    stops: list[LineStop] = []
    nodes: list[int] = []

    def add(stop: LineStop, node: int, served: Sequence[str]) -> int:
        for index, known in enumerate(stops):
            if known.stop_id == stop.stop_id:
                stops[index] = dataclasses.replace(known, sites=(*known.sites, *served))
                return index
        stops.append(dataclasses.replace(stop, sites=tuple(served)))
        nodes.append(node)
        return len(stops) - 1

    start_index: int | None = None
    end_index: int | None = None
    for field_name, where in (("start", start), ("end", end)):
        if where is None:
            continue
        try:
            stop, node = placer.place(where.lat, where.lon, name=where.name, reuse_m=150.0, what=f"the {field_name}")
        except TooFarFromStreetError as exc:
            raise LineDesignError(field_name, str(exc)) from exc
        if field_name == "start":
            start_index = add(stop, node, ())
        else:
            end_index = add(stop, node, ())
    explicit_ids = set(place_ids)
    explicit = {i for i in (start_index, end_index) if i is not None}
    for group in groups:
        lat, lon = _centroid(group)
        names = ", ".join(site.place_id for site in group)
        try:
            stop, node = placer.place(
                lat, lon, name=group[0].name, reuse_m=options.reuse_stop_m, what=f"site {names}", walk_leg=True
            )
        except TooFarFromStreetError as exc:
            if explicit_ids & {site.place_id for site in group}:
                raise LineDesignError(
                    "place_ids", str(exc), blocking=tuple((site.place_id, str(exc)) for site in group)
                ) from exc
            unreachable.update({site.place_id: (site, str(exc)) for site in group})  # reported, not served
            continue
        index = add(stop, node, [site.place_id for site in group])
        if explicit_ids & {site.place_id for site in group}:
            explicit.add(index)
    return stops, nodes, start_index, end_index, explicit


def route_schedule(
    drive: FrozenGraph, bus: BusNetwork, plan: StopPlan, order: Sequence[int], *, loop: bool, options: DesignOptions
) -> tuple[LineSchedule, LineMetrics]:
    """The schedule and costs of a line visiting ``plan``'s stops ``order`` (a loop, or a two-way line).

    Raises
    ------
    NoRouteError
        If a leg cannot be driven.
    """
    model = bus.speed_model
    period = next(iter(model.speed_mps))
    dwell_s = float(model.dwell_s[period])
    stops, nodes, distance = plan.stops, plan.nodes, plan.distance_m

    def direction(number: int, sequence: list[int]) -> LineDirection:
        legs: list[float] = []
        shape: list[LatLon] = []
        for a, b in itertools.pairwise(sequence):
            if not math.isfinite(distance[a, b]):
                raise NoRouteError(f"the bus cannot drive from {stops[a].name} to {stops[b].name} on the road network")
            legs.append(float(distance[a, b]))
            path = node_path(plan.predecessors[a], nodes[a], nodes[b]) or [nodes[a]]
            shape.extend([(stops[a].lat, stops[a].lon), *path_coordinates(drive, path), (stops[b].lat, stops[b].lon)])
        runs = model.run_times_s(np.asarray(legs), period)
        return LineDirection(
            direction=number,
            stop_ids=tuple(stops[i].stop_id for i in sequence),
            leg_distance_m=tuple(round(leg, 1) for leg in legs),
            leg_run_time_s=tuple(round(float(run), 1) for run in runs),
            shape=dedupe([(round(lat, 7), round(lon, 7)) for lat, lon in shape]),
        )

    order = list(order)
    if loop:
        directions: tuple[LineDirection, ...] = (direction(0, [*order, order[0]]),)
    else:
        directions = (direction(0, order), direction(1, order[::-1]))
    schedule = LineSchedule(
        line_id=options.line_id,
        name=options.name,
        stops=tuple(stops[i] for i in order),
        directions=directions,
        headway_s=int(options.headway_s),
        start_s=options.start_s,
        end_s=options.end_s,
    )
    return schedule, line_metrics(schedule, layover_s=options.layover_s, dwell_s=dwell_s)


def draft_line(
    drive: FrozenGraph,
    bus: BusNetwork,
    sites: Sequence[Site],
    *,
    options: DesignOptions | None = None,
    **ask: Unpack[LineAsk],
) -> DesignedLine:
    """A loop (no ``end``) or a line from ``start`` to ``end`` through every chosen site, shortest road order.

    This draws the line a planner would draw by hand (every site, shortest tour); :func:`design_line` searches
    for the line worth running.

    Raises
    ------
    LineDesignError, RoutingError
        As :func:`plan_stops`; NoRouteError if the stops cannot be joined on the drive network.
    """
    options = options or DesignOptions()
    plan = plan_stops(drive, bus, sites, options=options, **ask)
    first = plan.start_index if plan.start_index is not None else 0
    order = order_stops(plan.distance_m, start=first, end=plan.end_index)
    schedule, metrics = route_schedule(drive, bus, plan, order, loop=plan.end_index is None, options=options)
    return DesignedLine(
        schedule=schedule,
        metrics=metrics,
        sites=plan.sites,
        options=options,
        skipped_sites=tuple(site for site, _ in plan.skipped),
    )


def _check_area(drive: FrozenGraph, *terminals: Terminal | None) -> None:
    south, north = float(drive.node_lat.min()), float(drive.node_lat.max())
    west, east = float(drive.node_lon.min()), float(drive.node_lon.max())
    for field_name, terminal in zip(("start", "end"), terminals, strict=False):
        if terminal is None:
            continue
        lat, lon = terminal.lat, terminal.lon
        if not (math.isfinite(lat) and math.isfinite(lon) and south <= lat <= north and west <= lon <= east):
            raise TerminalOutsideAreaError(
                field_name,
                f"terminal {terminal.name} ({lat:.6f}, {lon:.6f}) is off the drive network: outside the area it "
                f"covers ({south:.4f}..{north:.4f} N, {west:.4f}..{east:.4f} E)",
            )


def _drive_distances(drive: FrozenGraph, nodes: Sequence[int]) -> tuple[NDArray[np.float64], NDArray[np.int32]]:
    """Road distances between the stops' drive nodes (``inf`` where unreachable) and the Dijkstra predecessors."""
    matrix = simple_csr(drive)
    index = np.asarray(nodes, dtype=np.int64)
    distance, predecessors = dijkstra(matrix, directed=True, indices=index, return_predecessors=True)
    return np.asarray(distance[:, index], dtype=np.float64), np.asarray(predecessors, dtype=np.int32)
