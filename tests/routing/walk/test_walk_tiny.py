"""The walking router on the tiny hand-made graph: steps, instructions, GeoJSON, errors, index files."""

from __future__ import annotations

import math
import threading
from pathlib import Path

import networkx as nx
import numpy as np
import pytest

from routing.build.contract import build_walk_index
from routing.errors import BundleError, NoRouteError, OutsideAreaError, RoutingError, TooFarFromStreetError
from routing.geo import haversine_m
from routing.graph.frozen import FrozenGraph
from routing.walk import WalkIndex, WalkJourney, WalkRouter
from routing.walk.journey import format_length
from tests.routing.tiny import NODES, tiny_walk_graph

BBOX = (21.02, 105.84, 21.06, 105.91)
M_PER_DEG_LAT = 111_195.0


def _graph_with_steps() -> nx.MultiDiGraph:
    """The tiny graph, with the unnamed 1-4 link made a flight of steps and a footpath island beside it."""
    graph = tiny_walk_graph()
    for u, v, data in graph.edges(data=True):
        if {u, v} == {1, 4}:
            data["highway"] = "steps"
    # An island: a footway 30 m north of Mã Mây (nodes 4-5), joined to nothing.
    graph.add_node(9, y=21.0309 + 30 / M_PER_DEG_LAT, x=105.8502)
    graph.add_node(10, y=21.0309 + 30 / M_PER_DEG_LAT, x=105.8508)
    length = float(haversine_m(graph.nodes[9]["y"], 105.8502, graph.nodes[10]["y"], 105.8508))
    graph.add_edge(9, 10, length=length, highway="footway")
    graph.add_edge(10, 9, length=length, highway="footway")
    return graph


@pytest.fixture(scope="module")
def frozen() -> FrozenGraph:
    return FrozenGraph.from_networkx(_graph_with_steps())


@pytest.fixture(scope="module")
def router(frozen: FrozenGraph) -> WalkRouter:
    return WalkRouter(frozen, build_walk_index(frozen), bbox=BBOX)


def _node(frozen: FrozenGraph, osmid: int) -> int:
    return int(np.flatnonzero(frozen.node_osmid == osmid)[0])


def _street_length(frozen: FrozenGraph, u: int, v: int) -> float:
    tail = frozen.tail()
    edges = np.flatnonzero((tail == _node(frozen, u)) & (frozen.head == _node(frozen, v)))
    return float(frozen.length_m[edges].min())


def test_walk_along_one_street_follows_its_bend(router: WalkRouter, frozen: FrozenGraph) -> None:
    lat1, lon1 = NODES[1]
    lat3, lon3 = NODES[3]
    journey = router.route(lat1, lon1, lat3, lon3)
    expected = _street_length(frozen, 1, 2) + _street_length(frozen, 2, 3)
    assert journey.length_m == pytest.approx(expected)
    assert journey.duration_s == pytest.approx(expected / 1.25)
    assert [step.street for step in journey.steps] == ["Hàng Bạc"]
    assert journey.steps[0].instruction == f"Walk {format_length(expected)} along Hàng Bạc"
    assert (21.0302, 105.8515) in [(round(lat, 6), round(lon, 6)) for lat, lon in journey.coordinates]
    assert journey.coordinates[0] == pytest.approx((lat1, lon1))
    assert journey.coordinates[-1] == pytest.approx((lat3, lon3))


def test_steps_are_announced_and_slowed(router: WalkRouter, frozen: FrozenGraph) -> None:
    journey = router.route(*NODES[4], *NODES[1], steps_penalty=2.0, speed_mps=1.0)
    length = _street_length(frozen, 4, 1)
    assert journey.length_m == pytest.approx(length)
    assert journey.duration_s == pytest.approx(2.0 * length)
    (step,) = journey.steps
    assert step.street is None
    assert step.instruction == f"Take the steps ({format_length(length)})"
    flat = router.route(*NODES[4], *NODES[1], steps_penalty=1.0, speed_mps=1.0)
    assert flat.duration_s == pytest.approx(length)
    assert flat.length_m == journey.length_m


def test_steps_penalty_does_not_change_the_route(router: WalkRouter) -> None:
    # 4 -> 3: via Mã Mây and Hàng Buồm (about 308 m) beats the steps, Hàng Bạc and its bend (about 317 m).
    for penalty in (1.0, 2.0, 10.0):
        journey = router.route(*NODES[4], *NODES[3], steps_penalty=penalty)
        assert [step.street for step in journey.steps] == ["Mã Mây", "Hàng Buồm"]
    journey = router.route(*NODES[5], *NODES[2])
    assert journey.steps[-1].street == "Hàng Bạc"


