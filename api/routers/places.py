"""The place catalogue: search with filters and cursor pagination, and one place."""

from __future__ import annotations

import base64
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from api.deps import CityDep, Language, LanguageDep
from api.errors import invalid, known_query, responses
from api.schemas import PlacePageResponse, PlaceResponse
from api.schemas.common import DayTime, Text
from recommender.catalogue import Place
from recommender.city import City
from recommender.taxonomy import Category
from recommender.wards import UnknownWardError
from routing import CITY_TZ, OutsideAreaError, haversine_m
from routing import parse_point as routing_parse_point

router = APIRouter(prefix="/v1/places", tags=["places"], dependencies=[Depends(known_query)])


def to_response(place: Place, city: City, lang: Language) -> PlaceResponse:
    """Localise a catalogue place for the app."""
    access = city.bundle.place_access.get(place.id, {})
    return PlaceResponse(
        **place.model_dump(
            include={
                "id",
                "name_vi",
                "name_en",
                "lat",
                "lon",
                "coord_source",
                "ward",
                "status",
                "visiting",
                "opening_hours",
                "visit_min",
                "price_vnd",
                "indoor",
                "family_friendly",
                "popularity",
            }
        ),
        name=place.name_vi if lang == "vi" else place.name_en,
        categories=list(place.categories),
        dishes=[str(d) for d in place.dishes],
        ward_name=place.ward_unit.name,
        ward_osm_relation=place.ward_unit.osm_relation,
        former_district=str(place.former_district) if place.former_district else None,
        how_to_visit=None
        if place.visiting == "regular"
        else (place.how_to_visit_vi if lang == "vi" else place.how_to_visit_en),
        description=place.description_vi if lang == "vi" else place.description_en,
        off_network=bool(access.get("off_network", False)),
    )


def parse_point(text: str, field: str) -> tuple[float, float]:
    """``"lat,lon"`` -> floats (422 naming ``field`` when malformed)."""
    try:
        point = routing_parse_point(text)
    except OutsideAreaError as exc:
        raise invalid(field, str(exc)) from exc
    if point is None:
        raise invalid(field, f"{text!r} is not lat,lon")
    return point


def distance_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance."""
    return float(haversine_m(a[0], a[1], b[0], b[1]))


def _cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"o:{offset}".encode()).decode().rstrip("=")


def _offset(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        offset = int(text.removeprefix("o:")) if text.startswith("o:") else -1
    except (ValueError, UnicodeDecodeError):
        offset = -1
    if offset < 0:
        raise invalid("cursor", "not a cursor this API returned")
    return offset


@router.get("", responses=responses("invalid-request", "rate-limited"))
def list_places(  # noqa: PLR0917 - FastAPI parameters
    city: CityDep,
    lang: LanguageDep,
    q: Annotated[
        Text | None, Query(max_length=100, description="Text in names, wards, former districts or dishes.")
    ] = None,
    category: Category | None = None,
    ward: Annotated[
        Text | None,
        Query(
            max_length=100,
            description="2025 ward or commune: id (phuong-hoan-kiem), name (Hoàn Kiếm) or OSM relation id.",
        ),
    ] = None,
    near: Annotated[
        Text | None, Query(max_length=60, description='"lat,lon"; with radius_m.', examples=["21.0285,105.8542"])
    ] = None,
    radius_m: Annotated[float, Query(gt=0, le=50_000, description="Distance from `near`.")] = 1000.0,
    bbox: Annotated[
        str | None,
        Query(max_length=100, description="west,south,east,north (degrees).", examples=["105.83,21.02,105.86,21.04"]),
    ] = None,
    open_at: Annotated[
        DayTime | None,
        Query(description="Only places open then (Hanoi time when no offset is given), 2000-01-01 to 2100-12-31."),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[
        Text | None, Query(min_length=1, max_length=100, description="`next_cursor` of the previous page.")
    ] = None,
) -> PlacePageResponse:
    """Search places by text, category, ward, distance, box and opening time, most relevant and popular first."""
    try:
        found = city.catalogue.search(q, category=category, ward=ward)
    except UnknownWardError as exc:
        raise invalid("ward", str(exc)) from None
    if near is not None:
        centre = parse_point(near, "near")
        found = [p for p in found if distance_m(centre, (p.lat, p.lon)) <= radius_m]
    if bbox is not None:
        try:
            west, south, east, north = (float(part) for part in bbox.split(","))
        except ValueError:
            raise invalid("bbox", f"{bbox!r} is not west,south,east,north") from None
        if west > east or south > north:
            raise invalid("bbox", "west must be <= east and south <= north")
        found = [p for p in found if west <= p.lon <= east and south <= p.lat <= north]
    if open_at is not None:
        local = open_at.astimezone(CITY_TZ) if open_at.tzinfo else open_at.replace(tzinfo=CITY_TZ)
        naive = local.replace(tzinfo=None)
        found = [p for p in found if p.hours().is_open(naive)]
    offset = _offset(cursor)
    page = found[offset : offset + limit]
    more = offset + limit < len(found)
    return PlacePageResponse(
        items=[to_response(p, city, lang) for p in page],
        count=len(page),
        total=len(found),
        next_cursor=_cursor(offset + limit) if more else None,
    )


@router.get("/{place_id}", responses=responses("unknown-place", "invalid-request", "rate-limited"))
def get_place(place_id: Annotated[Text, Path(max_length=100)], city: CityDep, lang: LanguageDep) -> PlaceResponse:
    """One place by id (404 problem+json with suggestions when unknown)."""
    return to_response(city.catalogue.get(place_id), city, lang)
