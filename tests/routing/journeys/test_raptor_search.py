"""RAPTOR against a brute-force time-expanded Dijkstra on random small timetables (hypothesis).

The brute force explores every trip (not only the earliest catchable one) over states (stop, time, rides) with the
same journey rules as the search: access walk, rides, at most one transfer walk after a ride, egress from a stop
reached by a ride. Its earliest arrival with exactly k rides, filtered to the strictly improving ones, must be
RAPTOR's Pareto set, and every journey RAPTOR reconstructs must be feasible in the timetable.
"""

from __future__ import annotations

import heapq
import itertools
from dataclasses import dataclass

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from routing.journeys.search import Label, RideStep, SearchIndex, SearchResult, Step, WalkStep, raptor
from routing.transit.model import BusNetwork, BusRoute, BusStop, ServicePeriod, SpeedModel
from routing.transit.timetable import Timetable
from routing.transit.transfers import Transfers

PERIODS = (ServicePeriod("am", 6 * 3600, 8 * 3600), ServicePeriod("md", 8 * 3600, 10 * 3600))
SPEED = SpeedModel(form="test", dwell_s={}, speed_mps={}, route_factor={}, detour_factor=1.3)


@dataclass(frozen=True)
class Case:
    network: BusNetwork
    transfers: Transfers
    depart_s: int
    access: dict[int, int]
    egress: dict[int, int]
    max_rides: int
    change_s: int


def search(index: SearchIndex, case: Case, max_rides: int) -> SearchResult:
    """RAPTOR on a case's access and egress walks."""
    return raptor(
        index,
        case.depart_s,
        access_stops=np.asarray(list(case.access), dtype=np.int64),
        access_walk_s=np.asarray(list(case.access.values()), dtype=np.int64),
        egress_stops=np.asarray(list(case.egress), dtype=np.int64),
        egress_walk_s=np.asarray(list(case.egress.values()), dtype=np.int64),
        max_rides=max_rides,
        change_s=case.change_s,
    )


@st.composite
def cases(draw: st.DrawFn) -> Case:
    stop_count = draw(st.integers(3, 6))
    stops = tuple(BusStop(f"s{i}", f"Stop {i}", 21.0 + i * 0.001, 105.8, "osm") for i in range(stop_count))
    # Half of the cases chain routes 0 -> 1 -> 2 ... along the stops so multi-ride journeys are common.
    chained = draw(st.booleans())
    routes = []
    route_count = stop_count - 1 + draw(st.integers(0, 2)) if chained else draw(st.integers(2, 6))
    for r in range(route_count):
        sequence = draw(st.lists(st.integers(0, stop_count - 1), min_size=2, max_size=4, unique=True))
        shortest_s, longest_s = 0, 900
        if chained and r < stop_count - 1:
            sequence = [r, r + 1]
        elif chained:  # a slow shortcut to the chain's end: fewer rides, maybe a later arrival
            sequence = [min(sequence[0], stop_count - 2), stop_count - 1]
            shortest_s, longest_s = 1200, 5400
        run = draw(st.lists(st.integers(shortest_s, longest_s), min_size=len(sequence) - 1, max_size=len(sequence) - 1))
        headways = {
            period.name: None if draw(st.integers(0, 5)) == 0 else float(draw(st.integers(300, 1800)))
            for period in PERIODS
        }
        routes.append(
            BusRoute(
                route_id=f"R{r}",
                ref=f"R{r}",
                direction=1,
                name=f"Route {r}",
                source="osm",
                stop_ids=tuple(f"s{i}" for i in sequence),
                leg_distance_m=tuple(100.0 for _ in run),
                leg_run_time_s=tuple(float(t) for t in run),
                leg_distance_estimated=tuple(False for _ in run),
                headway_s=headways,
                headway_source="test",
            )
        )
    network = BusNetwork(stops=stops, routes=tuple(routes), periods=PERIODS, speed_model=SPEED)
    pairs = draw(
        st.dictionaries(
            st.tuples(st.integers(0, stop_count - 1), st.integers(0, stop_count - 1)).filter(lambda p: p[0] != p[1]),
            st.integers(0, 900),
            max_size=8,
        )
    )
    ordered = sorted(pairs.items(), key=lambda item: (item[0][1], item[0][0]))
    transfers = Transfers(
        stop_ids=tuple(stop.stop_id for stop in stops),
        from_stop=np.asarray([p[0] for p, _ in ordered], dtype=np.int64),
        to_stop=np.asarray([p[1] for p, _ in ordered], dtype=np.int64),
        length_m=np.asarray([w * 1.25 for _, w in ordered], dtype=np.float64),
        walk_s=np.asarray([w for _, w in ordered], dtype=np.int64),
        estimated=np.zeros(len(ordered), dtype=bool),
        max_transfer_m=2000.0,
        speed_mps=1.25,
    )
    access = draw(st.dictionaries(st.integers(0, stop_count - 1), st.integers(0, 900), min_size=1, max_size=2))
    if chained:
        access = {0: draw(st.integers(0, 900))}
    egress = draw(
        st.dictionaries(
            st.integers(0, stop_count - 1).filter(lambda stop: stop not in access),
            st.integers(0, 900),
            min_size=1,
            max_size=2,
        )
    )
    if chained:
        egress = {stop_count - 1: draw(st.integers(0, 900))}
    depart_s = draw(st.integers(5 * 3600 + 2700, 7 * 3600 + 1800))
    max_rides = draw(st.sampled_from((1, 2, 3, 4, 4, 4)))
    return Case(network, transfers, depart_s, access, egress, max_rides, draw(st.sampled_from((0, 0, 60, 300))))


READY, BOARD, ON, ALIGHT, TARGET = range(5)
"""Brute-force states: (kind, stop or trip, position, rides)."""


