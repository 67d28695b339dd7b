from __future__ import annotations

import pytest

from recommender.catalogue import UnknownPlaceError, load_catalogue
from recommender.locate import MalformedLocationError, resolve_location
from tests.conftest import CATALOGUE

catalogue = load_catalogue(CATALOGUE)


def test_coordinates() -> None:
    location = resolve_location(" 21.0285, 105.8542 ", catalogue)
    assert (location.lat, location.lon, location.place) == (21.0285, 105.8542, None)


def test_place_id_and_name() -> None:
    assert resolve_location("temple-of-literature", catalogue).place is not None
    by_name = resolve_location("Văn Miếu - Quốc Tử Giám", catalogue)
    assert by_name.place is not None
    assert by_name.place.id == "temple-of-literature"


@pytest.mark.parametrize("text", ["95,105", "21.0,200.5"])
def test_malformed_coordinates(text: str) -> None:
    with pytest.raises(MalformedLocationError, match="not a valid"):
        resolve_location(text, catalogue)


def test_unknown_and_ambiguous_names() -> None:
    with pytest.raises(UnknownPlaceError):
        resolve_location("no such place anywhere", catalogue)
    with pytest.raises(UnknownPlaceError) as ambiguous:
        resolve_location("pho", catalogue)
    assert ambiguous.value.suggestions
