"""Entry point: compile the city's bus network from ``data/transit``.

Steps: read the four sources; measure the World Bank -> OSM coordinate offset (``stops.py``); calibrate the detour
factor and the run-time model (``speed_model.py``); derive the service periods (``periods.py``); match OSM relations
to World Bank routes (``matching.py``); merge them into one set of routes and stops (``merge.py``); give every leg
a distance and a run time; with an OSM extract, set the hours and headways its route relations' ``opening_hours``
and ``interval`` tags give and add the early / evening periods they reach (``service_hours.py``). The extract's
route relations are also read as lines, the newest source, and merged over the older routes
(``extract_lines.py``); metro legs take the rail run-time model (``speed_model.py``). Every stop gets a readable
name (never an id, see :func:`_name_unnamed_stops`), and every route records per field (stops, hours, headway,
run times) the dataset it came from (``BusRoute.field_sources``).

Leg distance, in order of preference:

1. ``leg_distance_m`` (the bundle builder's drive-graph distance) when it returns a finite value;
2. the OSM route distance (``routeDistance.txt``) when both stops are OSM nodes and the file has the pair in the
   leg's own direction (the smaller of the two if it has both), within [0.95, 2] times the straight line (see below);
3. the great-circle distance times the calibrated detour factor, flagged ``leg_distance_estimated=True``.

``routeDistance.txt`` is a router's driving distance between consecutive stops in the relation's running direction:
4,963 of the legs between two OSM stops find their pair in their own direction (median 1.01 x the straight line,
90th percentile 1.37), only 14 find it in the opposite order alone, and those are often absurd (a third over 1.5 x,
up to 10 x: routed against the platform side, U-turns included), so the opposite order alone is not used. Only 28
pairs appear in both orders, stops shared by both directions (BRT01's median stations); there the larger value is
the artefact (median 2.2 x the straight line against 1.0 x for the smaller), so the smaller is used. Values above
2 x the straight line (4 % of the pairs) are mostly the same artefact and are not used either.

With the drive graph of ``hanoi-merged-2025.osm.pbf`` (measured once through the bundle builder's distance
function): 64 % of the legs get a road distance, median 1.10 x the straight line (ratio of sums 1.17, against the
1.12 detour factor), and on the 3,660 legs that also have an OSM distance the two agree with a median ratio of
1.006.

A distance is never shorter than the straight line between the two stops (snapping both stops to one graph node
would otherwise give 0). Run times come from the speed model (the midday parameters; the feed's run times do not
vary with the time of day) with the route's factor where the central clip calibrated one.
"""

from __future__ import annotations

import statistics
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import cast

import numpy as np
from numpy.typing import NDArray

from routing.build.transit.extract_lines import (
    GAPS_FILE,
    ExtractLine,
    merge_extract_lines,
    read_extract_lines,
    read_relation_gaps,
)
from routing.build.transit.gtfs_clip import CLIP_DIR, ClipFeed, read_clip
from routing.build.transit.gtfs_worldbank import PERIOD_NAMES, WbRoute, read_worldbank
from routing.build.transit.matching import match_routes, normalise_line_ref
from routing.build.transit.merge import DraftRoute, merge_sources
from routing.build.transit.osm_relations import read_relations, read_route_distances, read_stop_points
from routing.build.transit.periods import derive_periods, headway_s
from routing.build.transit.service_hours import apply_service_hours, read_route_relations
from routing.build.transit.speed_model import RAIL_MODEL, calibrate_detour_factor, fit_speed_model, rail_run_times_s
from routing.build.transit.stops import OsmNode, collect_osm_nodes, estimate_offset, group_worldbank_stops
from routing.errors import InputDataError, RoutingError
from routing.geo import LocalProjection, haversine_m
from routing.transit.model import (
    DATASET_EXTRACT,
    DATASET_GTFS_2018,
    DATASET_OSM_2022,
    HOURS_FROM_COUNTS,
    RAIL_MODES,
    BusNetwork,
    BusRoute,
    BusStop,
    JsonValue,
    SpeedModel,
)