def brute_force(timetable: Timetable, transfers: Transfers, case: Case) -> dict[int, int]:
    """Earliest arrival at the target with exactly k rides, for every k that reaches it."""
    positions: dict[int, list[int]] = {}
    pos_route = timetable.pos_route()
    for position, stop in enumerate(timetable.pos_stop.tolist()):
        positions.setdefault(stop, []).append(position)
    out: dict[int, list[tuple[int, int]]] = {}
    for index in range(transfers.count):
        out.setdefault(int(transfers.from_stop[index]), []).append(
            (int(transfers.to_stop[index]), int(transfers.walk_s[index]))
        )
    heap = [(case.depart_s + walk, (READY, stop, -1, 0)) for stop, walk in case.access.items()]
    heapq.heapify(heap)
    settled: set[tuple[int, int, int, int]] = set()
    result: dict[int, int] = {}
    while heap:
        time, state = heapq.heappop(heap)
        if state in settled:
            continue
        settled.add(state)
        kind, first, position, rides = state
        if kind == TARGET:
            result[rides] = time
        elif kind == READY and rides < case.max_rides:
            for at in positions.get(first, []):
                route = int(pos_route[at])
                if at + 1 >= timetable.route_pos_start[route + 1]:
                    continue
                for trip in range(int(timetable.route_trip_start[route]), int(timetable.route_trip_start[route + 1])):
                    depart = timetable.depart_s(trip, at)
                    if depart >= time:
                        heapq.heappush(heap, (depart, (BOARD, trip, at, rides + 1)))
        elif kind in (BOARD, ON):
            # On board at ``position``: alight there (not where one boarded), or ride on to the next stop.
            if kind == ON:
                heapq.heappush(heap, (time, (ALIGHT, int(timetable.pos_stop[position]), -1, rides)))
            if position + 1 < timetable.route_pos_start[int(pos_route[position]) + 1]:
                arrive = timetable.arrive_s(first, position + 1)
                heapq.heappush(heap, (arrive, (ON, first, position + 1, rides)))
        elif kind == ALIGHT:
            heapq.heappush(heap, (time + case.change_s, (READY, first, -1, rides)))
            for target, walk in out.get(first, []):
                heapq.heappush(heap, (time + max(walk, case.change_s), (READY, target, -1, rides)))
            if first in case.egress:
                heapq.heappush(heap, (time + case.egress[first], (TARGET, -1, -1, rides)))
    return result


def pareto(arrivals: dict[int, int]) -> list[tuple[int, int]]:
    front: list[tuple[int, int]] = []
    for rides in sorted(arrivals):
        if not front or arrivals[rides] < front[-1][1]:
            front.append((rides, arrivals[rides]))
    return front


def check_journey(
    timetable: Timetable, transfers: Transfers, case: Case, label: Label, steps: tuple[Step, ...]
) -> None:
    """The steps form a feasible journey that ends at the label's arrival with the label's number of rides."""
    assert isinstance(steps[0], WalkStep)
    assert steps[0].kind == "access"
    assert steps[0].walk_s == case.access[steps[0].to_stop]
    time, stop = case.depart_s + steps[0].walk_s, steps[0].to_stop
    rides = 0
    alighted = time
    after_ride = False
    for step in steps[1:]:
        if isinstance(step, RideStep):
            rides += 1
            assert timetable.pos_stop[step.board_pos] == stop
            assert step.board_pos < step.alight_pos
            route = int(timetable.pos_route()[step.board_pos])
            assert timetable.route_trip_start[route] <= step.trip < timetable.route_trip_start[route + 1]
            assert step.alight_pos < timetable.route_pos_start[route + 1]
            ready = time if rides == 1 else alighted + max(case.change_s, time - alighted)
            assert timetable.depart_s(step.trip, step.board_pos) == step.depart_s >= ready
            time = alighted = timetable.arrive_s(step.trip, step.alight_pos)
            assert step.arrive_s == time
            stop = int(timetable.pos_stop[step.alight_pos])
            after_ride = True
        else:
            assert isinstance(step, WalkStep)
            assert after_ride, "a walk must follow a ride"
            assert step.from_stop == stop
            if step.kind == "transfer":
                assert transfers.from_stop[step.transfer] == stop
                assert transfers.walk_s[step.transfer] == step.walk_s
                assert (step.depart_s, step.arrive_s) == (alighted, alighted + step.walk_s)
                stop = int(transfers.to_stop[step.transfer])
                time += step.walk_s
                after_ride = False
            else:
                assert step.kind == "egress"
                assert step.walk_s == case.egress[stop]
                time += step.walk_s
                assert step is steps[-1]
    assert rides == label.rides
    assert time == label.arrive_s


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_raptor_matches_brute_force(case: Case) -> None:
    timetable = Timetable.from_network(case.network)
    index = SearchIndex.build(timetable, case.transfers)
    result = search(index, case, case.max_rides)
    expected = pareto(brute_force(timetable, case.transfers, case))
    assert [(label.rides, label.arrive_s) for label in result.labels] == expected
    for label in result.labels:
        check_journey(timetable, case.transfers, case, label, result.steps(label))


@settings(max_examples=200, deadline=None)
@given(cases())
def test_fewer_rides_allowed_gives_a_prefix_of_the_front(case: Case) -> None:
    timetable = Timetable.from_network(case.network)
    index = SearchIndex.build(timetable, case.transfers)
    fronts = []
    for max_rides in (1, 2, 3, 4):
        result = search(index, case, max_rides)
        fronts.append([(label.rides, label.arrive_s) for label in result.labels])
    for max_rides, (smaller, larger) in enumerate(itertools.pairwise(fronts), start=1):
        assert [label for label in larger if label[0] <= max_rides] == smaller
