"""The shipped place catalogue and its loader, validation and search."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path

import osmium
import pytest
from opening_hours import OpeningHours

from recommender.catalogue import (
    COLUMNS,
    DEFAULT_CATALOGUE_PATH,
    PART_OF_MAX_DISTANCE_M,
    Catalogue,
    CatalogueError,
    Place,
    UnknownPlaceError,
    load_catalogue,
    normalize_text,
)
from recommender.errors import RecommenderError
from recommender.taxonomy import HANOI_BBOX, Category, Dish, District
from tests.conftest import NAMED_PLACES

ROOT = Path(__file__).resolve().parents[2]
PLACES_DIR = ROOT / "data" / "places"
FOOD_CSV = PLACES_DIR / "osm-food-hoankiem-2024" / "food_places.csv"
POI_GEOJSON = PLACES_DIR / "osm-pois-from-merged-extract.geojson"
OUTER_CSV = PLACES_DIR / "osm-wikidata-places-2026.csv"
PBF = ROOT / "data" / "osm" / "hanoi-merged-2025.osm.pbf"

MAJOR_SIGHTS = (
    "vietnam-museum-of-ethnology",
    "hoa-lo-prison",
    "vietnamese-womens-museum",
    "vietnam-fine-arts-museum",
    "national-museum-of-vietnamese-history",
    "vietnam-military-history-museum",
    "b52-victory-museum",
    "hanoi-museum",
    "ho-chi-minh-museum",
    "one-pillar-pagoda",
    "tran-quoc-pagoda",
    "quan-thanh-temple",
    "perfume-pagoda",
    "tay-phuong-pagoda",
    "thay-pagoda",
    "bach-ma-temple",
    "phu-tay-ho",
    "giong-temple-phu-dong",
    "quan-su-pagoda",
    "st-josephs-cathedral",
    "dong-xuan-market",
    "quang-ba-flower-market",
    "hanoi-opera-house",
    "thang-long-water-puppet-theatre",
    "long-bien-bridge",
    "presidential-palace",
    "imperial-citadel-thang-long",
    "duong-lam-ancient-village",
    "hanoi-train-street",
    "west-lake",
    "hanoi-botanical-garden",
    "ba-vi-national-park",
    "ta-hien-beer-street",
    "bat-trang-ceramic-village",
    "van-phuc-silk-village",
)

# Every part_of link of the shipped catalogue (child -> parent); see docs/DATA.md.
PART_OF_PAIRS = {
    "thien-quang-well": "temple-of-literature",
    "turtle-tower": "hoan-kiem-lake",
    "pen-tower": "ngoc-son-temple",
    "ho-chi-minh-stilt-house": "presidential-palace",
    "cafe-goethe": "goethe-institut-hanoi",
    "bia-corner-ta-hien": "ta-hien-beer-street",
    "bia-23-ta-hien": "ta-hien-beer-street",
    "bia-45-ta-hien": "ta-hien-beer-street",
    "bia-loi-beo": "ta-hien-beer-street",
    "tet-bar-ta-hien": "ta-hien-beer-street",
    "the-blues-bar": "ta-hien-beer-street",
}

CsvRow = dict[str, str]


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load_catalogue(DEFAULT_CATALOGUE_PATH)


@pytest.fixture(scope="module")
def food_file() -> dict[str, tuple[float, float]]:
    with FOOD_CSV.open(encoding="utf-8", newline="") as handle:
        return {
            f"osm:{row['osm_type']}/{row['osm_id']}": (float(row["lat"]), float(row["lon"]))
            for row in csv.DictReader(handle)
        }


@pytest.fixture(scope="module")
def poi_file() -> dict[str, tuple[float, float]]:
    features = json.loads(POI_GEOJSON.read_text(encoding="utf-8"))["features"]
    return {
        f"osm:{f['properties']['osm_type']}/{f['properties']['osm_id']}": (
            f["geometry"]["coordinates"][1],
            f["geometry"]["coordinates"][0],
        )
        for f in features
    }


@pytest.fixture(scope="module")
def outer_file() -> dict[str, tuple[float, float]]:
    """The OSM elements of the 2026 copy for the outer units (``osm:node/N`` / ``osm:way/N`` -> lat, lon)."""
    with OUTER_CSV.open(encoding="utf-8", newline="") as handle:
        return {
            row["source_id"]: (float(row["lat"]), float(row["lon"]))
            for row in csv.DictReader(handle)
            if row["source_id"].startswith("osm:")
        }


# ----------------------------------------------------------------------------------------------- shipped data


def test_shipped_catalogue_loads(catalogue: Catalogue) -> None:
    assert len(catalogue) >= 250
    assert len(catalogue.sha256) == 64
    assert catalogue.path == DEFAULT_CATALOGUE_PATH
    assert DEFAULT_CATALOGUE_PATH == ROOT / "data" / "places" / "catalogue.csv"


def test_header_is_exactly_the_documented_columns() -> None:
    with DEFAULT_CATALOGUE_PATH.open(encoding="utf-8", newline="") as handle:
        assert tuple(next(csv.reader(handle))) == COLUMNS


@pytest.mark.parametrize("place_id", NAMED_PLACES + MAJOR_SIGHTS)
def test_named_places_are_present(catalogue: Catalogue, place_id: str) -> None:
    assert catalogue.get(place_id).id == place_id


def test_named_places_have_the_planned_categories(catalogue: Catalogue) -> None:
    vong = catalogue.get("vong-green-rice-village")
    assert {Category.CRAFT_VILLAGE, Category.CUISINE} <= set(vong.categories)
    assert Dish.COM_VONG in vong.dishes
    assert vong.former_district is District.CAU_GIAY
    assert set(catalogue.get("hang-dau-water-tower").categories) == {
        Category.HERITAGE,
        Category.ARCHITECTURE,
        Category.CI_CENTRE,
    }
    assert set(catalogue.get("gia-lam-locomotive-factory").categories) == {
        Category.CI_CENTRE,
        Category.ARCHITECTURE,
        Category.HERITAGE,
    }
    assert catalogue.get("gia-lam-locomotive-factory").former_district is District.LONG_BIEN
    assert set(catalogue.get("villa-46-hang-bai").categories) == {Category.CI_CENTRE, Category.ARCHITECTURE}
    assert Category.NATURE in catalogue.get("red-river-sandbank").categories
    assert catalogue.get("co-loa-citadel").former_district is District.DONG_ANH
    assert catalogue.get("temple-of-literature").coord_source.startswith("osm:")


def test_category_minimums(catalogue: Catalogue) -> None:
    counts = catalogue.count_by_category()
    assert set(counts) == {category.value for category in Category}
    assert counts["craft_village"] >= 15
    assert counts["ci_centre"] >= 12
    assert all(counts[category.value] > 0 for category in Category)


def test_places_spread_over_many_districts(catalogue: Catalogue) -> None:
    districts = {place.former_district for place in catalogue}
    assert len(districts) >= 20
    suburban = {District.DONG_ANH, District.GIA_LAM, District.THUONG_TIN, District.CHUONG_MY, District.HOAI_DUC}
    assert suburban <= districts


def test_at_least_80_cuisine_places_from_the_osm_food_file(
    catalogue: Catalogue, food_file: dict[str, tuple[float, float]]
) -> None:
    from_food_file = [
        place
        for place in catalogue.search(category=Category.CUISINE)
        if place.coord_source in food_file and place.dishes
    ]
    assert len(from_food_file) >= 80
    for place in from_food_file:
        lat, lon = food_file[place.coord_source]
        assert place.lat == pytest.approx(lat, abs=1e-6), place.id
        assert place.lon == pytest.approx(lon, abs=1e-6), place.id


def _pbf_coordinates(wanted: set[str]) -> dict[str, tuple[float, float]]:
    """Coordinates of ``osm:node/N`` and ``osm:way/N`` elements in the merged PBF (a way: mean of its node refs).

    The way centroid is the plain average over the way's node references, the closing node of a closed
    way included, as in ``osm-pois-from-merged-extract.geojson``. Reads only the wanted ids.
    """
    way_ids = {int(key.removeprefix("osm:way/")) for key in wanted if key.startswith("osm:way/")}
    node_ids = {int(key.removeprefix("osm:node/")) for key in wanted if key.startswith("osm:node/")}
    refs: dict[int, list[int]] = {}
    if way_ids:
        for way in osmium.FileProcessor(str(PBF), osmium.osm.WAY).with_filter(osmium.filter.IdFilter(way_ids)):
            assert isinstance(way, osmium.osm.Way)
            refs[way.id] = [node.ref for node in way.nodes]
    needed = node_ids.union(*refs.values())
    locations: dict[int, tuple[float, float]] = {}
    for node in osmium.FileProcessor(str(PBF), osmium.osm.NODE).with_filter(osmium.filter.IdFilter(needed)):
        assert isinstance(node, osmium.osm.Node)
        locations[node.id] = (node.location.lat, node.location.lon)
    found = {f"osm:node/{node_id}": locations[node_id] for node_id in node_ids if node_id in locations}
    for way_id, node_refs in refs.items():
        points = [locations[ref] for ref in node_refs]
        found[f"osm:way/{way_id}"] = (
            sum(lat for lat, _ in points) / len(points),
            sum(lon for _, lon in points) / len(points),
        )
    return found


def test_every_osm_coordinate_matches_its_source(
    catalogue: Catalogue,
    food_file: dict[str, tuple[float, float]],
    poi_file: dict[str, tuple[float, float]],
    outer_file: dict[str, tuple[float, float]],
) -> None:
    osm_places = [place for place in catalogue if place.coord_source.startswith("osm:")]
    assert len(osm_places) >= 100
    elsewhere = {place.coord_source for place in osm_places if place.coord_source not in food_file}
    pbf = _pbf_coordinates(elsewhere)
    for place in osm_places:
        source = (
            food_file.get(place.coord_source)
            or poi_file.get(place.coord_source)
            or pbf.get(place.coord_source)
            or outer_file.get(place.coord_source)
        )
        assert source is not None, f"{place.id}: {place.coord_source} is in none of the OSM files"
        assert place.lat == pytest.approx(source[0], abs=1e-6), place.id
        assert place.lon == pytest.approx(source[1], abs=1e-6), place.id
        if place.coord_source in poi_file and place.coord_source in pbf:
            assert pbf[place.coord_source] == pytest.approx(poi_file[place.coord_source], abs=1e-6)


def test_ids_unique_coordinates_inside_hanoi_and_hours_parse(catalogue: Catalogue) -> None:
    ids = [place.id for place in catalogue]
    assert len(ids) == len(set(ids))
    for place in catalogue:
        assert HANOI_BBOX.contains(place.lat, place.lon), place.id
        OpeningHours(place.opening_hours)
        assert place.hours() is place.hours()
        if Category.CUISINE in place.categories:
            assert place.dishes, place.id


def test_no_two_places_share_an_osm_element(catalogue: Catalogue) -> None:
    sources = [place.coord_source for place in catalogue if place.coord_source.startswith("osm:")]
    assert len(sources) == len(set(sources))


def test_place_round_trips_through_json(catalogue: Catalogue) -> None:
    for place in catalogue:
        assert Place.model_validate(place.model_dump(mode="json")) == place
    rebuilt = Catalogue.from_places(Place.model_validate(p.model_dump(mode="json")) for p in catalogue)
    assert len(rebuilt) == len(catalogue)
    assert rebuilt.get("temple-of-literature") == catalogue.get("temple-of-literature")


def test_shipped_part_of_links(catalogue: Catalogue) -> None:
    assert {place.id: place.part_of for place in catalogue if place.part_of is not None} == PART_OF_PAIRS
    # Ngọc Sơn stands in Hoàn Kiếm Lake but is a ticketed sight of its own; the Pen Tower belongs to it.
    assert catalogue.get("ngoc-son-temple").part_of is None
    assert catalogue.get("hanoi-flag-tower").part_of is None


def test_children_parent_and_friends(catalogue: Catalogue) -> None:
    assert [p.id for p in catalogue.children("temple-of-literature")] == ["thien-quang-well"]
    assert [p.id for p in catalogue.children("hoan-kiem-lake")] == ["turtle-tower"]
    assert [p.id for p in catalogue.children("ngoc-son-temple")] == ["pen-tower"]
    assert len(catalogue.children("ta-hien-beer-street")) == 6
    assert catalogue.children("thien-quang-well") == ()
    assert catalogue.children("hoa-lo-prison") == ()
    assert catalogue.children("temple-of-literature") is catalogue.children("temple-of-literature")  # precomputed

    parent = catalogue.parent("ho-chi-minh-stilt-house")
    assert parent is not None
    assert parent.id == "presidential-palace"
    assert catalogue.parent("presidential-palace") is None
    assert [p.id for p in catalogue.ancestors("pen-tower")] == ["ngoc-son-temple"]
    assert catalogue.ancestors("hoan-kiem-lake") == ()
    assert [p.id for p in catalogue.descendants("goethe-institut-hanoi")] == ["cafe-goethe"]

    assert catalogue.contains("temple-of-literature", "thien-quang-well")
    assert not catalogue.contains("thien-quang-well", "temple-of-literature")
    assert not catalogue.contains("temple-of-literature", "temple-of-literature")
    assert not catalogue.contains("hoan-kiem-lake", "pen-tower")

    for method in (catalogue.children, catalogue.parent, catalogue.ancestors, catalogue.descendants):
        with pytest.raises(UnknownPlaceError):
            method("no-such-place")
    with pytest.raises(UnknownPlaceError):
        catalogue.contains("no-such-place", "turtle-tower")


def test_shipped_children_lie_near_their_parents(catalogue: Catalogue) -> None:
    for child_id, parent_id in PART_OF_PAIRS.items():
        child, parent = catalogue.get(child_id), catalogue.get(parent_id)
        assert abs(child.lat - parent.lat) < 0.003, child_id  # about 330 m: real containment, not neighbours
        assert abs(child.lon - parent.lon) < 0.003, child_id


def test_chains_of_parents(catalogue: Catalogue) -> None:
    places = [catalogue.get(pid) for pid in ("hoan-kiem-lake", "ngoc-son-temple", "pen-tower")]
    temple = places[1].model_copy(update={"part_of": "hoan-kiem-lake"})
    chained = Catalogue.from_places([places[0], temple, places[2]])
    assert [p.id for p in chained.ancestors("pen-tower")] == ["ngoc-son-temple", "hoan-kiem-lake"]
    assert [p.id for p in chained.descendants("hoan-kiem-lake")] == ["ngoc-son-temple", "pen-tower"]
    assert chained.contains("hoan-kiem-lake", "pen-tower")


def test_osm_element_property(catalogue: Catalogue) -> None:
    assert catalogue.get("temple-of-literature").osm_element == ("way", 1220554188)
    assert catalogue.get("cho-hom").osm_element == ("relation", 11623141)
    assert catalogue.get("co-loa-citadel").osm_element is None


# ------------------------------------------------------------------------------------------------- bad input


def _shipped_rows(count: int) -> list[CsvRow]:
    with DEFAULT_CATALOGUE_PATH.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return [dict(row) for row in rows[:count]]


def _shipped_rows_by_id(*place_ids: str) -> list[CsvRow]:
    with DEFAULT_CATALOGUE_PATH.open(encoding="utf-8", newline="") as handle:
        rows = {row["id"]: dict(row) for row in csv.DictReader(handle)}
    return [rows[place_id] for place_id in place_ids]


def _write(path: Path, rows: list[CsvRow], columns: tuple[str, ...] = COLUMNS) -> Path:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


@pytest.fixture
def write_catalogue(tmp_path: Path) -> Callable[..., Path]:
    def write(rows: list[CsvRow], columns: tuple[str, ...] = COLUMNS) -> Path:
        return _write(tmp_path / "catalogue.csv", rows, columns)

    return write


def _load_error(path: Path) -> CatalogueError:
    with pytest.raises(CatalogueError) as info:
        load_catalogue(path)
    assert isinstance(info.value, RecommenderError)
    assert info.value.path == path
    return info.value


def test_small_valid_file_loads(write_catalogue: Callable[..., Path]) -> None:
    rows = _shipped_rows(3)
    loaded = load_catalogue(write_catalogue(rows))
    assert [place.id for place in loaded] == [row["id"] for row in rows]


def test_coordinates_outside_hanoi(write_catalogue: Callable[..., Path]) -> None:
    rows = _shipped_rows(3)
    rows[1]["lat"] = "22.5"
    path = write_catalogue(rows)
    error = _load_error(path)
    assert (error.row, error.field) == (3, "lat")
    assert str(error) == (
        f"{path}, line 3 (id {rows[1]['id']!r}), field 'lat': 22.5 is outside Hanoi (20.53..21.39 N, 105.28..106.03 E)"
    )


def test_longitude_outside_hanoi(write_catalogue: Callable[..., Path]) -> None:
    rows = _shipped_rows(2)
    rows[0]["lon"] = "106.7"
    error = _load_error(write_catalogue(rows))
    assert (error.row, error.field) == (2, "lon")
    assert "outside Hanoi" in str(error)


def test_duplicate_id_names_both_lines(write_catalogue: Callable[..., Path]) -> None:
    rows = _shipped_rows(3)
    rows[2]["id"] = rows[0]["id"]
    path = write_catalogue(rows)
    error = _load_error(path)
    assert (error.row, error.field) == (4, "id")
    assert str(path) in str(error)
    assert "line 4" in str(error)
    assert f"duplicate id {rows[0]['id']!r}, first used on line 2" in str(error)


def test_unknown_category_lists_the_allowed_values(write_catalogue: Callable[..., Path]) -> None:
    rows = _shipped_rows(2)
    rows[1]["categories"] = "heritage;castle"
    path = write_catalogue(rows)
    error = _load_error(path)
    assert (error.row, error.field) == (3, "categories")
    assert f"{path}, line 3" in str(error)
    assert "unknown category 'castle'" in str(error)
    assert "allowed: heritage, spiritual, museum" in str(error)


def test_unknown_dish(write_catalogue: Callable[..., Path]) -> None:
    rows = _shipped_rows(1)
    rows[0]["dishes"] = "pizza"
    error = _load_error(write_catalogue(rows))
    assert (error.row, error.field) == (2, "dishes")
    assert "unknown dish 'pizza'" in str(error)


def test_malformed_opening_hours(write_catalogue: Callable[..., Path]) -> None:
    rows = _shipped_rows(2)
    rows[1]["opening_hours"] = "Mo-Su 25:00-26:00"
    path = write_catalogue(rows)
    error = _load_error(path)
    assert (error.row, error.field) == (3, "opening_hours")
    assert f"{path}, line 3" in str(error)
    assert "'Mo-Su 25:00-26:00' is not valid OSM opening_hours syntax" in str(error)
    assert "\n" not in str(error)


@pytest.mark.parametrize("column", ["popularity", "id", "description_vi"])
def test_missing_column(write_catalogue: Callable[..., Path], column: str) -> None:
    columns = tuple(name for name in COLUMNS if name != column)
    path = write_catalogue(_shipped_rows(2), columns)
    error = _load_error(path)
    assert (error.row, error.field) == (1, column)
    assert f"{path}, line 1 (header): missing column(s) {column!r}" in str(error)


def test_extra_and_reordered_columns(write_catalogue: Callable[..., Path]) -> None:
    error = _load_error(write_catalogue(_shipped_rows(1), (*COLUMNS, "rating")))
    assert (error.row, error.field) == (1, "rating")
    assert "unexpected column(s) 'rating'" in str(error)
    swapped = ("name_en", "name_vi", *COLUMNS[3:])
    error = _load_error(write_catalogue(_shipped_rows(1), ("id", *swapped)))
    assert error.row == 1
    assert "columns out of order" in str(error)


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.csv"
    error = _load_error(path)
    assert (error.row, error.field) == (None, None)
    assert str(error) == f"{path}: no such place catalogue file"


def test_line_numbers_count_newlines_inside_quoted_values(write_catalogue: Callable[..., Path]) -> None:
    rows = _shipped_rows(3)
    rows[0]["description_en"] = "First line of a description,\nand its second line."
    rows[2]["visit_min"] = "500"
    error = _load_error(write_catalogue(rows))
    assert (error.row, error.field) == (5, "visit_min")
    assert "line 5" in str(error)
    assert "less than or equal to 480" in str(error)


def test_wrong_number_of_fields(tmp_path: Path) -> None:
    path = tmp_path / "catalogue.csv"
    path.write_text(",".join(COLUMNS) + "\nonly-an-id,Tên\n", encoding="utf-8")
    error = _load_error(path)
    assert error.row == 2
    assert f"2 fields, expected {len(COLUMNS)}" in str(error)


def test_cuisine_place_needs_a_dish(write_catalogue: Callable[..., Path]) -> None:
    rows = _shipped_rows(1)
    rows[0]["categories"] = "cuisine"
    rows[0]["dishes"] = ""
    error = _load_error(write_catalogue(rows))
    assert (error.row, error.field) == (2, "dishes")
    assert "needs at least one dish" in str(error)


@pytest.mark.parametrize(
    ("column", "value", "expected"),
    [
        ("indoor", "yes", "write true or false"),
        ("coord_source", "osm:area/5", "String should match pattern"),
        ("former_district", "Hanoi", "Input should be"),
        ("ward", "phuong-atlantis", "is not the id of one of Hanoi's 126 wards"),
        ("status", "maybe", "Input should be"),
        ("coord_source", "curated", "String should match pattern"),
        ("popularity", "1.5", "less than or equal to 1"),
        ("price_vnd", "-1", "greater than or equal to 0"),
        ("id", "Bad Id", "String should match pattern"),
        ("description_en", "Too short.", "at least 20 characters"),
    ],
)
def test_invalid_values_name_the_field(
    write_catalogue: Callable[..., Path], column: str, value: str, expected: str
) -> None:
    rows = _shipped_rows(2)
    rows[1][column] = value
    error = _load_error(write_catalogue(rows))
    assert (error.row, error.field) == (3, column)
    assert f"field {column!r}" in str(error)
    assert expected in str(error)


def test_several_problems_are_counted(write_catalogue: Callable[..., Path]) -> None:
    rows = _shipped_rows(4)
    rows[1]["lat"] = "0"
    rows[3]["visit_min"] = "5"
    error = _load_error(write_catalogue(rows))
    assert (error.row, error.field) == (3, "lat")
    assert "(and 1 more problem: line 5)" in str(error)


def test_part_of_may_name_a_later_row(write_catalogue: Callable[..., Path]) -> None:
    rows = _shipped_rows_by_id("thien-quang-well", "hoa-lo-prison", "temple-of-literature")
    loaded = load_catalogue(write_catalogue(rows))
    assert [p.id for p in loaded.children("temple-of-literature")] == ["thien-quang-well"]
    assert loaded.get("thien-quang-well").to_row()["part_of"] == "temple-of-literature"
    assert loaded.get("hoa-lo-prison").to_row()["part_of"] == ""


def test_part_of_unknown_parent(write_catalogue: Callable[..., Path]) -> None:
    rows = _shipped_rows_by_id("temple-of-literature", "thien-quang-well")
    rows[1]["part_of"] = "temple-of-literatur"
    path = write_catalogue(rows)
    error = _load_error(path)
    assert (error.row, error.field) == (3, "part_of")
    assert str(error) == (
        f"{path}, line 3 (id 'thien-quang-well'), field 'part_of': 'temple-of-literatur' is not the id of any"
        " place in the catalogue; did you mean 'temple-of-literature'?"
    )


def test_part_of_itself(write_catalogue: Callable[..., Path]) -> None:
    rows = _shipped_rows(2)
    rows[1]["part_of"] = rows[1]["id"]
    error = _load_error(write_catalogue(rows))
    assert (error.row, error.field) == (3, "part_of")
    assert f"a place cannot be part of itself ({rows[1]['id']!r})" in str(error)


def test_part_of_cycle(write_catalogue: Callable[..., Path]) -> None:
    rows = _shipped_rows_by_id("hoa-lo-prison", "hoan-kiem-lake", "ngoc-son-temple", "pen-tower")
    rows[1]["part_of"] = "pen-tower"  # lake -> pen tower -> Ngọc Sơn -> lake
    rows[2]["part_of"] = "hoan-kiem-lake"
    path = write_catalogue(rows)
    error = _load_error(path)
    assert (error.row, error.field) == (3, "part_of")
    assert "line 3 (id 'hoan-kiem-lake')" in str(error)
    assert "cycle: hoan-kiem-lake -> pen-tower -> ngoc-son-temple -> hoan-kiem-lake" in str(error)
    assert "more problem" not in str(error)  # one cycle, reported once


def test_part_of_two_place_cycle(write_catalogue: Callable[..., Path]) -> None:
    rows = _shipped_rows_by_id("temple-of-literature", "thien-quang-well")
    rows[0]["part_of"] = "thien-quang-well"
    error = _load_error(write_catalogue(rows))
    assert (error.row, error.field) == (2, "part_of")
    assert "cycle: temple-of-literature -> thien-quang-well -> temple-of-literature" in str(error)


def test_part_of_parent_too_far(write_catalogue: Callable[..., Path]) -> None:
    rows = _shipped_rows_by_id("hoan-kiem-lake", "turtle-tower", "co-loa-citadel")
    rows[1]["part_of"] = "co-loa-citadel"
    error = _load_error(write_catalogue(rows))
    assert (error.row, error.field) == (3, "part_of")
    assert "lies 9.8 km from 'co-loa-citadel'" in str(error)
    assert f"at most {PART_OF_MAX_DISTANCE_M / 1000:g} km" in str(error)


def test_part_of_problems_wait_for_valid_rows(write_catalogue: Callable[..., Path]) -> None:
    rows = _shipped_rows_by_id("thien-quang-well", "temple-of-literature")
    rows[1]["lat"] = "0"  # the parent's row is broken: that is the problem to report, not a missing parent
    error = _load_error(write_catalogue(rows))
    assert (error.row, error.field) == (3, "lat")
    assert "more problem" not in str(error)


def test_broken_part_of_rejected_in_memory(catalogue: Catalogue) -> None:
    well = catalogue.get("thien-quang-well")
    with pytest.raises(CatalogueError, match="'temple-of-literature' is not the id of any place") as info:
        Catalogue.from_places([well])
    assert info.value.field == "part_of"
    with pytest.raises(ValueError, match="part of itself"):
        Place.model_validate(well.model_dump(mode="json") | {"part_of": "thien-quang-well"})


def test_places_built_by_hand_default_to_no_parent(catalogue: Catalogue) -> None:
    record = catalogue.get("hoa-lo-prison").model_dump(mode="json")
    del record["part_of"]
    assert Place.model_validate(record).part_of is None
    assert Place.model_validate(record | {"part_of": ""}).part_of is None


def test_duplicate_ids_rejected_in_memory(catalogue: Catalogue) -> None:
    place = catalogue.get("hoan-kiem-lake")
    with pytest.raises(CatalogueError, match="duplicate id 'hoan-kiem-lake'"):
        Catalogue.from_places([place, place])


# ----------------------------------------------------------------------------------------------------- search


def test_normalize_text() -> None:
    assert normalize_text("Phở Thìn") == "pho thin"
    assert normalize_text("Đống Đa") == "dong da"
    assert normalize_text("bun_cha") == "bun cha"
    assert normalize_text("Văn Miếu – Quốc Tử Giám") == "van mieu quoc tu giam"


def test_search_pho_finds_pho_places(catalogue: Catalogue) -> None:
    found = catalogue.search("pho", limit=10)
    assert len(found) == 10
    assert all(Dish.PHO in place.dishes for place in found)
    assert [p.id for p in catalogue.search("Phở", limit=10)] == [p.id for p in found]
    assert "pho-10-ly-quoc-su" in {p.id for p in found}


def test_search_hoan_kiem_finds_the_lake_first(catalogue: Catalogue) -> None:
    found = catalogue.search("hoan kiem")
    assert found[0].id == "hoan-kiem-lake"
    assert catalogue.search("Hoàn Kiếm")[0].id == "hoan-kiem-lake"
    # The district matches too: every place in Hoàn Kiếm is found.
    assert {p.id for p in catalogue if p.former_district is District.HOAN_KIEM} <= {p.id for p in found}


def test_search_ranks_exact_names_and_popularity(catalogue: Catalogue) -> None:
    assert catalogue.search("Temple of Literature")[0].id == "temple-of-literature"
    assert catalogue.search("van mieu")[0].id == "temple-of-literature"
    assert catalogue.search("bun cha", limit=1)[0].dishes[0] is Dish.BUN_CHA
    everything = catalogue.search()
    assert len(everything) == len(catalogue)
    popularity = [place.popularity for place in everything]
    assert popularity == sorted(popularity, reverse=True)


def test_search_category_filter_and_limit(catalogue: Catalogue) -> None:
    villages = catalogue.search(category=Category.CRAFT_VILLAGE)
    assert len(villages) == catalogue.count_by_category()["craft_village"]
    assert all(Category.CRAFT_VILLAGE in place.categories for place in villages)
    museums = catalogue.search("museum", category=Category.MUSEUM, limit=3)
    assert len(museums) == 3
    assert all(Category.MUSEUM in place.categories for place in museums)
    assert catalogue.search("pho", category=Category.MUSEUM) == []
    assert catalogue.search("no such place anywhere") == []
    with pytest.raises(ValueError, match="limit"):
        catalogue.search("pho", limit=-1)


def test_get_unknown_id_suggests(catalogue: Catalogue) -> None:
    with pytest.raises(UnknownPlaceError) as info:
        catalogue.get("temple-of-literatur")
    assert isinstance(info.value, RecommenderError)
    assert info.value.place_id == "temple-of-literatur"
    assert info.value.suggestions[0] == "temple-of-literature"
    assert "did you mean 'temple-of-literature'" in str(info.value)
    with pytest.raises(UnknownPlaceError) as info:
        catalogue.get("van mieu")
    assert "temple-of-literature" in info.value.suggestions
    with pytest.raises(UnknownPlaceError) as info:
        catalogue.get("zzzz-qqqq")
    assert info.value.suggestions == ()
    assert str(info.value) == "unknown place id 'zzzz-qqqq'"