LegDistanceFn = Callable[[NDArray[np.float64]], NDArray[np.float64]]
"""Road distances for an ``(n, 4)`` array of ``[from_lat, from_lon, to_lat, to_lon]`` rows (NaN: no road path)."""
StopNamerFn = Callable[[NDArray[np.float64], NDArray[np.float64]], list[str | None]]
"""A readable name for each ``(lat, lon)`` (a nearby named place or street), None where nothing is near."""
NEAR_PREFIX = "Gần "
"""Prefix of a stop named after the nearest named stop, the last resort (``"Gần Bến xe Kim Mã"``: near ...)."""
NEAR_M = 400.0
"""Farther than this from the nearest named stop, the name says how far: ``"Cách Bến Quốc lộ 1 2.3 km"``."""

REFERENCE_PERIOD = "md"
ROUTE_DISTANCE_RATIO = (0.95, 2.0)


def compile_bus_network(
    transit_dir: Path,
    *,
    leg_distance_m: LegDistanceFn | None = None,
    osm_path: Path | None = None,
    stop_namer: StopNamerFn | None = None,
    on_progress: Callable[[str], None] | None = None,
) -> BusNetwork:
    """Compile the bus network from the transit directory.

    The directory holds ``osm-bus-relations-2022/``, ``gtfs-worldbank-2018/``, ``gtfs-central-clip/`` and
    ``osm-bus-stops/``.

    Parameters
    ----------
    transit_dir
        The ``data/transit`` directory.
    leg_distance_m
        Road distances between stop coordinates (see :data:`LegDistanceFn`); None to use OSM route distances and
        great circle x detour factor only.
    osm_path
        An OSM extract whose transit route relations give lines (stops in member order, newer than the other
        sources), service hours and headways (``opening_hours``, ``interval``); None to keep the World Bank periods
        and trip counts for every route and read no new line.
    stop_namer
        Names for stops no OSM source names (see :data:`StopNamerFn`); None to use only the line terminals and
        the nearest named stop.
    on_progress
        Called with a short message at each step.

    Returns
    -------
    BusNetwork

    Raises
    ------
    InputDataError
        If a transit file is missing or corrupt (the message names the file and the row), the data cannot
        calibrate the model (no usable clip legs or departures), or ``osm_path`` is not a readable OSM file (a
        tag that does not parse is only recorded in the report, under ``service_hours``), a route relation of the
        extract lists stop nodes no source places and ``osm-relation-gaps.tsv`` does not declare it, or a stop node
        has no coordinates (the message names the OSM relation and node ids).
    RoutingError
        If ``leg_distance_m`` returns an array of the wrong shape.
    """
    started = time.perf_counter()

    def progress(message: str) -> None:
        if on_progress is not None:
            on_progress(message)

    progress("reading OSM bus relations and stops")
    gaps = read_relation_gaps(transit_dir, osm_path.name) if osm_path is not None else {}
    extract = read_route_relations(osm_path) if osm_path is not None else None
    relations = read_relations(transit_dir)
    route_distances = read_route_distances(transit_dir)
    points = read_stop_points(transit_dir)
    progress("reading the World Bank feed and the central clip")
    wb_routes, wb_report = read_worldbank(transit_dir)
    clip = read_clip(transit_dir)

    all_lat = [lat for r in relations for lat in r.lat] + [s.lat for r in wb_routes for s in r.stops]
    all_lon = [lon for r in relations for lon in r.lon] + [s.lon for r in wb_routes for s in r.stops]
    projection = LocalProjection(float(np.median(all_lat)), float(np.median(all_lon)))

    progress("measuring the World Bank coordinate offset")
    nodes = collect_osm_nodes(relations, points, projection)
    unique_wb = sorted({(s.lat, s.lon) for r in wb_routes for s in r.stops})
    wb_x, wb_y = projection.forward([p[0] for p in unique_wb], [p[1] for p in unique_wb])
    point_x, point_y = projection.forward([p.lat for p in points], [p.lon for p in points])
    osm_xy = np.concatenate(
        [np.array([[n.x, n.y] for n in nodes.values()]).reshape(-1, 2), np.column_stack([point_x, point_y])]
    )
    offset, offset_report = estimate_offset(np.column_stack([wb_x, wb_y]), osm_xy)
    places, place_of = group_worldbank_stops(wb_routes, projection, offset)

    progress("calibrating the detour factor and the speed model")
    detour_factor, detour_report = _calibrate_detour(nodes, route_distances)
    clip_path = transit_dir / CLIP_DIR / "stop_times.txt"
    try:
        speed_model = fit_speed_model(
            clip.legs, periods=PERIOD_NAMES, detour_factor=detour_factor, route_key=_network_route_id
        )
    except ValueError as exc:
        raise InputDataError(clip_path, f"cannot calibrate the speed model: {exc}") from exc

    progress("deriving service periods")
    to_first_stop = _time_to_first_clip_stop(clip, wb_routes, speed_model)
    trip_counts = {route.route_id: route.trips for route in wb_routes}
    try:
        periods, period_report = derive_periods(
            clip.services, trip_counts, to_first_stop, period_names=PERIOD_NAMES, reference_period=REFERENCE_PERIOD
        )
    except ValueError as exc:
        raise InputDataError(clip_path, f"cannot derive the service periods: {exc}") from exc
    spans = {period.name: period.duration_s for period in periods}
    default_headways = _default_headways(wb_routes, spans)

    progress("matching OSM relations to World Bank routes")
    relation_xy = {
        r.relation_id: (
            normalise_line_ref(r.ref),
            np.array([[nodes[n].x, nodes[n].y] for n in r.node_ids]).reshape(-1, 2),
        )
        for r in relations
    }
    route_xy = {
        r.route_id: (
            normalise_line_ref(r.line),
            np.array([[places[place_of[s.stop_id]].x, places[place_of[s.stop_id]].y] for s in r.stops]).reshape(-1, 2),
        )
        for r in wb_routes
    }
    matches, match_report = match_routes(relation_xy, route_xy)

    progress("merging routes and stops")
    merged = merge_sources(
        relations,
        wb_routes,
        matches,
        nodes=nodes,
        points=points,
        places=places,
        place_of=place_of,
        projection=projection,
        spans_s=spans,
        default_headways=default_headways,
    )

    drafts, stops = merged.routes, merged.stops
    extract_report: dict[str, JsonValue] | None = None
    lines: tuple[ExtractLine, ...] = ()
    if osm_path is not None and extract is not None:
        progress("reading lines from the extract's route relations")
        lines, read_report = read_extract_lines(
            osm_path,
            extract,
            points=points,
            relations_2022=relations,
            gaps=gaps,
            gaps_path=transit_dir / GAPS_FILE,
        )
        drafts, stops, merge_report = merge_extract_lines(drafts, stops, lines, default_headways=default_headways)
        extract_report = {**read_report, **merge_report}

    progress("naming stops")
    stops, naming_report = _name_unnamed_stops(stops, drafts, lines, stop_namer)

    progress("computing leg distances and run times")
    stop_by_id = {stop.stop_id: stop for stop in stops}
    osm_node_of_stop = {stop_id: int(stop_id[4:]) for stop_id in stop_by_id if stop_id.startswith("osm:")}
    routes, distance_sources = _finish_routes(
        drafts,
        stops=stop_by_id,
        osm_node_of_stop=osm_node_of_stop,
        route_distances=route_distances,
        speed_model=speed_model,
        detour_factor=detour_factor,
        leg_distance_m=leg_distance_m,
    )

    service_hours: dict[str, JsonValue] | None = None
    if osm_path is not None:
        progress("reading service hours from the OSM route relations")
        assert extract is not None
        routes, periods, service_hours = apply_service_hours(routes, stops, periods, extract)
    routes = tuple(replace(route, field_sources=_field_sources(route)) for route in routes)

    matching: dict[str, JsonValue] = {
        "osm_relations": len(relations),
        "gtfs_routes": len(wb_routes),
        "matched_pairs": merged.report["matched_pairs"],
        "osm_only": merged.report["osm_only_relations"],
        "gtfs_only": merged.report["gtfs_only_routes"],
        **{key: value for key, value in match_report.items() if key != "matched_pairs"},
        "matched_stop_sequence": merged.report["matched_stop_sequence"],
        "osm_only_orientation": merged.report["osm_only_orientation"],
        "osm_stops_outside_corridor": merged.report["osm_stops_outside_corridor"],
    }
    report: dict[str, JsonValue] = {
        "matching": matching,
        "dropped_routes": merged.report["dropped_routes"],
        "leg_distance_sources": distance_sources,
        "stop_names": {**cast(dict[str, JsonValue], merged.report["stop_names"]), **naming_report},
        "gtfs_offset_m": offset_report,
        "stop_merging": {
            "gtfs_stop_ids": wb_report["stop_ids"],
            "gtfs_places": merged.report["gtfs_places"],
            "gtfs_places_merged_into_osm": merged.report["gtfs_places_merged_into_osm"],
            "consecutive_repeats_removed": merged.report["consecutive_repeats_removed"],
        },
        "detour_factor": detour_report,
        "periods": period_report,
        "default_headway_s": dict(default_headways),
        "clip": {"trips": clip.trips, "legs": len(clip.legs), "skipped_legs": clip.skipped_legs},
        "gtfs_stop_sequence_gaps": wb_report["sequence_gaps"],
    }
    if service_hours is not None:
        report["service_hours"] = service_hours
    if extract_report is not None:
        report["extract_lines"] = extract_report
    merged_stop_ids = {key: value for key, value in merged.merged_stop_ids.items() if value in stop_by_id}
    network = BusNetwork(
        stops=stops,
        routes=routes,
        periods=periods,
        speed_model=speed_model,
        merged_stop_ids=merged_stop_ids,
        report=report,
    )
    elapsed = time.perf_counter() - started
    progress(f"bus network: {len(network.stops)} stops, {len(network.routes)} routes in {elapsed:.1f} s")
    return network


