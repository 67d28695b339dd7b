"""How long a commune's signature place takes by public transport from the centre (Hoàn Kiếm at 09:00)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from recommender.catalogue import Catalogue
from routing import CityRouter

__all__ = ["CENTRE_PLACE", "DEPART_S", "Getting", "getting_there"]

CENTRE_PLACE: Final[str] = "hoan-kiem-lake"
"""Where "the centre" is: Hoàn Kiếm Lake."""
DEPART_S: Final[int] = 9 * 3600


@dataclass(frozen=True)
class Getting:
    """The fastest public-transport journey from the centre at 09:00, or why there is none (``status``)."""

    place_id: str
    status: str
    duration_min: float | None
    rides: int | None
    lines: tuple[str, ...]
    message: str

    def to_dict(self) -> dict[str, object]:
        """Plain JSON."""
        return {
            "from_place": CENTRE_PLACE,
            "depart": "09:00",
            "place_id": self.place_id,
            "status": self.status,
            "duration_min": self.duration_min,
            "rides": self.rides,
            "lines": list(self.lines),
            "message": self.message,
        }


def getting_there(router: CityRouter, catalogue: Catalogue, place_id: str, *, lang: str = "en") -> Getting:
    """The bus (and metro) journey from Hoàn Kiếm Lake at 09:00 to ``place_id`` (the router's own answer).

    Raises
    ------
    recommender.catalogue.UnknownPlaceError
        If either place is not in the catalogue.
    routing.errors.RoutingError
        If the router cannot answer (no service at all near the ends).
    """
    centre, place = catalogue.get(CENTRE_PLACE), catalogue.get(place_id)
    answer = router.route(
        (centre.lat, centre.lon),
        (place.lat, place.lon),
        mode="bus",
        depart_s=DEPART_S,
        from_place=centre.id,
        to_place=place.id,
    )
    journeys = (answer.route_dict(lang) or {}).get("journeys") or []
    if not journeys:
        return Getting(place.id, answer.status, None, None, (), answer.message(lang))
    best = min(journeys, key=lambda journey: journey["arrive_s"])
    lines = tuple(leg["ref"] for leg in best["legs"] if leg["mode"] != "walk" and leg.get("ref"))
    return Getting(
        place.id, answer.status, round(best["duration_s"] / 60, 1), int(best["rides"]), lines, answer.message(lang)
    )
