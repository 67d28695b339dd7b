"""Bad input to `heritage build`: one clear error naming the file (and row), non-zero exit, nothing left behind."""

from __future__ import annotations

import csv
from pathlib import Path

import osmium
import pytest

from tests.conftest import CATALOGUE, HANOI_PBF
from tests.heritage_process import run_build


def assert_nothing_left(tmp_path: Path) -> None:
    bundles = tmp_path / "bundles"
    assert not bundles.exists() or not any(bundles.iterdir()), list(bundles.iterdir())


def edited_catalogue(tmp_path: Path, edit: str) -> tuple[Path, int]:
    """A copy of the shipped catalogue with one row spoiled; returns its path and the spoiled line number."""
    with CATALOGUE.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    fieldnames = list(rows[0])
    target = 9  # the 10th data row, on line 11 of the file
    if edit == "outside":
        rows[target]["lat"] = "10.7769"  # Ho Chi Minh City
        rows[target]["lon"] = "106.7009"
    elif edit == "duplicate":
        rows[target]["id"] = rows[2]["id"]
    elif edit == "category":
        rows[target]["categories"] = "heritage;karaoke"
    path = tmp_path / "catalogue.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fieldnames)
        writer.writeheader()
        writer.writerows(rows)
    return path, target + 2


def test_truncated_pbf(tmp_path: Path) -> None:
    truncated = tmp_path / "truncated.osm.pbf"
    data = HANOI_PBF.read_bytes()
    truncated.write_bytes(data[: len(data) * 6 // 10])
    result = run_build(tmp_path, "--osm", str(truncated))
    assert result.returncode == 1
    assert "truncated.osm.pbf" in result.stderr
    assert "cannot read OSM data" in result.stderr
    assert "Traceback" not in result.stderr
    assert_nothing_left(tmp_path)


def test_pbf_without_highways(tmp_path: Path) -> None:
    path = tmp_path / "no-roads.osm.pbf"
    with osmium.SimpleWriter(str(path)) as writer:
        for i in range(1, 5):
            writer.add_node(osmium.osm.mutable.Node(id=i, location=(105.85 + i * 1e-4, 21.03), tags={}))
        writer.add_way(osmium.osm.mutable.Way(id=1, nodes=[1, 2, 3, 4, 1], tags={"building": "yes"}))
    result = run_build(tmp_path, "--osm", str(path))
    assert result.returncode == 1
    assert "no-roads.osm.pbf" in result.stderr
    assert "no highway ways" in result.stderr
    assert_nothing_left(tmp_path)


def test_missing_osm_file(tmp_path: Path) -> None:
    result = run_build(tmp_path, "--osm", str(tmp_path / "nowhere.osm.pbf"))
    assert result.returncode == 1
    assert "nowhere.osm.pbf" in result.stderr
    assert_nothing_left(tmp_path)


@pytest.mark.parametrize(
    ("edit", "expected"),
    [("outside", "outside Hanoi"), ("duplicate", "duplicate"), ("category", "karaoke")],
)
def test_bad_catalogue_row(tmp_path: Path, edit: str, expected: str) -> None:
    catalogue, line = edited_catalogue(tmp_path, edit)
    result = run_build(tmp_path, catalogue=catalogue)
    assert result.returncode == 1
    message = " ".join(result.stderr.split())
    assert "catalogue.csv" in message
    assert f"line {line}" in message
    assert expected in message
    assert "Traceback" not in result.stderr
    assert_nothing_left(tmp_path)


def test_route_relation_with_a_missing_stop_node(tmp_path: Path) -> None:
    """An extract whose bus relation lists a stop node no source holds: the build names the relation and node."""
    path = tmp_path / "extract" / HANOI_PBF.name  # the shipped name, so its declared gaps apply
    path.parent.mkdir()
    with osmium.SimpleWriter(str(path)) as writer:
        for item in osmium.FileProcessor(str(HANOI_PBF)):
            writer.add(item)
        writer.add_relation(
            osmium.osm.mutable.Relation(
                id=990_000_001,
                members=[("n", 6880357637, "platform"), ("n", 999_999_999_999, "platform")],
                tags={"type": "route", "route": "bus", "ref": "E99"},
            )
        )
    result = run_build(tmp_path, "--osm", str(path))
    assert result.returncode == 1
    assert str(path) in result.stderr
    assert "route relation 990000001 (ref E99)" in result.stderr
    assert "999999999999" in result.stderr
    assert "Traceback" not in result.stderr
    assert_nothing_left(tmp_path)
