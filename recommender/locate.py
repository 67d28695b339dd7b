"""Resolve what a traveller types as a start or end: ``"lat,lon"``, a place id, or a place name."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from recommender.catalogue import Catalogue, Place, UnknownPlaceError, normalize_text
from recommender.errors import RecommenderError
from routing import OutsideAreaError, parse_point

MAX_SUGGESTIONS = 3
"""Most places suggested for a mistyped id or name."""


class MalformedLocationError(RecommenderError):
    """The text looks like a coordinate but is not a valid one."""


@dataclass(frozen=True)
class Location:
    """A resolved start or end: coordinates, and the place when one was named."""

    lat: float
    lon: float
    place: Place | None = None

    @property
    def label(self) -> str:
        """The place's English name, or the coordinates."""
        return self.place.name_en if self.place else f"{self.lat:.6f},{self.lon:.6f}"


def resolve_location(text: str, catalogue: Catalogue) -> Location:
    """Turn ``"21.03,105.85"``, ``"temple-of-literature"`` or ``"Văn Miếu"`` into a :class:`Location`.

    A name resolves to the best search match only when it is unambiguous enough: an exact (accent-
    insensitive) name or id match, or a single search hit.

    Raises
    ------
    MalformedLocationError
        If the text is a pair of numbers that is not a valid latitude/longitude.
    UnknownPlaceError
        If no place matches, or several do (the error lists them as suggestions).
    """
    try:
        point = parse_point(text)
    except OutsideAreaError as exc:
        raise MalformedLocationError(str(exc)) from exc
    if point is not None:
        return Location(*point)
    try:
        place = catalogue.get(text.strip())
    except UnknownPlaceError as by_id:
        place = _by_name(text, catalogue, by_id.suggestions)
    return Location(place.lat, place.lon, place)


def suggest_places(text: str, catalogue: Catalogue, *, limit: int = MAX_SUGGESTIONS) -> list[str]:
    """Ids of the places a mistyped id or name most likely means, best first (possibly none).

    Close ids and close names (accent-insensitive, English or Vietnamese) by :func:`difflib.get_close_matches`;
    the same suggestions whether the text is a start, an end, a must-visit or an avoided place.
    """
    wanted = normalize_text(text)
    by_key: dict[str, str] = {}
    for place in catalogue.places:
        for key in (normalize_text(place.id), normalize_text(place.name_en), normalize_text(place.name_vi)):
            by_key.setdefault(key, place.id)
    found: list[str] = []
    for key in difflib.get_close_matches(wanted, list(by_key), n=limit * 3, cutoff=0.6):
        if by_key[key] not in found:
            found.append(by_key[key])
    return found[:limit]


def _by_name(text: str, catalogue: Catalogue, id_suggestions: tuple[str, ...] = ()) -> Place:
    wanted = normalize_text(text)
    exact = [p for p in catalogue.places if wanted in (normalize_text(p.name_en), normalize_text(p.name_vi))]
    if len(exact) == 1:
        return exact[0]
    found = exact or catalogue.search(text, limit=5)
    if len(found) == 1:
        return found[0]
    suggestions = [p.id for p in found[:5]]
    for place_id in (*id_suggestions, *suggest_places(text, catalogue)):
        if place_id not in suggestions:
            suggestions.append(place_id)
    raise UnknownPlaceError(text, suggestions[:5] if found else suggestions[:MAX_SUGGESTIONS])
