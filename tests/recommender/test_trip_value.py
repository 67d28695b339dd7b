"""The weights of a good day (recommender/trip/value.py): what a visit is worth, repeats, walking as it is felt."""

from __future__ import annotations

import math

import numpy as np
import pytest

from recommender.catalogue import DEFAULT_CATALOGUE_PATH, load_catalogue
from recommender.scoring import Context, Interests, score_place
from recommender.trip.value import (
    SIGHTING_SHARE,
    heat_share,
    repeat_discount,
    time_share,
    visit_worth,
    walk_reluctance,
)

CATALOGUE = load_catalogue(DEFAULT_CATALOGUE_PATH)
HERITAGE = Interests.parse(["heritage"])


def _worth(place_id: str, interests: Interests = HERITAGE, *, share: float = 1.0) -> float:
    place = CATALOGUE.get(place_id)
    return visit_worth(place, score_place(place, interests, Context()), visit_s=place.visit_min * 60.0 * share)


def test_a_signature_sight_is_worth_far_more_than_a_small_stop() -> None:
    temple, statue = _worth("temple-of-literature"), _worth("ly-thai-to-monument")
    assert temple > 4 * statue


def test_a_longer_natural_visit_is_worth_more_with_diminishing_returns() -> None:
    place = CATALOGUE.get("temple-of-literature")
    score = score_place(place, HERITAGE, Context())
    short = place.model_copy(update={"visit_min": 10})
    long = place.model_copy(update={"visit_min": 90})
    ratio = visit_worth(long, score, visit_s=90 * 60) / visit_worth(short, score, visit_s=10 * 60)
    assert 1.0 < ratio < 9.0


def test_a_shortened_visit_keeps_most_but_not_all_of_its_worth() -> None:
    assert time_share(1.0) == pytest.approx(1.0)
    assert time_share(2.0) == pytest.approx(1.0)
    assert 0.6 < time_share(0.5) < 0.9
    assert time_share(0.0) == 0.0
    assert _worth("hoa-lo-prison", share=0.5) < _worth("hoa-lo-prison")


def test_repeats_of_a_kind_the_traveller_did_not_ask_for_lose_more() -> None:
    assert repeat_discount(0, days=1) == 1.0
    assert repeat_discount(2, days=1, interest=0.0) < repeat_discount(2, days=1, interest=1.0) < 1.0
    assert repeat_discount(2, days=3) == 1.0  # a day's worth of each kind per day


def test_walks_feel_longer_when_long_hot_or_wet() -> None:
    short, long = walk_reluctance(np.array([400.0, 1_600.0]))
    assert short == pytest.approx(1.0)
    assert long > 1.3
    hot = walk_reluctance(np.array([1_600.0]), heat_share=1.0)[0]
    wet = walk_reluctance(np.array([1_600.0]), rain=True)[0]
    assert long < hot < wet


def test_heat_share_is_the_part_of_a_span_in_the_midday_heat() -> None:
    assert heat_share(8 * 3600, 10 * 3600) == 0.0
    assert heat_share(12 * 3600, 13 * 3600) == 1.0
    assert heat_share(10 * 3600, 12 * 3600) == pytest.approx(0.5)


def test_a_trip_of_several_days_favours_the_first_place_of_each_asked_kind() -> None:
    assert repeat_discount(0, days=1, interest=1.0) == 1.0
    assert repeat_discount(0, days=3, interest=0.8) > 2.0
    assert repeat_discount(0, days=3, interest=0.0) == 1.0


def test_a_short_visit_to_a_famous_sight_beats_lingering_longer_at_another() -> None:
    """A first-time visitor sees the One Pillar Pagoda rather than spending 45 more minutes at the Temple of
    Literature: the extra time is worth less than the 20-minute sight (both for a heritage lover)."""
    extension = _worth("temple-of-literature") - _worth("temple-of-literature", share=0.5)
    assert _worth("one-pillar-pagoda") > extension


def test_any_visit_earns_its_sighting_share() -> None:
    for place_id in ("temple-of-literature", "one-pillar-pagoda", "hoa-lo-prison"):
        length = math.sqrt(min(CATALOGUE.get(place_id).visit_min, 240) / 60)
        kept = SIGHTING_SHARE / (SIGHTING_SHARE + (1 - SIGHTING_SHARE) * length)
        assert _worth(place_id, share=0.01) >= kept * _worth(place_id) * 0.99


def test_famous_sights_do_not_crowd_out_what_a_specialist_asked_for() -> None:
    """A traveller who asked for CI centres values a modest CI centre above a famous prison museum."""
    ci = Interests.parse({"ci_centre": 1.0, "museum": 0.5})
    centres = [place.id for place in CATALOGUE if place.categories[0].value == "ci_centre" and place.popularity >= 0.4]
    assert centres
    best_centre = max(_worth(place_id, ci) for place_id in centres)
    assert best_centre > _worth("hoa-lo-prison", ci)
