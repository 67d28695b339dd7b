"""The shipped stories and events (data/communes, data/events): every link resolves, every story and event cites a
source, and the festival dates that the sources give for a known year come out of the lunar conversion."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from recommender.catalogue import Catalogue, load_catalogue
from recommender.communes.events import EventsError, default_events, load_events, occurrences
from recommender.communes.stories import StoriesError, default_stories, load_stories
from recommender.wards import UNIT_COUNT, default_wards
from tests.conftest import CATALOGUE


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load_catalogue(CATALOGUE)


def test_every_story_links_places_of_its_own_unit_and_cites_sources(catalogue: Catalogue) -> None:
    stories = default_stories()
    events = {event.id for event in default_events()}
    assert 0 < len(stories) <= UNIT_COUNT
    for unit, story in stories.items():
        assert unit in default_wards()
        assert story.sources
        assert all(str(url).startswith(("http://", "https://")) for url in story.sources)
        for item in story.items:
            if item.place_id is not None:
                assert catalogue.get(item.place_id).ward == unit, (unit, item.place_id)
            if item.event_id is not None:
                assert item.event_id in events, (unit, item.event_id)
        if story.status == "verified":
            assert story.place_ids


def test_sixty_one_units_have_a_verified_story_with_a_place_of_their_own(catalogue: Catalogue) -> None:
    """Issue 17's target: at least 60 of the 126 units tell a verified story linked to a catalogue place inside it."""
    told = [
        unit
        for unit, story in default_stories().items()
        if story.status == "verified" and any(catalogue.get(place).ward == unit for place in story.place_ids)
    ]
    assert len(told) >= 61


def test_every_event_is_at_a_catalogue_place_of_its_ward(catalogue: Catalogue) -> None:
    for event in default_events():
        assert catalogue.get(event.place_id).ward == event.ward, event.id
        assert event.sources


@pytest.mark.parametrize(
    ("event_id", "first", "last"),
    [
        # "From 15/02/2024 - 25/02/2024" (63stravel.com): the festival days from the 6th of the first month.
        ("co-loa-festival", dt.date(2024, 2, 15), dt.date(2024, 2, 15)),
        # "the 8th, 9th, and 10th days of the first lunar month, which falls on February 17, 18 and 19" (2024).
        ("phu-thuong-sticky-rice-festival", dt.date(2024, 2, 17), dt.date(2024, 2, 19)),
        # Hanoi Creative Design Festival 2023, 17-26 November (vietnamplus.vn).
        ("hanoi-creative-design-festival-2023", dt.date(2023, 11, 17), dt.date(2023, 11, 26)),
        # "Ngày 15/2 (tức mùng 6 Tết Giáp Thìn)" (kienthuc.net.vn, 2024): the 4th-10th ran 13-19 February.
        ("me-linh-festival", dt.date(2024, 2, 13), dt.date(2024, 2, 19)),
        # "15/2 (tức 18 tháng Giêng)" (danphuong.hanoi.gov.vn, 2025).
        ("dai-phung-festival", dt.date(2025, 2, 15), dt.date(2025, 2, 15)),
        # "từ ngày 09/5/2023 đến hết ngày 12/5/2023 (ngày 20/3 - 23/3 âm lịch)" (vinhland.vn): the 23rd is 12 May.
        ("le-mat-festival", dt.date(2023, 5, 12), dt.date(2023, 5, 12)),
        # "từ ngày 9-18/4/2024, tức từ mùng 1 đến 10 tháng Ba năm Giáp Thìn" (vietnam.vn): the 6th is 14 April.
        ("tay-phuong-pagoda-festival", dt.date(2024, 4, 14), dt.date(2024, 4, 14)),
        # "Sáng ngày 19/5 (tức ngày 1/4 âm lịch)" (thuongtin.hanoi.gov.vn); the 2023 festival ran "từ 18-20/5 (tức từ
        # ngày 29/3-2/4 âm lịch)" (nguoihanoi.vn, 10/05/2023).
        ("chu-dong-tu-tien-dung-festival", dt.date(2023, 5, 19), dt.date(2023, 5, 19)),
        # "ngày mùng 5 Tết Đinh Dậu (tức ngày 1/2)" (daidoanket.vn, 2017).
        ("dong-da-festival", dt.date(2017, 2, 1), dt.date(2017, 2, 1)),
    ],
)
def test_festival_days_match_what_the_sources_give(event_id: str, first: dt.date, last: dt.date) -> None:
    found = [o for o in occurrences(default_events(), first, last) if o.event.id == event_id]
    assert [(o.first_day, o.last_day) for o in found] == [(first, last)]


def test_a_one_year_event_does_not_recur() -> None:
    found = occurrences(default_events(), dt.date(2024, 1, 1), dt.date(2026, 12, 31))
    assert "hanoi-creative-design-festival-2023" not in {o.event.id for o in found}


def test_a_story_of_an_unknown_unit_or_with_markup_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "stories.json"
    bad.write_text('{"stories": {"xa-khong-co": {}}}', encoding="utf-8")
    with pytest.raises(StoriesError, match="xa-khong-co"):
        load_stories(bad, default_wards())
    bad.write_text(
        '{"stories": {"xa-bat-trang": {"status": "draft", "product_en": "<b>x</b>", "product_vi": "x", '
        '"history_en": "x", "history_vi": "x", "visit_en": "x", "visit_vi": "x", '
        '"items": [{"kind": "craft", "name_en": "x", "name_vi": "x"}]}}}',
        encoding="utf-8",
    )
    with pytest.raises(StoriesError, match="product_en"):
        load_stories(bad, default_wards())


def test_an_events_file_with_two_equal_ids_is_refused(tmp_path: Path) -> None:
    first = default_events()[0].model_dump(mode="json")
    bad = tmp_path / "events.json"
    bad.write_text(json.dumps({"events": [first, first]}), encoding="utf-8")
    with pytest.raises(EventsError, match="share the id"):
        load_events(bad)
