"""The 2026 audit of the catalogue: wards and communes, coordinate provenance, the places the audit named."""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

import osmium
import pytest

from recommender.catalogue import (
    COLUMNS,
    DEFAULT_CATALOGUE_PATH,
    Catalogue,
    CatalogueError,
    load_catalogue,
)
from recommender.locate import Location
from recommender.scoring import Interests
from recommender.trip import TripRequest
from recommender.trip.build import check_places
from recommender.trip.errors import MustVisitError
from recommender.wards import DEFAULT_WARDS_PATH, UNIT_COUNT, UnknownWardError, Wards, default_wards, load_wards
from tests.conftest import DATA, HANOI_PBF

SIGHTS_REFERENCE = DATA / "places" / "sights-reference-30.geojson"
AUDITED_MISPLACED = {
    # place id: how far off the audit found the point (metres), the floor of its stated accuracy
    "complex-01": 500,
    "hat-mon-temple": 3000,
    "xuan-la-to-he-village": 2000,
    "cu-da-ancient-village": 1000,
}
ROUND_NUMBER_POINTS = (
    "national-museum-of-vietnamese-history",
    "dong-ngac-village",
    "xuan-la-to-he-village",
    "thach-xa-bamboo-dragonfly-village",
    "hat-mon-temple",
)


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load_catalogue(DEFAULT_CATALOGUE_PATH)


@pytest.fixture(scope="module")
def wards() -> Wards:
    return default_wards()


def _text(value: float) -> str:
    return f"{value:.7f}"


@pytest.fixture(scope="module")
def extract_points() -> dict[tuple[str, str], int]:
    """Every node of the OSM extract by its coordinate text (7 decimals) -> node id."""
    points: dict[tuple[str, str], int] = {}
    for element in osmium.FileProcessor(str(HANOI_PBF), osmium.osm.NODE):
        if isinstance(element, osmium.osm.Node):
            points.setdefault((_text(element.location.lat), _text(element.location.lon)), element.id)
    return points


@pytest.fixture(scope="module")
def sights() -> dict[tuple[str, str], str]:
    data = json.loads(SIGHTS_REFERENCE.read_text(encoding="utf-8"))
    return {
        (_text(f["geometry"]["coordinates"][1]), _text(f["geometry"]["coordinates"][0])): f["properties"]["name"]
        for f in data["features"]
    }


# -- the units ---------------------------------------------------------------------------------------------------


def test_the_shipped_file_holds_the_126_units(wards: Wards) -> None:
    assert DEFAULT_WARDS_PATH.is_file()
    assert (DEFAULT_WARDS_PATH.parent / "PROVENANCE.md").is_file()
    assert len(wards) == UNIT_COUNT == 126
    kinds = [unit.kind for unit in wards]
    assert (kinds.count("ward"), kinds.count("commune")) == (51, 75)
    assert len({unit.osm_relation for unit in wards}) == 126
    assert sum(unit.population is not None for unit in wards) == 72


def test_units_are_found_by_id_name_and_relation(wards: Wards) -> None:
    hoan_kiem = wards.get("phuong-hoan-kiem")
    assert hoan_kiem.name == "Phường Hoàn Kiếm"
    assert wards.find("Phường Hoàn Kiếm") is hoan_kiem
    assert wards.find("hoan kiem") is hoan_kiem
    assert wards.find(str(hoan_kiem.osm_relation)) is hoan_kiem
    assert wards.find("Bát Tràng").id == "xa-bat-trang"
    assert wards.locate(21.0288, 105.8525) is hoan_kiem  # the lake
    assert wards.locate(10.7769, 106.7009) is None  # Ho Chi Minh City
    with pytest.raises(UnknownWardError, match="Atlantis"):
        wards.find("Atlantis")


def test_a_broken_ward_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "wards.geojson"
    path.write_text('{"type": "FeatureCollection", "features": [{"properties": {"name": "X"}}]}', encoding="utf-8")
    with pytest.raises(Exception, match="not a valid ward or commune"):
        load_wards(path)