def _calibrate_detour(
    nodes: dict[int, OsmNode], route_distances: dict[tuple[int, int], float]
) -> tuple[float, dict[str, JsonValue]]:
    """Detour factor from the OSM route distances between stop nodes with known positions."""
    pairs = [(a, b, d) for (a, b), d in sorted(route_distances.items()) if a in nodes and b in nodes]
    straight = haversine_m(
        [nodes[a].lat for a, _, _ in pairs],
        [nodes[a].lon for a, _, _ in pairs],
        [nodes[b].lat for _, b, _ in pairs],
        [nodes[b].lon for _, b, _ in pairs],
    )
    return calibrate_detour_factor(straight, np.array([d for _, _, d in pairs], dtype=np.float64))


def _time_to_first_clip_stop(
    clip: ClipFeed, wb_routes: tuple[WbRoute, ...], speed_model: SpeedModel
) -> dict[str, float]:
    """Modelled run time from each clip route's stop S1 to the stop where its reference-period trips enter the clip."""
    times: dict[str, float] = {}
    wb_by_id = {route.route_id: route for route in wb_routes}
    for service in clip.services:
        route = wb_by_id.get(service.route_id)
        if route is None or service.period != REFERENCE_PERIOD:
            continue
        before = [stop for stop in route.stops if stop.seq <= service.first_seq]
        straight = haversine_m(
            [stop.lat for stop in before[:-1]],
            [stop.lon for stop in before[:-1]],
            [stop.lat for stop in before[1:]],
            [stop.lon for stop in before[1:]],
        )
        run_times = speed_model.run_times_s(
            straight * speed_model.detour_factor, REFERENCE_PERIOD, route_id=_network_route_id(route.route_id)
        )
        times[route.route_id] = float(run_times.sum())
    return times


