"""The planned trip as the traveller sees it: days of timed visits, the legs between them, totals and reasons.

The JSON form (:meth:`Itinerary.to_dict`) is sized for a phone: each leg's line is sent once, in its parts (a walk,
a bus ride, ...), as a Google encoded polyline (precision 5) by default or as a GeoJSON LineString on request
(:class:`GeometryFormat`); values a client can derive (a visit's arrival is its leg's ``arrive``, a leg's ends are the
visits around it) are not repeated, and coordinates and metres are rounded to what a map shows.

Names, reasons and warnings are written in the :class:`~recommender.messages.Language` asked for. Without one they are
:class:`~recommender.messages.Text` strings: English in JSON, and still renderable in Vietnamese later
(:func:`recommender.messages.localise`), which is how a service can plan once, cache or send the plan between processes,
and answer each traveller in their language.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Final

import polyline

from recommender.catalogue import Place
from recommender.messages import Language, Message, Name, localise
from recommender.scoring import PlaceScore
from recommender.taxonomy import Category
from routing import format_clock

JsonDict = dict[str, Any]
LatLon = tuple[float, float]

POLYLINE_PRECISION: Final[int] = 5
"""Decimal digits the encoded polylines keep (Google's format: about 1 m)."""
GEOJSON_DIGITS: Final[int] = 6
"""Decimal digits of GeoJSON positions and of points (about 0.1 m)."""
_RIDE_FIELDS: Final[tuple[str, ...]] = (
    "route_id",
    "ref",
    "route_name",
    "board_stop_id",
    "board_stop_name",
    "alight_stop_id",
    "alight_stop_name",
    "wait_s",
    "stops_passed",
    "stop_names",
    "on_road",
)
"""What a ride part keeps of the router's ride (stop ids between boarding and alighting are left out)."""


class GeometryFormat(StrEnum):
    """How a leg part's line is written: an encoded polyline (the default) or a GeoJSON LineString."""

    POLYLINE = "polyline"
    GEOJSON = "geojson"


def clock(time_s: float) -> str:
    """``"HH:MM"`` for seconds after midnight (rounded down to the minute)."""
    return format_clock(time_s)


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
    contains: tuple[Place, ...] = ()
    """The places inside the visited one (the Turtle Tower in Hoàn Kiếm Lake), seen during the visit."""

    @property
    def wait_s(self) -> float:
        """Time waiting for the place to open (or for the meal time)."""
        return self.start_s - self.arrival_s

    def to_dict(self) -> JsonDict:
        """JSON-ready form with ``HH:MM`` times; the name and reasons are :class:`~recommender.messages.Text`.

        The arrival is the ``arrive`` of the leg before the visit (so the wait is ``start`` minus it) and the
        departure is ``end``, unless the traveller lingers (then ``departure`` is given). ``name`` is the name in
        the answer's language; ``name_vi`` is always the Vietnamese one.
        """
        place = self.place
        payload: JsonDict = {
            "place_id": place.id,
            "name": _name(place),
            "name_vi": place.name_vi,
            "kind": self.kind,
            "categories": [category.value for category in place.categories],
            "lat": round(place.lat, GEOJSON_DIGITS),
            "lon": round(place.lon, GEOJSON_DIGITS),
            "start": clock(self.start_s),
            "end": clock(self.end_s),
            "ticket_vnd": place.price_vnd,
            "opening_hours": place.opening_hours,
            "why": {**self.score.to_dict(), "reasons": list(self.reasons)},
            "includes": [{"place_id": inner.id, "name": _name(inner)} for inner in self.contains],
        }
        if clock(self.departure_s) != payload["end"]:
            payload["departure"] = clock(self.departure_s)
        return payload


@dataclass(frozen=True)
class PlannedLeg:
    """A hop between two stops of the day, expanded by the routers.

    ``mode`` is ``walk`` or ``bus`` (a bus leg also walks to and from its stops); ``journey`` is the
    router's plain-JSON journey (steps with street names for a walk; bus legs with route refs and stop
    names); ``features`` are its GeoJSON LineStrings with a ``mode`` property each, for maps drawn from
    the Python object. The JSON form writes the journey's lines once, in its ``parts`` (:func:`leg_parts`).
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

    def to_dict(self, *, geometry: GeometryFormat = GeometryFormat.POLYLINE) -> JsonDict:
        """JSON-ready form: times, walking, rides, and the ``parts`` with their lines in the ``geometry`` format.

        A leg goes from the stop before it (the day's start or a visit) to the one after it (a visit or the
        day's end), so their names are not repeated here.
        """
        return {
            "mode": self.mode,
            "depart": clock(self.depart_s),
            "arrive": clock(self.arrive_s),
            "walk_m": round(self.walk_m, 1),
            "rides": self.rides,
            "estimated": self.estimated,
            "parts": leg_parts(self.journey, geometry=geometry),
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

    def to_dict(self, *, geometry: GeometryFormat = GeometryFormat.POLYLINE) -> JsonDict:
        """JSON-ready form; ``legs[i]`` leads to ``visits[i]`` and the last leg to the day's end."""
        return {
            "day": self.day + 1,
            "date": self.date.isoformat(),
            "start": _named_point(self.start_name, self.start),
            "end": _named_point(self.end_name, self.end),
            "depart": clock(self.depart_s),
            "arrive": clock(self.arrive_s),
            "visits": [visit.to_dict() for visit in self.visits],
            "legs": [leg.to_dict(geometry=geometry) for leg in self.legs],
            "totals": {
                "visits": len(self.visits),
                "walk_km": round(self.walk_m / 1000, 2),
                "bus_rides": self.rides,
                "tickets_vnd": self.tickets_vnd,
                "food_vnd": self.food_vnd,
            },
        }


def _name(place: Place) -> Name:
    return Name(place.name_en, place.name_vi)


def _is_food(place: Place) -> bool:
    return set(place.categories) <= {Category.CUISINE, Category.NIGHTLIFE}


def _named_point(name: str, point: LatLon) -> JsonDict:
    return {"name": name, "lat": round(point[0], GEOJSON_DIGITS), "lon": round(point[1], GEOJSON_DIGITS)}


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
    events: tuple[JsonDict, ...] = field(default=())
    """The events the plan attends (:mod:`recommender.trip.occasions`), with the day and date of each."""

    @property
    def visits(self) -> list[PlannedVisit]:
        """Every visit of every day, in order."""
        return [visit for day in self.days for visit in day.visits]

    def to_dict(self, *, geometry: GeometryFormat = GeometryFormat.POLYLINE, lang: Language | None = None) -> JsonDict:
        """JSON-ready form (what ``heritage plan --json`` prints and the API returns).

        Each leg part's line is written once, in the ``geometry`` format, which the answer names. Place names,
        reasons and warnings are in ``lang`` (plain strings), which the answer names; with None they are English
        :class:`~recommender.messages.Text` that :func:`~recommender.messages.localise` can render in another
        language later.
        """
        payload = {
            "mode": self.mode,
            "pace": self.pace,
            "lang": Language.EN.value if lang is None else Language(lang).value,
            "interests": self.interests,
            "geometry": GeometryFormat(geometry).value,
            "days": [day.to_dict(geometry=geometry) for day in self.days],
            "totals": {
                "days": len(self.days),
                "visits": sum(len(day.visits) for day in self.days),
                "walk_km": round(sum(day.walk_m for day in self.days) / 1000, 2),
                "bus_rides": sum(day.rides for day in self.days),
                "tickets_vnd": sum(day.tickets_vnd for day in self.days),
                "food_vnd": sum(day.food_vnd for day in self.days),
            },
            "warnings": list(self.warnings),
            "events": list(self.events),
            "search": {"score": round(self.score, 2), "time_s": round(self.solve_s, 3), "iterations": self.iterations},
        }
        return payload if lang is None else localise(payload, Language(lang))

    def to_geojson(self) -> JsonDict:
        """A FeatureCollection: every leg's lines (``mode``, ``day``, ``leg``) and every visit as a point.

        For maps and files made from the Python object; the JSON answers carry the lines in their legs instead.
        """
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


def leg_parts(journey: Mapping[str, Any], *, geometry: GeometryFormat = GeometryFormat.POLYLINE) -> list[JsonDict]:
    """The parts of a router journey (a walk, or a bus journey's walks and rides), each with its line once.

    Parameters
    ----------
    journey
        The router's plain-JSON journey: a walk (``coordinates`` and ``steps``), a journey with ``legs``, or
        ``{}`` for a leg of zero length (no parts).
    geometry
        ``polyline``: an encoded polyline string (precision 5, ``(lat, lon)``, Google's format);
        ``geojson``: a GeoJSON LineString, ``[lon, lat]`` positions to 6 decimals.
    """
    parts: list[JsonDict] = []
    for part in _journey_parts(journey):
        mode = str(part.get("mode", "walk"))
        payload: JsonDict = {"mode": mode}
        if mode == "walk":
            payload["length_m"] = round(float(part.get("length_m", 0.0)), 1)
            if "duration_s" in part:
                payload["duration_s"] = round(float(part["duration_s"]))
            if "steps" in part:  # the instruction already says the street and the length
                payload["steps"] = [step_text(step) for step in part["steps"]]
        else:
            payload.update({key: part[key] for key in _RIDE_FIELDS if key in part})
            if "depart_s" in part and "arrive_s" in part:
                payload["depart"] = clock(part["depart_s"])
                payload["arrive"] = clock(part["arrive_s"])
            payload["length_m"] = round(float(part.get("length_m", 0.0)), 1)
        payload["geometry"] = encode_line(_points(part), geometry)
        parts.append(payload)
    return parts


def step_text(step: Mapping[str, Any]) -> Name:
    """A walk step's instruction: the router's English, and the same in Vietnamese from the step's street and length."""
    english = str(step.get("instruction", ""))
    length_m = float(step.get("length_m", 0.0))
    street = step.get("street")
    if english.startswith("Take the steps"):
        code = "step.stairs"
    elif street:
        code = "step.street"
    elif "unnamed path" in english:
        code = "step.path"
    else:
        code = "step.unnamed_street"
    message = Message(code, length=_length_text(length_m), street=str(street or ""))
    return Name(english, message.render(Language.VI))


def _length_text(length_m: float) -> Name:
    """A walk's length as a person says it (``8 m``, ``350 m``, ``1.2 km``; ``1,2 km`` in Vietnamese)."""
    if length_m >= 995.0:
        return Name(f"{length_m / 1000:.1f} km", f"{length_m / 1000:.1f} km".replace(".", ","))
    metres = f"{round(length_m / 10) * 10:.0f} m" if length_m >= 99.5 else f"{max(1, round(length_m)):.0f} m"
    return Name(metres, metres)


def encode_line(points: Sequence[LatLon], geometry: GeometryFormat = GeometryFormat.POLYLINE) -> str | JsonDict:
    """``(lat, lon)`` points as an encoded polyline (precision 5) or as a GeoJSON LineString (6 decimals).

    A LineString needs two positions, so a one-point line repeats its point there.
    """
    if GeometryFormat(geometry) is GeometryFormat.POLYLINE:
        return polyline.encode(list(points), POLYLINE_PRECISION) if points else ""
    line = list(points) if len(points) != 1 else [points[0], points[0]]
    return {
        "type": "LineString",
        "coordinates": [[round(lon, GEOJSON_DIGITS), round(lat, GEOJSON_DIGITS)] for lat, lon in line],
    }


def decode_line(encoded: str | Mapping[str, Any]) -> list[LatLon]:
    """The ``(lat, lon)`` points of a part's ``geometry`` in either format (the inverse of :func:`encode_line`)."""
    if isinstance(encoded, str):
        return [(float(lat), float(lon)) for lat, lon in polyline.decode(encoded, POLYLINE_PRECISION)]
    return [(float(lat), float(lon)) for lon, lat in encoded.get("coordinates", [])]


def with_geometry(payload: Mapping[str, Any], geometry: GeometryFormat) -> JsonDict:
    """An itinerary's JSON (:meth:`Itinerary.to_dict`) with every leg part's line rewritten in ``geometry``.

    Lets a service plan once in the full GeoJSON form and answer in the format each caller asks for; the
    input is not changed. A polyline keeps 5 decimals, so GeoJSON made from it is no finer than that.
    """
    target = GeometryFormat(geometry)
    if payload.get("geometry") == target.value:
        return dict(payload)
    days = []
    for day in payload.get("days", []):
        legs = [
            {
                **leg,
                "parts": [
                    {**part, "geometry": encode_line(decode_line(part["geometry"]), target)}
                    if "geometry" in part
                    else dict(part)
                    for part in leg.get("parts", [])
                ],
            }
            for leg in day.get("legs", [])
        ]
        days.append({**day, "legs": legs})
    return {**payload, "geometry": target.value, "days": days}


def _journey_parts(journey: Mapping[str, Any]) -> Iterable[Mapping[str, Any]]:
    """A bus journey's legs, a walk as its one part, or nothing for an empty journey."""
    if "legs" in journey:
        return list(journey["legs"])
    if "coordinates" in journey:
        return [journey]
    return []


def _points(part: Mapping[str, Any]) -> list[LatLon]:
    return [(float(lat), float(lon)) for lat, lon in part.get("coordinates", [])]
