"""Places added in 2026 for units that had none, and older places moved onto their OSM element (issues 12, 17).

The coordinates come from ``data/places/osm-wikidata-places-2026.csv``, a copy of the OSM elements (ODbL) and
Wikidata items (CC0) used, with their repository, commit and file (see docs/DATA.md); no coordinate is written here.
"""

from __future__ import annotations

import csv
import re

import pytest

from recommender.catalogue import DEFAULT_CATALOGUE_PATH, Catalogue, load_catalogue
from recommender.wards import Wards, default_wards

SOURCE_CSV = DEFAULT_CATALOGUE_PATH.parent / "osm-wikidata-places-2026.csv"
NEW_UNIT_PLACES = (
    "tuu-liet-pagoda",
    "tran-vu-temple-thach-ban",
    "tho-khoi-village-gate",
    "le-mat-village-gate",
    "la-phu-village",
    "binh-da-temple",
    "chu-dong-tu-temple",
    "tu-nhien-communal-house",
    "dai-phung-communal-house",
    "me-linh-hai-ba-trung-temple",
    "tay-dang-communal-house",
    "du-du-wood-carving-village",
    "nhan-tai-communal-house",
    "quat-dong-embroidery-village",
    "tay-phuong-pagoda",
    "tan-da-memorial",
    "ho-chi-minh-trail-museum",
    "nguyen-van-sieu-tomb",
    "special-forces-museum",
    "ngoc-hoi-victory-monument",
    "vuon-chuoi-archaeological-site",
    "ba-vi-french-ruins",
    "vietnam-forest-museum",
    "bach-khoa-student-soldiers-monument",
    "yen-so-fish-market",
    "boc-pagoda",
    "dong-da-mound",
    "chem-communal-house",
    "ha-dong-market",
    "bo-de-market",
    "duong-noi-astronomy-park",
    "phung-khoang-market",
    "kim-giang-market",
    "phu-dien-market",
    "phu-gia-market",
    "phuc-loi-market",
    "tay-mo-market",
    "hoang-mai-market",
    "vinh-tuy-market",
    "hoa-binh-park",
    "trung-hoa-market",
    "yen-so-park",
    "dao-xuyen-pagoda",
    "can-hoach-fan-village",
    "ethnic-culture-tourism-village",
    "thanh-chuong-viet-palace",
    "luu-thuong-grass-plaiting-village",
    "son-dong-market",
    "vien-nam-mountain",
    "cau-buou-market",
    "dau-moi-market",
    "thuy-ung-horn-village",
    "y-lan-temple",
    "tram-mountain",
    "tuong-phieu-communal-house",
    "bach-tru-communal-house",
    "van-xuan-communal-house",
    "vien-dinh-communal-house",
    "hoang-xa-communal-house",
    "ham-lon-mountain",
    "ngao-thien-peak",
    "phuong-hoang-mountain",
    "da-de-mountain",
    "su-tu-mountain",
    "ao-bo-ket-park",
    "van-phu-park",
)
CHECKED_PLACES = (
    "vietnam-museum-of-ethnology",
    "b52-victory-museum",
    "air-force-museum",
    "vietnam-military-history-museum",
    "lang-pagoda",
    "son-tay-citadel",
    "vcca-contemporary-art-center",
    "thu-le-park-zoo",
    "lotte-observation-deck",
    "thong-nhat-park",
    "cho-hom",
    "ha-thai-lacquer-village",
    "chuong-conical-hat-village",
    "nhi-khe-wood-turning-village",
    "quang-phu-cau-incense-village",
    "kieu-ky-gold-leaf-village",
    "chuon-ngo-inlay-village",
)
"""Places of the earlier catalogue moved onto an OSM element of their name (their hours stay the listed ones)."""
WIKIDATA_REF = re.compile(r"^ref:wikidata-q(\d+)$")


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load_catalogue(DEFAULT_CATALOGUE_PATH)


@pytest.fixture(scope="module")
def wards() -> Wards:
    return default_wards()


@pytest.fixture(scope="module")
def sources() -> dict[str, dict[str, str]]:
    with SOURCE_CSV.open(encoding="utf-8", newline="") as handle:
        return {row["source_id"]: row for row in csv.DictReader(handle)}


def _source_id(coord_source: str) -> str | None:
    """``osm:node/1`` stays; ``ref:wikidata-q42`` becomes ``wikidata:Q42``; anything else gives ``None``."""
    if re.fullmatch(r"osm:(node|way|relation)/\d+", coord_source):
        return coord_source
    match = WIKIDATA_REF.match(coord_source)
    return f"wikidata:Q{match.group(1)}" if match else None


@pytest.mark.parametrize("place_id", NEW_UNIT_PLACES + CHECKED_PLACES)
def test_new_place_lies_in_its_unit_and_names_an_osm_element_or_a_wikidata_item(
    catalogue: Catalogue, wards: Wards, sources: dict[str, dict[str, str]], place_id: str
) -> None:
    place = catalogue.get(place_id)
    source_id = _source_id(place.coord_source)
    assert source_id is not None, f"{place_id}: {place.coord_source} names no OSM element or Wikidata item"
    assert source_id in sources, f"{place_id}: {source_id} is not in {SOURCE_CSV.name}"
    row = sources[source_id]
    assert place.lat == pytest.approx(float(row["lat"]), abs=1e-6)
    assert place.lon == pytest.approx(float(row["lon"]), abs=1e-6)
    assert row["licence"] == ("CC0-1.0" if source_id.startswith("wikidata:") else "ODbL-1.0")
    assert wards.get(place.ward).contains(place.lat, place.lon)
    assert wards.locate(place.lat, place.lon) is wards.get(place.ward)
    assert place.status == "verified"
    assert place.plannable


def test_every_source_row_is_used_once(catalogue: Catalogue, sources: dict[str, dict[str, str]]) -> None:
    used = [_source_id(place.coord_source) for place in catalogue]
    for source_id in sources:
        assert used.count(source_id) == 1, source_id


def test_guessed_hours_say_so(catalogue: Catalogue) -> None:
    """No source gives the new places' hours: they are marked estimated, never passed off as the place's own."""
    for place_id in NEW_UNIT_PLACES:
        place = catalogue.get(place_id)
        if place_id not in {"quat-dong-embroidery-village", "tay-phuong-pagoda"}:
            assert place.hours_source == "estimated", place_id
        assert place.hours_source != "source", place_id