def _default_headways(wb_routes: tuple[WbRoute, ...], spans_s: dict[str, int]) -> dict[str, float | None]:
    """Per period, the median headway of the World Bank routes that run in it."""
    defaults: dict[str, float | None] = {}
    for period, span in spans_s.items():
        values = [h for route in wb_routes if (h := headway_s(route.trips[period], span)) is not None]
        defaults[period] = round(float(statistics.median(values)), 1) if values else None
    return defaults


def _network_route_id(wb_route_id: str) -> str:
    """``"01_1"`` -> ``"01:1"``: the network id of a World Bank-backed route."""
    line, _, direction = wb_route_id.rpartition("_")
    return f"{line}:{direction}"


def _finish_routes(
    drafts: tuple[DraftRoute, ...],
    *,
    stops: dict[str, BusStop],
    osm_node_of_stop: dict[str, int],
    route_distances: dict[tuple[int, int], float],
    speed_model: SpeedModel,
    detour_factor: float,
    leg_distance_m: LegDistanceFn | None,
) -> tuple[tuple[BusRoute, ...], dict[str, JsonValue]]:
    """Give every leg of every route a distance (with its source) and a run time.

    Raises
    ------
    RoutingError
        If ``leg_distance_m`` returns an array of the wrong shape.
    """
    legs = [(a, b) for draft in drafts for a, b in zip(draft.stop_ids, draft.stop_ids[1:], strict=False)]
    coordinates = np.array(
        [[stops[a].lat, stops[a].lon, stops[b].lat, stops[b].lon] for a, b in legs], dtype=np.float64
    ).reshape(-1, 4)
    straight = haversine_m(coordinates[:, 0], coordinates[:, 1], coordinates[:, 2], coordinates[:, 3])
    road = np.full(len(legs), np.nan)
    if leg_distance_m is not None and legs:
        road = np.asarray(leg_distance_m(coordinates.copy()), dtype=np.float64)
        if road.shape != (len(legs),):
            raise RoutingError(
                f"leg_distance_m returned shape {road.shape} for {len(legs)} legs, expected ({len(legs)},)"
            )
    distance = np.empty(len(legs))
    estimated = np.zeros(len(legs), dtype=bool)
    source = np.empty(len(legs), dtype=object)
    low, high = ROUTE_DISTANCE_RATIO
    rail = np.array(
        [draft.mode in RAIL_MODES for draft in drafts for _ in range(len(draft.stop_ids) - 1)], dtype=bool
    ).reshape(-1)
    for index, (a, b) in enumerate(legs):
        if rail[index]:
            distance[index], source[index] = float(straight[index]), "great_circle_rail"
            continue
        if np.isfinite(road[index]) and road[index] >= 0:
            distance[index], source[index] = max(float(road[index]), float(straight[index])), "drive_graph"
            continue
        along = None
        if a in osm_node_of_stop and b in osm_node_of_stop:
            node_a, node_b = osm_node_of_stop[a], osm_node_of_stop[b]
            along = route_distances.get((node_a, node_b))
            if along is not None and (node_b, node_a) in route_distances:
                along = min(along, route_distances[(node_b, node_a)])
        if along is not None and low * straight[index] <= along <= high * straight[index]:
            distance[index], source[index] = max(along, float(straight[index])), "osm_route_distance"
            continue
        distance[index], source[index], estimated[index] = (
            float(straight[index]) * detour_factor,
            "great_circle_detour",
            True,
        )

    routes = []
    position = 0
    for draft in drafts:
        count = len(draft.stop_ids) - 1
        leg_distance = np.round(distance[position : position + count], 1)
        if draft.mode in RAIL_MODES:
            run_time = np.round(rail_run_times_s(leg_distance), 1)
        else:
            run_time = np.round(speed_model.run_times_s(leg_distance, REFERENCE_PERIOD, route_id=draft.route_id), 1)
        names = (stops[draft.stop_ids[0]].name, stops[draft.stop_ids[-1]].name)
        routes.append(
            BusRoute(
                route_id=draft.route_id,
                ref=draft.ref,
                direction=draft.direction,
                name=f"{names[0]} → {names[1]}",
                source=draft.source,
                stop_ids=draft.stop_ids,
                leg_distance_m=tuple(float(v) for v in leg_distance),
                leg_run_time_s=tuple(float(v) for v in run_time),
                leg_distance_estimated=tuple(bool(v) for v in estimated[position : position + count]),
                headway_s={k: None if v is None else round(v, 1) for k, v in draft.headway_s.items()},
                headway_source=draft.headway_source,
                stop_sequence_source=draft.stop_sequence_source,
                gtfs_route_id=draft.gtfs_route_id,
                osm_relation_id=draft.osm_relation_id,
                hours_source=HOURS_FROM_COUNTS,
                mode=draft.mode,
            )
        )
        position += count
    counts = Counter(str(value) for value in source)
    return tuple(routes), {
        name: counts.get(name, 0)
        for name in ("drive_graph", "osm_route_distance", "great_circle_detour", "great_circle_rail")
    }


