"""Today's bus network with a new line added: stops, routes, the day's timetable, transfers, access records.

The new line's stops are appended after the network's own (so every existing index stays valid, including the
bundle places' ``access_stops``) and its directions become routes appended after the network's. The timetable
is the network's, extended with the line's trips at its exact departures (its own service hours, not the
network's periods); foot transfers are rebuilt over all stops so riders can change to and from the new stops.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from routing.errors import BundleError, RoutingError
from routing.graph.frozen import FrozenGraph
from routing.operators.line import LineSchedule, LineStop
from routing.streets import DEFAULT_MAX_SNAP_M
from routing.streets.snap import MainComponentSnapper
from routing.transit.model import BusNetwork, BusRoute, BusStop
from routing.transit.timetable import Timetable
from routing.transit.transfers import Transfers, build_transfers

NEW_SOURCE = "design"
"""``source`` of the stops and routes a designed line adds."""


@dataclass(frozen=True)
class ExtendedNetwork:
    """The network, timetable, transfers and stop access records with one line added."""

    bus: BusNetwork
    timetable: Timetable
    transfers: Transfers
    stop_access: dict[str, dict[str, Any]]
    route_ids: tuple[str, ...]


def route_id(schedule: LineSchedule, direction: int) -> str:
    """The network route id of one direction of a line."""
    return f"{schedule.line_id}:{direction}"


def add_line(
    bus: BusNetwork,
    timetable: Timetable,
    walk: FrozenGraph,
    stop_access: Mapping[str, Mapping[str, Any]],
    schedule: LineSchedule,
    *,
    max_snap_m: float = DEFAULT_MAX_SNAP_M,
    snapper: MainComponentSnapper | None = None,
) -> ExtendedNetwork:
    """Add a line to the network (see the module docstring).

    Parameters
    ----------
    bus, timetable, walk, stop_access
        Today's network, its timetable, the walk graph and the stops' access records (``CityBundle`` fields).
    schedule
        The line; stops whose id the network already has are reused, the others are added.
    max_snap_m
        Snap limit of the new stops on the walk graph.
    snapper
        A main-component snapper of ``walk`` already built (saves a second).

    Returns
    -------
    ExtendedNetwork

    Raises
    ------
    RoutingError
        If a line route id clashes with an existing route.
    BundleError
        If the timetable was not built for ``bus``.
    """
    canvas = add_stops(bus, timetable, walk, stop_access, schedule.stops, max_snap_m=max_snap_m, snapper=snapper)
    return with_line(canvas, schedule)


def add_stops(
    bus: BusNetwork,
    timetable: Timetable,
    walk: FrozenGraph,
    stop_access: Mapping[str, Mapping[str, Any]],
    line_stops: Sequence[LineStop],
    *,
    max_snap_m: float = DEFAULT_MAX_SNAP_M,
    snapper: MainComponentSnapper | None = None,
) -> ExtendedNetwork:
    """Today's network with the stops of one or many candidate lines added, and no new route yet.

    Stops without routes change no journey, so the "before" times on this network are today's; every
    candidate line is then added by :func:`with_line` without rebuilding the foot transfers.

    Raises
    ------
    BundleError
        If the timetable was not built for ``bus``.
    """
    if timetable.stop_ids != tuple(s.stop_id for s in bus.stops):
        raise BundleError("the timetable was built for another bus network")
    known = {stop.stop_id for stop in bus.stops}
    new_stops = list({stop.stop_id: stop for stop in line_stops if stop.stop_id not in known}.values())
    stops = (
        *bus.stops,
        *(BusStop(stop.stop_id, stop.name, stop.lat, stop.lon, NEW_SOURCE) for stop in new_stops),
    )
    network = BusNetwork(
        stops=stops,
        routes=bus.routes,
        periods=bus.periods,
        speed_model=bus.speed_model,
        merged_stop_ids=dict(bus.merged_stop_ids),
        report=bus.report,
    )
    access = {key: dict(value) for key, value in stop_access.items()}
    if new_stops:
        snapper = snapper or MainComponentSnapper(walk)
        snap = snapper.snap(
            np.array([s.lat for s in new_stops]), np.array([s.lon for s in new_stops]), max_distance_m=max_snap_m
        )
        for index, stop in enumerate(new_stops):
            on = bool(snap.on_network[index])
            access[stop.stop_id] = {
                "off_network": not on,
                "edge": int(snap.edge[index]) if on else None,
                "fraction": round(float(snap.fraction[index]), 6) if on else None,
                "node": int(snap.node[index]) if on else None,
                "snap_distance_m": round(float(snap.distance_m[index]), 2) if on else None,
            }
    stop_ids = tuple(s.stop_id for s in stops)
    extended = dataclasses.replace(timetable, stop_ids=stop_ids)
    transfers = build_transfers(network, walk, access, max_snap_m=max_snap_m)
    return ExtendedNetwork(bus=network, timetable=extended, transfers=transfers, stop_access=access, route_ids=())


def with_line(canvas: ExtendedNetwork, schedule: LineSchedule) -> ExtendedNetwork:
    """The network of :func:`add_stops` with the line's directions added as routes (transfers reused).

    Raises
    ------
    RoutingError
        If a stop of the line is not in the network, or a line route id clashes with an existing route.
    """
    bus = canvas.bus
    existing_routes = {route.route_id for route in bus.routes}
    routes: list[BusRoute] = []
    for direction in schedule.directions:
        identifier = route_id(schedule, direction.direction)
        if identifier in existing_routes:
            raise RoutingError(f"route id {identifier} already exists in the network; rename the line")
        routes.append(
            BusRoute(
                route_id=identifier,
                ref=schedule.line_id,
                direction=direction.direction,
                name=schedule.name,
                source=NEW_SOURCE,
                stop_ids=direction.stop_ids,
                leg_distance_m=direction.leg_distance_m,
                leg_run_time_s=direction.leg_run_time_s,
                leg_distance_estimated=tuple(False for _ in direction.leg_distance_m),
                headway_s={
                    p.name: float(schedule.headway_s)
                    if p.start_s < schedule.end_s and schedule.start_s < p.end_s
                    else None
                    for p in bus.periods
                },
                headway_source=NEW_SOURCE,
                stop_sequence_source=NEW_SOURCE,
            )
        )
    network = BusNetwork(
        stops=bus.stops,
        routes=(*bus.routes, *routes),
        periods=bus.periods,
        speed_model=bus.speed_model,
        merged_stop_ids=dict(bus.merged_stop_ids),
        report=bus.report,
    )
    timetable = extend_timetable(canvas.timetable, canvas.timetable.stop_ids, schedule)
    return ExtendedNetwork(
        bus=network,
        timetable=timetable,
        transfers=canvas.transfers,
        stop_access=canvas.stop_access,
        route_ids=tuple(r.route_id for r in routes),
    )


def extend_timetable(timetable: Timetable, stop_ids: tuple[str, ...], schedule: LineSchedule) -> Timetable:
    """The timetable with the line's trips appended (``stop_ids``: the old stops then the new ones, in order).

    Raises
    ------
    RoutingError
        If ``stop_ids`` does not start with the timetable's stops or lacks a stop of the line.
    """
    if stop_ids[: timetable.stop_count] != timetable.stop_ids:
        raise RoutingError("the extended stop list must start with the timetable's stops")
    index = {stop_id: i for i, stop_id in enumerate(stop_ids)}
    pos_start = list(timetable.route_pos_start.tolist())
    trip_start = list(timetable.route_trip_start.tolist())
    pos_stop = [timetable.pos_stop]
    arrive = [timetable.pos_arrive_offset_s]
    depart = [timetable.pos_depart_offset_s]
    trips = [timetable.trip_depart_s]
    periods = [timetable.trip_period]
    departures = np.asarray(schedule.departures_s(), dtype=np.int64)
    period = np.searchsorted(timetable.period_start_s, departures, side="right") - 1
    period = np.clip(period, 0, max(len(timetable.period_names) - 1, 0))
    for direction in schedule.directions:
        try:
            stops = np.asarray([index[stop_id] for stop_id in direction.stop_ids], dtype=np.int64)
        except KeyError as exc:
            raise RoutingError(f"line stop {exc.args[0]} is not in the extended stop list") from None
        offsets = np.asarray(direction.offsets_s(), dtype=np.int64)
        pos_stop.append(stops)
        arrive.append(offsets)
        depart.append(offsets.copy())
        pos_start.append(pos_start[-1] + stops.size)
        trips.append(departures)
        periods.append(period.astype(np.int64))
        trip_start.append(trip_start[-1] + departures.size)
    extended = Timetable(
        stop_ids=stop_ids,
        route_ids=(
            *timetable.route_ids,
            *(f"{schedule.line_id}:{d.direction}" for d in schedule.directions),
        ),
        route_pos_start=np.asarray(pos_start, dtype=np.int64),
        pos_stop=np.concatenate(pos_stop).astype(np.int64),
        pos_arrive_offset_s=np.concatenate(arrive).astype(np.int64),
        pos_depart_offset_s=np.concatenate(depart).astype(np.int64),
        route_trip_start=np.asarray(trip_start, dtype=np.int64),
        trip_depart_s=np.concatenate(trips).astype(np.int64),
        trip_period=np.concatenate(periods).astype(np.int64),
        period_names=timetable.period_names,
        period_start_s=timetable.period_start_s,
        period_end_s=timetable.period_end_s,
    )
    try:
        extended.check()
    except BundleError as exc:
        raise RoutingError(f"cannot add the line to the timetable: {exc}") from exc
    return extended