def test_consecutive_edges_of_one_street_merge(router: WalkRouter, frozen: FrozenGraph) -> None:
    journey = router.route(*NODES[6], *NODES[4])
    assert len(journey.steps) == 1
    assert journey.steps[0].street == "Mã Mây"
    assert journey.steps[0].length_m == pytest.approx(_street_length(frozen, 6, 5) + _street_length(frozen, 5, 4))


def test_unnamed_streets_and_paths_say_so() -> None:
    graph = tiny_walk_graph()
    for u, v, data in graph.edges(data=True):
        if {u, v} == {1, 2}:
            data["highway"] = "footway"
            data.pop("name")
    frozen = FrozenGraph.from_networkx(graph)
    router = WalkRouter(frozen, build_walk_index(frozen))
    steps = router.route(*NODES[4], *NODES[2]).steps
    assert [step.instruction.split(" along ")[1] for step in steps] == ["an unnamed street", "an unnamed path"]


def test_start_and_end_mid_street_use_partial_lengths(router: WalkRouter, frozen: FrozenGraph) -> None:
    # 20 m north of a point 30 % along Hàng Bạc (1 -> 2), to a point 70 % along Mã Mây (4 -> 5).
    lat_a, lon_a = 21.0300 + 20 / M_PER_DEG_LAT, 105.8500 + 0.3 * 0.0010
    lat_b, lon_b = 21.0309, 105.8500 + 0.7 * 0.0010
    journey = router.route(lat_a, lon_a, lat_b, lon_b)
    hang_bac, link, ma_may = (_street_length(frozen, 1, 2), _street_length(frozen, 1, 4), _street_length(frozen, 4, 5))
    assert journey.length_m == pytest.approx(0.3 * hang_bac + link + 0.7 * ma_may, rel=1e-3)
    assert journey.snap_from_m == pytest.approx(20, abs=0.5)
    assert journey.snap_to_m == pytest.approx(0, abs=0.01)
    assert [step.street for step in journey.steps] == ["Hàng Bạc", None, "Mã Mây"]
    assert journey.steps[1].instruction.startswith("Take the steps")
    assert journey.coordinates[0] == pytest.approx((21.0300, lon_a), abs=1e-6)


def test_same_point_and_same_street(router: WalkRouter, frozen: FrozenGraph) -> None:
    here = (21.0300, 105.8503)
    journey = router.route(*here, *here)
    assert journey.length_m == 0
    assert journey.steps == ()
    assert len(journey.coordinates) == 2
    assert journey.to_geojson()["geometry"]["type"] == "LineString"
    hang_bac = _street_length(frozen, 1, 2)
    forward = router.route(21.0300, 105.8502, 21.0300, 105.8507)
    backward = router.route(21.0300, 105.8507, 21.0300, 105.8502)
    for journey in (forward, backward):
        assert journey.length_m == pytest.approx(0.5 * hang_bac, rel=1e-3)
        assert [step.street for step in journey.steps] == ["Hàng Bạc"]
        assert len(journey.coordinates) == 2
    assert np.allclose(forward.coordinates, backward.coordinates[::-1])


def test_geojson_and_dict(router: WalkRouter) -> None:
    journey = router.route(*NODES[1], *NODES[3])
    feature = journey.to_geojson()
    assert feature["type"] == "Feature"
    coordinates = feature["geometry"]["coordinates"]
    assert coordinates[0] == pytest.approx([NODES[1][1], NODES[1][0]])  # [lon, lat]
    assert len(coordinates) == len(journey.coordinates) >= 3
    properties = feature["properties"]
    assert properties["mode"] == "walk"
    assert properties["length_m"] == pytest.approx(journey.length_m, abs=0.05)
    assert properties["steps"][0]["street"] == "Hàng Bạc"
    plain = journey.to_dict()
    assert plain["coordinates"][0] == pytest.approx([NODES[1][0], NODES[1][1]])  # [lat, lon]
    assert plain["steps"] == properties["steps"]
    assert isinstance(journey, WalkJourney)


def test_island_point_walks_from_the_main_network(router: WalkRouter) -> None:
    # Nearest to the island footway (5 m away) but 25 m from Mã Mây: routed from Mã Mây.
    near_island = (21.0309 + 25 / M_PER_DEG_LAT, 105.8505)
    journey = router.route(*near_island, *NODES[1])
    assert journey.snap_from_m == pytest.approx(25, abs=0.5)
    assert journey.steps[0].street == "Mã Mây"
    # Both points on the island: walked there.
    on_island = router.route(21.0309 + 30 / M_PER_DEG_LAT, 105.8503, 21.0309 + 30 / M_PER_DEG_LAT, 105.8507)
    assert on_island.snap_from_m == pytest.approx(0, abs=0.01)
    assert on_island.steps[0].instruction.endswith("an unnamed path")