def _field_sources(route: BusRoute) -> dict[str, str]:
    """The dataset each of a route's fields came from (``BusRoute.field_sources``)."""
    stops = {"gtfs": DATASET_GTFS_2018, "osm_by_gtfs": DATASET_OSM_2022, "osm_repaired": DATASET_OSM_2022}.get(
        route.stop_sequence_source, DATASET_EXTRACT
    )
    hours = DATASET_EXTRACT if route.hours_source.startswith("osm:relation/") else DATASET_GTFS_2018
    headway = DATASET_EXTRACT if "osm_interval" in route.headway_source else DATASET_GTFS_2018
    if route.headway_source == "default":
        headway = f"{DATASET_GTFS_2018} (median headway of the period)"
    run_times = RAIL_MODEL if route.mode in RAIL_MODES else "speed model (gtfs-central-clip)"
    return {"stops": stops, "hours": hours, "headway": headway, "run_times": run_times}


def _same_name(a: str, b: str) -> bool:
    key_a, key_b = " ".join(a.casefold().split()), " ".join(b.casefold().split())
    return bool(key_a) and bool(key_b) and (key_a in key_b or key_b in key_a)


def _terminal_names(lines: tuple[ExtractLine, ...]) -> dict[str, list[str]]:
    """Line ref (normalised) -> the terminal names its extract relations give (``from`` / ``to``)."""
    names: dict[str, list[str]] = {}
    for line in lines:
        for name in (line.from_name, line.to_name):
            known = names.setdefault(normalise_line_ref(line.ref), [])
            if name and not any(_same_name(name, other) for other in known):
                known.append(name)
    return names


