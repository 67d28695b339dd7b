from __future__ import annotations

import numpy as np
import pytest

from routing.graph.frozen import FrozenGraph
from routing.streets.snap import EdgeSnapper
from tests.routing.tiny import tiny_walk_graph


@pytest.fixture(scope="module")
def snapper() -> EdgeSnapper:
    return EdgeSnapper(FrozenGraph.from_networkx(tiny_walk_graph()))


def test_point_beside_a_street_snaps_onto_it(snapper: EdgeSnapper) -> None:
    # 20 m north of the middle of the 1-2 street (Hàng Bạc).
    result = snapper.snap([21.0300 + 20 / 111_195], [105.8505], max_distance_m=50)
    assert result.on_network.all()
    assert result.distance_m[0] == pytest.approx(20, abs=0.5)
    assert result.lat[0] == pytest.approx(21.0300, abs=1e-6)
    graph = snapper.graph
    assert graph.names[graph.name_index[result.edge[0]]] == "Hàng Bạc"
    assert 0.3 < result.fraction[0] < 0.7


def test_far_point_is_off_network(snapper: EdgeSnapper) -> None:
    result = snapper.snap([21.04], [105.86], max_distance_m=250)
    assert not result.on_network.any()
    assert result.edge[0] == -1
    assert np.isnan(result.distance_m[0])


def test_many_points_at_once(snapper: EdgeSnapper) -> None:
    result = snapper.snap([21.0300, 21.0309, 21.1], [105.8500, 105.8520, 105.9], max_distance_m=100)
    assert result.on_network.tolist() == [True, True, False]
    assert result.distance_m[:2] == pytest.approx([0.0, 0.0], abs=1e-3)


def test_main_component_preferred_within_reach() -> None:
    from routing.streets.snap import MainComponentSnapper

    graph = FrozenGraph.from_networkx(tiny_walk_graph())
    snapper = MainComponentSnapper(graph)
    assert snapper.main_node.sum() == 6
    # Next to the isolated 7-8 street but within 250 m of nothing else: keeps the island.
    island = snapper.snap([21.05005], [105.9001], max_distance_m=250)
    assert graph.node_osmid[island.node[0]] in {7, 8}
    # Equally near both? A point 30 m from the grid goes to the grid even if an island were nearer.
    grid = snapper.snap([21.0303], [105.8505], max_distance_m=250)
    assert snapper.main_node[grid.node[0]]