def test_lengths_from(router: WalkRouter, frozen: FrozenGraph) -> None:
    lengths = router.lengths_from(*NODES[1])
    assert lengths[_node(frozen, 1)] == pytest.approx(0, abs=1e-9)
    assert lengths[_node(frozen, 2)] == pytest.approx(_street_length(frozen, 1, 2))
    assert math.isinf(lengths[_node(frozen, 7)])
    assert math.isinf(lengths[_node(frozen, 9)])
    limited = router.lengths_from(*NODES[1], max_length_m=150.0)
    assert np.isfinite(limited).sum() == 3  # nodes 1, 2 and 4
    with pytest.raises(ValueError, match="max_length_m"):
        router.lengths_from(*NODES[1], max_length_m=-1.0)


def test_route_nodes(router: WalkRouter, frozen: FrozenGraph) -> None:
    one, two, seven = _node(frozen, 1), _node(frozen, 2), _node(frozen, 7)
    assert router.route_nodes(one, two) == pytest.approx(_street_length(frozen, 1, 2))
    assert router.route_nodes(one, one) == 0
    assert math.isinf(router.route_nodes(one, seven))
    with pytest.raises(IndexError):
        router.route_nodes(one, frozen.node_count)


@pytest.mark.parametrize(
    ("lat", "lon"),
    [(21.2, 105.85), (21.03, 106.5), (math.nan, 105.85), (21.03, math.inf), (95.0, 105.85), (21.03, -200.0)],
)
def test_outside_the_area(router: WalkRouter, lat: float, lon: float) -> None:
    with pytest.raises(OutsideAreaError):
        router.route(lat, lon, *NODES[1])
    with pytest.raises(OutsideAreaError):
        router.route(*NODES[1], lat, lon)
    with pytest.raises(OutsideAreaError):
        router.lengths_from(lat, lon)


def test_invalid_coordinates_are_refused_without_a_bbox(frozen: FrozenGraph) -> None:
    router = WalkRouter(frozen, build_walk_index(frozen))
    with pytest.raises(OutsideAreaError, match="not a valid"):
        router.route(91.0, 105.85, *NODES[1])


def test_too_far_from_any_street_says_how_far(router: WalkRouter) -> None:
    # 0.004 deg of latitude (about 445 m) south of Hàng Bạc.
    with pytest.raises(
        TooFarFromStreetError, match=r"is 44\d m from the nearest street; the maximum snap distance is 250 m"
    ):
        router.route(21.0300 - 0.004, 105.8505, *NODES[1])
    journey = router.route(21.0300 - 0.004, 105.8505, *NODES[1], max_snap_m=500)
    assert journey.snap_from_m == pytest.approx(445, abs=2)


def test_no_route_between_components(router: WalkRouter) -> None:
    with pytest.raises(NoRouteError, match="not connected"):
        router.route(*NODES[1], *NODES[7])
    assert issubclass(NoRouteError, RoutingError)


def test_one_way_street_is_walked_its_way_only() -> None:
    graph = nx.MultiDiGraph()
    for node, (lat, lon) in ((1, (21.03, 105.85)), (2, (21.03, 105.851)), (3, (21.031, 105.8505))):
        graph.add_node(node, y=lat, x=lon)
    graph.add_edge(1, 2, length=100.0, name="One Way")
    for u, v in ((2, 3), (3, 1)):
        graph.add_edge(u, v, length=80.0, name="Loop")
    frozen = FrozenGraph.from_networkx(graph)
    router = WalkRouter(frozen, build_walk_index(frozen))
    # From 20 % to 80 % along 1 -> 2: straight on; back the other way: round the loop.
    assert router.route(21.03, 105.8502, 21.03, 105.8508).length_m == pytest.approx(60.0)
    assert router.route(21.03, 105.8508, 21.03, 105.8502).length_m == pytest.approx(20.0 + 160.0 + 20.0)


@pytest.mark.parametrize(("option", "value"), [("max_snap_m", 0.0), ("speed_mps", -1.0), ("steps_penalty", math.nan)])
def test_bad_options(router: WalkRouter, option: str, value: float) -> None:
    with pytest.raises(ValueError, match=option):
        router.route(*NODES[1], *NODES[2], **{option: value})