# -- every place in its unit -------------------------------------------------------------------------------------


def test_every_place_lies_in_its_ward(catalogue: Catalogue, wards: Wards) -> None:
    for place in catalogue:
        unit = wards.get(place.ward)
        assert unit.contains(place.lat, place.lon), place.id
        assert wards.locate(place.lat, place.lon) is unit, place.id


def test_verified_places_cover_units(catalogue: Catalogue) -> None:
    covered = {place.ward for place in catalogue}
    verified = {place.ward for place in catalogue if place.status == "verified"}
    assert len(covered) >= 95
    assert len(verified) >= 91


def test_ninety_units_hold_a_verified_place(catalogue: Catalogue) -> None:
    assert len({place.ward for place in catalogue if place.status == "verified"}) >= 90


def test_search_filters_by_ward(catalogue: Catalogue) -> None:
    in_hoan_kiem = catalogue.search(ward="Hoàn Kiếm")
    assert in_hoan_kiem
    assert {p.ward for p in in_hoan_kiem} == {"phuong-hoan-kiem"}
    assert [p.id for p in catalogue.search(ward="phuong-hoan-kiem")] == [p.id for p in in_hoan_kiem]
    assert catalogue.search("pho", ward="phuong-hoan-kiem")
    with pytest.raises(UnknownWardError):
        catalogue.search(ward="Quận Hoàn Kiếm cũ")


def _rows() -> list[dict[str, str]]:
    with DEFAULT_CATALOGUE_PATH.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _write(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(COLUMNS))
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_a_ward_that_contradicts_the_point_names_file_line_and_field(tmp_path: Path) -> None:
    rows = _rows()
    target = next(i for i, row in enumerate(rows) if row["id"] == "temple-of-literature")
    rows[target]["ward"] = "xa-bat-trang"
    path = _write(tmp_path / "catalogue.csv", rows)
    with pytest.raises(CatalogueError) as caught:
        load_catalogue(path)
    error = caught.value
    assert (error.path, error.row, error.field) == (path, target + 2, "ward")
    assert f"{path}, line {target + 2}" in str(error)
    assert "phuong-van-mieu-quoc-tu-giam" in str(error)
    assert "not in 'xa-bat-trang'" in str(error)


# -- provenance ----------------------------------------------------------------------------------------------------


def test_no_coordinate_is_marked_curated(catalogue: Catalogue) -> None:
    assert not [place.id for place in catalogue if place.coord_source == "curated"]
    for place in catalogue:
        if place.coord_source.startswith("estimated:"):
            assert place.coord_accuracy_m is not None
            assert place.coord_accuracy_m > 0


def test_no_copy_of_an_osm_coordinate_hides_its_source(
    catalogue: Catalogue, extract_points: dict[tuple[str, str], int], sights: dict[tuple[str, str], str]
) -> None:
    """A point equal to a node of the extract or to the OSM sights file says it comes from OSM."""
    copies = []
    for place in catalogue:
        key = (_text(place.lat), _text(place.lon))
        if key in extract_points and not place.coord_source.startswith("osm:"):
            copies.append((place.id, f"node/{extract_points[key]}"))
        if key in sights and place.coord_source not in {"ref:sights-reference-30"}:
            copies.append((place.id, sights[key]))
    assert copies == []


def test_the_nineteen_osm_sights_carry_their_reference(
    catalogue: Catalogue, sights: dict[tuple[str, str], str]
) -> None:
    referenced = [place for place in catalogue if place.coord_source == "ref:sights-reference-30"]
    assert len(referenced) == 19
    for place in referenced:
        assert (_text(place.lat), _text(place.lon)) in sights, place.id
        assert place.status == "verified"
    for place_id in ("co-loa-citadel", "ho-chi-minh-mausoleum", "one-pillar-pagoda", "hoa-lo-prison"):
        assert catalogue.get(place_id).coord_source == "ref:sights-reference-30"


# -- the places the audit named -------------------------------------------------------------------------------------