def _name_unnamed_stops(
    stops: tuple[BusStop, ...],
    drafts: tuple[DraftRoute, ...],
    lines: tuple[ExtractLine, ...],
    stop_namer: StopNamerFn | None,
) -> tuple[tuple[BusStop, ...], dict[str, JsonValue]]:
    """Give every stop without a name a readable one, ``name_source="derived"``; never its id.

    In order: a route's terminal stop takes the line's terminal name (the ``from`` / ``to`` of its extract
    relations) that is not the name of the route's other end, when exactly one is left; else ``stop_namer`` (a
    nearby named place or street); else ``"Gần <nearest named stop>"`` within :data:`NEAR_M`, or
    ``"Cách <nearest named stop> <d> km"`` (so far from it) beyond.
    """
    unnamed = {stop.stop_id for stop in stops if not stop.name.strip()}
    counts: Counter[str] = Counter(dict.fromkeys(("terminal_name", "place_or_street", "nearest_named_stop"), 0))
    if not unnamed:
        return stops, {"derived_now": _json_counts(counts)}
    by_id = {stop.stop_id: stop for stop in stops}
    chosen: dict[str, str] = {}
    terminals = _terminal_names(lines)
    for draft in drafts:
        names = terminals.get(normalise_line_ref(draft.ref), [])
        for end, other in ((draft.stop_ids[0], draft.stop_ids[-1]), (draft.stop_ids[-1], draft.stop_ids[0])):
            if end not in unnamed or end in chosen:
                continue
            left = [name for name in names if not _same_name(name, by_id[other].name)]
            if len(left) == 1:
                chosen[end] = left[0]
                counts["terminal_name"] += 1
    rest = sorted(unnamed - set(chosen))
    if rest and stop_namer is not None:
        found = stop_namer(
            np.array([by_id[s].lat for s in rest], dtype=np.float64),
            np.array([by_id[s].lon for s in rest], dtype=np.float64),
        )
        for stop_id, name in zip(rest, found, strict=True):
            if name:
                chosen[stop_id] = name
                counts["place_or_street"] += 1
    rest = sorted(unnamed - set(chosen))
    named = [stop for stop in stops if stop.stop_id not in unnamed]
    if rest and named:
        distance = haversine_m(
            np.array([by_id[s].lat for s in rest])[:, None],
            np.array([by_id[s].lon for s in rest])[:, None],
            np.array([stop.lat for stop in named])[None, :],
            np.array([stop.lon for stop in named])[None, :],
        )
        for row, (stop_id, index) in enumerate(zip(rest, np.argmin(distance, axis=1), strict=True)):
            far_m = float(distance[row, index])
            label = named[int(index)].name
            chosen[stop_id] = f"{NEAR_PREFIX}{label}" if far_m <= NEAR_M else f"Cách {label} {far_m / 1000:.1f} km"
            counts["nearest_named_stop"] += 1
    renamed = tuple(
        replace(stop, name=chosen.get(stop.stop_id, stop.name), name_source="derived")
        if stop.stop_id in unnamed
        else stop
        for stop in stops
    )
    return renamed, {"derived_now": _json_counts(counts)}


def _json_counts(counts: Counter[str]) -> dict[str, JsonValue]:
    return {key: int(value) for key, value in counts.items()}
