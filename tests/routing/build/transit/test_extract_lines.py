"""Lines from an extract's route relations: stop members placed, declared gaps built, undeclared gaps refused."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from routing.build.transit.extract_lines import ExtractLine, read_extract_lines, read_relation_gaps
from routing.build.transit.service_hours import read_route_relations
from routing.errors import InputDataError

XML = """<?xml version='1.0' encoding='UTF-8'?>
<osm version="0.6">
  <node id="1" lat="21.0300" lon="105.8300"><tag k="name" v="Ga A"/></node>
  <node id="2" lat="21.0250" lon="105.8250"><tag k="name" v="Ga B"/></node>
  <node id="3" lat="21.0200" lon="105.8200"/>
  {extra_node}
  <relation id="10"><member type="node" ref="1" role="stop"/><member type="node" ref="888" role="stop"/>
    <member type="node" ref="2" role="stop"/><member type="node" ref="3" role="stop"/>
    <tag k="type" v="route"/><tag k="route" v="subway"/><tag k="ref" v="M1"/></relation>
  {extra_relation}
</osm>
"""
GAPS = "extract\trelation_id\tref\treason\tsource\n{name}\t10\tM1\tstation 888 outside the box\ttest\n"


def write(tmp_path: Path, *, extra_node: str = "", extra_relation: str = "") -> tuple[Path, Path]:
    osm = tmp_path / "tiny.osm"
    osm.write_text(XML.format(extra_node=extra_node, extra_relation=extra_relation), encoding="utf-8")
    transit = tmp_path / "transit"
    transit.mkdir()
    (transit / "osm-relation-gaps.tsv").write_text(GAPS.format(name=osm.name), encoding="utf-8")
    return osm, transit


def read(osm: Path, transit: Path) -> tuple[tuple[ExtractLine, ...], dict[str, Any]]:
    return read_extract_lines(
        osm,
        read_route_relations(osm),
        points=(),
        relations_2022=(),
        gaps=read_relation_gaps(transit, osm.name),
        gaps_path=transit / "osm-relation-gaps.tsv",
    )


def test_a_declared_relation_is_built_from_the_stations_present(tmp_path: Path) -> None:
    osm, transit = write(tmp_path)
    lines, report = read(osm, transit)
    (line,) = lines
    assert line.mode == "metro"
    assert line.node_ids == (1, 2, 3)  # member order; 888 is left out, never invented
    assert line.names == ("Ga A", "Ga B", "")
    assert line.missing_node_ids == (888,)
    assert report["incomplete_declared"][0]["missing_node_ids"] == [888]


def test_an_undeclared_relation_with_missing_stops_fails_naming_its_ids(tmp_path: Path) -> None:
    relation = (
        '<relation id="20"><member type="node" ref="1" role="platform"/><member type="node" ref="777" role="platform"/>'
        '<tag k="type" v="route"/><tag k="route" v="bus"/><tag k="ref" v="E99"/></relation>'
    )
    osm, transit = write(tmp_path, extra_relation=relation)
    with pytest.raises(InputDataError, match=r"tiny\.osm: route relation 20 \(ref E99\).*777"):
        read(osm, transit)


def test_a_stop_without_coordinates_fails_naming_the_node(tmp_path: Path) -> None:
    relation = (
        '<relation id="30"><member type="node" ref="1" role="platform"/><member type="node" ref="4" role="platform"/>'
        '<tag k="type" v="route"/><tag k="route" v="bus"/><tag k="ref" v="E98"/></relation>'
    )
    osm, transit = write(
        tmp_path, extra_node='<node id="4"><tag k="name" v="Nowhere"/></node>', extra_relation=relation
    )
    with pytest.raises(InputDataError, match=r"route relation 30 \(ref E98\): stop node\(s\) 4 have no coordinates"):
        read(osm, transit)
