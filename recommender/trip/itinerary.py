"""The planned trip as the traveller sees it: days of timed visits, the legs between them, totals and reasons."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from recommender.catalogue import Place
from recommender.scoring import PlaceScore
from recommender.taxonomy import Category

JsonDict = dict[str, Any]
LatLon = tuple[float, float]


def clock(time_s: float) -> str:
    """``"HH:MM"`` for seconds after midnight (rounded down to the minute)."""
    seconds = int(time_s)
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"


@dataclass(frozen=True)
class PlannedVisit:
    """One stop of a day: when the traveller arrives, starts, ends and leaves, and why it is in the plan.

    ``kind`` is ``visit``, ``lunch`` or ``dinner``; a meal for a traveller who did not ask for food is
    a break at a convenient food place (its reasons say so).
    """

    place: Place
    kind: str
    arrival_s: float
    start_s: float
    end_s: float
    departure_s: float
    score: PlaceScore
    reasons: tuple[str, ...]

    @property
    def wait_s(self) -> float:
        """Time waiting for the place to open (or for the meal time)."""
        return self.start_s - self.arrival_s

    def to_dict(self) -> JsonDict:
        """JSON-ready form with ``HH:MM`` times and seconds."""
        place = self.place
        return {
            "place_id": place.id,
            "name": place.name_en,
            "name_vi": place.name_vi,
            "kind": self.kind,
            "categories": [category.value for category in place.categories],
            "lat": place.lat,
            "lon": place.lon,
            "arrival": clock(self.arrival_s),
            "start": clock(self.start_s),
            "end": clock(self.end_s),
            "departure": clock(self.departure_s),
            "arrival_s": round(self.arrival_s),
            "start_s": round(self.start_s),
            "end_s": round(self.end_s),
            "departure_s": round(self.departure_s),
            "wait_s": round(self.wait_s),
            "ticket_vnd": place.price_vnd,
            "opening_hours": place.opening_hours,
            "why": {**self.score.to_dict(), "reasons": list(self.reasons)},
        }


@dataclass(frozen=True)
class PlannedLeg:
    """A hop between two stops of the day, expanded by the routers.

    ``mode`` is ``walk`` or ``bus`` (a bus leg also walks to and from its stops); ``journey`` is the
    router's plain-JSON journey (steps with street names for a walk; bus legs with route refs and stop
    names); ``features`` are its GeoJSON LineStrings with a ``mode`` property each, for maps.
    """

    from_name: str
    to_name: str
    mode: str
    depart_s: float
    arrive_s: float
    walk_m: float
    rides: int
    estimated: bool
    journey: JsonDict
    features: tuple[JsonDict, ...]

    def to_dict(self) -> JsonDict:
        """JSON-ready form."""
        return {
            "from": self.from_name,
            "to": self.to_name,
            "mode": self.mode,
            "depart": clock(self.depart_s),
            "arrive": clock(self.arrive_s),
            "depart_s": round(self.depart_s),
            "arrive_s": round(self.arrive_s),
            "duration_s": round(self.arrive_s - self.depart_s),
            "walk_m": round(self.walk_m, 1),
            "rides": self.rides,
            "estimated": self.estimated,
            "journey": self.journey,
        }


@dataclass(frozen=True)
class DayPlan:
    """One day: leave the start, the visits in order with a leg before each, a last leg to the end."""

    day: int
    date: dt.date
    start: LatLon
    end: LatLon
    start_name: str
    end_name: str
    depart_s: float
    arrive_s: float
    visits: tuple[PlannedVisit, ...]
    legs: tuple[PlannedLeg, ...]

    @property
    def walk_m(self) -> float:
        """Walking over the day, bus access walks included."""
        return sum(leg.walk_m for leg in self.legs)

    @property
    def rides(self) -> int:
        """Bus rides over the day."""
        return sum(leg.rides for leg in self.legs)

    @property
    def tickets_vnd(self) -> int:
        """Entry tickets over the day: what the sights charge (food and drink not counted)."""
        return sum(visit.place.price_vnd for visit in self.visits if not _is_food(visit.place))

    @property
    def food_vnd(self) -> int:
        """A typical spend at the day's food and drink places."""
        return sum(visit.place.price_vnd for visit in self.visits if _is_food(visit.place))

    def to_dict(self) -> JsonDict:
        """JSON-ready form."""
        return {
            "day": self.day + 1,
            "date": self.date.isoformat(),
            "start": {"name": self.start_name, "lat": self.start[0], "lon": self.start[1]},
            "end": {"name": self.end_name, "lat": self.end[0], "lon": self.end[1]},
            "depart": clock(self.depart_s),
            "arrive": clock(self.arrive_s),
            "visits": [visit.to_dict() for visit in self.visits],
            "legs": [leg.to_dict() for leg in self.legs],
            "totals": {
                "visits": len(self.visits),
                "walk_km": round(self.walk_m / 1000, 2),
                "bus_rides": self.rides,
                "tickets_vnd": self.tickets_vnd,
                "food_vnd": self.food_vnd,
            },
        }


def _is_food(place: Place) -> bool:
    return set(place.categories) <= {Category.CUISINE, Category.NIGHTLIFE}


@dataclass(frozen=True)
class Itinerary:
    """The whole trip: its days, totals, what the planner could not do, and how the search went."""

    days: tuple[DayPlan, ...]
    mode: str
    pace: str
    interests: dict[str, float]
    score: float
    solve_s: float
    iterations: int
    warnings: tuple[str, ...] = field(default=())

    @property
    def visits(self) -> list[PlannedVisit]:
        """Every visit of every day, in order."""
        return [visit for day in self.days for visit in day.visits]

    def to_dict(self) -> JsonDict:
        """JSON-ready form (what ``heritage plan --json`` prints and the API returns)."""
        return {
            "mode": self.mode,
            "pace": self.pace,
            "interests": self.interests,
            "days": [day.to_dict() for day in self.days],
            "totals": {
                "days": len(self.days),
                "visits": sum(len(day.visits) for day in self.days),
                "walk_km": round(sum(day.walk_m for day in self.days) / 1000, 2),
                "bus_rides": sum(day.rides for day in self.days),
                "tickets_vnd": sum(day.tickets_vnd for day in self.days),
                "food_vnd": sum(day.food_vnd for day in self.days),
            },
            "warnings": list(self.warnings),
            "search": {"score": round(self.score, 2), "time_s": round(self.solve_s, 3), "iterations": self.iterations},
        }

    def to_geojson(self) -> JsonDict:
        """A FeatureCollection: every leg's lines (``mode``, ``day``, ``leg``) and every visit as a point."""
        features: list[JsonDict] = []
        for day in self.days:
            for leg_index, leg in enumerate(day.legs):
                for feature in leg.features:
                    properties = {**feature.get("properties", {}), "day": day.day + 1, "leg": leg_index}
                    features.append({**feature, "properties": properties})
            for order, visit in enumerate(day.visits, start=1):
                features.append(
                    {
                        "type": "Feature",
                        "geometry": {"type": "Point", "coordinates": [visit.place.lon, visit.place.lat]},
                        "properties": {
                            "day": day.day + 1,
                            "order": order,
                            "place_id": visit.place.id,
                            "name": visit.place.name_en,
                            "kind": visit.kind,
                            "start": clock(visit.start_s),
                            "end": clock(visit.end_s),
                        },
                    }
                )
        return {"type": "FeatureCollection", "features": features}
