from __future__ import annotations

import pytest

from routing.build.osm.filters import osmnx_way_filter, parse_overpass_filter
from routing.errors import RoutingError


@pytest.mark.parametrize(
    ("tags", "walk", "drive"),
    [
        ({"highway": "residential"}, True, True),
        ({"highway": "footway"}, True, False),
        ({"highway": "steps"}, True, False),
        ({"highway": "motorway"}, False, True),
        ({"highway": "cycleway"}, False, False),
        ({"highway": "residential", "foot": "no"}, False, True),
        ({"highway": "service", "access": "private"}, False, False),
        ({"highway": "primary", "sidewalk": "separate"}, False, True),
        ({"highway": "pedestrian", "area": "yes"}, False, False),
        ({"building": "yes"}, False, False),
        ({"highway": "construction"}, False, False),
    ],
)
def test_osmnx_rules(tags: dict[str, str], walk: bool, drive: bool) -> None:
    assert osmnx_way_filter("walk").accepts(tags) is walk
    assert osmnx_way_filter("drive").accepts(tags) is drive


def test_parse_clauses() -> None:
    rules = parse_overpass_filter("x", '["highway"]["foot"!~"no"]["name"~"^Phố"]')
    assert rules.accepts({"highway": "x", "name": "Phố Huế"})
    assert not rules.accepts({"highway": "x", "name": "Đường Láng"})
    assert not rules.accepts({"highway": "x", "foot": "no", "name": "Phố Huế"})


@pytest.mark.parametrize("text", ["", '["highway"](around:10)', 'way["highway"]'])
def test_unsupported_syntax(text: str) -> None:
    with pytest.raises(RoutingError, match="unsupported"):
        parse_overpass_filter("x", text)