def test_gia_lam_locomotive_factory_is_events_only(catalogue: Catalogue) -> None:
    factory = catalogue.get("gia-lam-locomotive-factory")
    assert factory.visiting == "events-only"
    assert not factory.plannable
    assert factory.opening_hours == "off"
    assert "Creative Design Festival" in factory.how_to_visit_en
    assert "Sáng tạo" in factory.how_to_visit_vi
    assert "1905" in factory.description_en


def test_an_events_only_must_visit_is_refused_with_how_to_visit(catalogue: Catalogue) -> None:
    request = TripRequest(
        start=Location(21.03, 105.85),
        date=dt.date(2026, 11, 24),
        window_start_s=9 * 3600,
        window_end_s=17 * 3600,
        interests=Interests.parse(["heritage"]),
        must_visit=("gia-lam-locomotive-factory",),
    )
    with pytest.raises(MustVisitError, match=r"no regular visits: .*Creative Design Festival"):
        check_places(catalogue, request)


def test_complex_01_is_the_printing_works_off_tay_son(catalogue: Catalogue) -> None:
    place = catalogue.get("complex-01")
    assert "ngõ 167" in place.description_en
    assert "Tôn Đức Thắng" not in place.description_en
    assert "ngõ 167 phố Tây Sơn" in place.description_vi
    assert place.status == "unverified"
    assert not place.plannable


@pytest.mark.parametrize("place_id", sorted(AUDITED_MISPLACED))
def test_misplaced_places_are_unverified_with_an_honest_accuracy(
    catalogue: Catalogue, wards: Wards, place_id: str
) -> None:
    place = catalogue.get(place_id)
    assert place.status == "unverified"
    assert not place.plannable
    assert place.coord_accuracy_m is not None
    assert place.coord_accuracy_m >= AUDITED_MISPLACED[place_id]
    assert wards.get(place.ward).contains(place.lat, place.lon)


def test_round_number_points_are_not_verified(catalogue: Catalogue) -> None:
    for place in catalogue:
        two_decimals = all(abs(v * 100 - round(v * 100)) < 1e-9 for v in (place.lat, place.lon))
        if two_decimals:
            assert place.status == "unverified", place.id
    for place_id in ROUND_NUMBER_POINTS:
        assert catalogue.get(place_id).status == "unverified"


def test_unverified_places_are_not_plannable(catalogue: Catalogue) -> None:
    for place in catalogue:
        assert place.plannable == (place.status != "unverified" and place.visiting == "regular")
    assert sum(place.plannable for place in catalogue) >= 250


def test_content_fixes(catalogue: Catalogue) -> None:
    square = catalogue.get("ba-dinh-square")
    assert "21:00" in square.description_en
    assert "dusk" not in square.description_en
    assert "21 giờ" in square.description_vi
    gate = catalogue.get("o-quan-chuong")
    for text in (gate.description_en, gate.description_vi):
        assert "1749" in text
        assert "1817" in text
    mausoleum = catalogue.get("ho-chi-minh-mausoleum")
    assert "two months" in mausoleum.description_en
    assert "hai tháng" in mausoleum.description_vi
    vong = catalogue.get("vong-green-rice-village")
    assert "late summer" in vong.description_en
    assert "cuối hè" in vong.description_vi


def test_heritage_space_names_one_place_in_both_languages(catalogue: Catalogue) -> None:
    place = catalogue.get("heritage-space")
    for name in ("Thái Thịnh", "Thái Hà"):
        assert (name in place.description_en) == (name in place.description_vi)
    assert place.status == "unverified"


@pytest.fixture
def loaded(tmp_path: Path) -> Callable[[list[dict[str, str]]], Catalogue]:
    return lambda rows: load_catalogue(_write(tmp_path / "c.csv", rows))


def test_a_place_not_visited_regularly_needs_how_to_visit(
    loaded: Callable[[list[dict[str, str]]], Catalogue],
) -> None:
    rows = [row for row in _rows() if row["id"] == "gia-lam-locomotive-factory"]
    rows[0]["how_to_visit_en"] = ""
    with pytest.raises(CatalogueError, match="needs how_to_visit_en"):
        loaded(rows)