def test_queries_from_several_threads_agree(router: WalkRouter) -> None:
    expected = [router.route(*NODES[a], *NODES[b]).length_m for a in NODES for b in (1, 3, 6) if a < 7]
    results: list[list[float]] = [[] for _ in range(4)]

    def work(slot: int) -> None:
        for _ in range(20):
            results[slot] = [router.route(*NODES[a], *NODES[b]).length_m for a in NODES for b in (1, 3, 6) if a < 7]

    threads = [threading.Thread(target=work, args=(slot,)) for slot in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(result == expected for result in results)


def test_format_length() -> None:
    assert [format_length(x) for x in (0.2, 8.4, 99.4, 99.6, 354.0, 999.0, 1234.0)] == [
        "1 m",
        "8 m",
        "99 m",
        "100 m",
        "350 m",
        "1.0 km",
        "1.2 km",
    ]


# -- index files -------------------------------------------------------------------------------------


def test_index_from_another_graph_is_refused(frozen: FrozenGraph) -> None:
    other = FrozenGraph.from_networkx(tiny_walk_graph())
    with pytest.raises(BundleError, match="another graph"):
        WalkRouter(frozen, build_walk_index(other))


def test_corrupt_index_files(tmp_path: Path, frozen: FrozenGraph) -> None:
    index = build_walk_index(frozen)
    good = tmp_path / "good.npz"
    index.save(good)
    assert WalkIndex.load(good).arc_count == index.arc_count

    garbage = tmp_path / "garbage.npz"
    garbage.write_bytes(b"not an npz at all")
    truncated = tmp_path / "truncated.npz"
    truncated.write_bytes(good.read_bytes()[:200])
    for path in (garbage, truncated, tmp_path / "missing.npz"):
        with pytest.raises(BundleError, match="cannot read the walk index"):
            WalkIndex.load(path)

    def saved(**changes: object) -> Path:
        with np.load(good) as data:
            arrays = {name: data[name] for name in data.files}
        arrays.update(changes)
        path = tmp_path / "changed.npz"
        with path.open("wb") as handle:
            np.savez(handle, **arrays)
        return path

    with pytest.raises(BundleError, match="cannot read"):
        WalkIndex.load(_without(good, tmp_path, "up_head"))
    with pytest.raises(BundleError, match="format"):
        WalkIndex.load(saved(format=np.int64(99)))
    with pytest.raises(BundleError, match="dtype"):
        WalkIndex.load(saved(up_head=index.up_head.astype(np.float64)))
    bad_head = index.up_head.copy()
    bad_head[0] = frozen.node_count + 5
    with pytest.raises(BundleError, match="up_head outside the node range"):
        WalkIndex.load(saved(up_head=bad_head))
    shortcut = int(np.flatnonzero(index.arc_edge < 0)[0]) if index.shortcut_count else None
    if shortcut is not None:
        cyclic = index.arc_first.copy()
        cyclic[shortcut] = shortcut
        with pytest.raises(BundleError, match="does not come before it"):
            WalkIndex.load(saved(arc_first=cyclic))
    negative = index.up_length_m.copy()
    negative[0] = -1.0
    with pytest.raises(BundleError, match="negative"):
        WalkIndex.load(saved(up_length_m=negative))
    shifted = index.up_indptr.copy()
    shifted[-1] += 1
    with pytest.raises(BundleError, match="pointers"):
        WalkIndex.load(saved(up_indptr=shifted))


def _without(good: Path, tmp_path: Path, name: str) -> Path:
    with np.load(good) as data:
        arrays = {key: data[key] for key in data.files if key != name}
    path = tmp_path / "without.npz"
    with path.open("wb") as handle:
        np.savez(handle, **arrays)
    return path


def test_negative_lengths_cannot_be_indexed() -> None:
    graph = nx.MultiDiGraph()
    graph.add_node(1, y=21.03, x=105.85)
    graph.add_node(2, y=21.031, x=105.85)
    graph.add_edge(1, 2, length=-5.0)
    with pytest.raises(ValueError, match="non-negative"):
        build_walk_index(FrozenGraph.from_networkx(graph))


def test_route_between_kept_anchors_equals_route(router: WalkRouter) -> None:
    start, end = router.anchor_pair(21.0300 + 20 / M_PER_DEG_LAT, 105.8503, *NODES[6])
    journey = router.route_between(start, end)
    assert journey == router.route(21.0300 + 20 / M_PER_DEG_LAT, 105.8503, *NODES[6])
    pieces = router.path_between(start, end)
    assert pieces.edge.size == pieces.start_fraction.size == pieces.end_fraction.size >= 3
    with pytest.raises(NoRouteError):
        router.path_between(start, router.anchor(*NODES[7]))
